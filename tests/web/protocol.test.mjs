// Copyright 2026 The Cerumbra Authors.
//
// Unit tests of the protocol modules beyond the shared vectors:
// base64url strictness (§1), the strict JSON reader, the quote parser's
// canonical form (§4.1), handshake message shapes (§3), record layer and
// session rules (§6).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decode, encode } from '../../web/js/protocol/base64url.js';
import { concat, constantTimeEqual, fromHex, toHex, utf8 } from '../../web/js/protocol/bytes.js';
import { Code } from '../../web/js/protocol/errors.js';
import { generateKeyPair, isValidPoint } from '../../web/js/protocol/ec.js';
import { JsonDecimal, parse } from '../../web/js/protocol/json.js';
import { deriveSessionKeys } from '../../web/js/protocol/key_schedule.js';
import {
  parseAttestRequest, parseAttestResponse, parseErrorMessage, serializeAttestRequest, serializeAttestResponse,
} from '../../web/js/protocol/messages.js';
import { MAX_QUOTE_SIZE, encodeQuote, parseQuote } from '../../web/js/protocol/quote.js';
import { RecvChannel, SendChannel } from '../../web/js/protocol/record_layer.js';
import { Role, Session, SessionState } from '../../web/js/protocol/session.js';
import { ContentType, MAX_PAYLOAD_SIZE, paddedPlaintextSize } from '../../web/js/protocol/wire.js';

test('base64url decodes only canonical unpadded text', () => {
  for (let n = 0; n < 40; ++n) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    assert.equal(toHex(decode(encode(bytes))), toHex(bytes));
  }
  assert.equal(encode(fromHex('fbff')), '-_8');
  for (const bad of ['AA==', 'AA=', 'A', 'AB+/', 'AB/_', 'AB C', 'AB\n', 'AF', 'AAB', 'é', 'AAAAA']) {
    assert.throws(() => decode(bad), (e) => e.code === Code.INVALID_ARGUMENT, bad);
  }
  assert.equal(toHex(decode('AA')), '00');
  assert.equal(toHex(decode('AAE')), '0001');
});

test('the JSON reader is strict', () => {
  assert.throws(() => parse('{"a":1,"a":2}'));
  assert.throws(() => parse('{"x":{"a":1,"a":2}}'));
  assert.throws(() => parse('{"a":1,}'));
  assert.throws(() => parse('{"a":1} x'));
  assert.throws(() => parse('{"a":"\\ud800"}'));
  assert.throws(() => parse('{"a":"\u0001"}'));
  assert.throws(() => parse('// c\n{}'));
  assert.throws(() => parse('{"a":01}'));
  assert.throws(() => parse('['.repeat(33) + ']'.repeat(33)));
  assert.equal(parse('['.repeat(32) + ']'.repeat(32)).length, 1);
  assert.equal(parse('{"version":1}').version, 1);
  assert.ok(parse('{"version":1.0}').version instanceof JsonDecimal);
  assert.ok(parse('{"version":1e0}').version instanceof JsonDecimal);
  assert.equal(typeof parse('18446744073709551615'), 'bigint');
  assert.equal(parse('{"__proto__":{"x":1}}').x, undefined);
  assert.equal(parse('"\\ud83d\\ude00"'), '😀');
});

function sampleQuote() {
  return {
    evidenceType: 1,
    timestampMs: 1767225600000n,
    clientNonce: new Uint8Array(32).fill(1),
    clientPublicKey: new Uint8Array(65).fill(2),
    nodePublicKey: new Uint8Array(65).fill(3),
    evidenceDigest: new Uint8Array(48).fill(4),
    measurements: [{ name: 'config', value: new Uint8Array(48).fill(5) }, { name: 'web', value: new Uint8Array(48).fill(6) }],
  };
}

test('the quote parser accepts exactly the canonical encoding', () => {
  const bytes = encodeQuote(sampleQuote());
  assert.equal(toHex(encodeQuote(parseQuote(bytes))), toHex(bytes));
  const mutate = (offset, value) => {
    const b = bytes.slice();
    b[offset] = value;
    return b;
  };
  const bad = [
    mutate(0, 0x44), // magic
    mutate(5, 2), // version
    mutate(6, 3), // evidence type
    mutate(6, 0),
    mutate(7, 1), // reserved
    mutate(226, 0), // count 0
    mutate(226, 3), // count past the data
    mutate(227, 0), // empty name
    mutate(228, 0x41), // upper-case name character
    concat(bytes, Uint8Array.of(0)), // trailing byte
    bytes.subarray(0, bytes.length - 1), // truncated
    bytes.subarray(0, 226),
  ];
  for (const b of bad) assert.throws(() => parseQuote(b), (e) => e.code === Code.INVALID_ARGUMENT);
  const q = sampleQuote();
  q.measurements.reverse();
  assert.throws(() => encodeQuote(q), /unsorted/);
  q.measurements = [q.measurements[0], q.measurements[0]];
  assert.throws(() => encodeQuote(q), /unsorted or duplicate/);
  // Unsorted bytes built by hand fail to parse.
  const swapped = concat(bytes.subarray(0, 227), bytes.subarray(227 + 1 + 6 + 1 + 48), bytes.subarray(227, 227 + 1 + 6 + 1 + 48));
  assert.throws(() => parseQuote(swapped));
  assert.equal(MAX_QUOTE_SIZE, 4387);
});

