// Copyright 2026 The Cerumbra Authors.
//
// Test helpers: read the shared test vectors (../shared/testvectors, never
// copied into the repository) with fs. CERUMBRA_TESTVECTORS overrides the
// folder.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fromHex } from '../../web/js/protocol/bytes.js';
import { parsePemCertificates } from '../../web/js/x509/certificate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const candidates = [
  process.env.CERUMBRA_TESTVECTORS,
  path.resolve(here, '../../../shared/testvectors'),
].filter(Boolean);

export const TESTVECTORS = candidates.find((p) => fs.existsSync(p));
if (!TESTVECTORS) throw new Error('shared test vectors not found; set CERUMBRA_TESTVECTORS');

export function readText(rel) {
  return fs.readFileSync(path.join(TESTVECTORS, rel), 'utf8');
}

export function readReport(rel) {
  return fromHex(readText(rel).trim());
}

export function readChain(rel) {
  return parsePemCertificates(readText(rel));
}

export const NVIDIA_ROOT = () => readChain('nvidia-nvtrust/verifier_device_root.pem')[0];
export const RIM_ROOT = () => readChain('nvidia-nvtrust/verifier_RIM_root.pem')[0];

export const SAMPLES = {
  hopper: { report: 'nvidia-nvtrust/hopperAttestationReport.txt', chain: 'nvidia-nvtrust/hopperCertChain.txt', architecture: 'hopper' },
  hopperOld: { report: 'nvidia-nvtrust/attestationReport.txt', chain: 'nvidia-nvtrust/gpuAkCertChain.txt', architecture: 'hopper' },
  blackwell: { report: 'nvidia-attestation-sdk/blackwellAttestationReport.txt', chain: 'nvidia-attestation-sdk/blackwellCertChain.txt', architecture: 'blackwell' },
  invalidSignature: {
    report: 'nvidia-attestation-sdk/hopperAttestationReportInvalidSignature.txt',
    chain: 'nvidia-attestation-sdk/hopperCertChainExpired.txt',
    architecture: 'hopper',
  },
};

export function flipBit(bytes, index, bit = 0) {
  const out = bytes.slice();
  out[index] ^= 1 << bit;
  return out;
}
