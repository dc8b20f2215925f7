// Copyright 2026 The Cerumbra Authors.

#include "inference/llama_info.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

namespace cerumbra::inference {
namespace {

// The version the linked ggml reports at run time must be the one CMake read
// from the pinned source: this proves the link is to the pinned build.
TEST(LlamaInfoTest, ReportsThePinnedVersions) {
  LlamaInfo info = GetLlamaInfo();
  EXPECT_EQ(info.ggml_version, CERUMBRA_EXPECTED_GGML_VERSION);
  EXPECT_EQ(info.llama_commit.size(), 40u);
  EXPECT_FALSE(info.llama_tag.empty());
  EXPECT_FALSE(info.system_info.empty());
}

TEST(LlamaInfoTest, ListsEveryCompiledBackend) {
  LlamaInfo info = GetLlamaInfo();
  std::stringstream expected(CERUMBRA_EXPECTED_BACKENDS);
  std::string want;
  while (std::getline(expected, want, ',')) {
    bool found = std::any_of(
        info.backends.begin(), info.backends.end(), [&](const Backend& b) {
          std::string name = b.name;
          std::transform(name.begin(), name.end(), name.begin(), ::tolower);
          return name == want;
        });
    EXPECT_TRUE(found) << "backend " << want << " not registered";
  }
}

TEST(LlamaInfoTest, CpuBackendHasADevice) {
  LlamaInfo info = GetLlamaInfo();
  auto cpu = std::find_if(info.backends.begin(), info.backends.end(),
                          [](const Backend& b) { return b.name == "CPU"; });
  ASSERT_NE(cpu, info.backends.end());
  EXPECT_FALSE(cpu->devices.empty());
}

}  // namespace
}  // namespace cerumbra::inference
