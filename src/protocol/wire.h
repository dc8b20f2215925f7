// Copyright 2026 The Cerumbra Authors.
//
// Constants and limits of the Cerumbra protocol, version 1 (docs/protocol.md).
// Everything here is fixed by the specification except Limits, which an
// endpoint may lower (§7).

#ifndef CERUMBRA_PROTOCOL_WIRE_H_
#define CERUMBRA_PROTOCOL_WIRE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "cerumbra/status.h"

namespace cerumbra::protocol {

// kProtocolVersion is the only version this implementation speaks: the
// `version` of handshake messages (§3), of the quote (§4.1) and the first
// byte of every record frame (§6.1).
inline constexpr uint8_t kProtocolVersion = 1;

// kNonceSize is the size of the client nonce (§3.1); kPublicKeySize of an
// uncompressed P-256 point (§1); kSignatureSize of a P1363 ECDSA P-256
// signature (§3.2); kSessionIdSize of the session id (§5).
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kPublicKeySize = 65;
inline constexpr size_t kSignatureSize = 64;
inline constexpr size_t kSessionIdSize = 16;

// kRecordFrameType is the only valid frame_type (§6.1).
inline constexpr uint8_t kRecordFrameType = 0x17;
// kRecordHeaderSize is version (1) + frame_type (1) + seq (8) (§6.1).
inline constexpr size_t kRecordHeaderSize = 10;
// kRecordTagSize is the AES-256-GCM tag size.
inline constexpr size_t kRecordTagSize = 16;
// kRecordAadSize is the header plus the session id (§6.1).
inline constexpr size_t kRecordAadSize = kRecordHeaderSize + kSessionIdSize;
// kPlaintextHeaderSize is content_type (1) + length (4) (§6.2).
inline constexpr size_t kPlaintextHeaderSize = 5;
// kMaxPlaintextSize is the largest (padded) plaintext; kMaxPayloadSize the
// largest payload of one record (§6.2).
inline constexpr size_t kMaxPlaintextSize = 16384;
inline constexpr size_t kMaxPayloadSize =
    kMaxPlaintextSize - kPlaintextHeaderSize;
// kMinRecordFrameSize and kMaxRecordFrameSize bound a record frame: an empty
// payload without padding, and the largest plaintext (§6.2).
inline constexpr size_t kMinRecordFrameSize =
    kRecordHeaderSize + kPlaintextHeaderSize + kRecordTagSize;
inline constexpr size_t kMaxRecordFrameSize =
    kRecordHeaderSize + kMaxPlaintextSize + kRecordTagSize;
// kPaddingBuckets are the padded plaintext sizes (§6.2), ascending.
inline constexpr std::array<size_t, 5> kPaddingBuckets = {64, 256, 1024, 4096,
                                                          16384};

// kMaxRecordsPerKey is the largest budget of records under one traffic
// secret, the KEY_UPDATE that ends it included (§6.4); kMinRecordsPerKey the
// smallest budget that leaves room for a record besides the KEY_UPDATE.
inline constexpr uint64_t kMaxRecordsPerKey = 65536;
inline constexpr uint64_t kMinRecordsPerKey = 2;

// kKeyUpdateNotRequested and kKeyUpdateRequested are the two KEY_UPDATE
// payload bytes (§6.3).
inline constexpr uint8_t kKeyUpdateNotRequested = 0x00;
inline constexpr uint8_t kKeyUpdateRequested = 0x01;

// ContentType is the first plaintext byte of a record (§6.3).
enum class ContentType : uint8_t {
  kData = 0x01,
  kEnd = 0x02,
  kKeyUpdate = 0x03,
  kClose = 0x04,
  kCancel = 0x05,
};

// IsValidContentType is true for the five values of ContentType.
bool IsValidContentType(uint8_t value);

// PaddedPlaintextSize returns the plaintext size of a record with a payload
// of `payload_size` bytes: with `pad` the smallest bucket that holds
// kPlaintextHeaderSize + payload_size, else exactly that (§6.2).
// REQUIRES: payload_size <= kMaxPayloadSize.
size_t PaddedPlaintextSize(size_t payload_size, bool pad);

// kMaxAttestRequestSize and kMaxAttestResponseSize are the §7 limits of
// the handshake text frames, the largest values Limits accepts.
inline constexpr size_t kMaxAttestRequestSize = 1024;
inline constexpr size_t kMaxAttestResponseSize = 256 * 1024;

// Limits holds the limits of §7. The defaults are the specification's;
// an endpoint may lower them. A value type.
struct Limits {
  // max_request_frame bounds the attest_request text frame (bytes).
  size_t max_request_frame = kMaxAttestRequestSize;
  // max_response_frame bounds the attest_response (or error) text frame.
  size_t max_response_frame = kMaxAttestResponseSize;
  // max_message bounds one received message: the sum of its DATA payloads.
  size_t max_message = 1024 * 1024;
  // records_per_key is the key-update budget (§6.4) for both directions:
  // the sender updates within it and the receiver enforces it. WARNING: a
  // receive budget below the peer's send budget fails honest peers; lower it
  // only where both ends are configured alike (tests).
  uint64_t records_per_key = kMaxRecordsPerKey;
};

// ValidateLimits returns OK when every limit is usable: frame and message
// limits non-zero, the frame limits at most the §7 values, records_per_key
// in [kMinRecordsPerKey, kMaxRecordsPerKey]; InvalidArgument otherwise.
Status ValidateLimits(const Limits& limits);

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_WIRE_H_
