// Copyright 2026 The Cerumbra Authors.

#include "attest/policy_verifier.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "attest/attester.h"
#include "attest/measurement.h"
#include "attest/nvidia_evidence.h"
#include "attest/nvidia_verifier.h"
#include "attest/simulated_ca.h"
#include "crypto/base64.h"
#include "crypto/constant_time.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/sha.h"
#include "crypto/x509.h"

namespace cerumbra::attest {
namespace {

namespace json = boost::json;

std::string Seconds(int64_t ms) {
  return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) +
         " s";
}

// AppraiseEvidence adds the evidence checks; false when they failed.
bool AppraiseEvidence(const Policy& policy,
                      const protocol::AttestResponse& response,
                      const protocol::Quote& quote, int64_t now_ms,
                      Report& report) {
  if (quote.evidence_type == protocol::EvidenceType::kSimulated) {
    if (!response.evidence.empty()) {
      report.Fail("evidence.simulated",
                  "simulated quotes carry no evidence, got " +
                      std::to_string(response.evidence.size()) + " bytes");
      return false;
    }
    report.Pass("evidence.simulated",
                "SIMULATED: no hardware evidence; the chain ends in an "
                "operator-made root");
    return true;
  }
  Result<NvidiaEvidence> evidence = ParseNvidiaEvidence(response.evidence);
  if (!evidence.ok()) {
    report.Fail("evidence.nvidia.parse", evidence.status().message());
    return false;
  }
  report.Pass("evidence.nvidia.parse",
              std::to_string(evidence->gpus.size()) + " GPU(s)");
  Result<crypto::Sha256Digest> nonce = protocol::GpuNonce(
      quote.client_nonce, quote.client_public_key, quote.node_public_key);
  if (!nonce.ok()) {
    report.Fail("evidence.nvidia.nonce", "cannot compute gpu_nonce");
    return false;
  }
  NvidiaVerifyOptions options =
      DefaultNvidiaVerifyOptions(*nonce, now_ms / 1000);
  if (!policy.nvidia_device_root.empty()) {
    options.device_root_der = policy.nvidia_device_root;
  }
  if (!policy.nvidia_rim_root.empty()) {
    options.rim_root_der = policy.nvidia_rim_root;
  }
  options.rims = policy.nvidia_rims;
  options.require_rim_appraisal = policy.nvidia_require_rim_appraisal;
  const Report nvidia = VerifyNvidiaEvidence(*evidence, options);
  report.Append(nvidia, "nvidia.");
  if (!nvidia.ok()) {
    if (nvidia.checks.empty()) {
      report.Fail("nvidia", "the NVIDIA verifier reported no checks");
    }
    return false;
  }
  return true;
}

void AppraisePolicy(const Policy& policy, const protocol::Quote& quote,
                    int64_t now_ms, Report& report) {
  if (quote.evidence_type == protocol::EvidenceType::kSimulated) {
    if (policy.accept_simulated) {
      report.Pass("policy.evidence_type",
                  "SIMULATED evidence accepted by this (non-strict) policy");
    } else {
      report.Fail("policy.evidence_type",
                  "SIMULATED evidence refused: the policy is strict "
                  "(accept_simulated is false)");
    }
  } else {
    report.Pass("policy.evidence_type", "nvidia-gpu");
  }
  const KeyProtection kp = KeyProtectionOf(quote);
  if (kp.hardware) {
    report.Pass("policy.key_protection", kp.text);
  } else if (quote.evidence_type == protocol::EvidenceType::kSimulated) {
    if (policy.accept_simulated) {
      report.Pass("policy.key_protection", kp.text + ": " +
                                               kKeysNotProtectedLabel +
                                               " (accepted: accept_simulated)");
    } else {
      report.Fail("policy.key_protection",
                  kp.text + ": " + kKeysNotProtectedLabel +
                      "; refused by the strict policy");
    }
  } else if (policy.accept_gpu_only_evidence) {
    report.Pass("policy.key_protection",
                kp.text + ": " + kKeysNotProtectedLabel +
                    " (accepted: accept_gpu_only_evidence)");
  } else {
    report.Fail("policy.key_protection",
                kp.text + ": " + kKeysNotProtectedLabel +
                    "; refused by the strict policy (set "
                    "accept_gpu_only_evidence to accept GPU evidence "
                    "without CPU-TEE evidence)");
  }
  for (const MeasurementRule& rule : policy.measurements) {
    const std::string name = "policy.measurement." + rule.name;
    auto it = std::find_if(
        quote.measurements.begin(), quote.measurements.end(),
        [&](const protocol::Measurement& m) { return m.name == rule.name; });
    if (it == quote.measurements.end()) {
      report.Fail(name, "missing from the quote");
      continue;
    }
    const bool allowed = std::find(rule.allowed.begin(), rule.allowed.end(),
                                   it->value) != rule.allowed.end();
    if (allowed) {
      report.Pass(name, HexEncode(it->value));
    } else {
      report.Fail(name, "value " + HexEncode(it->value) + " is not among the " +
                            std::to_string(rule.allowed.size()) +
                            " pinned value(s)");
    }
  }
  for (const protocol::Measurement& m : quote.measurements) {
    const bool pinned =
        std::any_of(policy.measurements.begin(), policy.measurements.end(),
                    [&](const MeasurementRule& r) { return r.name == m.name; });
    if (!pinned) {
      report.Pass("policy.measurement." + m.name,
                  "not pinned by the policy (any value accepted): " +
                      HexEncode(m.value));
    }
  }
  // Timestamps above INT64_MAX are far in the future.
  const int64_t ts = quote.timestamp_ms > static_cast<uint64_t>(INT64_MAX)
                         ? INT64_MAX
                         : static_cast<int64_t>(quote.timestamp_ms);
  const int64_t max_future_ms =
      std::min(policy.max_future_seconds, kMaxFutureSeconds) * 1000;
  if (ts > now_ms && ts - now_ms > max_future_ms) {
    report.Fail("policy.freshness", "timestamp is " + Seconds(ts - now_ms) +
                                        " in the future (at most " +
                                        std::to_string(max_future_ms / 1000) +
                                        " s allowed)");
  } else if (ts < now_ms && now_ms - ts > policy.max_age_seconds * 1000) {
    report.Fail("policy.freshness",
                "quote is " + Seconds(now_ms - ts) + " old (at most " +
                    std::to_string(policy.max_age_seconds) + " s allowed)");
  } else {
    report.Pass("policy.freshness",
                "age " + Seconds(std::max<int64_t>(now_ms - ts, 0)));
  }
}

}  // namespace

