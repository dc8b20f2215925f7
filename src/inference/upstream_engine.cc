// Copyright 2026 The Cerumbra Authors.
//
// Shape after Boost.Beast's example/http/client/async (one object per
// request, shared_from_this, handlers on the connection's strand), with the
// body read through a buffer_body parser so that events are parsed as they
// arrive. Beast and Asio report errors through error_code here; nothing
// below throws except on allocation failure.

#include "inference/upstream_engine.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "inference/openai_stream.h"
#include "inference/upstream_request.h"
#include "inference/upstream_text.h"

namespace cerumbra::inference {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kReadChunkBytes = 16 * 1024;
constexpr size_t kMaxModelNameBytes = 256;

std::string Ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

Status HttpStatusError(int code, const std::string& message) {
  std::string text = "upstream HTTP " + std::to_string(code);
  text += message.empty() ? " (no JSON error message)" : ": " + message;
  switch (code) {
    case 400:
    case 413:
    case 422:
      return InvalidArgumentError(text);
    case 404:
      return NotFoundError(text);
    case 429:
      return ResourceExhaustedError(text);
    default:
      return UnavailableError(text);
  }
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b));
                    });
}

void WipeBytes(void* data, size_t size) {
  volatile char* p = static_cast<char*>(data);
  for (size_t i = 0; i < size; ++i) p[i] = 0;
}

class Call;

}  // namespace

class UpstreamEngine::Impl {
 public:
  Impl(UpstreamOptions options, UpstreamUrl url)
      : options_(std::move(options)),
        url_(std::move(url)),
        port_text_(std::to_string(url_.port)),
        target_(url_.ChatCompletionsTarget()),
        host_header_(url_.HostHeader()),
        guard_(asio::make_work_guard(ioc_)) {
    limits_.max_tokens_limit = options_.max_tokens_limit;
  }

  ~Impl() { CERUMBRA_CHECK(threads_.empty()); }

  void StartThreads() {
    for (int i = 0; i < options_.io_threads; ++i) {
      threads_.emplace_back([this] { RunIo(); });
    }
  }

  Result<std::unique_ptr<Generation>> Start(const std::shared_ptr<Impl>& self,
                                            GenerationRequest request);
  void Shutdown();
  void CancelCall(const std::weak_ptr<Call>& call);
  // OnCallDone is called by a Call as it finishes, before its on_done.
  void OnCallDone(const Call* call, bool without_usage);

  const UpstreamOptions& options() const { return options_; }
  const UpstreamUrl& url() const { return url_; }
  const std::string& port_text() const { return port_text_; }
  const std::string& target() const { return target_; }
  const std::string& host_header() const { return host_header_; }
  uint64_t without_usage() const { return without_usage_.load(); }

 private:
  void RunIo() {
    // Handlers report errors as values; a throw here is a bug (or OOM).
    try {
      ioc_.run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "upstream engine: I/O thread failed: %s\n",
                   e.what());
      std::abort();
    }
  }

  const UpstreamOptions options_;
  const UpstreamUrl url_;
  const std::string port_text_;
  const std::string target_;
  const std::string host_header_;
  RequestLimits limits_;
  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>>
      guard_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> without_usage_{0};

  std::mutex shutdown_mu_;  // serializes Shutdown calls
  std::mutex mu_;
  std::condition_variable idle_cv_;
  bool shutting_down_ = false;  // guarded by mu_
  // closed_: nothing may be posted to ioc_ any more. Guarded by mu_.
  bool closed_ = false;
  // Generations queued or running. Guarded by mu_.
  std::unordered_map<const Call*, std::shared_ptr<Call>> active_;
};

