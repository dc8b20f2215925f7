// Copyright 2026 The Cerumbra Authors.
//
// Constant-time comparison for tags, MACs and secrets.

#ifndef CERUMBRA_CRYPTO_CONSTANT_TIME_H_
#define CERUMBRA_CRYPTO_CONSTANT_TIME_H_

#include <cstdint>
#include <span>

namespace cerumbra::crypto {

// ConstantTimeEquals returns true when `a` and `b` hold the same bytes. For
// inputs of equal length the running time does not depend on their contents
// (CRYPTO_memcmp). Lengths are treated as public: inputs of different length
// return false immediately. Two empty inputs are equal.
//
// Thread safety: pure function; safe to call concurrently.
bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_CONSTANT_TIME_H_