test('handshake messages: exact members, sizes and types', () => {
  const req = serializeAttestRequest({ nonce: new Uint8Array(32), clientPublicKey: new Uint8Array(65).fill(4) });
  assert.equal(parseAttestRequest(req).nonce.length, 32);
  assert.equal(parseAttestRequest(` ${req.replace(',', ' , ')} `).nonce.length, 32);
  const obj = JSON.parse(req);
  const variants = [
    { ...obj, extra: 1 },
    { ...obj, nonce: encode(new Uint8Array(31)) },
    { ...obj, nonce: encode(new Uint8Array(32)) + '=' },
    { ...obj, type: 'attest_response' },
  ];
  for (const v of variants) assert.throws(() => parseAttestRequest(JSON.stringify(v)), (e) => e.code === Code.INVALID_ARGUMENT);
  assert.throws(() => parseAttestRequest(req.replace('"version":1', '"version":1.0')), (e) => e.code === Code.INVALID_ARGUMENT);
  assert.throws(() => parseAttestRequest(req.replace('"version":1', '"version":7')), (e) => e.code === Code.FAILED_PRECONDITION);
  assert.throws(() => parseAttestRequest(req.replace('{', `{"pad":"${'x'.repeat(1024)}",`)), /too large/);
  assert.throws(() => parseAttestRequest(req.replace('"nonce"', '"nonce":"AA","nonce"')));

  const response = { quote: encodeQuote(sampleQuote()), signature: new Uint8Array(64), certificateChain: [Uint8Array.of(1)], evidence: new Uint8Array(0) };
  const text = serializeAttestResponse(response);
  assert.equal(serializeAttestResponse(parseAttestResponse(text)), text);
  assert.throws(() => parseAttestResponse(text.replace('"certificate_chain":[', '"certificate_chain":[],"x":[')));
  assert.throws(() => parseAttestResponse(text.replace(/"certificate_chain":\[[^\]]*\]/, '"certificate_chain":[]')));
  assert.throws(() => parseAttestResponse(text.replace(/"certificate_chain":\[[^\]]*\]/, `"certificate_chain":[${'"AQ",'.repeat(8)}"AQ"]`)));
  assert.throws(() => parseAttestResponse(text.replace(/"signature":"[^"]*"/, '"signature":"AA"')));
  assert.equal(parseErrorMessage('{"type":"error","error":"session_failed"}').code, 'session_failed');
  assert.throws(() => parseErrorMessage('{"type":"error","error":"other"}'));
  assert.throws(() => parseErrorMessage('{"type":"error","error":"unsupported_version","supported_versions":[0]}'));
});

test('points are validated before Web Crypto sees them', async () => {
  const { point } = await generateKeyPair();
  assert.ok(isValidPoint(point));
  assert.equal(isValidPoint(flip(point, 64)), false);
  assert.equal(isValidPoint(concat(Uint8Array.of(3), point.subarray(1, 33))), false);
  const p = 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff';
  assert.equal(isValidPoint(fromHex(`04${p}${'00'.repeat(32)}`)), false);
  assert.equal(isValidPoint(new Uint8Array(65)), false);
});

function flip(bytes, i) {
  const out = bytes.slice();
  out[i] ^= 1;
  return out;
}

test('constant-time comparison', () => {
  assert.equal(constantTimeEqual(fromHex('0102'), fromHex('0102')), true);
  assert.equal(constantTimeEqual(fromHex('0102'), fromHex('0103')), false);
  assert.equal(constantTimeEqual(fromHex('01'), fromHex('0102')), false);
});

