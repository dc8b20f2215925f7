// Copyright 2026 The Cerumbra Authors.
//
// X.509 certificates (RFC 5280): parsing, a few getters, and chain
// verification against pinned roots at an explicit time. Small on purpose:
// enough for attestation evidence (NVIDIA device identity chains, SPDM
// certificate chains) and the simulated CA, nothing like a TLS stack.

#ifndef CERUMBRA_CRYPTO_X509_H_
#define CERUMBRA_CRYPTO_X509_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/ec.h"

struct x509_st;  // OpenSSL's X509, kept opaque here.

namespace cerumbra::crypto {

namespace internal {
// X509Free frees the opaque OpenSSL certificate (defined in x509.cc).
struct X509Free {
  void operator()(x509_st* x509) const;
};
struct CertificateAccess;  // Defined in x509.cc.
}  // namespace internal

// Certificate is one parsed X.509 certificate.
//
// Immutable; copies are cheap and share one reference-counted OpenSSL
// object. Thread safety: all methods are const and safe to call
// concurrently.
class Certificate {
 public:
  // FromDer parses exactly one DER certificate; trailing bytes, input over
  // 64 KiB or a malformed certificate are InvalidArgument.
  static Result<Certificate> FromDer(std::span<const uint8_t> der);

  // ToDer returns the certificate's DER encoding (the bytes it was parsed
  // from). Running out of memory aborts.
  std::vector<uint8_t> ToDer() const;

  // Subject and Issuer return the distinguished name in RFC 2253 form
  // ("O=NVIDIA,CN=NVIDIA Device Identity CA": RFC 2253
  // lists the last RDN first), for display and logs; "" if OpenSSL cannot
  // print the name.
  std::string Subject() const;
  std::string Issuer() const;

  // NotBefore and NotAfter return the validity bounds (RFC 5280 §4.1.2.5).
  // InvalidArgument if the time field is malformed.
  Result<std::chrono::sys_seconds> NotBefore() const;
  Result<std::chrono::sys_seconds> NotAfter() const;

  // GetPublicKey returns the subject public key if it is a P-256 or P-384
  // EC key (validated as in PublicKey::FromSpkiDer); InvalidArgument for
  // other key types.
  Result<PublicKey> GetPublicKey() const;

  // KeyUsage returns the keyUsage extension's bits (kKeyUsage* below), or
  // nullopt if the certificate has no keyUsage extension (or OpenSSL could
  // not decode its extensions, which path validation refuses anyway).
  std::optional<uint32_t> KeyUsage() const;
  static constexpr uint32_t kKeyUsageDigitalSignature = 0x80;
  static constexpr uint32_t kKeyUsageKeyCertSign = 0x04;

  // GetExtensionValue returns the DER contents of the extnValue OCTET
  // STRING of the extension `oid` (dotted decimal, e.g. "2.23.133.5.4.1").
  // NotFound if absent; InvalidArgument for a malformed OID or if the
  // extension occurs more than once (RFC 5280 §4.2 forbids that).
  Result<std::vector<uint8_t>> GetExtensionValue(std::string_view oid) const;

 private:
  friend struct internal::CertificateAccess;
  explicit Certificate(std::shared_ptr<x509_st> x509);

  std::shared_ptr<x509_st> x509_;
};

// ParsePemCertificates parses every "CERTIFICATE" PEM block in `pem`, in
// order (RFC 7468). Text outside the blocks is ignored, as RFC 7468 §2
// requires; PEM blocks of any other type, malformed base64, malformed
// certificates, input over 1 MiB or no certificate at all are
// InvalidArgument. Thread safety: pure function.
Result<std::vector<Certificate>> ParsePemCertificates(std::string_view pem);

// ParseDerCertificates parses a concatenation of DER certificates (as in
// SPDM certificate chains). Empty input, trailing bytes or a malformed
// certificate are InvalidArgument. Thread safety: pure function.
Result<std::vector<Certificate>> ParseDerCertificates(
    std::span<const uint8_t> der);

// VerifiedChain describes a chain that verified.
struct VerifiedChain {
  // certificates runs from the leaf to the pinned root (inclusive).
  std::vector<Certificate> certificates;
  // subjects holds each certificate's Subject(), in the same order, for
  // display.
  std::vector<std::string> subjects;
};

// kMaxChainLength bounds the certificates accepted in one chain.
inline constexpr size_t kMaxChainLength = 16;

// VerifyCertificateChain verifies `chain` (leaf first, each certificate
// issued by the next) against `pinned_roots` at `verification_time`.
//
// - Only `pinned_roots` are trusted: no system trust store, no partial
//   chains. The path must end in a self-signed pinned root; `chain` may
//   include that root as its last element or omit it.
// - Signatures, validity periods (at `verification_time`, never the clock),
//   basic constraints and RFC 5280 strictness (X509_V_FLAG_X509_STRICT) are
//   checked by OpenSSL. No revocation checking.
// - The verified path must be exactly `chain` in order (plus the root if
//   omitted): extra, missing or reordered certificates fail.
//
// Returns the verified path. An empty `chain` or `pinned_roots`, or more
// than kMaxChainLength certificates, is InvalidArgument; every verification
// failure is the opaque Unauthenticated error.
//
// Thread safety: safe to call concurrently.
Result<VerifiedChain> VerifyCertificateChain(
    std::span<const Certificate> chain,
    std::span<const Certificate> pinned_roots,
    std::chrono::sys_seconds verification_time);

// VerifyPemCertificateChain parses `chain_pem` (leaf first) and
// `pinned_roots_pem` and calls VerifyCertificateChain. A chain that does not
// parse is Unauthenticated (it is untrusted evidence); roots that do not
// parse are InvalidArgument (local configuration).
//
// Thread safety: safe to call concurrently.
Result<VerifiedChain> VerifyPemCertificateChain(
    std::string_view chain_pem, std::string_view pinned_roots_pem,
    std::chrono::sys_seconds verification_time);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_X509_H_
