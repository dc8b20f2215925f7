// Copyright 2026 The Cerumbra Authors.

#include "protocol/wire.h"

#include <gtest/gtest.h>

namespace cerumbra::protocol {
namespace {

TEST(WireTest, SizesMatchTheSpecification) {
  EXPECT_EQ(kRecordHeaderSize, 10u);
  EXPECT_EQ(kRecordAadSize, 26u);
  EXPECT_EQ(kMaxPayloadSize, 16379u);
  EXPECT_EQ(kMaxRecordFrameSize, 16410u);
  EXPECT_EQ(kMinRecordFrameSize, 31u);
}

TEST(WireTest, PaddedSizeIsTheSmallestBucketThatHoldsTheRecord) {
  EXPECT_EQ(PaddedPlaintextSize(0, true), 64u);
  EXPECT_EQ(PaddedPlaintextSize(59, true), 64u);
  EXPECT_EQ(PaddedPlaintextSize(60, true), 256u);
  EXPECT_EQ(PaddedPlaintextSize(251, true), 256u);
  EXPECT_EQ(PaddedPlaintextSize(252, true), 1024u);
  EXPECT_EQ(PaddedPlaintextSize(1019, true), 1024u);
  EXPECT_EQ(PaddedPlaintextSize(1020, true), 4096u);
  EXPECT_EQ(PaddedPlaintextSize(4091, true), 4096u);
  EXPECT_EQ(PaddedPlaintextSize(4092, true), 16384u);
  EXPECT_EQ(PaddedPlaintextSize(kMaxPayloadSize, true), 16384u);
}

TEST(WireTest, UnpaddedSizeIsHeaderPlusPayload) {
  EXPECT_EQ(PaddedPlaintextSize(0, false), 5u);
  EXPECT_EQ(PaddedPlaintextSize(100, false), 105u);
  EXPECT_EQ(PaddedPlaintextSize(kMaxPayloadSize, false), 16384u);
}

TEST(WireTest, OnlyTheFiveContentTypesAreValid) {
  EXPECT_FALSE(IsValidContentType(0));
  for (uint8_t t = 1; t <= 5; ++t) EXPECT_TRUE(IsValidContentType(t));
  EXPECT_FALSE(IsValidContentType(6));
  EXPECT_FALSE(IsValidContentType(0x17));
  EXPECT_FALSE(IsValidContentType(0xff));
}

TEST(WireTest, DefaultLimitsAreTheSpecificationsAndValid) {
  const Limits limits;
  EXPECT_EQ(limits.max_request_frame, 1024u);
  EXPECT_EQ(limits.max_response_frame, 262144u);
  EXPECT_EQ(limits.max_message, 1048576u);
  EXPECT_EQ(limits.records_per_key, 65536u);
  EXPECT_TRUE(ValidateLimits(limits).ok());
}

TEST(WireTest, ValidateLimitsRejectsUnusableValues) {
  Limits limits;
  limits.records_per_key = 1;
  EXPECT_EQ(ValidateLimits(limits).code(), StatusCode::kInvalidArgument);
  limits.records_per_key = kMaxRecordsPerKey + 1;
  EXPECT_EQ(ValidateLimits(limits).code(), StatusCode::kInvalidArgument);
  limits.records_per_key = 2;
  EXPECT_TRUE(ValidateLimits(limits).ok());
  limits.max_response_frame = kMaxAttestResponseSize + 1;
  EXPECT_EQ(ValidateLimits(limits).code(), StatusCode::kInvalidArgument);
  limits.max_response_frame = 100;
  EXPECT_TRUE(ValidateLimits(limits).ok());
  limits.max_request_frame = kMaxAttestRequestSize + 1;
  EXPECT_EQ(ValidateLimits(limits).code(), StatusCode::kInvalidArgument);
  limits.max_request_frame = kMaxAttestRequestSize;
  limits.max_message = 0;
  EXPECT_EQ(ValidateLimits(limits).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cerumbra::protocol
