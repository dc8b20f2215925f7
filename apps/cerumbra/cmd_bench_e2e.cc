// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra bench e2e`: the whole system under load, measured side by side
// in one run (docs/performance.md "End to end"). A real node (`cerumbra
// serve`, this binary, as a child process on 127.0.0.1) is driven through
// the C++ client library (include/cerumbra/client.h: real sockets, real
// handshakes, attestation verified against the node's pinned root, padded
// AES-GCM records), and compared with the same engine (same model, options
// and threads) called in this process with no network and no encryption.
//
// Phases, in order (each can be skipped):
//   1. streaming throughput for each --sessions count: rounds alternate
//      plaintext and end to end; each figure is the best of --reps rounds
//      (a shared machine only ever slows a run down);
//   2. --streaming-sessions answers at once, --reps interleaved rounds:
//      inter-token latency, p50 and p99 (medians over the rounds, and the
//      p99's range), plaintext against end to end ("added" latency);
//   3. handshakes: --handshakes full connections (TCP, WebSocket, protocol
//      handshake, client-side verification, CLOSE) from
//      --handshake-clients threads; handshakes per second and the CPU time
//      per handshake of the node and of this process (the clients);
//   4. --idle-sessions verified sessions held open at once: the node's
//      resident memory per session.
// The node's CPU time and resident memory come from /proc/PID; this
// process's CPU time (the load generator's share of the same cores) from
// getrusage.

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "attest/simulated_ca.h"
#include "cerumbra/client.h"
#include "commands.h"
#include "crypto/x509.h"
#include "inference/demo_model.h"
#include "inference/engine.h"
#include "inference/llama_engine.h"

namespace cerumbra::cli {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct E2eArgs {
  std::string model;
  int tokens = 64;
  int prompt_words = 100;
  int threads = 0;
  int reps = 3;
  std::vector<int> sessions = {1, 8};
  int streaming_sessions = 100;
  int streaming_tokens = 32;
  int handshakes = 2000;
  int handshake_clients = 4;
  int idle_sessions = 1000;
  bool no_padding = false;
};

// ---------------------------------------------------------------------------
// The node as a child process.

struct ProcSample {
  double cpu_s = 0;    // user + system time so far
  double rss_kib = 0;  // VmRSS
  Clock::time_point at;
};

class NodeProcess {
 public:
  NodeProcess() = default;
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;
  ~NodeProcess() { Stop(); }

  // Start runs `/proc/self/exe serve ARGS...` and waits for the line that
  // gives its URL. stderr (the node's JSON log) goes to `log_path`.
  Status Start(const std::vector<std::string>& args,
               const std::string& log_path) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return InternalError("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) return InternalError("fork failed");
    if (pid == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      const int log = ::open(log_path.c_str(),
                             O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (log >= 0) ::dup2(log, STDERR_FILENO);
      std::vector<char*> argv;
      static char self[] = "cerumbra";
      argv.push_back(self);
      for (const std::string& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv("/proc/self/exe", argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    pid_ = pid;
    out_ = ::fdopen(out[0], "r");
    char line[4096];
    const std::string marker = "Open http://127.0.0.1:";
    while (std::fgets(line, sizeof(line), out_) != nullptr) {
      const std::string s(line);
      const size_t at = s.find(marker);
      if (at != std::string::npos) {
        port_ = std::atoi(s.c_str() + at + marker.size());
        // Keep reading stdout in the background so the node never blocks.
        drain_ = std::thread([f = out_] {
          char buf[4096];
          while (std::fgets(buf, sizeof(buf), f) != nullptr) {
          }
        });
        return OkStatus();
      }
    }
    return UnavailableError("the node exited before printing its URL; see " +
                            log_path);
  }

  void Stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (drain_.joinable()) drain_.join();
    if (out_ != nullptr) {
      std::fclose(out_);
      out_ = nullptr;
    }
  }

  int port() const { return port_; }

  // Sample reads the node's CPU time and resident memory from /proc.
  ProcSample Sample() const {
    ProcSample s;
    s.at = Clock::now();
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)),
                     std::istreambuf_iterator<char>());
    // Fields after the command name, which ends at the last ')'.
    const size_t close = text.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(text.substr(close + 2));
      std::string field;
      unsigned long long utime = 0, stime = 0;
      for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
      }
      s.cpu_s = static_cast<double>(utime + stime) /
                static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmRSS:", 0) == 0) {
        s.rss_kib = std::atof(line.c_str() + 6);
      }
    }
    return s;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int port_ = 0;
  std::thread drain_;
};

