// Copyright 2026 The Cerumbra Authors.
//
// Test-only: synthetic NVIDIA GPU evidence made in JavaScript, for the
// checks the real samples (../shared/testvectors) cannot reach because no
// real GPU would sign such inputs: several distinct GPUs for one nonce, a
// Blackwell-named device claimed as Hopper, Protected PCIe flags, and
// evidence for a live session's gpu_nonce (the GPU-only trust state).
//
// A synthetic GPU is a 5-certificate chain shaped like NVIDIA's (root,
// identity CA, provisioner CA, "<family> A01 GSP BROM", "<family> A01 GSP
// FMC LF" leaf with the FWID extension), all ECDSA P-384/SHA-384, under a
// made-up root that a test pins instead of the NVIDIA Device Identity CA.
// Its leaf key signs SPDM 1.1 reports built here (the layout of
// web/js/attest/nvidia.js parseReport, as src/attest/nvidia_synthetic_test.cc).

import { concat, utf8 } from '../../web/js/protocol/bytes.js';
import { gpuNonce } from '../../web/js/protocol/quote.js';
import { encodeNvidiaEvidence } from '../../web/js/attest/nvidia_evidence.js';
import { makeCertificate, newKey, oid, seq, tlv } from './fake_node.mjs';

const subtle = globalThis.crypto.subtle;
const SHA384 = '2.16.840.1.101.3.4.2.2';
const DAY = 86400000;

// The leaf's FWID extension in the Hopper form (OID 2.23.133.5.4.1, a
// SEQUENCE ending in SEQUENCE {sha384, OCTET STRING(48)}) or the Blackwell
// form (OID 2.23.133.5.4.1.1, DiceTcbInfo with [6] fwids).
function fwidExtension(architecture, fwid) {
  const digest = seq(oid(SHA384), tlv(0x04, fwid));
  if (architecture === 'blackwell') return seq(oid('2.23.133.5.4.1.1'), tlv(0x04, seq(tlv(0xa6, digest))));
  return seq(oid('2.23.133.5.4.1'), tlv(0x04, seq(tlv(0x0c, utf8('NVIDIA')), digest)));
}

/**
 * makeSyntheticRoot returns {der, key, spki, sha256} of a made-up "Synthetic
 * NVIDIA Test Root" (P-384), to be pinned as the NVIDIA root.
 */
export async function makeSyntheticRoot(now = Date.now()) {
  const key = await newKey('P-384');
  const der = await makeCertificate({
    subject: 'Synthetic NVIDIA Test Root', issuer: 'Synthetic NVIDIA Test Root', spki: key.spki,
    signingKey: key.privateKey, ca: true, notBefore: now - DAY, notAfter: now + 365 * DAY, serial: 1,
  });
  const sha256 = Array.from(new Uint8Array(await subtle.digest('SHA-256', der)), (b) => b.toString(16).padStart(2, '0')).join('');
  return { der, key, sha256 };
}

/**
 * makeSyntheticGpu returns {architecture, chain (DER, leaf first, 5), leafKey,
 * fwid} for one synthetic device under `root`. Options: architecture
 * ('hopper' | 'blackwell'), family (the BROM/leaf CN prefix; default
 * GH100 for Hopper, GB100 for Blackwell), serial (the leaf's, i.e. the
 * device identity), fwidByte.
 */
export async function makeSyntheticGpu(root, {
  architecture = 'hopper', family = architecture === 'blackwell' ? 'GB100' : 'GH100', serial = 0x4242,
  fwidByte = 0xf1, now = Date.now(),
} = {}) {
  const validity = { notBefore: now - DAY, notAfter: now + 365 * DAY };
  const identity = await newKey('P-384');
  const provisioner = await newKey('P-384');
  const brom = await newKey('P-384');
  const leaf = await newKey('P-384');
  const fwid = new Uint8Array(48).fill(fwidByte);
  const rootName = 'Synthetic NVIDIA Test Root';
  const certs = [
    await makeCertificate({ subject: `${family} A01 GSP FMC LF`, issuer: `${family} A01 GSP BROM`, spki: leaf.spki,
      signingKey: brom.privateKey, ca: false, serial, extraExtension: fwidExtension(architecture, fwid), ...validity }),
    await makeCertificate({ subject: `${family} A01 GSP BROM`, issuer: 'SYNTH Provisioner ICA', spki: brom.spki,
      signingKey: provisioner.privateKey, ca: true, serial: serial + 1, ...validity }),
    await makeCertificate({ subject: 'SYNTH Provisioner ICA', issuer: 'SYNTH Identity', spki: provisioner.spki,
      signingKey: identity.privateKey, ca: true, serial: 3, ...validity }),
    await makeCertificate({ subject: 'SYNTH Identity', issuer: rootName, spki: identity.spki,
      signingKey: root.key.privateKey, ca: true, serial: 2, ...validity }),
    root.der,
  ];
  return { architecture, chain: certs, leafKey: leaf.privateKey, fwid };
}

