// Copyright 2026 The Cerumbra Authors.
//
// One thread per HTTP connection with blocking Boost.Beast I/O: a request
// blocks on the node's answer anyway, and the connection count is bounded.

#include "client/proxy.h"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <list>
#include <mutex>
#include <thread>

#include "attest/policy_verifier.h"
#include "client/openai.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace cerumbra::client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void WipeString(std::string& s) {
  crypto::Wipe(
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), s.size()));
  s.clear();
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewId() {
  auto b = crypto::RandomBytes(12);
  static const char* kHex = "0123456789abcdef";
  std::string id = "chatcmpl-";
  if (!b.ok()) return id + "0";
  for (uint8_t x : b.value()) {
    id += kHex[x >> 4];
    id += kHex[x & 15];
  }
  return id;
}

}  // namespace

class Proxy::Impl {
 public:
  explicit Impl(ProxyOptions options)
      : options_(std::move(options)), acceptor_(ioc_) {}

  Status Bind() {
    beast::error_code ec;
    const net::ip::address address =
        net::ip::make_address(options_.listen_host, ec);
    if (ec) {
      return InvalidArgumentError("listen address must be an IP address: " +
                                  options_.listen_host);
    }
    if (!address.is_loopback() && !options_.allow_remote) {
      return InvalidArgumentError(
          "refusing to listen on non-loopback address " + options_.listen_host +
          ": the proxy has no authentication and speaks plain HTTP (allow it "
          "explicitly to do so)");
    }
    const tcp::endpoint ep(address, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return UnavailableError("cannot listen on " + options_.listen_host + ":" +
                              std::to_string(options_.port) + ": " +
                              ec.message());
    }
    return OkStatus();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Run() {
    for (;;) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_.load()) break;
      if (ec) continue;
      // Each SSE chunk leaves as soon as it is written (no Nagle delay).
      socket.set_option(tcp::no_delay(true), ec);
      std::lock_guard<std::mutex> lock(mu_);
      Reap();
      if (static_cast<int>(workers_.size()) >= options_.max_connections) {
        RejectBusy(socket);
        continue;
      }
      workers_.emplace_back();
      Worker& w = workers_.back();
      w.fd = socket.native_handle();
      w.thread = std::thread([this, &w, s = std::move(socket)]() mutable {
        Serve(s);
        w.done.store(true);
      });
    }
    std::list<Worker> rest;
    {
      std::lock_guard<std::mutex> lock(mu_);
      rest.swap(workers_);
    }
    for (Worker& w : rest) w.thread.join();
  }

  void Shutdown() {
    stopping_.store(true);
    std::lock_guard<std::mutex> lock(mu_);
    // Wakes the blocking accept and every blocking read or write (an OS
    // call, safe from any thread).
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    for (Worker& w : workers_) {
      if (!w.done.load()) ::shutdown(w.fd, SHUT_RDWR);
    }
  }

 private:
  struct Worker {
    std::thread thread;
    int fd = -1;
    std::atomic<bool> done{false};
  };

  // Reap joins finished workers. REQUIRES: mu_ held.
  void Reap() {
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done.load()) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // KeyProtectionLine says what protects the verified node's keys, for
  // the log of every session (public data).
  static std::string KeyProtectionLine(const VerificationReport& r) {
    return "proxy: node verified; key protection: " + r.key_protection +
           (r.key_hardware_protected
                ? ""
                : std::string(" (") + attest::kKeysNotProtectedLabel + ")");
  }

  void Log(const std::string& line) {
    if (options_.log) options_.log(line);
  }

  static void SetCommon(http::response<http::string_body>& res) {
    res.set(http::field::server, "cerumbra-proxy");
    res.set(http::field::cache_control, "no-store");
  }

  void RejectBusy(tcp::socket& socket) {
    http::response<http::string_body> res{http::status::service_unavailable,
                                          11};
    SetCommon(res);
    res.set(http::field::content_type, "application/json");
    openai::ApiError e;
    e.http_status = 503;
    e.type = "server_error";
    e.message = "Too many connections to the proxy; try again.";
    res.body() = openai::EncodeError(e);
    res.keep_alive(false);
    res.prepare_payload();
    beast::error_code ec;
    http::write(socket, res, ec);
  }

  // Serve handles requests on one connection until it closes.
  void Serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options_.max_body);
      parser.header_limit(16 * 1024);
      beast::error_code ec;
      http::read(socket, buffer, parser, ec);
      if (ec == http::error::body_limit) {
        openai::ApiError e;
        e.http_status = 413;
        e.message = "The request body is larger than the proxy accepts (" +
                    std::to_string(options_.max_body) + " bytes).";
        WriteJson(socket, 413, openai::EncodeError(e), false);
        Log("proxy: request body too large -> 413");
        return;
      }
      if (ec) return;
      http::request<http::string_body> req = parser.release();
      const bool keep = req.keep_alive() && !stopping_.load();
      const bool ok = Handle(socket, req, keep);
      WipeString(req.body());
      if (!ok || !keep) break;
    }
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }

  bool WriteJson(tcp::socket& socket, int status, std::string body, bool keep) {
    http::response<http::string_body> res{static_cast<http::status>(status),
                                          11};
    SetCommon(res);
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    res.keep_alive(keep);
    res.prepare_payload();
    beast::error_code ec;
    http::write(socket, res, ec);
    WipeString(res.body());
    return !ec;
  }

  bool WriteError(tcp::socket& socket, const openai::ApiError& e, bool keep) {
    return WriteJson(socket, e.http_status, openai::EncodeError(e), keep);
  }

  // Handle answers one request; false when the connection must close.
  bool Handle(tcp::socket& socket, http::request<http::string_body>& req,
              bool keep) {
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    const std::string method(req.method_string());
    if (path == "/v1/models" || path.starts_with("/v1/models/")) {
      if (req.method() != http::verb::get) {
        return MethodNotAllowed(socket, "GET", method, path, keep);
      }
      Log("proxy: GET " + path + " -> 200");
      return WriteJson(
          socket, 200,
          path == "/v1/models"
              ? openai::EncodeModels(options_.model_id)
              : R"({"id":")" + options_.model_id +
                    R"(","object":"model","created":0,"owned_by":"cerumbra"})",
          keep);
    }
    if (path == "/v1/chat/completions") {
      if (req.method() != http::verb::post) {
        return MethodNotAllowed(socket, "POST", method, path, keep);
      }
      return Completions(socket, req, keep);
    }
    openai::ApiError e;
    e.http_status = 404;
    e.message = "Unknown request URL: " + method + " " + path +
                ". This proxy serves POST /v1/chat/completions and GET "
                "/v1/models.";
    e.code = "unknown_url";
    Log("proxy: " + method + " (unknown path) -> 404");
    return WriteError(socket, e, keep);
  }

  bool MethodNotAllowed(tcp::socket& socket, const std::string& allowed,
                        const std::string& method, const std::string& path,
                        bool keep) {
    http::response<http::string_body> res{http::status::method_not_allowed, 11};
    SetCommon(res);
    res.set(http::field::content_type, "application/json");
    res.set(http::field::allow, allowed);
    openai::ApiError e;
    e.http_status = 405;
    e.message = "Method " + method + " is not allowed for " + path + "; use " +
                allowed + ".";
    e.code = "method_not_allowed";
    res.body() = openai::EncodeError(e);
    res.keep_alive(keep);
    res.prepare_payload();
    Log("proxy: " + method + " " + path + " -> 405");
    beast::error_code ec;
    http::write(socket, res, ec);
    return !ec;
  }

  // NodeError maps a failure of the node session to an OpenAI error.
  static openai::ApiError NodeError(const Status& s) {
    openai::ApiError e;
    switch (s.code()) {
      case StatusCode::kUnauthenticated:
        e.http_status = 502;
        e.type = "cerumbra_verification_failed";
        e.code = "node_verification_failed";
        e.message = "The node failed verification; nothing was sent to it. " +
                    s.message();
        break;
      case StatusCode::kInvalidArgument:
        e.http_status = 400;
        e.message = "The node refused the request: " + s.message();
        break;
      case StatusCode::kResourceExhausted:
        e.http_status = 503;
        e.type = "server_error";
        e.code = "node_busy";
        e.message = "The node is busy; try again later.";
        break;
      case StatusCode::kFailedPrecondition:
        e.http_status = 400;
        e.code = "context_length_exceeded";
        e.message =
            "The conversation does not fit the node's context: " + s.message();
        break;
      default:
        e.http_status = 502;
        e.type = "server_error";
        e.code = "node_unavailable";
        e.message = "The node could not answer: " + s.message();
        break;
    }
    return e;
  }

  bool Completions(tcp::socket& socket, http::request<http::string_body>& req,
                   bool keep) {
    openai::ParsedRequest parsed = openai::ParseCompletionRequest(req.body());
    if (!parsed.ok) {
      Log("proxy: POST /v1/chat/completions -> 400 (" +
          (parsed.error.param.empty() ? std::string("body")
                                      : parsed.error.param) +
          ")");
      return WriteError(socket, parsed.error, keep);
    }
    openai::CompletionRequest& r = parsed.request;
    struct WipeMessages {
      std::vector<Message>& m;
      ~WipeMessages() {
        for (Message& x : m) WipeString(x.content);
      }
    } wipe{r.messages};
    const std::string model = r.model.empty() ? options_.model_id : r.model;

    // A fresh session per request: verified before anything is sent.
    auto conn = Connection::Connect(options_.node_url, options_.connect);
    if (!conn.ok()) {
      openai::ApiError e = NodeError(conn.status());
      Log("proxy: POST /v1/chat/completions -> " +
          std::to_string(e.http_status) + " (" + e.code + ")");
      return WriteError(socket, e, keep);
    }
    Connection& c = *conn.value();
    Log(KeyProtectionLine(c.report()));
    const std::string id = NewId();
    const int64_t created = NowSeconds();

    if (!r.stream) {
      auto answer = c.ChatMessages(r.messages, r.params);
      if (!answer.ok()) {
        openai::ApiError e = NodeError(answer.status());
        Log("proxy: POST /v1/chat/completions -> " +
            std::to_string(e.http_status) + " (" + e.code + ")");
        return WriteError(socket, e, keep);
      }
      (void)c.Close();
      std::string body =
          openai::EncodeCompletion(id, model, created, answer.value());
      WipeString(answer.value().text);
      Log("proxy: POST /v1/chat/completions -> 200 (" +
          std::to_string(answer.value().completion_tokens) + " tokens)");
      return WriteJson(socket, 200, std::move(body), keep);
    }

    // Streaming: server-sent events in a chunked response.
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::server, "cerumbra-proxy");
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::content_type, "text/event-stream");
    res.chunked(true);
    res.keep_alive(keep);
    http::response_serializer<http::empty_body> sr{res};
    beast::error_code ec;
    http::write_header(socket, sr, ec);
    if (ec) return false;
    bool broken = false;
    auto send_event = [&](std::string data) {
      if (broken) return;
      std::string event = "data: " + data + "\n\n";
      WipeString(data);
      beast::error_code e;
      net::write(socket, http::make_chunk(net::buffer(event)), e);
      WipeString(event);
      if (e) {
        broken = true;  // the application went away: stop the node
        c.Cancel();
      }
    };
    send_event(openai::EncodeChunk(id, model, created, true, "", "", nullptr));
    auto answer = c.ChatMessages(r.messages, r.params, [&](std::string_view p) {
      send_event(
          openai::EncodeChunk(id, model, created, false, p, "", nullptr));
    });
    if (broken) {
      Log("proxy: POST /v1/chat/completions (stream) -> client went away");
      return false;
    }
    if (!answer.ok()) {
      // No [DONE]: the stream ends with an error event, so a truncated
      // answer is never taken for a complete one.
      openai::ApiError e = NodeError(answer.status());
      send_event(openai::EncodeError(e));
      net::write(socket, http::make_chunk_last(), ec);
      Log("proxy: POST /v1/chat/completions (stream) -> error (" + e.code +
          ")");
      return false;
    }
    (void)c.Close();
    send_event(openai::EncodeChunk(
        id, model, created, false, "",
        openai::FinishReason(answer.value().finish_reason), nullptr));
    if (r.include_usage) {
      send_event(openai::EncodeChunk(id, model, created, false, "", "",
                                     &answer.value()));
    }
    send_event("[DONE]");
    WipeString(answer.value().text);
    if (broken) return false;
    net::write(socket, http::make_chunk_last(), ec);
    Log("proxy: POST /v1/chat/completions (stream) -> 200 (" +
        std::to_string(answer.value().completion_tokens) + " tokens)");
    return !ec;
  }

  ProxyOptions options_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::list<Worker> workers_;
};

Result<std::unique_ptr<Proxy>> Proxy::Create(ProxyOptions options) {
  if (!options.node_url.starts_with("ws://") &&
      !options.node_url.starts_with("wss://")) {
    return InvalidArgumentError("the node URL must start with ws:// or wss://");
  }
  if (options.max_connections < 1 || options.max_body < 1) {
    return InvalidArgumentError("max_connections and max_body must be >= 1");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  CERUMBRA_RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<Proxy>(new Proxy(std::move(impl)));
}

Proxy::Proxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Proxy::~Proxy() = default;
uint16_t Proxy::port() const { return impl_->port(); }
void Proxy::Run() { impl_->Run(); }
void Proxy::Shutdown() { impl_->Shutdown(); }

}  // namespace cerumbra::client
