// Copyright 2026 The Cerumbra Authors.
//
// The attestation quote (docs/protocol.md §4): its canonical binary encoding,
// the transcript hash over it (§5) and the GPU nonce that binds hardware
// evidence to a session (§4.2).
//
// The encoding is canonical: EncodeQuote accepts only quotes that have one
// encoding, and ParseQuote accepts only bytes that EncodeQuote produces, so
// ParseQuote(EncodeQuote(q)) == q and EncodeQuote(ParseQuote(b)) == b.

#ifndef CERUMBRA_PROTOCOL_QUOTE_H_
#define CERUMBRA_PROTOCOL_QUOTE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/sha.h"
#include "protocol/wire.h"

namespace cerumbra::protocol {

// kQuoteMagic is "CBQ1" (§4.1).
inline constexpr std::array<uint8_t, 4> kQuoteMagic = {0x43, 0x42, 0x51, 0x31};
// kQuoteFixedSize is the size of the fields before the measurements;
// kMaxQuoteSize the size of the largest valid quote (§4.1).
inline constexpr size_t kQuoteFixedSize = 227;
inline constexpr size_t kMaxMeasurements = 32;
inline constexpr size_t kMaxMeasurementNameSize = 64;
inline constexpr size_t kMaxMeasurementValueSize = 64;
inline constexpr size_t kMaxQuoteSize =
    kQuoteFixedSize +
    kMaxMeasurements * (2 + kMaxMeasurementNameSize + kMaxMeasurementValueSize);

// EvidenceType names the kind of evidence behind a quote (§4.2).
enum class EvidenceType : uint8_t {
  kSimulated = 1,
  kNvidiaGpu = 2,
};

// Measurement is one named measurement: a name of 1..64 characters from
// [a-z0-9._-] and a value of 1..64 bytes (§4.1). A value type.
struct Measurement {
  std::string name;
  std::vector<uint8_t> value;

  friend bool operator==(const Measurement&, const Measurement&) = default;
};

// Quote is the decoded quote (§4.1); the version is implicit (always 1).
// Every field is public data. A value type.
struct Quote {
  EvidenceType evidence_type = EvidenceType::kSimulated;
  uint64_t timestamp_ms = 0;
  std::array<uint8_t, kNonceSize> client_nonce{};
  std::array<uint8_t, kPublicKeySize> client_public_key{};
  std::array<uint8_t, kPublicKeySize> node_public_key{};
  crypto::Sha384Digest evidence_digest{};
  // measurements, sorted by name (bytewise) with unique names, 1..32 of
  // them.
  std::vector<Measurement> measurements;

  friend bool operator==(const Quote&, const Quote&) = default;
};

// EncodeQuote returns the canonical encoding of `quote` (§4.1). Fails with
// InvalidArgument when the quote has no canonical encoding: an unknown
// evidence type, 0 or more than 32 measurements, a name or value of a bad
// length, a name with a character outside [a-z0-9._-], or names that are not
// strictly increasing (unsorted or duplicate). The public keys are copied as
// bytes; their validity is checked where they are used.
//
// Thread safety: pure function.
Result<std::vector<uint8_t>> EncodeQuote(const Quote& quote);

// ParseQuote decodes `bytes`, accepting exactly the canonical encodings of
// EncodeQuote: bad magic, a version other than 1, an unknown evidence type,
// a non-zero reserved byte, a count or length out of range, a bad name
// character, unsorted or duplicate names, truncation and trailing bytes are
// InvalidArgument.
//
// Thread safety: pure function.
Result<Quote> ParseQuote(std::span<const uint8_t> bytes);

// TranscriptHash returns SHA-256("cerumbra-v1 transcript" || 0x00 ||
// quote_bytes) (§5). `quote_bytes` are the encoded quote as sent. Fails with
// Internal only if the digest cannot run.
//
// Thread safety: pure function.
Result<crypto::Sha256Digest> TranscriptHash(
    std::span<const uint8_t> quote_bytes);

// GpuNonce returns SHA-256("cerumbra-v1 nvidia-gpu nonce" || client_nonce ||
// client_public_key || node_public_key) (§4.2), the nonce with which NVIDIA
// GPU evidence is requested. Fails with Internal only if the digest cannot
// run.
//
// Thread safety: pure function.
Result<crypto::Sha256Digest> GpuNonce(
    std::span<const uint8_t, kNonceSize> client_nonce,
    std::span<const uint8_t, kPublicKeySize> client_public_key,
    std::span<const uint8_t, kPublicKeySize> node_public_key);

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_QUOTE_H_
