// Copyright 2026 The Cerumbra Authors.
//
// LlamaEngine: the Engine on llama.cpp (CPU, or CUDA when built with it).
// One model, one llama_context, one inference thread. Every session is a
// llama.cpp sequence with its own KV stream; all running sequences are
// decoded together in one llama_decode per step (continuous batching: new
// sessions join between steps, finished or cancelled ones leave and free
// their KV cells). See docs/inference.md for the design.
//
// This header is free of llama.cpp types: code outside src/inference uses
// it through the Engine interface.

#ifndef CERUMBRA_INFERENCE_LLAMA_ENGINE_H_
#define CERUMBRA_INFERENCE_LLAMA_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "cerumbra/status.h"
#include "inference/engine.h"

namespace cerumbra::inference {

// LlamaEngineCounters counts the engine's decode work, for tests and
// benchmarks: `steps` calls to llama_decode, `ubatches` graph
// computations they ran (llama.cpp splits a batch into ubatches; one per
// step is the goal, N per step means the batch was decoded one sequence at
// a time), `tokens` tokens decoded. Counting ubatches installs an eval
// callback on one layer-0 tensor, so leave it off in production.
struct LlamaEngineCounters {
  std::atomic<uint64_t> steps{0};
  std::atomic<uint64_t> ubatches{0};
  std::atomic<uint64_t> tokens{0};
};

// LlamaEngineOptions configures CreateLlamaEngine. Defaults suit the demo
// model on a small CPU machine.
struct LlamaEngineOptions {
  // model_path is the GGUF file to load (any architecture llama.cpp
  // supports).
  std::string model_path;
  // load_path, when set, is where the bytes are read from instead (the
  // node's sealed, measured copy of model_path: attest::SealedFile);
  // model_path still names the model in Info and messages.
  std::string load_path;
  // gpu_layers is the number of layers to offload to the GPU. -1 (default)
  // means all layers when a GPU device is present (ggml backend registry)
  // and 0 otherwise. Values above the model's layer count mean all.
  int gpu_layers = -1;
  // context_size is each session's KV budget in tokens (prompt plus
  // completion). The context holds context_size * max_sessions cells.
  int context_size = 2048;
  // max_sessions is the number of sequences decoded together; Start refuses
  // more generations than this (queued or running).
  int max_sessions = 8;
  // threads for llama.cpp's CPU work; 0 means one per hardware thread.
  int threads = 0;
  // batch_size is the most tokens in one llama_decode (n_batch = n_ubatch).
  int batch_size = 512;
  // prefill_chunk is the most prompt tokens one session adds to a step, so
  // a long prompt is processed over several steps while the running
  // sessions keep getting one token per step.
  int prefill_chunk = 256;
  // default_max_tokens applies when SamplingParams::max_tokens is 0.
  int default_max_tokens = 512;
  // progress prints loading progress to stderr.
  bool progress = false;
  // cpu_repack lets llama.cpp repack CPU weights into extra buffer types
  // (AMX and similar kernels). Off by default: on the project's 2-core VMs
  // the CPU advertises AMX but executing it raises SIGILL.
  bool cpu_repack = false;
  // counters, if set, receives LlamaEngineCounters (must outlive nothing:
  // shared).
  std::shared_ptr<LlamaEngineCounters> counters;
};

// CreateLlamaEngine loads the model and starts the inference thread.
//
// Fails with NotFound for a missing file, InvalidArgument for a file that
// is not GGUF, is truncated or corrupt, or holds a model llama.cpp cannot
// run (the message names the file and says which), ResourceExhausted when
// the context cannot be allocated, and InvalidArgument for bad options.
// Messages never contain model text.
//
// The engine implements Engine's contract (engine.h). Chat formatting uses
// the model's own template through llama_chat_apply_template; a model
// without a template, or with one llama.cpp does not recognize, falls back
// to the ChatML format ("<|im_start|>role\n...<|im_end|>\n"), see
// docs/inference.md.
//
// Thread safety: the returned engine is thread-safe (Engine). Destroying it
// shuts it down.
Result<std::unique_ptr<Engine>> CreateLlamaEngine(
    const LlamaEngineOptions& options);

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_LLAMA_ENGINE_H_
