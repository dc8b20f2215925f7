// Copyright 2026 The Cerumbra Authors.
//
// The process CSPRNG (OpenSSL's RAND_bytes, seeded by the OS).

#ifndef CERUMBRA_CRYPTO_RANDOM_H_
#define CERUMBRA_CRYPTO_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/secret_bytes.h"

namespace cerumbra::crypto {

// RandomBytes returns `size` bytes from the CSPRNG, for public values such as
// nonces and session ids. Fails with Internal when the generator cannot
// produce output (for example it could not be seeded); it never returns
// weak randomness. A size of 0 returns an empty vector.
//
// Thread safety: safe to call concurrently.
Result<std::vector<uint8_t>> RandomBytes(size_t size);

// RandomSecretBytes is RandomBytes for key material: the result is wiped
// when freed. Same failure modes and thread safety as RandomBytes.
Result<SecretBytes> RandomSecretBytes(size_t size);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_RANDOM_H_
