// Copyright 2026 The Cerumbra Authors.
//
// Test-only: runs the real `cerumbra serve` binary (the demo model on the
// real llama.cpp engine, simulated attestation with a fresh CA) as a child
// process on 127.0.0.1 port 0, with its output in files of a temporary
// directory. Used by the client, chat and proxy integration tests.

#ifndef CERUMBRA_TESTS_NODE_PROCESS_H_
#define CERUMBRA_TESTS_NODE_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace cerumbra::testing {

inline std::string ReadFileText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// NodeProcess is one `cerumbra serve` child.
class NodeProcess {
 public:
  // `name` makes the temporary directory unique among nodes of one test.
  explicit NodeProcess(const std::string& name) {
    dir_ = std::filesystem::temp_directory_path() /
           ("cerumbra_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~NodeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Start launches `binary serve` with small limits and `extra` arguments
  // and waits (up to 5 minutes) for its "Open http(s)://..." line.
  bool Start(const std::string& binary,
             const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {binary,
                                     "serve",
                                     "--port",
                                     "0",
                                     "--ca-dir",
                                     (dir_ / "ca").string(),
                                     "--threads",
                                     "2",
                                     "--context-size",
                                     "1024",
                                     "--engine-sessions",
                                     "4",
                                     "--max-tokens",
                                     "64",
                                     "--default-max-tokens",
                                     "12"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Spawn(args, R"(Open https?://127\.0\.0\.1:(\d+)/ in a browser)");
  }

  // Spawn runs `args` and waits for `ready` (a regex whose group 1 is the
  // port) in its stdout.
  bool Spawn(std::vector<std::string> args, const std::string& ready) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (dir_ / "stdout").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_ / "stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc =
        posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return false;
    const std::regex url(ready);
    for (int i = 0; i < 3000; ++i) {
      std::smatch m;
      std::string out = ReadFileText(dir_ / "stdout");
      if (std::regex_search(out, m, url)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Stop sends SIGTERM and returns the exit status (-1 on a timeout).
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 600; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }

  uint16_t port() const { return port_; }
  std::string Output() const {
    return ReadFileText(dir_ / "stdout") + ReadFileText(dir_ / "stderr");
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace cerumbra::testing

#endif  // CERUMBRA_TESTS_NODE_PROCESS_H_
