// Copyright 2026 The Cerumbra Authors.
//
// app.js: the demo page (index.html). DOM and user events only; the
// protocol, verification and session live in client.js and the modules it
// uses. Errors are caught here, at the UI boundary, and shown with their
// reason. Everything shown is public data: public keys, the session
// fingerprint (never the shared secret), checks, sizes; the log never holds
// keys or plaintext. Text from the node is inserted with textContent only.

import { CerumbraClient } from './client.js';
import { describe, fromJson, fromUrl, makePolicy } from './attest/policy.js';
import { QuoteVerifier, SIMULATED_LABEL } from './attest/verifier.js';
import { toHex } from './protocol/bytes.js';
import { EVIDENCE_TYPE_NAMES, EvidenceType } from './protocol/quote.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const ui = {
  policyFromUrl: null,
  policyFromFile: null,
  pinnedRoots: [],
  client: null,
  log: [],
  turn: null,
  demoModel: null,
};

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function shortHex(bytes, n = 16) {
  const h = toHex(bytes);
  return h.length > 2 * n ? `${h.slice(0, n)}…${h.slice(-n)}` : h;
}

function setBadge(name, state, value = '') {
  const badge = $(`state-${name}`);
  badge.textContent = state;
  badge.className = 'badge' + (/^FAILED/.test(state) ? ' fail' : /verified|established|generated|received/.test(state) ? ' ok' : '');
  if (/^(received|generated)$/.test(state) && name === 'attestation') badge.className = 'badge pending';
  $(`value-${name}`).textContent = value;
}

function setStatus(text, reason = null) {
  $('status').textContent = text;
  const r = $('status-reason');
  r.hidden = !reason;
  r.textContent = reason || '';
}

// ---------------------------------------------------------------------------
// Policy

function effectivePolicy() {
  const base = ui.policyFromFile || ui.policyFromUrl || makePolicy();
  return {
    ...base,
    strict: $('strict').checked,
    quoteRoots: base.quoteRoots.concat(ui.pinnedRoots),
    measurements: new Map(base.measurements),
  };
}

function showPolicy() {
  const d = describe(effectivePolicy());
  const dl = $('policy-summary');
  dl.replaceChildren();
  const add = (k, v) => {
    dl.append(el('dt', '', k), el('dd', '', v));
  };
  add('source', ui.policyFromFile ? 'policy file' : params.toString() ? 'URL parameters' : 'defaults');
  add('strict', d.strict ? 'yes: simulated evidence is refused' : 'no: simulated evidence is accepted and labelled');
  add('quote roots', d.quoteRoots.length ? d.quoteRoots.join(', ') : 'none pinned (the first connection shows the node root to pin)');
  add('pinned measurements', d.measurements.length ? d.measurements.join(', ') : 'none');
  add('maximum quote age', `${d.maxAgeMs / 1000} s`);
}

function loadUrlPolicy() {
  try {
    ui.policyFromUrl = fromUrl(params);
  } catch (e) {
    ui.policyFromUrl = makePolicy();
    $('policy-error').hidden = false;
    $('policy-error').textContent = `URL policy ignored: ${e.message}`;
  }
  $('strict').checked = ui.policyFromUrl.strict;
}

async function onPolicyFile(event) {
  const file = event.target.files[0];
  $('policy-error').hidden = true;
  if (!file) return;
  try {
    if (file.size > 256 * 1024) throw new Error('policy file too large');
    ui.policyFromFile = fromJson(await file.text());
    $('strict').checked = ui.policyFromFile.strict;
  } catch (e) {
    ui.policyFromFile = null;
    $('policy-error').hidden = false;
    $('policy-error').textContent = `Policy not loaded: ${e.message}`;
  }
  showPolicy();
}

// ---------------------------------------------------------------------------
// Attestation rendering

const STEP_TEXT = Object.freeze({
  '4.3.1': 'the answer is not a valid attest_response of version 1',
  '4.3.2': 'the quote does not parse',
  '4.3.3': 'the quote is not bound to this session\'s nonce and key (replayed or relayed)',
  '4.3.4': 'the node key is not a valid P-256 point',
});

