// Copyright 2026 The Cerumbra Authors.

#include "protocol/handshake.h"

#include <algorithm>
#include <utility>

#include "crypto/constant_time.h"
#include "crypto/random.h"
#include "crypto/sha.h"
#include "protocol/key_schedule.h"

namespace cerumbra::protocol {
namespace {

Status Rejected() { return UnauthenticatedError("session failed"); }

Status UnsupportedVersion() {
  return FailedPreconditionError("unsupported protocol version");
}

std::array<uint8_t, kPublicKeySize> PointOf(const crypto::PrivateKey& key) {
  std::array<uint8_t, kPublicKeySize> point;
  const std::span<const uint8_t> bytes = key.public_key().UncompressedPoint();
  CERUMBRA_CHECK(bytes.size() == kPublicKeySize);
  std::copy(bytes.begin(), bytes.end(), point.begin());
  return point;
}

Status CheckKey(const crypto::PrivateKey& key) {
  if (key.curve() != crypto::EcCurve::kP256) {
    return InvalidArgumentError("handshake key must be P-256");
  }
  return OkStatus();
}

// DeriveSession runs §5 for `role` and returns the session.
Result<Session> DeriveSession(Role role, const crypto::PrivateKey& own_key,
                              const crypto::PublicKey& peer_key,
                              std::span<const uint8_t> quote_bytes,
                              const SessionOptions& options) {
  CERUMBRA_ASSIGN_OR_RETURN(const crypto::Sha256Digest transcript_hash,
                            TranscriptHash(quote_bytes));
  CERUMBRA_ASSIGN_OR_RETURN(SessionKeys keys, [&]() -> Result<SessionKeys> {
    // `shared` is wiped when this scope ends, right after the derivation.
    CERUMBRA_ASSIGN_OR_RETURN(const crypto::SharedSecret shared,
                              crypto::DeriveSharedSecret(own_key, peer_key));
    return DeriveSessionKeys(shared, transcript_hash);
  }());
  return Session::Create(role, std::move(keys), options);
}

}  // namespace

Result<Quote> MakeQuote(const QuoteInput& input, EvidenceType evidence_type,
                        std::vector<Measurement> measurements,
                        std::span<const uint8_t> evidence) {
  Quote quote;
  quote.evidence_type = evidence_type;
  quote.timestamp_ms = input.timestamp_ms;
  quote.client_nonce = input.client_nonce;
  quote.client_public_key = input.client_public_key;
  quote.node_public_key = input.node_public_key;
  CERUMBRA_ASSIGN_OR_RETURN(quote.evidence_digest, crypto::Sha384(evidence));
  quote.measurements = std::move(measurements);
  return quote;
}

// ---------------------------------------------------------------------------
// ClientHandshake

ClientHandshake::ClientHandshake(crypto::PrivateKey private_key,
                                 const std::array<uint8_t, kNonceSize>& nonce,
                                 const SessionOptions& options)
    : private_key_(std::move(private_key)),
      nonce_(nonce),
      public_key_(PointOf(*private_key_)),
      options_(options) {}

Result<ClientHandshake> ClientHandshake::Create(const SessionOptions& options) {
  CERUMBRA_RETURN_IF_ERROR(ValidateLimits(options.limits));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::PrivateKey key,
      crypto::PrivateKey::Generate(crypto::EcCurve::kP256));
  CERUMBRA_ASSIGN_OR_RETURN(const std::vector<uint8_t> nonce,
                            crypto::RandomBytes(kNonceSize));
  return CreateDeterministic(std::move(key), nonce, options);
}

Result<ClientHandshake> ClientHandshake::CreateDeterministic(
    crypto::PrivateKey private_key, std::span<const uint8_t> nonce,
    const SessionOptions& options) {
  CERUMBRA_RETURN_IF_ERROR(ValidateLimits(options.limits));
  CERUMBRA_RETURN_IF_ERROR(CheckKey(private_key));
  if (nonce.size() != kNonceSize) {
    return InvalidArgumentError("nonce must be 32 bytes");
  }
  std::array<uint8_t, kNonceSize> nonce_array;
  std::copy(nonce.begin(), nonce.end(), nonce_array.begin());
  return ClientHandshake(std::move(private_key), nonce_array, options);
}