function addTlv(out, type, value) {
  out.push(type & 255, type >> 8, value.length & 255, value.length >> 8, ...value);
}

/**
 * syntheticOpaque returns opaque data like a 550 driver's with the GPU's
 * FWID. Options: featureFlag (TLV 36: 0 SPT, 1 MPT, 2 PPCIe), protectedPcie
 * (TLV 21 = 0xAA when true, 0x55 when false), fwid (null: no FWID TLV).
 */
export function syntheticOpaque(gpu, { featureFlag = null, protectedPcie = null, fwid = gpu.fwid } = {}) {
  const o = [];
  addTlv(o, 6, [0x00, 0x9f, 0x00, 0x96, 0x01, 0x00, 0x00, 0x00]);
  addTlv(o, 15, [...utf8('882'), 0]);
  addTlv(o, 17, [...utf8('1010'), 0]);
  addTlv(o, 18, [...utf8('0200'), 0]);
  addTlv(o, 3, [...utf8('550.90.07'), 0]);
  addTlv(o, 11, [0x55]);
  if (fwid) addTlv(o, 20, [...fwid]);
  if (protectedPcie !== null) addTlv(o, 21, [protectedPcie ? 0xaa : 0x55]);
  if (featureFlag !== null) addTlv(o, 36, [featureFlag, 0]);
  return Uint8Array.from(o);
}

/**
 * makeSyntheticReport returns an SPDM 1.1 GET_MEASUREMENTS request for
 * `nonce` || a MEASUREMENTS response (64 blocks of 48 bytes, `opaque`)
 * signed with the GPU's leaf key (ECDSA P-384/SHA-384, r || s).
 */
export async function makeSyntheticReport(gpu, nonce, opaque = syntheticOpaque(gpu)) {
  const l1 = 64 * 55;
  const head = [0x11, 0xe0, 0x01, 0xff, ...nonce, 0x00, 0x11, 0x60, 0, 0, 64, l1 & 255, l1 >> 8, 0];
  const blocks = [];
  for (let i = 1; i <= 64; ++i) blocks.push(i, 1, 51, 0, 1, 48, 0, ...new Uint8Array(48).fill(i));
  const signed = concat(Uint8Array.from(head), Uint8Array.from(blocks), new Uint8Array(32).fill(0x77),
    Uint8Array.of(opaque.length & 255, opaque.length >> 8), opaque);
  const signature = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, gpu.leafKey, signed));
  return concat(signed, signature);
}

/**
 * syntheticEvidence returns the cerumbra-nvidia-evidence-v1 bytes for
 * `gpus` answering `nonce`; `opaqueOptions` go to syntheticOpaque.
 */
export async function syntheticEvidence(gpus, nonce, opaqueOptions = {}) {
  const entries = [];
  for (let i = 0; i < gpus.length; ++i) {
    const g = gpus[i];
    entries.push({ index: i, architecture: g.architecture, report: await makeSyntheticReport(g, nonce, syntheticOpaque(g, opaqueOptions)), certificateChain: g.chain });
  }
  return encodeNvidiaEvidence({ nonce, gpus: entries });
}

/**
 * sessionEvidence returns a makeSigner `makeEvidence` function: NVIDIA
 * evidence from `gpus` for each session's gpu_nonce (protocol §4.2).
 */
export function sessionEvidence(gpus) {
  return async (input) => syntheticEvidence(gpus, await gpuNonce(input.clientNonce, input.clientPublicKey, input.nodePublicKey));
}
