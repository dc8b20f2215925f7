// Copyright 2026 The Cerumbra Authors.
//
// policy.js: the client's attestation policy, and the ONE place that knows
// its external schemas (a policy JSON file the user loads, and URL
// parameters). It reads the node's `cerumbra-policy-v1` (docs/attestation.md
// §5; allow-lists and RIM appraisal fail closed, they need the C++
// verifier) and the page's own format below. Change `fromJson` and
// `fromUrl` only.
//
// Policy JSON (every member optional except "format"):
//   {"format": "cerumbra-client-policy-v1",
//    "strict": true,                        // refuse simulated evidence
//    "quote_roots": [{"sha256": "<hex>"} | {"der": "<base64url DER>"}],
//    "nvidia_roots": [...same...],          // default: NVIDIA Device Identity CA
//    "measurements": {"<name>": "<hex>"},   // pinned quote measurements
//    "max_age_ms": 300000, "max_future_ms": 60000,
//    "require_fwid": true}
// URL parameters: ?strict=1  &root=<sha256 hex>  (repeatable)
//   &pin.<name>=<hex> (repeatable, e.g. pin.web=...)  &max_age_ms=<n>
//
// The internal form (makePolicy) is a plain object:
//   {strict, quoteRoots: [pin], nvidiaRoots: [pin], measurements: Map
//    name -> Uint8Array, maxAgeMs, maxFutureMs, requireFwid}.

import { decode as b64decode } from '../protocol/base64url.js';
import { fromHex } from '../protocol/bytes.js';
import { invalidArgument } from '../protocol/errors.js';
import { isObject, parse } from '../protocol/json.js';
import { NVIDIA_DEVICE_ROOT_SHA256, parseRootPin } from '../x509/pins.js';

export const POLICY_FORMAT = 'cerumbra-client-policy-v1';
const NAME_RE = /^[a-z0-9._-]{1,64}$/;
const MEMBERS = new Set(['format', 'strict', 'quote_roots', 'nvidia_roots', 'measurements', 'max_age_ms',
  'max_future_ms', 'require_fwid']);

/** makePolicy returns a complete internal policy with the defaults filled in. */
export function makePolicy(p = {}) {
  return {
    strict: p.strict ?? false,
    quoteRoots: (p.quoteRoots ?? []).map(parseRootPin),
    nvidiaRoots: (p.nvidiaRoots ?? [{ sha256: NVIDIA_DEVICE_ROOT_SHA256 }]).map(parseRootPin),
    measurements: new Map(p.measurements ?? []),
    maxAgeMs: p.maxAgeMs ?? 5 * 60 * 1000,
    maxFutureMs: p.maxFutureMs ?? 60 * 1000,
    requireFwid: p.requireFwid ?? true,
    requireRimAppraisal: p.requireRimAppraisal ?? false,
  };
}

function pinFromJson(v) {
  if (!isObject(v)) throw invalidArgument('a root pin must be an object');
  const keys = Object.keys(v);
  if (keys.length !== 1) throw invalidArgument('a root pin has exactly one of sha256, der');
  if (typeof v.sha256 === 'string') return parseRootPin({ sha256: v.sha256 });
  if (typeof v.der === 'string') return { der: b64decode(v.der) };
  throw invalidArgument('a root pin has exactly one of sha256, der');
}

function hexValue(name, hex) {
  if (!NAME_RE.test(name)) throw invalidArgument(`bad measurement name ${name}`);
  if (typeof hex !== 'string' || !/^([0-9a-fA-F]{2}){1,64}$/.test(hex)) throw invalidArgument(`bad value for ${name}`);
  return fromHex(hex);
}

function positiveInteger(v, name) {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalidArgument(`${name} must be a non-negative integer`);
  return v;
}

// The node's policy format (docs/attestation.md §5), as `cerumbra attest
// --policy-out` writes it and the attestation document carries it.
export const NODE_POLICY_FORMAT = 'cerumbra-policy-v1';
const NODE_MEMBERS = new Set(['format', 'comment', 'accept_simulated', 'quote_roots', 'measurements',
  'max_age_seconds', 'max_future_seconds', 'nvidia']);
const NVIDIA_MEMBERS = new Set(['device_root', 'rim_root', 'rims', 'require_rim_appraisal']);

