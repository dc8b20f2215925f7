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
//   policy.key_protection the quote signing key (and so every session key)
//                         is protected by hardware, or the policy accepts
//                         the named lack of it (KeyProtectionOf below)
//   policy.measurement.N  each pinned measurement present and allowed
//                         (unpinned ones pass as "not pinned")
//   policy.freshness      timestamp within max age and max future skew
// Chain, signature and evidence failures stop the appraisal (later checks
// would be meaningless); the policy checks are all reported.

#ifndef CERUMBRA_ATTEST_POLICY_VERIFIER_H_
#define CERUMBRA_ATTEST_POLICY_VERIFIER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attest/check.h"
#include "attest/policy.h"
#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/sha.h"
#include "protocol/handshake.h"
#include "protocol/handshake_messages.h"
#include "protocol/quote.h"

namespace cerumbra::attest {

// KeyProtection is the first-class fact a verification report carries:
// what protects the key that signs quotes, and so every session key
// (docs/attestation.md §5.1). `text` is one of
//   "none (simulated)"          simulated evidence: an operator-made key
//   "none (GPU evidence only)"  NVIDIA GPU evidence: a CC-mode GPU answered
//                               this session's gpu_nonce, but the key lives
//                               wherever the operator keeps it
// or, once CPU-TEE evidence exists, the hardware that protects the key
// ("Intel TDX (TCB UpToDate) + NVIDIA H100 (CC on)"), with `hardware` true.
// It says what the quote claims; whether the evidence verified is the
// report's ok().
struct KeyProtection {
  std::string text;
  bool hardware = false;
};
inline constexpr char kKeyProtectionSimulated[] = "none (simulated)";
inline constexpr char kKeyProtectionGpuOnly[] = "none (GPU evidence only)";
// kKeysNotProtectedLabel is what every surface shows next to an accepted
// quote whose key is not hardware-protected.
inline constexpr char kKeysNotProtectedLabel[] =
    "session keys NOT hardware-protected";

// KeyProtectionOf returns the key protection `quote` claims.
// Thread safety: pure function.
KeyProtection KeyProtectionOf(const protocol::Quote& quote);

// VerifiedChainCache remembers quote certificate chains that verified, so
// that a client connecting to the same node again (the proxy, a load
// generator) skips the X.509 work of the `chain` check: parsing and the
// P-384 signatures, about 85 % of a client handshake's CPU time
// (docs/performance.md "End to end"). An entry is keyed by SHA-256 over the
// exact bytes of the chain and of the pinned roots, in order, and holds
// what the verification produced: the leaf's public key, the check's
// detail, and the window in which every certificate of the verified path
// is valid. A lookup outside that window is a miss, so an entry never
// extends a certificate's life; a chain that failed is never stored.
// Everything after the chain (the quote signature with the leaf's key, the
// evidence, the policy) runs on every handshake. Holds public data only.
// Thread safety: thread-safe.
class VerifiedChainCache {
 public:
  // kDefaultCapacity is enough for a client talking to a few nodes.
  static constexpr size_t kDefaultCapacity = 16;

  struct Entry {
    crypto::PublicKey leaf_key;
    std::string detail;  // the `chain` check's detail
    // [valid_from, valid_until): notAfter is exclusive, as in OpenSSL
    // (docs/attestation.md §6: valid iff notBefore <= t < notAfter).
    std::chrono::sys_seconds valid_from, valid_until;
  };

  explicit VerifiedChainCache(size_t capacity = kDefaultCapacity)
      : capacity_(capacity == 0 ? 1 : capacity) {}

  // Key returns the key of `chain` under `roots` (length-prefixed, so no two
  // different lists share a key short of a SHA-256 collision).
  // Fails only if hashing fails (then the caller does not use the cache).
  static Result<crypto::Sha256Digest> Key(
      const std::vector<std::vector<uint8_t>>& chain,
      const std::vector<std::vector<uint8_t>>& roots);

  // Find returns the entry for `key` if there is one and `now` is inside
  // its window; counts a hit or a miss.
  std::optional<Entry> Find(const crypto::Sha256Digest& key,
                            std::chrono::sys_seconds now);

  // Insert stores `entry` under `key`, dropping the oldest entry when full.
  void Insert(const crypto::Sha256Digest& key, Entry entry);

  uint64_t hits() const;
  uint64_t misses() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<std::pair<crypto::Sha256Digest, Entry>> entries_;  // oldest first
  uint64_t hits_ = 0, misses_ = 0;
};

// AppraiseAttestResponse runs the checks above on `response` and `quote`
// (ParseQuote(response.quote), already bound to the session by the
// caller) at `now_ms` (milliseconds since the Unix epoch). With a `cache`,
// the `chain` check is looked up there first and stored there when it
// passes (its detail then ends with "; verified earlier in this process").
// Never fails: a malformed input is a failed check. Thread safety: pure
// function (the cache is thread-safe).
Report AppraiseAttestResponse(const Policy& policy,
                              const protocol::AttestResponse& response,
                              const protocol::Quote& quote, int64_t now_ms,
                              VerifiedChainCache* cache = nullptr);

// AppraiseQuotePolicy runs step 8 alone (the policy.* checks above) on a
// quote whose chain, signature and evidence were checked already; it is
// what AppraiseAttestResponse ends with. Thread safety: pure function.
Report AppraiseQuotePolicy(const Policy& policy, const protocol::Quote& quote,
                           int64_t now_ms);

// PolicyQuoteVerifier is the protocol's QuoteVerifier over a Policy.
// Verify returns OK iff AppraiseAttestResponse's report is ok(); otherwise
// Unauthenticated naming the first failed check (public data; the protocol
// turns it into its opaque error anyway). report() then holds every check
// for display. Thread safety: not thread-safe (one per handshake, as the
// protocol uses it); the policy is copied at construction.
class PolicyQuoteVerifier : public protocol::QuoteVerifier {
 public:
  // `cache`, if not null, must outlive the verifier (see
  // VerifiedChainCache).
  explicit PolicyQuoteVerifier(Policy policy,
                               VerifiedChainCache* cache = nullptr)
      : policy_(std::move(policy)), cache_(cache) {}

  Status Verify(const protocol::AttestResponse& response,
                const protocol::Quote& quote, int64_t now_ms) override;

  // report returns the checks of the last Verify (empty before).
  const Report& report() const { return report_; }

 private:
  Policy policy_;
  VerifiedChainCache* cache_;
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
// If `key_protection` is not null it receives the quote's KeyProtectionOf
// once the quote parses (untouched otherwise).
// Thread safety: pure function.
Report VerifyEvidenceBundle(std::string_view bundle_json, const Policy& policy,
                            int64_t now_ms,
                            KeyProtection* key_protection = nullptr);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_POLICY_VERIFIER_H_
