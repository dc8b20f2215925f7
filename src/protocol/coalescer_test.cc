// Copyright 2026 The Cerumbra Authors.

#include "protocol/coalescer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cerumbra::protocol {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) {
  return {s.begin(), s.end()};
}
std::string Text(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

TEST(CoalescerTest, NothingBufferedGivesAnEmptyTick) {
  Coalescer c;
  EXPECT_TRUE(c.Tick().empty());
}

TEST(CoalescerTest, TokensPushedBetweenTicksLeaveAsOneChunk) {
  Coalescer c;
  for (const char* token : {"Hel", "lo", ", ", "world"}) c.Push(Bytes(token));
  EXPECT_EQ(c.buffered(), 12u);
  EXPECT_EQ(Text(c.Tick()), "Hello, world");
  EXPECT_EQ(c.buffered(), 0u);
  EXPECT_TRUE(c.Tick().empty());
}

TEST(CoalescerTest, OneTickReleasesAtMostOneChunk) {
  Coalescer c(8);
  c.Push(Bytes("abcdefghijklmnopqrst"));
  EXPECT_EQ(Text(c.Tick()), "abcdefgh");
  EXPECT_EQ(Text(c.Tick()), "ijklmnop");
  EXPECT_EQ(Text(c.Tick()), "qrst");
  EXPECT_TRUE(c.Tick().empty());
}

TEST(CoalescerTest, ChunksNeverSplitAUtf8Character) {
  // "aaaaaa" then U+20AC (3 bytes: E2 82 AC): an 8-byte cut would split it.
  Coalescer c(8);
  c.Push(
      Bytes("aaaaaa\xE2\x82\xAC"
            "b"));
  EXPECT_EQ(Text(c.Tick()), "aaaaaa");
  EXPECT_EQ(Text(c.Tick()),
            "\xE2\x82\xAC"
            "b");
}

TEST(CoalescerTest, AFourByteCharacterAtTheCutMovesWhole) {
  Coalescer c(6);
  c.Push(Bytes("abc\xF0\x9F\x98\x80z"));  // U+1F600
  EXPECT_EQ(Text(c.Tick()), "abc");
  EXPECT_EQ(Text(c.Tick()), "\xF0\x9F\x98\x80z");
}

TEST(CoalescerTest, InvalidUtf8LongerThanAChunkIsStillCut) {
  Coalescer c(4);
  c.Push(Bytes("\x80\x80\x80\x80\x80\x80"));  // only continuation bytes
  EXPECT_EQ(c.Tick().size(), 4u);
  EXPECT_EQ(c.Tick().size(), 2u);
}

TEST(CoalescerTest, DrainReturnsEverythingInChunks) {
  Coalescer c(4);
  c.Push(Bytes("0123456789"));
  std::vector<std::vector<uint8_t>> chunks = c.Drain();
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(Text(chunks[0]) + Text(chunks[1]) + Text(chunks[2]), "0123456789");
  EXPECT_EQ(c.buffered(), 0u);
}

}  // namespace
}  // namespace cerumbra::protocol