KeyProtection KeyProtectionOf(const protocol::Quote& quote) {
  // No evidence type yet binds the quote key to hardware: that needs
  // CPU-TEE evidence whose report data commits to the key.
  if (quote.evidence_type == protocol::EvidenceType::kSimulated) {
    return {kKeyProtectionSimulated, false};
  }
  return {kKeyProtectionGpuOnly, false};
}

namespace {

void AppendUint64(crypto::Sha256Hasher& h, uint64_t n) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(n >> (56 - 8 * i));
  }
  h.Update(bytes);
}

// VerifyChain is step 5 (the `chain` check): on success it returns the
// leaf's public key and the check's detail, and the window in which every
// certificate of the verified path is valid.
std::optional<VerifiedChainCache::Entry> VerifyChain(
    const Policy& policy, const protocol::AttestResponse& response,
    std::chrono::sys_seconds now_s, Report& report) {
  std::vector<crypto::Certificate> chain;
  for (const auto& der : response.certificate_chain) {
    Result<crypto::Certificate> cert = crypto::Certificate::FromDer(der);
    if (!cert.ok()) {
      report.Fail("chain", "certificate " + std::to_string(chain.size()) +
                               " does not parse");
      return std::nullopt;
    }
    chain.push_back(*std::move(cert));
  }
  std::vector<crypto::Certificate> roots;
  for (const auto& der : policy.quote_roots) {
    Result<crypto::Certificate> cert = crypto::Certificate::FromDer(der);
    if (cert.ok()) roots.push_back(*std::move(cert));
  }
  if (roots.empty()) {
    report.Fail("chain", "the policy pins no (parsable) quote root");
    return std::nullopt;
  }
  if (chain.empty()) {
    report.Fail("chain", "no certificates");
    return std::nullopt;
  }
  Result<crypto::VerifiedChain> verified =
      crypto::VerifyCertificateChain(chain, roots, now_s);
  if (!verified.ok()) {
    report.Fail("chain",
                "does not verify to a pinned root at the verification time "
                "(unknown root, bad signature, expired or not yet valid); "
                "leaf " +
                    chain.front().Subject() + ", last " +
                    chain.back().Subject());
    return std::nullopt;
  }
  std::string subjects;
  for (const std::string& s : verified->subjects) {
    subjects += (subjects.empty() ? "" : " <- ") + s;
  }
  const std::string detail =
      subjects + "; root sha256 " +
      CertificateFingerprint(verified->certificates.back());
  // The leaf signs quotes: it must say so (keyUsage digitalSignature) and
  // must not be a certificate-signing CA key (docs/attestation.md §6).
  const std::optional<uint32_t> usage = chain.front().KeyUsage();
  if (!usage ||
      (*usage & crypto::Certificate::kKeyUsageDigitalSignature) == 0 ||
      (*usage & crypto::Certificate::kKeyUsageKeyCertSign) != 0) {
    report.Fail("chain",
                "the leaf certificate " + chain.front().Subject() +
                    " is not a quote-signing certificate: it needs keyUsage "
                    "digitalSignature without keyCertSign");
    return std::nullopt;
  }
  // The leaf's P-256 key, for step 6.
  Result<crypto::PublicKey> leaf_key = chain.front().GetPublicKey();
  if (!leaf_key.ok() || leaf_key->curve() != crypto::EcCurve::kP256) {
    report.Pass("chain", detail);
    report.Fail("signature", "the leaf certificate has no P-256 key");
    return std::nullopt;
  }
  VerifiedChainCache::Entry entry{*std::move(leaf_key), detail,
                                  std::chrono::sys_seconds::min(),
                                  std::chrono::sys_seconds::max()};
  for (const crypto::Certificate& cert : verified->certificates) {
    Result<std::chrono::sys_seconds> from = cert.NotBefore();
    Result<std::chrono::sys_seconds> until = cert.NotAfter();
    if (!from.ok() || !until.ok()) {
      // Verified but unreadable bounds: usable now, never cached.
      entry.valid_from = entry.valid_until = now_s;
      break;
    }
    entry.valid_from = std::max(entry.valid_from, *from);
    entry.valid_until = std::min(entry.valid_until, *until);
  }
  report.Pass("chain", entry.detail);
  return entry;
}

}  // namespace

