// Copyright 2026 The Cerumbra Authors.

#include "attest/attester.h"

#include <algorithm>
#include <utility>

#include "attest/nvidia_evidence.h"
#include "crypto/ecdsa.h"

namespace cerumbra::attest {

SimulatedQuoteSigner::SimulatedQuoteSigner(
    SimulatedCa ca, std::vector<protocol::Measurement> measurements)
    : ca_(std::move(ca)), measurements_(std::move(measurements)) {}

Result<protocol::SignedQuote> SimulatedQuoteSigner::Sign(
    const protocol::QuoteInput& input) {
  return SignWith(input, protocol::EvidenceType::kSimulated, {});
}

Result<protocol::SignedQuote> SimulatedQuoteSigner::SignWith(
    const protocol::QuoteInput& input, protocol::EvidenceType type,
    std::vector<uint8_t> evidence) const {
  CERUMBRA_ASSIGN_OR_RETURN(
      protocol::Quote quote,
      protocol::MakeQuote(input, type, measurements_, evidence));
  protocol::SignedQuote out;
  CERUMBRA_ASSIGN_OR_RETURN(out.quote, protocol::EncodeQuote(quote));
  CERUMBRA_ASSIGN_OR_RETURN(
      out.signature, crypto::EcdsaSign(ca_.attestation_key, out.quote,
                                       crypto::EcdsaSignatureFormat::kP1363));
  for (const crypto::Certificate& c : ca_.chain) {
    out.certificate_chain.push_back(c.ToDer());
  }
  out.evidence = std::move(evidence);
  return out;
}

Result<std::unique_ptr<Attester>> Attester::Create(AttesterOptions options) {
  auto log = [&](std::string_view line) {
    if (options.log) options.log(line);
  };
  CERUMBRA_ASSIGN_OR_RETURN(SimulatedCa ca,
                            LoadSimulatedCa(options.ca_dir, options.now));

  std::vector<protocol::Measurement> measurements;
  {
    CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha384Digest d,
                              MeasureConfig(options.config_json));
    measurements.push_back(ToMeasurement(kMeasurementConfig, d));
  }
  {
    const std::string exe = options.executable_path.empty()
                                ? std::string("/proc/self/exe")
                                : options.executable_path;
    CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha384Digest d, MeasureFile(exe));
    measurements.push_back(ToMeasurement(kMeasurementExecutable, d));
  }
  if (options.model_digest.has_value()) {
    measurements.push_back(
        ToMeasurement(kMeasurementModel, *options.model_digest));
  } else if (!options.model_path.empty()) {
    CERUMBRA_ASSIGN_OR_RETURN(
        crypto::Sha384Digest d,
        MeasureFileCached(options.model_path, options.model_cache_path,
                          options.progress));
    measurements.push_back(ToMeasurement(kMeasurementModel, d));
  }
  if (!options.web_files.empty()) {
    CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha384Digest d,
                              MeasureWebFiles(options.web_files));
    measurements.push_back(ToMeasurement(kMeasurementWeb, d));
  } else if (!options.web_root.empty()) {
    CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha384Digest d,
                              MeasureWebRoot(options.web_root));
    measurements.push_back(ToMeasurement(kMeasurementWeb, d));
  }
  std::sort(measurements.begin(), measurements.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const protocol::Measurement& m : measurements) {
    log("measurement " + m.name + " = sha384:" + HexEncode(m.value));
  }

  std::unique_ptr<Attester> attester(new Attester());
  attester->signer_ = std::make_unique<SimulatedQuoteSigner>(
      std::move(ca), std::move(measurements));
  AttesterStatus& status = attester->status_;
  if (!options.use_nvidia) {
    status.nvidia_state = "disabled";
    status.reason = "NVIDIA GPU evidence disabled by configuration";
  } else {
    attester->collector_ = NvmlCollector::Open(options.nvml_library);
    const NvmlProbe& probe = attester->collector_->probe();
    status.nvidia_state = std::string(NvmlStateName(probe.state));
    status.reason = probe.reason;
    if (probe.state == NvmlState::kReady) {
      status.evidence_type = protocol::EvidenceType::kNvidiaGpu;
      log("attestation: nvidia-gpu evidence: " + probe.reason);
    } else {
      attester->collector_.reset();
    }
  }
  if (status.evidence_type == protocol::EvidenceType::kSimulated) {
    log(std::string("attestation: ") + kSimulatedBanner);
    log("attestation: no hardware evidence because: " + status.reason);
  }
  return attester;
}

Result<protocol::SignedQuote> Attester::Sign(
    const protocol::QuoteInput& input) {
  if (status_.evidence_type == protocol::EvidenceType::kSimulated) {
    return signer_->Sign(input);
  }
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::Sha256Digest nonce,
      protocol::GpuNonce(input.client_nonce, input.client_public_key,
                         input.node_public_key));
  Result<NvidiaEvidence> evidence = collector_->Collect(nonce);
  if (!evidence.ok()) {
    return UnavailableError("NVIDIA evidence collection failed: " +
                            evidence.status().message());
  }
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                            EncodeNvidiaEvidence(*evidence));
  return signer_->SignWith(input, protocol::EvidenceType::kNvidiaGpu,
                           std::move(bytes));
}

}  // namespace cerumbra::attest
