// Copyright 2026 The Cerumbra Authors.
//
// ecdsa.js: ECDSA verification with Web Crypto for P-256/SHA-256 and
// P-384/SHA-384 only, and the strict DER -> IEEE P1363 signature
// conversion Web Crypto needs (X.509 signatures are DER ECDSA-Sig-Value,
// Web Crypto takes r || s).

import { CerumbraError, Code } from '../protocol/errors.js';
import { Tag, children, parseOne, readInteger } from './der.js';

const subtle = globalThis.crypto.subtle;

export const CURVE_PARAMS = Object.freeze({
  'P-256': { size: 32, hash: 'SHA-256', n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n },
  'P-384': {
    size: 48,
    hash: 'SHA-384',
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
});

function bad(message) {
  return new CerumbraError(Code.INVALID_ARGUMENT, message);
}

/**
 * derToP1363 converts a DER ECDSA-Sig-Value for `curve` to r || s. Throws
 * invalid_argument unless it is exactly SEQUENCE { INTEGER r, INTEGER s }
 * with minimal encodings and 1 <= r, s < n.
 */
export function derToP1363(der, curve) {
  const params = CURVE_PARAMS[curve];
  if (!params) throw bad('unsupported curve');
  let parts;
  try {
    parts = children(parseOne(der, Tag.SEQUENCE));
  } catch {
    throw bad('malformed ECDSA signature');
  }
  if (parts.length !== 2 || parts[0].tag !== Tag.INTEGER || parts[1].tag !== Tag.INTEGER) {
    throw bad('malformed ECDSA signature');
  }
  const out = new Uint8Array(2 * params.size);
  [0, 1].forEach((k) => {
    let v;
    try {
      v = readInteger(parts[k]);
    } catch {
      throw bad('malformed ECDSA signature');
    }
    if (v < 1n || v >= params.n) throw bad('ECDSA signature out of range');
    for (let i = params.size - 1; i >= 0; --i) {
      out[k * params.size + i] = Number(v & 0xffn);
      v >>= 8n;
    }
  });
  return out;
}

/**
 * importVerifyKey imports an EC public key from SPKI DER ({der, curve}
 * as certificate.js returns) for ECDSA verification.
 */
export async function importVerifyKey(publicKey) {
  try {
    return await subtle.importKey('spki', publicKey.der, { name: 'ECDSA', namedCurve: publicKey.curve }, false, ['verify']);
  } catch {
    throw bad('public key rejected');
  }
}

/**
 * verifyP1363 returns true when `signature` (r || s) verifies over `data`
 * with `key` (a CryptoKey of `curve`) and the curve's hash. Signatures of
 * the wrong size return false.
 */
export async function verifyP1363(key, curve, signature, data, hash = CURVE_PARAMS[curve].hash) {
  const params = CURVE_PARAMS[curve];
  if (!params || hash !== params.hash || signature.length !== 2 * params.size) return false;
  try {
    return await subtle.verify({ name: 'ECDSA', hash }, key, signature, data);
  } catch {
    return false;
  }
}
