// Copyright 2026 The Cerumbra Authors.

#include "protocol/record_layer.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "crypto/aead_internal.h"
#include "crypto/secret_bytes.h"
#include "protocol/key_schedule.h"

namespace cerumbra::protocol {
namespace {

constexpr uint64_t kMaxSeq = std::numeric_limits<uint64_t>::max();

// The one error every rejected frame gets (§8).
Status Rejected() { return UnauthenticatedError("session failed"); }

Status ChannelFailed() { return FailedPreconditionError("channel failed"); }

std::array<uint8_t, kRecordHeaderSize> MakeHeader(uint64_t seq) {
  std::array<uint8_t, kRecordHeaderSize> header;
  header[0] = kProtocolVersion;
  header[1] = kRecordFrameType;
  for (size_t i = 0; i < 8; ++i) {
    header[2 + i] = static_cast<uint8_t>(seq >> (8 * (7 - i)));
  }
  return header;
}

std::array<uint8_t, kRecordAadSize> MakeAad(
    std::span<const uint8_t, kRecordHeaderSize> header,
    const std::array<uint8_t, kSessionIdSize>& session_id) {
  std::array<uint8_t, kRecordAadSize> aad;
  std::copy(header.begin(), header.end(), aad.begin());
  std::copy(session_id.begin(), session_id.end(),
            aad.begin() + kRecordHeaderSize);
  return aad;
}

Status CheckOptions(const ChannelOptions& options) {
  if (options.records_per_key < kMinRecordsPerKey ||
      options.records_per_key > kMaxRecordsPerKey) {
    return InvalidArgumentError("records_per_key out of range");
  }
  return OkStatus();
}

Result<internal::ChannelState> MakeState(
    crypto::SecretBytes traffic_secret,
    std::span<const uint8_t, kSessionIdSize> session_id,
    const ChannelOptions& options) {
  CERUMBRA_RETURN_IF_ERROR(CheckOptions(options));
  internal::ChannelState state;
  std::copy(session_id.begin(), session_id.end(), state.session_id.begin());
  state.records_per_key = options.records_per_key;
  CERUMBRA_RETURN_IF_ERROR(state.Install(std::move(traffic_secret)));
  return state;
}

}  // namespace

Status CheckRecordPayload(ContentType type, std::span<const uint8_t> payload) {
  if (payload.size() > kMaxPayloadSize) {
    return InvalidArgumentError("record payload too large");
  }
  switch (type) {
    case ContentType::kData:
      if (payload.empty()) return InvalidArgumentError("empty DATA record");
      return OkStatus();
    case ContentType::kEnd:
      return OkStatus();
    case ContentType::kKeyUpdate:
      if (payload.size() != 1 || (payload[0] != kKeyUpdateNotRequested &&
                                  payload[0] != kKeyUpdateRequested)) {
        return InvalidArgumentError("bad KEY_UPDATE payload");
      }
      return OkStatus();
    case ContentType::kClose:
    case ContentType::kCancel:
      if (!payload.empty()) {
        return InvalidArgumentError("CLOSE and CANCEL carry no payload");
      }
      return OkStatus();
  }
  return InvalidArgumentError("unknown content type");
}

namespace internal {

Status ChannelState::Install(crypto::SecretBytes new_secret) {
  Result<TrafficKeys> keys = DeriveTrafficKeys(new_secret);
  if (!keys.ok()) {
    Wipe();
    return keys.status();
  }
  Result<crypto::Aes256Gcm> cipher = crypto::Aes256Gcm::Create(keys->key);
  if (!cipher.ok()) {
    Wipe();
    return cipher.status();
  }
  // Assigning over the old secret, IV and cipher wipes them.
  secret = std::move(new_secret);
  iv = std::move(keys->iv);
  aead = *std::move(cipher);
  records_under_secret = 0;
  return OkStatus();
}

void ChannelState::Wipe() {
  secret.Clear();
  iv.Clear();
  aead.reset();
  failed = true;
}

std::array<uint8_t, crypto::kAesGcmNonceSize> ChannelState::Nonce() const {
  std::array<uint8_t, crypto::kAesGcmNonceSize> nonce;
  const std::span<const uint8_t> base = iv.Reveal();
  std::copy(base.begin(), base.end(), nonce.begin());
  // RFC 9180 §5.2: seq as 8 big-endian bytes XORed into the last 8 bytes.
  for (size_t i = 0; i < 8; ++i) {
    nonce[4 + i] ^= static_cast<uint8_t>(seq >> (8 * (7 - i)));
  }
  return nonce;
}

}  // namespace internal

Result<SendChannel> SendChannel::Create(
    crypto::SecretBytes traffic_secret,
    std::span<const uint8_t, kSessionIdSize> session_id,
    const ChannelOptions& options) {
  SendChannel channel;
  CERUMBRA_ASSIGN_OR_RETURN(channel.state_, MakeState(std::move(traffic_secret),
                                                      session_id, options));
  channel.pad_ = options.pad;
  return channel;
}

Result<std::vector<uint8_t>> SendChannel::Seal(
    ContentType type, std::span<const uint8_t> payload) {
  if (state_.failed) return ChannelFailed();
  const auto fail = [this](Status status) {
    state_.Wipe();
    return status;
  };
  if (Status status = CheckRecordPayload(type, payload); !status.ok()) {
    return fail(status);
  }
  // §6.1: seq 2^64 - 1 is never used, so seq never wraps.
  if (state_.seq == kMaxSeq) {
    return fail(ResourceExhaustedError("record sequence number exhausted"));
  }
  // §6.4: the budget's last record under a secret is the KEY_UPDATE.
  if (type != ContentType::kKeyUpdate && state_.LastSlot()) {
    return fail(FailedPreconditionError("key update required"));
  }

  const size_t plaintext_size = PaddedPlaintextSize(payload.size(), pad_);
  crypto::SecretBytes plaintext(plaintext_size);  // zeroed: the padding
  std::span<uint8_t> out = plaintext.RevealMutable();
  out[0] = static_cast<uint8_t>(type);
  const uint32_t length = static_cast<uint32_t>(payload.size());
  for (size_t i = 0; i < 4; ++i) {
    out[1 + i] = static_cast<uint8_t>(length >> (8 * (3 - i)));
  }
  std::copy(payload.begin(), payload.end(), out.begin() + kPlaintextHeaderSize);

  const std::array<uint8_t, kRecordHeaderSize> header = MakeHeader(state_.seq);
  const std::array<uint8_t, kRecordAadSize> aad =
      MakeAad(header, state_.session_id);
  Result<std::vector<uint8_t>> sealed = crypto::internal::SealWithNonce(
      *state_.aead, state_.Nonce(), plaintext.Reveal(), aad);
  if (!sealed.ok()) return fail(InternalError("record sealing failed"));

  std::vector<uint8_t> frame;
  frame.reserve(kRecordHeaderSize + sealed->size());
  frame.insert(frame.end(), header.begin(), header.end());
  frame.insert(frame.end(), sealed->begin(), sealed->end());
  ++state_.seq;
  ++state_.records_under_secret;
  if (type == ContentType::kKeyUpdate) {
    Result<crypto::SecretBytes> next = NextTrafficSecret(state_.secret);
    if (!next.ok()) return fail(InternalError("key update failed"));
    if (!state_.Install(*std::move(next)).ok()) {
      return fail(InternalError("key update failed"));
    }
  }
  return frame;
}

Result<RecvChannel> RecvChannel::Create(
    crypto::SecretBytes traffic_secret,
    std::span<const uint8_t, kSessionIdSize> session_id,
    const ChannelOptions& options) {
  RecvChannel channel;
  CERUMBRA_ASSIGN_OR_RETURN(channel.state_, MakeState(std::move(traffic_secret),
                                                      session_id, options));
  return channel;
}

Result<Record> RecvChannel::Open(std::span<const uint8_t> frame) {
  if (state_.failed) return ChannelFailed();
  const auto fail = [this]() {
    state_.Wipe();
    return Rejected();
  };

  // §6.1 header checks, before any decryption.
  if (frame.size() < kMinRecordFrameSize ||
      frame.size() > kMaxRecordFrameSize || frame[0] != kProtocolVersion ||
      frame[1] != kRecordFrameType) {
    return fail();
  }
  uint64_t seq = 0;
  for (size_t i = 0; i < 8; ++i) seq = (seq << 8) | frame[2 + i];
  if (seq != state_.seq || seq == kMaxSeq) return fail();

  const std::span<const uint8_t, kRecordHeaderSize> header =
      frame.first<kRecordHeaderSize>();
  Result<std::vector<uint8_t>> opened = crypto::internal::OpenWithNonce(
      *state_.aead, state_.Nonce(), frame.subspan(kRecordHeaderSize),
      MakeAad(header, state_.session_id));
  if (!opened.ok()) return fail();
  std::vector<uint8_t> plaintext = *std::move(opened);

  // §6.2 plaintext checks. Only authenticated plaintexts get here, and the
  // payload length is released with the record, so these checks need not
  // hide it: the padding check is a plain OR over the padding bytes.
  const size_t size = plaintext.size();  // >= kPlaintextHeaderSize
  const uint8_t type_byte = plaintext[0];
  uint64_t length = 0;
  for (size_t i = 1; i < kPlaintextHeaderSize; ++i) {
    length = (length << 8) | plaintext[i];
  }
  bool ok = length <= size - kPlaintextHeaderSize;
  uint8_t nonzero_padding = 0;
  if (ok) {
    for (size_t i = kPlaintextHeaderSize + length; i < size; ++i) {
      nonzero_padding |= plaintext[i];
    }
  }
  ok = ok && nonzero_padding == 0 && IsValidContentType(type_byte);
  const ContentType type = static_cast<ContentType>(type_byte);
  ok = ok &&
       CheckRecordPayload(type, std::span<const uint8_t>(plaintext).subspan(
                                    kPlaintextHeaderSize, ok ? length : 0))
           .ok();
  // §6.4: a record past the budget under one secret fails.
  ok = ok && (type == ContentType::kKeyUpdate || !state_.LastSlot());
  if (!ok) {
    crypto::Wipe(plaintext);
    return fail();
  }

  Record record;
  record.type = type;
  // Move the payload to the front in place and zero the bytes it vacated,
  // so no copy of it is left in freed memory. Past those, the buffer holds
  // the padding, which is zero (checked above).
  std::memmove(plaintext.data(), plaintext.data() + kPlaintextHeaderSize,
               length);
  crypto::Wipe(std::span<uint8_t>(plaintext).subspan(
      length, std::min<size_t>(kPlaintextHeaderSize, size - length)));
  plaintext.resize(length);
  record.payload = std::move(plaintext);

  ++state_.seq;
  ++state_.records_under_secret;
  if (type == ContentType::kKeyUpdate) {
    Result<crypto::SecretBytes> next = NextTrafficSecret(state_.secret);
    if (!next.ok() || !state_.Install(*std::move(next)).ok()) {
      crypto::Wipe(record.payload);
      state_.Wipe();
      return InternalError("key update failed");
    }
  }
  return record;
}

}  // namespace cerumbra::protocol
