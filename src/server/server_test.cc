// Copyright 2026 The Cerumbra Authors.
//
// Flow-control tests of the node's network front: a real Server on
// 127.0.0.1 port 0, real sockets, the real protocol on both ends, and a
// fake engine (scripted text; the integration test in tests/ runs the real
// llama.cpp engine).

#include "server/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "crypto/ec.h"
#include "protocol/test_util.h"
#include "server/log.h"
#include "server/test_client.h"
#include "tcp_test_util.h"

namespace cerumbra::server {
namespace {

using testing::HttpGet;
using testing::TestClient;

// LockedSigner makes the protocol's TestSigner thread-safe.
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

// FakeEngine answers each generation with `pieces` pieces "w0 ", "w1 ", ...
// and prompt_tokens = number of messages, one piece every `delay`, on a
// thread of its own. Flow control only.
class FakeEngine : public inference::Engine {
 public:
  struct Gen : inference::Generation {
    std::atomic<bool> cancelled{false};
    void Cancel() override { cancelled = true; }
  };

  Result<std::unique_ptr<inference::Generation>> Start(
      inference::GenerationRequest request) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return UnavailableError("shut down");
    if (refuse) return ResourceExhaustedError("full");
    auto flag = std::make_shared<std::atomic<bool>>(false);
    int n = request.params.max_tokens > 0
                ? std::min(pieces, request.params.max_tokens)
                : pieces;
    last_messages = request.messages.size();
    last_content = request.messages.back().content;
    threads_.emplace_back([this, request = std::move(request), flag, n] {
      inference::Completion done;
      done.usage.prompt_tokens = static_cast<int>(request.messages.size());
      int i = 0;
      for (; i < n; ++i) {
        if (*flag) break;
        std::this_thread::sleep_for(delay);
        request.on_text("w" + std::to_string(i) + " ");
      }
      done.usage.completion_tokens = i;
      done.finish_reason = *flag ? inference::FinishReason::kCancelled
                                 : inference::FinishReason::kLength;
      request.on_done(done);
    });
    struct Handle : inference::Generation {
      std::shared_ptr<std::atomic<bool>> flag;
      void Cancel() override { *flag = true; }
      ~Handle() override { *flag = true; }
    };
    auto h = std::make_unique<Handle>();
    h->flag = flag;
    return std::unique_ptr<inference::Generation>(std::move(h));
  }
  inference::EngineInfo Info() const override { return {}; }
  void Shutdown() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      shut_down_ = true;
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }
  ~FakeEngine() override { Shutdown(); }

  int pieces = 5;
  std::chrono::milliseconds delay{1};
  bool refuse = false;
  size_t last_messages = 0;
  std::string last_content;

 private:
  std::mutex mu_;
  bool shut_down_ = false;
  std::vector<std::thread> threads_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_ += std::string(line) + "\n";
    });
    key_.emplace(*crypto::PrivateKey::Generate(crypto::EcCurve::kP256));
    signer_ = std::make_unique<LockedSigner>(*key_);
    verifier_.emplace(key_->public_key());
  }

  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    options.static_files["/index.html"] = {"text/html; charset=utf-8",
                                           "<!doctype html><p>page</p>"};
    options.healthz = [] { return std::string(R"({"ready":true})"); };
    auto server = Server::Create(std::move(options), *signer_, engine_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_TRUE(server_->Start().ok());
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      thread_.join();
      engine_.Shutdown();
      server_.reset();
    }
    SetLogSink(nullptr);
  }

  std::unique_ptr<TestClient> Connected() {
    auto c = TestClient::Connect(server_->port());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return nullptr;
    Status s = c.value()->Handshake(*verifier_, NowMs());
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::move(c).value();
  }

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  std::string Log() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }

  std::optional<crypto::PrivateKey> key_;
  std::unique_ptr<LockedSigner> signer_;
  std::optional<protocol::testing::TestVerifier> verifier_;
  FakeEngine engine_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::mutex log_mu_;
  std::string log_;
};

