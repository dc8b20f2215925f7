// Copyright 2026 The Cerumbra Authors.
//
// NvmlCollector collects NVIDIA GPU confidential-computing evidence through
// NVML (design/attestation-evidence.md §1.2). libnvidia-ml.so.1 is loaded
// at run time with dlopen: Cerumbra has no build-time dependency on the
// NVIDIA driver, and declares the few NVML types and functions it calls
// itself (nvml_api.h).
//
// The collector first probes the system: NVML present, at least one GPU,
// confidential computing on (ccFeature = 1), DevTools mode off, and no
// Protected-PCIe multi-GPU mode (the standalone GPU verifier cannot appraise
// it). Only in the kReady state does Collect fetch, for every GPU, the
// attestation certificate chain and an attestation report requested with
// the session's gpu_nonce (docs/protocol.md §4.2).

#ifndef CERUMBRA_ATTEST_NVML_COLLECTOR_H_
#define CERUMBRA_ATTEST_NVML_COLLECTOR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "attest/nvidia_evidence.h"
#include "cerumbra/status.h"

namespace cerumbra::attest {

// kDefaultNvmlLibrary is the soname the NVIDIA driver installs.
inline constexpr char kDefaultNvmlLibrary[] = "libnvidia-ml.so.1";

// NvmlState is what the probe found, in the order it is checked.
enum class NvmlState {
  kNoLibrary,      // dlopen failed or an entry point is missing
  kInitFailed,     // nvmlInit_v2 failed (no driver loaded, no permission)
  kNoGpu,          // NVML reports zero devices
  kCcUnsupported,  // the CC queries are not supported (old driver or GPU)
  kCcOff,          // confidential computing is off
  kDevToolsOn,     // CC in DevTools mode: not a production-secure state
  kProtectedPcie,  // multi-GPU Protected-PCIe mode (needs the PPCIe verifier)
  kReady,          // CC on: Collect can produce evidence
};

// NvmlStateName returns a stable lower-case name ("no_library", "cc_off",
// ..., "ready") for logs and the attestation document.
std::string_view NvmlStateName(NvmlState state);

// NvmlProbe is the probe's outcome. `reason` says exactly what was found,
// for humans ("NVML reports confidential computing OFF (environment 0,
// ccFeature 0, devToolsMode 0) on 1 GPU"). Public data.
struct NvmlProbe {
  NvmlState state = NvmlState::kNoLibrary;
  std::string reason;
  unsigned int gpu_count = 0;
  std::string driver_version;
};

class NvmlCollector {
 public:
  // Open loads `library` (a soname or path: tests pass a fake library) and
  // probes the system. It always returns a collector; probe() says whether
  // Collect can work. Thread safety: safe to call concurrently.
  static std::unique_ptr<NvmlCollector> Open(
      std::string_view library = kDefaultNvmlLibrary);

  // The destructor calls nvmlShutdown (if nvmlInit succeeded) and dlclose.
  ~NvmlCollector();
  NvmlCollector(const NvmlCollector&) = delete;
  NvmlCollector& operator=(const NvmlCollector&) = delete;

  // probe returns what Open found.
  const NvmlProbe& probe() const { return probe_; }

  // ReadyStatus returns OK when probe().state is kReady, otherwise Unavailable
  // with probe().reason.
  Status ReadyStatus() const;

  // Collect fetches every GPU's certificate chain (PEM from NVML, converted
  // to DER, leaf first) and attestation report requested with `gpu_nonce`,
  // and returns them with nonce = gpu_nonce. Fails with FailedPrecondition
  // (probe reason) unless the probe found kReady; Unavailable naming the
  // NVML call and its return code when a call fails; InvalidArgument when
  // NVML returns a size out of range, an unparsable chain or an unknown
  // architecture. Thread safety: safe to call concurrently (serialized by
  // an internal mutex).
  Result<NvidiaEvidence> Collect(const std::array<uint8_t, 32>& gpu_nonce);

  struct Api;  // The resolved NVML entry points (nvml_collector.cc).

 private:
  NvmlCollector() = default;

  void* handle_ = nullptr;
  std::unique_ptr<Api> api_;
  bool initialized_ = false;
  NvmlProbe probe_;
  std::mutex mu_;
};

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_NVML_COLLECTOR_H_
