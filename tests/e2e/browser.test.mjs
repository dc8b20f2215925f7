// End-to-end tests of the browser client in real headless Chromium
// (Debian's package, driven by playwright-core) against a real node: the
// `cerumbra serve` binary with the demo model and simulated attestation.
//
//   CERUMBRA_BIN=build/dev/bin/cerumbra node --test tests/e2e/
//
// Screenshots go to $CERUMBRA_E2E_ARTIFACTS (default build/e2e-artifacts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startStaticServer, startTcpListener } from './servers.mjs';

const BIN = resolve(process.env.CERUMBRA_BIN || 'build/dev/bin/cerumbra');
const ARTIFACTS = resolve(process.env.CERUMBRA_E2E_ARTIFACTS || 'build/e2e-artifacts');
const CHROMIUM = process.env.CERUMBRA_CHROMIUM || '/usr/bin/chromium';
const WEB = resolve(fileURLToPath(new URL('../../web', import.meta.url)));

let node;
let nodeUrl;
let rootSha256;
let attestationDocument;
let browser;
let dir;

function waitFor(predicate, what, ms = 60000) {
  return new Promise((resolveWait, reject) => {
    const started = Date.now();
    const tick = () => {
      const v = predicate();
      if (v) return resolveWait(v);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'cerumbra-e2e-'));
  // --max-tokens caps every answer (the page asks for 256 by default) so a
  // loaded CI machine still answers well within the timeouts.
  node = spawn(BIN, ['serve', '--port', '0', '--ca-dir', join(dir, 'ca'), '--threads', '2',
    '--max-tokens', '24', '--default-max-tokens', '24'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  node.stdout.on('data', (d) => { out += d; });
  node.stderr.on('data', () => {});
  const m = await waitFor(() => out.match(/Open (http:\/\/\S+) in a browser/), 'the node', 180000);
  nodeUrl = m[1];
  const doc = await (await fetch(new URL('/.well-known/cerumbra-attestation.json', nodeUrl))).json();
  attestationDocument = doc;
  rootSha256 = doc.root_sha256;
  assert.match(rootSha256, /^[0-9a-f]{64}$/);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (node) node.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// openPage opens the node's page with `query` and records console errors
// and the WebSocket frames the page sends and receives.
async function openPage(query, viewport = { width: 1100, height: 900 }) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(120000);
  const rec = { errors: [], sent: [], received: [] };
  page.on('console', (m) => { if (m.type() === 'error') rec.errors.push(m.text()); });
  page.on('pageerror', (e) => rec.errors.push(e.message));
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => rec.sent.push(typeof f.payload === 'string' ? 'text' : 'binary'));
    ws.on('framereceived', (f) => rec.received.push(typeof f.payload === 'string' ? 'text' : 'binary'));
  });
  await page.goto(new URL(query, nodeUrl).toString());
  return { page, rec };
}

async function attestationState(page) {
  return (await page.textContent('#state-attestation')).trim();
}

// The demo URL: the root pinned and simulated evidence accepted, both from
// the link, which the page honours because the node is its own origin.
test('connects, verifies the simulated node, streams answers over two turns', async () => {
  const { page, rec } = await openPage(`/?root=${rootSha256}&accept_simulated=1`);
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#state-secret').textContent === 'established');
  assert.equal((await page.textContent('#state-attestation')).trim(), 'verified — NOT hardware-protected');
  assert.match(await page.textContent('#evidence-banner'), /^SIMULATED — NOT HARDWARE PROTECTED: session keys NOT hardware-protected \(key protection: none \(simulated\)\)/);
  assert.equal(await page.getAttribute('#evidence-banner', 'class'), 'banner banner-simulated');
  assert.match(await page.textContent('#checks'), /ACCEPTED policy\.key_protection — none \(simulated\): session keys NOT hardware-protected \(accepted: accept_simulated\)/);
  await page.screenshot({ path: join(ARTIFACTS, 'simulated-accepted.png'), fullPage: true });
  for (const [turn, prompt] of [[1, 'Hello, node'], [2, 'And a second turn']]) {
    const before = rec.received.filter((k) => k === 'binary').length;
    await page.fill('#prompt', prompt);
    await page.click('#send');
    // The answer streams: several records arrive, then the send button is
    // enabled again at the END.
    await page.waitForFunction(() => !document.querySelector('#send').disabled, null, { timeout: 120000 });
    const records = rec.received.filter((k) => k === 'binary').length - before;
    assert.ok(records >= 3, `turn ${turn}: only ${records} records`);
    assert.ok((await page.textContent('#transcript')).includes(prompt));
  }
  assert.match(await page.textContent('#model-label'), /random weights/i);
  assert.match(await page.textContent('#transcript'), /random-weight/i);
  await page.screenshot({ path: join(ARTIFACTS, 'conversation.png'), fullPage: true });
  assert.deepEqual(rec.errors, []);
  await page.close();
});

test('a wrong root pin shows FAILED and sends nothing', async () => {
  const { page, rec } = await openPage(`/?root=${'00'.repeat(32)}&accept_simulated=1`);
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#state-attestation').textContent.includes('FAILED'));
  assert.equal(rec.sent.filter((k) => k === 'binary').length, 0);
  assert.ok(await page.isDisabled('#send'));
  await page.screenshot({ path: join(ARTIFACTS, 'wrong-pin.png'), fullPage: true });
  await page.close();
});

test('strict mode refuses simulated evidence and sends nothing', async () => {
  const { page, rec } = await openPage(`/?root=${rootSha256}&strict=1`);
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#state-attestation').textContent.includes('FAILED'));
  assert.equal(rec.sent.filter((k) => k === 'binary').length, 0);
  await page.screenshot({ path: join(ARTIFACTS, 'strict.png'), fullPage: true });
  await page.close();
});

