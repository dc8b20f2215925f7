// Copyright 2026 The Cerumbra Authors.

#include "crypto/x509.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "crypto/ecdsa.h"
#include "crypto/test_util.h"

namespace cerumbra::crypto {
namespace {

using std::chrono::sys_days;
using std::chrono::sys_seconds;
using namespace std::chrono_literals;
using testing::ReadTestVectorFile;

sys_seconds At(int y, unsigned m, unsigned d) {
  return sys_seconds(sys_days(std::chrono::year(y) / std::chrono::month(m) /
                              std::chrono::day(d)));
}

// A missing vector file is a failure, never a skip.
std::string MustRead(const std::string& path) {
  std::optional<std::string> text = ReadTestVectorFile(path);
  if (!text.has_value()) {
    ADD_FAILURE() << "cannot read test vector " << path
                  << " (CERUMBRA_TESTVECTORS=" << testing::TestVectorsDir()
                  << ")";
    return "";
  }
  return *std::move(text);
}

std::vector<Certificate> MustParse(const std::string& path) {
  Result<std::vector<Certificate>> certs = ParsePemCertificates(MustRead(path));
  if (!certs.ok()) {
    ADD_FAILURE() << path << ": " << certs.status().ToString();
    return {};
  }
  return *std::move(certs);
}

constexpr char kDeviceRoot[] = "nvidia-nvtrust/verifier_device_root.pem";
constexpr char kRimRoot[] = "nvidia-nvtrust/verifier_RIM_root.pem";
constexpr char kIntelRoot[] = "intel-tdx/trusted_root.pem";

struct ChainCase {
  const char* path;
  // A time when every certificate is valid, and one before the latest
  // notBefore in the chain (from `openssl x509 -noout -dates`).
  sys_seconds valid_at;
  sys_seconds before_not_before;
  const char* leaf_cn;
};

std::vector<ChainCase> NvidiaChains() {
  return {
      // Latest notBefore: "NVIDIA GH100 Provisioner ICA 1", 2022-03-01.
      {"nvidia-nvtrust/hopperCertChain.txt", At(2025, 1, 1), At(2022, 2, 1),
       "GH100 A01 GSP FMC LF"},
      {"nvidia-nvtrust/gpuAkCertChain.txt", At(2025, 1, 1), At(2022, 2, 1),
       "GH100 A01 GSP FMC LF"},
      // Latest notBefore: leaf, BROM and ICA, 2023-06-20.
      {"nvidia-attestation-sdk/blackwellCertChain.txt", At(2025, 1, 1),
       At(2023, 6, 19), "GB100 A01 GSP FMC LF"},
      {"nvidia-attestation-sdk/hopperCertChainExpired.txt", At(2025, 1, 1),
       At(2022, 2, 1), "GH100 A01 GSP FMC LF"},
  };
}

class NvidiaChainTest : public ::testing::TestWithParam<ChainCase> {
 protected:
  std::vector<Certificate> chain_ = MustParse(GetParam().path);
  std::vector<Certificate> root_ = MustParse(kDeviceRoot);
};

INSTANTIATE_TEST_SUITE_P(AllChains, NvidiaChainTest,
                         ::testing::ValuesIn(NvidiaChains()),
                         [](const ::testing::TestParamInfo<ChainCase>& p) {
                           std::string name = p.param.path;
                           name = name.substr(name.find('/') + 1);
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

TEST_P(NvidiaChainTest, VerifiesAgainstThePinnedDeviceRoot) {
  ASSERT_EQ(chain_.size(), 5u);
  Result<VerifiedChain> verified =
      VerifyCertificateChain(chain_, root_, GetParam().valid_at);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  ASSERT_EQ(verified->subjects.size(), 5u);
  ASSERT_EQ(verified->certificates.size(), 5u);
  EXPECT_NE(verified->subjects.front().find(GetParam().leaf_cn),
            std::string::npos)
      << verified->subjects.front();
  EXPECT_EQ(verified->subjects.back(), "O=NVIDIA,CN=NVIDIA Device Identity CA");
  EXPECT_EQ(verified->certificates.back().ToDer(), root_.front().ToDer());
}

TEST_P(NvidiaChainTest, VerifiesWithTheRootOmittedFromTheBundle) {
  Result<VerifiedChain> verified =
      VerifyCertificateChain(std::span<const Certificate>(chain_).first(4),
                             root_, GetParam().valid_at);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->subjects.size(), 5u);
}

TEST_P(NvidiaChainTest, PemEntryPointVerifies) {
  Result<VerifiedChain> verified = VerifyPemCertificateChain(
      MustRead(GetParam().path), MustRead(kDeviceRoot), GetParam().valid_at);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->subjects.size(), 5u);
}

void ExpectChainRejected(const Result<VerifiedChain>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
}

TEST_P(NvidiaChainTest, FailsAgainstAWrongRoot) {
  ExpectChainRejected(
      VerifyCertificateChain(chain_, MustParse(kRimRoot), GetParam().valid_at));
  ExpectChainRejected(VerifyCertificateChain(chain_, MustParse(kIntelRoot),
                                             GetParam().valid_at));
}

TEST_P(NvidiaChainTest, FailsWithAMissingLink) {
  for (size_t drop = 1; drop < 4; ++drop) {
    std::vector<Certificate> broken = chain_;
    broken.erase(broken.begin() + static_cast<long>(drop));
    ExpectChainRejected(
        VerifyCertificateChain(broken, root_, GetParam().valid_at));
  }
}

TEST_P(NvidiaChainTest, FailsBeforeNotBefore) {
  ExpectChainRejected(
      VerifyCertificateChain(chain_, root_, GetParam().before_not_before));
  ExpectChainRejected(VerifyCertificateChain(chain_, root_, At(2019, 1, 1)));
}

TEST_P(NvidiaChainTest, FailsAfterNotAfter) {
  // Every certificate here has notAfter 9999-12-31T23:59:59Z. OpenSSL
  // treats notAfter itself as expired (X509_cmp_time "earlier or equal"),
  // one second stricter than RFC 5280 §4.1.2.5.
  const sys_seconds not_after = At(9999, 12, 31) + 23h + 59min + 59s;
  EXPECT_TRUE(VerifyCertificateChain(chain_, root_, not_after - 1s).ok());
  ExpectChainRejected(VerifyCertificateChain(chain_, root_, not_after));
  ExpectChainRejected(VerifyCertificateChain(chain_, root_, not_after + 1s));
}

TEST_P(NvidiaChainTest, FailsWhenReorderedOrPadded) {
  std::vector<Certificate> swapped = chain_;
  std::swap(swapped[1], swapped[2]);
  ExpectChainRejected(
      VerifyCertificateChain(swapped, root_, GetParam().valid_at));
  std::vector<Certificate> padded = chain_;
  padded.push_back(MustParse(kIntelRoot).front());
  ExpectChainRejected(
      VerifyCertificateChain(padded, root_, GetParam().valid_at));
}

TEST_P(NvidiaChainTest, NoPartialChainsToAPinnedIntermediate) {
  // Pinning an intermediate must not make the chain below it trusted.
  std::vector<Certificate> intermediate = {chain_[3]};
  ExpectChainRejected(
      VerifyCertificateChain(std::span<const Certificate>(chain_).first(3),
                             intermediate, GetParam().valid_at));
}

TEST_P(NvidiaChainTest, LeafCarriesAP384Key) {
  Result<PublicKey> key = chain_.front().GetPublicKey();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->curve(), EcCurve::kP384);
}

// --- Real NVIDIA evidence: the report signature under the leaf key. ------

std::vector<uint8_t> ReadHexReport(const std::string& path) {
  std::string hex = MustRead(path);
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) {
    hex.pop_back();
  }
  std::optional<std::vector<uint8_t>> bytes = testing::TryHexDecode(hex);
  if (!bytes.has_value()) {
    ADD_FAILURE() << path << " is not hex";
    return {};
  }
  return *std::move(bytes);
}

