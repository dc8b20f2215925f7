// Copyright 2026 The Cerumbra Authors.
//
// Every failure path clears OpenSSL's thread-local error queue, so an error
// from one call never leaks into (or is blamed on) a later, unrelated call.
// This test is the one place outside the library code that looks at the
// queue; it lives in src/crypto, the only module allowed to include OpenSSL.

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <chrono>
#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/aead_internal.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/test_util.h"
#include "crypto/x509.h"

namespace cerumbra::crypto {
namespace {

class ErrorQueueTest : public ::testing::Test {
 protected:
  void SetUp() override { ERR_clear_error(); }
  void ExpectQueueEmpty() {
    EXPECT_EQ(ERR_peek_error(), 0u) << "OpenSSL error queue was not cleared";
  }
};

TEST_F(ErrorQueueTest, FailedPointImportLeavesNoError) {
  std::vector<uint8_t> point(65, 0);
  point[0] = 0x04;
  point[64] = 1;
  ASSERT_FALSE(PublicKey::FromUncompressedPoint(EcCurve::kP256, point).ok());
  ExpectQueueEmpty();
}

TEST_F(ErrorQueueTest, FailedOpenLeavesNoError) {
  Result<Aes256Gcm> aead = Aes256Gcm::Create(SecretBytes(32));
  ASSERT_TRUE(aead.ok());
  Result<std::vector<uint8_t>> sealed = aead->Seal(std::vector<uint8_t>(5), {});
  ASSERT_TRUE(sealed.ok());
  sealed->back() ^= 1;
  ASSERT_FALSE(aead->Open(*sealed, {}).ok());
  ExpectQueueEmpty();
  ASSERT_FALSE(internal::AesGcmOpenForTesting(std::vector<uint8_t>(16),
                                              std::vector<uint8_t>(200),
                                              std::vector<uint8_t>(20), {})
                   .ok());
  ExpectQueueEmpty();
}

TEST_F(ErrorQueueTest, FailedSignatureVerificationLeavesNoError) {
  Result<PrivateKey> key = PrivateKey::Generate(EcCurve::kP256);
  ASSERT_TRUE(key.ok());
  const std::vector<uint8_t> garbage = {0x30, 0x03, 0x02, 0x01};
  ASSERT_FALSE(
      EcdsaVerify(key->public_key(), {}, garbage, EcdsaSignatureFormat::kDer)
          .ok());
  ExpectQueueEmpty();
  ASSERT_FALSE(EcdsaVerify(key->public_key(), {}, std::vector<uint8_t>(64, 1),
                           EcdsaSignatureFormat::kP1363)
                   .ok());
  ExpectQueueEmpty();
}

TEST_F(ErrorQueueTest, FailedCertificateParsingAndVerificationLeaveNoError) {
  ASSERT_FALSE(
      Certificate::FromDer(std::vector<uint8_t>{0x30, 0x82, 0x01}).ok());
  ExpectQueueEmpty();
  std::optional<std::string> chain =
      testing::ReadTestVectorFile("nvidia-nvtrust/hopperCertChain.txt");
  std::optional<std::string> wrong_root =
      testing::ReadTestVectorFile("intel-tdx/trusted_root.pem");
  ASSERT_TRUE(chain.has_value() && wrong_root.has_value())
      << "CERUMBRA_TESTVECTORS must point at shared/testvectors";
  ASSERT_FALSE(VerifyPemCertificateChain(
                   *chain, *wrong_root,
                   std::chrono::sys_seconds(std::chrono::seconds(1735689600)))
                   .ok());
  ExpectQueueEmpty();
  Result<std::vector<Certificate>> certs = ParsePemCertificates(*chain);
  ASSERT_TRUE(certs.ok());
  ASSERT_FALSE(certs->front().GetExtensionValue("1.2.3.4").ok());
  ExpectQueueEmpty();
}

TEST_F(ErrorQueueTest, FailedJwkImportLeavesNoError) {
  ASSERT_FALSE(PublicKey::FromJwk("{\"kty\":\"EC\",\"crv\":\"P-256\","
                                  "\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                  "AAAAAAA\",\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAA"
                                  "AAAAAAAAAAAAAAAAA\"}")
                   .ok());
  ExpectQueueEmpty();
}

}  // namespace
}  // namespace cerumbra::crypto
