// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_verifier.h"

#include <string>

namespace cerumbra::attest {

NvidiaAppraisal AppraiseNvidiaEvidence(const NvidiaEvidence& evidence,
                                       const NvidiaVerifyOptions& options) {
  (void)options;
  NvidiaAppraisal out;
  // Fails closed until the checks are implemented.
  for (const GpuEvidence& gpu : evidence.gpus) {
    out.report.Fail("gpu" + std::to_string(gpu.index) + ".report.parse",
                    "not implemented yet");
  }
  if (evidence.gpus.empty()) out.report.Fail("evidence.gpus", "no GPU");
  return out;
}

Report VerifyNvidiaEvidence(const NvidiaEvidence& evidence,
                            const NvidiaVerifyOptions& options) {
  return AppraiseNvidiaEvidence(evidence, options).report;
}

NvidiaVerifyOptions DefaultNvidiaVerifyOptions(
    const std::array<uint8_t, 32>& nonce, int64_t now_unix_seconds) {
  NvidiaVerifyOptions options;
  options.nonce = nonce;
  options.now_unix_seconds = now_unix_seconds;
  options.device_root_der = DefaultNvidiaDeviceRootDer();
  options.rim_root_der = DefaultNvidiaRimRootDer();
  return options;
}

std::string NvidiaDriverRimId(GpuArchitecture architecture,
                              const NvidiaOpaqueInfo& opaque) {
  if (architecture == GpuArchitecture::kHopper) {
    return "NV_GPU_DRIVER_GH100_" + opaque.driver_version;
  }
  const std::string chip =
      opaque.chip_info.empty() ? std::string("GB100") : opaque.chip_info;
  return "NV_GPU_CC_DRIVER_" + chip + "_" + opaque.driver_version;
}

std::string NvidiaVbiosRimId(const NvidiaOpaqueInfo& opaque) {
  std::string version;
  for (char c : opaque.vbios_version) {
    if (c == '.') continue;
    version += (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return "NV_GPU_VBIOS_" + opaque.project + "_" + opaque.project_sku + "_" +
         opaque.chip_sku + "_" + version;
}

}  // namespace cerumbra::attest
