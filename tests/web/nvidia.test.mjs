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
import {
  makeSyntheticGpu, makeSyntheticReport, makeSyntheticRoot, syntheticEvidence, syntheticOpaque,
} from './nvidia_synthetic.mjs';

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
      ['nvidia.gpu0.architecture', true],
      ['nvidia.gpu0.cert_chain.fwid', true],
      ['nvidia.gpu0.report.signature', true],
      ['nvidia.gpu0.mode', true],
    ]);
    assert.equal(result.details.fwidForm, name);
    assert.match(result.details.hwmodel, name === 'hopper' ? /^GH100/ : /^GB/);
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
  assert.equal(failedCheck(result), 'nvidia.gpu0.architecture');
  result = await verifyGpu({ ...gpu, certificateChain: readChain(SAMPLES.hopperOld.chain) }, options(HOPPER_NONCE));
  assert.equal(failedCheck(result), 'nvidia.gpu0.cert_chain.fwid');
});

test('the declared architecture must be the device certificate\'s (nvidia.gpuN.architecture)', async () => {
  const hopper = load(SAMPLES.hopper);
  let result = await verifyGpu({ ...hopper, architecture: 'blackwell' }, options(HOPPER_NONCE));
  assert.equal(failedCheck(result), 'nvidia.gpu0.architecture');
  assert.match(result.report.firstFailure().detail, /evidence says blackwell but the device certificate is GH100/);
  const blackwell = load(SAMPLES.blackwell);
  result = await verifyGpu({ ...blackwell, architecture: 'hopper' }, options(HOPPER_NONCE));
  assert.equal(failedCheck(result), 'nvidia.gpu0.architecture');
  assert.match(result.report.firstFailure().detail, /evidence says hopper but the device certificate is GB/);
  // A Blackwell-named synthetic device whose leaf carries the Hopper FWID
  // form: only the architecture check stands between it and a pass.
  const root = await makeSyntheticRoot();
  const gpu = await makeSyntheticGpu(root, { architecture: 'hopper', family: 'GB100' });
  const nonce = new Uint8Array(32).fill(7);
  const evidence = { architecture: 'hopper', report: await makeSyntheticReport(gpu, nonce), certificateChain: gpu.chain };
  result = await verifyGpu(evidence, { expectedNonce: nonce, roots: [{ der: root.der }], timeMs: Date.now() });
  assert.equal(failedCheck(result), 'nvidia.gpu0.architecture');
  const honest = await makeSyntheticGpu(root, { architecture: 'hopper' });
  result = await verifyGpu({ architecture: 'hopper', report: await makeSyntheticReport(honest, nonce), certificateChain: honest.chain },
    { expectedNonce: nonce, roots: [{ der: root.der }], timeMs: Date.now() });
  assert.equal(result.report.ok(), true, JSON.stringify(result.report.firstFailure()));
});

test('Protected PCIe mode is refused by default (nvidia.gpuN.mode)', async () => {
  const root = await makeSyntheticRoot();
  const gpu = await makeSyntheticGpu(root);
  const nonce = new Uint8Array(32).fill(9);
  const roots = [{ der: root.der }];
  const run = async (opaqueOptions, extra = {}) => verifyGpu({
    architecture: 'hopper', report: await makeSyntheticReport(gpu, nonce, syntheticOpaque(gpu, opaqueOptions)), certificateChain: gpu.chain,
  }, { expectedNonce: nonce, roots, timeMs: Date.now(), ...extra });
  for (const [opaque, mode] of [[{}, 'single GPU passthrough'], [{ featureFlag: 0 }, 'single GPU passthrough'],
    [{ featureFlag: 1 }, 'multi-GPU passthrough'], [{ protectedPcie: false }, 'single GPU passthrough']]) {
    const r = await run(opaque);
    assert.equal(r.report.ok(), true, JSON.stringify(opaque));
    assert.equal(r.report.checks.at(-1).name, 'nvidia.gpu0.mode');
    assert.equal(r.report.checks.at(-1).detail, mode);
  }
  for (const opaque of [{ featureFlag: 2 }, { protectedPcie: true }, { featureFlag: 1, protectedPcie: true }]) {
    const r = await run(opaque);
    assert.equal(failedCheck(r), 'nvidia.gpu0.mode', JSON.stringify(opaque));
    assert.match(r.report.firstFailure().detail, /^Protected PCIe: needs NVSwitch evidence/);
    assert.equal((await run(opaque, { allowProtectedPcie: true })).report.ok(), true);
  }
  // A malformed flag does not parse (C++: the entry is malformed).
  const bad = Uint8Array.from([...syntheticOpaque(gpu), 36, 0, 1, 0, 2]);
  const r = await verifyGpu({ architecture: 'hopper', report: await makeSyntheticReport(gpu, nonce, bad), certificateChain: gpu.chain },
    { expectedNonce: nonce, roots, timeMs: Date.now() });
  assert.equal(failedCheck(r), 'nvidia.gpu0.report.parse');
});