// SelfCpuSeconds is this process's user + system CPU time so far.
double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------------------
// Measurements shared by both sides.

// Stream is one answer as its consumer saw it.
struct Stream {
  Clock::time_point start;
  std::vector<Clock::time_point> pieces;  // arrival of each text piece
  Clock::time_point end;
  int completion_tokens = 0;
  int prompt_tokens = 0;
};

struct RoundStats {
  double tokens_per_s = 0;  // aggregate, after every stream's first piece
  std::vector<double> ttft_ms;
  std::vector<double> inter_ms;
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// Summarize computes llama-batched-bench's S_TG over the streams (tokens
// after the first, from the moment the last stream got its first piece to
// the moment the last one ended) and the latency samples.
RoundStats Summarize(const std::vector<Stream>& streams) {
  RoundStats r;
  Clock::time_point last_first = streams.front().start;
  Clock::time_point last_end = streams.front().start;
  int generated = 0;
  for (const Stream& s : streams) {
    if (!s.pieces.empty()) {
      last_first = std::max(last_first, s.pieces.front());
      r.ttft_ms.push_back(Ms(s.pieces.front() - s.start));
      for (size_t i = 1; i < s.pieces.size(); ++i) {
        r.inter_ms.push_back(Ms(s.pieces[i] - s.pieces[i - 1]));
      }
    }
    last_end = std::max(last_end, s.end);
    generated += std::max(0, s.completion_tokens - 1);
    r.prompt_tokens = s.prompt_tokens;
    r.completion_tokens += s.completion_tokens;
  }
  const double window = Ms(last_end - last_first);
  r.tokens_per_s = window > 0 ? generated * 1000.0 / window : 0;
  return r;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i =
      static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::string PromptFor(const E2eArgs& args, int i) {
  std::string prompt = "Please continue this text:";
  for (int w = 0; w < args.prompt_words; ++w) prompt += " lorem";
  // Same length for every stream, different text.
  return prompt + " " + std::to_string(10 + i % 90);
}

// RunPlain starts `n` greedy generations in the engine at once.
Result<RoundStats> RunPlain(inference::Engine& engine, const E2eArgs& args,
                            int n, int tokens) {
  std::vector<Stream> streams(static_cast<size_t>(n));
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  Status failure;
  std::vector<std::unique_ptr<inference::Generation>> handles;
  for (int i = 0; i < n; ++i) {
    Stream* s = &streams[static_cast<size_t>(i)];
    inference::GenerationRequest r;
    r.messages = {{"user", PromptFor(args, i)}};
    r.params.temperature = 0;
    r.params.max_tokens = tokens;
    r.on_text = [s](std::string_view) { s->pieces.push_back(Clock::now()); };
    r.on_done = [&, s](const inference::Completion& c) {
      s->end = Clock::now();
      s->completion_tokens = c.usage.completion_tokens;
      s->prompt_tokens = c.usage.prompt_tokens;
      std::lock_guard<std::mutex> lock(mu);
      if (c.finish_reason == inference::FinishReason::kError) {
        failure = c.status;
      }
      ++done;
      cv.notify_all();
    };
    s->start = Clock::now();
    auto g = engine.Start(std::move(r));
    if (!g.ok()) return g.status();
    handles.push_back(std::move(g).value());
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done == n; });
  if (!failure.ok()) return failure;
  return Summarize(streams);
}

// ConnectAll opens `n` verified sessions, from `clients` threads.
Result<std::vector<std::unique_ptr<client::Connection>>> ConnectAll(
    const std::string& url, const client::ConnectOptions& options, int n,
    int clients) {
  std::vector<std::unique_ptr<client::Connection>> conns(
      static_cast<size_t>(n));
  std::atomic<int> next{0};
  std::mutex mu;
  Status failure;
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, clients); ++t) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < n;) {
        auto c = client::Connection::Connect(url, options);
        if (!c.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          failure = c.status();
          next = n;
          return;
        }
        conns[static_cast<size_t>(i)] = std::move(c).value();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (!failure.ok()) return failure;
  return conns;
}

