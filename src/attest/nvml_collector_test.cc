// Copyright 2026 The Cerumbra Authors.
//
// The "no NVML" path runs for real (no NVIDIA driver on CI machines); the
// rest loads a fake libnvidia-ml (testdata/fake_nvml.cc) by path, so the
// code that talks to NVML is exercised: probe states, the nonce handed to
// the report call, PEM-to-DER conversion of the real sample chain from
// shared/testvectors, and the attester's fallback to SIMULATED.

#include "attest/nvml_collector.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "attest/attest_test_util.h"
#include "attest/attestation_document.h"
#include "attest/attester.h"
#include "attest/nvidia_evidence.h"
#include "attest/policy_verifier.h"
#include "crypto/ecdsa.h"
#include "crypto/random.h"
#include "crypto/test_util.h"
#include "protocol/handshake_messages.h"

namespace cerumbra::attest {
namespace {

constexpr char kFake[] = CERUMBRA_FAKE_NVML_PATH;

// FakeEnv sets the fake library's variables for one test and clears them.
class NvmlCollectorTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* v : {"FAKE_NVML_INIT_RC", "FAKE_NVML_GPUS",
                          "FAKE_NVML_ARCH", "FAKE_NVML_CC", "FAKE_NVML_CC_RC",
                          "FAKE_NVML_DEVTOOLS", "FAKE_NVML_MULTIGPU",
                          "FAKE_NVML_CHAIN_FILE", "FAKE_NVML_REPORT_FILE"}) {
      ::unsetenv(v);
    }
  }
  static void Set(const char* name, const std::string& value) {
    ::setenv(name, value.c_str(), 1);
  }
  // UseSample points the fake at the real Hopper sample chain and report.
  static bool UseSample() {
    const std::string dir = crypto::testing::TestVectorsDir();
    if (dir.empty()) return false;
    Set("FAKE_NVML_CHAIN_FILE", dir + "/nvidia-nvtrust/hopperCertChain.txt");
    Set("FAKE_NVML_REPORT_FILE",
        dir + "/nvidia-nvtrust/hopperAttestationReport.txt");
    return true;
  }
};

