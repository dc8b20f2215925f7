// Copyright 2026 The Cerumbra Authors.
//
// record_layer.js: one-way channels that seal and open record frames
// (docs/protocol.md §6), mirroring src/protocol/record_layer.h.
//
// No function takes a nonce: nonce = iv(S) XOR (0^4 || seq), AAD = the
// 10-byte header || session id, seq from 0 and strictly increasing, never
// 2^64 - 1. After a KEY_UPDATE record the channel moves to next(S) and drops
// S (§6.4). The first failure of any call fails the channel for good: its
// keys are dropped and every later call throws failed_precondition.
//
//   frame     = version 1 | frame_type 0x17 | seq (8, BE) | ciphertext+tag
//   plaintext = content_type | length (4, BE) | payload | zero padding
//
// Calls are async (Web Crypto); a channel handles one call at a time and
// fails on a concurrent one (Session serializes its calls).

import { concat, u64be, wipe } from './bytes.js';
import { failedPrecondition, internalError, invalidArgument, rejected, resourceExhausted } from './errors.js';
import { deriveTrafficKeys, nextTrafficSecret } from './key_schedule.js';
import {
  ContentType, KEY_UPDATE_NOT_REQUESTED, KEY_UPDATE_REQUESTED, MAX_PAYLOAD_SIZE, MAX_RECORD_FRAME_SIZE,
  MAX_RECORDS_PER_KEY, MAX_SEQ, MIN_RECORD_FRAME_SIZE, MIN_RECORDS_PER_KEY, PLAINTEXT_HEADER_SIZE,
  PROTOCOL_VERSION, RECORD_FRAME_TYPE, RECORD_HEADER_SIZE, SESSION_ID_SIZE, isValidContentType,
  paddedPlaintextSize,
} from './wire.js';

const subtle = globalThis.crypto.subtle;

/**
 * checkRecordPayload returns true when `payload` is valid for `type` (§6.3):
 * DATA 1..16379 bytes, END 0..16379 (its JSON is Session's business),
 * KEY_UPDATE one byte 0x00/0x01, CLOSE and CANCEL empty.
 */
export function checkRecordPayload(type, payload) {
  if (payload.length > MAX_PAYLOAD_SIZE) return false;
  switch (type) {
    case ContentType.DATA: return payload.length > 0;
    case ContentType.END: return true;
    case ContentType.KEY_UPDATE:
      return payload.length === 1 && (payload[0] === KEY_UPDATE_NOT_REQUESTED || payload[0] === KEY_UPDATE_REQUESTED);
    case ContentType.CLOSE:
    case ContentType.CANCEL: return payload.length === 0;
    default: return false;
  }
}

/** recordHeader returns the 10-byte header for `seq` (BigInt). */
export function recordHeader(seq) {
  return concat(Uint8Array.of(PROTOCOL_VERSION, RECORD_FRAME_TYPE), u64be(seq));
}

/** recordNonce returns iv XOR (0^4 || seq) (§6.1, RFC 9180 §5.2). */
export function recordNonce(iv, seq) {
  const nonce = iv.slice();
  const s = u64be(seq);
  for (let i = 0; i < 8; ++i) nonce[4 + i] ^= s[i];
  return nonce;
}

class ChannelState {
  constructor(sessionId, recordsPerKey) {
    if (!(sessionId instanceof Uint8Array) || sessionId.length !== SESSION_ID_SIZE) {
      throw invalidArgument('session id must be 16 bytes');
    }
    if (!Number.isSafeInteger(recordsPerKey) || recordsPerKey < MIN_RECORDS_PER_KEY || recordsPerKey > MAX_RECORDS_PER_KEY) {
      throw invalidArgument('recordsPerKey out of range');
    }
    this.sessionId = sessionId.slice();
    this.recordsPerKey = recordsPerKey;
    this.secret = null;
    this.key = null;
    this.iv = null;
    this.seq = 0n;
    this.recordsUnderSecret = 0;
    this.failed = false;
    this.busy = false;
  }

  async install(secret) {
    const { key, iv } = await deriveTrafficKeys(secret);
    if (this.iv) wipe(this.iv);
    this.secret = secret;
    this.key = key;
    this.iv = iv;
    this.recordsUnderSecret = 0;
  }

  wipe() {
    if (this.iv) wipe(this.iv);
    this.secret = null;
    this.key = null;
    this.iv = null;
    this.failed = true;
  }

  lastSlot() {
    return this.recordsUnderSecret + 1 >= this.recordsPerKey;
  }

  aad(header) {
    return concat(header, this.sessionId);
  }

  // enter/leave guard against overlapping async calls.
  enter() {
    if (this.failed) throw failedPrecondition('channel failed');
    if (this.busy) {
      this.wipe();
      throw failedPrecondition('concurrent channel call');
    }
    this.busy = true;
  }
}

async function makeState(trafficSecret, sessionId, options) {
  const state = new ChannelState(sessionId, options.recordsPerKey ?? MAX_RECORDS_PER_KEY);
  await state.install(trafficSecret);
  return state;
}

/** SendChannel seals the records of one direction. */
export class SendChannel {
  /** create: `trafficSecret` is an HMAC CryptoKey (§5); options {pad = true, recordsPerKey}. */
  static async create(trafficSecret, sessionId, options = {}) {
    const channel = new SendChannel();
    channel.state = await makeState(trafficSecret, sessionId, options);
    channel.pad = options.pad ?? true;
    return channel;
  }

