// The OpenAI-compatible proxy end to end with the real `openai` npm
// package: `cerumbra serve` (demo model, real engine, simulated
// attestation) and `cerumbra proxy` as child processes, real sockets,
// streaming and not. A second proxy whose policy pins a wrong model hash
// must refuse with 502 and send the node nothing (the node's
// cerumbra_requests_total stays the same).
//
//   CERUMBRA_BIN=build/dev/bin/cerumbra node --test tests/proxy/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';

const BIN = resolve(process.env.CERUMBRA_BIN || 'build/dev/bin/cerumbra');

const children = [];
let dir;
let nodeHttp;
let client;
let wrongClient;

function waitFor(predicate, what, ms = 180000) {
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

// run spawns the binary and records its whole output.
function run(args) {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  children.push(child);
  return child;
}

async function startProxy(policyPath) {
  const proxy = run(['proxy', '--listen', '127.0.0.1:0', '--node', `${nodeHttp.replace('http', 'ws')}ws`,
    '--policy', policyPath]);
  const m = await waitFor(() => proxy.output.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/), 'the proxy');
  return { proxy, baseURL: m[1] };
}

async function requestsTotal() {
  const text = await (await fetch(new URL('/metrics', nodeHttp))).text();
  return Number(text.match(/^cerumbra_requests_total (\d+)$/m)[1]);
}

let node;
let proxy;
let wrongProxy;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cerumbra-proxy-'));
  node = run(['serve', '--port', '0', '--ca-dir', join(dir, 'ca'), '--threads', '2',
    '--max-tokens', '32', '--default-max-tokens', '16']);
  const m = await waitFor(() => node.output.match(/Open (http:\/\/127\.0\.0\.1:\d+\/) in a browser/), 'the node');
  nodeHttp = m[1];
  const doc = await (await fetch(new URL('/.well-known/cerumbra-attestation.json', nodeHttp))).json();
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(doc.policy));
  const wrong = structuredClone(doc.policy);
  wrong.measurements.model = ['ab'.repeat(48)];
  writeFileSync(join(dir, 'wrong.json'), JSON.stringify(wrong));
  ({ proxy, baseURL: client } = await startProxy(join(dir, 'policy.json')));
  ({ proxy: wrongProxy, baseURL: wrongClient } = await startProxy(join(dir, 'wrong.json')));
  client = new OpenAI({ baseURL: client, apiKey: 'unused', maxRetries: 0 });
  wrongClient = new OpenAI({ baseURL: wrongClient, apiKey: 'unused', maxRetries: 0 });
});

after(() => {
  for (const c of children) c.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const messages = [
  { role: 'system', content: 'You are brief.' },
  { role: 'user', content: 'SECRET-PROXY-PROMPT tell me about the sea' },
];

test('a completion through the proxy (not streamed)', async () => {
  const r = await client.chat.completions.create({
    model: 'cerumbra', messages, max_tokens: 8, temperature: 0,
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 8);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 8);
});

test('a streamed completion gives the same greedy answer in pieces', async () => {
  const whole = await client.chat.completions.create({
    model: 'cerumbra', messages, max_completion_tokens: 10, temperature: 0,
  });
  const stream = await client.chat.completions.create({
    model: 'cerumbra', messages, max_completion_tokens: 10, temperature: 0,
    stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let pieces = 0;
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta.content) { text += choice.delta.content; pieces += 1; }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  assert.ok(pieces > 1, 'streamed in more than one piece');
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.equal(usage.completion_tokens, 10);
});

test('a stateless multi-turn conversation: the whole history is sent', async () => {
  const first = await client.chat.completions.create({ model: 'x', messages, max_tokens: 4, temperature: 0 });
  const second = await client.chat.completions.create({
    model: 'x',
    messages: [...messages, first.choices[0].message, { role: 'user', content: 'and then?' }],
    max_tokens: 4,
    temperature: 0,
  });
  assert.ok(second.usage.prompt_tokens > first.usage.prompt_tokens + 4);
  assert.equal(second.model, 'x');
});

test('models lists the one model', async () => {
  const list = await client.models.list();
  assert.deepEqual(list.data.map((m) => m.id), ['cerumbra']);
});

test('a bad request is an OpenAI error naming the parameter', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'x', messages, temperature: 5 }),
    (e) => e instanceof OpenAI.APIError && e.status === 400 && e.param === 'temperature'
      && e.type === 'invalid_request_error',
  );
});

test('a node failing the policy pin gets nothing: 502 naming the check', async () => {
  const before = await requestsTotal();
  await assert.rejects(
    wrongClient.chat.completions.create({ model: 'x', messages, max_tokens: 4 }),
    (e) => e instanceof OpenAI.APIError && e.status === 502
      && e.code === 'node_verification_failed' && /policy\.measurement\.model/.test(e.message),
  );
  await assert.rejects(
    wrongClient.chat.completions.create({ model: 'x', messages, max_tokens: 4, stream: true }),
    (e) => e instanceof OpenAI.APIError && e.status === 502,
  );
  assert.equal(await requestsTotal(), before, 'no request reached the node');
});

test('no prompt or answer in the proxy or node output', () => {
  for (const c of [node, proxy, wrongProxy]) {
    assert.ok(!c.output.includes('SECRET-PROXY'), 'the prompt leaked into a log');
    assert.ok(!c.output.includes('tell me about the sea'));
  }
});

test('the client guide example runs', async () => {
  const { ask } = await import('../../docs/examples/openai_example.mjs');
  const text = await ask(client.baseURL);
  assert.ok(text.length > 0);
});
