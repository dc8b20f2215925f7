// Copyright 2026 The Cerumbra Authors.
//
// A fake libnvidia-ml for tests: implements the NVML entry points the
// collector resolves, driven by environment variables read at each call:
//   FAKE_NVML_INIT_RC     nvmlInit_v2's return code (default 0)
//   FAKE_NVML_GPUS        device count (default 1)
//   FAKE_NVML_ARCH        architecture (default 9, Hopper)
//   FAKE_NVML_CC          ccFeature (default 1); FAKE_NVML_CC_RC the
//                         state query's return code (default 0)
//   FAKE_NVML_DEVTOOLS    devToolsMode (default 0)
//   FAKE_NVML_MULTIGPU    multiGpuMode (default 0)
//   FAKE_NVML_CHAIN_FILE  PEM chain returned as attestationCertChain; unset:
//                         the call fails with 999 (as with CC off)
//   FAKE_NVML_REPORT_FILE hex text of a report; the caller's nonce is copied
//                         into bytes 4..35 (the SPDM request's nonce, as a
//                         GPU would); unset: the call fails with 999
// Like the real library, everything is plain C and nothing throws.

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "attest/nvml_api.h"

namespace {

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::atoi(v);
}

bool ReadFile(const char* env, std::string& out) {
  const char* path = std::getenv(env);
  if (path == nullptr) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

nvmlDevice_t FakeHandle(unsigned int i) {
  return reinterpret_cast<nvmlDevice_t>(static_cast<uintptr_t>(0x1000 + i));
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) nvmlReturn_t nvmlInit_v2(void) {
  return EnvInt("FAKE_NVML_INIT_RC", 0);
}

__attribute__((visibility("default"))) nvmlReturn_t nvmlShutdown(void) {
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t nvmlDeviceGetCount_v2(
    unsigned int* count) {
  *count = static_cast<unsigned int>(EnvInt("FAKE_NVML_GPUS", 1));
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t
nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  if (index >= static_cast<unsigned int>(EnvInt("FAKE_NVML_GPUS", 1))) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *device = FakeHandle(index);
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t nvmlDeviceGetArchitecture(
    nvmlDevice_t, unsigned int* arch) {
  *arch = static_cast<unsigned int>(EnvInt("FAKE_NVML_ARCH", 9));
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t nvmlSystemGetDriverVersion(
    char* version, unsigned int size) {
  std::strncpy(version, "580.0.0-fake", size);
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t
nvmlSystemGetConfComputeState(nvmlConfComputeSystemState_t* state) {
  const int rc = EnvInt("FAKE_NVML_CC_RC", 0);
  if (rc != 0) return rc;
  state->environment = EnvInt("FAKE_NVML_CC", 1) == 1 ? 2 : 0;
  state->ccFeature = static_cast<unsigned int>(EnvInt("FAKE_NVML_CC", 1));
  state->devToolsMode =
      static_cast<unsigned int>(EnvInt("FAKE_NVML_DEVTOOLS", 0));
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t
nvmlSystemGetConfComputeSettings(nvmlSystemConfComputeSettings_v1_t* s) {
  if (s->version != CERUMBRA_NVML_CC_SETTINGS_V1) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  s->environment = EnvInt("FAKE_NVML_CC", 1) == 1 ? 2 : 0;
  s->ccFeature = static_cast<unsigned int>(EnvInt("FAKE_NVML_CC", 1));
  s->devToolsMode = static_cast<unsigned int>(EnvInt("FAKE_NVML_DEVTOOLS", 0));
  s->multiGpuMode = static_cast<unsigned int>(EnvInt("FAKE_NVML_MULTIGPU", 0));
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t
nvmlDeviceGetConfComputeGpuCertificate(nvmlDevice_t,
                                       nvmlConfComputeGpuCertificate_t* c) {
  std::string pem;
  if (!ReadFile("FAKE_NVML_CHAIN_FILE", pem)) return NVML_ERROR_UNKNOWN;
  if (pem.size() > sizeof(c->attestationCertChain)) return NVML_ERROR_UNKNOWN;
  std::memcpy(c->attestationCertChain, pem.data(), pem.size());
  c->attestationCertChainSize = static_cast<unsigned int>(pem.size());
  c->certChainSize = 0;
  return NVML_SUCCESS;
}

__attribute__((visibility("default"))) nvmlReturn_t
nvmlDeviceGetConfComputeGpuAttestationReport(
    nvmlDevice_t, nvmlConfComputeGpuAttestationReport_t* r) {
  std::string hex;
  if (!ReadFile("FAKE_NVML_REPORT_FILE", hex)) return NVML_ERROR_UNKNOWN;
  size_t n = 0;
  int hi = -1;
  for (char ch : hex) {
    const int v = Nibble(ch);
    if (v < 0) continue;  // whitespace
    if (hi < 0) {
      hi = v;
      continue;
    }
    if (n >= sizeof(r->attestationReport)) return NVML_ERROR_UNKNOWN;
    r->attestationReport[n++] = static_cast<unsigned char>(hi << 4 | v);
    hi = -1;
  }
  if (n < 36) return NVML_ERROR_UNKNOWN;
  std::memcpy(r->attestationReport + 4, r->nonce, sizeof(r->nonce));
  r->attestationReportSize = static_cast<unsigned int>(n);
  r->isCecAttestationReportPresent = 0;
  r->cecAttestationReportSize = 0;
  return NVML_SUCCESS;
}

}  // extern "C"
