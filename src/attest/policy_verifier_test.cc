// Copyright 2026 The Cerumbra Authors.

#include "attest/policy_verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "attest/attest_test_util.h"
#include "attest/attestation_document.h"
#include "attest/nvidia_evidence.h"
#include "crypto/ecdsa.h"
#include "crypto/pem.h"
#include "crypto/random.h"
#include "crypto/x509_builder.h"
#include "protocol/handshake.h"
#include "protocol/handshake_messages.h"

namespace cerumbra::attest {
namespace {

using testing::kTestNowMs;
using testing::TempDir;

class PolicyVerifierTest : public ::testing::Test {
 public:
  // Signed is one response for a fresh client nonce and key.
  struct Signed {
    std::array<uint8_t, 32> nonce;
    std::array<uint8_t, 65> client_key;
    protocol::AttestResponse response;
    protocol::Quote quote;
  };

 protected:
  void SetUp() override {
    testing::MakeCa(ca_.path());
    attester_ = testing::MakeAttester(ca_.path(), work_.path());
    policy_ = SuggestedPolicy(attester_->status(), attester_->measurements(),
                              attester_->chain());
  }

  // Handshake runs a real ClientHandshake/NodeHandshake exchange with the
  // attester signing at `sign_ms` and the verifier checking at `now_ms`.
  Result<protocol::Session> Handshake(PolicyQuoteVerifier& verifier,
                                      int64_t sign_ms = kTestNowMs,
                                      int64_t now_ms = kTestNowMs) {
    protocol::ClientHandshake client = *protocol::ClientHandshake::Create();
    protocol::NodeHandshake node = *protocol::NodeHandshake::Create();
    const std::string request = *client.Start();
    protocol::NodeHandshakeResult reply =
        node.HandleRequest(request, *attester_, sign_ms);
    if (!reply.session.ok()) return reply.session.status();
    return client.HandleResponse(reply.reply_text, verifier, now_ms);
  }

  Signed Sign(int64_t sign_ms = kTestNowMs) {
    protocol::QuoteInput in;
    in.timestamp_ms = static_cast<uint64_t>(sign_ms);
    const std::vector<uint8_t> nonce = *crypto::RandomBytes(32);
    std::copy(nonce.begin(), nonce.end(), in.client_nonce.begin());
    const auto c = *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
    const auto n = *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
    std::copy_n(c.public_key().UncompressedPoint().begin(), 65,
                in.client_public_key.begin());
    std::copy_n(n.public_key().UncompressedPoint().begin(), 65,
                in.node_public_key.begin());
    const protocol::SignedQuote sq = *attester_->Sign(in);
    Signed out{in.client_nonce, in.client_public_key, {}, {}};
    out.response = {sq.quote, sq.signature, sq.certificate_chain, sq.evidence};
    out.quote = *protocol::ParseQuote(sq.quote);
    return out;
  }

  // FailedCheck returns the first failed check's name of an appraisal.
  std::string FailedCheck(const Policy& policy, const Signed& s,
                          int64_t now_ms = kTestNowMs,
                          VerifiedChainCache* cache = nullptr) {
    const Report r =
        AppraiseAttestResponse(policy, s.response, s.quote, now_ms, cache);
    const Check* failed = r.FirstFailure();
    return failed == nullptr ? "" : failed->name;
  }

  TempDir ca_, work_;
  std::unique_ptr<Attester> attester_;
  Policy policy_;
};

TEST_F(PolicyVerifierTest, RealHandshakeWithSimulatedSignerAndPolicyVerifier) {
  PolicyQuoteVerifier verifier(policy_);
  Result<protocol::Session> session = Handshake(verifier);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const Report& r = verifier.report();
  EXPECT_TRUE(r.ok());
  std::vector<std::string> names;
  for (const Check& c : r.checks) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "chain", "signature", "evidence.digest", "evidence.simulated",
                "policy.evidence_type", "policy.key_protection",
                "policy.measurement.config", "policy.measurement.executable",
                "policy.measurement.model", "policy.measurement.web",
                "policy.freshness"}));
  EXPECT_NE(r.checks[3].detail.find("SIMULATED"), std::string::npos);
  EXPECT_EQ(r.checks[5].detail,
            "none (simulated): session keys NOT hardware-protected "
            "(accepted: accept_simulated)");
  EXPECT_EQ(KeyProtectionOf(Sign().quote).text, "none (simulated)");
  EXPECT_FALSE(KeyProtectionOf(Sign().quote).hardware);
}

