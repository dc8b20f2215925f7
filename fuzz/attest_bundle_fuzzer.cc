// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes offline bundle verification (src/attest/policy_verifier.h):
// bundle JSON, attest_response, quote, chain, signature and evidence
// parsing. Invariants: it never crashes, always reports at least one check,
// and never passes under a policy that pins no root.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attest/policy.h"
#include "attest/policy_verifier.h"
#include "cerumbra/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cerumbra::attest;
  static const Policy kNothingPinned = [] {
    Policy p;
    p.accept_simulated = true;
    return p;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Report report =
      VerifyEvidenceBundle(text, kNothingPinned, 1'795'700'000'000);
  CERUMBRA_CHECK(!report.checks.empty());
  CERUMBRA_CHECK(!report.ok());
  return 0;
}
