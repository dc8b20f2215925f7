// Copyright 2026 The Cerumbra Authors.
//
// NVIDIA Reference Integrity Manifests (RIMs): ISO/IEC 19770-2 SWID tags
// following the TCG RIM Information Model, with an enveloped XMLDSig
// (design/attestation-evidence.md §1.7). ParseRim reads the golden
// measurements; VerifyRim checks the signer's chain to the pinned RIM root
// and the signature, then parses. Only a verified RIM's values may be used.
//
// The SWID/XML form is NVIDIA's production format; a CoRIM backend would
// produce the same Rim struct.

#ifndef CERUMBRA_ATTEST_RIM_H_
#define CERUMBRA_ATTEST_RIM_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attest/check.h"
#include "cerumbra/status.h"
#include "crypto/x509.h"

namespace cerumbra::attest {

// kRimMaxMeasurements bounds the Resources of one RIM.
inline constexpr size_t kRimMaxMeasurements = 256;
// kRimMaxAlternatives bounds the golden values of one measurement.
inline constexpr size_t kRimMaxAlternatives = 16;

// RimMeasurement is one <Resource type="Measurement">. RIM index i is SPDM
// measurement block index i + 1.
struct RimMeasurement {
  int index = 0;
  bool active = false;
  size_t size = 0;  // bytes of each golden value (48: SHA-384)
  std::vector<std::vector<uint8_t>> alternatives;  // Hash0..Hash{n-1}
  std::string name;
};

// Rim is a parsed RIM.
struct Rim {
  std::string tag_id;                        // SoftwareIdentity@tagId
  std::string name;                          // SoftwareIdentity@name, "GH100"
  std::string product;                       // Meta@product
  std::string colloquial_version;            // Meta@colloquialVersion
  std::string platform_manufacturer_id;      // Meta@PlatformManufacturerId
  std::vector<RimMeasurement> measurements;  // in document order
};

// ParseRim reads a RIM document WITHOUT checking its signature (callers
// that use the values must call VerifyRim). The document is parsed with the
// same hardening as crypto/xmldsig.h (no DTD, no network, at most 1 MiB).
// Strict: root SoftwareIdentity in the SWID 2015 namespace with exactly one
// Meta and one Payload child; every Resource of type "Measurement" has
// index (0..255, unique, decimal), active ("True"/"False"), alternatives
// (1..kRimMaxAlternatives), size (1..64) and exactly attributes Hash0 ..
// Hash{alternatives-1} in the xmlenc#sha384 namespace, each `size` bytes of
// hex. Anything else is InvalidArgument. Thread safety: pure function.
Result<Rim> ParseRim(std::span<const uint8_t> xml);

// RimVerification is the outcome of VerifyRim: checks named "chain",
// "signature", "parse" (in that order; it stops at the first failure), the
// signer chain's subjects (leaf first) and the RIM when all passed.
struct RimVerification {
  Report report;
  std::vector<std::string> chain_subjects;
  std::optional<Rim> rim;
};

// VerifyRim verifies a RIM document:
//   chain:     the KeyInfo certificates (leaf first) verify to `rim_root` at
//              `verification_time`; the embedded root, if any, must be
//              `rim_root` itself (a debug root fails here);
//   signature: the enveloped XMLDSig verifies with the leaf's key;
//   parse:     ParseRim succeeds.
// Thread safety: pure function.
RimVerification VerifyRim(std::span<const uint8_t> xml,
                          const crypto::Certificate& rim_root,
                          std::chrono::sys_seconds verification_time);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_RIM_H_
