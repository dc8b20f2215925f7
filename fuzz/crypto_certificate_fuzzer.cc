// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes certificate parsing (DER and PEM bundles) and the accessors a
// verifier calls on untrusted certificates, then chain verification of
// whatever parsed against a fixed pinned root.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/x509.h"

namespace {

using cerumbra::crypto::Certificate;

void Exercise(const Certificate& cert) {
  (void)cert.Subject();
  (void)cert.Issuer();
  (void)cert.NotBefore();
  (void)cert.NotAfter();
  (void)cert.GetPublicKey();
  (void)cert.GetExtensionValue("2.23.133.5.4.1");
  auto der = cert.ToDer();
  auto again = Certificate::FromDer(der);
  CERUMBRA_CHECK(again.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto der = Certificate::FromDer(bytes);
  if (der.ok()) Exercise(*der);

  auto pem = cerumbra::crypto::ParsePemCertificates(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (pem.ok() && !pem->empty()) {
    for (const auto& cert : *pem) Exercise(cert);
    // A bundle whose last certificate is self-signed may verify against
    // itself; either outcome is fine, it must not crash or leak.
    std::vector<Certificate> roots = {pem->back()};
    (void)cerumbra::crypto::VerifyCertificateChain(
        *pem, roots,
        std::chrono::sys_seconds(std::chrono::seconds(1750000000)));
  }
  return 0;
}
