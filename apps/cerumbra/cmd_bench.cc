// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra bench engine`: generation speed of the llama.cpp engine through
// the Engine interface (1 and 8 concurrent sequences, time to first token),
// next to llama.cpp's own tools on the same model, machine and thread count,
// run as subprocesses in the same run. See docs/performance.md.

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "inference/demo_model.h"
#include "inference/engine.h"
#include "inference/llama_engine.h"

namespace cerumbra::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::string model;
  int tokens = 128;
  int prompt_words = 100;
  int threads = 0;
  int reps = 3;
  std::string tools_dir =
#ifdef CERUMBRA_LLAMA_TOOLS_DIR
      CERUMBRA_LLAMA_TOOLS_DIR;
#else
      "";
#endif
  bool skip_tools = false;
  bool repacked = false;
};

struct RunStats {
  double tokens_per_s = 0;  // generation rate after the first token
  double ttft_ms = 0;       // mean time to first token
  int prompt_tokens = 0;
};

// RunConcurrent starts `n` greedy generations at once and measures the
// aggregate generation rate from the moment the last one got its first
// token until the last one finished (llama-batched-bench's S_TG: all
// sequences decoding together).
Result<RunStats> RunConcurrent(inference::Engine& engine, int n, int tokens,
                               const std::string& prompt) {
  struct One {
    std::promise<inference::Completion> done;
    Clock::time_point end;
  };
  std::vector<std::unique_ptr<One>> ones;
  std::vector<std::unique_ptr<inference::Generation>> handles;
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < n; ++i) {
    ones.push_back(std::make_unique<One>());
    One* one = ones.back().get();
    inference::GenerationRequest r;
    // Same length for every sequence, different text.
    r.messages = {{"user", prompt + " " + std::to_string(10 + i)}};
    r.params.temperature = 0;
    r.params.max_tokens = tokens;
    r.on_text = [](std::string_view) {};
    r.on_done = [one](const inference::Completion& c) {
      one->end = Clock::now();
      one->done.set_value(c);
    };
    auto g = engine.Start(std::move(r));
    if (!g.ok()) return g.status();
    handles.push_back(std::move(g).value());
  }
  RunStats stats;
  double last_first_ms = 0, last_end_ms = 0;
  int generated = 0;
  for (auto& one : ones) {
    const inference::Completion c = one->done.get_future().get();
    if (c.finish_reason == inference::FinishReason::kError) return c.status;
    last_first_ms = std::max(last_first_ms, c.time_to_first_token_ms);
    last_end_ms = std::max(
        last_end_ms,
        std::chrono::duration<double, std::milli>(one->end - start).count());
    generated += c.usage.completion_tokens - 1;
    stats.ttft_ms += c.time_to_first_token_ms / n;
    stats.prompt_tokens = c.usage.prompt_tokens;
  }
  const double window_ms = last_end_ms - last_first_ms;
  stats.tokens_per_s = window_ms > 0 ? generated * 1000.0 / window_ms : 0;
  return stats;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// RunCapture runs a shell command and returns its stdout.
std::optional<std::string> RunCapture(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int rc = pclose(pipe);
  if (rc != 0) return std::nullopt;
  return out;
}

struct ToolNumbers {
  std::optional<double> bench_tg;        // llama-bench tg, 1 sequence
  std::optional<double> batched_tg1;     // llama-batched-bench S_TG, pl=1
  std::optional<double> batched_tg8;     // llama-batched-bench S_TG, pl=8
  std::optional<double> batched_pp1_ms;  // prompt time at pl=1
  std::string bench_cmd, batched_cmd;
};