function fromNodePolicy(v) {
  for (const k of Object.keys(v)) if (!NODE_MEMBERS.has(k)) throw invalidArgument(`unknown policy member ${k}`);
  const p = { strict: true };
  if ('accept_simulated' in v) {
    if (typeof v.accept_simulated !== 'boolean') throw invalidArgument('accept_simulated must be a boolean');
    p.strict = !v.accept_simulated;
  }
  if ('quote_roots' in v) {
    if (!Array.isArray(v.quote_roots)) throw invalidArgument('quote_roots must be an array');
    p.quoteRoots = v.quote_roots.map((der) => {
      if (typeof der !== 'string') throw invalidArgument('a quote root is base64url DER');
      return { der: b64decode(der) };
    });
  }
  if ('measurements' in v) {
    if (!isObject(v.measurements)) throw invalidArgument('measurements must be an object');
    p.measurements = Object.keys(v.measurements).map((name) => {
      const values = v.measurements[name];
      // Fail closed: the page pins one value per name; allow-lists need
      // the C++ verifier for now.
      if (!Array.isArray(values) || values.length !== 1) {
        throw invalidArgument(`measurement ${name}: the page supports exactly one pinned value`);
      }
      return [name, hexValue(name, values[0])];
    });
  }
  if ('max_age_seconds' in v) p.maxAgeMs = 1000 * positiveInteger(v.max_age_seconds, 'max_age_seconds');
  if ('max_future_seconds' in v) p.maxFutureMs = 1000 * positiveInteger(v.max_future_seconds, 'max_future_seconds');
  // C++ default: a GPU must be appraised against RIMs.
  p.requireRimAppraisal = true;
  if ('nvidia' in v) {
    const n = v.nvidia;
    if (!isObject(n)) throw invalidArgument('nvidia must be an object');
    for (const k of Object.keys(n)) if (!NVIDIA_MEMBERS.has(k)) throw invalidArgument(`unknown nvidia member ${k}`);
    if ('device_root' in n) p.nvidiaRoots = [{ der: b64decode(n.device_root) }];
    if ('require_rim_appraisal' in n) {
      if (typeof n.require_rim_appraisal !== 'boolean') throw invalidArgument('require_rim_appraisal must be a boolean');
      p.requireRimAppraisal = n.require_rim_appraisal;
    }
  }
  return makePolicy(p);
}

/** fromJson parses policy file text (strictly; unknown members are errors):
 * the page's own format or the node's cerumbra-policy-v1. */
export function fromJson(text) {
  const v = parse(text);
  if (isObject(v) && v.format === NODE_POLICY_FORMAT) return fromNodePolicy(v);
  if (!isObject(v) || v.format !== POLICY_FORMAT) throw invalidArgument(`policy format must be ${POLICY_FORMAT}`);
  for (const k of Object.keys(v)) if (!MEMBERS.has(k)) throw invalidArgument(`unknown policy member ${k}`);
  const p = {};
  if ('strict' in v) {
    if (typeof v.strict !== 'boolean') throw invalidArgument('strict must be a boolean');
    p.strict = v.strict;
  }
  if ('require_fwid' in v) {
    if (typeof v.require_fwid !== 'boolean') throw invalidArgument('require_fwid must be a boolean');
    p.requireFwid = v.require_fwid;
  }
  for (const [key, field] of [['quote_roots', 'quoteRoots'], ['nvidia_roots', 'nvidiaRoots']]) {
    if (key in v) {
      if (!Array.isArray(v[key])) throw invalidArgument(`${key} must be an array`);
      p[field] = v[key].map(pinFromJson);
    }
  }
  if ('measurements' in v) {
    if (!isObject(v.measurements)) throw invalidArgument('measurements must be an object');
    p.measurements = Object.keys(v.measurements).map((name) => [name, hexValue(name, v.measurements[name])]);
  }
  if ('max_age_ms' in v) p.maxAgeMs = positiveInteger(v.max_age_ms, 'max_age_ms');
  if ('max_future_ms' in v) p.maxFutureMs = positiveInteger(v.max_future_ms, 'max_future_ms');
  return makePolicy(p);
}

/** fromUrl reads the policy parameters of a URLSearchParams (others are ignored). */
export function fromUrl(params) {
  const p = { measurements: [] };
  if (params.has('strict')) p.strict = ['1', 'true', 'yes'].includes(params.get('strict'));
  const roots = params.getAll('root');
  if (roots.length) p.quoteRoots = roots.map((r) => parseRootPin({ sha256: r }));
  for (const [key, value] of params) {
    if (key.startsWith('pin.')) p.measurements.push([key.slice(4), hexValue(key.slice(4), value)]);
  }
  if (params.has('max_age_ms')) p.maxAgeMs = positiveInteger(Number(params.get('max_age_ms')), 'max_age_ms');
  return makePolicy(p);
}

/** describe returns a short public summary for the page. */
export function describe(policy) {
  return {
    strict: policy.strict,
    quoteRoots: policy.quoteRoots.map((r) => (r.sha256 ? `sha256:${r.sha256}` : `der (${r.der.length} bytes)`)),
    measurements: [...policy.measurements.keys()],
    maxAgeMs: policy.maxAgeMs,
  };
}
