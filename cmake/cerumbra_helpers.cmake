# Helpers that give every Cerumbra target the same shape.
#
#   cerumbra_library(NAME <name> SRCS <files...> [DEPS <targets...>]
#                    [PRIVATE_DEPS <targets...>])
#     A static library `cerumbra_<name>` (alias `cerumbra::<name>`). DEPS are
#     linked PUBLIC, PRIVATE_DEPS PRIVATE. Layering is enforced here: a module
#     can only use what it links, and modules link only downwards
#     (crypto <- protocol <- {attest, client, server}; inference <- server).
#
#   cerumbra_test(NAME <name> SRCS <files...> [DEPS <targets...>]
#                 [LABELS <labels...>])
#     A GoogleTest executable registered with CTest as one test `<name>`.
#     Tests find ../shared/testvectors through CERUMBRA_TESTVECTORS.
#
#   cerumbra_fuzzer(NAME <name> SRCS <files...> [DEPS <targets...>]
#                   [SEEDS <dirs...>])
#     A libFuzzer target (only with CERUMBRA_FUZZ=ON, the `fuzz` preset). It
#     is also a CTest test `<name>` (label `fuzz`) that runs it for
#     CERUMBRA_FUZZ_SECONDS on a corpus in the build tree seeded from SEEDS.
#
#   cerumbra_bench(NAME <name> SRCS <files...> [DEPS <targets...>])
#     A Google Benchmark executable, run by hand for numbers (see
#     docs/performance.md) and once briefly by CTest (`<name>_smoke`).

include_guard(GLOBAL)

# Flags for Cerumbra's own code only (never for llama.cpp).
function(cerumbra_apply_flags target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wimplicit-fallthrough -Wformat=2)
  if(CERUMBRA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC 12 at -O2/-O3 reports false positives inside libstdc++'s string
      # and vector code (GCC bugs 105329, 105651, 106199): keep them visible
      # as warnings, but do not fail optimized builds on them.
      target_compile_options(${target} PRIVATE -Wno-error=restrict
        -Wno-error=array-bounds -Wno-error=stringop-overflow)
    endif()
  endif()
  if(CERUMBRA_FUZZ)
    # Coverage instrumentation for everything the fuzzers reach.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
    target_compile_definitions(${target} PRIVATE CERUMBRA_FUZZING_BUILD=1)
  endif()
  if(CERUMBRA_SANITIZE)
    target_compile_options(${target} PRIVATE
      -fsanitize=${CERUMBRA_SANITIZE} -fno-omit-frame-pointer
      -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=${CERUMBRA_SANITIZE})
    if(CERUMBRA_SANITIZE MATCHES "thread" AND
       CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC 12's -Wtsan flags std::atomic_thread_fence, which Boost.Asio
      # uses and TSan does not model; Asio's fences pair with atomics TSan
      # does see, so the warning is noise here.
      target_compile_options(${target} PRIVATE -Wno-tsan)
    endif()
  endif()
endfunction()

function(cerumbra_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target cerumbra_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SRCS})
  add_library(cerumbra::${ARG_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  cerumbra_apply_flags(${target})
endfunction()

function(cerumbra_test)
  if(NOT CERUMBRA_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  cerumbra_apply_flags(${ARG_NAME})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES
    ENVIRONMENT "CERUMBRA_TESTVECTORS=${CERUMBRA_TESTVECTORS_DIR}"
    LABELS "unit;${ARG_LABELS}"
    TIMEOUT 600)
endfunction()

function(cerumbra_bench)
  if(NOT CERUMBRA_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  cerumbra_apply_flags(${ARG_NAME})
  if(CERUMBRA_BUILD_TESTS)
    # A smoke run keeps every benchmark building and running; the numbers
    # from it mean nothing (see docs/performance.md for real runs).
    add_test(NAME ${ARG_NAME}_smoke
             COMMAND ${ARG_NAME} --benchmark_min_time=0.001)
    set_tests_properties(${ARG_NAME}_smoke PROPERTIES LABELS "bench")
  endif()
endfunction()

function(cerumbra_fuzzer)
  if(NOT CERUMBRA_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;SEEDS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  cerumbra_apply_flags(${ARG_NAME})
  target_compile_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  set(corpus ${CMAKE_CURRENT_BINARY_DIR}/corpus/${ARG_NAME})
  file(MAKE_DIRECTORY ${corpus})
  # New inputs go to the first (writable) directory; the seeds are read-only.
  add_test(NAME ${ARG_NAME}
    COMMAND ${ARG_NAME} -max_total_time=${CERUMBRA_FUZZ_SECONDS}
            -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
            ${corpus} ${ARG_SEEDS})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "fuzz"
    TIMEOUT 900)
endfunction()
