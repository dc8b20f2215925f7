// Copyright 2026 The Cerumbra Authors.
//
// The page script (web/js/app.js) in Node with a minimal DOM (dom_shim.mjs)
// against the JavaScript test node: the panels follow the session, the
// answer streams into the transcript, the demo label shows, strict mode
// refuses, and nothing secret reaches the page's log or state panel.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { encode as b64encode } from '../../web/js/protocol/base64url.js';
import { makeDocument } from './dom_shim.mjs';
import { FakeNode, makeSigner, makeSimulatedCa } from './fake_node.mjs';
import { makeSyntheticGpu, makeSyntheticRoot, sessionEvidence } from './nvidia_synthetic.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const html = fs.readFileSync(path.resolve(here, '../../web/index.html'), 'utf8');
// waitFor polls until `condition()` holds (the machine may be busy).
async function waitFor(condition, what, timeoutMs = 10000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// loadPage loads the page at http://node.test/<search> with `node` behind
// its WebSocket; `opened` lists the URLs of the sockets the page opened,
// `fetched` the URLs it fetched.
async function loadPage(search, node, { fetchImpl = null } = {}) {
  const document = makeDocument(html);
  globalThis.document = document;
  globalThis.location = new URL(`http://node.test/${search}`);
  const opened = [];
  const fetched = [];
  document.opened = opened;
  document.fetched = fetched;
  globalThis.WebSocket = class extends node.WebSocket {
    constructor(url) {
      opened.push(url);
      super(url);
    }
  };
  globalThis.fetch = async (url, init) => {
    fetched.push(String(url));
    if (fetchImpl) return fetchImpl(url, init);
    return { ok: true, status: 200, json: async () => ({ status: 'ok', demo_model: true }) };
  };
  // A fresh module instance per page load.
  await import(`../../web/js/app.js?load=${Math.random()}`);
  return document;
}

test('the page connects, verifies, streams an answer, stops and disconnects', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca), answer: () => ['Random ', 'tokens'] });
  const d = await loadPage(`?root=${ca.rootFingerprint}&accept_simulated=1`, node);
  const $ = (id) => d.getElementById(id);
  assert.equal($('server-url').value, 'ws://node.test/ws');
  assert.equal($('strict').checked, false, 'accept_simulated=1 from the page\'s own origin applies');
  assert.equal($('link-notice').hidden, true);
  assert.equal($('prompt').disabled, true);
  assert.match($('policy-summary').textContent, /sha256:/);

  await $('connect-form').requestSubmit();
  await waitFor(() => /^connected|FAILED/.test($('status').textContent), 'the session');
  assert.match($('status').textContent, /^connected — encrypted session [0-9a-f]{16}$/);
  assert.equal($('state-client').textContent, 'generated');
  assert.equal($('state-node').textContent, 'verified');
  assert.equal($('state-secret').textContent, 'established');
  assert.match($('value-secret').textContent, /^session fingerprint [0-9a-f]{16} — /);
  assert.equal($('state-attestation').textContent, 'verified — NOT hardware-protected');
  assert.match($('value-attestation').textContent, /session keys NOT hardware-protected \(key protection: none \(simulated\)\)/);
  assert.equal($('evidence-banner').hidden, false);
  assert.match($('evidence-banner').textContent, /SIMULATED — NOT HARDWARE PROTECTED: session keys NOT hardware-protected/);
  // Colours follow key protection: the simulated style, nothing green.
  assert.equal($('evidence-banner').className, 'banner banner-simulated');
  for (const name of ['client', 'node', 'secret', 'attestation']) {
    assert.doesNotMatch($(`state-${name}`).className, /\bok\b/, `${name} badge is not green`);
  }
  assert.equal($('state-attestation').className, 'badge sim');
  assert.match($('value-secret').textContent, /session keys NOT hardware-protected/);
  assert.match($('checks').textContent, /ACCEPTED policy\.key_protection — none \(simulated\): session keys NOT hardware-protected/);
  assert.match($('checks').textContent, /PASS protocol\.binding/);
  assert.match($('checks').textContent, /PASS quote\.chain/);
  assert.equal($('measurements').children.length, 4);
  assert.equal($('chain').children.length, 2);
  assert.match($('model-label').textContent, /random weights/);
  assert.equal($('prompt').disabled, false);

  $('prompt').value = 'my private question';
  await $('chat-form').requestSubmit();
  await waitFor(() => /finish:/.test($('transcript').textContent), 'the answer');
  const transcript = $('transcript').textContent;
  assert.match(transcript, /my private question/);
  assert.match(transcript, /Random tokens/);
  assert.match(transcript, /random-weight demo output/);
  assert.match(transcript, /finish: stop/);

  await $('stop').click(); // no response running: the button is disabled, the click is harmless
  await $('disconnect').click();
  await waitFor(() => /closed|FAILED/.test($('status').textContent), 'the close');
  assert.match($('status').textContent, /closed by the client/);
  const log = $('log').textContent;
  assert.ok(log.length > 0);
  assert.doesNotMatch(log + $('value-secret').textContent, /private question|Random tokens/);
});

