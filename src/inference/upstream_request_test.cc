// Copyright 2026 The Cerumbra Authors.

#include "inference/upstream_request.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <limits>

namespace cerumbra::inference {
namespace {
namespace json = boost::json;

TEST(ParseUpstreamUrlTest, ParsesHttpUrls) {
  Result<UpstreamUrl> url = ParseUpstreamUrl("http://127.0.0.1:8000/v1");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8000);
  EXPECT_EQ(url->base_path, "/v1");
  EXPECT_EQ(url->ChatCompletionsTarget(), "/v1/chat/completions");
  EXPECT_EQ(url->HostHeader(), "127.0.0.1:8000");
  EXPECT_EQ(url->Display(), "http://127.0.0.1:8000/v1");

  url = ParseUpstreamUrl("HTTP://localhost/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->base_path, "");
  EXPECT_EQ(url->ChatCompletionsTarget(), "/chat/completions");

  url = ParseUpstreamUrl("http://[::1]:9000/openai/v1//");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->base_path, "/openai/v1");
  EXPECT_EQ(url->HostHeader(), "[::1]:9000");
}

TEST(ParseUpstreamUrlTest, RefusesHttpsAsUnimplemented) {
  Result<UpstreamUrl> url = ParseUpstreamUrl("https://api.example.com/v1");
  EXPECT_EQ(url.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(url.status().message().find("not supported"), std::string::npos);
  EXPECT_EQ(ParseUpstreamUrl("HTTPS://127.0.0.1/").status().code(),
            StatusCode::kUnimplemented);
}

TEST(ParseUpstreamUrlTest, RejectsBadUrls) {
  for (std::string_view bad : {
           "",
           "127.0.0.1:8000",
           "ftp://host/",
           "ws://host/",
           "http://",
           "http://:80/",
           "http://user@host/",
           "http://host:0/",
           "http://host:65536/",
           "http://host:/",
           "http://host:8x/",
           "http://host:123456/",
           "http://ho st/",
           "http://host/v1?x=1",
           "http://host/v1#f",
           "http://host/a b",
           "http://host/a\r\nX: y",
           "http://[::1/",
           "http://[zz]/",
           "http://[::1]x/",
           "http://[]/",
       }) {
    EXPECT_EQ(ParseUpstreamUrl(bad).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
}

std::vector<ChatMessage> Conversation() {
  return {{"system", "be brief"}, {"user", "hi \xC3\xA9"}};
}

TEST(ValidateChatRequestTest, AcceptsAGoodRequest) {
  SamplingParams params;
  params.stop = {"\n\n", "END"};
  EXPECT_TRUE(ValidateChatRequest(Conversation(), params, {}).ok());
}

TEST(ValidateChatRequestTest, RejectsBadRequests) {
  const RequestLimits limits;
  auto expect_invalid = [&](std::vector<ChatMessage> messages,
                            SamplingParams params) {
    const Status status = ValidateChatRequest(messages, params, limits);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message().find("hi"), std::string::npos);
  };
  expect_invalid({}, {});
  expect_invalid({{"tool", "x"}}, {});
  expect_invalid({{"user", "bad \xFF utf-8"}}, {});
  SamplingParams p;
  p.max_tokens = -1;
  expect_invalid(Conversation(), p);
  p = {};
  p.max_tokens = limits.max_tokens_limit + 1;
  expect_invalid(Conversation(), p);
  p = {};
  p.temperature = -0.1f;
  expect_invalid(Conversation(), p);
  p = {};
  p.temperature = std::numeric_limits<float>::quiet_NaN();
  expect_invalid(Conversation(), p);
  p = {};
  p.top_p = 0;
  expect_invalid(Conversation(), p);
  p = {};
  p.top_p = 1.01f;
  expect_invalid(Conversation(), p);
  p = {};
  p.stop = std::vector<std::string>(9, "x");
  expect_invalid(Conversation(), p);
  p = {};
  p.stop = {""};
  expect_invalid(Conversation(), p);
  p = {};
  p.stop = {std::string(257, 'x')};
  expect_invalid(Conversation(), p);
  RequestLimits small;
  small.max_prompt_bytes = 4;
  EXPECT_EQ(ValidateChatRequest(Conversation(), {}, small).code(),
            StatusCode::kInvalidArgument);
}

TEST(BuildChatRequestBodyTest, ForwardsConversationAndParams) {
  SamplingParams params;
  params.max_tokens = 64;
  params.temperature = 0.8f;
  params.top_p = 0.95f;
  params.seed = 42;
  params.stop = {"END"};
  const std::string body =
      BuildChatRequestBody("demo-model", Conversation(), params, 512);
  const json::value v = json::parse(body);
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("model").as_string(), "demo-model");
  EXPECT_EQ(o.at("stream").as_bool(), true);
  EXPECT_EQ(o.at("stream_options").at("include_usage").as_bool(), true);
  EXPECT_EQ(o.at("max_tokens").to_number<int>(), 64);
  EXPECT_DOUBLE_EQ(o.at("temperature").to_number<double>(), 0.8);
  EXPECT_DOUBLE_EQ(o.at("top_p").to_number<double>(), 0.95);
  EXPECT_EQ(o.at("seed").to_number<int>(), 42);
  EXPECT_EQ(o.at("stop").as_array().size(), 1u);
  const json::array& messages = o.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role").as_string(), "system");
  EXPECT_EQ(messages[1].at("content").as_string(), "hi \xC3\xA9");
}

TEST(BuildChatRequestBodyTest, UsesDefaultsAndOmitsUnset) {
  SamplingParams params;  // max_tokens 0, no seed, no stop
  json::value v =
      json::parse(BuildChatRequestBody("m", Conversation(), params, 512));
  EXPECT_EQ(v.at("max_tokens").to_number<int>(), 512);
  EXPECT_FALSE(v.as_object().contains("seed"));
  EXPECT_FALSE(v.as_object().contains("stop"));
  v = json::parse(BuildChatRequestBody("m", Conversation(), params, 0));
  EXPECT_FALSE(v.as_object().contains("max_tokens"));
}

}  // namespace
}  // namespace cerumbra::inference
