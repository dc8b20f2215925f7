// Copyright 2026 The Cerumbra Authors.
//
// The real engine on the real demo model (tiny, CPU). Kept short so that it
// also runs under ASan: few tokens per generation.

#include "inference/llama_engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gguf.h"
#include "inference/demo_model.h"
#include "inference/text_stream.h"
#include "llama.h"

namespace cerumbra::inference {
namespace {

using namespace std::chrono_literals;

// Collector records what one generation's callbacks receive.
class Collector {
 public:
  GenerationRequest Request(std::vector<ChatMessage> messages,
                            SamplingParams params) {
    GenerationRequest r;
    r.messages = std::move(messages);
    r.params = std::move(params);
    r.on_text = [this](std::string_view text) {
      std::lock_guard<std::mutex> lock(mu_);
      EXPECT_FALSE(text.empty());
      EXPECT_TRUE(IsValidUtf8(text));
      EXPECT_EQ(done_count_, 0) << "on_text after on_done";
      chunks_.emplace_back(text);
      text_ += text;
      cv_.notify_all();
    };
    r.on_done = [this](const Completion& c) {
      std::lock_guard<std::mutex> lock(mu_);
      ++done_count_;
      completion_ = c;
      cv_.notify_all();
    };
    return r;
  }

  // Wait returns the completion, failing the test after a generous timeout.
  Completion Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, 120s, [this] { return done_count_ > 0; }));
    return completion_;
  }
  bool WaitForText() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 120s,
                        [this] { return !text_.empty() || done_count_ > 0; });
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }
  std::vector<std::string> chunks() {
    std::lock_guard<std::mutex> lock(mu_);
    return chunks_;
  }
  int done_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string text_;
  std::vector<std::string> chunks_;
  Completion completion_;
  int done_count_ = 0;
};

std::vector<ChatMessage> User(const std::string& text) {
  return {{"user", text}};
}

SamplingParams Greedy(int max_tokens) {
  SamplingParams p;
  p.temperature = 0;
  p.max_tokens = max_tokens;
  return p;
}

const std::string& DemoModelPath() {
  static const std::string path = [] {
    Result<std::string> r = EnsureDemoModel(CERUMBRA_TEST_MODEL_DIR);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      return std::string();
    }
    return *r;
  }();
  return path;
}

LlamaEngineOptions TestOptions() {
  LlamaEngineOptions o;
  o.model_path = DemoModelPath();
  o.context_size = 256;
  o.max_sessions = 4;
  o.threads = 2;
  o.prefill_chunk = 64;
  return o;
}

class LlamaEngineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<Engine>> e = CreateLlamaEngine(TestOptions());
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value().release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  // Run generates alone and waits.
  static std::pair<std::string, Completion> Run(std::vector<ChatMessage> m,
                                                SamplingParams p) {
    Collector c;
    auto g = engine_->Start(c.Request(std::move(m), std::move(p)));
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    Completion done = c.Wait();
    return {c.text(), done};
  }

  static Engine* engine_;
};
Engine* LlamaEngineTest::engine_ = nullptr;

TEST_F(LlamaEngineTest, InfoSaysItIsTheDemoModelOnTheCpu) {
  EngineInfo info = engine_->Info();
  EXPECT_TRUE(info.is_demo_model);
  EXPECT_EQ(info.model, "demo model (random weights)");
  EXPECT_EQ(info.backend, "llama.cpp (CPU)");
  EXPECT_EQ(info.gpu_layers, 0);
  EXPECT_EQ(info.context_size, 256);
  EXPECT_EQ(info.max_sessions, 4);
  EXPECT_EQ(info.model_path, DemoModelPath());
}

TEST_F(LlamaEngineTest, AppliesTheModelsChatTemplate) {
  // <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>
  // <|start_header_id|>assistant<|end_header_id|>\n\n: 11 tokens.
  auto [text, done] = Run(User("Hi"), Greedy(1));
  EXPECT_EQ(done.usage.prompt_tokens, 11);
  EXPECT_EQ(done.usage.completion_tokens, 1);
}

