// Copyright 2026 The Cerumbra Authors.

#include "server/conversation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cerumbra::server {
namespace {

Result<ChatRequest> Parse(std::string_view text, RequestLimits limits = {}) {
  return ParseRequest(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()),
                               text.size()),
      limits);
}

TEST(ParseRequestTest, ChatWithDefaults) {
  auto r = Parse(R"({"type":"chat","content":"hello"})", {512, 100});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value().type, RequestType::kChat);
  EXPECT_EQ(r.value().content, "hello");
  EXPECT_EQ(r.value().params.max_tokens, 100);
  EXPECT_FALSE(r.value().params.seed.has_value());
}

TEST(ParseRequestTest, ChatWithEveryParam) {
  auto r = Parse(
      R"({"type":"chat","content":"x","params":{"max_tokens":5,)"
      R"("temperature":0,"top_p":0.5,"seed":4294967295,"stop":["a","bc"]}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& p = r.value().params;
  EXPECT_EQ(p.max_tokens, 5);
  EXPECT_EQ(p.temperature, 0.0f);
  EXPECT_EQ(p.top_p, 0.5f);
  EXPECT_EQ(p.seed, 4294967295u);
  EXPECT_EQ(p.stop, (std::vector<std::string>{"a", "bc"}));
}

TEST(ParseRequestTest, MaxTokensIsLoweredToTheLimit) {
  auto r = Parse(R"({"type":"chat","content":"x","params":{"max_tokens":1e9}})",
                 {64, 16});
  EXPECT_FALSE(r.ok());  // not an integer
  r = Parse(R"({"type":"chat","content":"x","params":{"max_tokens":100000}})",
            {64, 16});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().params.max_tokens, 64);
}

