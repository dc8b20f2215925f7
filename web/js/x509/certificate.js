// Copyright 2026 The Cerumbra Authors.
//
// certificate.js: X.509 v3 certificates (RFC 5280 §4.1), parsed from DER
// with der.js. Small on purpose: what attestation chains need (names,
// validity, EC public key, extensions, signature algorithm), nothing of a
// TLS stack. parseCertificate throws DerError (invalid_argument) for
// anything malformed: trailing bytes, a version other than v3 with
// extensions, mismatched inner/outer signature algorithms, duplicate
// extensions, keys other than EC P-256/P-384.

import {
  DerError, Tag, children, expect, parseOne, readBitString, readBoolean, readInteger, readOid, readString, readTime,
} from './der.js';

export const Oid = Object.freeze({
  EC_PUBLIC_KEY: '1.2.840.10045.2.1',
  P256: '1.2.840.10045.3.1.7',
  P384: '1.3.132.0.34',
  ECDSA_SHA256: '1.2.840.10045.4.3.2',
  ECDSA_SHA384: '1.2.840.10045.4.3.3',
  BASIC_CONSTRAINTS: '2.5.29.19',
  KEY_USAGE: '2.5.29.15',
  EXT_KEY_USAGE: '2.5.29.37',
  SUBJECT_KEY_ID: '2.5.29.14',
  AUTHORITY_KEY_ID: '2.5.29.35',
  SUBJECT_ALT_NAME: '2.5.29.17',
  CRL_DISTRIBUTION_POINTS: '2.5.29.31',
  AUTHORITY_INFO_ACCESS: '1.3.6.1.5.5.7.1.1',
  CERTIFICATE_POLICIES: '2.5.29.32',
  TCG_DICE_TCB_INFO: '2.23.133.5.4.1',
  TCG_DICE_TCB_INFO_BLACKWELL: '2.23.133.5.4.1.1',
});

/** SIGNATURE_ALGORITHMS maps the supported signature OIDs to their hash. */
export const SIGNATURE_ALGORITHMS = Object.freeze({
  [Oid.ECDSA_SHA256]: { name: 'ecdsa-with-SHA256', hash: 'SHA-256' },
  [Oid.ECDSA_SHA384]: { name: 'ecdsa-with-SHA384', hash: 'SHA-384' },
});

const CURVES = Object.freeze({
  [Oid.P256]: { name: 'P-256', pointSize: 65 },
  [Oid.P384]: { name: 'P-384', pointSize: 97 },
});

const ATTRIBUTE_NAMES = Object.freeze({
  '2.5.4.3': 'CN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.10': 'O', '2.5.4.11': 'OU', '1.2.840.113549.1.9.1': 'emailAddress',
});

/** Extensions whose criticality this code understands (RFC 5280 §4.2). */
export const UNDERSTOOD_EXTENSIONS = new Set([
  Oid.BASIC_CONSTRAINTS, Oid.KEY_USAGE, Oid.EXT_KEY_USAGE, Oid.SUBJECT_KEY_ID, Oid.AUTHORITY_KEY_ID,
  Oid.SUBJECT_ALT_NAME, Oid.TCG_DICE_TCB_INFO, Oid.TCG_DICE_TCB_INFO_BLACKWELL,
]);

function parseAlgorithmIdentifier(element) {
  const parts = children(expect(element, Tag.SEQUENCE, 'AlgorithmIdentifier'));
  if (parts.length < 1 || parts.length > 2) throw new DerError('bad AlgorithmIdentifier');
  return { oid: readOid(parts[0]), parameters: parts[1] || null, der: element.der };
}

