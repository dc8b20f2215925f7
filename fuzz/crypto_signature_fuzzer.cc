// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes ECDSA signature decoding (strict DER and P1363) on P-256 and
// P-384 with fixed keys. The fuzzer cannot forge a signature, so every input
// must be rejected unless it is the one real signature in the seed corpus.

#include <cstddef>
#include <cstdint>
#include <span>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/secret_bytes.h"

namespace {

using cerumbra::crypto::EcCurve;
using cerumbra::crypto::EcdsaSignatureFormat;
using cerumbra::crypto::PrivateKey;

const PrivateKey& FixedKey(EcCurve curve) {
  static const PrivateKey* keys[2] = {nullptr, nullptr};
  int i = curve == EcCurve::kP256 ? 0 : 1;
  if (keys[i] == nullptr) {
    size_t n = curve == EcCurve::kP256 ? 32 : 48;
    cerumbra::crypto::SecretBytes scalar(n);
    for (size_t j = 0; j < n; ++j) scalar.RevealMutable()[j] = uint8_t(j + 1);
    auto key = PrivateKey::FromScalar(curve, scalar);
    CERUMBRA_CHECK(key.ok());
    keys[i] = new PrivateKey(std::move(key).value());
  }
  return *keys[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr uint8_t kMessage[] = "cerumbra fuzz message";
  std::span<const uint8_t> sig(data, size);
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    for (auto format :
         {EcdsaSignatureFormat::kDer, EcdsaSignatureFormat::kP1363}) {
      cerumbra::Status s = cerumbra::crypto::EcdsaVerify(
          FixedKey(curve).public_key(), kMessage, sig, format);
      (void)s;
    }
  }
  return 0;
}
