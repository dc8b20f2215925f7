// Copyright 2026 The Cerumbra Authors.
//
// UpstreamEngine against small misbehaving servers (fake_upstream.h) on
// 127.0.0.1: the happy path, every error, every timeout, cancellation and
// the session bound. The real server is in upstream_llama_server_test.cc.

#include "inference/upstream_engine.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "inference/fake_upstream.h"
#include "inference/upstream_text.h"

namespace cerumbra::inference {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::ContentChunk;
using testing::Event;
using testing::FakeConnection;
using testing::FakeUpstream;
using testing::FinishChunk;
using testing::SseHead;
using testing::SseHeadUntilClose;
using testing::UsageChunk;

// Collector records one generation's callbacks.
class Collector {
 public:
  GenerationRequest Request(std::string prompt = "say hello") {
    GenerationRequest request;
    request.messages = {{"system", "be brief"}, {"user", std::move(prompt)}};
    request.params.max_tokens = 16;
    request.params.seed = 7;
    request.on_text = [this](std::string_view text) {
      std::lock_guard lock(mu_);
      EXPECT_FALSE(done_) << "on_text after on_done";
      EXPECT_FALSE(text.empty());
      EXPECT_TRUE(IsValidUtf8(text));
      pieces_.emplace_back(text);
      cv_.notify_all();
    };
    request.on_done = [this](const Completion& completion) {
      std::lock_guard lock(mu_);
      EXPECT_FALSE(done_) << "on_done twice";
      done_ = true;
      completion_ = completion;
      cv_.notify_all();
    };
    return request;
  }

  // Wait returns the completion, or fails the test after `timeout`.
  Completion Wait(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
      ADD_FAILURE() << "no on_done within " << timeout.count() << " ms";
      Completion c;
      c.finish_reason = FinishReason::kError;
      c.status = InternalError("test timeout");
      return c;
    }
    return *completion_;
  }

  bool WaitForText(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return !pieces_.empty(); });
  }

  bool done() {
    std::lock_guard lock(mu_);
    return done_;
  }
  std::vector<std::string> pieces() {
    std::lock_guard lock(mu_);
    return pieces_;
  }
  std::string Text() {
    std::string out;
    for (const std::string& p : pieces()) out += p;
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> pieces_;
  bool done_ = false;
  std::optional<Completion> completion_;
};

UpstreamOptions Options(const std::string& url) {
  UpstreamOptions o;
  o.base_url = url;
  o.model = "fake-model";
  o.connect_timeout = 2s;
  o.first_byte_timeout = 3s;
  o.idle_timeout = 3s;
  return o;
}

