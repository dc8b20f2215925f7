// Copyright 2026 The Cerumbra Authors.
//
// The page's client (web/js/client.js) end to end against a JavaScript node
// behind a fake WebSocket (fake_node.mjs): handshake with the page's
// verifier and policy, streamed answers, CANCEL, reset, CLOSE, strict mode,
// pins, tampering and truncation. The end-to-end tests in Chromium against
// the real node come with the node.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CerumbraClient } from '../../web/js/client.js';
import { fromJson, fromUrl, hasUrlPolicy, isStrict, makePolicy } from '../../web/js/attest/policy.js';
import { QuoteVerifier, SIMULATED_LABEL } from '../../web/js/attest/verifier.js';
import { toHex, utf8 } from '../../web/js/protocol/bytes.js';
import { sha384 } from '../../web/js/protocol/quote.js';
import { FakeNode, KEY_USAGE, makeSigner, makeSimulatedCa } from './fake_node.mjs';
import { makeSyntheticGpu, makeSyntheticRoot, sessionEvidence } from './nvidia_synthetic.mjs';

// waitFor polls until `condition()` holds (the machine may be busy).
async function waitFor(condition, what, timeoutMs = 10000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// setup runs against a simulated node; the policy accepts simulated
// evidence unless `policy` says otherwise (the default policy is strict).
async function setup({ policy = {}, nodeOptions = {}, signerOptions = {}, caOptions = {} } = {}) {
  const ca = await makeSimulatedCa(Date.now(), caOptions);
  const signer = await makeSigner(ca, signerOptions);
  const node = new FakeNode({ signer, ...nodeOptions });
  const log = [];
  const states = [];
  const attestations = [];
  const texts = [];
  const verifier = new QuoteVerifier(makePolicy({ quoteRoots: [{ sha256: ca.rootFingerprint }], acceptSimulated: true, ...policy }));
  const client = new CerumbraClient({
    url: 'ws://node.test/ws',
    verifier,
    WebSocketImpl: node.WebSocket,
    closeTimeoutMs: 1000,
    onLog: (e) => log.push(e),
    onState: (s, info) => states.push([s, info]),
    onAttestation: (a) => attestations.push(a),
    onText: (t) => texts.push(t),
  });
  return { ca, signer, node, client, verifier, log, states, attestations, texts };
}

test('connect, attest, chat with streaming, reset, cancel and close', async () => {
  const t = await setup({ nodeOptions: { answer: () => ['Hel', 'lo ', 'wörld'] } });
  await t.client.connect();
  assert.equal(t.client.state, 'established');
  const [attestation] = t.attestations;
  assert.equal(attestation.report.ok(), true);
  assert.deepEqual(attestation.report.checks.map((c) => c.name), [
    'quote.chain', 'quote.signature', 'quote.evidence_digest', 'evidence.type', 'policy.key_protection', 'policy.timestamp']);
  assert.equal(attestation.report.checks[3].detail, SIMULATED_LABEL);
  assert.equal(attestation.report.checks[4].detail,
    'none (simulated): session keys NOT hardware-protected (accepted: accept_simulated)');
  assert.deepEqual(attestation.details.keyProtection, { text: 'none (simulated)', hardware: false });
  assert.equal(attestation.details.chain.length, 2);
  assert.match(attestation.fingerprint, /^[0-9a-f]{16}$/);

  const answer = await t.client.chat('a secret prompt', { max_tokens: 16, temperature: 0.5 });
  assert.equal(answer.text, 'Hello wörld');
  assert.deepEqual(t.texts, ['Hel', 'lo ', 'wörld']);
  assert.equal(answer.end.finishReason, 'stop');
  assert.equal(answer.end.usage.completionTokens, 3);
  const second = await t.client.chat('again');
  assert.equal(second.text, 'Hello wörld');
  await t.client.reset();
  await t.client.cancel();
  await waitFor(() => t.node.cancelled, 'the CANCEL');
  await t.client.disconnect();
  assert.equal(t.client.state, 'closed');
  assert.deepEqual(t.states[t.states.length - 1], ['closed', { by: 'client' }]);

  // The log has types, sizes and sequence numbers only.
  const text = JSON.stringify(t.log);
  assert.ok(!text.includes('secret'), 'no plaintext in the log');
  assert.ok(!text.includes('wörld'));
  const sentRecords = t.log.filter((e) => e.direction === 'sent' && e.type === 'record');
  assert.deepEqual(sentRecords.map((e) => e.seq), sentRecords.map((_, i) => String(i)));
  assert.ok(sentRecords.every((e) => [90, 282, 1050].includes(e.size)), 'padded to buckets');
  assert.ok(t.log.some((e) => e.direction === 'received' && e.contentType === 'CLOSE'));
});

test('strict mode refuses simulated evidence and sends nothing', async () => {
  const t = await setup({ policy: { acceptSimulated: false } });
  await assert.rejects(t.client.connect());
  assert.equal(t.client.state, 'failed');
  assert.match(t.client.reason, /policy\.key_protection.*none \(simulated\): session keys NOT hardware-protected; refused by the strict policy/);
  assert.deepEqual(t.attestations[0].report.checks.map((c) => [c.name, c.passed]).slice(-2),
    [['evidence.type', true], ['policy.key_protection', false]]);
  await waitFor(() => t.node.received.length === 2, 'the error message');
  assert.equal(t.node.received.filter((m) => typeof m !== 'string').length, 0, 'no record sent');
  assert.deepEqual(t.node.received.map((m) => JSON.parse(m).type), ['attest_request', 'error']);
});

test('the default policy is strict: simulated and GPU-only evidence are refused', async () => {
  const p = makePolicy();
  assert.equal(p.acceptSimulated, false);
  assert.equal(p.acceptGpuOnlyEvidence, false);
  assert.equal(isStrict(p), true);
  assert.throws(() => makePolicy({ strict: false }), /not strict/);
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca) });
  const client = new CerumbraClient({
    url: 'ws://node.test/ws',
    verifier: new QuoteVerifier(makePolicy({ quoteRoots: [{ sha256: ca.rootFingerprint }] })),
    WebSocketImpl: node.WebSocket,
  });
  await assert.rejects(client.connect());
  assert.match(client.reason, /policy\.key_protection/);
  assert.equal(node.received.filter((m) => typeof m !== 'string').length, 0, 'no record sent');
});

