// Copyright 2026 The Cerumbra Authors.
//
// verifier.js: the page's QuoteVerifier, docs/protocol.md §4.3 steps 5-8,
// run by ClientHandshake after steps 1-4. It returns a Report (report.js)
// with these checks, in order, stopping at the first failure:
//   quote.chain            the certificate chain verifies to a pinned
//                          quote root at the current time (chain.js); the
//                          leaf's keyUsage has digitalSignature and not
//                          keyCertSign (it signs quotes, as in C++); the
//                          leaf key is P-256
//   quote.signature        ECDSA P-256/SHA-256 (r || s) over the quote
//                          bytes with the leaf's key
//   quote.evidence_digest  SHA-384(evidence) equals the quote's digest
//   evidence.type          simulated: the evidence must be empty; passed
//                          and labelled. nvidia-gpu: the nvidia.* checks
//                          (nvidia.js) with gpu_nonce from the quote
//   policy.key_protection  the quote key (and so every session key) is
//                          protected by hardware, or the policy accepts the
//                          named lack of it: acceptSimulated for
//                          "none (simulated)", acceptGpuOnlyEvidence for
//                          "none (GPU evidence only)"; the detail then says
//                          "session keys NOT hardware-protected". Strict
//                          (both false, the default) refuses both.
//   policy.measurement.N   each pinned measurement equals the quote's
//   policy.timestamp       not older than maxAgeMs, not more than
//                          maxFutureMs in the future
// `details` keeps what the page shows (chain subjects and validity, GPU
// report data, and `keyProtection` {text, hardware} once the evidence
// verified: the first-class fact the page's colours follow, as
// src/attest/policy_verifier.h KeyProtection). All public data.

import { constantTimeEqual, toHex } from '../protocol/bytes.js';
import { EvidenceType, gpuNonce, sha384 } from '../protocol/quote.js';
import { verifyChain } from '../x509/chain.js';
import { importVerifyKey, verifyP1363 } from '../x509/ecdsa.js';
import { verifyNvidiaEvidence } from './nvidia_evidence.js';
import { Report } from './report.js';

export const SIMULATED_LABEL = 'SIMULATED — NOT HARDWARE PROTECTED';
/** KEYS_NOT_PROTECTED_LABEL: shown next to every accepted quote whose key no hardware protects. */
export const KEYS_NOT_PROTECTED_LABEL = 'session keys NOT hardware-protected';
export const KEY_PROTECTION_SIMULATED = 'none (simulated)';
export const KEY_PROTECTION_GPU_ONLY = 'none (GPU evidence only)';

/**
 * keyProtectionOf returns {text, hardware} for a quote's evidence type: what
 * protects the key that signs quotes, and so every session key. No
 * evidence type binds that key to hardware yet (that needs CPU-TEE evidence
 * whose report data commits to the key, e.g. "Intel TDX (TCB UpToDate) +
 * NVIDIA H100 (CC on)" with hardware true).
 */
export function keyProtectionOf(evidenceType) {
  if (evidenceType === EvidenceType.SIMULATED) return { text: KEY_PROTECTION_SIMULATED, hardware: false };
  return { text: KEY_PROTECTION_GPU_ONLY, hardware: false };
}

/** appraiseKeyProtection adds the policy.key_protection check; returns whether it passed. */
export function appraiseKeyProtection(report, policy, evidenceType, keyProtection) {
  const kp = keyProtection;
  if (kp.hardware) {
    report.pass('policy.key_protection', kp.text);
  } else if (evidenceType === EvidenceType.SIMULATED) {
    if (policy.acceptSimulated) report.pass('policy.key_protection', `${kp.text}: ${KEYS_NOT_PROTECTED_LABEL} (accepted: accept_simulated)`);
    else report.fail('policy.key_protection', `${kp.text}: ${KEYS_NOT_PROTECTED_LABEL}; refused by the strict policy`);
  } else if (policy.acceptGpuOnlyEvidence) {
    report.pass('policy.key_protection', `${kp.text}: ${KEYS_NOT_PROTECTED_LABEL} (accepted: accept_gpu_only_evidence)`);
  } else {
    report.fail('policy.key_protection', `${kp.text}: ${KEYS_NOT_PROTECTED_LABEL}; refused by the strict policy ` +
      '(set accept_gpu_only_evidence to accept GPU evidence without CPU-TEE evidence)');
  }
  return report.ok();
}

export class QuoteVerifier {
  /** `policy` as policy.js makePolicy returns it. */
  constructor(policy) {
    this.policy = policy;
    this.details = null;
    this.lastReport = null;
  }

