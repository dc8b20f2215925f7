// Copyright 2026 The Cerumbra Authors.
//
// The record layer (docs/protocol.md §6): one-way channels that seal and open
// AES-256-GCM record frames.
//
// No function here takes a nonce. Each channel owns one direction's traffic
// secret and counts records itself: nonce = iv(S) XOR seq, AAD = frame
// header (10 bytes) || session id, seq strictly increasing from 0, never
// wrapping. After a KEY_UPDATE record the channel moves to next(S) and wipes
// S (§6.4). The first failure of any call fails the channel for good: its
// keys are wiped and every later call fails.
//
// Record frames are (§6.1):
//   version (1) | frame_type 0x17 (1) | seq (8, big-endian) | ciphertext+tag
// and their plaintext is (§6.2):
//   content_type (1) | length (4) | payload | zero padding

#ifndef CERUMBRA_PROTOCOL_RECORD_LAYER_H_
#define CERUMBRA_PROTOCOL_RECORD_LAYER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/aead.h"
#include "crypto/secret_bytes.h"
#include "protocol/wire.h"

namespace cerumbra::protocol {

// Record is one opened record: its content type and payload (the padding
// removed). A value type; the payload belongs to the caller, who wipes it
// when it held secrets.
struct Record {
  ContentType type = ContentType::kData;
  std::vector<uint8_t> payload;
};

// ChannelOptions configures a channel.
struct ChannelOptions {
  // pad selects padding to the §6.2 buckets (sending only; a receiver
  // accepts padded and unpadded records alike).
  bool pad = true;
  // records_per_key is the key-update budget of §6.4, counting the
  // KEY_UPDATE record that ends each secret. In [kMinRecordsPerKey,
  // kMaxRecordsPerKey].
  uint64_t records_per_key = kMaxRecordsPerKey;
};

// CheckRecordPayload returns OK when `payload` is valid for `type` (§6.3):
// DATA 1..kMaxPayloadSize bytes, END 0..kMaxPayloadSize bytes (its JSON is
// checked by Session), KEY_UPDATE one byte 0x00 or 0x01, CLOSE and CANCEL
// empty. InvalidArgument otherwise. Thread safety: pure function.
Status CheckRecordPayload(ContentType type, std::span<const uint8_t> payload);

namespace internal {

struct RecordLayerTestAccess;  // Defined by tests that reach inside.

// ChannelState is what both channel kinds hold. Not part of the API.
// Invariant: when !failed, aead holds key(secret) and iv holds iv(secret);
// when failed, all three are wiped.
struct ChannelState {
  crypto::SecretBytes secret;
  crypto::SecretBytes iv;
  std::optional<crypto::Aes256Gcm> aead;
  std::array<uint8_t, kSessionIdSize> session_id{};
  uint64_t seq = 0;                   // the next record's seq
  uint64_t records_under_secret = 0;  // records sealed/opened under secret
  uint64_t records_per_key = kMaxRecordsPerKey;
  bool failed = false;

  // Install makes `new_secret` the current secret (wiping the old one) and
  // derives its key and IV.
  Status Install(crypto::SecretBytes new_secret);
  // Wipe destroys every secret and marks the state failed.
  void Wipe();
  // Nonce returns iv XOR (0^4 || seq) (§6.1).
  std::array<uint8_t, crypto::kAesGcmNonceSize> Nonce() const;
  // LastSlot is true when the next record is the last the budget allows
  // under the current secret (it must be a KEY_UPDATE).
  bool LastSlot() const { return records_under_secret + 1 >= records_per_key; }
};

}  // namespace internal

// SendChannel seals the records of one direction.
//
// Move-only; destroying it wipes its secrets. Thread safety: not
// thread-safe; use one channel from one thread (or strand) at a time.
class SendChannel {
 public:
  // Create returns a channel that seals under `traffic_secret` (32 bytes,
  // taken over and wiped by the channel) for the session `session_id`,
  // starting at seq 0. Fails with InvalidArgument for a bad secret size or
  // options out of range, Internal if key derivation fails.
  static Result<SendChannel> Create(
      crypto::SecretBytes traffic_secret,
      std::span<const uint8_t, kSessionIdSize> session_id,
      const ChannelOptions& options);

  SendChannel(SendChannel&&) noexcept = default;
  SendChannel& operator=(SendChannel&&) noexcept = default;

  // Seal returns the frame of one record with `type` and `payload`, padded
  // as configured, and advances seq. Sealing a KEY_UPDATE switches this
  // channel to the next traffic secret afterwards (§6.4).
  //
  // Fails, and fails the channel, with InvalidArgument when the payload is
  // invalid for `type` (CheckRecordPayload); FailedPrecondition when the
  // channel already failed, or when the record is not a KEY_UPDATE but the
  // budget has only the KEY_UPDATE's slot left (NeedsKeyUpdate; seal a
  // KEY_UPDATE first); ResourceExhausted when seq would reach 2^64 - 1;
  // Internal if the cipher fails.
  Result<std::vector<uint8_t>> Seal(ContentType type,
                                    std::span<const uint8_t> payload);

  // NeedsKeyUpdate is true when the next record must be a KEY_UPDATE
  // because the budget of the current secret is spent but for one record.
  bool NeedsKeyUpdate() const { return state_.LastSlot(); }

  // next_seq returns the seq of the next record.
  uint64_t next_seq() const { return state_.seq; }

  // failed is true after any failure.
  bool failed() const { return state_.failed; }

 private:
  friend struct internal::RecordLayerTestAccess;
  SendChannel() = default;

  internal::ChannelState state_;
  bool pad_ = true;
};

// RecvChannel opens the records of one direction.
//
// Move-only; destroying it wipes its secrets. Thread safety: not
// thread-safe.
class RecvChannel {
 public:
  // Create returns a channel that opens records sealed under
  // `traffic_secret` (taken over) for `session_id`, expecting seq 0 first.
  // options.pad is ignored. Failures as SendChannel::Create.
  static Result<RecvChannel> Create(
      crypto::SecretBytes traffic_secret,
      std::span<const uint8_t, kSessionIdSize> session_id,
      const ChannelOptions& options);

  RecvChannel(RecvChannel&&) noexcept = default;
  RecvChannel& operator=(RecvChannel&&) noexcept = default;

  // Open verifies and decrypts one record frame and returns its record.
  // It accepts only: a frame of kMinRecordFrameSize..kMaxRecordFrameSize
  // bytes, version 1, frame_type 0x17, the expected seq, a valid tag, a
  // plaintext whose length fits and whose padding is zero, a known content
  // type, a payload valid for the type (CheckRecordPayload), and, in the
  // budget's last slot, a KEY_UPDATE. Opening a KEY_UPDATE switches this
  // channel to the next traffic secret.
  //
  // Every failure is the opaque Unauthenticated error and fails the
  // channel; nothing of the plaintext is returned. On a failed channel Open
  // fails with FailedPrecondition.
  Result<Record> Open(std::span<const uint8_t> frame);

  // expected_seq returns the seq the next frame must carry.
  uint64_t expected_seq() const { return state_.seq; }

  // failed is true after any failure.
  bool failed() const { return state_.failed; }

 private:
  friend struct internal::RecordLayerTestAccess;
  RecvChannel() = default;

  internal::ChannelState state_;
};

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_RECORD_LAYER_H_
