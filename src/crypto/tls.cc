// Copyright 2026 The Cerumbra Authors.

#include "crypto/tls.h"

#include <arpa/inet.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <string>
#include <utility>
#include <vector>

#include "crypto/ec.h"
#include "crypto/ec_internal.h"
#include "crypto/openssl_util.h"
#include "crypto/pem.h"
#include "crypto/random.h"

namespace cerumbra::crypto {
namespace {

using SslCtxPtr =
    std::unique_ptr<SSL_CTX, internal::OpensslDeleter<&SSL_CTX_free>>;
using X509NamePtr =
    std::unique_ptr<X509_NAME, internal::OpensslDeleter<&X509_NAME_free>>;
using X509ExtensionPtr =
    std::unique_ptr<X509_EXTENSION,
                    internal::OpensslDeleter<&X509_EXTENSION_free>>;

constexpr size_t kMaxPemSize = 1024 * 1024;
constexpr int kMinRsaBits = 2048;

// TLS 1.3 suites (RFC 8446 §B.4): all AEAD.
constexpr char kTls13Suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
    "TLS_CHACHA20_POLY1305_SHA256";
// TLS 1.2: ECDHE (forward secrecy) with an AEAD only (Mozilla's
// "intermediate" list without DHE).
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kGroups[] = "X25519:P-256:P-384";

// Options for every context: no compression (CRIME), no renegotiation
// (RFC 5746 attacks; TLS 1.3 has none), no tickets (their key would outlive
// the connection and weaken forward secrecy).
constexpr uint64_t kOptions =
    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET;

// NoPassword refuses encrypted PEM keys instead of prompting on a terminal.
int NoPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

Result<SslCtxPtr> NewContext(const SSL_METHOD* method, int min_version,
                             int max_version) {
  SslCtxPtr ctx(SSL_CTX_new(method));
  if (ctx == nullptr) return internal::InternalFailure("SSL_CTX_new");
  SSL_CTX_set_options(ctx.get(), kOptions);
  if (SSL_CTX_set_min_proto_version(ctx.get(), min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), max_version) != 1) {
    return internal::InternalFailure("TLS versions");
  }
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_num_tickets(ctx.get(), 0) != 1) {
    return internal::InternalFailure("TLS tickets");
  }
  return ctx;
}

Status ApplyCipherPolicy(SSL_CTX* ctx) {
  if (SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return internal::InternalFailure("TLS cipher policy");
  }
  return OkStatus();
}

internal::BioPtr MemBio(const void* data, size_t size) {
  return internal::BioPtr(BIO_new_mem_buf(data, static_cast<int>(size)));
}

// ReadCertificates returns every CERTIFICATE block of `pem`, in order.
Result<std::vector<internal::X509Ptr>> ReadCertificates(std::string_view pem) {
  if (pem.size() > kMaxPemSize) {
    return InvalidArgumentError("certificate file over 1 MiB");
  }
  internal::BioPtr bio = MemBio(pem.data(), pem.size());
  if (bio == nullptr) return internal::InternalFailure("BIO_new_mem_buf");
  std::vector<internal::X509Ptr> certs;
  for (;;) {
    internal::X509Ptr cert(
        PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr));
    if (cert == nullptr) break;
    certs.push_back(std::move(cert));
  }
  // The loop ends at the end of the input (PEM_R_NO_START_LINE) or at a
  // malformed block; either way nothing more is read.
  internal::ClearErrors();
  if (certs.empty()) {
    return InvalidArgumentError(
        "no PEM certificate (\"-----BEGIN CERTIFICATE-----\") found");
  }
  return certs;
}