Result<crypto::Sha256Digest> VerifiedChainCache::Key(
    const std::vector<std::vector<uint8_t>>& chain,
    const std::vector<std::vector<uint8_t>>& roots) {
  Result<crypto::Sha256Hasher> h = crypto::Sha256Hasher::Create();
  if (!h.ok()) return h.status();
  static constexpr char kLabel[] = "cerumbra verified chain cache v1";
  h->Update({reinterpret_cast<const uint8_t*>(kLabel), sizeof(kLabel)});
  for (const auto* list : {&chain, &roots}) {
    AppendUint64(*h, list->size());
    for (const auto& der : *list) {
      AppendUint64(*h, der.size());
      h->Update(der);
    }
  }
  return h->Finish();
}

std::optional<VerifiedChainCache::Entry> VerifiedChainCache::Find(
    const crypto::Sha256Digest& key, std::chrono::sys_seconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [k, entry] : entries_) {
    if (k == key && now >= entry.valid_from && now < entry.valid_until) {
      ++hits_;
      return entry;
    }
  }
  ++misses_;
  return std::nullopt;
}

void VerifiedChainCache::Insert(const crypto::Sha256Digest& key, Entry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) {
      entries_.erase(it);
      break;
    }
  }
  if (entries_.size() >= capacity_) entries_.pop_front();
  entries_.emplace_back(key, std::move(entry));
}

