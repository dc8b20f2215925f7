// Copyright 2026 The Cerumbra Authors.
//
// nvidia_evidence.js: the `evidence` bytes of a quote of type nvidia-gpu
// (docs/protocol.md §4.2), format of src/attest/nvidia_evidence.h:
//
//   {"format":"cerumbra-nvidia-evidence-v1",
//    "nonce":"<hex, 64 digits: the gpu_nonce>",
//    "gpus":[{"index":0,"architecture":"hopper"|"blackwell",
//             "report":"<base64url of the raw attestation report>",
//             "certificate_chain":["<base64url DER>", ...]}, ...]}
//
// UTF-8 JSON, keys in this order, no whitespace; 1..8 GPUs with indices
// 0..n-1 in order; a report 1..8 KiB; a chain 2..8 certificates of 1..4 KiB
// each. parseNvidiaEvidence accepts exactly what the encoder produces: it
// parses strictly, then re-encodes and requires identical bytes.
//
// verifyNvidiaEvidence checks the container, that its nonce is the
// session's gpu_nonce, every GPU (nvidia.js verifyGpu), and that no GPU's
// evidence stands in for another's (distinct device certificates).

import { decode as b64decode, encode as b64encode } from '../protocol/base64url.js';
import { equal, fromHex, toHex, utf8, utf8Decode } from '../protocol/bytes.js';
import { invalidArgument } from '../protocol/errors.js';
import { isObject, parse } from '../protocol/json.js';
import { Report } from './report.js';
import { verifyGpu } from './nvidia.js';

export const FORMAT = 'cerumbra-nvidia-evidence-v1';
export const MAX_GPUS = 8;
export const MAX_REPORT_SIZE = 8192;
export const MAX_CERTIFICATE_SIZE = 4096;
const ARCHITECTURES = ['hopper', 'blackwell'];

/** encodeNvidiaEvidence returns the canonical bytes or throws invalid_argument. */
export function encodeNvidiaEvidence({ nonce, gpus }) {
  if (!(nonce instanceof Uint8Array) || nonce.length !== 32) throw invalidArgument('nonce must be 32 bytes');
  if (!Array.isArray(gpus) || gpus.length < 1 || gpus.length > MAX_GPUS) throw invalidArgument('1..8 GPUs');
  const parts = gpus.map((g, i) => {
    if (g.index !== i || !ARCHITECTURES.includes(g.architecture)) throw invalidArgument('bad GPU index or architecture');
    if (!(g.report instanceof Uint8Array) || g.report.length < 1 || g.report.length > MAX_REPORT_SIZE) throw invalidArgument('bad report size');
    const chain = g.certificateChain;
    if (!Array.isArray(chain) || chain.length < 2 || chain.length > 8 ||
        chain.some((c) => !(c instanceof Uint8Array) || c.length < 1 || c.length > MAX_CERTIFICATE_SIZE)) {
      throw invalidArgument('bad certificate chain');
    }
    return `{"index":${i},"architecture":"${g.architecture}","report":"${b64encode(g.report)}",` +
      `"certificate_chain":[${chain.map((c) => `"${b64encode(c)}"`).join(',')}]}`;
  });
  return utf8(`{"format":"${FORMAT}","nonce":"${toHex(nonce)}","gpus":[${parts.join(',')}]}`);
}

/**
 * parseNvidiaEvidence returns {nonce, gpus: [{index, architecture, report,
 * certificateChain}]} or throws invalid_argument for anything the encoder
 * would not produce.
 */
export function parseNvidiaEvidence(bytes) {
  const bad = () => invalidArgument('malformed NVIDIA evidence');
  let value;
  try {
    value = parse(utf8Decode(bytes));
  } catch {
    throw bad();
  }
  if (!isObject(value) || value.format !== FORMAT || typeof value.nonce !== 'string' ||
      !/^[0-9a-f]{64}$/.test(value.nonce) || !Array.isArray(value.gpus)) {
    throw bad();
  }
  let evidence;
  try {
    evidence = {
      nonce: fromHex(value.nonce),
      gpus: value.gpus.map((g) => {
        if (!isObject(g) || !Array.isArray(g.certificate_chain)) throw bad();
        return {
          index: g.index,
          architecture: g.architecture,
          report: b64decode(g.report),
          certificateChain: g.certificate_chain.map((c) => b64decode(c)),
        };
      }),
    };
    if (!equal(encodeNvidiaEvidence(evidence), bytes)) throw bad();
  } catch {
    throw bad();
  }
  return evidence;
}

/**
 * verifyNvidiaEvidence appraises evidence bytes for a session and returns
 * {report, gpus: [{parsed, details}]}. Options: {gpuNonce (32 bytes, from
 * the quote, §4.2), roots, timeMs, requireFwid, allowProtectedPcie =
 * false}. Check names: "nvidia.evidence.parse", "nvidia.evidence.nonce",
 * "nvidia.gpuN.*", then "nvidia.evidence.gpus.distinct" (more than one
 * GPU: no two present the same device certificate; as C++, by the leaf's
 * serial number, the device's UEID, and here also by its bytes).
 */
export async function verifyNvidiaEvidence(bytes, { gpuNonce, roots, timeMs, requireFwid = true, allowProtectedPcie = false }) {
  const report = new Report();
  const gpus = [];
  let evidence;
  try {
    evidence = parseNvidiaEvidence(bytes);
    report.pass('nvidia.evidence.parse', `${evidence.gpus.length} GPU(s)`);
  } catch (e) {
    report.fail('nvidia.evidence.parse', e.message);
    return { report, gpus };
  }
  if (!equal(evidence.nonce, gpuNonce)) {
    report.fail('nvidia.evidence.nonce', 'the evidence was not requested with this session\'s gpu_nonce');
    return { report, gpus };
  }
  report.pass('nvidia.evidence.nonce', toHex(gpuNonce));
  for (const gpu of evidence.gpus) {
    const result = await verifyGpu(gpu, { expectedNonce: gpuNonce, roots, timeMs, requireFwid, allowProtectedPcie },
      `nvidia.gpu${gpu.index}.`);
    report.append(result.report);
    gpus.push({ index: gpu.index, architecture: gpu.architecture, parsed: result.parsed, details: result.details });
    if (!result.report.ok()) return { report, gpus };
  }
  // One GPU's evidence must not stand in for another's.
  const serials = new Set();
  const leaves = new Set();
  for (const g of gpus) {
    const serial = g.details.leafSerial.toString();
    if (serials.has(serial) || leaves.has(g.details.leafSha256)) {
      report.fail('nvidia.evidence.gpus.distinct', `two GPUs present the same device certificate (serial ${serial})`);
      return { report, gpus };
    }
    serials.add(serial);
    leaves.add(g.details.leafSha256);
  }
  if (gpus.length > 1) report.pass('nvidia.evidence.gpus.distinct', 'every GPU has its own device');
  return { report, gpus };
}
