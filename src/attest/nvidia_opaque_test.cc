// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_opaque.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attest/nvidia_test_util.h"
#include "attest/spdm.h"

namespace cerumbra::attest {
namespace {

void Add(std::vector<uint8_t>& out, uint16_t type, std::vector<uint8_t> value) {
  out.push_back(static_cast<uint8_t>(type));
  out.push_back(static_cast<uint8_t>(type >> 8));
  out.push_back(static_cast<uint8_t>(value.size()));
  out.push_back(static_cast<uint8_t>(value.size() >> 8));
  out.insert(out.end(), value.begin(), value.end());
}

std::vector<uint8_t> Text(const std::string& s, size_t pad = 1) {
  std::vector<uint8_t> v(s.begin(), s.end());
  v.resize(v.size() + pad, 0);
  return v;
}

std::vector<uint8_t> Full() {
  std::vector<uint8_t> o;
  Add(o, 6, {0x00, 0x9f, 0x00, 0x96, 0x01, 0x00, 0x00, 0x00});
  Add(o, 14, {0xb1, 0x03, 0x00, 0x00});
  Add(o, 15, Text("882", 6));
  Add(o, 16, Text("0", 4));
  Add(o, 17, Text("1010"));
  Add(o, 18, Text("0200"));
  Add(o, 19, {0, 0});
  Add(o, 3, Text("550.90.07"));
  Add(o, 4, {0x80, 1, 0, 0, 0, 0, 0, 0});
  Add(o, 12, std::vector<uint8_t>(64 * 4, 1));
  Add(o, 11, {0x55});
  Add(o, 20, std::vector<uint8_t>(48, 0xF5));
  Add(o, 21, {0x55});
  Add(o, 34, {1, 0});
  Add(o, 35, Text("GB202"));
  Add(o, 36, {2, 0});
  Add(o, 99, {1, 2, 3});  // unknown: kept as a type only
  return o;
}

TEST(NvidiaOpaqueTest, DecodesEveryKnownField) {
  Result<NvidiaOpaqueInfo> r = ParseNvidiaOpaqueData(Full());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->driver_version, "550.90.07");
  EXPECT_EQ(r->vbios_version, "96.00.9F.00.01");
  EXPECT_EQ(r->board_id, 0x3b1u);
  EXPECT_EQ(r->chip_sku, "882");
  EXPECT_EQ(r->chip_sku_mod, "0");
  EXPECT_EQ(r->project, "1010");
  EXPECT_EQ(r->project_sku, "0200");
  EXPECT_EQ(r->project_sku_mod, "");
  EXPECT_EQ(r->chip_info, "GB202");
  EXPECT_EQ(r->gpu_info.size(), 8u);
  EXPECT_EQ(r->measurement_counts.size(), 64u);
  EXPECT_EQ(r->measurement_counts[0], 0x01010101u);
  EXPECT_EQ(r->nvdec0_status, 0x55);
  EXPECT_EQ(r->protected_pcie_status, 0x55);
  EXPECT_EQ(r->opaque_data_version, 1);
  EXPECT_EQ(r->feature_flag, 2);
  ASSERT_TRUE(r->fwid.has_value());
  EXPECT_EQ((*r->fwid)[47], 0xF5);
  EXPECT_EQ(r->types_present.size(), 17u);
  EXPECT_EQ(r->types_present.back(), 99);
}

TEST(NvidiaOpaqueTest, EmptyIsValidButHasNothing) {
  Result<NvidiaOpaqueInfo> r = ParseNvidiaOpaqueData({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->driver_version.empty());
  EXPECT_FALSE(r->fwid.has_value());
}

TEST(NvidiaOpaqueTest, EntriesMustFillTheDataExactly) {
  std::vector<uint8_t> o = Full();
  for (size_t n = 1; n <= 4; ++n) {
    std::vector<uint8_t> cut(o.begin(), o.end() - static_cast<long>(n));
    EXPECT_FALSE(ParseNvidiaOpaqueData(cut).ok()) << n;
  }
  o.push_back(0);  // a stray byte: not even an entry header
  EXPECT_FALSE(ParseNvidiaOpaqueData(o).ok());
}

TEST(NvidiaOpaqueTest, RejectsDuplicatesAndWrongSizes) {
  std::vector<uint8_t> o = Full();
  Add(o, 3, Text("1.0"));
  EXPECT_FALSE(ParseNvidiaOpaqueData(o).ok());
  struct Bad {
    uint16_t type;
    std::vector<uint8_t> value;
  };
  for (const Bad& bad :
       {Bad{6, std::vector<uint8_t>(7, 0)}, Bad{14, {1, 2, 3}},
        Bad{20, std::vector<uint8_t>(47, 0)},
        Bad{20, std::vector<uint8_t>(49, 0)}, Bad{11, {}},
        Bad{11, {0x55, 0x55}}, Bad{21, {}}, Bad{34, {1}}, Bad{36, {1, 0, 0}},
        Bad{12, {1, 2, 3}}, Bad{3, {'5', 0, '1'}},  // text after the NUL
        Bad{3, {'5', '\n', 0}},                     // not printable
        Bad{17, {0xC3, 0xA9, 0}}}) {                // not ASCII
    std::vector<uint8_t> one;
    Add(one, bad.type, bad.value);
    EXPECT_FALSE(ParseNvidiaOpaqueData(one).ok()) << bad.type;
  }
}

TEST(NvidiaOpaqueTest, DecodesTheRealReports) {
  struct Sample {
    const char* path;
    const char* driver;
    const char* vbios;
    bool fwid;
  };
  for (const Sample& s :
       {Sample{"nvidia-nvtrust/hopperAttestationReport.txt", "550.90.07",
               "96.00.9F.00.01", true},
        Sample{"nvidia-nvtrust/attestationReport.txt", "545.00",
               "96.00.5E.00.01", false},
        Sample{"nvidia-attestation-sdk/blackwellAttestationReport.txt",
               "575.32", "97.00.88.00.0F", true}}) {
    Result<spdm::MeasurementReport> report =
        spdm::ParseMeasurementReport(testing::MustReadHexReport(s.path));
    ASSERT_TRUE(report.ok());
    Result<NvidiaOpaqueInfo> r = ParseNvidiaOpaqueData(report->opaque_data);
    ASSERT_TRUE(r.ok()) << s.path;
    EXPECT_EQ(r->driver_version, s.driver);
    EXPECT_EQ(r->vbios_version, s.vbios);
    EXPECT_EQ(r->fwid.has_value(), s.fwid);
  }
}

}  // namespace
}  // namespace cerumbra::attest
