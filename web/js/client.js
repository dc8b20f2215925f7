// Copyright 2026 The Cerumbra Authors.
//
// client.js: one Cerumbra session over one WebSocket (docs/protocol.md §2),
// driving ClientHandshake, the verifier and Session. No DOM: the page
// (app.js) and the tests use it alike; the WebSocket class is injectable.
//
// Lifecycle: connect() -> 'handshake' -> 'established' (or 'failed') ->
// chat()/cancel() -> disconnect() -> 'closed'. Any failure is terminal: the
// client sends {"type":"error","error":"session_failed"} if it can, closes
// the socket (1008), drops the session, and reports `reason` (public).
// Truncation (the socket ends before CLOSE, or before a response's END) is
// a failure too.
//
// Callbacks (all optional): onState(state, info), onLog(entry),
// onAttestation({report, details, quote, fingerprint}), onText(chunk),
// onResponseEnd(end). Log entries hold types, sizes and sequence numbers,
// never keys or plaintext.

import { utf8 } from './protocol/bytes.js';
import { CerumbraError, Code } from './protocol/errors.js';
import { buildChatRequest, buildResetRequest, parseResponseEnd, TextStream } from './protocol/conversation.js';
import { ClientHandshake } from './protocol/handshake.js';
import { peekMessageType, serializeErrorMessage } from './protocol/messages.js';
import { CONTENT_TYPE_NAMES } from './protocol/wire.js';
import { SessionState } from './protocol/session.js';

function seqOf(frame) {
  if (frame.length < 10) return null;
  let seq = 0n;
  for (let i = 2; i < 10; ++i) seq = (seq << 8n) | BigInt(frame[i]);
  return seq.toString();
}

export class CerumbraClient {
  /**
   * options: {url, verifier (QuoteVerifier), WebSocketImpl = WebSocket,
   * now = Date.now, limits, handshake (a prepared ClientHandshake, tests
   * only), closeTimeoutMs = 5000} plus the callbacks above.
   */
  constructor(options) {
    this.options = options;
    this.state = 'idle';
    this.session = null;
    this.socket = null;
    this.pending = null; // the response being received: {text, resolve, reject, stream}
    this.reason = null;
  }

  log(direction, fields) {
    if (this.options.onLog) this.options.onLog({ time: new Date(this.options.now ? this.options.now() : Date.now()).toISOString(), direction, ...fields });
  }

  setState(state, info = {}) {
    this.state = state;
    if (this.options.onState) this.options.onState(state, info);
  }

  /** connect opens the socket and runs the handshake; resolves when established, rejects on failure. */
  async connect() {
    if (this.state !== 'idle') throw new CerumbraError(Code.FAILED_PRECONDITION, 'connect once per client');
    const handshake = this.options.handshake || await ClientHandshake.create({ limits: this.options.limits });
    this.handshake = handshake;
    this.setState('connecting', { clientPublicKey: handshake.publicKey });
    const WS = this.options.WebSocketImpl || globalThis.WebSocket;
    return new Promise((resolve, reject) => {
      this.established = { resolve, reject };
      let socket;
      try {
        socket = new WS(this.options.url);
      } catch (e) {
        this.fail(`cannot open ${this.options.url}: ${e.message}`, false);
        return;
      }
      this.socket = socket;
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => {
        const text = handshake.start();
        this.sendText(text, 'attest_request');
        this.setState('handshake', { clientPublicKey: handshake.publicKey });
      };
      socket.onmessage = (event) => this.enqueue(() => this.onMessage(event.data));
      socket.onerror = () => {};
      socket.onclose = (event) => this.enqueue(() => this.onSocketClosed(event));
    });
  }

  // Messages are handled strictly one after another.
  enqueue(fn) {
    this.queue = (this.queue || Promise.resolve()).then(fn).catch((e) => this.fail(e.message || String(e)));
  }

  sendText(text, type) {
    this.socket.send(text);
    this.log('sent', { kind: 'text', type, size: utf8(text).length });
  }

