// Copyright 2026 The Cerumbra Authors.

#include "crypto/ecdsa.h"

#include <algorithm>

#include "crypto/ec_internal.h"
#include "crypto/openssl_util.h"

namespace cerumbra::crypto {
namespace {

using internal::BignumPtr;
using internal::EcdsaSigPtr;

constexpr char kVerifyFailed[] = "signature verification failed";

const EVP_MD* DigestFor(EcCurve curve) {
  return curve == EcCurve::kP256 ? internal::Sha256Md() : internal::Sha384Md();
}

// InRange is true when 1 <= v <= n-1 for the curve's order n.
bool InRange(EcCurve curve, const BIGNUM* v) {
  const auto order = internal::EcOrder(curve);
  BignumPtr n(BN_bin2bn(order.data(), static_cast<int>(order.size()), nullptr));
  CERUMBRA_CHECK(n != nullptr);
  return !BN_is_negative(v) && !BN_is_zero(v) && BN_ucmp(v, n.get()) < 0;
}

// ToDer encodes (r, s) as DER.
Result<std::vector<uint8_t>> ToDer(const ECDSA_SIG* sig) {
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  if (len <= 0) return internal::InternalFailure("ECDSA encoding failed");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// ParseStrictDer returns (r, s) if `signature` is canonical DER.
Result<EcdsaSigPtr> ParseStrictDer(std::span<const uint8_t> signature) {
  const unsigned char* p = signature.data();
  EcdsaSigPtr sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())));
  if (sig == nullptr || p != signature.data() + signature.size()) {
    return internal::UnauthenticatedFailure(kVerifyFailed);
  }
  // d2i accepts some BER forms; re-encoding yields DER, which must match.
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> der, ToDer(sig.get()));
  if (!std::equal(der.begin(), der.end(), signature.begin(), signature.end())) {
    return internal::UnauthenticatedFailure(kVerifyFailed);
  }
  return sig;
}

// ParseP1363 returns (r, s) from r || s of exactly 2 * field size bytes.
Result<EcdsaSigPtr> ParseP1363(EcCurve curve,
                               std::span<const uint8_t> signature) {
  const size_t n = EcFieldSize(curve);
  if (signature.size() != 2 * n) {
    return internal::UnauthenticatedFailure(kVerifyFailed);
  }
  BignumPtr r(BN_bin2bn(signature.data(), static_cast<int>(n), nullptr));
  BignumPtr s(BN_bin2bn(signature.data() + n, static_cast<int>(n), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr ||
      ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return internal::InternalFailure("ECDSA signature allocation failed");
  }
  // ECDSA_SIG_set0 took ownership of r and s.
  (void)r.release();
  (void)s.release();
  return sig;
}

}  // namespace

Result<std::vector<uint8_t>> EcdsaSign(const PrivateKey& key,
                                       std::span<const uint8_t> message,
                                       EcdsaSignatureFormat format) {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key.curve()), nullptr,
                         internal::EcKeyAccess::Pkey(key)) != 1) {
    return internal::InternalFailure("ECDSA sign init failed");
  }
  // Max DER size: SEQUENCE header (3) + 2 * (INTEGER header 2 + 1 + field).
  std::vector<uint8_t> der(3 + 2 * (3 + EcFieldSize(key.curve())));
  size_t der_size = der.size();
  if (EVP_DigestSign(ctx.get(), der.data(), &der_size, message.data(),
                     message.size()) != 1) {
    return internal::InternalFailure("ECDSA sign failed");
  }
  der.resize(der_size);
  if (format == EcdsaSignatureFormat::kDer) return der;

  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (sig == nullptr) return internal::InternalFailure("ECDSA decode failed");
  const size_t n = EcFieldSize(key.curve());
  std::vector<uint8_t> out(2 * n);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(),
                   static_cast<int>(n)) != static_cast<int>(n) ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + n,
                   static_cast<int>(n)) != static_cast<int>(n)) {
    return internal::InternalFailure("ECDSA encode failed");
  }
  return out;
}

Status EcdsaVerify(const PublicKey& key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature,
                   EcdsaSignatureFormat format) {
  Result<EcdsaSigPtr> sig = format == EcdsaSignatureFormat::kDer
                                ? ParseStrictDer(signature)
                                : ParseP1363(key.curve(), signature);
  CERUMBRA_RETURN_IF_ERROR(sig);
  const ECDSA_SIG* rs = sig->get();
  if (!InRange(key.curve(), ECDSA_SIG_get0_r(rs)) ||
      !InRange(key.curve(), ECDSA_SIG_get0_s(rs))) {
    return internal::UnauthenticatedFailure(kVerifyFailed);
  }
  // OpenSSL's verifier takes DER; this is the canonical encoding of (r, s).
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> der, ToDer(rs));

  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(key.curve()), nullptr,
                           internal::EcKeyAccess::Pkey(key)) != 1) {
    return internal::InternalFailure("ECDSA verify init failed");
  }
  // Only 1 is success; 0 (bad signature) and <0 (error) both reject.
  if (EVP_DigestVerify(ctx.get(), der.data(), der.size(), message.data(),
                       message.size()) != 1) {
    return internal::UnauthenticatedFailure(kVerifyFailed);
  }
  return OkStatus();
}

}  // namespace cerumbra::crypto
