// Copyright 2026 The Cerumbra Authors.

#include "client/openai.h"

#include <boost/json.hpp>
#include <cmath>

#include "client/request.h"

namespace cerumbra::client::openai {
namespace {

namespace json = boost::json;

constexpr size_t kMaxMessages = 256;

ParsedRequest Bad(std::string param, std::string message) {
  ParsedRequest p;
  p.error.http_status = 400;
  p.error.param = std::move(param);
  p.error.message = std::move(message);
  return p;
}

bool AsNumber(const json::value& v, double& out) {
  if (v.is_double()) {
    out = v.as_double();
  } else if (v.is_int64()) {
    out = static_cast<double>(v.as_int64());
  } else if (v.is_uint64()) {
    out = static_cast<double>(v.as_uint64());
  } else {
    return false;
  }
  return std::isfinite(out);
}

bool AsInteger(const json::value& v, int64_t lo, int64_t hi, int64_t& out) {
  if (v.is_int64()) {
    out = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(hi)) {
    out = static_cast<int64_t>(v.as_uint64());
  } else {
    return false;
  }
  return out >= lo && out <= hi;
}

// ContentText returns a message's text: a string, or the text parts of an
// array joined. False for anything else (images, audio).
bool ContentText(const json::value& v, std::string& out) {
  if (v.is_string()) {
    out.assign(v.as_string().data(), v.as_string().size());
    return true;
  }
  if (!v.is_array()) return false;
  for (const json::value& part : v.as_array()) {
    if (!part.is_object()) return false;
    const json::value* type = part.as_object().if_contains("type");
    const json::value* text = part.as_object().if_contains("text");
    if (type == nullptr || !type->is_string() || type->as_string() != "text" ||
        text == nullptr || !text->is_string()) {
      return false;
    }
    out.append(text->as_string().data(), text->as_string().size());
  }
  return true;
}

json::object Usage(const Answer& a) {
  return {{"prompt_tokens", a.prompt_tokens},
          {"completion_tokens", a.completion_tokens},
          {"total_tokens", a.prompt_tokens + a.completion_tokens}};
}

}  // namespace

ParsedRequest ParseCompletionRequest(std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec) {
    return Bad("", "We could not parse the JSON body of your request.");
  }
  if (!root.is_object()) return Bad("", "The request body must be an object.");
  const json::object& o = root.as_object();
  ParsedRequest out;
  CompletionRequest& r = out.request;

  if (const json::value* m = o.if_contains("model")) {
    if (!m->is_string()) return Bad("model", "model must be a string.");
    r.model = std::string(m->as_string());
  }
  const json::value* messages = o.if_contains("messages");
  if (messages == nullptr) {
    return Bad("messages", "Missing required parameter: 'messages'.");
  }
  if (!messages->is_array() || messages->as_array().empty() ||
      messages->as_array().size() > kMaxMessages) {
    return Bad("messages", "messages must be an array of 1 to 256 messages.");
  }
  for (size_t i = 0; i < messages->as_array().size(); ++i) {
    const json::value& item = messages->as_array()[i];
    const std::string param = "messages[" + std::to_string(i) + "]";
    if (!item.is_object()) return Bad(param, "Each message must be an object.");
    const json::value* role = item.as_object().if_contains("role");
    const json::value* content = item.as_object().if_contains("content");
    if (role == nullptr || !role->is_string()) {
      return Bad(param + ".role", "Each message needs a role.");
    }
    std::string role_name(role->as_string());
    if (role_name == "developer") role_name = "system";
    if (role_name != "system" && role_name != "user" &&
        role_name != "assistant") {
      return Bad(param + ".role",
                 "Only system, developer, user and assistant messages are "
                 "supported.");
    }
    Message msg;
    msg.role = role_name;
    if (content != nullptr && !content->is_null() &&
        !ContentText(*content, msg.content)) {
      return Bad(param + ".content",
                 "content must be a string or an array of text parts.");
    }
    if (msg.role == "user" && msg.content.empty()) {
      return Bad(param + ".content", "A user message needs content.");
    }
    r.messages.push_back(std::move(msg));
  }
  if (r.messages.back().role != "user") {
    return Bad("messages", "The last message must be the user's.");
  }

