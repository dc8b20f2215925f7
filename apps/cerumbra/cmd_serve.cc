// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra serve`: the node. Wires the attester (simulated TEE or NVIDIA
// GPU evidence), the engine (llama.cpp, or an OpenAI-compatible upstream)
// and the server (HTTP + WebSocket, or HTTPS + WSS with --tls-cert and
// --tls-key), prints the URL to open, and shuts
// down cleanly on SIGINT or SIGTERM.

#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "attest/attestation_document.h"
#include "attest/attester.h"
#include "attest/simulated_ca.h"
#include "commands.h"
#include "inference/demo_model.h"
#include "inference/engine.h"
#include "inference/llama_engine.h"
#include "inference/upstream_engine.h"
#include "server/log.h"
#include "server/server.h"
#include "server/static_files.h"
#include "server/tls_files.h"

namespace cerumbra::cli {
namespace {

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string model;
  int gpu_layers = -1;
  int context_size = 4096;
  int engine_sessions = 8;
  int threads = 0;
  std::string upstream;
  std::string upstream_model;
  std::string ca_dir;
  std::string web_root;
  bool no_nvidia = false;
  std::string nvml_library;
  int io_threads = 2;
  size_t max_sessions = 256;
  size_t max_prompt = 64 * 1024;
  size_t write_queue = 1024 * 1024;
  int handshake_timeout_s = 10;
  int idle_timeout_s = 300;
  int max_tokens = 1024;
  int default_max_tokens = 256;
  bool no_padding = false;
  int coalesce_ms = 0;
  std::string log_level = "info";
  std::string tls_cert;
  std::string tls_key;
};

std::string DefaultCaDir() {
  const char* home = std::getenv("HOME");
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/cerumbra/ca";
  }
  return home ? std::string(home) + "/.local/share/cerumbra/ca" : "";
}

// EffectiveConfig is what the `config` measurement covers: every option
// that changes what the node does with a prompt (not where it listens).
std::string EffectiveConfig(const ServeFlags& f, const server::ServerOptions& o,
                            const inference::EngineInfo& info) {
  boost::json::object c;
  c["backend"] = info.backend;
  c["model"] = info.model;
  c["demo_model"] = info.is_demo_model;
  c["upstream"] = f.upstream;
  c["upstream_model"] = f.upstream_model;
  c["context_size"] = info.context_size;
  c["engine_sessions"] = info.max_sessions;
  c["gpu_layers"] = info.gpu_layers;
  c["max_sessions"] = o.limits.max_sessions;
  c["max_prompt"] = o.limits.max_prompt;
  c["max_tokens"] = o.limits.max_tokens;
  c["default_max_tokens"] = o.limits.default_max_tokens;
  c["pad_records"] = o.pad_records;
  c["coalesce_ms"] = o.coalesce_ms;
  c["handshake_timeout_ms"] = o.limits.handshake_timeout.count();
  c["idle_timeout_ms"] = o.limits.idle_timeout.count();
  c["write_queue_bytes"] = o.limits.write_queue_bytes;
  return boost::json::serialize(c);
}

std::string Healthz(const inference::EngineInfo& info,
                    const attest::AttesterStatus& status, server::Server* srv) {
  boost::json::object h;
  h["status"] = "ok";
  h["ready"] = true;
  h["model"] = info.model;
  h["demo_model"] = info.is_demo_model;
  if (info.is_demo_model) h["model_note"] = "demo model (random weights)";
  h["backend"] = info.backend;
  h["gpu_layers"] = info.gpu_layers;
  h["evidence_type"] =
      status.evidence_type == protocol::EvidenceType::kSimulated ? "simulated"
                                                                 : "nvidia-gpu";
  if (status.evidence_type == protocol::EvidenceType::kSimulated) {
    h["evidence_note"] = "SIMULATED: no hardware protects this node";
  }
  h["nvidia_state"] = status.nvidia_state;
  h["evidence_reason"] = status.reason;
  if (srv != nullptr) h["sessions"] = srv->metrics().sessions_active();
  return boost::json::serialize(h);
}

