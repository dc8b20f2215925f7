// Copyright 2026 The Cerumbra Authors.

#include "inference/sse_parser.h"

#include <string>

#include "inference/upstream_text.h"

namespace cerumbra::inference {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

Status LineTooLong(size_t limit) {
  return ResourceExhaustedError("event stream line longer than " +
                                std::to_string(limit) + " bytes");
}

}  // namespace

SseParser::SseParser(size_t max_line_bytes, size_t max_event_bytes)
    : max_line_bytes_(max_line_bytes), max_event_bytes_(max_event_bytes) {
  CERUMBRA_CHECK(max_line_bytes > 0 && max_event_bytes > 0);
}

SseParser::~SseParser() {
  WipeString(line_);
  WipeString(data_);
  WipeString(event_);
}

Status SseParser::Fail(Status status) {
  error_ = status;
  return status;
}

Status SseParser::Feed(std::string_view bytes, const OnEvent& on_event) {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPreconditionError("event stream already ended");
  bytes_fed_ += bytes.size();
  size_t i = 0;
  // A CR ended the last line; an LF right after it belongs to that ending.
  if (last_was_cr_ && !bytes.empty()) {
    if (bytes[0] == '\n') i = 1;
    last_was_cr_ = false;
  }
  while (i < bytes.size()) {
    const size_t end = bytes.find_first_of("\r\n", i);
    const std::string_view piece =
        bytes.substr(i, end == std::string_view::npos ? end : end - i);
    if (line_.size() + piece.size() > max_line_bytes_) {
      return Fail(LineTooLong(max_line_bytes_));
    }
    if (end == std::string_view::npos) {
      line_.append(piece);
      break;
    }
    Status status;
    if (line_.empty()) {
      status = ProcessLine(piece, on_event);
    } else {
      line_.append(piece);
      status = ProcessLine(line_, on_event);
      line_.clear();
    }
    if (!status.ok()) return Fail(status);
    i = end + 1;
    if (bytes[end] == '\r') {
      if (i < bytes.size()) {
        if (bytes[i] == '\n') ++i;
      } else {
        last_was_cr_ = true;
      }
    }
  }
  return OkStatus();
}

Status SseParser::Finish(const OnEvent& on_event) {
  if (!error_.ok()) return error_;
  if (finished_) return OkStatus();
  finished_ = true;
  line_.clear();  // an unterminated line means the stream was cut
  if (has_data_) {
    if (Status status = Dispatch(on_event); !status.ok()) return Fail(status);
  }
  return OkStatus();
}

Status SseParser::ProcessLine(std::string_view line, const OnEvent& on_event) {
  if (first_line_) {
    first_line_ = false;
    if (line.starts_with(kBom)) line.remove_prefix(kBom.size());
  }
  if (line.empty()) return Dispatch(on_event);
  if (line[0] == ':') return OkStatus();  // a comment (often a keep-alive)
  std::string_view field = line;
  std::string_view value;
  if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    const size_t added = value.size() + (has_data_ ? 1 : 0);
    if (data_.size() + added > max_event_bytes_) {
      return ResourceExhaustedError("event stream event larger than " +
                                    std::to_string(max_event_bytes_) +
                                    " bytes");
    }
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.assign(value);  // bounded by the line limit
  }
  // "id", "retry" and unknown fields are ignored (WHATWG HTML §9.2.6).
  return OkStatus();
}

Status SseParser::Dispatch(const OnEvent& on_event) {
  if (!has_data_) {
    event_.clear();
    return OkStatus();
  }
  Status status = on_event(SseEvent{event_, data_});
  data_.clear();
  event_.clear();
  has_data_ = false;
  return status;
}

}  // namespace cerumbra::inference