function renderAttestation({ report, details, quote, step, protocolChecks }) {
  const checks = $('checks');
  checks.replaceChildren();
  for (const c of (protocolChecks || []).concat(report ? report.checks : [])) {
    const li = el('li', c.passed ? 'pass' : 'fail');
    li.append(el('strong', '', `${c.passed ? 'PASS' : 'FAILED'} ${c.name}`), document.createTextNode(c.detail ? ` — ${c.detail}` : ''));
    checks.append(li);
  }
  if (!report && !(protocolChecks || []).some((c) => !c.passed)) {
    const li = el('li', 'fail');
    li.append(el('strong', '', `FAILED §${step || '4.3'}`), document.createTextNode(` — ${STEP_TEXT[step] || 'the response did not pass the protocol checks'}`));
    checks.append(li);
  }

  const banner = $('evidence-banner');
  banner.hidden = !quote;
  if (quote) {
    if (quote.evidenceType === EvidenceType.SIMULATED) {
      banner.className = 'banner banner-simulated';
      banner.textContent = `${SIMULATED_LABEL}: the keys of this node are not protected by hardware.`;
    } else {
      const ok = report && report.ok();
      banner.className = `banner ${ok ? 'banner-ok' : 'banner-fail'}`;
      banner.textContent = `Evidence: ${EVIDENCE_TYPE_NAMES[quote.evidenceType]} ${ok ? '(verified in this browser; RIM appraisal not done here)' : '(FAILED)'}`;
    }
    const rows = $('measurements');
    rows.replaceChildren();
    const pins = effectivePolicy().measurements;
    for (const m of quote.measurements) {
      const tr = el('tr');
      const pinned = pins.get(m.name);
      tr.append(el('td', '', m.name), el('td', 'value', toHex(m.value)),
        el('td', '', pinned ? (toHex(pinned) === toHex(m.value) ? 'matches the pin' : 'DIFFERS from the pin') : 'not pinned'));
      rows.append(tr);
    }
  }

  const chain = $('chain');
  chain.replaceChildren();
  for (const c of (details && details.chain) || []) {
    chain.append(el('li', '', `${c.subject} — valid ${new Date(c.notBefore).toISOString().slice(0, 10)} to ${new Date(c.notAfter).toISOString().slice(0, 10)}`));
  }
  if (!chain.children.length) chain.append(el('li', 'muted', 'Not verified.'));

  const trust = $('root-trust');
  trust.hidden = !(details && details.unpinnedRoot);
  if (details && details.unpinnedRoot) $('root-fingerprint').textContent = details.unpinnedRoot.match(/../g).join(':');

  const gpus = $('gpus');
  gpus.replaceChildren();
  $('gpu-section').hidden = !(details && details.gpus && details.gpus.length);
  for (const g of (details && details.gpus) || []) {
    const dl = el('dl', 'kv');
    const add = (k, v) => dl.append(el('dt', '', k), el('dd', '', v));
    add('GPU', `${g.index} (${g.architecture})`);
    if (g.parsed) {
      const o = g.parsed.opaque;
      add('driver', o.driverVersion || '—');
      add('VBIOS', o.vbiosVersion || '—');
      add('project / SKU / chip', [o.project, o.projectSku, o.chipSku].filter(Boolean).join(' / ') || '—');
      add('nonce', toHex(g.parsed.nonce));
      add('FWID', o.fwid ? toHex(o.fwid) : 'absent');
      add('measurement blocks', String(g.parsed.numberOfBlocks));
    }
    for (const s of (g.details && g.details.subjects) || []) add('certificate', s.subject);
    gpus.append(dl);
  }

  if (quote) {
    const keyFailed = (protocolChecks || []).some((c) => !c.passed && (c.name === 'protocol.node_key' || c.name === 'protocol.binding'));
    const verified = report && report.ok();
    setBadge('node', keyFailed ? 'FAILED' : verified ? 'verified' : 'received',
      `${shortHex(quote.nodePublicKey)}${keyFailed ? ' — not bound to this session or not a valid point' : verified ? ' — bound to the verified quote' : ''}`);
  }
  if (report && report.ok()) {
    setBadge('attestation', 'verified', quote.evidenceType === EvidenceType.SIMULATED ? SIMULATED_LABEL : 'nvidia-gpu');
  } else {
    const f = report && report.firstFailure();
    setBadge('attestation', 'FAILED', f ? `${f.name}: ${f.detail}` : `§${step || '4.3'}: ${STEP_TEXT[step] || 'protocol checks failed'}`);
  }
}

// ---------------------------------------------------------------------------
// Log

