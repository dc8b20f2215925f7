// Copyright 2026 The Cerumbra Authors.
//
// Test-only helpers for the NVIDIA attestation tests: reading the shared
// test vectors (CERUMBRA_TESTVECTORS; a missing file is a failure, never a
// skip), hex reports and PEM chains.

#ifndef CERUMBRA_ATTEST_NVIDIA_TEST_UTIL_H_
#define CERUMBRA_ATTEST_NVIDIA_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/test_util.h"
#include "crypto/x509.h"

namespace cerumbra::attest::testing {

inline std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

inline std::vector<uint8_t> ToVector(std::string_view text) {
  return {text.begin(), text.end()};
}

// MustRead returns the test vector at `path` (relative to the vectors dir).
inline std::string MustRead(const std::string& path) {
  std::optional<std::string> text = crypto::testing::ReadTestVectorFile(path);
  if (!text.has_value()) {
    ADD_FAILURE() << "cannot read test vector " << path
                  << " (CERUMBRA_TESTVECTORS="
                  << crypto::testing::TestVectorsDir() << ")";
    return "";
  }
  return *std::move(text);
}

// MustReadHexReport decodes a *AttestationReport*.txt file (one run of hex).
inline std::vector<uint8_t> MustReadHexReport(const std::string& path) {
  std::string text = MustRead(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  std::optional<std::vector<uint8_t>> bytes =
      crypto::testing::TryHexDecode(text);
  if (!bytes.has_value()) {
    ADD_FAILURE() << path << " is not hex";
    return {};
  }
  return *std::move(bytes);
}

// MustReadPemChainDer returns the DER certificates of a PEM chain file.
inline std::vector<std::vector<uint8_t>> MustReadPemChainDer(
    const std::string& path) {
  Result<std::vector<crypto::Certificate>> certs =
      crypto::ParsePemCertificates(MustRead(path));
  if (!certs.ok()) {
    ADD_FAILURE() << path << ": " << certs.status().ToString();
    return {};
  }
  std::vector<std::vector<uint8_t>> out;
  for (const crypto::Certificate& c : *certs) out.push_back(c.ToDer());
  return out;
}

// UnixSeconds returns the Unix time of y-m-d 00:00:00 UTC.
inline int64_t UnixSeconds(int y, unsigned m, unsigned d) {
  return std::chrono::sys_seconds(std::chrono::sys_days(std::chrono::year(y) /
                                                        std::chrono::month(m) /
                                                        std::chrono::day(d)))
      .time_since_epoch()
      .count();
}

}  // namespace cerumbra::attest::testing

#endif  // CERUMBRA_ATTEST_NVIDIA_TEST_UTIL_H_
