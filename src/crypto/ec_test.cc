// Copyright 2026 The Cerumbra Authors.

#include "crypto/ec.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "crypto/constant_time.h"
#include "crypto/test_util.h"

namespace cerumbra::crypto {
namespace {

using testing::HexDecode;
using testing::HexEncode;

static_assert(!std::is_copy_constructible_v<PrivateKey>);
static_assert(!std::is_copy_constructible_v<SharedSecret>);
static_assert(std::is_copy_constructible_v<PublicKey>);

// SEC 2 §2.4.2 / §2.5.1: generators and orders of P-256 and P-384.
constexpr char kP256G[] =
    "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
constexpr char kP256N[] =
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
constexpr char kP256P[] =
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
constexpr char kP384G[] =
    "04aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38"
    "5502f25dbf55296c3a545e3872760ab73617de4a96262c6f5d9e98bf9292dc29f8"
    "f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f";
constexpr char kP384N[] =
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
    "581a0db248b0a77aecec196accc52973";

PrivateKey Generate(EcCurve curve) {
  Result<PrivateKey> key = PrivateKey::Generate(curve);
  CERUMBRA_CHECK(key.ok());
  return *std::move(key);
}

std::vector<uint8_t> PointOf(const PublicKey& key) {
  return {key.UncompressedPoint().begin(), key.UncompressedPoint().end()};
}

SecretBytes Scalar(std::string_view hex) {
  return SecretBytes::CopyFrom(HexDecode(hex));
}

std::string Pad32(uint8_t last) {
  std::string out(62, '0');
  const char digits[] = "0123456789abcdef";
  out += digits[last >> 4];
  out += digits[last & 15];
  return out;
}

// --- Generation and ECDH ----------------------------------------------------

TEST(EcTest, GeneratedKeysHaveUncompressedPublicPoints) {
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    PrivateKey key = Generate(curve);
    EXPECT_EQ(key.curve(), curve);
    const auto point = key.public_key().UncompressedPoint();
    ASSERT_EQ(point.size(), EcUncompressedPointSize(curve));
    EXPECT_EQ(point[0], 0x04);
    // The exported point imports as a valid key.
    EXPECT_TRUE(PublicKey::FromUncompressedPoint(curve, point).ok());
  }
}

TEST(EcTest, EcdhAgreesBetweenTwoParties) {
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    PrivateKey alice = Generate(curve);
    PrivateKey bob = Generate(curve);
    Result<SharedSecret> ab = DeriveSharedSecret(alice, bob.public_key());
    Result<SharedSecret> ba = DeriveSharedSecret(bob, alice.public_key());
    ASSERT_TRUE(ab.ok() && ba.ok());
    EXPECT_EQ(ab->secret().size(), EcFieldSize(curve));
    EXPECT_TRUE(
        ConstantTimeEquals(ab->secret().Reveal(), ba->secret().Reveal()));
    PrivateKey eve = Generate(curve);
    Result<SharedSecret> eb = DeriveSharedSecret(eve, bob.public_key());
    ASSERT_TRUE(eb.ok());
    EXPECT_FALSE(
        ConstantTimeEquals(ab->secret().Reveal(), eb->secret().Reveal()));
  }
}

TEST(EcTest, ScalarOneHasTheGeneratorAsPublicKey) {
  Result<PrivateKey> one =
      PrivateKey::FromScalar(EcCurve::kP256, Scalar(Pad32(1)));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(HexEncode(one->public_key().UncompressedPoint()), kP256G);
  std::string one384(94, '0');
  one384 += "01";
  Result<PrivateKey> one_p384 =
      PrivateKey::FromScalar(EcCurve::kP384, Scalar(one384));
  ASSERT_TRUE(one_p384.ok());
  EXPECT_EQ(HexEncode(one_p384->public_key().UncompressedPoint()), kP384G);
}

TEST(EcTest, EcdhWithScalarOneReturnsThePeerXCoordinate) {
  PrivateKey peer = Generate(EcCurve::kP256);
  PrivateKey one = *PrivateKey::FromScalar(EcCurve::kP256, Scalar(Pad32(1)));
  Result<SharedSecret> shared = DeriveSharedSecret(one, peer.public_key());
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(HexEncode(shared->secret().Reveal()),
            HexEncode(peer.public_key().UncompressedPoint().subspan(1, 32)));
}

