// Copyright 2026 The Cerumbra Authors.
//
// The llama.cpp engine. One inference thread owns the llama_context; other
// threads only queue requests and set cancel flags (llama.cpp server's
// shape: one thread behind a task queue). See docs/inference.md.

#include "inference/llama_engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ggml-backend.h"
#include "gguf.h"
#include "inference/demo_model.h"
#include "inference/text_stream.h"
#include "llama.h"

namespace cerumbra::inference {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxStopStrings = 8;
constexpr size_t kMaxStopBytes = 256;

// ---- llama.cpp logging -----------------------------------------------------

// Errors llama.cpp logs while this thread loads a model, to name the cause
// in the returned Status (llama_model_load_from_file only returns null).
thread_local std::string* tls_load_errors = nullptr;

void EngineLog(ggml_log_level level, const char* text, void* /*user*/) {
  if (level == GGML_LOG_LEVEL_ERROR && tls_load_errors != nullptr) {
    tls_load_errors->append(text);
  }
  // llama.cpp's info and debug output is verbose; warnings and errors still
  // reach stderr. None of it contains prompts or completions.
  if (level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN) {
    std::fputs(text, stderr);
  }
}

void InitLlamaOnce() {
  static std::once_flag once;
  std::call_once(once, [] { llama_backend_init(); });
  llama_log_set(EngineLog, nullptr);
}

struct ModelDeleter {
  void operator()(llama_model* m) const { llama_model_free(m); }
};
struct ContextDeleter {
  void operator()(llama_context* c) const { llama_free(c); }
};
struct SamplerDeleter {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};
struct GgufDeleter {
  void operator()(gguf_context* g) const { gguf_free(g); }
};
using ModelPtr = std::unique_ptr<llama_model, ModelDeleter>;
using ContextPtr = std::unique_ptr<llama_context, ContextDeleter>;
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;

// ---- model file checks -----------------------------------------------------

// CheckModelFile turns the failures llama.cpp reports only as "failed to
// load" into distinct, clear errors: missing, not GGUF, corrupt metadata,
// truncated tensor data. Returns the architecture on success.
Result<std::string> CheckModelFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFoundError("model file not found: " + path);
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    return InvalidArgumentError("model path is not a regular file: " + path);
  }
  const uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return InvalidArgumentError("cannot read model file: " + path);
  char magic[4] = {};
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgumentError("cannot open model file: " + path);
    in.read(magic, sizeof(magic));
    if (in.gcount() != sizeof(magic) || std::memcmp(magic, "GGUF", 4) != 0) {
      return InvalidArgumentError("not a GGUF model file (bad magic): " + path);
    }
  }
  gguf_init_params params = {/*no_alloc=*/true, /*ctx=*/nullptr};
  std::unique_ptr<gguf_context, GgufDeleter> gguf(
      gguf_init_from_file(path.c_str(), params));
  if (!gguf) {
    return InvalidArgumentError(
        "corrupt or truncated GGUF header or metadata: " + path);
  }
  uint64_t data_end = gguf_get_data_offset(gguf.get());
  for (int64_t i = 0; i < gguf_get_n_tensors(gguf.get()); ++i) {
    data_end =
        std::max<uint64_t>(data_end, gguf_get_data_offset(gguf.get()) +
                                         gguf_get_tensor_offset(gguf.get(), i) +
                                         gguf_get_tensor_size(gguf.get(), i));
  }
  if (data_end > file_size) {
    return InvalidArgumentError("truncated GGUF model file: " + path + " has " +
                                std::to_string(file_size) +
                                " bytes, its tensors need " +
                                std::to_string(data_end));
  }
  const int64_t arch_key = gguf_find_key(gguf.get(), "general.architecture");
  if (arch_key < 0 ||
      gguf_get_kv_type(gguf.get(), arch_key) != GGUF_TYPE_STRING) {
    return InvalidArgumentError(
        "GGUF file has no general.architecture (not a model?): " + path);
  }
  return std::string(gguf_get_val_str(gguf.get(), arch_key));
}

std::string MetaString(const llama_model* model, const char* key) {
  char buf[256];
  const int32_t n = llama_model_meta_val_str(model, key, buf, sizeof(buf));
  return n < 0 ? std::string() : std::string(buf);
}

