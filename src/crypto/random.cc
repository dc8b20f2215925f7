// Copyright 2026 The Cerumbra Authors.

#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <span>

#include "crypto/openssl_util.h"

namespace cerumbra::crypto {
namespace {

// FillRandom fills `out`, in chunks because RAND_bytes takes an int length.
Status FillRandom(std::span<uint8_t> out) {
  constexpr size_t kMaxChunk = INT_MAX;
  while (!out.empty()) {
    const size_t chunk = std::min(out.size(), kMaxChunk);
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      return internal::InternalFailure("random number generator failed");
    }
    out = out.subspan(chunk);
  }
  return OkStatus();
}

}  // namespace

Result<std::vector<uint8_t>> RandomBytes(size_t size) {
  std::vector<uint8_t> out(size);
  CERUMBRA_RETURN_IF_ERROR(FillRandom(out));
  return out;
}

Result<SecretBytes> RandomSecretBytes(size_t size) {
  SecretBytes out(size);
  CERUMBRA_RETURN_IF_ERROR(FillRandom(out.RevealMutable()));
  return out;
}

}  // namespace cerumbra::crypto
