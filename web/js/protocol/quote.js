// Copyright 2026 The Cerumbra Authors.
//
// quote.js: the attestation quote (docs/protocol.md §4.1), canonical in both
// directions: encodeQuote accepts only quotes with one encoding and
// parseQuote only bytes encodeQuote produces. Also the transcript hash (§5)
// and the GPU nonce (§4.2). Mirrors src/protocol/quote.h.

import { compare, concat, readU64be, u64be, utf8 } from './bytes.js';
import { invalidArgument } from './errors.js';
import { NONCE_SIZE, PROTOCOL_VERSION, PUBLIC_KEY_SIZE } from './wire.js';

const subtle = globalThis.crypto.subtle;

export const QUOTE_MAGIC = Uint8Array.from([0x43, 0x42, 0x51, 0x31]); // "CBQ1"
export const QUOTE_FIXED_SIZE = 227;
export const MAX_MEASUREMENTS = 32;
export const MAX_MEASUREMENT_NAME_SIZE = 64;
export const MAX_MEASUREMENT_VALUE_SIZE = 64;
export const MAX_QUOTE_SIZE = QUOTE_FIXED_SIZE + MAX_MEASUREMENTS * (2 + 64 + 64);
export const DIGEST_SIZE = 48;

/** EvidenceType (§4.2). */
export const EvidenceType = Object.freeze({ SIMULATED: 1, NVIDIA_GPU: 2 });
export const EVIDENCE_TYPE_NAMES = Object.freeze({ 1: 'simulated', 2: 'nvidia-gpu' });

const NAME_RE = /^[a-z0-9._-]{1,64}$/;

function isValidEvidenceType(v) {
  return v === EvidenceType.SIMULATED || v === EvidenceType.NVIDIA_GPU;
}

function validateMeasurements(measurements) {
  if (!Array.isArray(measurements) || measurements.length < 1 || measurements.length > MAX_MEASUREMENTS) {
    throw invalidArgument('quote measurement count out of range');
  }
  let previous = null;
  for (const m of measurements) {
    if (typeof m.name !== 'string' || !NAME_RE.test(m.name)) {
      throw invalidArgument('bad quote measurement name');
    }
    if (!(m.value instanceof Uint8Array) || m.value.length < 1 || m.value.length > MAX_MEASUREMENT_VALUE_SIZE) {
      throw invalidArgument('bad quote measurement value size');
    }
    const name = utf8(m.name);
    if (previous !== null && !(compare(previous, name) < 0)) {
      throw invalidArgument('quote measurements unsorted or duplicate');
    }
    previous = name;
  }
}

/**
 * encodeQuote returns the canonical bytes of a quote object
 * {evidenceType, timestampMs (BigInt or number), clientNonce (32),
 * clientPublicKey (65), nodePublicKey (65), evidenceDigest (48),
 * measurements [{name, value}]}. Throws invalid_argument when it has no
 * canonical encoding.
 */
export function encodeQuote(q) {
  if (!isValidEvidenceType(q.evidenceType)) throw invalidArgument('unknown evidence type');
  validateMeasurements(q.measurements);
  if (q.clientNonce.length !== NONCE_SIZE || q.clientPublicKey.length !== PUBLIC_KEY_SIZE ||
      q.nodePublicKey.length !== PUBLIC_KEY_SIZE || q.evidenceDigest.length !== DIGEST_SIZE) {
    throw invalidArgument('bad quote field size');
  }
  const parts = [
    QUOTE_MAGIC,
    Uint8Array.of(0, PROTOCOL_VERSION, q.evidenceType, 0),
    u64be(q.timestampMs),
    q.clientNonce, q.clientPublicKey, q.nodePublicKey, q.evidenceDigest,
    Uint8Array.of(q.measurements.length),
  ];
  for (const m of q.measurements) {
    const name = utf8(m.name);
    parts.push(Uint8Array.of(name.length), name, Uint8Array.of(m.value.length), m.value);
  }
  return concat(...parts);
}

/**
 * parseQuote decodes canonical quote bytes or throws invalid_argument (bad
 * magic, version other than 1, unknown evidence type, non-zero reserved
 * byte, counts or lengths out of range, bad name characters, unsorted or
 * duplicate names, truncation, trailing bytes). timestampMs is a BigInt.
 */
export function parseQuote(bytes) {
  const malformed = () => invalidArgument('malformed quote');
  if (!(bytes instanceof Uint8Array) || bytes.length < QUOTE_FIXED_SIZE || bytes.length > MAX_QUOTE_SIZE) {
    throw malformed();
  }
  for (let i = 0; i < 4; ++i) if (bytes[i] !== QUOTE_MAGIC[i]) throw malformed();
  if (((bytes[4] << 8) | bytes[5]) !== PROTOCOL_VERSION) throw malformed();
  const evidenceType = bytes[6];
  if (!isValidEvidenceType(evidenceType) || bytes[7] !== 0) throw malformed();
  const q = {
    evidenceType,
    timestampMs: readU64be(bytes, 8),
    clientNonce: bytes.slice(16, 48),
    clientPublicKey: bytes.slice(48, 113),
    nodePublicKey: bytes.slice(113, 178),
    evidenceDigest: bytes.slice(178, 226),
    measurements: [],
  };
  const count = bytes[226];
  if (count < 1 || count > MAX_MEASUREMENTS) throw malformed();
  let o = QUOTE_FIXED_SIZE;
  for (let k = 0; k < count; ++k) {
    if (o >= bytes.length) throw malformed();
    const nameLength = bytes[o++];
    if (o + nameLength > bytes.length) throw malformed();
    const nameBytes = bytes.subarray(o, o + nameLength);
    o += nameLength;
    if (o >= bytes.length) throw malformed();
    const valueLength = bytes[o++];
    if (o + valueLength > bytes.length) throw malformed();
    const value = bytes.slice(o, o + valueLength);
    o += valueLength;
    // Names must be ASCII [a-z0-9._-]; decode byte by byte (no UTF-8 surprises).
    let name = '';
    for (const b of nameBytes) name += String.fromCharCode(b);
    q.measurements.push({ name, value });
  }
  if (o !== bytes.length) throw malformed();
  try {
    validateMeasurements(q.measurements);
  } catch {
    throw malformed();
  }
  return q;
}

/** transcriptHash returns SHA-256("cerumbra-v1 transcript" || 0x00 || quote) (§5). */
export async function transcriptHash(quoteBytes) {
  const data = concat(utf8('cerumbra-v1 transcript'), Uint8Array.of(0), quoteBytes);
  return new Uint8Array(await subtle.digest('SHA-256', data));
}

/** gpuNonce returns SHA-256(label || client nonce || client key || node key) (§4.2). */
export async function gpuNonce(clientNonce, clientPublicKey, nodePublicKey) {
  const data = concat(utf8('cerumbra-v1 nvidia-gpu nonce'), clientNonce, clientPublicKey, nodePublicKey);
  return new Uint8Array(await subtle.digest('SHA-256', data));
}

/** sha384 returns SHA-384(bytes). */
export async function sha384(bytes) {
  return new Uint8Array(await subtle.digest('SHA-384', bytes));
}