// RunE2e sends one chat turn on each connection at once (one thread each).
Result<RoundStats> RunE2e(
    std::vector<std::unique_ptr<client::Connection>>& conns,
    const E2eArgs& args, int tokens) {
  const int n = static_cast<int>(conns.size());
  std::vector<Stream> streams(static_cast<size_t>(n));
  std::mutex mu;
  Status failure;
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      Stream& s = streams[static_cast<size_t>(i)];
      client::ChatParams params;
      params.temperature = 0;
      params.max_tokens = tokens;
      const std::string prompt = PromptFor(args, i);
      ++ready;
      while (!go.load()) std::this_thread::yield();
      s.start = Clock::now();
      auto answer = conns[static_cast<size_t>(i)]->Chat(
          prompt, params,
          [&s](std::string_view) { s.pieces.push_back(Clock::now()); });
      s.end = Clock::now();
      if (!answer.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        failure = answer.status();
        return;
      }
      s.completion_tokens = answer->completion_tokens;
      s.prompt_tokens = answer->prompt_tokens;
    });
  }
  while (ready.load() < n) std::this_thread::yield();
  go = true;
  for (auto& t : threads) t.join();
  if (!failure.ok()) return failure;
  for (auto& c : conns) {
    if (auto r = c->Reset(); !r.ok()) return r;
  }
  return Summarize(streams);
}

std::string Fmt(double v, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

const char* Verdict(bool met) { return met ? "met" : "MISSED"; }

int Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "error: %s: %s\n", what.c_str(),
               status.ToString().c_str());
  return 1;
}