// GPU evidence proves a CC-mode GPU answered the session's gpu_nonce, not
// where the quote key lives: strict policies refuse it, and only the
// separately named member accepts it, labelled.
TEST_F(PolicyVerifierTest, GpuOnlyEvidenceIsNotHardwareKeyProtection) {
  protocol::Quote quote = Sign().quote;
  quote.evidence_type = protocol::EvidenceType::kNvidiaGpu;
  EXPECT_EQ(KeyProtectionOf(quote).text, "none (GPU evidence only)");
  EXPECT_FALSE(KeyProtectionOf(quote).hardware);
  auto key_check = [&](const Policy& p) {
    const Report r = AppraiseQuotePolicy(p, quote, kTestNowMs);
    for (const Check& c : r.checks) {
      if (c.name == "policy.key_protection") return c;
    }
    return Check{"missing", false, ""};
  };
  Policy strict;
  const Check refused = key_check(strict);
  EXPECT_FALSE(refused.passed);
  EXPECT_NE(refused.detail.find("NOT hardware-protected"), std::string::npos);
  Policy simulated_ok;
  simulated_ok.accept_simulated = true;  // says nothing about GPU-only
  EXPECT_FALSE(key_check(simulated_ok).passed);
  Policy gpu_ok;
  gpu_ok.accept_gpu_only_evidence = true;
  const Check accepted = key_check(gpu_ok);
  EXPECT_TRUE(accepted.passed);
  EXPECT_EQ(accepted.detail,
            "none (GPU evidence only): session keys NOT hardware-protected "
            "(accepted: accept_gpu_only_evidence)");
  // ...and accepting GPU-only evidence does not accept simulated quotes.
  EXPECT_EQ(FailedCheck(gpu_ok, Sign()), "chain");  // no root pinned
  Policy gpu_ok_pinned = policy_;
  gpu_ok_pinned.accept_simulated = false;
  gpu_ok_pinned.accept_gpu_only_evidence = true;
  EXPECT_EQ(FailedCheck(gpu_ok_pinned, Sign()), "policy.evidence_type");
  const Report r = AppraiseAttestResponse(gpu_ok_pinned, Sign().response,
                                          Sign().quote, kTestNowMs);
  bool key_refused = false;
  for (const Check& c : r.checks) {
    if (c.name == "policy.key_protection") key_refused = !c.passed;
  }
  EXPECT_TRUE(key_refused);
}

TEST_F(PolicyVerifierTest, StrictPolicyRefusesSimulatedInTheHandshake) {
  Policy strict = policy_;
  strict.accept_simulated = false;
  PolicyQuoteVerifier verifier(strict);
  Result<protocol::Session> session = Handshake(verifier);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier.report().FirstFailure()->name, "policy.evidence_type");
  EXPECT_EQ(FailedCheck(strict, Sign()), "policy.evidence_type");
}

TEST_F(PolicyVerifierTest, WrongRootFailsTheChain) {
  TempDir other;
  testing::MakeCa(other.path());
  const SimulatedCa other_ca =
      *LoadSimulatedCa(other.path(), testing::kTestNow);
  Policy p = policy_;
  p.quote_roots = {other_ca.chain.back().ToDer()};
  EXPECT_EQ(FailedCheck(p, Sign()), "chain");
  p.quote_roots.clear();
  EXPECT_EQ(FailedCheck(p, Sign()), "chain");
  PolicyQuoteVerifier verifier(p);
  EXPECT_FALSE(Handshake(verifier).ok());
}

TEST_F(PolicyVerifierTest, ChainFromAnotherCaUnderThePinnedRootFails) {
  // The other CA's leaf presented with our root appended: not issued by it.
  TempDir other;
  testing::MakeCa(other.path());
  const SimulatedCa other_ca =
      *LoadSimulatedCa(other.path(), testing::kTestNow);
  Signed s = Sign();
  s.response.certificate_chain[0] = other_ca.chain[0].ToDer();
  EXPECT_EQ(FailedCheck(policy_, s), "chain");
}

