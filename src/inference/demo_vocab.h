// Copyright 2026 The Cerumbra Authors.
//
// Internal to src/inference: the embedded tokenizer of the demo model.

#ifndef CERUMBRA_INFERENCE_DEMO_VOCAB_H_
#define CERUMBRA_INFERENCE_DEMO_VOCAB_H_

#include <cstdint>
#include <span>

namespace cerumbra::inference {

// DemoVocabGguf returns the bytes of llama.cpp's ggml-vocab-llama-bpe.gguf
// (a vocab-only GGUF) as embedded at build time. Static storage, never
// freed; thread-safe.
std::span<const uint8_t> DemoVocabGguf();

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_DEMO_VOCAB_H_
