// Copyright 2026 The Cerumbra Authors.
//
// handshake.js: the handshake state machines of docs/protocol.md §9, text
// in and text out, mirroring src/protocol/handshake.h.
//
// ClientHandshake checks §4.3 steps 1-4 itself (shape, quote, binding of
// nonce and client key in constant time, node key on the curve) and asks a
// verifier for steps 5-8 (attest/verifier.js in the page; a pinned-key
// verifier in the vector tests). Only then does it derive keys (§5). Every
// failure is the opaque unauthenticated error; for the page it carries
// `.step` (the §4.3 step that failed) and `.report` (the verifier's checks),
// both public data.
//
// NodeHandshake is here so the vectors can replay both actors and tests
// can run a node in JavaScript; the real node is C++.

import { constantTimeEqual, equal } from './bytes.js';
import { CerumbraError, Code, failedPrecondition, invalidArgument, rejected } from './errors.js';
import { generateKeyPair, importPeerKey, isValidPoint, sharedSecret } from './ec.js';
import { deriveSessionKeys } from './key_schedule.js';
import {
  parseAttestRequest, parseAttestResponse, parseErrorMessage, peekMessageType, serializeAttestRequest,
  serializeAttestResponse, serializeErrorMessage, textSize,
} from './messages.js';
import { parseQuote, sha384, transcriptHash } from './quote.js';
import { Role, Session } from './session.js';
import { NONCE_SIZE, validateLimits } from './wire.js';

/**
 * stepOfCheck maps a verifier check name to its §4.3 step: quote.chain 5,
 * quote.signature 6, quote.evidence_digest / evidence.* / nvidia.* 7,
 * policy.* 8.
 */
export function stepOfCheck(name) {
  if (name.startsWith('quote.chain')) return '4.3.5';
  if (name.startsWith('quote.signature')) return '4.3.6';
  if (name.startsWith('quote.evidence') || name.startsWith('evidence.') || name.startsWith('nvidia.')) return '4.3.7';
  if (name.startsWith('policy.')) return '4.3.8';
  return '4.3.5';
}

function stepFailure(step, report) {
  const e = rejected();
  e.step = step;
  if (report) e.report = report;
  return e;
}

async function deriveSession(role, ownPrivateKey, peerKey, quoteBytes, options) {
  const th = await transcriptHash(quoteBytes);
  const shared = await sharedSecret(ownPrivateKey, peerKey);
  const keys = await deriveSessionKeys(shared, th); // zeroes `shared`
  return Session.create(role, keys, options);
}

/** ClientHandshake is the client side of one handshake; use once. */
export class ClientHandshake {
  /** create makes a fresh non-extractable ECDH key pair and a CSPRNG nonce. */
  static async create(options = {}) {
    validateLimits(options.limits);
    const pair = await generateKeyPair();
    const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_SIZE));
    return new ClientHandshake(pair.privateKey, pair.point, nonce, options);
  }

  /**
   * createDeterministic uses a given key ({privateKey, point}) and nonce.
   * WARNING: test vectors and tests only.
   */
  static createDeterministic(key, nonce, options = {}) {
    validateLimits(options.limits);
    if (nonce.length !== NONCE_SIZE) throw invalidArgument('nonce must be 32 bytes');
    return new ClientHandshake(key.privateKey, key.point, nonce.slice(), options);
  }

  constructor(privateKey, point, nonce, options) {
    this.privateKey = privateKey;
    this.publicKey = point;
    this.nonce = nonce;
    this.options = options;
    this.limits = validateLimits(options.limits);
    this.stage = 'initial';
    /** quote is the parsed quote once step 2 passed (public data, for the page). */
    this.quote = null;
    this.response = null;
    /** checks: §4.3 steps 1-4 as [{name, passed, detail}] (public), for the page. */
    this.checks = [];
  }

  /** start returns the attest_request text (initial -> await_response). */
  start() {
    if (this.stage !== 'initial') throw failedPrecondition('handshake already started');
    this.stage = 'await_response';
    return serializeAttestRequest({ nonce: this.nonce, clientPublicKey: this.publicKey });
  }

  /**
   * handleResponse processes the node's answer and resolves to the client
   * Session. Order (§4.3): size; attest_response of version 1; quote
   * parses; nonce and client key bound (constant time, both always); node
   * key valid; `await verifier.verify(response, quote, nowMs)` must return
   * a report whose ok() is true. Throws failed_precondition when not
   * awaiting a response or when the node answered unsupported_version;
   * every other failure is the opaque error with `.step`. The private key
   * is dropped afterwards either way.
   */
  async handleResponse(text, verifier, nowMs) {
    const awaiting = this.stage === 'await_response';
    this.stage = 'done';
    try {
      if (!awaiting) throw failedPrecondition('not awaiting');
      return await this.finish(text, verifier, nowMs);
    } finally {
      this.privateKey = null;
    }
  }

  async finish(text, verifier, nowMs) {
    const maxSize = this.limits.maxResponseFrame;
    const pass = (name, detail) => this.checks.push({ name, passed: true, detail });
    const fail = (name, step, detail) => {
      this.checks.push({ name, passed: false, detail });
      return stepFailure(step);
    };
    // Step 1.
    if (typeof text !== 'string' || textSize(text) > maxSize) throw fail('protocol.response', '4.3.1', 'too large');
    let type;
    try {
      type = peekMessageType(text);
    } catch {
      throw fail('protocol.response', '4.3.1', 'not a handshake message');
    }
    if (type === 'error') {
      let error = null;
      try {
        error = parseErrorMessage(text, maxSize);
      } catch { /* malformed error: opaque */ }
      if (error && error.code === 'unsupported_version') {
        this.checks.push({ name: 'protocol.response', passed: false, detail: 'the node does not speak version 1' });
        throw failedPrecondition('unsupported protocol version');
      }
      throw fail('protocol.response', '4.3.1', 'the node answered with an error');
    }
    let response;
    try {
      response = parseAttestResponse(text, maxSize);
    } catch {
      throw fail('protocol.response', '4.3.1', 'not a valid attest_response of version 1');
    }
    this.response = response;
    pass('protocol.response', 'attest_response, version 1');
    // Step 2.
    let quote;
    try {
      quote = parseQuote(response.quote);
    } catch {
      throw fail('protocol.quote', '4.3.2', 'the quote does not parse (canonical encoding, version 1)');
    }
    this.quote = quote;
    pass('protocol.quote', `${quote.measurements.length} measurements, ${response.quote.length} bytes`);
    // Step 3: both compared, in constant time, so timing does not say which differed.
    const nonceOk = constantTimeEqual(quote.clientNonce, this.nonce);
    const keyOk = constantTimeEqual(quote.clientPublicKey, this.publicKey);
    if (!(nonceOk & keyOk)) {
      throw fail('protocol.binding', '4.3.3', 'the quote is for another nonce or client key (replayed or relayed)');
    }
    pass('protocol.binding', 'the quote holds this session\'s nonce and client key');
    // Step 4.
    let nodeKey;
    try {
      nodeKey = await importPeerKey(quote.nodePublicKey);
    } catch {
      throw fail('protocol.node_key', '4.3.4', 'not a valid P-256 point');
    }
    pass('protocol.node_key', 'a valid P-256 point');
    // Steps 5-8.
    let report;
    try {
      report = await verifier.verify(response, quote, nowMs);
    } catch (e) {
      throw stepFailure('4.3.5', e && e.report);
    }
    if (!report || typeof report.ok !== 'function' || !report.ok()) {
      const failed = report && typeof report.firstFailure === 'function' ? report.firstFailure() : null;
      throw stepFailure(failed ? stepOfCheck(failed.name) : '4.3.5', report);
    }
    this.report = report;
    return deriveSession(Role.CLIENT, this.privateKey, nodeKey, response.quote, this.options);
  }
}