TEST(EcTest, EcdhRejectsKeysOnDifferentCurves) {
  PrivateKey a = Generate(EcCurve::kP256);
  PrivateKey b = Generate(EcCurve::kP384);
  EXPECT_EQ(DeriveSharedSecret(a, b.public_key()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(EcTest, SharedKeysWorkFromSeveralThreadsAtOnce) {
  const PrivateKey mine = Generate(EcCurve::kP256);
  const PrivateKey peer = Generate(EcCurve::kP256);
  const std::vector<uint8_t> expected = [&] {
    Result<SharedSecret> s = DeriveSharedSecret(mine, peer.public_key());
    CERUMBRA_CHECK(s.ok());
    return std::vector<uint8_t>(s->secret().Reveal().begin(),
                                s->secret().Reveal().end());
  }();
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Result<SharedSecret> s = DeriveSharedSecret(mine, peer.public_key());
        Result<PrivateKey> fresh = PrivateKey::Generate(EcCurve::kP256);
        Result<PublicKey> copy = PublicKey::FromUncompressedPoint(
            EcCurve::kP256, peer.public_key().UncompressedPoint());
        if (!s.ok() || !fresh.ok() || !copy.ok() ||
            !ConstantTimeEquals(s->secret().Reveal(), expected)) {
          ++mismatches;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// --- Private scalars --------------------------------------------------------

TEST(EcTest, ScalarExportImportRoundTrips) {
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    PrivateKey key = Generate(curve);
    Result<SecretBytes> scalar = key.ExportScalar();
    ASSERT_TRUE(scalar.ok());
    EXPECT_EQ(scalar->size(), EcFieldSize(curve));
    Result<PrivateKey> back = PrivateKey::FromScalar(curve, *scalar);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->public_key(), key.public_key());
  }
}

TEST(EcTest, FromScalarRejectsZeroOrderAndWrongLengths) {
  EXPECT_FALSE(PrivateKey::FromScalar(EcCurve::kP256, Scalar(Pad32(0))).ok());
  EXPECT_FALSE(PrivateKey::FromScalar(EcCurve::kP256, Scalar(kP256N)).ok());
  EXPECT_FALSE(PrivateKey::FromScalar(EcCurve::kP384, Scalar(kP384N)).ok());
  std::string n_plus_one = kP256N;
  n_plus_one.back() = '2';
  EXPECT_FALSE(PrivateKey::FromScalar(EcCurve::kP256, Scalar(n_plus_one)).ok());
  EXPECT_FALSE(
      PrivateKey::FromScalar(EcCurve::kP256, Scalar(std::string(64, 'f')))
          .ok());
  std::string n_minus_one = kP256N;
  n_minus_one.back() = '0';
  EXPECT_TRUE(PrivateKey::FromScalar(EcCurve::kP256, Scalar(n_minus_one)).ok());
  // 31 and 33 bytes, and a P-256 scalar on P-384.
  EXPECT_FALSE(
      PrivateKey::FromScalar(EcCurve::kP256, Scalar(Pad32(5).substr(2))).ok());
  EXPECT_FALSE(
      PrivateKey::FromScalar(EcCurve::kP256, Scalar("00" + Pad32(5))).ok());
  EXPECT_FALSE(PrivateKey::FromScalar(EcCurve::kP384, Scalar(Pad32(5))).ok());
}

// --- Raw points -------------------------------------------------------------

TEST(EcTest, RawPointImportRejectsWrongLengths) {
  const std::vector<uint8_t> g = HexDecode(kP256G);
  for (size_t size : {0u, 1u, 33u, 64u}) {
    EXPECT_FALSE(PublicKey::FromUncompressedPoint(
                     EcCurve::kP256, std::span<const uint8_t>(g).first(size))
                     .ok())
        << size;
  }
  std::vector<uint8_t> longer = g;
  longer.push_back(0);
  EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP256, longer).ok());
  // A valid P-256 point is the wrong size for P-384.
  EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP384, g).ok());
}

TEST(EcTest, RawPointImportRejectsCompressedHybridAndInfinityEncodings) {
  const std::vector<uint8_t> g = HexDecode(kP256G);
  // The compressed form of G (y is odd: 0x03), which is otherwise valid.
  std::vector<uint8_t> compressed(g.begin(), g.begin() + 33);
  compressed[0] = 0x03;
  EXPECT_FALSE(
      PublicKey::FromUncompressedPoint(EcCurve::kP256, compressed).ok());
  for (uint8_t prefix : {0x00, 0x02, 0x03, 0x05, 0x06, 0x07}) {
    std::vector<uint8_t> bad = g;
    bad[0] = prefix;
    EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP256, bad).ok())
        << int{prefix};
  }
  EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP256,
                                                std::vector<uint8_t>{0x00})
                   .ok());
  std::vector<uint8_t> zeros(65, 0);
  zeros[0] = 0x04;  // (0, 0) is not on the curve either.
  EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP256, zeros).ok());
}