uint64_t VerifiedChainCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

uint64_t VerifiedChainCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

Report AppraiseAttestResponse(const Policy& policy,
                              const protocol::AttestResponse& response,
                              const protocol::Quote& quote, int64_t now_ms,
                              VerifiedChainCache* cache) {
  Report report;
  // Step 5: the chain, to a pinned root, at now.
  const std::chrono::sys_seconds now_s{std::chrono::seconds(now_ms / 1000)};
  std::optional<crypto::Sha256Digest> key;
  if (cache != nullptr) {
    if (auto k = VerifiedChainCache::Key(response.certificate_chain,
                                         policy.quote_roots);
        k.ok()) {
      key = *k;
    }
  }
  std::optional<VerifiedChainCache::Entry> chain;
  if (key) chain = cache->Find(*key, now_s);
  if (chain) {
    report.Pass("chain", chain->detail + "; verified earlier in this process");
  } else {
    chain = VerifyChain(policy, response, now_s, report);
    if (!chain) return report;
    // An empty window (VerifyChain could not read a certificate's bounds)
    // is never stored.
    if (key && chain->valid_from < chain->valid_until) {
      cache->Insert(*key, *chain);
    }
  }

  // Step 6: the signature with the leaf's P-256 key.
  if (!crypto::EcdsaVerify(chain->leaf_key, response.quote, response.signature,
                           crypto::EcdsaSignatureFormat::kP1363)
           .ok()) {
    report.Fail("signature",
                "the quote signature does not verify with the leaf key");
    return report;
  }
  report.Pass("signature", "ECDSA P-256 over the quote by the leaf key");

  // Step 7: evidence digest and evidence.
  Result<crypto::Sha384Digest> digest = crypto::Sha384(response.evidence);
  if (!digest.ok() ||
      !crypto::ConstantTimeEquals(*digest, quote.evidence_digest)) {
    report.Fail("evidence.digest",
                "SHA-384 of the evidence differs from the quote's digest");
    return report;
  }
  report.Pass("evidence.digest", HexEncode(*digest));
  if (!AppraiseEvidence(policy, response, quote, now_ms, report)) {
    return report;
  }

  // Step 8: policy.
  AppraisePolicy(policy, quote, now_ms, report);
  return report;
}

Report AppraiseQuotePolicy(const Policy& policy, const protocol::Quote& quote,
                           int64_t now_ms) {
  Report report;
  AppraisePolicy(policy, quote, now_ms, report);
  return report;
}

Status PolicyQuoteVerifier::Verify(const protocol::AttestResponse& response,
                                   const protocol::Quote& quote,
                                   int64_t now_ms) {
  report_ = AppraiseAttestResponse(policy_, response, quote, now_ms, cache_);
  if (report_.ok()) return OkStatus();
  const Check* failed = report_.FirstFailure();
  return UnauthenticatedError("attestation check failed: " +
                              (failed != nullptr ? failed->name : "none"));
}

