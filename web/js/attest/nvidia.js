// Copyright 2026 The Cerumbra Authors.
//
// nvidia.js: NVIDIA GPU attestation evidence, verified in the browser
// (design/attestation-evidence.md §1.3-§1.5):
//
//  - parseReport: the NVML attestation report = SPDM 1.1 GET_MEASUREMENTS
//    request (37 bytes) || MEASUREMENTS response, parsed by its lengths
//    (never "the last 96 bytes"): the measurement record (L1), the
//    responder nonce, the opaque data (L2) as NVIDIA TLVs, then exactly 96
//    bytes of ECDSA P-384 signature. Trailing bytes are rejected.
//  - leafFwid: the FWID in the leaf certificate, Hopper form (OID
//    2.23.133.5.4.1, NVIDIA structure ending in SEQUENCE {sha384,
//    OCTET STRING(48)}) or Blackwell form (OID 2.23.133.5.4.1.1, DICE
//    TcbInfo, fwids[0] with sha384).
//  - verifyGpu: the report's request nonce equals the expected GPU nonce,
//    the chain verifies to the pinned NVIDIA Device Identity CA (exactly
//    5 certificates, chain.js), the declared architecture matches the
//    device certificate (the BROM certificate's CN: "GH100..." for Hopper,
//    "GB..." for Blackwell, as the C++ verifier), the report FWID equals
//    the leaf FWID, the signature over [0, signature offset) verifies with
//    the leaf's P-384 key (SHA-384, r || s), and the GPU is not in
//    Protected PCIe mode (refused by default, as in C++: it needs NVSwitch
//    evidence this code does not check).
//
// Not here: RIM appraisal (golden measurements) and OCSP revocation, which
// stay in the C++ verifier for now; the page says so.

import { toHex } from '../protocol/bytes.js';
import { Tag, children, parseOne, readOid } from '../x509/der.js';
import { Oid, parseCertificate } from '../x509/certificate.js';
import { verifyChain } from '../x509/chain.js';
import { importVerifyKey, verifyP1363 } from '../x509/ecdsa.js';
import { Report } from './report.js';
import { CerumbraError, Code } from '../protocol/errors.js';

export const SPDM_REQUEST_SIZE = 37;
export const SIGNATURE_SIZE = 96;
export const NVIDIA_CHAIN_LENGTH = 5;
const SHA384_OID = '2.16.840.1.101.3.4.2.2';
const FEATURE_PPCIE = 2;
const PROTECTED_PCIE_ENABLED = 0xaa;

/**
 * FAMILY_PREFIX: how the device (BROM) certificate's CN starts for each
 * architecture (src/attest/nvidia_verifier.cc FamilyPrefix).
 */
export const FAMILY_PREFIX = Object.freeze({ hopper: 'GH100', blackwell: 'GB' });

export class ReportError extends CerumbraError {
  constructor(message) {
    super(Code.INVALID_ARGUMENT, `attestation report: ${message}`);
    this.name = 'ReportError';
  }
}

/** OpaqueType: the NVIDIA opaque-data TLV types this code names. */
export const OpaqueType = Object.freeze({
  DRIVER_VERSION: 3, GPU_INFO: 4, VBIOS_VERSION: 6, NVDEC0_STATUS: 11, CHIP_SKU: 15, PROJECT: 17,
  PROJECT_SKU: 18, FWID: 20, PROTECTED_PCIE_STATUS: 21, OPAQUE_DATA_VERSION: 34, CHIP_INFO: 35, FEATURE_FLAG: 36,
});

function ascii(bytes) {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) --end;
  let s = '';
  for (let i = 0; i < end; ++i) {
    if (bytes[i] < 0x20 || bytes[i] > 0x7e) throw new ReportError('non-ASCII text field');
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}

const hex2 = (b) => b.toString(16).padStart(2, '0').toUpperCase();

/** vbiosVersion renders the 8-byte VBIOS TLV as b3.b2.b1.b0.b4 in hex. */
export function vbiosVersion(v) {
  if (v.length !== 8) throw new ReportError('bad VBIOS_VERSION');
  return [v[3], v[2], v[1], v[0], v[4]].map(hex2).join('.');
}

function u16(b, o) { return b[o] | (b[o + 1] << 8); }
function u24(b, o) { return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16); }

/**
 * parseOpaqueData decodes the TLVs (type u16 LE, length u16 LE, value),
 * which must fill the opaque data exactly, each type at most once.
 */
