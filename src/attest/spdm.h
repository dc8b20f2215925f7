// Copyright 2026 The Cerumbra Authors.
//
// SPDM 1.1 (DMTF DSP0274 1.1) GET_MEASUREMENTS request and MEASUREMENTS
// response, as NVIDIA GPUs return them through NVML: the "attestation
// report" is request || response (design/attestation-evidence.md §1.3).
// Parsing only; what the fields mean is the verifier's business.

#ifndef CERUMBRA_ATTEST_SPDM_H_
#define CERUMBRA_ATTEST_SPDM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cerumbra/status.h"

namespace cerumbra::attest::spdm {

inline constexpr uint8_t kVersion11 = 0x11;
inline constexpr uint8_t kGetMeasurements = 0xE0;
inline constexpr uint8_t kMeasurements = 0x60;
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kRequestSize = 37;
// kSignatureSize: ECDSA P-384 r || s (the only algorithm NVIDIA GPUs use).
inline constexpr size_t kSignatureSize = 96;
// kMaxReportSize bounds the input (NVML's buffer is 0x2000 bytes).
inline constexpr size_t kMaxReportSize = 0x2000;

// MeasurementRequest is the 37-byte GET_MEASUREMENTS request (DSP0274 1.1
// §10.11.1, Table 36) with a signature requested.
struct MeasurementRequest {
  uint8_t param1 = 0;                       // 0x01: signature requested
  uint8_t param2 = 0;                       // 0xFF: all measurements
  std::array<uint8_t, kNonceSize> nonce{};  // the caller's nonce
  uint8_t slot_id = 0;
};

// MeasurementBlock is one measurement block (§10.11.1.1, Table 39) with a
// DMTF measurement (Table 40).
struct MeasurementBlock {
  uint8_t index = 0;
  uint8_t value_type = 0;  // DMTFSpecMeasurementValueType
  std::vector<uint8_t> value;
};

// MeasurementReport is a parsed report. `signed_size` is the number of
// leading bytes the signature covers (request and response up to the end
// of OpaqueData); `padding_size` the zero bytes after the signature.
struct MeasurementReport {
  MeasurementRequest request;
  uint8_t response_param1 = 0;
  uint8_t response_param2 = 0;
  std::vector<MeasurementBlock> blocks;  // in report order
  std::array<uint8_t, kNonceSize> responder_nonce{};
  std::vector<uint8_t> opaque_data;
  std::array<uint8_t, kSignatureSize> signature{};
  size_t signed_size = 0;
  size_t padding_size = 0;
};

// ParseMeasurementReport parses `report` strictly by its length fields,
// never by position from the end:
// - request: version 0x11, code 0xE0, Param1 0x01 (signature requested,
//   no reserved bits), Param2 0xFF (all measurements), slot 0;
// - response: version 0x11, code 0x60, Param1 0, Param2 = slot 0,
//   NumberOfBlocks >= 1 blocks that exactly fill MeasurementRecordLength;
//   each block has specification 0x01 (DMTF), MeasurementSize = 3 + value
//   size, a unique index in 1..0xFE;
// - then the 32-byte responder nonce, OpaqueLength, OpaqueData and the
//   96-byte signature;
// - after the signature only zero bytes are allowed (a real driver pads one
//   0x00; design doc §1.4); any non-zero trailing byte is an error.
// Every deviation, truncation or an input over kMaxReportSize is
// InvalidArgument. Thread safety: pure function.
Result<MeasurementReport> ParseMeasurementReport(
    std::span<const uint8_t> report);

}  // namespace cerumbra::attest::spdm

#endif  // CERUMBRA_ATTEST_SPDM_H_
