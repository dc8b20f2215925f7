// Copyright 2026 The Cerumbra Authors.

#include "protocol/handshake.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "crypto/base64.h"
#include "crypto/random.h"
#include "crypto/test_util.h"
#include "protocol/test_util.h"

namespace cerumbra::protocol {
namespace {

using crypto::testing::AsBytes;
using testing::kTestNowMs;
using testing::TestSigner;
using testing::TestVerifier;

crypto::PrivateKey NewKey() {
  return *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
}

std::vector<uint8_t> Bytes(std::string_view text) {
  const std::span<const uint8_t> bytes = AsBytes(text);
  return {bytes.begin(), bytes.end()};
}

// Replace returns `text` with the first `from` replaced by `to`.
std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  const size_t at = text.find(from);
  CERUMBRA_CHECK(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

class HandshakeTest : public ::testing::Test {
 protected:
  // Respond runs the node on `request` with the test signer.
  NodeHandshakeResult Respond(const std::string& request,
                              const SessionOptions& options = {}) {
    NodeHandshake node = *NodeHandshake::Create(options);
    return node.HandleRequest(request, signer_, kTestNowMs);
  }

  // ExpectClientRejects feeds `response` to a started client and expects
  // the opaque error, with the verifier called `verifier_calls` times.
  void ExpectClientRejects(ClientHandshake& client, const std::string& response,
                           int verifier_calls = 0) {
    verifier_.calls = 0;
    const Result<Session> session =
        client.HandleResponse(response, verifier_, kTestNowMs);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(session.status().message(), "session failed");
    EXPECT_EQ(verifier_.calls, verifier_calls);
  }

  // SignedResponseFor signs `quote` with the attestation key.
  std::string SignedResponseFor(const Quote& quote,
                                std::vector<uint8_t> evidence = {}) {
    return testing::ResponseText(
        *testing::SignQuote(attestation_key_, quote, std::move(evidence)));
  }

  // BoundQuote returns a valid quote for `client` and a fresh node key.
  Quote BoundQuote(const ClientHandshake& client) {
    QuoteInput input;
    input.timestamp_ms = kTestNowMs;
    std::copy(client.nonce().begin(), client.nonce().end(),
              input.client_nonce.begin());
    std::copy(client.public_key().begin(), client.public_key().end(),
              input.client_public_key.begin());
    const crypto::PrivateKey node_key = NewKey();
    const std::span<const uint8_t> point =
        node_key.public_key().UncompressedPoint();
    std::copy(point.begin(), point.end(), input.node_public_key.begin());
    return *MakeQuote(input, EvidenceType::kSimulated,
                      testing::TestMeasurements(), {});
  }

  crypto::PrivateKey attestation_key_ = NewKey();
  TestSigner signer_{attestation_key_};
  TestVerifier verifier_{attestation_key_.public_key()};
};

TEST_F(HandshakeTest, ClientAndNodeDeriveTheSameSession) {
  ClientHandshake client = *ClientHandshake::Create();
  NodeHandshake node = *NodeHandshake::Create();
  const std::string request = *client.Start();
  NodeHandshakeResult result = node.HandleRequest(request, signer_, kTestNowMs);
  ASSERT_TRUE(result.session.ok()) << result.session.status().ToString();
  Result<Session> session =
      client.HandleResponse(result.reply_text, verifier_, kTestNowMs);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(verifier_.calls, 1);
  EXPECT_EQ(session->role(), Role::kClient);
  EXPECT_EQ(result.session->role(), Role::kNode);
  EXPECT_EQ(session->Fingerprint(), result.session->Fingerprint());
  // And the keys match in both directions.
  Session& node_session = *result.session;
  const Result<std::vector<Event>> events =
      node_session.Receive((*session->SendMessage(Bytes("hi")))[0]);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].bytes, Bytes("hi"));
  EXPECT_TRUE(
      session->Receive((*node_session.SendMessage(Bytes("yo")))[0]).ok());
}

TEST_F(HandshakeTest, TheQuoteBindsTheRequestTheNodeKeyAndTheTime) {
  ClientHandshake client = *ClientHandshake::Create();
  NodeHandshake node = *NodeHandshake::Create();
  const std::string request = *client.Start();
  const NodeHandshakeResult result =
      node.HandleRequest(request, signer_, kTestNowMs);
  const AttestResponse response = *ParseAttestResponse(result.reply_text);
  const Quote quote = *ParseQuote(response.quote);
  EXPECT_TRUE(std::equal(quote.client_nonce.begin(), quote.client_nonce.end(),
                         client.nonce().begin()));
  EXPECT_TRUE(std::equal(quote.client_public_key.begin(),
                         quote.client_public_key.end(),
                         client.public_key().begin()));
  EXPECT_TRUE(std::equal(quote.node_public_key.begin(),
                         quote.node_public_key.end(),
                         node.public_key().begin()));
  EXPECT_EQ(quote.timestamp_ms, static_cast<uint64_t>(kTestNowMs));
  EXPECT_EQ(quote.measurements, testing::TestMeasurements());
}

TEST_F(HandshakeTest, EachHandshakeUsesAFreshKeyAndNonce) {
  ClientHandshake a = *ClientHandshake::Create();
  ClientHandshake b = *ClientHandshake::Create();
  EXPECT_FALSE(
      std::equal(a.nonce().begin(), a.nonce().end(), b.nonce().begin()));
  EXPECT_FALSE(std::equal(a.public_key().begin(), a.public_key().end(),
                          b.public_key().begin()));
}

TEST_F(HandshakeTest, AQuoteForAnotherNonceFailsBeforeVerification) {
  ClientHandshake client = *ClientHandshake::Create();
  (void)*client.Start();
  Quote quote = BoundQuote(client);
  quote.client_nonce[31] ^= 1;
  ExpectClientRejects(client, SignedResponseFor(quote));
}

TEST_F(HandshakeTest, AQuoteForAnotherClientKeyFailsBeforeVerification) {
  ClientHandshake client = *ClientHandshake::Create();
  (void)*client.Start();
  Quote quote = BoundQuote(client);
  const crypto::PrivateKey other = NewKey();
  std::copy_n(other.public_key().UncompressedPoint().begin(), kPublicKeySize,
              quote.client_public_key.begin());
  ExpectClientRejects(client, SignedResponseFor(quote));
}

TEST_F(HandshakeTest, AResponseRelayedToASecondClientFails) {
  ClientHandshake first = *ClientHandshake::Create();
  ClientHandshake second = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*first.Start());
  (void)*second.Start();
  ExpectClientRejects(second, result.reply_text);
  // The genuine client still accepts it.
  EXPECT_TRUE(
      first.HandleResponse(result.reply_text, verifier_, kTestNowMs).ok());
}

