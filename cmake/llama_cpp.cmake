# The pinned llama.cpp: fetched, verified, built once per (version, flags)
# into a cache outside the source tree, and imported as CMake targets.
#
# Where the source comes from (ARCHITECTURE.md, "Inference"): the npm registry
# package node-llama-cpp@3.21.1 ships llama.cpp's release as a git bundle
# (llama/gitRelease.bundle). We
#   1. `npm pack` the exact version and check the tarball's SHA-512 against
#      the registry integrity pinned below (fail closed on mismatch);
#   2. check that the package says it holds the pinned tag;
#   3. clone the bundle and check that HEAD is the pinned commit, then tag it;
#   4. configure llama.cpp as a CMake subproject (static libraries, only the
#      llama and ggml libraries) and build + install it into
#      <cache>/llama.cpp/build-<key>, where <key> hashes the commit, the
#      compilers and every option that changes the objects;
#   5. find_package(llama) from that prefix: targets `llama`, `ggml::ggml`.
#
# The cache directory is CERUMBRA_CACHE_DIR (default: $CERUMBRA_CACHE_DIR,
# else $XDG_CACHE_HOME/cerumbra, else ~/.cache/cerumbra). Deleting it is always
# safe: the next configure fetches and builds again. A build that was
# interrupted leaves no ".complete" stamp and is redone.

include_guard(GLOBAL)

set(CERUMBRA_LLAMA_NPM_PACKAGE "node-llama-cpp")
set(CERUMBRA_LLAMA_NPM_VERSION "3.21.1")
# npm integrity sha512-E3N0Ev2Va0wzydvXYFwM9Hvyo07PoWjt8T/9GMc43Cvt8YkV/NU/tYUgEMC1grTPv2o9PRjQi0G3Wb5P/awiMg==
set(CERUMBRA_LLAMA_NPM_SHA512
    "13737412fd956b4c33c9dbd7605c0cf47bf2a34ecfa168edf13ffd18c738dc2bedf18915fcd53fb5852010c0b582b4cfbf6a3d3d18d08b41b759be4ffdac2232")
set(CERUMBRA_LLAMA_TAG "v0.4.0")
set(CERUMBRA_LLAMA_COMMIT "80fb11ac73e66d89eae2c6a91d8a77428fa733ed")

if(DEFINED ENV{CERUMBRA_CACHE_DIR})
  set(_cerumbra_cache_default "$ENV{CERUMBRA_CACHE_DIR}")
elseif(DEFINED ENV{XDG_CACHE_HOME})
  set(_cerumbra_cache_default "$ENV{XDG_CACHE_HOME}/cerumbra")
else()
  set(_cerumbra_cache_default "$ENV{HOME}/.cache/cerumbra")
endif()
set(CERUMBRA_CACHE_DIR "${_cerumbra_cache_default}" CACHE PATH
    "Cache for the verified llama.cpp source and its builds (outside the clone)")
set(CERUMBRA_CUDA_ARCHITECTURES "90a;100" CACHE STRING
    "CUDA architectures for the cuda preset (Hopper sm_90a, Blackwell sm_100)")

function(_cerumbra_run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "llama.cpp: command failed (${rc}): ${cmd}")
  endif()
endfunction()

