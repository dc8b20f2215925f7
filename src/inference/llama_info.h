// Copyright 2026 The Cerumbra Authors.
//
// What llama.cpp this binary was built with: versions and compiled backends.
// The rest of the inference module (the Engine) builds on the same link.

#ifndef CERUMBRA_INFERENCE_LLAMA_INFO_H_
#define CERUMBRA_INFERENCE_LLAMA_INFO_H_

#include <string>
#include <vector>

namespace cerumbra::inference {

// BackendDevice is one device a compiled ggml backend found at run time.
struct BackendDevice {
  std::string name;         // "CPU", "CUDA0"
  std::string description;  // e.g. the CPU or GPU model
};

// Backend is one ggml backend compiled into this binary.
struct Backend {
  std::string name;                    // "CPU", "CUDA"
  std::vector<BackendDevice> devices;  // empty when e.g. no GPU is present
};

// LlamaInfo describes the linked llama.cpp and ggml.
struct LlamaInfo {
  std::string llama_tag;     // pinned release tag, e.g. "v0.4.0"
  std::string llama_commit;  // pinned commit (40 hex digits)
  std::string ggml_version;  // from ggml_version(), e.g. "0.23.0"
  std::string ggml_commit;   // from ggml_commit()
  std::vector<Backend> backends;
  std::string system_info;  // llama_print_system_info(): CPU features
};

// GetLlamaInfo queries the linked libraries. The first call initializes
// ggml's backend registry (which probes devices, e.g. CUDA); it never fails:
// a backend without devices is listed with none. Thread-safe.
LlamaInfo GetLlamaInfo();

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_LLAMA_INFO_H_