bool ProgressToStderr(float progress, void* user) {
  int* last = static_cast<int*>(user);
  const int percent = static_cast<int>(progress * 100.0f);
  if (percent != *last) {
    *last = percent;
    std::fprintf(stderr, "\rloading model: %3d%%", percent);
    if (percent >= 100) std::fputc('\n', stderr);
    std::fflush(stderr);
  }
  return true;
}

bool HasGpuDevice() {
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    const auto type = ggml_backend_dev_type(ggml_backend_dev_get(i));
    if (type == GGML_BACKEND_DEVICE_TYPE_GPU ||
        type == GGML_BACKEND_DEVICE_TYPE_IGPU) {
      return true;
    }
  }
  return false;
}

// ---- shared state between callers and the inference thread -----------------

// Slot is one generation as the caller handed it over. Written by Start
// before it is queued; afterwards only the inference thread touches it,
// except `cancelled`.
struct Slot {
  GenerationRequest request;
  std::vector<llama_token> prompt;
  int max_tokens = 0;
  Clock::time_point start;
  std::atomic<bool> cancelled{false};
};

// Shared outlives the engine when handles do: Cancel on a handle after the
// engine is gone only touches this.
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Slot>> queue;  // guarded by mu
  int in_flight = 0;                        // queued + running; guarded by mu
  bool stopping = false;                    // guarded by mu
  bool wake = false;                        // a cancel arrived; guarded by mu
};

class LlamaGeneration final : public Generation {
 public:
  LlamaGeneration(std::shared_ptr<Shared> shared, std::shared_ptr<Slot> slot)
      : shared_(std::move(shared)), slot_(std::move(slot)) {}
  ~LlamaGeneration() override { Cancel(); }

  void Cancel() override {
    if (slot_->cancelled.exchange(true)) return;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      shared_->wake = true;
    }
    shared_->cv.notify_one();
  }

 private:
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Slot> slot_;
};

// ---- the engine ------------------------------------------------------------

class LlamaEngine final : public Engine {
 public:
  LlamaEngine(const LlamaEngineOptions& options, ModelPtr model, ContextPtr ctx,
              EngineInfo info, std::string chat_template)
      : options_(options),
        model_(std::move(model)),
        ctx_(std::move(ctx)),
        vocab_(llama_model_get_vocab(model_.get())),
        info_(std::move(info)),
        chat_template_(std::move(chat_template)),
        n_ctx_seq_(static_cast<int>(llama_n_ctx_seq(ctx_.get()))),
        n_vocab_(llama_vocab_n_tokens(vocab_)),
        shared_(std::make_shared<Shared>()),
        batch_(llama_batch_init(options.batch_size, 0, 1)) {
    for (int i = 0; i < options_.max_sessions; ++i) free_seqs_.insert(i);
    thread_ = std::thread([this] { Run(); });
  }

  ~LlamaEngine() override {
    Shutdown();
    llama_batch_free(batch_);
  }

  Result<std::unique_ptr<Generation>> Start(GenerationRequest request) override;
  EngineInfo Info() const override { return info_; }
  void Shutdown() override;

 private:
  // Active is a generation admitted to a sequence. Inference thread only.
  struct Active {
    std::shared_ptr<Slot> slot;
    llama_seq_id seq = 0;
    SamplerPtr sampler;
    std::unique_ptr<TextStream> stream;
    size_t prompt_done = 0;  // prompt tokens already in the KV cache
    int n_past = 0;          // next position of this sequence
    llama_token last = 0;    // sampled, not yet decoded
    bool generating = false;
    int completion_tokens = 0;
    bool sent_text = false;
    double ttft_ms = -1;
    int32_t batch_index = -1;  // output row in this step, -1 if none
    bool done = false;
  };

  Status Validate(const GenerationRequest& request) const;
  Result<std::vector<llama_token>> Tokenize(
      const std::vector<ChatMessage>& messages) const;

  void Run();
  void Admit(std::shared_ptr<Slot> slot);
  void Step();
  llama_token Sample(Active& a);
  void Emit(Active& a, const std::string& text);
  void Finish(Active& a, FinishReason reason, Status status);
  // FailStartup delivers on_done for a slot that never got a sequence.
  void FailUnadmitted(const std::shared_ptr<Slot>& slot, FinishReason reason,
                      Status status);
  void Release();

  const LlamaEngineOptions options_;
  ModelPtr model_;
  ContextPtr ctx_;
  const llama_vocab* vocab_;
  const EngineInfo info_;
  const std::string chat_template_;
  const int n_ctx_seq_;
  const int32_t n_vocab_;