  const json::value* max_tokens = o.if_contains("max_completion_tokens");
  const char* max_name = "max_completion_tokens";
  if (max_tokens == nullptr || max_tokens->is_null()) {
    max_tokens = o.if_contains("max_tokens");
    max_name = "max_tokens";
  }
  if (max_tokens != nullptr && !max_tokens->is_null()) {
    int64_t n = 0;
    if (!AsInteger(*max_tokens, 1, 1 << 30, n)) {
      return Bad(max_name,
                 std::string(max_name) + " must be a positive integer.");
    }
    r.params.max_tokens = static_cast<int>(n);
  }
  if (const json::value* t = o.if_contains("temperature"); t && !t->is_null()) {
    double v = 0;
    if (!AsNumber(*t, v) || v < 0 || v > 2) {
      return Bad("temperature", "temperature must be between 0 and 2.");
    }
    r.params.temperature = v;
  }
  if (const json::value* t = o.if_contains("top_p"); t && !t->is_null()) {
    double v = 0;
    if (!AsNumber(*t, v) || v <= 0 || v > 1) {
      return Bad("top_p", "top_p must be greater than 0 and at most 1.");
    }
    r.params.top_p = v;
  }
  if (const json::value* s = o.if_contains("seed"); s && !s->is_null()) {
    int64_t v = 0;
    if (!AsInteger(*s, 0, UINT32_MAX, v)) {
      return Bad("seed", "seed must be an integer from 0 to 4294967295.");
    }
    r.params.seed = static_cast<uint32_t>(v);
  }
  if (const json::value* s = o.if_contains("stop"); s && !s->is_null()) {
    if (s->is_string()) {
      if (!s->as_string().empty()) r.params.stop.emplace_back(s->as_string());
    } else if (s->is_array() && s->as_array().size() <= 8) {
      for (const json::value& x : s->as_array()) {
        if (!x.is_string() || x.as_string().empty() ||
            x.as_string().size() > 256) {
          return Bad("stop", "stop must hold non-empty strings.");
        }
        r.params.stop.emplace_back(x.as_string());
      }
    } else {
      return Bad("stop", "stop must be a string or up to 8 strings.");
    }
  }
  if (const json::value* s = o.if_contains("stream"); s && !s->is_null()) {
    if (!s->is_bool()) return Bad("stream", "stream must be a boolean.");
    r.stream = s->as_bool();
  }
  if (const json::value* so = o.if_contains("stream_options");
      so && !so->is_null()) {
    if (!so->is_object()) {
      return Bad("stream_options", "stream_options must be an object.");
    }
    if (const json::value* iu = so->as_object().if_contains("include_usage")) {
      if (!iu->is_bool()) {
        return Bad("stream_options.include_usage", "must be a boolean.");
      }
      r.include_usage = iu->as_bool();
    }
  }
  if (const json::value* n = o.if_contains("n"); n && !n->is_null()) {
    int64_t v = 0;
    if (!AsInteger(*n, 1, 1, v)) return Bad("n", "Only n = 1 is supported.");
  }
  for (const char* unsupported :
       {"tools", "functions", "tool_choice", "function_call", "audio"}) {
    if (const json::value* v = o.if_contains(unsupported); v && !v->is_null()) {
      return Bad(unsupported,
                 std::string(unsupported) + " is not supported by this proxy.");
    }
  }
  if (const json::value* v = o.if_contains("logprobs");
      v && v->is_bool() && v->as_bool()) {
    return Bad("logprobs", "logprobs is not supported by this proxy.");
  }
  if (const json::value* v = o.if_contains("response_format");
      v && !v->is_null()) {
    const json::value* type =
        v->is_object() ? v->as_object().if_contains("type") : nullptr;
    if (type == nullptr || !type->is_string() || type->as_string() != "text") {
      return Bad("response_format",
                 "Only response_format {\"type\":\"text\"} is supported.");
    }
  }
  // Checked the node's way too, so nothing the node would refuse is sent.
  if (auto checked = EncodeMessagesRequest(r.messages, r.params);
      !checked.ok()) {
    return Bad("", checked.status().message());
  }
  out.ok = true;
  return out;
}

std::string EncodeError(const ApiError& e) {
  json::object inner;
  inner["message"] = e.message;
  inner["type"] = e.type;
  inner["param"] =
      e.param.empty() ? json::value(nullptr) : json::value(e.param);
  inner["code"] = e.code.empty() ? json::value(nullptr) : json::value(e.code);
  json::object o;
  o["error"] = std::move(inner);
  return json::serialize(o);
}

std::string FinishReason(std::string_view node_reason) {
  return node_reason == "length" ? "length" : "stop";
}

std::string EncodeCompletion(std::string_view id, std::string_view model,
                             int64_t created, const Answer& answer) {
  json::object message{{"role", "assistant"}, {"content", answer.text}};
  json::object choice{{"index", 0},
                      {"message", std::move(message)},
                      {"logprobs", nullptr},
                      {"finish_reason", FinishReason(answer.finish_reason)}};
  json::object o{{"id", id},
                 {"object", "chat.completion"},
                 {"created", created},
                 {"model", model},
                 {"choices", json::array{std::move(choice)}},
                 {"usage", Usage(answer)}};
  return json::serialize(o);
}

std::string EncodeChunk(std::string_view id, std::string_view model,
                        int64_t created, bool role, std::string_view content,
                        std::string_view finish_reason, const Answer* usage) {
  json::object o{{"id", id},
                 {"object", "chat.completion.chunk"},
                 {"created", created},
                 {"model", model}};
  if (usage != nullptr) {
    o["choices"] = json::array();
    o["usage"] = Usage(*usage);
    return json::serialize(o);
  }
  json::object delta;
  if (role) {
    delta["role"] = "assistant";
    delta["content"] = "";
  } else if (finish_reason.empty()) {
    delta["content"] = content;
  }
  json::object choice{
      {"index", 0},
      {"delta", std::move(delta)},
      {"logprobs", nullptr},
      {"finish_reason", finish_reason.empty() ? json::value(nullptr)
                                              : json::value(finish_reason)}};
  o["choices"] = json::array{std::move(choice)};
  return json::serialize(o);
}

std::string EncodeModels(std::string_view id) {
  json::object model{{"id", id},
                     {"object", "model"},
                     {"created", 0},
                     {"owned_by", "cerumbra"}};
  json::object o{{"object", "list"}, {"data", json::array{std::move(model)}}};
  return json::serialize(o);
}

}  // namespace cerumbra::client::openai