export function parseOpaqueData(bytes) {
  const tlvs = new Map();
  let o = 0;
  while (o < bytes.length) {
    if (o + 4 > bytes.length) throw new ReportError('truncated opaque TLV');
    const type = u16(bytes, o);
    const length = u16(bytes, o + 2);
    o += 4;
    if (o + length > bytes.length) throw new ReportError('opaque TLV past the opaque data');
    if (tlvs.has(type)) throw new ReportError(`duplicate opaque TLV ${type}`);
    tlvs.set(type, bytes.subarray(o, o + length));
    o += length;
  }
  const get = (t) => tlvs.get(t);
  const out = { tlvs };
  if (get(OpaqueType.DRIVER_VERSION)) out.driverVersion = ascii(get(OpaqueType.DRIVER_VERSION));
  if (get(OpaqueType.VBIOS_VERSION)) out.vbiosVersion = vbiosVersion(get(OpaqueType.VBIOS_VERSION));
  if (get(OpaqueType.PROJECT)) out.project = ascii(get(OpaqueType.PROJECT));
  if (get(OpaqueType.PROJECT_SKU)) out.projectSku = ascii(get(OpaqueType.PROJECT_SKU));
  if (get(OpaqueType.CHIP_SKU)) out.chipSku = ascii(get(OpaqueType.CHIP_SKU));
  if (get(OpaqueType.CHIP_INFO)) out.chipInfo = ascii(get(OpaqueType.CHIP_INFO));
  if (get(OpaqueType.FWID)) {
    if (get(OpaqueType.FWID).length !== 48) throw new ReportError('FWID is not 48 bytes');
    out.fwid = get(OpaqueType.FWID);
  }
  const nvdec = get(OpaqueType.NVDEC0_STATUS);
  if (nvdec) out.nvdec0Enabled = nvdec.length === 1 && nvdec[0] === 0xaa;
  const ppcie = get(OpaqueType.PROTECTED_PCIE_STATUS);
  if (ppcie) {
    if (ppcie.length !== 1) throw new ReportError('bad PROTECTED_PCIE_STATUS');
    out.protectedPcie = ppcie[0] === PROTECTED_PCIE_ENABLED;
  }
  const version = get(OpaqueType.OPAQUE_DATA_VERSION);
  if (version && version.length === 2) out.opaqueDataVersion = u16(version, 0);
  const feature = get(OpaqueType.FEATURE_FLAG);
  if (feature) {
    if (feature.length !== 2) throw new ReportError('bad FEATURE_FLAG');
    out.featureFlagValue = u16(feature, 0);
    out.featureFlag = ['SPT', 'MPT', 'PPCIe'][out.featureFlagValue] || `unknown(${out.featureFlagValue})`;
  }
  return out;
}

/**
 * parseReport parses a raw report (Uint8Array) or throws ReportError.
 * Returns {nonce, request, numberOfBlocks, measurements: [{index,
 * valueType, value}], responderNonce, opaque, signedLength, signature}.
 * Checks: request SPDM 1.1 GET_MEASUREMENTS with a signature requested
 * (Param1 0x01), all indices (Param2 0xFF), slot 0; response SPDM 1.1
 * MEASUREMENTS; NumberOfBlocks blocks exactly filling L1, each DMTF
 * (specification 0x01) with MeasurementSize = 3 + value size, unique
 * indices; opaque TLVs exactly filling L2; exactly 96 signature bytes and
 * nothing after them.
 */
export function parseReport(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new ReportError('not bytes');
  if (bytes.length < SPDM_REQUEST_SIZE + 8) throw new ReportError('too short');
  if (bytes[0] !== 0x11 || bytes[1] !== 0xe0 || bytes[2] !== 0x01 || bytes[3] !== 0xff || bytes[36] !== 0x00) {
    throw new ReportError('not an SPDM 1.1 GET_MEASUREMENTS request for all signed measurements');
  }
  const nonce = bytes.slice(4, 36);
  const r = SPDM_REQUEST_SIZE;
  if (bytes[r] !== 0x11 || bytes[r + 1] !== 0x60) throw new ReportError('not an SPDM 1.1 MEASUREMENTS response');
  const numberOfBlocks = bytes[r + 4];
  const l1 = u24(bytes, r + 5);
  const recordStart = r + 8;
  const recordEnd = recordStart + l1;
  if (recordEnd + 34 > bytes.length) throw new ReportError('measurement record past the report');
  const measurements = [];
  const seen = new Set();
  let o = recordStart;
  while (o < recordEnd) {
    if (o + 7 > recordEnd) throw new ReportError('truncated measurement block');
    const index = bytes[o];
    const specification = bytes[o + 1];
    const size = u16(bytes, o + 2);
    const valueType = bytes[o + 4];
    const valueSize = u16(bytes, o + 5);
    if (specification !== 0x01) throw new ReportError('measurement block is not DMTF');
    if (size !== 3 + valueSize || o + 4 + size > recordEnd) throw new ReportError('bad measurement block size');
    if (seen.has(index)) throw new ReportError('duplicate measurement index');
    seen.add(index);
    measurements.push({ index, valueType, value: bytes.slice(o + 7, o + 7 + valueSize) });
    o += 4 + size;
  }
  if (measurements.length !== numberOfBlocks) throw new ReportError('NumberOfBlocks does not match the record');
  const responderNonce = bytes.slice(recordEnd, recordEnd + 32);
  const l2 = u16(bytes, recordEnd + 32);
  const opaqueStart = recordEnd + 34;
  const signedLength = opaqueStart + l2;
  if (signedLength + SIGNATURE_SIZE > bytes.length) throw new ReportError('truncated');
  if (signedLength + SIGNATURE_SIZE !== bytes.length) throw new ReportError('trailing bytes after the signature');
  const opaque = parseOpaqueData(bytes.subarray(opaqueStart, signedLength));
  return {
    nonce,
    request: { param1: bytes[2], param2: bytes[3], slot: bytes[36] },
    numberOfBlocks,
    measurements,
    responderNonce,
    opaque,
    signedLength,
    signature: bytes.slice(signedLength),
  };
}

