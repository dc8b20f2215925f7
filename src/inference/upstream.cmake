# The OpenAI-compatible upstream engine (upstream_engine.h). It needs no
# llama.cpp: src/inference/CMakeLists.txt includes this file, and so does the
# top-level CMakeLists.txt when CERUMBRA_WITH_LLAMA is OFF (the fuzz preset),
# so the SSE parser can be fuzzed there. Paths are relative to this file.
set(_up ${CMAKE_CURRENT_LIST_DIR})

# UTF-8 helpers shared with the llama.cpp engine (text_stream.h).
cerumbra_library(NAME inference_text
  SRCS ${_up}/upstream_text.cc
  DEPS cerumbra::base)

cerumbra_library(NAME inference_upstream
  SRCS ${_up}/sse_parser.cc
       ${_up}/openai_stream.cc
       ${_up}/upstream_request.cc
       ${_up}/upstream_engine.cc
  DEPS cerumbra::inference_text cerumbra::base
  PRIVATE_DEPS Boost::json Threads::Threads)
# Boost.Asio and Boost.Beast are header-only; their headers come with
# Boost::json's include directories (Boost::headers).
if(CERUMBRA_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC's -Wtsan flags std::atomic_thread_fence, which Asio's fenced blocks
  # use and ThreadSanitizer does not model; keep it a warning under TSan.
  target_compile_options(cerumbra_inference_upstream PRIVATE -Wno-error=tsan)
endif()

cerumbra_test(NAME inference_upstream_parser_test
  SRCS ${_up}/sse_parser_test.cc
       ${_up}/openai_stream_test.cc
       ${_up}/upstream_request_test.cc
       ${_up}/upstream_text_test.cc
  DEPS cerumbra::inference_upstream Boost::json
  LABELS inference)
if(TARGET inference_upstream_parser_test)
  target_compile_definitions(inference_upstream_parser_test PRIVATE
    CERUMBRA_SSE_CORPUS_DIR="${PROJECT_SOURCE_DIR}/fuzz/corpus/inference_sse")
endif()

# Error and timeout paths against small misbehaving servers on 127.0.0.1.
cerumbra_test(NAME inference_upstream_engine_test
  SRCS ${_up}/upstream_engine_test.cc ${_up}/fake_upstream.cc
  DEPS cerumbra::inference_upstream Boost::json Threads::Threads
  LABELS inference)

# Integration with the REAL llama-server (built from the pinned llama.cpp
# into CERUMBRA_LLAMA_TOOLS_DIR) serving the demo model (EnsureDemoModel, in
# cerumbra::inference). Only where both exist: not in the fuzz preset.
if(CERUMBRA_BUILD_TESTS AND TARGET cerumbra_inference AND CERUMBRA_LLAMA_TOOLS_DIR
   AND EXISTS "${CERUMBRA_LLAMA_TOOLS_DIR}/llama-server")
  cerumbra_test(NAME inference_upstream_llama_server_test
    SRCS ${_up}/upstream_llama_server_test.cc
    DEPS cerumbra::inference_upstream cerumbra::inference
    LABELS inference integration)
  target_compile_definitions(inference_upstream_llama_server_test PRIVATE
    CERUMBRA_LLAMA_SERVER="${CERUMBRA_LLAMA_TOOLS_DIR}/llama-server"
    CERUMBRA_TEST_MODEL_DIR="${CMAKE_BINARY_DIR}/test-models"
    CERUMBRA_TEST_LOG="${CMAKE_CURRENT_BINARY_DIR}/upstream_llama_server.log")
endif()
