// Copyright 2026 The Cerumbra Authors.
//
// Test-only: a blocking WebSocket client that speaks the Cerumbra protocol
// to a node on 127.0.0.1 with the real protocol code (ClientHandshake,
// Session) over a real socket, plain (TestClient, ws://) or over TLS
// (TlsTestClient, wss://, verifying the node's certificate). Used by the
// server's tests; the product's client library is src/client
// (include/cerumbra/client.h).

#ifndef CERUMBRA_SERVER_TEST_CLIENT_H_
#define CERUMBRA_SERVER_TEST_CLIENT_H_

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/tls.h"
#include "protocol/handshake.h"
#include "protocol/session.h"

namespace cerumbra::server::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Response is one response message as the client saw it.
struct Response {
  std::vector<std::string> pieces;  // one per DATA record
  std::string text;                 // the pieces joined
  std::string end_json;             // the END payload
};

// Frame is one WebSocket message received.
struct WsMessage {
  bool text = false;
  std::vector<uint8_t> bytes;
};

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class NextLayer>
class BasicTestClient {
  static constexpr bool kTls = std::is_same_v<NextLayer, TlsStream>;

 public:
  // Connect opens ws://127.0.0.1:port/ws. `receive_buffer` > 0 sets the
  // socket's SO_RCVBUF before it connects (a small one makes a client that
  // does not read stall the node quickly).
  static Result<std::unique_ptr<BasicTestClient>> Connect(
      uint16_t port, int receive_buffer = 0) requires(!kTls) {
    auto c = std::unique_ptr<BasicTestClient>(new BasicTestClient());
    CERUMBRA_RETURN_IF_ERROR(c->Open(port, receive_buffer));
    return c;
  }

  // ConnectTls opens wss://127.0.0.1:port/ws with `tls` (a client context:
  // crypto::TlsContext::CreateClient), which verifies the node.
  static Result<std::unique_ptr<BasicTestClient>> ConnectTls(
      uint16_t port, crypto::TlsContext tls) requires(kTls) {
    auto c = std::unique_ptr<BasicTestClient>(
        new BasicTestClient(std::move(tls).Release()));
    CERUMBRA_RETURN_IF_ERROR(c->Open(port));
    return c;
  }

  // Handshake runs the protocol handshake and keeps the session.
  Status Handshake(protocol::QuoteVerifier& verifier, int64_t now_ms) {
    CERUMBRA_ASSIGN_OR_RETURN(protocol::ClientHandshake hs,
                              protocol::ClientHandshake::Create());
    CERUMBRA_ASSIGN_OR_RETURN(std::string request, hs.Start());
    CERUMBRA_RETURN_IF_ERROR(WriteText(request));
    CERUMBRA_ASSIGN_OR_RETURN(WsMessage reply, Read());
    if (!reply.text) return UnauthenticatedError("binary reply");
    last_response_text_.assign(reply.bytes.begin(), reply.bytes.end());
    CERUMBRA_ASSIGN_OR_RETURN(
        protocol::Session s,
        hs.HandleResponse(last_response_text_, verifier, now_ms));
    session_.emplace(std::move(s));
    return OkStatus();
  }

  // SendRequest sends one request message (§10.1).
  Status SendRequest(std::string_view json) {
    CERUMBRA_ASSIGN_OR_RETURN(
        std::vector<protocol::Frame> frames,
        session_->SendMessage(std::span<const uint8_t>(
            reinterpret_cast<const uint8_t*>(json.data()), json.size())));
    for (const auto& f : frames) CERUMBRA_RETURN_IF_ERROR(WriteBinary(f));
    return OkStatus();
  }

  // ReadResponse reads records until the END of one response.
  Result<Response> ReadResponse() {
    Response out;
    for (;;) {
      CERUMBRA_ASSIGN_OR_RETURN(WsMessage m, Read());
      if (m.text) {
        return UnauthenticatedError(
            "node sent text: " + std::string(m.bytes.begin(), m.bytes.end()));
      }
      CERUMBRA_ASSIGN_OR_RETURN(std::vector<protocol::Event> events,
                                session_->Receive(m.bytes));
      for (auto& e : events) {
        switch (e.type) {
          case protocol::EventType::kData:
            out.pieces.emplace_back(e.bytes.begin(), e.bytes.end());
            out.text += out.pieces.back();
            break;
          case protocol::EventType::kEnd:
            out.end_json.assign(e.bytes.begin(), e.bytes.end());
            return out;
          case protocol::EventType::kSend:
            CERUMBRA_RETURN_IF_ERROR(WriteBinary(e.bytes));
            break;
          case protocol::EventType::kClose:
            return FailedPreconditionError("node closed");
          case protocol::EventType::kCancel:
            return InternalError("cancel at a client");
        }
      }
    }
  }

  // Close sends CLOSE and waits for the node's CLOSE.
  Status Close() {
    CERUMBRA_ASSIGN_OR_RETURN(std::vector<protocol::Frame> frames,
                              session_->Close());
    for (const auto& f : frames) CERUMBRA_RETURN_IF_ERROR(WriteBinary(f));
    for (;;) {
      CERUMBRA_ASSIGN_OR_RETURN(WsMessage m, Read());
      if (m.text) return UnauthenticatedError("text after close");
      CERUMBRA_ASSIGN_OR_RETURN(std::vector<protocol::Event> events,
                                session_->Receive(m.bytes));
      for (auto& e : events) {
        if (e.type == protocol::EventType::kClose) return OkStatus();
      }
    }
  }

