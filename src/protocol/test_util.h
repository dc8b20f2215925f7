// Copyright 2026 The Cerumbra Authors.
//
// Test-only helpers shared by the src/protocol tests and the vector
// generator: a real (if chainless) QuoteSigner and QuoteVerifier over one
// ECDSA P-256 attestation key, and a helper that runs a whole handshake.

#ifndef CERUMBRA_PROTOCOL_TEST_UTIL_H_
#define CERUMBRA_PROTOCOL_TEST_UTIL_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/aead.h"
#include "crypto/aead_internal.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/sha.h"
#include "protocol/handshake.h"
#include "protocol/handshake_messages.h"
#include "protocol/key_schedule.h"
#include "protocol/quote.h"
#include "protocol/session.h"

namespace cerumbra::protocol::testing {

// TestMeasurements returns the four node measurements of §4.1 with
// SHA-384(name) as a stand-in value, sorted.
inline std::vector<Measurement> TestMeasurements() {
  std::vector<Measurement> out;
  for (const char* name : {"config", "executable", "model", "web"}) {
    const std::string_view text(name);
    const crypto::Sha384Digest digest = *crypto::Sha384(
        {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    out.push_back({std::string(text), {digest.begin(), digest.end()}});
  }
  return out;
}

// SignQuote encodes `quote` and returns the attest_response fields with an
// ECDSA P-256 P1363 signature by `key`, `evidence` and a placeholder chain
// (these tests check no chain).
inline Result<SignedQuote> SignQuote(const crypto::PrivateKey& key,
                                     const Quote& quote,
                                     std::vector<uint8_t> evidence = {}) {
  SignedQuote out;
  CERUMBRA_ASSIGN_OR_RETURN(out.quote, EncodeQuote(quote));
  CERUMBRA_ASSIGN_OR_RETURN(
      out.signature,
      crypto::EcdsaSign(key, out.quote, crypto::EcdsaSignatureFormat::kP1363));
  out.certificate_chain = {{0x30, 0x00}};
  out.evidence = std::move(evidence);
  return out;
}

// ResponseText serializes `signed_quote` as attest_response text.
inline std::string ResponseText(const SignedQuote& signed_quote) {
  AttestResponse response;
  response.quote = signed_quote.quote;
  response.signature = signed_quote.signature;
  response.certificate_chain = signed_quote.certificate_chain;
  response.evidence = signed_quote.evidence;
  return *SerializeAttestResponse(response);
}

// TestSigner signs simulated quotes with TestMeasurements(). `tamper`, when
// set, edits each quote before it is encoded and signed.
class TestSigner : public QuoteSigner {
 public:
  explicit TestSigner(const crypto::PrivateKey& key) : key_(key) {}

  Result<SignedQuote> Sign(const QuoteInput& input) override {
    ++calls;
    CERUMBRA_ASSIGN_OR_RETURN(Quote quote,
                              MakeQuote(input, EvidenceType::kSimulated,
                                        TestMeasurements(), evidence));
    if (tamper) tamper(quote);
    return SignQuote(key_, quote, evidence);
  }

  int calls = 0;
  std::vector<uint8_t> evidence;
  std::function<void(Quote&)> tamper;

 private:
  const crypto::PrivateKey& key_;
};

// TestVerifier is a real §4.3 steps 6-7 verifier for one pinned P-256 key
// (no chain): the P1363 signature over the quote bytes, and the evidence
// digest. `result`, when not OK, is returned instead (a failing policy).
class TestVerifier : public QuoteVerifier {
 public:
  explicit TestVerifier(crypto::PublicKey key) : key_(std::move(key)) {}

  Status Verify(const AttestResponse& response, const Quote& quote,
                int64_t /*now_ms*/) override {
    ++calls;
    if (!result.ok()) return result;
    CERUMBRA_RETURN_IF_ERROR(
        crypto::EcdsaVerify(key_, response.quote, response.signature,
                            crypto::EcdsaSignatureFormat::kP1363));
    CERUMBRA_ASSIGN_OR_RETURN(const crypto::Sha384Digest digest,
                              crypto::Sha384(response.evidence));
    if (digest != quote.evidence_digest) {
      return UnauthenticatedError("evidence digest mismatch");
    }
    return OkStatus();
  }

  int calls = 0;
  Status result;

 private:
  crypto::PublicKey key_;
};

// RecordPlaintext returns content_type || length || payload || `padding`
// zero bytes (§6.2), with no checks: for crafting invalid records.
inline std::vector<uint8_t> RecordPlaintext(uint8_t type,
                                            std::span<const uint8_t> payload,
                                            size_t padding = 0) {
  const uint32_t length = static_cast<uint32_t>(payload.size());
  std::vector<uint8_t> out = {type, static_cast<uint8_t>(length >> 24),
                              static_cast<uint8_t>(length >> 16),
                              static_cast<uint8_t>(length >> 8),
                              static_cast<uint8_t>(length)};
  out.insert(out.end(), payload.begin(), payload.end());
  out.insert(out.end(), padding, 0);
  return out;
}

// CraftOptions lets CraftRecordFrame write a header no honest sender
// writes, with a tag that is valid for it (so only an explicit check, not
// the AEAD, can reject it).
struct CraftOptions {
  uint8_t version = kProtocolVersion;
  uint8_t frame_type = kRecordFrameType;
  // nonce_seq, when set, is the seq used for the nonce instead of `seq`.
  std::optional<uint64_t> nonce_seq;
};

// CraftRecordFrame seals `plaintext` (any bytes) as record `seq` under
// `traffic_secret` for `session_id`, as §6.1 says but with no format
// checks: what a broken or malicious peer holding the keys could send.
inline std::vector<uint8_t> CraftRecordFrame(
    const crypto::SecretBytes& traffic_secret,
    std::span<const uint8_t, kSessionIdSize> session_id, uint64_t seq,
    std::span<const uint8_t> plaintext, const CraftOptions& options = {}) {
  const TrafficKeys keys = *DeriveTrafficKeys(traffic_secret);
  crypto::Aes256Gcm aead = *crypto::Aes256Gcm::Create(keys.key);
  std::vector<uint8_t> frame = {options.version, options.frame_type};
  for (int i = 7; i >= 0; --i) {
    frame.push_back(static_cast<uint8_t>(seq >> (8 * i)));
  }
  const uint64_t nonce_seq = options.nonce_seq.value_or(seq);
  std::array<uint8_t, 12> nonce;
  std::copy_n(keys.iv.Reveal().begin(), 12, nonce.begin());
  for (int i = 0; i < 8; ++i) {
    nonce[4 + i] ^= static_cast<uint8_t>(nonce_seq >> (8 * (7 - i)));
  }
  std::vector<uint8_t> aad = frame;
  aad.insert(aad.end(), session_id.begin(), session_id.end());
  const std::vector<uint8_t> sealed =
      *crypto::internal::SealWithNonce(aead, nonce, plaintext, aad);
  frame.insert(frame.end(), sealed.begin(), sealed.end());
  return frame;
}

// SessionPair is a client and a node session that completed a handshake.
struct SessionPair {
  Session client;
  Session node;
};

// kTestNowMs is a fixed clock for tests (2026-01-01T00:00:00Z).
inline constexpr int64_t kTestNowMs = 1767225600000;

// MakeSessionPair runs a full handshake with fresh keys and `options` on
// both ends. Aborts on failure (a bug in the test or the code under test is
// then reported by the caller's later expectations).
inline SessionPair MakeSessionPair(const SessionOptions& options = {}) {
  const crypto::PrivateKey attestation_key =
      *crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
  TestSigner signer(attestation_key);
  TestVerifier verifier(attestation_key.public_key());
  ClientHandshake client = *ClientHandshake::Create(options);
  NodeHandshake node = *NodeHandshake::Create(options);
  const std::string request = *client.Start();
  NodeHandshakeResult result = node.HandleRequest(request, signer, kTestNowMs);
  Result<Session> client_session =
      client.HandleResponse(result.reply_text, verifier, kTestNowMs);
  CERUMBRA_CHECK(result.session.ok() && client_session.ok());
  return {*std::move(client_session), *std::move(result.session)};
}

}  // namespace cerumbra::protocol::testing

#endif  // CERUMBRA_PROTOCOL_TEST_UTIL_H_