  std::shared_ptr<Shared> shared_;
  std::mutex shutdown_mu_;  // serializes Shutdown's join

  // Inference thread only.
  llama_batch batch_;
  // The lowest free sequence id is handed out first, so running sequences
  // keep consecutive ids (see Step).
  std::set<llama_seq_id> free_seqs_;
  std::vector<std::unique_ptr<Active>> active_;  // in admission order

  std::thread thread_;
};

Status LlamaEngine::Validate(const GenerationRequest& request) const {
  if (request.messages.empty()) return InvalidArgumentError("no messages");
  for (const ChatMessage& m : request.messages) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant") {
      return InvalidArgumentError("bad message role (system, user, assistant)");
    }
  }
  if (!request.on_text || !request.on_done) {
    return InvalidArgumentError("on_text and on_done are required");
  }
  const SamplingParams& p = request.params;
  if (p.max_tokens < 0 || p.max_tokens > n_ctx_seq_) {
    return InvalidArgumentError("max_tokens must be 0.." +
                                std::to_string(n_ctx_seq_));
  }
  if (!std::isfinite(p.temperature) || p.temperature < 0) {
    return InvalidArgumentError("temperature must be >= 0");
  }
  if (!std::isfinite(p.top_p) || p.top_p <= 0 || p.top_p > 1) {
    return InvalidArgumentError("top_p must be in (0, 1]");
  }
  if (p.stop.size() > kMaxStopStrings) {
    return InvalidArgumentError("at most 8 stop strings");
  }
  for (const std::string& s : p.stop) {
    if (s.empty() || s.size() > kMaxStopBytes || !IsValidUtf8(s)) {
      return InvalidArgumentError(
          "each stop string must be 1..256 bytes of valid UTF-8");
    }
  }
  return OkStatus();
}

Result<std::vector<llama_token>> LlamaEngine::Tokenize(
    const std::vector<ChatMessage>& messages) const {
  std::vector<llama_chat_message> chat;
  size_t total = 0;
  for (const ChatMessage& m : messages) {
    chat.push_back({m.role.c_str(), m.content.c_str()});
    total += m.role.size() + m.content.size();
  }
  std::string formatted(2 * total + 256, '\0');
  int32_t n = llama_chat_apply_template(
      chat_template_.c_str(), chat.data(), chat.size(), /*add_ass=*/true,
      formatted.data(), static_cast<int32_t>(formatted.size()));
  if (n > static_cast<int32_t>(formatted.size())) {
    formatted.resize(n);
    n = llama_chat_apply_template(chat_template_.c_str(), chat.data(),
                                  chat.size(), true, formatted.data(), n);
  }
  if (n < 0) return InternalError("chat template could not be applied");
  formatted.resize(n);

  // The template writes special tokens as text (<|eot_id|>), so special
  // tokens are parsed, like llama.cpp's server does.
  const int32_t len = static_cast<int32_t>(formatted.size());
  std::vector<llama_token> tokens(formatted.size() + 8);
  int32_t count = llama_tokenize(vocab_, formatted.data(), len, tokens.data(),
                                 static_cast<int32_t>(tokens.size()),
                                 /*add_special=*/true, /*parse_special=*/true);
  if (count < 0 && count != INT32_MIN) {
    tokens.resize(-count);
    count = llama_tokenize(vocab_, formatted.data(), len, tokens.data(),
                           static_cast<int32_t>(tokens.size()), true, true);
  }
  std::fill(formatted.begin(), formatted.end(), '\0');  // prompt hygiene
  if (count < 0) return InvalidArgumentError("prompt is too long to tokenize");
  tokens.resize(count);
  return tokens;
}

Result<std::unique_ptr<Generation>> LlamaEngine::Start(
    GenerationRequest request) {
  Status valid = Validate(request);
  if (!valid.ok()) return valid;
  auto slot = std::make_shared<Slot>();
  slot->start = Clock::now();
  try {
    Result<std::vector<llama_token>> prompt = Tokenize(request.messages);
    if (!prompt.ok()) return prompt.status();
    slot->prompt = std::move(prompt).value();
  } catch (const std::exception&) {
    return InternalError("tokenization failed");
  }
  slot->max_tokens = request.params.max_tokens > 0 ? request.params.max_tokens
                                                   : info_.default_max_tokens;
  slot->request = std::move(request);
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->stopping) return UnavailableError("engine is shut down");
    if (shared_->in_flight >= options_.max_sessions) {
      return ResourceExhaustedError("all " +
                                    std::to_string(options_.max_sessions) +
                                    " sessions are busy");
    }
    ++shared_->in_flight;
    shared_->queue.push_back(slot);
  }
  shared_->cv.notify_one();
  return std::unique_ptr<Generation>(
      std::make_unique<LlamaGeneration>(shared_, std::move(slot)));
}

