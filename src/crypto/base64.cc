// Copyright 2026 The Cerumbra Authors.

#include "crypto/base64.h"

#include <array>

namespace cerumbra::crypto::internal {
namespace {

constexpr char kUrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int kInvalid = -1;

constexpr std::array<int, 256> MakeTable(const char* alphabet) {
  std::array<int, 256> table{};
  for (int& v : table) v = kInvalid;
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = i;
  }
  return table;
}

constexpr std::array<int, 256> kUrlTable = MakeTable(kUrlAlphabet);
constexpr std::array<int, 256> kStdTable = MakeTable(kStdAlphabet);

// DecodedSize returns the decoded size of `n` unpadded characters, or -1 if
// no byte string encodes to that many characters.
long DecodedSize(size_t n) {
  if (n % 4 == 1) return -1;
  return static_cast<long>(n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
}

// DecodeUnpadded decodes `text` (no padding) into `out`, which has exactly
// DecodedSize(text.size()) bytes.
Status DecodeUnpadded(std::string_view text, const std::array<int, 256>& table,
                      std::span<uint8_t> out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (char c : text) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v == kInvalid) return InvalidArgumentError("invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<uint8_t>(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  // Canonical form: the unused low bits of the last character are zero.
  if (acc != 0) return InvalidArgumentError("non-canonical base64");
  if (o != out.size()) return InvalidArgumentError("invalid base64 length");
  return OkStatus();
}

}  // namespace

std::string Base64UrlEncode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kUrlAlphabet[(acc >> bits) & 63]);
    }
    acc &= (1u << bits) - 1;
  }
  if (bits > 0) out.push_back(kUrlAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

Result<std::vector<uint8_t>> Base64UrlDecode(std::string_view text) {
  const long size = DecodedSize(text.size());
  if (size < 0) return InvalidArgumentError("invalid base64url length");
  std::vector<uint8_t> out(static_cast<size_t>(size));
  CERUMBRA_RETURN_IF_ERROR(DecodeUnpadded(text, kUrlTable, out));
  return out;
}

Result<SecretBytes> Base64UrlDecodeSecret(std::string_view text) {
  const long size = DecodedSize(text.size());
  if (size < 0) return InvalidArgumentError("invalid base64url length");
  SecretBytes out(static_cast<size_t>(size));
  CERUMBRA_RETURN_IF_ERROR(
      DecodeUnpadded(text, kUrlTable, out.RevealMutable()));
  return out;
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgumentError("bad base64 length");
  size_t padding = 0;
  while (padding < 2 && padding < text.size() &&
         text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  const std::string_view body = text.substr(0, text.size() - padding);
  const long size = DecodedSize(body.size());
  // Padding must be exactly what the body length implies.
  if (size < 0 || (body.size() + padding) % 4 != 0 ||
      (padding > 0 && body.size() % 4 == 0)) {
    return InvalidArgumentError("bad base64 padding");
  }
  std::vector<uint8_t> out(static_cast<size_t>(size));
  CERUMBRA_RETURN_IF_ERROR(DecodeUnpadded(body, kStdTable, out));
  return out;
}

}  // namespace cerumbra::crypto::internal
