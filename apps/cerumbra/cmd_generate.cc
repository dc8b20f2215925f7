// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra generate [options] [PROMPT]`: one streaming chat generation
// through the Engine interface, on the llama.cpp engine. The answer goes to
// stdout as it is generated; usage and timings go to stderr.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <future>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "inference/demo_model.h"
#include "inference/engine.h"
#include "inference/llama_engine.h"

namespace cerumbra::cli {
namespace {

struct GenerateArgs {
  std::string model;
  int gpu_layers = -1;
  int max_tokens = 256;
  float temperature = 0.8f;
  float top_p = 0.95f;
  int64_t seed = -1;
  std::vector<std::string> stop;
  int threads = 0;
  int context_size = 4096;
  std::string system;
  std::string prompt;
};

int RunGenerate(const GenerateArgs& args) {
  std::string prompt = args.prompt;
  if (prompt.empty() || prompt == "-") {
    if (isatty(STDIN_FILENO) && prompt.empty()) {
      std::fprintf(stderr, "reading the prompt from stdin (end with Ctrl-D)\n");
    }
    prompt.assign(std::istreambuf_iterator<char>(std::cin),
                  std::istreambuf_iterator<char>());
  }
  if (prompt.empty()) {
    std::fprintf(stderr, "error: empty prompt\n");
    return 2;
  }

  inference::LlamaEngineOptions options;
  if (args.model.empty()) {
    Result<std::string> demo = inference::EnsureDemoModel();
    if (!demo.ok()) {
      std::fprintf(stderr, "error: %s\n", demo.status().ToString().c_str());
      return 1;
    }
    options.model_path = *demo;
  } else {
    options.model_path = args.model;
  }
  options.gpu_layers = args.gpu_layers;
  options.threads = args.threads;
  options.context_size = args.context_size;
  options.max_sessions = 1;
  // Percent progress on a terminal; one line otherwise (logs stay clean).
  options.progress = isatty(STDERR_FILENO);
  std::fprintf(stderr, "loading %s\n", options.model_path.c_str());
  Result<std::unique_ptr<inference::Engine>> engine =
      inference::CreateLlamaEngine(options);
  if (!engine.ok()) {
    std::fprintf(stderr, "error: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  const inference::EngineInfo info = (*engine)->Info();
  std::fprintf(stderr, "model: %s (%s), %s, %d GPU layers\n",
               info.model.c_str(), info.model_path.c_str(),
               info.backend.c_str(), info.gpu_layers);
  if (info.is_demo_model) {
    std::fprintf(stderr,
                 "note: this is the %s; its output is meaningless. Pass "
                 "--model FILE.gguf to run a real model.\n",
                 std::string(inference::kDemoModelLabel).c_str());
  }

  inference::GenerationRequest request;
  if (!args.system.empty()) request.messages.push_back({"system", args.system});
  request.messages.push_back({"user", prompt});
  request.params.max_tokens = args.max_tokens;
  request.params.temperature = args.temperature;
  request.params.top_p = args.top_p;
  if (args.seed >= 0) request.params.seed = static_cast<uint32_t>(args.seed);
  request.params.stop = args.stop;
  request.on_text = [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  };
  std::promise<inference::Completion> done;
  request.on_done = [&done](const inference::Completion& c) {
    done.set_value(c);
  };
  const auto start = std::chrono::steady_clock::now();
  auto generation = (*engine)->Start(std::move(request));
  if (!generation.ok()) {
    std::fprintf(stderr, "error: %s\n", generation.status().ToString().c_str());
    return generation.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const inference::Completion c = done.get_future().get();
  const double total_ms = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  std::printf("\n");
  std::fflush(stdout);
  const double gen_ms = total_ms - c.time_to_first_token_ms;
  const double tps = c.usage.completion_tokens > 1 && gen_ms > 0
                         ? (c.usage.completion_tokens - 1) * 1000.0 / gen_ms
                         : 0;
  std::fprintf(
      stderr,
      "finish: %s; prompt tokens: %d; completion tokens: %d; time to "
      "first token: %.1f ms; generation: %.1f tokens/s; total: %.1f "
      "ms\n",
      std::string(inference::FinishReasonName(c.finish_reason)).c_str(),
      c.usage.prompt_tokens, c.usage.completion_tokens,
      c.time_to_first_token_ms, tps, total_ms);
  if (c.finish_reason == inference::FinishReason::kError) {
    std::fprintf(stderr, "error: %s\n", c.status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterGenerateCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Generate one chat answer with the llama.cpp engine, streamed to "
      "stdout; usage and timings go to stderr. Without --model it uses the "
      "demo model (random weights), which produces meaningless text.");
  cmd->add_option("--model,-m", args->model,
                  "GGUF model file. Default: the demo model (random "
                  "weights), made once in ~/.cache/cerumbra/models");
  cmd->add_option("--gpu-layers", args->gpu_layers,
                  "Layers to offload to the GPU. Default -1: all layers when "
                  "a GPU is present, 0 otherwise")
      ->check(CLI::Range(-1, 100000));
  cmd->add_option("--max-tokens,-n", args->max_tokens,
                  "Most tokens to generate (default 256)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--temperature,-t", args->temperature,
                  "Sampling temperature, >= 0; 0 is greedy decoding "
                  "(default 0.8)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--top-p", args->top_p,
                  "Nucleus sampling: keep the most likely tokens whose "
                  "probabilities add up to P, in (0, 1] (default 0.95)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", args->seed,
                  "Sampler seed, for reproducible sampling (default: random)")
      ->check(CLI::Range(int64_t{0}, int64_t{UINT32_MAX}));
  cmd->add_option("--stop", args->stop,
                  "Stop string (repeatable, at most 8): generation ends "
                  "before it and it is not printed");
  cmd->add_option("--threads", args->threads,
                  "CPU threads for llama.cpp (default: all hardware threads)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--context-size", args->context_size,
                  "KV budget in tokens, prompt plus answer (default 4096)")
      ->check(CLI::Range(16, 1 << 20));
  cmd->add_option("--system", args->system, "Optional system message");
  cmd->add_option("PROMPT", args->prompt,
                  "The user message. Omitted or \"-\": read it from stdin");
  cmd->callback([args, &exit_code] { exit_code = RunGenerate(*args); });
}

}  // namespace cerumbra::cli