std::unique_ptr<UpstreamEngine> MakeEngine(const UpstreamOptions& options) {
  Result<std::unique_ptr<UpstreamEngine>> engine =
      UpstreamEngine::Create(options);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

// Runs one generation against `upstream` and returns its completion.
Completion RunOne(FakeUpstream& upstream, Collector& collector,
                  UpstreamOptions options = {}) {
  if (options.base_url.empty()) options = Options(upstream.BaseUrl());
  options.base_url = upstream.BaseUrl();
  auto engine = MakeEngine(options);
  if (!engine) return {};
  auto generation = engine->Start(collector.Request());
  EXPECT_TRUE(generation.ok()) << generation.status().ToString();
  return collector.Wait();
}

TEST(UpstreamEngineTest, CreateRefusesHttpsAndBadOptions) {
  UpstreamOptions o = Options("https://127.0.0.1:8443/v1");
  EXPECT_EQ(UpstreamEngine::Create(o).status().code(),
            StatusCode::kUnimplemented);
  o = Options("127.0.0.1:8000");
  EXPECT_EQ(UpstreamEngine::Create(o).status().code(),
            StatusCode::kInvalidArgument);
  o = Options("http://127.0.0.1:8000/v1");
  o.model = "";
  EXPECT_EQ(UpstreamEngine::Create(o).status().code(),
            StatusCode::kInvalidArgument);
  o = Options("http://127.0.0.1:8000/v1");
  o.max_sessions = 0;
  EXPECT_EQ(UpstreamEngine::Create(o).status().code(),
            StatusCode::kInvalidArgument);
  o = Options("http://127.0.0.1:8000/v1");
  o.idle_timeout = 0ms;
  EXPECT_EQ(UpstreamEngine::Create(o).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(UpstreamEngineTest, InfoReportsUpstreamBackendAndModel) {
  UpstreamOptions o = Options("http://127.0.0.1:8000/v1");
  o.max_sessions = 3;
  o.context_size = 4096;
  auto engine = MakeEngine(o);
  ASSERT_NE(engine, nullptr);
  const EngineInfo info = engine->Info();
  EXPECT_EQ(info.backend, "upstream");
  EXPECT_EQ(info.model, "fake-model");
  EXPECT_EQ(info.model_path, "");
  EXPECT_EQ(info.max_sessions, 3);
  EXPECT_EQ(info.context_size, 4096);
  EXPECT_EQ(info.default_max_tokens, 512);
  EXPECT_FALSE(info.is_demo_model);
}

TEST(UpstreamEngineTest, StartRejectsBadRequestsWithoutCallbacks) {
  auto engine = MakeEngine(Options("http://127.0.0.1:1/v1"));
  ASSERT_NE(engine, nullptr);
  Collector c;
  GenerationRequest r = c.Request();
  r.messages.clear();
  EXPECT_EQ(engine->Start(std::move(r)).status().code(),
            StatusCode::kInvalidArgument);
  r = c.Request();
  r.messages[0].role = "robot";
  EXPECT_EQ(engine->Start(std::move(r)).status().code(),
            StatusCode::kInvalidArgument);
  r = c.Request();
  r.on_done = nullptr;
  EXPECT_EQ(engine->Start(std::move(r)).status().code(),
            StatusCode::kInvalidArgument);
  r = c.Request();
  r.params.top_p = 2;
  EXPECT_EQ(engine->Start(std::move(r)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(c.done());
}

TEST(UpstreamEngineTest, StreamsTextIncrementallyWithFinishAndUsage) {
  std::string seen_target, seen_body, seen_head;
  FakeUpstream upstream([&](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    seen_target = conn.target();
    seen_body = conn.body();
    seen_head = conn.head();
    conn.Send(SseHead());
    // Events cut across HTTP chunks at odd places, CRLF endings, a comment.
    conn.SendChunk(": keep-alive\r\n\r\ndata: " + ContentChunk("Hel"));
    std::this_thread::sleep_for(20ms);
    conn.SendChunk("\r\n\r\n" + Event(ContentChunk("lo, ")));
    std::this_thread::sleep_for(20ms);
    conn.SendChunk(Event(ContentChunk("w\xC3\xB6rld")) +
                   Event(FinishChunk("stop")) + Event(UsageChunk(12, 3)) +
                   "data: [DO");
    conn.SendChunk("NE]\n\n");
    conn.SendChunk("");
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  ASSERT_TRUE(done.status.ok()) << done.status.ToString();
  EXPECT_EQ(done.finish_reason, FinishReason::kStop);
  EXPECT_EQ(c.pieces(),
            (std::vector<std::string>{"Hel", "lo, ", "w\xC3\xB6rld"}));
  EXPECT_EQ(done.usage.prompt_tokens, 12);
  EXPECT_EQ(done.usage.completion_tokens, 3);
  EXPECT_GT(done.time_to_first_token_ms, 0);

  EXPECT_EQ(seen_target, "/v1/chat/completions");
  EXPECT_TRUE(seen_head.starts_with("POST "));
  EXPECT_NE(seen_head.find("Host: 127.0.0.1:"), std::string::npos);
  const json::value body = json::parse(seen_body);
  EXPECT_EQ(body.at("model").as_string(), "fake-model");
  EXPECT_TRUE(body.at("stream").as_bool());
  EXPECT_TRUE(body.at("stream_options").at("include_usage").as_bool());
  EXPECT_EQ(body.at("max_tokens").to_number<int>(), 16);
  EXPECT_EQ(body.at("seed").to_number<int>(), 7);
  EXPECT_EQ(body.at("messages").as_array().size(), 2u);
  EXPECT_EQ(body.at("messages").at(1).at("content").as_string(), "say hello");
}

TEST(UpstreamEngineTest, CharacterSplitAcrossChunksArrivesWhole) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHeadUntilClose());
    conn.Send(Event(ContentChunk("caf\xC3")));
    std::this_thread::sleep_for(20ms);
    conn.Send(Event(ContentChunk("\xA9!")));
    conn.Send(Event(FinishChunk("length")));
    conn.Send("data: [DONE]\n\n");
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  ASSERT_TRUE(done.status.ok()) << done.status.ToString();
  EXPECT_EQ(done.finish_reason, FinishReason::kLength);
  EXPECT_EQ(c.pieces(), (std::vector<std::string>{"caf", "\xC3\xA9!"}));
}

TEST(UpstreamEngineTest, MissingUsageIsCountedAndReported) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHeadUntilClose());
    for (const char* piece : {"a", "b", "c", "d"}) {
      conn.Send(Event(ContentChunk(piece)));
    }
    conn.Send(Event(FinishChunk("stop")));
    // No usage chunk and no [DONE]: the server just closes.
  });
  auto engine = MakeEngine(Options(upstream.BaseUrl()));
  ASSERT_NE(engine, nullptr);
  Collector c;
  auto generation = engine->Start(c.Request());
  ASSERT_TRUE(generation.ok());
  const Completion done = c.Wait();
  ASSERT_TRUE(done.status.ok()) << done.status.ToString();
  EXPECT_EQ(done.usage.prompt_tokens, 0);
  EXPECT_EQ(done.usage.completion_tokens, 4);
  EXPECT_EQ(engine->generations_without_usage(), 1u);
  EXPECT_EQ(c.Text(), "abcd");
}

TEST(UpstreamEngineTest, ConnectionRefusedIsUnavailable) {
  uint16_t port;
  {
    FakeUpstream closed([](FakeConnection&) {});
    port = closed.port();
  }  // now nothing listens there
  auto engine =
      MakeEngine(Options("http://127.0.0.1:" + std::to_string(port) + "/v1"));
  ASSERT_NE(engine, nullptr);
  Collector c;
  auto generation = engine->Start(c.Request());
  ASSERT_TRUE(generation.ok());
  const Completion done = c.Wait();
  EXPECT_EQ(done.finish_reason, FinishReason::kError);
  EXPECT_EQ(done.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(done.status.message().find("refused"), std::string::npos)
      << done.status.message();
  EXPECT_TRUE(c.pieces().empty());
}

TEST(UpstreamEngineTest, ConnectTimeoutIsDeadlineExceeded) {
  FakeUpstream upstream([](FakeConnection&) {}, /*backlog_only=*/true);
  if (!upstream.FillBacklog()) {
    GTEST_SKIP() << "this kernel completes connects past the backlog";
  }
  UpstreamOptions o = Options(upstream.BaseUrl());
  o.connect_timeout = 300ms;
  Collector c;
  const auto start = std::chrono::steady_clock::now();
  const Completion done = RunOne(upstream, c, o);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(done.status.code(), StatusCode::kDeadlineExceeded)
      << done.status.ToString();
  EXPECT_NE(done.status.message().find("connecting"), std::string::npos);
  EXPECT_LT(took, 3s);
}

TEST(UpstreamEngineTest, FirstByteTimeoutIsDeadlineExceeded) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHead());  // headers, then nothing: no first body byte
    conn.WaitForPeerClose(10s);
  });
  UpstreamOptions o = Options(upstream.BaseUrl());
  o.first_byte_timeout = 300ms;
  Collector c;
  const auto start = std::chrono::steady_clock::now();
  const Completion done = RunOne(upstream, c, o);
  EXPECT_EQ(done.status.code(), StatusCode::kDeadlineExceeded)
      << done.status.ToString();
  EXPECT_NE(done.status.message().find("no response within 300 ms"),
            std::string::npos)
      << done.status.message();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
}

