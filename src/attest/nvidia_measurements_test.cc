// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_measurements.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cerumbra::attest {
namespace {

std::vector<uint8_t> V(uint8_t b, size_t n = 48) {
  return std::vector<uint8_t>(n, b);
}

// Runtime: blocks 1..8 with value i (48 bytes each).
std::vector<spdm::MeasurementBlock> Runtime() {
  std::vector<spdm::MeasurementBlock> out;
  for (uint8_t i = 1; i <= 8; ++i) out.push_back({i, 1, V(i)});
  return out;
}

RimMeasurement M(int index, bool active, std::vector<std::vector<uint8_t>> alts,
                 size_t size = 48) {
  return {index, active, size, std::move(alts), ""};
}

// RIM index i matches block i + 1, whose value is i + 1.
Rim Golden(std::vector<RimMeasurement> ms) {
  Rim r;
  r.colloquial_version = "1";
  r.measurements = std::move(ms);
  return r;
}

const Check* Get(const MeasurementAppraisal& a, const std::string& name) {
  for (const Check& c : a.report.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(NvidiaMeasurementsTest, MatchesWithAlternativesAndIgnoresInactive) {
  const Rim driver = Golden(
      {M(0, true, {V(9), V(1)}), M(1, false, {V(0)}), M(2, true, {V(3)})});
  const Rim vbios = Golden({M(3, true, {V(4)}), M(0, false, {V(7)})});
  const GoldenRim rims[] = {{&driver, "driver"}, {&vbios, "vbios"}};
  const auto runtime = Runtime();
  const MeasurementAppraisal a =
      CompareNvidiaMeasurements(runtime, rims, false);
  EXPECT_TRUE(a.report.ok());
  ASSERT_EQ(a.results.size(), 3u);
  EXPECT_EQ(Get(a, "measurements")->detail, "3 golden values match");
}

TEST(NvidiaMeasurementsTest, MismatchNamesTheIndexAndSource) {
  const Rim driver = Golden({M(0, true, {V(1)}), M(2, true, {V(2), V(4)})});
  const GoldenRim rims[] = {{&driver, "driver"}};
  const MeasurementAppraisal a =
      CompareNvidiaMeasurements(Runtime(), rims, false);
  ASSERT_FALSE(a.report.ok());
  EXPECT_EQ(a.report.FirstFailure()->name, "measurements");
  EXPECT_EQ(a.report.FirstFailure()->detail,
            "mismatch at RIM indices 2(driver)");
}

TEST(NvidiaMeasurementsTest, IndexActiveInBothRimsIsAConflict) {
  const Rim driver = Golden({M(0, true, {V(1)})});
  const Rim vbios = Golden({M(0, true, {V(1)})});
  const GoldenRim rims[] = {{&driver, "driver"}, {&vbios, "vbios"}};
  const MeasurementAppraisal a =
      CompareNvidiaMeasurements(Runtime(), rims, false);
  ASSERT_FALSE(a.report.ok());
  EXPECT_EQ(a.report.FirstFailure()->name, "rim.index_conflict");
}

TEST(NvidiaMeasurementsTest, SizeAndMissingBlocksFail) {
  const Rim size = Golden({M(0, true, {V(1, 32)}, 32)});
  const GoldenRim r1[] = {{&size, "driver"}};
  EXPECT_FALSE(CompareNvidiaMeasurements(Runtime(), r1, false).report.ok());
  const Rim missing = Golden({M(20, true, {V(21)})});
  const GoldenRim r2[] = {{&missing, "driver"}};
  const MeasurementAppraisal a =
      CompareNvidiaMeasurements(Runtime(), r2, false);
  ASSERT_FALSE(a.report.ok());
  EXPECT_NE(a.results[0].detail.find("no runtime measurement block 21"),
            std::string::npos);
}

TEST(NvidiaMeasurementsTest, MoreGoldenValuesThanRuntimeBlocksFail) {
  std::vector<RimMeasurement> ms;
  for (int i = 0; i < 9; ++i) {
    ms.push_back(M(i, true, {V(static_cast<uint8_t>(i + 1))}));
  }
  const Rim driver = Golden(ms);
  const GoldenRim rims[] = {{&driver, "driver"}};
  const MeasurementAppraisal a =
      CompareNvidiaMeasurements(Runtime(), rims, false);
  ASSERT_FALSE(a.report.ok());
  EXPECT_EQ(a.report.FirstFailure()->name, "measurements");
  EXPECT_NE(a.report.FirstFailure()->detail.find("more golden values"),
            std::string::npos);
}

TEST(NvidiaMeasurementsTest, Nvdec0IndexIsSkippedOnlyWhenDisabled) {
  auto runtime = Runtime();
  runtime.push_back({36, 1, V(0xEE)});  // RIM index 35
  const Rim driver = Golden({M(0, true, {V(1)}), M(35, true, {V(0x35)})});
  const GoldenRim rims[] = {{&driver, "driver"}};
  EXPECT_FALSE(CompareNvidiaMeasurements(runtime, rims, false).report.ok());
  const MeasurementAppraisal a = CompareNvidiaMeasurements(runtime, rims, true);
  EXPECT_TRUE(a.report.ok());
  EXPECT_TRUE(a.results[1].skipped);
  // Only index 35 is ever skipped.
  const Rim other = Golden({M(0, true, {V(0x99)})});
  const GoldenRim rims2[] = {{&other, "driver"}};
  EXPECT_FALSE(CompareNvidiaMeasurements(runtime, rims2, true).report.ok());
}

}  // namespace
}  // namespace cerumbra::attest
