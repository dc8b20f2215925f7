// Copyright 2026 The Cerumbra Authors.

#include "protocol/quote.h"

#include <algorithm>
#include <string_view>

namespace cerumbra::protocol {
namespace {

constexpr uint16_t kQuoteVersion = kProtocolVersion;
constexpr std::string_view kTranscriptLabel = "cerumbra-v1 transcript";
constexpr std::string_view kGpuNonceLabel = "cerumbra-v1 nvidia-gpu nonce";

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

bool IsValidEvidenceType(uint8_t value) {
  return value == static_cast<uint8_t>(EvidenceType::kSimulated) ||
         value == static_cast<uint8_t>(EvidenceType::kNvidiaGpu);
}

bool IsValidNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// ValidateMeasurements checks the §4.1 rules shared by encoder and parser.
Status ValidateMeasurements(const std::vector<Measurement>& measurements) {
  if (measurements.empty() || measurements.size() > kMaxMeasurements) {
    return InvalidArgumentError("quote measurement count out of range");
  }
  for (size_t i = 0; i < measurements.size(); ++i) {
    const Measurement& m = measurements[i];
    if (m.name.empty() || m.name.size() > kMaxMeasurementNameSize ||
        !std::all_of(m.name.begin(), m.name.end(), IsValidNameChar)) {
      return InvalidArgumentError("bad quote measurement name");
    }
    if (m.value.empty() || m.value.size() > kMaxMeasurementValueSize) {
      return InvalidArgumentError("bad quote measurement value size");
    }
    // Names are ASCII, so std::string's comparison is bytewise.
    if (i > 0 && !(measurements[i - 1].name < m.name)) {
      return InvalidArgumentError("quote measurements unsorted or duplicate");
    }
  }
  return OkStatus();
}

// Reader consumes bytes front to back; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  bool Read(std::span<uint8_t> out) {
    if (out.size() > bytes_.size()) return false;
    std::copy_n(bytes_.begin(), out.size(), out.begin());
    bytes_ = bytes_.subspan(out.size());
    return true;
  }
  bool ReadU8(uint8_t& out) { return Read({&out, 1}); }
  bool ReadBigEndian(uint64_t& out, size_t size) {
    if (size > bytes_.size()) return false;
    out = 0;
    for (size_t i = 0; i < size; ++i) out = (out << 8) | bytes_[i];
    bytes_ = bytes_.subspan(size);
    return true;
  }
  bool empty() const { return bytes_.empty(); }

 private:
  std::span<const uint8_t> bytes_;
};

void AppendBigEndian(std::vector<uint8_t>& out, uint64_t value, size_t size) {
  for (size_t i = size; i-- > 0;) {
    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  }
}

}  // namespace

Result<std::vector<uint8_t>> EncodeQuote(const Quote& quote) {
  if (!IsValidEvidenceType(static_cast<uint8_t>(quote.evidence_type))) {
    return InvalidArgumentError("unknown evidence type");
  }
  CERUMBRA_RETURN_IF_ERROR(ValidateMeasurements(quote.measurements));
  std::vector<uint8_t> out;
  out.reserve(kMaxQuoteSize);
  out.insert(out.end(), kQuoteMagic.begin(), kQuoteMagic.end());
  AppendBigEndian(out, kQuoteVersion, 2);
  out.push_back(static_cast<uint8_t>(quote.evidence_type));
  out.push_back(0);  // reserved
  AppendBigEndian(out, quote.timestamp_ms, 8);
  out.insert(out.end(), quote.client_nonce.begin(), quote.client_nonce.end());
  out.insert(out.end(), quote.client_public_key.begin(),
             quote.client_public_key.end());
  out.insert(out.end(), quote.node_public_key.begin(),
             quote.node_public_key.end());
  out.insert(out.end(), quote.evidence_digest.begin(),
             quote.evidence_digest.end());
  CERUMBRA_CHECK(out.size() == kQuoteFixedSize - 1);
  out.push_back(static_cast<uint8_t>(quote.measurements.size()));
  for (const Measurement& m : quote.measurements) {
    out.push_back(static_cast<uint8_t>(m.name.size()));
    out.insert(out.end(), m.name.begin(), m.name.end());
    out.push_back(static_cast<uint8_t>(m.value.size()));
    out.insert(out.end(), m.value.begin(), m.value.end());
  }
  return out;
}

Result<Quote> ParseQuote(std::span<const uint8_t> bytes) {
  const Status malformed = InvalidArgumentError("malformed quote");
  if (bytes.size() < kQuoteFixedSize || bytes.size() > kMaxQuoteSize) {
    return malformed;
  }
  Reader reader(bytes);
  std::array<uint8_t, 4> magic;
  uint64_t version = 0;
  uint8_t evidence_type = 0;
  uint8_t reserved = 0;
  Quote quote;
  if (!reader.Read(magic) || magic != kQuoteMagic ||
      !reader.ReadBigEndian(version, 2) || version != kQuoteVersion ||
      !reader.ReadU8(evidence_type) || !IsValidEvidenceType(evidence_type) ||
      !reader.ReadU8(reserved) || reserved != 0 ||
      !reader.ReadBigEndian(quote.timestamp_ms, 8) ||
      !reader.Read(quote.client_nonce) ||
      !reader.Read(quote.client_public_key) ||
      !reader.Read(quote.node_public_key) ||
      !reader.Read(quote.evidence_digest)) {
    return malformed;
  }
  quote.evidence_type = static_cast<EvidenceType>(evidence_type);
  uint8_t count = 0;
  if (!reader.ReadU8(count) || count == 0 || count > kMaxMeasurements) {
    return malformed;
  }
  quote.measurements.resize(count);
  for (Measurement& m : quote.measurements) {
    uint8_t name_size = 0;
    uint8_t value_size = 0;
    if (!reader.ReadU8(name_size)) return malformed;
    m.name.resize(name_size);
    if (!reader.Read({reinterpret_cast<uint8_t*>(m.name.data()), name_size}) ||
        !reader.ReadU8(value_size)) {
      return malformed;
    }
    m.value.resize(value_size);
    if (!reader.Read(m.value)) return malformed;
  }
  if (!reader.empty()) return malformed;
  if (!ValidateMeasurements(quote.measurements).ok()) return malformed;
  return quote;
}

Result<crypto::Sha256Digest> TranscriptHash(
    std::span<const uint8_t> quote_bytes) {
  CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha256Hasher hasher,
                            crypto::Sha256Hasher::Create());
  const uint8_t separator = 0x00;
  hasher.Update(AsBytes(kTranscriptLabel));
  hasher.Update({&separator, 1});
  hasher.Update(quote_bytes);
  return hasher.Finish();
}

Result<crypto::Sha256Digest> GpuNonce(
    std::span<const uint8_t, kNonceSize> client_nonce,
    std::span<const uint8_t, kPublicKeySize> client_public_key,
    std::span<const uint8_t, kPublicKeySize> node_public_key) {
  CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha256Hasher hasher,
                            crypto::Sha256Hasher::Create());
  hasher.Update(AsBytes(kGpuNonceLabel));
  hasher.Update(client_nonce);
  hasher.Update(client_public_key);
  hasher.Update(node_public_key);
  return hasher.Finish();
}

}  // namespace cerumbra::protocol