function addLog(entry) {
  ui.log.push(entry);
  const tr = el('tr');
  const type = entry.type === 'record' ? `record${entry.contentType ? ` ${entry.contentType}` : ''}` : entry.type;
  tr.append(el('td', '', entry.time.slice(11, 23)), el('td', '', entry.direction === 'sent' ? '→' : '←'),
    el('td', '', type), el('td', '', String(entry.size)), el('td', '', entry.seq ?? ''), el('td', '', entry.note || ''));
  $('log').append(tr);
  const wrap = $('log').closest('.log-wrap');
  wrap.scrollTop = wrap.scrollHeight;
}

function exportLog() {
  const blob = new Blob([JSON.stringify({ exported: new Date().toISOString(), entries: ui.log }, null, 2)], { type: 'application/json' });
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = `cerumbra-log-${Date.now()}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---------------------------------------------------------------------------
// Connection

function defaultServerUrl() {
  if (params.get('server')) return params.get('server');
  if (location.protocol === 'http:' || location.protocol === 'https:') {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  }
  return 'ws://localhost:8080/ws';
}

// setMode enables the controls for 'idle' | 'connecting' | 'ready' | 'busy'.
function setMode(mode) {
  const live = mode !== 'idle';
  $('connect').disabled = live;
  $('server-url').disabled = live;
  $('disconnect').disabled = !live;
  $('prompt').disabled = mode !== 'ready';
  $('send').disabled = mode !== 'ready';
  $('reset').disabled = mode !== 'ready';
  $('stop').disabled = mode !== 'busy';
}

function resetPanels() {
  setBadge('client', 'not generated');
  setBadge('node', 'not received');
  setBadge('secret', 'not established');
  setBadge('attestation', 'not received');
  $('checks').replaceChildren(el('li', 'muted', 'Waiting for the node…'));
  $('measurements').replaceChildren();
  $('chain').replaceChildren();
  $('evidence-banner').hidden = true;
  $('root-trust').hidden = true;
  $('gpu-section').hidden = true;
}

async function checkModel(wsUrl) {
  // /healthz is the node's unauthenticated status (docs/web-client.md); the
  // CSP allows only this origin, so other nodes show "unknown".
  const label = $('model-label');
  ui.demoModel = null;
  try {
    const u = new URL(wsUrl);
    const httpUrl = `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}/healthz`;
    if (new URL(httpUrl).origin !== location.origin) throw new Error('another origin');
    const response = await fetch(httpUrl, { cache: 'no-store', credentials: 'omit' });
    const health = await response.json();
    if (typeof health.demo_model === 'boolean') ui.demoModel = health.demo_model;
  } catch { /* unknown */ }
  label.hidden = false;
  if (ui.demoModel === true) {
    label.className = 'banner banner-warn';
    label.textContent = 'Demo model: random weights. Its answers are meaningless text, not AI output. Run the node with a real GGUF model for real answers.';
  } else if (ui.demoModel === false) {
    label.className = 'banner banner-ok';
    label.textContent = 'Model: the node reports a real model (see the attested "model" measurement).';
  } else {
    label.className = 'banner banner-warn';
    label.textContent = 'Model: unknown (the node\'s /healthz could not be read). Answers from the demo model are random-weight output.';
  }
}

async function connect(event) {
  event.preventDefault();
  const url = $('server-url').value.trim();
  let parsed;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error('use ws:// or wss://');
  } catch (e) {
    setStatus('FAILED', `Bad server URL: ${e.message}`);
    return;
  }
  resetPanels();
  setMode('connecting');
  const policy = effectivePolicy();
  const verifier = new QuoteVerifier(policy);
  const client = new CerumbraClient({
    url,
    verifier,
    onLog: addLog,
    onState: onClientState,
    onAttestation: renderAttestation,
    onText: (text) => {
      if (ui.turn) ui.turn.body.textContent += text;
      const t = $('transcript');
      t.scrollTop = t.scrollHeight;
    },
  });
  ui.client = client;
  checkModel(url);
  try {
    await client.connect();
  } catch {
    // onClientState shows the reason.
  }
}

function onClientState(state, info) {
  switch (state) {
    case 'connecting':
      setStatus('connecting…');
      setBadge('client', 'generated', shortHex(info.clientPublicKey));
      break;
    case 'handshake':
      setStatus('attesting the node…');
      setBadge('attestation', 'received');
      break;
    case 'established':
      setStatus(`connected — encrypted session ${info.fingerprint}`);
      setBadge('secret', 'established', `session fingerprint ${info.fingerprint}`);
      setMode('ready');
      $('prompt').focus();
      break;
    case 'closing':
      setStatus('closing…');
      break;
    case 'closed':
      setStatus(`closed by the ${info.by}`);
      setBadge('secret', 'not established', 'keys dropped');
      setMode('idle');
      endTurn('session closed');
      break;
    case 'failed':
      setStatus('FAILED', info.reason);
      if ($('state-secret').textContent === 'established') setBadge('secret', 'FAILED', 'keys dropped');
      if ($('state-attestation').textContent === 'received') setBadge('attestation', 'FAILED', info.reason);
      setMode('idle');
      endTurn(`FAILED: ${info.reason}`, true);
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------
// Conversation

function addTurn(role, text) {
  const div = el('div', `turn ${role}`);
  const who = el('span', 'who', role === 'user' ? 'You (sent encrypted)' : role === 'assistant'
    ? (ui.demoModel === false ? 'Model' : 'Model — random-weight demo output, meaningless') : 'Session');
  const body = el('span', 'body', text);
  const meta = el('span', 'meta');
  div.append(who, body, meta);
  $('transcript').append(div);
  $('transcript').scrollTop = $('transcript').scrollHeight;
  return { div, body, meta };
}

function endTurn(note, failed = false) {
  if (!ui.turn) return;
  ui.turn.meta.textContent = note;
  if (failed) ui.turn.div.classList.add('failed');
  ui.turn = null;
}

function readParams() {
  const num = (id) => ($(id).value === '' ? undefined : Number($(id).value));
  return {
    max_tokens: num('param-max-tokens'),
    temperature: num('param-temperature'),
    top_p: num('param-top-p'),
    seed: num('param-seed'),
  };
}

async function send(event) {
  event.preventDefault();
  const content = $('prompt').value;
  if (!content.trim() || !ui.client || ui.client.state !== 'established') return;
  addTurn('user', content);
  ui.turn = addTurn('assistant', '');
  $('prompt').value = '';
  setMode('busy');
  try {
    const { end } = await ui.client.chat(content, readParams());
    const usage = end.usage ? `, ${end.usage.promptTokens} prompt + ${end.usage.completionTokens} generated tokens` : '';
    const note = end.error ? `ended: ${end.finishReason} (${end.error})` : `finish: ${end.finishReason}${usage}`;
    endTurn(note, end.finishReason === 'error' || !!end.error);
    setMode('ready');
    $('prompt').focus();
  } catch (e) {
    if (ui.client && ui.client.state === 'established') {
      endTurn(`not sent: ${e.message}`, true);
      setMode('ready');
    }
  }
}

async function resetConversation() {
  if (!ui.client || ui.client.state !== 'established') return;
  setMode('busy');
  try {
    await ui.client.reset();
    addTurn('system', 'New conversation: the node forgot the history.');
    setMode('ready');
  } catch { /* state handler shows it */ }
}

async function disconnect() {
  if (!ui.client) return;
  await ui.client.disconnect();
  setMode('idle');
}

function trustRoot() {
  const fp = $('root-fingerprint').textContent.replace(/:/g, '');
  ui.pinnedRoots.push({ sha256: fp });
  showPolicy();
  $('connect-form').requestSubmit();
}

function init() {
  if (!globalThis.crypto || !globalThis.crypto.subtle) {
    $('secure-context-warning').hidden = false;
    $('connect').disabled = true;
  }
  loadUrlPolicy();
  showPolicy();
  $('server-url').value = defaultServerUrl();
  $('connect-form').addEventListener('submit', connect);
  $('disconnect').addEventListener('click', disconnect);
  $('chat-form').addEventListener('submit', send);
  $('stop').addEventListener('click', () => ui.client && ui.client.cancel().catch(() => {}));
  $('reset').addEventListener('click', resetConversation);
  $('strict').addEventListener('change', showPolicy);
  $('policy-file').addEventListener('change', onPolicyFile);
  $('trust-root').addEventListener('click', trustRoot);
  $('export-log').addEventListener('click', exportLog);
  $('clear-log').addEventListener('click', () => {
    ui.log = [];
    $('log').replaceChildren();
  });
  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('chat-form').requestSubmit();
  });
  setMode('idle');
}

init();
