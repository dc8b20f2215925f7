// Copyright 2026 The Cerumbra Authors.
//
// The C++ client library (include/cerumbra/client.h) against the real node:
// the `cerumbra serve` binary on the demo model with the real llama.cpp
// engine and simulated attestation, over real sockets (ws:// and, with a
// development certificate, wss://). Refusals are checked on the node's
// side too: its /metrics must show that no request arrived.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "attest/policy.h"
#include "cerumbra/client.h"
#include "client/proxy.h"
#include "crypto/tls.h"
#include "node_process.h"
#include "server/test_client.h"
#include "tcp_test_util.h"

namespace cerumbra {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using client::Connection;
using client::ConnectOptions;
using client::TrustMode;
using testing::NodeProcess;

Result<attest::Policy> PolicyFromDocument(const std::string& body) {
  boost::json::value v = boost::json::parse(body);
  return attest::ParsePolicyJson(
      boost::json::serialize(v.as_object().at("policy")));
}

// Metric returns the value of an unlabelled metric in the node's /metrics.
int64_t Metric(uint16_t port, const std::string& name) {
  auto res = server::testing::HttpGet(port, "/metrics");
  if (!res.ok()) return -1;
  std::smatch m;
  const std::string body = res.value().body();
  if (!std::regex_search(body, m, std::regex("\n" + name + " (\\d+)"))) {
    return -1;
  }
  return std::stoll(m[1]);
}

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new NodeProcess("client_plain");
    ASSERT_TRUE(node_->Start(CERUMBRA_BIN)) << node_->Output();
    auto doc = server::testing::HttpGet(
        node_->port(), "/.well-known/cerumbra-attestation.json");
    ASSERT_TRUE(doc.ok());
    auto policy = PolicyFromDocument(doc.value().body());
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    policy_ = new attest::Policy(policy.value());
  }
  static void TearDownTestSuite() {
    delete node_;
    delete policy_;
  }

  static std::string Url() {
    return "ws://127.0.0.1:" + std::to_string(node_->port()) + "/ws";
  }
  static ConnectOptions Options() {
    ConnectOptions o;
    o.policy = *policy_;
    return o;
  }

  static inline NodeProcess* node_ = nullptr;
  static inline attest::Policy* policy_ = nullptr;
};

TEST_F(ClientTest, MultiTurnConversationStreamsAndKeepsHistory) {
  client::VerificationReport seen;
  ConnectOptions options = Options();
  options.on_report = [&](const client::VerificationReport& r) { seen = r; };
  auto conn = Connection::Connect(Url(), options);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Connection& c = *conn.value();
  EXPECT_TRUE(seen.ok());
  EXPECT_EQ(seen.evidence_type, "simulated");
  EXPECT_TRUE(seen.simulated);
  EXPECT_TRUE(seen.root_pinned);
  EXPECT_FALSE(seen.strict);
  ASSERT_FALSE(seen.measurements.empty());
  for (const auto& m : seen.measurements) EXPECT_TRUE(m.pinned) << m.name;
  EXPECT_EQ(c.report().root_sha256_hex, seen.root_sha256_hex);
  EXPECT_EQ(c.fingerprint().size(), 16u);
  const std::string text = client::FormatReport(c.report());
  EXPECT_NE(text.find("SIMULATED"), std::string::npos);
  EXPECT_NE(text.find("[pinned]"), std::string::npos);

  client::ChatParams p;
  p.max_tokens = 12;
  p.temperature = 0;
  std::vector<std::string> pieces;
  auto a1 = c.Chat("tell me about the sea", p,
                   [&](std::string_view s) { pieces.emplace_back(s); });
  ASSERT_TRUE(a1.ok()) << a1.status().ToString();
  EXPECT_EQ(a1.value().finish_reason, "length");
  EXPECT_EQ(a1.value().completion_tokens, 12);
  EXPECT_GT(pieces.size(), 1u);  // streamed, not in one piece
  std::string joined;
  for (const auto& s : pieces) joined += s;
  EXPECT_EQ(joined, a1.value().text);

  p.max_tokens = 5;
  auto a2 = c.Chat("and then?", p);
  ASSERT_TRUE(a2.ok()) << a2.status().ToString();
  // The second prompt holds the first turn and its answer.
  EXPECT_GT(a2.value().prompt_tokens, a1.value().prompt_tokens + 5);

  ASSERT_TRUE(c.Reset().ok());
  auto a3 = c.Chat("and then?", p);
  ASSERT_TRUE(a3.ok()) << a3.status().ToString();
  EXPECT_LT(a3.value().prompt_tokens, a2.value().prompt_tokens);

  EXPECT_TRUE(c.Close().ok());
  EXPECT_EQ(c.Chat("after close", p).status().code(),
            StatusCode::kFailedPrecondition);
}

