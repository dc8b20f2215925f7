// Copyright 2026 The Cerumbra Authors.

#include "attest/spdm.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attest/nvidia_test_util.h"

namespace cerumbra::attest::spdm {
namespace {

using testing::MustReadHexReport;

// Builder writes a report field by field, so that each test can break
// exactly one field.
struct Builder {
  uint8_t req_version = 0x11, req_code = 0xE0, req_param1 = 0x01,
          req_param2 = 0xFF, slot = 0;
  uint8_t resp_version = 0x11, resp_code = 0x60, resp_param1 = 0,
          resp_param2 = 0;
  int number_of_blocks = -1;  // -1: blocks.size()
  int record_length = -1;     // -1: computed
  struct Block {
    uint8_t index, spec = 1, type = 1;
    std::vector<uint8_t> value;
    int measurement_size = -1;  // -1: 3 + value.size()
  };
  std::vector<Block> blocks;
  std::vector<uint8_t> opaque = {3, 0, 2, 0, '1', 0};
  std::vector<uint8_t> trailer;

  Builder() {
    for (uint8_t i = 1; i <= 4; ++i) {
      blocks.push_back({i, 1, 1, std::vector<uint8_t>(48, i)});
    }
  }

  std::vector<uint8_t> Build() const {
    std::vector<uint8_t> out = {req_version, req_code, req_param1, req_param2};
    for (uint8_t i = 0; i < 32; ++i) out.push_back(0xA0 + i);
    out.push_back(slot);
    std::vector<uint8_t> record;
    for (const Block& b : blocks) {
      const int size = b.measurement_size >= 0
                           ? b.measurement_size
                           : static_cast<int>(3 + b.value.size());
      record.insert(record.end(), {b.index, b.spec, static_cast<uint8_t>(size),
                                   static_cast<uint8_t>(size >> 8), b.type,
                                   static_cast<uint8_t>(b.value.size()),
                                   static_cast<uint8_t>(b.value.size() >> 8)});
      record.insert(record.end(), b.value.begin(), b.value.end());
    }
    const int l1 =
        record_length >= 0 ? record_length : static_cast<int>(record.size());
    out.insert(out.end(),
               {resp_version, resp_code, resp_param1, resp_param2,
                static_cast<uint8_t>(number_of_blocks >= 0 ? number_of_blocks
                                                           : blocks.size()),
                static_cast<uint8_t>(l1), static_cast<uint8_t>(l1 >> 8),
                static_cast<uint8_t>(l1 >> 16)});
    out.insert(out.end(), record.begin(), record.end());
    for (uint8_t i = 0; i < 32; ++i) out.push_back(0x50 + i);
    out.push_back(static_cast<uint8_t>(opaque.size()));
    out.push_back(static_cast<uint8_t>(opaque.size() >> 8));
    out.insert(out.end(), opaque.begin(), opaque.end());
    for (int i = 0; i < 96; ++i) out.push_back(static_cast<uint8_t>(0xC0 ^ i));
    out.insert(out.end(), trailer.begin(), trailer.end());
    return out;
  }
};

bool Parses(const Builder& b) { return ParseMeasurementReport(b.Build()).ok(); }

TEST(SpdmTest, ParsesEveryRealReport) {
  struct Sample {
    const char* path;
    size_t signed_size;
  };
  for (const Sample& s :
       {Sample{"nvidia-nvtrust/hopperAttestationReport.txt", 4021},
        Sample{"nvidia-nvtrust/attestationReport.txt", 3953},
        Sample{"nvidia-attestation-sdk/blackwellAttestationReport.txt", 4025},
        Sample{"nvidia-attestation-sdk/hopperAttestationReportInvalidSignature."
               "txt",
               4166}}) {
    const std::vector<uint8_t> bytes = MustReadHexReport(s.path);
    Result<MeasurementReport> r = ParseMeasurementReport(bytes);
    ASSERT_TRUE(r.ok()) << s.path << ": " << r.status().ToString();
    EXPECT_EQ(r->signed_size, s.signed_size) << s.path;
    EXPECT_EQ(r->signed_size + 96, bytes.size());
    EXPECT_EQ(r->padding_size, 0u);
    EXPECT_TRUE(std::equal(r->request.nonce.begin(), r->request.nonce.end(),
                           bytes.begin() + 4));
    EXPECT_TRUE(std::equal(r->responder_nonce.begin(), r->responder_nonce.end(),
                           bytes.begin() + 3565));
    EXPECT_TRUE(
        std::equal(r->signature.begin(), r->signature.end(), bytes.end() - 96));
    ASSERT_EQ(r->blocks.size(), 64u);
    for (size_t i = 0; i < 64; ++i) {
      EXPECT_EQ(r->blocks[i].index, i + 1);
      EXPECT_EQ(r->blocks[i].value.size(), 48u);
      EXPECT_EQ(r->blocks[i].value_type, 0x01);
    }
    EXPECT_EQ(r->opaque_data.size(), s.signed_size - 3599);
  }
}

TEST(SpdmTest, BuilderProducesAValidReport) {
  const Builder b;
  Result<MeasurementReport> r = ParseMeasurementReport(b.Build());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->blocks.size(), 4u);
  EXPECT_EQ(r->opaque_data, b.opaque);
  EXPECT_EQ(r->request.nonce[0], 0xA0);
  EXPECT_EQ(r->responder_nonce[0], 0x50);
  EXPECT_EQ(r->signed_size, b.Build().size() - 96);
}

TEST(SpdmTest, RejectsWrongRequestFields) {
  Builder b;
  b.req_version = 0x12;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.req_version = 0x10;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.req_code = 0xE1;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.req_param1 = 0x00;  // no signature requested
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.req_param1 = 0x03;  // reserved bit
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.req_param2 = 0x01;  // one measurement only
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.slot = 1;
  b.resp_param2 = 1;
  EXPECT_FALSE(Parses(b));
}

TEST(SpdmTest, RejectsWrongResponseFields) {
  Builder b;
  b.resp_version = 0x12;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.resp_code = 0x7F;  // ERROR
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.resp_param1 = 1;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.resp_param2 = 1;  // slot differs from the request's
  EXPECT_FALSE(Parses(b));
}

TEST(SpdmTest, BlocksMustExactlyFillTheRecord) {
  Builder b;
  b.number_of_blocks = 3;  // one block left over in L1
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.number_of_blocks = 5;  // one block missing
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.number_of_blocks = 0;
  b.blocks.clear();
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.record_length = 4 * 55 - 1;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.record_length = 4 * 55 + 1;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.record_length = 0xFFFFFF;
  EXPECT_FALSE(Parses(b));
}

TEST(SpdmTest, RejectsMalformedBlocks) {
  Builder b;
  b.blocks[1].spec = 2;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.blocks[1].measurement_size = 50;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.blocks[1].measurement_size = 52;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.blocks[2].index = b.blocks[1].index;  // duplicate
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.blocks[0].index = 0;
  EXPECT_FALSE(Parses(b));
  b = Builder();
  b.blocks[0].index = 0xFF;
  EXPECT_FALSE(Parses(b));
  // Other value sizes and order are allowed: the verifier checks sizes
  // against the golden values.
  b = Builder();
  b.blocks[0].value.resize(32);
  std::swap(b.blocks[2], b.blocks[3]);
  EXPECT_TRUE(Parses(b));
}

TEST(SpdmTest, EveryTruncationFails) {
  const std::vector<uint8_t> good = Builder().Build();
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseMeasurementReport(std::span(good).first(n)).ok()) << n;
  }
}