/**
 * leafFwid returns {form: 'hopper'|'blackwell', fwid} from a parsed leaf
 * certificate, or null when it has neither extension. Throws ReportError
 * when an extension is present but malformed.
 */
export function leafFwid(cert) {
  const hopper = cert.extensions.get(Oid.TCG_DICE_TCB_INFO);
  const blackwell = cert.extensions.get(Oid.TCG_DICE_TCB_INFO_BLACKWELL);
  if (hopper && blackwell) throw new ReportError('leaf has both FWID forms');
  try {
    if (hopper) {
      const parts = children(parseOne(hopper.value, Tag.SEQUENCE));
      const digest = children(parts[parts.length - 1]);
      if (parts[parts.length - 1].tag !== Tag.SEQUENCE || digest.length !== 2 || readOid(digest[0]) !== SHA384_OID ||
          digest[1].tag !== Tag.OCTET_STRING || digest[1].value.length !== 48) {
        throw new ReportError('bad Hopper FWID extension');
      }
      return { form: 'hopper', fwid: digest[1].value };
    }
    if (blackwell) {
      const fields = children(parseOne(blackwell.value, Tag.SEQUENCE));
      const fwids = fields.find((f) => f.tag === 0xa6); // [6] IMPLICIT SEQUENCE OF FWID
      if (!fwids) throw new ReportError('DiceTcbInfo without fwids');
      const first = children(fwids)[0];
      const [alg, digest, extra] = children(first);
      if (first.tag !== Tag.SEQUENCE || !alg || !digest || extra || readOid(alg) !== SHA384_OID ||
          digest.tag !== Tag.OCTET_STRING || digest.value.length !== 48) {
        throw new ReportError('bad Blackwell FWID');
      }
      return { form: 'blackwell', fwid: digest.value };
    }
  } catch (e) {
    if (e instanceof ReportError) throw e;
    throw new ReportError('malformed FWID extension');
  }
  return null;
}

/**
 * gpuMode returns {name, protectedPcie} for parsed opaque data: Protected
 * PCIe when the feature flag says PPCIe or the Protected PCIe status is
 * enabled (src/attest/nvidia_verifier.cc CheckMode).
 */
export function gpuMode(opaque) {
  const protectedPcie = opaque.featureFlagValue === FEATURE_PPCIE || opaque.protectedPcie === true;
  if (protectedPcie) return { name: 'Protected PCIe', protectedPcie };
  return { name: opaque.featureFlagValue === 1 ? 'multi-GPU passthrough' : 'single GPU passthrough', protectedPcie };
}

/**
 * verifyGpu appraises one GPU's evidence {architecture, report,
 * certificateChain (DER, leaf first)} and returns {report, parsed,
 * details: {parsed, subjects, fwidForm, hwmodel, leafSerial, leafSha256}}.
 * Options: {expectedNonce (32 bytes), roots (pins, e.g. the NVIDIA Device
 * Identity CA), timeMs, requireFwid = true (older drivers without the FWID
 * TLV fail unless false), allowProtectedPcie = false}. It stops at the
 * first failure that makes later checks meaningless. `prefix` names the
 * checks ("nvidia.gpu0.").
 */
