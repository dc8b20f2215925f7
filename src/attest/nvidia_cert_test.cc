// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_cert.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attest/nvidia_opaque.h"
#include "attest/nvidia_test_util.h"
#include "attest/spdm.h"

namespace cerumbra::attest {
namespace {

crypto::Certificate Leaf(const char* chain_path) {
  Result<std::vector<crypto::Certificate>> certs =
      crypto::ParsePemCertificates(testing::MustRead(chain_path));
  CERUMBRA_CHECK(certs.ok() && !certs->empty());
  return (*certs)[0];
}

std::array<uint8_t, 48> ReportFwid(const char* report_path) {
  Result<spdm::MeasurementReport> report =
      spdm::ParseMeasurementReport(testing::MustReadHexReport(report_path));
  CERUMBRA_CHECK(report.ok());
  Result<NvidiaOpaqueInfo> opaque = ParseNvidiaOpaqueData(report->opaque_data);
  CERUMBRA_CHECK(opaque.ok() && opaque->fwid.has_value());
  return *opaque->fwid;
}

constexpr char kHopperChain[] = "nvidia-nvtrust/hopperCertChain.txt";
constexpr char kBlackwellChain[] =
    "nvidia-attestation-sdk/blackwellCertChain.txt";

TEST(NvidiaCertTest, HopperLeafFwidMatchesTheReport) {
  Result<std::array<uint8_t, 48>> fwid =
      LeafFwid(Leaf(kHopperChain), GpuArchitecture::kHopper);
  ASSERT_TRUE(fwid.ok()) << fwid.status().ToString();
  EXPECT_EQ(*fwid, ReportFwid("nvidia-nvtrust/hopperAttestationReport.txt"));
  // And it is the last 48 bytes of the extension (nvtrust's method).
  Result<std::vector<uint8_t>> ext =
      Leaf(kHopperChain).GetExtensionValue(kNvidiaFwidOidHopper);
  ASSERT_TRUE(ext.ok());
  EXPECT_TRUE(std::equal(fwid->begin(), fwid->end(), ext->end() - 48));
}

TEST(NvidiaCertTest, BlackwellLeafFwidMatchesTheReport) {
  Result<std::array<uint8_t, 48>> fwid =
      LeafFwid(Leaf(kBlackwellChain), GpuArchitecture::kBlackwell);
  ASSERT_TRUE(fwid.ok()) << fwid.status().ToString();
  EXPECT_EQ(
      *fwid,
      ReportFwid("nvidia-attestation-sdk/blackwellAttestationReport.txt"));
}

TEST(NvidiaCertTest, TheOtherArchitecturesFormIsNotFound) {
  EXPECT_EQ(
      LeafFwid(Leaf(kHopperChain), GpuArchitecture::kBlackwell).status().code(),
      StatusCode::kNotFound);
  EXPECT_EQ(
      LeafFwid(Leaf(kBlackwellChain), GpuArchitecture::kHopper).status().code(),
      StatusCode::kNotFound);
}

std::vector<uint8_t> Extension(const char* chain, const char* oid) {
  Result<std::vector<uint8_t>> ext = Leaf(chain).GetExtensionValue(oid);
  CERUMBRA_CHECK(ext.ok());
  return *ext;
}

TEST(NvidiaCertTest, MalformedHopperExtensionsFail) {
  const std::vector<uint8_t> good =
      Extension(kHopperChain, kNvidiaFwidOidHopper);
  ASSERT_TRUE(ParseHopperFwidExtension(good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseHopperFwidExtension(std::span(good).first(n)).ok()) << n;
  }
  std::vector<uint8_t> bad = good;
  bad.push_back(0);  // trailing byte
  EXPECT_FALSE(ParseHopperFwidExtension(bad).ok());
  bad = good;
  bad[5] = 2;  // version 2 (30 81 BA 02 01 <01>)
  ASSERT_EQ(good[5], 1);
  EXPECT_FALSE(ParseHopperFwidExtension(bad).ok());
  bad = good;
  // The hash OID (…04 02 02 = sha384) changed to sha256 (…04 02 01).
  const size_t oid_end = good.size() - 48 - 2 - 1;
  ASSERT_EQ(good[oid_end], 0x02);
  bad[oid_end] = 0x01;
  EXPECT_FALSE(ParseHopperFwidExtension(bad).ok());
  bad = good;
  bad[1] = 0x82;  // non-minimal long-form length
  EXPECT_FALSE(ParseHopperFwidExtension(bad).ok());
}

TEST(NvidiaCertTest, MalformedDiceTcbInfoFails) {
  const std::vector<uint8_t> good =
      Extension(kBlackwellChain, kNvidiaFwidOidBlackwell);
  ASSERT_TRUE(ParseBlackwellFwidExtension(good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseBlackwellFwidExtension(std::span(good).first(n)).ok())
        << n;
  }
  // Find the fwids field ([6], tag A6).
  size_t fwids = 0;
  for (size_t i = 3; i < good.size(); ++i) {
    if (good[i] == 0xA6) {
      fwids = i;
      break;
    }
  }
  ASSERT_NE(fwids, 0u);
  std::vector<uint8_t> bad = good;
  bad[fwids] = 0xA8;  // [8] before [7]: out of order, and no fwids
  EXPECT_FALSE(ParseBlackwellFwidExtension(bad).ok());
  bad = good;
  bad[fwids] = 0x86;  // primitive [6]
  EXPECT_FALSE(ParseBlackwellFwidExtension(bad).ok());
  bad = good;
  bad[fwids + 2 + 2 + 2 + 8] = 0x01;  // fwids[0] hash OID: sha384 -> sha256
  EXPECT_FALSE(ParseBlackwellFwidExtension(bad).ok());
}

TEST(NvidiaCertTest, SerialAndCommonName) {
  Result<std::vector<crypto::Certificate>> certs =
      crypto::ParsePemCertificates(testing::MustRead(kHopperChain));
  ASSERT_TRUE(certs.ok());
  EXPECT_EQ(SubjectCommonName((*certs)[0]), "GH100 A01 GSP FMC LF");
  EXPECT_EQ(SubjectCommonName((*certs)[1]), "GH100 A01 GSP BROM");
  EXPECT_EQ(SubjectCommonName((*certs)[4]), "NVIDIA Device Identity CA");
  // The root's serial is 2d3670b1ca100411c1fec0e82a065b54 (openssl x509
  // -serial), in decimal:
  Result<std::string> serial = CertificateSerialDecimal((*certs)[4]);
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(*serial, "60097929556477802998552141741435542356");
}

}  // namespace
}  // namespace cerumbra::attest
