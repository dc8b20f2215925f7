// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra chat URL [--policy FILE] [--strict] [--tls-ca PEM]`: a terminal
// chat over the C++ client library. It prints the verification result
// first, then reads one prompt per line from stdin (a terminal or a pipe)
// and streams each answer to stdout. Ctrl-C cancels the answer being
// generated; a second Ctrl-C, Ctrl-C at the prompt, EOF or /quit leave.
// /reset clears the conversation.

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "attest/policy.h"
#include "cerumbra/client.h"
#include "cli_files.h"
#include "commands.h"

namespace cerumbra::cli {
namespace {

struct ChatArgs {
  std::string url;
  std::string policy;
  bool strict = false;
  std::string tls_ca;
  int max_tokens = 0;
  double temperature = -1;
};

// Interrupts turns SIGINT into actions on a thread of its own (sigwait), so
// that nothing but async-signal-safe code runs in a signal handler.
class Interrupts {
 public:
  Interrupts() {
    ::pipe(wake_);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    // Blocked here, before any other thread exists, so every thread
    // inherits the mask and only sigwait sees SIGINT.
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    thread_ = std::thread([this, set] {
      for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (done_.load()) return;
        OnInterrupt();
      }
    });
  }
  ~Interrupts() {
    done_.store(true);
    pthread_kill(thread_.native_handle(), SIGINT);
    thread_.join();
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  // Answering marks whether an answer is being generated on `conn`.
  void Answering(client::Connection* conn) {
    std::lock_guard<std::mutex> lock(mu_);
    answering_ = conn;
    cancelled_ = false;
  }
  bool quit() const { return quit_.load(); }

  // ReadLine reads one line from stdin; nullopt on EOF or quit.
  std::optional<std::string> ReadLine() {
    std::string line;
    for (;;) {
      if (quit_.load()) return std::nullopt;
      pollfd fds[2] = {{0, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) return std::nullopt;
      char c = 0;
      const ssize_t n = ::read(0, &c, 1);
      if (n <= 0) {
        if (line.empty()) return std::nullopt;
        return line;
      }
      if (c == '\n') return line;
      line.push_back(c);
    }
  }

 private:
  void OnInterrupt() {
    std::lock_guard<std::mutex> lock(mu_);
    if (answering_ != nullptr && !cancelled_) {
      cancelled_ = true;
      answering_->Cancel();
      return;
    }
    quit_.store(true);
    if (answering_ != nullptr) answering_->Cancel();
    const char b = 'q';
    (void)!::write(wake_[1], &b, 1);
  }

  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::mutex mu_;
  client::Connection* answering_ = nullptr;
  bool cancelled_ = false;
  std::atomic<bool> quit_{false};
  std::atomic<bool> done_{false};
};

int RunChat(const ChatArgs& args) {
  client::ConnectOptions options;
  if (!args.policy.empty()) {
    if (!LoadPolicyFile(args.policy, options.policy)) return 2;
  } else {
    options.trust = client::TrustMode::kUnpinned;
    std::fprintf(stderr,
                 "warning: no --policy: the node's own root is trusted as "
                 "presented (nothing pinned). Compare the root fingerprint "
                 "below with the operator's, then pin it in a policy file.\n");
  }
  options.strict = args.strict;
  if (!args.tls_ca.empty() &&
      !ReadFileText(args.tls_ca, options.tls_trust_pem)) {
    std::fprintf(stderr, "error: cannot read %s\n", args.tls_ca.c_str());
    return 2;
  }
  options.on_report = [](const client::VerificationReport& r) {
    std::printf("%s", client::FormatReport(r).c_str());
    std::fflush(stdout);
  };

  Interrupts interrupts;  // before any thread: blocks SIGINT everywhere
  auto conn = client::Connection::Connect(args.url, options);
  if (!conn.ok()) {
    std::fprintf(stderr, "error: %s\n", conn.status().message().c_str());
    return 1;
  }
  client::Connection& c = *conn.value();
  std::printf("session fingerprint: %s\n", c.fingerprint().c_str());
  const bool tty = ::isatty(0);
  std::printf(
      "Type a message and press Enter. Ctrl-C stops an answer; /reset "
      "clears the conversation; /quit or Ctrl-D leaves.\n");
  std::fflush(stdout);

  client::ChatParams params;
  if (args.max_tokens > 0) params.max_tokens = args.max_tokens;
  if (args.temperature >= 0) params.temperature = args.temperature;
  int rc = 0;
  for (;;) {
    if (tty) {
      std::printf("you> ");
      std::fflush(stdout);
    }
    std::optional<std::string> line = interrupts.ReadLine();
    if (!line) break;
    if (line->empty()) continue;
    if (*line == "/quit") break;
    if (*line == "/reset") {
      Status s = c.Reset();
      if (!s.ok()) {
        std::fprintf(stderr, "error: %s\n", s.message().c_str());
        rc = 1;
        break;
      }
      std::printf("(conversation cleared)\n");
      std::fflush(stdout);
      continue;
    }
    interrupts.Answering(&c);
    auto answer = c.Chat(*line, params, [](std::string_view piece) {
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    });
    interrupts.Answering(nullptr);
    std::printf("\n");
    if (!answer.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "error: %s\n", answer.status().message().c_str());
      const StatusCode code = answer.status().code();
      if (code == StatusCode::kUnavailable ||
          code == StatusCode::kUnauthenticated ||
          code == StatusCode::kFailedPrecondition) {
        rc = 1;
        break;
      }
      continue;
    }
    if (answer.value().finish_reason == "cancelled") {
      std::printf("[cancelled]\n");
    } else if (answer.value().finish_reason == "length") {
      std::printf("[stopped at the token limit]\n");
    }
    std::fflush(stdout);
    if (interrupts.quit()) break;
  }
  if (rc == 0) {
    Status closed = c.Close();
    if (!closed.ok()) {
      std::fprintf(stderr, "error: closing: %s\n", closed.message().c_str());
      rc = 1;
    }
  }
  return rc;
}

}  // namespace

void RegisterChatCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ChatArgs>();
  CLI::App* cmd = app.add_subcommand(
      "chat",
      "Chat with a node from the terminal over a verified, end-to-end "
      "encrypted session");
  cmd->footer(
      "\nFirst prints what the node proved: the evidence type, the key "
      "protection (what protects the session keys: \"none (simulated)\", "
      "\"none (GPU evidence only)\" or the hardware; the first two are "
      "marked session keys NOT hardware-protected), every measurement and "
      "whether the policy pins it, and the SHA-256 of the quote's root "
      "certificate. Nothing is sent when verification fails.\n"
      "Without --policy nothing is pinned: the root the node presents is "
      "trusted (useful once, to learn the fingerprint; the node publishes "
      "a suggested policy at /.well-known/cerumbra-attestation.json).\n"
      "Reads one message per line from stdin (a terminal or a pipe). "
      "Ctrl-C stops the answer being generated; a second Ctrl-C, Ctrl-C at "
      "the prompt, Ctrl-D (EOF) or /quit leave; /reset clears the "
      "conversation.\n"
      "Examples:\n"
      "  cerumbra chat ws://127.0.0.1:8080/ws --policy policy.json --strict\n"
      "  cerumbra chat wss://node.example:8443 --policy policy.json "
      "--tls-ca cert.pem\n"
      "Exit status: 0 after a clean close, 1 when the node was refused or "
      "the connection failed, 2 on bad usage.");
  cmd->add_option("url", args->url,
                  "The node's WebSocket URL: ws://HOST:PORT[/ws] or "
                  "wss://HOST:PORT[/ws] (the path defaults to /ws)")
      ->required();
  cmd->add_option("--policy", args->policy,
                  "cerumbra-policy-v1 JSON file: pinned quote roots and "
                  "measurements (docs/attestation.md section 5)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--strict", args->strict,
                "Refuse every node whose keys are not hardware-protected: "
                "simulated and GPU-only evidence (whatever the policy says)");
  cmd->add_option("--tls-ca", args->tls_ca,
                  "PEM certificate to trust for a wss:// node (its "
                  "self-signed certificate from `cerumbra cert dev`, or its "
                  "CA); required for wss://")
      ->check(CLI::ExistingFile);
  cmd->add_option("--max-tokens", args->max_tokens,
                  "Most tokens per answer (default: the node's)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--temperature", args->temperature,
                  "Sampling temperature 0..2, 0 greedy (default: the node's)")
      ->check(CLI::Range(0.0, 2.0));
  cmd->callback([args, &exit_code] { exit_code = RunChat(*args); });
}

}  // namespace cerumbra::cli
