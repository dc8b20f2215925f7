// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the RIM document parser (src/attest/rim.h) and the XML signature
// certificate extraction (src/crypto/xmldsig.h) on arbitrary XML.

#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/rim.h"
#include "cerumbra/status.h"
#include "crypto/xmldsig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cerumbra;
  std::span<const uint8_t> bytes(data, size);
  auto rim = attest::ParseRim(bytes);
  if (rim.ok()) {
    CERUMBRA_CHECK(rim->measurements.size() <= attest::kRimMaxMeasurements);
    for (const auto& m : rim->measurements) {
      CERUMBRA_CHECK(m.index >= 0 && m.index <= 255);
      CERUMBRA_CHECK(!m.alternatives.empty());
      for (const auto& a : m.alternatives) CERUMBRA_CHECK(a.size() == m.size);
    }
  }
  (void)crypto::XmlSignatureCertificates(bytes);
  return 0;
}
