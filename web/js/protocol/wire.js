// Copyright 2026 The Cerumbra Authors.
//
// wire.js: constants and limits of protocol version 1 (docs/protocol.md),
// mirroring src/protocol/wire.h. Everything is fixed by the specification
// except Limits, which an endpoint may lower (§7).

import { invalidArgument } from './errors.js';

export const PROTOCOL_VERSION = 1;
export const NONCE_SIZE = 32;
export const PUBLIC_KEY_SIZE = 65;
export const SIGNATURE_SIZE = 64;
export const SESSION_ID_SIZE = 16;

export const RECORD_FRAME_TYPE = 0x17;
export const RECORD_HEADER_SIZE = 10;
export const RECORD_TAG_SIZE = 16;
export const PLAINTEXT_HEADER_SIZE = 5;
export const MAX_PLAINTEXT_SIZE = 16384;
export const MAX_PAYLOAD_SIZE = MAX_PLAINTEXT_SIZE - PLAINTEXT_HEADER_SIZE;
export const MIN_RECORD_FRAME_SIZE = RECORD_HEADER_SIZE + PLAINTEXT_HEADER_SIZE + RECORD_TAG_SIZE;
export const MAX_RECORD_FRAME_SIZE = RECORD_HEADER_SIZE + MAX_PLAINTEXT_SIZE + RECORD_TAG_SIZE;
export const PADDING_BUCKETS = Object.freeze([64, 256, 1024, 4096, 16384]);

export const MAX_RECORDS_PER_KEY = 65536;
export const MIN_RECORDS_PER_KEY = 2;
/** MAX_SEQ (2^64 - 1) is never used (§6.1). */
export const MAX_SEQ = (1n << 64n) - 1n;

export const KEY_UPDATE_NOT_REQUESTED = 0x00;
export const KEY_UPDATE_REQUESTED = 0x01;

/** ContentType values (§6.3). */
export const ContentType = Object.freeze({
  DATA: 0x01,
  END: 0x02,
  KEY_UPDATE: 0x03,
  CLOSE: 0x04,
  CANCEL: 0x05,
});

export const CONTENT_TYPE_NAMES = Object.freeze({
  1: 'DATA', 2: 'END', 3: 'KEY_UPDATE', 4: 'CLOSE', 5: 'CANCEL',
});

export function isValidContentType(v) {
  return v >= ContentType.DATA && v <= ContentType.CANCEL;
}

export const MAX_ATTEST_REQUEST_SIZE = 1024;
export const MAX_ATTEST_RESPONSE_SIZE = 256 * 1024;
export const MAX_CERTIFICATE_CHAIN_LENGTH = 8;

/**
 * paddedPlaintextSize returns the plaintext size for a payload of
 * `payloadSize` bytes (§6.2): the smallest bucket holding 5 + m with `pad`,
 * else exactly 5 + m. Throws invalid_argument past MAX_PAYLOAD_SIZE.
 */
export function paddedPlaintextSize(payloadSize, pad) {
  if (payloadSize > MAX_PAYLOAD_SIZE) throw invalidArgument('payload too large');
  const unpadded = PLAINTEXT_HEADER_SIZE + payloadSize;
  if (!pad) return unpadded;
  for (const b of PADDING_BUCKETS) if (unpadded <= b) return b;
  return MAX_PLAINTEXT_SIZE;
}

/** defaultLimits returns the §7 defaults (a fresh object). */
export function defaultLimits() {
  return {
    maxRequestFrame: MAX_ATTEST_REQUEST_SIZE,
    maxResponseFrame: MAX_ATTEST_RESPONSE_SIZE,
    maxMessage: 1024 * 1024,
    recordsPerKey: MAX_RECORDS_PER_KEY,
  };
}

/**
 * validateLimits returns a complete limits object (defaults filled in) or
 * throws invalid_argument: positive frame and message limits, frame limits
 * at most §7's, recordsPerKey in [2, 65536]. WARNING: a receive budget below
 * the peer's send budget fails honest peers; lower it only in tests.
 */
export function validateLimits(limits = {}) {
  const l = { ...defaultLimits(), ...limits };
  const ints = [l.maxRequestFrame, l.maxResponseFrame, l.maxMessage, l.recordsPerKey];
  if (!ints.every((v) => Number.isSafeInteger(v) && v > 0)) {
    throw invalidArgument('limits must be positive integers');
  }
  if (l.maxRequestFrame > MAX_ATTEST_REQUEST_SIZE || l.maxResponseFrame > MAX_ATTEST_RESPONSE_SIZE) {
    throw invalidArgument('handshake frame limits above the protocol\'s');
  }
  if (l.recordsPerKey < MIN_RECORDS_PER_KEY || l.recordsPerKey > MAX_RECORDS_PER_KEY) {
    throw invalidArgument('recordsPerKey out of range');
  }
  return l;
}
