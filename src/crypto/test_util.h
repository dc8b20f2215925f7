// Copyright 2026 The Cerumbra Authors.
//
// Test-only helpers shared by the src/crypto unit tests: hex, text-as-bytes
// and access to the shared test vectors (CERUMBRA_TESTVECTORS).

#ifndef CERUMBRA_CRYPTO_TEST_UTIL_H_
#define CERUMBRA_CRYPTO_TEST_UTIL_H_

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace cerumbra::crypto::testing {

// TryHexDecode returns the bytes of `hex` (even length, [0-9a-fA-F]), or
// std::nullopt if it is malformed.
inline std::optional<std::vector<uint8_t>> TryHexDecode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

// HexDecode is TryHexDecode for literals in tests; it aborts on bad hex
// (a bug in the test itself).
inline std::vector<uint8_t> HexDecode(std::string_view hex) {
  std::optional<std::vector<uint8_t>> out = TryHexDecode(hex);
  if (!out.has_value()) std::abort();
  return *std::move(out);
}

// HexEncode returns lower-case hex.
inline std::string HexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// AsBytes views text as bytes.
inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// TestVectorsDir returns $CERUMBRA_TESTVECTORS, or "" when it is unset.
inline std::string TestVectorsDir() {
  const char* dir = std::getenv("CERUMBRA_TESTVECTORS");
  return dir == nullptr ? "" : dir;
}

// ReadTestVectorFile returns the contents of `relative_path` under
// TestVectorsDir(), or std::nullopt if it cannot be read.
inline std::optional<std::string> ReadTestVectorFile(
    std::string_view relative_path) {
  const std::string dir = TestVectorsDir();
  if (dir.empty()) return std::nullopt;
  std::ifstream in(dir + "/" + std::string(relative_path), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace cerumbra::crypto::testing

#endif  // CERUMBRA_CRYPTO_TEST_UTIL_H_