  sendFrames(frames, note) {
    for (const f of frames) {
      this.socket.send(f);
      this.log('sent', { kind: 'binary', type: 'record', size: f.length, seq: seqOf(f), note });
    }
  }

  async onMessage(data) {
    if (this.state === 'failed' || this.state === 'closed') return;
    if (typeof data === 'string') {
      let type = 'unknown';
      try {
        type = peekMessageType(data);
      } catch { /* logged as unknown */ }
      this.log('received', { kind: 'text', type, size: utf8(data).length });
      if (this.state !== 'handshake') {
        this.fail(type === 'error' ? 'the node reported an error' : 'a text frame after the handshake');
        return;
      }
      await this.onResponse(data);
      return;
    }
    const frame = new Uint8Array(data);
    if (this.state === 'handshake' || !this.session) {
      this.log('received', { kind: 'binary', type: 'record', size: frame.length, seq: seqOf(frame) });
      this.fail('a binary frame before the handshake finished');
      return;
    }
    let events;
    try {
      events = await this.session.receive(frame);
    } catch {
      this.log('received', { kind: 'binary', type: 'record', size: frame.length, seq: seqOf(frame), contentType: 'REJECTED' });
      this.fail('a record failed to open or broke the protocol (opaque error, §8)');
      return;
    }
    const first = events.find((e) => e.type !== 'send');
    const contentType = first ? first.type.toUpperCase() : 'KEY_UPDATE';
    this.log('received', { kind: 'binary', type: 'record', size: frame.length, seq: seqOf(frame), contentType });
    for (const event of events) this.onEvent(event);
    // After the node's CLOSE (and our answering CLOSE, sent above), end the socket.
    if (this.state === 'closed' && this.socket) this.socket.close(1000);
  }

  async onResponse(text) {
    let session;
    try {
      session = await this.handshake.handleResponse(text, this.options.verifier, this.options.now ? this.options.now() : Date.now());
    } catch (e) {
      const report = (e && e.report) || (this.options.verifier && this.options.verifier.lastReport) || null;
      this.emitAttestation(report, e);
      const failed = report && report.firstFailure && report.firstFailure();
      const reason = e.code === Code.FAILED_PRECONDITION ? 'the node does not speak protocol version 1'
        : failed ? `attestation check ${failed.name} failed: ${failed.detail}`
          : `handshake check §${e.step || '4.3'} failed`;
      this.fail(reason);
      return;
    }
    this.session = session;
    this.emitAttestation(this.handshake.report, null);
    this.setState('established', { fingerprint: session.fingerprint });
    this.established.resolve();
  }

  emitAttestation(report, error) {
    if (!this.options.onAttestation) return;
    this.options.onAttestation({
      report,
      details: this.options.verifier ? this.options.verifier.details : null,
      quote: this.handshake.quote,
      protocolChecks: this.handshake.checks,
      step: error ? error.step || null : null,
      fingerprint: this.session ? this.session.fingerprint : null,
    });
  }

  onEvent(event) {
    switch (event.type) {
      case 'send':
        this.sendFrames([event.bytes], 'answer');
        return;
      case 'data': {
        if (!this.pending) {
          this.fail('the node sent a response without a request');
          return;
        }
        const text = this.pending.stream.push(event.bytes);
        event.bytes.fill(0);
        this.pending.text += text;
        if (text && this.options.onText) this.options.onText(text);
        return;
      }
      case 'end': {
        if (!this.pending) {
          this.fail('the node sent a response without a request');
          return;
        }
        const pending = this.pending;
        this.pending = null;
        try {
          const tail = pending.stream.finish();
          if (tail && this.options.onText) this.options.onText(tail);
          pending.text += tail;
          const end = parseResponseEnd(event.bytes);
          if (this.options.onResponseEnd) this.options.onResponseEnd(end);
          pending.resolve({ text: pending.text, end });
        } catch (e) {
          this.fail(`malformed response: ${e.message}`);
        }
        return;
      }
      case 'close':
        // The node closed (and Session answered with our CLOSE, sent above).
        if (this.pending) {
          this.fail('the node closed the session before the response ended');
          return;
        }
        this.setState('closed', { by: this.state === 'closing' ? 'client' : 'node' });
        return;
      default:
        this.fail(`unexpected ${event.type} record`);
    }
  }

