// Copyright 2026 The Cerumbra Authors.

#include "crypto/x509_builder.h"

#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include "crypto/ec_internal.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace cerumbra::crypto {
namespace {

using internal::EcKeyAccess;

constexpr size_t kMaxNameSize = 64;
constexpr size_t kSerialSize = 16;

using X509NamePtr =
    std::unique_ptr<X509_NAME, internal::OpensslDeleter<&X509_NAME_free>>;
using X509ExtensionPtr =
    std::unique_ptr<X509_EXTENSION,
                    internal::OpensslDeleter<&X509_EXTENSION_free>>;

Result<internal::X509Ptr> ToOpenssl(const Certificate& cert) {
  const std::vector<uint8_t> der = cert.ToDer();
  const unsigned char* p = der.data();
  internal::X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (x509 == nullptr) return internal::InternalFailure("certificate copy");
  return x509;
}

bool ValidName(const std::string& text, bool allow_empty) {
  if (text.empty()) return allow_empty;
  if (text.size() > kMaxNameSize) return false;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return internal::InternalFailure("certificate extension");
  }
  return OkStatus();
}

}  // namespace

Result<Certificate> IssueCertificate(const CertificateProfile& profile,
                                     const PublicKey& subject_key,
                                     const PrivateKey& issuer_key,
                                     const Certificate* issuer) {
  if (!ValidName(profile.subject_common_name, false) ||
      !ValidName(profile.subject_organization, true)) {
    return InvalidArgumentError("bad certificate subject name");
  }
  if (profile.not_before >= profile.not_after) {
    return InvalidArgumentError("bad certificate validity");
  }
  if (profile.path_length.has_value() && *profile.path_length < 0) {
    return InvalidArgumentError("bad path length");
  }
  internal::X509Ptr issuer_x509;
  if (issuer == nullptr) {
    if (!(issuer_key.public_key() == subject_key)) {
      return InvalidArgumentError("self-signed: keys do not match");
    }
  } else {
    CERUMBRA_ASSIGN_OR_RETURN(PublicKey issuer_public, issuer->GetPublicKey());
    if (!(issuer_public == issuer_key.public_key())) {
      return InvalidArgumentError("issuer key does not match its certificate");
    }
    CERUMBRA_ASSIGN_OR_RETURN(issuer_x509, ToOpenssl(*issuer));
    if (X509_check_ca(issuer_x509.get()) == 0) {
      internal::ClearErrors();
      return InvalidArgumentError("issuer is not a CA");
    }
  }

  internal::X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return internal::InternalFailure("X509_new");
  }
  // Serial: 16 random bytes with the top bit cleared (positive, RFC 5280
  // §4.1.2.2) and the next bit set (so the encoding has a fixed length).
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> serial,
                            RandomBytes(kSerialSize));
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);
  internal::BignumPtr serial_bn(
      BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (serial_bn == nullptr ||
      BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(cert.get())) ==
          nullptr) {
    return internal::InternalFailure("serial number");
  }

  X509NamePtr name(X509_NAME_new());
  if (name == nullptr) return internal::InternalFailure("X509_NAME_new");
  auto add_entry = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(
               name.get(), field, MBSTRING_UTF8,
               reinterpret_cast<const unsigned char*>(value.c_str()),
               static_cast<int>(value.size()), -1, 0) == 1;
  };
  if ((!profile.subject_organization.empty() &&
       !add_entry("O", profile.subject_organization)) ||
      !add_entry("CN", profile.subject_common_name)) {
    return internal::InternalFailure("subject name");
  }
  if (X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(),
                           issuer_x509 != nullptr
                               ? X509_get_subject_name(issuer_x509.get())
                               : name.get()) != 1) {
    return internal::InternalFailure("issuer name");
  }
  const auto seconds = [](std::chrono::sys_seconds t) {
    return static_cast<time_t>(t.time_since_epoch().count());
  };
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                    seconds(profile.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                    seconds(profile.not_after)) == nullptr) {
    return internal::InternalFailure("validity");
  }
  if (X509_set_pubkey(cert.get(), EcKeyAccess::Pkey(subject_key)) != 1) {
    return internal::InternalFailure("public key");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_x509 != nullptr ? issuer_x509.get() : cert.get(),
                 cert.get(), nullptr, nullptr, 0);
  std::string basic = profile.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (profile.is_ca && profile.path_length.has_value()) {
    basic += ",pathlen:" + std::to_string(*profile.path_length);
  }
  CERUMBRA_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_basic_constraints, basic.c_str()));
  CERUMBRA_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage,
                                        profile.is_ca
                                            ? "critical,keyCertSign,cRLSign"
                                            : "critical,digitalSignature"));
  CERUMBRA_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  // For a self-signed certificate the authority key identifier is the
  // subject key identifier just added (the context's issuer is `cert`).
  CERUMBRA_RETURN_IF_ERROR(AddExtension(
      cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));

  const EVP_MD* md = issuer_key.curve() == EcCurve::kP256
                         ? internal::Sha256Md()
                         : internal::Sha384Md();
  if (X509_sign(cert.get(), EcKeyAccess::Pkey(issuer_key), md) <= 0) {
    return internal::InternalFailure("certificate signing");
  }
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return internal::InternalFailure("certificate encoding");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return Certificate::FromDer(out);
}

}  // namespace cerumbra::crypto
