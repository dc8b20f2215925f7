// Copyright 2026 The Cerumbra Authors.
//
// The JavaScript client against the protocol vectors that the C++ code
// passes (tests/vectors/protocol/*.json), mirroring
// src/protocol/vectors_test.cc: every derived value is recomputed from the
// inputs, the signature is verified, every record is sealed and opened, the
// conversations are replayed on real sessions of both roles, and every
// negative case is rejected at its step. Fails when a file is missing.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { fromHex, toHex, utf8, u64be, concat } from '../../web/js/protocol/bytes.js';
import { Code, CerumbraError } from '../../web/js/protocol/errors.js';
import { importPrivateScalarForTesting, isValidPoint, sharedSecret, importPeerKey } from '../../web/js/protocol/ec.js';
import { ClientHandshake, NodeHandshake } from '../../web/js/protocol/handshake.js';
import {
  deriveSessionKeys, deriveTrafficKeys, exportForTesting, fingerprint, importTrafficSecretForTesting, nextTrafficSecret,
} from '../../web/js/protocol/key_schedule.js';
import { parseAttestResponse } from '../../web/js/protocol/messages.js';
import { encodeQuote, gpuNonce, parseQuote, sha384, transcriptHash } from '../../web/js/protocol/quote.js';
import { RecvChannel, SendChannel, recordNonce } from '../../web/js/protocol/record_layer.js';
import { Role, Session, SessionState } from '../../web/js/protocol/session.js';
import {
  ContentType, MAX_RECORD_FRAME_SIZE, MIN_RECORD_FRAME_SIZE, PLAINTEXT_HEADER_SIZE, RECORD_HEADER_SIZE,
} from '../../web/js/protocol/wire.js';
import { Report } from '../../web/js/attest/report.js';
import { parseCertificate } from '../../web/js/x509/certificate.js';
import { importVerifyKey, verifyP1363 } from '../../web/js/x509/ecdsa.js';

const subtle = globalThis.crypto.subtle;
const here = path.dirname(fileURLToPath(import.meta.url));
const VECTORS = path.resolve(here, '../vectors/protocol');
const FILES = ['handshake.json', 'records.json', 'key_update.json', 'end_records.json', 'negative.json'];

function load(name) {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8'));
}

// ---------------------------------------------------------------------------
// The handshake, recomputed from handshake.json's inputs.

async function loadHandshake() {
  const file = load('handshake.json');
  const { inputs, expected } = file;
  const client = await importPrivateScalarForTesting(fromHex(inputs.client_private_key));
  const node = await importPrivateScalarForTesting(fromHex(inputs.node_private_key));
  const attestation = await importPrivateScalarForTesting(fromHex(inputs.attestation_private_key),
    { name: 'ECDSA', namedCurve: 'P-256' });
  const evidence = fromHex(inputs.evidence);
  const quote = encodeQuote({
    evidenceType: inputs.evidence_type,
    timestampMs: BigInt(inputs.timestamp_ms),
    clientNonce: fromHex(inputs.client_nonce),
    clientPublicKey: client.point,
    nodePublicKey: node.point,
    evidenceDigest: await sha384(evidence),
    measurements: inputs.measurements.map((m) => ({ name: m.name, value: fromHex(m.value) })),
  });
  const shared = await sharedSecret(client.privateKey, await importPeerKey(node.point));
  const sharedHex = toHex(shared);
  const keys = await deriveSessionKeys(shared, await transcriptHash(quote), { extractable: true });
  const raw = {
    c2s: await exportForTesting(keys.c2s),
    s2c: await exportForTesting(keys.s2c),
    sessionId: keys.sessionId,
  };
  return {
    file, inputs, expected, client, node, attestation, quote, sharedHex, raw,
    // copyKeys returns fresh traffic-secret keys for one Session.
    async copyKeys() {
      return {
        c2s: await importTrafficSecretForTesting(raw.c2s),
        s2c: await importTrafficSecretForTesting(raw.s2c),
        sessionId: raw.sessionId.slice(),
      };
    },
    secret(c2s) {
      return importTrafficSecretForTesting(c2s ? raw.c2s : raw.s2c);
    },
    newClient(options = {}) {
      const handshake = ClientHandshake.createDeterministic(client, fromHex(inputs.client_nonce), options);
      handshake.start();
      return handshake;
    },
  };
}