# Sets <out_var> to the verified source directory, fetching it when needed.
function(_cerumbra_fetch_llama_source out_var)
  string(SUBSTRING "${CERUMBRA_LLAMA_COMMIT}" 0 12 short)
  set(src "${CERUMBRA_CACHE_DIR}/llama.cpp/src-${CERUMBRA_LLAMA_TAG}-${short}")
  set(stamp "${src}/.cerumbra-verified")
  file(MAKE_DIRECTORY "${CERUMBRA_CACHE_DIR}/llama.cpp")
  file(LOCK "${CERUMBRA_CACHE_DIR}/llama.cpp/src.lock" GUARD FUNCTION TIMEOUT 3600)

  find_program(GIT_EXECUTABLE git REQUIRED)
  if(EXISTS "${stamp}")
    # Re-check the checkout on every configure: it is cheap and catches a
    # cache that was edited by hand.
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${src}" rev-parse HEAD
                    OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE rc)
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${src}" status --porcelain
                            --untracked-files=no
                    OUTPUT_VARIABLE dirty RESULT_VARIABLE rc2)
    if(rc EQUAL 0 AND rc2 EQUAL 0 AND head STREQUAL CERUMBRA_LLAMA_COMMIT
       AND dirty STREQUAL "")
      set(${out_var} "${src}" PARENT_SCOPE)
      return()
    endif()
    message(WARNING "llama.cpp: cached source ${src} does not match the pin "
                    "(HEAD ${head}); fetching it again")
  endif()

  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "llama.cpp: npm is needed to fetch ${CERUMBRA_LLAMA_NPM_PACKAGE}; "
                        "run scripts/setup.sh")
  endif()
  set(work "${CERUMBRA_CACHE_DIR}/llama.cpp/fetch")
  file(REMOVE_RECURSE "${work}" "${src}")
  file(MAKE_DIRECTORY "${work}")
  set(pkg "${CERUMBRA_LLAMA_NPM_PACKAGE}@${CERUMBRA_LLAMA_NPM_VERSION}")
  message(STATUS "llama.cpp: fetching ${pkg} from the npm registry")
  _cerumbra_run("${NPM_EXECUTABLE}" pack "${pkg}" --silent
                --pack-destination "${work}")
  set(tgz "${work}/${CERUMBRA_LLAMA_NPM_PACKAGE}-${CERUMBRA_LLAMA_NPM_VERSION}.tgz")
  if(NOT EXISTS "${tgz}")
    message(FATAL_ERROR "llama.cpp: npm pack did not produce ${tgz}")
  endif()
  file(SHA512 "${tgz}" digest)
  if(NOT digest STREQUAL CERUMBRA_LLAMA_NPM_SHA512)
    file(REMOVE_RECURSE "${work}")
    message(FATAL_ERROR "llama.cpp: integrity check FAILED for ${pkg}: sha512 "
                        "${digest}, pinned ${CERUMBRA_LLAMA_NPM_SHA512}")
  endif()
  message(STATUS "llama.cpp: ${pkg} sha512 matches the pinned integrity")
  file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${work}"
       PATTERNS package/llama/gitRelease.bundle package/llama/llama.cpp.info.json)
  file(READ "${work}/package/llama/llama.cpp.info.json" info)
  string(JSON tag GET "${info}" tag)
  if(NOT tag STREQUAL CERUMBRA_LLAMA_TAG)
    message(FATAL_ERROR "llama.cpp: package holds tag ${tag}, pinned ${CERUMBRA_LLAMA_TAG}")
  endif()
  _cerumbra_run("${GIT_EXECUTABLE}" -c advice.detachedHead=false clone --quiet
                "${work}/package/llama/gitRelease.bundle" "${src}")
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${src}" rev-parse HEAD
                  OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT head STREQUAL CERUMBRA_LLAMA_COMMIT)
    file(REMOVE_RECURSE "${src}")
    message(FATAL_ERROR "llama.cpp: bundle HEAD ${head} is not the pinned commit "
                        "${CERUMBRA_LLAMA_COMMIT}")
  endif()
  _cerumbra_run("${GIT_EXECUTABLE}" -C "${src}" tag -f "${CERUMBRA_LLAMA_TAG}"
                "${CERUMBRA_LLAMA_COMMIT}")
  file(REMOVE_RECURSE "${work}")
  file(WRITE "${stamp}" "${pkg} ${CERUMBRA_LLAMA_NPM_SHA512}\n${CERUMBRA_LLAMA_TAG} ${head}\n")
  message(STATUS "llama.cpp: source ${CERUMBRA_LLAMA_TAG} (${head}) at ${src}")
  set(${out_var} "${src}" PARENT_SCOPE)
endfunction()