// The quote-signing leaf must carry keyUsage digitalSignature and must not
// be a CA: a CA certificate under the pinned root that signs a quote fails
// `chain`, although OpenSSL's path validation accepts it.
TEST_F(PolicyVerifierTest, LeafMustBeAQuoteSigningCertificate) {
  std::ifstream in(ca_.path() + "/intermediate.key");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  const crypto::PrivateKey intermediate_key = *crypto::PrivateKeyFromPkcs8Pem(
      {reinterpret_cast<const uint8_t*>(pem.data()), pem.size()});
  const SimulatedCa ca = *LoadSimulatedCa(ca_.path(), testing::kTestNow);
  const auto leaf_key = *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
  crypto::CertificateProfile profile;
  profile.subject_common_name = "A CA posing as a quote key";
  profile.not_before = testing::kTestNow - std::chrono::hours(1);
  profile.not_after = testing::kTestNow + std::chrono::hours(24);
  profile.is_ca = true;  // keyUsage keyCertSign + cRLSign only
  profile.path_length = 0;
  const crypto::Certificate ca_leaf = *crypto::IssueCertificate(
      profile, leaf_key.public_key(), intermediate_key, &ca.chain[1]);

  Signed s = Sign();
  s.response.certificate_chain[0] = ca_leaf.ToDer();
  s.response.signature = *crypto::EcdsaSign(
      leaf_key, s.response.quote, crypto::EcdsaSignatureFormat::kP1363);
  const Report r =
      AppraiseAttestResponse(policy_, s.response, s.quote, kTestNowMs);
  ASSERT_NE(r.FirstFailure(), nullptr);
  EXPECT_EQ(r.FirstFailure()->name, "chain");
  EXPECT_NE(r.FirstFailure()->detail.find("digitalSignature"),
            std::string::npos);
  // The same key in a proper end-entity certificate passes.
  profile.is_ca = false;
  profile.path_length.reset();
  const crypto::Certificate good_leaf = *crypto::IssueCertificate(
      profile, leaf_key.public_key(), intermediate_key, &ca.chain[1]);
  s.response.certificate_chain[0] = good_leaf.ToDer();
  EXPECT_EQ(FailedCheck(policy_, s), "");
}

// One validity convention everywhere (OpenSSL's): a certificate is valid at
// t iff notBefore <= t < notAfter, in whole seconds (t_s = floor(t_ms /
// 1000)); the chain cache follows it exactly.
TEST_F(PolicyVerifierTest, NotAfterIsExclusiveWithAndWithoutTheCache) {
  const Signed s = Sign();
  int64_t not_after = INT64_MAX;
  for (const auto& der : s.response.certificate_chain) {
    const auto cert = *crypto::Certificate::FromDer(der);
    not_after = std::min<int64_t>(not_after,
                                  cert.NotAfter()->time_since_epoch().count());
  }
  Policy p = policy_;
  p.max_age_seconds = 86400;  // freshness fails later; only `chain` matters
  VerifiedChainCache cache;
  ASSERT_EQ(FailedCheck(p, s, kTestNowMs, &cache), "");  // primes the cache
  for (VerifiedChainCache* c :
       {static_cast<VerifiedChainCache*>(nullptr), &cache}) {
    EXPECT_NE(FailedCheck(p, s, not_after * 1000 - 1, c), "chain");
    EXPECT_EQ(FailedCheck(p, s, not_after * 1000, c), "chain");
    EXPECT_EQ(FailedCheck(p, s, not_after * 1000 + 999, c), "chain");
  }
}

TEST_F(PolicyVerifierTest, ChainIsCheckedAtTheVerificationTime) {
  const Signed s = Sign();
  const int64_t later = kTestNowMs + int64_t{3} * 365 * 86400 * 1000;
  EXPECT_EQ(FailedCheck(policy_, s, later), "chain");
}

// With a cache, a chain seen before skips the X.509 work and says so;
// every later check still runs on the new quote.
TEST_F(PolicyVerifierTest, ChainCacheHitSkipsOnlyTheChainWork) {
  VerifiedChainCache cache;
  ASSERT_EQ(FailedCheck(policy_, Sign(), kTestNowMs, &cache), "");
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 0u);
  const Signed a = Sign();
  const Report second =
      AppraiseAttestResponse(policy_, a.response, a.quote, kTestNowMs, &cache);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_NE(second.checks[0].detail.find("verified earlier in this process"),
            std::string::npos);
  const Report plain =
      AppraiseAttestResponse(policy_, a.response, a.quote, kTestNowMs);
  ASSERT_EQ(second.checks.size(), plain.checks.size());
  for (size_t i = 0; i < plain.checks.size(); ++i) {
    EXPECT_EQ(second.checks[i].name, plain.checks[i].name);
  }
  EXPECT_EQ(plain.checks[0].detail.find("earlier"), std::string::npos);

  Signed t = Sign();
  t.response.signature[10] ^= 1;
  EXPECT_EQ(FailedCheck(policy_, t, kTestNowMs, &cache), "signature");
  Signed q = Sign();
  q.response.quote.back() ^= 1;
  q.quote = *protocol::ParseQuote(q.response.quote);
  EXPECT_EQ(FailedCheck(policy_, q, kTestNowMs, &cache), "signature");
  Signed e = Sign();
  e.response.evidence = {1, 2, 3};
  EXPECT_EQ(FailedCheck(policy_, e, kTestNowMs, &cache), "evidence.digest");
  Policy strict = policy_;
  strict.accept_simulated = false;
  EXPECT_EQ(FailedCheck(strict, Sign(), kTestNowMs, &cache),
            "policy.evidence_type");
  EXPECT_EQ(cache.hits(), 5u);

  // The handshake's verifier uses the cache the same way.
  PolicyQuoteVerifier verifier(policy_, &cache);
  ASSERT_TRUE(Handshake(verifier).ok());
  EXPECT_EQ(cache.hits(), 6u);
}

