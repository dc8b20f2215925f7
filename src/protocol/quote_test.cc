// Copyright 2026 The Cerumbra Authors.

#include "protocol/quote.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/sha.h"
#include "crypto/test_util.h"
#include "protocol/test_util.h"

namespace cerumbra::protocol {
namespace {

using crypto::testing::AsBytes;

Quote SampleQuote() {
  Quote quote;
  quote.evidence_type = EvidenceType::kNvidiaGpu;
  quote.timestamp_ms = 0x0102030405060708;
  for (size_t i = 0; i < kNonceSize; ++i) quote.client_nonce[i] = 0x10 + i;
  quote.client_public_key.fill(0xc1);
  quote.client_public_key[0] = 0x04;
  quote.node_public_key.fill(0xd1);
  quote.node_public_key[0] = 0x04;
  quote.evidence_digest.fill(0xee);
  quote.measurements = testing::TestMeasurements();
  return quote;
}

std::vector<uint8_t> Encoded(const Quote& quote) {
  Result<std::vector<uint8_t>> bytes = EncodeQuote(quote);
  CERUMBRA_CHECK(bytes.ok());
  return *bytes;
}

void ExpectParseFails(const std::vector<uint8_t>& bytes) {
  const Result<Quote> quote = ParseQuote(bytes);
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.status().code(), StatusCode::kInvalidArgument);
}

TEST(QuoteTest, EncodeThenParseRoundTrips) {
  const Quote quote = SampleQuote();
  const std::vector<uint8_t> bytes = Encoded(quote);
  const Result<Quote> parsed = ParseQuote(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, quote);
  EXPECT_EQ(Encoded(*parsed), bytes);
}

TEST(QuoteTest, EncodingFollowsTheLayoutOfTheSpec) {
  const Quote quote = SampleQuote();
  const std::vector<uint8_t> bytes = Encoded(quote);
  // magic, version 1, evidence type, reserved, timestamp (big-endian).
  const std::vector<uint8_t> head = {0x43, 0x42, 0x51, 0x31, 0x00, 0x01,
                                     0x02, 0x00, 0x01, 0x02, 0x03, 0x04,
                                     0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 16), head);
  EXPECT_EQ(bytes[16], 0x10);  // client_nonce
  EXPECT_EQ(bytes[48], 0x04);  // client_public_key
  EXPECT_EQ(bytes[49], 0xc1);
  EXPECT_EQ(bytes[113], 0x04);  // node_public_key
  EXPECT_EQ(bytes[114], 0xd1);
  EXPECT_EQ(bytes[178], 0xee);  // evidence_digest
  EXPECT_EQ(bytes[226], 4);     // measurement_count
  EXPECT_EQ(bytes[227], 6);     // "config"
  EXPECT_EQ(std::string(bytes.begin() + 228, bytes.begin() + 234), "config");
  EXPECT_EQ(bytes[234], 48);
  // 227 + 4 * (1 + 1 + 48) + the four names.
  EXPECT_EQ(bytes.size(), 227u + 4 * 50 + 6 + 10 + 5 + 3);
}

TEST(QuoteTest, LargestQuoteIsTheSpecMaximum) {
  EXPECT_EQ(kMaxQuoteSize, 4387u);  // 227 + 32 * (1 + 64 + 1 + 64)
  Quote quote = SampleQuote();
  quote.measurements.clear();
  for (int i = 0; i < 32; ++i) {
    std::string name(64, 'a');
    name[62] = static_cast<char>('a' + i / 10);
    name[63] = static_cast<char>('0' + i % 10);
    quote.measurements.push_back({name, std::vector<uint8_t>(64, 0x5a)});
  }
  const std::vector<uint8_t> bytes = Encoded(quote);
  EXPECT_EQ(bytes.size(), kMaxQuoteSize);
  EXPECT_TRUE(ParseQuote(bytes).ok());
}

TEST(QuoteTest, ParseRejectsBadMagic) {
  std::vector<uint8_t> bytes = Encoded(SampleQuote());
  bytes[3] = '2';
  ExpectParseFails(bytes);
}

TEST(QuoteTest, ParseRejectsAnotherVersion) {
  std::vector<uint8_t> bytes = Encoded(SampleQuote());
  bytes[5] = 2;
  ExpectParseFails(bytes);
  bytes[5] = 1;
  bytes[4] = 1;  // version 257
  ExpectParseFails(bytes);
}

TEST(QuoteTest, ParseRejectsUnknownEvidenceType) {
  std::vector<uint8_t> bytes = Encoded(SampleQuote());
  for (uint8_t type : {0, 3, 255}) {
    bytes[6] = type;
    ExpectParseFails(bytes);
  }
}

TEST(QuoteTest, ParseRejectsNonZeroReservedByte) {
  std::vector<uint8_t> bytes = Encoded(SampleQuote());
  bytes[7] = 1;
  ExpectParseFails(bytes);
}

TEST(QuoteTest, ParseRejectsTrailingBytes) {
  std::vector<uint8_t> bytes = Encoded(SampleQuote());
  bytes.push_back(0);
  ExpectParseFails(bytes);
}

TEST(QuoteTest, ParseRejectsEveryTruncation) {
  const std::vector<uint8_t> bytes = Encoded(SampleQuote());
  for (size_t size = 0; size < bytes.size(); ++size) {
    ExpectParseFails(std::vector<uint8_t>(bytes.begin(), bytes.begin() + size));
  }
}

