// Copyright 2026 The Cerumbra Authors.

#include "protocol/key_schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/constant_time.h"
#include "crypto/hkdf.h"
#include "crypto/test_util.h"

namespace cerumbra::protocol {
namespace {

using crypto::testing::AsBytes;
using crypto::testing::HexDecode;

// Shared returns the ECDH secret of two fixed P-256 keys.
crypto::SharedSecret Shared() {
  const crypto::PrivateKey a = *crypto::PrivateKey::FromScalar(
      crypto::EcCurve::kP256, crypto::SecretBytes::CopyFrom(HexDecode(
                                  "0101010101010101010101010101010101010101010"
                                  "101010101010101010101")));
  const crypto::PrivateKey b = *crypto::PrivateKey::FromScalar(
      crypto::EcCurve::kP256, crypto::SecretBytes::CopyFrom(HexDecode(
                                  "0202020202020202020202020202020202020202020"
                                  "202020202020202020202")));
  return *crypto::DeriveSharedSecret(a, b.public_key());
}

crypto::Sha256Digest Th(uint8_t fill) {
  crypto::Sha256Digest th;
  th.fill(fill);
  return th;
}

bool Same(const crypto::SecretBytes& a, const crypto::SecretBytes& b) {
  return crypto::ConstantTimeEquals(a.Reveal(), b.Reveal());
}

TEST(KeyScheduleTest, SessionKeysAreHkdfWithTheTranscriptHashAsSalt) {
  const crypto::SharedSecret shared = Shared();
  const crypto::Sha256Digest th = Th(7);
  const SessionKeys keys = *DeriveSessionKeys(shared, th);
  EXPECT_TRUE(Same(keys.c2s_secret,
                   *crypto::HkdfSha256(th, shared.secret(),
                                       AsBytes("cerumbra-v1 c2s"), 32)));
  EXPECT_TRUE(Same(keys.s2c_secret,
                   *crypto::HkdfSha256(th, shared.secret(),
                                       AsBytes("cerumbra-v1 s2c"), 32)));
  const crypto::SecretBytes id = *crypto::HkdfSha256(
      th, shared.secret(), AsBytes("cerumbra-v1 session id"), 16);
  EXPECT_TRUE(crypto::ConstantTimeEquals(id.Reveal(), keys.session_id));
}

TEST(KeyScheduleTest, DirectionsGetDifferentSecrets) {
  const SessionKeys keys = *DeriveSessionKeys(Shared(), Th(7));
  EXPECT_EQ(keys.c2s_secret.size(), 32u);
  EXPECT_FALSE(Same(keys.c2s_secret, keys.s2c_secret));
}

TEST(KeyScheduleTest, AnotherTranscriptGivesOtherKeys) {
  const SessionKeys a = *DeriveSessionKeys(Shared(), Th(7));
  const SessionKeys b = *DeriveSessionKeys(Shared(), Th(8));
  EXPECT_FALSE(Same(a.c2s_secret, b.c2s_secret));
  EXPECT_FALSE(Same(a.s2c_secret, b.s2c_secret));
  EXPECT_NE(a.session_id, b.session_id);
}

TEST(KeyScheduleTest, TrafficKeysAreHkdfExpandOfTheSecret) {
  const crypto::SecretBytes secret =
      crypto::SecretBytes::CopyFrom(std::vector<uint8_t>(32, 0x42));
  const TrafficKeys keys = *DeriveTrafficKeys(secret);
  EXPECT_TRUE(Same(keys.key, *crypto::HkdfSha256Expand(
                                 secret, AsBytes("cerumbra-v1 key"), 32)));
  EXPECT_TRUE(Same(keys.iv, *crypto::HkdfSha256Expand(
                                secret, AsBytes("cerumbra-v1 iv"), 12)));
  EXPECT_EQ(keys.iv.size(), 12u);
}

TEST(KeyScheduleTest, NextTrafficSecretIsHkdfExpandWithTheKeyUpdateLabel) {
  const crypto::SecretBytes secret =
      crypto::SecretBytes::CopyFrom(std::vector<uint8_t>(32, 0x42));
  const crypto::SecretBytes next = *NextTrafficSecret(secret);
  EXPECT_TRUE(Same(next, *crypto::HkdfSha256Expand(
                             secret, AsBytes("cerumbra-v1 key update"), 32)));
  EXPECT_FALSE(Same(next, secret));
  EXPECT_FALSE(Same(*NextTrafficSecret(next), next));
}

TEST(KeyScheduleTest, TrafficFunctionsRejectAWrongSecretSize) {
  const crypto::SecretBytes secret =
      crypto::SecretBytes::CopyFrom(std::vector<uint8_t>(31, 0x42));
  EXPECT_EQ(DeriveTrafficKeys(secret).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(NextTrafficSecret(secret).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cerumbra::protocol