// A cached chain never outlives its certificates, never vouches for other
// bytes or other roots, and a chain that failed is never stored.
TEST_F(PolicyVerifierTest, ChainCacheNeverWidensWhatVerifies) {
  VerifiedChainCache cache;
  ASSERT_EQ(FailedCheck(policy_, Sign(), kTestNowMs, &cache), "");
  const int64_t day = int64_t{86400} * 1000;
  EXPECT_EQ(FailedCheck(policy_, Sign(), kTestNowMs + 3 * 365 * day, &cache),
            "chain");
  EXPECT_EQ(FailedCheck(policy_, Sign(), kTestNowMs - 365 * day, &cache),
            "chain");
  Signed flipped = Sign();
  flipped.response
      .certificate_chain[1][flipped.response.certificate_chain[1].size() - 5] ^=
      1;  // the intermediate's signature
  EXPECT_EQ(FailedCheck(policy_, flipped, kTestNowMs, &cache), "chain");

  TempDir other;
  testing::MakeCa(other.path());
  const SimulatedCa other_ca =
      *LoadSimulatedCa(other.path(), testing::kTestNow);
  Signed foreign = Sign();
  foreign.response.certificate_chain[0] = other_ca.chain[0].ToDer();
  EXPECT_EQ(FailedCheck(policy_, foreign, kTestNowMs, &cache), "chain");
  Policy other_root = policy_;
  other_root.quote_roots = {other_ca.chain.back().ToDer()};
  EXPECT_EQ(FailedCheck(other_root, Sign(), kTestNowMs, &cache), "chain");
  EXPECT_EQ(FailedCheck(other_root, Sign(), kTestNowMs, &cache), "chain");
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.misses(), 7u);
  // The one good chain is still there.
  ASSERT_EQ(FailedCheck(policy_, Sign(), kTestNowMs, &cache), "");
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(VerifiedChainCacheTest, KeysSeparateListsAndDropTheOldest) {
  using Bytes = std::vector<std::vector<uint8_t>>;
  const auto k1 = VerifiedChainCache::Key(Bytes{{1, 2}, {3}}, Bytes{{4}});
  const auto k2 = VerifiedChainCache::Key(Bytes{{1}, {2, 3}}, Bytes{{4}});
  const auto k3 = VerifiedChainCache::Key(Bytes{{1, 2}}, Bytes{{3}, {4}});
  const auto k4 = VerifiedChainCache::Key(Bytes{{1, 2}, {3}}, Bytes{{4}});
  ASSERT_TRUE(k1.ok() && k2.ok() && k3.ok() && k4.ok());
  EXPECT_NE(*k1, *k2);
  EXPECT_NE(*k1, *k3);
  EXPECT_NE(*k2, *k3);
  EXPECT_EQ(*k1, *k4);

  VerifiedChainCache cache(2);
  const auto key = *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
  const VerifiedChainCache::Entry entry{
      key.public_key(), "d", testing::kTestNow,
      testing::kTestNow + std::chrono::hours(1)};
  cache.Insert(*k1, entry);
  cache.Insert(*k2, entry);
  cache.Insert(*k3, entry);
  EXPECT_FALSE(cache.Find(*k1, testing::kTestNow));
  EXPECT_TRUE(cache.Find(*k2, testing::kTestNow));
  // notAfter is exclusive, as in OpenSSL: valid iff from <= t < until.
  EXPECT_TRUE(cache.Find(*k3, testing::kTestNow + std::chrono::hours(1) -
                                  std::chrono::seconds(1)));
  EXPECT_FALSE(cache.Find(*k3, testing::kTestNow + std::chrono::hours(1)));
  EXPECT_TRUE(cache.Find(*k3, testing::kTestNow));
  EXPECT_FALSE(cache.Find(*k3, testing::kTestNow - std::chrono::seconds(1)));
}

