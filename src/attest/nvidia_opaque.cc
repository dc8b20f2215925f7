// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_opaque.h"

#include <algorithm>
#include <bitset>
#include <cstdio>
#include <string_view>

namespace cerumbra::attest {
namespace {

// TLV types (nvtrust spdm_msrt_resp_msg.py; NVIDIA attestation-sdk
// gpu_opaque_data_parser.cpp).
enum : uint16_t {
  kDriverVersion = 3,
  kGpuInfo = 4,
  kVbiosVersion = 6,
  kNvdec0Status = 11,
  kMsrsCnt = 12,
  kBoardId = 14,
  kChipSku = 15,
  kChipSkuMod = 16,
  kProject = 17,
  kProjectSku = 18,
  kProjectSkuMod = 19,
  kFwid = 20,
  kProtectedPcieStatus = 21,
  kOpaqueDataVersion = 34,
  kChipInfo = 35,
  kFeatureFlag = 36,
};

Status Malformed(std::string_view what) {
  return InvalidArgumentError(std::string("nvidia opaque data: ") +
                              std::string(what));
}

uint32_t Le32(std::span<const uint8_t> v) {
  return static_cast<uint32_t>(v[0]) | static_cast<uint32_t>(v[1]) << 8 |
         static_cast<uint32_t>(v[2]) << 16 | static_cast<uint32_t>(v[3]) << 24;
}

// AsciiField accepts printable ASCII followed only by NUL padding.
bool AsciiField(std::span<const uint8_t> v, std::string& out) {
  size_t end = 0;
  while (end < v.size() && v[end] != 0) {
    if (v[end] < 0x20 || v[end] > 0x7E) return false;
    ++end;
  }
  if (!std::all_of(v.begin() + static_cast<std::ptrdiff_t>(end), v.end(),
                   [](uint8_t b) { return b == 0; })) {
    return false;
  }
  out.assign(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(end));
  return true;
}

// VbiosVersion renders b0..b7 as "b3.b2.b1.b0.b4" in upper-case hex
// (nvtrust format_vbios_version); bytes 5..7 are not part of it.
std::string VbiosVersion(std::span<const uint8_t> v) {
  char text[16];
  std::snprintf(text, sizeof(text), "%02X.%02X.%02X.%02X.%02X", v[3], v[2],
                v[1], v[0], v[4]);
  return text;
}

}  // namespace

Result<NvidiaOpaqueInfo> ParseNvidiaOpaqueData(
    std::span<const uint8_t> opaque) {
  NvidiaOpaqueInfo info;
  std::bitset<65536> seen;
  size_t pos = 0;
  while (pos < opaque.size()) {
    if (opaque.size() - pos < 4) return Malformed("truncated entry header");
    const uint16_t type =
        static_cast<uint16_t>(opaque[pos] | opaque[pos + 1] << 8);
    const uint16_t length =
        static_cast<uint16_t>(opaque[pos + 2] | opaque[pos + 3] << 8);
    pos += 4;
    if (opaque.size() - pos < length) return Malformed("entry runs past end");
    const std::span<const uint8_t> v = opaque.subspan(pos, length);
    pos += length;
    if (seen[type]) return Malformed("duplicate entry type");
    seen[type] = true;
    info.types_present.push_back(type);

    auto fixed = [&](size_t size) { return v.size() == size; };
    bool ok = true;
    switch (type) {
      case kDriverVersion:
        ok = AsciiField(v, info.driver_version);
        break;
      case kGpuInfo:
        info.gpu_info.assign(v.begin(), v.end());
        break;
      case kVbiosVersion:
        ok = fixed(8);
        if (ok) info.vbios_version = VbiosVersion(v);
        break;
      case kNvdec0Status:
        ok = fixed(1);
        if (ok) info.nvdec0_status = v[0];
        break;
      case kMsrsCnt:
        ok = v.size() % 4 == 0;
        for (size_t i = 0; ok && i < v.size(); i += 4) {
          info.measurement_counts.push_back(Le32(v.subspan(i, 4)));
        }
        break;
      case kBoardId:
        ok = fixed(4);
        if (ok) info.board_id = Le32(v);
        break;
      case kChipSku:
        ok = AsciiField(v, info.chip_sku);
        break;
      case kChipSkuMod:
        ok = AsciiField(v, info.chip_sku_mod);
        break;
      case kProject:
        ok = AsciiField(v, info.project);
        break;
      case kProjectSku:
        ok = AsciiField(v, info.project_sku);
        break;
      case kProjectSkuMod:
        ok = AsciiField(v, info.project_sku_mod);
        break;
      case kFwid:
        ok = fixed(48);
        if (ok) {
          info.fwid.emplace();
          std::copy(v.begin(), v.end(), info.fwid->begin());
        }
        break;
      case kProtectedPcieStatus:
        ok = fixed(1);
        if (ok) info.protected_pcie_status = v[0];
        break;
      case kOpaqueDataVersion:
        ok = fixed(2);
        if (ok)
          info.opaque_data_version = static_cast<uint16_t>(v[0] | v[1] << 8);
        break;
      case kChipInfo:
        ok = AsciiField(v, info.chip_info);
        break;
      case kFeatureFlag:
        ok = fixed(2);
        if (ok) info.feature_flag = static_cast<uint16_t>(v[0] | v[1] << 8);
        break;
      default:
        break;  // Known to NVIDIA, not needed here; kept in types_present.
    }
    if (!ok) {
      return Malformed("entry " + std::to_string(type) + " is malformed");
    }
  }
  return info;
}

}  // namespace cerumbra::attest