// VectorVerifier is §4.3 steps 5-7 for the vectors: certificate_chain[0]
// must parse and carry the pinned attestation key, which must have signed
// the quote; the evidence digest must match.
class VectorVerifier {
  constructor(pinnedPoint) {
    this.pinned = pinnedPoint;
    this.calls = 0;
  }

  async verify(response, quote) {
    ++this.calls;
    const report = new Report();
    const leaf = parseCertificate(response.certificateChain[0]);
    if (toHex(leaf.publicKey.point) !== toHex(this.pinned) || leaf.publicKey.curve !== 'P-256') {
      report.fail('quote.chain', 'unpinned key');
      return report;
    }
    report.pass('quote.chain', 'the pinned attestation key');
    const key = await importVerifyKey(leaf.publicKey);
    if (!(await verifyP1363(key, 'P-256', response.signature, response.quote))) {
      report.fail('quote.signature', 'bad signature');
      return report;
    }
    report.pass('quote.signature');
    if (toHex(await sha384(response.evidence)) !== toHex(quote.evidenceDigest)) {
      report.fail('quote.evidence_digest', 'mismatch');
      return report;
    }
    report.pass('quote.evidence_digest');
    return report;
  }
}

// ---------------------------------------------------------------------------
// Records

async function rawTrafficKeys(secretBytes) {
  const secret = await importTrafficSecretForTesting(secretBytes);
  const { key, iv } = await deriveTrafficKeys(secret, { extractable: true });
  return { key, iv, keyBytes: await exportForTesting(key) };
}

async function nextSecretBytes(secretBytes) {
  const next = await nextTrafficSecret(await importTrafficSecretForTesting(secretBytes), { extractable: true });
  return exportForTesting(next);
}

function aadFor(seq, sessionId) {
  return concat(Uint8Array.of(1, 0x17), u64be(seq), sessionId);
}

async function openWithNonce(key, iv, seq, frame, sessionId) {
  try {
    return new Uint8Array(await subtle.decrypt(
      { name: 'AES-GCM', iv: recordNonce(iv, seq), additionalData: concat(frame.subarray(0, 10), sessionId) },
      key, frame.subarray(RECORD_HEADER_SIZE)));
  } catch {
    return null;
  }
}

// checkRecord checks one described record against its generation's secret:
// nonce, aad, that the frame opens to `plaintext` and re-seals to `frame`,
// and that the plaintext holds content_type and payload with zero padding.
async function checkRecord(record, secretBytes, sessionId) {
  const seq = BigInt(record.seq);
  const frame = fromHex(record.frame);
  const plaintext = fromHex(record.plaintext);
  assert.ok(frame.length >= MIN_RECORD_FRAME_SIZE);
  const { key, iv } = await rawTrafficKeys(secretBytes);
  assert.equal(toHex(recordNonce(iv, seq)), record.nonce);
  const header = concat(Uint8Array.of(1, 0x17), u64be(seq));
  assert.equal(toHex(frame.subarray(0, 10)), toHex(header));
  assert.equal(toHex(aadFor(seq, sessionId)), record.aad);
  const opened = await openWithNonce(key, iv, seq, frame, sessionId);
  assert.ok(opened, `seq ${record.seq} opens`);
  assert.equal(toHex(opened), record.plaintext);
  const resealed = new Uint8Array(await subtle.encrypt(
    { name: 'AES-GCM', iv: recordNonce(iv, seq), additionalData: aadFor(seq, sessionId) }, key, plaintext));
  assert.equal(toHex(resealed), toHex(frame.subarray(RECORD_HEADER_SIZE)));
  assert.equal(plaintext[0], record.content_type);
  const length = new DataView(plaintext.buffer).getUint32(1);
  assert.ok(length + PLAINTEXT_HEADER_SIZE <= plaintext.length);
  assert.equal(toHex(plaintext.subarray(5, 5 + length)), record.payload);
  assert.ok(plaintext.subarray(5 + length).every((b) => b === 0));
}

