// Copyright 2026 The Cerumbra Authors.
//
// The verifier on every real NVIDIA sample in shared/testvectors, and on
// mutations of them. Each negative test asserts WHICH check failed.

#include "attest/nvidia_verifier.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "attest/nvidia_test_util.h"
#include "crypto/base64.h"
#include "crypto/sha.h"
#include "crypto/test_util.h"

namespace cerumbra::attest {
namespace {

using testing::MustRead;
using testing::MustReadHexReport;
using testing::MustReadPemChainDer;
using testing::ToVector;
using testing::UnixSeconds;

constexpr char kHopperReport[] = "nvidia-nvtrust/hopperAttestationReport.txt";
constexpr char kHopperChain[] = "nvidia-nvtrust/hopperCertChain.txt";
constexpr char kOldReport[] = "nvidia-nvtrust/attestationReport.txt";
constexpr char kOldChain[] = "nvidia-nvtrust/gpuAkCertChain.txt";
constexpr char kDriverRim[] =
    "nvidia-nvtrust/Driver_RIM_test_no_gpu.swidtag.xml";
constexpr char kVbiosRim[] =
    "nvidia-nvtrust/1010_0200_882_96005E0001_test_no_gpu.swidtag.xml";
constexpr char kVbiosProdRim[] =
    "nvidia-nvtrust/1010_0200_882_96005E0001_PROD.swidtag.xml";
constexpr char kBlackwellReport[] =
    "nvidia-attestation-sdk/blackwellAttestationReport.txt";
constexpr char kBlackwellChain[] =
    "nvidia-attestation-sdk/blackwellCertChain.txt";
constexpr char kInvalidSigReport[] =
    "nvidia-attestation-sdk/hopperAttestationReportInvalidSignature.txt";
constexpr char kInvalidSigChain[] =
    "nvidia-attestation-sdk/hopperCertChainExpired.txt";
constexpr char kEvidenceJson[] = "nvidia-attestation-sdk/hopper_evidence.json";
constexpr char kDriver550Rim[] =
    "nvidia-attestation-sdk/NV_GPU_DRIVER_GH100_550.144.03.xml";
constexpr char kBadSignatureRim[] =
    "nvidia-attestation-sdk/incorrect_signature_driver_rim.xml";
constexpr char kDebugRootRim[] =
    "nvidia-attestation-sdk/incorrect_cert_chain_driver_rim.xml";

// The RIM signer certificates of the 2023 samples are valid until June
// 2025 (design doc §1.7): every RIM appraisal of them runs at this time.
const int64_t kRimTime = UnixSeconds(2024, 6, 1);

NvidiaEvidence Load(const std::vector<uint8_t>& report,
                    std::vector<std::vector<uint8_t>> chain,
                    GpuArchitecture architecture) {
  NvidiaEvidence e;
  if (report.size() >= 36) {
    std::copy(report.begin() + 4, report.begin() + 36, e.nonce.begin());
  }
  GpuEvidence g;
  g.index = 0;
  g.architecture = architecture;
  g.report = report;
  g.certificate_chain = std::move(chain);
  e.gpus.push_back(std::move(g));
  return e;
}

NvidiaEvidence LoadFiles(const char* report, const char* chain,
                         GpuArchitecture architecture) {
  return Load(MustReadHexReport(report), MustReadPemChainDer(chain),
              architecture);
}

NvidiaVerifyOptions Options(const NvidiaEvidence& e, int64_t now,
                            bool require_rims) {
  NvidiaVerifyOptions o = DefaultNvidiaVerifyOptions(e.nonce, now);
  o.require_rim_appraisal = require_rims;
  return o;
}

const Check* Find(const Report& r, const std::string& name) {
  for (const Check& c : r.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string Dump(const Report& r) {
  std::string out;
  for (const Check& c : r.checks) {
    out += (c.passed ? "  PASS " : "  FAIL ") + c.name + ": " + c.detail + "\n";
  }
  return out;
}

// ExpectFirstFailure asserts that `r` failed and that the first failed
// check is `name`.
void ExpectFirstFailure(const Report& r, const std::string& name) {
  ASSERT_FALSE(r.ok()) << Dump(r);
  const Check* first = r.FirstFailure();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->name, name) << Dump(r);
}

void ExpectPassed(const Report& r, const std::string& name) {
  const Check* c = Find(r, name);
  ASSERT_NE(c, nullptr) << name << "\n" << Dump(r);
  EXPECT_TRUE(c->passed) << name << "\n" << Dump(r);
}

TEST(NvidiaRootsTest, PinnedRootsAreNvidiasPublishedRoots) {
  const auto device =
      MustReadPemChainDer("nvidia-nvtrust/verifier_device_root.pem");
  const auto rim = MustReadPemChainDer("nvidia-nvtrust/verifier_RIM_root.pem");
  ASSERT_EQ(device.size(), 1u);
  ASSERT_EQ(rim.size(), 1u);
  EXPECT_EQ(DefaultNvidiaDeviceRootDer(), device[0]);
  EXPECT_EQ(DefaultNvidiaRimRootDer(), rim[0]);
  Result<crypto::Sha256Digest> d = crypto::Sha256(DefaultNvidiaDeviceRootDer());
  Result<crypto::Sha256Digest> r = crypto::Sha256(DefaultNvidiaRimRootDer());
  ASSERT_TRUE(d.ok() && r.ok());
  EXPECT_EQ(crypto::testing::HexEncode(*d),
            "102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48");
  EXPECT_EQ(crypto::testing::HexEncode(*r),
            "12977b5115acb0381179279fffeb5a8c4d264971ebb32298023a465fa41df5d1");
}

TEST(NvidiaVerifierTest, HopperSampleVerifiesAndDecodes) {
  const NvidiaEvidence e =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  const NvidiaAppraisal a = AppraiseNvidiaEvidence(
      e, Options(e, UnixSeconds(2026, 11, 26), /*require_rims=*/false));
  ASSERT_TRUE(a.report.ok()) << Dump(a.report);
  for (const char* name :
       {"evidence.roots", "evidence.nonce", "evidence.gpus",
        "gpu0.report.parse", "gpu0.nonce", "gpu0.chain", "gpu0.architecture",
        "gpu0.report.signature", "gpu0.fwid", "gpu0.opaque", "gpu0.mode",
        "gpu0.rim"}) {
    ExpectPassed(a.report, name);
  }
  EXPECT_EQ(Find(a.report, "gpu0.rim")->detail.rfind("not appraised", 0), 0u);
  EXPECT_NE(Find(a.report, "gpu0.fwid")->detail.find("equals"),
            std::string::npos);
  EXPECT_NE(Find(a.report, "gpu0.report.signature")->detail.find("[0,4021)"),
            std::string::npos);
  ASSERT_EQ(a.gpus.size(), 1u);
  const NvidiaGpuResult& g = a.gpus[0];
  EXPECT_EQ(g.opaque.driver_version, "550.90.07");
  EXPECT_EQ(g.opaque.vbios_version, "96.00.9F.00.01");
  EXPECT_EQ(g.opaque.project, "1010");
  EXPECT_EQ(g.opaque.project_sku, "0200");
  EXPECT_EQ(g.opaque.chip_sku, "882");
  EXPECT_EQ(g.opaque.nvdec0_status, 0x55);
  EXPECT_TRUE(g.opaque.fwid.has_value());
  EXPECT_EQ(g.opaque.measurement_counts.size(), 64u);
  EXPECT_EQ(g.driver_rim_id, "NV_GPU_DRIVER_GH100_550.90.07");
  EXPECT_EQ(g.vbios_rim_id, "NV_GPU_VBIOS_1010_0200_882_96009F0001");
  EXPECT_EQ(g.hwmodel, "GH100 A01 GSP BROM");
  EXPECT_FALSE(g.ueid.empty());
  EXPECT_EQ(g.chain_subjects.size(), 5u);
  EXPECT_FALSE(g.measurements_appraised);
}

TEST(NvidiaVerifierTest, UeidIsTheLeafSerialInDecimal) {
  const NvidiaEvidence e =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  const NvidiaAppraisal a =
      AppraiseNvidiaEvidence(e, Options(e, UnixSeconds(2026, 1, 1), false));
  ASSERT_TRUE(a.report.ok());
  // The leaf's subject serialNumber attribute holds the same value in hex
  // (design doc §1.5).
  Result<std::vector<crypto::Certificate>> chain =
      crypto::ParsePemCertificates(MustRead(kHopperChain));
  ASSERT_TRUE(chain.ok());
  const std::string subject = (*chain)[0].Subject();
  const size_t at = subject.find("serialNumber=");
  ASSERT_NE(at, std::string::npos) << subject;
  std::string hex = subject.substr(at + 13, subject.find(',', at) - at - 13);
  // Convert the decimal ueid to hex and compare (case-insensitive).
  std::vector<uint8_t> n;  // big-endian magnitude
  for (char c : a.gpus[0].ueid) {
    unsigned carry = static_cast<unsigned>(c - '0');
    for (auto it = n.rbegin(); it != n.rend(); ++it) {
      const unsigned v = *it * 10u + carry;
      *it = static_cast<uint8_t>(v & 0xFF);
      carry = v >> 8;
    }
    while (carry) {
      n.insert(n.begin(), static_cast<uint8_t>(carry & 0xFF));
      carry >>= 8;
    }
  }
  std::string got = crypto::testing::HexEncode(n);
  for (char& c : hex) c = static_cast<char>(std::tolower(c));
  while (got.size() < hex.size()) got = "0" + got;
  EXPECT_EQ(got, hex);
}

TEST(NvidiaVerifierTest, MissingRimsFailWhenAppraisalIsRequired) {
  const NvidiaEvidence e =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  const Report r = VerifyNvidiaEvidence(e, Options(e, kRimTime, true));
  ExpectFirstFailure(r, "gpu0.rim.driver.select");
  EXPECT_NE(Find(r, "gpu0.rim.driver.select")
                ->detail.find("NV_GPU_DRIVER_GH100_550.90.07"),
            std::string::npos);
}

NvidiaVerifyOptions OldReportOptions(const NvidiaEvidence& e,
                                     std::vector<const char*> rims,
                                     int64_t now = kRimTime) {
  NvidiaVerifyOptions o = Options(e, now, true);
  for (const char* path : rims) o.rims.push_back(ToVector(MustRead(path)));
  return o;
}

TEST(NvidiaVerifierTest, FullOfflineAppraisalOfTheNvtrustSample) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  // Unrelated RIMs in the pool are ignored; the order does not matter.
  const NvidiaAppraisal a = AppraiseNvidiaEvidence(
      e, OldReportOptions(e, {kDriver550Rim, kVbiosRim, kDriverRim}));
  ASSERT_TRUE(a.report.ok()) << Dump(a.report);
  for (const char* name : {"gpu0.rim.driver.select", "gpu0.rim.driver.chain",
                           "gpu0.rim.driver.signature", "gpu0.rim.driver.parse",
                           "gpu0.rim.driver.version", "gpu0.rim.vbios.select",
                           "gpu0.rim.vbios.chain", "gpu0.rim.vbios.signature",
                           "gpu0.rim.vbios.parse", "gpu0.rim.vbios.version",
                           "gpu0.rim.index_conflict", "gpu0.measurements"}) {
    ExpectPassed(a.report, name);
  }
  EXPECT_EQ(Find(a.report, "gpu0.rim"), nullptr);
  // No FWID in the 545.00 report: skipped, as NVIDIA's verifiers do.
  EXPECT_EQ(Find(a.report, "gpu0.fwid")->detail.rfind("skipped", 0), 0u);
  const NvidiaGpuResult& g = a.gpus[0];
  EXPECT_TRUE(g.measurements_appraised);
  EXPECT_EQ(g.opaque.driver_version, "545.00");
  EXPECT_EQ(g.opaque.vbios_version, "96.00.5E.00.01");
  EXPECT_EQ(g.vbios_rim_id, "NV_GPU_VBIOS_1010_0200_882_96005E0001");
  // 21 driver + 12 VBIOS golden values; index 35 is skipped because NVDEC0
  // is disabled (0x55) in this report.
  ASSERT_EQ(g.measurements.size(), 33u);
  size_t matched = 0, skipped = 0;
  for (const NvidiaMeasurementResult& m : g.measurements) {
    matched += m.matched;
    skipped += m.skipped;
    if (m.skipped) {
      EXPECT_EQ(m.rim_index, 35);
    }
  }
  EXPECT_EQ(matched, 32u);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(Find(a.report, "gpu0.measurements")->detail,
            "32 golden values match, 1 skipped (NVDEC0 disabled)");
}

TEST(NvidiaVerifierTest, ExpiredRimSignerFailsTheRimChain) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  const Report r = VerifyNvidiaEvidence(
      e, OldReportOptions(e, {kDriverRim, kVbiosRim}, UnixSeconds(2025, 9, 1)));
  ExpectFirstFailure(r, "gpu0.rim.driver.chain");
}

TEST(NvidiaVerifierTest, ProdVbiosRimMismatchesTheTestReport) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  const NvidiaAppraisal a = AppraiseNvidiaEvidence(
      e, OldReportOptions(e, {kDriverRim, kVbiosProdRim}));
  ExpectFirstFailure(a.report, "gpu0.measurements");
  ExpectPassed(a.report, "gpu0.rim.vbios.signature");
  EXPECT_EQ(Find(a.report, "gpu0.measurements")->detail,
            "mismatch at RIM indices 1(vbios) 2(vbios) 3(vbios) 9(vbios)");
}

