// Copyright 2026 The Cerumbra Authors.

#include "inference/llama_info.h"

#include <mutex>

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

namespace cerumbra::inference {
namespace {

// llama.cpp logs to stderr by default; `cerumbra version` and later the node
// decide what to print. Warnings and errors still reach stderr.
void QuietLog(ggml_log_level level, const char* text, void* /*user*/) {
  if (level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN) {
    fputs(text, stderr);
  }
}

}  // namespace

LlamaInfo GetLlamaInfo() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set(QuietLog, nullptr);
    llama_backend_init();
  });

  LlamaInfo info;
  info.llama_tag = CERUMBRA_LLAMA_TAG;
  info.llama_commit = CERUMBRA_LLAMA_COMMIT;
  info.ggml_version = ggml_version();
  info.ggml_commit = ggml_commit();
  for (size_t i = 0; i < ggml_backend_reg_count(); ++i) {
    ggml_backend_reg_t reg = ggml_backend_reg_get(i);
    Backend backend;
    backend.name = ggml_backend_reg_name(reg);
    for (size_t j = 0; j < ggml_backend_reg_dev_count(reg); ++j) {
      ggml_backend_dev_t dev = ggml_backend_reg_dev_get(reg, j);
      backend.devices.push_back(
          {ggml_backend_dev_name(dev), ggml_backend_dev_description(dev)});
    }
    info.backends.push_back(std::move(backend));
  }
  info.system_info = llama_print_system_info();
  return info;
}

}  // namespace cerumbra::inference