function describeEvent(event) {
  switch (event.type) {
    case 'data': return { type: 'data', payload: toHex(event.bytes) };
    case 'end': return { type: 'end', payload: toHex(event.bytes) };
    case 'cancel': return { type: 'cancel' };
    case 'close': return { type: 'close' };
    case 'send': return { type: 'send', frame: toHex(event.bytes) };
    default: throw new Error(`unknown event ${event.type}`);
  }
}

// replay runs a conversation file: performs `actions` on a client and a node
// session, delivers every frame at once (and reactions back), and checks the
// frames and receiver events against `records`, each record also with its
// generation's secret.
async function replay(h, file, options) {
  const client = await Session.create(Role.CLIENT, await h.copyKeys(), options);
  const node = await Session.create(Role.NODE, await h.copyKeys(), options);
  const records = file.records;
  let next = 0;
  const secrets = [h.raw.c2s, h.raw.s2c];
  const generations = [0, 0];

  const deliver = async (fromClient, frame) => {
    assert.ok(next < records.length, 'more frames than records');
    const record = records[next++];
    const d = fromClient ? 0 : 1;
    assert.equal(record.direction, fromClient ? 'c2s' : 's2c');
    assert.equal(toHex(frame), record.frame, `record ${next - 1}`);
    assert.equal(record.generation, generations[d]);
    await checkRecord(record, secrets[d], h.raw.sessionId);
    if (record.content_type === ContentType.KEY_UPDATE) {
      secrets[d] = await nextSecretBytes(secrets[d]);
      ++generations[d];
    }
    const to = fromClient ? node : client;
    const events = await to.receive(frame);
    assert.deepEqual(events.map(describeEvent), record.receiver_events, `record ${next - 1}`);
    for (const e of events) if (e.type === 'send') await deliver(!fromClient, e.bytes);
  };

  for (const action of file.actions) {
    const session = action.actor === 'client' ? client : node;
    const payload = fromHex(action.payload);
    const text = new TextDecoder().decode(payload);
    let frames;
    switch (action.call) {
      case 'send_data': frames = await session.sendData(payload); break;
      case 'send_end': frames = await session.sendEnd(text); break;
      case 'request_key_update': frames = await session.requestKeyUpdate(); break;
      case 'cancel': frames = await session.sendCancel(); break;
      case 'close': frames = await session.close(); break;
      default: assert.fail(`unknown call ${action.call}`);
    }
    for (const f of frames) await deliver(action.actor === 'client', f);
  }
  assert.equal(next, records.length, 'records left over');
  return { client, node };
}

// ---------------------------------------------------------------------------
// Tests

test('every vector file is present and known', () => {
  const found = fs.readdirSync(VECTORS).filter((n) => n.endsWith('.json')).sort();
  assert.deepEqual(found, [...FILES].sort());
  for (const name of FILES) {
    const file = load(name);
    assert.ok(file.description.length > 0, name);
    assert.ok(file.spec.length > 0, name);
  }
});