TEST(NvidiaVerifierTest, TwoMatchingVbiosRimsAreAmbiguous) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  const Report r = VerifyNvidiaEvidence(
      e, OldReportOptions(e, {kDriverRim, kVbiosRim, kVbiosProdRim}));
  ExpectFirstFailure(r, "gpu0.rim.vbios.select");
}

// Rewrites `rim` so that it claims another colloquialVersion (which breaks
// its signature): the verifier must select it by that version and then
// reject it at the signature.
std::string WithVersion(std::string rim, const std::string& from,
                        const std::string& to) {
  const std::string attr = "colloquialVersion=\"" + from + "\"";
  const size_t at = rim.find(attr);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) {
    rim.replace(at, attr.size(), "colloquialVersion=\"" + to + "\"");
  }
  return rim;
}

TEST(NvidiaVerifierTest, BrokenRimSignatureFailsTheRimSignature) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  NvidiaVerifyOptions o = OldReportOptions(e, {kVbiosRim});
  // NVIDIA's broken-signature RIM, relabelled for this report's driver.
  o.rims.push_back(ToVector(
      WithVersion(MustRead(kBadSignatureRim), "550.144.03", "545.00")));
  // Its signer (2024-12-30 ..) and the 2023 VBIOS RIM's (.. 2025-06-22)
  // are both valid in March 2025.
  o.now_unix_seconds = UnixSeconds(2025, 3, 1);
  Report r = VerifyNvidiaEvidence(e, o);
  ExpectFirstFailure(r, "gpu0.rim.driver.signature");
  ExpectPassed(r, "gpu0.rim.driver.chain");
  // A genuine RIM with one golden value changed.
  o = OldReportOptions(e, {kVbiosRim});
  std::string driver = MustRead(kDriverRim);
  const size_t at = driver.find("index=\"7\" active=\"True\"");
  ASSERT_NE(at, std::string::npos);
  const size_t hash = driver.find("Hash0=\"", at) + 7;
  driver[hash] = driver[hash] == '0' ? '1' : '0';
  o.rims.push_back(ToVector(driver));
  r = VerifyNvidiaEvidence(e, o);
  ExpectFirstFailure(r, "gpu0.rim.driver.signature");
}