  onSocketClosed(event) {
    if (this.state === 'failed' || this.state === 'closed') return;
    if (this.state === 'closing' && this.session && this.session.state === SessionState.CLOSED) {
      this.setState('closed', { by: 'client' });
      return;
    }
    const code = event && event.code ? ` (WebSocket close ${event.code})` : '';
    this.fail(this.state === 'connecting' ? `could not connect${code}` : `the connection ended before CLOSE: truncated${code}`, false);
  }

  /**
   * chat sends one request and resolves to {text, end} at the response's
   * END; onText receives each chunk as it arrives. Params as §10.1.
   */
  async chat(content, params = {}) {
    return this.request(buildChatRequest(content, params), false);
  }

  /** reset asks the node to forget the conversation's history. */
  async reset() {
    return this.request(buildResetRequest(), true);
  }

  async request(bytes, reset) {
    if (this.state !== 'established') throw new CerumbraError(Code.FAILED_PRECONDITION, 'not connected');
    if (this.pending) throw new CerumbraError(Code.FAILED_PRECONDITION, 'wait for the current response');
    const promise = new Promise((resolve, reject) => {
      this.pending = { text: '', resolve, reject, stream: new TextStream(), reset };
    });
    const frames = await this.session.sendMessage(bytes);
    bytes.fill(0);
    this.sendFrames(frames, reset ? 'reset request' : 'request');
    return promise;
  }

  /** cancel sends CANCEL for the current response (ignored by the node when none runs). */
  async cancel() {
    if (this.state !== 'established') return;
    this.sendFrames(await this.session.sendCancel(), 'cancel');
  }

  /**
   * disconnect sends CLOSE and waits for the node's CLOSE (or
   * closeTimeoutMs), then closes the socket.
   */
  async disconnect() {
    if (this.state === 'established' && !this.pending) {
      this.setState('closing');
      this.sendFrames(await this.session.close(), 'close');
      const timeout = this.options.closeTimeoutMs ?? 5000;
      await new Promise((resolve) => {
        const t = setTimeout(resolve, timeout);
        const check = setInterval(() => {
          if (this.state !== 'closing') {
            clearTimeout(t);
            clearInterval(check);
            resolve();
          }
        }, 10);
        setTimeout(() => clearInterval(check), timeout + 1);
      });
      if (this.state === 'closing') this.fail('the node did not answer CLOSE');
      else if (this.socket) this.socket.close(1000);
      return;
    }
    if (this.state !== 'failed' && this.state !== 'closed') this.fail('disconnected by the user before the session was established or during a response');
  }

  fail(reason, sendError = true) {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.reason = reason;
    const socket = this.socket;
    if (socket && sendError && socket.readyState === 1) {
      try {
        this.sendText(serializeErrorMessage('session_failed'), 'error');
      } catch { /* closing anyway */ }
    }
    if (socket) {
      try {
        socket.close(sendError ? 1008 : 1000);
      } catch { /* already closed */ }
    }
    if (this.session && this.session.state !== SessionState.FAILED) this.session.fail(new CerumbraError(Code.UNAUTHENTICATED, 'session failed'));
    this.session = null;
    this.setState('failed', { reason });
    if (this.pending) {
      this.pending.reject(new CerumbraError(Code.UNAUTHENTICATED, reason));
      this.pending = null;
    }
    if (this.established) this.established.reject(new CerumbraError(Code.UNAUTHENTICATED, reason));
  }
}

export { CONTENT_TYPE_NAMES };