int RunBenchE2e(const E2eArgs& args) {
  namespace fs = std::filesystem;
  // Enough descriptors for every idle session on both ends (inherited by
  // the node).
  rlimit fds{};
  if (::getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < fds.rlim_max) {
    fds.rlim_cur = fds.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &fds);
  }
  if (args.idle_sessions + 64 > static_cast<int>(fds.rlim_cur / 2)) {
    std::fprintf(stderr,
                 "error: --idle-sessions %d needs about %d file descriptors "
                 "per side; the limit is %llu (ulimit -n)\n",
                 args.idle_sessions, args.idle_sessions + 64,
                 static_cast<unsigned long long>(fds.rlim_cur));
    return 2;
  }
  std::string model = args.model;
  if (model.empty()) {
    Result<std::string> demo = inference::EnsureDemoModel();
    if (!demo.ok()) return Fail("demo model", demo.status());
    model = *demo;
  }
  const int threads =
      args.threads > 0
          ? args.threads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int max_streams = args.streaming_sessions;
  int max_tokens = std::max(args.tokens, args.streaming_tokens);
  for (int n : args.sessions) max_streams = std::max(max_streams, n);
  // Per-session KV budget, a multiple of 256 (llama.cpp pads to it).
  const int context =
      (args.prompt_words * 2 + max_tokens + 64 + 255) / 256 * 256;

  // A fresh simulated CA; its root is what the client pins.
  char tmpl[] = "/tmp/cerumbra-bench-e2e-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::fprintf(stderr, "error: cannot make a temporary directory\n");
    return 1;
  }
  const std::string tmp = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{tmp};
  attest::CaInitOptions ca;
  ca.dir = tmp + "/ca";
  ca.now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  if (auto made = attest::InitSimulatedCa(ca); !made.ok()) {
    return Fail("simulated CA", made.status());
  }
  auto loaded = attest::LoadSimulatedCa(ca.dir, ca.now);
  if (!loaded.ok()) return Fail("simulated CA", loaded.status());

  std::fprintf(stderr, "starting the node (%s)...\n", model.c_str());
  NodeProcess node;
  std::vector<std::string> serve = {
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--ca-dir",
      ca.dir,
      "--model",
      model,
      "--no-nvidia",
      "--threads",
      std::to_string(threads),
      "--engine-sessions",
      std::to_string(max_streams),
      "--context-size",
      std::to_string(context),
      "--max-tokens",
      std::to_string(max_tokens),
      "--default-max-tokens",
      std::to_string(max_tokens),
      "--max-sessions",
      std::to_string(std::max(args.idle_sessions, max_streams) + 64),
      "--log-level",
      "warning"};
  if (args.no_padding) serve.push_back("--no-padding");
  if (Status s = node.Start(serve, tmp + "/node.log"); !s.ok()) {
    std::ifstream log(tmp + "/node.log");
    std::string text((std::istreambuf_iterator<char>(log)),
                     std::istreambuf_iterator<char>());
    std::fprintf(stderr, "%s\n", text.c_str());
    return Fail("node", s);
  }
  const std::string url =
      "ws://127.0.0.1:" + std::to_string(node.port()) + "/ws";

  client::ConnectOptions options;
  options.trust = client::TrustMode::kPolicy;
  options.policy.quote_roots = {loaded->chain.back().ToDer()};
  options.policy.accept_simulated = true;

  std::fprintf(stderr, "loading the same engine in this process...\n");
  inference::LlamaEngineOptions eo;
  eo.model_path = model;
  eo.context_size = context;
  eo.max_sessions = max_streams;
  eo.threads = threads;
  auto engine = inference::CreateLlamaEngine(eo);
  if (!engine.ok()) return Fail("engine", engine.status());

  // Warm-up on both sides.
  if (auto w = RunPlain(**engine, args, 1, 8); !w.ok()) {
    return Fail("warm-up", w.status());
  }
  {
    auto conns = ConnectAll(url, options, 1, 1);
    if (!conns.ok()) return Fail("connect", conns.status());
    std::printf(
        "node %s, attestation: %s, %s\n", url.c_str(),
        (*conns)[0]->report().evidence_type.c_str(),
        (*conns)[0]->report().root_pinned ? "root pinned" : "root NOT pinned");
    if (auto w = RunE2e(*conns, args, 8); !w.ok()) {
      return Fail("warm-up", w.status());
    }
  }

  struct Row {
    int n = 0;
    std::optional<RoundStats> plain, e2e;  // best rounds
    double node_cores = 0;  // node CPU time / wall time while streaming
    // This process's CPU time per answer token in the end-to-end rounds:
    // the client library's work (socket reads, record decryption, the
    // callbacks), which shares the machine's cores with the node's engine.
    double client_us_per_token = 0;
  };
  std::vector<Row> rows;
  for (int n : args.sessions) {
    Row row;
    row.n = n;
    auto conns = ConnectAll(url, options, n, std::min(n, 8));
    if (!conns.ok()) return Fail("connect", conns.status());
    double node_cpu = 0, node_wall = 0, client_cpu = 0;
    int e2e_tokens = 0;
    for (int rep = 0; rep < args.reps; ++rep) {
      auto p = RunPlain(**engine, args, n, args.tokens);
      if (!p.ok()) return Fail("plaintext run", p.status());
      const double self1 = SelfCpuSeconds();
      const ProcSample before = node.Sample();
      auto e = RunE2e(*conns, args, args.tokens);
      const ProcSample after = node.Sample();
      const double self2 = SelfCpuSeconds();
      if (!e.ok()) return Fail("end-to-end run", e.status());
      node_cpu += after.cpu_s - before.cpu_s;
      node_wall += Ms(after.at - before.at) / 1000.0;
      client_cpu += self2 - self1;
      e2e_tokens += e->completion_tokens;
      if (!row.plain || p->tokens_per_s > row.plain->tokens_per_s)
        row.plain = *p;
      if (!row.e2e || e->tokens_per_s > row.e2e->tokens_per_s) row.e2e = *e;
      std::fprintf(stderr, "%d session(s): round %d of %d done\n", n, rep + 1,
                   args.reps);
    }
    row.node_cores = node_wall > 0 ? node_cpu / node_wall : 0;
    row.client_us_per_token =
        e2e_tokens > 0 ? client_cpu * 1e6 / e2e_tokens : 0;
    rows.push_back(row);
    for (auto& c : *conns) (void)c->Close();
  }

  // The latency phase: --reps interleaved rounds; per round p50, p99 and
  // tokens/s on each side; the report gives each figure's median over the
  // rounds and the p99's range (the machine's own noise).
  struct StreamSide {
    std::vector<double> p50, p99, tokens_per_s;
    void Add(const RoundStats& r) {
      p50.push_back(Percentile(r.inter_ms, 0.5));
      p99.push_back(Percentile(r.inter_ms, 0.99));
      tokens_per_s.push_back(r.tokens_per_s);
    }
  };
  StreamSide stream_plain, stream_e2e;
  double stream_client_us = 0;  // load generator CPU per token
  if (args.streaming_sessions > 0) {
    const int n = args.streaming_sessions;
    auto conns = ConnectAll(url, options, n, 8);
    if (!conns.ok()) return Fail("connect", conns.status());
    double client_cpu = 0;
    int tokens = 0;
    for (int rep = 0; rep < args.reps; ++rep) {
      auto p = RunPlain(**engine, args, n, args.streaming_tokens);
      if (!p.ok()) return Fail("plaintext run", p.status());
      const double self1 = SelfCpuSeconds();
      auto e = RunE2e(*conns, args, args.streaming_tokens);
      const double self2 = SelfCpuSeconds();
      if (!e.ok()) return Fail("end-to-end run", e.status());
      stream_plain.Add(*p);
      stream_e2e.Add(*e);
      client_cpu += self2 - self1;
      tokens += e->completion_tokens;
      std::fprintf(stderr, "%d streaming sessions: round %d of %d done\n", n,
                   rep + 1, args.reps);
    }
    if (tokens > 0) stream_client_us = client_cpu * 1e6 / tokens;
    for (auto& c : *conns) (void)c->Close();
  }
  (*engine)->Shutdown();
  engine->reset();

  double handshakes_per_s = 0, node_ms_per_handshake = 0,
         client_ms_per_handshake = 0;
  if (args.handshakes > 0) {
    std::fprintf(stderr, "%d handshakes from %d client threads...\n",
                 args.handshakes, args.handshake_clients);
    const ProcSample before = node.Sample();
    const double self0 = SelfCpuSeconds();
    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    Status failure;
    std::mutex mu;
    std::vector<std::thread> threads_hs;
    for (int t = 0; t < args.handshake_clients; ++t) {
      threads_hs.emplace_back([&] {
        while (next++ < args.handshakes && !failed) {
          auto c = client::Connection::Connect(url, options);
          Status s = c.ok() ? (*c)->Close() : c.status();
          if (!s.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            failure = s;
            failed = true;
          }
        }
      });
    }
    for (auto& t : threads_hs) t.join();
    const ProcSample after = node.Sample();
    const double self1 = SelfCpuSeconds();
    if (failed) return Fail("handshake", failure);
    handshakes_per_s = args.handshakes / (Ms(after.at - before.at) / 1000.0);
    node_ms_per_handshake =
        (after.cpu_s - before.cpu_s) * 1000.0 / args.handshakes;
    client_ms_per_handshake = (self1 - self0) * 1000.0 / args.handshakes;
  }

  double idle_kib = 0;
  ProcSample idle_before, idle_after;
  if (args.idle_sessions > 0) {
    std::fprintf(stderr, "%d idle sessions...\n", args.idle_sessions);
    idle_before = node.Sample();
    auto conns = ConnectAll(url, options, args.idle_sessions, 4);
    if (!conns.ok()) return Fail("connect", conns.status());
    idle_after = node.Sample();
    idle_kib = (idle_after.rss_kib - idle_before.rss_kib) / args.idle_sessions;
    conns->clear();
  }
  const ProcSample final_sample = node.Sample();
  node.Stop();

  // The report.
  std::printf(
      "\nmodel: %s; %d threads; greedy; %d prompt tokens; node and load "
      "generator on this machine (127.0.0.1); records %s\n",
      model.c_str(), threads,
      rows.empty() || !rows[0].plain ? 0 : rows[0].plain->prompt_tokens,
      args.no_padding ? "NOT padded" : "padded");
  std::printf(
      "plaintext = the same engine in this process (no network, no "
      "encryption); end to end = client library -> WebSocket -> node -> "
      "engine; best of %d interleaved rounds\n\n",
      args.reps);
  std::printf("| measure | end to end | plaintext | ratio | target |\n");
  std::printf("| --- | ---: | ---: | ---: | --- |\n");
  for (const Row& row : rows) {
    const double ratio = row.e2e->tokens_per_s / row.plain->tokens_per_s;
    std::printf(
        "| %d session(s), tokens/s (%d each) | %s | %s | %s | >= 0.97: %s |\n",
        row.n, args.tokens, Fmt(row.e2e->tokens_per_s).c_str(),
        Fmt(row.plain->tokens_per_s).c_str(), Fmt(ratio, 3).c_str(),
        Verdict(ratio >= 0.97));
    std::printf(
        "| %d session(s), time to first token p50 / p99, ms | %s / %s | %s / "
        "%s | | |\n",
        row.n, Fmt(Percentile(row.e2e->ttft_ms, 0.5)).c_str(),
        Fmt(Percentile(row.e2e->ttft_ms, 0.99)).c_str(),
        Fmt(Percentile(row.plain->ttft_ms, 0.5)).c_str(),
        Fmt(Percentile(row.plain->ttft_ms, 0.99)).c_str());
    std::printf(
        "| %d session(s), inter-token p50 / p99, ms | %s / %s | %s / %s | | "
        "|\n",
        row.n, Fmt(Percentile(row.e2e->inter_ms, 0.5), 2).c_str(),
        Fmt(Percentile(row.e2e->inter_ms, 0.99), 2).c_str(),
        Fmt(Percentile(row.plain->inter_ms, 0.5), 2).c_str(),
        Fmt(Percentile(row.plain->inter_ms, 0.99), 2).c_str());
    if (row.e2e->completion_tokens != row.plain->completion_tokens ||
        row.e2e->prompt_tokens != row.plain->prompt_tokens) {
      std::printf(
          "| %d session(s): tokens differ (prompt %d vs %d, answer %d vs %d) | "
          "| | | |\n",
          row.n, row.e2e->prompt_tokens, row.plain->prompt_tokens,
          row.e2e->completion_tokens, row.plain->completion_tokens);
    }
    std::printf(
        "| %d session(s), node CPU while streaming | %s %% of a core | | | |\n",
        row.n, Fmt(row.node_cores * 100.0).c_str());
    std::printf(
        "| %d session(s), load generator CPU per token, us | %s | | | |\n",
        row.n, Fmt(row.client_us_per_token).c_str());
  }
  if (!stream_e2e.p99.empty()) {
    const auto range = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return Fmt(v.front(), 1) + "-" + Fmt(v.back(), 1);
    };
    const double e99 = Percentile(stream_e2e.p99, 0.5);
    const double p99 = Percentile(stream_plain.p99, 0.5);
    std::printf(
        "| %d streaming sessions, inter-token p50, ms (median of %d rounds) | "
        "%s | %s | | |\n",
        args.streaming_sessions, args.reps,
        Fmt(Percentile(stream_e2e.p50, 0.5), 2).c_str(),
        Fmt(Percentile(stream_plain.p50, 0.5), 2).c_str());
    std::printf(
        "| %d streaming sessions, inter-token p99, ms (median of %d rounds; "
        "added: %s) | %s | %s | | added <= 2 ms: %s |\n",
        args.streaming_sessions, args.reps, Fmt(e99 - p99, 2).c_str(),
        Fmt(e99, 2).c_str(), Fmt(p99, 2).c_str(), Verdict(e99 - p99 <= 2.0));
    std::printf(
        "| %d streaming sessions, inter-token p99 range over the rounds, ms | "
        "%s | %s | | |\n",
        args.streaming_sessions, range(stream_e2e.p99).c_str(),
        range(stream_plain.p99).c_str());
    const double etps = Percentile(stream_e2e.tokens_per_s, 0.5);
    const double ptps = Percentile(stream_plain.tokens_per_s, 0.5);
    std::printf(
        "| %d streaming sessions, aggregate tokens/s (median) | %s | %s | %s "
        "| |\n",
        args.streaming_sessions, Fmt(etps).c_str(), Fmt(ptps).c_str(),
        Fmt(ptps > 0 ? etps / ptps : 0, 3).c_str());
    std::printf(
        "| %d streaming sessions, load generator CPU per token, us | %s | | "
        "| |\n",
        args.streaming_sessions, Fmt(stream_client_us).c_str());
  }
  if (args.handshakes > 0) {
    std::printf(
        "| handshakes/s (%d clients: connect, verify, CLOSE) | %s | | | >= "
        "1000: %s |\n",
        args.handshake_clients, Fmt(handshakes_per_s, 0).c_str(),
        Verdict(handshakes_per_s >= 1000));
    std::printf(
        "| node CPU per handshake, ms (1 core: %s handshakes/s) | %s | | | |\n",
        Fmt(node_ms_per_handshake > 0 ? 1000.0 / node_ms_per_handshake : 0, 0)
            .c_str(),
        Fmt(node_ms_per_handshake, 3).c_str());
    std::printf(
        "| load generator CPU per handshake, ms (client, verification "
        "included) | %s | | | |\n",
        Fmt(client_ms_per_handshake, 3).c_str());
  }
  if (args.idle_sessions > 0) {
    std::printf(
        "| %d idle sessions, node RSS per session, KiB (%s -> %s MiB) | %s | | "
        "| <= 64: %s |\n",
        args.idle_sessions, Fmt(idle_before.rss_kib / 1024).c_str(),
        Fmt(idle_after.rss_kib / 1024).c_str(), Fmt(idle_kib).c_str(),
        Verdict(idle_kib <= 64));
  }
  std::printf("| node RSS at the end, MiB | %s | | | |\n",
              Fmt(final_sample.rss_kib / 1024).c_str());
  return 0;
}

}  // namespace

