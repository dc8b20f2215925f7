// Copyright 2026 The Cerumbra Authors.
//
// Policy: what a client accepts from a node (docs/attestation.md §5), in
// C++ and as a JSON document that the browser reads too. PolicyQuoteVerifier
// (policy_verifier.h) applies it.

#ifndef CERUMBRA_ATTEST_POLICY_H_
#define CERUMBRA_ATTEST_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"

namespace cerumbra::attest {

// kPolicyFormat is the JSON document's "format" member.
inline constexpr char kPolicyFormat[] = "cerumbra-policy-v1";
// Defaults and limits of §4.3 step 8.
inline constexpr int64_t kDefaultMaxAgeSeconds = 300;
inline constexpr int64_t kMaxFutureSeconds = 60;

// MeasurementRule pins one measurement: the quote must carry `name` with a
// value equal to one of `allowed` (one entry: an exact value; several: an
// allow-list, e.g. two released binaries).
struct MeasurementRule {
  std::string name;
  std::vector<std::vector<uint8_t>> allowed;

  friend bool operator==(const MeasurementRule&,
                         const MeasurementRule&) = default;
};

// Policy is the relying party's configuration. A value type.
struct Policy {
  // quote_roots: pinned roots (DER) for the quote's certificate chain: the
  // simulated roots an operator published (and, later, CPU-TEE roots).
  std::vector<std::vector<uint8_t>> quote_roots;
  // accept_simulated: whether evidence type `simulated` is acceptable
  // (its keys are protected by nothing: key protection "none (simulated)").
  bool accept_simulated = false;
  // accept_gpu_only_evidence: whether NVIDIA GPU evidence without CPU-TEE
  // evidence is acceptable. GPU evidence proves that a CC-mode GPU answered
  // the session's gpu_nonce; it proves nothing about where the quote
  // signing key, and so the session keys, live (key protection "none (GPU
  // evidence only)"). Strict mode (both false, the default) refuses every
  // quote whose key is not hardware-protected.
  bool accept_gpu_only_evidence = false;
  // measurements: every rule must be satisfied. Measurements in the quote
  // without a rule are reported as "not pinned" and accepted.
  std::vector<MeasurementRule> measurements;
  // max_age_seconds: oldest acceptable quote timestamp (1..86,400);
  // max_future_seconds: tolerated clock skew ahead (0..60).
  int64_t max_age_seconds = kDefaultMaxAgeSeconds;
  int64_t max_future_seconds = kMaxFutureSeconds;
  // nvidia-gpu appraisal: pinned roots (empty: the built-in NVIDIA roots of
  // nvidia_verifier.h), RIM documents (XML bytes), and whether a GPU must
  // be appraised against RIMs (else missing RIMs leave it "not appraised").
  std::vector<uint8_t> nvidia_device_root;
  std::vector<uint8_t> nvidia_rim_root;
  std::vector<std::vector<uint8_t>> nvidia_rims;
  bool nvidia_require_rim_appraisal = true;

  friend bool operator==(const Policy&, const Policy&) = default;
};

// Strict returns true when `policy` refuses every quote whose key is not
// protected by hardware (accept_simulated and accept_gpu_only_evidence are
// both false).
inline bool Strict(const Policy& policy) {
  return !policy.accept_simulated && !policy.accept_gpu_only_evidence;
}

// ParsePolicyJson parses the JSON document (schema in docs/attestation.md
// §5). Strict: duplicate members (at any depth), unknown members, wrong
// types, malformed base64url or hex,
// values out of range, duplicate measurement names or more than 64 roots,
// RIMs or allowed values are InvalidArgument (a typo must not weaken a
// policy). Thread safety: pure function.
Result<Policy> ParsePolicyJson(std::string_view json);

// SerializePolicyJson returns the canonical document (members in schema
// order, two-space indentation is not used: one line). ParsePolicyJson of it
// yields `policy` again. Thread safety: pure function.
std::string SerializePolicyJson(const Policy& policy);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_POLICY_H_