// Requests and cancels leave at once (Nagle off on the client's socket).
TEST_F(ClientTest, ConnectionHasNagleOff) {
  auto c = Connection::Connect(Url(), Options());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::vector<bool> nodelay =
      testing::NoDelayOfConnectedSockets(node_->port(), /*by_peer=*/true);
  ASSERT_FALSE(nodelay.empty());
  for (bool on : nodelay) EXPECT_TRUE(on);
}

TEST_F(ClientTest, MessagesFormReplacesTheHistory) {
  auto conn = Connection::Connect(Url(), Options());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Connection& c = *conn.value();
  client::ChatParams p;
  p.max_tokens = 3;
  p.temperature = 0;
  std::vector<client::Message> m = {{"system", "You are brief."},
                                    {"user", "hello"}};
  auto a1 = c.ChatMessages(m, p);
  ASSERT_TRUE(a1.ok()) << a1.status().ToString();
  // The same conversation again: the history is replaced, not appended,
  // so the prompt is as long as before.
  auto a2 = c.ChatMessages(m, p);
  ASSERT_TRUE(a2.ok()) << a2.status().ToString();
  EXPECT_EQ(a2.value().prompt_tokens, a1.value().prompt_tokens);
  EXPECT_EQ(a2.value().text, a1.value().text);  // greedy
  // A longer conversation makes a longer prompt.
  m.push_back({"assistant", a1.value().text});
  m.push_back({"user", "more please"});
  auto a3 = c.ChatMessages(m, p);
  ASSERT_TRUE(a3.ok()) << a3.status().ToString();
  EXPECT_GT(a3.value().prompt_tokens, a1.value().prompt_tokens);
  // A bad conversation is refused locally, the session goes on.
  std::vector<client::Message> bad = {{"assistant", "x"}};
  EXPECT_EQ(c.ChatMessages(bad, p).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(c.Chat("still here", p).ok());
  EXPECT_TRUE(c.Close().ok());
}

TEST_F(ClientTest, CancelStopsTheAnswerAndTheSessionGoesOn) {
  auto conn = Connection::Connect(Url(), Options());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Connection& c = *conn.value();
  client::ChatParams p;
  p.max_tokens = 64;
  int pieces = 0;
  auto a = c.Chat("a long story please", p, [&](std::string_view) {
    if (++pieces == 2) c.Cancel();  // from the callback
  });
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a.value().finish_reason, "cancelled");
  EXPECT_LT(a.value().completion_tokens, 64);

  // From another thread while Chat blocks.
  std::atomic<bool> first{false};
  std::thread canceller([&] {
    while (!first.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    c.Cancel();
  });
  auto b = c.Chat("another long story", p,
                  [&](std::string_view) { first.store(true); });
  canceller.join();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b.value().finish_reason, "cancelled");

  c.Cancel();  // nothing running: no effect
  p.max_tokens = 3;
  auto after = c.Chat("ok", p);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after.value().finish_reason, "length");
  EXPECT_TRUE(c.Close().ok());
}

TEST_F(ClientTest, PinMismatchIsRefusedBeforeAnyPromptIsSent) {
  const int64_t requests = Metric(node_->port(), "cerumbra_requests_total");
  ASSERT_GE(requests, 0);
  ConnectOptions o = Options();
  bool found = false;
  for (auto& rule : o.policy.measurements) {
    if (rule.name == "model") {
      rule.allowed = {std::vector<uint8_t>(48, 0xab)};
      found = true;
    }
  }
  ASSERT_TRUE(found);
  client::VerificationReport seen;
  o.on_report = [&](const client::VerificationReport& r) { seen = r; };
  auto conn = Connection::Connect(Url(), o);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(conn.status().message().find("policy.measurement.model"),
            std::string::npos)
      << conn.status().ToString();
  EXPECT_FALSE(seen.ok());
  EXPECT_NE(client::FormatReport(seen).find("FAILED policy.measurement.model"),
            std::string::npos);

  // A root that is not pinned.
  ConnectOptions other = Options();
  other.policy.quote_roots = {std::vector<uint8_t>{0x30, 0x00}};
  auto conn2 = Connection::Connect(Url(), other);
  ASSERT_FALSE(conn2.ok());
  EXPECT_NE(conn2.status().message().find("chain"), std::string::npos)
      << conn2.status().ToString();
  EXPECT_EQ(Metric(node_->port(), "cerumbra_requests_total"), requests);
}

TEST_F(ClientTest, StrictModeRefusesSimulatedEvidence) {
  const int64_t requests = Metric(node_->port(), "cerumbra_requests_total");
  ConnectOptions o = Options();
  o.policy.accept_simulated = false;
  auto conn = Connection::Connect(Url(), o);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(conn.status().message().find("policy.evidence_type"),
            std::string::npos)
      << conn.status().ToString();
  EXPECT_EQ(Metric(node_->port(), "cerumbra_requests_total"), requests);
}