test('strict mode in the page refuses simulated evidence with the reason', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca) });
  const d = await loadPage(`?strict=1&root=${ca.rootFingerprint}`, node);
  const $ = (id) => d.getElementById(id);
  assert.equal($('strict').checked, true);
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the refusal');
  assert.equal($('status').textContent, 'FAILED');
  assert.match($('status-reason').textContent, /strict/);
  assert.match($('state-attestation').textContent, /FAILED/);
  assert.equal($('prompt').disabled, true);
  assert.equal(node.received.filter((m) => typeof m !== 'string').length, 0);
});

test('the page is strict by default: a simulated node is refused in red, with words', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca) });
  const d = await loadPage(`?root=${ca.rootFingerprint}`, node);
  const $ = (id) => d.getElementById(id);
  assert.equal($('strict').checked, true);
  assert.match($('policy-summary').textContent, /strict.*yes: only nodes whose session keys are protected by hardware/);
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the refusal');
  assert.match($('status-reason').textContent, /policy\.key_protection.*session keys NOT hardware-protected; refused by the strict policy/);
  assert.equal($('evidence-banner').className, 'banner banner-fail');
  assert.match($('evidence-banner').textContent, /^FAILED — the node was not accepted and nothing was sent\. policy\.key_protection/);
  assert.equal($('state-attestation').className, 'badge fail');
  assert.equal(node.received.filter((m) => typeof m !== 'string').length, 0);
  // Unchecking strict accepts simulated evidence (the demo) on reconnect.
  $('strict').checked = false;
  await $('strict').dispatch('change');
  await $('connect-form').requestSubmit();
  await waitFor(() => /^connected/.test($('status').textContent), 'the demo session');
  assert.equal($('evidence-banner').className, 'banner banner-simulated');
});

test('a link cannot point the page at another host and vouch for it', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca) });
  // The link names a foreign node and carries that node's root and the demo flag.
  const d = await loadPage(`?server=ws://evil.example:8443/ws&root=${ca.rootFingerprint}&pin.web=${'00'.repeat(48)}&accept_simulated=1`, node);
  const $ = (id) => d.getElementById(id);
  assert.equal($('server-url').value, 'ws://evil.example:8443/ws');
  assert.equal($('link-notice').hidden, false);
  assert.match($('link-notice').textContent, /evil\.example:8443 is not this page's origin: the trust anchors in the link .* were ignored/);
  assert.equal($('strict').checked, true, 'the link\'s accept_simulated does not apply');
  assert.match($('policy-summary').textContent, /the link's trust anchors were ignored/);
  assert.match($('policy-summary').textContent, /none pinned/);
  await $('connect-form').requestSubmit();
  // Nothing is opened until the person confirms, and the host is shown in full.
  assert.deepEqual(d.opened, []);
  assert.equal($('confirm-server').hidden, false);
  assert.equal($('confirm-host').textContent, 'evil.example:8443');
  assert.equal($('confirm-url').textContent, 'ws://evil.example:8443/ws');
  assert.match($('status').textContent, /confirm/);
  await $('confirm-cancel').click();
  assert.equal($('confirm-server').hidden, true);
  assert.deepEqual(d.opened, []);
  // Confirmed: it connects, but with none of the link's pins (fails closed).
  await $('connect-form').requestSubmit();
  await $('confirm-connect').click();
  await waitFor(() => $('status').textContent === 'FAILED', 'the unpinned failure');
  assert.deepEqual(d.opened, ['ws://evil.example:8443/ws']);
  assert.match($('status-reason').textContent, /quote\.chain.*no quote root is pinned/);
  assert.deepEqual(d.fetched, [], 'no /healthz fetch to another origin');
  assert.match($('model-label').textContent, /unknown/);
  // Pins from a policy file apply; the confirmed host is not asked again.
  const policy = JSON.stringify({ format: 'cerumbra-client-policy-v1', strict: false, quote_roots: [{ sha256: ca.rootFingerprint }] });
  $('policy-file').files = [{ size: policy.length, text: async () => policy }];
  await $('policy-file').dispatch('change');
  assert.match($('policy-summary').textContent, /policy file/);
  await $('connect-form').requestSubmit();
  await waitFor(() => /^connected|FAILED/.test($('status').textContent) && d.opened.length === 2, 'the second session');
  assert.match($('status').textContent, /^connected/);
  // Another URL typed in the box must be confirmed again.
  await $('disconnect').click();
  $('server-url').value = 'wss://other.example/ws';
  await $('server-url').dispatch('input');
  await $('connect-form').requestSubmit();
  assert.equal(d.opened.length, 2);
  assert.equal($('confirm-host').textContent, 'other.example:443');
});

