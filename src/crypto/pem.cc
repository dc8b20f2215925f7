// Copyright 2026 The Cerumbra Authors.

#include "crypto/pem.h"

#include <openssl/core_names.h>
#include <openssl/x509.h>

#include <cstring>
#include <string>

#include "crypto/base64.h"
#include "crypto/ec_internal.h"
#include "crypto/openssl_util.h"

namespace cerumbra::crypto {
namespace {

using internal::EcKeyAccess;

constexpr size_t kMaxPemSize = 1024 * 1024;
constexpr size_t kMaxKeyPemSize = 64 * 1024;
constexpr size_t kLineSize = 64;
constexpr char kPrivateKeyLabel[] = "PRIVATE KEY";

using Pkcs8Ptr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO,
                    internal::OpensslDeleter<&PKCS8_PRIV_KEY_INFO_free>>;

bool IsPemSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Base64Block returns standard padded base64 of `der` in wiped memory
// (EVP_EncodeBlock writes no newlines).
SecretBytes Base64Block(std::span<const uint8_t> der) {
  SecretBytes out(4 * ((der.size() + 2) / 3) + 1);
  const int len = EVP_EncodeBlock(out.RevealMutable().data(), der.data(),
                                  static_cast<int>(der.size()));
  CERUMBRA_CHECK(len >= 0 && static_cast<size_t>(len) + 1 == out.size());
  return out;
}

// WrapPem writes the block into `out` (which must be big enough); returns
// the bytes written.
size_t WrapPem(std::string_view label, std::span<const uint8_t> base64,
               std::span<uint8_t> out) {
  size_t n = 0;
  auto put = [&](std::string_view text) {
    CERUMBRA_CHECK(n + text.size() <= out.size());
    std::memcpy(out.data() + n, text.data(), text.size());
    n += text.size();
  };
  put("-----BEGIN ");
  put(label);
  put("-----\n");
  for (size_t i = 0; i < base64.size(); i += kLineSize) {
    const size_t len = std::min(kLineSize, base64.size() - i);
    put({reinterpret_cast<const char*>(base64.data() + i), len});
    put("\n");
  }
  put("-----END ");
  put(label);
  put("-----\n");
  return n;
}

size_t PemSize(std::string_view label, size_t base64_size) {
  const size_t lines = (base64_size + kLineSize - 1) / kLineSize;
  return 2 * (label.size() + 16) + base64_size + lines;
}

// FindBlock returns the base64 body (whitespace removed) of the single
// block labelled `label`.
Result<std::string> FindBlock(std::string_view pem, std::string_view label) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  const size_t at = pem.find(kBegin);
  if (at == std::string_view::npos) return InvalidArgumentError("no PEM block");
  if (pem.substr(at, begin.size()) != begin) {
    return InvalidArgumentError("unexpected PEM block type");
  }
  const size_t body = at + begin.size();
  const size_t stop = pem.find(end, body);
  if (stop == std::string_view::npos) {
    return InvalidArgumentError("unterminated PEM block");
  }
  if (pem.find(kBegin, stop) != std::string_view::npos) {
    return InvalidArgumentError("more than one PEM block");
  }
  std::string out;
  for (char c : pem.substr(body, stop - body)) {
    if (!IsPemSpace(c)) out.push_back(c);
  }
  return out;
}

}  // namespace

