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
#include "attest/attester.h"
#include "attest/nvidia_evidence.h"
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

}  // namespace
}  // namespace cerumbra::attest
