// Copyright 2026 The Cerumbra Authors.
//
// session.js: the established phase of a session for either role
// (docs/protocol.md §6, §9), bytes in and bytes out, mirroring
// src/protocol/session.h. It owns one SendChannel and one RecvChannel
// (client: sends c2s, receives s2c; node: the reverse) and enforces the
// record grammar:
//
//   message    = DATA* END  (client: a request; node: a response)
//   CANCEL     only client -> node, only between messages
//   KEY_UPDATE anywhere; 0x01 is answered at once with our own KEY_UPDATE
//   CLOSE      the sender's last record, between messages; a CLOSE that
//              answers a received CLOSE may cut the answerer's message
//
// Key updates are automatic: when a send secret's budget has one slot
// left, the next send emits a KEY_UPDATE first. Any failure moves the
// session to 'failed' and drops its keys; every later call throws. Failures
// caused by the peer's bytes are the opaque unauthenticated error; misuse
// by the caller is failed_precondition (and fails the session too).
//
// All methods are async and run one at a time in call order (an internal
// queue), so a caller may fire receive() for each WebSocket message without
// awaiting the previous one.

import { utf8, utf8Decode } from './bytes.js';
import { CerumbraError, Code, failedPrecondition, invalidArgument, rejected } from './errors.js';
import { isObject, parse } from './json.js';
import { fingerprint } from './key_schedule.js';
import { RecvChannel, SendChannel } from './record_layer.js';
import { ContentType, KEY_UPDATE_NOT_REQUESTED, KEY_UPDATE_REQUESTED, MAX_PAYLOAD_SIZE, validateLimits } from './wire.js';

export const Role = Object.freeze({ CLIENT: 'client', NODE: 'node' });
export const SessionState = Object.freeze({
  ESTABLISHED: 'established', CLOSING: 'closing', CLOSED: 'closed', FAILED: 'failed',
});

/** isValidEndPayload: §6.3, END carries nothing or one JSON object (strict UTF-8). */
export function isValidEndPayload(payload) {
  if (payload.length === 0) return true;
  if (payload.length > MAX_PAYLOAD_SIZE) return false;
  try {
    return isObject(parse(utf8Decode(payload)));
  } catch {
    return false;
  }
}

export class Session {
  /**
   * create returns a session for `role` from `keys` {c2s, s2c, sessionId}
   * (taken over). options: {limits, padRecords = true}. Throws
   * invalid_argument for bad options.
   */
  static async create(role, keys, options = {}) {
    if (role !== Role.CLIENT && role !== Role.NODE) throw invalidArgument('bad role');
    const limits = validateLimits(options.limits);
    const channelOptions = { pad: options.padRecords ?? true, recordsPerKey: limits.recordsPerKey };
    const client = role === Role.CLIENT;
    const session = new Session();
    session.role = role;
    session.limits = limits;
    session.sessionId = keys.sessionId.slice();
    session.send = await SendChannel.create(client ? keys.c2s : keys.s2c, keys.sessionId, channelOptions);
    session.recv = await RecvChannel.create(client ? keys.s2c : keys.c2s, keys.sessionId, channelOptions);
    session.state = SessionState.ESTABLISHED;
    session.receivingMessage = false;
    session.sendingMessage = false;
    session.receivedMessageSize = 0;
    session.tail = Promise.resolve();
    return session;
  }

  /** fingerprint: the first 8 bytes of the session id in hex (§5). */
  get fingerprint() {
    return fingerprint(this.sessionId);
  }

  serialize(fn) {
    const run = this.tail.then(() => fn());
    this.tail = run.catch(() => {});
    return run;
  }

  fail(error) {
    this.state = SessionState.FAILED;
    this.send = null;
    this.recv = null;
    this.receivingMessage = false;
    this.sendingMessage = false;
    return error;
  }

  checkCanSend() {
    if (this.state !== SessionState.ESTABLISHED) throw this.fail(failedPrecondition('session cannot send'));
  }

  async seal(type, payload, out) {
    try {
      if (type !== ContentType.KEY_UPDATE && this.send.needsKeyUpdate()) {
        out.push(await this.send.seal(ContentType.KEY_UPDATE, Uint8Array.of(KEY_UPDATE_NOT_REQUESTED)));
      }
      out.push(await this.send.seal(type, payload));
    } catch (e) {
      throw this.fail(e);
    }
  }

  async sendDataNow(data) {
    this.checkCanSend();
    const frames = [];
    for (let offset = 0; offset < data.length; offset += MAX_PAYLOAD_SIZE) {
      await this.seal(ContentType.DATA, data.subarray(offset, offset + MAX_PAYLOAD_SIZE), frames);
      this.sendingMessage = true;
    }
    return frames;
  }

  async sendEndNow(endJson) {
    this.checkCanSend();
    const payload = utf8(endJson);
    if (!isValidEndPayload(payload)) throw this.fail(invalidArgument('END payload is not a JSON object'));
    const frames = [];
    await this.seal(ContentType.END, payload, frames);
    this.sendingMessage = false;
    return frames;
  }

  /** sendData returns DATA frames for the next part of the current message (none for empty data). */
  sendData(data) {
    return this.serialize(() => this.sendDataNow(data));
  }

