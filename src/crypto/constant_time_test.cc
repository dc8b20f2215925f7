// Copyright 2026 The Cerumbra Authors.

#include "crypto/constant_time.h"

#include <gtest/gtest.h>

#include <vector>

namespace cerumbra::crypto {
namespace {

TEST(ConstantTimeEqualsTest, EqualInputsCompareEqual) {
  const std::vector<uint8_t> a = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<uint8_t> b = a;
  EXPECT_TRUE(ConstantTimeEquals(a, b));
}

TEST(ConstantTimeEqualsTest, AnySingleBitDifferenceCompareUnequal) {
  const std::vector<uint8_t> a(32, 0x5a);
  for (size_t i = 0; i < a.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> b = a;
      b[i] ^= static_cast<uint8_t>(1 << bit);
      EXPECT_FALSE(ConstantTimeEquals(a, b)) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(ConstantTimeEqualsTest, DifferentLengthsCompareUnequal) {
  const std::vector<uint8_t> a = {1, 2, 3};
  const std::vector<uint8_t> prefix = {1, 2};
  EXPECT_FALSE(ConstantTimeEquals(a, prefix));
  EXPECT_FALSE(ConstantTimeEquals(prefix, a));
  EXPECT_FALSE(ConstantTimeEquals(a, {}));
}

TEST(ConstantTimeEqualsTest, EmptyInputsCompareEqual) {
  EXPECT_TRUE(ConstantTimeEquals({}, {}));
}

}  // namespace
}  // namespace cerumbra::crypto
