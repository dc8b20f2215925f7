// Copyright 2026 The Cerumbra Authors.
//
// The C++ client (include/cerumbra/client.h): Boost.Beast WebSocket (plain
// or over Boost.Asio's ssl stream with a context made by crypto/tls.h) on a
// private io_context, driven by the calling thread; the protocol's
// ClientHandshake and Session do the cryptography.
//
// Every network operation is asynchronous and run by RunUntil on the
// calling thread, so that Cancel (any thread) can wake the loop with a
// posted no-op and the CANCEL record is written while a read is pending
// (Beast allows one read and one write in flight).

#include "cerumbra/client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <type_traits>

#include "attest/measurement.h"
#include "attest/policy_verifier.h"
#include "client/request.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha.h"
#include "crypto/tls.h"
#include "protocol/handshake.h"
#include "protocol/quote.h"
#include "protocol/session.h"

namespace cerumbra::client {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WipeString(std::string& s) {
  crypto::Wipe(
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), s.size()));
  s.clear();
}

// Transport is one WebSocket connection, plain or TLS. Every operation is
// asynchronous; the Impl runs the io_context.
class Transport {
 public:
  using Handler = std::function<void(beast::error_code, size_t)>;
  virtual ~Transport() = default;
  virtual void AsyncOpen(const tcp::resolver::results_type& endpoints,
                         const std::string& host_header,
                         const std::string& path,
                         std::function<void(Status)> done) = 0;
  virtual void AsyncRead(beast::flat_buffer& buffer, Handler h) = 0;
  virtual void AsyncWrite(net::const_buffer bytes, bool text, Handler h) = 0;
  virtual bool got_text() const = 0;
  // CloseSocket closes the TCP socket at once (pending operations end with
  // an error).
  virtual void CloseSocket() = 0;
};

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Next>
class WsTransport final : public Transport {
  static constexpr bool kTls = std::is_same_v<Next, TlsStream>;

 public:
  explicit WsTransport(net::io_context& ioc) requires(!kTls) : ws_(ioc) {}
  WsTransport(net::io_context& ioc, crypto::TlsContext tls) requires(kTls)
      : tls_(std::in_place, std::move(tls).Release()), ws_(ioc, *tls_) {}

  void AsyncOpen(const tcp::resolver::results_type& endpoints,
                 const std::string& host_header, const std::string& path,
                 std::function<void(Status)> done) override {
    host_header_ = host_header;
    path_ = path;
    done_ = std::move(done);
    beast::get_lowest_layer(ws_).async_connect(
        endpoints,
        [this](beast::error_code ec, const tcp::endpoint&) { OnConnect(ec); });
  }

  void AsyncRead(beast::flat_buffer& buffer, Handler h) override {
    ws_.async_read(buffer, std::move(h));
  }
  void AsyncWrite(net::const_buffer bytes, bool text, Handler h) override {
    ws_.text(text);
    ws_.async_write(bytes, std::move(h));
  }
  bool got_text() const override { return ws_.got_text(); }
  void CloseSocket() override {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both,
                                                   ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void OnConnect(beast::error_code ec) {
    if (ec) return done_(UnavailableError("connect: " + ec.message()));
    // Requests and cancels go out at once, not after the previous segment's
    // acknowledgement (Nagle).
    beast::error_code nodelay_ec;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true),
                                                     nodelay_ec);
    if constexpr (kTls) {
      ws_.next_layer().async_handshake(
          net::ssl::stream_base::client, [this](beast::error_code e) {
            if (e) {
              return done_(UnavailableError("TLS handshake: " + e.message()));
            }
            StartWebSocket();
          });
    } else {
      StartWebSocket();
    }
  }
  void StartWebSocket() {
    // Compression leaks lengths (§2): Beast's permessage-deflate is off
    // unless enabled, and stays off.
    ws_.read_message_max(protocol::kMaxAttestResponseSize);
    ws_.async_handshake(host_header_, path_, [this](beast::error_code e) {
      if (e)
        return done_(UnavailableError("WebSocket handshake: " + e.message()));
      done_(OkStatus());
    });
  }

  std::optional<net::ssl::context> tls_;  // before ws_, which uses it
  websocket::stream<Next> ws_;
  std::string host_header_;
  std::string path_;
  std::function<void(Status)> done_;
};

// Url is a parsed ws:// or wss:// URL.
struct Url {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string path;
  std::string host_header;
};