TEST(NvidiaVerifierTest, RimChainedToTheDebugRootFailsTheRimChain) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  NvidiaVerifyOptions o = OldReportOptions(e, {kDriverRim});
  // NVIDIA's RIM signed under "NVIDIA CoRIM L1 Root CA Debug Only",
  // relabelled as this report's VBIOS RIM.
  o.rims.push_back(ToVector(WithVersion(MustRead(kDebugRootRim),
                                        "97.00.83.00.09", "96.00.5E.00.01")));
  // Its product is GB100; make it match the Hopper family too.
  std::string text(o.rims.back().begin(), o.rims.back().end());
  const size_t at = text.find("product=\"GB100\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 15, "product=\"GH100\"");
  o.rims.back() = ToVector(text);
  const Report r = VerifyNvidiaEvidence(e, o);
  ExpectFirstFailure(r, "gpu0.rim.vbios.chain");
}

TEST(NvidiaVerifierTest, WrongRimRootFailsTheRimChain) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  NvidiaVerifyOptions o = OldReportOptions(e, {kDriverRim, kVbiosRim});
  o.rim_root_der = DefaultNvidiaDeviceRootDer();
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.rim.driver.chain");
}

TEST(NvidiaVerifierTest, BlackwellSampleVerifiesWithTheDiceFwid) {
  const NvidiaEvidence e =
      LoadFiles(kBlackwellReport, kBlackwellChain, GpuArchitecture::kBlackwell);
  const NvidiaAppraisal a =
      AppraiseNvidiaEvidence(e, Options(e, UnixSeconds(2026, 11, 26), false));
  ASSERT_TRUE(a.report.ok()) << Dump(a.report);
  EXPECT_NE(Find(a.report, "gpu0.fwid")->detail.find("2.23.133.5.4.1.1"),
            std::string::npos);
  const NvidiaGpuResult& g = a.gpus[0];
  EXPECT_EQ(g.opaque.driver_version, "575.32");
  EXPECT_EQ(g.opaque.vbios_version, "97.00.88.00.0F");
  EXPECT_EQ(g.opaque.project, "G525");
  EXPECT_EQ(g.opaque.project_sku, "0220");
  EXPECT_EQ(g.opaque.chip_sku, "886");
  EXPECT_EQ(g.opaque.opaque_data_version, 0);
  EXPECT_EQ(g.driver_rim_id, "NV_GPU_CC_DRIVER_GB100_575.32");
  EXPECT_EQ(g.vbios_rim_id, "NV_GPU_VBIOS_G525_0220_886_970088000F");
  EXPECT_EQ(g.hwmodel, "GB100 A01 GSP BROM");
}

