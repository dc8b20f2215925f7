// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the public-key parsers that take untrusted bytes: raw points
// (P-256 and P-384), DER SubjectPublicKeyInfo and JWK text. Whatever parses
// must re-encode to the same bytes (the encodings are canonical).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "cerumbra/status.h"
#include "crypto/ec.h"

namespace {

using cerumbra::crypto::EcCurve;
using cerumbra::crypto::PublicKey;

void CheckRoundTrip(const PublicKey& key) {
  auto again =
      PublicKey::FromUncompressedPoint(key.curve(), key.UncompressedPoint());
  CERUMBRA_CHECK(again.ok() && *again == key);
  auto from_spki = PublicKey::FromSpkiDer(key.ToSpkiDer());
  CERUMBRA_CHECK(from_spki.ok() && *from_spki == key);
  auto from_jwk = PublicKey::FromJwk(key.ToJwk());
  CERUMBRA_CHECK(from_jwk.ok() && *from_jwk == key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    auto key = PublicKey::FromUncompressedPoint(curve, bytes);
    if (key.ok()) {
      CERUMBRA_CHECK(key->UncompressedPoint().size() == size);
      CheckRoundTrip(*key);
    }
  }
  auto spki = PublicKey::FromSpkiDer(bytes);
  if (spki.ok()) {
    auto der = spki->ToSpkiDer();
    CERUMBRA_CHECK(std::span<const uint8_t>(der).size() == size);
    CheckRoundTrip(*spki);
  }
  auto jwk = PublicKey::FromJwk(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (jwk.ok()) CheckRoundTrip(*jwk);
  return 0;
}