TEST_F(LlamaEngineTest, MaxTokensEndsWithLength) {
  auto [text, done] = Run(User("Count to ten."), Greedy(5));
  EXPECT_EQ(done.finish_reason, FinishReason::kLength);
  EXPECT_TRUE(done.status.ok());
  EXPECT_EQ(done.usage.completion_tokens, 5);
  EXPECT_FALSE(text.empty());
  EXPECT_GT(done.time_to_first_token_ms, 0);
}

TEST_F(LlamaEngineTest, ConcurrentGenerationsEqualSequentialOnesForGreedy) {
  const std::vector<std::string> prompts = {"Tell me a story.", "Why?",
                                            "List three colours please.",
                                            "Bonjour, ça va ?"};
  const std::vector<int> lengths = {12, 20, 6, 16};
  std::vector<std::string> alone;
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto [text, done] = Run(User(prompts[i]), Greedy(lengths[i]));
    ASSERT_EQ(done.finish_reason, FinishReason::kLength);
    alone.push_back(text);
  }
  std::vector<std::unique_ptr<Collector>> cs;
  std::vector<std::unique_ptr<Generation>> gs;
  for (size_t i = 0; i < prompts.size(); ++i) {
    cs.push_back(std::make_unique<Collector>());
    auto g =
        engine_->Start(cs[i]->Request(User(prompts[i]), Greedy(lengths[i])));
    ASSERT_TRUE(g.ok());
    gs.push_back(std::move(g).value());
  }
  for (size_t i = 0; i < prompts.size(); ++i) {
    Completion done = cs[i]->Wait();
    EXPECT_EQ(done.finish_reason, FinishReason::kLength) << i;
    EXPECT_EQ(done.usage.completion_tokens, lengths[i]) << i;
    EXPECT_EQ(cs[i]->text(), alone[i]) << i;
    EXPECT_EQ(cs[i]->done_count(), 1);
  }
}

TEST_F(LlamaEngineTest, SeededSamplingIsReproducible) {
  SamplingParams p;
  p.temperature = 0.9f;
  p.top_p = 0.9f;
  p.seed = 1234;
  p.max_tokens = 10;
  auto [a, da] = Run(User("Hello"), p);
  auto [b, db] = Run(User("Hello"), p);
  EXPECT_EQ(a, b);
  p.seed = 99;
  auto [c, dc] = Run(User("Hello"), p);
  EXPECT_NE(a, c);
}

TEST_F(LlamaEngineTest, StopStringAcrossTokensIsCaughtAndNotEmitted) {
  Collector full;
  auto g = engine_->Start(full.Request(User("Say something"), Greedy(24)));
  ASSERT_TRUE(g.ok());
  full.Wait();
  const std::vector<std::string> chunks = full.chunks();
  const std::string text = full.text();
  // A stop string made of the end of one chunk and the start of the next,
  // so it spans a token boundary.
  std::string stop;
  size_t offset = 0;
  for (size_t i = 0; i + 1 < chunks.size() && stop.empty(); ++i) {
    offset += chunks[i].size();
    for (size_t back = 1; back <= 3 && back <= chunks[i].size(); ++back) {
      std::string s =
          chunks[i].substr(chunks[i].size() - back) +
          chunks[i + 1].substr(0, std::min<size_t>(2, chunks[i + 1].size()));
      if (i > 0 && IsValidUtf8(s) && text.find(s) == offset - back) {
        stop = s;
        break;
      }
    }
  }
  ASSERT_FALSE(stop.empty()) << "no usable token boundary in the output";
  SamplingParams p = Greedy(24);
  p.stop = {"never appears \xE2\x9C\x93", stop};
  auto [cut, done] = Run(User("Say something"), p);
  EXPECT_EQ(done.finish_reason, FinishReason::kStop);
  EXPECT_EQ(cut, text.substr(0, text.find(stop)));
  EXPECT_EQ(cut.find(stop), std::string::npos);
}