TEST(NvidiaVerifierTest, DeclaredArchitectureMustMatchTheDevice) {
  NvidiaEvidence e =
      LoadFiles(kBlackwellReport, kBlackwellChain, GpuArchitecture::kHopper);
  ExpectFirstFailure(
      VerifyNvidiaEvidence(e, Options(e, UnixSeconds(2026, 1, 1), false)),
      "gpu0.architecture");
  e = LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kBlackwell);
  ExpectFirstFailure(
      VerifyNvidiaEvidence(e, Options(e, UnixSeconds(2026, 1, 1), false)),
      "gpu0.architecture");
}

TEST(NvidiaVerifierTest, InvalidSignatureSampleFailsTheReportSignature) {
  const NvidiaEvidence e =
      LoadFiles(kInvalidSigReport, kInvalidSigChain, GpuArchitecture::kHopper);
  NvidiaVerifyOptions o = Options(e, UnixSeconds(2026, 1, 1), false);
  o.allow_protected_pcie = true;
  const Report r = VerifyNvidiaEvidence(e, o);
  ExpectFirstFailure(r, "gpu0.report.signature");
  ExpectPassed(r, "gpu0.chain");
}

NvidiaEvidence LoadJsonEvidence() {
  const boost::json::value v = boost::json::parse(MustRead(kEvidenceJson));
  const boost::json::object& o = v.as_array().at(0).as_object();
  Result<std::vector<uint8_t>> report =
      crypto::internal::Base64Decode(std::string(o.at("evidence").as_string()));
  Result<std::vector<uint8_t>> pem = crypto::internal::Base64Decode(
      std::string(o.at("certificate").as_string()));
  EXPECT_TRUE(report.ok() && pem.ok());
  if (!report.ok() || !pem.ok()) return {};
  Result<std::vector<crypto::Certificate>> certs =
      crypto::ParsePemCertificates(std::string_view(
          reinterpret_cast<const char*>(pem->data()), pem->size()));
  EXPECT_TRUE(certs.ok());
  std::vector<std::vector<uint8_t>> chain;
  for (const crypto::Certificate& c : *certs) chain.push_back(c.ToDer());
  NvidiaEvidence e = Load(*report, chain, GpuArchitecture::kHopper);
  EXPECT_EQ(crypto::testing::HexEncode(e.nonce),
            std::string(o.at("nonce").as_string()));
  return e;
}

