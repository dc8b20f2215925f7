// Copyright 2026 The Cerumbra Authors.

#include "inference/demo_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gguf.h"

namespace cerumbra::inference {
namespace {

std::string TempDir(const std::string& name) {
  std::string dir = testing::TempDir() + "/cerumbra_demo_" + name + "_" +
                    std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(DemoModelTest, SameSeedGivesSameBytesAndOtherSeedDiffers) {
  const std::string dir = TempDir("seed");
  ASSERT_TRUE(WriteDemoModel(dir + "/a.gguf", 7).ok());
  ASSERT_TRUE(WriteDemoModel(dir + "/b.gguf", 7).ok());
  ASSERT_TRUE(WriteDemoModel(dir + "/c.gguf", 8).ok());
  const std::string a = ReadFile(dir + "/a.gguf");
  EXPECT_GT(a.size(), 60u << 20);
  EXPECT_LT(a.size(), 90u << 20);
  EXPECT_TRUE(a == ReadFile(dir + "/b.gguf"));
  EXPECT_FALSE(a == ReadFile(dir + "/c.gguf"));
  std::filesystem::remove_all(dir);
}

TEST(DemoModelTest, MetadataNamesTheDemoModelAndHasATemplate) {
  const std::string dir = TempDir("meta");
  ASSERT_TRUE(WriteDemoModel(dir + "/m.gguf", 1).ok());
  gguf_init_params params = {true, nullptr};
  gguf_context* ctx = gguf_init_from_file((dir + "/m.gguf").c_str(), params);
  ASSERT_NE(ctx, nullptr);
  const int64_t demo = gguf_find_key(ctx, kDemoModelMetadataKey);
  ASSERT_GE(demo, 0);
  EXPECT_TRUE(gguf_get_val_bool(ctx, demo));
  const int64_t name = gguf_find_key(ctx, "general.name");
  ASSERT_GE(name, 0);
  EXPECT_NE(std::string(gguf_get_val_str(ctx, name)).find("random weights"),
            std::string::npos);
  EXPECT_GE(gguf_find_key(ctx, "tokenizer.chat_template"), 0);
  EXPECT_GE(gguf_find_key(ctx, "tokenizer.ggml.merges"), 0);
  EXPECT_EQ(gguf_get_n_tensors(ctx), 2 + 4 * 9 + 1);
  // 68.8M parameters.
  int64_t params_total = 0;
  for (int64_t i = 0; i < gguf_get_n_tensors(ctx); ++i) {
    const int64_t* ne = gguf_get_tensor_ne(ctx, i);
    params_total += ne[0] * ne[1] * ne[2] * ne[3];
  }
  EXPECT_EQ(params_total, 68815104);
  gguf_free(ctx);
  std::filesystem::remove_all(dir);
}

TEST(DemoModelTest, EnsureMakesTheModelOnceAndLeavesNoTemporaryFiles) {
  const std::string dir = TempDir("ensure");
  Result<std::string> first = EnsureDemoModel(dir + "/models");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const auto mtime = std::filesystem::last_write_time(*first);
  Result<std::string> second = EnsureDemoModel(dir + "/models");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(mtime, std::filesystem::last_write_time(*second));
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/models")) {
    EXPECT_EQ(e.path().filename().string(), std::string(kDemoModelFileName));
    ++files;
  }
  EXPECT_EQ(files, 1);
  std::filesystem::remove_all(dir);
}

TEST(DemoModelTest, EnsureFailsWhenTheDirectoryCannotBeMade) {
  const std::string dir = TempDir("bad");
  std::ofstream(dir + "/file") << "x";
  Result<std::string> r = EnsureDemoModel(dir + "/file/models");
  EXPECT_FALSE(r.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cerumbra::inference
