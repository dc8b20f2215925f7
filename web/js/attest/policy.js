// Copyright 2026 The Cerumbra Authors.
//
// policy.js: the client's attestation policy, and the ONE place that knows
// its external schemas (a policy JSON file the user loads, and URL
// parameters). It reads the node's `cerumbra-policy-v1` (docs/attestation.md
// §5; allow-lists and RIM appraisal fail closed, they need the C++
// verifier) and the page's own format below. Change `fromJson` and
// `fromUrl` only.
//
// Strict is the default everywhere: a quote whose key is not protected by
// hardware (today: every quote; simulated evidence, or NVIDIA GPU evidence
// without CPU-TEE evidence) is refused unless the policy accepts that
// named lack explicitly.
//
// Policy JSON (every member optional except "format"):
//   {"format": "cerumbra-client-policy-v1",
//    "strict": true,                        // false: accept simulated evidence
//    "accept_gpu_only_evidence": false,     // accept NVIDIA GPU evidence
//                                           // without CPU-TEE evidence
//    "quote_roots": [{"sha256": "<hex>"} | {"der": "<base64url DER>"}],
//    "nvidia_roots": [...same...],          // default: NVIDIA Device Identity CA
//    "measurements": {"<name>": "<hex>"},   // pinned quote measurements
//    "max_age_ms": 300000, "max_future_ms": 60000,
//    "require_fwid": true}
// "strict": true together with "accept_gpu_only_evidence": true is an
// error (strict refuses both).
// URL parameters (the page applies them only for a same-origin node):
//   ?accept_simulated=1 (or the older strict=0; strict=1 is the default)
//   &root=<sha256 hex> (repeatable)  &pin.<name>=<hex> (repeatable, e.g.
//   pin.web=...)  &max_age_ms=<n>. GPU-only evidence cannot be accepted
//   from a URL: that needs a policy file.
//
// The internal form (makePolicy) is a plain object:
//   {acceptSimulated, acceptGpuOnlyEvidence, quoteRoots: [pin],
//    nvidiaRoots: [pin], measurements: Map name -> Uint8Array, maxAgeMs,
//    maxFutureMs, requireFwid, requireRimAppraisal}.

import { decode as b64decode } from '../protocol/base64url.js';
import { fromHex } from '../protocol/bytes.js';
import { invalidArgument } from '../protocol/errors.js';
import { isObject, parse } from '../protocol/json.js';
import { NVIDIA_DEVICE_ROOT_SHA256, parseRootPin } from '../x509/pins.js';

export const POLICY_FORMAT = 'cerumbra-client-policy-v1';
const NAME_RE = /^[a-z0-9._-]{1,64}$/;
const MEMBERS = new Set(['format', 'strict', 'accept_gpu_only_evidence', 'quote_roots', 'nvidia_roots',
  'measurements', 'max_age_ms', 'max_future_ms', 'require_fwid']);

/**
 * makePolicy returns a complete internal policy with the defaults filled
 * in: strict (acceptSimulated and acceptGpuOnlyEvidence false), nothing
 * pinned but the NVIDIA Device Identity CA.
 */
