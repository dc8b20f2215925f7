// Copyright 2026 The Cerumbra Authors.
//
// The demo model's tokenizer: llama.cpp's vocab-only GGUF for the Llama 3
// BPE tokenizer (CERUMBRA_DEMO_VOCAB_PATH, from the pinned llama.cpp source),
// embedded byte for byte so that the binary makes the demo model without
// the llama.cpp source tree at run time. The assembler's .incbin keeps the
// 7.8 MB out of the C++ front end.

#include "inference/demo_vocab.h"

#define CERUMBRA_DEMO_VOCAB_ASM(path)                          \
  __asm__(                                                     \
      ".section .rodata.cerumbra_demo_vocab,\"a\",@progbits\n" \
      ".balign 64\n"                                           \
      ".globl cerumbra_demo_vocab_begin\n"                     \
      ".hidden cerumbra_demo_vocab_begin\n"                    \
      "cerumbra_demo_vocab_begin:\n"                           \
      ".incbin \"" path                                        \
      "\"\n"                                                   \
      ".globl cerumbra_demo_vocab_end\n"                       \
      ".hidden cerumbra_demo_vocab_end\n"                      \
      "cerumbra_demo_vocab_end:\n"                             \
      ".previous\n")

CERUMBRA_DEMO_VOCAB_ASM(CERUMBRA_DEMO_VOCAB_PATH);

extern "C" const unsigned char cerumbra_demo_vocab_begin[];
extern "C" const unsigned char cerumbra_demo_vocab_end[];

namespace cerumbra::inference {

std::span<const uint8_t> DemoVocabGguf() {
  return {
      cerumbra_demo_vocab_begin,
      static_cast<size_t>(cerumbra_demo_vocab_end - cerumbra_demo_vocab_begin)};
}

}  // namespace cerumbra::inference