TEST(NvidiaVerifierTest, ProtectedPcieEvidenceNeedsThePolicy) {
  const NvidiaEvidence e = LoadJsonEvidence();
  ASSERT_EQ(e.gpus.size(), 1u);
  NvidiaVerifyOptions o = Options(e, UnixSeconds(2026, 1, 1), false);
  const NvidiaAppraisal refused = AppraiseNvidiaEvidence(e, o);
  ExpectFirstFailure(refused.report, "gpu0.mode");
  ExpectPassed(refused.report, "gpu0.report.signature");
  ExpectPassed(refused.report, "gpu0.fwid");
  o.allow_protected_pcie = true;
  const NvidiaAppraisal a = AppraiseNvidiaEvidence(e, o);
  EXPECT_TRUE(a.report.ok()) << Dump(a.report);
  EXPECT_EQ(a.gpus[0].opaque.driver_version, "590.12");
  EXPECT_EQ(a.gpus[0].opaque.feature_flag, 2);
  EXPECT_EQ(a.gpus[0].opaque.opaque_data_version, 1);
  EXPECT_EQ(a.gpus[0].opaque.project, "G520");
}

TEST(NvidiaVerifierTest, WrongDeviceRootFailsTheChain) {
  const NvidiaEvidence e =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  NvidiaVerifyOptions o = Options(e, UnixSeconds(2026, 1, 1), false);
  o.device_root_der = DefaultNvidiaRimRootDer();
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.chain");
  o.device_root_der = {1, 2, 3};
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "evidence.roots");
}

