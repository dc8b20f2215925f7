// Copyright 2026 The Cerumbra Authors.

#include "server/conversation.h"

#include <boost/json.hpp>
#include <cmath>
#include <utility>

#include "crypto/secret_bytes.h"

namespace cerumbra::server {
namespace {

namespace json = boost::json;

constexpr size_t kMaxStops = 8;

Status Bad(std::string_view what) {
  return InvalidArgumentError(std::string("bad request: ") + std::string(what));
}

// AsNumber reads a JSON number (integer or double) as a double.
bool AsNumber(const json::value& v, double& out) {
  if (v.is_double()) {
    out = v.as_double();
    return std::isfinite(out);
  }
  if (v.is_int64()) {
    out = static_cast<double>(v.as_int64());
    return true;
  }
  if (v.is_uint64()) {
    out = static_cast<double>(v.as_uint64());
    return true;
  }
  return false;
}

// AsInteger reads a JSON integer (no fraction) into [lo, hi].
bool AsInteger(const json::value& v, int64_t lo, int64_t hi, int64_t& out) {
  if (v.is_int64()) {
    out = v.as_int64();
  } else if (v.is_uint64()) {
    if (v.as_uint64() > static_cast<uint64_t>(INT64_MAX)) return false;
    out = static_cast<int64_t>(v.as_uint64());
  } else {
    return false;
  }
  return out >= lo && out <= hi;
}

Status ParseParams(const json::value& value, const RequestLimits& limits,
                   inference::SamplingParams& params) {
  if (!value.is_object()) return Bad("params is not an object");
  for (const auto& [key, v] : value.as_object()) {
    if (key == "max_tokens") {
      int64_t n = 0;
      if (!AsInteger(v, 1, INT64_MAX, n)) return Bad("max_tokens");
      params.max_tokens = static_cast<int>(
          std::min<int64_t>(n, static_cast<int64_t>(limits.max_tokens)));
    } else if (key == "temperature") {
      double t = 0;
      if (!AsNumber(v, t) || t < 0 || t > 2) return Bad("temperature");
      params.temperature = static_cast<float>(t);
    } else if (key == "top_p") {
      double p = 0;
      if (!AsNumber(v, p) || p <= 0 || p > 1) return Bad("top_p");
      params.top_p = static_cast<float>(p);
    } else if (key == "seed") {
      int64_t s = 0;
      if (!AsInteger(v, 0, UINT32_MAX, s)) return Bad("seed");
      params.seed = static_cast<uint32_t>(s);
    } else if (key == "stop") {
      if (!v.is_array() || v.as_array().size() > kMaxStops) return Bad("stop");
      for (const json::value& s : v.as_array()) {
        if (!s.is_string() || s.as_string().empty() ||
            s.as_string().size() > 256) {
          return Bad("stop");
        }
        params.stop.emplace_back(s.as_string());
      }
    } else {
      return Bad("unknown member in params");
    }
  }
  return OkStatus();
}

// WipeJsonString overwrites a string held by the parsed DOM before it is
// freed (prompts must not linger in freed memory).
void WipeJsonString(json::value* v) {
  if (v == nullptr || !v->is_string()) return;
  json::string& s = v->as_string();
  crypto::Wipe(
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), s.size()));
}

// WipeDom wipes every content string of a parsed request.
void WipeDom(json::object& obj) {
  WipeJsonString(obj.if_contains("content"));
  if (json::value* m = obj.if_contains("messages"); m && m->is_array()) {
    for (json::value& item : m->as_array()) {
      if (item.is_object())
        WipeJsonString(item.as_object().if_contains("content"));
    }
  }
}

void WipeMessages(std::vector<inference::ChatMessage>& messages) {
  for (inference::ChatMessage& m : messages) WipeString(m.content);
  messages.clear();
}

Status ParseMessages(const json::value& v,
                     std::vector<inference::ChatMessage>& out) {
  if (!v.is_array() || v.as_array().empty() ||
      v.as_array().size() > kMaxRequestMessages) {
    return Bad("messages");
  }
  for (const json::value& item : v.as_array()) {
    if (!item.is_object() || item.as_object().size() != 2) {
      return Bad("messages item");
    }
    const json::value* role = item.as_object().if_contains("role");
    const json::value* content = item.as_object().if_contains("content");
    if (role == nullptr || !role->is_string() || content == nullptr ||
        !content->is_string()) {
      return Bad("messages item");
    }
    const std::string_view r = role->as_string();
    if (r != "system" && r != "user" && r != "assistant") {
      return Bad("messages role");
    }
    if (r == "user" && content->as_string().empty()) {
      return Bad("empty user content");
    }
    out.push_back({std::string(r), std::string(content->as_string().data(),
                                               content->as_string().size())});
  }
  if (out.back().role != "user") return Bad("last message is not the user's");
  return OkStatus();
}

}  // namespace

