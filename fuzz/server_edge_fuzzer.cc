// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the node's HTTP and WebSocket edge as src/server/server.cc
// configures it: Beast's HTTP request parser with the node's header and
// body limits, the WebSocket upgrade, then WebSocket frames (masked,
// fragmented, control frames) read with permessage-deflate off and
// read_message_max at the largest record frame (docs/protocol.md §7);
// text messages go to the attest_request parser (§3.1). Invariants: no
// message past the limit ever reaches the node's code whatever the
// fragmentation, and parsed requests are within the header and body limits.
//
// Input: 2 bytes (big-endian) n, then n bytes of HTTP request, then the
// client's WebSocket bytes (which the node reads only after the 101).

#include <boost/asio.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cerumbra/status.h"
#include "protocol/handshake_messages.h"
#include "protocol/wire.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

// The node's defaults (server.h ServerLimits).
constexpr size_t kHeaderLimit = 8 * 1024;
constexpr size_t kBodyLimit = 16 * 1024;
constexpr size_t kMaxFrame = cerumbra::protocol::kMaxRecordFrameSize;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t n = std::min<size_t>((size_t{data[0]} << 8) | data[1], size - 2);
  const std::string_view http_bytes(reinterpret_cast<const char*>(data + 2), n);
  const std::string_view ws_bytes(reinterpret_cast<const char*>(data + 2 + n),
                                  size - 2 - n);
  net::io_context ioc;
  beast::error_code ec;

  // The client has sent everything: past its bytes the node reads EOF.
  beast::test::stream http_in(ioc, http_bytes);
  http_in.close_remote();
  http::request_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  beast::flat_buffer buffer;
  http::read(http_in, buffer, parser, ec);
  if (ec) return 0;
  http::request<http::string_body> req = parser.release();
  CERUMBRA_CHECK(req.body().size() <= kBodyLimit);
  if (!websocket::is_upgrade(req) || req.target() != "/ws") return 0;

  beast::test::stream server(ioc, ws_bytes);
  beast::test::stream client(ioc);
  server.connect(client);  // the 101, pongs and close frames go here
  server.close_remote();
  websocket::stream<beast::test::stream&> ws(server);
  websocket::permessage_deflate pmd;
  pmd.server_enable = false;
  pmd.client_enable = false;
  ws.set_option(pmd);
  ws.read_message_max(kMaxFrame);
  ws.auto_fragment(false);
  ws.accept(req, ec);
  if (ec) return 0;
  for (int messages = 0; messages < 64; ++messages) {
    beast::flat_buffer message;
    ws.read(message, ec);
    if (ec) break;
    CERUMBRA_CHECK(message.size() <= kMaxFrame);
    if (ws.got_text()) {
      std::string_view text(static_cast<const char*>(message.cdata().data()),
                            message.size());
      (void)cerumbra::protocol::PeekMessageType(text);
      (void)cerumbra::protocol::ParseAttestRequest(text);
    }
  }
  return 0;
}
