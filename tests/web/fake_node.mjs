// Copyright 2026 The Cerumbra Authors.
//
// Test-only: a simulated CA (X.509 DER written by hand and signed with Web
// Crypto), a quote signer, and a node in JavaScript (NodeHandshake +
// Session) behind a fake WebSocket, so the page's client (web/js/client.js)
// runs end to end in Node without the C++ node.

import { concat, utf8 } from '../../web/js/protocol/bytes.js';
import { NodeHandshake } from '../../web/js/protocol/handshake.js';
import { encodeQuote, sha384 } from '../../web/js/protocol/quote.js';

const subtle = globalThis.crypto.subtle;

// --- a minimal DER writer -------------------------------------------------
function len(n) {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes = [];
  while (n > 0) {
    bytes.unshift(n & 255);
    n >>= 8;
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}
const tlv = (tag, ...parts) => {
  const body = concat(...parts);
  return concat(Uint8Array.of(tag), len(body.length), body);
};
const seq = (...p) => tlv(0x30, ...p);
const set = (...p) => tlv(0x31, ...p);
function oid(text) {
  const arcs = text.split('.').map(BigInt);
  const out = [];
  const push = (v) => {
    const bytes = [Number(v & 0x7fn)];
    v >>= 7n;
    while (v > 0n) {
      bytes.unshift(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(...bytes);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}
function integer(bytes) {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && !(b[1] & 0x80)) b = b.subarray(1);
  if (b[0] & 0x80) b = concat(Uint8Array.of(0), b);
  return tlv(0x02, b);
}
const utcTime = (ms) => {
  const d = new Date(ms).toISOString();
  return tlv(0x17, utf8(d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10) + d.slice(11, 13) + d.slice(14, 16) + d.slice(17, 19) + 'Z'));
};
const name = (cn) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, utf8(cn)))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const ECDSA_SHA384 = seq(oid('1.2.840.10045.4.3.3'));

function p1363ToDer(sig) {
  const half = sig.length / 2;
  return seq(integer(sig.subarray(0, half)), integer(sig.subarray(half)));
}

// KEY_USAGE: BIT STRING contents (unused bits, bytes) of common keyUsage values.
export const KEY_USAGE = Object.freeze({
  digitalSignature: Uint8Array.of(7, 0x80),
  keyCertSignCrlSign: Uint8Array.of(1, 0x06),
  caWithDigitalSignature: Uint8Array.of(1, 0x86),
  keyAgreement: Uint8Array.of(3, 0x08),
  digitalSignatureAndKeyCertSign: Uint8Array.of(2, 0x84),
});

/**
 * makeCertificate writes and signs one certificate. Options: subject,
 * issuer, spki (DER), signingKey (ECDSA P-256 or P-384 private key; the
 * signature is SHA-256 or SHA-384 with it), ca, keyCertSign (default = ca),
 * keyUsage (BIT STRING contents, see KEY_USAGE, or null for no keyUsage;
 * default: keyCertSign+cRLSign+digitalSignature for a CA, digitalSignature
 * otherwise), pathLength, extraExtension (DER of one Extension), notBefore,
 * notAfter, serial (a number < 2^31 or bytes), outerAlgorithm (DER, to
 * break the inner/outer equality).
 */
export async function makeCertificate({
  subject, issuer, spki, signingKey, ca, keyCertSign = ca, keyUsage, pathLength = null, extraExtension = null,
  notBefore, notAfter, serial, outerAlgorithm,
}) {
  const p384 = signingKey.algorithm.namedCurve === 'P-384';
  const algorithm = p384 ? ECDSA_SHA384 : ECDSA_SHA256;
  const bc = ca
    ? seq(oid('2.5.29.19'), tlv(0x01, Uint8Array.of(0xff)), tlv(0x04, seq(tlv(0x01, Uint8Array.of(0xff)),
      ...(pathLength === null ? [] : [integer(Uint8Array.of(pathLength))]))))
    : null;
  const usage = keyUsage === undefined
    ? (keyCertSign ? KEY_USAGE.caWithDigitalSignature : KEY_USAGE.digitalSignature)
    : keyUsage;
  const ku = usage ? seq(oid('2.5.29.15'), tlv(0x01, Uint8Array.of(0xff)), tlv(0x04, tlv(0x03, usage))) : null;
  const present = [bc, ku, extraExtension].filter(Boolean);
  const serialBytes = serial instanceof Uint8Array
    ? serial
    : Uint8Array.of(serial >>> 24, (serial >>> 16) & 255, (serial >>> 8) & 255, serial & 255);
  const tbs = seq(
    tlv(0xa0, integer(Uint8Array.of(2))),
    integer(serialBytes),
    algorithm,
    name(issuer),
    seq(utcTime(notBefore), utcTime(notAfter)),
    name(subject),
    spki,
    ...(present.length ? [tlv(0xa3, seq(...present))] : []));
  const sig = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: p384 ? 'SHA-384' : 'SHA-256' }, signingKey, tbs));
  return seq(tbs, outerAlgorithm || algorithm, tlv(0x03, concat(Uint8Array.of(0), p1363ToDer(sig))));
}

