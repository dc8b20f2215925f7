// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_measurements.h"

#include <algorithm>
#include <map>

namespace cerumbra::attest {
namespace {

// NVDEC0 measurement: not compared when NVDEC0 is disabled (NVIDIA
// attestation-sdk src/gpu/verify.cpp; nvtrust never skips, a known bug).
constexpr int kNvdecRimIndex = 35;

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace

MeasurementAppraisal CompareNvidiaMeasurements(
    std::span<const spdm::MeasurementBlock> runtime,
    std::span<const GoldenRim> rims, bool nvdec0_disabled) {
  MeasurementAppraisal out;
  // Golden set: index -> (measurement, source); NVIDIA calls the conflict
  // check "vbios-index-no-conflict".
  std::map<int, std::pair<const RimMeasurement*, std::string>> golden;
  std::string conflicts;
  for (const GoldenRim& g : rims) {
    for (const RimMeasurement& m : g.rim->measurements) {
      if (!m.active) continue;
      if (golden.count(m.index) != 0) {
        conflicts += " " + std::to_string(m.index);
        continue;
      }
      golden[m.index] = {&m, g.source};
    }
  }
  if (!conflicts.empty()) {
    out.report.Fail("rim.index_conflict",
                    "indices active in more than one RIM:" + conflicts);
    return out;
  }
  out.report.Pass("rim.index_conflict", "no index is active in two RIMs");
  if (golden.size() > runtime.size()) {
    out.report.Fail("measurements", "more golden values (" +
                                        std::to_string(golden.size()) +
                                        ") than runtime measurements (" +
                                        std::to_string(runtime.size()) + ")");
    return out;
  }
  std::string mismatches;
  size_t matched = 0, skipped = 0;
  for (const auto& golden_entry : golden) {
    // Not a structured binding: clang 14 cannot capture those in lambdas.
    const int index = golden_entry.first;
    const auto& entry = golden_entry.second;
    const RimMeasurement& m = *entry.first;
    NvidiaMeasurementResult r;
    r.rim_index = index;
    r.source = entry.second;
    const auto block = std::find_if(
        runtime.begin(), runtime.end(),
        [&](const spdm::MeasurementBlock& b) { return b.index == index + 1; });
    if (index == kNvdecRimIndex && nvdec0_disabled) {
      r.skipped = true;
      r.detail = "NVDEC0 disabled: not compared";
      ++skipped;
    } else if (block == runtime.end()) {
      r.detail = "no runtime measurement block " + std::to_string(index + 1);
    } else if (block->value.size() != m.size) {
      r.detail = "runtime size " + std::to_string(block->value.size()) +
                 " differs from golden size " + std::to_string(m.size);
    } else if (std::find(m.alternatives.begin(), m.alternatives.end(),
                         block->value) != m.alternatives.end()) {
      r.matched = true;
      ++matched;
    } else {
      r.detail = "runtime " + Hex(block->value) + " matches none of " +
                 std::to_string(m.alternatives.size()) + " golden value(s)";
    }
    if (!r.matched && !r.skipped) {
      mismatches += " " + std::to_string(index) + "(" + r.source + ")";
    }
    out.results.push_back(std::move(r));
  }
  if (!mismatches.empty()) {
    out.report.Fail("measurements", "mismatch at RIM indices" + mismatches);
    return out;
  }
  out.report.Pass("measurements",
                  std::to_string(matched) + " golden values match" +
                      (skipped > 0 ? ", " + std::to_string(skipped) +
                                         " skipped (NVDEC0 disabled)"
                                   : std::string()));
  return out;
}

}  // namespace cerumbra::attest