  async verify(response, quote, nowMs) {
    const report = new Report();
    this.lastReport = report;
    const details = { chain: [], gpus: [], evidenceType: quote.evidenceType, unpinnedRoot: null, keyProtection: null };
    this.details = details;
    const policy = this.policy;

    // Step 5: the chain.
    const chainDer = response.certificateChain;
    const fingerprintOfLast = async () => toHex(new Uint8Array(
      await globalThis.crypto.subtle.digest('SHA-256', chainDer[chainDer.length - 1])));
    if (policy.quoteRoots.length === 0) {
      details.unpinnedRoot = await fingerprintOfLast();
      report.fail('quote.chain', 'no quote root is pinned');
      return report;
    }
    let chain;
    try {
      chain = await verifyChain(chainDer, { roots: policy.quoteRoots, timeMs: nowMs });
    } catch (e) {
      details.unpinnedRoot = await fingerprintOfLast();
      report.fail('quote.chain', e.reason || e.message);
      return report;
    }
    details.chain = chain.certificates.map((c) => ({
      subject: c.subject.text, issuer: c.issuer.text, notBefore: c.notBefore, notAfter: c.notAfter,
    }));
    const leaf = chain.certificates[0];
    // The leaf signs quotes: it must say so, and must not be a CA key.
    if (!leaf.keyUsage || !leaf.keyUsage.digitalSignature) {
      report.fail('quote.chain', `the leaf certificate ${leaf.subject.text} lacks digitalSignature key usage ` +
        '(a quote-signing certificate needs keyUsage digitalSignature)');
      return report;
    }
    if (leaf.keyUsage.keyCertSign) {
      report.fail('quote.chain', `the leaf certificate ${leaf.subject.text} has keyCertSign key usage: a CA key must not sign quotes`);
      return report;
    }
    if (leaf.publicKey.curve !== 'P-256') {
      report.fail('quote.chain', 'the leaf key is not P-256');
      return report;
    }
    report.pass('quote.chain', chain.subjects.join(' <- '));

    // Step 6: the signature.
    const key = await importVerifyKey(leaf.publicKey);
    if (!(await verifyP1363(key, 'P-256', response.signature, response.quote))) {
      report.fail('quote.signature', 'the quote signature does not verify with the leaf key');
      return report;
    }
    report.pass('quote.signature', 'ECDSA P-256/SHA-256 by the leaf certificate');

    // Step 7: the evidence.
    if (!constantTimeEqual(await sha384(response.evidence), quote.evidenceDigest)) {
      report.fail('quote.evidence_digest', 'SHA-384(evidence) differs from the quote');
      return report;
    }
    report.pass('quote.evidence_digest', toHex(quote.evidenceDigest).slice(0, 16) + '...');
    if (quote.evidenceType === EvidenceType.SIMULATED) {
      if (response.evidence.length !== 0) {
        report.fail('evidence.type', 'simulated evidence must be empty');
        return report;
      }
      report.pass('evidence.type', SIMULATED_LABEL);
    } else if (quote.evidenceType === EvidenceType.NVIDIA_GPU) {
      const nonce = await gpuNonce(quote.clientNonce, quote.clientPublicKey, quote.nodePublicKey);
      const result = await verifyNvidiaEvidence(response.evidence, {
        gpuNonce: nonce, roots: policy.nvidiaRoots, timeMs: nowMs, requireFwid: policy.requireFwid,
        allowProtectedPcie: false,
      });
      details.gpus = result.gpus;
      report.append(result.report);
      if (!result.report.ok()) return report;
      if (policy.requireRimAppraisal) {
        // The node's policy (cerumbra-policy-v1) asks for RIM appraisal,
        // which only the C++ verifier does: fail closed.
        report.fail('evidence.rim', 'the policy requires RIM appraisal, which this page cannot do (use cerumbra verify)');
        return report;
      }
      report.pass('evidence.type', 'nvidia-gpu (report, chain, FWID and signature verified in the browser; RIM appraisal not done here)');
    } else {
      report.fail('evidence.type', 'unknown evidence type');
      return report;
    }

    // Step 8: policy. First what protects the session keys.
    details.keyProtection = keyProtectionOf(quote.evidenceType);
    if (!appraiseKeyProtection(report, policy, quote.evidenceType, details.keyProtection)) return report;
    for (const [name, value] of policy.measurements) {
      const m = quote.measurements.find((x) => x.name === name);
      if (!m || !constantTimeEqual(m.value, value)) {
        report.fail(`policy.measurement.${name}`, m ? `differs from the pinned ${toHex(value).slice(0, 16)}...` : 'missing from the quote');
        return report;
      }
      report.pass(`policy.measurement.${name}`, 'equals the pinned value');
    }
    const ts = Number(quote.timestampMs);
    if (ts < nowMs - policy.maxAgeMs || ts > nowMs + policy.maxFutureMs) {
      report.fail('policy.timestamp', `quote time ${new Date(ts).toISOString()} is outside the allowed window`);
      return report;
    }
    report.pass('policy.timestamp', new Date(ts).toISOString());
    return report;
  }
}
