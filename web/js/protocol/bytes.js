// Copyright 2026 The Cerumbra Authors.
//
// bytes.js: small helpers over Uint8Array. Pure functions; none keeps a
// reference to its arguments.

import { invalidArgument } from './errors.js';

const encoder = new TextEncoder();

/** utf8 returns the UTF-8 bytes of a string. */
export function utf8(text) {
  return encoder.encode(text);
}

/**
 * utf8Decode decodes strict UTF-8 (invalid sequences throw
 * invalid_argument, never U+FFFD).
 */
export function utf8Decode(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalidArgument('invalid UTF-8');
  }
}

/** concat returns the concatenation of byte arrays. */
export function concat(...parts) {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * constantTimeEqual compares two byte arrays without an early exit on the
 * first differing byte (lengths are public). JavaScript gives no hard
 * guarantee, but the loop touches every byte whatever the contents.
 */
export function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; ++i) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** equal is a plain comparison for public data. */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return false;
  return true;
}

/** compare returns <0, 0 or >0 (bytewise, shorter first on a tie). */
export function compare(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ++i) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** toHex returns lower-case hex. */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** fromHex decodes hex (either case, even length) or throws. */
export function fromHex(text) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw invalidArgument('not hex');
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; ++i) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}

/** u64be returns a BigInt (0..2^64-1) as 8 big-endian bytes. */
export function u64be(value) {
  const out = new Uint8Array(8);
  let v = BigInt(value);
  for (let i = 7; i >= 0; --i) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** readU64be reads 8 big-endian bytes at `offset` as a BigInt. */
export function readU64be(bytes, offset) {
  let v = 0n;
  for (let i = 0; i < 8; ++i) v = (v << 8n) | BigInt(bytes[offset + i]);
  return v;
}

/** bigintFromBytes reads an unsigned big-endian integer. */
export function bigintFromBytes(bytes) {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** wipe overwrites a byte array with zeros (best effort in JavaScript). */
export function wipe(bytes) {
  if (bytes) bytes.fill(0);
}

/** toBytes accepts a Uint8Array, ArrayBuffer or DataView and returns a Uint8Array view. */
export function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw invalidArgument('expected bytes');
}
