// Copyright 2026 The Cerumbra Authors.
//
// SseParser: an incremental parser for server-sent events (the
// text/event-stream format of the WHATWG HTML standard, §9.2.6 "Interpreting
// an event stream"), as OpenAI-compatible servers use it to stream chat
// completions. It takes bytes, never a socket, so it can be fuzzed.
//
// What it understands: lines ending in CRLF, LF or CR (a CRLF split across
// two Feed calls counts once); a UTF-8 BOM at the very start; comment lines
// (starting with ':'); fields "data" (several data lines join with "\n"),
// "event", "id" and "retry" (the last two are read and ignored); a field
// name without a colon; one space after the colon stripped. A blank line
// dispatches the event when it has data (an event with no data line is
// dropped, as the standard says).

#ifndef CERUMBRA_INFERENCE_SSE_PARSER_H_
#define CERUMBRA_INFERENCE_SSE_PARSER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "cerumbra/status.h"

namespace cerumbra::inference {

// SseEvent is one dispatched event. The views are valid only during the
// callback that receives them.
struct SseEvent {
  std::string_view event;  // the "event" field; empty means "message"
  std::string_view data;   // data lines joined with "\n"
};

// SseParser turns a byte stream into events, whatever the byte boundaries
// of the Feed calls (feeding the stream in one call or byte by byte gives
// the same events).
//
// Limits: a line longer than `max_line_bytes` (without its terminator) or
// an event whose data grows past `max_event_bytes` is ResourceExhausted.
// After any error the parser is failed: every later call returns the same
// error and dispatches nothing.
//
// The parser wipes its buffers when it is destroyed (they hold completion
// text).
//
// Thread safety: not thread-safe; one parser per stream.
class SseParser {
 public:
  // OnEvent receives each event; a non-OK return stops the parser and is
  // returned by Feed or Finish.
  using OnEvent = std::function<Status(const SseEvent& event)>;

  // SseParser creates a parser. REQUIRES: both limits are positive.
  SseParser(size_t max_line_bytes, size_t max_event_bytes);
  ~SseParser();
  SseParser(const SseParser&) = delete;
  SseParser& operator=(const SseParser&) = delete;

  // Feed parses `bytes` and calls `on_event` for every event completed by
  // them. Returns the first error (a limit, or one from `on_event`).
  Status Feed(std::string_view bytes, const OnEvent& on_event);

  // Finish ends the stream (the connection closed). An unterminated last
  // line is dropped (the stream was cut), but complete data lines of an
  // event without the blank line after them are dispatched: servers that
  // close right after the last "data:" line lose nothing. Returns the
  // callback's error, if any. Later Feed calls are FailedPrecondition.
  Status Finish(const OnEvent& on_event);

  // bytes_fed counts all bytes passed to Feed.
  size_t bytes_fed() const { return bytes_fed_; }

 private:
  Status ProcessLine(std::string_view line, const OnEvent& on_event);
  Status Dispatch(const OnEvent& on_event);
  Status Fail(Status status);

  size_t max_line_bytes_;
  size_t max_event_bytes_;
  size_t bytes_fed_ = 0;
  bool first_line_ = true;    // the next line is the first (BOM check)
  bool last_was_cr_ = false;  // the previous byte ended a line with CR
  bool has_data_ = false;     // the pending event has a data field
  bool finished_ = false;
  Status error_;
  std::string line_;   // the incomplete current line
  std::string data_;   // data of the pending event
  std::string event_;  // event type of the pending event
};

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_SSE_PARSER_H_
