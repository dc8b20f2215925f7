// Copyright 2026 The Cerumbra Authors.

#include "inference/openai_stream.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "inference/upstream_text.h"

namespace cerumbra::inference {
namespace {

// The shape of llama-server's stream (tools/server/server-task.cpp,
// to_json_oaicompat_chat_stream): role delta, content deltas (here "héllo
// 🌍" with its multi-byte characters), the finish chunk, and the usage
// chunk with empty choices and timings; then [DONE].
constexpr std::string_view kLlamaServerStream =
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{"
    "\"role\":\"assistant\",\"content\":null}}],\"created\":1764200000,\"id\":"
    "\"chatcmpl-x\",\"model\":\"demo\",\"system_fingerprint\":\"b1-80fb11a\","
    "\"object\":\"chat.completion.chunk\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{"
    "\"content\":\"h\\u00e9\"}}],\"object\":\"chat.completion.chunk\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{"
    "\"content\":\"llo \xF0\x9F\x8C\x8D\"}}],\"object\":\"chat.completion."
    "chunk\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"delta\":"
    "{}}],\"object\":\"chat.completion.chunk\"}\n\n"
    "data: {\"choices\":[],\"object\":\"chat.completion.chunk\",\"usage\":{"
    "\"completion_tokens\":2,\"prompt_tokens\":11,\"total_tokens\":13},"
    "\"timings\":{\"prompt_n\":11,\"predicted_n\":2}}\n\n"
    "data: [DONE]\n\n";

struct Outcome {
  std::vector<std::string> pieces;
  Status status;
  std::optional<FinishReason> finish_reason;
  std::optional<Usage> usage;
  int content_chunks = 0;
  bool done = false;

  std::string Text() const {
    std::string out;
    for (const std::string& p : pieces) out += p;
    return out;
  }
};

Outcome Parse(std::string_view stream, const std::vector<size_t>& cuts = {},
              ChatStreamLimits limits = {}) {
  ChatStreamParser parser(limits);
  Outcome out;
  auto on_text = [&out](std::string_view text) {
    EXPECT_FALSE(text.empty());
    EXPECT_TRUE(IsValidUtf8(text));
    out.pieces.emplace_back(text);
  };
  size_t at = 0;
  for (size_t cut : cuts) {
    out.status = parser.Feed(stream.substr(at, cut - at), on_text);
    at = cut;
    if (!out.status.ok()) break;
  }
  if (out.status.ok()) out.status = parser.Feed(stream.substr(at), on_text);
  if (out.status.ok()) out.status = parser.Finish(on_text);
  out.finish_reason = parser.finish_reason();
  out.usage = parser.usage();
  out.content_chunks = parser.content_chunks();
  out.done = parser.done();
  return out;
}

TEST(ChatStreamParserTest, ParsesLlamaServerStream) {
  Outcome out = Parse(kLlamaServerStream);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.pieces,
            (std::vector<std::string>{"h\xC3\xA9", "llo \xF0\x9F\x8C\x8D"}));
  EXPECT_EQ(out.finish_reason, FinishReason::kLength);
  ASSERT_TRUE(out.usage.has_value());
  EXPECT_EQ(out.usage->prompt_tokens, 11);
  EXPECT_EQ(out.usage->completion_tokens, 2);
  EXPECT_EQ(out.content_chunks, 2);
  EXPECT_TRUE(out.done);
}

TEST(ChatStreamParserTest, EverySplitPositionGivesTheSameResult) {
  const Outcome whole = Parse(kLlamaServerStream);
  for (size_t cut = 0; cut <= kLlamaServerStream.size(); ++cut) {
    Outcome out = Parse(kLlamaServerStream, {cut});
    ASSERT_TRUE(out.status.ok()) << "cut " << cut;
    EXPECT_EQ(out.Text(), whole.Text()) << "cut " << cut;
    EXPECT_EQ(out.finish_reason, whole.finish_reason);
    EXPECT_EQ(out.usage->completion_tokens, 2);
  }
}

// A stream recorded from the pinned llama-server serving the demo model
// (greedy, max_tokens 12, Cyrillic pieces included). The file is also a
// fuzzer seed: its first two bytes are the fuzzer's cut seed.
std::string RecordedStream() {
  std::ifstream in(CERUMBRA_SSE_CORPUS_DIR "/llama_server_demo.sse",
                   std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  return bytes.size() >= 2 ? bytes.substr(2) : "";
}

TEST(ChatStreamParserTest, RecordedLlamaServerStreamAtEverySplit) {
  const std::string stream = RecordedStream();
  ASSERT_GT(stream.size(), 1000u);
  const Outcome whole = Parse(stream);
  ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();
  EXPECT_EQ(whole.finish_reason, FinishReason::kLength);
  ASSERT_TRUE(whole.usage.has_value());
  EXPECT_EQ(whole.usage->prompt_tokens, 11);
  EXPECT_EQ(whole.usage->completion_tokens, 12);
  EXPECT_EQ(whole.content_chunks, 12);
  EXPECT_TRUE(whole.Text().starts_with(" deep blessing\xD0\xBD"));
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Outcome out = Parse(stream, {cut});
    ASSERT_TRUE(out.status.ok()) << "cut " << cut;
    ASSERT_EQ(out.Text(), whole.Text()) << "cut " << cut;
    ASSERT_EQ(out.usage->completion_tokens, 12);
  }
}

TEST(ChatStreamParserTest, ByteByByteGivesTheSameResult) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kLlamaServerStream.size(); ++i) cuts.push_back(i);
  Outcome out = Parse(kLlamaServerStream, cuts);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.Text(), "h\xC3\xA9llo \xF0\x9F\x8C\x8D");
}

