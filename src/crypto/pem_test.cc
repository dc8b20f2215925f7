// Copyright 2026 The Cerumbra Authors.

#include "crypto/pem.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/ecdsa.h"
#include "crypto/test_util.h"
#include "crypto/x509_builder.h"

namespace cerumbra::crypto {
namespace {

using testing::AsBytes;

std::string AsText(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.Reveal().data()), bytes.size()};
}

TEST(PemTest, DerRoundTripsThroughPem) {
  std::vector<uint8_t> der(200);
  for (size_t i = 0; i < der.size(); ++i) der[i] = static_cast<uint8_t>(i);
  const std::string pem = DerToPem(der, "CERTIFICATE");
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_NE(pem.find("\n-----END CERTIFICATE-----\n"), std::string::npos);
  EXPECT_EQ(*PemToDer(pem, "CERTIFICATE"), der);
  // Lines are 64 characters.
  EXPECT_EQ(pem.find('\n', 28) - 28, 64u);
}

TEST(PemTest, PemToDerRejectsWrongLabelsAndGarbage) {
  const std::vector<uint8_t> der = {1, 2, 3};
  const std::string pem = DerToPem(der, "CERTIFICATE");
  EXPECT_FALSE(PemToDer(pem, "PRIVATE KEY").ok());
  EXPECT_FALSE(PemToDer(pem + pem, "CERTIFICATE").ok());
  EXPECT_FALSE(PemToDer("no pem here", "CERTIFICATE").ok());
  std::string broken = pem;
  broken[30] = '*';
  EXPECT_FALSE(PemToDer(broken, "CERTIFICATE").ok());
  EXPECT_FALSE(PemToDer(pem.substr(0, pem.size() - 10), "CERTIFICATE").ok());
}

TEST(PemTest, PrivateKeyRoundTripsAndStillSigns) {
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    PrivateKey key = *PrivateKey::Generate(curve);
    Result<SecretBytes> pem = PrivateKeyToPkcs8Pem(key);
    ASSERT_TRUE(pem.ok());
    EXPECT_EQ(AsText(*pem).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
    Result<PrivateKey> back = PrivateKeyFromPkcs8Pem(pem->Reveal());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->public_key(), key.public_key());
    const std::vector<uint8_t> sig =
        *EcdsaSign(*back, AsBytes("message"), EcdsaSignatureFormat::kP1363);
    EXPECT_TRUE(EcdsaVerify(key.public_key(), AsBytes("message"), sig,
                            EcdsaSignatureFormat::kP1363)
                    .ok());
  }
}

TEST(PemTest, PrivateKeyImportRejectsOtherBlocksAndDamage) {
  PrivateKey key = *PrivateKey::Generate(EcCurve::kP256);
  const std::string pem = AsText(*PrivateKeyToPkcs8Pem(key));
  // A certificate is not a private key.
  const std::string cert = DerToPem(std::vector<uint8_t>{1, 2}, "CERTIFICATE");
  EXPECT_EQ(PrivateKeyFromPkcs8Pem(AsBytes(cert)).status().code(),
            StatusCode::kInvalidArgument);
  // Traditional "EC PRIVATE KEY" blocks are refused: PKCS#8 only.
  std::string sec1 = pem;
  sec1.replace(sec1.find("BEGIN PRIVATE"), 13, "BEGIN EC PRIVATE");
  sec1.replace(sec1.find("END PRIVATE"), 11, "END EC PRIVATE");
  EXPECT_FALSE(PrivateKeyFromPkcs8Pem(AsBytes(sec1)).ok());
  // A flipped body byte breaks the DER.
  std::string damaged = pem;
  damaged[40] = damaged[40] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(PrivateKeyFromPkcs8Pem(AsBytes(damaged)).ok());
  // Truncated.
  EXPECT_FALSE(
      PrivateKeyFromPkcs8Pem(AsBytes(pem.substr(0, pem.size() / 2))).ok());
  EXPECT_FALSE(PrivateKeyFromPkcs8Pem(AsBytes("")).ok());
}

TEST(PemTest, CertificateToPemParsesBack) {
  PrivateKey key = *PrivateKey::Generate(EcCurve::kP256);
  CertificateProfile profile;
  profile.subject_common_name = "PEM";
  profile.not_before = std::chrono::sys_seconds(std::chrono::seconds(0));
  profile.not_after = std::chrono::sys_seconds(std::chrono::seconds(1000));
  profile.is_ca = true;
  const Certificate cert = *IssueCertificate(profile, key.public_key(), key);
  Result<std::vector<Certificate>> parsed =
      ParsePemCertificates(CertificateToPem(cert));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].ToDer(), cert.ToDer());
}

}  // namespace
}  // namespace cerumbra::crypto