TEST(EcTest, RawPointImportRejectsPointsOffTheCurve) {
  std::vector<uint8_t> g = HexDecode(kP256G);
  for (size_t i = 1; i < g.size(); i += 7) {
    std::vector<uint8_t> bad = g;
    bad[i] ^= 0x01;
    EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP256, bad).ok())
        << i;
  }
  // A P-256 point's coordinates are not a P-384 point (padded to size).
  PrivateKey p384 = Generate(EcCurve::kP384);
  std::vector<uint8_t> q = PointOf(p384.public_key());
  q[40] ^= 0x10;
  EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP384, q).ok());
}

TEST(EcTest, RawPointImportRejectsCoordinatesNotBelowThePrime) {
  // x = p is x = 0 mod p; a sloppy decoder would reduce it.
  const std::vector<uint8_t> g = HexDecode(kP256G);
  std::vector<uint8_t> bad = {0x04};
  const std::vector<uint8_t> p = HexDecode(kP256P);
  bad.insert(bad.end(), p.begin(), p.end());
  bad.insert(bad.end(), g.begin() + 33, g.end());
  EXPECT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP256, bad).ok());
}

// --- SPKI -------------------------------------------------------------------

TEST(EcTest, SpkiRoundTripsForBothCurves) {
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    PrivateKey key = Generate(curve);
    const std::vector<uint8_t> der = key.public_key().ToSpkiDer();
    Result<PublicKey> back = PublicKey::FromSpkiDer(der);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, key.public_key());
  }
  // Known encoding of P-256's generator (RFC 5480 layout).
  Result<PublicKey> g =
      PublicKey::FromUncompressedPoint(EcCurve::kP256, HexDecode(kP256G));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(
      HexEncode(g->ToSpkiDer()),
      std::string("3059301306072a8648ce3d020106082a8648ce3d030107034200") +
          kP256G);
}

TEST(EcTest, SpkiImportIsStrict) {
  PrivateKey key = Generate(EcCurve::kP256);
  const std::vector<uint8_t> der = key.public_key().ToSpkiDer();
  // Trailing byte.
  std::vector<uint8_t> bad = der;
  bad.push_back(0);
  EXPECT_FALSE(PublicKey::FromSpkiDer(bad).ok());
  // Truncated.
  EXPECT_FALSE(PublicKey::FromSpkiDer(
                   std::span<const uint8_t>(der).first(der.size() - 1))
                   .ok());
  EXPECT_FALSE(PublicKey::FromSpkiDer({}).ok());
  // BER long-form outer length (0x81 0x59) for the same content.
  bad = {0x30, 0x81};
  bad.insert(bad.end(), der.begin() + 1, der.end());
  EXPECT_FALSE(PublicKey::FromSpkiDer(bad).ok());
  // secp256k1 OID (1.3.132.0.10) instead of prime256v1.
  const std::vector<uint8_t> k1 =
      HexDecode("3056301006072a8648ce3d020106052b8104000a034200");
  bad = k1;
  bad.insert(bad.end(), der.end() - 65, der.end());
  EXPECT_FALSE(PublicKey::FromSpkiDer(bad).ok());
  // Off-curve point inside a well-formed SPKI.
  bad = der;
  bad.back() ^= 1;
  EXPECT_FALSE(PublicKey::FromSpkiDer(bad).ok());
}

// --- JWK --------------------------------------------------------------------

TEST(EcTest, PublicJwkRoundTripsForBothCurves) {
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    PrivateKey key = Generate(curve);
    const std::string jwk = key.public_key().ToJwk();
    EXPECT_NE(jwk.find("\"crv\":\"" + std::string(EcCurveName(curve)) + "\""),
              std::string::npos);
    Result<PublicKey> back = PublicKey::FromJwk(jwk);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, key.public_key());
  }
}

TEST(EcTest, PublicJwkOfTheGeneratorIsTheKnownEncoding) {
  Result<PublicKey> g =
      PublicKey::FromUncompressedPoint(EcCurve::kP256, HexDecode(kP256G));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->ToJwk(),
            "{\"kty\":\"EC\",\"crv\":\"P-256\","
            "\"x\":\"axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY\","
            "\"y\":\"T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU\"}");
}