TEST_F(LlamaEngineTest, CancelFromAnotherThreadEndsWithCancelled) {
  Collector c;
  auto g = engine_->Start(c.Request(User("Go on forever"), Greedy(200)));
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE(c.WaitForText());
  std::thread([&] { (*g)->Cancel(); }).join();
  Completion done = c.Wait();
  EXPECT_EQ(done.finish_reason, FinishReason::kCancelled);
  EXPECT_LT(done.usage.completion_tokens, 200);
  (*g)->Cancel();  // after on_done: nothing happens
  EXPECT_EQ(c.done_count(), 1);
}

TEST_F(LlamaEngineTest, DestroyingTheHandleCancels) {
  Collector c;
  {
    auto g = engine_->Start(c.Request(User("Go on forever"), Greedy(200)));
    ASSERT_TRUE(g.ok());
  }
  Completion done = c.Wait();
  EXPECT_EQ(done.finish_reason, FinishReason::kCancelled);
}

TEST_F(LlamaEngineTest, PromptOverTheKvBudgetFailsThroughOnDone) {
  std::string longer;
  for (int i = 0; i < 300; ++i) longer += " word";
  auto [text, done] = Run(User(longer), Greedy(4));
  EXPECT_EQ(done.finish_reason, FinishReason::kError);
  EXPECT_EQ(done.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(done.status.message().find("KV budget"), std::string::npos);
  EXPECT_EQ(done.status.message().find("word"), std::string::npos);
  EXPECT_TRUE(text.empty());
}

TEST_F(LlamaEngineTest, GenerationStopsWithLengthAtTheKvBudget) {
  std::string prompt;
  for (int i = 0; i < 230; ++i) prompt += " word";
  auto [text, done] = Run(User(prompt), Greedy(200));
  EXPECT_EQ(done.finish_reason, FinishReason::kLength);
  EXPECT_GT(done.usage.prompt_tokens, 200);
  EXPECT_EQ(done.usage.prompt_tokens + done.usage.completion_tokens, 256);
}

TEST_F(LlamaEngineTest, StreamsOnlyWholeUtf8Characters) {
  // Whatever bytes the random model samples (byte tokens included), every
  // on_text chunk is valid UTF-8 (checked in Collector).
  SamplingParams p;
  p.temperature = 1.5f;
  p.seed = 7;
  p.max_tokens = 24;
  auto [text, done] = Run(User("日本語で話して 🙂"), p);
  EXPECT_TRUE(IsValidUtf8(text));
}

TEST_F(LlamaEngineTest, RejectsBadRequests) {
  auto start = [](std::vector<ChatMessage> m, SamplingParams p,
                  bool callbacks = true) {
    Collector c;
    GenerationRequest r = c.Request(std::move(m), std::move(p));
    if (!callbacks) r.on_done = nullptr;
    return engine_->Start(std::move(r)).status().code();
  };
  const auto kBad = StatusCode::kInvalidArgument;
  EXPECT_EQ(start({}, Greedy(1)), kBad);
  EXPECT_EQ(start({{"robot", "x"}}, Greedy(1)), kBad);
  EXPECT_EQ(start(User("x"), Greedy(1), false), kBad);
  EXPECT_EQ(start(User("x"), Greedy(257)), kBad);
  EXPECT_EQ(start(User("x"), Greedy(-1)), kBad);
  SamplingParams p = Greedy(1);
  p.temperature = -0.5f;
  EXPECT_EQ(start(User("x"), p), kBad);
  p = Greedy(1);
  p.top_p = 0;
  EXPECT_EQ(start(User("x"), p), kBad);
  p.top_p = 1.5f;
  EXPECT_EQ(start(User("x"), p), kBad);
  p = Greedy(1);
  p.stop = {""};
  EXPECT_EQ(start(User("x"), p), kBad);
  p.stop = std::vector<std::string>(9, "a");
  EXPECT_EQ(start(User("x"), p), kBad);
  p.stop = {std::string(257, 'a')};
  EXPECT_EQ(start(User("x"), p), kBad);
  p.stop = {"\xFF"};
  EXPECT_EQ(start(User("x"), p), kBad);
}

TEST_F(LlamaEngineTest, RefusesMoreThanMaxSessions) {
  std::vector<std::unique_ptr<Collector>> cs;
  std::vector<std::unique_ptr<Generation>> gs;
  for (int i = 0; i < 4; ++i) {
    cs.push_back(std::make_unique<Collector>());
    auto g = engine_->Start(cs.back()->Request(User("x"), Greedy(200)));
    ASSERT_TRUE(g.ok());
    gs.push_back(std::move(g).value());
  }
  Collector extra;
  auto refused = engine_->Start(extra.Request(User("x"), Greedy(1)));
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  gs.clear();  // cancels all
  for (auto& c : cs) {
    EXPECT_EQ(c->Wait().finish_reason, FinishReason::kCancelled);
  }
}

// The batching collapse (issue: alternating rounds at single-stream speed):
// with one KV stream per sequence llama.cpp puts a sequence into the
// current ubatch only if its id follows the previous one's in batch order.
// Sessions admitted and finished in any order must still decode as one
// ubatch per step once they all generate. Round one finishes its sessions
// in a shuffled order; round two then runs 8 sessions of equal length,
// whose steps must be one ubatch each apart from the prefill ramp.
TEST(LlamaEngineBatchTest, SessionsInAnyOrderDecodeAsOneUbatchPerStep) {
  LlamaEngineOptions o = TestOptions();
  o.max_sessions = 8;
  o.counters = std::make_shared<LlamaEngineCounters>();
  Result<std::unique_ptr<Engine>> e = CreateLlamaEngine(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto run_round = [&](const std::vector<int>& lengths) {
    std::vector<std::unique_ptr<Collector>> cs;
    std::vector<std::unique_ptr<Generation>> gs;
    for (int n : lengths) {
      cs.push_back(std::make_unique<Collector>());
      auto g = (*e)->Start(cs.back()->Request(User("Same prompt."), Greedy(n)));
      ASSERT_TRUE(g.ok()) << g.status().ToString();
      gs.push_back(std::move(g).value());
    }
    for (auto& c : cs) {
      const Completion done = c->Wait();
      EXPECT_EQ(done.finish_reason, FinishReason::kLength);
    }
  };
  for (int round = 0; round < 3; ++round) {
    // Finish in a different order each time: ascending, descending, mixed.
    const std::vector<std::vector<int>> orders = {
        {4, 6, 8, 10, 12, 14, 16, 18},
        {18, 16, 14, 12, 10, 8, 6, 4},
        {10, 4, 16, 8, 18, 6, 14, 12}};
    run_round(orders[round]);
    const uint64_t steps0 = o.counters->steps.load();
    const uint64_t ubatches0 = o.counters->ubatches.load();
    run_round(std::vector<int>(8, 32));
    const uint64_t steps = o.counters->steps.load() - steps0;
    const uint64_t ubatches = o.counters->ubatches.load() - ubatches0;
    // 32 tokens each: at least 31 decode steps; the ramp while the 8
    // prompts are admitted adds at most one extra ubatch per admission.
    std::printf("round %d: %llu ubatches in %llu steps\n", round,
                static_cast<unsigned long long>(ubatches),
                static_cast<unsigned long long>(steps));
    EXPECT_GE(steps, 31u) << "round " << round;
    EXPECT_LE(ubatches, steps + 8) << "round " << round << ": " << ubatches
                                   << " ubatches in " << steps << " steps";
  }
}

TEST(LlamaEngineShutdownTest, ShutdownCancelsGenerationsInFlight) {
  auto e = CreateLlamaEngine(TestOptions());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  std::vector<std::unique_ptr<Collector>> cs;
  std::vector<std::unique_ptr<Generation>> gs;
  for (int i = 0; i < 3; ++i) {
    cs.push_back(std::make_unique<Collector>());
    auto g = (*e)->Start(cs.back()->Request(User("Talk"), Greedy(200)));
    ASSERT_TRUE(g.ok());
    gs.push_back(std::move(g).value());
  }
  ASSERT_TRUE(cs[0]->WaitForText());
  (*e)->Shutdown();
  for (auto& c : cs) {
    EXPECT_EQ(c->done_count(), 1);
    EXPECT_EQ(c->Wait().finish_reason, FinishReason::kCancelled);
  }
  Collector late;
  EXPECT_EQ((*e)->Start(late.Request(User("x"), Greedy(1))).status().code(),
            StatusCode::kUnavailable);
  (*e)->Shutdown();  // twice is fine
  e = Result<std::unique_ptr<Engine>>(UnavailableError("gone"));
  for (auto& g : gs) g->Cancel();  // handles outlive the engine
}

// ---- loading errors
// ----------------------------------------------------------

std::string ScratchDir() {
  std::string dir =
      testing::TempDir() + "/cerumbra_engine_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  return dir;
}

Status LoadStatus(const std::string& path) {
  LlamaEngineOptions o = TestOptions();
  o.model_path = path;
  return CreateLlamaEngine(o).status();
}

TEST(LlamaEngineLoadTest, MissingFileIsNotFound) {
  Status s = LoadStatus("/nonexistent/model.gguf");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("not found"), std::string::npos);
}

TEST(LlamaEngineLoadTest, NonGgufFileIsRejected) {
  const std::string path = ScratchDir() + "/notes.gguf";
  std::ofstream(path) << "this is not a model\n";
  Status s = LoadStatus(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not a GGUF"), std::string::npos);
}

TEST(LlamaEngineLoadTest, CorruptHeaderIsRejected) {
  const std::string path = ScratchDir() + "/corrupt.gguf";
  std::ofstream out(path, std::ios::binary);
  out << "GGUF";
  for (int i = 0; i < 64; ++i) out << '\xEE';
  out.close();
  Status s = LoadStatus(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("corrupt"), std::string::npos);
}

TEST(LlamaEngineLoadTest, TruncatedFileIsRejected) {
  const std::string path = ScratchDir() + "/truncated.gguf";
  std::filesystem::copy_file(DemoModelPath(), path,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  Status s = LoadStatus(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("truncated"), std::string::npos);
}

TEST(LlamaEngineLoadTest, UnsupportedArchitectureIsRejected) {
  const std::string path = ScratchDir() + "/frob.gguf";
  gguf_context* g = gguf_init_empty();
  gguf_set_val_str(g, "general.architecture", "frobnicator");
  ASSERT_TRUE(gguf_write_to_file(g, path.c_str(), false));
  gguf_free(g);
  Status s = LoadStatus(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("frobnicator"), std::string::npos);
}

TEST(LlamaEngineLoadTest, BadOptionsAreRejected) {
  LlamaEngineOptions o = TestOptions();
  o.max_sessions = 0;
  EXPECT_EQ(CreateLlamaEngine(o).status().code(), StatusCode::kInvalidArgument);
}

// ---- UTF-8 with the real tokenizer -----------------------------------------

TEST(LlamaTokenizerUtf8Test, TokensThatSplitCharactersAreReassembled) {
  llama_model_params mp = llama_model_default_params();
  mp.vocab_only = true;
  llama_model* model = llama_model_load_from_file(DemoModelPath().c_str(), mp);
  ASSERT_NE(model, nullptr);
  const llama_vocab* vocab = llama_model_get_vocab(model);
  // Rare CJK characters and emoji are several byte tokens in Llama 3's BPE.
  const std::string text = "a 𝄞 龘 🦜 ü 🏳️‍🌈 end";
  std::vector<llama_token> tokens(128);
  const int n =
      llama_tokenize(vocab, text.data(), static_cast<int>(text.size()),
                     tokens.data(), 128, false, false);
  ASSERT_GT(n, 0);
  TextStream stream({});
  std::string out;
  int split_pieces = 0;
  for (int i = 0; i < n; ++i) {
    char buf[64];
    const int len =
        llama_token_to_piece(vocab, tokens[i], buf, sizeof(buf), 0, false);
    ASSERT_GE(len, 0);
    const std::string piece(buf, len);
    if (!IsValidUtf8(piece)) ++split_pieces;
    const std::string chunk = stream.Push(piece);
    EXPECT_TRUE(IsValidUtf8(chunk));
    out += chunk;
  }
  out += stream.Finish();
  EXPECT_GT(split_pieces, 0) << "the test needs tokens that split characters";
  EXPECT_EQ(out, text);
  llama_model_free(model);
}

}  // namespace
}  // namespace cerumbra::inference
