// Copyright 2026 The Cerumbra Authors.

#include "server/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "crypto/secret_bytes.h"
#include "protocol/coalescer.h"
#include "protocol/handshake_messages.h"
#include "protocol/session.h"
#include "server/conversation.h"
#include "server/log.h"
#include "server/tls_files.h"

namespace cerumbra::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

// SessionBase is what the server knows of a WebSocket session, whatever
// its transport (TCP, or TLS over TCP).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // BeginShutdown: see WsSession::BeginShutdown.
  virtual void BeginShutdown() = 0;
};

// Shared state of the server, owned by Server::Impl, referenced by every
// connection (which the Impl outlives: Run returns only after every
// connection ended).
struct ServerState {
  ServerOptions options;
  protocol::QuoteSigner* signer = nullptr;
  inference::Engine* engine = nullptr;
  Metrics metrics;
  net::io_context ioc;
  // tls: set when the port speaks HTTPS and WSS (options.tls); shared by
  // every connection (OpenSSL's SSL_CTX is thread-safe once set up).
  std::optional<net::ssl::context> tls;
  std::atomic<bool> shutting_down{false};
  std::atomic<uint64_t> next_id{1};

  std::mutex mu;
  std::set<std::shared_ptr<SessionBase>> sessions;  // guarded by mu
};

namespace {

// A queued outgoing WebSocket message.
struct Outgoing {
  std::vector<uint8_t> bytes;
  bool text = false;
};

}  // namespace

