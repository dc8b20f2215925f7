// Copyright 2026 The Cerumbra Authors.
//
// AES-256-GCM (NIST SP 800-38D) with a reusable key schedule and no
// caller-supplied nonces in the public API (the Tink shape).
//
// The record layer derives per-record nonces from a sequence number and uses
// the nonce-taking entry points in crypto/aead_internal.h; everything else
// uses Aes256Gcm::Seal/Open below, which pick a fresh random nonce.

#ifndef CERUMBRA_CRYPTO_AEAD_H_
#define CERUMBRA_CRYPTO_AEAD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/secret_bytes.h"

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX, kept opaque here.

namespace cerumbra::crypto {

// kAes256GcmKeySize is the key size (bytes); kAesGcmNonceSize the nonce size
// (96 bits, SP 800-38D §8.2.1); kAesGcmTagSize the full 128-bit tag.
inline constexpr size_t kAes256GcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;
// kAes256GcmMaxRandomNonceSeals bounds Seal calls per key with random
// nonces (NIST SP 800-38D §8.3: at most 2^32 invocations).
inline constexpr uint64_t kAes256GcmMaxRandomNonceSeals = uint64_t{1} << 32;

namespace internal {
// EvpCipherCtxFree frees the opaque OpenSSL context (defined in aead.cc).
struct EvpCipherCtxFree {
  void operator()(evp_cipher_ctx_st* ctx) const;
};
struct Aes256GcmAccess;  // Defined in aead.cc; see aead_internal.h.
}  // namespace internal

// Aes256Gcm is one AES-256-GCM key with its expanded key schedule held in a
// reusable OpenSSL context, so each Seal/Open costs no key setup.
//
// Seal output and Open input are `nonce (12) || ciphertext || tag (16)`.
//
// Open never releases plaintext before the tag has verified: it decrypts
// into a private buffer, and on any failure wipes that buffer and returns
// the opaque Unauthenticated error.
//
// Thread safety: NOT thread-safe. Seal and Open mutate the shared context;
// use one instance per thread (or per direction of a channel). Move-only.
// The key schedule is wiped by OpenSSL when the object is destroyed.
class Aes256Gcm {
 public:
  // Create returns a cipher for `key`, which must be exactly 32 bytes
  // (InvalidArgument otherwise); Internal if OpenSSL fails. The key bytes
  // are copied into OpenSSL's context; `key` may be destroyed afterwards.
  static Result<Aes256Gcm> Create(const SecretBytes& key);

  // Moving transfers the context; a moved-from cipher fails every call with
  // FailedPrecondition.
  Aes256Gcm(Aes256Gcm&&) noexcept;
  Aes256Gcm& operator=(Aes256Gcm&&) noexcept;
  ~Aes256Gcm();

  // Seal encrypts and authenticates `plaintext` and authenticates `aad`
  // under a fresh random 12-byte nonce, returning
  // nonce || ciphertext || tag (plaintext.size() + 28 bytes).
  //
  // Fails with InvalidArgument if an input exceeds INT_MAX bytes,
  // ResourceExhausted after kAes256GcmMaxRandomNonceSeals calls on this
  // object (rotate the key), Internal if the CSPRNG or OpenSSL fails.
  Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> plaintext,
                                    std::span<const uint8_t> aad);

  // Open verifies and decrypts `sealed` (nonce || ciphertext || tag as made
  // by Seal) with `aad` and returns the plaintext. Every failure (too short,
  // wrong key, modified nonce, ciphertext, tag or AAD) is the same opaque
  // Unauthenticated error; no plaintext is released.
  Result<std::vector<uint8_t>> Open(std::span<const uint8_t> sealed,
                                    std::span<const uint8_t> aad);

 private:
  friend struct internal::Aes256GcmAccess;
  explicit Aes256Gcm(evp_cipher_ctx_st* ctx);

  std::unique_ptr<evp_cipher_ctx_st, internal::EvpCipherCtxFree> ctx_;
  uint64_t random_nonce_seals_ = 0;
};

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_AEAD_H_