  Status WriteText(std::string_view text) {
    beast::error_code ec;
    ws_.text(true);
    ws_.write(net::buffer(text.data(), text.size()), ec);
    if (ec) return UnavailableError("write: " + ec.message());
    return OkStatus();
  }

  Status WriteBinary(std::span<const uint8_t> bytes) {
    beast::error_code ec;
    ws_.binary(true);
    ws_.write(net::buffer(bytes.data(), bytes.size()), ec);
    if (ec) return UnavailableError("write: " + ec.message());
    sent_.emplace_back(bytes.begin(), bytes.end());
    return OkStatus();
  }

  // Read returns the next WebSocket message; Unavailable when the
  // connection closed (close_reason() then says how).
  Result<WsMessage> Read() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return UnavailableError("read: " + ec.message());
    WsMessage m;
    m.text = ws_.got_text();
    auto d = buffer.cdata();
    m.bytes.assign(static_cast<const uint8_t*>(d.data()),
                   static_cast<const uint8_t*>(d.data()) + d.size());
    return m;
  }

  // ExpectOpaqueFailure reads until the node ends the session: true when
  // it sent the session_failed error and closed (policy close 1008).
  bool ExpectOpaqueFailure() {
    bool saw_error = false;
    for (;;) {
      auto m = Read();
      if (!m.ok()) break;
      if (m.value().text) {
        std::string t(m.value().bytes.begin(), m.value().bytes.end());
        saw_error = t == R"({"type":"error","error":"session_failed"})";
      }
    }
    return saw_error &&
           ws_.reason().code == websocket::close_code::policy_error;
  }

  protocol::Session& session() { return *session_; }
  const std::vector<std::vector<uint8_t>>& sent() const { return sent_; }
  websocket::stream<NextLayer>& ws() { return ws_; }
  const std::string& last_response_text() const { return last_response_text_; }

 private:
  BasicTestClient() requires(!kTls) : ws_(ioc_) {}
  explicit BasicTestClient(net::ssl::context::native_handle_type tls) requires(
      kTls)
      : tls_(tls), ws_(ioc_, *tls_) {}

  Status Open(uint16_t port, int receive_buffer = 0) {
    beast::error_code ec;
    if (receive_buffer > 0) {
      auto& socket = beast::get_lowest_layer(ws_).socket();
      socket.open(tcp::v4(), ec);
      if (!ec) {
        socket.set_option(net::socket_base::receive_buffer_size(receive_buffer),
                          ec);
      }
      if (ec) return UnavailableError("socket: " + ec.message());
    }
    beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return UnavailableError("connect: " + ec.message());
    if constexpr (kTls) {
      ws_.next_layer().handshake(net::ssl::stream_base::client, ec);
      if (ec) return UnavailableError("tls handshake: " + ec.message());
    }
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws", ec);
    if (ec) return UnavailableError("ws handshake: " + ec.message());
    ws_.read_message_max(1 << 20);
    return OkStatus();
  }

  net::io_context ioc_;
  std::optional<net::ssl::context> tls_;  // before ws_, which uses it
  websocket::stream<NextLayer> ws_;
  std::optional<protocol::Session> session_;
  std::vector<std::vector<uint8_t>> sent_;
  std::string last_response_text_;
};

using TestClient = BasicTestClient<beast::tcp_stream>;
using TlsTestClient = BasicTestClient<TlsStream>;

// HttpGet fetches http://127.0.0.1:port/target; returns status and body.
inline Result<http::response<http::string_body>> HttpGet(
    uint16_t port, std::string_view target, http::verb verb = http::verb::get) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return UnavailableError("connect: " + ec.message());
  http::request<http::string_body> req{verb, std::string(target), 11};
  req.set(http::field::host, "127.0.0.1");
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return UnavailableError("write: " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(verb == http::verb::head);
  http::read(stream, buffer, parser, ec);
  http::response<http::string_body> res = parser.release();
  if (ec) return UnavailableError("read: " + ec.message());
  return res;
}

// HttpsGet fetches https://127.0.0.1:port/target with `tls` (a client
// context that verifies the node); returns status and body.
inline Result<http::response<http::string_body>> HttpsGet(
    uint16_t port, crypto::TlsContext tls, std::string_view target) {
  net::io_context ioc;
  net::ssl::context ctx(std::move(tls).Release());
  TlsStream stream(ioc, ctx);
  beast::error_code ec;
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return UnavailableError("connect: " + ec.message());
  stream.handshake(net::ssl::stream_base::client, ec);
  if (ec) return UnavailableError("tls handshake: " + ec.message());
  http::request<http::string_body> req{http::verb::get, std::string(target),
                                       11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  http::write(stream, req, ec);
  if (ec) return UnavailableError("write: " + ec.message());
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return UnavailableError("read: " + ec.message());
  return res;
}

}  // namespace cerumbra::server::testing

#endif  // CERUMBRA_SERVER_TEST_CLIENT_H_