TEST(QuoteTest, ParseRejectsUnsortedMeasurements) {
  // Swap "config" (6 chars) and "executable" (10 chars) by re-encoding the
  // tail by hand, since EncodeQuote refuses to.
  Quote quote = SampleQuote();
  quote.measurements.resize(2);
  std::vector<uint8_t> bytes = Encoded(quote);
  bytes.resize(kQuoteFixedSize);
  for (int i : {1, 0}) {
    const Measurement& m = quote.measurements[i];
    bytes.push_back(static_cast<uint8_t>(m.name.size()));
    bytes.insert(bytes.end(), m.name.begin(), m.name.end());
    bytes.push_back(static_cast<uint8_t>(m.value.size()));
    bytes.insert(bytes.end(), m.value.begin(), m.value.end());
  }
  ExpectParseFails(bytes);
}

TEST(QuoteTest, ParseRejectsDuplicateNames) {
  Quote quote = SampleQuote();
  quote.measurements = {{"model", {1}}, {"modem", {2}}};
  std::vector<uint8_t> bytes = Encoded(quote);
  bytes[bytes.size() - 3] = 'l';  // "modem" -> "model"
  ExpectParseFails(bytes);
}

TEST(QuoteTest, ParseRejectsBadCountsAndLengths) {
  const std::vector<uint8_t> fixed = [] {
    std::vector<uint8_t> bytes = Encoded(SampleQuote());
    bytes.resize(kQuoteFixedSize - 1);
    return bytes;
  }();
  // WithTail returns the fixed fields followed by `tail` (count onwards).
  const auto with_tail = [&](std::vector<uint8_t> tail) {
    std::vector<uint8_t> bytes = fixed;
    bytes.insert(bytes.end(), tail.begin(), tail.end());
    return bytes;
  };
  ASSERT_TRUE(ParseQuote(with_tail({1, 1, 'm', 1, 7})).ok());
  ExpectParseFails(with_tail({0}));                 // no measurement
  ExpectParseFails(with_tail({33, 1, 'm', 1, 7}));  // count > 32
  ExpectParseFails(with_tail({2, 1, 'm', 1, 7}));   // count too high
  ExpectParseFails(with_tail({1, 0, 1, 7}));        // empty name
  ExpectParseFails(with_tail({1, 1, 'm', 0}));      // empty value
  ExpectParseFails(with_tail({1, 1, 'M', 1, 7}));   // upper case
  ExpectParseFails(with_tail({1, 1, '/', 1, 7}));   // outside charset
  ExpectParseFails(with_tail({1, 1, 0x80, 1, 7}));  // not ASCII
  std::vector<uint8_t> long_name = {1, 65};
  long_name.insert(long_name.end(), 65, 'a');
  long_name.insert(long_name.end(), {1, 7});
  ExpectParseFails(with_tail(long_name));
  std::vector<uint8_t> long_value = {1, 1, 'm', 65};
  long_value.insert(long_value.end(), 65, 7);
  ExpectParseFails(with_tail(long_value));
}

TEST(QuoteTest, EncodeRejectsQuotesWithoutCanonicalEncoding) {
  const auto rejects = [](const Quote& quote) {
    return EncodeQuote(quote).status().code() == StatusCode::kInvalidArgument;
  };
  Quote quote = SampleQuote();
  quote.measurements = {};
  EXPECT_TRUE(rejects(quote));
  quote.measurements = {{"b", {1}}, {"a", {1}}};
  EXPECT_TRUE(rejects(quote));
  quote.measurements = {{"a", {1}}, {"a", {2}}};
  EXPECT_TRUE(rejects(quote));
  quote.measurements = {{"Config", {1}}};
  EXPECT_TRUE(rejects(quote));
  quote.measurements = {{std::string(65, 'a'), {1}}};
  EXPECT_TRUE(rejects(quote));
  quote.measurements = {{"a", std::vector<uint8_t>(65, 1)}};
  EXPECT_TRUE(rejects(quote));
  quote.measurements = {{"a", {}}};
  EXPECT_TRUE(rejects(quote));
  quote.measurements = std::vector<Measurement>(33, {"a", {1}});
  EXPECT_TRUE(rejects(quote));
  quote.measurements = {{"a.b_c-9", {1}}};
  EXPECT_FALSE(rejects(quote));
  quote.evidence_type = static_cast<EvidenceType>(3);
  EXPECT_TRUE(rejects(quote));
}

TEST(QuoteTest, TranscriptHashIsSha256OfLabelZeroAndQuote) {
  const std::vector<uint8_t> bytes = Encoded(SampleQuote());
  std::vector<uint8_t> input;
  const std::string label = "cerumbra-v1 transcript";
  input.insert(input.end(), label.begin(), label.end());
  input.push_back(0x00);
  input.insert(input.end(), bytes.begin(), bytes.end());
  EXPECT_EQ(*TranscriptHash(bytes), *crypto::Sha256(input));
}

TEST(QuoteTest, GpuNonceIsSha256OfLabelNonceAndBothKeys) {
  const Quote quote = SampleQuote();
  std::vector<uint8_t> input;
  const std::string label = "cerumbra-v1 nvidia-gpu nonce";
  input.insert(input.end(), label.begin(), label.end());
  input.insert(input.end(), quote.client_nonce.begin(),
               quote.client_nonce.end());
  input.insert(input.end(), quote.client_public_key.begin(),
               quote.client_public_key.end());
  input.insert(input.end(), quote.node_public_key.begin(),
               quote.node_public_key.end());
  EXPECT_EQ(*GpuNonce(quote.client_nonce, quote.client_public_key,
                      quote.node_public_key),
            *crypto::Sha256(input));
}

}  // namespace
}  // namespace cerumbra::protocol
