// Copyright 2026 The Cerumbra Authors.

#include "crypto/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/test_util.h"

namespace cerumbra::crypto::internal {
namespace {

using testing::AsBytes;

std::vector<uint8_t> Vec(std::string_view s) {
  auto b = AsBytes(s);
  return {b.begin(), b.end()};
}

// RFC 4648 §10 test vectors (base64url differs only in padding here).
struct Rfc4648Case {
  const char* plain;
  const char* unpadded;
  const char* padded;
};
constexpr Rfc4648Case kRfc4648[] = {
    {"", "", ""},
    {"f", "Zg", "Zg=="},
    {"fo", "Zm8", "Zm8="},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg", "Zm9vYg=="},
    {"fooba", "Zm9vYmE", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

TEST(Base64Test, UrlEncodeMatchesRfc4648Vectors) {
  for (const auto& c : kRfc4648) {
    EXPECT_EQ(Base64UrlEncode(AsBytes(c.plain)), c.unpadded) << c.plain;
  }
}

TEST(Base64Test, UrlDecodeMatchesRfc4648Vectors) {
  for (const auto& c : kRfc4648) {
    Result<std::vector<uint8_t>> decoded = Base64UrlDecode(c.unpadded);
    ASSERT_TRUE(decoded.ok()) << c.unpadded;
    EXPECT_EQ(*decoded, Vec(c.plain));
  }
}

TEST(Base64Test, StdDecodeMatchesRfc4648Vectors) {
  for (const auto& c : kRfc4648) {
    Result<std::vector<uint8_t>> decoded = Base64Decode(c.padded);
    ASSERT_TRUE(decoded.ok()) << c.padded;
    EXPECT_EQ(*decoded, Vec(c.plain));
  }
}

TEST(Base64Test, UrlAlphabetUsesDashAndUnderscore) {
  const std::vector<uint8_t> bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(*Base64UrlDecode("-_-_"), bytes);
  EXPECT_FALSE(Base64UrlDecode("+/+/").ok());
  EXPECT_EQ(*Base64Decode("+/+/"), bytes);
  EXPECT_FALSE(Base64Decode("-_-_").ok());
}

TEST(Base64Test, UrlDecodeRejectsPaddingWhitespaceAndBadLengths) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").ok());
  EXPECT_FALSE(Base64UrlDecode("Zg=").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9v ").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9\nv").ok());
  EXPECT_FALSE(Base64UrlDecode("Z").ok());      // 4n+1 characters
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").ok());  // 4n+1 characters
}

TEST(Base64Test, DecodersRejectNonCanonicalTrailingBits) {
  // "Zg" is the only encoding of "f"; "Zh" sets an unused bit.
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9=").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9").ok());  // unused bits of '9' set
  EXPECT_FALSE(Base64Decode("Zh==").ok());
}

TEST(Base64Test, StdDecodeRejectsWrongPadding) {
  EXPECT_FALSE(Base64Decode("Zg").ok());
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Zg===").ok());
  EXPECT_FALSE(Base64Decode("Z===").ok());
  EXPECT_FALSE(Base64Decode("Zm8==").ok());
  EXPECT_FALSE(Base64Decode("Zm9v====").ok());
  EXPECT_FALSE(Base64Decode("Zg==Zg==").ok());  // padding in the middle
}

TEST(Base64Test, SecretDecodeMatchesPlainDecode) {
  Result<SecretBytes> secret = Base64UrlDecodeSecret("Zm9vYmFy");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(
      std::vector<uint8_t>(secret->Reveal().begin(), secret->Reveal().end()),
      Vec("foobar"));
  EXPECT_FALSE(Base64UrlDecodeSecret("Zm9vYmF=").ok());
}

TEST(Base64Test, RoundTripsEveryByteValueAndLength) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 300; ++i) {
    Result<std::vector<uint8_t>> back = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(back.ok()) << i;
    EXPECT_EQ(*back, bytes);
    bytes.push_back(static_cast<uint8_t>(i * 151 + 7));
  }
}

}  // namespace
}  // namespace cerumbra::crypto::internal
