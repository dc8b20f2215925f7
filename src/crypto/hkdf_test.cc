// Copyright 2026 The Cerumbra Authors.

#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/test_util.h"

namespace cerumbra::crypto {
namespace {

using testing::HexDecode;
using testing::HexEncode;

std::vector<uint8_t> Range(int from, int to) {
  std::vector<uint8_t> out;
  for (int i = from; i < to; ++i) out.push_back(static_cast<uint8_t>(i));
  return out;
}

std::string Hex(const SecretBytes& s) { return HexEncode(s.Reveal()); }

struct Rfc5869Case {
  const char* name;
  std::vector<uint8_t> ikm, salt, info;
  size_t length;
  const char* prk;
  const char* okm;
};

// RFC 5869 Appendix A, test cases 1-3 (the SHA-256 cases).
std::vector<Rfc5869Case> Rfc5869Cases() {
  return {
      {"A.1 basic", std::vector<uint8_t>(22, 0x0b), Range(0x00, 0x0d),
       Range(0xf0, 0xfa), 42,
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf3400720"
       "8"
       "d5b887185865"},
      {"A.2 longer inputs", Range(0x00, 0x50), Range(0x60, 0xb0),
       Range(0xb0, 0x100), 82,
       "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a9"
       "9"
       "cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e8"
       "7"
       "c14c01d5c1f3434f1d87"},
      {"A.3 zero-length salt and info",
       std::vector<uint8_t>(22, 0x0b),
       {},
       {},
       42,
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d2013"
       "95faa4b61a96c8"},
  };
}

TEST(HkdfTest, ExtractAndExpandMatchRfc5869AppendixA) {
  for (const Rfc5869Case& c : Rfc5869Cases()) {
    SCOPED_TRACE(c.name);
    const SecretBytes ikm = SecretBytes::CopyFrom(c.ikm);
    Result<SecretBytes> prk = HkdfSha256Extract(c.salt, ikm);
    ASSERT_TRUE(prk.ok()) << prk.status().ToString();
    EXPECT_EQ(Hex(*prk), c.prk);
    Result<SecretBytes> okm = HkdfSha256Expand(*prk, c.info, c.length);
    ASSERT_TRUE(okm.ok()) << okm.status().ToString();
    EXPECT_EQ(Hex(*okm), c.okm);
    Result<SecretBytes> one_shot = HkdfSha256(c.salt, ikm, c.info, c.length);
    ASSERT_TRUE(one_shot.ok());
    EXPECT_EQ(Hex(*one_shot), c.okm);
  }
}

TEST(HkdfTest, EmptySaltEqualsHashLenZeroBytes) {
  const SecretBytes ikm = SecretBytes::CopyFrom(HexDecode("0102030405"));
  const std::vector<uint8_t> zeros(32, 0);
  EXPECT_EQ(Hex(*HkdfSha256Extract({}, ikm)),
            Hex(*HkdfSha256Extract(zeros, ikm)));
}

TEST(HkdfTest, ExpandAcceptsTheMaximumLength) {
  const SecretBytes prk = SecretBytes::CopyFrom(std::vector<uint8_t>(32, 7));
  Result<SecretBytes> okm = HkdfSha256Expand(prk, {}, kHkdfSha256MaxOutputSize);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(okm->size(), 255u * 32u);
}

TEST(HkdfTest, ExpandRejectsOversizeLength) {
  const SecretBytes prk = SecretBytes::CopyFrom(std::vector<uint8_t>(32, 7));
  Result<SecretBytes> okm =
      HkdfSha256Expand(prk, {}, kHkdfSha256MaxOutputSize + 1);
  EXPECT_EQ(okm.status().code(), StatusCode::kInvalidArgument);
  const SecretBytes ikm = SecretBytes::CopyFrom(std::vector<uint8_t>(16, 1));
  EXPECT_EQ(HkdfSha256({}, ikm, {}, 1u << 20).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(HkdfTest, ExpandRejectsZeroLength) {
  const SecretBytes prk = SecretBytes::CopyFrom(std::vector<uint8_t>(32, 7));
  EXPECT_EQ(HkdfSha256Expand(prk, {}, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(HkdfTest, ExpandRejectsPrkShorterThanHashLen) {
  const SecretBytes prk = SecretBytes::CopyFrom(std::vector<uint8_t>(31, 7));
  EXPECT_EQ(HkdfSha256Expand(prk, {}, 32).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(HkdfTest, DifferentInfoGivesIndependentOutput) {
  const SecretBytes prk = SecretBytes::CopyFrom(std::vector<uint8_t>(32, 9));
  const std::vector<uint8_t> a = {'k', 'e', 'y'};
  const std::vector<uint8_t> b = {'i', 'v'};
  EXPECT_NE(Hex(*HkdfSha256Expand(prk, a, 32)),
            Hex(*HkdfSha256Expand(prk, b, 32)));
  // A shorter output is a prefix of a longer one with the same info.
  EXPECT_EQ(Hex(*HkdfSha256Expand(prk, a, 32)),
            Hex(*HkdfSha256Expand(prk, a, 64)).substr(0, 64));
}

TEST(HkdfTest, EmptyIkmIsAllowed) {
  const SecretBytes empty;
  Result<SecretBytes> prk = HkdfSha256Extract({}, empty);
  ASSERT_TRUE(prk.ok()) << prk.status().ToString();
  // HMAC-SHA256 with an empty key over an empty message.
  EXPECT_EQ(Hex(*prk),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace cerumbra::crypto