test('a root typed by the person is pinned', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca) });
  const d = await loadPage('?accept_simulated=1', node);
  const $ = (id) => d.getElementById(id);
  $('root-pin').value = 'zz';
  await $('add-root-pin').click();
  assert.equal($('policy-error').hidden, false);
  $('root-pin').value = ca.rootFingerprint.toUpperCase().match(/../g).join(':');
  await $('add-root-pin').click();
  assert.match($('policy-summary').textContent, new RegExp(`sha256:${ca.rootFingerprint}`));
  await $('connect-form').requestSubmit();
  await waitFor(() => /^connected|FAILED/.test($('status').textContent), 'the session');
  assert.match($('status').textContent, /^connected/);
});

test('GPU evidence only: refused by default; accepted by a policy file\'s accept_gpu_only_evidence, in its own warning style', async () => {
  const ca = await makeSimulatedCa();
  const root = await makeSyntheticRoot();
  const gpu = await makeSyntheticGpu(root);
  const node = new FakeNode({ signer: await makeSigner(ca, { evidenceType: 2, makeEvidence: sessionEvidence([gpu]) }) });
  const d = await loadPage(`?root=${ca.rootFingerprint}&accept_simulated=1`, node);
  const $ = (id) => d.getElementById(id);
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the refusal');
  assert.match($('status-reason').textContent, /nvidia\.gpu0\.cert_chain/, 'the NVIDIA root is not the synthetic one yet');
  const policy = (extra) => JSON.stringify({
    format: 'cerumbra-client-policy-v1', quote_roots: [{ sha256: ca.rootFingerprint }], nvidia_roots: [{ der: b64encode(root.der) }], ...extra,
  });
  const load = async (text) => {
    $('policy-file').files = [{ size: text.length, text: async () => text }];
    await $('policy-file').dispatch('change');
  };
  await load(policy({}));
  assert.equal($('strict').checked, true);
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the strict refusal');
  assert.match($('status-reason').textContent, /policy\.key_protection.*none \(GPU evidence only\): session keys NOT hardware-protected/);
  assert.equal($('evidence-banner').className, 'banner banner-fail');
  // The strict box unchecked accepts simulated evidence, never GPU-only.
  $('strict').checked = false;
  await $('strict').dispatch('change');
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the refusal without accept_gpu_only_evidence');
  assert.match($('status-reason').textContent, /policy\.key_protection/);
  await load(policy({ accept_gpu_only_evidence: true }));
  assert.equal($('strict').checked, false);
  assert.match($('policy-summary').textContent, /GPU evidence only, accept_gpu_only_evidence \(session keys NOT hardware-protected\)/);
  await $('connect-form').requestSubmit();
  await waitFor(() => /^connected|FAILED/.test($('status').textContent), 'the GPU-only session');
  assert.match($('status').textContent, /^connected/);
  assert.equal($('evidence-banner').className, 'banner banner-gpu-only');
  assert.match($('evidence-banner').textContent, /^GPU EVIDENCE ONLY — session keys NOT hardware-protected\./);
  assert.equal($('state-attestation').textContent, 'verified — NOT hardware-protected');
  assert.equal($('state-attestation').className, 'badge gpu');
  assert.equal($('state-secret').className, 'badge gpu');
  assert.equal($('gpu-section').hidden, false);
  assert.match($('gpus').textContent, /single GPU passthrough/);
  // Checking strict again refuses it.
  await $('disconnect').click();
  $('strict').checked = true;
  await $('strict').dispatch('change');
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the strict refusal again');
});

test('the model label degrades to "unknown" when /healthz cannot be read', async () => {
  const ca = await makeSimulatedCa();
  for (const fetchImpl of [
    // A static server's JSON 404 is not the node's status.
    async () => ({ ok: false, status: 404, json: async () => ({ demo_model: false }) }),
    async () => ({ ok: false, status: 404, json: async () => { throw new Error('not JSON'); } }),
    async () => { throw new TypeError('network'); },
    async () => ({ ok: true, status: 200, json: async () => ({ status: 'ok' }) }),
  ]) {
    const node = new FakeNode({ signer: await makeSigner(ca) });
    const d = await loadPage(`?root=${ca.rootFingerprint}&accept_simulated=1`, node, { fetchImpl });
    const $ = (id) => d.getElementById(id);
    await $('connect-form').requestSubmit();
    await waitFor(() => /^connected|FAILED/.test($('status').textContent) && !$('model-label').hidden, 'the session');
    assert.match($('status').textContent, /^connected/);
    assert.match($('model-label').textContent, /^Model: unknown/);
    assert.deepEqual(d.fetched, ['http://node.test/healthz']);
  }
});

test('an unpinned root is shown for the person to pin, then the page reconnects', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca) });
  const d = await loadPage('?accept_simulated=1', node);
  const $ = (id) => d.getElementById(id);
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the failure');
  assert.equal($('root-trust').hidden, false);
  assert.equal($('root-fingerprint').textContent.replace(/:/g, ''), ca.rootFingerprint);
  await $('trust-root').click();
  await waitFor(() => /^connected/.test($('status').textContent), 'the second session');
  assert.match($('status').textContent, /^connected/);
});