void LlamaEngine::Shutdown() {
  std::lock_guard<std::mutex> join_lock(shutdown_mu_);
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stopping = true;
  }
  shared_->cv.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LlamaEngine::Release() {
  std::lock_guard<std::mutex> lock(shared_->mu);
  --shared_->in_flight;
}

void LlamaEngine::FailUnadmitted(const std::shared_ptr<Slot>& slot,
                                 FinishReason reason, Status status) {
  Completion c;
  c.finish_reason = reason;
  c.status = std::move(status);
  c.usage.prompt_tokens = static_cast<int>(slot->prompt.size());
  c.time_to_first_token_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - slot->start)
          .count();
  Release();
  auto on_done = std::move(slot->request.on_done);
  slot->request = {};
  on_done(c);
}

void LlamaEngine::Admit(std::shared_ptr<Slot> slot) {
  if (slot->cancelled.load()) {
    FailUnadmitted(slot, FinishReason::kCancelled,
                   CancelledError("generation cancelled"));
    return;
  }
  const int n_prompt = static_cast<int>(slot->prompt.size());
  if (n_prompt + 1 > n_ctx_seq_) {
    FailUnadmitted(
        slot, FinishReason::kError,
        InvalidArgumentError("prompt has " + std::to_string(n_prompt) +
                             " tokens; the session's KV budget is " +
                             std::to_string(n_ctx_seq_) +
                             " tokens for prompt and completion together"));
    return;
  }
  // Invariant: in_flight <= max_sessions, so a sequence is free.
  auto a = std::make_unique<Active>();
  a->seq = *free_seqs_.begin();
  free_seqs_.erase(free_seqs_.begin());
  const SamplingParams& p = slot->request.params;
  llama_sampler_chain_params sp = llama_sampler_chain_default_params();
  sp.no_perf = true;
  a->sampler.reset(llama_sampler_chain_init(sp));
  if (p.temperature == 0) {
    llama_sampler_chain_add(a->sampler.get(), llama_sampler_init_greedy());
  } else {
    // llama.cpp's order (common/sampling): top_p, then temperature, then
    // draw.
    if (p.top_p < 1.0f) {
      llama_sampler_chain_add(a->sampler.get(),
                              llama_sampler_init_top_p(p.top_p, 1));
    }
    llama_sampler_chain_add(a->sampler.get(),
                            llama_sampler_init_temp(p.temperature));
    llama_sampler_chain_add(
        a->sampler.get(),
        llama_sampler_init_dist(p.seed ? *p.seed : LLAMA_DEFAULT_SEED));
  }
  a->stream = std::make_unique<TextStream>(p.stop);
  a->slot = std::move(slot);
  active_.push_back(std::move(a));
}

void LlamaEngine::Emit(Active& a, const std::string& text) {
  if (text.empty()) return;
  if (!a.sent_text) {
    a.sent_text = true;
    a.ttft_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - a.slot->start)
            .count();
  }
  a.slot->request.on_text(text);
}

void LlamaEngine::Finish(Active& a, FinishReason reason, Status status) {
  if (reason == FinishReason::kStop || reason == FinishReason::kLength) {
    Emit(a, a.stream->Finish());
  }
  llama_memory_seq_rm(llama_get_memory(ctx_.get()), a.seq, -1, -1);
  free_seqs_.insert(a.seq);
  a.done = true;
  Completion c;
  c.finish_reason = reason;
  c.status = std::move(status);
  c.usage.prompt_tokens = static_cast<int>(a.slot->prompt.size());
  c.usage.completion_tokens = a.completion_tokens;
  c.time_to_first_token_ms = a.sent_text
                                 ? a.ttft_ms
                                 : std::chrono::duration<double, std::milli>(
                                       Clock::now() - a.slot->start)
                                       .count();
  // Free the session before on_done, so a caller that starts the next
  // generation from on_done finds room.
  Release();
  auto on_done = std::move(a.slot->request.on_done);
  std::fill(a.slot->prompt.begin(), a.slot->prompt.end(), 0);
  a.slot->request = {};
  a.sampler.reset();
  on_done(c);
}

