// Copyright 2026 The Cerumbra Authors.
//
// Check and Report: the result of an attestation appraisal as a list of
// named checks, each passed or failed with a reason. `cerumbra verify`
// prints them; the client's QuoteVerifier fails on the first failed one;
// the browser shows the same names. A verifier adds a failed check and
// stops at the first failure that makes later checks meaningless.

#ifndef CERUMBRA_ATTEST_CHECK_H_
#define CERUMBRA_ATTEST_CHECK_H_

#include <string>
#include <utility>
#include <vector>

namespace cerumbra::attest {

// Check is one named check. `name` is stable, lower-case with dots
// ("nvidia.gpu0.report.signature"); `detail` says what was compared or why
// it failed, for humans. Public data only.
struct Check {
  std::string name;
  bool passed = false;
  std::string detail;
};

// Report is an ordered list of checks; ok() when there is at least one and
// every one passed. A value type.
struct Report {
  std::vector<Check> checks;

  void Pass(std::string name, std::string detail = {}) {
    checks.push_back({std::move(name), true, std::move(detail)});
  }
  void Fail(std::string name, std::string detail) {
    checks.push_back({std::move(name), false, std::move(detail)});
  }
  // Append adds `other`'s checks, each name prefixed with `prefix`.
  void Append(const Report& other, const std::string& prefix = {}) {
    for (const Check& c : other.checks) {
      checks.push_back({prefix + c.name, c.passed, c.detail});
    }
  }
  bool ok() const {
    if (checks.empty()) return false;
    for (const Check& c : checks) {
      if (!c.passed) return false;
    }
    return true;
  }
  // FirstFailure returns the first failed check, or nullptr.
  const Check* FirstFailure() const {
    for (const Check& c : checks) {
      if (!c.passed) return &c;
    }
    return nullptr;
  }
};

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_CHECK_H_