// WsSession is one WebSocket connection: one Cerumbra session. NextLayer
// is beast::tcp_stream (ws://) or beast::ssl_stream of one (wss://).
template <class NextLayer>
class WsSession : public SessionBase,
                  public std::enable_shared_from_this<WsSession<NextLayer>> {
 public:
  // `next` is what NextLayer is made from: the accepted socket, or the
  // TLS stream after its handshake.
  template <class Next>
  WsSession(Next&& next, ServerState& state)
      : ws_(std::forward<Next>(next)),
        state_(state),
        id_(state.next_id++),
        timer_(ws_.get_executor()),
        tick_(ws_.get_executor()) {}

  ~WsSession() {
    request_.Wipe();
    WipeString(answer_);
    // Writes that never completed (the socket closed under them).
    if (queued_bytes_ != 0) {
      state_.metrics.WriteQueueChanged(-static_cast<int64_t>(queued_bytes_));
    }
  }

  // Start runs the WebSocket upgrade, then the protocol handshake; both
  // must finish by `deadline`. REQUIRES: the caller inserted this session
  // into state.sessions (under state.mu, with the max_sessions check, so
  // concurrent upgrades cannot overshoot the limit).
  void Start(http::request<http::string_body> req, Clock::time_point deadline) {
    state_.metrics.SessionOpened();
    Log(LogLevel::kInfo, "session_open",
        {{"session", static_cast<int64_t>(id_)}});
    net::dispatch(
        ws_.get_executor(),
        [self = this->shared_from_this(), req = std::move(req),
         deadline]() mutable { self->DoAccept(std::move(req), deadline); });
  }

  // BeginShutdown ends the session as Server::Shutdown describes. Called on
  // any thread; runs on the strand.
  void BeginShutdown() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->shutting_down_ = true;
      if (!self->session_) {
        self->Abort("shutdown");
        return;
      }
      if (self->generation_) {
        self->generation_->Cancel();  // END, then CLOSE, follow in OnDone
      } else {
        self->SendClose();
      }
    });
  }

 private:
  enum class Phase { kHandshake, kEstablished, kClosing, kDone };

  void DoAccept(http::request<http::string_body> req,
                Clock::time_point deadline) {
    const ServerLimits& limits = state_.options.limits;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = limits.handshake_timeout;
    // No WebSocket-level idle timeout or keep-alive pings: a client reads
    // only while it waits for an answer (the C++ client does), so a ping
    // sent between turns goes unanswered and Beast would drop a healthy
    // session after 30 s. The protocol's own idle timeout (limits.
    // idle_timeout: CLOSE, then abort after shutdown_grace) bounds idle
    // sessions instead, and the bounded write queue a dead reader.
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    websocket::permessage_deflate pmd;  // compression leaks lengths: off
    pmd.server_enable = false;
    pmd.client_enable = false;
    ws_.set_option(pmd);
    ws_.read_message_max(limits.max_frame);
    ws_.auto_fragment(false);
    ws_.set_option(
        websocket::stream_base::decorator([](websocket::response_type& res) {
          res.set(http::field::server, "cerumbra");
        }));
    // The handshake must finish within handshake_timeout of the start of
    // the upgrade request (a slow upgrade leaves less time for the rest).
    timer_.expires_at(deadline);
    timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock(); self && self->phase_ == Phase::kHandshake) {
        self->state_.metrics.HandshakeFailed(HandshakeFailure::kTimeout);
        self->Abort("handshake_timeout");
      }
    });
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::OnAccept,
                                                    this->shared_from_this()));
  }

  void OnAccept(beast::error_code ec) {
    if (ec) {
      state_.metrics.HandshakeFailed(HandshakeFailure::kTransport);
      return Finish("accept_failed");
    }
    DoRead();
  }

  void DoRead() {
    ws_.async_read(buffer_, beast::bind_front_handler(
                                &WsSession::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (ec) {
      if (phase_ == Phase::kHandshake) {
        state_.metrics.HandshakeFailed(HandshakeFailure::kTransport);
      }
      if (ec == websocket::error::message_too_big) {
        Fail("frame_too_large");
        return;
      }
      if (session_ && phase_ != Phase::kDone) {
        // The transport ended: clean only after both CLOSEs.
        Status s = session_->ConnectionEnded();
        if (!s.ok()) state_.metrics.SessionFailed();
        return Finish(s.ok() ? "closed" : "truncated");
      }
      return Finish("connection_ended");
    }
    auto data = buffer_.cdata();
    std::span<const uint8_t> bytes(static_cast<const uint8_t*>(data.data()),
                                   data.size());
    bool keep_reading = true;
    if (phase_ == Phase::kHandshake) {
      keep_reading = HandleHandshake(ws_.got_text(), bytes);
    } else {
      keep_reading = HandleRecord(ws_.got_binary(), bytes);
    }
    buffer_.consume(buffer_.size());
    if (keep_reading) DoRead();
  }

  bool HandleHandshake(bool is_text, std::span<const uint8_t> bytes) {
    if (!is_text) {
      state_.metrics.HandshakeFailed(HandshakeFailure::kBadRequest);
      Fail("binary_before_handshake");
      return false;
    }
    auto handshake =
        protocol::NodeHandshake::Create(SessionOptionsFromLimits());
    if (!handshake.ok()) {
      Fail("internal");
      return false;
    }
    std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                          bytes.size());
    protocol::NodeHandshakeResult result =
        handshake.value().HandleRequest(text, *state_.signer, NowMs());
    Queue(std::vector<uint8_t>(result.reply_text.begin(),
                               result.reply_text.end()),
          /*text=*/true);
    if (!result.session.ok()) {
      const Status& s = result.session.status();
      HandshakeFailure reason = HandshakeFailure::kBadRequest;
      if (s.message().find("unsupported protocol version") !=
          std::string::npos) {
        reason = HandshakeFailure::kUnsupportedVersion;
      } else if (s.code() == StatusCode::kInternal ||
                 s.code() == StatusCode::kUnavailable) {
        reason = HandshakeFailure::kSigner;
      }
      state_.metrics.HandshakeFailed(reason);
      Log(LogLevel::kInfo, "handshake_failed",
          {{"session", static_cast<int64_t>(id_)},
           {"code", std::string(StatusCodeName(s.code()))}});
      CloseAfterWrites(websocket::close_code::policy_error);
      return false;
    }
    session_.emplace(std::move(result.session).value());
    phase_ = Phase::kEstablished;
    timer_.cancel();
    state_.metrics.HandshakeSucceeded();
    Log(LogLevel::kInfo, "session_established",
        {{"session", static_cast<int64_t>(id_)}});
    ArmIdleTimer();
    if (shutting_down_) SendClose();
    return true;
  }

  bool HandleRecord(bool is_binary, std::span<const uint8_t> frame) {
    if (phase_ == Phase::kDone) return false;
    if (!is_binary) {
      Fail("text_after_handshake");
      return false;
    }
    auto events = session_->Receive(frame);
    if (!events.ok()) {
      Fail("record_rejected");
      return false;
    }
    for (protocol::Event& event : events.value()) {
      switch (event.type) {
        case protocol::EventType::kData:
          if (generation_) {
            // §10.1: one request at a time.
            crypto::Wipe(event.bytes);
            {
              Fail("request_while_busy");
              return false;
            }
          }
          if (request_.size() + event.bytes.size() >
              state_.options.limits.max_prompt) {
            crypto::Wipe(event.bytes);
            {
              Fail("prompt_too_large");
              return false;
            }
          }
          request_.Append(event.bytes);
          crypto::Wipe(event.bytes);
          break;
        case protocol::EventType::kEnd:
          if (generation_) {
            Fail("request_while_busy");
            return false;
          }
          if (phase_ != Phase::kEstablished) {
            request_.Wipe();  // we are closing: no new work
            break;
          }
          HandleRequest();
          break;
        case protocol::EventType::kCancel:
          if (generation_) generation_->Cancel();
          break;
        case protocol::EventType::kSend:
          Queue(std::move(event.bytes), /*text=*/false);
          break;
        case protocol::EventType::kClose:
          // Our answering CLOSE (if any) comes as a kSend event.
          if (generation_) generation_->Cancel();
          break;
      }
    }
    if (session_->state() == protocol::SessionState::kClosed) {
      phase_ = Phase::kDone;
      CloseAfterWrites(websocket::close_code::normal);
      return false;
    }
    return true;
  }

  void HandleRequest() {
    state_.metrics.RequestStarted();
    last_activity_ = Clock::now();
    RequestLimits limits{state_.options.limits.max_tokens,
                         state_.options.limits.default_max_tokens};
    auto parsed = ParseRequest(request_.view(), limits);
    request_.Wipe();
    if (!parsed.ok()) {
      Log(LogLevel::kInfo, "request_rejected",
          {{"session", static_cast<int64_t>(id_)}});
      return SendResponseEnd(EncodeEnd(inference::FinishReason::kError, nullptr,
                                       ResponseError::kBadRequest));
    }
    ChatRequest& request = parsed.value();
    if (request.type == RequestType::kReset) {
      conversation_.Reset();
      return SendResponseEnd(EncodeEnd(inference::FinishReason::kStop, nullptr,
                                       ResponseError::kNone));
    }
    if (!request.messages.empty()) {
      conversation_.Replace(std::move(request.messages));
    } else {
      conversation_.AddUser(std::move(request.content));
    }
    inference::GenerationRequest gen;
    gen.messages = conversation_.messages();
    gen.params = std::move(request.params);
    std::weak_ptr<WsSession> weak = this->weak_from_this();
    auto executor = ws_.get_executor();
    gen.on_text = [weak, executor](std::string_view text) {
      net::post(executor, [weak, piece = std::string(text)]() mutable {
        if (auto self = weak.lock()) self->OnText(piece);
        WipeString(piece);
      });
    };
    gen.on_done = [weak, executor](const inference::Completion& done) {
      net::post(executor, [weak, done] {
        if (auto self = weak.lock()) self->OnDone(done);
      });
    };
    request_started_ = Clock::now();
    first_text_ = true;
    auto started = state_.engine->Start(std::move(gen));
    if (!started.ok()) {
      conversation_.DropLastUser();
      bool busy = started.status().code() == StatusCode::kResourceExhausted;
      Log(LogLevel::kWarning, "generation_refused",
          {{"session", static_cast<int64_t>(id_)},
           {"code", std::string(StatusCodeName(started.status().code()))}});
      return SendResponseEnd(
          EncodeEnd(inference::FinishReason::kError, nullptr,
                    busy ? ResponseError::kBusy : ResponseError::kEngine));
    }
    generation_ = std::move(started).value();
    state_.metrics.QueueDepthChanged(+1);
    if (state_.options.coalesce_ms > 0) {
      if (!coalescer_) coalescer_.emplace();
      ArmTick();
    }
  }

  void OnText(const std::string& piece) {
    if (!generation_ || !session_) return;
    Clock::time_point now = Clock::now();
    if (first_text_) {
      state_.metrics.ObserveTimeToFirstToken(SecondsSince(request_started_));
      first_text_ = false;
    } else {
      state_.metrics.ObserveInterToken(
          std::chrono::duration<double>(now - last_text_).count());
    }
    last_text_ = now;
    answer_.append(piece);
    std::span<const uint8_t> bytes(
        reinterpret_cast<const uint8_t*>(piece.data()), piece.size());
    if (coalescer_) {
      coalescer_->Push(bytes);
      return;
    }
    SendText(bytes);
  }

  void SendText(std::span<const uint8_t> bytes) {
    if (bytes.empty()) return;
    auto frames = session_->SendData(bytes);
    if (!frames.ok()) return (void)Fail("send_failed");
    for (auto& f : frames.value()) Queue(std::move(f), false);
  }

  // Tick sends what the coalescer holds, one DATA record per tick (§6.5).
  void ArmTick() {
    tick_.expires_after(std::chrono::milliseconds(state_.options.coalesce_ms));
    tick_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self || !self->generation_ || !self->coalescer_) return;
      std::vector<uint8_t> chunk = self->coalescer_->Tick();
      self->SendText(chunk);
      crypto::Wipe(chunk);
      self->ArmTick();
    });
  }

  void OnDone(const inference::Completion& done) {
    if (!generation_) return;
    generation_.reset();
    state_.metrics.QueueDepthChanged(-1);
    state_.metrics.TokensGenerated(
        static_cast<uint64_t>(done.usage.completion_tokens));
    if (!session_ || phase_ == Phase::kDone) return;
    ResponseError error = ResponseError::kNone;
    if (done.finish_reason == inference::FinishReason::kError) {
      error = done.status.code() == StatusCode::kResourceExhausted
                  ? ResponseError::kContextFull
                  : ResponseError::kEngine;
    }
    if (error != ResponseError::kNone && answer_.empty()) {
      conversation_.DropLastUser();
    } else {
      conversation_.AddAssistant(std::move(answer_));
    }
    answer_.clear();
    Log(LogLevel::kInfo, "response_done",
        {{"session", static_cast<int64_t>(id_)},
         {"finish_reason", FinishName(done.finish_reason)},
         {"prompt_tokens", done.usage.prompt_tokens},
         {"completion_tokens", done.usage.completion_tokens}});
    if (coalescer_) {
      for (std::vector<uint8_t>& chunk : coalescer_->Drain()) {
        if (phase_ == Phase::kEstablished) SendText(chunk);
        crypto::Wipe(chunk);
      }
      tick_.cancel();
    }
    if (phase_ == Phase::kClosing) return;  // the peer closed; no END
    SendResponseEnd(EncodeEnd(done.finish_reason, &done.usage, error));
    if (shutting_down_) SendClose();
  }

  static const char* FinishName(inference::FinishReason r) {
    switch (r) {
      case inference::FinishReason::kStop:
        return "stop";
      case inference::FinishReason::kLength:
        return "length";
      case inference::FinishReason::kCancelled:
        return "cancelled";
      case inference::FinishReason::kError:
        return "error";
    }
    return "error";
  }

  void SendResponseEnd(const std::string& end_json) {
    auto frames = session_->SendEnd(end_json);
    if (!frames.ok()) return (void)Fail("send_failed");
    for (auto& f : frames.value()) Queue(std::move(f), false);
    last_activity_ = Clock::now();
  }

  void SendClose() {
    if (!session_ || phase_ != Phase::kEstablished) return;
    auto frames = session_->Close();
    if (!frames.ok()) return (void)Fail("close_failed");
    for (auto& f : frames.value()) Queue(std::move(f), false);
    phase_ = Phase::kClosing;
    // Wait a little for the peer's CLOSE, then end anyway.
    timer_.expires_after(state_.options.limits.shutdown_grace);
    timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock(); self && self->phase_ != Phase::kDone) {
        self->Abort("close_timeout");
      }
    });
  }

  void ArmIdleTimer() {
    last_activity_ = Clock::now();
    timer_.expires_after(state_.options.limits.idle_timeout);
    timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self || self->phase_ != Phase::kEstablished) return;
      auto idle = Clock::now() - self->last_activity_;
      if (self->generation_ || self->session_->receiving_message() ||
          idle < self->state_.options.limits.idle_timeout) {
        self->ArmIdleTimerAt(self->last_activity_ +
                             self->state_.options.limits.idle_timeout);
        return;
      }
      Log(LogLevel::kInfo, "session_idle",
          {{"session", static_cast<int64_t>(self->id_)}});
      self->SendClose();
    });
  }

  void ArmIdleTimerAt(Clock::time_point when) {
    if (when <= Clock::now()) when = Clock::now() + std::chrono::seconds(1);
    timer_.expires_at(when);
    timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->ArmIdleTimer();
    });
  }

  protocol::SessionOptions SessionOptionsFromLimits() const {
    protocol::SessionOptions o;
    o.pad_records = state_.options.pad_records;
    o.limits.max_message = state_.options.limits.max_prompt;
    return o;
  }

  // Queue adds a message to the write queue; a client that lets it grow
  // past write_queue_bytes is failed.
  void Queue(std::vector<uint8_t> bytes, bool text) {
    if (phase_ == Phase::kDone && !text) return;
    if (queued_bytes_ + bytes.size() >
        state_.options.limits.write_queue_bytes) {
      Log(LogLevel::kWarning, "write_queue_full",
          {{"session", static_cast<int64_t>(id_)},
           {"queued_bytes",
            static_cast<int64_t>(queued_bytes_ + bytes.size())}});
      // The write in flight still uses queue_.front(): keep the queue; the
      // closed socket fails that write and OnWrite drops the rest.
      if (generation_) generation_->Cancel();
      Abort("slow_reader");
      return;
    }
    AddQueued(static_cast<int64_t>(bytes.size()));
    queue_.push_back({std::move(bytes), text});
    if (!writing_) DoWrite();
  }

  void DoWrite() {
    if (queue_.empty()) {
      writing_ = false;
      if (close_after_writes_) DoClose();
      return;
    }
    writing_ = true;
    ws_.text(queue_.front().text);
    ws_.binary(!queue_.front().text);
    ws_.async_write(net::buffer(queue_.front().bytes),
                    beast::bind_front_handler(&WsSession::OnWrite,
                                              this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t /*bytes*/) {
    if (ec) {
      writing_ = false;
      queue_.clear();
      AddQueued(-static_cast<int64_t>(queued_bytes_));
      return Finish("write_failed");
    }
    AddQueued(-static_cast<int64_t>(queue_.front().bytes.size()));
    queue_.pop_front();
    DoWrite();
  }

  // Fail ends the session with the opaque error (§8): the error message if
  // the handshake has not finished or the transport still works, then a
  // policy close. Returns nothing useful; callers stop reading.
  bool Fail(std::string_view reason) {
    if (phase_ == Phase::kDone) return false;
    if (session_) state_.metrics.SessionFailed();
    Log(LogLevel::kInfo, "session_failed",
        {{"session", static_cast<int64_t>(id_)}, {"reason", reason}});
    if (generation_) generation_->Cancel();
    session_.reset();  // wipes the keys
    phase_ = Phase::kDone;
    std::string text =
        protocol::SerializeErrorMessage(protocol::ErrorCode::kSessionFailed);
    queue_.push_back({std::vector<uint8_t>(text.begin(), text.end()), true});
    AddQueued(static_cast<int64_t>(text.size()));
    CloseAfterWrites(websocket::close_code::policy_error);
    if (!writing_) DoWrite();
    return false;
  }

  // AddQueued keeps queued_bytes_ and the node-wide gauge in step.
  void AddQueued(int64_t delta) {
    queued_bytes_ =
        static_cast<size_t>(static_cast<int64_t>(queued_bytes_) + delta);
    state_.metrics.WriteQueueChanged(delta);
  }

  void CloseAfterWrites(websocket::close_code code) {
    close_code_ = code;
    close_after_writes_ = true;
    if (!writing_ && queue_.empty()) DoClose();
  }

  void DoClose() {
    if (closing_ws_) return;
    closing_ws_ = true;
    ws_.async_close(close_code_,
                    [self = this->shared_from_this()](beast::error_code) {
                      self->Finish("closed");
                    });
  }

  // Abort closes the TCP connection at once (no WebSocket close).
  void Abort(std::string_view reason) {
    Log(LogLevel::kInfo, "session_aborted",
        {{"session", static_cast<int64_t>(id_)}, {"reason", reason}});
    if (generation_) generation_->Cancel();
    session_.reset();
    phase_ = Phase::kDone;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both,
                                                   ec);
    beast::get_lowest_layer(ws_).close();
    Finish(reason);
  }

  // Finish releases everything once; the session object dies when the last
  // handler holding it returns.
  void Finish(std::string_view reason) {
    if (finished_) return;
    finished_ = true;
    phase_ = Phase::kDone;
    timer_.cancel();
    tick_.cancel();
    if (generation_) {
      generation_->Cancel();
      generation_.reset();
      state_.metrics.QueueDepthChanged(-1);
    }
    session_.reset();
    conversation_.Reset();
    request_.Wipe();
    WipeString(answer_);
    state_.metrics.SessionClosed();
    Log(LogLevel::kInfo, "session_end",
        {{"session", static_cast<int64_t>(id_)}, {"reason", reason}});
    std::shared_ptr<SessionBase> self = this->shared_from_this();
    std::lock_guard<std::mutex> lock(state_.mu);
    state_.sessions.erase(self);
  }

  // RequestBuffer accumulates a request's DATA and wipes it.
  class RequestBuffer {
   public:
    void Append(std::span<const uint8_t> b) {
      bytes_.insert(bytes_.end(), b.begin(), b.end());
    }
    size_t size() const { return bytes_.size(); }
    std::span<const uint8_t> view() const { return bytes_; }
    void Wipe() {
      crypto::Wipe(bytes_);
      bytes_.clear();
    }

   private:
    std::vector<uint8_t> bytes_;
  };

  websocket::stream<NextLayer> ws_;
  ServerState& state_;
  const uint64_t id_;
  beast::flat_buffer buffer_;
  net::steady_timer timer_;
  net::steady_timer tick_;
  Phase phase_ = Phase::kHandshake;
  std::optional<protocol::Session> session_;
  std::optional<protocol::Coalescer> coalescer_;
  Conversation conversation_;
  RequestBuffer request_;
  std::unique_ptr<inference::Generation> generation_;
  std::string answer_;
  bool first_text_ = true;
  Clock::time_point request_started_;
  Clock::time_point last_text_;
  Clock::time_point last_activity_ = Clock::now();
  std::deque<Outgoing> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_after_writes_ = false;
  bool closing_ws_ = false;
  bool finished_ = false;
  bool shutting_down_ = false;
  websocket::close_code close_code_ = websocket::close_code::normal;
};

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// HttpSession serves HTTP requests on one connection and hands WebSocket
// upgrades at /ws to a WsSession. Stream is beast::tcp_stream (plain HTTP)
// or TlsStream (HTTPS: the TLS handshake comes first, under the same
// handshake_timeout as a request).
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `args` make the Stream: the accepted socket, and for TLS the context.
  template <class... Args>
  explicit HttpSession(ServerState& state, Args&&... args)
      : stream_(std::forward<Args>(args)...), state_(state) {}

  void Start() {
    if constexpr (kTls) {
      net::dispatch(stream_.get_executor(),
                    beast::bind_front_handler(&HttpSession::DoTlsHandshake,
                                              this->shared_from_this()));
    } else {
      net::dispatch(stream_.get_executor(),
                    beast::bind_front_handler(&HttpSession::DoRead,
                                              this->shared_from_this()));
    }
  }

 private:
  void DoTlsHandshake() {
    beast::get_lowest_layer(stream_).expires_after(
        state_.options.limits.handshake_timeout);
    stream_.async_handshake(
        net::ssl::stream_base::server,
        beast::bind_front_handler(&HttpSession::OnTlsHandshake,
                                  this->shared_from_this()));
  }

  void OnTlsHandshake(beast::error_code ec) {
    if (ec) {
      // Not TLS (plain HTTP to an HTTPS port), an old version, no common
      // cipher, a timeout: the connection is dropped; the reason is for
      // debugging only (OpenSSL's text, no peer data).
      Log(LogLevel::kDebug, "tls_handshake_failed", {{"error", ec.message()}});
      beast::get_lowest_layer(stream_).close();
      return;
    }
    DoRead();
  }

  void DoRead() {
    request_started_ = Clock::now();
    parser_.emplace();
    parser_->body_limit(state_.options.limits.http_body_bytes);
    parser_->header_limit(
        static_cast<uint32_t>(state_.options.limits.http_header_bytes));
    beast::get_lowest_layer(stream_).expires_after(
        state_.options.limits.handshake_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::OnRead,
                                               this->shared_from_this()));
  }

  // ShutdownSend ends the connection after the last response: a TCP
  // half-close, or TLS close_notify then close.
  void ShutdownSend() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(
          state_.options.limits.handshake_timeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) {
            beast::get_lowest_layer(self->stream_).close();
          });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) {
      return ShutdownSend();
    }
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        return Reply(
            Error(http::status::payload_too_large, 11, "request too large"),
            false);
      }
      return;  // timeout or reset: drop the connection
    }
    http::request<http::string_body> req = parser_->release();
    if (websocket::is_upgrade(req)) {
      if (req.target() != "/ws") {
        return Reply(Error(http::status::not_found, req.version(),
                           "WebSocket endpoint is /ws"),
                     false);
      }
      if (state_.shutting_down) {
        return Reply(Error(http::status::service_unavailable, req.version(),
                           "shutting down"),
                     false);
      }
      // The check and the insertion are one step under state.mu, so
      // concurrent upgrades never take more than max_sessions slots.
      using Ws =
          WsSession<std::conditional_t<kTls, TlsStream, beast::tcp_stream>>;
      std::shared_ptr<Ws> ws;
      {
        std::lock_guard<std::mutex> lock(state_.mu);
        if (state_.sessions.size() >= state_.options.limits.max_sessions) {
          Log(LogLevel::kWarning, "session_refused", {{"reason", "full"}});
          return Reply(Error(http::status::service_unavailable, req.version(),
                             "too many sessions"),
                       false);
        }
        beast::get_lowest_layer(stream_).expires_never();
        if (size_t n = state_.options.limits.socket_send_buffer; n > 0) {
          beast::error_code ignored;
          beast::get_lowest_layer(stream_).socket().set_option(
              net::socket_base::send_buffer_size(static_cast<int>(n)), ignored);
        }
        if constexpr (kTls) {
          ws = std::make_shared<Ws>(std::move(stream_), state_);
        } else {
          ws = std::make_shared<Ws>(stream_.release_socket(), state_);
        }
        state_.sessions.insert(ws);
      }
      ws->Start(std::move(req),
                request_started_ + state_.options.limits.handshake_timeout);
      return;
    }
    bool keep_alive = req.keep_alive();
    http::response<http::string_body> res = Handle(req);
    if (req.method() == http::verb::head) {
      // HEAD: the GET headers, Content-Length included, and no body.
      res.prepare_payload();
      const size_t length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    Reply(std::move(res), keep_alive);
  }

  http::response<http::string_body> Error(http::status status, unsigned version,
                                          std::string_view message) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::string(message) + "\n";
    return res;
  }

  http::response<http::string_body> Handle(
      const http::request<http::string_body>& req) {
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      auto res = Error(http::status::method_not_allowed, req.version(),
                       "only GET and HEAD");
      res.set(http::field::allow, "GET, HEAD");
      return res;
    }
    std::string target(req.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    http::response<http::string_body> res{http::status::ok, req.version()};
    if (target == "/healthz" && state_.options.healthz) {
      res.set(http::field::content_type, "application/json");
      res.body() = state_.options.healthz();
    } else if (target == "/metrics") {
      res.set(http::field::content_type,
              "text/plain; version=0.0.4; charset=utf-8");
      res.body() = state_.metrics.Render();
    } else if (target == state_.options.attestation_document_path &&
               state_.options.attestation_document) {
      res.set(http::field::content_type, "application/json");
      res.body() = state_.options.attestation_document();
    } else {
      if (target == "/") target = "/index.html";
      auto it = state_.options.static_files.find(target);
      if (it == state_.options.static_files.end()) {
        return Error(http::status::not_found, req.version(), "not found");
      }
      res.set(http::field::content_type, it->second.content_type);
      res.body() = it->second.body;
    }
    res.set(http::field::cache_control, "no-store");
    return res;
  }

  void Reply(http::response<http::string_body> res, bool keep_alive) {
    res.set(http::field::server, "cerumbra");
    // The page may load only its own files and talk only to this node:
    // 'self' in connect-src covers ws:// and wss:// to this origin's host
    // and port (CSP Level 3), and nothing else, so a crafted link cannot
    // point the node's own page at another host.
    res.set("Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Cross-Origin-Opener-Policy", "same-origin");
    res.keep_alive(keep_alive);
    if (!res.has_content_length()) res.prepare_payload();
    auto sp =
        std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *sp,
                      [self = this->shared_from_this(), sp, keep_alive](
                          beast::error_code ec, size_t) {
                        if (ec) return;
                        if (!keep_alive) return self->ShutdownSend();
                        self->DoRead();
                      });
  }

  Stream stream_;
  ServerState& state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Clock::time_point request_started_ = Clock::now();
};

}  // namespace

