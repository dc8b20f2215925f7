// Copyright 2026 The Cerumbra Authors.
//
// The proxy's HTTP edge over real sockets with raw requests: errors are
// OpenAI error objects with the right 4xx, before any node is contacted
// (the node URL points at a closed port), and a request that would reach
// the node gets 502 when the node cannot be reached.

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "client/proxy.h"
#include "tcp_test_util.h"

namespace cerumbra::client {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

uint16_t ClosedPort() {
  net::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

class ProxyHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProxyOptions o;
    o.port = 0;
    o.node_url = "ws://127.0.0.1:" + std::to_string(ClosedPort()) + "/ws";
    o.max_body = 4096;
    o.log = [this](std::string_view line) { log_ += std::string(line) + "\n"; };
    auto p = Proxy::Create(std::move(o));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    proxy_ = std::move(p).value();
    thread_ = std::thread([this] { proxy_->Run(); });
  }
  void TearDown() override {
    proxy_->Shutdown();
    thread_.join();
  }

  // Raw sends `request` as is and returns the whole response (the proxy
  // closes the connection: requests carry "Connection: close").
  std::string Raw(const std::string& request) {
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), proxy_->port()));
    boost::system::error_code ec;
    net::write(s, net::buffer(request), ec);
    std::string out;
    char buf[4096];
    for (;;) {
      size_t n = s.read_some(net::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
    }
    return out;
  }

  std::string Post(const std::string& path, const std::string& body) {
    return Raw("POST " + path +
               " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
  }

  static int StatusOf(const std::string& response) {
    return std::stoi(response.substr(9, 3));
  }
  static boost::json::object ErrorOf(const std::string& response) {
    const std::string body = response.substr(response.find("\r\n\r\n") + 4);
    return boost::json::parse(body).as_object().at("error").as_object();
  }

  std::unique_ptr<Proxy> proxy_;
  std::thread thread_;
  std::string log_;
};

// Streamed chunks leave at once: Nagle is off on accepted connections.
TEST_F(ProxyHttpTest, AcceptedConnectionsHaveNagleOff) {
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), proxy_->port()));
  // The proxy accepts and sets the option on its own thread: look again
  // until it has (at most 5 s; the test fails if it never does).
  std::vector<bool> nodelay;
  for (int i = 0; i < 500; ++i) {
    nodelay = cerumbra::testing::NoDelayOfConnectedSockets(proxy_->port(),
                                                           /*by_peer=*/false);
    if (nodelay.size() == 1 && nodelay[0]) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(nodelay.size(), 1u);
  EXPECT_TRUE(nodelay[0]);
}

TEST_F(ProxyHttpTest, BadJsonIs400WithAnOpenAiErrorObject) {
  std::string r = Post("/v1/chat/completions", "{not json");
  EXPECT_EQ(StatusOf(r), 400);
  boost::json::object e = ErrorOf(r);
  EXPECT_EQ(e.at("type").as_string(), "invalid_request_error");
  EXPECT_TRUE(e.contains("message") && e.contains("param") &&
              e.contains("code"));
}

TEST_F(ProxyHttpTest, MissingMessagesNamesTheParam) {
  std::string r = Post("/v1/chat/completions", R"({"model":"x"})");
  EXPECT_EQ(StatusOf(r), 400);
  EXPECT_EQ(ErrorOf(r).at("param").as_string(), "messages");
}

TEST_F(ProxyHttpTest, WrongMethodIs405WithAllow) {
  std::string r =
      Raw("GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: "
          "close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 405);
  EXPECT_NE(r.find("Allow: POST"), std::string::npos);
  r = Post("/v1/models", "{}");
  EXPECT_EQ(StatusOf(r), 405);
}

TEST_F(ProxyHttpTest, UnknownPathIs404) {
  std::string r = Raw(
      "GET /v1/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 404);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "unknown_url");
}

TEST_F(ProxyHttpTest, HugeBodyIs413) {
  std::string r = Post("/v1/chat/completions", std::string(100000, ' '));
  EXPECT_EQ(StatusOf(r), 413);
  EXPECT_NE(ErrorOf(r).at("message").as_string().find("larger"),
            std::string::npos);
}

TEST_F(ProxyHttpTest, ModelsListsOneModel) {
  std::string r =
      Raw("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 200);
  boost::json::object o =
      boost::json::parse(r.substr(r.find("\r\n\r\n") + 4)).as_object();
  EXPECT_EQ(o.at("data").at(0).at("id").as_string(), "cerumbra");
}

TEST_F(ProxyHttpTest, UnreachableNodeIs502AndNoPromptIsLogged) {
  std::string r = Post(
      "/v1/chat/completions",
      R"({"model":"x","messages":[{"role":"user","content":"SECRET-PROXY"}]})");
  EXPECT_EQ(StatusOf(r), 502);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "node_unavailable");
  EXPECT_EQ(log_.find("SECRET"), std::string::npos);
  EXPECT_NE(log_.find("502"), std::string::npos);
}

TEST(ProxyCreateTest, RefusesNonLoopbackUnlessAllowed) {
  ProxyOptions o;
  o.port = 0;
  o.node_url = "ws://127.0.0.1:1/ws";
  o.listen_host = "0.0.0.0";
  auto p = Proxy::Create(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("non-loopback"), std::string::npos);
  o.allow_remote = true;
  EXPECT_TRUE(Proxy::Create(o).ok());
  o.listen_host = "localhost";  // a name, not an address
  EXPECT_FALSE(Proxy::Create(o).ok());
  o.listen_host = "::1";
  o.allow_remote = false;
  o.node_url = "http://127.0.0.1:1/";
  EXPECT_FALSE(Proxy::Create(o).ok());
}

}  // namespace
}  // namespace cerumbra::client
