// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra bench proxy`: tokens per second an OpenAI client gets through
// `cerumbra proxy` and a node (a fresh verified, encrypted session per
// request, the node a `cerumbra serve` child) against the node's engine
// alone, in the same run, on the same model, threads and context. Each
// figure is completion tokens over the wall time of the whole request
// (prompt processing included on both sides), the best of --reps rounds.
// Rounds alternate between the two; the idle one uses no CPU.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "attest/policy.h"
#include "client/proxy.h"
#include "commands.h"
#include "inference/demo_model.h"
#include "inference/engine.h"
#include "inference/llama_engine.h"

extern char** environ;

namespace cerumbra::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct BenchProxyArgs {
  std::string model;
  int tokens = 128;
  int threads = 2;
  int context_size = 1024;
  int reps = 3;
};

const char kPrompt[] =
    "Please continue this text: the quick brown fox jumps over the lazy dog";

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<http::response<http::string_body>> Http(uint16_t port, http::verb verb,
                                               const std::string& target,
                                               const std::string& body) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return UnavailableError("connect: " + ec.message());
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.keep_alive(false);
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return UnavailableError("write: " + ec.message());
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return UnavailableError("read: " + ec.message());
  return res;
}

// EngineRound returns the tokens/s of one greedy generation on `engine`.
Result<double> EngineRound(inference::Engine& engine, int tokens) {
  std::promise<inference::Completion> done;
  inference::GenerationRequest r;
  r.messages = {{"user", kPrompt}};
  r.params.temperature = 0;
  r.params.max_tokens = tokens;
  r.on_text = [](std::string_view) {};
  r.on_done = [&done](const inference::Completion& c) { done.set_value(c); };
  const auto start = Clock::now();
  CERUMBRA_ASSIGN_OR_RETURN(std::unique_ptr<inference::Generation> g,
                            engine.Start(std::move(r)));
  const inference::Completion c = done.get_future().get();
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  if (c.finish_reason == inference::FinishReason::kError) return c.status;
  std::fprintf(stderr, "  engine alone: %d tokens in %.2f s\n",
               c.usage.completion_tokens, s);
  return c.usage.completion_tokens / s;
}