TEST_F(HandshakeTest, ANodeKeyThatIsNotAValidPointFails) {
  ClientHandshake client = *ClientHandshake::Create();
  (void)*client.Start();
  Quote quote = BoundQuote(client);
  quote.node_public_key[64] ^= 1;  // off the curve
  ExpectClientRejects(client, SignedResponseFor(quote));
}

TEST_F(HandshakeTest, AFailingVerifierFailsTheHandshake) {
  ClientHandshake client = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*client.Start());
  verifier_.result = UnauthenticatedError("measurement mismatch");
  ExpectClientRejects(client, result.reply_text, 1);
}

TEST_F(HandshakeTest, ASignatureByAnotherKeyFails) {
  ClientHandshake client = *ClientHandshake::Create();
  const crypto::PrivateKey rogue = NewKey();
  TestSigner rogue_signer(rogue);
  NodeHandshake node = *NodeHandshake::Create();
  const NodeHandshakeResult result =
      node.HandleRequest(*client.Start(), rogue_signer, kTestNowMs);
  ASSERT_TRUE(result.session.ok());
  ExpectClientRejects(client, result.reply_text, 1);
}

TEST_F(HandshakeTest, ATamperedQuoteFailsTheSignature) {
  ClientHandshake client = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*client.Start());
  AttestResponse response = *ParseAttestResponse(result.reply_text);
  response.quote.back() ^= 1;  // last measurement byte
  ExpectClientRejects(client, *SerializeAttestResponse(response), 1);
}

