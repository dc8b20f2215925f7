// Copyright 2026 The Cerumbra Authors.

#include "protocol/wire.h"

namespace cerumbra::protocol {

bool IsValidContentType(uint8_t value) {
  return value >= static_cast<uint8_t>(ContentType::kData) &&
         value <= static_cast<uint8_t>(ContentType::kCancel);
}

size_t PaddedPlaintextSize(size_t payload_size, bool pad) {
  CERUMBRA_CHECK(payload_size <= kMaxPayloadSize);
  const size_t unpadded = kPlaintextHeaderSize + payload_size;
  if (!pad) return unpadded;
  for (size_t bucket : kPaddingBuckets) {
    if (unpadded <= bucket) return bucket;
  }
  // Unreachable: the last bucket is kMaxPlaintextSize.
  CERUMBRA_CHECK(false);
  return kMaxPlaintextSize;
}

Status ValidateLimits(const Limits& limits) {
  if (limits.max_request_frame == 0 || limits.max_response_frame == 0 ||
      limits.max_message == 0) {
    return InvalidArgumentError("limits must be positive");
  }
  if (limits.max_request_frame > kMaxAttestRequestSize ||
      limits.max_response_frame > kMaxAttestResponseSize) {
    return InvalidArgumentError("handshake frame limits above the protocol's");
  }
  if (limits.records_per_key < kMinRecordsPerKey ||
      limits.records_per_key > kMaxRecordsPerKey) {
    return InvalidArgumentError("records_per_key out of range");
  }
  return OkStatus();
}

}  // namespace cerumbra::protocol
