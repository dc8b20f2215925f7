// Copyright 2026 The Cerumbra Authors.
//
// Internal: the subset of the NVML C API (nvml.h, NVML_API_VERSION 13) that
// the collector calls, declared here so that Cerumbra builds without the
// NVIDIA driver or CUDA headers. Layouts and values as in
// design/attestation-evidence.md §1.2. Shared by nvml_collector.cc and the
// tests' fake libnvidia-ml.

#ifndef CERUMBRA_ATTEST_NVML_API_H_
#define CERUMBRA_ATTEST_NVML_API_H_

extern "C" {

typedef int nvmlReturn_t;  // NOLINT: C API
typedef struct nvmlDevice_st* nvmlDevice_t;

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NO_PERMISSION = 4,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_FUNCTION_NOT_FOUND = 13,
  NVML_ERROR_UNKNOWN = 999,
};

enum {
  NVML_DEVICE_ARCH_HOPPER = 9,
  NVML_DEVICE_ARCH_BLACKWELL = 10,
};

enum {
  NVML_CC_SYSTEM_FEATURE_DISABLED = 0,
  NVML_CC_SYSTEM_FEATURE_ENABLED = 1,
  NVML_CC_SYSTEM_DEVTOOLS_MODE_OFF = 0,
  NVML_CC_SYSTEM_DEVTOOLS_MODE_ON = 1,
  NVML_CC_SYSTEM_MULTIGPU_NONE = 0,
  NVML_CC_SYSTEM_MULTIGPU_PROTECTED_PCIE = 1,
};

typedef struct nvmlConfComputeSystemState_st {
  unsigned int environment;
  unsigned int ccFeature;
  unsigned int devToolsMode;
} nvmlConfComputeSystemState_t;

typedef struct nvmlSystemConfComputeSettings_v1_st {
  unsigned int version;
  unsigned int environment;
  unsigned int ccFeature;
  unsigned int devToolsMode;
  unsigned int multiGpuMode;
} nvmlSystemConfComputeSettings_v1_t;

// NVML_STRUCT_VERSION(SystemConfComputeSettings, 1).
#define CERUMBRA_NVML_CC_SETTINGS_V1                                       \
  (static_cast<unsigned int>(sizeof(nvmlSystemConfComputeSettings_v1_t)) | \
   (1U << 24))

#define CERUMBRA_NVML_GPU_CERT_CHAIN_SIZE 0x1000
#define CERUMBRA_NVML_GPU_ATTESTATION_CERT_CHAIN_SIZE 0x1400
#define CERUMBRA_NVML_CC_GPU_CEC_NONCE_SIZE 0x20
#define CERUMBRA_NVML_CC_GPU_ATTESTATION_REPORT_SIZE 0x2000
#define CERUMBRA_NVML_CC_GPU_CEC_ATTESTATION_REPORT_SIZE 0x1000

typedef struct nvmlConfComputeGpuCertificate_st {
  unsigned int certChainSize;
  unsigned int attestationCertChainSize;
  unsigned char certChain[CERUMBRA_NVML_GPU_CERT_CHAIN_SIZE];
  unsigned char
      attestationCertChain[CERUMBRA_NVML_GPU_ATTESTATION_CERT_CHAIN_SIZE];
} nvmlConfComputeGpuCertificate_t;

typedef struct nvmlConfComputeGpuAttestationReport_st {
  unsigned int isCecAttestationReportPresent;
  unsigned int attestationReportSize;
  unsigned int cecAttestationReportSize;
  unsigned char nonce[CERUMBRA_NVML_CC_GPU_CEC_NONCE_SIZE];
  unsigned char attestationReport[CERUMBRA_NVML_CC_GPU_ATTESTATION_REPORT_SIZE];
  unsigned char
      cecAttestationReport[CERUMBRA_NVML_CC_GPU_CEC_ATTESTATION_REPORT_SIZE];
} nvmlConfComputeGpuAttestationReport_t;

static_assert(sizeof(nvmlConfComputeGpuCertificate_t) == 9224);
static_assert(sizeof(nvmlConfComputeGpuAttestationReport_t) == 12332);

// Function types, resolved with dlsym.
typedef nvmlReturn_t (*nvmlInit_v2_fn)(void);
typedef nvmlReturn_t (*nvmlShutdown_fn)(void);
typedef nvmlReturn_t (*nvmlDeviceGetCount_v2_fn)(unsigned int*);
typedef nvmlReturn_t (*nvmlDeviceGetHandleByIndex_v2_fn)(unsigned int,
                                                         nvmlDevice_t*);
typedef nvmlReturn_t (*nvmlDeviceGetArchitecture_fn)(nvmlDevice_t,
                                                     unsigned int*);
typedef nvmlReturn_t (*nvmlSystemGetDriverVersion_fn)(char*, unsigned int);
typedef nvmlReturn_t (*nvmlSystemGetConfComputeState_fn)(
    nvmlConfComputeSystemState_t*);
typedef nvmlReturn_t (*nvmlSystemGetConfComputeSettings_fn)(
    nvmlSystemConfComputeSettings_v1_t*);
typedef nvmlReturn_t (*nvmlDeviceGetConfComputeGpuCertificate_fn)(
    nvmlDevice_t, nvmlConfComputeGpuCertificate_t*);
typedef nvmlReturn_t (*nvmlDeviceGetConfComputeGpuAttestationReport_fn)(
    nvmlDevice_t, nvmlConfComputeGpuAttestationReport_t*);

}  // extern "C"

#endif  // CERUMBRA_ATTEST_NVML_API_H_
