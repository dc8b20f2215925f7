// Copyright 2026 The Cerumbra Authors.

#include "crypto/x509_builder.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/ecdsa.h"

namespace cerumbra::crypto {
namespace {

using std::chrono::hours;
using std::chrono::sys_seconds;

const sys_seconds kStart{std::chrono::seconds(1'800'000'000)};

CertificateProfile Profile(const char* cn, bool is_ca) {
  CertificateProfile p;
  p.subject_common_name = cn;
  p.subject_organization = "Cerumbra Test";
  p.not_before = kStart;
  p.not_after = kStart + hours(24 * 365);
  p.is_ca = is_ca;
  return p;
}

struct Pki {
  PrivateKey root_key = *PrivateKey::Generate(EcCurve::kP384);
  PrivateKey inter_key = *PrivateKey::Generate(EcCurve::kP384);
  PrivateKey leaf_key = *PrivateKey::Generate(EcCurve::kP256);
  Certificate root =
      *IssueCertificate(Profile("Root", true), root_key.public_key(), root_key);
  Certificate inter = *IssueCertificate(
      Profile("Intermediate", true), inter_key.public_key(), root_key, &root);
  Certificate leaf = *IssueCertificate(
      Profile("Leaf", false), leaf_key.public_key(), inter_key, &inter);
};

TEST(X509BuilderTest, IssuedChainVerifiesUnderItsRoot) {
  Pki pki;
  const std::vector<Certificate> chain = {pki.leaf, pki.inter, pki.root};
  const std::vector<Certificate> roots = {pki.root};
  Result<VerifiedChain> verified =
      VerifyCertificateChain(chain, roots, kStart + hours(1));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  ASSERT_EQ(verified->subjects.size(), 3u);
  EXPECT_EQ(verified->subjects[0], "CN=Leaf,O=Cerumbra Test");
  EXPECT_EQ(pki.leaf.Issuer(), "CN=Intermediate,O=Cerumbra Test");
  EXPECT_EQ(*pki.leaf.GetPublicKey(), pki.leaf_key.public_key());
  EXPECT_EQ(*pki.leaf.NotBefore(), kStart);
  EXPECT_EQ(*pki.leaf.NotAfter(), kStart + hours(24 * 365));
}

TEST(X509BuilderTest, ChainFailsOutsideValidityAndUnderAnotherRoot) {
  Pki pki;
  Pki other;
  const std::vector<Certificate> chain = {pki.leaf, pki.inter, pki.root};
  const std::vector<Certificate> roots = {pki.root};
  const std::vector<Certificate> other_roots = {other.root};
  EXPECT_FALSE(VerifyCertificateChain(chain, roots, kStart - hours(1)).ok());
  EXPECT_FALSE(
      VerifyCertificateChain(chain, roots, kStart + hours(24 * 366)).ok());
  EXPECT_FALSE(
      VerifyCertificateChain(chain, other_roots, kStart + hours(1)).ok());
}

TEST(X509BuilderTest, EndEntityCannotIssue) {
  Pki pki;
  PrivateKey key = *PrivateKey::Generate(EcCurve::kP256);
  EXPECT_EQ(IssueCertificate(Profile("X", false), key.public_key(),
                             pki.leaf_key, &pki.leaf)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(X509BuilderTest, RejectsMismatchedKeysAndBadProfiles) {
  Pki pki;
  PrivateKey key = *PrivateKey::Generate(EcCurve::kP256);
  // Self-signed with someone else's key.
  EXPECT_FALSE(
      IssueCertificate(Profile("X", true), key.public_key(), pki.root_key)
          .ok());
  // Issuer key that is not the issuer certificate's.
  EXPECT_FALSE(IssueCertificate(Profile("X", false), key.public_key(),
                                pki.leaf_key, &pki.inter)
                   .ok());
  CertificateProfile bad = Profile("X", false);
  bad.not_after = bad.not_before;
  EXPECT_FALSE(IssueCertificate(bad, key.public_key(), key).ok());
  bad = Profile("", false);
  EXPECT_FALSE(IssueCertificate(bad, key.public_key(), key).ok());
}

TEST(X509BuilderTest, LeafCertificateFromEndEntityIsRejectedByChainCheck) {
  // A certificate issued (by forging the issuer name) under an end entity
  // must not verify: build one with the leaf as a "CA" that is not one.
  Pki pki;
  PrivateKey key = *PrivateKey::Generate(EcCurve::kP256);
  // The leaf signs a self-signed-looking cert; verifying it with the real
  // chain appended fails because the leaf is not a CA.
  Certificate fake =
      *IssueCertificate(Profile("Fake", false), key.public_key(), key);
  const std::vector<Certificate> chain = {fake, pki.leaf, pki.inter, pki.root};
  const std::vector<Certificate> roots = {pki.root};
  EXPECT_FALSE(VerifyCertificateChain(chain, roots, kStart + hours(1)).ok());
}

TEST(X509BuilderTest, SerialNumbersDiffer) {
  PrivateKey key = *PrivateKey::Generate(EcCurve::kP256);
  Certificate a = *IssueCertificate(Profile("A", true), key.public_key(), key);
  Certificate b = *IssueCertificate(Profile("A", true), key.public_key(), key);
  EXPECT_NE(a.ToDer(), b.ToDer());
}

}  // namespace
}  // namespace cerumbra::crypto
