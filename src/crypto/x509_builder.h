// Copyright 2026 The Cerumbra Authors.
//
// Issuing X.509 v3 certificates (RFC 5280) for the simulated TEE's CA
// (docs/attestation.md §2): a self-signed root, intermediates and end-entity
// certificates, all with EC keys (P-256 or P-384) and ECDSA signatures. Only
// what a small private PKI needs; the result verifies under
// VerifyCertificateChain (x509.h), which runs OpenSSL's strict checks.

#ifndef CERUMBRA_CRYPTO_X509_BUILDER_H_
#define CERUMBRA_CRYPTO_X509_BUILDER_H_

#include <chrono>
#include <optional>
#include <string>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/x509.h"

namespace cerumbra::crypto {

// CertificateProfile says what to put in a certificate.
struct CertificateProfile {
  // subject_common_name and subject_organization form the subject DN
  // (O=..., CN=...); the organization is omitted when empty. Printable
  // UTF-8, 1..64 bytes each.
  std::string subject_common_name;
  std::string subject_organization;
  // not_before / not_after bound the validity (not_before < not_after).
  std::chrono::sys_seconds not_before;
  std::chrono::sys_seconds not_after;
  // is_ca: a CA certificate (basicConstraints cA=TRUE, keyUsage
  // keyCertSign+cRLSign); otherwise an end-entity signing certificate
  // (cA=FALSE, keyUsage digitalSignature). path_length limits the CAs
  // below a CA (pathLenConstraint); ignored for end entities.
  bool is_ca = false;
  std::optional<int> path_length;
};

// IssueCertificate returns a certificate for `subject_key` described by
// `profile`, signed by `issuer_key` with ECDSA (SHA-256 for a P-256 issuer
// key, SHA-384 for P-384). With `issuer` set, the issuer name and authority
// key identifier come from it and `issuer_key` must be its key; without it
// the certificate is self-signed (`issuer_key` must be the subject key's
// private key). The serial number is 16 random bytes (positive). Critical
// basicConstraints and keyUsage, subject and authority key identifiers
// (SHA-1 of the key, RFC 5280 §4.2.1.2 method 1) are always present.
//
// Fails with InvalidArgument for a bad profile (empty or oversize name,
// not_before >= not_after), a self-signed request whose keys do not match,
// an issuer key that is not the issuer certificate's key, or an issuer
// that is not a CA; Internal if OpenSSL fails.
//
// Thread safety: safe to call concurrently.
Result<Certificate> IssueCertificate(const CertificateProfile& profile,
                                     const PublicKey& subject_key,
                                     const PrivateKey& issuer_key,
                                     const Certificate* issuer = nullptr);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_X509_BUILDER_H_
