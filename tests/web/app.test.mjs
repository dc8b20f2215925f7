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

import { makeDocument } from './dom_shim.mjs';
import { FakeNode, makeSigner, makeSimulatedCa } from './fake_node.mjs';

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

async function loadPage(search, node) {
  const document = makeDocument(html);
  globalThis.document = document;
  globalThis.location = new URL(`http://node.test/${search}`);
  globalThis.WebSocket = node.WebSocket;
  globalThis.fetch = async () => ({ json: async () => ({ status: 'ok', demo_model: true }) });
  // A fresh module instance per page load.
  await import(`../../web/js/app.js?load=${Math.random()}`);
  return document;
}

test('the page connects, verifies, streams an answer, stops and disconnects', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca), answer: () => ['Random ', 'tokens'] });
  const d = await loadPage(`?root=${ca.rootFingerprint}`, node);
  const $ = (id) => d.getElementById(id);
  assert.equal($('server-url').value, 'ws://node.test/ws');
  assert.equal($('prompt').disabled, true);
  assert.match($('policy-summary').textContent, /sha256:/);

  await $('connect-form').requestSubmit();
  await waitFor(() => /^connected|FAILED/.test($('status').textContent), 'the session');
  assert.match($('status').textContent, /^connected — encrypted session [0-9a-f]{16}$/);
  assert.equal($('state-client').textContent, 'generated');
  assert.equal($('state-node').textContent, 'verified');
  assert.equal($('state-secret').textContent, 'established');
  assert.match($('value-secret').textContent, /^session fingerprint [0-9a-f]{16}$/);
  assert.equal($('state-attestation').textContent, 'verified');
  assert.equal($('evidence-banner').hidden, false);
  assert.match($('evidence-banner').textContent, /SIMULATED — NOT HARDWARE PROTECTED/);
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

test('an unpinned root is shown for the person to pin, then the page reconnects', async () => {
  const ca = await makeSimulatedCa();
  const node = new FakeNode({ signer: await makeSigner(ca) });
  const d = await loadPage('', node);
  const $ = (id) => d.getElementById(id);
  await $('connect-form').requestSubmit();
  await waitFor(() => $('status').textContent === 'FAILED', 'the failure');
  assert.equal($('root-trust').hidden, false);
  assert.equal($('root-fingerprint').textContent.replace(/:/g, ''), ca.rootFingerprint);
  await $('trust-root').click();
  await waitFor(() => /^connected/.test($('status').textContent), 'the second session');
  assert.match($('status').textContent, /^connected/);
});
