// Copyright 2026 The Cerumbra Authors.
//
// app.js: the demo page (index.html). DOM and user events only; the
// protocol, verification and session live in client.js and the modules it
// uses. Errors are caught here, at the UI boundary, and shown with their
// reason. Everything shown is public data: public keys, the session
// fingerprint (never the shared secret), checks, sizes; the log never holds
// keys or plaintext. Text from the node is inserted with textContent only.
//
// Whom the page trusts (docs/web-client.md): trust anchors in the page's
// URL (root pins, measurement pins, flags) apply only to a node of the
// page's own origin; before connecting to any other host the page shows
// that host in full and waits for the person to confirm, and its anchors
// must then come from a policy file or from the person. Colours follow
// what protects the session keys (the verifier's keyProtection), never the
// evidence type alone, and always come with words.

import { CerumbraClient } from './client.js';
import { describe, fromJson, fromUrl, hasUrlPolicy, isStrict, makePolicy } from './attest/policy.js';
import { KEYS_NOT_PROTECTED_LABEL, QuoteVerifier, SIMULATED_LABEL } from './attest/verifier.js';
import { hostOf, isSameOrigin } from './origin.js';
import { toHex } from './protocol/bytes.js';
import { EvidenceType } from './protocol/quote.js';
import { parseRootPin } from './x509/pins.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const ui = {
  policyFromUrl: null, // the link's anchors: for a same-origin node only
  policyFromFile: null,
  userRoots: [], // roots the person typed or pinned with a click
  strictOverride: null, // the strict checkbox, once the person changed it
  pendingServer: null, // a cross-origin URL waiting for the person's confirmation
  confirmedServer: null, // the cross-origin URL the person confirmed
  keyProtection: null, // of the verified session, else null
  trustTone: null, // its colour: 'ok' only when hardware-protected
  activePolicy: null, // the policy of the current connection
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

// setBadge shows a state in words; `tone` ('ok', 'sim', 'gpu', 'fail',
// 'pending' or '') only colours it. 'ok' (green) is for a hardware-protected
// session only.
function setBadge(name, state, value = '', tone = '') {
  const badge = $(`state-${name}`);
  badge.textContent = state;
  badge.className = tone ? `badge ${tone}` : 'badge';
  $(`value-${name}`).textContent = value;
}

// trustTone is the colour of a verified session: green only when its keys
// are protected by hardware.
function trustTone(kp, evidenceType) {
  if (kp && kp.hardware) return 'ok';
  return evidenceType === EvidenceType.SIMULATED ? 'sim' : 'gpu';
}

function setStatus(text, reason = null) {
  $('status').textContent = text;
  const r = $('status-reason');
  r.hidden = !reason;
  r.textContent = reason || '';
}

function serverUrl() {
  return $('server-url').value.trim();
}

// ---------------------------------------------------------------------------
// Policy

// urlPolicyApplies: the link's anchors count only for the page's own node.
function urlPolicyApplies(url) {
  return ui.policyFromUrl !== null && isSameOrigin(url, location);
}

function effectivePolicy(url = serverUrl()) {
  const base = ui.policyFromFile || (urlPolicyApplies(url) ? ui.policyFromUrl : makePolicy());
  let { acceptSimulated, acceptGpuOnlyEvidence } = base;
  if (ui.strictOverride === true) {
    acceptSimulated = false;
    acceptGpuOnlyEvidence = false;
  } else if (ui.strictOverride === false) {
    acceptSimulated = true; // unchecked: the demo; never GPU-only evidence
  }
  return {
    ...base,
    acceptSimulated,
    acceptGpuOnlyEvidence,
    quoteRoots: base.quoteRoots.concat(ui.userRoots),
    measurements: new Map(base.measurements),
  };
}

function policySource(url) {
  if (ui.policyFromFile) return 'policy file';
  if (hasUrlPolicy(params) && ui.policyFromUrl === null) return 'defaults: the link\'s policy parameters are invalid';
  if (urlPolicyApplies(url) && hasUrlPolicy(params)) return 'link parameters (this page\'s own node)';
  if (hasUrlPolicy(params)) return 'defaults: the link\'s trust anchors were ignored (the node is another origin)';
  return 'defaults';
}