function parseName(element) {
  expect(element, Tag.SEQUENCE, 'Name');
  const rdns = [];
  for (const set of children(element)) {
    const attributes = children(expect(set, Tag.SET, 'RDN'));
    if (attributes.length === 0) throw new DerError('empty RDN');
    for (const attribute of attributes) {
      const [type, value, extra] = children(expect(attribute, Tag.SEQUENCE, 'attribute'));
      if (!type || !value || extra) throw new DerError('bad attribute');
      const oid = readOid(type);
      rdns.push({ oid, name: ATTRIBUTE_NAMES[oid] || oid, value: readString(value) });
    }
  }
  return {
    der: element.der,
    attributes: rdns,
    /** text: "CN=..., O=..., C=..." in encoding order, for display. */
    text: rdns.map((a) => `${a.name}=${a.value}`).join(', '),
    commonName: (rdns.find((a) => a.name === 'CN') || {}).value || '',
  };
}

function parseSpki(element) {
  const [algorithm, key, extra] = children(expect(element, Tag.SEQUENCE, 'SubjectPublicKeyInfo'));
  if (!algorithm || !key || extra) throw new DerError('bad SubjectPublicKeyInfo');
  const alg = parseAlgorithmIdentifier(algorithm);
  if (alg.oid !== Oid.EC_PUBLIC_KEY || !alg.parameters) throw new DerError('not an EC public key');
  const curve = CURVES[readOid(alg.parameters)];
  if (!curve) throw new DerError('unsupported curve');
  const bits = readBitString(key);
  if (bits.unused !== 0 || bits.bytes.length !== curve.pointSize || bits.bytes[0] !== 0x04) {
    throw new DerError('bad EC point');
  }
  return { der: element.der, curve: curve.name, point: bits.bytes };
}

function parseExtensions(element) {
  const [sequence, extra] = children(element); // [3] EXPLICIT
  if (!sequence || extra) throw new DerError('bad extensions');
  const list = children(expect(sequence, Tag.SEQUENCE, 'Extensions'));
  if (list.length === 0) throw new DerError('empty extensions');
  const map = new Map();
  for (const ext of list) {
    const parts = children(expect(ext, Tag.SEQUENCE, 'Extension'));
    if (parts.length < 2 || parts.length > 3) throw new DerError('bad Extension');
    const oid = readOid(parts[0]);
    let critical = false;
    if (parts.length === 3) {
      critical = readBoolean(parts[1]);
      if (!critical) throw new DerError('DEFAULT FALSE encoded'); // DER omits defaults
    }
    const value = expect(parts[parts.length - 1], Tag.OCTET_STRING, 'extnValue').value;
    if (map.has(oid)) throw new DerError('duplicate extension');
    map.set(oid, { oid, critical, value });
  }
  return map;
}

function parseBasicConstraints(value) {
  const parts = children(parseOne(value, Tag.SEQUENCE));
  let ca = false;
  let pathLength = null;
  let i = 0;
  if (parts[i] && parts[i].tag === Tag.BOOLEAN) {
    ca = readBoolean(parts[i++]);
    if (!ca) throw new DerError('DEFAULT FALSE encoded');
  }
  if (parts[i] && parts[i].tag === Tag.INTEGER) {
    pathLength = readInteger(parts[i++]);
    if (pathLength < 0n) throw new DerError('negative pathLenConstraint');
  }
  if (i !== parts.length) throw new DerError('bad basicConstraints');
  return { ca, pathLength };
}

function parseKeyUsage(value) {
  const bits = readBitString(parseOne(value, Tag.BIT_STRING));
  const has = (n) => (n >> 3) < bits.bytes.length && (bits.bytes[n >> 3] & (0x80 >> (n & 7))) !== 0;
  return { digitalSignature: has(0), keyCertSign: has(5), cRLSign: has(6) };
}

/**
 * parseCertificate parses one DER certificate (at most 64 KiB) and returns
 * a plain object: {der, tbs, serialNumber (BigInt), signatureAlgorithm
 * {oid, name, hash}, issuer, subject (each {der, text, commonName,
 * attributes}), notBefore, notAfter (ms), publicKey {der, curve, point},
 * extensions (Map oid -> {critical, value}), basicConstraints, keyUsage,
 * signature (DER ECDSA-Sig-Value bytes)}.
 */