TEST(NvidiaVerifierTest, ChainShapeIsEnforced) {
  const NvidiaEvidence good =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  const NvidiaVerifyOptions o = Options(good, UnixSeconds(2026, 1, 1), false);
  NvidiaEvidence e = good;
  e.gpus[0].certificate_chain.pop_back();  // root omitted
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.chain");
  e = good;
  e.gpus[0].certificate_chain.erase(e.gpus[0].certificate_chain.begin() + 2);
  e.gpus[0].certificate_chain.insert(e.gpus[0].certificate_chain.begin(),
                                     e.gpus[0].certificate_chain[0]);
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.chain");
  e = good;
  std::swap(e.gpus[0].certificate_chain[1], e.gpus[0].certificate_chain[2]);
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.chain");
  e = good;
  e.gpus[0].certificate_chain[1].back() ^= 1;  // broken certificate signature
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.chain");
  // Another GPU's valid chain: the chain verifies, the signature does not.
  e = good;
  e.gpus[0].certificate_chain = MustReadPemChainDer(kOldChain);
  const Report r = VerifyNvidiaEvidence(e, o);
  ExpectFirstFailure(r, "gpu0.report.signature");
  ExpectPassed(r, "gpu0.chain");
}

TEST(NvidiaVerifierTest, WrongNonceFails) {
  const NvidiaEvidence e =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  NvidiaVerifyOptions o = Options(e, UnixSeconds(2026, 1, 1), false);
  o.nonce[31] ^= 1;
  // The evidence names the old nonce, and so does the report.
  Report r = VerifyNvidiaEvidence(e, o);
  ExpectFirstFailure(r, "evidence.nonce");
  const Check* report_nonce = Find(r, "gpu0.nonce");
  ASSERT_NE(report_nonce, nullptr);
  EXPECT_FALSE(report_nonce->passed);
  // The evidence claims the expected nonce, but the report was asked for
  // another one.
  NvidiaEvidence relabelled = e;
  relabelled.nonce = o.nonce;
  r = VerifyNvidiaEvidence(relabelled, o);
  ExpectFirstFailure(r, "gpu0.nonce");
  // Changing the nonce inside the report breaks its signature.
  NvidiaEvidence patched = relabelled;
  std::copy(o.nonce.begin(), o.nonce.end(), patched.gpus[0].report.begin() + 4);
  r = VerifyNvidiaEvidence(patched, o);
  ExpectFirstFailure(r, "gpu0.report.signature");
  ExpectPassed(r, "gpu0.nonce");
}