namespace {

// Call is one generation: one connection, one request, one stream.
// Invariant: every member is touched only on strand_ (after construction).
class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(UpstreamEngine::Impl* engine, asio::io_context& ioc,
       GenerationRequest request, std::string body)
      : engine_(engine),
        strand_(asio::make_strand(ioc)),
        resolver_(strand_),
        socket_(strand_),
        timer_(strand_),
        stream_(ChatStreamLimits{engine->options().max_line_bytes,
                                 engine->options().max_event_bytes}),
        on_text_(std::move(request.on_text)),
        on_done_(std::move(request.on_done)),
        body_(std::move(body)),
        read_buf_(kReadChunkBytes),
        start_(Clock::now()) {}

  ~Call() {
    WipeString(body_);
    WipeString(request_.body());
    WipeString(error_body_);
    WipeBytes(read_buf_.data(), read_buf_.size());
  }

  using Strand = asio::strand<asio::io_context::executor_type>;
  const Strand& strand() const { return strand_; }

  // Run begins the request. On the strand.
  void Run() {
    if (done_) return;
    const UpstreamOptions& o = engine_->options();
    phase_ = Phase::kConnect;
    ArmTimer(o.connect_timeout);
    resolver_.async_resolve(
        engine_->url().host, engine_->port_text(),
        beast::bind_front_handler(&Call::OnResolve, shared_from_this()));
  }

  // Cancel ends the generation with kCancelled. On the strand.
  void Cancel(std::string_view why) {
    if (done_) return;
    Completion c;
    c.finish_reason = FinishReason::kCancelled;
    c.status = CancelledError(why);
    c.usage = CountedUsage();
    Finish(std::move(c), /*without_usage=*/false);
  }

 private:
  enum class Phase { kConnect, kFirstByte, kStream, kErrorBody };

  void ArmTimer(std::chrono::milliseconds timeout) {
    const uint64_t generation = ++timer_generation_;
    timer_.expires_after(timeout);
    timer_.async_wait(
        [self = shared_from_this(), generation, timeout](beast::error_code ec) {
          if (ec || self->done_ || generation != self->timer_generation_)
            return;
          self->OnTimeout(timeout);
        });
  }

