// Copyright 2026 The Cerumbra Authors.
//
// SHA-256 and SHA-384 (FIPS 180-4): one-shot and streaming.

#ifndef CERUMBRA_CRYPTO_SHA_H_
#define CERUMBRA_CRYPTO_SHA_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "cerumbra/status.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept opaque here.

namespace cerumbra::crypto {

// kSha256DigestSize and kSha384DigestSize are the digest sizes in bytes.
inline constexpr size_t kSha256DigestSize = 32;
inline constexpr size_t kSha384DigestSize = 48;

// Sha256Digest and Sha384Digest are digest values (public data).
using Sha256Digest = std::array<uint8_t, kSha256DigestSize>;
using Sha384Digest = std::array<uint8_t, kSha384DigestSize>;

// Sha256 returns SHA-256(data). Fails with Internal only if OpenSSL cannot
// run the digest (allocation failure). Thread safety: safe concurrently.
Result<Sha256Digest> Sha256(std::span<const uint8_t> data);

// Sha384 returns SHA-384(data). Same contract as Sha256.
Result<Sha384Digest> Sha384(std::span<const uint8_t> data);

namespace internal {
// EvpMdCtxFree frees the opaque OpenSSL context (defined in sha.cc).
struct EvpMdCtxFree {
  void operator()(evp_md_ctx_st* ctx) const;
};
}  // namespace internal

// Sha256Hasher computes SHA-256 over data fed in pieces (large files, long
// transcripts): Create, Update any number of times, then Finish once.
//
// Update never fails; an internal OpenSSL failure is remembered and reported
// by Finish. After Finish the hasher is spent: Update is ignored and a second
// Finish fails with FailedPrecondition.
//
// Thread safety: one hasher must not be used from two threads at once.
// Move-only.
class Sha256Hasher {
 public:
  // Create returns a fresh hasher, or Internal if OpenSSL cannot allocate
  // one.
  static Result<Sha256Hasher> Create();

  // Update appends `data` to the hashed message.
  void Update(std::span<const uint8_t> data);

  // Finish returns the digest of everything passed to Update.
  Result<Sha256Digest> Finish();

 private:
  explicit Sha256Hasher(evp_md_ctx_st* ctx) : ctx_(ctx) {}
  std::unique_ptr<evp_md_ctx_st, internal::EvpMdCtxFree> ctx_;
  bool failed_ = false;
  bool finished_ = false;
};

// Sha384Hasher is Sha256Hasher for SHA-384, with the same contract.
class Sha384Hasher {
 public:
  // Create returns a fresh hasher, or Internal if OpenSSL cannot allocate
  // one.
  static Result<Sha384Hasher> Create();

  // Update appends `data` to the hashed message.
  void Update(std::span<const uint8_t> data);

  // Finish returns the digest of everything passed to Update.
  Result<Sha384Digest> Finish();

 private:
  explicit Sha384Hasher(evp_md_ctx_st* ctx) : ctx_(ctx) {}
  std::unique_ptr<evp_md_ctx_st, internal::EvpMdCtxFree> ctx_;
  bool failed_ = false;
  bool finished_ = false;
};

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_SHA_H_
