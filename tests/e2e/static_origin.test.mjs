// Copyright 2026 The Cerumbra Authors.
//
// The page served from a static origin that is not a node (the honest path
// of docs/web-client.md), in headless Chromium, with no C++ node needed:
//  - GPU evidence only: a JavaScript node (tests/web/fake_node.mjs) behind a
//    real WebSocket answers with synthetic NVIDIA evidence under a pinned
//    test root; the page refuses it by default and, with a policy file's
//    accept_gpu_only_evidence, shows it in its own warning style, labelled
//    "session keys NOT hardware-protected";
//  - a crafted link (?server= another host, with that host's "pins") makes
//    the page connect nowhere until the person confirms the host, which it
//    shows in full.
//
//   node --test --test-concurrency=1 tests/e2e/static_origin.test.mjs
//
// Screenshots go to $CERUMBRA_E2E_ARTIFACTS (default build/e2e-artifacts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { encode as b64encode } from '../../web/js/protocol/base64url.js';
import { FakeNode, makeSigner, makeSimulatedCa } from '../web/fake_node.mjs';
import { makeSyntheticGpu, makeSyntheticRoot, sessionEvidence } from '../web/nvidia_synthetic.mjs';
import { startStaticServer, startTcpListener } from './servers.mjs';

const WEB = resolve(fileURLToPath(new URL('../../web', import.meta.url)));
const ARTIFACTS = resolve(process.env.CERUMBRA_E2E_ARTIFACTS || 'build/e2e-artifacts');
const CHROMIUM = process.env.CERUMBRA_CHROMIUM || '/usr/bin/chromium';
// The node's CSP (src/server/server.cc): its own files, its own origin only.
const NODE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let browser;
let ca;
let nvidiaRoot;
let gpuServer;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ca = await makeSimulatedCa();
  nvidiaRoot = await makeSyntheticRoot();
  const gpus = [await makeSyntheticGpu(nvidiaRoot, { serial: 101 }), await makeSyntheticGpu(nvidiaRoot, { serial: 102 })];
  const signer = await makeSigner(ca, { evidenceType: 2, makeEvidence: sessionEvidence(gpus) });
  gpuServer = await startStaticServer({
    root: WEB,
    csp: NODE_CSP,
    makeNode: () => new FakeNode({ signer, answer: (p) => ['This answer ', 'came over ', `an encrypted session: ${p.length} characters received.`] }),
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (gpuServer) await gpuServer.close();
});

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(60000);
  const rec = { errors: [], sentBinary: 0 };
  page.on('console', (m) => { if (m.type() === 'error') rec.errors.push(m.text()); });
  page.on('pageerror', (e) => rec.errors.push(e.message));
  page.on('websocket', (ws) => ws.on('framesent', (f) => { if (typeof f.payload !== 'string') ++rec.sentBinary; }));
  return { page, rec };
}

function policyFile(extra) {
  return {
    name: 'policy.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({
      format: 'cerumbra-client-policy-v1',
      quote_roots: [{ sha256: ca.rootFingerprint }],
      nvidia_roots: [{ der: b64encode(nvidiaRoot.der) }],
      ...extra,
    })),
  };
}

test('GPU evidence only: refused by default, accepted by accept_gpu_only_evidence and labelled NOT hardware-protected', async () => {
  const { page, rec } = await newPage();
  await page.goto(gpuServer.url);
  await page.setInputFiles('#policy-file', policyFile({}));
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#state-attestation').textContent.includes('FAILED'));
  assert.match(await page.textContent('#status-reason'), /policy\.key_protection.*none \(GPU evidence only\): session keys NOT hardware-protected; refused by the strict policy/);
  assert.equal(await page.getAttribute('#evidence-banner', 'class'), 'banner banner-fail');
  assert.equal(rec.sentBinary, 0, 'nothing sent to a refused node');

  await page.setInputFiles('#policy-file', policyFile({ accept_gpu_only_evidence: true }));
  assert.equal(await page.isChecked('#strict'), false);
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#state-secret').textContent === 'established');
  const banner = await page.textContent('#evidence-banner');
  assert.match(banner, /^GPU EVIDENCE ONLY — session keys NOT hardware-protected\./);
  assert.equal(await page.getAttribute('#evidence-banner', 'class'), 'banner banner-gpu-only');
  assert.equal((await page.textContent('#state-attestation')).trim(), 'verified — NOT hardware-protected');
  assert.equal(await page.getAttribute('#state-attestation', 'class'), 'badge gpu');
  assert.match(await page.textContent('#checks'), /PASS nvidia\.evidence\.gpus\.distinct/);
  assert.match(await page.textContent('#checks'), /ACCEPTED policy\.key_protection — none \(GPU evidence only\): session keys NOT hardware-protected \(accepted: accept_gpu_only_evidence\)/);
  await page.fill('#prompt', 'Hello over GPU-only evidence');
  await page.click('#send');
  await page.waitForFunction(() => document.querySelector('#transcript').textContent.includes('characters received'));
  await page.screenshot({ path: join(ARTIFACTS, 'gpu-evidence-only.png'), fullPage: true });
  // A static origin has no /healthz: the model shows as unknown, and the
  // 404 is the only message in the console (no CSP violation, no error).
  assert.match(await page.textContent('#model-label'), /^Model: unknown/);
  assert.deepEqual(rec.errors.filter((e) => !/status of 404/.test(e)), []);
  await page.close();
});

test('a crafted link connects nowhere until the person confirms the host, shown in full', async () => {
  const listener = await startTcpListener();
  const staticOrigin = await startStaticServer({ root: WEB });
  try {
    const { page } = await newPage();
    const host = `127.0.0.1:${listener.port}`;
    await page.goto(`${staticOrigin.url}?server=ws://${host}/ws&root=${ca.rootFingerprint}&accept_simulated=1`);
    assert.match(await page.textContent('#link-notice'), new RegExp(`${host} is not this page's origin: the trust anchors in the link .* were ignored`));
    assert.equal(await page.isChecked('#strict'), true, 'the link\'s accept_simulated is ignored');
    assert.match(await page.textContent('#policy-summary'), /none pinned/);
    await page.click('#connect');
    await page.waitForSelector('#confirm-server', { state: 'visible' });
    assert.equal(await page.textContent('#confirm-host'), host);
    assert.equal(await page.textContent('#confirm-url'), `ws://${host}/ws`);
    await page.waitForTimeout(1500);
    assert.equal(listener.connections, 0, 'no connection before the confirmation');
    await page.screenshot({ path: join(ARTIFACTS, 'crafted-link-confirm.png'), fullPage: true });
    await page.click('#confirm-cancel');
    await page.waitForTimeout(500);
    assert.equal(listener.connections, 0);
    // Confirmed, the page does connect: the confirmation was the only gate.
    await page.click('#connect');
    await page.click('#confirm-connect');
    const started = Date.now();
    while (listener.connections === 0 && Date.now() - started < 10000) await page.waitForTimeout(100);
    assert.equal(listener.connections, 1);
    await page.close();
  } finally {
    await staticOrigin.close();
    await listener.close();
  }
});