/** NodeHandshake is the node side of one handshake; use once. */
export class NodeHandshake {
  /** create makes a fresh non-extractable node key pair. */
  static async create(options = {}) {
    const pair = await generateKeyPair();
    return new NodeHandshake(pair.privateKey, pair.point, options);
  }

  /** createDeterministic uses a given key. WARNING: tests only. */
  static createDeterministic(key, options = {}) {
    return new NodeHandshake(key.privateKey, key.point, options);
  }

  constructor(privateKey, point, options) {
    this.privateKey = privateKey;
    this.publicKey = point;
    this.options = options;
    this.limits = validateLimits(options.limits);
  }

  /**
   * handleRequest returns {replyText, session, error}: replyText is always
   * set (attest_response, or an error message: unsupported_version for
   * another version, else session_failed); session on success, else
   * `error` (failed_precondition for a version mismatch or a second call,
   * internal for a signer that does not bind this session, else the
   * opaque error). `signer.sign(input)` resolves to {quote, signature,
   * certificateChain, evidence}.
   */
  async handleRequest(text, signer, nowMs) {
    if (!this.privateKey) {
      return { replyText: serializeErrorMessage('session_failed'), error: failedPrecondition('handshake already used') };
    }
    try {
      const [replyText, session] = await this.finish(text, signer, nowMs);
      return { replyText, session };
    } catch (e) {
      const versionMismatch = e instanceof CerumbraError && e.code === Code.FAILED_PRECONDITION;
      return { replyText: serializeErrorMessage(versionMismatch ? 'unsupported_version' : 'session_failed'), error: e };
    } finally {
      this.privateKey = null;
    }
  }

  async finish(text, signer, nowMs) {
    if (!(nowMs >= 0)) throw invalidArgument('nowMs must not be negative');
    if (typeof text !== 'string' || textSize(text) > this.limits.maxRequestFrame) throw rejected();
    let request;
    try {
      request = parseAttestRequest(text, this.limits.maxRequestFrame);
    } catch (e) {
      if (e instanceof CerumbraError && e.code === Code.FAILED_PRECONDITION) throw e;
      throw rejected();
    }
    if (!isValidPoint(request.clientPublicKey)) throw rejected();
    const clientKey = await importPeerKey(request.clientPublicKey);
    const input = {
      timestampMs: BigInt(nowMs),
      clientNonce: request.nonce,
      clientPublicKey: request.clientPublicKey,
      nodePublicKey: this.publicKey,
    };
    let signed;
    try {
      signed = await signer.sign(input);
    } catch (e) {
      const err = new CerumbraError(Code.INTERNAL, 'quote signer failed');
      err.cause = e;
      throw err;
    }
    const bug = () => new CerumbraError(Code.INTERNAL, 'quote signer returned a bad quote');
    let quote;
    try {
      quote = parseQuote(signed.quote);
    } catch {
      throw bug();
    }
    if (quote.timestampMs !== input.timestampMs || !equal(quote.clientNonce, input.clientNonce) ||
        !equal(quote.clientPublicKey, input.clientPublicKey) || !equal(quote.nodePublicKey, input.nodePublicKey) ||
        !equal(await sha384(signed.evidence), quote.evidenceDigest)) {
      throw bug();
    }
    let replyText;
    try {
      replyText = serializeAttestResponse(signed);
    } catch {
      throw bug();
    }
    if (textSize(replyText) > this.limits.maxResponseFrame) {
      throw new CerumbraError(Code.INTERNAL, 'attest_response exceeds the response limit');
    }
    const session = await deriveSession(Role.NODE, this.privateKey, clientKey, signed.quote, this.options);
    return [replyText, session];
  }
}
