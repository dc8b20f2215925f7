// Copyright 2026 The Cerumbra Authors.

#include "client/request.h"

#include <boost/json.hpp>
#include <cmath>

namespace cerumbra::client {
namespace {

namespace json = boost::json;

constexpr size_t kMaxStops = 8;

Result<json::object> EncodeParams(const ChatParams& p) {
  json::object o;
  if (p.max_tokens) {
    if (*p.max_tokens < 1)
      return InvalidArgumentError("max_tokens must be >= 1");
    o["max_tokens"] = *p.max_tokens;
  }
  if (p.temperature) {
    if (!std::isfinite(*p.temperature) || *p.temperature < 0 ||
        *p.temperature > 2) {
      return InvalidArgumentError("temperature must be in 0..2");
    }
    o["temperature"] = *p.temperature;
  }
  if (p.top_p) {
    if (!std::isfinite(*p.top_p) || *p.top_p <= 0 || *p.top_p > 1) {
      return InvalidArgumentError("top_p must be in (0, 1]");
    }
    o["top_p"] = *p.top_p;
  }
  if (p.seed) o["seed"] = static_cast<uint64_t>(*p.seed);
  if (!p.stop.empty()) {
    if (p.stop.size() > kMaxStops) {
      return InvalidArgumentError("at most 8 stop strings");
    }
    json::array stops;
    for (const std::string& s : p.stop) {
      if (s.empty()) return InvalidArgumentError("empty stop string");
      stops.emplace_back(s);
    }
    o["stop"] = std::move(stops);
  }
  return o;
}

}  // namespace

Result<std::string> EncodeChatRequest(std::string_view content,
                                      const ChatParams& params) {
  if (content.empty()) return InvalidArgumentError("empty message");
  CERUMBRA_ASSIGN_OR_RETURN(json::object p, EncodeParams(params));
  json::object o;
  o["type"] = "chat";
  o["content"] = content;
  if (!p.empty()) o["params"] = std::move(p);
  return json::serialize(o);
}

Result<std::string> EncodeMessagesRequest(std::span<const Message> messages,
                                          const ChatParams& params) {
  if (messages.empty()) return InvalidArgumentError("no messages");
  CERUMBRA_ASSIGN_OR_RETURN(json::object p, EncodeParams(params));
  json::array list;
  for (const Message& m : messages) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant") {
      return InvalidArgumentError("role must be system, user or assistant");
    }
    if (m.role == "user" && m.content.empty()) {
      return InvalidArgumentError("empty user message");
    }
    json::object item;
    item["role"] = m.role;
    item["content"] = m.content;
    list.emplace_back(std::move(item));
  }
  if (messages.back().role != "user") {
    return InvalidArgumentError("the last message must be the user's");
  }
  json::object o;
  o["type"] = "chat";
  o["messages"] = std::move(list);
  if (!p.empty()) o["params"] = std::move(p);
  return json::serialize(o);
}

Result<EndInfo> ParseEnd(std::string_view payload) {
  EndInfo info;
  if (payload.empty()) {
    info.finish_reason = "stop";
    return info;
  }
  const auto malformed = [](std::string_view why) {
    return UnauthenticatedError(std::string(kMalformedEnd) + ": " +
                                std::string(why));
  };
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec || !v.is_object()) return malformed("not a JSON object");
  const json::object& o = v.as_object();
  for (const auto& kv : o) {
    if (kv.key() != "finish_reason" && kv.key() != "usage" &&
        kv.key() != "error") {
      return malformed("unknown member");
    }
  }
  const json::value* fr = o.if_contains("finish_reason");
  if (fr == nullptr || !fr->is_string()) {
    return malformed("no finish_reason");
  }
  info.finish_reason = std::string(fr->as_string());
  if (info.finish_reason != "stop" && info.finish_reason != "length" &&
      info.finish_reason != "cancelled" && info.finish_reason != "error") {
    return malformed("unknown finish_reason");
  }
  if (const json::value* u = o.if_contains("usage")) {
    if (!u->is_object()) return malformed("usage is not an object");
    const json::object& uo = u->as_object();
    for (const auto& kv : uo) {
      if ((kv.key() != "prompt_tokens" && kv.key() != "completion_tokens") ||
          !kv.value().is_int64() || kv.value().as_int64() < 0 ||
          kv.value().as_int64() > INT32_MAX) {
        return malformed("bad usage");
      }
    }
    if (auto* pt = uo.if_contains("prompt_tokens")) {
      info.prompt_tokens = static_cast<int>(pt->as_int64());
    }
    if (auto* ct = uo.if_contains("completion_tokens")) {
      info.completion_tokens = static_cast<int>(ct->as_int64());
    }
  }
  const json::value* e = o.if_contains("error");
  if (e == nullptr) {
    if (info.finish_reason == "error") return malformed("error without error");
    return info;
  }
  if (!e->is_string()) return malformed("error is not a string");
  const std::string_view err = e->as_string();
  // §10.2: `error` comes only with finish_reason "error", or as bad_request.
  if (err == "bad_request") {
    return InvalidArgumentError("the node refused the request (bad_request)");
  }
  if (info.finish_reason != "error") return malformed("error without error");
  if (err == "busy") {
    return ResourceExhaustedError("the node is busy; try again later");
  }
  if (err == "context_full") {
    return FailedPreconditionError(
        "the conversation no longer fits the node's context; reset it");
  }
  if (err == "engine") return InternalError("the node's engine failed");
  return malformed("unknown error");
}

}  // namespace cerumbra::client
