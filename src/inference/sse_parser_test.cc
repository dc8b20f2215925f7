// Copyright 2026 The Cerumbra Authors.

#include "inference/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cerumbra::inference {
namespace {

struct Recorded {
  std::string event;
  std::string data;
  bool operator==(const Recorded&) const = default;
};

struct ParseRun {
  std::vector<Recorded> events;
  Status status;
};

SseParser::OnEvent Recorder(std::vector<Recorded>& out) {
  return [&out](const SseEvent& e) {
    out.push_back({std::string(e.event), std::string(e.data)});
    return OkStatus();
  };
}

// Feeds `stream` in pieces cut at `cuts` (ascending offsets), then Finish.
ParseRun FeedCut(std::string_view stream, const std::vector<size_t>& cuts,
                 size_t max_line = 1024, size_t max_event = 4096) {
  SseParser parser(max_line, max_event);
  ParseRun run;
  size_t at = 0;
  for (size_t cut : cuts) {
    run.status = parser.Feed(stream.substr(at, cut - at), Recorder(run.events));
    if (!run.status.ok()) return run;
    at = cut;
  }
  run.status = parser.Feed(stream.substr(at), Recorder(run.events));
  if (!run.status.ok()) return run;
  run.status = parser.Finish(Recorder(run.events));
  EXPECT_EQ(parser.bytes_fed(), stream.size());
  return run;
}

ParseRun FeedWhole(std::string_view stream) { return FeedCut(stream, {}); }

// A stream as llama-server and OpenAI send it, with a keep-alive comment,
// CRLF and CR line endings, a multi-line event, a named event and [DONE].
constexpr std::string_view kRecorded =
    "\xEF\xBB\xBF"
    ": keep-alive\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\r\n\r\n"
    "id: 7\r"
    "data:first\r"
    "data: second\r\r"
    "event: ping\n"
    "retry: 100\n"
    "data\n"
    "\n"
    "data: [DONE]\n\n";

std::vector<Recorded> RecordedEvents() {
  return {
      {"", R"({"choices":[{"delta":{"content":"Hel"}}]})"},
      {"", R"({"choices":[{"delta":{"content":"lo"}}]})"},
      {"", "first\nsecond"},
      {"ping", ""},
      {"", "[DONE]"},
  };
}

TEST(SseParserTest, ParsesRecordedStream) {
  ParseRun run = FeedWhole(kRecorded);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.events, RecordedEvents());
}

TEST(SseParserTest, EverySplitPositionGivesTheSameEvents) {
  for (size_t cut = 0; cut <= kRecorded.size(); ++cut) {
    ParseRun run = FeedCut(kRecorded, {cut});
    ASSERT_TRUE(run.status.ok()) << "cut " << cut;
    EXPECT_EQ(run.events, RecordedEvents()) << "cut " << cut;
  }
}

TEST(SseParserTest, EveryPairOfSplitPositionsGivesTheSameEvents) {
  for (size_t a = 0; a <= kRecorded.size(); ++a) {
    for (size_t b = a; b <= kRecorded.size(); ++b) {
      ParseRun run = FeedCut(kRecorded, {a, b});
      ASSERT_TRUE(run.status.ok());
      ASSERT_EQ(run.events, RecordedEvents()) << "cuts " << a << "," << b;
    }
  }
}

TEST(SseParserTest, ByteByByteGivesTheSameEvents) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kRecorded.size(); ++i) cuts.push_back(i);
  ParseRun run = FeedCut(kRecorded, cuts);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.events, RecordedEvents());
}

TEST(SseParserTest, CrlfSplitAcrossFeedsEndsOneLine) {
  // "data: a\r" then "\n\r\n": one CRLF, then the blank line.
  ParseRun run = FeedCut("data: a\r\n\r\n", {8});
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.events, (std::vector<Recorded>{{"", "a"}}));
}