TEST_F(ServerTest, MultiTurnConversation) {
  StartServer();
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"SECRET-ONE"})").ok());
  auto r1 = c->ReadResponse();
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1.value().text, "w0 w1 w2 w3 w4 ");
  EXPECT_EQ(r1.value().pieces.size(), 5u);
  EXPECT_EQ(
      r1.value().end_json,
      R"({"finish_reason":"length","usage":{"prompt_tokens":1,"completion_tokens":5}})");
  // The second turn sees the history: user, assistant, user.
  ASSERT_TRUE(
      c->SendRequest(
           R"({"type":"chat","content":"SECRET-TWO","params":{"max_tokens":2}})")
          .ok());
  auto r2 = c->ReadResponse();
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.value().text, "w0 w1 ");
  EXPECT_NE(r2.value().end_json.find(R"("prompt_tokens":3)"),
            std::string::npos);
  EXPECT_EQ(engine_.last_content, "SECRET-TWO");
  // Reset forgets the history.
  ASSERT_TRUE(c->SendRequest(R"({"type":"reset"})").ok());
  auto r3 = c->ReadResponse();
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3.value().end_json, R"({"finish_reason":"stop"})");
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"again"})").ok());
  auto r4 = c->ReadResponse();
  ASSERT_TRUE(r4.ok());
  EXPECT_NE(r4.value().end_json.find(R"("prompt_tokens":1)"),
            std::string::npos);
  EXPECT_TRUE(c->Close().ok());
  // Nothing secret in the logs.
  std::string log = Log();
  EXPECT_EQ(log.find("SECRET"), std::string::npos);
  EXPECT_NE(log.find("session_established"), std::string::npos);
}

TEST_F(ServerTest, CoalescingSendsFewerLargerRecordsWithTheSameText) {
  engine_.pieces = 40;
  engine_.delay = std::chrono::milliseconds(2);
  ServerOptions o;
  o.coalesce_ms = 30;
  StartServer(o);
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"x"})").ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string expected;
  for (int i = 0; i < 40; ++i) expected += "w" + std::to_string(i) + " ";
  EXPECT_EQ(r.value().text, expected);
  // 40 pieces over about 80 ms in 30 ms ticks: far fewer records.
  EXPECT_LT(r.value().pieces.size(), 20u);
  EXPECT_GE(r.value().pieces.size(), 1u);
}

TEST_F(ServerTest, BadRequestIsAnsweredAndTheSessionGoesOn) {
  StartServer();
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat"})").ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().end_json,
            R"({"finish_reason":"error","error":"bad_request"})");
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"ok"})").ok());
  EXPECT_TRUE(c->ReadResponse().ok());
}

TEST_F(ServerTest, BusyEngineGivesBusyError) {
  StartServer();
  engine_.refuse = true;
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"x"})").ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().end_json, R"({"finish_reason":"error","error":"busy"})");
}

TEST_F(ServerTest, CancelEndsTheResponseWithCancelled) {
  engine_.pieces = 100000;
  engine_.delay = std::chrono::milliseconds(2);
  StartServer();
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"long"})").ok());
  // Read a few records, then cancel.
  auto first = c->Read();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(c->session().Receive(first.value().bytes).ok());
  auto cancel = c->session().SendCancel();
  ASSERT_TRUE(cancel.ok());
  for (auto& f : cancel.value()) ASSERT_TRUE(c->WriteBinary(f).ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r.value().end_json.find(R"("finish_reason":"cancelled")"),
            std::string::npos);
}

TEST_F(ServerTest, TwoSessionsAtOnce) {
  engine_.delay = std::chrono::milliseconds(5);
  StartServer();
  auto a = Connected();
  auto b = Connected();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->SendRequest(R"({"type":"chat","content":"a"})").ok());
  ASSERT_TRUE(b->SendRequest(R"({"type":"chat","content":"b"})").ok());
  auto ra = a->ReadResponse();
  auto rb = b->ReadResponse();
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra.value().text, rb.value().text);
  EXPECT_EQ(server_->metrics().handshakes_succeeded(), 2u);
}

// Each record leaves as soon as it is sealed: with Nagle's algorithm on, a
// token's record waited for the previous one's acknowledgement (40 ms of
// added time to first token in `cerumbra bench e2e`).
TEST_F(ServerTest, AcceptedSocketsHaveNagleOff) {
  StartServer();
  auto a = Connected();
  ASSERT_TRUE(a);
  const std::vector<bool> nodelay =
      cerumbra::testing::NoDelayOfConnectedSockets(server_->port(),
                                                   /*by_peer=*/false);
  ASSERT_EQ(nodelay.size(), 1u);
  EXPECT_TRUE(nodelay[0]);
}

TEST_F(ServerTest, ReplayedRecordEndsOnlyThatSession) {
  StartServer();
  auto victim = Connected();
  auto other = Connected();
  ASSERT_TRUE(victim && other);
  ASSERT_TRUE(victim->SendRequest(R"({"type":"chat","content":"x"})").ok());
  ASSERT_TRUE(victim->ReadResponse().ok());
  // Send the first record again.
  ASSERT_TRUE(victim->WriteBinary(victim->sent().front()).ok());
  EXPECT_TRUE(victim->ExpectOpaqueFailure());
  ASSERT_TRUE(other->SendRequest(R"({"type":"chat","content":"y"})").ok());
  EXPECT_TRUE(other->ReadResponse().ok());
}

