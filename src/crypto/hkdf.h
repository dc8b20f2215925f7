// Copyright 2026 The Cerumbra Authors.
//
// HKDF with HMAC-SHA-256 (RFC 5869).

#ifndef CERUMBRA_CRYPTO_HKDF_H_
#define CERUMBRA_CRYPTO_HKDF_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "cerumbra/status.h"
#include "crypto/secret_bytes.h"

namespace cerumbra::crypto {

// kHkdfSha256PrkSize is the size of a pseudorandom key (HashLen).
inline constexpr size_t kHkdfSha256PrkSize = 32;
// kHkdfSha256MaxOutputSize is RFC 5869 §2.3's limit L <= 255*HashLen.
inline constexpr size_t kHkdfSha256MaxOutputSize = 255 * kHkdfSha256PrkSize;

// HkdfSha256Extract returns PRK = HMAC-SHA256(salt, ikm) (RFC 5869 §2.2), a
// 32-byte secret. An empty `salt` means HashLen zero bytes, as in the RFC;
// `ikm` may be empty. Fails with Internal only if OpenSSL fails.
//
// Thread safety: safe to call concurrently.
Result<SecretBytes> HkdfSha256Extract(std::span<const uint8_t> salt,
                                      const SecretBytes& ikm);

// HkdfSha256Expand returns `length` bytes of OKM (RFC 5869 §2.3) from `prk`
// and the context `info` (may be empty).
//
// Fails with InvalidArgument when `length` is 0 or exceeds
// kHkdfSha256MaxOutputSize (255*32), or when `prk` is shorter than
// kHkdfSha256PrkSize (the RFC requires at least HashLen bytes); Internal if
// OpenSSL fails.
//
// Thread safety: safe to call concurrently.
Result<SecretBytes> HkdfSha256Expand(const SecretBytes& prk,
                                     std::span<const uint8_t> info,
                                     size_t length);

// HkdfSha256 is Extract followed by Expand (RFC 5869 §2), with the failure
// modes of both. The intermediate PRK is wiped.
//
// Thread safety: safe to call concurrently.
Result<SecretBytes> HkdfSha256(std::span<const uint8_t> salt,
                               const SecretBytes& ikm,
                               std::span<const uint8_t> info, size_t length);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_HKDF_H_
