# The llama.cpp engine and the demo model (issue 5). Included from
# src/inference/CMakeLists.txt; only these sources include llama.h/gguf.h.

set(_cerumbra_demo_vocab "${CERUMBRA_LLAMA_SOURCE_DIR}/models/ggml-vocab-llama-bpe.gguf")
if(NOT EXISTS "${_cerumbra_demo_vocab}")
  message(FATAL_ERROR "demo model: ${_cerumbra_demo_vocab} is missing from the pinned llama.cpp source")
endif()
target_sources(cerumbra_inference PRIVATE
  engine.cc
  demo_model.cc
  demo_vocab.cc
  llama_engine.cc
  text_stream.cc)
# demo_vocab.cc embeds the vocabulary with .incbin: rebuild it when it changes.
set_source_files_properties(demo_vocab.cc PROPERTIES
  COMPILE_DEFINITIONS "CERUMBRA_DEMO_VOCAB_PATH=\"${_cerumbra_demo_vocab}\""
  OBJECT_DEPENDS "${_cerumbra_demo_vocab}")
# The demo model's weight loop runs over 69M values: optimize it even in
# Debug and sanitizer builds, where -O0 makes it take tens of seconds.
set_source_files_properties(demo_model.cc PROPERTIES COMPILE_OPTIONS "-O2")
target_link_libraries(cerumbra_inference PUBLIC cerumbra::inference_text PRIVATE Threads::Threads)

cerumbra_test(NAME inference_text_stream_test
  SRCS text_stream_test.cc
  DEPS cerumbra::inference
  LABELS inference)
cerumbra_test(NAME inference_demo_model_test
  SRCS demo_model_test.cc
  DEPS cerumbra::inference
  LABELS inference)
target_link_libraries(inference_demo_model_test PRIVATE llama)

cerumbra_test(NAME inference_llama_engine_test
  SRCS llama_engine_test.cc
  DEPS cerumbra::inference
  LABELS inference)
target_link_libraries(inference_llama_engine_test PRIVATE llama)
# The demo model is made once into the build tree and shared by the tests.
target_compile_definitions(inference_llama_engine_test PRIVATE
  CERUMBRA_TEST_MODEL_DIR="${CMAKE_BINARY_DIR}/test-models")
