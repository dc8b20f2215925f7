// Copyright 2026 The Cerumbra Authors.

#include "inference/openai_stream.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <climits>
#include <cstdint>
#include <string>

namespace cerumbra::inference {
namespace json = boost::json;
namespace {

Status Malformed(std::string_view what) {
  return InternalError("malformed upstream stream: " + std::string(what));
}

// ParseJson parses `text` without throwing (Boost.JSON throws only
// bad_alloc through the error_code overload; that aborts like any OOM).
// Invalid UTF-8 inside strings is let through: a server may split a
// character across two chunks, and Utf8Assembler puts it back together (or
// replaces what is really broken).
std::optional<json::value> ParseJson(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) return std::nullopt;
  return value;
}

// ReadCount reads a token count: an integer in 0..INT_MAX.
std::optional<int> ReadCount(const json::value& v) {
  if (v.is_int64()) {
    const int64_t n = v.get_int64();
    if (n >= 0 && n <= INT_MAX) return static_cast<int>(n);
  } else if (v.is_uint64()) {
    const uint64_t n = v.get_uint64();
    if (n <= static_cast<uint64_t>(INT_MAX)) return static_cast<int>(n);
  }
  return std::nullopt;
}

std::optional<std::string> ErrorMessageOf(const json::object& obj) {
  if (const json::value* error = obj.if_contains("error")) {
    if (error->is_string()) {
      return SanitizeUpstreamMessage(error->get_string());
    }
    if (error->is_object()) {
      const json::value* message = error->get_object().if_contains("message");
      if (message != nullptr && message->is_string()) {
        return SanitizeUpstreamMessage(message->get_string());
      }
      return std::string("(no message)");
    }
  }
  for (const char* key : {"message", "detail"}) {
    const json::value* message = obj.if_contains(key);
    if (message != nullptr && message->is_string()) {
      return SanitizeUpstreamMessage(message->get_string());
    }
  }
  return std::nullopt;
}

FinishReason FinishReasonFromOpenAi(std::string_view name) {
  // "stop", "tool_calls", "function_call" and "content_filter" all mean
  // the model (or the server's filter) ended the answer; only "length"
  // means it was cut by the token budget.
  return name == "length" ? FinishReason::kLength : FinishReason::kStop;
}

}  // namespace

