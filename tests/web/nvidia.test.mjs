// Copyright 2026 The Cerumbra Authors.
//
// NVIDIA GPU evidence verification in the browser code, on the same real
// samples the C++ verifier uses (read from ../shared/testvectors).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { concat, fromHex, toHex } from '../../web/js/protocol/bytes.js';
import { parseCertificate } from '../../web/js/x509/certificate.js';
import {
  leafFwid, parseReport, verifyGpu, verifyReportSignature,
} from '../../web/js/attest/nvidia.js';
import {
  encodeNvidiaEvidence, parseNvidiaEvidence, verifyNvidiaEvidence,
} from '../../web/js/attest/nvidia_evidence.js';
import { NVIDIA_ROOT, RIM_ROOT, SAMPLES, flipBit, readChain, readReport, readText } from './testdata.mjs';

const AT = Date.UTC(2026, 0, 1);
const HOPPER_NONCE = '931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb';

function load(sample) {
  return {
    architecture: sample.architecture,
    report: readReport(sample.report),
    certificateChain: readChain(sample.chain),
  };
}

function options(nonceHex, extra = {}) {
  return { expectedNonce: fromHex(nonceHex), roots: [{ der: NVIDIA_ROOT() }], timeMs: AT, ...extra };
}

function failedCheck(result) {
  const f = result.report.firstFailure();
  return f ? f.name : null;
}

test('the Hopper report parses by its lengths', () => {
  const gpu = load(SAMPLES.hopper);
  const p = parseReport(gpu.report);
  assert.equal(gpu.report.length, 4117);
  assert.equal(p.signedLength, 4021);
  assert.equal(p.numberOfBlocks, 64);
  assert.equal(p.measurements.length, 64);
  assert.ok(p.measurements.every((m) => m.value.length === 48));
  assert.equal(toHex(p.nonce), HOPPER_NONCE);
  assert.equal(p.opaque.driverVersion, '550.90.07');
  assert.equal(p.opaque.vbiosVersion, '96.00.9F.00.01');
  assert.equal(p.opaque.project, '1010');
  assert.equal(p.opaque.projectSku, '0200');
  assert.equal(p.opaque.chipSku, '882');
  assert.equal(p.opaque.fwid.length, 48);
});

test('the Blackwell report parses: driver, VBIOS, no CHIP_INFO', () => {
  const p = parseReport(load(SAMPLES.blackwell).report);
  assert.equal(p.signedLength, 4025);
  assert.equal(p.opaque.driverVersion, '575.32');
  assert.equal(p.opaque.vbiosVersion, '97.00.88.00.0F');
  assert.equal(p.opaque.project, 'G525');
  assert.equal(p.opaque.chipSku, '886');
  assert.equal(p.opaque.chipInfo, undefined);
  assert.equal(p.opaque.opaqueDataVersion, 0);
});

for (const name of ['hopper', 'blackwell']) {
  test(`the genuine ${name} report passes every check`, async () => {
    const gpu = load(SAMPLES[name]);
    const result = await verifyGpu(gpu, options(HOPPER_NONCE));
    assert.deepEqual(result.report.checks.map((c) => [c.name, c.passed]), [
      ['nvidia.gpu0.report.parse', true],
      ['nvidia.gpu0.report.nonce', true],
      ['nvidia.gpu0.cert_chain', true],
      ['nvidia.gpu0.cert_chain.fwid', true],
      ['nvidia.gpu0.report.signature', true],
    ]);
    assert.equal(result.details.fwidForm, name);
  });
}

test('the leaf FWID has the Hopper and Blackwell forms and equals the report FWID', () => {
  for (const name of ['hopper', 'blackwell']) {
    const gpu = load(SAMPLES[name]);
    const fwid = leafFwid(parseCertificate(gpu.certificateChain[0]));
    assert.equal(fwid.form, name);
    assert.equal(toHex(fwid.fwid), toHex(parseReport(gpu.report).opaque.fwid));
  }
  assert.equal(leafFwid(parseCertificate(NVIDIA_ROOT())), null);
});