TEST_F(PolicyVerifierTest, TamperedQuoteOrSignatureFailsTheSignature) {
  Signed s = Sign();
  s.response.quote.back() ^= 1;  // last byte of the last measurement value
  s.quote = *protocol::ParseQuote(s.response.quote);
  EXPECT_EQ(FailedCheck(policy_, s), "signature");
  Signed t = Sign();
  t.response.signature[10] ^= 1;
  EXPECT_EQ(FailedCheck(policy_, t), "signature");
}

TEST_F(PolicyVerifierTest, EvidenceDigestMismatchFails) {
  Signed s = Sign();
  s.response.evidence = {1, 2, 3};
  EXPECT_EQ(FailedCheck(policy_, s), "evidence.digest");
}

TEST_F(PolicyVerifierTest, WrongMeasurementFailsAndAllowListsWork) {
  Policy p = policy_;
  for (MeasurementRule& r : p.measurements) {
    if (r.name == "model") r.allowed = {std::vector<uint8_t>(48, 0)};
  }
  EXPECT_EQ(FailedCheck(p, Sign()), "policy.measurement.model");
  // An allow-list with the right value among others passes.
  for (MeasurementRule& r : p.measurements) {
    if (r.name == "model")
      r.allowed.push_back(policy_.measurements[2].allowed[0]);
  }
  EXPECT_EQ(FailedCheck(p, Sign()), "");
  // A pinned measurement missing from the quote fails.
  p.measurements.push_back({"gpu", {std::vector<uint8_t>(48, 0)}});
  EXPECT_EQ(FailedCheck(p, Sign()), "policy.measurement.gpu");
}

TEST_F(PolicyVerifierTest, UnpinnedMeasurementsAreReportedAsSuch) {
  Policy p = policy_;
  p.measurements.clear();
  const Report r =
      AppraiseAttestResponse(p, Sign().response, Sign().quote, kTestNowMs);
  ASSERT_TRUE(r.ok());
  bool saw = false;
  for (const Check& c : r.checks) {
    if (c.name == "policy.measurement.model") {
      saw = true;
      EXPECT_NE(c.detail.find("not pinned"), std::string::npos);
    }
  }
  EXPECT_TRUE(saw);
}

