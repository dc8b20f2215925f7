// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes what the client parses from outside: the proxy's OpenAI request
// bodies (client/openai.h, from any local application) and the node's END
// objects (client/request.h). Checks: no crash or leak; a request that
// parses has 1..256 messages, the last one the user's with content, and
// encodes as a §10.1 messages request (so the proxy never sends the node
// something it would refuse); an END that parses has a known
// finish_reason.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "client/openai.h"
#include "client/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  cerumbra::client::openai::ParsedRequest p =
      cerumbra::client::openai::ParseCompletionRequest(input);
  if (p.ok) {
    const auto& m = p.request.messages;
    if (m.empty() || m.size() > 256 || m.back().role != "user" ||
        m.back().content.empty()) {
      std::abort();
    }
    if (!cerumbra::client::EncodeMessagesRequest(m, p.request.params).ok()) {
      std::abort();
    }
  } else if (p.error.http_status != 400) {
    std::abort();
  }
  auto end = cerumbra::client::ParseEnd(input);
  if (end.ok()) {
    const std::string& r = end.value().finish_reason;
    if (r != "stop" && r != "length" && r != "cancelled") std::abort();
  }
  return 0;
}