test('hopperAttestationReportInvalidSignature fails on the signature', async () => {
  const gpu = load(SAMPLES.invalidSignature);
  const parsed = parseReport(gpu.report);
  const leaf = parseCertificate(gpu.certificateChain[0]);
  assert.equal(await verifyReportSignature(gpu.report, parsed, leaf), false);
  // The genuine pair, for contrast.
  const good = load(SAMPLES.hopper);
  assert.equal(await verifyReportSignature(good.report, parseReport(good.report), parseCertificate(good.certificateChain[0])), true);
  // The whole appraisal fails too (its FWID already differs from that leaf's).
  const result = await verifyGpu(gpu, options(HOPPER_NONCE));
  assert.equal(result.report.ok(), false);
  assert.equal(failedCheck(result), 'nvidia.gpu0.cert_chain.fwid');
});

test('a flipped bit anywhere in the signed bytes or the signature fails', async () => {
  const gpu = load(SAMPLES.hopper);
  const { signedLength } = parseReport(gpu.report);
  let flips = 0;
  let bySignature = 0;
  for (let i = 0; i < gpu.report.length; i += 37) {
    const bad = { ...gpu, report: flipBit(gpu.report, i, i % 8) };
    const result = await verifyGpu(bad, options(HOPPER_NONCE));
    assert.equal(result.report.ok(), false, `byte ${i}`);
    if (failedCheck(result) === 'nvidia.gpu0.report.signature') ++bySignature;
    ++flips;
  }
  // Inside the measurement record the report still parses: only the signature catches it.
  for (const i of [45, 1000, 3500, 3570, signedLength - 1, signedLength, gpu.report.length - 1]) {
    const bad = { ...gpu, report: flipBit(gpu.report, i, 3) };
    const result = await verifyGpu(bad, options(HOPPER_NONCE));
    assert.equal(result.report.ok(), false, `byte ${i}`);
  }
  assert.ok(flips > 100);
  assert.ok(bySignature > 80, `${bySignature} flips caught by the signature`);
});

test('a wrong nonce fails', async () => {
  const gpu = load(SAMPLES.hopper);
  const result = await verifyGpu(gpu, options('00'.repeat(32)));
  assert.equal(failedCheck(result), 'nvidia.gpu0.report.nonce');
});

test('truncation and trailing bytes fail to parse', async () => {
  const gpu = load(SAMPLES.hopper);
  for (const report of [
    gpu.report.subarray(0, gpu.report.length - 1),
    gpu.report.subarray(0, 4021),
    gpu.report.subarray(0, 100),
    gpu.report.subarray(0, 36),
    concat(gpu.report, Uint8Array.of(0)), // the trustee sample's trailing 0x00
    concat(gpu.report, fromHex('deadbeef')),
  ]) {
    assert.throws(() => parseReport(report));
    const result = await verifyGpu({ ...gpu, report }, options(HOPPER_NONCE));
    assert.equal(failedCheck(result), 'nvidia.gpu0.report.parse');
  }
});

test('a wrong root, a short chain or another GPU\'s chain fails', async () => {
  const gpu = load(SAMPLES.hopper);
  let result = await verifyGpu(gpu, { ...options(HOPPER_NONCE), roots: [{ der: RIM_ROOT() }] });
  assert.equal(failedCheck(result), 'nvidia.gpu0.cert_chain');
  result = await verifyGpu({ ...gpu, certificateChain: gpu.certificateChain.slice(0, 4) }, options(HOPPER_NONCE));
  assert.equal(failedCheck(result), 'nvidia.gpu0.cert_chain');
  result = await verifyGpu({ ...gpu, certificateChain: readChain(SAMPLES.blackwell.chain) }, options(HOPPER_NONCE));
  assert.equal(failedCheck(result), 'nvidia.gpu0.cert_chain.fwid');
  result = await verifyGpu({ ...gpu, architecture: 'blackwell' }, options(HOPPER_NONCE));
  assert.equal(failedCheck(result), 'nvidia.gpu0.cert_chain.fwid');
});