test('the quote-signing leaf must have keyUsage digitalSignature (quote.chain)', async () => {
  for (const [keyUsage, detail] of [
    [KEY_USAGE.keyAgreement, /lacks digitalSignature key usage/],
    [null, /lacks digitalSignature key usage/],
    [KEY_USAGE.digitalSignatureAndKeyCertSign, /has keyCertSign key usage/],
  ]) {
    const t = await setup({ caOptions: { leafKeyUsage: keyUsage } });
    await assert.rejects(t.client.connect());
    assert.match(t.client.reason, /quote\.chain/);
    const f = t.attestations[0].report.firstFailure();
    assert.equal(f.name, 'quote.chain');
    assert.match(f.detail, detail);
    assert.equal(t.node.received.filter((m) => typeof m !== 'string').length, 0);
  }
});

test('GPU evidence only: refused by default and with accept_simulated, accepted by acceptGpuOnlyEvidence and labelled', async () => {
  const root = await makeSyntheticRoot();
  const gpu = await makeSyntheticGpu(root);
  const signerOptions = { evidenceType: 2, makeEvidence: sessionEvidence([gpu]) };
  const nvidia = { nvidiaRoots: [{ der: root.der }] };
  for (const policy of [{ acceptSimulated: false }, { acceptSimulated: true }]) {
    const t = await setup({ policy: { ...nvidia, ...policy }, signerOptions });
    await assert.rejects(t.client.connect());
    const f = t.attestations[0].report.firstFailure();
    assert.equal(f.name, 'policy.key_protection');
    assert.match(f.detail, /^none \(GPU evidence only\): session keys NOT hardware-protected; refused by the strict policy \(set accept_gpu_only_evidence/);
    assert.ok(t.attestations[0].report.checks.some((c) => c.name === 'nvidia.gpu0.report.signature' && c.passed));
    assert.equal(t.node.received.filter((m) => typeof m !== 'string').length, 0);
  }
  const t = await setup({ policy: { ...nvidia, acceptSimulated: false, acceptGpuOnlyEvidence: true }, signerOptions });
  await t.client.connect();
  assert.equal(t.client.state, 'established');
  const [a] = t.attestations;
  assert.deepEqual(a.details.keyProtection, { text: 'none (GPU evidence only)', hardware: false });
  const kp = a.report.checks.find((c) => c.name === 'policy.key_protection');
  assert.equal(kp.detail, 'none (GPU evidence only): session keys NOT hardware-protected (accepted: accept_gpu_only_evidence)');
  assert.ok(a.report.checks.findIndex((c) => c.name === 'policy.key_protection') > a.report.checks.findIndex((c) => c.name === 'evidence.type'));
  await t.client.chat('hi');
  await t.client.disconnect();
});

test('an unpinned or wrong root fails at quote.chain and shows the fingerprint', async () => {
  let t = await setup({ policy: { quoteRoots: [] } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /quote\.chain.*no quote root is pinned/);
  assert.equal(t.attestations[0].details.unpinnedRoot, t.ca.rootFingerprint);
  t = await setup({ policy: { quoteRoots: [{ sha256: 'ab'.repeat(32) }] } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /quote\.chain/);
});

test('pinned measurements must match', async () => {
  const good = toHex(await sha384(utf8('web')));
  let t = await setup({ policy: { measurements: [['web', (await sha384(utf8('web')))]] } });
  await t.client.connect();
  assert.ok(t.attestations[0].report.checks.some((c) => c.name === 'policy.measurement.web' && c.passed));
  await t.client.disconnect();
  t = await setup({ policy: { measurements: [['web', new Uint8Array(48)]] } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /policy\.measurement\.web/);
  t = await setup({ policy: { measurements: [['gpu', new Uint8Array(48)]] } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /missing/);
  assert.ok(good.length === 96);
});

test('an old or future quote fails the timestamp policy', async () => {
  let t = await setup({ nodeOptions: { clockOffsetMs: -10 * 60 * 1000 } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /policy\.timestamp/);
  t = await setup({ nodeOptions: { clockOffsetMs: 2 * 60 * 1000 } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /policy\.timestamp/);
});

test('a tampered record fails the session opaquely and rejects the pending answer', async () => {
  const t = await setup({
    nodeOptions: {
      tamper: (frame, i) => {
        if (i !== 1) return frame;
        const f = frame.slice();
        f[f.length - 1] ^= 1;
        return f;
      },
      answer: () => ['one', 'two', 'three'],
    },
  });
  await t.client.connect();
  const texts = [];
  await assert.rejects(t.client.chat('hi'), /opaque/);
  assert.equal(t.client.state, 'failed');
  assert.deepEqual(texts, []);
  assert.deepEqual(t.texts, ['one'], 'only what verified before the bad record');
});

test('a connection that ends inside a response is reported as truncated', async () => {
  const t = await setup({ nodeOptions: { dropAfterFrames: 1, answer: () => ['a', 'b', 'c'] } });
  await t.client.connect();
  await assert.rejects(t.client.chat('hi'), /truncated/);
  assert.equal(t.client.state, 'failed');
});

test('policy JSON and URL parameters', () => {
  const p = fromJson(JSON.stringify({
    format: 'cerumbra-client-policy-v1', strict: true, quote_roots: [{ sha256: 'AB:'.repeat(31) + 'AB' }],
    measurements: { web: 'aa'.repeat(48) }, max_age_ms: 1000,
  }));
  assert.equal(isStrict(p), true);
  assert.equal(p.quoteRoots[0].sha256, 'ab'.repeat(32));
  assert.equal(p.measurements.get('web').length, 48);
  assert.equal(p.maxAgeMs, 1000);
  assert.equal(p.nvidiaRoots.length, 1);
  assert.throws(() => fromJson('{"format":"cerumbra-client-policy-v1","x":1}'), /unknown/);
  assert.throws(() => fromJson('{"format":"other"}'));
  assert.throws(() => fromJson('{"format":"cerumbra-client-policy-v1","strict":"yes"}'));
  assert.throws(() => fromJson('{"format":"cerumbra-client-policy-v1","measurements":{"Web":"aa"}}'));
  const u = fromUrl(new URLSearchParams(`?server=ws://x/ws&strict=1&root=${'cd'.repeat(32)}&pin.model=${'11'.repeat(48)}`));
  assert.equal(isStrict(u), true);
  assert.equal(u.quoteRoots[0].sha256, 'cd'.repeat(32));
  assert.equal(u.measurements.get('model').length, 48);
  assert.throws(() => fromUrl(new URLSearchParams('?pin.model=xyz')));
});

test('policy: strict by default in every format; accept_gpu_only_evidence only from a file, by that name', () => {
  const client = (o) => fromJson(JSON.stringify({ format: 'cerumbra-client-policy-v1', ...o }));
  const flags = (p) => [p.acceptSimulated, p.acceptGpuOnlyEvidence];
  assert.deepEqual(flags(client({})), [false, false]);
  assert.deepEqual(flags(client({ strict: true })), [false, false]);
  assert.deepEqual(flags(client({ strict: false })), [true, false], 'strict false accepts simulated, never GPU-only');
  assert.deepEqual(flags(client({ accept_gpu_only_evidence: true })), [false, true]);
  assert.deepEqual(flags(client({ strict: false, accept_gpu_only_evidence: true })), [true, true]);
  assert.throws(() => client({ strict: true, accept_gpu_only_evidence: true }), /strict refuses GPU-only/);
  assert.throws(() => client({ accept_gpu_only_evidence: 1 }), /boolean/);
  const node = (o) => fromJson(JSON.stringify({ format: 'cerumbra-policy-v1', ...o }));
  assert.deepEqual(flags(node({})), [false, false]);
  assert.deepEqual(flags(node({ accept_simulated: true })), [true, false]);
  assert.deepEqual(flags(node({ accept_gpu_only_evidence: true })), [false, true]);
  assert.deepEqual(flags(node({ accept_simulated: false, accept_gpu_only_evidence: false })), [false, false]);
  assert.throws(() => node({ accept_gpu_only_evidence: 'true' }), /boolean/);
  const url = (q) => fromUrl(new URLSearchParams(q));
  assert.deepEqual(flags(url('')), [false, false]);
  assert.deepEqual(flags(url('?root=' + 'ab'.repeat(32))), [false, false]);
  assert.deepEqual(flags(url('?accept_simulated=1')), [true, false]);
  assert.deepEqual(flags(url('?strict=0')), [true, false]);
  assert.deepEqual(flags(url('?strict=1')), [false, false]);
  assert.deepEqual(flags(url('?accept_gpu_only_evidence=1')), [false, false], 'not from a URL');
  assert.throws(() => url('?strict=1&accept_simulated=1'), /contradict/);
  assert.throws(() => url('?accept_simulated=maybe'));
  assert.equal(hasUrlPolicy(new URLSearchParams('?server=ws://x/ws')), false);
  for (const q of ['?root=ab', '?pin.web=00', '?strict=0', '?accept_simulated=1', '?max_age_ms=5']) {
    assert.equal(hasUrlPolicy(new URLSearchParams(q)), true, q);
  }
});

test('the node may close first: the client answers CLOSE and ends cleanly', async () => {
  const t = await setup();
  await t.client.connect();
  await t.client.chat('hi');
  await t.node.closeSession();
  await waitFor(() => t.client.state === 'closed' && t.node.session.state === 'closed', 'both closed');
  assert.equal(t.client.state, 'closed');
  assert.deepEqual(t.states[t.states.length - 1], ['closed', { by: 'node' }]);
  assert.equal(t.node.session.state, 'closed', 'the node got our CLOSE');
  const sent = t.log.filter((e) => e.direction === 'sent');
  assert.equal(sent[sent.length - 1].note, 'answer');
});

test('a bad_request answer, a text frame after the handshake and a response without request fail or report clearly', async () => {
  const { parseResponseEnd } = await import('../../web/js/protocol/conversation.js');
  assert.deepEqual(parseResponseEnd(utf8('{"error":"bad_request"}')), { finishReason: 'error', usage: null, error: 'bad_request' });
  assert.throws(() => parseResponseEnd(utf8('{"error":"context_full"}')));
  assert.throws(() => parseResponseEnd(utf8('{"finish_reason":"done"}')));
  assert.throws(() => parseResponseEnd(utf8('')));
  const t = await setup();
  await t.client.connect();
  t.node.toClient('{"type":"error","error":"session_failed"}');
  await waitFor(() => t.client.state === 'failed', 'the failure');
  assert.equal(t.client.state, 'failed');
  assert.match(t.client.reason, /the node reported an error/);
});

test('nvidia-gpu evidence must be bound to the session: a genuine report for another nonce fails at §4.3.7', async () => {
  const { encodeNvidiaEvidence } = await import('../../web/js/attest/nvidia_evidence.js');
  const { readChain, readReport, SAMPLES } = await import('./testdata.mjs');
  const { fromHex } = await import('../../web/js/protocol/bytes.js');
  const evidence = encodeNvidiaEvidence({
    nonce: fromHex('931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb'),
    gpus: [{ index: 0, architecture: 'hopper', report: readReport(SAMPLES.hopper.report), certificateChain: readChain(SAMPLES.hopper.chain) }],
  });
  const t = await setup({ signerOptions: { evidenceType: 2, evidence } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /nvidia\.evidence\.nonce/);
  const [attestation] = t.attestations;
  assert.equal(attestation.step, '4.3.7');
  assert.deepEqual(attestation.report.checks.map((c) => [c.name, c.passed]), [
    ['quote.chain', true], ['quote.signature', true], ['quote.evidence_digest', true],
    ['nvidia.evidence.parse', true], ['nvidia.evidence.nonce', false]]);
});

test('simulated evidence must be empty, and unknown evidence bytes fail', async () => {
  const t = await setup({ signerOptions: { evidence: Uint8Array.of(1, 2, 3) } });
  await assert.rejects(t.client.connect());
  assert.match(t.client.reason, /evidence\.type.*empty/);
  const u = await setup({ signerOptions: { evidenceType: 2, evidence: Uint8Array.of(1, 2, 3) } });
  await assert.rejects(u.client.connect());
  assert.match(u.client.reason, /nvidia\.evidence\.parse/);
});

test('stop: CANCEL during a streamed answer ends it with finish_reason cancelled', async () => {
  const t = await setup({ nodeOptions: { chunkDelayMs: 15, answer: () => Array.from({ length: 200 }, (_, i) => `t${i} `) } });
  await t.client.connect();
  const answer = t.client.chat('long please');
  await waitFor(() => t.texts.length >= 2, 'the first chunks');
  await t.client.cancel();
  const { text, end } = await answer;
  assert.equal(end.finishReason, 'cancelled');
  assert.ok(end.usage.completionTokens < 200);
  assert.equal(text.split(' ').length - 1, end.usage.completionTokens);
  // The session goes on.
  t.node.chunkDelayMs = 0;
  const next = await t.client.chat('next');
  assert.equal(next.end.finishReason, 'stop');
  await t.client.disconnect();
  assert.equal(t.client.state, 'closed');
});