test('handshake values follow from the inputs', async () => {
  const h = await loadHandshake();
  const e = h.expected;
  assert.equal(toHex(h.client.point), e.client_public_key);
  assert.equal(toHex(h.node.point), e.node_public_key);
  assert.equal(toHex(h.attestation.point), e.attestation_public_key);

  // The request text, byte for byte.
  const handshake = ClientHandshake.createDeterministic(h.client, fromHex(h.inputs.client_nonce));
  assert.equal(handshake.start(), e.attest_request);

  const quote = parseQuote(h.quote);
  assert.equal(toHex(h.quote), e.quote);
  assert.equal(toHex(encodeQuote(quote)), e.quote);
  assert.equal(toHex(quote.evidenceDigest), e.evidence_digest);
  assert.equal(toHex(await gpuNonce(quote.clientNonce, quote.clientPublicKey, quote.nodePublicKey)), e.gpu_nonce);
  assert.equal(toHex(await transcriptHash(h.quote)), e.transcript_hash);
  assert.equal(h.sharedHex, e.shared_secret);
  const nodeShared = await sharedSecret(h.node.privateKey, await importPeerKey(h.client.point));
  assert.equal(toHex(nodeShared), e.shared_secret);
  assert.equal(toHex(h.raw.c2s), e.c2s_secret);
  assert.equal(toHex(h.raw.s2c), e.s2c_secret);
  assert.equal(toHex(h.raw.sessionId), e.session_id);
  const c2s = await rawTrafficKeys(h.raw.c2s);
  const s2c = await rawTrafficKeys(h.raw.s2c);
  assert.equal(toHex(c2s.keyBytes), e.c2s_key);
  assert.equal(toHex(c2s.iv), e.c2s_iv);
  assert.equal(toHex(s2c.keyBytes), e.s2c_key);
  assert.equal(toHex(s2c.iv), e.s2c_iv);
  const session = await Session.create(Role.CLIENT, await h.copyKeys());
  assert.equal(session.fingerprint, e.fingerprint);
  assert.equal(fingerprint(h.raw.sessionId), e.fingerprint);
});

test('handshake response verifies on both ends', async () => {
  const h = await loadHandshake();
  const responseText = h.file.randomized.attest_response;
  const response = parseAttestResponse(responseText);
  assert.equal(toHex(response.quote), toHex(h.quote));

  // The client accepts it: signature by the certificate's (pinned) key.
  const client = h.newClient();
  const verifier = new VectorVerifier(h.attestation.point);
  const session = await client.handleResponse(responseText, verifier, h.inputs.timestamp_ms);
  assert.equal(verifier.calls, 1);
  assert.equal(session.fingerprint, h.expected.fingerprint);
  assert.equal(client.privateKey, null, 'the ephemeral key is dropped');

  // The node, given the same signed quote, sends exactly that text.
  const signer = { sign: async () => response };
  const node = NodeHandshake.createDeterministic(h.node);
  const result = await node.handleRequest(h.expected.attest_request, signer, h.inputs.timestamp_ms);
  assert.equal(result.error, undefined);
  assert.equal(result.replyText, responseText);
  assert.equal(result.session.fingerprint, h.expected.fingerprint);
});

test('records seal and open exactly', async () => {
  const h = await loadHandshake();
  const file = load('records.json');
  assert.equal(file.session_id, toHex(h.raw.sessionId));
  assert.equal(file.c2s_secret, toHex(h.raw.c2s));
  assert.equal(file.s2c_secret, toHex(h.raw.s2c));
  let count = 0;
  for (const sequence of file.sequences) {
    const c2s = sequence.direction === 'c2s';
    const options = { pad: sequence.padding };
    const sender = await SendChannel.create(await h.secret(c2s), h.raw.sessionId, options);
    const receiver = await RecvChannel.create(await h.secret(c2s), h.raw.sessionId, options);
    for (const record of sequence.records) {
      await checkRecord(record, c2s ? h.raw.c2s : h.raw.s2c, h.raw.sessionId);
      const payload = fromHex(record.payload);
      const frame = await sender.seal(record.content_type, payload);
      assert.equal(toHex(frame), record.frame, `${sequence.name}, seq ${record.seq}`);
      const opened = await receiver.open(fromHex(record.frame));
      assert.equal(opened.type, record.content_type);
      assert.equal(toHex(opened.payload), record.payload);
      ++count;
    }
  }
  assert.ok(count >= 10);
});

