// Copyright 2026 The Cerumbra Authors.

#include "attest/simulated_ca.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "attest/attest_test_util.h"
#include "crypto/pem.h"

namespace cerumbra::attest {
namespace {

using std::chrono::hours;
using testing::kTestNow;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

mode_t Mode(const std::string& path) {
  struct stat st {};
  CERUMBRA_CHECK(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

Result<CaInitResult> Init(const std::string& dir, bool force = false) {
  CaInitOptions options;
  options.dir = dir;
  options.force = force;
  options.now = kTestNow;
  return InitSimulatedCa(options);
}

TEST(SimulatedCaTest, InitWritesKeysOwnerOnlyAndCertificates) {
  TempDir tmp;
  const std::string dir = tmp.File("ca");
  Result<CaInitResult> result = Init(dir);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Mode(dir), 0700u);
  for (const char* key :
       {kCaRootKeyFile, kCaIntermediateKeyFile, kCaAttestationKeyFile}) {
    EXPECT_EQ(Mode(dir + "/" + key), 0600u) << key;
  }
  EXPECT_EQ(result->files.size(), 7u);
  ASSERT_EQ(result->subjects.size(), 3u);
  EXPECT_NE(result->subjects[2].find(kSimulatedRootName), std::string::npos);
  for (const std::string& s : result->subjects) {
    EXPECT_NE(s.find("SIMULATED"), std::string::npos) << s;
  }
  const std::vector<crypto::Certificate> root =
      *crypto::ParsePemCertificates(ReadFile(dir + "/" + kCaRootCertFile));
  EXPECT_EQ(result->root_fingerprint, CertificateFingerprint(root[0]));
  EXPECT_EQ(result->root_fingerprint.size(), 64u);
  // Keys are PKCS#8 and never written into the certificate files.
  EXPECT_NE(ReadFile(dir + "/" + kCaAttestationKeyFile)
                .find("-----BEGIN PRIVATE KEY-----"),
            std::string::npos);
  EXPECT_EQ(ReadFile(dir + "/" + kCaChainFile).find("PRIVATE"),
            std::string::npos);
}

TEST(SimulatedCaTest, InitRefusesToOverwriteWithoutForce) {
  TempDir tmp;
  const std::string dir = tmp.File("ca");
  const std::string first = Init(dir)->root_fingerprint;
  Result<CaInitResult> again = Init(dir);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("--force"), std::string::npos);
  EXPECT_NE(again.status().message().find("root.key"), std::string::npos);
  // Nothing was replaced.
  const std::vector<crypto::Certificate> root =
      *crypto::ParsePemCertificates(ReadFile(dir + "/" + kCaRootCertFile));
  EXPECT_EQ(CertificateFingerprint(root[0]), first);
  // A single leftover key file is enough to refuse.
  TempDir tmp2;
  std::filesystem::create_directories(tmp2.File("ca"));
  WriteFile(tmp2.File("ca/attestation.key"), "x");
  EXPECT_EQ(Init(tmp2.File("ca")).status().code(),
            StatusCode::kFailedPrecondition);
  Result<CaInitResult> forced = Init(dir, /*force=*/true);
  ASSERT_TRUE(forced.ok());
  EXPECT_NE(forced->root_fingerprint, first);
}

TEST(SimulatedCaTest, InitTightensAnExistingDirectory) {
  TempDir tmp;
  ASSERT_EQ(::chmod(tmp.path().c_str(), 0755), 0);
  ASSERT_TRUE(Init(tmp.path()).ok());
  EXPECT_EQ(Mode(tmp.path()), 0700u);
}

TEST(SimulatedCaTest, LoadReturnsAWorkingKeyAndChain) {
  TempDir tmp;
  ASSERT_TRUE(Init(tmp.path()).ok());
  Result<SimulatedCa> ca = LoadSimulatedCa(tmp.path(), kTestNow);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  ASSERT_EQ(ca->chain.size(), 3u);
  EXPECT_EQ(*ca->chain[0].GetPublicKey(), ca->attestation_key.public_key());
  EXPECT_EQ(ca->attestation_key.curve(), crypto::EcCurve::kP256);
}

TEST(SimulatedCaTest, LoadRefusesAGroupReadableKey) {
  TempDir tmp;
  ASSERT_TRUE(Init(tmp.path()).ok());
  ASSERT_EQ(::chmod(tmp.File(kCaAttestationKeyFile).c_str(), 0640), 0);
  EXPECT_EQ(LoadSimulatedCa(tmp.path(), kTestNow).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(SimulatedCaTest, LoadRefusesAKeyThatDoesNotMatchItsCertificate) {
  TempDir a, b;
  ASSERT_TRUE(Init(a.path()).ok());
  ASSERT_TRUE(Init(b.path()).ok());
  std::filesystem::copy_file(b.File(kCaAttestationKeyFile),
                             a.File(kCaAttestationKeyFile),
                             std::filesystem::copy_options::overwrite_existing);
  Result<SimulatedCa> ca = LoadSimulatedCa(a.path(), kTestNow);
  EXPECT_EQ(ca.status().code(), StatusCode::kFailedPrecondition);
}

TEST(SimulatedCaTest, LoadRefusesAnExpiredChainAndMissingFiles) {
  TempDir tmp;
  ASSERT_TRUE(Init(tmp.path()).ok());
  EXPECT_EQ(LoadSimulatedCa(tmp.path(), kTestNow + hours(24 * 365 * 3))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(LoadSimulatedCa(tmp.path(), kTestNow - hours(2)).status().code(),
            StatusCode::kFailedPrecondition);
  TempDir empty;
  EXPECT_EQ(LoadSimulatedCa(empty.path(), kTestNow).status().code(),
            StatusCode::kNotFound);
}

TEST(SimulatedCaTest, FingerprintFormatting) {
  EXPECT_EQ(FormatFingerprint("0a1b2c"), "0A:1B:2C");
}

}  // namespace
}  // namespace cerumbra::attest