test('strict is the default: the simulated node is refused in red with the reason, and nothing is sent', async () => {
  const { page, rec } = await openPage(`/?root=${rootSha256}`);
  assert.equal(await page.isChecked('#strict'), true);
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#state-attestation').textContent.includes('FAILED'));
  assert.match(await page.textContent('#status-reason'), /policy\.key_protection.*none \(simulated\): session keys NOT hardware-protected; refused by the strict policy/);
  assert.equal(await page.getAttribute('#evidence-banner', 'class'), 'banner banner-fail');
  assert.match(await page.textContent('#evidence-banner'), /^FAILED — the node was not accepted and nothing was sent/);
  assert.equal(rec.sent.filter((k) => k === 'binary').length, 0);
  await page.screenshot({ path: join(ARTIFACTS, 'strict-refusal.png'), fullPage: true });
  assert.deepEqual(rec.errors, []);
  await page.close();
});

test('a tampered attestation shows FAILED and sends nothing', async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(120000);
  const pageSent = [];
  let tampered = false;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => { pageSent.push(typeof m === 'string' ? 'text' : 'binary'); server.send(m); });
    server.onMessage((m) => {
      if (typeof m === 'string' && m.includes('"attest_response"')) {
        const r = JSON.parse(m);
        // Flip one base64url character in the middle of the quote (inside
        // the measurements): the signature no longer covers it.
        const i = Math.floor(r.quote.length * 0.8);
        r.quote = r.quote.slice(0, i) + (r.quote[i] === 'A' ? 'B' : 'A') + r.quote.slice(i + 1);
        tampered = true;
        ws.send(JSON.stringify(r));
        return;
      }
      ws.send(m);
    });
  });
  await page.goto(new URL(`/?root=${rootSha256}&accept_simulated=1`, nodeUrl).toString());
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#state-attestation').textContent.includes('FAILED'));
  assert.ok(tampered);
  assert.equal(await page.getAttribute('#evidence-banner', 'class'), 'banner banner-fail');
  assert.match(await page.textContent('#evidence-banner'), /^FAILED/);
  assert.equal(pageSent.filter((k) => k === 'binary').length, 0);
  await page.screenshot({ path: join(ARTIFACTS, 'tampered.png'), fullPage: true });
  await page.close();
});

test('phone width, keyboard and a clean console', async () => {
  const { page, rec } = await openPage(`/?root=${rootSha256}&accept_simulated=1`, { width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than a phone`);
  // Keyboard only: focus the Connect button and press Enter.
  await page.focus('#connect');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#state-attestation').textContent.includes('verified'));
  await page.focus('#prompt');
  await page.keyboard.type('typed with the keyboard');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => document.querySelector('#transcript').textContent.includes('typed with the keyboard'));
  await page.waitForFunction(() => !document.querySelector('#send').disabled, null, { timeout: 120000 });
  await page.screenshot({ path: join(ARTIFACTS, 'phone.png'), fullPage: true });
  assert.deepEqual(rec.errors, []);
  await page.close();
});

test('on the node\'s page, a crafted link to another host connects nowhere and shows the host', async () => {
  const listener = await startTcpListener();
  try {
    const host = `127.0.0.1:${listener.port}`;
    const { page, rec } = await openPage(`/?server=ws://${host}/ws&root=${rootSha256}&accept_simulated=1`);
    assert.match(await page.textContent('#link-notice'), /trust anchors in the link .* were ignored/);
    await page.click('#connect');
    await page.waitForSelector('#confirm-server', { state: 'visible' });
    assert.equal(await page.textContent('#confirm-host'), host);
    await page.waitForTimeout(1500);
    assert.equal(listener.connections, 0);
    assert.equal(rec.sent.length, 0);
    assert.equal((await page.textContent('#state-attestation')).trim(), 'not received');
    await page.screenshot({ path: join(ARTIFACTS, 'crafted-link-node-page.png'), fullPage: true });
    assert.deepEqual(rec.errors, []);
    await page.close();
  } finally {
    await listener.close();
  }
});

// The honest path (docs/web-client.md): the page from a static origin the
// person trusts, pointed at the node with ?server=, confirmed, with the
// operator's policy (here the node's published cerumbra-policy-v1) loaded
// as a file.
test('the page served from another origin verifies the node with a loaded policy file', async () => {
  const staticOrigin = await startStaticServer({ root: WEB });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(120000);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const wsUrl = new URL('/ws', nodeUrl).toString().replace(/^http/, 'ws');
    await page.goto(`${staticOrigin.url}?server=${encodeURIComponent(wsUrl)}`);
    await page.setInputFiles('#policy-file', {
      name: 'policy.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(attestationDocument.policy)),
    });
    assert.match(await page.textContent('#policy-summary'), /policy file/);
    await page.click('#connect');
    await page.waitForSelector('#confirm-server', { state: 'visible' });
    assert.equal(await page.textContent('#confirm-host'), new URL(nodeUrl).host);
    await page.click('#confirm-connect');
    await page.waitForFunction(() => document.querySelector('#state-secret').textContent === 'established');
    assert.equal(await page.getAttribute('#evidence-banner', 'class'), 'banner banner-simulated');
    assert.match(await page.textContent('#checks'), /PASS policy\.measurement\.web/);
    assert.match(await page.textContent('#model-label'), /^Model: unknown/);
    await page.screenshot({ path: join(ARTIFACTS, 'static-origin-honest-path.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await staticOrigin.close();
  }
});