/** newKey returns {privateKey, spki} for ECDSA P-256 (or `curve`). */
export async function newKey(curve = 'P-256') {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, false, ['sign', 'verify']);
  return { privateKey: pair.privateKey, spki: new Uint8Array(await subtle.exportKey('spki', pair.publicKey)) };
}

export { oid, seq, tlv };

/**
 * makeSimulatedCa returns {root, leaf, attestationKey, rootFingerprint}.
 * The leaf (the quote-signing certificate) has keyUsage digitalSignature,
 * as the node's simulated CA; `leafKeyUsage` overrides it (tests of
 * quote.chain).
 */
export async function makeSimulatedCa(now = Date.now(), { leafKeyUsage } = {}) {
  const params = { name: 'ECDSA', namedCurve: 'P-256' };
  const rootKey = await subtle.generateKey(params, false, ['sign', 'verify']);
  const leafKey = await subtle.generateKey(params, false, ['sign', 'verify']);
  const rootSpki = new Uint8Array(await subtle.exportKey('spki', rootKey.publicKey));
  const leafSpki = new Uint8Array(await subtle.exportKey('spki', leafKey.publicKey));
  const day = 86400000;
  const root = await makeCertificate({ subject: 'Cerumbra Simulated Root', issuer: 'Cerumbra Simulated Root', spki: rootSpki, signingKey: rootKey.privateKey, ca: true, notBefore: now - day, notAfter: now + 365 * day, serial: 1 });
  const leaf = await makeCertificate({ subject: 'Cerumbra Node Quote Key', issuer: 'Cerumbra Simulated Root', spki: leafSpki, signingKey: rootKey.privateKey, ca: false, keyUsage: leafKeyUsage, notBefore: now - day, notAfter: now + 30 * day, serial: 2 });
  const digest = new Uint8Array(await subtle.digest('SHA-256', root));
  const rootFingerprint = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return { root, leaf, attestationKey: leafKey.privateKey, rootFingerprint };
}

export const MEASUREMENT_NAMES = ['config', 'executable', 'model', 'web'];

/**
 * makeSigner returns a QuoteSigner (simulated, or with the given evidence
 * type and bytes; `makeEvidence(input)` computes the evidence per session,
 * e.g. NVIDIA evidence for the session's gpu_nonce).
 */
export async function makeSigner(ca, { evidenceType = 1, evidence: fixedEvidence = new Uint8Array(0), makeEvidence = null } = {}) {
  const measurements = [];
  for (const n of MEASUREMENT_NAMES) measurements.push({ name: n, value: await sha384(utf8(n)) });
  return {
    measurements,
    async sign(input) {
      const evidence = makeEvidence ? await makeEvidence(input) : fixedEvidence;
      const quote = encodeQuote({
        evidenceType,
        timestampMs: input.timestampMs,
        clientNonce: input.clientNonce,
        clientPublicKey: input.clientPublicKey,
        nodePublicKey: input.nodePublicKey,
        evidenceDigest: await sha384(evidence),
        measurements,
      });
      const signature = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ca.attestationKey, quote));
      return { quote, signature, certificateChain: [ca.leaf, ca.root], evidence };
    },
  };
}

/**
 * FakeNode: a JavaScript node behind a fake WebSocket class. `answer(prompt)`
 * returns the response chunks. Records what it received (`received`).
 * `tamper(frame, index)` may alter each outgoing binary frame.
 */
