// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the handshake text parsers (docs/protocol.md §3) and both handshake
// state machines on untrusted text: the node's HandleRequest with a real
// signer, and the client's HandleResponse with a real verifier. The keys are
// fixed, so a fuzzer cannot produce a valid response for the client; every
// response must be rejected unless it is byte-for-byte a real one.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/secret_bytes.h"
#include "protocol/handshake.h"
#include "protocol/handshake_messages.h"
#include "protocol/test_util.h"

namespace {

using namespace cerumbra;            // NOLINT
using namespace cerumbra::protocol;  // NOLINT

crypto::PrivateKey FixedKey(uint8_t seed) {
  crypto::SecretBytes scalar(32);
  for (size_t i = 0; i < 32; ++i) scalar.RevealMutable()[i] = uint8_t(seed + i);
  auto key = crypto::PrivateKey::FromScalar(crypto::EcCurve::kP256, scalar);
  CERUMBRA_CHECK(key.ok());
  return std::move(key).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const crypto::PrivateKey attestation_key = FixedKey(1);
  std::string_view text(reinterpret_cast<const char*>(data), size);

  (void)PeekMessageType(text);
  auto request = ParseAttestRequest(text);
  if (request.ok()) {
    // Canonical: serializing what parsed parses to the same values.
    auto again = ParseAttestRequest(SerializeAttestRequest(*request));
    CERUMBRA_CHECK(again.ok() && again->nonce == request->nonce &&
                   again->client_public_key == request->client_public_key);
  }
  auto response = ParseAttestResponse(text, kMaxAttestResponseSize);
  if (response.ok()) CERUMBRA_CHECK(SerializeAttestResponse(*response).ok());
  (void)ParseErrorMessage(text, kMaxAttestResponseSize);

  // The node answers every input with a text frame; only a valid request
  // yields a session.
  auto node = NodeHandshake::CreateDeterministic(FixedKey(2));
  CERUMBRA_CHECK(node.ok());
  testing::TestSigner signer(attestation_key);
  NodeHandshakeResult result =
      node->HandleRequest(text, signer, testing::kTestNowMs);
  CERUMBRA_CHECK(!result.reply_text.empty());
  if (result.session.ok()) CERUMBRA_CHECK(request.ok());

  // The client, waiting for a response to its fixed request.
  uint8_t nonce[kNonceSize] = {7};
  auto client = ClientHandshake::CreateDeterministic(FixedKey(3), nonce);
  CERUMBRA_CHECK(client.ok());
  CERUMBRA_CHECK(client->Start().ok());
  testing::TestVerifier verifier(attestation_key.public_key());
  (void)client->HandleResponse(text, verifier, testing::kTestNowMs);
  return 0;
}