# llama.cpp's own programs that tests and benchmarks compare against or
# talk to: llama-server (an OpenAI-compatible server for the upstream
# backend's tests), llama-bench and llama-batched-bench (`cerumbra bench
# engine` measures its ratio against them in the same run). They need
# llama.cpp's common library and so a build of their own, cached like the
# libraries in <cache>/llama.cpp/tools-<key> with the same ggml options plus
# the tool options (the server's web UI is neither built nor downloaded).
# Sets `out_var` to the directory holding the three executables.
set(CERUMBRA_LLAMA_TOOL_PROGRAMS llama-server llama-bench llama-batched-bench)
function(_cerumbra_build_llama_tools src lib_opts lib_key_material init_cache out_var)
  set(opts ${lib_opts})
  list(FILTER opts EXCLUDE REGEX "^-DLLAMA_BUILD_(COMMON|TOOLS|SERVER)=")
  list(APPEND opts -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TOOLS=ON
       -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF)
  string(SHA256 key "tools;${lib_key_material};${opts};${CERUMBRA_LLAMA_TOOL_PROGRAMS}")
  string(SUBSTRING "${key}" 0 16 key)
  set(root "${CERUMBRA_CACHE_DIR}/llama.cpp/tools-${key}")
  file(LOCK "${root}.lock" GUARD FUNCTION TIMEOUT 7200)
  if(NOT EXISTS "${root}/.complete")
    cmake_host_system_information(RESULT ncpu QUERY NUMBER_OF_LOGICAL_CORES)
    message(STATUS "llama.cpp: building ${CERUMBRA_LLAMA_TOOL_PROGRAMS} into "
                   "${root} with ${ncpu} jobs; this happens once per version "
                   "and flags (about 8 minutes on 2 cores)")
    file(REMOVE_RECURSE "${root}")
    find_program(NINJA_EXECUTABLE ninja)
    set(gen)
    if(NINJA_EXECUTABLE)
      set(gen -G Ninja)
    endif()
    file(WRITE "${root}/init-cache.cmake" "${init_cache}")
    _cerumbra_run("${CMAKE_COMMAND}" -C "${root}/init-cache.cmake" -S "${src}"
                  -B "${root}/build" ${gen} ${opts})
    _cerumbra_run("${CMAKE_COMMAND}" --build "${root}/build" --target
                  ${CERUMBRA_LLAMA_TOOL_PROGRAMS} --parallel ${ncpu})
    file(MAKE_DIRECTORY "${root}/bin")
    foreach(prog IN LISTS CERUMBRA_LLAMA_TOOL_PROGRAMS)
      file(COPY "${root}/build/bin/${prog}" DESTINATION "${root}/bin")
    endforeach()
    string(REPLACE ";" " " opts_text "${opts}")
    file(WRITE "${root}/.complete"
         "${CERUMBRA_LLAMA_TAG} ${CERUMBRA_LLAMA_COMMIT}\n${opts_text}\n")
    file(REMOVE_RECURSE "${root}/build")
  else()
    message(STATUS "llama.cpp: using cached tools ${root}")
  endif()
  set(${out_var} "${root}/bin" PARENT_SCOPE)
endfunction()

