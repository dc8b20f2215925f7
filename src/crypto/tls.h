// Copyright 2026 The Cerumbra Authors.
//
// TLS for the node's one port (docs/node.md "TLS"): OpenSSL SSL_CTX objects
// built to one fixed policy, and the self-signed development certificate of
// `cerumbra cert dev`. This is the only place Cerumbra configures OpenSSL's
// TLS; src/server drives the connections with Boost.Asio's ssl stream, which
// takes over the SSL_CTX made here (TlsContext::Release).
//
// The policy, with no options:
//   - TLS 1.2 and 1.3 only (1.3 is negotiated whenever the peer has it);
//   - AEAD ciphers with forward secrecy only: TLS 1.3's AES-GCM and
//     ChaCha20-Poly1305 suites, and for 1.2 ECDHE with AES-GCM or
//     ChaCha20-Poly1305 (no CBC, no RSA key exchange, no DHE);
//   - key exchange groups X25519, P-256, P-384;
//   - no compression (CRIME), no renegotiation, no session tickets.

#ifndef CERUMBRA_CRYPTO_TLS_H_
#define CERUMBRA_CRYPTO_TLS_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/secret_bytes.h"

// OpenSSL's SSL_CTX, declared here so that this header needs no OpenSSL
// header (Boost.Asio's ssl::context::native_handle_type is SSL_CTX*).
struct ssl_ctx_st;

namespace cerumbra::crypto {

// TlsVersion bounds what a context speaks.
enum class TlsVersion {
  kTls1_1,  // only for TlsClientOptions::max_version in tests (see there)
  kTls1_2,
  kTls1_3,
};

// TlsClientOptions configures a client context (tests and tools that talk
// to a node over TLS).
struct TlsClientOptions {
  // trusted_certificates_pem: the PEM certificates to trust (the node's
  // self-signed certificate or its CA). Each one is a trust anchor, itself
  // included (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN): a pinned self-signed
  // end-entity certificate verifies.
  std::string trusted_certificates_pem;
  // expected_host: the server's name ("localhost") or IP address
  // ("127.0.0.1", "::1"); the certificate must name it (subjectAltName).
  std::string expected_host;
  // max_version: the highest version offered. kTls1_1 makes a client that
  // offers TLS 1.1 alone (with OpenSSL security level 0, which TLS 1.1
  // needs): only for testing that a server refuses it.
  TlsVersion max_version = TlsVersion::kTls1_3;
};

// TlsContext owns an OpenSSL SSL_CTX configured by the policy above.
// Move-only. Thread safety: a TlsContext is not shared; once released to
// Boost.Asio, OpenSSL allows the SSL_CTX to serve connections on many
// threads at once.
class TlsContext {
 public:
  // CreateServer returns a server context presenting `certificate_chain_pem`
  // (the leaf first, then any intermediates) with `private_key_pem` (PEM:
  // PKCS#8 "PRIVATE KEY", or the traditional "EC PRIVATE KEY" / "RSA
  // PRIVATE KEY"; an EC key on P-256/P-384 or an RSA key of 2048+ bits;
  // encrypted keys are not supported). Fails with InvalidArgument, whose
  // message says which (no certificate, unreadable key, encrypted key,
  // weak key, the key does not match the certificate); never contains key
  // material. OpenSSL's copy of the key text is wiped. Thread safety: safe
  // to call concurrently.
  static Result<TlsContext> CreateServer(
      std::string_view certificate_chain_pem,
      std::span<const uint8_t> private_key_pem);

  // CreateClient returns a client context that verifies the server against
  // `options` (see TlsClientOptions). Fails with InvalidArgument for no
  // trusted certificate or a bad expected_host; Internal if OpenSSL fails.
  static Result<TlsContext> CreateClient(const TlsClientOptions& options);

  TlsContext(TlsContext&& other) noexcept;
  TlsContext& operator=(TlsContext&& other) noexcept;
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext();

  // Release hands the SSL_CTX to the caller, which must free it exactly
  // once (boost::asio::ssl::context's constructor from a native handle takes
  // that ownership). REQUIRES: not released before. The TlsContext is empty
  // afterwards.
  ssl_ctx_st* Release() &&;

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_ = nullptr;
};

// DevCertificateOptions describes a self-signed development certificate.
struct DevCertificateOptions {
  // hosts: the names (DNS names like "node.local") and IP addresses the
  // certificate is valid for; "localhost", "127.0.0.1" and "::1" are always
  // added. Each DNS name: 1..253 characters of letters, digits, '-', '.'
  // and a leading "*." wildcard label at most.
  std::vector<std::string> hosts;
  std::chrono::sys_seconds now;
  std::chrono::seconds validity = std::chrono::hours(24 * 30);
};

// DevCertificate is a certificate and its key, both PEM.
struct DevCertificate {
  std::string certificate_pem;
  SecretBytes private_key_pem;  // PKCS#8; WARNING: the key in the clear
  std::vector<uint8_t> certificate_der;
  std::vector<std::string> hosts;  // as put in subjectAltName, in order
};

// GenerateDevCertificate returns a new P-256 key and a self-signed X.509 v3
// end-entity certificate for it: subject CN "Cerumbra development
// certificate", critical basicConstraints cA=FALSE, critical keyUsage
// digitalSignature, extendedKeyUsage serverAuth, subjectAltName naming every
// host, valid from `now` - 5 minutes (clock skew) to `now` + validity
// (at most 398 days, what browsers accept). Fails with InvalidArgument for a
// bad host name or validity; Internal if OpenSSL fails. Thread safety: safe
// to call concurrently.
Result<DevCertificate> GenerateDevCertificate(
    const DevCertificateOptions& options);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_TLS_H_
