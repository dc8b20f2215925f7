// Copyright 2026 The Cerumbra Authors.
//
// The demo model: a small Llama-architecture GGUF with seeded random
// weights and a real tokenizer (Llama 3's 128k BPE vocabulary, copied from
// llama.cpp's models/ggml-vocab-llama-bpe.gguf, which is embedded in this
// library). It produces meaningless text quickly; it exists so that the
// node, the tests and the benchmarks work without downloading a model.
// Every user-facing surface calls it kDemoModelLabel.
//
// Shape (see docs/inference.md for why): n_embd 256, 4 layers, 4 query
// heads and 2 KV heads of 64, n_ff 768, vocabulary 128256, untied output,
// Q8_0 matrices and F32 norms: 68.8M parameters; the file is about 81 MB
// (73 MB of weights, 8 MB of tokenizer).

#ifndef CERUMBRA_INFERENCE_DEMO_MODEL_H_
#define CERUMBRA_INFERENCE_DEMO_MODEL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "cerumbra/status.h"

namespace cerumbra::inference {

// kDemoModelLabel is how user-facing output names the demo model.
inline constexpr std::string_view kDemoModelLabel =
    "demo model (random weights)";

// kDemoModelMetadataKey is a boolean GGUF key set to true in demo models;
// LlamaEngine reads it to fill EngineInfo::is_demo_model.
inline constexpr const char* kDemoModelMetadataKey = "cerumbra.demo_model";

// kDemoModelDefaultSeed is the seed EnsureDemoModel uses.
inline constexpr uint32_t kDemoModelDefaultSeed = 1;

// kDemoModelFileName is the file EnsureDemoModel keeps in its cache
// directory (versioned: a change of shape or format gets a new name).
inline constexpr std::string_view kDemoModelFileName =
    "cerumbra-demo-v1-seed1.gguf";

// WriteDemoModel writes the demo model for `seed` to `path` (overwriting
// it). The same seed always gives the same bytes. The file is written in
// place; use EnsureDemoModel for an atomic write. Fails with Internal when
// the file cannot be written. Thread-safe (no shared state).
Status WriteDemoModel(const std::string& path, uint32_t seed);

// DefaultModelCacheDir returns $CERUMBRA_CACHE_DIR/models, else
// $XDG_CACHE_HOME/cerumbra/models, else $HOME/.cache/cerumbra/models (the
// same root as the llama.cpp build cache). Empty when none is set.
std::string DefaultModelCacheDir();

// EnsureDemoModel returns the path of the demo model (default seed) in
// `cache_dir` (DefaultModelCacheDir() when empty), making it first if it is
// not there: the directory is created, the model written to a unique
// temporary file next to it and renamed into place, so concurrent callers
// and interrupted runs never leave a partial file under the final name.
// Fails with FailedPrecondition when no cache directory is known and
// Internal when writing fails. Thread-safe.
Result<std::string> EnsureDemoModel(const std::string& cache_dir = "");

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_DEMO_MODEL_H_
