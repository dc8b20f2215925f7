// Copyright 2026 The Cerumbra Authors.

#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/modes.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <utility>

#include "crypto/aead_internal.h"
#include "crypto/openssl_util.h"

namespace cerumbra::crypto {

namespace internal {
void EvpCipherCtxFree::operator()(evp_cipher_ctx_st* ctx) const {
  EVP_CIPHER_CTX_free(ctx);
}
}  // namespace internal

namespace {

using internal::EvpCipherCtxPtr;

constexpr size_t kMaxEvpInput = INT_MAX;  // EVP_CipherUpdate takes an int.
// OpenSSL 3.0's GCM provider keeps the IV in a 128-byte buffer.
constexpr size_t kMaxEvpGcmIvSize = 128;

Status CheckInputSizes(size_t text_size, size_t aad_size) {
  if (text_size > kMaxEvpInput || aad_size > kMaxEvpInput) {
    return InvalidArgumentError("AES-GCM input too large");
  }
  return OkStatus();
}

// NewGcmContext returns an encryption context keyed with `key` whose IV
// length is `iv_size`.
Result<EvpCipherCtxPtr> NewGcmContext(std::span<const uint8_t> key,
                                      size_t iv_size) {
  const EVP_CIPHER* cipher = internal::AesGcmCipher(key.size());
  if (cipher == nullptr) return InvalidArgumentError("bad AES key size");
  if (iv_size == 0 || iv_size > kMaxEvpGcmIvSize) {
    return InvalidArgumentError("bad AES-GCM IV size");
  }
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, 1) != 1) {
    return internal::InternalFailure("AES-GCM init failed");
  }
  if (iv_size != kAesGcmNonceSize &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN,
                          static_cast<int>(iv_size), nullptr) != 1) {
    return internal::InternalFailure("AES-GCM IV length failed");
  }
  if (EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nullptr, 1) !=
      1) {
    return internal::InternalFailure("AES-GCM key setup failed");
  }
  return ctx;
}

// SealInto writes ciphertext || tag (plaintext.size() + 16 bytes) to `out`.
// REQUIRES: iv.size() is the IV length `ctx` was set up with; sizes checked.
Status SealInto(EVP_CIPHER_CTX* ctx, std::span<const uint8_t> iv,
                std::span<const uint8_t> plaintext,
                std::span<const uint8_t> aad, std::span<uint8_t> out) {
  CERUMBRA_CHECK(out.size() == plaintext.size() + kAesGcmTagSize);
  int len = 0;
  // Only the IV changes: the key schedule from NewGcmContext is reused.
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv.data(), 1) != 1) {
    return internal::InternalFailure("AES-GCM seal failed");
  }
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(),
                                       static_cast<int>(aad.size())) != 1) {
    return internal::InternalFailure("AES-GCM seal failed");
  }
  if (!plaintext.empty() &&
      (EVP_CipherUpdate(ctx, out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
       static_cast<size_t>(len) != plaintext.size())) {
    return internal::InternalFailure("AES-GCM seal failed");
  }
  uint8_t* tag = out.data() + plaintext.size();
  if (EVP_CipherFinal_ex(ctx, tag, &len) != 1 || len != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAesGcmTagSize, tag) !=
          1) {
    return internal::InternalFailure("AES-GCM seal failed");
  }
  return OkStatus();
}

Status OpenFailed(std::span<uint8_t> out) {
  // Invariant: nothing decrypted under an unverified tag leaves this file.
  if (!out.empty()) OPENSSL_cleanse(out.data(), out.size());
  return internal::UnauthenticatedFailure("decryption failed");
}

