// Copyright 2026 The Cerumbra Authors.

#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace cerumbra::crypto {
namespace {

template <typename T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};

// The type-level contract: move-only, no implicit view, no printing.
static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_assignable_v<SecretBytes>);
static_assert(!std::is_convertible_v<SecretBytes, std::span<const uint8_t>>);
static_assert(
    !std::is_convertible_v<const SecretBytes&, std::span<const uint8_t>>);
static_assert(!Streamable<SecretBytes>);

std::vector<uint8_t> Bytes(const SecretBytes& s) {
  return {s.Reveal().begin(), s.Reveal().end()};
}

TEST(SecretBytesTest, DefaultIsEmpty) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.Reveal().empty());
}

TEST(SecretBytesTest, SizedConstructorHoldsZeroBytes) {
  SecretBytes s(40);
  EXPECT_EQ(s.size(), 40u);
  EXPECT_TRUE(std::all_of(s.Reveal().begin(), s.Reveal().end(),
                          [](uint8_t b) { return b == 0; }));
}

TEST(SecretBytesTest, CopyFromCopiesTheBytes) {
  std::vector<uint8_t> source = {1, 2, 3, 4, 5};
  SecretBytes s = SecretBytes::CopyFrom(source);
  source[0] = 99;  // The copy is independent of the source.
  EXPECT_EQ(Bytes(s), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
}

TEST(SecretBytesTest, RevealMutableWritesThrough) {
  SecretBytes s(3);
  s.RevealMutable()[1] = 7;
  EXPECT_EQ(Bytes(s), (std::vector<uint8_t>{0, 7, 0}));
}

TEST(SecretBytesTest, MoveConstructionTransfersAndEmptiesTheSource) {
  SecretBytes a = SecretBytes::CopyFrom(std::vector<uint8_t>{9, 8, 7});
  const uint8_t* buffer = a.Reveal().data();
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract.
  EXPECT_TRUE(a.Reveal().empty());
  EXPECT_EQ(Bytes(b), (std::vector<uint8_t>{9, 8, 7}));
  // The buffer moved; no second copy of the secret was made.
  EXPECT_EQ(b.Reveal().data(), buffer);
}

TEST(SecretBytesTest, MoveAssignmentReplacesTargetAndEmptiesTheSource) {
  SecretBytes a = SecretBytes::CopyFrom(std::vector<uint8_t>{1, 1});
  SecretBytes b = SecretBytes::CopyFrom(std::vector<uint8_t>{2, 2, 2});
  b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract.
  EXPECT_EQ(Bytes(b), (std::vector<uint8_t>{1, 1}));
}

TEST(SecretBytesTest, ClearEmptiesTheBuffer) {
  SecretBytes s = SecretBytes::CopyFrom(std::vector<uint8_t>{5, 6});
  s.Clear();
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.Reveal().empty());
  s.Clear();  // Idempotent.
  EXPECT_TRUE(s.empty());
}

TEST(SecretBytesTest, ZeroSizedSecretIsEmpty) {
  SecretBytes s(0);
  EXPECT_TRUE(s.empty());
  SecretBytes t = SecretBytes::CopyFrom({});
  EXPECT_TRUE(t.empty());
}

}  // namespace
}  // namespace cerumbra::crypto
