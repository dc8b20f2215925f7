# cerumbra::attest (docs/attestation.md): the simulated TEE (CA, measurements,
# quote signer), the NVML evidence collector (dlopen, no build-time NVIDIA
# dependency), the policy and the protocol's QuoteVerifier, evidence bundles
# and the well-known attestation document. Boost.JSON stays PRIVATE.
cerumbra_library(NAME attest
  SRCS
    attestation_document.cc
    attester.cc
    measurement.cc
    nvml_collector.cc
    policy.cc
    policy_verifier.cc
    simulated_ca.cc
  DEPS cerumbra::protocol cerumbra::crypto cerumbra::base
       cerumbra::attest_nvidia
  PRIVATE_DEPS Boost::json ${CMAKE_DL_LIBS})

if(CERUMBRA_BUILD_TESTS)
  # A fake libnvidia-ml (testdata/fake_nvml.cc) that the collector tests load
  # through an explicit library path, so the code that talks to NVML runs.
  add_library(cerumbra_fake_nvml SHARED testdata/fake_nvml.cc)
  target_include_directories(cerumbra_fake_nvml PRIVATE ${PROJECT_SOURCE_DIR}/src)
  set_target_properties(cerumbra_fake_nvml PROPERTIES
    OUTPUT_NAME fake-nvidia-ml CXX_VISIBILITY_PRESET hidden)
  cerumbra_apply_flags(cerumbra_fake_nvml)
endif()

foreach(name IN ITEMS measurement simulated_ca nvml_collector policy
    policy_verifier attestation_document)
  cerumbra_test(NAME attest_${name}_test SRCS ${name}_test.cc
    DEPS cerumbra::attest LABELS attest)
endforeach()
if(TARGET attest_nvml_collector_test)
  add_dependencies(attest_nvml_collector_test cerumbra_fake_nvml)
  target_compile_definitions(attest_nvml_collector_test PRIVATE
    CERUMBRA_FAKE_NVML_PATH="$<TARGET_FILE:cerumbra_fake_nvml>")
endif()
if(TARGET attest_nvml_collector_test)
  # The NVIDIA engineer's synthetic GPU chain (a made-up root) and its leaf
  # key: the end-to-end nvidia-gpu test signs reports for the session nonce.
  target_compile_definitions(attest_nvml_collector_test PRIVATE
    CERUMBRA_ATTEST_TESTDATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/testdata")
endif()
