// Copyright 2026 The Cerumbra Authors.
//
// The TLS policy checked with OpenSSL itself: two SSL objects joined by a
// BIO pair in memory (the server's tests in src/server do the same over
// real sockets).

#include "crypto/tls.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>

#include "crypto/pem.h"
#include "crypto/x509.h"

namespace cerumbra::crypto {
namespace {

const std::chrono::sys_seconds kNow =
    std::chrono::time_point_cast<std::chrono::seconds>(
        std::chrono::system_clock::now());

using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

std::span<const uint8_t> Bytes(const SecretBytes& s) { return s.Reveal(); }

DevCertificate MakeCert(std::vector<std::string> hosts = {}) {
  DevCertificateOptions o;
  o.hosts = std::move(hosts);
  o.now = kNow;
  auto c = GenerateDevCertificate(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

SslCtxPtr Own(TlsContext ctx) {
  return SslCtxPtr(std::move(ctx).Release(), &SSL_CTX_free);
}

// Handshake runs a client and a server to completion in memory; returns
// the negotiated version (0 when the handshake failed).
struct Outcome {
  int version = 0;
  std::string cipher;
  long verify_result = -1;
};
Outcome Handshake(SSL_CTX* server_ctx, SSL_CTX* client_ctx) {
  SslPtr server(SSL_new(server_ctx), &SSL_free);
  SslPtr client(SSL_new(client_ctx), &SSL_free);
  BIO* server_bio = nullptr;
  BIO* client_bio = nullptr;
  EXPECT_EQ(BIO_new_bio_pair(&server_bio, 0, &client_bio, 0), 1);
  SSL_set_bio(server.get(), server_bio, server_bio);
  SSL_set_bio(client.get(), client_bio, client_bio);
  SSL_set_accept_state(server.get());
  SSL_set_connect_state(client.get());
  bool client_done = false, server_done = false;
  for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
    if (!client_done) {
      int r = SSL_do_handshake(client.get());
      if (r == 1) {
        client_done = true;
      } else if (SSL_get_error(client.get(), r) != SSL_ERROR_WANT_READ) {
        break;
      }
    }
    if (!server_done) {
      int r = SSL_do_handshake(server.get());
      if (r == 1) {
        server_done = true;
      } else if (SSL_get_error(server.get(), r) != SSL_ERROR_WANT_READ) {
        break;
      }
    }
  }
  ERR_clear_error();
  Outcome out;
  out.verify_result = SSL_get_verify_result(client.get());
  if (client_done && server_done) {
    out.version = SSL_version(client.get());
    out.cipher = SSL_get_cipher_name(client.get());
  }
  return out;
}

TlsClientOptions ClientFor(const DevCertificate& cert,
                           std::string host = "127.0.0.1") {
  TlsClientOptions o;
  o.trusted_certificates_pem = cert.certificate_pem;
  o.expected_host = std::move(host);
  return o;
}

TEST(GenerateDevCertificate, NamesLocalhostAndTheGivenHosts) {
  DevCertificate c = MakeCert({"node.example", "10.0.0.7", "localhost"});
  EXPECT_EQ(c.hosts, (std::vector<std::string>{"localhost", "127.0.0.1", "::1",
                                               "node.example", "10.0.0.7"}));
  auto cert = Certificate::FromDer(c.certificate_der);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(*cert->NotAfter(), kNow + std::chrono::hours(24 * 30));
  EXPECT_LE(*cert->NotBefore(), kNow);
  auto key = PrivateKeyFromPkcs8Pem(Bytes(c.private_key_pem));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->public_key() == *cert->GetPublicKey());

  // The extensions, as OpenSSL reads them.
  const unsigned char* p = c.certificate_der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(c.certificate_der.size()));
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(X509_check_ca(x), 0);
  EXPECT_EQ(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_host(x, "node.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(x, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(x, "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(x, "10.0.0.7", 0), 1);
  EXPECT_EQ(X509_check_host(x, "other.example", 0, 0, nullptr), 0);
  X509_free(x);
}

TEST(GenerateDevCertificate, RejectsBadHostsAndValidity) {
  DevCertificateOptions o;
  o.now = kNow;
  for (const char* bad : {"", "a b", "-x.example", "x-.example", "a..b",
                          "exa_mple.com", "http://x", "1.2.3.4/8"}) {
    o.hosts = {bad};
    EXPECT_FALSE(GenerateDevCertificate(o).ok()) << bad;
  }
  o.hosts = {"*.node.example"};
  EXPECT_TRUE(GenerateDevCertificate(o).ok());
  o.hosts = {};
  o.validity = std::chrono::hours(24 * 399);
  EXPECT_FALSE(GenerateDevCertificate(o).ok());
}

TEST(TlsContext, NegotiatesTls13WithAnAead) {
  DevCertificate cert = MakeCert();
  auto server = TlsContext::CreateServer(cert.certificate_pem,
                                         Bytes(cert.private_key_pem));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto client = TlsContext::CreateClient(ClientFor(cert));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  SslCtxPtr s = Own(std::move(server).value());
  SslCtxPtr c = Own(std::move(client).value());
  Outcome out = Handshake(s.get(), c.get());
  EXPECT_EQ(out.version, TLS1_3_VERSION);
  EXPECT_EQ(out.verify_result, X509_V_OK);
  EXPECT_TRUE(out.cipher.find("GCM") != std::string::npos ||
              out.cipher.find("CHACHA20") != std::string::npos)
      << out.cipher;
}

TEST(TlsContext, SpeaksTls12WithEcdheAndAnAead) {
  DevCertificate cert = MakeCert();
  TlsClientOptions o = ClientFor(cert, "localhost");
  o.max_version = TlsVersion::kTls1_2;
  SslCtxPtr s = Own(*TlsContext::CreateServer(cert.certificate_pem,
                                              Bytes(cert.private_key_pem)));
  SslCtxPtr c = Own(*TlsContext::CreateClient(o));
  Outcome out = Handshake(s.get(), c.get());
  EXPECT_EQ(out.version, TLS1_2_VERSION);
  EXPECT_EQ(out.cipher.rfind("ECDHE-ECDSA-", 0), 0u) << out.cipher;
}

TEST(TlsContext, ServerRefusesTls11) {
  DevCertificate cert = MakeCert();
  TlsClientOptions o = ClientFor(cert);
  o.max_version = TlsVersion::kTls1_1;
  SslCtxPtr s = Own(*TlsContext::CreateServer(cert.certificate_pem,
                                              Bytes(cert.private_key_pem)));
  SslCtxPtr c = Own(*TlsContext::CreateClient(o));
  EXPECT_EQ(Handshake(s.get(), c.get()).version, 0);

  // The legacy client does speak TLS 1.1 to a server that allows it, so the
  // refusal above is the policy's.
  SslCtxPtr lax(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  SSL_CTX_set_min_proto_version(lax.get(), TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(lax.get(), "DEFAULT:@SECLEVEL=0");
  {
    // SSL_CTX_use_certificate takes its own reference: ours is freed here.
    BIO* b = BIO_new_mem_buf(cert.certificate_pem.data(),
                             static_cast<int>(cert.certificate_pem.size()));
    std::unique_ptr<X509, decltype(&X509_free)> x(
        PEM_read_bio_X509(b, nullptr, nullptr, nullptr), &X509_free);
    BIO_free(b);
    ASSERT_EQ(SSL_CTX_use_certificate(lax.get(), x.get()), 1);
  }
  {
    BIO* b = BIO_new_mem_buf(cert.private_key_pem.Reveal().data(),
                             static_cast<int>(cert.private_key_pem.size()));
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(
        PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr), &EVP_PKEY_free);
    BIO_free(b);
    ASSERT_EQ(SSL_CTX_use_PrivateKey(lax.get(), k.get()), 1);
  }
  EXPECT_EQ(Handshake(lax.get(), c.get()).version, TLS1_1_VERSION);
}

TEST(TlsContext, ClientRejectsTheWrongHostAndAnUntrustedCertificate) {
  DevCertificate cert = MakeCert();
  DevCertificate other = MakeCert();
  SslCtxPtr s = Own(*TlsContext::CreateServer(cert.certificate_pem,
                                              Bytes(cert.private_key_pem)));
  SslCtxPtr wrong_host =
      Own(*TlsContext::CreateClient(ClientFor(cert, "node.example")));
  EXPECT_EQ(Handshake(s.get(), wrong_host.get()).version, 0);
  SslCtxPtr wrong_cert = Own(*TlsContext::CreateClient(ClientFor(other)));
  EXPECT_EQ(Handshake(s.get(), wrong_cert.get()).version, 0);
}

TEST(TlsContext, CreateServerRejectsMismatchedOrBadInput) {
  DevCertificate cert = MakeCert();
  DevCertificate other = MakeCert();
  auto mismatched = TlsContext::CreateServer(cert.certificate_pem,
                                             Bytes(other.private_key_pem));
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.status().message().find("does not match"),
            std::string::npos);

  auto no_cert = TlsContext::CreateServer("hello", Bytes(cert.private_key_pem));
  ASSERT_FALSE(no_cert.ok());
  EXPECT_NE(no_cert.status().message().find("no PEM certificate"),
            std::string::npos);

  const std::string junk =
      "-----BEGIN PRIVATE KEY-----\nAAAA\n"
      "-----END PRIVATE KEY-----\n";
  auto bad_key = TlsContext::CreateServer(
      cert.certificate_pem,
      {reinterpret_cast<const uint8_t*>(junk.data()), junk.size()});
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find("no PEM private key"),
            std::string::npos);

  const std::string encrypted =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";
  auto enc = TlsContext::CreateServer(
      cert.certificate_pem,
      {reinterpret_cast<const uint8_t*>(encrypted.data()), encrypted.size()});
  ASSERT_FALSE(enc.ok());
  EXPECT_NE(enc.status().message().find("encrypted"), std::string::npos);
  // Key material never appears in a message.
  EXPECT_EQ(mismatched.status().message().find("BEGIN"), std::string::npos);
}

TEST(TlsContext, ServesAChainWithTheLeafFirst) {
  DevCertificate cert = MakeCert();
  DevCertificate extra = MakeCert();
  auto server =
      TlsContext::CreateServer(cert.certificate_pem + extra.certificate_pem,
                               Bytes(cert.private_key_pem));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
}

}  // namespace
}  // namespace cerumbra::crypto
