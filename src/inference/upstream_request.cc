// Copyright 2026 The Cerumbra Authors.

#include "inference/upstream_request.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <string>

#include "inference/upstream_text.h"

namespace cerumbra::inference {
namespace json = boost::json;
namespace {

constexpr size_t kMaxStops = 8;
constexpr size_t kMaxStopBytes = 256;

bool IEqualsPrefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
         c == '_';
}

// A request-target path character (RFC 3986 §3.3 pchar and '/'), so that
// nothing can end the request line or inject a header.
bool IsPathChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("/-._~!$&'()*+,;=:@%").find(c) !=
         std::string_view::npos;
}

// Rounds to 6 decimals so 0.8f goes out as 0.8, not 0.800000011920929.
double Rounded(float value) {
  return std::round(static_cast<double>(value) * 1e6) / 1e6;
}

void WipeJsonString(json::string& s) {
  volatile char* p = s.data();
  for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
}

}  // namespace

std::string UpstreamUrl::HostHeader() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

std::string UpstreamUrl::ChatCompletionsTarget() const {
  return base_path + "/chat/completions";
}

std::string UpstreamUrl::Display() const {
  return "http://" + HostHeader() + base_path;
}

Result<UpstreamUrl> ParseUpstreamUrl(std::string_view url) {
  if (IEqualsPrefix(url, "https://")) {
    return UnimplementedError(
        "https:// upstreams are not supported: run the upstream inside the "
        "same TEE and reach it over http:// on loopback");
  }
  if (!IEqualsPrefix(url, "http://")) {
    return InvalidArgumentError("upstream URL must start with http://");
  }
  std::string_view rest = url.substr(7);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("upstream URL must not contain user info");
  }
  if (path.find_first_of("?#") != std::string_view::npos ||
      authority.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgumentError(
        "upstream URL must not have a query or fragment");
  }
  UpstreamUrl out;
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgumentError("upstream URL has an unclosed IPv6 address");
    }
    std::string_view address = authority.substr(1, close - 1);
    if (address.empty() ||
        address.find_first_not_of("0123456789abcdefABCDEF:.") !=
            std::string_view::npos) {
      return InvalidArgumentError("upstream URL has a bad IPv6 address");
    }
    out.host = address;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        return InvalidArgumentError("upstream URL has a bad port");
      }
      port_text = after.substr(1);
      if (port_text.empty()) {
        return InvalidArgumentError("upstream URL has a bad port");
      }
    }
  } else {
    const size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (host.empty()) return InvalidArgumentError("upstream URL has no host");
    for (char c : host) {
      if (!IsHostNameChar(c)) {
        return InvalidArgumentError("upstream URL has a bad host name");
      }
    }
    out.host = host;
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) {
        return InvalidArgumentError("upstream URL has a bad port");
      }
    }
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgumentError("upstream URL has a bad port");
    }
    const int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) {
      return InvalidArgumentError("upstream URL port is out of range");
    }
    out.port = static_cast<uint16_t>(port);
  }
  for (char c : path) {
    if (!IsPathChar(c)) {
      return InvalidArgumentError("upstream URL path has a bad character");
    }
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  out.base_path = path;
  return out;
}

Status ValidateChatRequest(const std::vector<ChatMessage>& messages,
                           const SamplingParams& params,
                           const RequestLimits& limits) {
  if (messages.empty()) return InvalidArgumentError("no messages");
  if (messages.size() > limits.max_messages) {
    return InvalidArgumentError("too many messages (limit " +
                                std::to_string(limits.max_messages) + ")");
  }
  size_t total = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role != "system" && m.role != "user" && m.role != "assistant") {
      return InvalidArgumentError("message " + std::to_string(i) +
                                  " has a bad role");
    }
    if (!IsValidUtf8(m.content)) {
      return InvalidArgumentError("message " + std::to_string(i) +
                                  " is not valid UTF-8");
    }
    total += m.content.size();
  }
  if (total > limits.max_prompt_bytes) {
    return InvalidArgumentError("messages exceed " +
                                std::to_string(limits.max_prompt_bytes) +
                                " bytes");
  }
  if (params.max_tokens < 0 || params.max_tokens > limits.max_tokens_limit) {
    return InvalidArgumentError("max_tokens must be in 0.." +
                                std::to_string(limits.max_tokens_limit));
  }
  if (!std::isfinite(params.temperature) || params.temperature < 0) {
    return InvalidArgumentError("temperature must be >= 0");
  }
  if (!std::isfinite(params.top_p) || params.top_p <= 0 || params.top_p > 1) {
    return InvalidArgumentError("top_p must be in (0, 1]");
  }
  if (params.stop.size() > kMaxStops) {
    return InvalidArgumentError("at most 8 stop strings");
  }
  for (const std::string& stop : params.stop) {
    if (stop.empty() || stop.size() > kMaxStopBytes || !IsValidUtf8(stop)) {
      return InvalidArgumentError(
          "each stop string must be 1..256 bytes of UTF-8");
    }
  }
  return OkStatus();
}

std::string BuildChatRequestBody(std::string_view model,
                                 const std::vector<ChatMessage>& messages,
                                 const SamplingParams& params,
                                 int default_max_tokens) {
  json::object body;
  body["model"] = model;
  json::array& list = body["messages"].emplace_array();
  list.reserve(messages.size());
  for (const ChatMessage& m : messages) {
    json::object entry;
    entry["role"] = m.role;
    entry["content"] = m.content;
    list.emplace_back(std::move(entry));
  }
  body["stream"] = true;
  body["stream_options"] = json::object{{"include_usage", true}};
  const int max_tokens =
      params.max_tokens > 0 ? params.max_tokens : default_max_tokens;
  if (max_tokens > 0) body["max_tokens"] = max_tokens;
  body["temperature"] = Rounded(params.temperature);
  body["top_p"] = Rounded(params.top_p);
  if (params.seed) body["seed"] = *params.seed;
  if (!params.stop.empty()) {
    json::array& stops = body["stop"].emplace_array();
    for (const std::string& stop : params.stop) stops.emplace_back(stop);
  }
  std::string out = json::serialize(body);
  // The JSON copies of the conversation are wiped; the caller wipes `out`.
  // (`list` may have moved: the object rehashed as keys were added.)
  for (json::value& entry : body["messages"].get_array()) {
    WipeJsonString(entry.get_object()["content"].get_string());
  }
  if (json::value* stops = body.if_contains("stop")) {
    for (json::value& stop : stops->get_array()) {
      WipeJsonString(stop.get_string());
    }
  }
  return out;
}

}  // namespace cerumbra::inference