ToolNumbers RunTools(const BenchArgs& args, const std::string& model,
                     int threads, int prompt_tokens, int ctx) {
  ToolNumbers t;
  const std::string dir = args.tools_dir;
  // llama-bench has no switch for weight repacking: it repacks for AMX,
  // which it can use for one-token batches (see docs/performance.md).
  t.bench_cmd = ShellQuote(dir + "/llama-bench") + " -m " + ShellQuote(model) +
                " -p 0 -n " + std::to_string(args.tokens) + " -t " +
                std::to_string(threads) + " -r 1 -b 512 -ub 512 -o json";
  if (auto out = RunCapture(t.bench_cmd + " 2>/dev/null")) {
    try {
      boost::json::value v = boost::json::parse(*out);
      double sum = 0;
      int count = 0;
      for (const auto& row : v.as_array()) {
        sum += row.at("avg_ts").to_number<double>();
        ++count;
      }
      if (count > 0) t.bench_tg = sum / count;
    } catch (const std::exception&) {
    }
  }
  // Same settings as the engine: n_batch = n_ubatch = 512, one KV stream per
  // sequence, no weight repacking, flash attention auto, same threads.
  t.batched_cmd = ShellQuote(dir + "/llama-batched-bench") + " -m " +
                  ShellQuote(model) + " -c " + std::to_string(ctx) +
                  " -b 512 -ub 512 -npp " + std::to_string(prompt_tokens) +
                  " -ntg " + std::to_string(args.tokens) + " -npl 1,8 -t " +
                  std::to_string(threads) +
                  " --no-repack --output-format jsonl";
  double tg1 = 0, tg8 = 0, pp1 = 0;
  int n1 = 0, n8 = 0;
  if (auto out = RunCapture(t.batched_cmd + " 2>&1")) {
    size_t pos = 0;
    while ((pos = out->find("{\"n_kv_max\"", pos)) != std::string::npos) {
      const size_t end = out->find('\n', pos);
      try {
        boost::json::value v = boost::json::parse(
            out->substr(pos, end == std::string::npos ? end : end - pos));
        const int pl = static_cast<int>(v.at("pl").to_number<double>());
        const double tg = v.at("speed_tg").to_number<double>();
        if (pl == 1) {
          tg1 += tg;
          pp1 += v.at("t_pp").to_number<double>() * 1000.0;
          ++n1;
        } else if (pl == 8) {
          tg8 += tg;
          ++n8;
        }
      } catch (const std::exception&) {
      }
      pos = end;
    }
  }
  if (n1 > 0) {
    t.batched_tg1 = tg1 / n1;
    t.batched_pp1_ms = pp1 / n1;
  }
  if (n8 > 0) t.batched_tg8 = tg8 / n8;
  return t;
}

std::string Num(std::optional<double> v, int digits = 1) {
  if (!v) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, *v);
  return buf;
}

std::string Ratio(double ours, std::optional<double> theirs) {
  if (!theirs || *theirs <= 0) return "n/a";
  return Num(ours / *theirs, 3);
}