TEST_F(PolicyVerifierTest, TooOldAndFutureTimestampsFail) {
  const Signed s = Sign();
  EXPECT_EQ(FailedCheck(policy_, s, kTestNowMs + 299'000), "");
  EXPECT_EQ(FailedCheck(policy_, s, kTestNowMs + 301'000), "policy.freshness");
  EXPECT_EQ(FailedCheck(policy_, s, kTestNowMs - 59'000), "");
  EXPECT_EQ(FailedCheck(policy_, s, kTestNowMs - 61'000), "policy.freshness");
  Policy tight = policy_;
  tight.max_age_seconds = 10;
  EXPECT_EQ(FailedCheck(tight, s, kTestNowMs + 11'000), "policy.freshness");
  // Through the handshake: signed 10 minutes before the client's now.
  PolicyQuoteVerifier verifier(policy_);
  EXPECT_FALSE(Handshake(verifier, kTestNowMs - 600'000, kTestNowMs).ok());
  EXPECT_EQ(verifier.report().FirstFailure()->name, "policy.freshness");
}

TEST_F(PolicyVerifierTest, NvidiaEvidenceThatDoesNotVerifyFailsClosed) {
  // A quote of type nvidia-gpu whose evidence is well-formed but not a
  // genuine report for this session's gpu_nonce.
  Signed s = Sign();
  NvidiaEvidence ev;
  ev.nonce.fill(9);
  GpuEvidence gpu;
  gpu.report = std::vector<uint8_t>(64, 1);
  gpu.certificate_chain = {attester_->chain()[1].ToDer(),
                           attester_->chain()[2].ToDer()};
  ev.gpus.push_back(gpu);
  s.response.evidence = *EncodeNvidiaEvidence(ev);
  s.quote.evidence_type = protocol::EvidenceType::kNvidiaGpu;
  s.quote.evidence_digest = *crypto::Sha384(s.response.evidence);
  s.response.quote = *protocol::EncodeQuote(s.quote);
  const SimulatedCa ca = *LoadSimulatedCa(ca_.path(), testing::kTestNow);
  s.response.signature =
      *crypto::EcdsaSign(ca.attestation_key, s.response.quote,
                         crypto::EcdsaSignatureFormat::kP1363);
  const Report r =
      AppraiseAttestResponse(policy_, s.response, s.quote, kTestNowMs);
  EXPECT_FALSE(r.ok());
  ASSERT_NE(r.FirstFailure(), nullptr);
  EXPECT_EQ(r.FirstFailure()->name.rfind("nvidia", 0), 0u)
      << r.FirstFailure()->name;
  // Garbage evidence fails to parse.
  s.response.evidence = {'{', '}'};
  s.quote.evidence_digest = *crypto::Sha384(s.response.evidence);
  s.response.quote = *protocol::EncodeQuote(s.quote);
  s.response.signature =
      *crypto::EcdsaSign(ca.attestation_key, s.response.quote,
                         crypto::EcdsaSignatureFormat::kP1363);
  EXPECT_EQ(FailedCheck(policy_, s), "evidence.nvidia.parse");
}

TEST_F(PolicyVerifierTest, SimulatedQuoteWithEvidenceFails) {
  Signed s = Sign();
  s.response.evidence = {1};
  s.quote.evidence_digest = *crypto::Sha384(s.response.evidence);
  s.response.quote = *protocol::EncodeQuote(s.quote);
  const SimulatedCa ca = *LoadSimulatedCa(ca_.path(), testing::kTestNow);
  s.response.signature =
      *crypto::EcdsaSign(ca.attestation_key, s.response.quote,
                         crypto::EcdsaSignatureFormat::kP1363);
  EXPECT_EQ(FailedCheck(policy_, s), "evidence.simulated");
}

// --- Bundles --------------------------------------------------------------

std::string BundleFor(const PolicyVerifierTest::Signed& s) {
  const std::string text = *protocol::SerializeAttestResponse(s.response);
  return *MakeEvidenceBundle(s.nonce, s.client_key, text);
}

TEST_F(PolicyVerifierTest, BundleVerifiesOffline) {
  const Report r = VerifyEvidenceBundle(BundleFor(Sign()), policy_, kTestNowMs);
  EXPECT_TRUE(r.ok()) << (r.FirstFailure() ? r.FirstFailure()->name : "");
  EXPECT_EQ(r.checks[0].name, "bundle.parse");
  EXPECT_EQ(r.checks[3].name, "binding.nonce");
}

TEST_F(PolicyVerifierTest, BundleRelayedForAnotherNonceFails) {
  Signed s = Sign();
  Signed other = Sign();
  s.nonce = other.nonce;  // the response answers another client's nonce
  Report r = VerifyEvidenceBundle(BundleFor(s), policy_, kTestNowMs);
  EXPECT_EQ(r.FirstFailure()->name, "binding.nonce");
  Signed t = Sign();
  t.client_key = other.client_key;
  r = VerifyEvidenceBundle(BundleFor(t), policy_, kTestNowMs);
  EXPECT_EQ(r.FirstFailure()->name, "binding.client_key");
}

TEST_F(PolicyVerifierTest, MalformedBundlesFailToParse) {
  const std::string good = BundleFor(Sign());
  for (const std::string& bad :
       {std::string("{}"), std::string("nope"), good.substr(0, good.size() / 2),
        std::string(
            R"({"format":"cerumbra-evidence-bundle-v1","client_nonce":"AA",)"
            R"("client_public_key":"AA","attest_response":{}})")}) {
    const Report r = VerifyEvidenceBundle(bad, policy_, kTestNowMs);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.FirstFailure()->name, "bundle.parse");
  }
}

TEST_F(PolicyVerifierTest, RelayedResponseFailsTheHandshake) {
  // A response made for one client is replayed to another.
  protocol::ClientHandshake victim = *protocol::ClientHandshake::Create();
  protocol::ClientHandshake other = *protocol::ClientHandshake::Create();
  protocol::NodeHandshake node = *protocol::NodeHandshake::Create();
  (void)*victim.Start();
  protocol::NodeHandshakeResult reply =
      node.HandleRequest(*other.Start(), *attester_, kTestNowMs);
  ASSERT_TRUE(reply.session.ok());
  PolicyQuoteVerifier verifier(policy_);
  EXPECT_FALSE(
      victim.HandleResponse(reply.reply_text, verifier, kTestNowMs).ok());
}

}  // namespace
}  // namespace cerumbra::attest