  void OnTimeout(std::chrono::milliseconds timeout) {
    switch (phase_) {
      case Phase::kConnect:
        return Fail(DeadlineExceededError("connecting to upstream " +
                                          engine_->url().Display() +
                                          " timed out after " + Ms(timeout)));
      case Phase::kFirstByte:
        return Fail(DeadlineExceededError("upstream sent no response within " +
                                          Ms(timeout)));
      case Phase::kStream:
      case Phase::kErrorBody:
        return Fail(DeadlineExceededError("upstream stream was idle for " +
                                          Ms(timeout)));
    }
  }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (done_) return;
    if (ec) {
      return Fail(UnavailableError("cannot resolve upstream host of " +
                                   engine_->url().Display() + ": " +
                                   ec.message()));
    }
    asio::async_connect(
        socket_, results,
        beast::bind_front_handler(&Call::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (done_) return;
    if (ec == asio::error::connection_refused) {
      return Fail(UnavailableError("upstream " + engine_->url().Display() +
                                   " refused the connection"));
    }
    if (ec) {
      return Fail(UnavailableError("cannot connect to upstream " +
                                   engine_->url().Display() + ": " +
                                   ec.message()));
    }
    const UpstreamOptions& o = engine_->options();
    phase_ = Phase::kFirstByte;
    ArmTimer(o.first_byte_timeout);
    request_.method(http::verb::post);
    request_.target(engine_->target());
    request_.version(11);
    request_.set(http::field::host, engine_->host_header());
    request_.set(http::field::user_agent, "cerumbra-upstream");
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::accept, "text/event-stream");
    request_.keep_alive(false);
    request_.body() = std::move(body_);
    request_.prepare_payload();
    http::async_write(
        socket_, request_,
        beast::bind_front_handler(&Call::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    WipeString(request_.body());
    if (done_) return;
    if (ec) {
      return Fail(UnavailableError("sending the request to upstream failed: " +
                                   ec.message()));
    }
    const UpstreamOptions& o = engine_->options();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(o.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(o.max_response_bytes);
    http::async_read_header(
        socket_, buffer_, *parser_,
        beast::bind_front_handler(&Call::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (done_) return;
    if (ec == http::error::header_limit) {
      return Fail(ResourceExhaustedError(
          "upstream response headers exceed " +
          std::to_string(engine_->options().max_header_bytes) + " bytes"));
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return Fail(UnavailableError(
          "upstream closed the connection without a response"));
    }
    if (ec) {
      return Fail(
          InternalError("malformed upstream HTTP response: " + ec.message()));
    }
    const auto& response = parser_->get();
    http_status_ = response.result_int();
    if (http_status_ != 200) {
      phase_ = Phase::kErrorBody;
      ArmTimer(engine_->options().idle_timeout);
      return ReadSome();
    }
    const auto header = response[http::field::content_type];
    const std::string_view content_type(header.data(), header.size());
    if (!StartsWithNoCase(content_type, "text/event-stream")) {
      return Fail(
          InternalError("upstream answered with Content-Type \"" +
                        SanitizeUpstreamMessage(content_type.substr(0, 64)) +
                        "\", not text/event-stream"));
    }
    ReadSome();
  }

  void ReadSome() {
    parser_->get().body().data = read_buf_.data();
    parser_->get().body().size = read_buf_.size();
    parser_->get().body().more = true;
    http::async_read_some(
        socket_, buffer_, *parser_,
        beast::bind_front_handler(&Call::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t transferred) {
    if (done_) return;
    if (ec == http::error::need_buffer) ec = {};  // read_buf_ is full
    const size_t got = read_buf_.size() - parser_->get().body().size;
    const std::string_view bytes(read_buf_.data(), got);
    const UpstreamOptions& o = engine_->options();
    if (ec == http::error::body_limit) {
      return Fail(ResourceExhaustedError("upstream response exceeds " +
                                         std::to_string(o.max_response_bytes) +
                                         " bytes"));
    }
    if (phase_ == Phase::kErrorBody) return OnErrorBody(ec, bytes);
    if (got > 0) phase_ = Phase::kStream;  // the first byte has come
    if (phase_ == Phase::kStream && (got > 0 || transferred > 0)) {
      ArmTimer(o.idle_timeout);
    }
    if (got > 0) {
      Status status = stream_.Feed(
          bytes, [this](std::string_view text) { EmitText(text); });
      WipeBytes(read_buf_.data(), got);
      if (!status.ok()) return Fail(std::move(status));
      if (stream_.done()) return Complete();
    }
    if (ec) {
      // The connection failed or was cut. A stream that already said how
      // it ended is complete; anything else is truncated.
      if (stream_.finish_reason()) return Complete();
      if (ec == asio::error::eof || ec == http::error::partial_message ||
          ec == asio::error::connection_reset) {
        return Fail(
            UnavailableError("upstream closed the stream before it finished"));
      }
      return Fail(UnavailableError("reading the upstream stream failed: " +
                                   ec.message()));
    }
    if (parser_->is_done()) return Complete();
    ReadSome();
  }

  void OnErrorBody(beast::error_code ec, std::string_view bytes) {
    const size_t limit = engine_->options().max_error_body_bytes;
    const size_t room = limit - std::min(limit, error_body_.size());
    error_body_.append(bytes.substr(0, room));
    WipeBytes(read_buf_.data(), bytes.size());
    if (ec || parser_->is_done() || error_body_.size() >= limit) {
      // A cut body gives no JSON message; the status code still tells.
      return Fail(HttpStatusError(
          http_status_, UpstreamErrorMessage(error_body_).value_or("")));
    }
    ArmTimer(engine_->options().idle_timeout);
    ReadSome();
  }

  void EmitText(std::string_view text) {
    if (!got_text_) {
      got_text_ = true;
      ttft_ms_ = ElapsedMs();
    }
    on_text_(text);
  }

  double ElapsedMs() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - start_)
        .count();
  }

  Usage CountedUsage() const {
    Usage usage;
    usage.completion_tokens = stream_.content_chunks();
    return usage;
  }

  // Complete ends a stream that finished (finish_reason or [DONE]).
  void Complete() {
    Status status =
        stream_.Finish([this](std::string_view text) { EmitText(text); });
    if (!status.ok()) return Fail(std::move(status));
    Completion c;
    c.finish_reason = stream_.finish_reason().value_or(FinishReason::kStop);
    const bool without_usage = !stream_.usage().has_value();
    c.usage = without_usage ? CountedUsage() : *stream_.usage();
    Finish(std::move(c), without_usage);
  }

  void Fail(Status status) {
    if (done_) return;
    Completion c;
    c.finish_reason = FinishReason::kError;
    c.status = std::move(status);
    c.usage = CountedUsage();
    Finish(std::move(c), /*without_usage=*/false);
  }

  void Finish(Completion completion, bool without_usage) {
    done_ = true;
    ++timer_generation_;
    beast::error_code ignored;
    timer_.cancel();
    resolver_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    WipeFlatBuffer();
    WipeString(error_body_);
    completion.time_to_first_token_ms = got_text_ ? ttft_ms_ : ElapsedMs();
    auto on_done = std::move(on_done_);
    on_text_ = nullptr;
    engine_->OnCallDone(this, without_usage);
    on_done(completion);
  }

  void WipeFlatBuffer() {
    const asio::mutable_buffer readable = buffer_.data();
    WipeBytes(readable.data(), readable.size());
    buffer_.consume(buffer_.size());
    auto spare = buffer_.prepare(buffer_.capacity());
    WipeBytes(spare.data(), spare.size());
  }

  UpstreamEngine::Impl* const engine_;
  Strand strand_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;
  ChatStreamParser stream_;
  std::function<void(std::string_view)> on_text_;
  std::function<void(const Completion&)> on_done_;
  std::string body_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::vector<char> read_buf_;
  std::string error_body_;
  int http_status_ = 0;
  Phase phase_ = Phase::kConnect;
  bool done_ = false;
  bool got_text_ = false;
  double ttft_ms_ = 0;
  const Clock::time_point start_;
};

class UpstreamGeneration final : public Generation {
 public:
  UpstreamGeneration(std::shared_ptr<UpstreamEngine::Impl> engine,
                     std::weak_ptr<Call> call)
      : engine_(std::move(engine)), call_(std::move(call)) {}
  ~UpstreamGeneration() override { Cancel(); }

  void Cancel() override { engine_->CancelCall(call_); }

 private:
  // Holding the engine's state keeps its io_context alive for Cancel, even
  // after the engine object is gone (then Cancel does nothing).
  std::shared_ptr<UpstreamEngine::Impl> engine_;
  std::weak_ptr<Call> call_;
};

}  // namespace

Result<std::unique_ptr<Generation>> UpstreamEngine::Impl::Start(
    const std::shared_ptr<Impl>& self, GenerationRequest request) {
  if (!request.on_text || !request.on_done) {
    return InvalidArgumentError("on_text and on_done are required");
  }
  CERUMBRA_RETURN_IF_ERROR(
      ValidateChatRequest(request.messages, request.params, limits_));
  std::lock_guard lock(mu_);
  if (shutting_down_) return UnavailableError("upstream engine is shut down");
  if (active_.size() >= static_cast<size_t>(options_.max_sessions)) {
    return ResourceExhaustedError("upstream engine is at max_sessions (" +
                                  std::to_string(options_.max_sessions) + ")");
  }
  std::string body =
      BuildChatRequestBody(options_.model, request.messages, request.params,
                           options_.default_max_tokens);
  for (ChatMessage& m : request.messages) WipeString(m.content);
  auto call =
      std::make_shared<Call>(this, ioc_, std::move(request), std::move(body));
  active_.emplace(call.get(), call);
  asio::post(call->strand(), [call] { call->Run(); });
  return std::unique_ptr<Generation>(
      std::make_unique<UpstreamGeneration>(self, call));
}

void UpstreamEngine::Impl::CancelCall(const std::weak_ptr<Call>& weak) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  std::shared_ptr<Call> call = weak.lock();
  if (!call) return;
  asio::post(call->strand(), [call] { call->Cancel("generation cancelled"); });
  // `call` is released here, under mu_, while ioc_ surely lives.
}

void UpstreamEngine::Impl::OnCallDone(const Call* call, bool without_usage) {
  if (without_usage) ++without_usage_;
  std::shared_ptr<Call> keep;  // released after the lock: the caller lives
  {
    std::lock_guard lock(mu_);
    auto it = active_.find(call);
    CERUMBRA_CHECK(it != active_.end());
    keep = std::move(it->second);
    active_.erase(it);
  }
  idle_cv_.notify_all();
}

void UpstreamEngine::Impl::Shutdown() {
  std::lock_guard shutdown_lock(shutdown_mu_);
  {
    std::unique_lock lock(mu_);
    if (closed_) return;
    shutting_down_ = true;
    for (auto& [_, call] : active_) {
      asio::post(call->strand(),
                 [call = call] { call->Cancel("upstream engine shut down"); });
    }
    idle_cv_.wait(lock, [this] { return active_.empty(); });
    closed_ = true;
  }
  guard_.reset();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

Result<std::unique_ptr<UpstreamEngine>> UpstreamEngine::Create(
    UpstreamOptions options) {
  CERUMBRA_ASSIGN_OR_RETURN(UpstreamUrl url,
                            ParseUpstreamUrl(options.base_url));
  if (options.model.empty() || options.model.size() > kMaxModelNameBytes ||
      !IsValidUtf8(options.model)) {
    return InvalidArgumentError(
        "upstream model name must be 1..256 bytes of UTF-8");
  }
  if (options.max_sessions < 1 || options.max_sessions > 1024) {
    return InvalidArgumentError("max_sessions must be in 1..1024");
  }
  if (options.io_threads < 1 || options.io_threads > 16) {
    return InvalidArgumentError("io_threads must be in 1..16");
  }
  if (options.max_tokens_limit < 1 || options.default_max_tokens < 0 ||
      options.default_max_tokens > options.max_tokens_limit) {
    return InvalidArgumentError(
        "need 0 <= default_max_tokens <= max_tokens_limit, 1 <= "
        "max_tokens_limit");
  }
  if (options.connect_timeout.count() <= 0 ||
      options.first_byte_timeout.count() <= 0 ||
      options.idle_timeout.count() <= 0) {
    return InvalidArgumentError("upstream timeouts must be positive");
  }
  if (options.max_line_bytes == 0 || options.max_event_bytes == 0 ||
      options.max_header_bytes == 0 || options.max_response_bytes == 0 ||
      options.max_error_body_bytes == 0) {
    return InvalidArgumentError("upstream limits must be positive");
  }
  auto impl = std::make_shared<Impl>(std::move(options), std::move(url));
  impl->StartThreads();
  return std::unique_ptr<UpstreamEngine>(new UpstreamEngine(std::move(impl)));
}

UpstreamEngine::UpstreamEngine(std::shared_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

UpstreamEngine::~UpstreamEngine() { Shutdown(); }

Result<std::unique_ptr<Generation>> UpstreamEngine::Start(
    GenerationRequest request) {
  return impl_->Start(impl_, std::move(request));
}

EngineInfo UpstreamEngine::Info() const {
  const UpstreamOptions& o = impl_->options();
  EngineInfo info;
  info.backend = "upstream";
  info.model = o.model;
  info.context_size = o.context_size;
  info.max_sessions = o.max_sessions;
  info.default_max_tokens = o.default_max_tokens;
  return info;
}

void UpstreamEngine::Shutdown() { impl_->Shutdown(); }

uint64_t UpstreamEngine::generations_without_usage() const {
  return impl_->without_usage();
}

}  // namespace cerumbra::inference
