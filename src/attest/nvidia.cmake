# NVIDIA GPU evidence (docs/attestation-nvidia.md): the evidence format,
# SPDM 1.1 measurement reports, NVIDIA opaque data, XML RIMs and the
# offline verifier. Depends on crypto (OpenSSL, xmlsec) and base only;
# libxml2 parses the RIM documents (no OpenSSL here).
find_package(PkgConfig REQUIRED)
pkg_check_modules(CERUMBRA_LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)

cerumbra_library(NAME attest_nvidia
  SRCS
    nvidia_evidence.cc
    nvidia_roots.cc
    nvidia_verifier.cc
  DEPS cerumbra::crypto cerumbra::base)

foreach(name IN ITEMS nvidia_evidence nvidia_verifier)
  cerumbra_test(NAME attest_${name}_test SRCS ${name}_test.cc
    DEPS cerumbra::attest_nvidia LABELS attest nvidia)
endforeach()