// OpenInto decrypts `ciphertext_and_tag` into `out` (its size minus 16) and
// verifies the tag. On failure `out` is wiped.
Status OpenInto(EVP_CIPHER_CTX* ctx, std::span<const uint8_t> iv,
                std::span<const uint8_t> ciphertext_and_tag,
                std::span<const uint8_t> aad, std::span<uint8_t> out) {
  CERUMBRA_CHECK(ciphertext_and_tag.size() == out.size() + kAesGcmTagSize);
  const auto ciphertext = ciphertext_and_tag.first(out.size());
  std::array<uint8_t, kAesGcmTagSize> tag;
  std::copy_n(ciphertext_and_tag.end() - kAesGcmTagSize, kAesGcmTagSize,
              tag.begin());
  int len = 0;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv.data(), 0) != 1) {
    return OpenFailed(out);
  }
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(),
                                       static_cast<int>(aad.size())) != 1) {
    return OpenFailed(out);
  }
  if (!ciphertext.empty() &&
      (EVP_CipherUpdate(ctx, out.data(), &len, ciphertext.data(),
                        static_cast<int>(ciphertext.size())) != 1 ||
       static_cast<size_t>(len) != ciphertext.size())) {
    return OpenFailed(out);
  }
  // The tag comparison inside OpenSSL is constant-time (CRYPTO_memcmp).
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAesGcmTagSize,
                          tag.data()) != 1 ||
      EVP_CipherFinal_ex(ctx, out.data() + out.size(), &len) != 1) {
    return OpenFailed(out);
  }
  return OkStatus();
}

Result<std::vector<uint8_t>> SealVector(EVP_CIPHER_CTX* ctx,
                                        std::span<const uint8_t> iv,
                                        std::span<const uint8_t> plaintext,
                                        std::span<const uint8_t> aad) {
  CERUMBRA_RETURN_IF_ERROR(CheckInputSizes(plaintext.size(), aad.size()));
  std::vector<uint8_t> out(plaintext.size() + kAesGcmTagSize);
  CERUMBRA_RETURN_IF_ERROR(SealInto(ctx, iv, plaintext, aad, out));
  return out;
}

Result<std::vector<uint8_t>> OpenVector(
    EVP_CIPHER_CTX* ctx, std::span<const uint8_t> iv,
    std::span<const uint8_t> ciphertext_and_tag, std::span<const uint8_t> aad) {
  if (ciphertext_and_tag.size() < kAesGcmTagSize ||
      !CheckInputSizes(ciphertext_and_tag.size(), aad.size()).ok()) {
    return internal::UnauthenticatedFailure("decryption failed");
  }
  std::vector<uint8_t> out(ciphertext_and_tag.size() - kAesGcmTagSize);
  CERUMBRA_RETURN_IF_ERROR(OpenInto(ctx, iv, ciphertext_and_tag, aad, out));
  return out;
}

// --- Test-only path for IVs longer than OpenSSL 3.0's EVP limit. ---------
//
// OpenSSL's EVP GCM refuses IVs over 128 bytes, but GCM itself allows any
// non-empty IV (SP 800-38D §7.1: J0 = GHASH(IV || pad || len)). For those
// Wycheproof vectors only, run OpenSSL's own GCM core (CRYPTO_gcm128_*, the
// same code the EVP provider uses) over an AES-ECB block function.

using EvpCipherPtr =
    std::unique_ptr<EVP_CIPHER, internal::OpensslDeleter<&EVP_CIPHER_free>>;
using Gcm128Ptr =
    std::unique_ptr<GCM128_CONTEXT,
                    internal::OpensslDeleter<&CRYPTO_gcm128_release>>;

void EcbEncryptBlock(const unsigned char in[16], unsigned char out[16],
                     const void* key) {
  // `key` is the AES-ECB EVP_CIPHER_CTX passed to CRYPTO_gcm128_new.
  auto* ecb = static_cast<EVP_CIPHER_CTX*>(const_cast<void*>(key));
  int len = 0;
  CERUMBRA_CHECK(EVP_EncryptUpdate(ecb, out, &len, in, 16) == 1 && len == 16);
}

struct LongIvGcm {
  EvpCipherCtxPtr ecb;
  Gcm128Ptr gcm;
};

