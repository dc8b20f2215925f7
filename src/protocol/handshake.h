// Copyright 2026 The Cerumbra Authors.
//
// The handshake state machines of docs/protocol.md §9, text in and text
// out: ClientHandshake (INITIAL -> AWAIT_RESPONSE -> ESTABLISHED) and
// NodeHandshake (AWAIT_REQUEST -> ESTABLISHED). Each is used once and yields
// a Session (session.h).
//
// The protocol checks what it can itself (JSON shape, quote encoding,
// binding of nonce and keys, key validity: §4.3 steps 1-4) and delegates
// the rest to interfaces the attestation module implements: QuoteVerifier
// on the client (steps 5-8: chain, signature, evidence, policy) and
// QuoteSigner on the node (evidence, measurements, chain, signature).

#ifndef CERUMBRA_PROTOCOL_HANDSHAKE_H_
#define CERUMBRA_PROTOCOL_HANDSHAKE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "protocol/handshake_messages.h"
#include "protocol/quote.h"
#include "protocol/session.h"
#include "protocol/wire.h"

namespace cerumbra::protocol {

// QuoteVerifier checks what the protocol cannot: §4.3 steps 5-8.
//
// Implementations are owned by the caller and must outlive the call; the
// protocol calls Verify at most once per handshake, from the thread that
// drives the handshake.
class QuoteVerifier {
 public:
  virtual ~QuoteVerifier() = default;

  // Verify returns OK when `response` (as received) and `quote` (parsed from
  // response.quote, with nonce and client key already checked against this
  // session and a valid node key) pass §4.3 steps 5-8 at `now_ms`
  // (milliseconds since the Unix epoch): the chain to a pinned root, the
  // signature by the leaf's key over response.quote, the evidence digest
  // and evidence, and the policy. Any non-OK status fails the handshake
  // with the opaque error.
  virtual Status Verify(const AttestResponse& response, const Quote& quote,
                        int64_t now_ms) = 0;
};

// QuoteInput is what the node binds into a quote for one session.
struct QuoteInput {
  uint64_t timestamp_ms = 0;
  std::array<uint8_t, kNonceSize> client_nonce{};
  std::array<uint8_t, kPublicKeySize> client_public_key{};
  std::array<uint8_t, kPublicKeySize> node_public_key{};
};

// SignedQuote is a signer's answer: the attest_response fields.
struct SignedQuote {
  // quote is EncodeQuote of a quote whose timestamp, nonce and keys are the
  // QuoteInput's and whose evidence_digest is SHA-384(evidence).
  std::vector<uint8_t> quote;
  // signature is ECDSA P-256 over `quote`, r || s (kSignatureSize bytes).
  std::vector<uint8_t> signature;
  // certificate_chain is DER, leaf (the signing key's certificate) first.
  std::vector<std::vector<uint8_t>> certificate_chain;
  // evidence as the quote's evidence_type defines it (may be empty).
  std::vector<uint8_t> evidence;
};

// QuoteSigner produces the node's signed quote.
//
// Owned by the caller and must outlive the call; called at most once per
// handshake from the thread that drives it. A signer shared by several
// handshakes must be thread-safe itself.
class QuoteSigner {
 public:
  virtual ~QuoteSigner() = default;

  // Sign collects evidence for `input` (NVIDIA evidence with
  // GpuNonce(input...)), builds the quote (MakeQuote helps), encodes and
  // signs it. A failure fails the handshake; the peer gets session_failed.
  virtual Result<SignedQuote> Sign(const QuoteInput& input) = 0;
};

// MakeQuote returns the Quote for `input` with `evidence_type`,
// `measurements` (sorted by the caller) and evidence_digest =
// SHA-384(evidence). Fails with Internal only if the digest cannot run; the
// measurements are checked by EncodeQuote. Thread safety: pure function.
Result<Quote> MakeQuote(const QuoteInput& input, EvidenceType evidence_type,
                        std::vector<Measurement> measurements,
                        std::span<const uint8_t> evidence);

// ClientHandshake is the client side of one handshake.
//
// Move-only; owns the ephemeral private key, which is wiped when the
// handshake finishes (either way) or is destroyed. Thread safety: not
// thread-safe.
class ClientHandshake {
 public:
  // Create returns a handshake with a fresh ephemeral P-256 key and a fresh
  // nonce from the CSPRNG. Fails with InvalidArgument for bad options,
  // Internal if the CSPRNG fails.
  static Result<ClientHandshake> Create(const SessionOptions& options = {});

  // CreateDeterministic returns a handshake with the given key and nonce.
  // WARNING: for test vectors and tests only. Reusing a key or nonce across
  // sessions breaks the protocol's freshness. Fails with InvalidArgument
  // for a non-P-256 key, a nonce other than kNonceSize bytes, or bad
  // options.
  static Result<ClientHandshake> CreateDeterministic(
      crypto::PrivateKey private_key, std::span<const uint8_t> nonce,
      const SessionOptions& options = {});

