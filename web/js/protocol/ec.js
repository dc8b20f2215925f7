// Copyright 2026 The Cerumbra Authors.
//
// ec.js: P-256 keys for ECDH (docs/protocol.md §1) over Web Crypto.
//
// validatePoint checks an uncompressed point explicitly (length 65, prefix
// 0x04, coordinates < p, on the curve y^2 = x^3 - 3x + b) before Web Crypto
// sees it, so the check does not depend on the browser's import rules. The
// point at infinity has no 65-byte encoding. Production key pairs are
// generated non-extractable; importing a private key is for test vectors.

import { decode as base64UrlDecode } from './base64url.js';
import { bigintFromBytes, concat, toBytes } from './bytes.js';
import { invalidArgument, rejected } from './errors.js';
import { PUBLIC_KEY_SIZE } from './wire.js';

const subtle = globalThis.crypto.subtle;
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' };

/** isValidPoint is true for a valid uncompressed P-256 point (public data). */
export function isValidPoint(point) {
  if (!(point instanceof Uint8Array) || point.length !== PUBLIC_KEY_SIZE || point[0] !== 0x04) {
    return false;
  }
  const x = bigintFromBytes(point.subarray(1, 33));
  const y = bigintFromBytes(point.subarray(33, 65));
  if (x >= P || y >= P) return false;
  const lhs = (y * y) % P;
  const rhs = (((x * x % P) * x - 3n * x + B) % P + P) % P;
  return lhs === rhs;
}

/**
 * importPeerKey returns an ECDH CryptoKey for a peer's point, or throws the
 * opaque error for an invalid point.
 */
export async function importPeerKey(point) {
  if (!isValidPoint(point)) throw rejected();
  try {
    return await subtle.importKey('raw', point, ECDH, true, []);
  } catch {
    throw rejected();
  }
}

/**
 * generateKeyPair returns {privateKey, publicKey, point}: a fresh ephemeral
 * ECDH P-256 pair whose private key is NOT extractable, and its 65-byte
 * uncompressed public point.
 */
export async function generateKeyPair() {
  const pair = await subtle.generateKey(ECDH, false, ['deriveBits']);
  const point = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, point };
}

// PKCS#8 prefix of an ECPrivateKey for P-256 without the public key (RFC 5915).
const PKCS8_P256_PREFIX = Uint8Array.from([
  0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
  0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25,
  0x02, 0x01, 0x01, 0x04, 0x20,
]);

/**
 * importPrivateScalarForTesting returns {privateKey, point} for a 32-byte
 * scalar. WARNING: test vectors only; a reused key breaks forward secrecy.
 * `algorithm` is ECDH (default) or {name:'ECDSA', namedCurve:'P-256'}.
 */
export async function importPrivateScalarForTesting(scalar, algorithm = ECDH) {
  const d = toBytes(scalar);
  if (d.length !== 32) throw invalidArgument('P-256 scalar must be 32 bytes');
  const usages = algorithm.name === 'ECDSA' ? ['sign'] : ['deriveBits'];
  const extractable = await subtle.importKey('pkcs8', concat(PKCS8_P256_PREFIX, d), algorithm, true, usages);
  const jwk = await subtle.exportKey('jwk', extractable);
  const point = concat(Uint8Array.of(4), base64UrlDecode(jwk.x), base64UrlDecode(jwk.y));
  const privateKey = await subtle.importKey('pkcs8', concat(PKCS8_P256_PREFIX, d), algorithm, false, usages);
  return { privateKey, point };
}

/** sharedSecret returns ECDH(priv, pub): the 32-byte x-coordinate (§1). */
export async function sharedSecret(privateKey, peerPublicKey) {
  return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: peerPublicKey }, privateKey, 256));
}