void RegisterBenchE2eCommand(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<E2eArgs>();
  CLI::App* cmd = bench.add_subcommand(
      "e2e",
      "The whole system under load: starts a node (this binary) on "
      "127.0.0.1 and drives it through the C++ client library; prints end-"
      "to-end encrypted tokens/s against the same engine without network "
      "and encryption, time to first token and inter-token latency (p50, "
      "p99), handshakes/s, and the node's CPU and memory per session, with "
      "the targets of docs/performance.md");
  cmd->add_option("--model,-m", args->model,
                  "GGUF model file. Default: the demo model (random weights)");
  cmd->add_option("--tokens,-n", args->tokens,
                  "Tokens per answer in the throughput rounds")
      ->check(CLI::Range(2, 4096))
      ->capture_default_str();
  cmd->add_option("--prompt-words", args->prompt_words, "Words in each prompt")
      ->check(CLI::Range(0, 2000))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads,
                  "CPU threads for the engine, on both sides (0: all)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  cmd->add_option("--reps,-r", args->reps,
                  "Throughput rounds; each figure is the best round")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--sessions", args->sessions,
                  "Concurrent sessions for the throughput rounds")
      ->check(CLI::Range(1, 256))
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--streaming-sessions", args->streaming_sessions,
                  "Sessions streaming at once for the latency phase (0: skip)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_option("--streaming-tokens", args->streaming_tokens,
                  "Tokens per answer in the latency phase")
      ->check(CLI::Range(2, 4096))
      ->capture_default_str();
  cmd->add_option("--handshakes", args->handshakes,
                  "Full connections for the handshake phase (0: skip)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--handshake-clients", args->handshake_clients,
                  "Client threads in the handshake phase")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--idle-sessions", args->idle_sessions,
                  "Verified sessions held open at once to measure the node's "
                  "memory per session (0: skip)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_flag("--no-padding", args->no_padding,
                "Run the node with --no-padding (to see what padding costs)");
  cmd->callback([args, &exit_code] { exit_code = RunBenchE2e(*args); });
}

}  // namespace cerumbra::cli