TEST(SseParserTest, StripsOnlyOneSpaceAfterTheColon) {
  ParseRun run = FeedWhole("data:  two\ndata:none\n\n");
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.events, (std::vector<Recorded>{{"", " two\nnone"}}));
}

TEST(SseParserTest, EventWithoutDataIsDropped) {
  ParseRun run = FeedWhole("event: x\n\n: only a comment\n\nid: 3\n\n");
  ASSERT_TRUE(run.status.ok());
  EXPECT_TRUE(run.events.empty());
}

TEST(SseParserTest, BomOnlyAtTheStartIsStripped) {
  ParseRun run = FeedWhole(
      "data: a\n\n\xEF\xBB\xBF"
      "data: b\n\n");
  ASSERT_TRUE(run.status.ok());
  // The second BOM is part of a field name that is not "data".
  EXPECT_EQ(run.events, (std::vector<Recorded>{{"", "a"}}));
}

TEST(SseParserTest, FinishDispatchesCompleteDataWithoutBlankLine) {
  ParseRun run = FeedWhole("data: a\n\ndata: [DONE]\n");
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.events, (std::vector<Recorded>{{"", "a"}, {"", "[DONE]"}}));
}

TEST(SseParserTest, FinishDropsUnterminatedLine) {
  ParseRun run = FeedWhole("data: a\n\ndata: {\"cut");
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.events, (std::vector<Recorded>{{"", "a"}}));
}

TEST(SseParserTest, RejectsLineOverTheLimit) {
  std::string stream = "data: " + std::string(100, 'x') + "\n\n";
  ParseRun run = FeedCut(stream, {50}, /*max_line=*/64);
  EXPECT_EQ(run.status.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(run.events.empty());
  // Exactly at the limit is fine.
  ParseRun ok = FeedCut("data: " + std::string(58, 'x') + "\n\n", {}, 64);
  EXPECT_TRUE(ok.status.ok());
}

TEST(SseParserTest, RejectsUnterminatedLineOverTheLimit) {
  SseParser parser(16, 64);
  std::vector<Recorded> events;
  EXPECT_TRUE(parser.Feed("data: 0123456789", Recorder(events)).ok());
  EXPECT_EQ(parser.Feed("x", Recorder(events)).code(),
            StatusCode::kResourceExhausted);
}

TEST(SseParserTest, RejectsEventOverTheLimit) {
  std::string stream;
  for (int i = 0; i < 10; ++i) stream += "data: 0123456789\n";
  stream += "\n";
  ParseRun run = FeedCut(stream, {}, /*max_line=*/64, /*max_event=*/50);
  EXPECT_EQ(run.status.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(run.events.empty());
}

TEST(SseParserTest, ErrorIsSticky) {
  SseParser parser(8, 64);
  std::vector<Recorded> events;
  const Status first = parser.Feed("data: 0123456789\n\n", Recorder(events));
  EXPECT_EQ(first.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(parser.Feed("data: a\n\n", Recorder(events)), first);
  EXPECT_EQ(parser.Finish(Recorder(events)), first);
  EXPECT_TRUE(events.empty());
}

TEST(SseParserTest, CallbackErrorStopsParsing) {
  SseParser parser(64, 64);
  int calls = 0;
  const Status status =
      parser.Feed("data: a\n\ndata: b\n\n", [&](const SseEvent&) {
        ++calls;
        return InternalError("stop");
      });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST(SseParserTest, FeedAfterFinishFails) {
  SseParser parser(64, 64);
  std::vector<Recorded> events;
  EXPECT_TRUE(parser.Finish(Recorder(events)).ok());
  EXPECT_EQ(parser.Feed("data: a\n\n", Recorder(events)).code(),
            StatusCode::kFailedPrecondition);
}

TEST(SseParserTest, NulAndBinaryBytesPassThrough) {
  const std::string stream("data: a\0b\xFF\n\n", 12);
  ParseRun run = FeedWhole(stream);
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, std::string("a\0b\xFF", 4));
}

}  // namespace
}  // namespace cerumbra::inference
