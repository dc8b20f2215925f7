// Copyright 2026 The Cerumbra Authors.
//
// HTTPS and WSS on the node's one port: a real Server on 127.0.0.1 port 0
// with a freshly generated development certificate, real sockets, clients
// that verify the node's certificate against that one, and a fake engine.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "crypto/ec.h"
#include "crypto/tls.h"
#include "protocol/test_util.h"
#include "server/log.h"
#include "server/server.h"
#include "server/test_client.h"
#include "server/tls_files.h"

namespace cerumbra::server {
namespace {

using testing::HttpGet;
using testing::HttpsGet;
using testing::TlsTestClient;

class LockedSigner : public protocol::QuoteSigner {
 public:
  explicit LockedSigner(const crypto::PrivateKey& key) : signer_(key) {}
  Result<protocol::SignedQuote> Sign(
      const protocol::QuoteInput& input) override {
    std::lock_guard<std::mutex> lock(mu_);
    return signer_.Sign(input);
  }

 private:
  std::mutex mu_;
  protocol::testing::TestSigner signer_;
};

// EchoEngine answers "you said: <content>" in two pieces on its own thread.
class EchoEngine : public inference::Engine {
 public:
  Result<std::unique_ptr<inference::Generation>> Start(
      inference::GenerationRequest request) override {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([request = std::move(request)] {
      request.on_text("you said: ");
      request.on_text(request.messages.back().content);
      inference::Completion done;
      done.finish_reason = inference::FinishReason::kStop;
      done.usage.prompt_tokens = 1;
      done.usage.completion_tokens = 2;
      request.on_done(done);
    });
    struct Handle : inference::Generation {
      void Cancel() override {}
    };
    return std::unique_ptr<inference::Generation>(std::make_unique<Handle>());
  }
  inference::EngineInfo Info() const override { return {}; }
  void Shutdown() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }
  ~EchoEngine() override { Shutdown(); }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

void WriteFile(const std::filesystem::path& path, std::string_view text,
               mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

class ServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_ += std::string(line) + "\n";
    });
    key_.emplace(*crypto::PrivateKey::Generate(crypto::EcCurve::kP256));
    signer_ = std::make_unique<LockedSigner>(*key_);
    verifier_.emplace(key_->public_key());
    char tmpl[] = "/tmp/cerumbra_tls_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    crypto::DevCertificateOptions o;
    o.now = std::chrono::time_point_cast<std::chrono::seconds>(
        std::chrono::system_clock::now());
    auto cert = crypto::GenerateDevCertificate(o);
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    cert_pem_ = cert->certificate_pem;
    cert_path_ = (dir_ / "cert.pem").string();
    key_path_ = (dir_ / "key.pem").string();
    WriteFile(cert_path_, cert_pem_, 0644);
    auto key = cert->private_key_pem.Reveal();
    WriteFile(
        key_path_,
        std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
        0600);
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      thread_.join();
      engine_.Shutdown();
      server_.reset();
    }
    SetLogSink(nullptr);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  ServerOptions Options() {
    ServerOptions options;
    options.port = 0;
    options.static_files["/index.html"] = {"text/html; charset=utf-8",
                                           "<!doctype html><p>page</p>"};
    options.healthz = [] { return std::string(R"({"ready":true})"); };
    options.tls = TlsFiles{cert_path_, key_path_};
    return options;
  }

  void StartServer() {
    auto server = Server::Create(Options(), *signer_, engine_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_TRUE(server_->Start().ok());
    thread_ = std::thread([this] { server_->Run(); });
  }

  crypto::TlsContext Client(
      crypto::TlsVersion max = crypto::TlsVersion::kTls1_3,
      std::string host = "127.0.0.1") {
    crypto::TlsClientOptions o;
    o.trusted_certificates_pem = cert_pem_;
    o.expected_host = std::move(host);
    o.max_version = max;
    auto ctx = crypto::TlsContext::CreateClient(o);
    EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
    return std::move(ctx).value();
  }

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // ExpectHealthy: /healthz answers over HTTPS.
  void ExpectHealthy() {
    auto res = HttpsGet(server_->port(), Client(), "/healthz");
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->result_int(), 200);
    EXPECT_EQ(res->body(), R"({"ready":true})");
  }

  std::string Log() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }

  std::filesystem::path dir_;
  std::string cert_pem_;
  std::string cert_path_;
  std::string key_path_;
  std::optional<crypto::PrivateKey> key_;
  std::unique_ptr<LockedSigner> signer_;
  std::optional<protocol::testing::TestVerifier> verifier_;
  EchoEngine engine_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::mutex log_mu_;
  std::string log_;
};

TEST_F(ServerTlsTest, ServesHealthzOverHttps) {
  StartServer();
  ExpectHealthy();
  auto page = HttpsGet(server_->port(), Client(), "/");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->body(), "<!doctype html><p>page</p>");
  EXPECT_NE(page->base()["Content-Security-Policy"].find("connect-src 'self';"),
            std::string::npos);
  // The certificate names localhost too.
  auto by_name =
      HttpsGet(server_->port(),
               Client(crypto::TlsVersion::kTls1_3, "localhost"), "/healthz");
  EXPECT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_NE(Log().find(R"("scheme":"https")"), std::string::npos);
}