TEST(EcTest, PublicJwkImportAcceptsWebCryptoExtraMembers) {
  const std::string jwk =
      "{\"crv\":\"P-256\",\"ext\":true,\"key_ops\":[],\"kty\":\"EC\","
      "\"x\":\"axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY\","
      "\"y\":\"T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU\",\"kid\":\"k\"}";
  Result<PublicKey> key = PublicKey::FromJwk(jwk);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(HexEncode(key->UncompressedPoint()), kP256G);
}

std::string GJwk(std::string_view kty, std::string_view crv, std::string_view x,
                 std::string_view y, std::string_view extra = "") {
  return "{\"kty\":\"" + std::string(kty) + "\",\"crv\":\"" + std::string(crv) +
         "\",\"x\":\"" + std::string(x) + "\",\"y\":\"" + std::string(y) +
         "\"" + std::string(extra) + "}";
}

constexpr char kGx[] = "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY";
constexpr char kGy[] = "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU";

TEST(EcTest, PublicJwkImportRejectsMalformedKeys) {
  ASSERT_TRUE(PublicKey::FromJwk(GJwk("EC", "P-256", kGx, kGy)).ok());
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      "{}",
      GJwk("EC", "P-256", kGx, kGy) + " trailing",
      GJwk("RSA", "P-256", kGx, kGy),
      GJwk("ec", "P-256", kGx, kGy),
      GJwk("EC", "P-256K", kGx, kGy),
      GJwk("EC", "P-521", kGx, kGy),
      GJwk("EC", "p-256", kGx, kGy),
      GJwk("EC", "P-384", kGx, kGy),  // coordinates too short for P-384
      GJwk("EC", "P-256", std::string(kGx) + "=", kGy),  // padding
      GJwk("EC", "P-256", std::string(kGx).substr(1), kGy),
      GJwk("EC", "P-256", std::string("A").append(kGx), kGy),  // 33 bytes
      GJwk("EC", "P-256", "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpZ", kGy),
      GJwk("EC", "P-256", "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwp+", kGy),
      GJwk("EC", "P-256", kGx, "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfA"),
      GJwk("EC", "P-256", kGx, kGy, ",\"d\":\"AAAA\""),  // a private key
      "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + std::string(kGx) + "\"}",
      "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1,\"y\":\"" + std::string(kGy) +
          "\"}",
      "{\"kty\":\"EC\",\"x\":\"" + std::string(kGx) + "\",\"y\":\"" +
          std::string(kGy) + "\"}",
      GJwk("EC", "P-256", kGx, kGy,
           ",\"pad\":\"" + std::string(5000, 'a') + "\""),
  };
  for (const std::string& jwk : bad) {
    Result<PublicKey> key = PublicKey::FromJwk(jwk);
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument)
        << jwk.substr(0, 200);
  }
}

TEST(EcTest, PrivateJwkRoundTripsAndMatchesThePublicKey) {
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    PrivateKey key = Generate(curve);
    Result<SecretBytes> jwk = key.ToJwk();
    ASSERT_TRUE(jwk.ok());
    const std::string_view text(
        reinterpret_cast<const char*>(jwk->Reveal().data()), jwk->size());
    Result<PrivateKey> back = PrivateKey::FromJwk(text);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->public_key(), key.public_key());
    EXPECT_TRUE(ConstantTimeEquals(back->ExportScalar()->Reveal(),
                                   key.ExportScalar()->Reveal()));
    // The same text is not a public JWK.
    EXPECT_FALSE(PublicKey::FromJwk(text).ok());
  }
}

TEST(EcTest, PrivateJwkImportRejectsMismatchedOrMalformedD) {
  // d = 1 goes with G; d = 2 does not.
  const std::string d1 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE";
  const std::string d2 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAI";
  EXPECT_TRUE(PrivateKey::FromJwk(
                  GJwk("EC", "P-256", kGx, kGy, ",\"d\":\"" + d1 + "\""))
                  .ok());
  EXPECT_FALSE(PrivateKey::FromJwk(
                   GJwk("EC", "P-256", kGx, kGy, ",\"d\":\"" + d2 + "\""))
                   .ok());
  EXPECT_FALSE(PrivateKey::FromJwk(GJwk("EC", "P-256", kGx, kGy)).ok());
  EXPECT_FALSE(PrivateKey::FromJwk(GJwk("EC", "P-256", kGx, kGy,
                                        ",\"d\":\"" + d1.substr(1) + "\""))
                   .ok());
  EXPECT_FALSE(
      PrivateKey::FromJwk(
          GJwk("EC", "P-256", kGx, kGy,
               ",\"d\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""))
          .ok());  // d = 0
}

}  // namespace
}  // namespace cerumbra::crypto