llama_token LlamaEngine::Sample(Active& a) {
  if (a.slot->request.params.temperature == 0) {
    // Greedy: the argmax of the logits, exactly what the greedy sampler
    // picks (the first of equal maxima), without copying the whole
    // vocabulary into a candidate array first. That copy costs about as
    // much as a decode step of a small model for a 128k vocabulary.
    const float* logits = llama_get_logits_ith(ctx_.get(), a.batch_index);
    if (logits == nullptr) {
      return llama_sampler_sample(a.sampler.get(), ctx_.get(), a.batch_index);
    }
    llama_token best = 0;
    float best_logit = logits[0];
    for (int32_t i = 1; i < n_vocab_; ++i) {
      if (logits[i] > best_logit) {
        best_logit = logits[i];
        best = i;
      }
    }
    return best;
  }
  return llama_sampler_sample(a.sampler.get(), ctx_.get(), a.batch_index);
}

void LlamaEngine::Step() {
  // Build the batch: one token for every generating sequence (round robin:
  // everyone advances by one per step), then prompt chunks in admission
  // order with what is left of the batch.
  batch_.n_tokens = 0;
  auto add = [this](llama_token token, llama_pos pos, llama_seq_id seq,
                    bool logits) {
    const int i = batch_.n_tokens++;
    batch_.token[i] = token;
    batch_.pos[i] = pos;
    batch_.n_seq_id[i] = 1;
    batch_.seq_id[i][0] = seq;
    batch_.logits[i] = logits;
    return i;
  };
  // With one KV stream per sequence, llama.cpp splits a batch into
  // ubatches with split_equal(sequential = true) (llama-batch.cpp): a
  // sequence joins the current ubatch only if its id is one more than the
  // previous sequence's in batch order. So the generating sequences go in
  // ascending id order; with the lowest free id handed out first their ids
  // are consecutive, and a step of N generating sequences is one ubatch,
  // not N (docs/inference.md "Batch order").
  std::vector<Active*> generating;
  for (auto& a : active_) {
    a->batch_index = -1;
    if (a->generating) generating.push_back(a.get());
  }
  std::sort(generating.begin(), generating.end(),
            [](const Active* x, const Active* y) { return x->seq < y->seq; });
  for (Active* a : generating) {
    a->batch_index = add(a->last, a->n_past, a->seq, true);
    ++a->n_past;
  }
  int budget = options_.batch_size - batch_.n_tokens;
  std::vector<Active*> in_batch;
  for (auto& a : active_) {
    if (a->generating) {
      in_batch.push_back(a.get());
      continue;
    }
    if (budget <= 0) continue;
    const size_t left = a->slot->prompt.size() - a->prompt_done;
    const int n = static_cast<int>(std::min<size_t>(
        left, static_cast<size_t>(std::min(budget, options_.prefill_chunk))));
    for (int k = 0; k < n; ++k) {
      const bool last = a->prompt_done + 1 == a->slot->prompt.size();
      const int i =
          add(a->slot->prompt[a->prompt_done], a->n_past, a->seq, last);
      if (last) a->batch_index = i;
      ++a->prompt_done;
      ++a->n_past;
    }
    budget -= n;
    in_batch.push_back(a.get());
  }
  if (batch_.n_tokens == 0) return;

  if (options_.counters) {
    options_.counters->steps.fetch_add(1, std::memory_order_relaxed);
    options_.counters->tokens.fetch_add(static_cast<uint64_t>(batch_.n_tokens),
                                        std::memory_order_relaxed);
  }
  const int32_t rc = llama_decode(ctx_.get(), batch_);
  if (rc != 0) {
    for (Active* a : in_batch) {
      Finish(*a, FinishReason::kError,
             InternalError("llama_decode failed (" + std::to_string(rc) + ")"));
    }
    return;
  }

  for (Active* a : in_batch) {
    if (a->batch_index < 0) continue;  // prompt not complete yet
    a->generating = true;
    const llama_token token = Sample(*a);
    if (llama_vocab_is_eog(vocab_, token)) {
      Finish(*a, FinishReason::kStop, OkStatus());
      continue;
    }
    ++a->completion_tokens;
    char buf[256];
    int32_t n = llama_token_to_piece(vocab_, token, buf, sizeof(buf), 0,
                                     /*special=*/false);
    std::string piece;
    if (n >= 0) {
      piece.assign(buf, n);
    } else {
      piece.resize(-n);
      n = llama_token_to_piece(vocab_, token, piece.data(), -n, 0, false);
      piece.resize(std::max(n, 0));
    }
    Emit(*a, a->stream->Push(piece));
    if (a->stream->stopped()) {
      Finish(*a, FinishReason::kStop, OkStatus());
    } else if (a->completion_tokens >= a->slot->max_tokens ||
               static_cast<int>(a->slot->prompt.size()) +
                       a->completion_tokens >=
                   n_ctx_seq_) {
      // max_tokens, or the KV budget: prompt + completion <= context_size.
      Finish(*a, FinishReason::kLength, OkStatus());
    } else {
      a->last = token;
    }
  }
  std::erase_if(active_, [](const auto& a) { return a->done; });
}