struct Server::Impl {
  ServerState state;
  std::optional<tcp::acceptor> acceptor;
  uint16_t port = 0;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<net::steady_timer> shutdown_timer;

  void DoAccept() {
    acceptor->async_accept(net::make_strand(state.ioc), [this](beast::error_code
                                                                   ec,
                                                               tcp::socket
                                                                   socket) {
      if (ec) {
        if (!state.shutting_down) {
          Log(LogLevel::kWarning, "accept_failed", {{"error", ec.message()}});
          DoAccept();
        }
        return;
      }
      // Every record is written as soon as it is sealed; Nagle's algorithm
      // would hold a token's record back until the previous one is
      // acknowledged (docs/performance.md "End to end").
      beast::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);
      if (state.tls) {
        std::make_shared<HttpSession<TlsStream>>(state, std::move(socket),
                                                 *state.tls)
            ->Start();
      } else {
        std::make_shared<HttpSession<beast::tcp_stream>>(state,
                                                         std::move(socket))
            ->Start();
      }
      DoAccept();
    });
  }

  void WaitForSessions(Clock::time_point deadline) {
    size_t left = 0;
    {
      std::lock_guard<std::mutex> lock(state.mu);
      left = state.sessions.size();
    }
    if (left == 0 || Clock::now() >= deadline) {
      if (left != 0) {
        Log(LogLevel::kWarning, "shutdown_forced",
            {{"sessions", static_cast<int64_t>(left)}});
      }
      Log(LogLevel::kInfo, "shutdown_complete");
      work.reset();
      state.ioc.stop();
      return;
    }
    shutdown_timer->expires_after(std::chrono::milliseconds(20));
    shutdown_timer->async_wait([this, deadline](beast::error_code ec) {
      if (!ec) WaitForSessions(deadline);
    });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  impl_->work.reset();
  impl_->state.ioc.stop();
}

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options,
                                               protocol::QuoteSigner& signer,
                                               inference::Engine& engine) {
  const ServerLimits& l = options.limits;
  if (l.max_sessions == 0) {
    return InvalidArgumentError("max_sessions must be at least 1");
  }
  if (l.max_frame < protocol::kMaxRecordFrameSize ||
      l.max_frame < protocol::kMaxAttestRequestSize) {
    return InvalidArgumentError(
        "max_frame must hold a record frame (16410 bytes)");
  }
  if (l.max_prompt == 0 || l.max_prompt > 1024 * 1024) {
    return InvalidArgumentError("max_prompt must be 1 byte to 1 MiB");
  }
  if (l.write_queue_bytes < 2 * protocol::kMaxRecordFrameSize) {
    return InvalidArgumentError("write_queue_bytes must be at least 32820");
  }
  if (l.max_tokens < 1 || l.default_max_tokens < 1 ||
      l.default_max_tokens > l.max_tokens) {
    return InvalidArgumentError("need 1 <= default_max_tokens <= max_tokens");
  }
  if (l.socket_send_buffer > (64u << 20)) {
    return InvalidArgumentError("socket_send_buffer must be at most 64 MiB");
  }
  if (l.handshake_timeout.count() <= 0 || l.idle_timeout.count() <= 0) {
    return InvalidArgumentError("timeouts must be positive");
  }
  if (options.io_threads < 1 || options.io_threads > 64) {
    return InvalidArgumentError("io_threads must be 1..64");
  }
  auto impl = std::make_unique<Impl>();
  if (options.tls.has_value()) {
    CERUMBRA_ASSIGN_OR_RETURN(crypto::TlsContext tls,
                              LoadTlsFiles(options.tls->certificate_path,
                                           options.tls->private_key_path));
    impl->state.tls.emplace(std::move(tls).Release());
  }
  impl->state.options = std::move(options);
  impl->state.signer = &signer;
  impl->state.engine = &engine;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Start() {
  Impl& i = *impl_;
  beast::error_code ec;
  auto address = net::ip::make_address(i.state.options.host, ec);
  if (ec) {
    return InvalidArgumentError("bad listen address: " + i.state.options.host);
  }
  tcp::endpoint endpoint(address, i.state.options.port);
  i.acceptor.emplace(net::make_strand(i.state.ioc));
  i.acceptor->open(endpoint.protocol(), ec);
  if (!ec) i.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor->bind(endpoint, ec);
  if (!ec) i.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("cannot listen on " + i.state.options.host + ":" +
                            std::to_string(i.state.options.port) + ": " +
                            ec.message());
  }
  i.port = i.acceptor->local_endpoint().port();
  i.work.emplace(i.state.ioc.get_executor());
  i.shutdown_timer.emplace(i.state.ioc);
  i.DoAccept();
  Log(LogLevel::kInfo, "listening",
      {{"host", i.state.options.host},
       {"port", static_cast<int64_t>(i.port)},
       {"scheme", i.state.tls ? "https" : "http"}});
  return OkStatus();
}

uint16_t Server::port() const { return impl_->port; }

void Server::Run() {
  std::vector<std::thread> threads;
  for (int t = 1; t < impl_->state.options.io_threads; ++t) {
    threads.emplace_back([this] { impl_->state.ioc.run(); });
  }
  impl_->state.ioc.run();
  for (auto& t : threads) t.join();
}

void Server::Shutdown() {
  Impl& i = *impl_;
  if (i.state.shutting_down.exchange(true)) return;
  net::post(i.state.ioc, [&i] {
    Log(LogLevel::kInfo, "shutdown_started");
    beast::error_code ec;
    if (i.acceptor) i.acceptor->close(ec);
    std::vector<std::shared_ptr<SessionBase>> sessions;
    {
      std::lock_guard<std::mutex> lock(i.state.mu);
      sessions.assign(i.state.sessions.begin(), i.state.sessions.end());
    }
    for (auto& s : sessions) s->BeginShutdown();
    i.WaitForSessions(Clock::now() + i.state.options.limits.shutdown_grace +
                      std::chrono::milliseconds(500));
  });
}

Metrics& Server::metrics() { return impl_->state.metrics; }

}  // namespace cerumbra::server
