// Copyright 2026 The Cerumbra Authors.

#include "client/openai.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cerumbra::client::openai {
namespace {

namespace json = boost::json;

TEST(OpenAiTest, ParsesMessagesAndMapsParams) {
  auto p = ParseCompletionRequest(
      R"({"model":"m","messages":[{"role":"developer","content":"be brief"},)"
      R"({"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]}],)"
      R"("max_completion_tokens":9,"max_tokens":100,"temperature":0.5,"top_p":0.9,)"
      R"("seed":7,"stop":"\n","stream":true,"stream_options":{"include_usage":true},)"
      R"("n":1,"user":"ignored","presence_penalty":0})");
  ASSERT_TRUE(p.ok) << p.error.message;
  const CompletionRequest& r = p.request;
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(r.messages[1].content, "hi there");
  EXPECT_EQ(r.params.max_tokens, 9);  // max_completion_tokens wins
  EXPECT_EQ(r.params.temperature, 0.5);
  EXPECT_EQ(r.params.seed, 7u);
  ASSERT_EQ(r.params.stop.size(), 1u);
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(r.model, "m");
}

TEST(OpenAiTest, RefusesWhatItCannotHonourNamingTheParam) {
  const std::pair<const char*, const char*> cases[] = {
      {"{", ""},
      {"[]", ""},
      {R"({"model":"m"})", "messages"},
      {R"({"messages":[]})", "messages"},
      {R"({"messages":[{"role":"assistant","content":"x"}]})", "messages"},
      {R"({"messages":[{"role":"tool","content":"x"},{"role":"user","content":"y"}]})",
       "messages[0].role"},
      {R"({"messages":[{"role":"user","content":""}]})", "messages[0].content"},
      {R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})",
       "messages[0].content"},
      {R"({"messages":[{"role":"user","content":"x"}],"temperature":3})",
       "temperature"},
      {R"({"messages":[{"role":"user","content":"x"}],"top_p":0})", "top_p"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":0})",
       "max_tokens"},
      {R"({"messages":[{"role":"user","content":"x"}],"n":2})", "n"},
      {R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})",
       "stream"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{}]})", "tools"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})",
       "response_format"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e","f","g","h","i"]})",
       "stop"},
  };
  for (const auto& [body, param] : cases) {
    auto p = ParseCompletionRequest(body);
    EXPECT_FALSE(p.ok) << body;
    EXPECT_EQ(p.error.http_status, 400) << body;
    EXPECT_EQ(p.error.param, param) << body;
  }
  auto secret = ParseCompletionRequest(
      R"({"messages":[{"role":"user","content":"SECRET"}],"top_p":5})");
  EXPECT_EQ(secret.error.message.find("SECRET"), std::string::npos);
}

TEST(OpenAiTest, EncodesTheOpenAiShapes) {
  Answer a;
  a.text = "hello";
  a.finish_reason = "length";
  a.prompt_tokens = 3;
  a.completion_tokens = 2;
  json::object c = json::parse(EncodeCompletion("id1", "m", 5, a)).as_object();
  EXPECT_EQ(c.at("object").as_string(), "chat.completion");
  EXPECT_EQ(c.at("choices").at(0).at("message").at("content").as_string(),
            "hello");
  EXPECT_EQ(c.at("choices").at(0).at("finish_reason").as_string(), "length");
  EXPECT_EQ(c.at("usage").at("total_tokens").as_int64(), 5);
  json::object first =
      json::parse(EncodeChunk("id1", "m", 5, true, "", "", nullptr))
          .as_object();
  EXPECT_EQ(first.at("choices").at(0).at("delta").at("role").as_string(),
            "assistant");
  json::object last =
      json::parse(EncodeChunk("id1", "m", 5, false, "", "stop", nullptr))
          .as_object();
  EXPECT_TRUE(last.at("choices").at(0).at("delta").as_object().empty());
  json::object usage =
      json::parse(EncodeChunk("id1", "m", 5, false, "", "", &a)).as_object();
  EXPECT_TRUE(usage.at("choices").as_array().empty());
  ApiError e;
  e.message = "m";
  json::object err = json::parse(EncodeError(e)).as_object();
  EXPECT_TRUE(err.at("error").at("param").is_null());
  EXPECT_EQ(err.at("error").at("type").as_string(), "invalid_request_error");
  EXPECT_EQ(FinishReason("cancelled"), "stop");
}

}  // namespace
}  // namespace cerumbra::client::openai