// The SPDM MEASUREMENTS signature is the last 96 bytes (P1363, P-384) over
// everything before it (testvectors README: [0,4021) for the 4117-byte
// Hopper report).
Status VerifyReport(const std::vector<uint8_t>& report,
                    const Certificate& leaf) {
  if (report.size() < 96) return InvalidArgumentError("short report");
  CERUMBRA_ASSIGN_OR_RETURN(PublicKey key, leaf.GetPublicKey());
  const std::span<const uint8_t> all(report);
  return EcdsaVerify(key, all.first(all.size() - 96), all.last(96),
                     EcdsaSignatureFormat::kP1363);
}

TEST(NvidiaEvidenceTest, HopperReportSignatureVerifiesWithTheLeafKey) {
  const std::vector<uint8_t> report =
      ReadHexReport("nvidia-nvtrust/hopperAttestationReport.txt");
  ASSERT_EQ(report.size(), 4117u);
  const std::vector<Certificate> chain =
      MustParse("nvidia-nvtrust/hopperCertChain.txt");
  ASSERT_FALSE(chain.empty());
  EXPECT_TRUE(VerifyReport(report, chain.front()).ok());
  // Another GPU's leaf key does not verify it.
  const std::vector<Certificate> other =
      MustParse("nvidia-nvtrust/gpuAkCertChain.txt");
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(VerifyReport(report, other.front()).code(),
            StatusCode::kUnauthenticated);
}

