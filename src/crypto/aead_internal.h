// Copyright 2026 The Cerumbra Authors.
//
// Nonce-taking AES-GCM entry points. NOT part of the public crypto API.
//
// WARNING: nonce reuse is catastrophic. Sealing two messages under the same
// key and nonce reveals the XOR of the plaintexts and the GHASH key, which
// lets an attacker forge arbitrary messages. Only the record layer's
// sequence-number nonces (nonce = base_nonce XOR seq, RFC 9180 §5.2, with a
// sequence number that never repeats under one key) may call SealWithNonce.
// Everything else uses Aes256Gcm::Seal, which picks random nonces.
//
// The *ForTesting functions exist only so the Wycheproof suite can run every
// AES-GCM vector (128/192-bit keys, IVs other than 96 bits); production code
// must never call them.

#ifndef CERUMBRA_CRYPTO_AEAD_INTERNAL_H_
#define CERUMBRA_CRYPTO_AEAD_INTERNAL_H_

#include <cstdint>
#include <span>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/aead.h"

namespace cerumbra::crypto::internal {

// SealWithNonce encrypts `plaintext` and authenticates `aad` under `nonce`
// (exactly kAesGcmNonceSize bytes) and returns ciphertext || tag
// (plaintext.size() + 16 bytes). The nonce is NOT included in the output.
//
// WARNING: see the file comment; never pass the same nonce twice for one key.
// Fails with InvalidArgument for a wrong nonce size or an input over INT_MAX
// bytes; Internal if OpenSSL fails. Thread safety: as Aes256Gcm (not
// thread-safe per object).
Result<std::vector<uint8_t>> SealWithNonce(Aes256Gcm& aead,
                                           std::span<const uint8_t> nonce,
                                           std::span<const uint8_t> plaintext,
                                           std::span<const uint8_t> aad);

// OpenWithNonce verifies and decrypts `ciphertext_and_tag` (as returned by
// SealWithNonce) under `nonce` and `aad`. Every authentication failure,
// including input shorter than the tag, is the opaque Unauthenticated error
// and no plaintext is released; a nonce of the wrong size is
// InvalidArgument. Thread safety: as Aes256Gcm.
Result<std::vector<uint8_t>> OpenWithNonce(
    Aes256Gcm& aead, std::span<const uint8_t> nonce,
    std::span<const uint8_t> ciphertext_and_tag, std::span<const uint8_t> aad);

// AesGcmSealForTesting is AES-GCM with any AES key size (16, 24 or 32 bytes)
// and any IV length of at least 1 byte (SP 800-38D §8.2 allows IVs other
// than 96 bits; a 0-byte IV is rejected with InvalidArgument). Returns
// ciphertext || 16-byte tag. Test-only: see the file comment.
Result<std::vector<uint8_t>> AesGcmSealForTesting(
    std::span<const uint8_t> key, std::span<const uint8_t> iv,
    std::span<const uint8_t> plaintext, std::span<const uint8_t> aad);

// AesGcmOpenForTesting is the inverse of AesGcmSealForTesting. Bad
// parameters are InvalidArgument; authentication failures are the opaque
// Unauthenticated error, with no plaintext released. Test-only.
Result<std::vector<uint8_t>> AesGcmOpenForTesting(
    std::span<const uint8_t> key, std::span<const uint8_t> iv,
    std::span<const uint8_t> ciphertext_and_tag, std::span<const uint8_t> aad);

}  // namespace cerumbra::crypto::internal

#endif  // CERUMBRA_CRYPTO_AEAD_INTERNAL_H_