function showPolicy() {
  const url = serverUrl();
  const policy = effectivePolicy(url);
  const d = describe(policy);
  $('strict').checked = d.strict;
  const dl = $('policy-summary');
  dl.replaceChildren();
  const add = (k, v) => {
    dl.append(el('dt', '', k), el('dd', '', v));
  };
  add('source', policySource(url));
  const accepted = [];
  if (d.acceptSimulated) accepted.push(`SIMULATED evidence (${KEYS_NOT_PROTECTED_LABEL})`);
  if (d.acceptGpuOnlyEvidence) accepted.push(`GPU evidence only, accept_gpu_only_evidence (${KEYS_NOT_PROTECTED_LABEL})`);
  add('strict', d.strict
    ? 'yes: only nodes whose session keys are protected by hardware are accepted'
    : `no: also accepts ${accepted.join(' and ')}`);
  add('quote roots', d.quoteRoots.length ? d.quoteRoots.join(', ') : 'none pinned (the first connection shows the node root to pin)');
  add('pinned measurements', d.measurements.length ? d.measurements.join(', ') : 'none');
  add('maximum quote age', `${d.maxAgeMs / 1000} s`);
  showLinkNotice(url);
}

// showLinkNotice says when the page is pointed at another origin, and that
// the link's anchors do not count for it.
function showLinkNotice(url) {
  const notice = $('link-notice');
  const foreign = url !== '' && !isSameOrigin(url, location);
  notice.hidden = !foreign;
  if (!foreign) return;
  $('policy-details').open = true; // where the policy file and the typed root go
  const host = hostOf(url) || url;
  notice.textContent = hasUrlPolicy(params)
    ? `The node ${host} is not this page's origin: the trust anchors in the link (root and measurement pins, flags) were ignored. ` +
      'Load a policy file or type the root to pin; the page asks before it connects.'
    : `The node ${host} is not this page's origin: the page asks before it connects. Load a policy file or type the root to pin.`;
}

function loadUrlPolicy() {
  try {
    ui.policyFromUrl = fromUrl(params);
  } catch (e) {
    ui.policyFromUrl = null;
    $('policy-error').hidden = false;
    $('policy-error').textContent = `URL policy ignored: ${e.message}`;
  }
}

async function onPolicyFile(event) {
  const file = event.target.files[0];
  $('policy-error').hidden = true;
  if (!file) return;
  try {
    if (file.size > 256 * 1024) throw new Error('policy file too large');
    ui.policyFromFile = fromJson(await file.text());
    ui.strictOverride = null;
  } catch (e) {
    ui.policyFromFile = null;
    $('policy-error').hidden = false;
    $('policy-error').textContent = `Policy not loaded: ${e.message}`;
  }
  showPolicy();
}

function onStrictChange() {
  ui.strictOverride = $('strict').checked;
  showPolicy();
}