TEST(UpstreamEngineTest, IdleTimeoutBetweenChunksIsDeadlineExceeded) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHead());
    // Slow but steady chunks are fine; then the stream stalls.
    for (int i = 0; i < 4; ++i) {
      conn.SendChunk(Event(ContentChunk("x")));
      std::this_thread::sleep_for(150ms);
    }
    conn.WaitForPeerClose(10s);
  });
  UpstreamOptions o = Options(upstream.BaseUrl());
  o.first_byte_timeout = 5s;
  o.idle_timeout = 400ms;
  Collector c;
  const Completion done = RunOne(upstream, c, o);
  EXPECT_EQ(done.status.code(), StatusCode::kDeadlineExceeded)
      << done.status.ToString();
  EXPECT_NE(done.status.message().find("idle"), std::string::npos);
  EXPECT_EQ(c.Text(), "xxxx");
  EXPECT_EQ(done.usage.completion_tokens, 4);
}

TEST(UpstreamEngineTest, HttpErrorCarriesServerJsonMessage) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    const std::string body =
        R"({"error":{"code":400,"message":"the request exceeds the available )"
        R"(context size","type":"exceed_context_size_error"}})";
    conn.Send(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  EXPECT_EQ(done.finish_reason, FinishReason::kError);
  EXPECT_EQ(done.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(done.status.message(),
            "upstream HTTP 400: the request exceeds the available context "
            "size");
}

TEST(UpstreamEngineTest, HttpErrorStatusesMapToCodes) {
  struct Case {
    int http;
    StatusCode code;
  };
  for (const Case& k : {Case{404, StatusCode::kNotFound},
                        Case{429, StatusCode::kResourceExhausted},
                        Case{503, StatusCode::kUnavailable},
                        Case{500, StatusCode::kUnavailable}}) {
    FakeUpstream upstream([&](FakeConnection& conn) {
      if (!conn.ReadRequest()) return;
      // Not JSON, and chunked: the message says there was none.
      conn.Send("HTTP/1.1 " + std::to_string(k.http) +
                " Oops\r\nContent-Type: text/html\r\n"
                "Transfer-Encoding: chunked\r\n\r\n");
      conn.SendChunk("<html>oops</html>");
      conn.SendChunk("");
    });
    Collector c;
    const Completion done = RunOne(upstream, c);
    EXPECT_EQ(done.status.code(), k.code) << k.http;
    EXPECT_EQ(done.status.message(), "upstream HTTP " + std::to_string(k.http) +
                                         " (no JSON error message)");
  }
}

TEST(UpstreamEngineTest, ErrorObjectMidStreamEndsWithError) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHeadUntilClose());
    conn.Send(Event(ContentChunk("partial")));
    conn.Send(Event(R"({"error":{"code":500,"message":"slot crashed"}})"));
    conn.WaitForPeerClose(5s);
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  EXPECT_EQ(done.finish_reason, FinishReason::kError);
  EXPECT_EQ(done.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(done.status.message(), "upstream error: slot crashed");
  EXPECT_EQ(c.Text(), "partial");
}