TEST_F(ClientTest, UnpinnedModeAcceptsButSaysSo) {
  ConnectOptions o;
  o.trust = TrustMode::kUnpinned;
  auto conn = Connection::Connect(Url(), o);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const client::VerificationReport& r = conn.value()->report();
  EXPECT_FALSE(r.root_pinned);
  for (const auto& m : r.measurements) EXPECT_FALSE(m.pinned);
  EXPECT_NE(client::FormatReport(r).find("NOT PINNED"), std::string::npos);
  // With no trust mode and an empty policy, the same node is refused.
  auto refused = Connection::Connect(Url(), ConnectOptions{});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ClientTest, BadUrlsAndUnreachableNodesAreErrors) {
  for (const char* bad :
       {"http://127.0.0.1:1/ws", "ws://", "ws://:80/", "ws://127.0.0.1:99999/",
        "ws://[::1/", "ws://u@127.0.0.1/"}) {
    EXPECT_EQ(Connection::Connect(bad, Options()).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(
      Connection::Connect("wss://127.0.0.1:1/ws", Options()).status().code(),
      StatusCode::kInvalidArgument);  // no TLS trust given
  // A port nobody listens on.
  net::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = a.local_endpoint().port();
  a.close();
  EXPECT_EQ(
      Connection::Connect("ws://127.0.0.1:" + std::to_string(port), Options())
          .status()
          .code(),
      StatusCode::kUnavailable);
}

// CuttingRelay forwards one TCP connection between the client and the
// node and cuts it (closes both sides) after the node has sent `keep`
// binary WebSocket messages after the handshake, once it has seen the
// start of the next one: a connection that drops in the middle of an
// answer.
class CuttingRelay {
 public:
  CuttingRelay(uint16_t node_port, int keep)
      : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
        node_port_(node_port),
        keep_(keep) {
    thread_ = std::thread([this] { Run(); });
  }
  ~CuttingRelay() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  bool cut() const { return cut_.load(); }

 private:
  void Run() {
    boost::system::error_code ec;
    tcp::socket client(ioc_);
    acceptor_.accept(client, ec);
    if (ec) return;
    tcp::socket node(ioc_);
    node.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), node_port_),
                 ec);
    if (ec) return;
    std::thread up([&] {
      std::vector<uint8_t> buf(65536);
      boost::system::error_code e;
      for (;;) {
        size_t n = client.read_some(net::buffer(buf), e);
        if (e) break;
        net::write(node, net::buffer(buf.data(), n), e);
        if (e) break;
      }
      node.shutdown(tcp::socket::shutdown_both, e);
    });
    // Node -> client: the HTTP upgrade answer, then WebSocket frames
    // (unmasked from a server). Forward whole frames until the cut.
    std::vector<uint8_t> pending;
    std::vector<uint8_t> buf(65536);
    bool upgraded = false;
    int binary_done = 0;
    bool in_binary = false;
    for (;;) {
      size_t n = node.read_some(net::buffer(buf), ec);
      if (ec) break;
      pending.insert(pending.end(), buf.begin(), buf.begin() + n);
      if (!upgraded) {
        const std::string s(pending.begin(), pending.end());
        size_t end = s.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        net::write(client, net::buffer(pending.data(), end + 4), ec);
        pending.erase(pending.begin(), pending.begin() + end + 4);
        upgraded = true;
      }
      bool stop = false;
      for (;;) {
        if (pending.size() < 2) break;
        const bool fin = pending[0] & 0x80;
        const int opcode = pending[0] & 0x0f;
        size_t len = pending[1] & 0x7f;
        size_t header = 2;
        if (len == 126) {
          if (pending.size() < 4) break;
          len = (size_t{pending[2]} << 8) | pending[3];
          header = 4;
        } else if (len == 127) {
          if (pending.size() < 10) break;
          len = 0;
          for (int i = 2; i < 10; ++i) len = (len << 8) | pending[i];
          header = 10;
        }
        if (opcode == 2) in_binary = true;
        if (in_binary && binary_done >= keep_) {
          stop = true;  // the next message started: cut here
          break;
        }
        if (pending.size() < header + len) break;
        net::write(client, net::buffer(pending.data(), header + len), ec);
        pending.erase(pending.begin(),
                      pending.begin() + static_cast<long>(header + len));
        if (in_binary && fin) {
          ++binary_done;
          in_binary = false;
        }
      }
      if (stop) {
        cut_.store(true);
        break;
      }
    }
    client.shutdown(tcp::socket::shutdown_both, ec);
    client.close(ec);
    node.shutdown(tcp::socket::shutdown_both, ec);
    up.join();
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t node_port_;
  int keep_;
  std::atomic<bool> cut_{false};
  std::thread thread_;
};