async function sessionPair(options = {}) {
  const keys = await deriveSessionKeys(new Uint8Array(32).fill(9), new Uint8Array(32), { extractable: true });
  const clone = async () => {
    const s = globalThis.crypto.subtle;
    const imp = async (k) => s.importKey('raw', await s.exportKey('raw', k), { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
    return { c2s: await imp(keys.c2s), s2c: await imp(keys.s2c), sessionId: keys.sessionId };
  };
  return {
    client: await Session.create(Role.CLIENT, await clone(), options),
    node: await Session.create(Role.NODE, await clone(), options),
  };
}

test('padded frames have exactly the bucket sizes', async () => {
  assert.deepEqual([0, 59, 60, 251, 252, MAX_PAYLOAD_SIZE].map((n) => paddedPlaintextSize(n, true)), [64, 64, 256, 256, 1024, 16384]);
  const keys = await deriveSessionKeys(new Uint8Array(32).fill(1), new Uint8Array(32));
  const sender = await SendChannel.create(keys.c2s, keys.sessionId);
  for (const [n, size] of [[1, 64], [59, 64], [60, 256], [4091, 4096], [MAX_PAYLOAD_SIZE, 16384]]) {
    const frame = await sender.seal(ContentType.DATA, new Uint8Array(n).fill(7));
    assert.equal(frame.length, 10 + size + 16);
  }
  await assert.rejects(sender.seal(ContentType.DATA, new Uint8Array(0)), (e) => e.code === Code.INVALID_ARGUMENT);
  await assert.rejects(sender.seal(ContentType.DATA, Uint8Array.of(1)), (e) => e.code === Code.FAILED_PRECONDITION);
});

test('a conversation with automatic key updates, CANCEL and CLOSE', async () => {
  const { client, node } = await sessionPair({ limits: { recordsPerKey: 3 } });
  const deliver = async (frames, to) => {
    const events = [];
    for (const f of frames) events.push(...(await to.receive(f)));
    return events;
  };
  for (let turn = 0; turn < 5; ++turn) {
    const events = await deliver(await client.sendMessage(utf8(`prompt ${turn}`)), node);
    assert.deepEqual(events.map((e) => e.type), ['data', 'end']);
    const answer = await deliver(await node.sendMessage(utf8('x'.repeat(20000)), '{"finish_reason":"stop"}'), client);
    assert.equal(answer.filter((e) => e.type === 'data').reduce((n, e) => n + e.bytes.length, 0), 20000);
    assert.equal(answer[answer.length - 1].type, 'end');
  }
  const cancel = await deliver(await client.sendCancel(), node);
  assert.deepEqual(cancel.map((e) => e.type), ['cancel']);
  const requested = await deliver(await client.requestKeyUpdate(), node);
  assert.deepEqual(requested.map((e) => e.type), ['send']);
  await deliver(requested.map((e) => e.bytes), client);
  const closing = await deliver(await client.close(), node);
  assert.deepEqual(closing.map((e) => e.type), ['close', 'send']);
  assert.deepEqual((await deliver([closing[1].bytes], client)).map((e) => e.type), ['close']);
  assert.equal(client.state, SessionState.CLOSED);
  await client.connectionEnded();
});

test('misuse fails the session: CANCEL from the node, sending after CLOSE, CANCEL inside a message', async () => {
  let { client, node } = await sessionPair();
  await assert.rejects(node.sendCancel(), (e) => e.code === Code.FAILED_PRECONDITION);
  assert.equal(node.state, SessionState.FAILED);
  ({ client, node } = await sessionPair());
  await client.sendData(utf8('half'));
  await assert.rejects(client.sendCancel(), (e) => e.code === Code.FAILED_PRECONDITION);
  ({ client, node } = await sessionPair());
  await client.close();
  await assert.rejects(client.sendData(utf8('late')), (e) => e.code === Code.FAILED_PRECONDITION);
  await assert.rejects(client.sendEnd('[]'), (e) => e.code === Code.FAILED_PRECONDITION);
});

test('a failed receiver rejects even valid frames and releases nothing', async () => {
  const { client, node } = await sessionPair();
  const frames = await client.sendMessage(utf8('secret prompt'));
  const tampered = frames[0].slice();
  tampered[20] ^= 1;
  await assert.rejects(node.receive(tampered), (e) => e.code === Code.UNAUTHENTICATED && e.message === 'session failed');
  await assert.rejects(node.receive(frames[0]), (e) => e.code === Code.FAILED_PRECONDITION);
});

test('concurrent receive calls are processed in order', async () => {
  const { client, node } = await sessionPair();
  const frames = [];
  for (let i = 0; i < 10; ++i) frames.push(...(await client.sendData(utf8(`part ${i} `))));
  frames.push(...(await client.sendEnd()));
  const results = await Promise.all(frames.map((f) => node.receive(f)));
  const text = results.flat().filter((e) => e.type === 'data').map((e) => new TextDecoder().decode(e.bytes)).join('');
  assert.equal(text, Array.from({ length: 10 }, (_, i) => `part ${i} `).join(''));
});

test('a receive channel never opens seq 2^64 - 1 and fails after any error', async () => {
  const keys = await deriveSessionKeys(new Uint8Array(32).fill(3), new Uint8Array(32));
  const receiver = await RecvChannel.create(keys.c2s, keys.sessionId);
  await assert.rejects(receiver.open(new Uint8Array(20)), (e) => e.code === Code.UNAUTHENTICATED);
  await assert.rejects(receiver.open(new Uint8Array(40)), (e) => e.code === Code.FAILED_PRECONDITION);
});
