// Copyright 2026 The Cerumbra Authors.
//
// The comparison of a GPU's runtime measurements with the golden values of
// its verified driver and VBIOS RIMs (design/attestation-evidence.md §1.7,
// after NVIDIA's nvtrust verifier.py and attestation-sdk src/gpu/verify.cpp).

#ifndef CERUMBRA_ATTEST_NVIDIA_MEASUREMENTS_H_
#define CERUMBRA_ATTEST_NVIDIA_MEASUREMENTS_H_

#include <span>
#include <string>
#include <vector>

#include "attest/check.h"
#include "attest/rim.h"
#include "attest/spdm.h"

namespace cerumbra::attest {

// NvidiaMeasurementResult is the comparison of one runtime measurement
// with the golden values.
struct NvidiaMeasurementResult {
  int rim_index = 0;   // RIM index i = SPDM measurement block index i+1
  std::string source;  // "driver" or "vbios"
  bool matched = false;
  bool skipped = false;  // e.g. index 35 with NVDEC0 disabled
  std::string detail;
};

// GoldenRim is one verified RIM and its role ("driver" or "vbios").
struct GoldenRim {
  const Rim* rim = nullptr;
  std::string source;
};

// MeasurementAppraisal is the outcome: checks "rim.index_conflict" and
// "measurements", and one result per golden value, by RIM index.
struct MeasurementAppraisal {
  Report report;
  std::vector<NvidiaMeasurementResult> results;
};

// CompareNvidiaMeasurements builds the golden set from the ACTIVE
// Resources of `rims` and compares it with `runtime`:
// - an index active in two RIMs fails "rim.index_conflict";
// - more golden values than runtime blocks fails "measurements";
// - RIM index i is compared with SPDM block index i + 1; the block must
//   exist, have the golden size, and equal one of the alternatives;
// - RIM index 35 is skipped when `nvdec0_disabled` (NVDEC0_STATUS 0x55);
// - inactive Resources are ignored.
// REQUIRES: every rims[i].rim is non-null and verified by the caller.
// Thread safety: pure function.
MeasurementAppraisal CompareNvidiaMeasurements(
    std::span<const spdm::MeasurementBlock> runtime,
    std::span<const GoldenRim> rims, bool nvdec0_disabled);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_NVIDIA_MEASUREMENTS_H_