test('key update conversation replays exactly', async () => {
  const h = await loadHandshake();
  const file = load('key_update.json');
  for (const c2s of [true, false]) {
    let secret = c2s ? h.raw.c2s : h.raw.s2c;
    const list = file.generations[c2s ? 'c2s' : 's2c'];
    assert.ok(list.length > 0);
    for (const g of list) {
      const keys = await rawTrafficKeys(secret);
      assert.equal(g.secret, toHex(secret));
      assert.equal(g.key, toHex(keys.keyBytes));
      assert.equal(g.iv, toHex(keys.iv));
      secret = await nextSecretBytes(secret);
    }
  }
  const { client, node } = await replay(h, file, { limits: { recordsPerKey: file.records_per_key } });
  assert.equal(client.state, SessionState.ESTABLISHED);
  assert.equal(node.state, SessionState.ESTABLISHED);
});

test('end records conversation replays exactly', async () => {
  const h = await loadHandshake();
  const file = load('end_records.json');
  const { client, node } = await replay(h, file, {});
  assert.equal(file.final_state, 'closed');
  assert.equal(client.state, SessionState.CLOSED);
  assert.equal(node.state, SessionState.CLOSED);
  await client.connectionEnded();
  await node.connectionEnded();
});

// checkRecordStep checks that frame `at` of a record case fails at `step`
// and nowhere earlier, by running each layer on its own.
async function checkRecordStep(h, c, frames, at, step) {
  const c2s = c.receiver === 'node';
  const budget = c.records_per_key;
  if (step === 'truncation') {
    assert.equal(at, frames.length);
    return;
  }
  assert.ok(at < frames.length);
  const frame = frames[at];
  const headerOk = frame.length >= MIN_RECORD_FRAME_SIZE && frame.length <= MAX_RECORD_FRAME_SIZE &&
    frame[0] === 1 && frame[1] === 0x17;
  assert.equal(headerOk, step !== 'frame');
  if (step === 'frame') return;
  let seq = 0n;
  for (let i = 0; i < 8; ++i) seq = (seq << 8n) | BigInt(frame[2 + i]);
  assert.equal(seq === BigInt(at), step !== 'seq');
  if (step === 'seq') return;
  const { key, iv } = await rawTrafficKeys(c2s ? h.raw.c2s : h.raw.s2c);
  const tagOk = (await openWithNonce(key, iv, seq, frame, h.raw.sessionId)) !== null;
  assert.equal(tagOk, step !== 'decrypt');
  if (step === 'decrypt') return;
  const channelAccepts = async (channelBudget) => {
    const channel = await RecvChannel.create(await h.secret(c2s), h.raw.sessionId, { recordsPerKey: channelBudget });
    for (let i = 0; i <= at; ++i) {
      try {
        await channel.open(frames[i]);
      } catch {
        return false;
      }
    }
    return true;
  };
  assert.equal(await channelAccepts(budget), step === 'session');
  if (step === 'key_budget') assert.equal(await channelAccepts(budget + 1), true);
}