  ClientHandshake(ClientHandshake&&) noexcept = default;
  ClientHandshake& operator=(ClientHandshake&&) noexcept = default;

  // Start returns the attest_request text to send (INITIAL ->
  // AWAIT_RESPONSE). Fails with FailedPrecondition when called twice or
  // after the handshake finished.
  Result<std::string> Start();

  // HandleResponse processes the node's answer (AWAIT_RESPONSE ->
  // ESTABLISHED) and returns the client Session. It checks, in order
  // (§4.3): the text is at most limits.max_response_frame bytes; it is an
  // attest_response of version 1 (§3.2); the quote parses (§4.1); its nonce
  // and client key are this handshake's (constant time); its node key is a
  // valid P-256 point; then `verifier` (steps 5-8) at `now_ms`. Only then
  // are keys derived (§5).
  //
  // Fails with FailedPrecondition unless Start ran and HandleResponse did
  // not, and with FailedPrecondition ("unsupported protocol version") when
  // the node answered unsupported_version; every other failure, including
  // an error message and a verifier failure, is the opaque Unauthenticated
  // error. The handshake is finished afterwards either way.
  Result<Session> HandleResponse(std::string_view text, QuoteVerifier& verifier,
                                 int64_t now_ms);

  // nonce and public_key return what this handshake sends (public values).
  std::span<const uint8_t, kNonceSize> nonce() const { return nonce_; }
  std::span<const uint8_t, kPublicKeySize> public_key() const {
    return public_key_;
  }

 private:
  enum class Stage { kInitial, kAwaitResponse, kDone };
  ClientHandshake(crypto::PrivateKey private_key,
                  const std::array<uint8_t, kNonceSize>& nonce,
                  const SessionOptions& options);
  Result<Session> Finish(std::string_view text, QuoteVerifier& verifier,
                         int64_t now_ms);

  std::optional<crypto::PrivateKey> private_key_;
  std::array<uint8_t, kNonceSize> nonce_;
  std::array<uint8_t, kPublicKeySize> public_key_;
  SessionOptions options_;
  Stage stage_ = Stage::kInitial;
};

// NodeHandshakeResult is NodeHandshake's answer to a request.
struct NodeHandshakeResult {
  // reply_text is the text frame to send in every case: the
  // attest_response on success, else an error message (§3.3):
  // unsupported_version for a request of another version, otherwise
  // session_failed. After an error message the node closes the connection.
  std::string reply_text;
  // session is the node Session on success. On failure its status is
  // FailedPrecondition for a version mismatch ("unsupported protocol
  // version") or a second call ("handshake already used"); the signer's
  // status when the signer failed (its FailedPrecondition becomes
  // Internal); Internal when the signer's answer does not bind this session
  // or is too large; otherwise the opaque Unauthenticated error.
  Result<Session> session;
};

// NodeHandshake is the node side of one handshake.
//
// Move-only; owns the node's ephemeral private key for this session, wiped
// when the handshake finishes or is destroyed. Thread safety: not
// thread-safe.
class NodeHandshake {
 public:
  // Create returns a handshake with a fresh ephemeral P-256 key. Fails with
  // InvalidArgument for bad options, Internal if the CSPRNG fails.
  static Result<NodeHandshake> Create(const SessionOptions& options = {});

  // CreateDeterministic returns a handshake with the given key.
  // WARNING: for test vectors and tests only; a node key must be fresh per
  // session. Fails with InvalidArgument for a non-P-256 key or bad options.
  static Result<NodeHandshake> CreateDeterministic(
      crypto::PrivateKey private_key, const SessionOptions& options = {});

  NodeHandshake(NodeHandshake&&) noexcept = default;
  NodeHandshake& operator=(NodeHandshake&&) noexcept = default;

  // HandleRequest processes an attest_request text (AWAIT_REQUEST ->
  // ESTABLISHED, or FAILED): checks its size (limits.max_request_frame),
  // shape and version, validates the client key, asks `signer` for a quote
  // at `now_ms` (>= 0) and checks that the signer bound this session's
  // values, then derives the keys. See NodeHandshakeResult for the outcome.
  // The handshake is finished afterwards either way.
  NodeHandshakeResult HandleRequest(std::string_view text, QuoteSigner& signer,
                                    int64_t now_ms);

  // public_key returns the node's ephemeral public key for this session.
  std::span<const uint8_t, kPublicKeySize> public_key() const {
    return public_key_;
  }

 private:
  NodeHandshake(crypto::PrivateKey private_key, const SessionOptions& options);
  Result<std::pair<std::string, Session>> Finish(std::string_view text,
                                                 QuoteSigner& signer,
                                                 int64_t now_ms);

  std::optional<crypto::PrivateKey> private_key_;
  std::array<uint8_t, kPublicKeySize> public_key_;
  SessionOptions options_;
};

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_HANDSHAKE_H_