Result<std::string> ClientHandshake::Start() {
  if (stage_ != Stage::kInitial) {
    return FailedPreconditionError("handshake already started");
  }
  stage_ = Stage::kAwaitResponse;
  AttestRequest request;
  request.nonce = nonce_;
  request.client_public_key = public_key_;
  return SerializeAttestRequest(request);
}

Result<Session> ClientHandshake::HandleResponse(std::string_view text,
                                                QuoteVerifier& verifier,
                                                int64_t now_ms) {
  const bool awaiting = stage_ == Stage::kAwaitResponse;
  Result<Session> session =
      awaiting ? Finish(text, verifier, now_ms)
               : Result<Session>(FailedPreconditionError("not awaiting"));
  // One use only: the ephemeral key is wiped whatever the outcome.
  stage_ = Stage::kDone;
  private_key_.reset();
  return session;
}

Result<Session> ClientHandshake::Finish(std::string_view text,
                                        QuoteVerifier& verifier,
                                        int64_t now_ms) {
  const size_t max_size = options_.limits.max_response_frame;
  // §4.3 step 1: the JSON shape, type and version.
  if (text.size() > max_size) return Rejected();
  const Result<MessageType> type = PeekMessageType(text);
  if (!type.ok()) return Rejected();
  if (*type == MessageType::kError) {
    const Result<ErrorMessage> error = ParseErrorMessage(text, max_size);
    if (error.ok() && error->code == ErrorCode::kUnsupportedVersion) {
      return UnsupportedVersion();
    }
    return Rejected();
  }
  const Result<AttestResponse> response = ParseAttestResponse(text, max_size);
  if (!response.ok()) return Rejected();
  // Step 2: the quote parses, version 1.
  const Result<Quote> quote = ParseQuote(response->quote);
  if (!quote.ok()) return Rejected();
  // Step 3: bound to this session. Both compared in constant time, and
  // both always, so timing does not say which one differed.
  const bool nonce_ok = crypto::ConstantTimeEquals(quote->client_nonce, nonce_);
  const bool key_ok =
      crypto::ConstantTimeEquals(quote->client_public_key, public_key_);
  if (!(nonce_ok & key_ok)) return Rejected();
  // Step 4: the node key is a valid P-256 point.
  const Result<crypto::PublicKey> node_key =
      crypto::PublicKey::FromUncompressedPoint(crypto::EcCurve::kP256,
                                               quote->node_public_key);
  if (!node_key.ok()) return Rejected();
  // Steps 5-8.
  if (!verifier.Verify(*response, *quote, now_ms).ok()) return Rejected();
  return DeriveSession(Role::kClient, *private_key_, *node_key, response->quote,
                       options_);
}

// ---------------------------------------------------------------------------
// NodeHandshake

NodeHandshake::NodeHandshake(crypto::PrivateKey private_key,
                             const SessionOptions& options)
    : private_key_(std::move(private_key)),
      public_key_(PointOf(*private_key_)),
      options_(options) {}

Result<NodeHandshake> NodeHandshake::Create(const SessionOptions& options) {
  CERUMBRA_RETURN_IF_ERROR(ValidateLimits(options.limits));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::PrivateKey key,
      crypto::PrivateKey::Generate(crypto::EcCurve::kP256));
  return CreateDeterministic(std::move(key), options);
}

Result<NodeHandshake> NodeHandshake::CreateDeterministic(
    crypto::PrivateKey private_key, const SessionOptions& options) {
  CERUMBRA_RETURN_IF_ERROR(ValidateLimits(options.limits));
  CERUMBRA_RETURN_IF_ERROR(CheckKey(private_key));
  return NodeHandshake(std::move(private_key), options);
}

