// Copyright 2026 The Cerumbra Authors.
//
// The OpenAI chat-completions stream, as bytes in and text out: the chunk
// objects of "stream": true responses (OpenAI API reference, "The chat
// completion chunk object"), carried as server-sent events and ended by
// "data: [DONE]". No I/O here, so all of it can be fuzzed.
//
// Shapes understood, per event data:
//   {"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}
//   {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
//   {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12}}
//   {"error":{"message":"...","type":"...","code":500}}   (mid-stream error)
//   [DONE]
// Other fields (id, model, timings, reasoning_content, tool calls) are
// ignored; only choice index 0 is read (requests ask for one choice).
//
// Error messages never contain completion text; a server's own error
// message is passed on cut to kMaxUpstreamMessageBytes with control
// characters replaced (see SanitizeUpstreamMessage).

#ifndef CERUMBRA_INFERENCE_OPENAI_STREAM_H_
#define CERUMBRA_INFERENCE_OPENAI_STREAM_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cerumbra/status.h"
#include "inference/engine.h"
#include "inference/sse_parser.h"
#include "inference/upstream_text.h"

namespace cerumbra::inference {

// kMaxUpstreamMessageBytes bounds the part of an upstream's error message
// that goes into a Status.
inline constexpr size_t kMaxUpstreamMessageBytes = 200;

// SanitizeUpstreamMessage returns `message` cut after about
// kMaxUpstreamMessageBytes (at the first character boundary at or past it,
// then "...": at most 6 bytes more), invalid UTF-8 and control characters
// replaced, for use in a Status message.
std::string SanitizeUpstreamMessage(std::string_view message);

// UpstreamErrorMessage extracts the error message from a JSON error body:
// {"error":{"message":"..."}}, {"error":"..."}, {"message":"..."} or
// {"detail":"..."}. Returns nullopt when `body` is not JSON or has none of
// these. The result is sanitized.
std::optional<std::string> UpstreamErrorMessage(std::string_view body);

// ChatChunk is what one chunk object carries for choice 0.
struct ChatChunk {
  std::string content;  // delta content, possibly empty
  std::optional<FinishReason> finish_reason;
  std::optional<Usage> usage;
};

// ParseChatChunk parses one event's data (a JSON object). Errors: Internal
// ("malformed upstream stream: ...") for data that is not a chunk object or
// has fields of the wrong type; Unavailable ("upstream error: <message>")
// for an error object.
Result<ChatChunk> ParseChatChunk(std::string_view data);

// ChatStreamLimits bounds what a stream may make the parser hold.
struct ChatStreamLimits {
  size_t max_line_bytes = 256 * 1024;    // one SSE line
  size_t max_event_bytes = 1024 * 1024;  // one event's data
};

// ChatStreamParser turns the body of a streamed chat completion into text
// and its end state, whatever the byte boundaries of the Feed calls.
//
// Text goes to `on_text` in pieces that are non-empty, valid UTF-8 and never
// split a character (Utf8Assembler; ill-formed bytes become U+FFFD).
//
// Errors (the parser is failed after the first; Feed and Finish return it):
// limits (ResourceExhausted), malformed data (Internal), an error object
// (Unavailable), and from Finish a stream that ended before a finish_reason
// or [DONE] (Unavailable, "closed the stream before it finished").
//
// Thread safety: not thread-safe; one parser per stream.
class ChatStreamParser {
 public:
  using OnText = std::function<void(std::string_view text)>;

  explicit ChatStreamParser(ChatStreamLimits limits = {});

  // Feed parses the next body bytes. Bytes after [DONE] are ignored.
  Status Feed(std::string_view bytes, const OnText& on_text);

  // Finish ends the stream (EOF, or the caller stops after done()): it
  // flushes held text and checks that the stream was complete.
  Status Finish(const OnText& on_text);

  // done says whether [DONE] was seen; nothing more will be parsed.
  bool done() const { return done_; }

  // finish_reason is the last finish_reason of choice 0, if any.
  std::optional<FinishReason> finish_reason() const { return finish_reason_; }

  // usage is the last usage object, if the server sent one.
  std::optional<Usage> usage() const { return usage_; }

  // content_chunks counts chunks that carried non-empty content: the token
  // count when the server sends no usage (llama-server and vLLM send one
  // token per chunk; others may batch, so it is a lower bound).
  int content_chunks() const { return content_chunks_; }

 private:
  Status OnEvent(const SseEvent& event, const OnText& on_text);

  SseParser sse_;
  Utf8Assembler utf8_;
  Status error_;
  bool done_ = false;
  std::optional<FinishReason> finish_reason_;
  std::optional<Usage> usage_;
  int content_chunks_ = 0;
};

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_OPENAI_STREAM_H_