Result<Url> ParseUrl(std::string_view text) {
  Url u;
  if (text.starts_with("ws://")) {
    text.remove_prefix(5);
  } else if (text.starts_with("wss://")) {
    u.tls = true;
    text.remove_prefix(6);
  } else {
    return InvalidArgumentError("URL must start with ws:// or wss://");
  }
  const size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  u.path =
      slash == std::string_view::npos ? "/ws" : std::string(text.substr(slash));
  if (u.path == "/") u.path = "/ws";
  if (authority.empty()) return InvalidArgumentError("URL has no host");
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("URL must not carry user information");
  }
  std::string_view port;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgumentError("URL has a bad IPv6 address");
    }
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return InvalidArgumentError("URL has a bad port");
      port = rest.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return InvalidArgumentError("URL has no host");
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    if (port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) < 1 ||
        std::stoi(std::string(port)) > 65535) {
      return InvalidArgumentError("URL has a bad port");
    }
    u.port = std::string(port);
  }
  u.host_header = std::string(authority);
  return u;
}

// ChainCache is the process's cache of verified quote chains: connecting to
// the same node again skips the X.509 work, never the quote's signature,
// the evidence or the policy (attest::VerifiedChainCache).
attest::VerifiedChainCache& ChainCache() {
  static attest::VerifiedChainCache* cache = new attest::VerifiedChainCache();
  return *cache;
}

// ReportingVerifier applies the options' trust mode and records the report.
class ReportingVerifier : public protocol::QuoteVerifier {
 public:
  explicit ReportingVerifier(const ConnectOptions& options)
      : options_(options) {}

  Status Verify(const protocol::AttestResponse& response,
                const protocol::Quote& quote, int64_t now_ms) override {
    attest::Policy policy = options_.policy;
    VerificationReport r;
    const std::vector<uint8_t>& root = response.certificate_chain.back();
    if (auto digest = crypto::Sha256(root); digest.ok()) {
      r.root_sha256_hex = attest::HexEncode(digest.value());
    }
    if (options_.trust == TrustMode::kUnpinned) {
      policy.quote_roots = {root};
      policy.accept_simulated = true;
      policy.accept_gpu_only_evidence = true;
      policy.measurements = options_.policy.measurements;
    } else {
      for (const auto& pinned : options_.policy.quote_roots) {
        if (pinned == root) r.root_pinned = true;
      }
    }
    if (options_.strict) {
      policy.accept_simulated = false;
      policy.accept_gpu_only_evidence = false;
    }
    r.strict = attest::Strict(policy);
    r.simulated = quote.evidence_type == protocol::EvidenceType::kSimulated;
    const attest::KeyProtection kp = attest::KeyProtectionOf(quote);
    r.key_protection = kp.text;
    r.key_hardware_protected = kp.hardware;
    r.evidence_type = r.simulated ? "simulated" : "nvidia-gpu";
    r.quote_timestamp_ms = static_cast<int64_t>(quote.timestamp_ms);
    for (const protocol::Measurement& m : quote.measurements) {
      VerificationReport::MeasurementLine line;
      line.name = m.name;
      line.value_hex = attest::HexEncode(m.value);
      for (const auto& rule : policy.measurements) {
        if (rule.name == m.name) line.pinned = true;
      }
      r.measurements.push_back(std::move(line));
    }
    r.checks = attest::AppraiseAttestResponse(policy, response, quote, now_ms,
                                              &ChainCache());
    report_ = std::move(r);
    appraised_ = true;
    if (options_.on_report) options_.on_report(report_);
    if (const attest::Check* failed = report_.checks.FirstFailure()) {
      return UnauthenticatedError(failed->name);
    }
    if (!report_.ok()) return UnauthenticatedError("no checks");
    return OkStatus();
  }

  bool appraised() const { return appraised_; }
  VerificationReport& report() { return report_; }

 private:
  const ConnectOptions& options_;
  VerificationReport report_;
  bool appraised_ = false;
};

}  // namespace

class Connection::Impl {
 public:
  Status Open(const Url& url, const ConnectOptions& options);
  Result<Answer> Exchange(std::string request, const TextCallback& on_text);
  Status Close();
  void Cancel() {
    if (!in_request_.load()) return;
    cancel_requested_.store(true);
    net::post(ioc_, [] {});
  }
  void Abort() {
    if (transport_) transport_->CloseSocket();
    failed_ = true;
  }

  VerificationReport report_;
  std::optional<protocol::Session> session_;

