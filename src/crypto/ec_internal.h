// Copyright 2026 The Cerumbra Authors.
//
// Internal: access to the OpenSSL handles behind PublicKey / PrivateKey for
// the other src/crypto files (ECDSA, X.509). Not part of the public API.

#ifndef CERUMBRA_CRYPTO_EC_INTERNAL_H_
#define CERUMBRA_CRYPTO_EC_INTERNAL_H_

#include <openssl/evp.h>

#include "crypto/ec.h"

namespace cerumbra::crypto::internal {

struct EcKeyAccess {
  static EVP_PKEY* Pkey(const PublicKey& key) { return key.pkey_.get(); }
  static EVP_PKEY* Pkey(const PrivateKey& key) { return key.pkey_.get(); }
  static SharedSecret MakeSharedSecret(SecretBytes secret) {
    return SharedSecret(std::move(secret));
  }
};

// EcOrder returns the group order n of `curve` as EcFieldSize(curve)
// big-endian bytes (computed once from OpenSSL's curve tables).
std::span<const uint8_t> EcOrder(EcCurve curve);

// EcGroupName returns OpenSSL's group name ("prime256v1", "secp384r1").
const char* EcGroupName(EcCurve curve);

}  // namespace cerumbra::crypto::internal

#endif  // CERUMBRA_CRYPTO_EC_INTERNAL_H_
