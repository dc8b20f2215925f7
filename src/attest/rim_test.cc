// Copyright 2026 The Cerumbra Authors.

#include "attest/rim.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "attest/nvidia_test_util.h"
#include "attest/nvidia_verifier.h"

namespace cerumbra::attest {
namespace {

using testing::Bytes;
using testing::MustRead;

constexpr char kDriverRim[] =
    "nvidia-nvtrust/Driver_RIM_test_no_gpu.swidtag.xml";
constexpr char kVbiosRim[] =
    "nvidia-nvtrust/1010_0200_882_96005E0001_test_no_gpu.swidtag.xml";
constexpr char kDriver550Rim[] =
    "nvidia-attestation-sdk/NV_GPU_DRIVER_GH100_550.144.03.xml";
constexpr char kBadSignatureRim[] =
    "nvidia-attestation-sdk/incorrect_signature_driver_rim.xml";
constexpr char kDebugRootRim[] =
    "nvidia-attestation-sdk/incorrect_cert_chain_driver_rim.xml";

std::chrono::sys_seconds At(int y, unsigned m, unsigned d) {
  return std::chrono::sys_seconds(
      std::chrono::seconds(testing::UnixSeconds(y, m, d)));
}

crypto::Certificate RimRoot() {
  Result<crypto::Certificate> root =
      crypto::Certificate::FromDer(DefaultNvidiaRimRootDer());
  CERUMBRA_CHECK(root.ok());
  return *root;
}

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(RimTest, ParsesTheDriverRim) {
  Result<Rim> rim = ParseRim(Bytes(MustRead(kDriverRim)));
  ASSERT_TRUE(rim.ok()) << rim.status().ToString();
  EXPECT_EQ(rim->colloquial_version, "545.00");
  EXPECT_EQ(rim->product, "GH100");
  EXPECT_EQ(rim->name, "GH100");
  EXPECT_EQ(rim->platform_manufacturer_id, "5703");
  EXPECT_EQ(rim->tag_id.size(), 96u);
  ASSERT_EQ(rim->measurements.size(), 64u);
  size_t active = 0;
  for (const RimMeasurement& m : rim->measurements) {
    EXPECT_EQ(m.size, 48u);
    if (!m.active) continue;
    ++active;
    for (const auto& alt : m.alternatives) EXPECT_EQ(alt.size(), 48u);
  }
  // 21 active: 7 and 21..40 (design doc, test-vector README).
  EXPECT_EQ(active, 21u);
  EXPECT_TRUE(rim->measurements[7].active);
  EXPECT_EQ(rim->measurements[23].alternatives.size(), 2u);
}

TEST(RimTest, ParsesTheVbiosRim) {
  Result<Rim> rim = ParseRim(Bytes(MustRead(kVbiosRim)));
  ASSERT_TRUE(rim.ok());
  EXPECT_EQ(rim->colloquial_version, "96.00.5E.00.01");
  size_t active = 0;
  for (const RimMeasurement& m : rim->measurements) active += m.active;
  EXPECT_EQ(active, 12u);
}

TEST(RimTest, VerifyRimPassesGenuineRims) {
  for (const auto& [path, at] : {std::pair{kDriverRim, At(2024, 6, 1)},
                                 std::pair{kVbiosRim, At(2024, 6, 1)},
                                 std::pair{kDriver550Rim, At(2025, 9, 1)}}) {
    const RimVerification v = VerifyRim(Bytes(MustRead(path)), RimRoot(), at);
    EXPECT_TRUE(v.report.ok()) << path;
    EXPECT_TRUE(v.rim.has_value());
    EXPECT_EQ(v.chain_subjects.size(), 4u);
  }
}

const Check* FirstFailure(const RimVerification& v) {
  return v.report.FirstFailure();
}

TEST(RimTest, VerifyRimNamesTheFailedCheck) {
  RimVerification v =
      VerifyRim(Bytes(MustRead(kBadSignatureRim)), RimRoot(), At(2025, 9, 1));
  ASSERT_NE(FirstFailure(v), nullptr);
  EXPECT_EQ(FirstFailure(v)->name, "signature");
  EXPECT_FALSE(v.rim.has_value());

  v = VerifyRim(Bytes(MustRead(kDebugRootRim)), RimRoot(), At(2025, 9, 1));
  ASSERT_NE(FirstFailure(v), nullptr);
  EXPECT_EQ(FirstFailure(v)->name, "chain");
  EXPECT_NE(FirstFailure(v)->detail.find("Debug"), std::string::npos);

  // Expired signer.
  v = VerifyRim(Bytes(MustRead(kDriverRim)), RimRoot(), At(2025, 9, 1));
  ASSERT_NE(FirstFailure(v), nullptr);
  EXPECT_EQ(FirstFailure(v)->name, "chain");

  // Wrong root.
  Result<crypto::Certificate> device_root =
      crypto::Certificate::FromDer(DefaultNvidiaDeviceRootDer());
  ASSERT_TRUE(device_root.ok());
  v = VerifyRim(Bytes(MustRead(kDriverRim)), *device_root, At(2024, 6, 1));
  ASSERT_NE(FirstFailure(v), nullptr);
  EXPECT_EQ(FirstFailure(v)->name, "chain");

  // No KeyInfo at all.
  v = VerifyRim(Bytes(std::string("<a/>")), RimRoot(), At(2024, 6, 1));
  ASSERT_NE(FirstFailure(v), nullptr);
  EXPECT_EQ(FirstFailure(v)->name, "chain");
}

// ParseRim's strictness (these documents are unsigned: ParseRim alone).
TEST(RimTest, ParseRejectsMalformedDocuments) {
  const std::string good = MustRead(kDriverRim);
  ASSERT_TRUE(ParseRim(Bytes(good)).ok());
  const std::string r7 = "index=\"7\" active=\"True\" alternatives=\"1\"";
  const std::vector<std::string> bad = {
      "",
      "<a/>",
      "not xml",
      Replace(good, "<ns0:Payload", "<ns0:Meta/><ns0:Payload"),
      Replace(good, "</ns0:Payload>", "</ns0:Payload><ns0:Payload/>"),
      Replace(good, r7, "index=\"07\" active=\"True\" alternatives=\"1\""),
      Replace(good, r7, "index=\"8\" active=\"True\" alternatives=\"1\""),
      Replace(good, r7, "index=\"256\" active=\"True\" alternatives=\"1\""),
      Replace(good, r7, "index=\"-7\" active=\"True\" alternatives=\"1\""),
      Replace(good, r7, "index=\"7\" active=\"true\" alternatives=\"1\""),
      Replace(good, r7, "index=\"7\" active=\"True\" alternatives=\"2\""),
      Replace(good, r7, "index=\"7\" active=\"True\" alternatives=\"0\""),
      Replace(good, r7,
              "index=\"7\" active=\"True\" alternatives=\"1\" x=\"1\""),
      Replace(
          good, r7,
          "index=\"7\" active=\"True\" alternatives=\"1\" ns2:Hash1=\"00\""),
      Replace(good, "type=\"Measurement\" index=\"7\"",
              "type=\"Other\" index=\"7\""),
      Replace(good, "size=\"48\"", "size=\"47\""),
      Replace(good, "colloquialVersion=\"545.00\"", "colloquialVersion=\"\""),
      Replace(good, "<ns0:Payload xmlns:SHA384",
              "<ns0:Payload><ns0:Foo/></ns0:Payload><ns0:Junk xmlns:SHA384"),
      "<!DOCTYPE x [<!ENTITY e \"v\">]>" + good,
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_FALSE(ParseRim(Bytes(bad[i])).ok()) << i;
  }
}

TEST(RimTest, ResourcesInsideTheSignatureAreNotRead) {
  // Only SoftwareIdentity/Payload/Resource counts: a Resource hidden in the
  // Signature's Object (outside the signed content) is never seen.
  const std::string good = MustRead(kDriverRim);
  const std::string hidden = Replace(
      good, "</ds:Signature>",
      "<ds:Object><ns0:Payload><ns0:Resource type=\"Measurement\" index=\"99\" "
      "active=\"True\" alternatives=\"1\" size=\"1\" ns2:Hash0=\"00\"/>"
      "</ns0:Payload></ds:Object></ds:Signature>");
  Result<Rim> rim = ParseRim(Bytes(hidden));
  ASSERT_TRUE(rim.ok());
  for (const RimMeasurement& m : rim->measurements) EXPECT_NE(m.index, 99);
  // The enveloped-signature transform drops the whole Signature from the
  // digest, so the document still verifies: the hidden Resource is simply
  // never read, by ParseRim or by VerifyRim.
  const RimVerification v = VerifyRim(Bytes(hidden), RimRoot(), At(2024, 6, 1));
  ASSERT_TRUE(v.report.ok());
  ASSERT_TRUE(v.rim.has_value());
  for (const RimMeasurement& m : v.rim->measurements) EXPECT_NE(m.index, 99);
}

}  // namespace
}  // namespace cerumbra::attest
