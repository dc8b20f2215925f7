// Copyright 2026 The Cerumbra Authors.

#include "protocol/key_schedule.h"

#include <algorithm>
#include <span>
#include <string_view>

#include "crypto/hkdf.h"

namespace cerumbra::protocol {
namespace {

constexpr std::string_view kC2sLabel = "cerumbra-v1 c2s";
constexpr std::string_view kS2cLabel = "cerumbra-v1 s2c";
constexpr std::string_view kSessionIdLabel = "cerumbra-v1 session id";
constexpr std::string_view kKeyLabel = "cerumbra-v1 key";
constexpr std::string_view kIvLabel = "cerumbra-v1 iv";
constexpr std::string_view kKeyUpdateLabel = "cerumbra-v1 key update";

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

Status CheckTrafficSecret(const crypto::SecretBytes& secret) {
  if (secret.size() != kTrafficSecretSize) {
    return InvalidArgumentError("traffic secret has the wrong size");
  }
  return OkStatus();
}

}  // namespace

Result<SessionKeys> DeriveSessionKeys(
    const crypto::SharedSecret& shared,
    const crypto::Sha256Digest& transcript_hash) {
  // §5: one HKDF-Extract per output, as the formulas say; Extract with the
  // same salt and ikm gives the same PRK, so this equals one Extract and
  // three Expands.
  SessionKeys keys;
  CERUMBRA_ASSIGN_OR_RETURN(
      keys.c2s_secret,
      crypto::HkdfSha256(transcript_hash, shared.secret(), AsBytes(kC2sLabel),
                         kTrafficSecretSize));
  CERUMBRA_ASSIGN_OR_RETURN(
      keys.s2c_secret,
      crypto::HkdfSha256(transcript_hash, shared.secret(), AsBytes(kS2cLabel),
                         kTrafficSecretSize));
  CERUMBRA_ASSIGN_OR_RETURN(
      const crypto::SecretBytes session_id,
      crypto::HkdfSha256(transcript_hash, shared.secret(),
                         AsBytes(kSessionIdLabel), kSessionIdSize));
  std::copy_n(session_id.Reveal().begin(), kSessionIdSize,
              keys.session_id.begin());
  return keys;
}

Result<TrafficKeys> DeriveTrafficKeys(
    const crypto::SecretBytes& traffic_secret) {
  CERUMBRA_RETURN_IF_ERROR(CheckTrafficSecret(traffic_secret));
  TrafficKeys keys;
  CERUMBRA_ASSIGN_OR_RETURN(
      keys.key, crypto::HkdfSha256Expand(traffic_secret, AsBytes(kKeyLabel),
                                         kTrafficKeySize));
  CERUMBRA_ASSIGN_OR_RETURN(
      keys.iv, crypto::HkdfSha256Expand(traffic_secret, AsBytes(kIvLabel),
                                        kTrafficIvSize));
  return keys;
}

Result<crypto::SecretBytes> NextTrafficSecret(
    const crypto::SecretBytes& traffic_secret) {
  CERUMBRA_RETURN_IF_ERROR(CheckTrafficSecret(traffic_secret));
  return crypto::HkdfSha256Expand(traffic_secret, AsBytes(kKeyUpdateLabel),
                                  kTrafficSecretSize);
}

}  // namespace cerumbra::protocol