TEST(UpstreamEngineTest, MalformedStreamIsInternal) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHeadUntilClose());
    conn.Send("data: {\"choices\": oops}\n\n");
    conn.WaitForPeerClose(5s);
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  EXPECT_EQ(done.status.code(), StatusCode::kInternal);
  EXPECT_NE(done.status.message().find("malformed upstream stream"),
            std::string::npos);
}

TEST(UpstreamEngineTest, MalformedHttpIsInternal) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send("SMTP ready\r\n\r\n");
    conn.WaitForPeerClose(5s);
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  EXPECT_EQ(done.status.code(), StatusCode::kInternal);
  EXPECT_NE(done.status.message().find("malformed upstream HTTP"),
            std::string::npos);
}

TEST(UpstreamEngineTest, NonStreamingAnswerIsRefused) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    const std::string body = R"({"choices":[{"message":{"content":"hi"}}]})";
    conn.Send(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  EXPECT_EQ(done.status.code(), StatusCode::kInternal);
  EXPECT_NE(done.status.message().find("not text/event-stream"),
            std::string::npos);
}

TEST(UpstreamEngineTest, StreamClosedEarlyIsUnavailable) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHead());
    conn.SendChunk(Event(ContentChunk("half")) + "data: {\"cho");
    // Closes mid-chunk, mid-line.
  });
  Collector c;
  const Completion done = RunOne(upstream, c);
  EXPECT_EQ(done.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(done.status.message().find("before it finished"), std::string::npos)
      << done.status.message();
  EXPECT_EQ(c.Text(), "half");
}