test('an older report without FWID fails unless the policy allows it', async () => {
  const gpu = load(SAMPLES.hopperOld);
  const nonce = toHex(parseReport(gpu.report).nonce);
  const strict = await verifyGpu(gpu, options(nonce));
  assert.equal(failedCheck(strict), 'nvidia.gpu0.cert_chain.fwid');
  const lenient = await verifyGpu(gpu, options(nonce, { requireFwid: false }));
  assert.equal(lenient.report.ok(), true);
});

test('NVIDIA\'s serialized evidence sample verifies', async () => {
  const [entry] = JSON.parse(readText('nvidia-attestation-sdk/hopper_evidence.json'));
  const report = Uint8Array.from(atob(entry.evidence), (c) => c.charCodeAt(0));
  const { parsePemCertificates } = await import('../../web/js/x509/certificate.js');
  const gpu = { architecture: 'hopper', report, certificateChain: parsePemCertificates(atob(entry.certificate)) };
  const result = await verifyGpu(gpu, options(entry.nonce));
  assert.equal(result.report.ok(), true);
  assert.equal(result.parsed.opaque.featureFlag, 'PPCIe');
});

test('the evidence container round-trips and rejects every other encoding', () => {
  const gpu = load(SAMPLES.hopper);
  const evidence = { nonce: fromHex(HOPPER_NONCE), gpus: [{ index: 0, ...gpu }] };
  const bytes = encodeNvidiaEvidence(evidence);
  const parsed = parseNvidiaEvidence(bytes);
  assert.equal(toHex(parsed.gpus[0].report), toHex(gpu.report));
  assert.equal(parsed.gpus[0].certificateChain.length, 5);
  const text = new TextDecoder().decode(bytes);
  const variants = [
    text.replace('{"format"', '{ "format"'),
    text.replace('"index":0', '"index":1'),
    text.replace(HOPPER_NONCE, HOPPER_NONCE.toUpperCase()),
    text.replace('"hopper"', '"ampere"'),
    text.replace('{"format":"cerumbra-nvidia-evidence-v1","nonce":"' + HOPPER_NONCE + '"',
      '{"nonce":"' + HOPPER_NONCE + '","format":"cerumbra-nvidia-evidence-v1"'),
    `${text} `,
    text.replace('"gpus":[', '"gpus":[],"x":['),
  ];
  for (const v of variants) assert.throws(() => parseNvidiaEvidence(new TextEncoder().encode(v)), v.slice(0, 60));
  assert.throws(() => encodeNvidiaEvidence({ ...evidence, gpus: [{ ...evidence.gpus[0], certificateChain: gpu.certificateChain.slice(0, 1) }] }));
});

test('verifyNvidiaEvidence binds the container to the session\'s gpu_nonce', async () => {
  const gpus = [{ index: 0, ...load(SAMPLES.hopper) }, { index: 1, ...load(SAMPLES.blackwell) }];
  const bytes = encodeNvidiaEvidence({ nonce: fromHex(HOPPER_NONCE), gpus });
  const roots = [{ der: NVIDIA_ROOT() }];
  const good = await verifyNvidiaEvidence(bytes, { gpuNonce: fromHex(HOPPER_NONCE), roots, timeMs: AT });
  assert.equal(good.report.ok(), true);
  assert.equal(good.report.checks.filter((c) => c.name.endsWith('report.signature')).length, 2);
  const other = await verifyNvidiaEvidence(bytes, { gpuNonce: new Uint8Array(32), roots, timeMs: AT });
  assert.equal(other.report.firstFailure().name, 'nvidia.evidence.nonce');
  const broken = await verifyNvidiaEvidence(bytes.subarray(1), { gpuNonce: fromHex(HOPPER_NONCE), roots, timeMs: AT });
  assert.equal(broken.report.firstFailure().name, 'nvidia.evidence.parse');
});
