// Copyright 2026 The Cerumbra Authors.
//
// Engine: streaming chat generation, the interface network code uses
// without touching llama.cpp. Two implementations: the llama.cpp engine
// (llama_engine.h; CPU or CUDA, continuous batching on one inference
// thread) and the OpenAI-compatible upstream engine (upstream_engine.h).
//
// Flow: Start() queues a request and returns a Generation handle at once.
// The engine then calls the request's callbacks from its own thread:
// on_text zero or more times with UTF-8 text (never a multi-byte character
// split across two calls), then on_done exactly once. Nothing is called
// after on_done. Callbacks must be quick and must not block (hand the text
// to another thread or queue); they must not call back into the engine
// except Generation::Cancel, which is always safe.
//
// Nothing here logs prompts or completions; error messages never quote them.

#ifndef CERUMBRA_INFERENCE_ENGINE_H_
#define CERUMBRA_INFERENCE_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"

namespace cerumbra::inference {

// ChatMessage is one turn of a conversation. `role` is "system", "user" or
// "assistant"; anything else is InvalidArgument at Start.
struct ChatMessage {
  std::string role;
  std::string content;
};

// SamplingParams controls one generation. Defaults are the engine's.
struct SamplingParams {
  // max_tokens is the most tokens to generate, 1..engine limit. 0 means the
  // engine's default (EngineInfo::default_max_tokens).
  int max_tokens = 0;
  // temperature >= 0; 0 is greedy decoding.
  float temperature = 0.8f;
  // top_p in (0, 1].
  float top_p = 0.95f;
  // seed for the sampler; unset means a fresh random seed. With the same
  // seed, model, prompt and params a generation of the llama.cpp engine is
  // reproducible when it runs alone.
  std::optional<uint32_t> seed;
  // stop strings: generation ends before the first occurrence of any of
  // them, which is not emitted. At most 8, each 1..256 bytes.
  std::vector<std::string> stop;
};

// FinishReason says why a generation ended.
enum class FinishReason {
  kStop,       // end-of-generation token or a stop string
  kLength,     // max_tokens reached, or the session's KV budget
  kCancelled,  // Generation::Cancel or engine shutdown
  kError,      // see Completion::status
};

// FinishReasonName returns "stop", "length", "cancelled" or "error" (the
// OpenAI spelling where there is one).
std::string_view FinishReasonName(FinishReason reason);

// Usage counts tokens as the model sees them.
struct Usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// Completion is what on_done receives.
struct Completion {
  FinishReason finish_reason = FinishReason::kStop;
  // status is OK unless finish_reason is kError (or kCancelled, when it is
  // Cancelled). Messages never contain prompt or completion text.
  Status status;
  Usage usage;
  // time_to_first_token_ms: from Start to the first on_text (or on_done if
  // there was none), as measured by the engine.
  double time_to_first_token_ms = 0;
};

// GenerationRequest is one chat generation.
struct GenerationRequest {
  std::vector<ChatMessage> messages;
  SamplingParams params;
  // on_text receives the next piece of the answer (non-empty, valid UTF-8).
  std::function<void(std::string_view text)> on_text;
  // on_done is called exactly once, last.
  std::function<void(const Completion& completion)> on_done;
};

// Generation is the caller's handle on one running generation.
//
// Thread safety: Cancel may be called from any thread, any number of times,
// also after on_done (then it does nothing). Destroying the handle cancels
// the generation; on_done still arrives.
class Generation {
 public:
  virtual ~Generation() = default;
  virtual void Cancel() = 0;
};

// EngineInfo describes the loaded model and backend (public data, for
// /healthz, logs and measurements).
struct EngineInfo {
  // backend: "llama.cpp (CPU)", "llama.cpp (CUDA)" or "upstream".
  std::string backend;
  // model: the model's name (general.name or file name) or upstream model.
  std::string model;
  // model_path: the GGUF file, empty for upstream.
  std::string model_path;
  // is_demo_model: the demo model with random weights; every user-visible
  // surface says "demo model (random weights)".
  bool is_demo_model = false;
  int context_size = 0;  // tokens per session (KV budget), 0 if unknown
  int max_sessions = 0;  // sequences decoded together, 0 if unknown
  int default_max_tokens = 0;
  int gpu_layers = 0;  // layers offloaded to a GPU
};

// Engine runs generations. Implementations are thread-safe: Start may be
// called from any thread.
class Engine {
 public:
  virtual ~Engine() = default;

  // Start validates `request` and queues it. Fails (without calling any
  // callback) with InvalidArgument for a bad request (no messages, a bad
  // role, params out of range, missing callbacks), ResourceExhausted when
  // the engine has max_sessions generations queued or running, and
  // Unavailable after Shutdown. Errors found later (the prompt does not fit
  // the KV budget, a decode error, an upstream error) arrive through
  // on_done with kError.
  virtual Result<std::unique_ptr<Generation>> Start(
      GenerationRequest request) = 0;

  // Info returns the engine's description. Thread-safe.
  virtual EngineInfo Info() const = 0;

  // Shutdown cancels every generation (each gets on_done with kCancelled),
  // waits for the engine's threads to finish and refuses new ones. Called
  // by the destructor too. Must not be called from a callback.
  virtual void Shutdown() = 0;
};

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_ENGINE_H_