TEST(SpdmTest, OnlyZeroBytesMayFollowTheSignature) {
  Builder b;
  b.trailer = {0};
  Result<MeasurementReport> r = ParseMeasurementReport(b.Build());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->padding_size, 1u);
  EXPECT_EQ(r->signed_size, b.Build().size() - 97);
  b.trailer = {0, 0, 0, 0};
  EXPECT_TRUE(Parses(b));
  for (uint8_t x : {0x01, 0x80, 0xFF}) {
    b.trailer = {x};
    EXPECT_FALSE(Parses(b));
    b.trailer = {0, 0, x};
    EXPECT_FALSE(Parses(b));
  }
}

TEST(SpdmTest, OpaqueLengthIsHonoured) {
  Builder b;
  b.opaque.assign(300, 0x11);  // length needs both bytes
  Result<MeasurementReport> r = ParseMeasurementReport(b.Build());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->opaque_data.size(), 300u);
  // Opaque data that claims more than there is.
  std::vector<uint8_t> bytes = Builder().Build();
  const size_t opaque_length_at = 37 + 8 + 4 * 55 + 32;
  bytes[opaque_length_at] = 0xFF;
  bytes[opaque_length_at + 1] = 0x00;
  EXPECT_FALSE(ParseMeasurementReport(bytes).ok());
}

TEST(SpdmTest, RejectsOversizeInput) {
  Builder b;
  b.trailer.assign(kMaxReportSize, 0);
  EXPECT_FALSE(Parses(b));
  b.trailer.assign(kMaxReportSize - Builder().Build().size(), 0);
  EXPECT_TRUE(Parses(b));
}

}  // namespace
}  // namespace cerumbra::attest::spdm