TEST_F(ServerTest, TamperedRecordEndsOnlyThatSession) {
  StartServer();
  auto victim = Connected();
  auto other = Connected();
  ASSERT_TRUE(victim && other);
  auto frames = victim->session().SendMessage(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("{}"), 2));
  ASSERT_TRUE(frames.ok());
  auto tampered = frames.value().front();
  tampered.back() ^= 1;  // the tag
  ASSERT_TRUE(victim->WriteBinary(tampered).ok());
  EXPECT_TRUE(victim->ExpectOpaqueFailure());
  ASSERT_TRUE(other->SendRequest(R"({"type":"chat","content":"y"})").ok());
  EXPECT_TRUE(other->ReadResponse().ok());
}

TEST_F(ServerTest, RelayedAttestationFailsAtTheClient) {
  StartServer();
  // A response made for another client's nonce and key fails the binding
  // check (docs/protocol.md §4.3 step 3); the node keeps serving.
  auto first = Connected();
  ASSERT_TRUE(first);
  auto second = TestClient::Connect(server_->port());
  ASSERT_TRUE(second.ok());
  auto hs = protocol::ClientHandshake::Create();
  ASSERT_TRUE(hs.ok());
  ASSERT_TRUE(hs.value().Start().ok());
  auto session = hs.value().HandleResponse(first->last_response_text(),
                                           *verifier_, NowMs());
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(first->SendRequest(R"({"type":"chat","content":"y"})").ok());
  EXPECT_TRUE(first->ReadResponse().ok());
}

TEST_F(ServerTest, OversizedFrameEndsOnlyThatSession) {
  StartServer();
  auto victim = Connected();
  auto other = Connected();
  ASSERT_TRUE(victim && other);
  std::vector<uint8_t> big(16411, 0x17);
  ASSERT_TRUE(victim->WriteBinary(big).ok());
  // The node refuses the frame: the connection ends (WebSocket close 1009
  // or the opaque error); the session is over either way.
  for (;;) {
    if (!victim->Read().ok()) break;
  }
  ASSERT_TRUE(other->SendRequest(R"({"type":"chat","content":"y"})").ok());
  EXPECT_TRUE(other->ReadResponse().ok());
}

TEST_F(ServerTest, BinaryBeforeHandshakeAndGarbageHandshakeFail) {
  StartServer();
  {
    auto c = TestClient::Connect(server_->port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.value()->WriteBinary(std::vector<uint8_t>{1, 2, 3}).ok());
    EXPECT_TRUE(c.value()->ExpectOpaqueFailure());
  }
  {
    auto c = TestClient::Connect(server_->port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.value()->WriteText("{not json").ok());
    EXPECT_TRUE(c.value()->ExpectOpaqueFailure());
  }
  EXPECT_EQ(server_->metrics().handshakes_failed(HandshakeFailure::kBadRequest),
            2u);
}

TEST_F(ServerTest, RequestWhileBusyFailsTheSession) {
  engine_.pieces = 100000;
  StartServer();
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"a"})").ok());
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"b"})").ok());
  // Records of the first response may arrive first; then the error.
  bool saw_error = false;
  for (;;) {
    auto m = c->Read();
    if (!m.ok()) break;
    if (m.value().text) saw_error = true;
  }
  EXPECT_TRUE(saw_error);
}

// Regression: the node used WebSocket keep-alive pings with a 30 s idle
// timeout, so a client that does not read between turns (the C++ client
// reads only while waiting for an answer) lost its session after 30 s.
TEST_F(ServerTest, AClientQuietBetweenTurnsKeepsItsSession) {
  StartServer();
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"one"})").ok());
  ASSERT_TRUE(c->ReadResponse().ok());
  std::this_thread::sleep_for(std::chrono::seconds(35));
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"two"})").ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value().text, "w0 w1 w2 w3 w4 ");
  EXPECT_TRUE(c->Close().ok());
}

