// Copyright 2026 The Cerumbra Authors.
//
// policy.js: the client's attestation policy, and the ONE place that knows
// its external schemas (a policy JSON file the user loads, and URL
// parameters). ASSUMPTION: the attestation engineer has not published the
// policy format yet; this is the format the page accepts until then
// (docs/web-client.md). Change `fromJson` and `fromUrl` only.
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

/** fromJson parses policy file text (strictly; unknown members are errors). */
export function fromJson(text) {
  const v = parse(text);
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