export async function verifyGpu(gpu, {
  expectedNonce, roots, timeMs, requireFwid = true, allowProtectedPcie = false,
}, prefix = 'nvidia.gpu0.') {
  const report = new Report();
  let parsed;
  try {
    parsed = parseReport(gpu.report);
    report.pass(`${prefix}report.parse`, `${parsed.numberOfBlocks} measurement blocks, ${gpu.report.length} bytes`);
  } catch (e) {
    report.fail(`${prefix}report.parse`, e.message);
    return { report, parsed: null };
  }
  const details = { parsed, subjects: [], fwidForm: null, hwmodel: null, leafSerial: null, leafSha256: null };
  // Nonce: public data, a plain comparison is fine.
  if (expectedNonce && toHex(parsed.nonce) === toHex(expectedNonce)) {
    report.pass(`${prefix}report.nonce`, toHex(parsed.nonce));
  } else {
    report.fail(`${prefix}report.nonce`, `report nonce ${toHex(parsed.nonce)} is not the expected GPU nonce`);
    return { report, parsed, details };
  }
  if (gpu.certificateChain.length !== NVIDIA_CHAIN_LENGTH) {
    report.fail(`${prefix}cert_chain`, `expected ${NVIDIA_CHAIN_LENGTH} certificates, got ${gpu.certificateChain.length}`);
    return { report, parsed, details };
  }
  let chain;
  try {
    chain = await verifyChain(gpu.certificateChain, { roots, timeMs });
    details.subjects = chain.certificates.map((c) => ({
      subject: c.subject.text, notBefore: c.notBefore, notAfter: c.notAfter,
    }));
    report.pass(`${prefix}cert_chain`, chain.subjects.join(' <- '));
  } catch (e) {
    report.fail(`${prefix}cert_chain`, e.reason || e.message);
    return { report, parsed, details };
  }
  const leaf = chain.certificates[0];
  // The device identity, for nvidia.evidence.gpus.distinct.
  details.leafSerial = leaf.serialNumber;
  details.leafSha256 = toHex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', leaf.der)));
  // The declared architecture must be the device certificate's.
  details.hwmodel = chain.certificates[1].subject.commonName;
  const family = FAMILY_PREFIX[gpu.architecture];
  if (!family || !details.hwmodel.startsWith(family)) {
    report.fail(`${prefix}architecture`, `evidence says ${gpu.architecture} but the device certificate is ${details.hwmodel}`);
    return { report, parsed, details };
  }
  report.pass(`${prefix}architecture`, `${gpu.architecture} (${details.hwmodel})`);
  let fwid;
  try {
    fwid = leafFwid(leaf);
  } catch (e) {
    report.fail(`${prefix}cert_chain.fwid`, e.message);
    return { report, parsed, details };
  }
  const expectedForm = gpu.architecture === 'blackwell' ? 'blackwell' : 'hopper';
  if (!parsed.opaque.fwid) {
    if (requireFwid) {
      report.fail(`${prefix}cert_chain.fwid`, 'the report has no FWID (older driver)');
      return { report, parsed, details };
    }
    report.pass(`${prefix}cert_chain.fwid`, 'the report has no FWID (older driver); not compared by policy');
  } else if (!fwid || fwid.form !== expectedForm) {
    report.fail(`${prefix}cert_chain.fwid`, `the leaf has no ${expectedForm} FWID extension`);
    return { report, parsed, details };
  } else if (toHex(fwid.fwid) !== toHex(parsed.opaque.fwid)) {
    report.fail(`${prefix}cert_chain.fwid`, 'the report FWID differs from the leaf certificate FWID');
    return { report, parsed, details };
  } else {
    details.fwidForm = fwid.form;
    report.pass(`${prefix}cert_chain.fwid`, `${fwid.form} form, ${toHex(fwid.fwid).slice(0, 16)}...`);
  }
  if (leaf.publicKey.curve !== 'P-384') {
    report.fail(`${prefix}report.signature`, 'the leaf key is not P-384');
    return { report, parsed, details };
  }
  const ok = await verifyReportSignature(gpu.report, parsed, leaf);
  if (!ok) {
    report.fail(`${prefix}report.signature`, 'the report signature does not verify with the leaf key');
    return { report, parsed, details };
  }
  report.pass(`${prefix}report.signature`, `ECDSA P-384/SHA-384 over bytes [0, ${parsed.signedLength})`);
  const mode = gpuMode(parsed.opaque);
  details.mode = mode.name;
  if (mode.protectedPcie && !allowProtectedPcie) {
    report.fail(`${prefix}mode`, `${mode.name}: needs NVSwitch evidence this verifier does not check`);
  } else {
    report.pass(`${prefix}mode`, mode.name);
  }
  return { report, parsed, details };
}

/**
 * verifyReportSignature returns true when the report's 96-byte signature
 * verifies over bytes [0, parsed.signedLength) with the P-384 key of the
 * parsed `leaf` certificate (ECDSA, SHA-384).
 */
export async function verifyReportSignature(reportBytes, parsed, leaf) {
  if (leaf.publicKey.curve !== 'P-384') return false;
  const key = await importVerifyKey(leaf.publicKey);
  return verifyP1363(key, 'P-384', parsed.signature, reportBytes.subarray(0, parsed.signedLength), 'SHA-384');
}

/** parseCertificateSafe is parseCertificate returning null on error (display only). */
export function parseCertificateSafe(der) {
  try {
    return parseCertificate(der);
  } catch {
    return null;
  }
}
