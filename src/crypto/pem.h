// Copyright 2026 The Cerumbra Authors.
//
// PEM (RFC 7468) for what Cerumbra keeps on disk: certificates and EC
// private keys in unencrypted PKCS#8 ("PRIVATE KEY", RFC 5958). Private key
// text always lives in SecretBytes (wiped when freed).

#ifndef CERUMBRA_CRYPTO_PEM_H_
#define CERUMBRA_CRYPTO_PEM_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/secret_bytes.h"
#include "crypto/x509.h"

namespace cerumbra::crypto {

// DerToPem returns `der` as one PEM block with `label` ("CERTIFICATE"):
// "-----BEGIN label-----", base64 lines of 64 characters, "-----END
// label-----", each line ending in "\n". Thread safety: pure function.
std::string DerToPem(std::span<const uint8_t> der, std::string_view label);

// PemToDer decodes the single PEM block labelled `label` in `pem` (text
// around it is ignored, RFC 7468 §2). No block, another label first, two
// blocks, malformed base64 or input over 1 MiB are InvalidArgument.
// Thread safety: pure function.
Result<std::vector<uint8_t>> PemToDer(std::string_view pem,
                                      std::string_view label);

// CertificateToPem returns DerToPem(certificate.ToDer(), "CERTIFICATE").
std::string CertificateToPem(const Certificate& certificate);

// PrivateKeyToPkcs8Pem returns `key` as an unencrypted PKCS#8 PEM block
// ("-----BEGIN PRIVATE KEY-----"), in wiped memory; OpenSSL's intermediate
// buffers are wiped too. Fails with Internal if OpenSSL fails.
// WARNING: the result is the private key in the clear; store it with
// owner-only permissions. Thread safety: safe to call concurrently.
Result<SecretBytes> PrivateKeyToPkcs8Pem(const PrivateKey& key);

// PrivateKeyFromPkcs8Pem parses one unencrypted PKCS#8 "PRIVATE KEY" PEM
// block holding a P-256 or P-384 EC key. Encrypted keys, other key types,
// other curves, malformed input and input over 64 KiB are InvalidArgument
// (the message never contains key material). Thread safety: pure function.
Result<PrivateKey> PrivateKeyFromPkcs8Pem(std::span<const uint8_t> pem);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_PEM_H_
