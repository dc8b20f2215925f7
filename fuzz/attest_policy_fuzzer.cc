// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the policy parser and the canonical-JSON encoder of the `config`
// measurement (src/attest/policy.h, measurement.h). Invariants: canonical
// JSON is a fixed point (canonicalizing it again changes nothing), and a
// parsed policy serializes to a document that parses to the same policy.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "attest/measurement.h"
#include "attest/policy.h"
#include "cerumbra/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cerumbra::attest;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto canonical = CanonicalJson(text);
  if (canonical.ok()) {
    auto again = CanonicalJson(*canonical);
    CERUMBRA_CHECK(again.ok() && *again == *canonical);
  }
  auto policy = ParsePolicyJson(text);
  if (policy.ok()) {
    auto back = ParsePolicyJson(SerializePolicyJson(*policy));
    CERUMBRA_CHECK(back.ok() && *back == *policy);
  }
  return 0;
}