export function parseCertificate(der) {
  if (!(der instanceof Uint8Array) || der.length > 65536) throw new DerError('certificate too large');
  const cert = parseOne(der, Tag.SEQUENCE);
  const [tbs, outerAlg, signature, extra] = children(cert);
  if (!tbs || !outerAlg || !signature || extra) throw new DerError('bad Certificate');
  const fields = children(expect(tbs, Tag.SEQUENCE, 'TBSCertificate'));
  let i = 0;
  let version = 1;
  if (fields[i] && fields[i].tag === 0xa0) {
    const [v, more] = children(fields[i++]);
    if (!v || more) throw new DerError('bad version');
    version = Number(readInteger(v)) + 1;
    if (version !== 2 && version !== 3) throw new DerError('bad version'); // v1 is encoded by omission
  }
  const serialNumber = readInteger(expect(fields[i++], Tag.INTEGER, 'serialNumber'));
  const innerAlg = parseAlgorithmIdentifier(fields[i++]);
  const issuer = parseName(fields[i++]);
  const validity = children(expect(fields[i++], Tag.SEQUENCE, 'Validity'));
  if (validity.length !== 2) throw new DerError('bad Validity');
  const notBefore = readTime(validity[0]);
  const notAfter = readTime(validity[1]);
  const subject = parseName(fields[i++]);
  const publicKey = parseSpki(fields[i++]);
  if (fields[i] && fields[i].tag === 0x81) ++i; // issuerUniqueID
  if (fields[i] && fields[i].tag === 0x82) ++i; // subjectUniqueID
  let extensions = new Map();
  if (fields[i] && fields[i].tag === 0xa3) {
    if (version !== 3) throw new DerError('extensions need v3');
    extensions = parseExtensions(fields[i++]);
  }
  if (i !== fields.length) throw new DerError('unexpected TBSCertificate fields');
  const alg = parseAlgorithmIdentifier(outerAlg);
  if (!bytesEqual(alg.der, innerAlg.der)) throw new DerError('signature algorithms differ');
  const known = SIGNATURE_ALGORITHMS[alg.oid];
  if (!known || alg.parameters) throw new DerError('unsupported signature algorithm');
  const sig = readBitString(signature);
  if (sig.unused !== 0) throw new DerError('bad signature bits');
  const bc = extensions.get(Oid.BASIC_CONSTRAINTS);
  const ku = extensions.get(Oid.KEY_USAGE);
  return {
    der,
    tbs: tbs.der,
    version,
    serialNumber,
    signatureAlgorithm: { oid: alg.oid, ...known },
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    extensions,
    basicConstraints: bc ? parseBasicConstraints(bc.value) : null,
    keyUsage: ku ? parseKeyUsage(ku.value) : null,
    signature: sig.bytes,
  };
}

/**
 * validAt: the one validity convention shared with the C++ verifier
 * (OpenSSL's): a certificate is valid at time t iff notBefore <= t <
 * notAfter, at whole-second resolution (t_s = floor(t_ms / 1000)). So
 * notBefore is the first valid second and notAfter the first invalid one.
 */
export function validAt(cert, timeMs) {
  const t = Math.floor(timeMs / 1000);
  return Math.floor(cert.notBefore / 1000) <= t && t < Math.floor(cert.notAfter / 1000);
}

function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; ++k) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * parsePemCertificates returns the DER bytes of every CERTIFICATE block in
 * `pem`, in order (RFC 7468). Other block types, bad base64 or no
 * certificate throw DerError.
 */
export function parsePemCertificates(pem) {
  const out = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  let m;
  while ((m = re.exec(pem)) !== null) {
    if (m[1] !== 'CERTIFICATE') throw new DerError(`unexpected PEM block ${m[1]}`);
    const body = m[2].replace(/[\r\n\t ]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) throw new DerError('bad PEM base64');
    const binary = atob(body);
    const bytes = new Uint8Array(binary.length);
    for (let k = 0; k < binary.length; ++k) bytes[k] = binary.charCodeAt(k);
    out.push(bytes);
  }
  if (out.length === 0) throw new DerError('no certificate in PEM');
  return out;
}