 private:
  // RunUntil runs handlers until `done`; with a deadline, false when it
  // passed first (the socket is then closed and the operation drained).
  bool RunUntil(const bool& done,
                std::optional<Clock::time_point> deadline = std::nullopt);
  Status WriteFrame(std::span<const uint8_t> bytes, bool text,
                    std::optional<Clock::time_point> deadline = std::nullopt);
  // Fail marks the connection failed and closes the socket.
  template <class S>
  S Fail(S status) {
    Abort();
    return status;
  }

  net::io_context ioc_;
  std::unique_ptr<Transport> transport_;
  beast::flat_buffer read_buffer_;
  std::vector<uint8_t> write_bytes_;
  std::atomic<bool> in_request_{false};
  std::atomic<bool> cancel_requested_{false};
  bool failed_ = false;
  bool closed_ = false;
};

bool Connection::Impl::RunUntil(const bool& done,
                                std::optional<Clock::time_point> deadline) {
  bool timed_out = false;
  while (!done) {
    if (ioc_.stopped()) ioc_.restart();
    if (deadline && !timed_out) {
      ioc_.run_one_until(*deadline);
      if (!done && Clock::now() >= *deadline) {
        timed_out = true;
        transport_->CloseSocket();
      }
    } else {
      ioc_.run_one();
    }
  }
  return !timed_out;
}

Status Connection::Impl::WriteFrame(std::span<const uint8_t> bytes, bool text,
                                    std::optional<Clock::time_point> deadline) {
  write_bytes_.assign(bytes.begin(), bytes.end());
  bool done = false;
  beast::error_code result;
  transport_->AsyncWrite(net::buffer(write_bytes_), text,
                         [&](beast::error_code ec, size_t) {
                           result = ec;
                           done = true;
                         });
  const bool in_time = RunUntil(done, deadline);
  crypto::Wipe(write_bytes_);
  if (!in_time) return UnavailableError("timed out writing to the node");
  if (result) return UnavailableError("write: " + result.message());
  return OkStatus();
}

Status Connection::Impl::Open(const Url& url, const ConnectOptions& options) {
  const auto deadline = Clock::now() + options.timeout;
  if (url.tls) {
    crypto::TlsClientOptions t;
    t.trusted_certificates_pem = options.tls_trust_pem;
    t.expected_host = url.host;
    CERUMBRA_ASSIGN_OR_RETURN(crypto::TlsContext ctx,
                              crypto::TlsContext::CreateClient(t));
    transport_ = std::make_unique<WsTransport<TlsStream>>(ioc_, std::move(ctx));
  } else {
    transport_ = std::make_unique<WsTransport<beast::tcp_stream>>(ioc_);
  }

  tcp::resolver resolver(ioc_);
  beast::error_code ec;
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) return UnavailableError("resolve " + url.host + ": " + ec.message());

  bool opened = false;
  Status open_status = OkStatus();
  transport_->AsyncOpen(endpoints, url.host_header, url.path, [&](Status s) {
    open_status = std::move(s);
    opened = true;
  });
  if (!RunUntil(opened, deadline)) {
    return UnavailableError("timed out connecting to the node");
  }
  CERUMBRA_RETURN_IF_ERROR(open_status);

  // The protocol handshake (§3, §4.3).
  CERUMBRA_ASSIGN_OR_RETURN(protocol::ClientHandshake hs,
                            protocol::ClientHandshake::Create());
  CERUMBRA_ASSIGN_OR_RETURN(std::string request, hs.Start());
  CERUMBRA_RETURN_IF_ERROR(WriteFrame(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(request.data()),
                               request.size()),
      /*text=*/true, deadline));
  bool read_done = false;
  beast::error_code read_ec;
  transport_->AsyncRead(read_buffer_, [&](beast::error_code e, size_t) {
    read_ec = e;
    read_done = true;
  });
  if (!RunUntil(read_done, deadline)) {
    return UnavailableError("timed out waiting for the node's attestation");
  }
  if (read_ec) {
    return UnavailableError("reading the attestation: " + read_ec.message());
  }
  if (!transport_->got_text()) {
    return UnauthenticatedError("attestation refused: not a text frame");
  }
  const std::string text = beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(read_buffer_.size());

  ReportingVerifier verifier(options);
  auto session = hs.HandleResponse(text, verifier, NowMs());
  if (verifier.appraised()) report_ = verifier.report();
  if (!session.ok()) {
    transport_->CloseSocket();
    if (session.status().code() == StatusCode::kFailedPrecondition) {
      return session.status();
    }
    if (verifier.appraised()) {
      if (const attest::Check* c = report_.checks.FirstFailure()) {
        return UnauthenticatedError("attestation refused: " + c->name + ": " +
                                    c->detail);
      }
    }
    // Steps 1-4 (shape, binding to this session) or an error message.
    return UnauthenticatedError(
        "attestation refused: the node's answer is not a valid attestation "
        "for this session");
  }
  session_.emplace(std::move(session).value());
  return OkStatus();
}

