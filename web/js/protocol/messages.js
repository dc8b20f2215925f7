// Copyright 2026 The Cerumbra Authors.
//
// messages.js: the handshake messages (docs/protocol.md §3) with canonical
// serialization and strict parsing, mirroring
// src/protocol/handshake_messages.h. Parsers accept any member order and
// JSON whitespace but nothing else: the exact member set, unique names, the
// JSON types of §3, `version` a JSON integer, canonical unpadded base64url of
// the sizes of §3, and text no longer than the limit (UTF-8 bytes).
//
// Errors: invalid_argument for every malformed message, except
// parseAttestRequest's failed_precondition for another integer version
// (so a node can answer unsupported_version).

import { decode as b64decode, encode as b64encode } from './base64url.js';
import { utf8 } from './bytes.js';
import { failedPrecondition, invalidArgument } from './errors.js';
import { isJsonInteger, isObject, parse } from './json.js';
import { MAX_QUOTE_SIZE } from './quote.js';
import {
  MAX_ATTEST_REQUEST_SIZE, MAX_ATTEST_RESPONSE_SIZE, MAX_CERTIFICATE_CHAIN_LENGTH,
  NONCE_SIZE, PROTOCOL_VERSION, PUBLIC_KEY_SIZE, SIGNATURE_SIZE,
} from './wire.js';

const malformed = () => invalidArgument('malformed handshake message');

/** textSize returns the UTF-8 size of a string. */
export function textSize(text) {
  return utf8(text).length;
}

function parseObjectLimited(text, maxSize) {
  if (typeof text !== 'string' || textSize(text) > maxSize) throw invalidArgument('handshake message too large');
  let value;
  try {
    value = parse(text);
  } catch {
    throw malformed();
  }
  if (!isObject(value)) throw malformed();
  return value;
}

function hasExactMembers(object, names) {
  const keys = Object.keys(object);
  return keys.length === names.length && names.every((n) => Object.prototype.hasOwnProperty.call(object, n));
}

function decodeBytes(object, name, min, max) {
  const text = object[name];
  if (typeof text !== 'string') throw malformed();
  let bytes;
  try {
    bytes = b64decode(text);
  } catch {
    throw malformed();
  }
  if (bytes.length < min || bytes.length > max) throw malformed();
  return bytes;
}

function isVersion1(object) {
  return object.version === PROTOCOL_VERSION; // parse() gives integers as numbers, decimals as objects
}

/** peekMessageType returns 'attest_request' | 'attest_response' | 'error' or throws. */
export function peekMessageType(text) {
  const object = parseObjectLimited(text, MAX_ATTEST_RESPONSE_SIZE);
  const type = object.type;
  if (type === 'attest_request' || type === 'attest_response' || type === 'error') return type;
  throw malformed();
}

/** serializeAttestRequest returns the canonical text of {nonce, clientPublicKey}. */
export function serializeAttestRequest({ nonce, clientPublicKey }) {
  if (nonce.length !== NONCE_SIZE || clientPublicKey.length !== PUBLIC_KEY_SIZE) throw invalidArgument('bad request field');
  return `{"type":"attest_request","version":${PROTOCOL_VERSION},"nonce":"${b64encode(nonce)}",` +
    `"client_public_key":"${b64encode(clientPublicKey)}"}`;
}

/** parseAttestRequest returns {nonce, clientPublicKey} (the key checked for size only). */
export function parseAttestRequest(text, maxSize = MAX_ATTEST_REQUEST_SIZE) {
  const object = parseObjectLimited(text, maxSize);
  if (object.type !== 'attest_request') throw malformed();
  if (!isJsonInteger(object.version)) throw malformed();
  if (!isVersion1(object)) throw failedPrecondition('unsupported protocol version');
  if (!hasExactMembers(object, ['type', 'version', 'nonce', 'client_public_key'])) throw malformed();
  return {
    nonce: decodeBytes(object, 'nonce', NONCE_SIZE, NONCE_SIZE),
    clientPublicKey: decodeBytes(object, 'client_public_key', PUBLIC_KEY_SIZE, PUBLIC_KEY_SIZE),
  };
}

function validateResponseFields(r) {
  if (r.quote.length < 1 || r.quote.length > MAX_QUOTE_SIZE || r.signature.length !== SIGNATURE_SIZE ||
      r.certificateChain.length < 1 || r.certificateChain.length > MAX_CERTIFICATE_CHAIN_LENGTH ||
      r.certificateChain.some((c) => c.length === 0)) {
    throw malformed();
  }
}

/** serializeAttestResponse returns the canonical text of {quote, signature, certificateChain, evidence}. */
export function serializeAttestResponse(r) {
  validateResponseFields(r);
  return `{"type":"attest_response","version":${PROTOCOL_VERSION},"quote":"${b64encode(r.quote)}",` +
    `"signature":"${b64encode(r.signature)}","certificate_chain":[` +
    r.certificateChain.map((c) => `"${b64encode(c)}"`).join(',') +
    `],"evidence":"${b64encode(r.evidence)}"}`;
}

/**
 * parseAttestResponse returns {quote, signature, certificateChain, evidence}
 * or throws invalid_argument (a version other than 1 included).
 */
export function parseAttestResponse(text, maxSize = MAX_ATTEST_RESPONSE_SIZE) {
  const object = parseObjectLimited(text, maxSize);
  if (object.type !== 'attest_response' ||
      !hasExactMembers(object, ['type', 'version', 'quote', 'signature', 'certificate_chain', 'evidence'])) {
    throw malformed();
  }
  if (!isVersion1(object)) throw malformed();
  const r = {
    quote: decodeBytes(object, 'quote', 1, MAX_QUOTE_SIZE),
    signature: decodeBytes(object, 'signature', SIGNATURE_SIZE, SIGNATURE_SIZE),
    evidence: decodeBytes(object, 'evidence', 0, maxSize),
    certificateChain: [],
  };
  const chain = object.certificate_chain;
  if (!Array.isArray(chain)) throw malformed();
  for (const element of chain) {
    if (typeof element !== 'string') throw malformed();
    try {
      r.certificateChain.push(b64decode(element));
    } catch {
      throw malformed();
    }
  }
  validateResponseFields(r);
  return r;
}

/** serializeErrorMessage returns the canonical error text for 'session_failed' or 'unsupported_version'. */
export function serializeErrorMessage(code) {
  if (code === 'session_failed') return '{"type":"error","error":"session_failed"}';
  if (code === 'unsupported_version') {
    return `{"type":"error","error":"unsupported_version","supported_versions":[${PROTOCOL_VERSION}]}`;
  }
  throw invalidArgument('unknown error code');
}

/** parseErrorMessage returns {code, supportedVersions} or throws invalid_argument. */
export function parseErrorMessage(text, maxSize = MAX_ATTEST_RESPONSE_SIZE) {
  const object = parseObjectLimited(text, maxSize);
  if (object.type !== 'error' || typeof object.error !== 'string') throw malformed();
  if (object.error === 'session_failed') {
    if (!hasExactMembers(object, ['type', 'error'])) throw malformed();
    return { code: 'session_failed', supportedVersions: [] };
  }
  if (object.error !== 'unsupported_version' || !hasExactMembers(object, ['type', 'error', 'supported_versions'])) {
    throw malformed();
  }
  const versions = object.supported_versions;
  if (!Array.isArray(versions) || versions.length < 1 || versions.length > 16) throw malformed();
  for (const v of versions) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 0xffff) throw malformed();
  }
  return { code: 'unsupported_version', supportedVersions: versions.slice() };
}
