// Copyright 2026 The Cerumbra Authors.
//
// NVIDIA's opaque data in SPDM MEASUREMENTS responses: a list of
// type:u16 LE | length:u16 LE | value entries (design/attestation-
// evidence.md §1.3), decoded into NvidiaOpaqueInfo.

#ifndef CERUMBRA_ATTEST_NVIDIA_OPAQUE_H_
#define CERUMBRA_ATTEST_NVIDIA_OPAQUE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cerumbra/status.h"

namespace cerumbra::attest {

// NvidiaOpaqueInfo is the decoded NVIDIA opaque data of one report (the
// TLVs of design/attestation-evidence.md §1.3). Strings are printable
// ASCII with NULs stripped; absent fields are empty / nullopt. Values are
// as signed by the GPU; they are trustworthy only if the report verified.
struct NvidiaOpaqueInfo {
  std::string driver_version;        // type 3, "550.90.07"
  std::string vbios_version;         // type 6, rendered "96.00.9F.00.01"
  std::string chip_sku;              // type 15, "882"
  std::string chip_sku_mod;          // type 16
  std::string project;               // type 17, "1010"
  std::string project_sku;           // type 18, "0200"
  std::string project_sku_mod;       // type 19
  std::string chip_info;             // type 35, "GB202" (newer Blackwell)
  std::optional<uint32_t> board_id;  // type 14
  std::optional<uint16_t> opaque_data_version;  // type 34
  std::optional<uint16_t> feature_flag;  // type 36: 0 SPT, 1 MPT, 2 PPCIe
  std::optional<uint8_t> nvdec0_status;  // type 11: 0xAA on, 0x55 off
  std::optional<uint8_t> protected_pcie_status;  // type 21
  std::optional<std::array<uint8_t, 48>> fwid;   // type 20
  std::vector<uint8_t> gpu_info;                 // type 4
  std::vector<uint32_t> measurement_counts;      // type 12 (MSRSCNT)
  std::vector<uint16_t> types_present;  // every TLV type, in report order
};

// ParseNvidiaOpaqueData decodes `opaque` (the OpaqueData field of a
// MEASUREMENTS response). Strict: the entries must fill it exactly, no type
// may repeat, and the known fields must have their documented sizes
// (VBIOS_VERSION 8, BOARD_ID 4, FWID 48, NVDEC0_STATUS and
// PROTECTED_PCIE_STATUS 1, OPAQUE_DATA_VERSION and FEATURE_FLAG 2, MSRSCNT a
// multiple of 4); string fields must be printable ASCII followed only by
// NULs. Unknown types are kept in types_present only. Any violation is
// InvalidArgument. Thread safety: pure function.
Result<NvidiaOpaqueInfo> ParseNvidiaOpaqueData(std::span<const uint8_t> opaque);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_NVIDIA_OPAQUE_H_
