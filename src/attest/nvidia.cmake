# NVIDIA GPU evidence (docs/attestation-nvidia.md): the evidence format,
# SPDM 1.1 measurement reports, NVIDIA opaque data, XML RIMs and the
# offline verifier. Depends on crypto (OpenSSL, xmlsec) and base only;
# libxml2 reads the RIM documents (no OpenSSL or xmlsec here).
find_package(PkgConfig REQUIRED)
pkg_check_modules(CERUMBRA_LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)

cerumbra_library(NAME attest_nvidia
  SRCS
    nvidia_cert.cc
    nvidia_evidence.cc
    nvidia_measurements.cc
    nvidia_opaque.cc
    nvidia_roots.cc
    nvidia_verifier.cc
    rim.cc
    spdm.cc
  DEPS cerumbra::crypto cerumbra::base
  PRIVATE_DEPS PkgConfig::CERUMBRA_LIBXML2)

foreach(name IN ITEMS nvidia_cert nvidia_evidence nvidia_measurements
    nvidia_opaque nvidia_synthetic rim spdm)
  cerumbra_test(NAME attest_${name}_test SRCS ${name}_test.cc
    DEPS cerumbra::attest_nvidia LABELS attest nvidia)
endforeach()
# Every real NVIDIA sample in CERUMBRA_TESTVECTORS (Boost.JSON reads NVIDIA's
# own evidence JSON there).
cerumbra_test(NAME attest_nvidia_verifier_test SRCS nvidia_verifier_test.cc
  DEPS cerumbra::attest_nvidia Boost::json LABELS attest nvidia)
# Synthetic evidence under a made-up root (testdata/, see its generator
# script) reaches the checks after the report signature.
if(TARGET attest_nvidia_synthetic_test)
  target_compile_definitions(attest_nvidia_synthetic_test PRIVATE
    CERUMBRA_NVIDIA_TESTDATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/testdata")
endif()