TEST(ChatStreamParserTest, CharacterSplitAcrossChunksIsJoined) {
  // A server that cuts "é" (C3 A9) and "🌍" between two deltas.
  const std::string stream =
      "data: {\"choices\":[{\"delta\":{\"content\":"
      "\"caf\xC3\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":"
      "\"\xA9 \xF0\x9F\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":"
      "\"\x8C\x8D\"},\"finish_reason\":\"stop\"}]}\n\n"
      "data: [DONE]\n\n";
  Outcome out = Parse(stream);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.pieces,
            (std::vector<std::string>{"caf", "\xC3\xA9 ", "\xF0\x9F\x8C\x8D"}));
  EXPECT_EQ(out.finish_reason, FinishReason::kStop);
  EXPECT_EQ(out.content_chunks, 3);
}

TEST(ChatStreamParserTest, BrokenUtf8BecomesReplacementCharacter) {
  const std::string stream =
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\xFF"
      "b\xC3\"},\"finish_reason\":\"stop\"}]}\n\n";
  Outcome out = Parse(stream);  // ends without [DONE]: finish_reason is set
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.Text(),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

TEST(ChatStreamParserTest, NoUsageLeavesCountsToTheCaller) {
  const std::string stream =
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
      "data: [DONE]\n\n";
  Outcome out = Parse(stream);
  ASSERT_TRUE(out.status.ok());
  EXPECT_FALSE(out.usage.has_value());
  EXPECT_EQ(out.content_chunks, 2);
}

TEST(ChatStreamParserTest, ErrorObjectMidStreamIsUnavailable) {
  const std::string stream =
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
      "data: {\"error\":{\"code\":500,\"message\":\"context shift "
      "failed\",\"type\":\"server_error\"}}\n\n";
  Outcome out = Parse(stream);
  EXPECT_EQ(out.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(out.status.message(), "upstream error: context shift failed");
  EXPECT_EQ(out.Text(), "a");
}

TEST(ChatStreamParserTest, ErrorEventIsUnavailable) {
  Outcome out = Parse("event: error\ndata: {\"message\":\"overloaded\"}\n\n");
  EXPECT_EQ(out.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(out.status.message(), "upstream error: overloaded");
}

TEST(ChatStreamParserTest, MalformedDataIsInternal) {
  for (std::string_view data : {
           "{not json",
           "[1,2]",
           "42",
           "{\"choices\":{}}",
           "{\"choices\":[1]}",
           "{\"choices\":[{\"index\":\"0\"}]}",
           "{\"choices\":[{\"delta\":[]}]}",
           "{\"choices\":[{\"delta\":{\"content\":7}}]}",
           "{\"choices\":[{\"finish_reason\":1}]}",
           "{\"usage\":[]}",
           "{\"usage\":{\"prompt_tokens\":-1}}",
           "{\"usage\":{\"prompt_tokens\":1.5}}",
           "{\"usage\":{\"completion_tokens\":99999999999}}",
       }) {
    Outcome out = Parse("data: " + std::string(data) + "\n\n");
    EXPECT_EQ(out.status.code(), StatusCode::kInternal) << data;
    EXPECT_TRUE(out.status.message().starts_with("malformed upstream stream"))
        << out.status.message();
  }
}

TEST(ChatStreamParserTest, OnlyChoiceZeroCounts) {
  const std::string stream =
      "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"x\"}},"
      "{\"index\":0,\"delta\":{\"content\":\"y\"},\"finish_reason\":"
      "\"stop\"}]}\n\n";
  Outcome out = Parse(stream);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.Text(), "y");
}

TEST(ChatStreamParserTest, StreamCutBeforeTheEndIsUnavailable) {
  Outcome out =
      Parse("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n");
  EXPECT_EQ(out.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(out.status.message().find("before it finished"), std::string::npos);
  // Cut in the middle of a line: the partial line is dropped, same error.
  Outcome cut = Parse(
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"ch");
  EXPECT_EQ(cut.status.code(), StatusCode::kUnavailable);
}

TEST(ChatStreamParserTest, BytesAfterDoneAreIgnored) {
  Outcome out = Parse("data: [DONE]\n\ndata: {garbage\n\n");
  EXPECT_TRUE(out.status.ok());
  EXPECT_TRUE(out.done);
  EXPECT_TRUE(out.pieces.empty());
  // Even a line over the limit after [DONE], fed at once or later.
  const std::string tail = "data: " + std::string(1000, 'x') + "\n\n";
  for (size_t cut : {size_t{0}, size_t{14}}) {
    Outcome after =
        Parse("data: [DONE]\n\n" + tail, {cut}, ChatStreamLimits{100, 1000});
    EXPECT_TRUE(after.status.ok()) << after.status.ToString();
  }
}

TEST(ChatStreamParserTest, LineLimitIsResourceExhausted) {
  const std::string stream = "data: {\"choices\":[{\"delta\":{\"content\":\"" +
                             std::string(500, 'x') + "\"}}]}\n\n";
  Outcome out = Parse(stream, {}, ChatStreamLimits{100, 1000});
  EXPECT_EQ(out.status.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(out.pieces.empty());
}

TEST(ChatStreamParserTest, DeeplyNestedJsonIsRejectedNotCrashing) {
  const std::string stream = "data: " + std::string(100000, '[') + "\n\n";
  Outcome out = Parse(stream, {}, ChatStreamLimits{200000, 200000});
  EXPECT_EQ(out.status.code(), StatusCode::kInternal);
}

TEST(UpstreamErrorMessageTest, ReadsCommonShapes) {
  EXPECT_EQ(UpstreamErrorMessage(
                R"({"error":{"code":400,"message":"bad","type":"x"}})"),
            "bad");
  EXPECT_EQ(UpstreamErrorMessage(R"({"error":"plain"})"), "plain");
  EXPECT_EQ(UpstreamErrorMessage(R"({"message":"m"})"), "m");
  EXPECT_EQ(UpstreamErrorMessage(R"({"detail":"d"})"), "d");
  EXPECT_EQ(UpstreamErrorMessage(R"({"error":{}})"), "(no message)");
  EXPECT_FALSE(UpstreamErrorMessage("<html>502</html>").has_value());
  EXPECT_FALSE(UpstreamErrorMessage(R"({"other":1})").has_value());
}

TEST(SanitizeUpstreamMessageTest, CutsAndCleans) {
  EXPECT_EQ(SanitizeUpstreamMessage("a\nb\x01\x7F"), "a b  ");
  const std::string long_message(300, 'x');
  const std::string cut = SanitizeUpstreamMessage(long_message);
  EXPECT_EQ(cut, std::string(kMaxUpstreamMessageBytes, 'x') + "...");
  // Never cuts a character in two.
  std::string euros;
  for (int i = 0; i < 100; ++i) euros += "\xE2\x82\xAC";
  const std::string cut_euros = SanitizeUpstreamMessage(euros);
  EXPECT_TRUE(IsValidUtf8(cut_euros));
  EXPECT_LE(cut_euros.size(), kMaxUpstreamMessageBytes + 5);
  EXPECT_EQ(SanitizeUpstreamMessage("\xFF"), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace cerumbra::inference