  /** needsKeyUpdate is true when the next record must be a KEY_UPDATE. */
  needsKeyUpdate() {
    return this.state.lastSlot();
  }

  get nextSeq() {
    return this.state.seq;
  }

  get failed() {
    return this.state.failed;
  }

  /**
   * seal returns the frame of one record and advances seq; a KEY_UPDATE
   * switches to next(S) afterwards. Throws (and fails the channel)
   * invalid_argument for a bad payload, failed_precondition when failed or
   * when only the KEY_UPDATE's slot is left, resource_exhausted at seq
   * 2^64 - 1, internal if the cipher fails.
   */
  async seal(type, payload) {
    const s = this.state;
    s.enter();
    try {
      if (!checkRecordPayload(type, payload)) throw invalidArgument('invalid record payload');
      if (s.seq === MAX_SEQ) throw resourceExhausted('record sequence number exhausted');
      if (type !== ContentType.KEY_UPDATE && s.lastSlot()) throw failedPrecondition('key update required');
      const plaintext = new Uint8Array(paddedPlaintextSize(payload.length, this.pad));
      plaintext[0] = type;
      new DataView(plaintext.buffer).setUint32(1, payload.length);
      plaintext.set(payload, PLAINTEXT_HEADER_SIZE);
      const header = recordHeader(s.seq);
      let sealed;
      try {
        sealed = new Uint8Array(await subtle.encrypt(
          { name: 'AES-GCM', iv: recordNonce(s.iv, s.seq), additionalData: s.aad(header), tagLength: 128 },
          s.key, plaintext));
      } catch {
        throw internalError('record sealing failed');
      } finally {
        wipe(plaintext);
      }
      s.seq += 1n;
      s.recordsUnderSecret += 1;
      if (type === ContentType.KEY_UPDATE) {
        try {
          await s.install(await nextTrafficSecret(s.secret));
        } catch {
          throw internalError('key update failed');
        }
      }
      return concat(header, sealed);
    } catch (e) {
      s.wipe();
      throw e;
    } finally {
      s.busy = false;
    }
  }
}

/** RecvChannel opens the records of one direction. */
export class RecvChannel {
  /** create: as SendChannel.create; options.pad is ignored. */
  static async create(trafficSecret, sessionId, options = {}) {
    const channel = new RecvChannel();
    channel.state = await makeState(trafficSecret, sessionId, options);
    return channel;
  }

  get expectedSeq() {
    return this.state.seq;
  }

  get failed() {
    return this.state.failed;
  }

  /**
   * open verifies and decrypts one frame and returns {type, payload}. It
   * accepts only: 21..16410 bytes, version 1, frame_type 0x17, the expected
   * seq, a valid tag, a length that fits, zero padding, a known content
   * type, a payload valid for it, and in the budget's last slot only a
   * KEY_UPDATE. Every failure is the opaque unauthenticated error, fails
   * the channel and releases nothing; on a failed channel it throws
   * failed_precondition.
   */
  async open(frame) {
    const s = this.state;
    s.enter();
    try {
      if (!(frame instanceof Uint8Array) || frame.length < MIN_RECORD_FRAME_SIZE ||
          frame.length > MAX_RECORD_FRAME_SIZE || frame[0] !== PROTOCOL_VERSION || frame[1] !== RECORD_FRAME_TYPE) {
        throw rejected();
      }
      let seq = 0n;
      for (let i = 0; i < 8; ++i) seq = (seq << 8n) | BigInt(frame[2 + i]);
      if (seq !== s.seq || seq === MAX_SEQ) throw rejected();
      const header = frame.subarray(0, RECORD_HEADER_SIZE);
      let plaintext;
      try {
        plaintext = new Uint8Array(await subtle.decrypt(
          { name: 'AES-GCM', iv: recordNonce(s.iv, seq), additionalData: s.aad(header), tagLength: 128 },
          s.key, frame.subarray(RECORD_HEADER_SIZE)));
      } catch {
        throw rejected();
      }
      const size = plaintext.length; // >= 5, since the frame is >= 21 bytes
      const type = plaintext[0];
      const length = new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(1);
      let ok = length <= size - PLAINTEXT_HEADER_SIZE;
      let nonzero = 0;
      if (ok) for (let i = PLAINTEXT_HEADER_SIZE + length; i < size; ++i) nonzero |= plaintext[i];
      ok = ok && nonzero === 0 && isValidContentType(type);
      const payload = ok ? plaintext.slice(PLAINTEXT_HEADER_SIZE, PLAINTEXT_HEADER_SIZE + length) : null;
      ok = ok && checkRecordPayload(type, payload);
      ok = ok && (type === ContentType.KEY_UPDATE || !s.lastSlot());
      wipe(plaintext);
      if (!ok) {
        wipe(payload);
        throw rejected();
      }
      s.seq += 1n;
      s.recordsUnderSecret += 1;
      if (type === ContentType.KEY_UPDATE) {
        try {
          await s.install(await nextTrafficSecret(s.secret));
        } catch {
          throw internalError('key update failed');
        }
      }
      return { type, payload };
    } catch (e) {
      s.wipe();
      throw e;
    } finally {
      s.busy = false;
    }
  }
}