Result<LongIvGcm> NewLongIvGcm(std::span<const uint8_t> key) {
  const char* name = key.size() == 16   ? "AES-128-ECB"
                     : key.size() == 24 ? "AES-192-ECB"
                     : key.size() == 32 ? "AES-256-ECB"
                                        : nullptr;
  if (name == nullptr) return InvalidArgumentError("bad AES key size");
  EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  LongIvGcm out{EvpCipherCtxPtr(EVP_CIPHER_CTX_new()), nullptr};
  if (cipher == nullptr || out.ecb == nullptr ||
      EVP_EncryptInit_ex2(out.ecb.get(), cipher.get(), key.data(), nullptr,
                          nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(out.ecb.get(), 0) != 1) {
    return internal::InternalFailure("AES-ECB init failed");
  }
  out.gcm.reset(CRYPTO_gcm128_new(out.ecb.get(), &EcbEncryptBlock));
  if (out.gcm == nullptr) return internal::InternalFailure("GCM init failed");
  return out;
}

Result<std::vector<uint8_t>> LongIvSeal(std::span<const uint8_t> key,
                                        std::span<const uint8_t> iv,
                                        std::span<const uint8_t> plaintext,
                                        std::span<const uint8_t> aad) {
  CERUMBRA_ASSIGN_OR_RETURN(LongIvGcm g, NewLongIvGcm(key));
  std::vector<uint8_t> out(plaintext.size() + kAesGcmTagSize);
  CRYPTO_gcm128_setiv(g.gcm.get(), iv.data(), iv.size());
  if (CRYPTO_gcm128_aad(g.gcm.get(), aad.data(), aad.size()) != 0 ||
      CRYPTO_gcm128_encrypt(g.gcm.get(), plaintext.data(), out.data(),
                            plaintext.size()) != 0) {
    return internal::InternalFailure("GCM seal failed");
  }
  CRYPTO_gcm128_tag(g.gcm.get(), out.data() + plaintext.size(), kAesGcmTagSize);
  return out;
}

Result<std::vector<uint8_t>> LongIvOpen(
    std::span<const uint8_t> key, std::span<const uint8_t> iv,
    std::span<const uint8_t> ciphertext_and_tag, std::span<const uint8_t> aad) {
  if (ciphertext_and_tag.size() < kAesGcmTagSize) {
    return internal::UnauthenticatedFailure("decryption failed");
  }
  CERUMBRA_ASSIGN_OR_RETURN(LongIvGcm g, NewLongIvGcm(key));
  std::vector<uint8_t> out(ciphertext_and_tag.size() - kAesGcmTagSize);
  CRYPTO_gcm128_setiv(g.gcm.get(), iv.data(), iv.size());
  if (CRYPTO_gcm128_aad(g.gcm.get(), aad.data(), aad.size()) != 0 ||
      CRYPTO_gcm128_decrypt(g.gcm.get(), ciphertext_and_tag.data(), out.data(),
                            out.size()) != 0 ||
      CRYPTO_gcm128_finish(g.gcm.get(), ciphertext_and_tag.data() + out.size(),
                           kAesGcmTagSize) != 0) {
    return OpenFailed(out);
  }
  return out;
}

}  // namespace

// Aes256GcmAccess is the one door to Aes256Gcm's context for the
// nonce-taking entry points in aead_internal.h.
struct internal::Aes256GcmAccess {
  static EVP_CIPHER_CTX* Ctx(Aes256Gcm& aead) { return aead.ctx_.get(); }
};

Aes256Gcm::Aes256Gcm(evp_cipher_ctx_st* ctx) : ctx_(ctx) {}
Aes256Gcm::Aes256Gcm(Aes256Gcm&&) noexcept = default;
Aes256Gcm& Aes256Gcm::operator=(Aes256Gcm&&) noexcept = default;
Aes256Gcm::~Aes256Gcm() = default;

Result<Aes256Gcm> Aes256Gcm::Create(const SecretBytes& key) {
  if (key.size() != kAes256GcmKeySize) {
    return InvalidArgumentError("AES-256-GCM key must be 32 bytes");
  }
  CERUMBRA_ASSIGN_OR_RETURN(EvpCipherCtxPtr ctx,
                            NewGcmContext(key.Reveal(), kAesGcmNonceSize));
  return Aes256Gcm(ctx.release());
}

