// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the quote parser (docs/protocol.md §4.1). The encoding is
// canonical, so whatever parses must encode back to exactly the input.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cerumbra/status.h"
#include "protocol/quote.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto quote = cerumbra::protocol::ParseQuote(bytes);
  if (!quote.ok()) return 0;
  auto encoded = cerumbra::protocol::EncodeQuote(*quote);
  CERUMBRA_CHECK(encoded.ok());
  CERUMBRA_CHECK(std::vector<uint8_t>(bytes.begin(), bytes.end()) == *encoded);
  CERUMBRA_CHECK(cerumbra::protocol::TranscriptHash(bytes).ok());
  return 0;
}