TEST_F(HandshakeTest, EvidenceThatDoesNotMatchItsDigestFails) {
  ClientHandshake client = *ClientHandshake::Create();
  (void)*client.Start();
  const Quote quote = BoundQuote(client);  // digest of empty evidence
  ExpectClientRejects(client, SignedResponseFor(quote, {1, 2, 3}), 1);
}

TEST_F(HandshakeTest, AResponseOfAnotherVersionFails) {
  ClientHandshake client = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*client.Start());
  ExpectClientRejects(
      client, Replace(result.reply_text, "\"version\":1", "\"version\":2"));
}

TEST_F(HandshakeTest, AMalformedResponseFails) {
  ClientHandshake client = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*client.Start());
  ExpectClientRejects(client, result.reply_text + " x");
}

TEST_F(HandshakeTest, AnOversizeResponseFails) {
  SessionOptions options;
  options.limits.max_response_frame = 100;
  ClientHandshake client = *ClientHandshake::Create(options);
  const NodeHandshakeResult result = Respond(*client.Start());
  ASSERT_TRUE(result.session.ok());
  ExpectClientRejects(client, result.reply_text);
}

TEST_F(HandshakeTest, TheNodeAnswersAnotherVersionWithUnsupportedVersion) {
  ClientHandshake client = *ClientHandshake::Create();
  const std::string request =
      Replace(*client.Start(), "\"version\":1", "\"version\":2");
  const NodeHandshakeResult result = Respond(request);
  EXPECT_EQ(result.reply_text,
            R"({"type":"error","error":"unsupported_version",)"
            R"("supported_versions":[1]})");
  ASSERT_FALSE(result.session.ok());
  EXPECT_EQ(result.session.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(signer_.calls, 0);
  // The client, told so, fails with a distinguishable error.
  const Result<Session> session =
      client.HandleResponse(result.reply_text, verifier_, kTestNowMs);
  EXPECT_EQ(session.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(HandshakeTest, TheNodeAnswersAMalformedRequestWithSessionFailed) {
  ClientHandshake client = *ClientHandshake::Create();
  const std::string good = *client.Start();
  for (const std::string& request :
       {Replace(good, "\"version\":1", "\"version\":\"1\""),
        Replace(good, "{", "{\"x\":0,"), good + "{}", std::string("{}"),
        Replace(good, "attest_request", "attest_response")}) {
    const NodeHandshakeResult result = Respond(request);
    EXPECT_EQ(result.reply_text, R"({"type":"error","error":"session_failed"})")
        << request;
    EXPECT_EQ(result.session.status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(signer_.calls, 0);
}

TEST_F(HandshakeTest, TheNodeRejectsAClientKeyOffTheCurve) {
  AttestRequest request;
  request.client_public_key = {};
  request.client_public_key[0] = 0x04;  // (0, 0) is not on P-256
  const NodeHandshakeResult result = Respond(SerializeAttestRequest(request));
  EXPECT_EQ(result.session.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(signer_.calls, 0);
}

TEST_F(HandshakeTest, TheNodeRejectsAnOversizeRequest) {
  ClientHandshake client = *ClientHandshake::Create();
  std::string request = *client.Start();
  SessionOptions options;
  options.limits.max_request_frame = request.size() - 1;
  EXPECT_EQ(Respond(request, options).session.status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(HandshakeTest, TheClientFailsOnAnErrorMessage) {
  ClientHandshake client = *ClientHandshake::Create();
  (void)*client.Start();
  ExpectClientRejects(client, SerializeErrorMessage(ErrorCode::kSessionFailed));
}

TEST_F(HandshakeTest, ASignerFailureFailsTheHandshakeWithSessionFailed) {
  class FailingSigner : public QuoteSigner {
   public:
    Result<SignedQuote> Sign(const QuoteInput&) override {
      return UnavailableError("NVML unavailable");
    }
  } failing;
  ClientHandshake client = *ClientHandshake::Create();
  NodeHandshake node = *NodeHandshake::Create();
  const NodeHandshakeResult result =
      node.HandleRequest(*client.Start(), failing, kTestNowMs);
  EXPECT_EQ(result.reply_text,
            SerializeErrorMessage(ErrorCode::kSessionFailed));
  EXPECT_EQ(result.session.status().code(), StatusCode::kUnavailable);
}

TEST_F(HandshakeTest, ASignerThatDoesNotBindTheSessionIsCaughtByTheNode) {
  signer_.tamper = [](Quote& quote) { quote.client_nonce[0] ^= 1; };
  ClientHandshake client = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*client.Start());
  EXPECT_EQ(result.reply_text,
            SerializeErrorMessage(ErrorCode::kSessionFailed));
  EXPECT_EQ(result.session.status().code(), StatusCode::kInternal);
}

TEST_F(HandshakeTest, ASignerWhoseEvidenceDoesNotMatchTheDigestIsCaught) {
  signer_.tamper = [](Quote& quote) { quote.evidence_digest[0] ^= 1; };
  ClientHandshake client = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*client.Start());
  EXPECT_EQ(result.reply_text,
            SerializeErrorMessage(ErrorCode::kSessionFailed));
  EXPECT_EQ(result.session.status().code(), StatusCode::kInternal);
}

TEST_F(HandshakeTest, HandshakesAreUsedOnce) {
  ClientHandshake client = *ClientHandshake::Create();
  EXPECT_EQ(client.HandleResponse("{}", verifier_, kTestNowMs).status().code(),
            StatusCode::kFailedPrecondition);  // before Start
  ClientHandshake second = *ClientHandshake::Create();
  const std::string request = *second.Start();
  EXPECT_EQ(second.Start().status().code(), StatusCode::kFailedPrecondition);
  NodeHandshake node = *NodeHandshake::Create();
  const NodeHandshakeResult result =
      node.HandleRequest(request, signer_, kTestNowMs);
  ASSERT_TRUE(result.session.ok());
  const NodeHandshakeResult again =
      node.HandleRequest(request, signer_, kTestNowMs);
  EXPECT_EQ(again.session.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.reply_text, SerializeErrorMessage(ErrorCode::kSessionFailed));
  ASSERT_TRUE(
      second.HandleResponse(result.reply_text, verifier_, kTestNowMs).ok());
  EXPECT_EQ(second.HandleResponse(result.reply_text, verifier_, kTestNowMs)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(HandshakeTest, AFailedResponseEndsTheClientHandshake) {
  ClientHandshake client = *ClientHandshake::Create();
  const NodeHandshakeResult result = Respond(*client.Start());
  ExpectClientRejects(client, result.reply_text + " x");
  // The genuine response, arriving later, is no longer accepted.
  EXPECT_EQ(client.HandleResponse(result.reply_text, verifier_, kTestNowMs)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(HandshakeTest, DeterministicCreationChecksItsInputs) {
  const std::vector<uint8_t> nonce(kNonceSize, 7);
  EXPECT_TRUE(ClientHandshake::CreateDeterministic(NewKey(), nonce).ok());
  EXPECT_EQ(ClientHandshake::CreateDeterministic(NewKey(),
                                                 std::vector<uint8_t>(31, 7))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ClientHandshake::CreateDeterministic(
                *crypto::PrivateKey::Generate(crypto::EcCurve::kP384), nonce)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(NodeHandshake::CreateDeterministic(
                *crypto::PrivateKey::Generate(crypto::EcCurve::kP384))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(HandshakeTest, TheNodeRejectsANegativeClock) {
  ClientHandshake client = *ClientHandshake::Create();
  NodeHandshake node = *NodeHandshake::Create();
  const NodeHandshakeResult result =
      node.HandleRequest(*client.Start(), signer_, -1);
  EXPECT_FALSE(result.session.ok());
  EXPECT_EQ(result.reply_text,
            SerializeErrorMessage(ErrorCode::kSessionFailed));
}

}  // namespace
}  // namespace cerumbra::protocol