TEST_F(NvmlCollectorTest, NoLibraryIsReportedAsSuch) {
  auto c = NvmlCollector::Open("/nonexistent/libnvidia-ml.so.1");
  EXPECT_EQ(c->probe().state, NvmlState::kNoLibrary);
  EXPECT_NE(c->probe().reason.find("no NVML"), std::string::npos);
  EXPECT_EQ(c->ReadyStatus().code(), StatusCode::kUnavailable);
  std::array<uint8_t, 32> nonce{};
  EXPECT_EQ(c->Collect(nonce).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(NvmlCollectorTest, RealDefaultLibraryOnThisMachine) {
  auto c = NvmlCollector::Open();
  if (c->probe().state != NvmlState::kNoLibrary) {
    GTEST_SKIP() << "an NVIDIA driver is installed: " << c->probe().reason;
  }
  EXPECT_NE(c->probe().reason.find("libnvidia-ml.so.1"), std::string::npos);
}

TEST_F(NvmlCollectorTest, LibraryWithoutNvmlSymbolsIsNoLibrary) {
  auto c = NvmlCollector::Open("libc.so.6");
  EXPECT_EQ(c->probe().state, NvmlState::kNoLibrary);
  EXPECT_NE(c->probe().reason.find("nvmlInit_v2"), std::string::npos);
}

TEST_F(NvmlCollectorTest, ProbeStatesFromTheFakeLibrary) {
  struct Case {
    const char* var;
    const char* value;
    NvmlState state;
    const char* reason;
  } cases[] = {
      {"FAKE_NVML_INIT_RC", "9", NvmlState::kInitFailed,
       "nvmlInit_v2 returned 9"},
      {"FAKE_NVML_GPUS", "0", NvmlState::kNoGpu, "0 devices"},
      {"FAKE_NVML_CC_RC", "3", NvmlState::kCcUnsupported, "returned 3"},
      {"FAKE_NVML_CC", "0", NvmlState::kCcOff, "confidential computing OFF"},
      {"FAKE_NVML_DEVTOOLS", "1", NvmlState::kDevToolsOn, "DevTools"},
      {"FAKE_NVML_MULTIGPU", "1", NvmlState::kProtectedPcie, "Protected-PCIe"},
  };
  for (const Case& c : cases) {
    TearDown();
    Set(c.var, c.value);
    auto collector = NvmlCollector::Open(kFake);
    EXPECT_EQ(collector->probe().state, c.state) << c.var;
    EXPECT_NE(collector->probe().reason.find(c.reason), std::string::npos)
        << collector->probe().reason;
    EXPECT_FALSE(collector->ReadyStatus().ok());
  }
  TearDown();
  auto ready = NvmlCollector::Open(kFake);
  EXPECT_EQ(ready->probe().state, NvmlState::kReady);
  EXPECT_EQ(ready->probe().driver_version, "580.0.0-fake");
  EXPECT_TRUE(ready->ReadyStatus().ok());
}

TEST_F(NvmlCollectorTest, CollectPassesTheNonceAndConvertsTheChain) {
  ASSERT_TRUE(UseSample()) << "CERUMBRA_TESTVECTORS not set";
  Set("FAKE_NVML_GPUS", "2");
  auto c = NvmlCollector::Open(kFake);
  ASSERT_EQ(c->probe().state, NvmlState::kReady);
  std::array<uint8_t, 32> nonce;
  for (size_t i = 0; i < nonce.size(); ++i)
    nonce[i] = static_cast<uint8_t>(i + 1);
  Result<NvidiaEvidence> ev = c->Collect(nonce);
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  EXPECT_EQ(ev->nonce, nonce);
  ASSERT_EQ(ev->gpus.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const GpuEvidence& gpu = ev->gpus[i];
    EXPECT_EQ(gpu.index, i);
    EXPECT_EQ(gpu.architecture, GpuArchitecture::kHopper);
    ASSERT_EQ(gpu.certificate_chain.size(), 5u);
    EXPECT_TRUE(crypto::Certificate::FromDer(gpu.certificate_chain[4]).ok());
    // The SPDM request carries the caller's nonce at bytes 4..35.
    ASSERT_GT(gpu.report.size(), 36u);
    EXPECT_TRUE(std::equal(nonce.begin(), nonce.end(), gpu.report.begin() + 4));
  }
  // The collected evidence has the documented encoding.
  EXPECT_TRUE(EncodeNvidiaEvidence(*ev).ok());
}

TEST_F(NvmlCollectorTest, CollectNamesTheFailingNvmlCall) {
  // CC on, but the certificate call fails (999, as observed with CC off).
  auto c = NvmlCollector::Open(kFake);
  ASSERT_EQ(c->probe().state, NvmlState::kReady);
  Result<NvidiaEvidence> ev = c->Collect({});
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(ev.status().message().find(
                "nvmlDeviceGetConfComputeGpuCertificate returned 999"),
            std::string::npos);
  ASSERT_TRUE(UseSample());
  ::unsetenv("FAKE_NVML_REPORT_FILE");
  ev = c->Collect({});
  EXPECT_NE(ev.status().message().find(
                "nvmlDeviceGetConfComputeGpuAttestationReport returned 999"),
            std::string::npos);
}

TEST_F(NvmlCollectorTest, CollectRejectsUnknownArchitectures) {
  ASSERT_TRUE(UseSample()) << "CERUMBRA_TESTVECTORS not set";
  Set("FAKE_NVML_ARCH", "7");
  auto c = NvmlCollector::Open(kFake);
  EXPECT_EQ(c->Collect({}).status().code(), StatusCode::kInvalidArgument);
}

// --- The attester on top of the collector ---------------------------------

AttesterOptions Options(const std::string& ca_dir, const std::string& lib) {
  AttesterOptions o;
  o.ca_dir = ca_dir;
  o.nvml_library = lib;
  o.now = testing::kTestNow;
  return o;
}

protocol::QuoteInput Input() {
  protocol::QuoteInput in;
  in.timestamp_ms = testing::kTestNowMs;
  in.client_nonce.fill(7);
  const crypto::PrivateKey c =
      *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
  const crypto::PrivateKey n =
      *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
  std::copy_n(c.public_key().UncompressedPoint().begin(), 65,
              in.client_public_key.begin());
  std::copy_n(n.public_key().UncompressedPoint().begin(), 65,
              in.node_public_key.begin());
  return in;
}

TEST_F(NvmlCollectorTest, AttesterFallsBackToSimulatedAndSaysWhy) {
  testing::TempDir ca;
  testing::MakeCa(ca.path());
  std::vector<std::string> log;
  AttesterOptions o = Options(ca.path(), "/nonexistent/libnvidia-ml.so.1");
  o.log = [&](std::string_view line) { log.emplace_back(line); };
  auto attester = Attester::Create(std::move(o));
  ASSERT_TRUE(attester.ok()) << attester.status().ToString();
  EXPECT_EQ((*attester)->status().evidence_type,
            protocol::EvidenceType::kSimulated);
  EXPECT_EQ((*attester)->status().nvidia_state, "no_library");
  std::string all;
  for (const auto& l : log) all += l + "\n";
  EXPECT_NE(all.find("SIMULATED"), std::string::npos);
  EXPECT_NE(all.find("no NVML"), std::string::npos);
  Result<protocol::SignedQuote> q = (*attester)->Sign(Input());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(protocol::ParseQuote(q->quote)->evidence_type,
            protocol::EvidenceType::kSimulated);
  EXPECT_TRUE(q->evidence.empty());

  Set("FAKE_NVML_CC", "0");
  attester = Attester::Create(Options(ca.path(), kFake));
  ASSERT_TRUE(attester.ok());
  EXPECT_EQ((*attester)->status().evidence_type,
            protocol::EvidenceType::kSimulated);
  EXPECT_EQ((*attester)->status().nvidia_state, "cc_off");
}

TEST_F(NvmlCollectorTest, AttesterSignsNvidiaQuotesBoundToTheGpuNonce) {
  ASSERT_TRUE(UseSample()) << "CERUMBRA_TESTVECTORS not set";
  testing::TempDir ca;
  testing::MakeCa(ca.path());
  auto attester = Attester::Create(Options(ca.path(), kFake));
  ASSERT_TRUE(attester.ok());
  ASSERT_EQ((*attester)->status().evidence_type,
            protocol::EvidenceType::kNvidiaGpu);
  const protocol::QuoteInput in = Input();
  Result<protocol::SignedQuote> q = (*attester)->Sign(in);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const protocol::Quote quote = *protocol::ParseQuote(q->quote);
  EXPECT_EQ(quote.evidence_type, protocol::EvidenceType::kNvidiaGpu);
  EXPECT_EQ(quote.evidence_digest, *crypto::Sha384(q->evidence));
  const NvidiaEvidence ev = *ParseNvidiaEvidence(q->evidence);
  const crypto::Sha256Digest gpu_nonce = *protocol::GpuNonce(
      in.client_nonce, in.client_public_key, in.node_public_key);
  EXPECT_TRUE(std::equal(gpu_nonce.begin(), gpu_nonce.end(), ev.nonce.begin()));
  EXPECT_TRUE(std::equal(gpu_nonce.begin(), gpu_nonce.end(),
                         ev.gpus[0].report.begin() + 4));
  // A collection failure fails the session; it never downgrades it.
  ::unsetenv("FAKE_NVML_REPORT_FILE");
  Result<protocol::SignedQuote> failed = (*attester)->Sign(in);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
}

// NvidiaEvidenceChain returns GPU 0's chain from encoded evidence.
std::vector<std::vector<uint8_t>> NvidiaEvidenceChain(
    std::span<const uint8_t> evidence) {
  Result<NvidiaEvidence> e = ParseNvidiaEvidence(evidence);
  if (!e.ok() || e->gpus.empty()) return {};
  return e->gpus[0].certificate_chain;
}

// --- A whole nvidia-gpu session under a synthetic GPU root -----------------
//
// The fake NVML returns the NVIDIA engineer's synthetic Hopper-shaped chain
// (testdata/synthetic_gpu_chain.pem, a made-up root) and a report this test
// signs with the chain's leaf key for the session's gpu_nonce, so the
// nvidia-gpu path runs end to end: collection, quote, PolicyQuoteVerifier
// with the NVIDIA verifier, in strict mode.

std::string TestData(const std::string& name) {
  return testing::ReadFile(std::string(CERUMBRA_ATTEST_TESTDATA_DIR) + "/" +
                           name);
}

void AddTlv(std::vector<uint8_t>& out, uint16_t type,
            const std::vector<uint8_t>& value) {
  out.insert(out.end(),
             {static_cast<uint8_t>(type), static_cast<uint8_t>(type >> 8),
              static_cast<uint8_t>(value.size()),
              static_cast<uint8_t>(value.size() >> 8)});
  out.insert(out.end(), value.begin(), value.end());
}

std::vector<uint8_t> Str(const std::string& s) {
  std::vector<uint8_t> v(s.begin(), s.end());
  v.push_back(0);
  return v;
}

// SyntheticReportHex returns an SPDM request || response (64 blocks, Hopper
// opaque data with the certificate's FWID 0xF1..) for `nonce`, signed by the
// synthetic leaf, as hex text (what the fake NVML reads).
std::string SyntheticReportHex(const std::array<uint8_t, 32>& nonce) {
  std::string key_hex = TestData("synthetic_gpu_leaf_key.hex");
  while (!key_hex.empty() &&
         (key_hex.back() == '\n' || key_hex.back() == '\r')) {
    key_hex.pop_back();
  }
  const crypto::PrivateKey key = *crypto::PrivateKey::FromScalar(
      crypto::EcCurve::kP384,
      crypto::SecretBytes::CopyFrom(*HexDecode(key_hex)));
  std::vector<uint8_t> opaque;
  AddTlv(opaque, 6, {0x00, 0x9f, 0x00, 0x96, 0x01, 0x00, 0x00, 0x00});
  AddTlv(opaque, 15, Str("882"));
  AddTlv(opaque, 17, Str("1010"));
  AddTlv(opaque, 18, Str("0200"));
  AddTlv(opaque, 3, Str("550.90.07"));
  AddTlv(opaque, 11, {0x55});
  AddTlv(opaque, 20, std::vector<uint8_t>(48, 0xF1));
  std::vector<uint8_t> r = {0x11, 0xE0, 0x01, 0xFF};
  r.insert(r.end(), nonce.begin(), nonce.end());
  r.push_back(0);
  const uint32_t l1 = 64 * 55;
  r.insert(r.end(), {0x11, 0x60, 0, 0, 64, static_cast<uint8_t>(l1),
                     static_cast<uint8_t>(l1 >> 8), 0});
  for (uint8_t i = 1; i <= 64; ++i) {
    r.insert(r.end(), {i, 1, 51, 0, 1, 48, 0});
    r.insert(r.end(), 48, i);
  }
  r.insert(r.end(), 32, 0x77);
  r.push_back(static_cast<uint8_t>(opaque.size()));
  r.push_back(static_cast<uint8_t>(opaque.size() >> 8));
  r.insert(r.end(), opaque.begin(), opaque.end());
  const std::vector<uint8_t> sig =
      *crypto::EcdsaSign(key, r, crypto::EcdsaSignatureFormat::kP1363);
  r.insert(r.end(), sig.begin(), sig.end());
  return HexEncode(r);
}

TEST_F(NvmlCollectorTest, NvidiaGpuSessionVerifiesEndToEndInStrictMode) {
  // The synthetic chain is valid from 2026-11-26T23:52Z.
  const std::chrono::sys_seconds now{std::chrono::seconds(1'811'000'000)};
  const int64_t now_ms = int64_t{1'811'000'000} * 1000;
  testing::TempDir ca, work;
  CaInitOptions init;
  init.dir = ca.path();
  init.now = now;
  ASSERT_TRUE(InitSimulatedCa(init).ok());
  Set("FAKE_NVML_CHAIN_FILE",
      std::string(CERUMBRA_ATTEST_TESTDATA_DIR) + "/synthetic_gpu_chain.pem");
  AttesterOptions o = Options(ca.path(), kFake);
  o.now = now;
  auto attester = Attester::Create(std::move(o));
  ASSERT_TRUE(attester.ok());
  ASSERT_EQ((*attester)->status().evidence_type,
            protocol::EvidenceType::kNvidiaGpu);

  // Sign returns the quote for `in` with a report made for `report_in`'s
  // gpu_nonce.
  auto sign = [&](const protocol::QuoteInput& in,
                  const protocol::QuoteInput& report_in) {
    const crypto::Sha256Digest nonce =
        *protocol::GpuNonce(report_in.client_nonce, report_in.client_public_key,
                            report_in.node_public_key);
    testing::WriteFile(work.File("report.hex"), SyntheticReportHex(nonce));
    Set("FAKE_NVML_REPORT_FILE", work.File("report.hex"));
    return *(*attester)->Sign(in);
  };
  protocol::QuoteInput in = Input();
  in.timestamp_ms = static_cast<uint64_t>(now_ms);
  const protocol::SignedQuote q = sign(in, in);

  Policy policy = SuggestedPolicy(
      (*attester)->status(), (*attester)->measurements(), (*attester)->chain());
  EXPECT_FALSE(policy.accept_simulated);
  // The suggestion names what this node lacks: GPU evidence only.
  EXPECT_TRUE(policy.accept_gpu_only_evidence);
  const std::vector<std::vector<uint8_t>> gpu_chain =
      NvidiaEvidenceChain(q.evidence);
  ASSERT_EQ(gpu_chain.size(), 5u);
  policy.nvidia_device_root = gpu_chain.back();
  policy.nvidia_require_rim_appraisal = false;
  const protocol::AttestResponse response = {q.quote, q.signature,
                                             q.certificate_chain, q.evidence};
  const protocol::Quote quote = *protocol::ParseQuote(q.quote);
  Report r = AppraiseAttestResponse(policy, response, quote, now_ms);
  std::string dump;
  for (const Check& c : r.checks) {
    dump += (c.passed ? "PASS " : "FAIL ") + c.name + " " + c.detail + "\n";
  }
  EXPECT_TRUE(r.ok()) << dump;
  EXPECT_NE(dump.find("PASS nvidia.gpu0.report.signature"), std::string::npos)
      << dump;
  EXPECT_NE(dump.find("PASS policy.evidence_type nvidia-gpu"),
            std::string::npos);
  EXPECT_NE(dump.find("PASS policy.key_protection none (GPU evidence only): "
                      "session keys NOT hardware-protected (accepted: "
                      "accept_gpu_only_evidence)"),
            std::string::npos)
      << dump;

  // Verified GPU evidence is not key protection: a strict policy refuses
  // the same quote, and only at policy.key_protection.
  Policy strict = policy;
  strict.accept_gpu_only_evidence = false;
  r = AppraiseAttestResponse(strict, response, quote, now_ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.FirstFailure()->name, "policy.key_protection");
  size_t failures = 0;
  for (const Check& c : r.checks) failures += c.passed ? 0 : 1;
  EXPECT_EQ(failures, 1u);

  // Under the real NVIDIA root the synthetic GPU is refused.
  Policy nvidia_root = policy;
  nvidia_root.nvidia_device_root.clear();
  r = AppraiseAttestResponse(nvidia_root, response, quote, now_ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.FirstFailure()->name, "nvidia.gpu0.chain");

  // GPU evidence made for another session (another gpu_nonce) is refused
  // even though the node signed the quote.
  protocol::QuoteInput other = Input();
  other.timestamp_ms = in.timestamp_ms;
  const protocol::SignedQuote replayed = sign(in, other);
  const protocol::AttestResponse replayed_response = {
      replayed.quote, replayed.signature, replayed.certificate_chain,
      replayed.evidence};
  r = AppraiseAttestResponse(policy, replayed_response,
                             *protocol::ParseQuote(replayed.quote), now_ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.FirstFailure()->name.rfind("nvidia.", 0), 0u)
      << r.FirstFailure()->name;
}

}  // namespace
}  // namespace cerumbra::attest
