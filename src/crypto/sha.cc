// Copyright 2026 The Cerumbra Authors.

#include "crypto/sha.h"

#include "crypto/openssl_util.h"

namespace cerumbra::crypto {

namespace internal {
void EvpMdCtxFree::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}
}  // namespace internal

namespace {

template <size_t N>
Result<std::array<uint8_t, N>> OneShot(const EVP_MD* md,
                                       std::span<const uint8_t> data) {
  std::array<uint8_t, N> digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, md, nullptr) !=
          1 ||
      len != N) {
    return internal::InternalFailure("digest failed");
  }
  return digest;
}

Result<EVP_MD_CTX*> NewDigestCtx(const EVP_MD* md) {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) {
    return internal::InternalFailure("digest init failed");
  }
  return ctx.release();
}

void UpdateDigest(EVP_MD_CTX* ctx, bool finished, bool& failed,
                  std::span<const uint8_t> data) {
  if (finished || failed || data.empty()) return;
  if (ctx == nullptr) {  // moved-from hasher
    failed = true;
    return;
  }
  if (EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) {
    internal::ClearErrors();
    failed = true;
  }
}

template <size_t N>
Result<std::array<uint8_t, N>> FinishDigest(EVP_MD_CTX* ctx, bool& finished,
                                            bool failed) {
  if (finished) return FailedPreconditionError("hasher already finished");
  if (ctx == nullptr) return FailedPreconditionError("hasher was moved from");
  finished = true;
  if (failed) return InternalError("digest update failed");
  std::array<uint8_t, N> digest{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, digest.data(), &len) != 1 || len != N) {
    return internal::InternalFailure("digest failed");
  }
  return digest;
}

}  // namespace

Result<Sha256Digest> Sha256(std::span<const uint8_t> data) {
  return OneShot<kSha256DigestSize>(internal::Sha256Md(), data);
}

Result<Sha384Digest> Sha384(std::span<const uint8_t> data) {
  return OneShot<kSha384DigestSize>(internal::Sha384Md(), data);
}

Result<Sha256Hasher> Sha256Hasher::Create() {
  CERUMBRA_ASSIGN_OR_RETURN(EVP_MD_CTX * ctx,
                            NewDigestCtx(internal::Sha256Md()));
  return Sha256Hasher(ctx);
}

void Sha256Hasher::Update(std::span<const uint8_t> data) {
  UpdateDigest(ctx_.get(), finished_, failed_, data);
}

Result<Sha256Digest> Sha256Hasher::Finish() {
  return FinishDigest<kSha256DigestSize>(ctx_.get(), finished_, failed_);
}

Result<Sha384Hasher> Sha384Hasher::Create() {
  CERUMBRA_ASSIGN_OR_RETURN(EVP_MD_CTX * ctx,
                            NewDigestCtx(internal::Sha384Md()));
  return Sha384Hasher(ctx);
}

void Sha384Hasher::Update(std::span<const uint8_t> data) {
  UpdateDigest(ctx_.get(), finished_, failed_, data);
}

Result<Sha384Digest> Sha384Hasher::Finish() {
  return FinishDigest<kSha384DigestSize>(ctx_.get(), finished_, failed_);
}

}  // namespace cerumbra::crypto
