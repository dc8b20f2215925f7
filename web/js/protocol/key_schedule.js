// Copyright 2026 The Cerumbra Authors.
//
// key_schedule.js: docs/protocol.md §5 over Web Crypto.
//
// Traffic secrets are HMAC-SHA256 CryptoKeys (not extractable unless a test
// asks), because HKDF-Expand with L <= 32 is HMAC(S, info || 0x01)
// truncated (§1) and Web Crypto offers no Expand-only HKDF. The ECDH shared
// secret is imported as an HKDF key and its bytes are zeroed at once. The
// derived AES key and next secret pass through JavaScript memory only
// between an HMAC and an import, and are zeroed after.

import { concat, utf8, wipe } from './bytes.js';
import { invalidArgument } from './errors.js';
import { SESSION_ID_SIZE } from './wire.js';

const subtle = globalThis.crypto.subtle;

export const TRAFFIC_SECRET_SIZE = 32;
export const TRAFFIC_KEY_SIZE = 32;
export const TRAFFIC_IV_SIZE = 12;

const LABELS = Object.freeze({
  c2s: utf8('cerumbra-v1 c2s'),
  s2c: utf8('cerumbra-v1 s2c'),
  sessionId: utf8('cerumbra-v1 session id'),
  key: utf8('cerumbra-v1 key'),
  iv: utf8('cerumbra-v1 iv'),
  keyUpdate: utf8('cerumbra-v1 key update'),
});

const HMAC = { name: 'HMAC', hash: 'SHA-256', length: 256 };

/**
 * deriveSessionKeys returns {c2s, s2c, sessionId}: the two traffic secrets
 * (HMAC CryptoKeys) and the 16-byte session id = HKDF(salt = transcriptHash,
 * ikm = shared, label, L). ZEROES `shared` (a Uint8Array) before returning.
 * `extractable` is for test vectors only.
 */
export async function deriveSessionKeys(shared, transcriptHash, { extractable = false } = {}) {
  let ikm;
  try {
    ikm = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveBits', 'deriveKey']);
  } finally {
    wipe(shared);
  }
  const params = (info) => ({ name: 'HKDF', hash: 'SHA-256', salt: transcriptHash, info });
  const c2s = await subtle.deriveKey(params(LABELS.c2s), ikm, HMAC, extractable, ['sign']);
  const s2c = await subtle.deriveKey(params(LABELS.s2c), ikm, HMAC, extractable, ['sign']);
  const sessionId = new Uint8Array(await subtle.deriveBits(params(LABELS.sessionId), ikm, SESSION_ID_SIZE * 8));
  return { c2s, s2c, sessionId };
}

/** hkdfExpand returns HKDF-Expand(secret, info, length) for length <= 32 (§1). */
export async function hkdfExpand(secret, info, length) {
  if (length < 1 || length > 32) throw invalidArgument('HKDF-Expand length must be 1..32');
  const t = new Uint8Array(await subtle.sign('HMAC', secret, concat(info, Uint8Array.of(1))));
  const out = t.slice(0, length);
  wipe(t);
  return out;
}

/**
 * deriveTrafficKeys returns {key, iv}: key(S) as a non-extractable
 * AES-256-GCM CryptoKey (extractable only for tests) and iv(S), 12 bytes.
 */
export async function deriveTrafficKeys(secret, { extractable = false } = {}) {
  const raw = await hkdfExpand(secret, LABELS.key, TRAFFIC_KEY_SIZE);
  let key;
  try {
    key = await subtle.importKey('raw', raw, { name: 'AES-GCM' }, extractable, ['encrypt', 'decrypt']);
  } finally {
    wipe(raw);
  }
  const iv = await hkdfExpand(secret, LABELS.iv, TRAFFIC_IV_SIZE);
  return { key, iv };
}

/** nextTrafficSecret returns next(S) (§5, §6.4) as an HMAC CryptoKey. */
export async function nextTrafficSecret(secret, { extractable = false } = {}) {
  const raw = await hkdfExpand(secret, LABELS.keyUpdate, TRAFFIC_SECRET_SIZE);
  try {
    return await subtle.importKey('raw', raw, HMAC, extractable, ['sign']);
  } finally {
    wipe(raw);
  }
}

/** importTrafficSecretForTesting imports 32 raw bytes as a traffic secret. WARNING: tests only. */
export async function importTrafficSecretForTesting(bytes) {
  if (bytes.length !== TRAFFIC_SECRET_SIZE) throw invalidArgument('traffic secret has the wrong size');
  return subtle.importKey('raw', bytes, HMAC, true, ['sign']);
}

/** exportForTesting returns the raw bytes of an extractable key. WARNING: tests only. */
export async function exportForTesting(key) {
  return new Uint8Array(await subtle.exportKey('raw', key));
}

/** fingerprint returns the first 8 bytes of the session id as 16 hex digits (§5). */
export function fingerprint(sessionId) {
  let out = '';
  for (let i = 0; i < 8; ++i) out += sessionId[i].toString(16).padStart(2, '0');
  return out;
}