  /** sendEnd returns the END frame(s) that complete the current message. */
  sendEnd(endJson = '') {
    return this.serialize(() => this.sendEndNow(endJson));
  }

  /** sendMessage returns the frames of one whole message (DATA..., END). */
  sendMessage(message, endJson = '') {
    return this.serialize(async () => {
      this.checkCanSend();
      if (this.sendingMessage) throw this.fail(failedPrecondition('a message is being sent'));
      if (!isValidEndPayload(utf8(endJson))) throw this.fail(invalidArgument('END payload is not a JSON object'));
      const frames = await this.sendDataNow(message);
      return frames.concat(await this.sendEndNow(endJson));
    });
  }

  /** sendCancel (client only, between messages) returns the CANCEL frame(s). */
  sendCancel() {
    return this.serialize(async () => {
      this.checkCanSend();
      if (this.role !== Role.CLIENT || this.sendingMessage) throw this.fail(failedPrecondition('CANCEL not allowed here'));
      const frames = [];
      await this.seal(ContentType.CANCEL, new Uint8Array(0), frames);
      return frames;
    });
  }

  /** requestKeyUpdate returns a KEY_UPDATE 0x01 frame. */
  requestKeyUpdate() {
    return this.serialize(async () => {
      this.checkCanSend();
      const frames = [];
      await this.seal(ContentType.KEY_UPDATE, Uint8Array.of(KEY_UPDATE_REQUESTED), frames);
      return frames;
    });
  }

  /** close returns the CLOSE frame(s), this end's last record, and moves to 'closing'. */
  close() {
    return this.serialize(async () => {
      this.checkCanSend();
      if (this.sendingMessage) throw this.fail(failedPrecondition('end the message before CLOSE'));
      const frames = [];
      await this.seal(ContentType.CLOSE, new Uint8Array(0), frames);
      this.state = SessionState.CLOSING;
      this.send = null;
      return frames;
    });
  }

  /**
   * receive opens one frame and returns its events in order:
   * {type: 'data'|'end', bytes}, {type: 'cancel'}, {type: 'close'},
   * {type: 'send', bytes} (a frame to send now). Every rejection is the
   * opaque unauthenticated error and fails the session; on a failed session
   * it throws failed_precondition.
   */
  receive(frame) {
    return this.serialize(async () => {
      if (this.state === SessionState.FAILED) throw failedPrecondition('session failed earlier');
      if (this.state === SessionState.CLOSED) throw this.fail(rejected());
      let record;
      try {
        record = await this.recv.open(frame);
      } catch {
        throw this.fail(rejected());
      }
      return this.handleRecord(record);
    });
  }

  async handleRecord(record) {
    const events = [];
    switch (record.type) {
      case ContentType.DATA:
        if (record.payload.length > this.limits.maxMessage - Math.min(this.limits.maxMessage, this.receivedMessageSize)) {
          throw this.fail(rejected());
        }
        this.receivedMessageSize += record.payload.length;
        this.receivingMessage = true;
        events.push({ type: 'data', bytes: record.payload });
        return events;
      case ContentType.END:
        if (!isValidEndPayload(record.payload)) throw this.fail(rejected());
        this.receivedMessageSize = 0;
        this.receivingMessage = false;
        events.push({ type: 'end', bytes: record.payload });
        return events;
      case ContentType.KEY_UPDATE:
        if (record.payload[0] === KEY_UPDATE_REQUESTED && this.state === SessionState.ESTABLISHED) {
          const frames = [];
          await this.seal(ContentType.KEY_UPDATE, Uint8Array.of(KEY_UPDATE_NOT_REQUESTED), frames);
          for (const f of frames) events.push({ type: 'send', bytes: f });
        }
        return events;
      case ContentType.CANCEL:
        if (this.role !== Role.NODE || this.receivingMessage) throw this.fail(rejected());
        events.push({ type: 'cancel' });
        return events;
      case ContentType.CLOSE: {
        if (this.receivingMessage && this.state !== SessionState.CLOSING) throw this.fail(rejected());
        events.push({ type: 'close' });
        if (this.state === SessionState.ESTABLISHED) {
          const frames = [];
          await this.seal(ContentType.CLOSE, new Uint8Array(0), frames);
          for (const f of frames) events.push({ type: 'send', bytes: f });
        }
        this.state = SessionState.CLOSED;
        this.receivingMessage = false;
        this.sendingMessage = false;
        this.send = null;
        this.recv = null;
        return events;
      }
      default:
        throw this.fail(rejected());
    }
  }

  /**
   * connectionEnded tells the session that the transport closed. Resolves
   * when the session ended cleanly ('closed'); otherwise it was truncated
   * (§6.3): throws the opaque error and moves to 'failed'.
   */
  connectionEnded() {
    return this.serialize(async () => {
      if (this.state === SessionState.CLOSED) return;
      throw this.fail(rejected());
    });
  }
}

/** isOpaqueFailure is true for the §8 opaque error. */
export function isOpaqueFailure(e) {
  return e instanceof CerumbraError && e.code === Code.UNAUTHENTICATED;
}
