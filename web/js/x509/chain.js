// Copyright 2026 The Cerumbra Authors.
//
// chain.js: certificate chain verification against pinned roots at an
// explicit time, with Web Crypto (ECDSA P-256/SHA-256, P-384/SHA-384).
//
// verifyChain(chain, {roots, timeMs}) checks, for a chain leaf first:
//  - every certificate parses (certificate.js) and is valid at `timeMs`
//    (never the clock: the caller passes the time): notBefore <= t <
//    notAfter in whole seconds, as OpenSSL and the C++ verifier
//    (certificate.js validAt);
//  - each certificate's issuer name equals the next one's subject name,
//    byte for byte, and its signature verifies with the next one's key,
//    with the hash its signature algorithm names and the curve of that key
//    (only P-256/SHA-256 and P-384/SHA-384);
//  - every issuer is a CA (basicConstraints cA), allows keyCertSign when
//    it has keyUsage, and its pathLenConstraint holds;
//  - no certificate has a critical extension this code does not know;
//  - the path ends in a self-signed root that is pinned: by exact DER
//    (`{der}`) or by the SHA-256 of its DER (`{sha256}` hex). The chain may
//    include the root as its last element or omit it (then the pin must
//    carry its DER). The root in the chain is never trusted for itself.
// Returns {certificates (parsed, leaf..root), subjects}. Empty input or more
// than 8 certificates is invalid_argument; every verification failure is
// ChainError (code unauthenticated) with a `.reason` for the page.

import { bytesEqual, parseRootPin } from './pins.js';
import { CerumbraError, Code, invalidArgument } from '../protocol/errors.js';
import { toHex } from '../protocol/bytes.js';
import { UNDERSTOOD_EXTENSIONS, parseCertificate, validAt } from './certificate.js';
import { CURVE_PARAMS, derToP1363, importVerifyKey, verifyP1363 } from './ecdsa.js';

export const MAX_CHAIN_LENGTH = 8;

export class ChainError extends CerumbraError {
  constructor(reason) {
    super(Code.UNAUTHENTICATED, `certificate chain: ${reason}`);
    this.name = 'ChainError';
    this.reason = reason;
  }
}

/** sha256Hex returns the hex SHA-256 of bytes. */
export async function sha256Hex(bytes) {
  return toHex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes)));
}

/**
 * verifySignedBy returns true when `cert` is signed by `issuer`'s key with
 * a supported curve/hash pair.
 */
export async function verifySignedBy(cert, issuer) {
  const curve = issuer.publicKey.curve;
  if (CURVE_PARAMS[curve].hash !== cert.signatureAlgorithm.hash) return false;
  let signature;
  try {
    signature = derToP1363(cert.signature, curve);
  } catch {
    return false;
  }
  const key = await importVerifyKey(issuer.publicKey);
  return verifyP1363(key, curve, signature, cert.tbs, cert.signatureAlgorithm.hash);
}

async function matchPin(der, pins) {
  const fingerprint = await sha256Hex(der);
  return pins.some((p) => (p.der ? bytesEqual(p.der, der) : p.sha256 === fingerprint));
}

export async function verifyChain(chain, { roots, timeMs }) {
  if (!Array.isArray(chain) || chain.length === 0 || chain.length > MAX_CHAIN_LENGTH) {
    throw invalidArgument('chain must hold 1..8 certificates');
  }
  if (!Array.isArray(roots) || roots.length === 0) throw invalidArgument('no pinned roots');
  if (!Number.isFinite(timeMs)) throw invalidArgument('verification time required');
  const pins = roots.map(parseRootPin);

  const certs = [];
  for (let i = 0; i < chain.length; ++i) {
    try {
      certs.push(parseCertificate(chain[i]));
    } catch {
      throw new ChainError(`certificate ${i} is malformed`);
    }
  }
  // The root: the chain's last certificate if it is pinned, else a pinned
  // root (with DER) whose subject is the last certificate's issuer.
  const last = certs[certs.length - 1];
  let path = certs;
  if (!(await matchPin(last.der, pins))) {
    const issuerPin = pins.find((p) => p.der && bytesEqual(parseCertificate(p.der).subject.der, last.issuer.der));
    if (!issuerPin || bytesEqual(last.issuer.der, last.subject.der)) {
      throw new ChainError('the chain does not end in a pinned root');
    }
    path = certs.concat([parseCertificate(issuerPin.der)]);
  }
  if (path.length > MAX_CHAIN_LENGTH) throw invalidArgument('chain too long');
  const root = path[path.length - 1];

  for (let i = 0; i < path.length; ++i) {
    const cert = path[i];
    const label = `certificate ${i} (${cert.subject.text})`;
    if (!validAt(cert, timeMs)) throw new ChainError(`${label} is not valid at the verification time`);
    for (const ext of cert.extensions.values()) {
      if (ext.critical && !UNDERSTOOD_EXTENSIONS.has(ext.oid)) throw new ChainError(`${label} has an unknown critical extension ${ext.oid}`);
    }
    const issuer = i + 1 < path.length ? path[i + 1] : root;
    if (!bytesEqual(cert.issuer.der, issuer.subject.der)) throw new ChainError(`${label}: issuer name does not match the next subject`);
    if (i > 0) {
      // cert issues path[i - 1]: it must be a CA allowed to sign certificates.
      if (!cert.basicConstraints || !cert.basicConstraints.ca) throw new ChainError(`${label} is not a CA`);
      if (cert.keyUsage && !cert.keyUsage.keyCertSign) throw new ChainError(`${label} may not sign certificates`);
      const below = BigInt(i - 1); // intermediate CAs between it and the leaf
      if (cert.basicConstraints.pathLength !== null && below > cert.basicConstraints.pathLength) {
        throw new ChainError(`${label}: path length constraint exceeded`);
      }
    }
    if (!(await verifySignedBy(cert, issuer))) throw new ChainError(`${label}: signature does not verify`);
  }
  return { certificates: path, subjects: path.map((c) => c.subject.text) };
}
