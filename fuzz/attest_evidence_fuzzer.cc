// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the NVIDIA evidence JSON parser (src/attest/nvidia_evidence.h).
// The encoding is canonical, so whatever parses must encode back to exactly
// the input. Parsed evidence then goes through the verifier (with the
// pinned roots), which must never crash on it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "attest/nvidia_evidence.h"
#include "attest/nvidia_verifier.h"
#include "cerumbra/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cerumbra::attest;
  std::span<const uint8_t> bytes(data, size);
  auto evidence = ParseNvidiaEvidence(bytes);
  if (!evidence.ok()) return 0;
  auto encoded = EncodeNvidiaEvidence(*evidence);
  CERUMBRA_CHECK(encoded.ok());
  CERUMBRA_CHECK(std::vector<uint8_t>(bytes.begin(), bytes.end()) == *encoded);
  static const NvidiaVerifyOptions options =
      DefaultNvidiaVerifyOptions(evidence->nonce, 1800000000);
  NvidiaVerifyOptions o = options;
  o.nonce = evidence->nonce;
  o.require_rim_appraisal = false;
  (void)VerifyNvidiaEvidence(*evidence, o);
  return 0;
}
