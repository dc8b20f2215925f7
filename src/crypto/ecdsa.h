// Copyright 2026 The Cerumbra Authors.
//
// ECDSA (FIPS 186-5 §6) with a fixed curve/hash pairing:
//   P-256 with SHA-256, P-384 with SHA-384.
// There is no hash option: the key's curve picks the hash.

#ifndef CERUMBRA_CRYPTO_ECDSA_H_
#define CERUMBRA_CRYPTO_ECDSA_H_

#include <cstdint>
#include <span>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/ec.h"

namespace cerumbra::crypto {

// EcdsaSignatureFormat selects the signature encoding.
enum class EcdsaSignatureFormat {
  // kDer is the ASN.1 DER SEQUENCE { r INTEGER, s INTEGER } (RFC 3279
  // §2.2.3; X.509, TLS). Verification accepts only strict DER.
  kDer,
  // kP1363 is r || s, each left-padded to the field size (IEEE P1363; Web
  // Crypto; NVIDIA SPDM reports): 64 bytes on P-256, 96 on P-384.
  kP1363,
};

// EcdsaSign signs SHA-256(message) (P-256 keys) or SHA-384(message) (P-384
// keys) with a fresh random nonce k (OpenSSL's RNG) and returns the
// signature in `format`. Fails with Internal if OpenSSL fails.
//
// Thread safety: safe to call concurrently, also with the same key.
Result<std::vector<uint8_t>> EcdsaSign(const PrivateKey& key,
                                       std::span<const uint8_t> message,
                                       EcdsaSignatureFormat format);

// EcdsaVerify checks `signature` over `message` with `key` (hash chosen by
// the key's curve as in EcdsaSign). Returns OK only for a valid signature.
//
// Strictness before any arithmetic:
// - kDer: the signature must be exactly the canonical DER encoding (no BER
//   long-form lengths, no leading zero bytes, no trailing bytes); it is
//   parsed and re-encoded, and the bytes must match.
// - kP1363: exactly 2 * EcFieldSize bytes.
// - Both: 1 <= r, s <= n-1.
// Every failure, including malformed signatures, is the opaque
// Unauthenticated error ("signature verification failed"); Internal only if
// OpenSSL cannot allocate.
//
// Thread safety: safe to call concurrently, also with the same key.
Status EcdsaVerify(const PublicKey& key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature,
                   EcdsaSignatureFormat format);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_ECDSA_H_