Result<ChatRequest> ParseRequest(std::span<const uint8_t> message,
                                 const RequestLimits& limits) {
  boost::system::error_code ec;
  json::value root = json::parse(
      std::string_view(reinterpret_cast<const char*>(message.data()),
                       message.size()),
      ec);
  if (ec || !root.is_object()) return Bad("not a JSON object");
  const json::object& obj = root.as_object();
  const json::value* type = obj.if_contains("type");
  if (type == nullptr || !type->is_string()) return Bad("missing type");

  ChatRequest request;
  request.params.max_tokens = limits.default_max_tokens;
  if (type->as_string() == "reset") {
    if (obj.size() != 1) return Bad("reset takes no other member");
    request.type = RequestType::kReset;
    return request;
  }
  if (type->as_string() != "chat") return Bad("unknown type");
  request.type = RequestType::kChat;
  Status status = OkStatus();
  bool has_content = false;
  bool has_messages = false;
  for (const auto& [key, v] : obj) {
    if (key == "type") continue;
    if (key == "content") {
      has_content = true;
      if (!v.is_string() || v.as_string().empty()) {
        status = Bad("content");
        break;
      }
      request.content.assign(v.as_string().data(), v.as_string().size());
    } else if (key == "messages") {
      has_messages = true;
      status = ParseMessages(v, request.messages);
      if (!status.ok()) break;
    } else if (key == "params") {
      status = ParseParams(v, limits, request.params);
      if (!status.ok()) break;
    } else {
      status = Bad("unknown member");
      break;
    }
  }
  if (status.ok() && has_content == has_messages) {
    status = Bad("exactly one of content and messages");
  }
  // The parsed DOM held copies of the text; wipe them before it is freed.
  WipeDom(root.as_object());
  if (!status.ok()) {
    WipeString(request.content);
    WipeMessages(request.messages);
    return status;
  }
  return request;
}

std::string EncodeEnd(inference::FinishReason reason,
                      const inference::Usage* usage, ResponseError error) {
  json::object out;
  switch (reason) {
    case inference::FinishReason::kStop:
      out["finish_reason"] = "stop";
      break;
    case inference::FinishReason::kLength:
      out["finish_reason"] = "length";
      break;
    case inference::FinishReason::kCancelled:
      out["finish_reason"] = "cancelled";
      break;
    case inference::FinishReason::kError:
      out["finish_reason"] = "error";
      break;
  }
  if (usage != nullptr) {
    out["usage"] = {{"prompt_tokens", usage->prompt_tokens},
                    {"completion_tokens", usage->completion_tokens}};
  }
  switch (error) {
    case ResponseError::kNone:
      break;
    case ResponseError::kBadRequest:
      out["error"] = "bad_request";
      break;
    case ResponseError::kContextFull:
      out["error"] = "context_full";
      break;
    case ResponseError::kBusy:
      out["error"] = "busy";
      break;
    case ResponseError::kEngine:
      out["error"] = "engine";
      break;
  }
  return json::serialize(out);
}

void WipeString(std::string& s) {
  crypto::Wipe(
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), s.size()));
  s.clear();
}

Conversation::~Conversation() { Reset(); }

void Conversation::AddUser(std::string content) {
  messages_.push_back({"user", std::move(content)});
}

void Conversation::Replace(std::vector<inference::ChatMessage> messages) {
  Reset();
  messages_ = std::move(messages);
}

void Conversation::AddAssistant(std::string content) {
  messages_.push_back({"assistant", std::move(content)});
}

void Conversation::DropLastUser() {
  if (!messages_.empty() && messages_.back().role == "user") {
    WipeString(messages_.back().content);
    messages_.pop_back();
  }
}

void Conversation::Reset() {
  for (inference::ChatMessage& m : messages_) WipeString(m.content);
  messages_.clear();
}

}  // namespace cerumbra::server
