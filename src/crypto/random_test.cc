// Copyright 2026 The Cerumbra Authors.

#include "crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace cerumbra::crypto {
namespace {

TEST(RandomBytesTest, ReturnsTheRequestedSize) {
  for (size_t size : {0u, 1u, 12u, 32u, 1000u}) {
    Result<std::vector<uint8_t>> bytes = RandomBytes(size);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    EXPECT_EQ(bytes->size(), size);
  }
}

TEST(RandomBytesTest, SuccessiveCallsDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    Result<std::vector<uint8_t>> bytes = RandomBytes(16);
    ASSERT_TRUE(bytes.ok());
    EXPECT_TRUE(seen.insert(std::string(bytes->begin(), bytes->end())).second)
        << "repeated 128-bit output";
  }
}

TEST(RandomBytesTest, OutputIsNotConstant) {
  Result<std::vector<uint8_t>> bytes = RandomBytes(4096);
  ASSERT_TRUE(bytes.ok());
  // Every byte value should show up in 4 KiB of uniform output; a stuck or
  // unseeded generator would not do that. (Chance of a false failure is
  // 256 * (255/256)^4096, about 1e-5.)
  std::set<uint8_t> values(bytes->begin(), bytes->end());
  EXPECT_GT(values.size(), 250u);
}

TEST(RandomSecretBytesTest, ReturnsTheRequestedSizeAndDiffers) {
  Result<SecretBytes> a = RandomSecretBytes(32);
  Result<SecretBytes> b = RandomSecretBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_FALSE(
      std::equal(a->Reveal().begin(), a->Reveal().end(), b->Reveal().begin()));
}

}  // namespace
}  // namespace cerumbra::crypto
