// Copyright 2026 The Cerumbra Authors.

#include "crypto/hkdf.h"

#include <array>

#include "crypto/openssl_util.h"

namespace cerumbra::crypto {
namespace {

// OSSL_PARAM octet strings must not point at null, even when empty.
void* ParamData(std::span<const uint8_t> bytes) {
  static uint8_t empty = 0;
  // OSSL_PARAM takes void*; OpenSSL only reads input parameters.
  return bytes.empty() ? &empty : const_cast<uint8_t*>(bytes.data());
}

// RunHkdf runs OpenSSL's HKDF in `mode` and writes `out.size()` bytes.
Status RunHkdf(int mode, std::span<const uint8_t> key,
               std::span<const uint8_t> salt, std::span<const uint8_t> info,
               std::span<uint8_t> out) {
  internal::EvpKdfCtxPtr ctx(EVP_KDF_CTX_new(internal::HkdfKdf()));
  if (ctx == nullptr) return internal::InternalFailure("HKDF context failed");

  char digest_name[] = "SHA2-256";
  std::array<OSSL_PARAM, 6> params;
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  ParamData(key), key.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, ParamData(salt), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, ParamData(info), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) != 1) {
    return internal::InternalFailure("HKDF failed");
  }
  return OkStatus();
}

}  // namespace

Result<SecretBytes> HkdfSha256Extract(std::span<const uint8_t> salt,
                                      const SecretBytes& ikm) {
  SecretBytes prk(kHkdfSha256PrkSize);
  CERUMBRA_RETURN_IF_ERROR(RunHkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm.Reveal(),
                                   salt, {}, prk.RevealMutable()));
  return prk;
}

Result<SecretBytes> HkdfSha256Expand(const SecretBytes& prk,
                                     std::span<const uint8_t> info,
                                     size_t length) {
  // RFC 5869 §2.3: L <= 255*HashLen; PRK is at least HashLen octets.
  if (length == 0 || length > kHkdfSha256MaxOutputSize) {
    return InvalidArgumentError("HKDF output length out of range");
  }
  if (prk.size() < kHkdfSha256PrkSize) {
    return InvalidArgumentError("HKDF PRK shorter than HashLen");
  }
  SecretBytes okm(length);
  CERUMBRA_RETURN_IF_ERROR(RunHkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk.Reveal(),
                                   {}, info, okm.RevealMutable()));
  return okm;
}

Result<SecretBytes> HkdfSha256(std::span<const uint8_t> salt,
                               const SecretBytes& ikm,
                               std::span<const uint8_t> info, size_t length) {
  // Check the length first so an oversize request does no work.
  if (length == 0 || length > kHkdfSha256MaxOutputSize) {
    return InvalidArgumentError("HKDF output length out of range");
  }
  CERUMBRA_ASSIGN_OR_RETURN(SecretBytes prk, HkdfSha256Extract(salt, ikm));
  return HkdfSha256Expand(prk, info, length);
}

}  // namespace cerumbra::crypto