Result<internal::EvpPkeyPtr> ReadPrivateKey(std::span<const uint8_t> pem) {
  if (pem.size() > kMaxPemSize) {
    return InvalidArgumentError("key file over 1 MiB");
  }
  const std::string_view text(reinterpret_cast<const char*>(pem.data()),
                              pem.size());
  if (text.find("ENCRYPTED") != std::string_view::npos) {
    return InvalidArgumentError(
        "the private key is encrypted; give an unencrypted PEM key (chmod "
        "600)");
  }
  internal::BioPtr bio = MemBio(pem.data(), pem.size());
  if (bio == nullptr) return internal::InternalFailure("BIO_new_mem_buf");
  internal::EvpPkeyPtr key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (key == nullptr) {
    return internal::InvalidArgumentFailure(
        "no PEM private key (\"-----BEGIN PRIVATE KEY-----\") found");
  }
  const int id = EVP_PKEY_get_base_id(key.get());
  if (id == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
      return InvalidArgumentError("RSA key under 2048 bits");
    }
  } else if (id == EVP_PKEY_EC) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &len) != 1) {
      return internal::InvalidArgumentFailure("EC key without a named curve");
    }
    const std::string_view name(group, len);
    if (name != "prime256v1" && name != "secp384r1") {
      return InvalidArgumentError("EC key not on P-256 or P-384");
    }
  } else {
    return InvalidArgumentError("key type not supported (use EC or RSA)");
  }
  return key;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// ValidDnsName: RFC 1123 labels of letters, digits and '-', a leading "*."
// wildcard label at most.
bool ValidDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.starts_with("*.")) name.remove_prefix(2);
  size_t label = 0;
  char prev = '.';
  for (char c : name) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || (c == '-' && label > 0);
      if (!ok || ++label > 63) return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid,
                    const std::string& value) {
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return internal::InternalFailure("certificate extension");
  }
  return OkStatus();
}

}  // namespace

TlsContext::TlsContext(TlsContext&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)) {}

TlsContext& TlsContext::operator=(TlsContext&& other) noexcept {
  if (this != &other) {
    SSL_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

ssl_ctx_st* TlsContext::Release() && {
  CERUMBRA_CHECK(ctx_ != nullptr);
  return std::exchange(ctx_, nullptr);
}

Result<TlsContext> TlsContext::CreateServer(
    std::string_view certificate_chain_pem,
    std::span<const uint8_t> private_key_pem) {
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<internal::X509Ptr> certs,
                            ReadCertificates(certificate_chain_pem));
  CERUMBRA_ASSIGN_OR_RETURN(internal::EvpPkeyPtr key,
                            ReadPrivateKey(private_key_pem));
  CERUMBRA_ASSIGN_OR_RETURN(
      SslCtxPtr ctx,
      NewContext(TLS_server_method(), TLS1_2_VERSION, TLS1_3_VERSION));
  CERUMBRA_RETURN_IF_ERROR(ApplyCipherPolicy(ctx.get()));
  // The client's AEAD preference decides among equally strong suites (it
  // knows whether it has AES hardware); every suite here is acceptable.
  if (SSL_CTX_use_certificate(ctx.get(), certs[0].get()) != 1) {
    return internal::InvalidArgumentFailure(
        "the certificate cannot be used (key type or size)");
  }
  for (size_t i = 1; i < certs.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx.get(), certs[i].get()) != 1) {
      return internal::InternalFailure("certificate chain");
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return internal::InvalidArgumentFailure(
        "the private key does not match the certificate");
  }
  internal::ClearErrors();
  return TlsContext(ctx.release());
}

Result<TlsContext> TlsContext::CreateClient(const TlsClientOptions& options) {
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<internal::X509Ptr> certs,
                            ReadCertificates(options.trusted_certificates_pem));
  if (options.expected_host.empty()) {
    return InvalidArgumentError("TLS client: no expected host");
  }
  const bool legacy = options.max_version == TlsVersion::kTls1_1;
  const int max = legacy                                       ? TLS1_1_VERSION
                  : options.max_version == TlsVersion::kTls1_2 ? TLS1_2_VERSION
                                                               : TLS1_3_VERSION;
  CERUMBRA_ASSIGN_OR_RETURN(
      SslCtxPtr ctx, NewContext(TLS_client_method(),
                                legacy ? TLS1_1_VERSION : TLS1_2_VERSION, max));
  if (legacy) {
    // OpenSSL 3 disables TLS 1.1 below security level 0; the point of this
    // client is to offer it anyway.
    if (SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0") != 1) {
      return internal::InternalFailure("legacy ciphers");
    }
  } else {
    CERUMBRA_RETURN_IF_ERROR(ApplyCipherPolicy(ctx.get()));
  }
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
  for (const auto& cert : certs) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
      return internal::InternalFailure("trusted certificate");
    }
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  const int host_ok =
      IsIpAddress(options.expected_host)
          ? X509_VERIFY_PARAM_set1_ip_asc(param, options.expected_host.c_str())
          : X509_VERIFY_PARAM_set1_host(param, options.expected_host.c_str(),
                                        options.expected_host.size());
  if (host_ok != 1) {
    return internal::InvalidArgumentFailure("TLS client: bad expected host");
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  internal::ClearErrors();
  return TlsContext(ctx.release());
}

