// Copyright 2026 The Cerumbra Authors.
//
// docs/client-guide.md's C++ example, compiled and run by the tests
// (tests/cli_chat_test.sh runs it against a real node).
//   usage: client_example ws://HOST:PORT/ws POLICY.json
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "attest/policy.h"
#include "cerumbra/client.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  std::ifstream file(argv[2]);
  std::stringstream text;
  text << file.rdbuf();
  auto policy = cerumbra::attest::ParsePolicyJson(text.str());
  if (!policy.ok()) return 2;

  cerumbra::client::ConnectOptions options;
  options.policy = policy.value();  // pinned root and measurements
  auto conn = cerumbra::client::Connection::Connect(argv[1], options);
  if (!conn.ok()) {  // refused: nothing was sent
    std::cerr << conn.status().ToString() << "\n";
    return 1;
  }
  std::cout << cerumbra::client::FormatReport(conn.value()->report());

  cerumbra::client::ChatParams params;
  params.max_tokens = 8;
  auto answer = conn.value()->Chat(
      "Hello!", params, [](std::string_view piece) { std::cout << piece; });
  if (!answer.ok()) {  // e.g. truncated: never a partial answer
    std::cerr << answer.status().ToString() << "\n";
    return 1;
  }
  std::cout << "\n[" << answer.value().finish_reason << ", "
            << answer.value().completion_tokens << " tokens]\n";
  return conn.value()->Close().ok() ? 0 : 1;
}