void LlamaEngine::Run() {
  for (;;) {
    std::deque<std::shared_ptr<Slot>> incoming;
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(shared_->mu);
      if (active_.empty()) {
        shared_->cv.wait(lock, [this] {
          return shared_->stopping || shared_->wake || !shared_->queue.empty();
        });
      }
      shared_->wake = false;
      incoming.swap(shared_->queue);
      stopping = shared_->stopping;
    }
    try {
      if (stopping) {
        for (auto& slot : incoming) {
          FailUnadmitted(slot, FinishReason::kCancelled,
                         CancelledError("engine shut down"));
        }
        for (auto& a : active_) {
          Finish(*a, FinishReason::kCancelled,
                 CancelledError("engine shut down"));
        }
        active_.clear();
        return;
      }
      for (auto& slot : incoming) Admit(std::move(slot));
      for (auto& a : active_) {
        if (a->slot->cancelled.load()) {
          Finish(*a, FinishReason::kCancelled,
                 CancelledError("generation cancelled"));
        }
      }
      std::erase_if(active_, [](const auto& a) { return a->done; });
      if (!active_.empty()) Step();
    } catch (const std::exception&) {
      // Nothing in the loop should throw but allocation; fail what runs and
      // keep serving.
      for (auto& a : active_) {
        if (!a->done) {
          Finish(*a, FinishReason::kError,
                 InternalError("inference step failed"));
        }
      }
      active_.clear();
    }
  }
}

Status ValidateOptions(const LlamaEngineOptions& o) {
  if (o.context_size < 16) return InvalidArgumentError("context_size < 16");
  if (o.max_sessions < 1 ||
      o.max_sessions > static_cast<int>(llama_max_parallel_sequences())) {
    return InvalidArgumentError("max_sessions must be 1.." +
                                std::to_string(llama_max_parallel_sequences()));
  }
  if (o.threads < 0) return InvalidArgumentError("threads < 0");
  if (o.batch_size < o.max_sessions) {
    return InvalidArgumentError("batch_size < max_sessions");
  }
  if (o.prefill_chunk < 1) return InvalidArgumentError("prefill_chunk < 1");
  if (o.default_max_tokens < 1) {
    return InvalidArgumentError("default_max_tokens < 1");
  }
  if (o.gpu_layers < -1) return InvalidArgumentError("gpu_layers < -1");
  return OkStatus();
}

// CountUbatches is a ggml eval callback that observes one tensor every
// graph computes exactly once (layer 0's attention norm): one call per
// ubatch.
bool CountUbatches(ggml_tensor* t, bool ask, void* user_data) {
  if (ask) return std::strcmp(t->name, "attn_norm-0") == 0;
  static_cast<LlamaEngineCounters*>(user_data)->ubatches.fetch_add(
      1, std::memory_order_relaxed);
  return true;
}

