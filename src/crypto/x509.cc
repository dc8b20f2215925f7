// Copyright 2026 The Cerumbra Authors.

#include "crypto/x509.h"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>

#include "crypto/base64.h"
#include "crypto/openssl_util.h"

namespace cerumbra::crypto {

namespace internal {

void X509Free::operator()(x509_st* x509) const { X509_free(x509); }

struct CertificateAccess {
  static X509* Get(const Certificate& cert) { return cert.x509_.get(); }
  // Wrap takes one reference to `x509`.
  static Certificate Wrap(X509* x509) {
    return Certificate(std::shared_ptr<x509_st>(x509, X509Free()));
  }
};

}  // namespace internal

namespace {

using internal::CertificateAccess;

constexpr size_t kMaxCertificateSize = 64 * 1024;
constexpr size_t kMaxPemSize = 1024 * 1024;
constexpr char kChainFailed[] = "certificate chain verification failed";

struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

std::string NameToString(const X509_NAME* name) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    internal::ClearErrors();
    return "";
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : "";
}

Result<std::chrono::sys_seconds> AsnTimeToSysSeconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return internal::InvalidArgumentFailure("malformed certificate time");
  }
  namespace chrono = std::chrono;
  const chrono::year_month_day ymd{
      chrono::year(tm.tm_year + 1900),
      chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
      chrono::day(static_cast<unsigned>(tm.tm_mday))};
  if (!ymd.ok()) return InvalidArgumentError("malformed certificate time");
  return chrono::sys_days(ymd) + chrono::hours(tm.tm_hour) +
         chrono::minutes(tm.tm_min) + chrono::seconds(tm.tm_sec);
}

bool IsPemSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

// --- Certificate ----------------------------------------------------------

Certificate::Certificate(std::shared_ptr<x509_st> x509)
    : x509_(std::move(x509)) {}

Result<Certificate> Certificate::FromDer(std::span<const uint8_t> der) {
  if (der.empty() || der.size() > kMaxCertificateSize) {
    return InvalidArgumentError("bad certificate size");
  }
  const unsigned char* p = der.data();
  internal::X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (x509 == nullptr || p != der.data() + der.size()) {
    return internal::InvalidArgumentFailure("malformed certificate");
  }
  return CertificateAccess::Wrap(x509.release());
}

std::vector<uint8_t> Certificate::ToDer() const {
  unsigned char* der = nullptr;
  const int len = i2d_X509(x509_.get(), &der);
  // Re-encoding a parsed certificate only fails on allocation failure.
  CERUMBRA_CHECK(len > 0);
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string Certificate::Subject() const {
  return NameToString(X509_get_subject_name(x509_.get()));
}

std::string Certificate::Issuer() const {
  return NameToString(X509_get_issuer_name(x509_.get()));
}

Result<std::chrono::sys_seconds> Certificate::NotBefore() const {
  return AsnTimeToSysSeconds(X509_get0_notBefore(x509_.get()));
}

Result<std::chrono::sys_seconds> Certificate::NotAfter() const {
  return AsnTimeToSysSeconds(X509_get0_notAfter(x509_.get()));
}

Result<PublicKey> Certificate::GetPublicKey() const {
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509_.get()), &der);
  if (len <= 0) return internal::InvalidArgumentFailure("no public key");
  std::vector<uint8_t> spki(der, der + len);
  OPENSSL_free(der);
  return PublicKey::FromSpkiDer(spki);
}

std::optional<uint32_t> Certificate::KeyUsage() const {
  // X509_get_extension_flags decodes the cached extensions first.
  const uint32_t flags = X509_get_extension_flags(x509_.get());
  if ((flags & EXFLAG_INVALID) != 0 || (flags & EXFLAG_KUSAGE) == 0) {
    return std::nullopt;
  }
  static_assert(kKeyUsageDigitalSignature == KU_DIGITAL_SIGNATURE);
  static_assert(kKeyUsageKeyCertSign == KU_KEY_CERT_SIGN);
  return X509_get_key_usage(x509_.get());
}

Result<std::vector<uint8_t>> Certificate::GetExtensionValue(
    std::string_view oid) const {
  const std::string oid_text(oid);
  // no_name = 1: accept dotted decimal only, never a short or long name.
  internal::Asn1ObjectPtr obj(OBJ_txt2obj(oid_text.c_str(), 1));
  if (obj == nullptr) return internal::InvalidArgumentFailure("bad OID");
  const int index = X509_get_ext_by_OBJ(x509_.get(), obj.get(), -1);
  if (index < 0) {
    internal::ClearErrors();
    return NotFoundError("extension not present");
  }
  if (X509_get_ext_by_OBJ(x509_.get(), obj.get(), index) >= 0) {
    return InvalidArgumentError("duplicate extension");
  }
  const ASN1_OCTET_STRING* data =
      X509_EXTENSION_get_data(X509_get_ext(x509_.get(), index));
  if (data == nullptr)
    return internal::InternalFailure("extension read failed");
  const unsigned char* bytes = ASN1_STRING_get0_data(data);
  return std::vector<uint8_t>(bytes, bytes + ASN1_STRING_length(data));
}

// --- Parsing lists --------------------------------------------------------

