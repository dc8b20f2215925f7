// Copyright 2026 The Cerumbra Authors.
//
// Offline verification of NVIDIA GPU attestation evidence (Hopper,
// Blackwell): the SPDM 1.1 measurement report, its certificate chain to the
// pinned NVIDIA Device Identity CA, the FWID binding, the caller's nonce,
// and the appraisal of the measurements against signed XML RIMs chained to
// the pinned NVIDIA RIM root. Formats and the order of the checks are in
// docs/attestation-nvidia.md and design/attestation-evidence.md §1.
//
// Nothing here touches the network: revocation (OCSP) and fetching RIMs
// from NVIDIA's RIM service are the caller's business (see the doc).

#ifndef CERUMBRA_ATTEST_NVIDIA_VERIFIER_H_
#define CERUMBRA_ATTEST_NVIDIA_VERIFIER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attest/check.h"
#include "attest/nvidia_evidence.h"
#include "attest/nvidia_measurements.h"
#include "attest/nvidia_opaque.h"

namespace cerumbra::attest {

// NvidiaVerifyOptions is the relying party's input and policy.
struct NvidiaVerifyOptions {
  // nonce is the gpu_nonce the relying party expects in every report
  // (request bytes 4..35) and in NvidiaEvidence::nonce.
  std::array<uint8_t, 32> nonce{};
  // now_unix_seconds is the verification time for every certificate chain
  // (device chain and RIM chains). Never the clock: the caller passes it.
  int64_t now_unix_seconds = 0;
  // device_root_der is the pinned NVIDIA Device Identity CA (DER); use
  // DefaultNvidiaDeviceRootDer(). The root that arrives with the evidence
  // is never trusted: it must be byte-equal to this one.
  std::vector<uint8_t> device_root_der;
  // rim_root_der is the pinned NVIDIA RIM signing root (DER); use
  // DefaultNvidiaRimRootDer().
  std::vector<uint8_t> rim_root_der;
  // rims are signed XML RIM documents (TCG RIM-IM SWID tags, as served by
  // NVIDIA's RIM service, base64-decoded), in any order. A RIM document does
  // not carry its service id, so the verifier identifies it by its content:
  // a document is GPU N's driver RIM if Meta@colloquialVersion equals the
  // report's DRIVER_VERSION (case-insensitive) and Meta@product starts with
  // the GPU's family ("GH100" on Hopper, "GB" on Blackwell), its VBIOS RIM
  // if colloquialVersion equals the VBIOS version (same product rule). The
  // choice is then confirmed on the verified document
  // ("gpuN.rim.<role>.version"). Documents that do not parse
  // or match are ignored; two matching documents for one role fail
  // "gpuN.rim.<role>.select" (ambiguous golden values).
  std::vector<std::vector<uint8_t>> rims;
  // require_rim_appraisal: when true, a GPU whose driver or VBIOS RIM is not
  // among `rims` fails ("gpuN.rim.driver.select" / "gpuN.rim.vbios.select").
  // When false and a RIM is missing, the measurements are not appraised and
  // the report says so in a passed "gpuN.rim" check whose detail starts
  // with "not appraised"; RIMs that are supplied are still verified and
  // compared, and a mismatch still fails.
  bool require_rim_appraisal = true;
  // require_fwid: when true, a report without the FWID opaque field fails
  // "gpuN.fwid". When false (NVIDIA's verifiers' behaviour) old drivers
  // that do not send it pass with a detail saying the check was skipped; a
  // present FWID must always match the leaf certificate.
  bool require_fwid = false;
  // allow_protected_pcie: Protected-PCIe (FEATURE_FLAG 2) reports need the
  // NVSwitch evidence too, which this verifier does not check; by default
  // they fail "gpuN.mode".
  bool allow_protected_pcie = false;
};

// NvidiaGpuResult is what the verifier learned about one GPU. Filled as far
// as verification got; meaningful only when the Report is ok().
struct NvidiaGpuResult {
  int index = 0;
  GpuArchitecture architecture = GpuArchitecture::kHopper;
  NvidiaOpaqueInfo opaque;
  std::string hwmodel;  // CN of certificate 1 ("GH100 A01 GSP BROM")
  std::string ueid;     // leaf certificate serial number, decimal
  std::vector<std::string> chain_subjects;  // leaf first
  std::string driver_rim_id;                // "NV_GPU_DRIVER_GH100_550.90.07"
  std::string vbios_rim_id;  // "NV_GPU_VBIOS_1010_0200_882_96009F0001"
  bool measurements_appraised = false;
  std::vector<NvidiaMeasurementResult> measurements;  // by rim_index
};

// NvidiaAppraisal is the full outcome: the named checks plus the decoded
// data per GPU (same order as the evidence).
struct NvidiaAppraisal {
  Report report;
  std::vector<NvidiaGpuResult> gpus;
};

// AppraiseNvidiaEvidence verifies `evidence` under `options` and returns
// every check it ran, in this order (docs/attestation-nvidia.md §2 says what
// each one checks). Check names are stable; the caller may prefix them,
// e.g. with "nvidia.":
//   evidence.roots, evidence.nonce, evidence.gpus,
//   gpuN.report.parse, gpuN.nonce, gpuN.chain, gpuN.architecture,
//   gpuN.report.signature, gpuN.fwid, gpuN.opaque, gpuN.mode,
//   gpuN.rim.driver.{select,chain,signature,parse,version},
//   gpuN.rim.vbios.{select,chain,signature,parse,version},
//   gpuN.rim (a passed "not appraised" note, only when a RIM is missing and
//   require_rim_appraisal is off), gpuN.rim.index_conflict,
//   gpuN.measurements, evidence.gpus.distinct (several GPUs only).
// Verification of a GPU stops at its first failure whose later checks
// would be meaningless (an unparsable report, a bad chain or architecture,
// a bad signature, a FWID mismatch, missing versions, a failed RIM);
// report.ok() is true only if every check of every GPU passed. The
// NvidiaGpuResult fields are filled as far as verification got. Never
// throws, never aborts on malformed evidence; no network, no clock.
// Thread safety: pure function (safe to call concurrently).
NvidiaAppraisal AppraiseNvidiaEvidence(const NvidiaEvidence& evidence,
                                       const NvidiaVerifyOptions& options);

// VerifyNvidiaEvidence is AppraiseNvidiaEvidence(...).report.
Report VerifyNvidiaEvidence(const NvidiaEvidence& evidence,
                            const NvidiaVerifyOptions& options);

// NvidiaDriverRimId and NvidiaVbiosRimId return the RIM identifiers for a
// report's opaque data (design/attestation-evidence.md §1.7):
//   Hopper driver:    NV_GPU_DRIVER_GH100_<driver>
//   Blackwell driver: NV_GPU_CC_DRIVER_<chip_info or GB100>_<driver>
//   VBIOS:            NV_GPU_VBIOS_<project>_<project_sku>_<chip_sku>_
//                     <vbios version without dots, upper case>
// Pure functions.
std::string NvidiaDriverRimId(GpuArchitecture architecture,
                              const NvidiaOpaqueInfo& opaque);
std::string NvidiaVbiosRimId(const NvidiaOpaqueInfo& opaque);

// DefaultNvidiaDeviceRootDer returns the pinned "NVIDIA Device Identity CA"
// (P-384, SHA-256 fingerprint 10:2B:F6:59:...:7B:48), the same bytes as
// nvtrust's verifier_device_root.pem. DefaultNvidiaRimRootDer returns the
// pinned "NVIDIA CoRIM signing Root CA" (fingerprint 12:97:7B:51:...:F5:D1),
// nvtrust's verifier_RIM_root.pem. Public certificates; pure functions.
std::vector<uint8_t> DefaultNvidiaDeviceRootDer();
std::vector<uint8_t> DefaultNvidiaRimRootDer();

// DefaultNvidiaVerifyOptions returns options with the pinned roots, the
// given nonce and time, require_rim_appraisal = true and the other
// defaults above; `rims` is empty.
NvidiaVerifyOptions DefaultNvidiaVerifyOptions(
    const std::array<uint8_t, 32>& nonce, int64_t now_unix_seconds);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_NVIDIA_VERIFIER_H_
