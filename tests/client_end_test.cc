// Copyright 2026 The Cerumbra Authors.
//
// The C++ client against a scripted node that answers with a chosen END
// payload: a malformed END fails the session (docs/protocol.md §8: nothing
// more is sent on it), while a well-formed END that carries an error ends
// only that answer. The node is the real protocol (NodeHandshake, Session,
// a simulated attester) behind a real WebSocket on loopback; only its END
// payload is scripted.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "attest/attest_test_util.h"
#include "cerumbra/client.h"
#include "protocol/handshake.h"
#include "protocol/session.h"

namespace cerumbra {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ScriptedNode serves one connection: the real handshake, then answers
// every request with "hi" and the END payloads of `ends`, in order.
class ScriptedNode {
 public:
  explicit ScriptedNode(std::vector<std::string> ends)
      : ends_(std::move(ends)),
        acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    attest::testing::MakeCa(ca_.path());
    attester_ = attest::testing::MakeAttester(ca_.path(), work_.path());
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedNode() {
    beast::error_code ec;
    acceptor_.close(ec);
    thread_.join();
  }
  std::string url() const {
    return "ws://127.0.0.1:" +
           std::to_string(acceptor_.local_endpoint().port()) + "/ws";
  }
  int requests() const { return requests_.load(); }

 private:
  void Serve() {
    beast::error_code ec;
    tcp::socket socket(ioc_);
    acceptor_.accept(socket, ec);
    if (ec) return;
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept(ec);
    if (ec) return;
    beast::flat_buffer buf;
    ws.read(buf, ec);
    if (ec) return;
    protocol::NodeHandshake hs = *protocol::NodeHandshake::Create();
    protocol::NodeHandshakeResult r = hs.HandleRequest(
        beast::buffers_to_string(buf.data()), *attester_, NowMs());
    buf.consume(buf.size());
    ws.text(true);
    ws.write(net::buffer(r.reply_text), ec);
    if (ec || !r.session.ok()) return;
    protocol::Session session = *std::move(r.session);
    ws.binary(true);
    size_t next = 0;
    for (;;) {
      ws.read(buf, ec);
      if (ec) return;
      const std::string frame = beast::buffers_to_string(buf.data());
      buf.consume(buf.size());
      auto events = session.Receive(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(frame.data()), frame.size()));
      if (!events.ok()) return;
      std::vector<protocol::Frame> out;
      bool closed = false;
      for (const protocol::Event& e : *events) {
        if (e.type == protocol::EventType::kEnd) {
          ++requests_;
          const std::string end = next < ends_.size() ? ends_[next++] : "";
          const std::string text = "hi";
          auto frames = session.SendMessage(
              std::span<const uint8_t>(
                  reinterpret_cast<const uint8_t*>(text.data()), text.size()),
              end);
          if (!frames.ok()) return;
          for (auto& f : *frames) out.push_back(std::move(f));
        } else if (e.type == protocol::EventType::kSend) {
          out.push_back(e.bytes);  // the answering CLOSE or KEY_UPDATE
        } else if (e.type == protocol::EventType::kClose) {
          closed = true;
        }
      }
      for (const protocol::Frame& f : out) {
        ws.write(net::buffer(f), ec);
        if (ec) return;
      }
      if (closed) return;
    }
  }

  std::vector<std::string> ends_;
  attest::testing::TempDir ca_, work_;
  std::unique_ptr<attest::Attester> attester_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

client::ConnectOptions Options() {
  client::ConnectOptions o;
  o.trust = client::TrustMode::kUnpinned;  // a fresh CA per test
  o.timeout = std::chrono::seconds(20);
  return o;
}

TEST(ClientEndTest, MalformedEndFailsTheSession) {
  for (const std::string& end : {
           std::string(R"({"usage":{}})"),
           std::string(R"({"finish_reason":"maybe"})"),
           std::string(R"({"finish_reason":"stop","extra":1})"),
           std::string(R"({"finish_reason":"stop","usage":[]})"),
           std::string(R"({"finish_reason":"stop","error":"busy"})"),
           std::string(R"({"finish_reason":"error"})"),
           std::string(R"({"finish_reason":"error","error":"why"})"),
       }) {
    SCOPED_TRACE(end);
    ScriptedNode node({end, R"({"finish_reason":"stop"})"});
    auto conn = client::Connection::Connect(node.url(), Options());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    auto first = (*conn)->Chat("hello");
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.status().code(), StatusCode::kUnauthenticated);
    // The session is gone: nothing more is sent on it.
    auto second = (*conn)->Chat("again");
    EXPECT_FALSE(second.ok());
    EXPECT_FALSE((*conn)->Close().ok());
    EXPECT_EQ(node.requests(), 1);
  }
}

TEST(ClientEndTest, WellFormedErrorEndsOnlyThatAnswer) {
  ScriptedNode node({R"({"finish_reason":"error","error":"busy"})",
                     R"({"finish_reason":"stop"})"});
  auto conn = client::Connection::Connect(node.url(), Options());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto first = (*conn)->Chat("hello");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), StatusCode::kResourceExhausted);
  auto second = (*conn)->Chat("again");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->text, "hi");
  EXPECT_EQ(second->finish_reason, "stop");
  EXPECT_TRUE((*conn)->Close().ok());
  EXPECT_EQ(node.requests(), 2);
}

}  // namespace
}  // namespace cerumbra