Result<std::vector<Certificate>> ParsePemCertificates(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kCertBegin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view kCertEnd = "-----END CERTIFICATE-----";
  if (pem.size() > kMaxPemSize) return InvalidArgumentError("PEM too large");
  std::vector<Certificate> out;
  size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    if (pem.substr(pos, kCertBegin.size()) != kCertBegin) {
      return InvalidArgumentError("unexpected PEM block type");
    }
    const size_t body_start = pos + kCertBegin.size();
    const size_t end = pem.find(kCertEnd, body_start);
    if (end == std::string_view::npos) {
      return InvalidArgumentError("unterminated PEM block");
    }
    std::string body;
    for (char c : pem.substr(body_start, end - body_start)) {
      if (!IsPemSpace(c)) body.push_back(c);
    }
    CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> der,
                              internal::Base64Decode(body));
    CERUMBRA_ASSIGN_OR_RETURN(Certificate cert, Certificate::FromDer(der));
    out.push_back(std::move(cert));
    pos = end + kCertEnd.size();
  }
  if (out.empty()) return InvalidArgumentError("no PEM certificate found");
  return out;
}

Result<std::vector<Certificate>> ParseDerCertificates(
    std::span<const uint8_t> der) {
  if (der.empty()) return InvalidArgumentError("no certificate");
  std::vector<Certificate> out;
  const unsigned char* p = der.data();
  const unsigned char* const end = der.data() + der.size();
  while (p < end) {
    const unsigned char* start = p;
    const long remaining = static_cast<long>(end - p);
    internal::X509Ptr x509(d2i_X509(nullptr, &p, remaining));
    if (x509 == nullptr || p <= start ||
        static_cast<size_t>(p - start) > kMaxCertificateSize) {
      return internal::InvalidArgumentFailure("malformed certificate");
    }
    out.push_back(CertificateAccess::Wrap(x509.release()));
  }
  return out;
}

// --- Chain verification ---------------------------------------------------

Result<VerifiedChain> VerifyCertificateChain(
    std::span<const Certificate> chain,
    std::span<const Certificate> pinned_roots,
    std::chrono::sys_seconds verification_time) {
  if (chain.empty() || pinned_roots.empty()) {
    return InvalidArgumentError("empty chain or root set");
  }
  if (chain.size() > kMaxChainLength) {
    return InvalidArgumentError("certificate chain too long");
  }

  // The store holds the pinned roots and nothing else: no default paths.
  internal::X509StorePtr store(X509_STORE_new());
  if (store == nullptr) return internal::InternalFailure("X509 store failed");
  for (const Certificate& root : pinned_roots) {
    if (X509_STORE_add_cert(store.get(), CertificateAccess::Get(root)) != 1) {
      return internal::InternalFailure("X509 store failed");
    }
  }
  X509StackPtr untrusted(sk_X509_new_null());
  if (untrusted == nullptr) return internal::InternalFailure("X509 failed");
  for (const Certificate& cert : chain.subspan(1)) {
    // The stack borrows; `chain` keeps the references alive.
    if (sk_X509_push(untrusted.get(), CertificateAccess::Get(cert)) <= 0) {
      return internal::InternalFailure("X509 failed");
    }
  }

  internal::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (ctx == nullptr ||
      X509_STORE_CTX_init(ctx.get(), store.get(),
                          CertificateAccess::Get(chain.front()),
                          untrusted.get()) != 1) {
    return internal::InternalFailure("X509 context failed");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(
      param, static_cast<time_t>(verification_time.time_since_epoch().count()));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  // Never trust a path that stops short of a pinned self-signed root.
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);

  if (X509_verify_cert(ctx.get()) != 1) {
    return internal::UnauthenticatedFailure(kChainFailed);
  }

  STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(ctx.get());
  const int path_size = path == nullptr ? 0 : sk_X509_num(path);
  // The path must be `chain` itself, optionally followed by the root.
  if (path_size < static_cast<int>(chain.size()) ||
      path_size > static_cast<int>(chain.size()) + 1) {
    return internal::UnauthenticatedFailure(kChainFailed);
  }
  for (size_t i = 0; i < chain.size(); ++i) {
    if (X509_cmp(sk_X509_value(path, static_cast<int>(i)),
                 CertificateAccess::Get(chain[i])) != 0) {
      return internal::UnauthenticatedFailure(kChainFailed);
    }
  }

  VerifiedChain out;
  for (int i = 0; i < path_size; ++i) {
    X509* cert = sk_X509_value(path, i);
    if (X509_up_ref(cert) != 1) return internal::InternalFailure("X509 failed");
    out.certificates.push_back(CertificateAccess::Wrap(cert));
    out.subjects.push_back(out.certificates.back().Subject());
  }
  internal::ClearErrors();
  return out;
}

Result<VerifiedChain> VerifyPemCertificateChain(
    std::string_view chain_pem, std::string_view pinned_roots_pem,
    std::chrono::sys_seconds verification_time) {
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<Certificate> roots,
                            ParsePemCertificates(pinned_roots_pem));
  Result<std::vector<Certificate>> chain = ParsePemCertificates(chain_pem);
  if (!chain.ok()) return UnauthenticatedError(kChainFailed);
  return VerifyCertificateChain(*chain, roots, verification_time);
}

}  // namespace cerumbra::crypto
