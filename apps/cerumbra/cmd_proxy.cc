// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra proxy --listen 127.0.0.1:8080 --node URL [--policy FILE]
// [--strict]`: an OpenAI-compatible HTTP server on localhost that carries
// each request over a freshly verified, end-to-end encrypted session to the
// node (client/proxy.h).

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "attest/policy.h"
#include "cli_files.h"
#include "client/proxy.h"
#include "commands.h"

namespace cerumbra::cli {
namespace {

struct ProxyArgs {
  std::string listen = "127.0.0.1:8080";
  std::string node;
  std::string policy;
  bool strict = false;
  bool unpinned = false;
  std::string tls_ca;
  bool allow_remote = false;
  std::string model = "cerumbra";
};

int RunProxy(const ProxyArgs& args) {
  client::ProxyOptions o;
  const size_t colon = args.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "error: --listen wants HOST:PORT\n");
    return 2;
  }
  o.listen_host = args.listen.substr(0, colon);
  if (o.listen_host.size() > 2 && o.listen_host.front() == '[') {
    o.listen_host = o.listen_host.substr(1, o.listen_host.size() - 2);
  }
  const std::string port = args.listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    std::fprintf(stderr, "error: --listen has a bad port\n");
    return 2;
  }
  o.port = static_cast<uint16_t>(std::stoi(port));
  o.allow_remote = args.allow_remote;
  o.node_url = args.node;
  o.model_id = args.model;
  if (!args.policy.empty()) {
    if (!LoadPolicyFile(args.policy, o.connect.policy)) return 2;
  } else if (args.unpinned) {
    o.connect.trust = client::TrustMode::kUnpinned;
    std::fprintf(stderr,
                 "warning: --unpinned: every request trusts the root the "
                 "node presents; nothing is pinned.\n");
  } else {
    std::fprintf(stderr,
                 "error: give --policy FILE (the node publishes a suggested "
                 "one at /.well-known/cerumbra-attestation.json), or "
                 "--unpinned to trust whatever root the node presents\n");
    return 2;
  }
  o.connect.strict = args.strict;
  if (!args.tls_ca.empty() &&
      !ReadFileText(args.tls_ca, o.connect.tls_trust_pem)) {
    std::fprintf(stderr, "error: cannot read %s\n", args.tls_ca.c_str());
    return 2;
  }
  o.log = [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };

  // SIGINT and SIGTERM stop the proxy (sigwait on a thread of its own).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto proxy = client::Proxy::Create(std::move(o));
  if (!proxy.ok()) {
    std::fprintf(stderr, "error: %s\n", proxy.status().message().c_str());
    return proxy.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  client::Proxy& p = *proxy.value();
  std::printf(
      "Cerumbra proxy listening on http://%s:%u/v1 (OpenAI-compatible) for "
      "node %s\n",
      args.listen.substr(0, colon).c_str(), static_cast<unsigned>(p.port()),
      args.node.c_str());
  std::fflush(stdout);
  std::thread stopper([&p, set] {
    int sig = 0;
    sigwait(&set, &sig);
    p.Shutdown();
  });
  p.Run();
  stopper.join();
  return 0;
}

}  // namespace

void RegisterProxyCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ProxyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "proxy",
      "Serve an OpenAI-compatible API on localhost that carries each request "
      "end-to-end encrypted to a verified node");
  cmd->footer(
      "\nPoint any OpenAI SDK at the printed base URL (the API key is not "
      "checked; pass any string). Each POST /v1/chat/completions (with or "
      "without \"stream\": true) opens a fresh session to the node, verifies "
      "its attestation against --policy, and only then sends the "
      "conversation, encrypted. A node that fails verification gets nothing: "
      "the application receives 502 with the failing check named. GET "
      "/v1/models lists one model (--model).\n"
      "Supported: messages (system, developer, user, assistant; text "
      "content), max_tokens / max_completion_tokens, temperature, top_p, "
      "seed, stop, stream, stream_options.include_usage, n=1. Tools, "
      "functions, images and JSON response formats are refused with 400.\n"
      "The hop from the application to the proxy is plain HTTP, so the proxy "
      "listens on loopback only unless --allow-remote.\n"
      "Example:\n"
      "  cerumbra proxy --node ws://127.0.0.1:8080/ws --policy policy.json "
      "--listen 127.0.0.1:8081\n"
      "  OPENAI_BASE_URL=http://127.0.0.1:8081/v1 OPENAI_API_KEY=unused "
      "your-app");
  cmd->add_option("--listen", args->listen,
                  "HOST:PORT to serve on (an IP address; port 0 picks a free "
                  "one)")
      ->capture_default_str();
  cmd->add_option("--node", args->node,
                  "The node's WebSocket URL: ws://HOST:PORT/ws or "
                  "wss://HOST:PORT/ws")
      ->required();
  cmd->add_option("--policy", args->policy,
                  "cerumbra-policy-v1 JSON file: pinned quote roots and "
                  "measurements (docs/attestation.md section 5)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--strict", args->strict,
                "Refuse every node whose keys are not hardware-protected: "
                "simulated and GPU-only evidence (whatever the policy says)");
  cmd->add_flag("--unpinned", args->unpinned,
                "Without --policy: trust the root each node presents "
                "(nothing pinned; for demos only)");
  cmd->add_option("--tls-ca", args->tls_ca,
                  "PEM certificate to trust for a wss:// node")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--allow-remote", args->allow_remote,
                "Allow a non-loopback --listen address (no authentication, "
                "plain HTTP: anyone who reaches it can use the node)");
  cmd->add_option("--model", args->model, "Model id that /v1/models lists")
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = RunProxy(*args); });
}

}  // namespace cerumbra::cli
