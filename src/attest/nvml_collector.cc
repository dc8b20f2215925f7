// Copyright 2026 The Cerumbra Authors.

#include "attest/nvml_collector.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "attest/nvml_api.h"
#include "crypto/x509.h"

namespace cerumbra::attest {

struct NvmlCollector::Api {
  nvmlInit_v2_fn init = nullptr;
  nvmlShutdown_fn shutdown = nullptr;
  nvmlDeviceGetCount_v2_fn device_count = nullptr;
  nvmlDeviceGetHandleByIndex_v2_fn device_handle = nullptr;
  nvmlDeviceGetArchitecture_fn architecture = nullptr;
  nvmlSystemGetDriverVersion_fn driver_version = nullptr;
  nvmlSystemGetConfComputeState_fn cc_state = nullptr;
  nvmlSystemGetConfComputeSettings_fn cc_settings = nullptr;
  nvmlDeviceGetConfComputeGpuCertificate_fn certificate = nullptr;
  nvmlDeviceGetConfComputeGpuAttestationReport_fn report = nullptr;
};

namespace {

constexpr unsigned int kMaxGpus = 8;

std::string Rc(const char* call, nvmlReturn_t rc) {
  return std::string(call) + " returned " + std::to_string(rc);
}

template <typename Fn>
bool Resolve(void* handle, const char* name, Fn& out) {
  out = reinterpret_cast<Fn>(::dlsym(handle, name));
  return out != nullptr;
}

}  // namespace

std::string_view NvmlStateName(NvmlState state) {
  switch (state) {
    case NvmlState::kNoLibrary:
      return "no_library";
    case NvmlState::kInitFailed:
      return "init_failed";
    case NvmlState::kNoGpu:
      return "no_gpu";
    case NvmlState::kCcUnsupported:
      return "cc_unsupported";
    case NvmlState::kCcOff:
      return "cc_off";
    case NvmlState::kDevToolsOn:
      return "devtools_on";
    case NvmlState::kProtectedPcie:
      return "protected_pcie";
    case NvmlState::kReady:
      return "ready";
  }
  return "unknown";
}

std::unique_ptr<NvmlCollector> NvmlCollector::Open(std::string_view library) {
  std::unique_ptr<NvmlCollector> c(new NvmlCollector());
  NvmlProbe& p = c->probe_;
  const std::string lib(library);
  c->handle_ = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (c->handle_ == nullptr) {
    const char* err = ::dlerror();
    p.state = NvmlState::kNoLibrary;
    p.reason = "no NVML: cannot load " + lib + " (" +
               (err != nullptr ? err : "dlopen failed") +
               "); no NVIDIA driver on this machine";
    return c;
  }
  auto api = std::make_unique<Api>();
  const char* missing = nullptr;
  if (!Resolve(c->handle_, "nvmlInit_v2", api->init))
    missing = "nvmlInit_v2";
  else if (!Resolve(c->handle_, "nvmlShutdown", api->shutdown))
    missing = "nvmlShutdown";
  else if (!Resolve(c->handle_, "nvmlDeviceGetCount_v2", api->device_count))
    missing = "nvmlDeviceGetCount_v2";
  else if (!Resolve(c->handle_, "nvmlDeviceGetHandleByIndex_v2",
                    api->device_handle))
    missing = "nvmlDeviceGetHandleByIndex_v2";
  else if (!Resolve(c->handle_, "nvmlDeviceGetArchitecture", api->architecture))
    missing = "nvmlDeviceGetArchitecture";
  else if (!Resolve(c->handle_, "nvmlSystemGetDriverVersion",
                    api->driver_version))
    missing = "nvmlSystemGetDriverVersion";
  else if (!Resolve(c->handle_, "nvmlSystemGetConfComputeState", api->cc_state))
    missing = "nvmlSystemGetConfComputeState";
  else if (!Resolve(c->handle_, "nvmlDeviceGetConfComputeGpuCertificate",
                    api->certificate))
    missing = "nvmlDeviceGetConfComputeGpuCertificate";
  else if (!Resolve(c->handle_, "nvmlDeviceGetConfComputeGpuAttestationReport",
                    api->report))
    missing = "nvmlDeviceGetConfComputeGpuAttestationReport";
  // Optional: older drivers lack the settings query (no multi-GPU modes).
  Resolve(c->handle_, "nvmlSystemGetConfComputeSettings", api->cc_settings);
  if (missing != nullptr) {
    p.state = NvmlState::kNoLibrary;
    p.reason = "no usable NVML: " + lib + " lacks " + missing +
               " (driver too old for confidential computing?)";
    return c;
  }
  c->api_ = std::move(api);
  const Api& a = *c->api_;

  nvmlReturn_t rc = a.init();
  if (rc != NVML_SUCCESS) {
    p.state = NvmlState::kInitFailed;
    p.reason = "NVML present but " + Rc("nvmlInit_v2", rc) +
               " (driver not loaded or no permission)";
    return c;
  }
  c->initialized_ = true;
  char version[96] = {};
  if (a.driver_version(version, sizeof(version)) == NVML_SUCCESS) {
    version[sizeof(version) - 1] = '\0';
    p.driver_version = version;
  }
  unsigned int count = 0;
  rc = a.device_count(&count);
  if (rc != NVML_SUCCESS || count == 0) {
    p.state = NvmlState::kNoGpu;
    p.reason = rc != NVML_SUCCESS
                   ? "no GPU: " + Rc("nvmlDeviceGetCount_v2", rc)
                   : std::string("no GPU: NVML reports 0 devices");
    return c;
  }
  p.gpu_count = count;
  const std::string on_gpus =
      " on " + std::to_string(count) + (count == 1 ? " GPU" : " GPUs");
  nvmlConfComputeSystemState_t state{};
  rc = a.cc_state(&state);
  if (rc != NVML_SUCCESS) {
    p.state = NvmlState::kCcUnsupported;
    p.reason = "confidential computing unsupported: " +
               Rc("nvmlSystemGetConfComputeState", rc) + on_gpus;
    return c;
  }
  const std::string values =
      " (environment " + std::to_string(state.environment) + ", ccFeature " +
      std::to_string(state.ccFeature) + ", devToolsMode " +
      std::to_string(state.devToolsMode) + ")";
  if (state.ccFeature != NVML_CC_SYSTEM_FEATURE_ENABLED) {
    p.state = NvmlState::kCcOff;
    p.reason = "NVML reports confidential computing OFF" + values + on_gpus;
    return c;
  }
  if (state.devToolsMode != NVML_CC_SYSTEM_DEVTOOLS_MODE_OFF) {
    p.state = NvmlState::kDevToolsOn;
    p.reason = "confidential computing is in DevTools mode" + values + on_gpus +
               ": not a production-secure state";
    return c;
  }
  if (a.cc_settings != nullptr) {
    nvmlSystemConfComputeSettings_v1_t settings{};
    settings.version = CERUMBRA_NVML_CC_SETTINGS_V1;
    rc = a.cc_settings(&settings);
    if (rc == NVML_SUCCESS &&
        settings.multiGpuMode == NVML_CC_SYSTEM_MULTIGPU_PROTECTED_PCIE) {
      p.state = NvmlState::kProtectedPcie;
      p.reason =
          "multi-GPU Protected-PCIe mode: needs the PPCIe verifier (NVSwitch "
          "evidence), which Cerumbra does not implement";
      return c;
    }
  }
  if (count > kMaxGpus) {
    p.state = NvmlState::kCcUnsupported;
    p.reason = "more than 8 GPUs" + on_gpus;
    return c;
  }
  p.state = NvmlState::kReady;
  p.reason = "confidential computing ON" + values + on_gpus +
             (p.driver_version.empty() ? "" : ", driver " + p.driver_version);
  return c;
}

NvmlCollector::~NvmlCollector() {
  if (initialized_ && api_ != nullptr) api_->shutdown();
  if (handle_ != nullptr) ::dlclose(handle_);
}

Status NvmlCollector::ReadyStatus() const {
  if (probe_.state == NvmlState::kReady) return OkStatus();
  return UnavailableError(probe_.reason);
}

Result<NvidiaEvidence> NvmlCollector::Collect(
    const std::array<uint8_t, 32>& gpu_nonce) {
  if (probe_.state != NvmlState::kReady) {
    return FailedPreconditionError(probe_.reason);
  }
  std::lock_guard<std::mutex> lock(mu_);
  const Api& a = *api_;
  NvidiaEvidence out;
  out.nonce = gpu_nonce;
  for (unsigned int i = 0; i < probe_.gpu_count; ++i) {
    nvmlDevice_t device = nullptr;
    nvmlReturn_t rc = a.device_handle(i, &device);
    if (rc != NVML_SUCCESS) {
      return UnavailableError(Rc("nvmlDeviceGetHandleByIndex_v2", rc));
    }
    GpuEvidence gpu;
    gpu.index = static_cast<int>(i);
    unsigned int arch = 0;
    rc = a.architecture(device, &arch);
    if (rc != NVML_SUCCESS) {
      return UnavailableError(Rc("nvmlDeviceGetArchitecture", rc));
    }
    if (arch == NVML_DEVICE_ARCH_HOPPER) {
      gpu.architecture = GpuArchitecture::kHopper;
    } else if (arch == NVML_DEVICE_ARCH_BLACKWELL) {
      gpu.architecture = GpuArchitecture::kBlackwell;
    } else {
      return InvalidArgumentError("GPU " + std::to_string(i) +
                                  ": unsupported architecture " +
                                  std::to_string(arch));
    }

    // Both structures are large (9 and 12 KiB): keep them off the stack.
    auto cert = std::make_unique<nvmlConfComputeGpuCertificate_t>();
    std::memset(cert.get(), 0, sizeof(*cert));
    rc = a.certificate(device, cert.get());
    if (rc != NVML_SUCCESS) {
      return UnavailableError("GPU " + std::to_string(i) + ": " +
                              Rc("nvmlDeviceGetConfComputeGpuCertificate", rc));
    }
    if (cert->attestationCertChainSize == 0 ||
        cert->attestationCertChainSize > sizeof(cert->attestationCertChain)) {
      return InvalidArgumentError("GPU " + std::to_string(i) +
                                  ": bad attestation certificate chain size");
    }
    const std::string_view pem(
        reinterpret_cast<const char*>(cert->attestationCertChain),
        cert->attestationCertChainSize);
    Result<std::vector<crypto::Certificate>> chain =
        crypto::ParsePemCertificates(pem);
    if (!chain.ok()) {
      return InvalidArgumentError("GPU " + std::to_string(i) +
                                  ": unparsable certificate chain");
    }
    for (const crypto::Certificate& c : *chain) {
      gpu.certificate_chain.push_back(c.ToDer());
    }

    auto report = std::make_unique<nvmlConfComputeGpuAttestationReport_t>();
    std::memset(report.get(), 0, sizeof(*report));
    std::copy(gpu_nonce.begin(), gpu_nonce.end(), report->nonce);
    rc = a.report(device, report.get());
    if (rc != NVML_SUCCESS) {
      return UnavailableError(
          "GPU " + std::to_string(i) + ": " +
          Rc("nvmlDeviceGetConfComputeGpuAttestationReport", rc));
    }
    if (report->attestationReportSize == 0 ||
        report->attestationReportSize > sizeof(report->attestationReport)) {
      return InvalidArgumentError("GPU " + std::to_string(i) +
                                  ": bad attestation report size");
    }
    gpu.report.assign(
        report->attestationReport,
        report->attestationReport + report->attestationReportSize);
    out.gpus.push_back(std::move(gpu));
  }
  return out;
}

}  // namespace cerumbra::attest