Result<DevCertificate> GenerateDevCertificate(
    const DevCertificateOptions& options) {
  if (options.validity <= std::chrono::seconds(0) ||
      options.validity > std::chrono::hours(24 * 398)) {
    return InvalidArgumentError("validity must be 1 second to 398 days");
  }
  DevCertificate out;
  out.hosts = {"localhost", "127.0.0.1", "::1"};
  for (const std::string& host : options.hosts) {
    if (!IsIpAddress(host) && !ValidDnsName(host)) {
      return InvalidArgumentError("not a DNS name or IP address: \"" + host +
                                  "\"");
    }
    bool seen = false;
    for (const std::string& h : out.hosts) seen = seen || h == host;
    if (!seen) out.hosts.push_back(host);
  }
  std::string san;
  for (const std::string& host : out.hosts) {
    if (!san.empty()) san += ",";
    san += (IsIpAddress(host) ? "IP:" : "DNS:") + host;
  }

  CERUMBRA_ASSIGN_OR_RETURN(PrivateKey key,
                            PrivateKey::Generate(EcCurve::kP256));
  EVP_PKEY* pkey = internal::EcKeyAccess::Pkey(key);
  internal::X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return internal::InternalFailure("X509_new");
  }
  // Serial: 16 random bytes, positive, fixed length (RFC 5280 §4.1.2.2).
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> serial, RandomBytes(16));
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);
  internal::BignumPtr serial_bn(
      BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (serial_bn == nullptr ||
      BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(cert.get())) ==
          nullptr) {
    return internal::InternalFailure("serial number");
  }
  X509NamePtr name(X509_NAME_new());
  static constexpr char kCommonName[] = "Cerumbra development certificate";
  if (name == nullptr ||
      X509_NAME_add_entry_by_txt(
          name.get(), "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(kCommonName), -1, -1,
          0) != 1 ||
      X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(), name.get()) != 1) {
    return internal::InternalFailure("certificate name");
  }
  const auto seconds = [](std::chrono::sys_seconds t) {
    return static_cast<time_t>(t.time_since_epoch().count());
  };
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                    seconds(options.now - std::chrono::minutes(5))) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                    seconds(options.now + options.validity)) == nullptr) {
    return internal::InternalFailure("validity");
  }
  if (X509_set_pubkey(cert.get(), pkey) != 1) {
    return internal::InternalFailure("public key");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  // An end-entity certificate (cA=FALSE): Firefox refuses a CA certificate
  // as a server's; the user trusts this one certificate directly.
  CERUMBRA_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints,
                                        "critical,CA:FALSE"));
  CERUMBRA_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage,
                                        "critical,digitalSignature"));
  CERUMBRA_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  CERUMBRA_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_subject_alt_name, san));
  CERUMBRA_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  CERUMBRA_RETURN_IF_ERROR(AddExtension(
      cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), pkey, internal::Sha256Md()) <= 0) {
    return internal::InternalFailure("certificate signing");
  }
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return internal::InternalFailure("certificate encoding");
  out.certificate_der.assign(der, der + len);
  OPENSSL_free(der);
  out.certificate_pem = DerToPem(out.certificate_der, "CERTIFICATE");
  CERUMBRA_ASSIGN_OR_RETURN(out.private_key_pem, PrivateKeyToPkcs8Pem(key));
  return out;
}

}  // namespace cerumbra::crypto