TEST(NvidiaEvidenceTest, OlderHopperAndBlackwellReportsVerify) {
  const std::vector<Certificate> ak =
      MustParse("nvidia-nvtrust/gpuAkCertChain.txt");
  ASSERT_FALSE(ak.empty());
  EXPECT_TRUE(
      VerifyReport(ReadHexReport("nvidia-nvtrust/attestationReport.txt"),
                   ak.front())
          .ok());
  const std::vector<Certificate> blackwell =
      MustParse("nvidia-attestation-sdk/blackwellCertChain.txt");
  ASSERT_FALSE(blackwell.empty());
  EXPECT_TRUE(VerifyReport(ReadHexReport("nvidia-attestation-sdk/"
                                         "blackwellAttestationReport.txt"),
                           blackwell.front())
                  .ok());
}

TEST(NvidiaEvidenceTest, InvalidSignatureReportIsRejected) {
  const std::vector<Certificate> chain =
      MustParse("nvidia-attestation-sdk/hopperCertChainExpired.txt");
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(VerifyReport(ReadHexReport("nvidia-attestation-sdk/"
                                       "hopperAttestationReportInvalidSignature"
                                       ".txt"),
                         chain.front())
                .code(),
            StatusCode::kUnauthenticated);
}

bool Contains(const std::vector<uint8_t>& haystack,
              std::span<const uint8_t> needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(),
                     needle.end()) != haystack.end();
}

TEST(NvidiaEvidenceTest, HopperLeafFwidExtensionMatchesTheReport) {
  const std::vector<Certificate> chain =
      MustParse("nvidia-nvtrust/hopperCertChain.txt");
  ASSERT_FALSE(chain.empty());
  Result<std::vector<uint8_t>> ext =
      chain.front().GetExtensionValue("2.23.133.5.4.1");
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  ASSERT_GE(ext->size(), 48u);
  // The FWID is the extension's last 48 bytes and appears in the report.
  const std::vector<uint8_t> report =
      ReadHexReport("nvidia-nvtrust/hopperAttestationReport.txt");
  EXPECT_TRUE(Contains(report, std::span(*ext).last(48)));
}

TEST(NvidiaEvidenceTest, BlackwellLeafDiceTcbInfoFwidMatchesTheReport) {
  const std::vector<Certificate> chain =
      MustParse("nvidia-attestation-sdk/blackwellCertChain.txt");
  ASSERT_FALSE(chain.empty());
  Result<std::vector<uint8_t>> ext =
      chain.front().GetExtensionValue("2.23.133.5.4.1.1");
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  EXPECT_EQ(ext->front(), 0x30);  // DiceTcbInfo is a SEQUENCE.
  // fwids[0] is FWID { id-sha384, OCTET STRING (48) }: find its digest.
  const std::vector<uint8_t> fwid_prefix =
      testing::HexDecode("06096086480165030402020430");
  const auto it = std::search(ext->begin(), ext->end(), fwid_prefix.begin(),
                              fwid_prefix.end());
  ASSERT_NE(it, ext->end());
  ASSERT_GE(ext->end() - it, static_cast<long>(fwid_prefix.size() + 48));
  const std::span<const uint8_t> fwid(&*(it + fwid_prefix.size()), 48);
  const std::vector<uint8_t> report =
      ReadHexReport("nvidia-attestation-sdk/blackwellAttestationReport.txt");
  EXPECT_TRUE(Contains(report, fwid));
}

// --- Getters and parsing ----------------------------------------------------

