// Copyright 2026 The Cerumbra Authors.
//
// The node's side of attestation (docs/attestation.md): SimulatedQuoteSigner
// signs quotes of evidence type `simulated` with the simulated CA's
// attestation key; Attester is what the node creates at startup: it
// measures the executable, model, web assets and configuration, probes
// NVML, and signs each session's quote with NVIDIA GPU evidence when the
// GPU is in confidential-computing mode, else as SIMULATED (saying why).

#ifndef CERUMBRA_ATTEST_ATTESTER_H_
#define CERUMBRA_ATTEST_ATTESTER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/measurement.h"
#include "attest/nvml_collector.h"
#include "attest/simulated_ca.h"
#include "cerumbra/status.h"
#include "protocol/handshake.h"
#include "protocol/quote.h"

namespace cerumbra::attest {

// kSimulatedBanner is the line every human-facing output about simulated
// evidence carries.
inline constexpr char kSimulatedBanner[] =
    "SIMULATED TEE: no hardware protects this node's keys or memory; the "
    "attestation proves only what the operator's own CA signed";

// SimulatedQuoteSigner signs quotes of type `simulated` (empty evidence)
// with `ca`'s attestation key, binding `measurements`, and sends the
// chain. Immutable after construction; Sign is thread-safe.
class SimulatedQuoteSigner : public protocol::QuoteSigner {
 public:
  // REQUIRES: measurements sorted by name, 1..32 of them (else Sign fails
  // with InvalidArgument).
  SimulatedQuoteSigner(SimulatedCa ca,
                       std::vector<protocol::Measurement> measurements);

  // Sign returns the signed quote for `input`; Internal if signing fails.
  Result<protocol::SignedQuote> Sign(
      const protocol::QuoteInput& input) override;

  const std::vector<protocol::Measurement>& measurements() const {
    return measurements_;
  }
  const std::vector<crypto::Certificate>& chain() const { return ca_.chain; }

 private:
  friend class Attester;
  Result<protocol::SignedQuote> SignWith(const protocol::QuoteInput& input,
                                         protocol::EvidenceType type,
                                         std::vector<uint8_t> evidence) const;
  SimulatedCa ca_;
  std::vector<protocol::Measurement> measurements_;
};

// AttesterOptions are the node's startup inputs.
struct AttesterOptions {
  // ca_dir holds the simulated CA (`cerumbra ca init`). Required.
  std::string ca_dir;
  // executable_path is measured as `executable`; empty: /proc/self/exe.
  std::string executable_path;
  // model_path is measured as `model` (omitted when empty);
  // model_cache_path caches its digest (MeasureFileCached; empty: none;
  // `cerumbra attest` only: a node never uses a cache).
  // model_digest, when set, is the `model` measurement instead: the digest
  // of the bytes the engine loads (SealedFile), and model_path is not read.
  std::string model_path;
  std::string model_cache_path;
  std::optional<crypto::Sha384Digest> model_digest;
  // web_files (embedded assets) are measured as `web`; when empty and
  // web_root is set, the tree under web_root is; with neither, no `web`.
  std::vector<WebFile> web_files;
  std::string web_root;
  // config_json is the effective configuration, measured as `config`.
  std::string config_json = "{}";
  // use_nvidia: probe NVML (nvml_library) and use GPU evidence when ready.
  bool use_nvidia = true;
  std::string nvml_library = kDefaultNvmlLibrary;
  // progress reports hashing of the model (StderrProgress(model_path)
  // prints it); log receives startup lines (never secrets). Both optional.
  ProgressCallback progress;
  std::function<void(std::string_view)> log;
  // now checks the CA chain's validity at startup.
  std::chrono::sys_seconds now;
};

// AttesterStatus says what the node can prove, for logs and the
// attestation document. Public data.
struct AttesterStatus {
  protocol::EvidenceType evidence_type = protocol::EvidenceType::kSimulated;
  // nvidia_state: NvmlStateName of the probe, or "disabled".
  std::string nvidia_state;
  // reason explains the evidence type: the NVML probe's reason, or that
  // NVIDIA evidence was disabled.
  std::string reason;
};

// Attester is the node's QuoteSigner. Create it once at startup; Sign is
// thread-safe (sessions may share it).
class Attester : public protocol::QuoteSigner {
 public:
  // Create loads the CA, computes the measurements and probes NVML. Fails
  // with the first error from LoadSimulatedCa or a measurement (the message
  // names the file). NVML problems are not errors: the attester then signs
  // SIMULATED quotes and logs the reason.
  static Result<std::unique_ptr<Attester>> Create(AttesterOptions options);

  // Sign signs a quote for `input`: with NVIDIA evidence requested with
  // GpuNonce(input) when status().evidence_type is kNvidiaGpu (a failed
  // collection fails this handshake with Unavailable; the attester never
  // silently downgrades a session), else SIMULATED.
  Result<protocol::SignedQuote> Sign(
      const protocol::QuoteInput& input) override;

  const AttesterStatus& status() const { return status_; }
  const std::vector<protocol::Measurement>& measurements() const {
    return signer_->measurements();
  }
  const std::vector<crypto::Certificate>& chain() const {
    return signer_->chain();
  }

 private:
  Attester() = default;
  std::unique_ptr<SimulatedQuoteSigner> signer_;
  std::unique_ptr<NvmlCollector> collector_;
  AttesterStatus status_;
};

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_ATTESTER_H_