TEST(ParseRequestTest, Reset) {
  auto r = Parse(R"({"type":"reset"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().type, RequestType::kReset);
  EXPECT_FALSE(Parse(R"({"type":"reset","content":"x"})").ok());
}

TEST(ParseRequestTest, RejectsWhatTheSpecDoesNotAllow) {
  for (
      const char* bad : {
          "",
          "[]",
          "not json",
          R"({"content":"x"})",
          R"({"type":"chat"})",
          R"({"type":"chat","content":""})",
          R"({"type":"chat","content":5})",
          R"({"type":"CHAT","content":"x"})",
          R"({"type":"chat","content":"x","extra":1})",
          R"({"type":"chat","content":"x","params":[]})",
          R"({"type":"chat","content":"x","params":{"max_tokens":0}})",
          R"({"type":"chat","content":"x","params":{"max_tokens":-1}})",
          R"({"type":"chat","content":"x","params":{"temperature":-0.1}})",
          R"({"type":"chat","content":"x","params":{"temperature":2.5}})",
          R"({"type":"chat","content":"x","params":{"top_p":0}})",
          R"({"type":"chat","content":"x","params":{"top_p":1.01}})",
          R"({"type":"chat","content":"x","params":{"seed":4294967296}})",
          R"({"type":"chat","content":"x","params":{"seed":-1}})",
          R"({"type":"chat","content":"x","params":{"stop":"a"}})",
          R"({"type":"chat","content":"x","params":{"stop":[""]}})",
          R"({"type":"chat","content":"x","params":{"stop":[1]}})",
          R"({"type":"chat","content":"x","params":{"stop":["1","2","3","4","5","6","7","8","9"]}})",
          R"({"type":"chat","content":"x","params":{"bogus":1}})",
          R"({"type":"chat","content":"x"} trailing)",
      }) {
    auto r = Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ParseRequestTest, MessagesFormCarriesAWholeConversation) {
  auto r = Parse(
      R"({"type":"chat","messages":[{"role":"system","content":"be brief"},)"
      R"({"role":"user","content":"a"},{"content":"","role":"assistant"},)"
      R"({"role":"user","content":"b"}],"params":{"max_tokens":3}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r.value().messages.size(), 4u);
  EXPECT_TRUE(r.value().content.empty());
  EXPECT_EQ(r.value().messages[0].role, "system");
  EXPECT_EQ(r.value().messages[0].content, "be brief");
  EXPECT_EQ(r.value().messages[2].role, "assistant");
  EXPECT_EQ(r.value().messages[3].content, "b");
  EXPECT_EQ(r.value().params.max_tokens, 3);
}

TEST(ParseRequestTest, MessagesFormRejectsBadConversations) {
  std::string many = R"({"type":"chat","messages":[)";
  for (size_t i = 0; i <= kMaxRequestMessages; ++i) {
    many += std::string(i ? "," : "") + R"({"role":"user","content":"x"})";
  }
  many += "]}";
  for (
      const std::string& bad : std::vector<std::string>{
          R"({"type":"chat","messages":[]})",
          R"({"type":"chat","messages":{}})",
          R"({"type":"chat","messages":"hi"})",
          R"({"type":"chat","content":"x","messages":[{"role":"user","content":"x"}]})",
          R"({"type":"chat","messages":[{"role":"assistant","content":"x"}]})",
          R"({"type":"chat","messages":[{"role":"user","content":"x"},{"role":"system","content":"y"}]})",
          R"({"type":"chat","messages":[{"role":"tool","content":"x"},{"role":"user","content":"x"}]})",
          R"({"type":"chat","messages":[{"role":"user","content":""}]})",
          R"({"type":"chat","messages":[{"role":"user"}]})",
          R"({"type":"chat","messages":[{"role":"user","content":5}]})",
          R"({"type":"chat","messages":[{"role":"user","content":"x","name":"n"}]})",
          R"({"type":"chat","messages":["x"]})",
          R"({"type":"chat","messages":[{"role":"user","content":"x"}],"params":{"bogus":1}})",
          many,
      }) {
    auto r = Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ConversationTest, ReplaceTakesTheWholeConversation) {
  Conversation c;
  c.AddUser("old");
  c.AddAssistant("old answer");
  c.Replace({{"system", "s"}, {"user", "new"}});
  ASSERT_EQ(c.messages().size(), 2u);
  EXPECT_EQ(c.messages()[1].content, "new");
  c.DropLastUser();
  EXPECT_EQ(c.messages().size(), 1u);
}

TEST(ParseRequestTest, ErrorsNeverQuoteTheContent) {
  auto r = Parse(R"({"type":"chat","content":"SECRET-PROMPT","x":1})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("SECRET"), std::string::npos);
}

TEST(EncodeEndTest, Shapes) {
  inference::Usage usage{41, 12};
  EXPECT_EQ(
      EncodeEnd(inference::FinishReason::kStop, &usage, ResponseError::kNone),
      R"({"finish_reason":"stop","usage":{"prompt_tokens":41,"completion_tokens":12}})");
  EXPECT_EQ(EncodeEnd(inference::FinishReason::kError, nullptr,
                      ResponseError::kBadRequest),
            R"({"finish_reason":"error","error":"bad_request"})");
  EXPECT_EQ(EncodeEnd(inference::FinishReason::kCancelled, &usage,
                      ResponseError::kNone)
                .find("\"finish_reason\":\"cancelled\""),
            0u + 1);
  EXPECT_NE(EncodeEnd(inference::FinishReason::kError, &usage,
                      ResponseError::kContextFull)
                .find("\"error\":\"context_full\""),
            std::string::npos);
}

TEST(ConversationTest, TurnsAndReset) {
  Conversation c;
  c.AddUser("a");
  c.AddAssistant("b");
  c.AddUser("c");
  ASSERT_EQ(c.messages().size(), 3u);
  EXPECT_EQ(c.messages()[1].role, "assistant");
  c.DropLastUser();
  ASSERT_EQ(c.messages().size(), 2u);
  c.DropLastUser();  // last is an assistant turn: nothing happens
  EXPECT_EQ(c.messages().size(), 2u);
  c.Reset();
  EXPECT_TRUE(c.messages().empty());
}

TEST(WipeStringTest, OverwritesAndClears) {
  std::string s(100, 'x');
  const char* data = s.data();
  WipeString(s);
  EXPECT_TRUE(s.empty());
  // The heap buffer is still owned by `s` (clear keeps capacity).
  for (int i = 0; i < 100; ++i) EXPECT_EQ(data[i], '\0');
}

}  // namespace
}  // namespace cerumbra::server