function addTypedRoot() {
  $('policy-error').hidden = true;
  try {
    ui.userRoots.push(parseRootPin({ sha256: $('root-pin').value.trim() }));
    $('root-pin').value = '';
  } catch (e) {
    $('policy-error').hidden = false;
    $('policy-error').textContent = `Root not pinned: ${e.message} (64 hex digits, ':' allowed)`;
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

function renderBanner(banner, { report, kp, quote, step }) {
  banner.hidden = !(quote || report);
  if (!kp) {
    const f = report && report.firstFailure();
    banner.className = 'banner banner-fail';
    banner.textContent = `FAILED — the node was not accepted and nothing was sent. ${f ? `${f.name}: ${f.detail}` : `§${step || '4.3'}: ${STEP_TEXT[step] || 'protocol checks failed'}`}`;
  } else if (kp && kp.hardware) {
    banner.className = 'banner banner-ok';
    banner.textContent = `VERIFIED — session keys protected by hardware: ${kp.text}.`;
  } else if (quote.evidenceType === EvidenceType.SIMULATED) {
    banner.className = 'banner banner-simulated';
    banner.textContent = `${SIMULATED_LABEL}: ${KEYS_NOT_PROTECTED_LABEL} (key protection: ${kp.text}). ` +
      'Accepted only because the policy accepts simulated evidence.';
  } else {
    banner.className = 'banner banner-gpu-only';
    banner.textContent = `GPU EVIDENCE ONLY — ${KEYS_NOT_PROTECTED_LABEL}. A confidential-computing GPU answered this ` +
      `session, but nothing proves where the node keeps its keys (key protection: ${kp.text}). Accepted only because ` +
      'the policy sets accept_gpu_only_evidence. RIM appraisal is not done in this browser.';
  }
}

function renderAttestation({ report, details, quote, step, protocolChecks }) {
  const verified = !!(report && report.ok() && quote);
  // A verifier that names no key protection protects nothing.
  const kp = verified ? (details && details.keyProtection) || { text: 'unknown', hardware: false } : null;
  ui.keyProtection = kp;
  ui.trustTone = verified ? trustTone(kp, quote.evidenceType) : null;
  const checks = $('checks');
  checks.replaceChildren();
  for (const c of (protocolChecks || []).concat(report ? report.checks : [])) {
    // An accepted lack of key protection is not a green pass.
    const accepted = c.passed && c.name === 'policy.key_protection' && c.detail.includes(KEYS_NOT_PROTECTED_LABEL);
    const li = el('li', c.passed ? (accepted ? 'pass accepted' : 'pass') : 'fail');
    li.append(el('strong', '', `${c.passed ? (accepted ? 'ACCEPTED' : 'PASS') : 'FAILED'} ${c.name}`), document.createTextNode(c.detail ? ` — ${c.detail}` : ''));
    checks.append(li);
  }
  if (!report && !(protocolChecks || []).some((c) => !c.passed)) {
    const li = el('li', 'fail');
    li.append(el('strong', '', `FAILED §${step || '4.3'}`), document.createTextNode(` — ${STEP_TEXT[step] || 'the response did not pass the protocol checks'}`));
    checks.append(li);
  }

  renderBanner($('evidence-banner'), { report, kp, quote, step });
  if (quote) {
    const rows = $('measurements');
    rows.replaceChildren();
    const pins = (ui.activePolicy || effectivePolicy()).measurements;
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
    if (g.details && g.details.mode) add('mode', g.details.mode);
    for (const s of (g.details && g.details.subjects) || []) add('certificate', s.subject);
    gpus.append(dl);
  }

  const tone = ui.trustTone || 'fail';
  if (quote) {
    const keyFailed = (protocolChecks || []).some((c) => !c.passed && (c.name === 'protocol.node_key' || c.name === 'protocol.binding'));
    if (keyFailed) setBadge('node', 'FAILED', `${shortHex(quote.nodePublicKey)} — not bound to this session or not a valid point`, 'fail');
    else if (verified) setBadge('node', 'verified', `${shortHex(quote.nodePublicKey)} — bound to the verified quote`, tone);
    else setBadge('node', 'received', shortHex(quote.nodePublicKey), 'pending');
  }
  if (verified) {
    const what = quote.evidenceType === EvidenceType.SIMULATED ? SIMULATED_LABEL : 'nvidia-gpu';
    if (kp.hardware) setBadge('attestation', 'verified', `${what}: session keys protected by hardware (${kp.text})`, 'ok');
    else setBadge('attestation', 'verified — NOT hardware-protected', `${what}: ${KEYS_NOT_PROTECTED_LABEL} (key protection: ${kp.text})`, tone);
  } else {
    const f = report && report.firstFailure();
    setBadge('attestation', 'FAILED', f ? `${f.name}: ${f.detail}` : `§${step || '4.3'}: ${STEP_TEXT[step] || 'protocol checks failed'}`, 'fail');
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
  ui.keyProtection = null;
  ui.trustTone = null;
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
  // A page served elsewhere (a static origin, file:) or a node without
  // /healthz leaves it unknown.
  try {
    if (!isSameOrigin(wsUrl, location)) throw new Error('another origin');
    const u = new URL(wsUrl);
    const httpUrl = `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}/healthz`;
    const signal = globalThis.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(5000) : undefined;
    const response = await fetch(httpUrl, { cache: 'no-store', credentials: 'omit', signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const health = await response.json();
    if (typeof health.demo_model === 'boolean') ui.demoModel = health.demo_model;
  } catch { /* unknown */ }
  label.hidden = false;
  if (ui.demoModel === true) {
    label.className = 'banner banner-warn';
    label.textContent = 'Demo model: random weights. Its answers are meaningless text, not AI output. Run the node with a real GGUF model for real answers.';
  } else if (ui.demoModel === false) {
    label.className = 'banner banner-info';
    label.textContent = 'Model: the node reports a real model (see the attested "model" measurement).';
  } else {
    label.className = 'banner banner-warn';
    label.textContent = 'Model: unknown (the node\'s /healthz could not be read). Answers from the demo model are random-weight output.';
  }
}

// askToConfirm shows the other origin's host in full and connects nowhere
// until the person confirms it (confirm-connect).
function askToConfirm(url) {
  ui.pendingServer = url;
  $('confirm-host').textContent = hostOf(url);
  $('confirm-url').textContent = url;
  $('confirm-server').hidden = false;
  setStatus('not connected: confirm the node first');
  $('confirm-connect').focus();
}

function hideConfirm() {
  ui.pendingServer = null;
  $('confirm-server').hidden = true;
}

function confirmServer() {
  const url = ui.pendingServer;
  hideConfirm();
  if (!url || url !== serverUrl()) return;
  ui.confirmedServer = url;
  $('connect-form').requestSubmit();
}

function cancelConfirm() {
  hideConfirm();
  setStatus('not connected');
  $('server-url').focus();
}

async function connect(event) {
  event.preventDefault();
  const url = serverUrl();
  let parsed;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error('use ws:// or wss://');
  } catch (e) {
    setStatus('FAILED', `Bad server URL: ${e.message}`);
    return;
  }
  if (!isSameOrigin(url, location) && ui.confirmedServer !== url) {
    askToConfirm(url);
    return;
  }
  hideConfirm();
  resetPanels();
  setMode('connecting');
  const policy = effectivePolicy(url);
  ui.activePolicy = policy;
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
      setBadge('client', 'generated', shortHex(info.clientPublicKey), 'pending');
      break;
    case 'handshake':
      setStatus('attesting the node…');
      setBadge('attestation', 'received', '', 'pending');
      break;
    case 'established':
      setStatus(`connected — encrypted session ${info.fingerprint}`);
      setBadge('secret', 'established', `session fingerprint ${info.fingerprint}` +
        (ui.keyProtection && ui.keyProtection.hardware ? '' : ` — ${KEYS_NOT_PROTECTED_LABEL}`), ui.trustTone || 'pending');
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
      if ($('state-secret').textContent === 'established') setBadge('secret', 'FAILED', 'keys dropped', 'fail');
      if ($('state-attestation').textContent === 'received') setBadge('attestation', 'FAILED', info.reason, 'fail');
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

// trustRoot pins the root the node presented, by the person's click after
// comparing its fingerprint with the operator's (trust on first use).
function trustRoot() {
  const fp = $('root-fingerprint').textContent.replace(/:/g, '');
  ui.userRoots.push(parseRootPin({ sha256: fp }));
  showPolicy();
  $('connect-form').requestSubmit();
}

function init() {
  if (!globalThis.crypto || !globalThis.crypto.subtle) {
    $('secure-context-warning').hidden = false;
    $('connect').disabled = true;
  }
  loadUrlPolicy();
  $('server-url').value = defaultServerUrl();
  showPolicy();
  $('connect-form').addEventListener('submit', connect);
  $('disconnect').addEventListener('click', disconnect);
  $('chat-form').addEventListener('submit', send);
  $('stop').addEventListener('click', () => ui.client && ui.client.cancel().catch(() => {}));
  $('reset').addEventListener('click', resetConversation);
  $('strict').addEventListener('change', onStrictChange);
  $('policy-file').addEventListener('change', onPolicyFile);
  $('trust-root').addEventListener('click', trustRoot);
  $('add-root-pin').addEventListener('click', addTypedRoot);
  $('server-url').addEventListener('input', () => {
    hideConfirm();
    showPolicy();
  });
  $('confirm-connect').addEventListener('click', confirmServer);
  $('confirm-cancel').addEventListener('click', cancelConfirm);
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