export function makePolicy(p = {}) {
  if ('strict' in p) throw invalidArgument('makePolicy takes acceptSimulated / acceptGpuOnlyEvidence, not strict');
  return {
    acceptSimulated: p.acceptSimulated ?? false,
    acceptGpuOnlyEvidence: p.acceptGpuOnlyEvidence ?? false,
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

function boolean(v, name) {
  if (typeof v !== 'boolean') throw invalidArgument(`${name} must be a boolean`);
  return v;
}

function positiveInteger(v, name) {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalidArgument(`${name} must be a non-negative integer`);
  return v;
}

// The node's policy format (docs/attestation.md §5), as `cerumbra attest
// --policy-out` writes it and the attestation document carries it.
export const NODE_POLICY_FORMAT = 'cerumbra-policy-v1';
const NODE_MEMBERS = new Set(['format', 'comment', 'accept_simulated', 'accept_gpu_only_evidence', 'quote_roots',
  'measurements', 'max_age_seconds', 'max_future_seconds', 'nvidia']);
const NVIDIA_MEMBERS = new Set(['device_root', 'rim_root', 'rims', 'require_rim_appraisal']);

function fromNodePolicy(v) {
  for (const k of Object.keys(v)) if (!NODE_MEMBERS.has(k)) throw invalidArgument(`unknown policy member ${k}`);
  const p = {};
  if ('accept_simulated' in v) p.acceptSimulated = boolean(v.accept_simulated, 'accept_simulated');
  if ('accept_gpu_only_evidence' in v) p.acceptGpuOnlyEvidence = boolean(v.accept_gpu_only_evidence, 'accept_gpu_only_evidence');
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
  // strict (default true): false accepts simulated evidence, never GPU-only.
  if ('strict' in v) p.acceptSimulated = !boolean(v.strict, 'strict');
  if ('accept_gpu_only_evidence' in v) {
    p.acceptGpuOnlyEvidence = boolean(v.accept_gpu_only_evidence, 'accept_gpu_only_evidence');
    if (p.acceptGpuOnlyEvidence && v.strict === true) {
      throw invalidArgument('strict refuses GPU-only evidence: drop "strict" or accept_gpu_only_evidence');
    }
  }
  if ('require_fwid' in v) p.requireFwid = boolean(v.require_fwid, 'require_fwid');
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

const TRUE_WORDS = ['1', 'true', 'yes'];
const FALSE_WORDS = ['0', 'false', 'no'];

function urlFlag(params, name) {
  if (!params.has(name)) return null;
  const v = params.get(name);
  if (TRUE_WORDS.includes(v)) return true;
  if (FALSE_WORDS.includes(v)) return false;
  throw invalidArgument(`${name} must be 1 or 0`);
}

/**
 * URL_POLICY_PARAMS: the parameters fromUrl reads (trust anchors and
 * flags); `pin.<name>` is matched by prefix. The page drops them for a
 * node of another origin.
 */
export const URL_POLICY_PARAMS = Object.freeze(['strict', 'accept_simulated', 'root', 'max_age_ms']);

/** hasUrlPolicy is true when `params` carries any policy parameter. */
export function hasUrlPolicy(params) {
  for (const [key] of params) if (URL_POLICY_PARAMS.includes(key) || key.startsWith('pin.')) return true;
  return false;
}

/** fromUrl reads the policy parameters of a URLSearchParams (others are ignored). */
export function fromUrl(params) {
  const p = { measurements: [] };
  const strict = urlFlag(params, 'strict');
  const acceptSimulated = urlFlag(params, 'accept_simulated');
  if (strict === true && acceptSimulated === true) throw invalidArgument('strict=1 and accept_simulated=1 contradict');
  if (acceptSimulated !== null) p.acceptSimulated = acceptSimulated;
  else if (strict !== null) p.acceptSimulated = !strict;
  const roots = params.getAll('root');
  if (roots.length) p.quoteRoots = roots.map((r) => parseRootPin({ sha256: r }));
  for (const [key, value] of params) {
    if (key.startsWith('pin.')) p.measurements.push([key.slice(4), hexValue(key.slice(4), value)]);
  }
  if (params.has('max_age_ms')) p.maxAgeMs = positiveInteger(Number(params.get('max_age_ms')), 'max_age_ms');
  return makePolicy(p);
}

/** isStrict: the policy refuses every quote whose key is not hardware-protected. */
export function isStrict(policy) {
  return !policy.acceptSimulated && !policy.acceptGpuOnlyEvidence;
}

/** describe returns a short public summary for the page. */
export function describe(policy) {
  return {
    strict: isStrict(policy),
    acceptSimulated: policy.acceptSimulated,
    acceptGpuOnlyEvidence: policy.acceptGpuOnlyEvidence,
    quoteRoots: policy.quoteRoots.map((r) => (r.sha256 ? `sha256:${r.sha256}` : `der (${r.der.length} bytes)`)),
    measurements: [...policy.measurements.keys()],
    maxAgeMs: policy.maxAgeMs,
  };
}