test('negative cases are rejected at their step', async (t) => {
  const h = await loadHandshake();
  const file = load('negative.json');
  const nowMs = h.inputs.timestamp_ms;
  const steps = new Set();
  let count = 0;
  for (const c of file.cases) {
    ++count;
    await t.test(c.name, async () => {
      if (c.kind === 'records') {
        assert.equal(c.expected, 'reject');
        const options = { limits: { recordsPerKey: c.records_per_key, maxMessage: c.max_message } };
        const role = c.receiver === 'node' ? Role.NODE : Role.CLIENT;
        const session = await Session.create(role, await h.copyKeys(), options);
        const frames = c.frames.map(fromHex);
        const at = c.reject_at;
        steps.add(c.step);
        for (let i = 0; i < frames.length; ++i) {
          let error = null;
          try {
            await session.receive(frames[i]);
          } catch (e) {
            error = e;
          }
          assert.equal(error === null, i < at, `frame ${i}`);
          if (error) {
            assert.ok(error instanceof CerumbraError);
            assert.equal(error.code, Code.UNAUTHENTICATED);
            assert.equal(error.message, 'session failed');
            assert.equal(session.state, SessionState.FAILED);
            // A failed session rejects even the next frame.
            await assert.rejects(session.receive(frames[0]), (e) => e.code === Code.FAILED_PRECONDITION);
            break;
          }
        }
        if (at === frames.length) {
          assert.ok('connection_ends' in c);
          await assert.rejects(session.connectionEnded(), (e) => e.code === Code.UNAUTHENTICATED);
        }
        await checkRecordStep(h, c, frames, at, c.step);
      } else if (c.kind === 'attest_response') {
        assert.equal(c.expected, 'reject');
        const text = c.attest_response;
        const step = c.step;
        steps.add(step);
        const client = h.newClient();
        const verifier = new VectorVerifier(h.attestation.point);
        let error = null;
        try {
          await client.handleResponse(text, verifier, nowMs);
        } catch (e) {
          error = e;
        }
        assert.ok(error instanceof CerumbraError, 'rejected');
        assert.equal(error.code, Code.UNAUTHENTICATED);
        // Steps 1-4 are the protocol's: the verifier is never asked.
        assert.equal(verifier.calls, step < '4.3.5' ? 0 : 1);
        assert.equal(error.step, step);
        // The page's list of steps 1-4 ends with the failed one (or all passed).
        const failed = client.checks.filter((x) => !x.passed).map((x) => x.name);
        const names = { '4.3.1': 'protocol.response', '4.3.2': 'protocol.quote', '4.3.3': 'protocol.binding', '4.3.4': 'protocol.node_key' };
        assert.deepEqual(failed, names[step] ? [names[step]] : []);
        // And the earlier steps pass.
        let response = null;
        try {
          response = parseAttestResponse(text);
        } catch { /* checked below */ }
        assert.equal(response !== null, step !== '4.3.1');
        if (step === '4.3.1') return;
        let quote = null;
        try {
          quote = parseQuote(response.quote);
        } catch { /* checked below */ }
        assert.equal(quote !== null, step !== '4.3.2');
        if (step === '4.3.2') return;
        const bound = toHex(quote.clientNonce) === h.inputs.client_nonce &&
          toHex(quote.clientPublicKey) === h.expected.client_public_key;
        assert.equal(bound, step !== '4.3.3');
        if (step === '4.3.3') return;
        assert.equal(isValidPoint(quote.nodePublicKey), step !== '4.3.4');
        if (step === '4.3.4') return;
        const key = await subtle.importKey('raw', h.attestation.point, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
        assert.equal(await verifyP1363(key, 'P-256', response.signature, response.quote), step !== '4.3.6');
      } else if (c.kind === 'attest_request') {
        assert.equal(c.expected, 'unsupported_version');
        steps.add('unsupported_version');
        const node = NodeHandshake.createDeterministic(h.node);
        const signer = { sign: async () => assert.fail('signer called') };
        const result = await node.handleRequest(c.attest_request, signer, nowMs);
        assert.equal(result.session, undefined);
        assert.equal(result.error.code, Code.FAILED_PRECONDITION);
        assert.equal(result.replyText, c.reply);
      } else {
        assert.fail(`unknown kind ${c.kind}`);
      }
    });
  }
  assert.ok(count >= 20);
  assert.deepEqual([...steps].sort(), [
    'frame', 'seq', 'decrypt', 'plaintext', 'key_budget', 'session', 'truncation', '4.3.1', '4.3.2', '4.3.3',
    '4.3.4', '4.3.6', '4.3.7', 'unsupported_version'].sort());
});

test('a client answers an unsupported_version error with failed_precondition', async () => {
  const h = await loadHandshake();
  const client = h.newClient();
  await assert.rejects(
    client.handleResponse('{"type":"error","error":"unsupported_version","supported_versions":[1]}', new VectorVerifier(h.attestation.point), 0),
    (e) => e.code === Code.FAILED_PRECONDITION);
});

test('utf8 helper round trip', () => {
  assert.equal(toHex(utf8('é')), 'c3a9');
});