TEST(UpstreamEngineTest, ClosedWithoutResponseIsUnavailable) {
  FakeUpstream upstream([](FakeConnection& conn) { conn.ReadRequest(); });
  Collector c;
  const Completion done = RunOne(upstream, c);
  EXPECT_EQ(done.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(done.status.message().find("without a response"), std::string::npos)
      << done.status.message();
}

TEST(UpstreamEngineTest, LineOverTheLimitIsResourceExhausted) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHeadUntilClose());
    conn.Send("data: " + std::string(5000, 'x'));
    conn.WaitForPeerClose(5s);
  });
  UpstreamOptions o = Options(upstream.BaseUrl());
  o.max_line_bytes = 1024;
  Collector c;
  const Completion done = RunOne(upstream, c, o);
  EXPECT_EQ(done.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(done.status.message().find("line"), std::string::npos);
}

TEST(UpstreamEngineTest, ResponseOverTheLimitIsResourceExhausted) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send(SseHeadUntilClose());
    for (int i = 0; i < 200; ++i) {
      if (!conn.Send(Event(ContentChunk("0123456789")))) return;
    }
    conn.WaitForPeerClose(5s);
  });
  UpstreamOptions o = Options(upstream.BaseUrl());
  o.max_response_bytes = 4096;
  Collector c;
  const Completion done = RunOne(upstream, c, o);
  EXPECT_EQ(done.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(done.status.message().find("4096 bytes"), std::string::npos)
      << done.status.message();
}

TEST(UpstreamEngineTest, HeadersOverTheLimitAreResourceExhausted) {
  FakeUpstream upstream([](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    conn.Send("HTTP/1.1 200 OK\r\nX-Big: " + std::string(4000, 'y') +
              "\r\n\r\n");
    conn.WaitForPeerClose(5s);
  });
  UpstreamOptions o = Options(upstream.BaseUrl());
  o.max_header_bytes = 1024;
  Collector c;
  const Completion done = RunOne(upstream, c, o);
  EXPECT_EQ(done.status.code(), StatusCode::kResourceExhausted);
}

// A server that streams forever (a chunk every 20 ms) and reports when the
// client went away.
class EndlessUpstream {
 public:
  EndlessUpstream()
      : upstream_([this](FakeConnection& conn) {
          if (!conn.ReadRequest()) return;
          conn.Send(SseHead());
          for (int i = 0; i < 1000; ++i) {
            if (!conn.SendChunk(Event(ContentChunk("tok ")))) break;
            std::this_thread::sleep_for(20ms);
          }
          std::lock_guard lock(mu_);
          ++closed_;
          cv_.notify_all();
        }) {}

  FakeUpstream& upstream() { return upstream_; }

