// Copyright 2026 The Cerumbra Authors.

#include "crypto/xmldsig.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "crypto/test_util.h"
#include "crypto/x509.h"

namespace cerumbra::crypto {
namespace {

using std::chrono::sys_days;
using std::chrono::sys_seconds;

sys_seconds At(int y, unsigned m, unsigned d) {
  return sys_seconds(sys_days(std::chrono::year(y) / std::chrono::month(m) /
                              std::chrono::day(d)));
}

std::string MustRead(const std::string& path) {
  std::optional<std::string> text = testing::ReadTestVectorFile(path);
  if (!text.has_value()) {
    ADD_FAILURE() << "cannot read test vector " << path;
    return "";
  }
  return *std::move(text);
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return testing::AsBytes(s);
}

Certificate RimRoot() {
  Result<std::vector<Certificate>> roots =
      ParsePemCertificates(MustRead("nvidia-nvtrust/verifier_RIM_root.pem"));
  CERUMBRA_CHECK(roots.ok() && roots->size() == 1);
  return (*roots)[0];
}

constexpr char kDriverRim[] =
    "nvidia-nvtrust/Driver_RIM_test_no_gpu.swidtag.xml";
constexpr char kVbiosRim[] =
    "nvidia-nvtrust/1010_0200_882_96005E0001_test_no_gpu.swidtag.xml";
constexpr char kVbiosProdRim[] =
    "nvidia-nvtrust/1010_0200_882_96005E0001_PROD.swidtag.xml";
constexpr char kDriver550Rim[] =
    "nvidia-attestation-sdk/NV_GPU_DRIVER_GH100_550.144.03.xml";
constexpr char kBadSignatureRim[] =
    "nvidia-attestation-sdk/incorrect_signature_driver_rim.xml";
constexpr char kDebugRootRim[] =
    "nvidia-attestation-sdk/incorrect_cert_chain_driver_rim.xml";

// Verifies chain and signature the way attest/rim.cc does.
Status VerifyAll(const std::string& xml, sys_seconds at) {
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<Certificate> certs,
                            XmlSignatureCertificates(Bytes(xml)));
  const Certificate root = RimRoot();
  CERUMBRA_ASSIGN_OR_RETURN(
      VerifiedChain chain,
      VerifyCertificateChain(certs, std::span(&root, 1), at));
  return VerifyEnvelopedXmlSignature(Bytes(xml), chain.certificates[0]);
}

struct Genuine {
  const char* path;
  sys_seconds at;
};

TEST(XmlDsigTest, NvidiaRimsVerify) {
  for (const Genuine& g :
       {Genuine{kDriverRim, At(2024, 6, 1)}, Genuine{kVbiosRim, At(2024, 6, 1)},
        Genuine{kVbiosProdRim, At(2024, 6, 1)},
        Genuine{kDriver550Rim, At(2025, 9, 1)}}) {
    const std::string xml = MustRead(g.path);
    Result<std::vector<Certificate>> certs =
        XmlSignatureCertificates(Bytes(xml));
    ASSERT_TRUE(certs.ok()) << g.path << certs.status().ToString();
    EXPECT_EQ(certs->size(), 4u) << g.path;
    EXPECT_TRUE(VerifyAll(xml, g.at).ok()) << g.path;
  }
}

TEST(XmlDsigTest, ExpiredSignerFailsAtTheWrongTime) {
  // The L4 signer of the 2023 RIMs expired in June 2025.
  EXPECT_EQ(VerifyAll(MustRead(kDriverRim), At(2026, 1, 1)).code(),
            StatusCode::kUnauthenticated);
}

TEST(XmlDsigTest, BrokenSignatureFails) {
  const std::string xml = MustRead(kBadSignatureRim);
  Result<std::vector<Certificate>> certs = XmlSignatureCertificates(Bytes(xml));
  ASSERT_TRUE(certs.ok());
  const Certificate root = RimRoot();
  Result<VerifiedChain> chain =
      VerifyCertificateChain(*certs, std::span(&root, 1), At(2025, 9, 1));
  ASSERT_TRUE(chain.ok()) << "the chain itself is genuine";
  EXPECT_EQ(
      VerifyEnvelopedXmlSignature(Bytes(xml), chain->certificates[0]).code(),
      StatusCode::kUnauthenticated);
}

TEST(XmlDsigTest, DebugRootChainFails) {
  const std::string xml = MustRead(kDebugRootRim);
  Result<std::vector<Certificate>> certs = XmlSignatureCertificates(Bytes(xml));
  ASSERT_TRUE(certs.ok());
  EXPECT_NE(certs->back().Subject().find("Debug"), std::string::npos);
  const Certificate root = RimRoot();
  for (sys_seconds at : {At(2024, 6, 1), At(2025, 9, 1)}) {
    EXPECT_FALSE(VerifyCertificateChain(*certs, std::span(&root, 1), at).ok());
  }
}

TEST(XmlDsigTest, WrongSignerKeyFails) {
  const std::string xml = MustRead(kDriverRim);
  Result<std::vector<Certificate>> certs = XmlSignatureCertificates(Bytes(xml));
  ASSERT_TRUE(certs.ok());
  EXPECT_TRUE(VerifyEnvelopedXmlSignature(Bytes(xml), (*certs)[0]).ok());
  EXPECT_EQ(VerifyEnvelopedXmlSignature(Bytes(xml), (*certs)[1]).code(),
            StatusCode::kUnauthenticated);
}

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(XmlDsigTest, AnyChangeToSignedContentFails) {
  const std::string xml = MustRead(kDriverRim);
  const std::vector<std::string> mutated = {
      Replace(xml, "colloquialVersion=\"545.00\"",
              "colloquialVersion=\"545.01\""),
      Replace(xml, "index=\"7\" active=\"True\"",
              "index=\"7\" active=\"False\""),
      Replace(xml, "index=\"8\" active=\"False\"",
              "index=\"8\" active=\"True\""),
      Replace(xml, "<ns0:Payload", "<ns0:Payload extra=\"1\""),
      Replace(xml, "<ns0:Entity", "<ns0:Entity/><ns0:Entity"),
      Replace(xml, "</ns0:Payload>", " </ns0:Payload>"),
      // Reference to something else than the whole document.
      Replace(xml, "URI=\"\"", "URI=\"#x\""),
  };
  Result<std::vector<Certificate>> certs = XmlSignatureCertificates(Bytes(xml));
  ASSERT_TRUE(certs.ok());
  for (const std::string& m : mutated) {
    EXPECT_FALSE(VerifyEnvelopedXmlSignature(Bytes(m), (*certs)[0]).ok());
  }
}

TEST(XmlDsigTest, HashValueFlipFails) {
  const std::string xml = MustRead(kVbiosRim);
  Result<std::vector<Certificate>> certs = XmlSignatureCertificates(Bytes(xml));
  ASSERT_TRUE(certs.ok());
  const size_t at = xml.find("ns2:Hash0=\"0b42");
  ASSERT_NE(at, std::string::npos);
  std::string m = xml;
  m[at + 11] = '1';
  EXPECT_EQ(VerifyEnvelopedXmlSignature(Bytes(m), (*certs)[0]).code(),
            StatusCode::kUnauthenticated);
}

TEST(XmlDsigTest, RejectsDoctypeAndSignatureWrapping) {
  const std::string xml = MustRead(kDriverRim);
  Result<std::vector<Certificate>> certs = XmlSignatureCertificates(Bytes(xml));
  ASSERT_TRUE(certs.ok());
  const Certificate& signer = (*certs)[0];
  // A DTD (entities, default attributes) is never accepted.
  const std::string doctype =
      "<!DOCTYPE SoftwareIdentity [<!ENTITY e \"x\">]>\n" + xml;
  EXPECT_EQ(VerifyEnvelopedXmlSignature(Bytes(doctype), signer).code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(XmlSignatureCertificates(Bytes(doctype)).ok());
  // A second Signature anywhere.
  const size_t sig = xml.find("<ds:Signature");
  const size_t end = xml.find("</ds:Signature>") + 15;
  ASSERT_NE(sig, std::string::npos);
  const std::string signature = xml.substr(sig, end - sig);
  const std::string twice =
      Replace(xml, "</ns0:Payload>", signature + "</ns0:Payload>");
  EXPECT_EQ(VerifyEnvelopedXmlSignature(Bytes(twice), signer).code(),
            StatusCode::kInvalidArgument);
  // The signature moved below the root element is not enveloped.
  std::string moved = xml;
  moved.erase(sig, end - sig);
  moved = Replace(moved, "</ns0:Payload>", signature + "</ns0:Payload>");
  EXPECT_FALSE(VerifyEnvelopedXmlSignature(Bytes(moved), signer).ok());
  // Not XML, empty, oversize.
  EXPECT_EQ(
      VerifyEnvelopedXmlSignature(Bytes(std::string("<a>")), signer).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyEnvelopedXmlSignature({}, signer).code(),
            StatusCode::kInvalidArgument);
  const std::string huge(kMaxXmlSize + 1, ' ');
  EXPECT_EQ(VerifyEnvelopedXmlSignature(Bytes(huge), signer).code(),
            StatusCode::kInvalidArgument);
}

TEST(XmlDsigTest, CommentsAreOutsideTheSignature) {
  // URI="" excludes comments (XMLDSig §4.4.3.3): adding one keeps the
  // signature valid, which is why RIM parsing ignores comments.
  const std::string xml = MustRead(kDriverRim);
  Result<std::vector<Certificate>> certs = XmlSignatureCertificates(Bytes(xml));
  ASSERT_TRUE(certs.ok());
  const std::string commented =
      Replace(xml, "<ns0:Payload", "<!-- hello --><ns0:Payload");
  EXPECT_TRUE(VerifyEnvelopedXmlSignature(Bytes(commented), (*certs)[0]).ok());
}

TEST(XmlDsigTest, CertificatesNeedKeyInfo) {
  EXPECT_EQ(XmlSignatureCertificates(
                Bytes(std::string(
                    "<a><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/"
                    "xmldsig#\"/></a>")))
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(
      XmlSignatureCertificates(Bytes(std::string("<a/>"))).status().code(),
      StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cerumbra::crypto
