// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the node's conversation request parser (docs/protocol.md §10.1,
// src/server/conversation.h), which reads the decrypted request JSON of any
// established client. Invariants: what parses is within §10.1's ranges
// (content non-empty for chat and empty for reset, max_tokens within
// 1..the node's maximum, temperature 0..2, top_p in (0, 1], at most 8
// non-empty stop strings), and the END payloads the node encodes are JSON
// objects.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <span>

#include "cerumbra/status.h"
#include "server/conversation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cerumbra::server;  // NOLINT
  static const RequestLimits kLimits{/*max_tokens=*/1024,
                                     /*default_max_tokens=*/256};
  auto request = ParseRequest(std::span<const uint8_t>(data, size), kLimits);
  if (!request.ok()) {
    CERUMBRA_CHECK(request.status().code() ==
                   cerumbra::StatusCode::kInvalidArgument);
    return 0;
  }
  const ChatRequest& r = *request;
  if (r.type == RequestType::kReset) {
    CERUMBRA_CHECK(r.content.empty());
    return 0;
  }
  CERUMBRA_CHECK(!r.content.empty());
  const auto& p = r.params;
  CERUMBRA_CHECK(p.max_tokens >= 1 && p.max_tokens <= kLimits.max_tokens);
  CERUMBRA_CHECK(p.temperature >= 0 && p.temperature <= 2);
  CERUMBRA_CHECK(p.top_p > 0 && p.top_p <= 1);
  CERUMBRA_CHECK(p.stop.size() <= 8);
  for (const auto& s : p.stop) CERUMBRA_CHECK(!s.empty());
  // The END the node would send for it is a JSON object.
  cerumbra::inference::Usage usage{static_cast<int>(size % 1000), p.max_tokens};
  boost::system::error_code ec;
  auto end =
      boost::json::parse(EncodeEnd(cerumbra::inference::FinishReason::kLength,
                                   &usage, ResponseError::kNone),
                         ec);
  CERUMBRA_CHECK(!ec && end.is_object());
  return 0;
}
