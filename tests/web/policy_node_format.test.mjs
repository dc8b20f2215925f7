// The page reads the node's policy format (docs/attestation.md §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromJson, isStrict } from '../../web/js/attest/policy.js';

const root = 'MIIBkTCB-w';  // base64url bytes; only decoded here

test('cerumbra-policy-v1: strict by default, roots, one pinned value, ages, RIMs required', () => {
  const p = fromJson(JSON.stringify({
    format: 'cerumbra-policy-v1', quote_roots: [root],
    measurements: { web: ['00ff'] }, max_age_seconds: 10, max_future_seconds: 5,
  }));
  assert.equal(isStrict(p), true);
  assert.equal(p.acceptSimulated, false);
  assert.equal(p.acceptGpuOnlyEvidence, false);
  assert.equal(p.quoteRoots.length, 1);
  assert.deepEqual([...p.measurements.get('web')], [0, 255]);
  assert.equal(p.maxAgeMs, 10000);
  assert.equal(p.maxFutureMs, 5000);
  assert.equal(p.requireRimAppraisal, true);
});

test('cerumbra-policy-v1: accept_simulated and an explicit RIM opt-out', () => {
  const p = fromJson(JSON.stringify({
    format: 'cerumbra-policy-v1', accept_simulated: true, nvidia: { require_rim_appraisal: false },
  }));
  assert.equal(p.acceptSimulated, true);
  assert.equal(p.acceptGpuOnlyEvidence, false);
  assert.equal(p.requireRimAppraisal, false);
});

test('cerumbra-policy-v1: accept_gpu_only_evidence (the member the C++ policy adds, default false)', () => {
  const p = fromJson(JSON.stringify({ format: 'cerumbra-policy-v1', accept_simulated: false, accept_gpu_only_evidence: true }));
  assert.equal(p.acceptSimulated, false);
  assert.equal(p.acceptGpuOnlyEvidence, true);
  assert.equal(isStrict(p), false);
  const q = fromJson(JSON.stringify({ format: 'cerumbra-policy-v1', accept_gpu_only_evidence: false }));
  assert.equal(isStrict(q), true);
});

test('cerumbra-policy-v1: what the page cannot enforce fails closed', () => {
  for (const bad of [
    { format: 'cerumbra-policy-v1', measurements: { web: ['00', '11'] } },  // allow-list
    { format: 'cerumbra-policy-v1', accept_simulatd: true },              // typo
    { format: 'cerumbra-policy-v1', accept_simulated: 'yes' },
    { format: 'cerumbra-policy-v1', accept_gpu_only_evidence: 1 },
    { format: 'cerumbra-policy-v1', accept_gpu_only: true },              // not the name
    { format: 'cerumbra-policy-v1', nvidia: { bogus: 1 } },
  ]) {
    assert.throws(() => fromJson(JSON.stringify(bad)), undefined, JSON.stringify(bad));
  }
});
