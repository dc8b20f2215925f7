// Copyright 2026 The Cerumbra Authors.
//
// Internal: strict Base64 (RFC 4648 §4) and Base64url (RFC 4648 §5) codecs
// for JWK members and PEM bodies. Not part of the public crypto API.

#ifndef CERUMBRA_CRYPTO_BASE64_H_
#define CERUMBRA_CRYPTO_BASE64_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/secret_bytes.h"

namespace cerumbra::crypto::internal {

// Base64UrlEncode returns the unpadded base64url encoding of `bytes`
// (RFC 7515 §2, as used by JWK). Thread safety: pure function.
std::string Base64UrlEncode(std::span<const uint8_t> bytes);

// Base64UrlDecode decodes unpadded base64url. Strict: rejects padding,
// whitespace, characters outside the URL-safe alphabet, impossible lengths
// and non-canonical encodings (non-zero unused trailing bits), so each byte
// string has exactly one accepted encoding. Errors are InvalidArgument.
Result<std::vector<uint8_t>> Base64UrlDecode(std::string_view text);

// Base64UrlDecodeSecret is Base64UrlDecode into wiped memory, for private
// key material ("d"). Same strictness and errors.
Result<SecretBytes> Base64UrlDecodeSecret(std::string_view text);

// Base64Decode decodes standard, padded base64 (RFC 4648 §4) with the same
// strictness; the input must not contain whitespace. Errors are
// InvalidArgument.
Result<std::vector<uint8_t>> Base64Decode(std::string_view text);

}  // namespace cerumbra::crypto::internal

#endif  // CERUMBRA_CRYPTO_BASE64_H_
