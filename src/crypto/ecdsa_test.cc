// Copyright 2026 The Cerumbra Authors.

#include "crypto/ecdsa.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "crypto/test_util.h"

namespace cerumbra::crypto {
namespace {

using testing::AsBytes;
using testing::HexDecode;

constexpr char kP256N[] =
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

PrivateKey Generate(EcCurve curve) {
  Result<PrivateKey> key = PrivateKey::Generate(curve);
  CERUMBRA_CHECK(key.ok());
  return *std::move(key);
}

void ExpectRejected(const Status& status) {
  EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(status.message(), "signature verification failed");
}

const std::vector<uint8_t> kMessage = [] {
  std::vector<uint8_t> m(200);
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i);
  return m;
}();

struct Param {
  EcCurve curve;
  EcdsaSignatureFormat format;
};

class EcdsaTest : public ::testing::TestWithParam<Param> {
 protected:
  EcCurve curve() const { return GetParam().curve; }
  EcdsaSignatureFormat format() const { return GetParam().format; }
  PrivateKey key_ = Generate(GetParam().curve);
};

INSTANTIATE_TEST_SUITE_P(
    AllCurvesAndFormats, EcdsaTest,
    ::testing::Values(Param{EcCurve::kP256, EcdsaSignatureFormat::kDer},
                      Param{EcCurve::kP256, EcdsaSignatureFormat::kP1363},
                      Param{EcCurve::kP384, EcdsaSignatureFormat::kDer},
                      Param{EcCurve::kP384, EcdsaSignatureFormat::kP1363}),
    [](const ::testing::TestParamInfo<Param>& p) {
      return std::string(p.param.curve == EcCurve::kP256 ? "P256" : "P384") +
             (p.param.format == EcdsaSignatureFormat::kDer ? "Der" : "P1363");
    });

TEST_P(EcdsaTest, SignatureVerifies) {
  Result<std::vector<uint8_t>> sig = EcdsaSign(key_, kMessage, format());
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  if (format() == EcdsaSignatureFormat::kP1363) {
    EXPECT_EQ(sig->size(), 2 * EcFieldSize(curve()));
  }
  EXPECT_TRUE(EcdsaVerify(key_.public_key(), kMessage, *sig, format()).ok());
}

TEST_P(EcdsaTest, EmptyMessageSignsAndVerifies) {
  Result<std::vector<uint8_t>> sig = EcdsaSign(key_, {}, format());
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(EcdsaVerify(key_.public_key(), {}, *sig, format()).ok());
  ExpectRejected(EcdsaVerify(key_.public_key(), kMessage, *sig, format()));
}

TEST_P(EcdsaTest, SignaturesAreRandomizedAndAllVerify) {
  const std::vector<uint8_t> a = *EcdsaSign(key_, kMessage, format());
  const std::vector<uint8_t> b = *EcdsaSign(key_, kMessage, format());
  EXPECT_NE(a, b);
  EXPECT_TRUE(EcdsaVerify(key_.public_key(), kMessage, b, format()).ok());
}

TEST_P(EcdsaTest, VerifyRejectsAModifiedMessage) {
  const std::vector<uint8_t> sig = *EcdsaSign(key_, kMessage, format());
  std::vector<uint8_t> message = kMessage;
  message[100] ^= 1;
  ExpectRejected(EcdsaVerify(key_.public_key(), message, sig, format()));
  message = kMessage;
  message.push_back(0);
  ExpectRejected(EcdsaVerify(key_.public_key(), message, sig, format()));
  ExpectRejected(EcdsaVerify(key_.public_key(), {}, sig, format()));
}

TEST_P(EcdsaTest, VerifyRejectsEveryModifiedSignatureByte) {
  const std::vector<uint8_t> sig = *EcdsaSign(key_, kMessage, format());
  for (size_t i = 0; i < sig.size(); ++i) {
    std::vector<uint8_t> bad = sig;
    bad[i] ^= 0x40;
    ExpectRejected(EcdsaVerify(key_.public_key(), kMessage, bad, format()));
  }
}

TEST_P(EcdsaTest, VerifyRejectsTruncatedAndExtendedSignatures) {
  const std::vector<uint8_t> sig = *EcdsaSign(key_, kMessage, format());
  for (size_t size : {size_t{0}, size_t{1}, sig.size() - 1}) {
    ExpectRejected(EcdsaVerify(key_.public_key(), kMessage,
                               std::span<const uint8_t>(sig).first(size),
                               format()));
  }
  std::vector<uint8_t> longer = sig;
  longer.push_back(0);
  ExpectRejected(EcdsaVerify(key_.public_key(), kMessage, longer, format()));
}

TEST_P(EcdsaTest, VerifyRejectsAnotherKey) {
  const std::vector<uint8_t> sig = *EcdsaSign(key_, kMessage, format());
  PrivateKey other = Generate(curve());
  ExpectRejected(EcdsaVerify(other.public_key(), kMessage, sig, format()));
}

TEST_P(EcdsaTest, VerifyRejectsTheOtherEncoding) {
  const EcdsaSignatureFormat other = format() == EcdsaSignatureFormat::kDer
                                         ? EcdsaSignatureFormat::kP1363
                                         : EcdsaSignatureFormat::kDer;
  const std::vector<uint8_t> sig = *EcdsaSign(key_, kMessage, format());
  ExpectRejected(EcdsaVerify(key_.public_key(), kMessage, sig, other));
}

// P1363 splits into r || s; P-256 helpers below build edge cases.
std::vector<uint8_t> P1363(std::string_view r_hex, std::string_view s_hex) {
  std::vector<uint8_t> out = HexDecode(r_hex);
  const std::vector<uint8_t> s = HexDecode(s_hex);
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

TEST(EcdsaRangeTest, P1363RejectsZeroAndOutOfRangeRAndS) {
  PrivateKey key = Generate(EcCurve::kP256);
  const std::vector<uint8_t> sig =
      *EcdsaSign(key, kMessage, EcdsaSignatureFormat::kP1363);
  const std::string zero(64, '0');
  const std::string r = testing::HexEncode(std::span(sig).first(32));
  const std::string s = testing::HexEncode(std::span(sig).subspan(32));
  for (const auto& [rr, ss] : std::vector<std::pair<std::string, std::string>>{
           {zero, s},
           {r, zero},
           {zero, zero},
           {kP256N, s},
           {r, kP256N},
           {std::string(64, 'f'), s},
           {r, std::string(64, 'f')}}) {
    ExpectRejected(EcdsaVerify(key.public_key(), kMessage, P1363(rr, ss),
                               EcdsaSignatureFormat::kP1363));
  }
  EXPECT_TRUE(EcdsaVerify(key.public_key(), kMessage, P1363(r, s),
                          EcdsaSignatureFormat::kP1363)
                  .ok());
}

// MinimalInteger is the DER INTEGER content of an unsigned big-endian value.
std::vector<uint8_t> MinimalInteger(std::span<const uint8_t> value) {
  size_t start = 0;
  while (start + 1 < value.size() && value[start] == 0) ++start;
  std::vector<uint8_t> out;
  if (value[start] & 0x80) out.push_back(0x00);
  out.insert(out.end(), value.begin() + static_cast<long>(start), value.end());
  return out;
}

std::vector<uint8_t> DerSequence(const std::vector<uint8_t>& r,
                                 const std::vector<uint8_t>& s) {
  std::vector<uint8_t> out;
  out.reserve(6 + r.size() + s.size());
  out.push_back(0x30);
  out.push_back(static_cast<uint8_t>(4 + r.size() + s.size()));
  out.push_back(0x02);
  out.push_back(static_cast<uint8_t>(r.size()));
  out.insert(out.end(), r.begin(), r.end());
  out.push_back(0x02);
  out.push_back(static_cast<uint8_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

TEST(EcdsaDerTest, VerifyRejectsBerAndNonMinimalEncodings) {
  PrivateKey key = Generate(EcCurve::kP256);
  const std::vector<uint8_t> p1363 =
      *EcdsaSign(key, kMessage, EcdsaSignatureFormat::kP1363);
  const std::vector<uint8_t> r = MinimalInteger(std::span(p1363).first(32));
  const std::vector<uint8_t> s = MinimalInteger(std::span(p1363).subspan(32));
  // The DER of this very signature verifies (checks the test's encoder).
  const std::vector<uint8_t> der = DerSequence(r, s);
  ASSERT_TRUE(
      EcdsaVerify(key.public_key(), kMessage, der, EcdsaSignatureFormat::kDer)
          .ok());
  // Long-form SEQUENCE length (valid BER, not DER): 30 81 LL ...
  std::vector<uint8_t> ber = {0x30, 0x81, der[1]};
  ber.insert(ber.end(), der.begin() + 2, der.end());
  ExpectRejected(
      EcdsaVerify(key.public_key(), kMessage, ber, EcdsaSignatureFormat::kDer));
  // Non-minimal INTEGERs: an extra leading 0x00 on r or on s.
  std::vector<uint8_t> padded_r = {0x00};
  padded_r.insert(padded_r.end(), r.begin(), r.end());
  std::vector<uint8_t> padded_s = {0x00};
  padded_s.insert(padded_s.end(), s.begin(), s.end());
  ExpectRejected(EcdsaVerify(key.public_key(), kMessage,
                             DerSequence(padded_r, s),
                             EcdsaSignatureFormat::kDer));
  ExpectRejected(EcdsaVerify(key.public_key(), kMessage,
                             DerSequence(r, padded_s),
                             EcdsaSignatureFormat::kDer));
  // Trailing garbage after the SEQUENCE.
  std::vector<uint8_t> trailing = der;
  trailing.push_back(0x00);
  ExpectRejected(EcdsaVerify(key.public_key(), kMessage, trailing,
                             EcdsaSignatureFormat::kDer));
  // Garbage.
  ExpectRejected(EcdsaVerify(key.public_key(), kMessage, AsBytes("garbage"),
                             EcdsaSignatureFormat::kDer));
}

}  // namespace
}  // namespace cerumbra::crypto