# Configures, builds and installs llama.cpp into the cache when no build
# with the same key exists, then imports it.
function(cerumbra_add_llama_cpp)
  _cerumbra_fetch_llama_source(src)

  set(opts
    -DCMAKE_BUILD_TYPE=Release
    -DBUILD_SHARED_LIBS=OFF
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON
    -DLLAMA_BUILD_COMMON=OFF
    -DLLAMA_BUILD_TESTS=OFF
    -DLLAMA_BUILD_TOOLS=OFF
    -DLLAMA_BUILD_EXAMPLES=OFF
    -DLLAMA_BUILD_SERVER=OFF
    -DLLAMA_BUILD_APP=OFF
    -DLLAMA_CURL=OFF
    -DLLAMA_OPENSSL=OFF
    -DGGML_NATIVE=ON
    -DGGML_OPENMP=OFF
    -DCMAKE_INSTALL_MESSAGE=NEVER
    -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
    -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER})
  # What makes two builds different: the pin, the options, the compilers and,
  # because GGML_NATIVE tunes for this CPU, the CPU's feature flags.
  set(key_material "${CERUMBRA_LLAMA_COMMIT};${opts};"
      "${CMAKE_C_COMPILER_ID}-${CMAKE_C_COMPILER_VERSION};"
      "${CMAKE_CXX_COMPILER_ID}-${CMAKE_CXX_COMPILER_VERSION}")
  if(EXISTS /proc/cpuinfo)
    file(STRINGS /proc/cpuinfo cpu_flags REGEX "^flags" LIMIT_COUNT 1)
    list(APPEND key_material "${cpu_flags}")
  endif()
  set(backends "cpu")
  set(init_cache "")
  if(CERUMBRA_CUDA)
    include(CheckLanguage)
    check_language(CUDA)
    if(NOT CMAKE_CUDA_COMPILER)
      message(FATAL_ERROR "CERUMBRA_CUDA=ON but no CUDA compiler was found "
                          "(is nvcc on PATH or CUDACXX set?)")
    endif()
    execute_process(COMMAND "${CMAKE_CUDA_COMPILER}" --version
                    OUTPUT_VARIABLE nvcc_version)
    # The architecture list is a CMake list ("90a;100"): it reaches the
    # subproject through an initial-cache file (-C), where no argument
    # splitting can cut it in two.
    list(APPEND opts -DGGML_CUDA=ON
         -DCMAKE_CUDA_COMPILER=${CMAKE_CUDA_COMPILER}
         -DGGML_CUDA_NCCL=OFF)
    string(REPLACE ";" "," archs_text "${CERUMBRA_CUDA_ARCHITECTURES}")
    list(APPEND key_material "${opts};archs=${archs_text};${nvcc_version}")
    set(init_cache "set(CMAKE_CUDA_ARCHITECTURES \"${CERUMBRA_CUDA_ARCHITECTURES}\" CACHE STRING \"\")\n")
    set(backends "cpu;cuda")
  endif()
  string(SHA256 key "${key_material}")
  string(SUBSTRING "${key}" 0 16 key)
  set(root "${CERUMBRA_CACHE_DIR}/llama.cpp/build-${key}")
  set(prefix "${root}/install")

  file(LOCK "${root}.lock" GUARD FUNCTION TIMEOUT 7200)
  if(NOT EXISTS "${root}/.complete")
    cmake_host_system_information(RESULT ncpu QUERY NUMBER_OF_LOGICAL_CORES)
    message(STATUS "llama.cpp: building ${CERUMBRA_LLAMA_TAG} (${backends}) into ${root} "
                   "with ${ncpu} jobs; this happens once per version and flags "
                   "(3 to 4 minutes for the CPU on 2 cores, longer for CUDA)")
    file(REMOVE_RECURSE "${root}")
    find_program(NINJA_EXECUTABLE ninja)
    set(gen)
    if(NINJA_EXECUTABLE)
      set(gen -G Ninja)
    endif()
    file(WRITE "${root}/init-cache.cmake" "${init_cache}")
    _cerumbra_run("${CMAKE_COMMAND}" -C "${root}/init-cache.cmake" -S "${src}"
                  -B "${root}/build" ${gen} "-DCMAKE_INSTALL_PREFIX=${prefix}" ${opts})
    _cerumbra_run("${CMAKE_COMMAND}" --build "${root}/build" --target install
                  --parallel ${ncpu})
    string(REPLACE ";" " " opts_text "${opts}")
    file(WRITE "${root}/.complete"
         "${CERUMBRA_LLAMA_TAG} ${CERUMBRA_LLAMA_COMMIT}\n${opts_text}\n${init_cache}")
    # Objects are not needed once installed; keep the cache small.
    file(REMOVE_RECURSE "${root}/build")
  else()
    message(STATUS "llama.cpp: using cached build ${root}")
  endif()

  if(CERUMBRA_LLAMA_TOOLS)
    _cerumbra_build_llama_tools("${src}" "${opts}" "${key_material}"
                                "${init_cache}" tools_bin)
    set(CERUMBRA_LLAMA_TOOLS_DIR "${tools_bin}" PARENT_SCOPE)
  endif()

  if(CERUMBRA_CUDA)
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
  endif()
  # find_package and the find_library calls inside ggml's and llama's
  # configs cache what they found. When the key changes (other flags, a new
  # pin), those entries still name the old build: drop every cached path
  # into another llama.cpp build so they are found again in this one.
  get_property(cached DIRECTORY PROPERTY CACHE_VARIABLES)
  foreach(var IN LISTS cached)
    if("${${var}}" MATCHES "^${CERUMBRA_CACHE_DIR}/llama.cpp/build-"
       AND NOT "${${var}}" MATCHES "^${root}/")
      unset(${var} CACHE)
    endif()
  endforeach()
  find_package(ggml CONFIG REQUIRED PATHS "${prefix}" NO_DEFAULT_PATH)
  find_package(llama CONFIG REQUIRED PATHS "${prefix}" NO_DEFAULT_PATH)
  if(CERUMBRA_CUDA)
    # ggml's installed config forwards the CUDA runtime only for GGML_STATIC
    # builds; our static ggml-cuda links the shared runtime and cuBLAS.
    set_property(TARGET ggml::ggml-cuda APPEND PROPERTY INTERFACE_LINK_LIBRARIES
                 CUDA::cudart CUDA::cublas CUDA::cublasLt)
  endif()

  file(READ "${src}/ggml/CMakeLists.txt" ggml_cmake)
  string(REGEX MATCH "GGML_VERSION_MAJOR ([0-9]+)" _ "${ggml_cmake}")
  set(major "${CMAKE_MATCH_1}")
  string(REGEX MATCH "GGML_VERSION_MINOR ([0-9]+)" _ "${ggml_cmake}")
  set(minor "${CMAKE_MATCH_1}")
  string(REGEX MATCH "GGML_VERSION_PATCH ([0-9]+)" _ "${ggml_cmake}")
  set(CERUMBRA_GGML_VERSION "${major}.${minor}.${CMAKE_MATCH_1}" PARENT_SCOPE)
  set(CERUMBRA_LLAMA_SOURCE_DIR "${src}" PARENT_SCOPE)
  set(CERUMBRA_LLAMA_PREFIX "${prefix}" PARENT_SCOPE)
  string(REPLACE ";" "," backends_csv "${backends}")
  set(CERUMBRA_LLAMA_BACKENDS "${backends_csv}" PARENT_SCOPE)
endfunction()
