// Copyright 2026 The Cerumbra Authors.

#include "attest/policy.h"

#include <gtest/gtest.h>

#include <string>

namespace cerumbra::attest {
namespace {

Policy Sample() {
  Policy p;
  p.quote_roots = {{0x30, 0x01, 0x02}};
  p.accept_simulated = true;
  p.accept_gpu_only_evidence = true;
  p.measurements = {
      {"executable", {std::vector<uint8_t>(48, 0xaa)}},
      {"model", {std::vector<uint8_t>(48, 1), std::vector<uint8_t>(48, 2)}}};
  p.max_age_seconds = 120;
  p.max_future_seconds = 30;
  p.nvidia_rims = {{'<', 'x', '/', '>'}};
  p.nvidia_require_rim_appraisal = false;
  return p;
}

TEST(PolicyTest, DefaultsAreStrict) {
  const Policy p;
  EXPECT_FALSE(p.accept_simulated);
  EXPECT_FALSE(p.accept_gpu_only_evidence);
  EXPECT_TRUE(Strict(p));
  EXPECT_EQ(p.max_age_seconds, 300);
  EXPECT_EQ(p.max_future_seconds, 60);
  EXPECT_TRUE(p.nvidia_require_rim_appraisal);
  Result<Policy> minimal =
      ParsePolicyJson(R"({"format":"cerumbra-policy-v1"})");
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(*minimal, p);
}

TEST(PolicyTest, JsonRoundTrips) {
  const Policy p = Sample();
  const std::string text = SerializePolicyJson(p);
  Result<Policy> back = ParsePolicyJson(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  EXPECT_EQ(SerializePolicyJson(*back), text);
}

TEST(PolicyTest, ParsesTheDocumentedExample) {
  Result<Policy> p = ParsePolicyJson(R"({
    "format": "cerumbra-policy-v1",
    "comment": "pins one node",
    "accept_simulated": true,
    "quote_roots": ["MAEC"],
    "measurements": {"web": ["00ff"], "config": ["01", "02"]},
    "max_age_seconds": 60,
    "nvidia": {"rims": [], "require_rim_appraisal": true}
  })");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->measurements.size(), 2u);
  EXPECT_EQ(p->measurements[0].name, "config");  // sorted
  EXPECT_EQ(p->measurements[0].allowed.size(), 2u);
  EXPECT_EQ(p->quote_roots[0], (std::vector<uint8_t>{0x30, 0x01, 0x02}));
}

TEST(PolicyTest, GpuOnlyEvidenceIsAcceptedOnlyByItsOwnMember) {
  Result<Policy> gpu = ParsePolicyJson(
      R"({"format":"cerumbra-policy-v1","accept_gpu_only_evidence":true})");
  ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
  EXPECT_TRUE(gpu->accept_gpu_only_evidence);
  EXPECT_FALSE(gpu->accept_simulated);
  EXPECT_FALSE(Strict(*gpu));
  Result<Policy> sim = ParsePolicyJson(
      R"({"format":"cerumbra-policy-v1","accept_simulated":true})");
  ASSERT_TRUE(sim.ok());
  EXPECT_FALSE(sim->accept_gpu_only_evidence);
}

TEST(PolicyTest, RejectsAnythingThatCouldWeakenIt) {
  for (const char* bad : {
           R"({"format":"cerumbra-policy-v2"})",
           R"({"accept_simulated":true})",
           R"({"format":"cerumbra-policy-v1","accept_simulatd":true})",
           R"({"format":"cerumbra-policy-v1","accept_simulated":"yes"})",
           R"({"format":"cerumbra-policy-v1","accept_gpu_only_evidence":1})",
           R"({"format":"cerumbra-policy-v1","accept_gpu_only":true})",
           R"({"format":"cerumbra-policy-v1","quote_roots":["MAEC="]})",
           R"({"format":"cerumbra-policy-v1","quote_roots":"MAEC"})",
           R"({"format":"cerumbra-policy-v1","measurements":{"web":[]}})",
           R"({"format":"cerumbra-policy-v1","measurements":{"web":["0g"]}})",
           R"({"format":"cerumbra-policy-v1","measurements":{"web":"00"}})",
           R"({"format":"cerumbra-policy-v1","max_age_seconds":0})",
           R"({"format":"cerumbra-policy-v1","max_age_seconds":1.5})",
           R"({"format":"cerumbra-policy-v1","max_future_seconds":61})",
           R"({"format":"cerumbra-policy-v1","nvidia":{"rim":[]}})",
           R"({"format":"cerumbra-policy-v1","accept_simulated":false,)"
           R"("accept_simulated":true})",
           R"({"format":"cerumbra-policy-v1","measurements":{"web":["00"],)"
           R"("web":["01"]}})",
           "[]",
           "not json",
       }) {
    EXPECT_EQ(ParsePolicyJson(bad).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace cerumbra::attest