  // WaitClosed waits until `n` connections saw the client go away.
  bool WaitClosed(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return closed_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int closed_ = 0;
  FakeUpstream upstream_;  // last: its threads use the members above
};

TEST(UpstreamEngineTest, CancelClosesTheConnectionPromptly) {
  EndlessUpstream endless;
  auto engine = MakeEngine(Options(endless.upstream().BaseUrl()));
  ASSERT_NE(engine, nullptr);
  Collector c;
  auto generation = engine->Start(c.Request());
  ASSERT_TRUE(generation.ok());
  ASSERT_TRUE(c.WaitForText());
  const auto start = std::chrono::steady_clock::now();
  (*generation)->Cancel();
  const Completion done = c.Wait(2s);
  EXPECT_EQ(done.finish_reason, FinishReason::kCancelled);
  EXPECT_EQ(done.status.code(), StatusCode::kCancelled);
  EXPECT_GE(done.usage.completion_tokens, 1);
  // The server notices on its next write (every 20 ms).
  EXPECT_TRUE(endless.WaitClosed(1, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  (*generation)->Cancel();  // after on_done: nothing happens
}

TEST(UpstreamEngineTest, DestroyingTheHandleCancels) {
  EndlessUpstream endless;
  auto engine = MakeEngine(Options(endless.upstream().BaseUrl()));
  ASSERT_NE(engine, nullptr);
  Collector c;
  {
    auto generation = engine->Start(c.Request());
    ASSERT_TRUE(generation.ok());
    ASSERT_TRUE(c.WaitForText());
  }
  EXPECT_EQ(c.Wait(2s).finish_reason, FinishReason::kCancelled);
  EXPECT_TRUE(endless.WaitClosed(1, 2s));
}

TEST(UpstreamEngineTest, CancelFromOnTextStopsTheStream) {
  EndlessUpstream endless;
  auto engine = MakeEngine(Options(endless.upstream().BaseUrl()));
  ASSERT_NE(engine, nullptr);
  Collector c;
  GenerationRequest request = c.Request();
  std::mutex mu;
  Generation* handle = nullptr;
  auto inner = request.on_text;
  request.on_text = [&, inner](std::string_view text) {
    inner(text);
    std::lock_guard lock(mu);
    if (handle != nullptr) handle->Cancel();
  };
  auto generation = engine->Start(std::move(request));
  ASSERT_TRUE(generation.ok());
  {
    std::lock_guard lock(mu);
    handle = generation->get();
  }
  EXPECT_EQ(c.Wait(3s).finish_reason, FinishReason::kCancelled);
  EXPECT_TRUE(endless.WaitClosed(1, 2s));
}

TEST(UpstreamEngineTest, MaxSessionsBoundsConcurrentGenerations) {
  EndlessUpstream endless;
  UpstreamOptions o = Options(endless.upstream().BaseUrl());
  o.max_sessions = 2;
  auto engine = MakeEngine(o);
  ASSERT_NE(engine, nullptr);
  Collector a, b, c, d;
  auto ga = engine->Start(a.Request());
  auto gb = engine->Start(b.Request());
  ASSERT_TRUE(ga.ok());
  ASSERT_TRUE(gb.ok());
  auto gc = engine->Start(c.Request());
  EXPECT_EQ(gc.status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(a.WaitForText());
  ASSERT_TRUE(b.WaitForText());
  (*ga)->Cancel();
  a.Wait(2s);
  auto gd = engine->Start(d.Request());
  EXPECT_TRUE(gd.ok()) << gd.status().ToString();
  EXPECT_TRUE(d.WaitForText());
  EXPECT_FALSE(c.done());  // a refused Start calls nothing
  // b and d are still streaming: their on_done must come before the
  // collectors go out of scope.
  engine->Shutdown();
  EXPECT_EQ(b.Wait(0ms).finish_reason, FinishReason::kCancelled);
  EXPECT_EQ(d.Wait(0ms).finish_reason, FinishReason::kCancelled);
}

TEST(UpstreamEngineTest, ShutdownCancelsEverythingAndRefusesNewWork) {
  EndlessUpstream endless;
  auto engine = MakeEngine(Options(endless.upstream().BaseUrl()));
  ASSERT_NE(engine, nullptr);
  Collector a, b;
  auto ga = engine->Start(a.Request());
  auto gb = engine->Start(b.Request());
  ASSERT_TRUE(ga.ok() && gb.ok());
  ASSERT_TRUE(a.WaitForText());
  engine->Shutdown();
  // Shutdown returned: both already had on_done.
  EXPECT_TRUE(a.done());
  EXPECT_TRUE(b.done());
  EXPECT_EQ(a.Wait(0ms).finish_reason, FinishReason::kCancelled);
  EXPECT_EQ(b.Wait(0ms).finish_reason, FinishReason::kCancelled);
  Collector late;
  EXPECT_EQ(engine->Start(late.Request()).status().code(),
            StatusCode::kUnavailable);
  engine->Shutdown();  // twice is fine
  engine.reset();
  (*ga)->Cancel();  // after the engine is gone: nothing happens
  EXPECT_TRUE(endless.WaitClosed(2, 2s));
}

TEST(UpstreamEngineTest, ErrorMessagesNeverQuoteThePrompt) {
  const std::string secret = "my-secret-prompt-words";
  FakeUpstream upstream([&](FakeConnection& conn) {
    if (!conn.ReadRequest()) return;
    // A server that echoes the whole request in its error message: the
    // message is cut to 200 bytes, and the prompt sits past that.
    const std::string body =
        R"({"error":{"message":")" + std::string(250, 'p') + secret + R"("}})";
    conn.Send(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  auto engine = MakeEngine(Options(upstream.BaseUrl()));
  ASSERT_NE(engine, nullptr);
  Collector c;
  auto generation = engine->Start(c.Request(secret));
  ASSERT_TRUE(generation.ok());
  const Completion done = c.Wait();
  EXPECT_EQ(done.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(done.status.message().find(secret), std::string::npos);
  EXPECT_LE(done.status.message().size(), 260u);
}

}  // namespace
}  // namespace cerumbra::inference
