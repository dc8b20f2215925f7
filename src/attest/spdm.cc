// Copyright 2026 The Cerumbra Authors.

#include "attest/spdm.h"

#include <algorithm>
#include <bitset>
#include <string>
#include <string_view>

namespace cerumbra::attest::spdm {
namespace {

Status Malformed(std::string_view what) {
  return InvalidArgumentError(std::string("spdm report: ") + std::string(what));
}

// Reader consumes little-endian fields; every read checks the remaining
// length first, so no read can run past the input.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  bool U8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }
  bool U16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<uint16_t>(data_[pos_] | data_[pos_ + 1] << 8);
    pos_ += 2;
    return true;
  }
  bool U24(uint32_t& out) {
    if (remaining() < 3) return false;
    out = static_cast<uint32_t>(data_[pos_]) |
          static_cast<uint32_t>(data_[pos_ + 1]) << 8 |
          static_cast<uint32_t>(data_[pos_ + 2]) << 16;
    pos_ += 3;
    return true;
  }
  bool Take(size_t n, std::span<const uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  template <size_t N>
  bool Array(std::array<uint8_t, N>& out) {
    std::span<const uint8_t> bytes;
    if (!Take(N, bytes)) return false;
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return true;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

Status ParseBlocks(std::span<const uint8_t> record, size_t count,
                   std::vector<MeasurementBlock>& blocks) {
  Reader in(record);
  std::bitset<256> seen;
  for (size_t i = 0; i < count; ++i) {
    uint8_t index = 0, specification = 0, value_type = 0;
    uint16_t measurement_size = 0, value_size = 0;
    std::span<const uint8_t> value;
    // DSP0274 1.1 Table 39 (block) and Table 40 (DMTF measurement).
    if (!in.U8(index) || !in.U8(specification) || !in.U16(measurement_size)) {
      return Malformed("truncated measurement block header");
    }
    if (specification != 0x01) {
      return Malformed("measurement specification is not DMTF");
    }
    if (index == 0 || index == 0xFF) {
      return Malformed("reserved measurement index");
    }
    if (seen[index]) return Malformed("duplicate measurement index");
    seen[index] = true;
    if (!in.U8(value_type) || !in.U16(value_size)) {
      return Malformed("truncated DMTF measurement header");
    }
    if (measurement_size != 3u + value_size) {
      return Malformed("MeasurementSize != 3 + value size");
    }
    if (!in.Take(value_size, value)) {
      return Malformed("measurement value runs past the record");
    }
    blocks.push_back({index, value_type, {value.begin(), value.end()}});
  }
  if (in.remaining() != 0) {
    return Malformed("blocks do not fill MeasurementRecordLength");
  }
  return OkStatus();
}

}  // namespace

Result<MeasurementReport> ParseMeasurementReport(
    std::span<const uint8_t> report) {
  if (report.size() > kMaxReportSize) return Malformed("too large");
  Reader in(report);
  MeasurementReport out;

  // GET_MEASUREMENTS request, DSP0274 1.1 §10.11.1 Table 36.
  uint8_t version = 0, code = 0;
  if (!in.U8(version) || !in.U8(code) || !in.U8(out.request.param1) ||
      !in.U8(out.request.param2) || !in.Array(out.request.nonce) ||
      !in.U8(out.request.slot_id)) {
    return Malformed("truncated request");
  }
  if (version != kVersion11) return Malformed("request is not SPDM 1.1");
  if (code != kGetMeasurements) return Malformed("not GET_MEASUREMENTS");
  if (out.request.param1 != 0x01) {
    return Malformed("request does not ask for a signature");
  }
  if (out.request.param2 != 0xFF) {
    return Malformed("request does not ask for all measurements");
  }
  if (out.request.slot_id != 0) return Malformed("certificate slot is not 0");

  // MEASUREMENTS response, §10.11.2 Table 38.
  uint8_t number_of_blocks = 0;
  uint32_t record_length = 0;
  if (!in.U8(version) || !in.U8(code) || !in.U8(out.response_param1) ||
      !in.U8(out.response_param2) || !in.U8(number_of_blocks) ||
      !in.U24(record_length)) {
    return Malformed("truncated response header");
  }
  if (version != kVersion11) return Malformed("response is not SPDM 1.1");
  if (code != kMeasurements) return Malformed("not MEASUREMENTS");
  if (out.response_param1 != 0) return Malformed("response Param1 not 0");
  if (out.response_param2 != out.request.slot_id) {
    return Malformed("response slot differs from the request's");
  }
  if (number_of_blocks == 0) return Malformed("no measurement blocks");
  std::span<const uint8_t> record;
  if (!in.Take(record_length, record)) {
    return Malformed("measurement record runs past the report");
  }
  CERUMBRA_RETURN_IF_ERROR(ParseBlocks(record, number_of_blocks, out.blocks));

  uint16_t opaque_length = 0;
  std::span<const uint8_t> opaque;
  if (!in.Array(out.responder_nonce) || !in.U16(opaque_length) ||
      !in.Take(opaque_length, opaque)) {
    return Malformed("truncated nonce or opaque data");
  }
  out.opaque_data.assign(opaque.begin(), opaque.end());
  out.signed_size = in.offset();
  if (!in.Array(out.signature)) return Malformed("truncated signature");

  std::span<const uint8_t> rest;
  out.padding_size = in.remaining();
  if (!in.Take(out.padding_size, rest) ||
      !std::all_of(rest.begin(), rest.end(),
                   [](uint8_t b) { return b == 0; })) {
    return Malformed("non-zero bytes after the signature");
  }
  return out;
}

}  // namespace cerumbra::attest::spdm
