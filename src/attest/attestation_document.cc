// Copyright 2026 The Cerumbra Authors.

#include "attest/attestation_document.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "attest/measurement.h"
#include "attest/policy_verifier.h"
#include "attest/simulated_ca.h"
#include "crypto/pem.h"

namespace cerumbra::attest {
namespace {

namespace json = boost::json;

std::string Iso8601(const Result<std::chrono::sys_seconds>& t) {
  if (!t.ok()) return "";
  const auto days = std::chrono::floor<std::chrono::days>(*t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{*t - days};
  char buf[32];
  std::snprintf(
      buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
      static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

Policy SuggestedPolicy(const AttesterStatus& status,
                       const std::vector<protocol::Measurement>& measurements,
                       const std::vector<crypto::Certificate>& chain) {
  Policy p;
  if (!chain.empty()) p.quote_roots.push_back(chain.back().ToDer());
  // The suggestion mirrors what the node can prove, so it accepts this
  // node's lack of hardware key protection, by name; a client that wants
  // more sets both members to false (strict).
  p.accept_simulated =
      status.evidence_type == protocol::EvidenceType::kSimulated;
  p.accept_gpu_only_evidence =
      status.evidence_type == protocol::EvidenceType::kNvidiaGpu;
  for (const protocol::Measurement& m : measurements) {
    p.measurements.push_back({m.name, {m.value}});
  }
  return p;
}

std::string MakeAttestationDocument(
    const AttesterStatus& status,
    const std::vector<protocol::Measurement>& measurements,
    const std::vector<crypto::Certificate>& chain) {
  CERUMBRA_CHECK(!chain.empty());
  const bool simulated =
      status.evidence_type == protocol::EvidenceType::kSimulated;
  json::object o;
  o["format"] = kAttestationDocumentFormat;
  o["evidence_type"] = simulated ? "simulated" : "nvidia-gpu";
  o["simulated"] = simulated;
  o["notice"] =
      simulated
          ? std::string(kSimulatedBanner) +
                ". A strict client refuses this node."
          : std::string(
                "NVIDIA GPU confidential-computing evidence accompanies every "
                "quote, but the quote signing key is held by the operator "
                "(certified by the operator's CA): session keys NOT "
                "hardware-protected. A strict client refuses this node "
                "(see docs/attestation.md).");
  // What protects the quote key (docs/attestation.md §5.1); no evidence
  // type of this node binds it to hardware yet.
  o["key_protection"] =
      simulated ? kKeyProtectionSimulated : kKeyProtectionGpuOnly;
  o["key_hardware_protected"] = false;
  o["nvidia"] = {{"state", status.nvidia_state}, {"reason", status.reason}};
  json::object m;
  for (const protocol::Measurement& x : measurements) {
    m[x.name] = HexEncode(x.value);
  }
  o["measurements"] = std::move(m);
  o["measurement_algorithm"] = "sha384";
  json::array certs;
  for (const crypto::Certificate& c : chain) {
    certs.push_back({{"subject", c.Subject()},
                     {"issuer", c.Issuer()},
                     {"not_before", Iso8601(c.NotBefore())},
                     {"not_after", Iso8601(c.NotAfter())},
                     {"sha256", CertificateFingerprint(c)},
                     {"pem", crypto::CertificateToPem(c)}});
  }
  o["certificate_chain"] = std::move(certs);
  o["root_sha256"] = CertificateFingerprint(chain.back());
  o["policy"] = json::parse(
      SerializePolicyJson(SuggestedPolicy(status, measurements, chain)));
  return json::serialize(o);
}

std::string MakeAttestationDocument(const Attester& attester) {
  return MakeAttestationDocument(attester.status(), attester.measurements(),
                                 attester.chain());
}

}  // namespace cerumbra::attest
