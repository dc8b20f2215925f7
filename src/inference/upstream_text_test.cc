// Copyright 2026 The Cerumbra Authors.

#include "inference/upstream_text.h"

#include <gtest/gtest.h>

#include <string>

namespace cerumbra::inference {
namespace {

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

TEST(IsValidUtf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8C\x8D"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string_view("\0", 1)));
}

TEST(IsValidUtf8Test, RejectsIllFormedText) {
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));  // truncated
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
}

TEST(Utf8AssemblerTest, EverySplitOfValidTextGivesWholeCharacters) {
  const std::string text = "a\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8C\x8D z";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    Utf8Assembler utf8;
    std::string first = utf8.Append(std::string_view(text).substr(0, cut));
    std::string second = utf8.Append(std::string_view(text).substr(cut));
    EXPECT_TRUE(IsValidUtf8(first)) << cut;
    EXPECT_TRUE(IsValidUtf8(second)) << cut;
    EXPECT_EQ(first + second, text) << cut;
    EXPECT_EQ(utf8.pending(), 0u);
    EXPECT_EQ(utf8.Flush(), "");
  }
}

TEST(Utf8AssemblerTest, ByteByByteReleasesEachCharacterWhenComplete) {
  Utf8Assembler utf8;
  EXPECT_EQ(utf8.Append("\xF0"), "");
  EXPECT_EQ(utf8.Append("\x9F"), "");
  EXPECT_EQ(utf8.Append("\x8C"), "");
  EXPECT_EQ(utf8.pending(), 3u);
  EXPECT_EQ(utf8.Append("\x8D"), "\xF0\x9F\x8C\x8D");
}

TEST(Utf8AssemblerTest, ReplacesMaximalSubparts) {
  // Unicode §3.9, Table 3-8: each maximal subpart becomes one U+FFFD.
  Utf8Assembler utf8;
  const std::string out = utf8.Append(
      "a\xF1\x80\x80"
      "b\xE1\x80"
      "c\xC0\xAF"
      "d\xED\xA0\x80"
      "e");
  EXPECT_EQ(out, "a" + std::string(kFffd) + "b" + std::string(kFffd) + "c" +
                     std::string(kFffd) + std::string(kFffd) + "d" +
                     std::string(kFffd) + std::string(kFffd) +
                     std::string(kFffd) + "e");
}

TEST(Utf8AssemblerTest, FlushReplacesAnIncompleteTail) {
  Utf8Assembler utf8;
  EXPECT_EQ(utf8.Append("ok\xE2\x82"), "ok");
  EXPECT_EQ(utf8.Flush(), kFffd);
  EXPECT_EQ(utf8.Flush(), "");
}

TEST(WipeStringTest, LeavesTheStringEmpty) {
  std::string secret = "a prompt that must not linger";
  WipeString(secret);
  EXPECT_TRUE(secret.empty());
  secret.resize(secret.capacity());
  for (char c : secret) EXPECT_EQ(c, '\0');
}

}  // namespace
}  // namespace cerumbra::inference