TEST_F(ClientTest, TruncatedConnectionIsAnErrorNotAnAnswer) {
  CuttingRelay relay(node_->port(), /*keep=*/2);
  auto conn = Connection::Connect(
      "ws://127.0.0.1:" + std::to_string(relay.port()) + "/ws", Options());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  client::ChatParams p;
  p.max_tokens = 24;
  std::string seen;
  auto a =
      conn.value()->Chat("a story", p, [&](std::string_view s) { seen += s; });
  ASSERT_TRUE(relay.cut());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(a.status().message().find("truncated"), std::string::npos);
  EXPECT_FALSE(seen.empty());  // pieces arrived, but no answer
  EXPECT_EQ(conn.value()->Chat("again", p).status().code(),
            StatusCode::kFailedPrecondition);
}

// PostRaw sends one request to 127.0.0.1:port and returns the raw response
// up to the close.
std::string PostRaw(uint16_t port, const std::string& body) {
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  const std::string req =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: "
      "close\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  boost::system::error_code ec;
  net::write(s, net::buffer(req), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = s.read_some(net::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

// The proxy in front of a connection that drops mid-answer: a stream ends
// with an error event and no [DONE]; a plain request gets 502, never a
// short completion.
TEST_F(ClientTest, ProxyReportsATruncatedAnswerAsAnError) {
  for (bool stream : {true, false}) {
    CuttingRelay relay(node_->port(), /*keep=*/2);
    client::ProxyOptions po;
    po.port = 0;
    po.node_url = "ws://127.0.0.1:" + std::to_string(relay.port()) + "/ws";
    po.connect = Options();
    auto proxy = client::Proxy::Create(std::move(po));
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    std::thread t([&] { proxy.value()->Run(); });
    const std::string r = PostRaw(
        proxy.value()->port(),
        std::string(R"({"messages":[{"role":"user","content":"a story"}],)") +
            R"("max_tokens":24,"stream":)" + (stream ? "true" : "false") + "}");
    proxy.value()->Shutdown();
    t.join();
    EXPECT_TRUE(relay.cut());
    if (stream) {
      EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 200") << r;
      EXPECT_NE(r.find("chat.completion.chunk"), std::string::npos) << r;
      EXPECT_NE(r.find(R"(data: {"error":)"), std::string::npos) << r;
      EXPECT_NE(r.find("truncated"), std::string::npos) << r;
      EXPECT_EQ(r.find("[DONE]"), std::string::npos) << r;
      EXPECT_EQ(r.find(R"("finish_reason":"length")"), std::string::npos) << r;
    } else {
      EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 502") << r;
      EXPECT_NE(r.find("node_unavailable"), std::string::npos) << r;
      EXPECT_EQ(r.find("chat.completion"), std::string::npos) << r;
    }
  }
}

// wss:// with the development certificate: the client trusts exactly that
// certificate; another certificate is refused at the TLS handshake.
TEST(ClientTlsTest, WssWithADevCertificate) {
  NodeProcess node("client_tls");
  auto cert = crypto::GenerateDevCertificate(
      {{},
       std::chrono::time_point_cast<std::chrono::seconds>(
           std::chrono::system_clock::now())});
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  const auto cert_path = node.dir() / "cert.pem";
  const auto key_path = node.dir() / "key.pem";
  std::ofstream(cert_path) << cert.value().certificate_pem;
  {
    std::ofstream key(key_path, std::ios::binary);
    const auto& k = cert.value().private_key_pem.Reveal();
    key.write(reinterpret_cast<const char*>(k.data()),
              static_cast<std::streamsize>(k.size()));
  }
  std::filesystem::permissions(
      key_path,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_TRUE(node.Start(CERUMBRA_BIN, {"--tls-cert", cert_path.string(),
                                        "--tls-key", key_path.string()}))
      << node.Output();

  ConnectOptions o;
  o.trust = TrustMode::kUnpinned;
  o.tls_trust_pem = cert.value().certificate_pem;
  const std::string url =
      "wss://127.0.0.1:" + std::to_string(node.port()) + "/ws";
  auto conn = Connection::Connect(url, o);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  client::ChatParams p;
  p.max_tokens = 4;
  auto a = conn.value()->Chat("hello over TLS", p);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a.value().completion_tokens, 4);
  EXPECT_TRUE(conn.value()->Close().ok());

  // Another certificate: refused.
  auto other = crypto::GenerateDevCertificate(
      {{},
       std::chrono::time_point_cast<std::chrono::seconds>(
           std::chrono::system_clock::now())});
  ASSERT_TRUE(other.ok());
  o.tls_trust_pem = other.value().certificate_pem;
  auto refused = Connection::Connect(url, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("TLS"), std::string::npos)
      << refused.status().ToString();
}

}  // namespace
}  // namespace cerumbra