Result<Answer> Connection::Impl::Exchange(std::string request,
                                          const TextCallback& on_text) {
  if (failed_) {
    WipeString(request);
    return FailedPreconditionError("the connection failed; connect again");
  }
  if (closed_) {
    WipeString(request);
    return FailedPreconditionError("the connection is closed");
  }
  auto frames = session_->SendMessage(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(request.data()), request.size()));
  WipeString(request);
  if (!frames.ok()) return Fail(frames.status());
  cancel_requested_.store(false);
  in_request_.store(true);
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag.store(false); }
  } done_guard{in_request_};
  for (const protocol::Frame& f : frames.value()) {
    if (Status s = WriteFrame(f, false); !s.ok()) return Fail(s);
  }

  Answer answer;
  bool cancel_sent = false;
  for (;;) {
    bool read_done = false;
    beast::error_code read_ec;
    transport_->AsyncRead(read_buffer_, [&](beast::error_code e, size_t) {
      read_ec = e;
      read_done = true;
    });
    while (!read_done) {
      if (ioc_.stopped()) ioc_.restart();
      ioc_.run_one();
      if (cancel_requested_.load() && !cancel_sent && !read_done) {
        cancel_sent = true;
        auto cancel = session_->SendCancel();
        if (!cancel.ok()) {
          Abort();
          RunUntil(read_done);
          return cancel.status();
        }
        for (const protocol::Frame& f : cancel.value()) {
          // The read stays pending meanwhile; WriteFrame runs the loop, so
          // the read may complete here too.
          if (Status s = WriteFrame(f, false); !s.ok()) {
            Abort();
            RunUntil(read_done);
            return s;
          }
        }
      }
    }
    if (read_ec) {
      WipeString(answer.text);
      Abort();
      (void)session_->ConnectionEnded();
      return UnavailableError(
          "the connection ended before the answer was complete (truncated): " +
          read_ec.message());
    }
    if (transport_->got_text()) {
      WipeString(answer.text);
      return Fail(UnauthenticatedError("session failed"));
    }
    const auto data = read_buffer_.cdata();
    auto events = session_->Receive(std::span<const uint8_t>(
        static_cast<const uint8_t*>(data.data()), data.size()));
    read_buffer_.consume(read_buffer_.size());
    if (!events.ok()) {
      WipeString(answer.text);
      return Fail(events.status());
    }
    for (protocol::Event& e : events.value()) {
      switch (e.type) {
        case protocol::EventType::kData: {
          const std::string_view piece(
              reinterpret_cast<const char*>(e.bytes.data()), e.bytes.size());
          answer.text += piece;
          if (on_text) on_text(piece);
          crypto::Wipe(e.bytes);
          break;
        }
        case protocol::EventType::kSend:
          if (Status s = WriteFrame(e.bytes, false); !s.ok()) {
            WipeString(answer.text);
            return Fail(s);
          }
          break;
        case protocol::EventType::kClose:
          WipeString(answer.text);
          return Fail(UnavailableError(
              "the node closed the session before the answer was complete"));
        case protocol::EventType::kCancel:
          WipeString(answer.text);
          return Fail(UnauthenticatedError("session failed"));
        case protocol::EventType::kEnd: {
          auto end = ParseEnd(std::string_view(
              reinterpret_cast<const char*>(e.bytes.data()), e.bytes.size()));
          if (!end.ok()) {
            WipeString(answer.text);
            // A malformed END fails the session (§8); an END carrying a
            // well-formed error ends only this answer.
            if (end.status().code() == StatusCode::kUnauthenticated) {
              return Fail(end.status());
            }
            return end.status();
          }
          answer.finish_reason = end.value().finish_reason;
          answer.prompt_tokens = end.value().prompt_tokens;
          answer.completion_tokens = end.value().completion_tokens;
          return answer;
        }
      }
    }
  }
}

