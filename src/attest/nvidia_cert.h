// Copyright 2026 The Cerumbra Authors.
//
// What the NVIDIA verifier reads out of the GPU's certificates besides what
// crypto::Certificate offers: the FWID the leaf certificate binds (Hopper
// and Blackwell forms, design/attestation-evidence.md §1.5), the leaf's
// serial number as the decimal "ueid", and a subject's common name. A small
// strict DER reader does the work (no OpenSSL here).

#ifndef CERUMBRA_ATTEST_NVIDIA_CERT_H_
#define CERUMBRA_ATTEST_NVIDIA_CERT_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "attest/nvidia_evidence.h"
#include "cerumbra/status.h"
#include "crypto/x509.h"

namespace cerumbra::attest {

// kNvidiaFwidOidHopper is the TCG DICE TcbInfo OID that Hopper leaf
// certificates use for NVIDIA's own structure
//   SEQUENCE { INTEGER 1, SubjectPublicKeyInfo,
//              SEQUENCE { OID sha384, OCTET STRING (48) } };
// kNvidiaFwidOidBlackwell is the DICE TcbInfo extension (TCG DICE
// Attestation Architecture §6.1.1) whose fwids[0].digest is the FWID.
inline constexpr char kNvidiaFwidOidHopper[] = "2.23.133.5.4.1";
inline constexpr char kNvidiaFwidOidBlackwell[] = "2.23.133.5.4.1.1";

// ParseHopperFwidExtension and ParseBlackwellFwidExtension decode the
// extension values above (the extnValue contents) and return the 48-byte
// SHA-384 FWID. Strict DER (definite, minimal lengths; no trailing bytes);
// the hash algorithm must be SHA-384. InvalidArgument otherwise.
// Pure functions.
Result<std::array<uint8_t, 48>> ParseHopperFwidExtension(
    std::span<const uint8_t> value);
Result<std::array<uint8_t, 48>> ParseBlackwellFwidExtension(
    std::span<const uint8_t> value);

// LeafFwid returns the FWID of `leaf` in the form of `architecture`;
// NotFound if the certificate has no such extension, InvalidArgument if it
// is malformed. Pure function.
Result<std::array<uint8_t, 48>> LeafFwid(const crypto::Certificate& leaf,
                                         GpuArchitecture architecture);

// CertificateSerialDecimal returns the serial number of `certificate` as a
// decimal string (NVIDIA's "ueid" claim); InvalidArgument if the DER is not
// a certificate or the serial is negative. Pure function.
Result<std::string> CertificateSerialDecimal(
    const crypto::Certificate& certificate);

// SubjectCommonName returns the subject's CN for display ("" if none).
std::string SubjectCommonName(const crypto::Certificate& certificate);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_NVIDIA_CERT_H_
