// Copyright 2026 The Cerumbra Authors.
//
// report.js: the result of an attestation appraisal as an ordered list of
// named checks, each passed or failed with a detail, mirroring
// src/attest/check.h so the page shows the same names as `cerumbra
// verify`. Names are stable, lower-case with dots
// ("nvidia.gpu0.report.signature"); details are public data only.

export class Report {
  constructor() {
    /** checks: [{name, passed, detail}] in order. */
    this.checks = [];
  }

  pass(name, detail = '') {
    this.checks.push({ name, passed: true, detail });
  }

  fail(name, detail) {
    this.checks.push({ name, passed: false, detail });
  }

  /** append adds `other`'s checks, each name prefixed with `prefix`. */
  append(other, prefix = '') {
    for (const c of other.checks) this.checks.push({ name: prefix + c.name, passed: c.passed, detail: c.detail });
  }

  /** ok is true when there is at least one check and every one passed. */
  ok() {
    return this.checks.length > 0 && this.checks.every((c) => c.passed);
  }

  /** firstFailure returns the first failed check or null. */
  firstFailure() {
    return this.checks.find((c) => !c.passed) || null;
  }
}