void Say(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
}

int RunServe(const ServeFlags& f) {
  if (f.log_level == "debug") {
    server::SetMinLogLevel(server::LogLevel::kDebug);
  } else if (f.log_level == "warning") {
    server::SetMinLogLevel(server::LogLevel::kWarning);
  }
  // Block the signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // TLS: both files or neither; checked before the (slow) model loads.
  if (f.tls_cert.empty() != f.tls_key.empty()) {
    Say("error: --tls-cert and --tls-key go together: give both for HTTPS "
        "and WSS, or neither for plain HTTP (make a development pair with "
        "`cerumbra cert dev --out-dir DIR`)");
    return 2;
  }
  const bool tls = !f.tls_cert.empty();
  if (tls) {
    auto checked = server::LoadTlsFiles(f.tls_cert, f.tls_key);
    if (!checked.ok()) {
      Say("error: " + checked.status().ToString());
      return 1;
    }
  }

  // The engine.
  std::unique_ptr<inference::Engine> engine;
  std::string model_path;
  if (!f.upstream.empty()) {
    if (!f.model.empty()) {
      Say("error: --model and --upstream exclude each other");
      return 2;
    }
    if (f.upstream_model.empty()) {
      Say("error: --upstream needs --upstream-model NAME");
      return 2;
    }
    inference::UpstreamOptions o;
    o.base_url = f.upstream;
    o.model = f.upstream_model;
    o.max_sessions = f.engine_sessions;
    o.default_max_tokens = f.default_max_tokens;
    auto e = inference::UpstreamEngine::Create(o);
    if (!e.ok()) {
      Say("error: upstream: " + e.status().ToString());
      return 1;
    }
    engine = std::move(e).value();
  } else {
    model_path = f.model;
    if (model_path.empty()) {
      Say("No --model given: using the demo model (random weights; its "
          "text is meaningless). See the README to run a real GGUF.");
      auto demo = inference::EnsureDemoModel();
      if (!demo.ok()) {
        Say("error: demo model: " + demo.status().ToString());
        return 1;
      }
      model_path = demo.value();
    }
    inference::LlamaEngineOptions o;
    o.model_path = model_path;
    o.gpu_layers = f.gpu_layers;
    o.context_size = f.context_size;
    o.max_sessions = f.engine_sessions;
    o.threads = f.threads;
    o.default_max_tokens = f.default_max_tokens;
    o.progress = true;
    auto e = inference::CreateLlamaEngine(o);
    if (!e.ok()) {
      Say("error: " + e.status().ToString());
      return 1;
    }
    engine = std::move(e).value();
  }
  const inference::EngineInfo info = engine->Info();

  // The server's options (before the attester: the config is measured).
  server::ServerOptions so;
  so.host = f.host;
  so.port = static_cast<uint16_t>(f.port);
  so.io_threads = f.io_threads;
  so.limits.max_sessions = f.max_sessions;
  so.limits.max_prompt = f.max_prompt;
  so.limits.write_queue_bytes = f.write_queue;
  so.limits.handshake_timeout = std::chrono::seconds(f.handshake_timeout_s);
  so.limits.idle_timeout = std::chrono::seconds(f.idle_timeout_s);
  so.limits.max_tokens = f.max_tokens;
  so.limits.default_max_tokens = f.default_max_tokens;
  so.pad_records = !f.no_padding;
  so.coalesce_ms = f.coalesce_ms;
  if (tls) so.tls = server::TlsFiles{f.tls_cert, f.tls_key};
  std::vector<attest::WebFile> web_files;
  if (!f.web_root.empty()) {
    auto files = server::LoadStaticFiles(f.web_root);
    if (!files.ok()) {
      Say("error: " + files.status().ToString());
      return 1;
    }
    so.static_files = std::move(files).value();
  } else {
    so.static_files = server::EmbeddedStaticFiles();
  }
  for (const auto& [path, file] : so.static_files) {
    web_files.push_back(
        {path.substr(1),
         std::vector<uint8_t>(file.body.begin(), file.body.end())});
  }

  // The attester: the simulated CA is made on first start.
  std::string ca_dir = f.ca_dir.empty() ? DefaultCaDir() : f.ca_dir;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  if (!std::filesystem::exists(std::filesystem::path(ca_dir) /
                               attest::kCaAttestationKeyFile)) {
    // InitSimulatedCa makes the directory itself (0700), not its parents.
    std::error_code ec;
    std::filesystem::create_directories(
        std::filesystem::path(ca_dir).parent_path(), ec);
    attest::CaInitOptions init;
    init.dir = ca_dir;
    init.now = now;
    auto made = attest::InitSimulatedCa(init);
    if (!made.ok()) {
      Say("error: simulated CA: " + made.status().ToString());
      return 1;
    }
    Say("Made a SIMULATED TEE CA in " + ca_dir +
        " (cerumbra ca init); pin its root:");
    Say("  root SHA-256 " + made.value().root_fingerprint);
  }
  attest::AttesterOptions ao;
  ao.ca_dir = ca_dir;
  ao.model_path = model_path;
  if (!model_path.empty() && !inference::DefaultModelCacheDir().empty()) {
    ao.model_cache_path =
        inference::DefaultModelCacheDir() + "/measurements.json";
  }
  ao.web_files = std::move(web_files);
  ao.config_json = EffectiveConfig(f, so, info);
  ao.use_nvidia = !f.no_nvidia;
  if (!f.nvml_library.empty()) ao.nvml_library = f.nvml_library;
  ao.now = now;
  ao.progress = [](uint64_t done, uint64_t total) {
    if (total > 0) {
      std::fprintf(stderr, "\rmeasuring the model: %3d%%",
                   static_cast<int>(100 * done / total));
      if (done == total) std::fputc('\n', stderr);
    }
  };
  ao.log = [](std::string_view line) {
    server::Log(server::LogLevel::kInfo, "attester", {{"message", line}});
  };
  auto attester = attest::Attester::Create(std::move(ao));
  if (!attester.ok()) {
    Say("error: attester: " + attester.status().ToString());
    return 1;
  }
  const attest::AttesterStatus status = attester.value()->status();

  server::Server* server_ptr = nullptr;
  so.healthz = [info, status, &server_ptr] {
    return Healthz(info, status, server_ptr);
  };
  const std::string document =
      attest::MakeAttestationDocument(*attester.value());
  so.attestation_document = [document] { return document; };
  so.attestation_document_path = attest::kAttestationDocumentPath;

  auto srv = server::Server::Create(std::move(so), *attester.value(), *engine);
  if (!srv.ok()) {
    Say("error: " + srv.status().ToString());
    return 2;
  }
  server_ptr = srv.value().get();
  Status started = srv.value()->Start();
  if (!started.ok()) {
    Say("error: " + started.ToString());
    return 1;
  }
  server::Log(server::LogLevel::kInfo, "node_ready",
              {{"model", info.model},
               {"model_note", info.is_demo_model ? "demo model (random weights)"
                                                 : "user model"},
               {"backend", info.backend},
               {"evidence_type",
                status.evidence_type == protocol::EvidenceType::kSimulated
                    ? "simulated"
                    : "nvidia-gpu"},
               {"evidence_reason", status.reason}});
  const std::string url = (tls ? "https://" : "http://") + f.host + ":" +
                          std::to_string(srv.value()->port()) + "/";
  if (status.evidence_type == protocol::EvidenceType::kSimulated) {
    std::printf(
        "Evidence: SIMULATED TEE (%s). No hardware protects this node.\n",
        status.reason.c_str());
  }
  if (info.is_demo_model) {
    std::printf(
        "Model: demo model (random weights): its answers are "
        "meaningless text.\n");
  }
  const std::string root =
      attest::CertificateFingerprint(attester.value()->chain().back());
  std::printf("Quote root SHA-256 (pin it in clients): %s\n", root.c_str());
  std::printf("Cerumbra node listening. Open %s in a browser.\n", url.c_str());
  std::printf("With the root pinned: %s?root=%s\n", url.c_str(), root.c_str());
  std::fflush(stdout);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server::Log(server::LogLevel::kInfo, "signal",
                {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    srv.value()->Shutdown();
  });
  srv.value()->Run();
  // Run returned: shutdown completed (by a signal or an error).
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  engine->Shutdown();
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run a Cerumbra node: HTTP and WebSocket on one port, the web client "
      "at /, the attested encrypted sessions at /ws, /healthz, /metrics and "
      "the attestation document at " +
          std::string(attest::kAttestationDocumentPath));
  cmd->add_option("--host", f->host, "Address to listen on")
      ->capture_default_str();
  cmd->add_option("--port", f->port, "Port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--model", f->model,
                  "GGUF model file (default: the demo model with random "
                  "weights, made once in the cache directory)");
  cmd->add_option("--gpu-layers", f->gpu_layers,
                  "Layers to offload to the GPU (-1: all when a GPU is "
                  "present; CUDA builds only)")
      ->capture_default_str();
  cmd->add_option("--context-size", f->context_size,
                  "KV budget per session in tokens (prompt + answer + "
                  "history)")
      ->check(CLI::Range(128, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--engine-sessions", f->engine_sessions,
                  "Generations batched together; more wait (busy)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--threads", f->threads,
                  "CPU threads for llama.cpp (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--upstream", f->upstream,
                  "Forward generation to an OpenAI-compatible server inside "
                  "the same TEE, e.g. http://127.0.0.1:8000/v1");
  cmd->add_option("--upstream-model", f->upstream_model,
                  "Model name to ask the upstream for");
  cmd->add_option("--ca-dir", f->ca_dir,
                  "Simulated TEE CA directory (default "
                  "~/.local/share/cerumbra/ca, made on first start)");
  cmd->add_option("--web-root", f->web_root,
                  "Serve the web client from this directory instead of the "
                  "embedded copy (development)");
  cmd->add_flag("--no-nvidia", f->no_nvidia,
                "Do not probe NVML for GPU confidential computing");
  cmd->add_option("--nvml-library", f->nvml_library,
                  "Path of libnvidia-ml.so.1 to load");
  cmd->add_option("--io-threads", f->io_threads, "Network threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--max-sessions", f->max_sessions,
                  "WebSocket sessions open at once (more get HTTP 503)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-prompt", f->max_prompt,
                  "Largest request message in bytes")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--write-queue", f->write_queue,
                  "Bytes queued for a client that does not read before its "
                  "session is ended")
      ->check(CLI::Range(32820, 1 << 30))
      ->capture_default_str();
  cmd->add_option("--handshake-timeout", f->handshake_timeout_s,
                  "Seconds from connect to an established session")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--idle-timeout", f->idle_timeout_s,
                  "Seconds without a request before a session is closed")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_option("--max-tokens", f->max_tokens,
                  "Most tokens one answer may have")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--default-max-tokens", f->default_max_tokens,
                  "Answer length when the client does not say")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_flag("--no-padding", f->no_padding,
                "Do not pad records to size buckets (leaks token lengths; "
                "for measurements only)");
  cmd->add_option("--coalesce-ms", f->coalesce_ms,
                  "Send answer text at most once per tick of this many ms "
                  "(0: as generated)")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  cmd->add_option("--log-level", f->log_level, "debug, info or warning")
      ->check(CLI::IsMember({"debug", "info", "warning"}))
      ->capture_default_str();
  cmd->add_option("--tls-cert", f->tls_cert,
                  "PEM certificate (chain, leaf first): serve HTTPS and WSS "
                  "on the port (TLS 1.2+; needs --tls-key). Without it: "
                  "plain HTTP, fine on localhost");
  cmd->add_option("--tls-key", f->tls_key,
                  "PEM private key of --tls-cert (unencrypted; mode 0600)");
  cmd->callback([f, &exit_code] { exit_code = RunServe(*f); });
}

}  // namespace cerumbra::cli