// A flipped bit anywhere in the report makes verification fail: in the
// signed bytes the signature (or, for length fields, the parser) catches
// it, in the signature itself the signature check does.
TEST(NvidiaVerifierTest, EveryFlippedBitFails) {
  for (const auto& [report, chain, arch] :
       {std::tuple{kHopperReport, kHopperChain, GpuArchitecture::kHopper},
        std::tuple{kBlackwellReport, kBlackwellChain,
                   GpuArchitecture::kBlackwell},
        std::tuple{kOldReport, kOldChain, GpuArchitecture::kHopper}}) {
    const NvidiaEvidence good = LoadFiles(report, chain, arch);
    const NvidiaVerifyOptions o = Options(good, UnixSeconds(2026, 1, 1), false);
    ASSERT_TRUE(VerifyNvidiaEvidence(good, o).ok()) << report;
    const size_t size = good.gpus[0].report.size();
    size_t by_signature = 0, tried = 0;
    for (size_t pos = 0; pos < size; pos += 11) {
      NvidiaEvidence e = good;
      e.gpus[0].report[pos] ^= static_cast<uint8_t>(1u << (pos % 8));
      const Report r = VerifyNvidiaEvidence(e, o);
      ++tried;
      ASSERT_FALSE(r.ok()) << report << " byte " << pos;
      const std::string& first = r.FirstFailure()->name;
      if (first == "gpu0.report.signature") ++by_signature;
      // Length and header bytes fail the parser, the request nonce fails
      // the nonce check; everything else fails the signature.
      EXPECT_TRUE(first == "gpu0.report.signature" ||
                  first == "gpu0.report.parse" || first == "gpu0.nonce")
          << report << " byte " << pos << ": " << first;
    }
    // Most positions are measurement values, opaque data or the signature.
    EXPECT_GT(by_signature, tried * 8 / 10) << report;
  }
}

TEST(NvidiaVerifierTest, TruncationAndTrailingBytes) {
  const NvidiaEvidence good =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  const NvidiaVerifyOptions o = Options(good, UnixSeconds(2026, 1, 1), false);
  const size_t size = good.gpus[0].report.size();
  for (size_t keep = 0; keep < size; keep += (keep < 64 ? 1 : 97)) {
    NvidiaEvidence e = good;
    e.gpus[0].report.resize(keep);
    ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.report.parse");
  }
  NvidiaEvidence e = good;
  e.gpus[0].report.resize(size - 1);
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.report.parse");
  // Trailing garbage.
  for (uint8_t b : {0x01, 0xFF, 0x80}) {
    e = good;
    e.gpus[0].report.push_back(b);
    ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.report.parse");
    e.gpus[0].report.insert(e.gpus[0].report.end() - 1, 0);
    ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.report.parse");
  }
  // Zero padding after the signature (a real 580 driver sends one byte) is
  // accepted and reported; it is not signed and carries nothing.
  e = good;
  e.gpus[0].report.push_back(0);
  const Report r = VerifyNvidiaEvidence(e, o);
  EXPECT_TRUE(r.ok()) << Dump(r);
  EXPECT_NE(Find(r, "gpu0.report.parse")->detail.find("zero padding"),
            std::string::npos);
}

