// Copyright 2026 The Cerumbra Authors.

#include "client/request.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vector>

namespace cerumbra::client {
namespace {

namespace json = boost::json;

TEST(RequestTest, ChatRequestCarriesContentAndOnlyTheParamsSet) {
  ChatParams p;
  p.max_tokens = 7;
  p.seed = 3;
  auto r = EncodeChatRequest("hi \"there\"", p);
  ASSERT_TRUE(r.ok());
  json::object o = json::parse(r.value()).as_object();
  EXPECT_EQ(o.at("type").as_string(), "chat");
  EXPECT_EQ(o.at("content").as_string(), "hi \"there\"");
  EXPECT_EQ(o.at("params").as_object().size(), 2u);
  EXPECT_EQ(o.at("params").at("max_tokens").as_int64(), 7);
  EXPECT_FALSE(json::parse(EncodeChatRequest("x", {}).value())
                   .as_object()
                   .contains("params"));
}

TEST(RequestTest, ParamsOutOfRangeAreRefusedBeforeSending) {
  ChatParams p;
  p.temperature = 2.5;
  EXPECT_FALSE(EncodeChatRequest("x", p).ok());
  p = {};
  p.top_p = 0;
  EXPECT_FALSE(EncodeChatRequest("x", p).ok());
  p = {};
  p.max_tokens = 0;
  EXPECT_FALSE(EncodeChatRequest("x", p).ok());
  p = {};
  p.stop = std::vector<std::string>(9, "a");
  EXPECT_FALSE(EncodeChatRequest("x", p).ok());
  p = {};
  p.stop = {""};
  EXPECT_FALSE(EncodeChatRequest("x", p).ok());
  EXPECT_FALSE(EncodeChatRequest("", {}).ok());
}

TEST(RequestTest, MessagesRequestNeedsKnownRolesAndAUserLast) {
  std::vector<Message> m = {
      {"system", "be brief"}, {"user", "a"}, {"assistant", "b"}, {"user", "c"}};
  auto r = EncodeMessagesRequest(m, {});
  ASSERT_TRUE(r.ok());
  json::object o = json::parse(r.value()).as_object();
  EXPECT_EQ(o.at("messages").as_array().size(), 4u);
  EXPECT_FALSE(o.contains("content"));
  EXPECT_FALSE(EncodeMessagesRequest({}, {}).ok());
  m.back().role = "assistant";
  EXPECT_FALSE(EncodeMessagesRequest(m, {}).ok());
  m.back().role = "tool";
  EXPECT_FALSE(EncodeMessagesRequest(m, {}).ok());
}

TEST(RequestTest, EndErrorsBecomeStatuses) {
  auto ok = ParseEnd(
      R"({"finish_reason":"length","usage":{"prompt_tokens":4,"completion_tokens":2}})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().finish_reason, "length");
  EXPECT_EQ(ok.value().prompt_tokens, 4);
  EXPECT_EQ(ok.value().completion_tokens, 2);
  EXPECT_EQ(ParseEnd(R"({"finish_reason":"stop","error":"bad_request"})")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ParseEnd(R"({"finish_reason":"error","error":"busy"})").status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(ParseEnd(R"({"finish_reason":"error","error":"context_full"})")
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      ParseEnd(R"({"finish_reason":"error","error":"engine"})").status().code(),
      StatusCode::kInternal);
  EXPECT_EQ(ParseEnd("").value().finish_reason, "stop");
  // A bad_request END may carry any known finish_reason (§10.2).
  EXPECT_EQ(ParseEnd(R"({"finish_reason":"error","error":"bad_request"})")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

// Malformed ENDs are Unauthenticated: the client fails the session (§8).
TEST(RequestTest, MalformedEndsAreSessionFailures) {
  for (const char* bad : {
           "[1]",
           "not json",
           R"({})",
           R"({"finish_reason":"maybe"})",
           R"({"finish_reason":1})",
           R"({"finish_reason":"stop","extra":true})",
           R"({"finish_reason":"stop","usage":[]})",
           R"({"finish_reason":"stop","usage":{"prompt_tokens":-1}})",
           R"({"finish_reason":"stop","usage":{"prompt_tokens":1.5}})",
           R"({"finish_reason":"stop","usage":{"tokens":1}})",
           R"({"finish_reason":"stop","error":"busy"})",
           R"({"finish_reason":"error"})",
           R"({"finish_reason":"error","error":"oops"})",
           R"({"finish_reason":"error","error":7})",
       }) {
    Result<EndInfo> r = ParseEnd(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << bad;
    EXPECT_EQ(r.status().message().rfind(kMalformedEnd, 0), 0u) << bad;
  }
}

}  // namespace
}  // namespace cerumbra::client