std::string DerToPem(std::span<const uint8_t> der, std::string_view label) {
  const SecretBytes base64 = Base64Block(der);
  const std::span<const uint8_t> body =
      base64.Reveal().first(base64.size() - 1);
  std::string out(PemSize(label, body.size()), '\0');
  const size_t n = WrapPem(
      label, body, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
  out.resize(n);
  return out;
}

Result<std::vector<uint8_t>> PemToDer(std::string_view pem,
                                      std::string_view label) {
  if (pem.size() > kMaxPemSize) return InvalidArgumentError("PEM too large");
  CERUMBRA_ASSIGN_OR_RETURN(std::string body, FindBlock(pem, label));
  return internal::Base64Decode(body);
}

std::string CertificateToPem(const Certificate& certificate) {
  return DerToPem(certificate.ToDer(), "CERTIFICATE");
}

Result<SecretBytes> PrivateKeyToPkcs8Pem(const PrivateKey& key) {
  Pkcs8Ptr info(EVP_PKEY2PKCS8(EcKeyAccess::Pkey(key)));
  if (info == nullptr) return internal::InternalFailure("PKCS#8 export");
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  if (len <= 0) return internal::InternalFailure("PKCS#8 encoding");
  SecretBytes der_copy = SecretBytes::CopyFrom({der, static_cast<size_t>(len)});
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  const SecretBytes base64 = Base64Block(der_copy.Reveal());
  const std::span<const uint8_t> body =
      base64.Reveal().first(base64.size() - 1);
  SecretBytes pem(PemSize(kPrivateKeyLabel, body.size()));
  const size_t n = WrapPem(kPrivateKeyLabel, body, pem.RevealMutable());
  return SecretBytes::CopyFrom(pem.Reveal().first(n));
}

Result<PrivateKey> PrivateKeyFromPkcs8Pem(std::span<const uint8_t> pem) {
  if (pem.size() > kMaxKeyPemSize) {
    return InvalidArgumentError("private key PEM too large");
  }
  // The body is copied into wiped memory before decoding.
  const std::string_view text(reinterpret_cast<const char*>(pem.data()),
                              pem.size());
  Result<std::string> body = FindBlock(text, kPrivateKeyLabel);
  if (!body.ok()) return InvalidArgumentError("no PKCS#8 PRIVATE KEY block");
  SecretBytes body_secret = SecretBytes::CopyFrom(
      {reinterpret_cast<const uint8_t*>(body->data()), body->size()});
  Wipe({reinterpret_cast<uint8_t*>(body->data()), body->size()});
  Result<std::vector<uint8_t>> der_result = internal::Base64Decode(
      {reinterpret_cast<const char*>(body_secret.Reveal().data()),
       body_secret.size()});
  if (!der_result.ok()) return InvalidArgumentError("malformed private key");
  SecretBytes der = SecretBytes::CopyFrom(*der_result);
  Wipe(*der_result);

  const unsigned char* p = der.Reveal().data();
  Pkcs8Ptr info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (info == nullptr || p != der.Reveal().data() + der.size()) {
    return internal::InvalidArgumentFailure("malformed private key");
  }
  internal::EvpPkeyPtr pkey(EVP_PKCS82PKEY(info.get()));
  if (pkey == nullptr || EVP_PKEY_is_a(pkey.get(), "EC") != 1) {
    return internal::InvalidArgumentFailure("not an EC private key");
  }
  char group[64] = {};
  size_t group_len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                     group, sizeof(group), &group_len) != 1) {
    return internal::InvalidArgumentFailure("EC key without named curve");
  }
  EcCurve curve;
  if (std::string_view(group) == internal::EcGroupName(EcCurve::kP256)) {
    curve = EcCurve::kP256;
  } else if (std::string_view(group) == internal::EcGroupName(EcCurve::kP384)) {
    curve = EcCurve::kP384;
  } else {
    return InvalidArgumentError("unsupported curve");
  }
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    return internal::InvalidArgumentFailure("EC key without private scalar");
  }
  internal::BignumPtr bn(raw);
  SecretBytes scalar(EcFieldSize(curve));
  if (BN_bn2binpad(bn.get(), scalar.RevealMutable().data(),
                   static_cast<int>(scalar.size())) !=
      static_cast<int>(scalar.size())) {
    return internal::InvalidArgumentFailure("EC private scalar too large");
  }
  return PrivateKey::FromScalar(curve, scalar);
}

}  // namespace cerumbra::crypto