std::string SanitizeUpstreamMessage(std::string_view message) {
  Utf8Assembler utf8;
  std::string text = utf8.Append(message);
  text += utf8.Flush();
  std::string out;
  out.reserve(std::min(text.size(), kMaxUpstreamMessageBytes + 3));
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Stop at a character start once the budget is used.
    if (out.size() >= kMaxUpstreamMessageBytes && (c & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    out.push_back(c < 0x20 || c == 0x7F ? ' ' : static_cast<char>(c));
  }
  WipeString(text);
  return out;
}

std::optional<std::string> UpstreamErrorMessage(std::string_view body) {
  std::optional<json::value> value = ParseJson(body);
  if (!value || !value->is_object()) return std::nullopt;
  return ErrorMessageOf(value->get_object());
}

Result<ChatChunk> ParseChatChunk(std::string_view data) {
  std::optional<json::value> value = ParseJson(data);
  if (!value) return Malformed("event data is not JSON");
  if (!value->is_object()) return Malformed("event data is not an object");
  const json::object& obj = value->get_object();
  if (obj.contains("error")) {
    return UnavailableError("upstream error: " +
                            ErrorMessageOf(obj).value_or("(no message)"));
  }
  ChatChunk chunk;
  if (const json::value* choices = obj.if_contains("choices")) {
    if (!choices->is_array()) return Malformed("\"choices\" is not an array");
    for (const json::value& choice_value : choices->get_array()) {
      if (!choice_value.is_object()) return Malformed("a choice is no object");
      const json::object& choice = choice_value.get_object();
      if (const json::value* index = choice.if_contains("index")) {
        if (!index->is_int64() && !index->is_uint64()) {
          return Malformed("choice \"index\" is not an integer");
        }
        if (!(index->is_int64() ? index->get_int64() == 0
                                : index->get_uint64() == 0)) {
          continue;
        }
      }
      if (const json::value* delta = choice.if_contains("delta")) {
        if (!delta->is_object() && !delta->is_null()) {
          return Malformed("\"delta\" is not an object");
        }
        if (delta->is_object()) {
          const json::value* content =
              delta->get_object().if_contains("content");
          if (content != nullptr && !content->is_null()) {
            if (!content->is_string()) {
              return Malformed("delta \"content\" is not a string");
            }
            chunk.content.assign(content->get_string());
          }
        }
      }
      if (const json::value* reason = choice.if_contains("finish_reason")) {
        if (!reason->is_null()) {
          if (!reason->is_string()) {
            return Malformed("\"finish_reason\" is not a string");
          }
          chunk.finish_reason = FinishReasonFromOpenAi(reason->get_string());
        }
      }
      break;  // choice 0 found
    }
  }
  if (const json::value* usage = obj.if_contains("usage")) {
    if (!usage->is_null()) {
      if (!usage->is_object()) return Malformed("\"usage\" is not an object");
      const json::object& u = usage->get_object();
      Usage counts;
      for (auto [key, field] :
           {std::pair{"prompt_tokens", &counts.prompt_tokens},
            std::pair{"completion_tokens", &counts.completion_tokens}}) {
        const json::value* v = u.if_contains(key);
        if (v == nullptr) continue;
        std::optional<int> n = ReadCount(*v);
        if (!n) return Malformed("a usage count is not a small integer");
        *field = *n;
      }
      chunk.usage = counts;
    }
  }
  return chunk;
}

ChatStreamParser::ChatStreamParser(ChatStreamLimits limits)
    : sse_(limits.max_line_bytes, limits.max_event_bytes) {}

Status ChatStreamParser::OnEvent(const SseEvent& event, const OnText& on_text) {
  if (done_) return OkStatus();
  if (event.data == "[DONE]") {
    done_ = true;
    return OkStatus();
  }
  if (event.event == "error") {
    // Some servers send "event: error" with an error object or plain text.
    return UnavailableError(
        "upstream error: " +
        UpstreamErrorMessage(event.data).value_or("(no JSON message)"));
  }
  CERUMBRA_ASSIGN_OR_RETURN(ChatChunk chunk, ParseChatChunk(event.data));
  if (!chunk.content.empty()) {
    ++content_chunks_;
    std::string text = utf8_.Append(chunk.content);
    if (!text.empty()) on_text(text);
    WipeString(text);
    WipeString(chunk.content);
  }
  if (chunk.finish_reason) finish_reason_ = chunk.finish_reason;
  if (chunk.usage) usage_ = chunk.usage;
  return OkStatus();
}

Status ChatStreamParser::Feed(std::string_view bytes, const OnText& on_text) {
  if (!error_.ok()) return error_;
  if (done_) return OkStatus();
  Status status = sse_.Feed(
      bytes, [&](const SseEvent& event) { return OnEvent(event, on_text); });
  if (done_) return OkStatus();  // what follows [DONE] does not matter
  if (!status.ok()) error_ = status;
  return status;
}

Status ChatStreamParser::Finish(const OnText& on_text) {
  if (!error_.ok()) return error_;
  if (!done_) {
    Status status = sse_.Finish(
        [&](const SseEvent& event) { return OnEvent(event, on_text); });
    if (!status.ok()) {
      error_ = status;
      return status;
    }
  }
  std::string tail = utf8_.Flush();
  if (!tail.empty()) on_text(tail);
  if (!done_ && !finish_reason_) {
    error_ = UnavailableError(
        "upstream closed the stream before it finished (no finish_reason "
        "and no [DONE])");
    return error_;
  }
  return OkStatus();
}

}  // namespace cerumbra::inference
