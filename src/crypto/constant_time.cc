// Copyright 2026 The Cerumbra Authors.

#include "crypto/constant_time.h"

#include <openssl/crypto.h>

namespace cerumbra::crypto {

bool ConstantTimeEquals(std::span<const uint8_t> a,
                        std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cerumbra::crypto
