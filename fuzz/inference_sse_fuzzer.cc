// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the upstream engine's stream parsers (src/inference/sse_parser.h,
// openai_stream.h) with whatever an upstream server could send. Input: two
// bytes that choose where the stream is cut into Feed calls, then the
// stream. Checks: no crash or leak; every text piece is non-empty, valid
// UTF-8; and cutting the stream anywhere changes nothing (text, end state,
// status) compared with feeding it whole.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "inference/openai_stream.h"
#include "inference/sse_parser.h"
#include "inference/upstream_text.h"

namespace {

using cerumbra::Status;
using namespace cerumbra::inference;

struct Outcome {
  std::string text;
  Status status;
  std::optional<FinishReason> finish_reason;
  std::optional<Usage> usage;
  int content_chunks = 0;
  bool done = false;
};

// Small limits, so that the limit paths are reached too.
constexpr ChatStreamLimits kLimits{512, 2048};

Outcome Parse(std::string_view stream, const std::vector<size_t>& cuts) {
  ChatStreamParser parser(kLimits);
  Outcome out;
  auto on_text = [&out](std::string_view text) {
    CERUMBRA_CHECK(!text.empty());
    CERUMBRA_CHECK(IsValidUtf8(text));
    out.text.append(text);
  };
  size_t at = 0;
  for (size_t cut : cuts) {
    out.status = parser.Feed(stream.substr(at, cut - at), on_text);
    at = cut;
    if (!out.status.ok()) break;
  }
  if (out.status.ok()) out.status = parser.Feed(stream.substr(at), on_text);
  if (out.status.ok()) out.status = parser.Finish(on_text);
  out.finish_reason = parser.finish_reason();
  out.usage = parser.usage();
  out.content_chunks = parser.content_chunks();
  out.done = parser.done();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint16_t seed = static_cast<uint16_t>(data[0] | (data[1] << 8));
  const std::string_view stream(reinterpret_cast<const char*>(data + 2),
                                size - 2);

  // Cut positions from the seed: steps of 1..16 bytes (a simple LCG).
  std::vector<size_t> cuts;
  uint32_t state = seed;
  for (size_t at = 0;;) {
    state = state * 1103515245u + 12345u;
    at += 1 + ((state >> 16) % 16);
    if (at >= stream.size()) break;
    cuts.push_back(at);
  }

  const Outcome whole = Parse(stream, {});
  const Outcome cut = Parse(stream, cuts);
  CERUMBRA_CHECK(whole.text == cut.text);
  CERUMBRA_CHECK(whole.status == cut.status);
  CERUMBRA_CHECK(whole.finish_reason == cut.finish_reason);
  CERUMBRA_CHECK(whole.usage.has_value() == cut.usage.has_value());
  if (whole.usage) {
    CERUMBRA_CHECK(whole.usage->prompt_tokens == cut.usage->prompt_tokens);
    CERUMBRA_CHECK(whole.usage->completion_tokens ==
                   cut.usage->completion_tokens);
  }
  CERUMBRA_CHECK(whole.content_chunks == cut.content_chunks);
  CERUMBRA_CHECK(whole.done == cut.done);
  // Error messages are bounded and never the raw stream.
  CERUMBRA_CHECK(whole.status.message().size() < 512);

  // The raw SSE layer and the error-body reader on the same bytes.
  cerumbra::inference::SseParser sse(kLimits.max_line_bytes,
                                     kLimits.max_event_bytes);
  size_t events = 0;
  auto count = [&events](const SseEvent& event) {
    CERUMBRA_CHECK(event.data.size() <= kLimits.max_event_bytes);
    ++events;
    return cerumbra::OkStatus();
  };
  if (sse.Feed(stream, count).ok()) (void)sse.Finish(count);
  if (std::optional<std::string> message = UpstreamErrorMessage(stream)) {
    CERUMBRA_CHECK(IsValidUtf8(*message));
    CERUMBRA_CHECK(message->size() <= kMaxUpstreamMessageBytes + 6);
  }
  return 0;
}
