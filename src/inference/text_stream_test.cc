// Copyright 2026 The Cerumbra Authors.

#include "inference/text_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cerumbra::inference {
namespace {

// Pushes every piece, checks each output is valid UTF-8, returns the
// concatenation of all outputs and Finish().
std::string Stream(TextStream& s, const std::vector<std::string>& pieces,
                   std::vector<std::string>* outputs = nullptr) {
  std::string all;
  for (const std::string& p : pieces) {
    std::string out = s.Push(p);
    EXPECT_TRUE(IsValidUtf8(out));
    if (outputs && !out.empty()) outputs->push_back(out);
    all += out;
  }
  std::string tail = s.Finish();
  EXPECT_TRUE(IsValidUtf8(tail));
  if (outputs && !tail.empty()) outputs->push_back(tail);
  return all + tail;
}

TEST(TextStreamTest, HoldsASplitCharacterUntilItIsComplete) {
  TextStream s({});
  // "é" = C3 A9, "🙂" = F0 9F 99 82, split across pieces.
  EXPECT_EQ(s.Push("a\xC3"), "a");
  EXPECT_EQ(s.Push("\xA9"), "\xC3\xA9");
  EXPECT_EQ(s.Push("\xF0\x9F"), "");
  EXPECT_EQ(s.Push("\x99"), "");
  EXPECT_EQ(s.Push("\x82!"), "\xF0\x9F\x99\x82!");
  EXPECT_EQ(s.Finish(), "");
}

TEST(TextStreamTest, ReplacesInvalidBytesAndAnIncompleteTail) {
  TextStream s({});
  EXPECT_EQ(s.Push("a\xFF"
                   "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(s.Push("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(s.Push("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(s.Push("\xE6\x97"), "");
  EXPECT_EQ(s.Finish(), "\xEF\xBF\xBD");
}

TEST(TextStreamTest, StopStringInOnePieceIsCutAndNotEmitted) {
  TextStream s({"STOP"});
  std::string out = Stream(s, {"hello STOP world"});
  EXPECT_EQ(out, "hello ");
  EXPECT_TRUE(s.stopped());
}

TEST(TextStreamTest, StopStringSplitAcrossPiecesLeaksNothing) {
  TextStream s({"</end>"});
  std::vector<std::string> outputs;
  std::string out = Stream(s, {"abc<", "/e", "n", "d>", "more"}, &outputs);
  EXPECT_EQ(out, "abc");
  EXPECT_TRUE(s.stopped());
  for (const auto& o : outputs) EXPECT_EQ(o.find('<'), std::string::npos);
}

TEST(TextStreamTest, HeldPrefixIsReleasedWhenItStopsMatching) {
  TextStream s({"</end>"});
  EXPECT_EQ(s.Push("x</e"), "x");
  EXPECT_EQ(s.Push("x"), "</ex");
  EXPECT_FALSE(s.stopped());
  EXPECT_EQ(s.Push("</"), "");
  EXPECT_EQ(s.Finish(), "</");
}

TEST(TextStreamTest, EarliestOfSeveralStopStringsWins) {
  TextStream s({"world", "lo w"});
  EXPECT_EQ(Stream(s, {"hel", "lo wor", "ld"}), "hel");
}

TEST(TextStreamTest, MultiByteStopStringSplitInsideACharacter) {
  TextStream s({"\xE6\x97\xA5"});  // 日
  std::vector<std::string> outputs;
  std::string out = Stream(s,
                           {"ab\xE6", "\x97",
                            "\xA5"
                            "cd"},
                           &outputs);
  EXPECT_EQ(out, "ab");
  EXPECT_TRUE(s.stopped());
}

TEST(TextStreamTest, NothingAfterStop) {
  TextStream s({"x"});
  EXPECT_EQ(s.Push("ax"), "a");
  EXPECT_EQ(s.Push("bbb"), "");
  EXPECT_EQ(s.Finish(), "");
}

TEST(TextStreamTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("plain \xC3\xA9 \xF0\x9F\x99\x82"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));      // overlong
}

}  // namespace
}  // namespace cerumbra::inference