NodeHandshakeResult NodeHandshake::HandleRequest(std::string_view text,
                                                 QuoteSigner& signer,
                                                 int64_t now_ms) {
  if (!private_key_.has_value()) {
    return {SerializeErrorMessage(ErrorCode::kSessionFailed),
            FailedPreconditionError("handshake already used")};
  }
  Result<std::pair<std::string, Session>> accepted =
      Finish(text, signer, now_ms);
  private_key_.reset();  // one use only
  if (!accepted.ok()) {
    // Invariant: Finish returns FailedPrecondition only for a version
    // mismatch.
    const bool version_mismatch =
        accepted.status().code() == StatusCode::kFailedPrecondition;
    return {
        SerializeErrorMessage(version_mismatch ? ErrorCode::kUnsupportedVersion
                                               : ErrorCode::kSessionFailed),
        accepted.status()};
  }
  return {std::move(accepted->first), std::move(accepted->second)};
}

Result<std::pair<std::string, Session>> NodeHandshake::Finish(
    std::string_view text, QuoteSigner& signer, int64_t now_ms) {
  if (now_ms < 0) return InvalidArgumentError("now_ms must not be negative");
  const size_t max_size = options_.limits.max_request_frame;
  if (text.size() > max_size) return Rejected();
  const Result<AttestRequest> request = ParseAttestRequest(text, max_size);
  if (!request.ok()) {
    // ParseAttestRequest's FailedPrecondition means "another version".
    if (request.status().code() == StatusCode::kFailedPrecondition) {
      return UnsupportedVersion();
    }
    return Rejected();
  }
  const Result<crypto::PublicKey> client_key =
      crypto::PublicKey::FromUncompressedPoint(crypto::EcCurve::kP256,
                                               request->client_public_key);
  if (!client_key.ok()) return Rejected();

  QuoteInput input;
  input.timestamp_ms = static_cast<uint64_t>(now_ms);
  input.client_nonce = request->nonce;
  input.client_public_key = request->client_public_key;
  input.node_public_key = public_key_;
  Result<SignedQuote> signed_quote = signer.Sign(input);
  if (!signed_quote.ok()) {
    // Keep the invariant that FailedPrecondition means a version mismatch.
    if (signed_quote.status().code() == StatusCode::kFailedPrecondition) {
      return InternalError("quote signer failed");
    }
    return signed_quote.status();
  }

  // The signer is trusted but checked: a quote that does not bind this
  // session would only fail at the client, far from the bug.
  const Status signer_bug = InternalError("quote signer returned a bad quote");
  const Result<Quote> quote = ParseQuote(signed_quote->quote);
  if (!quote.ok() || quote->timestamp_ms != input.timestamp_ms ||
      quote->client_nonce != input.client_nonce ||
      quote->client_public_key != input.client_public_key ||
      quote->node_public_key != input.node_public_key) {
    return signer_bug;
  }
  const Result<crypto::Sha384Digest> digest =
      crypto::Sha384(signed_quote->evidence);
  if (!digest.ok() || *digest != quote->evidence_digest) return signer_bug;

  AttestResponse response;
  response.quote = std::move(signed_quote->quote);
  response.signature = std::move(signed_quote->signature);
  response.certificate_chain = std::move(signed_quote->certificate_chain);
  response.evidence = std::move(signed_quote->evidence);
  Result<std::string> response_text = SerializeAttestResponse(response);
  if (!response_text.ok()) return signer_bug;
  if (response_text->size() > options_.limits.max_response_frame) {
    return InternalError("attest_response exceeds the response limit");
  }

  CERUMBRA_ASSIGN_OR_RETURN(
      Session session, DeriveSession(Role::kNode, *private_key_, *client_key,
                                     response.quote, options_));
  return std::make_pair(*std::move(response_text), std::move(session));
}

}  // namespace cerumbra::protocol