TEST_F(ServerTest, HandshakeTimeout) {
  ServerOptions o;
  o.limits.handshake_timeout = std::chrono::milliseconds(200);
  StartServer(o);
  auto c = TestClient::Connect(server_->port());
  ASSERT_TRUE(c.ok());
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(c.value()->Read().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  for (int i = 0; i < 100 && server_->metrics().handshakes_failed(
                                 HandshakeFailure::kTimeout) == 0;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->metrics().handshakes_failed(HandshakeFailure::kTimeout),
            1u);
}

TEST_F(ServerTest, ClientThatNeverReadsIsCutOff) {
  engine_.pieces = 1000000;
  engine_.delay = std::chrono::milliseconds(0);
  ServerOptions o;
  o.limits.write_queue_bytes = 64 * 1024;
  o.limits.max_tokens = 1000000;
  StartServer(o);
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(
      c->SendRequest(
           R"({"type":"chat","content":"x","params":{"max_tokens":1000000}})")
          .ok());
  // Do not read. The node must give up on us, not buffer without bound.
  bool cut = false;
  for (int i = 0; i < 500 && !cut; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cut = Log().find("write_queue_full") != std::string::npos;
  }
  EXPECT_TRUE(cut);
}

TEST_F(ServerTest, ShutdownEndsResponsesWithEndThenClose) {
  engine_.pieces = 100000;
  engine_.delay = std::chrono::milliseconds(2);
  StartServer();
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":"x"})").ok());
  auto first = c->Read();  // streaming has begun
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(c->session().Receive(first.value().bytes).ok());
  server_->Shutdown();
  // The rest of the response ends with END "cancelled", then CLOSE.
  std::string end;
  bool closed = false;
  for (;;) {
    auto m = c->Read();
    if (!m.ok()) break;
    if (m.value().text) break;
    auto events = c->session().Receive(m.value().bytes);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    for (auto& e : events.value()) {
      if (e.type == protocol::EventType::kEnd) {
        end.assign(e.bytes.begin(), e.bytes.end());
      }
      if (e.type == protocol::EventType::kClose) closed = true;
      if (e.type == protocol::EventType::kSend) {
        (void)c->WriteBinary(e.bytes);
      }
    }
  }
  EXPECT_NE(end.find("cancelled"), std::string::npos) << end;
  EXPECT_TRUE(closed);
  thread_.join();
  engine_.Shutdown();
  server_.reset();
}

TEST_F(ServerTest, HttpEndpoints) {
  StartServer();
  auto page = HttpGet(server_->port(), "/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page.value().result_int(), 200);
  EXPECT_EQ(page.value().body(), "<!doctype html><p>page</p>");
  const std::string csp(page.value()["Content-Security-Policy"]);
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  // WebSocket connections to this origin only: no ws:/wss: wildcards.
  EXPECT_NE(csp.find("connect-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("ws:"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("wss:"), std::string::npos) << csp;
  auto health = HttpGet(server_->port(), "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health.value().body(), R"({"ready":true})");
  auto metrics = HttpGet(server_->port(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics.value().body().find("cerumbra_sessions_active"),
            std::string::npos);
  auto head = HttpGet(server_->port(), "/", testing::http::verb::head);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head.value().result_int(), 200);
  EXPECT_TRUE(head.value().body().empty());
  EXPECT_EQ(head.value()[testing::http::field::content_length], "26");
  auto missing = HttpGet(server_->port(), "/nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing.value().result_int(), 404);
  auto post = HttpGet(server_->port(), "/", testing::http::verb::post);
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post.value().result_int(), 405);
  auto traversal = HttpGet(server_->port(), "/../../etc/passwd");
  ASSERT_TRUE(traversal.ok());
  EXPECT_EQ(traversal.value().result_int(), 404);
}

TEST_F(ServerTest, RefusesSessionsBeyondTheLimit) {
  ServerOptions o;
  o.limits.max_sessions = 1;
  StartServer(o);
  auto a = Connected();
  ASSERT_TRUE(a);
  auto b = TestClient::Connect(server_->port());
  EXPECT_FALSE(b.ok());  // HTTP 503 instead of the upgrade
}

TEST(ServerCreateTest, RejectsBadLimits) {
  const crypto::PrivateKey key =
      *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
  LockedSigner signer(key);
  FakeEngine engine;
  ServerOptions o;
  o.limits.max_frame = 100;
  EXPECT_FALSE(Server::Create(o, signer, engine).ok());
  o = {};
  o.limits.default_max_tokens = 10;
  o.limits.max_tokens = 5;
  EXPECT_FALSE(Server::Create(o, signer, engine).ok());
  o = {};
  o.limits.max_sessions = 0;
  EXPECT_FALSE(Server::Create(o, signer, engine).ok());
}

}  // namespace
}  // namespace cerumbra::server