Result<std::vector<uint8_t>> Aes256Gcm::Seal(std::span<const uint8_t> plaintext,
                                             std::span<const uint8_t> aad) {
  if (ctx_ == nullptr) return FailedPreconditionError("moved-from cipher");
  CERUMBRA_RETURN_IF_ERROR(CheckInputSizes(plaintext.size(), aad.size()));
  if (random_nonce_seals_ >= kAes256GcmMaxRandomNonceSeals) {
    return ResourceExhaustedError("AES-GCM random nonce budget exhausted");
  }
  ++random_nonce_seals_;
  std::vector<uint8_t> out(kAesGcmNonceSize + plaintext.size() +
                           kAesGcmTagSize);
  const std::span<uint8_t> nonce(out.data(), kAesGcmNonceSize);
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    return internal::InternalFailure("random number generator failed");
  }
  CERUMBRA_RETURN_IF_ERROR(
      SealInto(ctx_.get(), nonce, plaintext, aad,
               std::span<uint8_t>(out).subspan(kAesGcmNonceSize)));
  return out;
}

Result<std::vector<uint8_t>> Aes256Gcm::Open(std::span<const uint8_t> sealed,
                                             std::span<const uint8_t> aad) {
  if (ctx_ == nullptr) return FailedPreconditionError("moved-from cipher");
  if (sealed.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return internal::UnauthenticatedFailure("decryption failed");
  }
  return OpenVector(ctx_.get(), sealed.first(kAesGcmNonceSize),
                    sealed.subspan(kAesGcmNonceSize), aad);
}

namespace internal {

Result<std::vector<uint8_t>> SealWithNonce(Aes256Gcm& aead,
                                           std::span<const uint8_t> nonce,
                                           std::span<const uint8_t> plaintext,
                                           std::span<const uint8_t> aad) {
  EVP_CIPHER_CTX* ctx = Aes256GcmAccess::Ctx(aead);
  if (ctx == nullptr) return FailedPreconditionError("moved-from cipher");
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgumentError("AES-GCM nonce must be 12 bytes");
  }
  return SealVector(ctx, nonce, plaintext, aad);
}

Result<std::vector<uint8_t>> OpenWithNonce(
    Aes256Gcm& aead, std::span<const uint8_t> nonce,
    std::span<const uint8_t> ciphertext_and_tag, std::span<const uint8_t> aad) {
  EVP_CIPHER_CTX* ctx = Aes256GcmAccess::Ctx(aead);
  if (ctx == nullptr) return FailedPreconditionError("moved-from cipher");
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgumentError("AES-GCM nonce must be 12 bytes");
  }
  return OpenVector(ctx, nonce, ciphertext_and_tag, aad);
}

Result<std::vector<uint8_t>> AesGcmSealForTesting(
    std::span<const uint8_t> key, std::span<const uint8_t> iv,
    std::span<const uint8_t> plaintext, std::span<const uint8_t> aad) {
  if (iv.empty()) return InvalidArgumentError("AES-GCM IV must not be empty");
  if (iv.size() > kMaxEvpGcmIvSize) return LongIvSeal(key, iv, plaintext, aad);
  CERUMBRA_ASSIGN_OR_RETURN(EvpCipherCtxPtr ctx, NewGcmContext(key, iv.size()));
  return SealVector(ctx.get(), iv, plaintext, aad);
}

Result<std::vector<uint8_t>> AesGcmOpenForTesting(
    std::span<const uint8_t> key, std::span<const uint8_t> iv,
    std::span<const uint8_t> ciphertext_and_tag, std::span<const uint8_t> aad) {
  if (iv.empty()) return InvalidArgumentError("AES-GCM IV must not be empty");
  if (iv.size() > kMaxEvpGcmIvSize) {
    return LongIvOpen(key, iv, ciphertext_and_tag, aad);
  }
  CERUMBRA_ASSIGN_OR_RETURN(EvpCipherCtxPtr ctx, NewGcmContext(key, iv.size()));
  return OpenVector(ctx.get(), iv, ciphertext_and_tag, aad);
}

}  // namespace internal
}  // namespace cerumbra::crypto
