// Copyright 2026 The Cerumbra Authors.
//
// The key schedule (docs/protocol.md §5): session secrets from the ECDH
// shared secret and the transcript hash, and per-direction traffic keys and
// key updates from a traffic secret. All secrets live in crypto::SecretBytes
// and are wiped when their owner is destroyed or assigned over.

#ifndef CERUMBRA_PROTOCOL_KEY_SCHEDULE_H_
#define CERUMBRA_PROTOCOL_KEY_SCHEDULE_H_

#include <array>
#include <cstdint>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha.h"
#include "protocol/wire.h"

namespace cerumbra::protocol {

// kTrafficSecretSize, kTrafficKeySize and kTrafficIvSize are the sizes of a
// traffic secret, its AES-256-GCM key and its base IV (§5).
inline constexpr size_t kTrafficSecretSize = 32;
inline constexpr size_t kTrafficKeySize = 32;
inline constexpr size_t kTrafficIvSize = 12;

// SessionKeys are the outputs of §5 for one session: a traffic secret per
// direction and the session id. Move-only (the secrets are SecretBytes);
// the secrets are wiped when it is destroyed. session_id is not secret but
// is never sent.
struct SessionKeys {
  crypto::SecretBytes c2s_secret;  // client-to-node records
  crypto::SecretBytes s2c_secret;  // node-to-client records
  std::array<uint8_t, kSessionIdSize> session_id{};
};

// DeriveSessionKeys computes c2s_secret, s2c_secret and session_id =
// HKDF(salt = transcript_hash, ikm = shared, label, L) (§5). The caller
// destroys `shared` afterwards, which wipes it. Fails with Internal only if
// HKDF fails.
//
// Thread safety: pure function.
Result<SessionKeys> DeriveSessionKeys(
    const crypto::SharedSecret& shared,
    const crypto::Sha256Digest& transcript_hash);

// TrafficKeys are key(S) and iv(S) for one traffic secret S (§5).
// Move-only; wiped when destroyed.
struct TrafficKeys {
  crypto::SecretBytes key;  // kTrafficKeySize bytes
  crypto::SecretBytes iv;   // kTrafficIvSize bytes
};

// DeriveTrafficKeys returns key(S) = HKDF-Expand(S, "cerumbra-v1 key", 32)
// and iv(S) = HKDF-Expand(S, "cerumbra-v1 iv", 12). Fails with
// InvalidArgument when `traffic_secret` is not kTrafficSecretSize bytes,
// Internal if HKDF fails.
//
// Thread safety: pure function.
Result<TrafficKeys> DeriveTrafficKeys(
    const crypto::SecretBytes& traffic_secret);

// NextTrafficSecret returns next(S) = HKDF-Expand(S, "cerumbra-v1 key
// update", 32) (§5, §6.4). The caller wipes S by destroying or assigning
// over it. Same failures as DeriveTrafficKeys.
//
// Thread safety: pure function.
Result<crypto::SecretBytes> NextTrafficSecret(
    const crypto::SecretBytes& traffic_secret);

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_KEY_SCHEDULE_H_