export class FakeNode {
  constructor({ signer, answer = (p) => [`echo: ${p}`], tamper = null, dropAfterFrames = null, clockOffsetMs = 0, chunkDelayMs = 0 }) {
    this.chunkDelayMs = chunkDelayMs;
    this.clockOffsetMs = clockOffsetMs;
    this.signer = signer;
    this.answer = answer;
    this.tamper = tamper;
    this.dropAfterFrames = dropAfterFrames;
    this.received = [];
    this.sentFrames = 0;
    this.cancelled = false;
    const node = this;
    this.WebSocket = class {
      constructor(url) {
        this.url = url;
        this.readyState = 0;
        node.socket = this;
        node.session = null; // one session per connection
        node.failed = false;
        node.message = null;
        setTimeout(() => {
          this.readyState = 1;
          this.onopen && this.onopen();
        }, 0);
      }

      send(data) {
        if (this.readyState !== 1) return; // browsers discard data sent while closing
        const copy = typeof data === 'string' ? data : new Uint8Array(data).slice();
        // Messages of an earlier connection never reach a later session.
        setTimeout(() => node.socket === this && node.onClientMessage(copy), 0);
      }

      close(code) {
        if (this.readyState === 3) return;
        this.readyState = 3;
        setTimeout(() => this.onclose && this.onclose({ code }), 0);
      }
    };
  }

  /** closeSession sends the node's own CLOSE (shutdown, idle timeout). */
  async closeSession() {
    for (const f of await this.session.close()) this.toClient(f);
  }

  toClient(data) {
    if (!this.socket || this.socket.readyState !== 1) return;
    if (typeof data !== 'string') {
      if (this.dropAfterFrames !== null && this.sentFrames >= this.dropAfterFrames) {
        this.socket.close(1006);
        return;
      }
      let frame = data;
      if (this.tamper) frame = this.tamper(frame, this.sentFrames);
      ++this.sentFrames;
      const buffer = frame.slice().buffer;
      setTimeout(() => this.socket.onmessage && this.socket.onmessage({ data: buffer }), 0);
      return;
    }
    setTimeout(() => this.socket.onmessage && this.socket.onmessage({ data }), 0);
  }

  async onClientMessage(data) {
    this.received.push(data);
    this.chain = (this.chain || Promise.resolve()).then(() => this.handle(data));
    await this.chain;
  }

  async handle(data) {
    if (typeof data === 'string') {
      if (this.session || this.failed) return;
      const handshake = await NodeHandshake.create();
      const result = await handshake.handleRequest(data, this.signer, Date.now() + this.clockOffsetMs);
      this.toClient(result.replyText);
      if (result.session) this.session = result.session;
      else this.failed = true;
      return;
    }
    if (!this.session) return;
    let events;
    try {
      events = await this.session.receive(data);
    } catch {
      this.failed = true;
      return;
    }
    for (const e of events) {
      if (e.type === 'send') this.toClient(e.bytes);
      if (e.type === 'data') this.message = concat(this.message || new Uint8Array(0), e.bytes);
      if (e.type === 'cancel') this.cancelled = true;
      if (e.type === 'close') this.closedByClient = true;
      if (e.type === 'end') {
        const request = JSON.parse(new TextDecoder().decode(this.message || new Uint8Array(0)));
        this.message = null;
        if (request.type === 'reset') {
          for (const f of await this.session.sendEnd('{"finish_reason":"stop"}')) this.toClient(f);
          continue;
        }
        const chunks = this.answer(request.content);
        this.cancelled = false;
        // Stream outside the message chain, so a CANCEL can arrive meanwhile.
        this.streaming = (async () => {
          let sent = 0;
          for (const chunk of chunks) {
            if (this.cancelled) break;
            for (const f of await this.session.sendData(utf8(chunk))) this.toClient(f);
            ++sent;
            if (this.chunkDelayMs) await new Promise((r) => setTimeout(r, this.chunkDelayMs));
          }
          const reason = this.cancelled ? 'cancelled' : 'stop';
          const end = `{"finish_reason":"${reason}","usage":{"prompt_tokens":3,"completion_tokens":${sent}}}`;
          for (const f of await this.session.sendEnd(end)) this.toClient(f);
        })();
        if (!this.chunkDelayMs) await this.streaming;
      }
    }
  }
}
