// Copyright 2026 The Cerumbra Authors.

#include "attest/attestation_document.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "attest/attest_test_util.h"
#include "attest/policy_verifier.h"

namespace cerumbra::attest {
namespace {

namespace json = boost::json;

TEST(AttestationDocumentTest, SimulatedNodeSaysSoAndPublishesWhatToPin) {
  testing::TempDir ca, work;
  const std::string fingerprint = testing::MakeCa(ca.path());
  auto attester = testing::MakeAttester(ca.path(), work.path());
  const json::value doc = json::parse(MakeAttestationDocument(*attester));
  const json::object& o = doc.as_object();
  EXPECT_EQ(o.at("format").as_string(), kAttestationDocumentFormat);
  EXPECT_EQ(o.at("evidence_type").as_string(), "simulated");
  EXPECT_TRUE(o.at("simulated").as_bool());
  EXPECT_NE(std::string(o.at("notice").as_string()).find("SIMULATED"),
            std::string::npos);
  EXPECT_EQ(o.at("nvidia").at("state").as_string(), "disabled");
  EXPECT_EQ(o.at("root_sha256").as_string(), fingerprint);
  const json::object& m = o.at("measurements").as_object();
  EXPECT_EQ(m.size(), 4u);
  for (const protocol::Measurement& x : attester->measurements()) {
    EXPECT_EQ(m.at(x.name).as_string(), HexEncode(x.value));
  }
  const json::array& chain = o.at("certificate_chain").as_array();
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_NE(
      std::string(chain[2].at("subject").as_string()).find(kSimulatedRootName),
      std::string::npos);
  EXPECT_EQ(chain[2].at("sha256").as_string(), fingerprint);
  EXPECT_EQ(std::string(chain[0].at("not_before").as_string()).size(), 20u);
  EXPECT_EQ(std::string(chain[0].at("pem").as_string())
                .rfind("-----BEGIN CERTIFICATE-----", 0),
            0u);
}

TEST(AttestationDocumentTest, PublishedPolicyAcceptsThisNodeAndNoOther) {
  testing::TempDir ca, work, other_ca, other_work;
  testing::MakeCa(ca.path());
  testing::MakeCa(other_ca.path());
  auto attester = testing::MakeAttester(ca.path(), work.path());
  auto other = testing::MakeAttester(other_ca.path(), other_work.path());
  const json::value doc = json::parse(MakeAttestationDocument(*attester));
  Result<Policy> policy = ParsePolicyJson(json::serialize(doc.at("policy")));
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_TRUE(policy->accept_simulated);
  for (Attester* a : {attester.get(), other.get()}) {
    protocol::ClientHandshake client = *protocol::ClientHandshake::Create();
    protocol::NodeHandshake node = *protocol::NodeHandshake::Create();
    protocol::NodeHandshakeResult reply =
        node.HandleRequest(*client.Start(), *a, testing::kTestNowMs);
    PolicyQuoteVerifier verifier(*policy);
    const bool ok =
        client.HandleResponse(reply.reply_text, verifier, testing::kTestNowMs)
            .ok();
    EXPECT_EQ(ok, a == attester.get());
  }
}

}  // namespace
}  // namespace cerumbra::attest