Result<std::string> MakeEvidenceBundle(
    std::span<const uint8_t, protocol::kNonceSize> client_nonce,
    std::span<const uint8_t, protocol::kPublicKeySize> client_public_key,
    std::string_view attest_response_text) {
  boost::system::error_code ec;
  json::value response = json::parse(attest_response_text, ec);
  if (ec || !response.is_object()) {
    return InvalidArgumentError("attest_response is not a JSON object");
  }
  json::object o;
  o["format"] = kBundleFormat;
  o["client_nonce"] = crypto::internal::Base64UrlEncode(client_nonce);
  o["client_public_key"] = crypto::internal::Base64UrlEncode(client_public_key);
  o["attest_response"] = std::move(response);
  return json::serialize(o) + "\n";
}

Report VerifyEvidenceBundle(std::string_view bundle_json, const Policy& policy,
                            int64_t now_ms, KeyProtection* key_protection) {
  Report report;
  boost::system::error_code ec;
  json::value root = json::parse(bundle_json, ec);
  const json::object* o =
      (!ec && root.is_object()) ? &root.as_object() : nullptr;
  const json::value* format = o ? o->if_contains("format") : nullptr;
  const json::value* nonce_v = o ? o->if_contains("client_nonce") : nullptr;
  const json::value* key_v = o ? o->if_contains("client_public_key") : nullptr;
  const json::value* resp_v = o ? o->if_contains("attest_response") : nullptr;
  if (o == nullptr || o->size() != 4 || format == nullptr ||
      !format->is_string() || format->as_string() != kBundleFormat ||
      nonce_v == nullptr || !nonce_v->is_string() || key_v == nullptr ||
      !key_v->is_string() || resp_v == nullptr || !resp_v->is_object()) {
    report.Fail("bundle.parse",
                std::string("not a ") + kBundleFormat +
                    " object (format, client_nonce, client_public_key, "
                    "attest_response)");
    return report;
  }
  Result<std::vector<uint8_t>> nonce =
      crypto::internal::Base64UrlDecode(nonce_v->as_string());
  Result<std::vector<uint8_t>> key =
      crypto::internal::Base64UrlDecode(key_v->as_string());
  if (!nonce.ok() || nonce->size() != protocol::kNonceSize || !key.ok() ||
      key->size() != protocol::kPublicKeySize) {
    report.Fail("bundle.parse",
                "client_nonce must be 32 and client_public_key 65 bytes of "
                "base64url");
    return report;
  }
  report.Pass("bundle.parse");
  Result<protocol::AttestResponse> response =
      protocol::ParseAttestResponse(json::serialize(*resp_v));
  if (!response.ok()) {
    report.Fail("response.parse", response.status().message());
    return report;
  }
  report.Pass("response.parse", "attest_response version 1");
  Result<protocol::Quote> quote = protocol::ParseQuote(response->quote);
  if (!quote.ok()) {
    report.Fail("quote.parse", quote.status().message());
    return report;
  }
  if (key_protection != nullptr) *key_protection = KeyProtectionOf(*quote);
  report.Pass("quote.parse",
              std::string("evidence type ") +
                  (quote->evidence_type == protocol::EvidenceType::kSimulated
                       ? "SIMULATED"
                       : "nvidia-gpu") +
                  ", " + std::to_string(quote->measurements.size()) +
                  " measurements");
  if (!crypto::ConstantTimeEquals(*nonce, quote->client_nonce)) {
    report.Fail("binding.nonce",
                "the quote answers another nonce (relayed or replayed)");
    return report;
  }
  report.Pass("binding.nonce", "the quote carries the bundle's client nonce");
  if (!crypto::ConstantTimeEquals(*key, quote->client_public_key)) {
    report.Fail("binding.client_key",
                "the quote binds another client public key");
    return report;
  }
  report.Pass("binding.client_key");
  if (!crypto::PublicKey::FromUncompressedPoint(crypto::EcCurve::kP256,
                                                quote->node_public_key)
           .ok()) {
    report.Fail("quote.node_key", "not a valid P-256 point");
    return report;
  }
  report.Pass("quote.node_key");
  report.Append(AppraiseAttestResponse(policy, *response, *quote, now_ms));
  return report;
}

}  // namespace cerumbra::attest