int RunBenchEngine(const BenchArgs& args) {
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
  const int threads =
      args.threads > 0
          ? args.threads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.threads = threads;
  options.max_sessions = 8;
  options.batch_size = 512;
  options.prefill_chunk = 512;
  // A multiple of 256, as llama.cpp pads the context to 256 cells.
  options.context_size =
      (args.prompt_words * 2 + args.tokens + 64 + 255) / 256 * 256;
  Result<std::unique_ptr<inference::Engine>> engine =
      inference::CreateLlamaEngine(options);
  if (!engine.ok()) {
    std::fprintf(stderr, "error: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  const inference::EngineInfo info = (*engine)->Info();
  std::string prompt = "Please continue this text:";
  for (int i = 0; i < args.prompt_words; ++i) prompt += " lorem";

  // Warm-up, then the measured repetitions.
  if (auto w = RunConcurrent(**engine, 1, 8, prompt); !w.ok()) {
    std::fprintf(stderr, "error: %s\n", w.status().ToString().c_str());
    return 1;
  }
  // The repacked engine (see --repacked) and llama.cpp's tools run in the
  // same rounds as the engine, interleaved, and every figure is the best
  // of its rounds: on a shared machine other work only ever slows a run
  // down, so the best round is the closest to the machine's real speed, and
  // interleaving exposes both sides to the same background.
  //
  // The repacked engine is like for like with llama-bench, which repacks
  // the weights for AMX and cannot be told not to: repacking on, one
  // session and one-token prefill steps, because llama.cpp's AMX kernels
  // for batches of more than one token fault on CPUs whose hypervisor
  // hides AMX tiles (see docs/performance.md).
  std::unique_ptr<inference::Engine> repacked_engine;
  if (args.repacked) {
    inference::LlamaEngineOptions r = options;
    r.cpu_repack = true;
    r.max_sessions = 1;
    r.prefill_chunk = 1;
    auto e = inference::CreateLlamaEngine(r);
    if (!e.ok()) {
      std::fprintf(stderr, "error: %s\n", e.status().ToString().c_str());
      return 1;
    }
    repacked_engine = std::move(e).value();
    if (auto w = RunConcurrent(*repacked_engine, 1, 8, prompt); !w.ok()) {
      return 1;
    }
  }
  auto best = [](std::optional<double>& b, std::optional<double> v,
                 bool lower_is_better = false) {
    if (!v) return;
    if (!b || (lower_is_better ? *v < *b : *v > *b)) b = v;
  };
  std::optional<double> one_tps, one_ttft, eight_tps, eight_ttft, repacked_tps;
  int prompt_tokens = 0;
  ToolNumbers tools;
  const bool have_tools = !args.skip_tools && !args.tools_dir.empty();
  for (int rep = 0; rep < args.reps; ++rep) {
    auto s1 = RunConcurrent(**engine, 1, args.tokens, prompt);
    auto s8 = RunConcurrent(**engine, 8, args.tokens, prompt);
    if (!s1.ok() || !s8.ok()) {
      std::fprintf(stderr, "error: %s\n",
                   (!s1.ok() ? s1.status() : s8.status()).ToString().c_str());
      return 1;
    }
    prompt_tokens = s1->prompt_tokens;
    best(one_tps, s1->tokens_per_s);
    best(one_ttft, s1->ttft_ms, true);
    best(eight_tps, s8->tokens_per_s);
    best(eight_ttft, s8->ttft_ms, true);
    if (repacked_engine) {
      auto r1 = RunConcurrent(*repacked_engine, 1, args.tokens, prompt);
      if (!r1.ok()) return 1;
      best(repacked_tps, r1->tokens_per_s);
    }
    if (have_tools) {
      ToolNumbers t = RunTools(args, options.model_path, threads, prompt_tokens,
                               8 * (prompt_tokens + args.tokens) + 64);
      best(tools.bench_tg, t.bench_tg);
      best(tools.batched_tg1, t.batched_tg1);
      best(tools.batched_tg8, t.batched_tg8);
      best(tools.batched_pp1_ms, t.batched_pp1_ms, true);
      tools.bench_cmd = t.bench_cmd;
      tools.batched_cmd = t.batched_cmd;
    }
    std::fprintf(stderr, "round %d of %d done\n", rep + 1, args.reps);
  }
  (*engine)->Shutdown();
  if (repacked_engine) repacked_engine->Shutdown();
  RunStats one{one_tps.value_or(0), one_ttft.value_or(0), prompt_tokens};
  RunStats eight{eight_tps.value_or(0), eight_ttft.value_or(0), prompt_tokens};
  std::optional<RunStats> repacked;
  if (repacked_tps) repacked = RunStats{*repacked_tps, 0, prompt_tokens};

  std::printf("model: %s (%s)\n", info.model.c_str(), info.model_path.c_str());
  std::printf(
      "backend: %s, %d GPU layers, %d threads, %d generated tokens "
      "per sequence, %d prompt tokens, greedy, best of %d interleaved "
      "rounds\n",
      info.backend.c_str(), info.gpu_layers, threads, args.tokens,
      one.prompt_tokens, args.reps);
  std::printf(
      "engine settings: n_batch = n_ubatch = 512, one KV stream per "
      "sequence, flash attention auto, no weight repacking\n\n");
  std::printf("| measure | cerumbra | llama.cpp | ratio |\n");
  std::printf("| --- | ---: | ---: | ---: |\n");
  std::printf(
      "| 1 sequence, tokens/s (vs llama-bench tg%d) | %.1f | %s | %s |\n",
      args.tokens, one.tokens_per_s, Num(tools.bench_tg).c_str(),
      Ratio(one.tokens_per_s, tools.bench_tg).c_str());
  if (repacked) {
    std::printf(
        "| 1 sequence, repacked weights, tokens/s (vs llama-bench "
        "tg%d) | %.1f | %s | %s |\n",
        args.tokens, repacked->tokens_per_s, Num(tools.bench_tg).c_str(),
        Ratio(repacked->tokens_per_s, tools.bench_tg).c_str());
  }
  std::printf(
      "| 1 sequence, tokens/s (vs llama-batched-bench pl=1) | %.1f | "
      "%s | %s |\n",
      one.tokens_per_s, Num(tools.batched_tg1).c_str(),
      Ratio(one.tokens_per_s, tools.batched_tg1).c_str());
  std::printf(
      "| 8 sequences, aggregate tokens/s (vs llama-batched-bench "
      "pl=8) | %.1f | %s | %s |\n",
      eight.tokens_per_s, Num(tools.batched_tg8).c_str(),
      Ratio(eight.tokens_per_s, tools.batched_tg8).c_str());
  std::printf(
      "| time to first token, 1 sequence, ms (vs prompt time pl=1) | "
      "%.1f | %s | |\n",
      one.ttft_ms, Num(tools.batched_pp1_ms).c_str());
  std::printf("| time to first token, 8 sequences, mean ms | %.1f | | |\n",
              eight.ttft_ms);
  if (have_tools) {
    std::printf("\nllama.cpp commands:\n  %s\n  %s\n", tools.bench_cmd.c_str(),
                tools.batched_cmd.c_str());
  } else {
    std::printf("\nllama.cpp tools not run (no --llama-tools-dir)\n");
  }
  if (info.is_demo_model) {
    std::printf("note: %s\n", std::string(inference::kDemoModelLabel).c_str());
  }
  return 0;
}

}  // namespace

void RegisterBenchCommand(CLI::App& app, int& exit_code) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = bench->add_subcommand(
      "engine",
      "Generation speed of the llama.cpp engine for 1 and 8 concurrent "
      "sequences and time to first token, with the ratio against "
      "llama.cpp's llama-bench and llama-batched-bench on the same model "
      "and threads");
  cmd->add_option("--model,-m", args->model,
                  "GGUF model file. Default: the demo model (random weights)");
  cmd->add_option("--tokens,-n", args->tokens,
                  "Tokens generated per sequence (default 128)")
      ->check(CLI::Range(2, 1 << 16));
  cmd->add_option("--prompt-words", args->prompt_words,
                  "Words in the prompt (default 100, about 120 tokens)")
      ->check(CLI::Range(0, 1 << 16));
  cmd->add_option("--threads", args->threads,
                  "CPU threads for the engine and the tools (default: all)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--reps,-r", args->reps,
                  "Rounds; each figure is the best of its rounds (default 3)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--llama-tools-dir", args->tools_dir,
                  "Directory with llama-bench and llama-batched-bench "
                  "(default: the ones built with this binary)");
  cmd->add_flag("--repacked", args->repacked,
                "Also measure one sequence with CPU weight repacking (AMX), "
                "as llama-bench runs, prefilling one token per step");
  cmd->add_flag("--skip-llama-tools", args->skip_tools,
                "Measure the engine only");
  cmd->callback([args, &exit_code] { exit_code = RunBenchEngine(*args); });
  RegisterBenchProxySubcommand(*bench, exit_code);
  RegisterBenchE2eCommand(*bench, exit_code);
}

}  // namespace cerumbra::cli
