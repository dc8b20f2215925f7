// Copyright 2026 The Cerumbra Authors.
//
// NvidiaEvidence: the `evidence` bytes of a quote of type nvidia-gpu
// (docs/protocol.md §4.2; the format is specified in docs/attestation.md):
// for each GPU, the raw NVML attestation report and its certificate chain,
// all requested with the session's gpu_nonce.
//
// Encoding: UTF-8 JSON, one object, keys in this order, no whitespace:
//   {"format":"cerumbra-nvidia-evidence-v1",
//    "nonce":"<hex, 64 digits: the gpu_nonce the reports were asked for>",
//    "gpus":[{"index":0,"architecture":"hopper"|"blackwell",
//             "report":"<base64url of the raw attestation report>",
//             "certificate_chain":["<base64url DER>", ...]}, ...]}
// certificate_chain is leaf first, root last (NVML gives concatenated PEM;
// the collector converts). 1..8 GPUs, indices 0..n-1 in order; a report is
// at most 8 KiB, a chain 2..8 certificates of at most 4 KiB each. The
// parser accepts exactly what the encoder produces.

#ifndef CERUMBRA_ATTEST_NVIDIA_EVIDENCE_H_
#define CERUMBRA_ATTEST_NVIDIA_EVIDENCE_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cerumbra/status.h"

namespace cerumbra::attest {

enum class GpuArchitecture { kHopper, kBlackwell };

// GpuEvidence is one GPU's evidence as NVML returned it.
struct GpuEvidence {
  int index = 0;
  GpuArchitecture architecture = GpuArchitecture::kHopper;
  std::vector<uint8_t> report;                          // raw SPDM bytes
  std::vector<std::vector<uint8_t>> certificate_chain;  // DER, leaf first
};

// NvidiaEvidence is every GPU's evidence for one session.
struct NvidiaEvidence {
  std::array<uint8_t, 32> nonce{};
  std::vector<GpuEvidence> gpus;
};

// EncodeNvidiaEvidence returns the canonical JSON bytes; InvalidArgument if
// a limit above is broken. Thread safety: pure function.
Result<std::vector<uint8_t>> EncodeNvidiaEvidence(
    const NvidiaEvidence& evidence);

// ParseNvidiaEvidence accepts exactly the encoder's output (any other shape,
// limit, order or trailing byte is InvalidArgument). It checks form only;
// VerifyNvidiaEvidence (nvidia_verifier.h) checks what it means.
// Thread safety: pure function.
Result<NvidiaEvidence> ParseNvidiaEvidence(std::span<const uint8_t> bytes);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_NVIDIA_EVIDENCE_H_