TEST(CertificateTest, RootGettersReturnItsNameAndValidity) {
  const std::vector<Certificate> root = MustParse(kDeviceRoot);
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0].Subject(), "O=NVIDIA,CN=NVIDIA Device Identity CA");
  EXPECT_EQ(root[0].Issuer(), root[0].Subject());
  EXPECT_EQ(*root[0].NotBefore(), At(2021, 11, 5));
  EXPECT_EQ(*root[0].NotAfter(), At(9999, 12, 31) + 23h + 59min + 59s);
}

TEST(CertificateTest, ExtensionLookupReportsAbsentAndMalformedOids) {
  const std::vector<Certificate> root = MustParse(kDeviceRoot);
  ASSERT_FALSE(root.empty());
  EXPECT_EQ(root[0].GetExtensionValue("1.2.3.4.5").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(root[0].GetExtensionValue("not an oid").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(root[0].GetExtensionValue("commonName").status().code(),
            StatusCode::kInvalidArgument);
  // basicConstraints (2.5.29.19) of a CA: SEQUENCE { BOOLEAN TRUE, ... }.
  Result<std::vector<uint8_t>> bc = root[0].GetExtensionValue("2.5.29.19");
  ASSERT_TRUE(bc.ok());
  EXPECT_EQ(bc->at(0), 0x30);
}

TEST(CertificateTest, DerConcatenationRoundTrips) {
  const std::vector<Certificate> chain =
      MustParse("nvidia-nvtrust/hopperCertChain.txt");
  std::vector<uint8_t> der;
  for (const Certificate& cert : chain) {
    const std::vector<uint8_t> one = cert.ToDer();
    der.insert(der.end(), one.begin(), one.end());
  }
  Result<std::vector<Certificate>> parsed = ParseDerCertificates(der);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), chain.size());
  for (size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ((*parsed)[i].ToDer(), chain[i].ToDer());
  }
  der.push_back(0x00);
  EXPECT_FALSE(ParseDerCertificates(der).ok());
  EXPECT_FALSE(ParseDerCertificates({}).ok());
  EXPECT_FALSE(Certificate::FromDer(der).ok());  // several certificates
}

TEST(CertificateTest, PemParsingRejectsMalformedInput) {
  const std::string root = MustRead(kDeviceRoot);
  ASSERT_TRUE(ParsePemCertificates(root).ok());
  // Explanatory text around blocks is allowed (RFC 7468 §2).
  EXPECT_TRUE(
      ParsePemCertificates("subject=foo\n" + root + "\ntrailer\n").ok());
  EXPECT_FALSE(ParsePemCertificates("").ok());
  EXPECT_FALSE(ParsePemCertificates("no pem here").ok());
  std::string corrupt = root;
  corrupt[corrupt.find("MII") + 10] = '!';
  EXPECT_FALSE(ParsePemCertificates(corrupt).ok());
  std::string truncated = root.substr(0, root.find("-----END"));
  EXPECT_FALSE(ParsePemCertificates(truncated).ok());
  EXPECT_FALSE(
      ParsePemCertificates(
          "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
          .ok());
  // Valid base64, not a certificate.
  EXPECT_FALSE(
      ParsePemCertificates(
          "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
          .ok());
}

TEST(CertificateTest, PemChainEntryPointMapsErrors) {
  const std::string root = MustRead(kDeviceRoot);
  EXPECT_EQ(VerifyPemCertificateChain("garbage", root, At(2025, 1, 1))
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(
      VerifyPemCertificateChain(MustRead("nvidia-nvtrust/hopperCertChain.txt"),
                                "garbage", At(2025, 1, 1))
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCertificateChain({}, MustParse(kDeviceRoot), At(2025, 1, 1))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

// A self-signed root is a one-certificate chain; the CoRIM root has a real
// notAfter (2053-03-08), so this checks the after-notAfter path with a date
// X.509 can express.
TEST(CertificateTest, SelfSignedRootChainRespectsItsValidityPeriod) {
  const std::vector<Certificate> rim = MustParse(kRimRoot);
  ASSERT_EQ(rim.size(), 1u);
  EXPECT_TRUE(VerifyCertificateChain(rim, rim, At(2030, 1, 1)).ok());
  ExpectChainRejected(VerifyCertificateChain(rim, rim, At(2053, 3, 9)));
  ExpectChainRejected(VerifyCertificateChain(rim, rim, At(2023, 3, 16)));
  EXPECT_EQ(*rim[0].NotAfter() > At(2053, 3, 8), true);
}

}  // namespace
}  // namespace cerumbra::crypto