TEST_F(ServerTlsTest, RunsAFullSessionOverWss) {
  StartServer();
  auto c = TlsTestClient::ConnectTls(server_->port(), Client());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c.value()->Handshake(*verifier_, NowMs()).ok());
  ASSERT_TRUE(
      c.value()->SendRequest(R"({"type":"chat","content":"SECRET-TLS"})").ok());
  auto r = c.value()->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "you said: SECRET-TLS");
  EXPECT_NE(r->end_json.find(R"("finish_reason":"stop")"), std::string::npos);
  // A second turn on the same connection.
  ASSERT_TRUE(
      c.value()->SendRequest(R"({"type":"chat","content":"again"})").ok());
  auto r2 = c.value()->ReadResponse();
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->text, "you said: again");
  EXPECT_TRUE(c.value()->Close().ok());
  EXPECT_EQ(Log().find("SECRET"), std::string::npos);
}

TEST_F(ServerTlsTest, Tls12ClientIsServed) {
  StartServer();
  auto res = HttpsGet(server_->port(), Client(crypto::TlsVersion::kTls1_2),
                      "/healthz");
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->result_int(), 200);
}

TEST_F(ServerTlsTest, PlainHttpToTheTlsPortFailsAndTheNodeKeepsServing) {
  StartServer();
  auto res = HttpGet(server_->port(), "/healthz");
  EXPECT_FALSE(res.ok());
  auto ws = testing::TestClient::Connect(server_->port());
  EXPECT_FALSE(ws.ok());
  ExpectHealthy();
}

TEST_F(ServerTlsTest, ClientOfferingOnlyTls11IsRefused) {
  StartServer();
  auto res = HttpsGet(server_->port(), Client(crypto::TlsVersion::kTls1_1),
                      "/healthz");
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.status().message().find("tls handshake"), std::string::npos);
  auto ws = TlsTestClient::ConnectTls(server_->port(),
                                      Client(crypto::TlsVersion::kTls1_1));
  EXPECT_FALSE(ws.ok());
  ExpectHealthy();
}

TEST_F(ServerTlsTest, ClientRejectsANodeWithAnotherCertificate) {
  StartServer();
  crypto::DevCertificateOptions o;
  o.now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  auto other = crypto::GenerateDevCertificate(o);
  ASSERT_TRUE(other.ok());
  crypto::TlsClientOptions co;
  co.trusted_certificates_pem = other->certificate_pem;
  co.expected_host = "127.0.0.1";
  auto res =
      HttpsGet(server_->port(), *crypto::TlsContext::CreateClient(co), "/");
  EXPECT_FALSE(res.ok());
  ExpectHealthy();
}

TEST_F(ServerTlsTest, MismatchedCertificateAndKeyIsAStartupError) {
  crypto::DevCertificateOptions o;
  o.now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  auto other = crypto::GenerateDevCertificate(o);
  ASSERT_TRUE(other.ok());
  const std::string other_cert = (dir_ / "other.pem").string();
  WriteFile(other_cert, other->certificate_pem, 0644);
  ServerOptions options = Options();
  options.tls->certificate_path = other_cert;
  auto server = Server::Create(std::move(options), *signer_, engine_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(server.status().message().find("does not match"), std::string::npos)
      << server.status().message();
  EXPECT_NE(server.status().message().find(other_cert), std::string::npos);
}

TEST_F(ServerTlsTest, BadPathsAreClearErrors) {
  {
    ServerOptions options = Options();
    options.tls->certificate_path = (dir_ / "missing.pem").string();
    auto server = Server::Create(std::move(options), *signer_, engine_);
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), StatusCode::kNotFound);
    EXPECT_NE(server.status().message().find("missing.pem: not found"),
              std::string::npos)
        << server.status().message();
  }
  {
    ServerOptions options = Options();
    options.tls->private_key_path = (dir_ / "nokey.pem").string();
    auto server = Server::Create(std::move(options), *signer_, engine_);
    ASSERT_FALSE(server.ok());
    EXPECT_NE(server.status().message().find("TLS key"), std::string::npos);
  }
  {
    ServerOptions options = Options();
    options.tls->private_key_path = dir_.string();  // a directory
    auto server = Server::Create(std::move(options), *signer_, engine_);
    ASSERT_FALSE(server.ok());
    EXPECT_NE(server.status().message().find("not a regular file"),
              std::string::npos)
        << server.status().message();
  }
  {
    // The certificate where the key should be, and vice versa.
    ServerOptions options = Options();
    std::swap(options.tls->certificate_path, options.tls->private_key_path);
    ASSERT_EQ(::chmod(cert_path_.c_str(), 0600), 0);
    auto server = Server::Create(std::move(options), *signer_, engine_);
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(ServerTlsTest, KeyReadableByOthersIsRefused) {
  for (mode_t mode : {0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(key_path_.c_str(), mode), 0);
    auto server = Server::Create(Options(), *signer_, engine_);
    ASSERT_FALSE(server.ok()) << mode;
    EXPECT_EQ(server.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(server.status().message().find("chmod 600"), std::string::npos)
        << server.status().message();
  }
  ASSERT_EQ(::chmod(key_path_.c_str(), 0400), 0);
  EXPECT_TRUE(LoadTlsFiles(cert_path_, key_path_).ok());
}

}  // namespace
}  // namespace cerumbra::server