Status Connection::Impl::Close() {
  if (closed_) return FailedPreconditionError("the connection is closed");
  closed_ = true;
  if (failed_) return FailedPreconditionError("the connection failed");
  auto frames = session_->Close();
  if (!frames.ok()) return Fail(frames.status());
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (const protocol::Frame& f : frames.value()) {
    if (Status s = WriteFrame(f, false, deadline); !s.ok()) return Fail(s);
  }
  for (;;) {
    bool read_done = false;
    beast::error_code read_ec;
    transport_->AsyncRead(read_buffer_, [&](beast::error_code e, size_t) {
      read_ec = e;
      read_done = true;
    });
    if (!RunUntil(read_done, deadline)) {
      return Fail(UnavailableError("timed out waiting for the node's CLOSE"));
    }
    if (read_ec) {
      return Fail(UnavailableError("connection ended before the node's CLOSE"));
    }
    if (transport_->got_text()) {
      return Fail(UnauthenticatedError("session failed"));
    }
    const auto data = read_buffer_.cdata();
    auto events = session_->Receive(std::span<const uint8_t>(
        static_cast<const uint8_t*>(data.data()), data.size()));
    read_buffer_.consume(read_buffer_.size());
    if (!events.ok()) return Fail(events.status());
    for (protocol::Event& e : events.value()) {
      crypto::Wipe(e.bytes);
      if (e.type == protocol::EventType::kClose) {
        transport_->CloseSocket();
        return OkStatus();
      }
    }
  }
}

Result<std::unique_ptr<Connection>> Connection::Connect(
    std::string_view url_text, const ConnectOptions& options) {
  CERUMBRA_ASSIGN_OR_RETURN(Url url, ParseUrl(url_text));
  if (url.tls && options.tls_trust_pem.empty()) {
    return InvalidArgumentError(
        "wss:// needs the node's TLS certificate (or its CA) to trust "
        "(ConnectOptions::tls_trust_pem)");
  }
  if (!url.tls && !options.tls_trust_pem.empty()) {
    return InvalidArgumentError("a TLS trust PEM was given for a ws:// URL");
  }
  if (options.timeout <= std::chrono::milliseconds(0)) {
    return InvalidArgumentError("timeout must be positive");
  }
  auto impl = std::make_unique<Impl>();
  CERUMBRA_RETURN_IF_ERROR(impl->Open(url, options));
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Connection::~Connection() {
  if (impl_) impl_->Abort();
}

const VerificationReport& Connection::report() const { return impl_->report_; }

std::string Connection::fingerprint() const {
  return impl_->session_->Fingerprint();
}

Result<Answer> Connection::Chat(std::string_view content,
                                const ChatParams& params,
                                const TextCallback& on_text) {
  if (content.empty()) return InvalidArgumentError("empty message");
  CERUMBRA_ASSIGN_OR_RETURN(std::string request,
                            EncodeChatRequest(content, params));
  return impl_->Exchange(std::move(request), on_text);
}

Result<Answer> Connection::ChatMessages(std::span<const Message> messages,
                                        const ChatParams& params,
                                        const TextCallback& on_text) {
  CERUMBRA_ASSIGN_OR_RETURN(std::string request,
                            EncodeMessagesRequest(messages, params));
  return impl_->Exchange(std::move(request), on_text);
}

Status Connection::Reset() {
  auto answer = impl_->Exchange(R"({"type":"reset"})", {});
  if (!answer.ok()) return answer.status();
  return OkStatus();
}

void Connection::Cancel() { impl_->Cancel(); }

Status Connection::Close() { return impl_->Close(); }

std::string FormatReport(const VerificationReport& r) {
  std::string out;
  if (r.checks.checks.empty()) return "attestation: not appraised\n";
  out += "attestation: ";
  out += r.ok() ? "VERIFIED" : "REFUSED";
  out += "\n";
  out += "  evidence type: " + r.evidence_type;
  if (r.simulated) {
    out += "  ** SIMULATED - NOT HARDWARE PROTECTED **";
  }
  out += "\n";
  out += "  key protection: " + r.key_protection;
  if (!r.key_hardware_protected) {
    out += std::string("  ** ") + attest::kKeysNotProtectedLabel + " **";
  }
  out += "\n";
  out += std::string("  mode: ") +
         (r.strict ? "strict (keys not protected by hardware are refused)"
                   : "NOT strict (accepts keys not protected by hardware)") +
         "\n";
  for (const auto& m : r.measurements) {
    out += "  measurement " + m.name + " = " + m.value_hex +
           (m.pinned ? "  [pinned]" : "  [not pinned]") + "\n";
  }
  out +=
      "  root sha256: " + r.root_sha256_hex +
      (r.root_pinned ? "  [pinned]" : "  [NOT PINNED: trusted as presented]") +
      "\n";
  for (const attest::Check& c : r.checks.checks) {
    if (!c.passed) out += "  FAILED " + c.name + ": " + c.detail + "\n";
  }
  return out;
}

}  // namespace cerumbra::client