test('an older report without FWID fails unless the policy allows it', async () => {
  const gpu = load(SAMPLES.hopperOld);
  const nonce = toHex(parseReport(gpu.report).nonce);
  const strict = await verifyGpu(gpu, options(nonce));
  assert.equal(failedCheck(strict), 'nvidia.gpu0.cert_chain.fwid');
  const lenient = await verifyGpu(gpu, options(nonce, { requireFwid: false }));
  assert.equal(lenient.report.ok(), true);
});

test('NVIDIA\'s serialized evidence sample verifies, and is refused for its Protected PCIe mode', async () => {
  const [entry] = JSON.parse(readText('nvidia-attestation-sdk/hopper_evidence.json'));
  const report = Uint8Array.from(atob(entry.evidence), (c) => c.charCodeAt(0));
  const { parsePemCertificates } = await import('../../web/js/x509/certificate.js');
  const gpu = { architecture: 'hopper', report, certificateChain: parsePemCertificates(atob(entry.certificate)) };
  const result = await verifyGpu(gpu, options(entry.nonce));
  assert.equal(result.parsed.opaque.featureFlag, 'PPCIe');
  assert.equal(failedCheck(result), 'nvidia.gpu0.mode');
  assert.ok(result.report.checks.slice(0, -1).every((c) => c.passed));
  const allowed = await verifyGpu(gpu, options(entry.nonce, { allowProtectedPcie: true }));
  assert.equal(allowed.report.ok(), true);
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
  const distinct = good.report.checks.at(-1);
  assert.deepEqual([distinct.name, distinct.passed], ['nvidia.evidence.gpus.distinct', true]);
});

test('one GPU\'s evidence copied into several slots fails nvidia.evidence.gpus.distinct', async () => {
  const roots = [{ der: NVIDIA_ROOT() }];
  const hopper = load(SAMPLES.hopper);
  const copied = encodeNvidiaEvidence({ nonce: fromHex(HOPPER_NONCE), gpus: [{ index: 0, ...hopper }, { index: 1, ...hopper }, { index: 2, ...hopper }] });
  const result = await verifyNvidiaEvidence(copied, { gpuNonce: fromHex(HOPPER_NONCE), roots, timeMs: AT });
  assert.equal(result.report.firstFailure().name, 'nvidia.evidence.gpus.distinct');
  assert.match(result.report.firstFailure().detail, /two GPUs present the same device certificate/);
  // Every GPU passed on its own: only the cross-GPU check catches the copy.
  assert.equal(result.report.checks.filter((c) => !c.passed).length, 1);
  // Synthetic: two devices pass; one device in two slots (each report
  // signed afresh, so only the device certificate is shared) fails.
  const root = await makeSyntheticRoot();
  const a = await makeSyntheticGpu(root, { serial: 100 });
  const b = await makeSyntheticGpu(root, { serial: 200 });
  const nonce = new Uint8Array(32).fill(3);
  const options2 = { gpuNonce: nonce, roots: [{ der: root.der }], timeMs: Date.now() };
  assert.equal((await verifyNvidiaEvidence(await syntheticEvidence([a, b], nonce), options2)).report.ok(), true);
  const twice = await verifyNvidiaEvidence(await syntheticEvidence([a, b, a], nonce), options2);
  assert.equal(twice.report.firstFailure().name, 'nvidia.evidence.gpus.distinct');
  // A different device that reuses another's serial number (UEID) fails too.
  const clone = await makeSyntheticGpu(root, { serial: 100 });
  const sameSerial = await verifyNvidiaEvidence(await syntheticEvidence([a, clone], nonce), options2);
  assert.equal(sameSerial.report.firstFailure().name, 'nvidia.evidence.gpus.distinct');
});