TEST(NvidiaVerifierTest, MultipleGpusAreEachVerifiedAndMustBeDistinct) {
  const NvidiaEvidence hopper =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  NvidiaEvidence e = hopper;
  // The Blackwell sample was requested with the same nonce (931d...).
  NvidiaEvidence blackwell =
      LoadFiles(kBlackwellReport, kBlackwellChain, GpuArchitecture::kBlackwell);
  ASSERT_EQ(blackwell.nonce, hopper.nonce);
  blackwell.gpus[0].index = 1;
  e.gpus.push_back(blackwell.gpus[0]);
  const NvidiaVerifyOptions o = Options(e, UnixSeconds(2026, 1, 1), false);
  NvidiaAppraisal a = AppraiseNvidiaEvidence(e, o);
  ASSERT_TRUE(a.report.ok()) << Dump(a.report);
  ExpectPassed(a.report, "gpu1.report.signature");
  ExpectPassed(a.report, "evidence.gpus.distinct");
  ASSERT_EQ(a.gpus.size(), 2u);
  EXPECT_EQ(a.gpus[1].architecture, GpuArchitecture::kBlackwell);
  // The same GPU twice.
  e.gpus[1] = e.gpus[0];
  e.gpus[1].index = 1;
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "evidence.gpus.distinct");
  // Broken second GPU.
  e.gpus[1] = blackwell.gpus[0];
  e.gpus[1].report[1000] ^= 1;  // a measurement value
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu1.report.signature");
  // Indices out of order.
  e.gpus[1].index = 2;
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "evidence.gpus");
  e.gpus.clear();
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "evidence.gpus");
}

TEST(NvidiaVerifierTest, RequireFwidRejectsOldDrivers) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  NvidiaVerifyOptions o = Options(e, UnixSeconds(2026, 1, 1), false);
  EXPECT_TRUE(VerifyNvidiaEvidence(e, o).ok());
  o.require_fwid = true;
  ExpectFirstFailure(VerifyNvidiaEvidence(e, o), "gpu0.fwid");
}

TEST(NvidiaVerifierTest, EvidenceRoundTripsThroughTheCodecAndStillVerifies) {
  const NvidiaEvidence e =
      LoadFiles(kHopperReport, kHopperChain, GpuArchitecture::kHopper);
  Result<std::vector<uint8_t>> bytes = EncodeNvidiaEvidence(e);
  ASSERT_TRUE(bytes.ok());
  Result<NvidiaEvidence> parsed = ParseNvidiaEvidence(*bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(
      VerifyNvidiaEvidence(*parsed, Options(e, UnixSeconds(2026, 1, 1), false))
          .ok());
}

TEST(NvidiaVerifierTest, ConcurrentAppraisalsAgree) {
  const NvidiaEvidence e =
      LoadFiles(kOldReport, kOldChain, GpuArchitecture::kHopper);
  const NvidiaVerifyOptions o = OldReportOptions(e, {kDriverRim, kVbiosRim});
  // Run alone (--gtest_filter), the first XML use in the process happens
  // on these threads at once.
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (size_t i = 0; i < ok.size(); ++i) {
    threads.emplace_back(
        [&, i] { ok[i] = VerifyNvidiaEvidence(e, o).ok() ? 1 : 0; });
  }
  for (std::thread& t : threads) t.join();
  for (int v : ok) EXPECT_EQ(v, 1);
}

}  // namespace
}  // namespace cerumbra::attest