Result<std::unique_ptr<Engine>> CreateImpl(const LlamaEngineOptions& options) {
  Status valid = ValidateOptions(options);
  if (!valid.ok()) return valid;
  InitLlamaOnce();
  const std::string& load_path =
      options.load_path.empty() ? options.model_path : options.load_path;
  Result<std::string> arch = CheckModelFile(load_path);
  if (!arch.ok()) return arch.status();

  const bool has_gpu = HasGpuDevice();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = has_gpu ? options.gpu_layers : 0;
  // Extra CPU buffer types repack weights for AMX and similar kernels.
  // On this project's CI VMs the CPU reports AMX but the hypervisor does
  // not enable it (SIGILL on the first tile instruction), so they are off
  // unless asked for.
  mp.use_extra_bufts = options.cpu_repack;
  int last_percent = -1;
  if (options.progress) {
    mp.progress_callback = ProgressToStderr;
    mp.progress_callback_user_data = &last_percent;
  }
  std::string load_errors;
  tls_load_errors = &load_errors;
  ModelPtr model(llama_model_load_from_file(load_path.c_str(), mp));
  tls_load_errors = nullptr;
  if (!model) {
    while (!load_errors.empty() && load_errors.back() == '\n') {
      load_errors.pop_back();
    }
    return InvalidArgumentError(
        "llama.cpp cannot load " + options.model_path + " (architecture '" +
        *arch + "'): " +
        (load_errors.empty() ? std::string("unsupported model") : load_errors));
  }

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(options.context_size) *
             static_cast<uint32_t>(options.max_sessions);
  cp.n_seq_max = static_cast<uint32_t>(options.max_sessions);
  cp.n_batch = static_cast<uint32_t>(options.batch_size);
  cp.n_ubatch = static_cast<uint32_t>(options.batch_size);
  const int threads =
      options.threads > 0
          ? options.threads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cp.n_threads = threads;
  cp.n_threads_batch = threads;
  cp.kv_unified = false;  // one KV stream per session: the KV budget
  cp.no_perf = true;
  if (options.counters) {
    cp.cb_eval = CountUbatches;
    cp.cb_eval_user_data = options.counters.get();
  }
  ContextPtr ctx(llama_init_from_model(model.get(), cp));
  if (!ctx) {
    return ResourceExhaustedError(
        "cannot create the llama.cpp context (" + std::to_string(cp.n_ctx) +
        " KV cells for " + std::to_string(options.max_sessions) + " sessions)");
  }

  // Warm up once (as llama.cpp's tools do): the first decode allocates and
  // pages in weights, which would otherwise land on the first user.
  {
    const llama_vocab* vocab = llama_model_get_vocab(model.get());
    llama_token bos = llama_vocab_bos(vocab);
    if (bos == LLAMA_TOKEN_NULL) bos = 0;
    llama_batch one = llama_batch_get_one(&bos, 1);
    (void)llama_decode(ctx.get(), one);
    llama_memory_clear(llama_get_memory(ctx.get()), true);
  }

  // The model's chat template when llama.cpp knows it; ChatML otherwise.
  std::string chat_template = "chatml";
  if (const char* t = llama_model_chat_template(model.get(), nullptr)) {
    llama_chat_message probe = {"user", "x"};
    if (llama_chat_apply_template(t, &probe, 1, true, nullptr, 0) >= 0) {
      chat_template = t;
    } else {
      std::fprintf(stderr,
                   "model's chat template is not one llama.cpp knows; "
                   "using ChatML\n");
    }
  } else {
    std::fprintf(stderr, "model has no chat template; using ChatML\n");
  }

  EngineInfo info;
  const int n_layer = llama_model_n_layer(model.get());
  info.gpu_layers =
      has_gpu ? (options.gpu_layers < 0 ? n_layer
                                        : std::min(options.gpu_layers, n_layer))
              : 0;
  info.backend = info.gpu_layers > 0 ? "llama.cpp (CUDA)" : "llama.cpp (CPU)";
  info.model = MetaString(model.get(), "general.name");
  if (info.model.empty()) {
    info.model = std::filesystem::path(options.model_path).filename().string();
  }
  info.model_path = options.model_path;
  info.is_demo_model = MetaString(model.get(), kDemoModelMetadataKey) == "true";
  if (info.is_demo_model) info.model = std::string(kDemoModelLabel);
  info.context_size = static_cast<int>(llama_n_ctx_seq(ctx.get()));
  info.max_sessions = options.max_sessions;
  info.default_max_tokens =
      std::min(options.default_max_tokens, info.context_size);

  return std::unique_ptr<Engine>(
      std::make_unique<LlamaEngine>(options, std::move(model), std::move(ctx),
                                    std::move(info), std::move(chat_template)));
}

}  // namespace

Result<std::unique_ptr<Engine>> CreateLlamaEngine(
    const LlamaEngineOptions& options) {
  try {
    return CreateImpl(options);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("out of memory loading the model");
  } catch (const std::exception& e) {
    return InternalError(std::string("loading the model failed: ") + e.what());
  }
}

}  // namespace cerumbra::inference
