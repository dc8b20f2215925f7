// Copyright 2026 The Cerumbra Authors.

#include "cli_files.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

namespace cerumbra::cli {

bool ReadFileText(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

bool LoadPolicyFile(const std::string& path, attest::Policy& out) {
  std::string text;
  if (!ReadFileText(path, text)) {
    std::fprintf(stderr, "error: cannot read policy %s\n", path.c_str());
    return false;
  }
  auto policy = attest::ParsePolicyJson(text);
  if (!policy.ok()) {
    std::fprintf(stderr, "error: policy %s: %s\n", path.c_str(),
                 policy.status().message().c_str());
    return false;
  }
  out = std::move(policy).value();
  return true;
}

}  // namespace cerumbra::cli
