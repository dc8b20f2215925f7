// Copyright 2026 The Cerumbra Authors.
//
// The client's appraisal of a node's attestation (docs/protocol.md §4.3
// steps 5-8) under a Policy, as a list of named checks (check.h):
//   chain                 the certificate chain verifies to a pinned root
//                         at the verification time
//   signature             ECDSA P-256 over the quote by the leaf's key
//   evidence.digest       SHA-384(evidence) equals the quote's digest
//   evidence.simulated    (simulated) the evidence is empty; says SIMULATED
//   evidence.nvidia.parse (nvidia-gpu) the evidence parses, then
//   nvidia.*              AppraiseNvidiaEvidence's checks with the
//                         session's gpu_nonce (nvidia_verifier.h)
//   policy.evidence_type  simulated refused unless the policy accepts it
//   policy.measurement.N  each pinned measurement present and allowed
//                         (unpinned ones pass as "not pinned")
//   policy.freshness      timestamp within max age and max future skew
// Chain, signature and evidence failures stop the appraisal (later checks
// would be meaningless); the policy checks are all reported.

#ifndef CERUMBRA_ATTEST_POLICY_VERIFIER_H_
#define CERUMBRA_ATTEST_POLICY_VERIFIER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "attest/check.h"
#include "attest/policy.h"
#include "cerumbra/status.h"
#include "protocol/handshake.h"
#include "protocol/handshake_messages.h"
#include "protocol/quote.h"

namespace cerumbra::attest {

// AppraiseAttestResponse runs the checks above on `response` and `quote`
// (ParseQuote(response.quote), already bound to the session by the
// caller) at `now_ms` (milliseconds since the Unix epoch). Never fails: a
// malformed input is a failed check. Thread safety: pure function.
Report AppraiseAttestResponse(const Policy& policy,
                              const protocol::AttestResponse& response,
                              const protocol::Quote& quote, int64_t now_ms);

// PolicyQuoteVerifier is the protocol's QuoteVerifier over a Policy.
// Verify returns OK iff AppraiseAttestResponse's report is ok(); otherwise
// Unauthenticated naming the first failed check (public data; the protocol
// turns it into its opaque error anyway). report() then holds every check
// for display. Thread safety: not thread-safe (one per handshake, as the
// protocol uses it); the policy is copied at construction.
class PolicyQuoteVerifier : public protocol::QuoteVerifier {
 public:
  explicit PolicyQuoteVerifier(Policy policy) : policy_(std::move(policy)) {}

  Status Verify(const protocol::AttestResponse& response,
                const protocol::Quote& quote, int64_t now_ms) override;

  // report returns the checks of the last Verify (empty before).
  const Report& report() const { return report_; }

 private:
  Policy policy_;
  Report report_;
};

// kBundleFormat is an evidence bundle's "format" member.
inline constexpr char kBundleFormat[] = "cerumbra-evidence-bundle-v1";

// MakeEvidenceBundle returns the bundle JSON (docs/attestation.md §6) for
// an attest_response text answering `client_nonce` and `client_public_key`.
// Fails with InvalidArgument if `attest_response_text` is not a JSON
// object. Thread safety: pure function.
Result<std::string> MakeEvidenceBundle(
    std::span<const uint8_t, protocol::kNonceSize> client_nonce,
    std::span<const uint8_t, protocol::kPublicKeySize> client_public_key,
    std::string_view attest_response_text);

// VerifyEvidenceBundle checks a bundle offline at `now_ms`: bundle.parse,
// response.parse (§4.3 steps 1), quote.parse (2), binding.nonce and
// binding.client_key (3, the quote answers the bundle's nonce and key),
// quote.node_key (4), then AppraiseAttestResponse (5-8). Never fails.
// Thread safety: pure function.
Report VerifyEvidenceBundle(std::string_view bundle_json, const Policy& policy,
                            int64_t now_ms);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_POLICY_VERIFIER_H_
