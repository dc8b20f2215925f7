// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the SPDM 1.1 measurement report parser and the NVIDIA opaque data
// decoder (src/attest/spdm.h, nvidia_opaque.h). Whatever parses must obey
// the length accounting: signed bytes, signature and zero padding add up to
// the input, and every block lies inside it.

#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/nvidia_opaque.h"
#include "attest/spdm.h"
#include "cerumbra/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cerumbra::attest;
  std::span<const uint8_t> bytes(data, size);
  // The opaque decoder on its own, too.
  (void)ParseNvidiaOpaqueData(bytes);
  auto report = spdm::ParseMeasurementReport(bytes);
  if (!report.ok()) return 0;
  CERUMBRA_CHECK(report->signed_size + spdm::kSignatureSize +
                     report->padding_size ==
                 size);
  CERUMBRA_CHECK(report->signed_size >= spdm::kRequestSize + 8 + 32 + 2);
  CERUMBRA_CHECK(!report->blocks.empty());
  size_t block_bytes = 0;
  for (const auto& b : report->blocks) block_bytes += 7 + b.value.size();
  CERUMBRA_CHECK(block_bytes + report->opaque_data.size() + spdm::kRequestSize +
                     8 + 32 + 2 ==
                 report->signed_size);
  (void)ParseNvidiaOpaqueData(report->opaque_data);
  return 0;
}