// NodeChild is `cerumbra serve` as a child process.
class NodeChild {
 public:
  ~NodeChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Result<uint16_t> Start(const BenchProxyArgs& a, const std::string& model) {
    dir_ = std::filesystem::temp_directory_path() /
           ("cerumbra_bench_proxy_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::vector<std::string> args = {"/proc/self/exe",
                                     "serve",
                                     "--port",
                                     "0",
                                     "--model",
                                     model,
                                     "--ca-dir",
                                     (dir_ / "ca").string(),
                                     "--threads",
                                     std::to_string(a.threads),
                                     "--context-size",
                                     std::to_string(a.context_size),
                                     "--engine-sessions",
                                     "1",
                                     "--max-tokens",
                                     std::to_string(a.tokens),
                                     "--default-max-tokens",
                                     std::to_string(a.tokens),
                                     "--log-level",
                                     "warning"};
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, (dir_ / "out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, (dir_ / "err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc =
        posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return InternalError("cannot start the node");
    const std::regex ready(R"(Open http://127\.0\.0\.1:(\d+)/)");
    for (int i = 0; i < 3000; ++i) {
      std::smatch m;
      const std::string out = ReadAll(dir_ / "out");
      if (std::regex_search(out, m, ready)) {
        return static_cast<uint16_t>(std::stoi(m[1]));
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return InternalError("the node exited: " + ReadAll(dir_ / "err"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return UnavailableError("the node did not start");
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// ProxyRound returns the tokens/s of one request through the proxy.
Result<double> ProxyRound(int tokens, uint16_t proxy_port) {
  boost::json::object req{
      {"model", "cerumbra"},
      {"messages", boost::json::array{boost::json::object{
                       {"role", "user"}, {"content", kPrompt}}}},
      {"max_tokens", tokens},
      {"temperature", 0}};
  const std::string body = boost::json::serialize(req);
  const auto start = Clock::now();
  CERUMBRA_ASSIGN_OR_RETURN(auto res, Http(proxy_port, http::verb::post,
                                           "/v1/chat/completions", body));
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  if (res.result_int() != 200) {
    return InternalError("proxy answered " + std::to_string(res.result_int()) +
                         ": " + res.body());
  }
  const boost::json::value v = boost::json::parse(res.body());
  const int64_t n = v.at("usage").at("completion_tokens").to_number<int64_t>();
  std::fprintf(stderr, "  through proxy and node: %lld tokens in %.2f s\n",
               static_cast<long long>(n), s);
  return static_cast<double>(n) / s;
}

int RunBenchProxy(const BenchProxyArgs& a) {
  std::string model = a.model;
  if (model.empty()) {
    auto demo = inference::EnsureDemoModel();
    if (!demo.ok()) {
      std::fprintf(stderr, "error: %s\n", demo.status().ToString().c_str());
      return 1;
    }
    model = demo.value();
  }
  inference::LlamaEngineOptions eo;
  eo.model_path = model;
  eo.threads = a.threads;
  eo.context_size = a.context_size;
  eo.max_sessions = 1;
  auto engine = inference::CreateLlamaEngine(eo);
  if (!engine.ok()) {
    std::fprintf(stderr, "error: engine: %s\n",
                 engine.status().ToString().c_str());
    return 1;
  }
  NodeChild node;
  auto node_port = node.Start(a, model);
  if (!node_port.ok()) {
    std::fprintf(stderr, "error: %s\n", node_port.status().ToString().c_str());
    return 1;
  }
  auto doc = Http(*node_port, http::verb::get,
                  "/.well-known/cerumbra-attestation.json", "");
  if (!doc.ok()) {
    std::fprintf(stderr, "error: %s\n", doc.status().ToString().c_str());
    return 1;
  }
  auto policy = attest::ParsePolicyJson(boost::json::serialize(
      boost::json::parse(doc.value().body()).at("policy")));
  if (!policy.ok()) {
    std::fprintf(stderr, "error: policy: %s\n",
                 policy.status().ToString().c_str());
    return 1;
  }
  client::ProxyOptions po;
  po.port = 0;
  po.node_url = "ws://127.0.0.1:" + std::to_string(*node_port) + "/ws";
  po.connect.policy = policy.value();
  auto proxy = client::Proxy::Create(std::move(po));
  if (!proxy.ok()) {
    std::fprintf(stderr, "error: %s\n", proxy.status().ToString().c_str());
    return 1;
  }
  std::thread server([&] { proxy.value()->Run(); });
  // Rounds alternate (engine, then proxy and node) so that a change in
  // the machine's load touches both figures alike; the idle side uses no
  // CPU meanwhile.
  double engine_best = 0;
  double proxy_best = 0;
  Status failed = OkStatus();
  for (int i = 0; i < a.reps && failed.ok(); ++i) {
    std::fprintf(stderr, "round %d of %d\n", i + 1, a.reps);
    auto e = EngineRound(*engine.value(), a.tokens);
    if (!e.ok()) {
      failed = e.status();
      break;
    }
    engine_best = std::max(engine_best, *e);
    auto p = ProxyRound(a.tokens, proxy.value()->port());
    if (!p.ok()) {
      failed = p.status();
      break;
    }
    proxy_best = std::max(proxy_best, *p);
  }
  proxy.value()->Shutdown();
  server.join();
  engine.value()->Shutdown();
  if (!failed.ok()) {
    std::fprintf(stderr, "error: %s\n", failed.ToString().c_str());
    return 1;
  }
  const double ratio = proxy_best / engine_best;
  std::printf(
      "model %s, %d tokens per request, %d threads, context %d, best of %d\n",
      model.c_str(), a.tokens, a.threads, a.context_size, a.reps);
  std::printf("engine alone:             %8.1f tokens/s\n", engine_best);
  std::printf("through proxy and node:   %8.1f tokens/s\n", proxy_best);
  std::printf("ratio: %.3f (target >= 0.97)\n", ratio);
  return 0;
}

}  // namespace

void RegisterBenchProxySubcommand(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchProxyArgs>();
  CLI::App* cmd = bench.add_subcommand(
      "proxy",
      "Tokens per second through `cerumbra proxy` and a node (fresh verified, "
      "encrypted session per request, OpenAI API) against the node's engine "
      "alone, measured in the same run");
  cmd->footer(
      "\nEach figure: completion tokens over the whole request's wall time "
      "(session setup, attestation and prompt processing included for the "
      "proxy; prompt processing for the engine), best of --reps. The engine "
      "runs in this process; a `cerumbra serve` child with the same model, "
      "threads and context serves the proxy; rounds alternate between the "
      "two. Target ratio: at least 0.97.");
  cmd->add_option("--model,-m", args->model,
                  "GGUF model file. Default: the demo model (random weights)");
  cmd->add_option("--tokens,-n", args->tokens, "Tokens per request")
      ->capture_default_str()
      ->check(CLI::Range(2, 1 << 16));
  cmd->add_option("--threads", args->threads, "CPU threads for the engine")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--context-size", args->context_size, "Context size")
      ->capture_default_str()
      ->check(CLI::Range(256, 1 << 20));
  cmd->add_option("--reps,-r", args->reps, "Rounds (best of)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->callback([args, &exit_code] { exit_code = RunBenchProxy(*args); });
}

}  // namespace cerumbra::cli
