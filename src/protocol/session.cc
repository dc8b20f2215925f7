// Copyright 2026 The Cerumbra Authors.

#include "protocol/session.h"

#include <algorithm>
#include <utility>

#include "protocol/json_internal.h"

namespace cerumbra::protocol {
namespace {

Status Rejected() { return UnauthenticatedError("session failed"); }

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// IsValidEndPayload: §6.3, END carries nothing or one JSON object.
bool IsValidEndPayload(std::span<const uint8_t> payload) {
  if (payload.empty()) return true;
  if (payload.size() > kMaxPayloadSize) return false;
  const std::string_view text(reinterpret_cast<const char*>(payload.data()),
                              payload.size());
  return internal::ParseJsonObject(text).ok();
}

}  // namespace

Result<Session> Session::Create(Role role, SessionKeys keys,
                                const SessionOptions& options) {
  CERUMBRA_RETURN_IF_ERROR(ValidateLimits(options.limits));
  ChannelOptions channel_options;
  channel_options.pad = options.pad_records;
  channel_options.records_per_key = options.limits.records_per_key;
  const bool client = role == Role::kClient;
  CERUMBRA_ASSIGN_OR_RETURN(
      SendChannel send,
      SendChannel::Create(std::move(client ? keys.c2s_secret : keys.s2c_secret),
                          keys.session_id, channel_options));
  CERUMBRA_ASSIGN_OR_RETURN(
      RecvChannel recv,
      RecvChannel::Create(std::move(client ? keys.s2c_secret : keys.c2s_secret),
                          keys.session_id, channel_options));
  return Session(role, std::move(send), std::move(recv), keys.session_id,
                 options.limits);
}

Session::Session(Role role, SendChannel send, RecvChannel recv,
                 const std::array<uint8_t, kSessionIdSize>& session_id,
                 const Limits& limits)
    : role_(role),
      send_(std::move(send)),
      recv_(std::move(recv)),
      session_id_(session_id),
      limits_(limits) {}

std::string Session::Fingerprint() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 8; ++i) {
    out.push_back(kDigits[session_id_[i] >> 4]);
    out.push_back(kDigits[session_id_[i] & 15]);
  }
  return out;
}

Status Session::Fail(Status status) {
  state_ = SessionState::kFailed;
  send_.reset();
  recv_.reset();
  receiving_message_ = false;
  sending_message_ = false;
  return status;
}

Status Session::CheckCanSend() {
  if (state_ != SessionState::kEstablished) {
    return Fail(FailedPreconditionError("session cannot send"));
  }
  return OkStatus();
}

Status Session::Seal(ContentType type, std::span<const uint8_t> payload,
                     std::vector<Frame>& out) {
  if (type != ContentType::kKeyUpdate && send_->NeedsKeyUpdate()) {
    const uint8_t not_requested = kKeyUpdateNotRequested;
    Result<Frame> update =
        send_->Seal(ContentType::kKeyUpdate, {&not_requested, 1});
    if (!update.ok()) return Fail(update.status());
    out.push_back(*std::move(update));
  }
  Result<Frame> frame = send_->Seal(type, payload);
  if (!frame.ok()) return Fail(frame.status());
  out.push_back(*std::move(frame));
  return OkStatus();
}

Result<std::vector<Frame>> Session::SendData(std::span<const uint8_t> data) {
  CERUMBRA_RETURN_IF_ERROR(CheckCanSend());
  std::vector<Frame> frames;
  while (!data.empty()) {
    const size_t size = std::min(data.size(), kMaxPayloadSize);
    CERUMBRA_RETURN_IF_ERROR(
        Seal(ContentType::kData, data.first(size), frames));
    data = data.subspan(size);
    sending_message_ = true;
  }
  return frames;
}

Result<std::vector<Frame>> Session::SendEnd(std::string_view end_json) {
  CERUMBRA_RETURN_IF_ERROR(CheckCanSend());
  if (!IsValidEndPayload(AsBytes(end_json))) {
    return Fail(InvalidArgumentError("END payload is not a JSON object"));
  }
  std::vector<Frame> frames;
  CERUMBRA_RETURN_IF_ERROR(Seal(ContentType::kEnd, AsBytes(end_json), frames));
  sending_message_ = false;
  return frames;
}

Result<std::vector<Frame>> Session::SendMessage(
    std::span<const uint8_t> message, std::string_view end_json) {
  CERUMBRA_RETURN_IF_ERROR(CheckCanSend());
  if (sending_message_) {
    return Fail(FailedPreconditionError("a message is being sent"));
  }
  // Check END first, so a bad argument produces no frames at all.
  if (!IsValidEndPayload(AsBytes(end_json))) {
    return Fail(InvalidArgumentError("END payload is not a JSON object"));
  }
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<Frame> frames, SendData(message));
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<Frame> end, SendEnd(end_json));
  frames.insert(frames.end(), std::make_move_iterator(end.begin()),
                std::make_move_iterator(end.end()));
  return frames;
}

Result<std::vector<Frame>> Session::SendCancel() {
  CERUMBRA_RETURN_IF_ERROR(CheckCanSend());
  if (role_ != Role::kClient || sending_message_) {
    return Fail(FailedPreconditionError("CANCEL not allowed here"));
  }
  std::vector<Frame> frames;
  CERUMBRA_RETURN_IF_ERROR(Seal(ContentType::kCancel, {}, frames));
  return frames;
}

Result<std::vector<Frame>> Session::RequestKeyUpdate() {
  CERUMBRA_RETURN_IF_ERROR(CheckCanSend());
  std::vector<Frame> frames;
  const uint8_t requested = kKeyUpdateRequested;
  CERUMBRA_RETURN_IF_ERROR(
      Seal(ContentType::kKeyUpdate, {&requested, 1}, frames));
  return frames;
}

Result<std::vector<Frame>> Session::Close() {
  CERUMBRA_RETURN_IF_ERROR(CheckCanSend());
  if (sending_message_) {
    return Fail(FailedPreconditionError("end the message before CLOSE"));
  }
  std::vector<Frame> frames;
  CERUMBRA_RETURN_IF_ERROR(Seal(ContentType::kClose, {}, frames));
  state_ = SessionState::kClosing;
  send_.reset();  // CLOSE was this end's last record: wipe the send keys.
  return frames;
}

Result<std::vector<Event>> Session::Receive(std::span<const uint8_t> frame) {
  if (state_ == SessionState::kFailed) {
    return FailedPreconditionError("session failed earlier");
  }
  // §2: any frame after a CLOSE was received is a protocol error.
  if (state_ == SessionState::kClosed) return Fail(Rejected());
  Result<Record> record = recv_->Open(frame);
  if (!record.ok()) return Fail(Rejected());
  std::vector<Event> events;
  CERUMBRA_RETURN_IF_ERROR(HandleRecord(*std::move(record), events));
  return events;
}

Status Session::HandleRecord(Record record, std::vector<Event>& events) {
  switch (record.type) {
    case ContentType::kData:
      if (record.payload.size() >
          limits_.max_message -
              std::min(limits_.max_message, received_message_size_)) {
        return Fail(Rejected());
      }
      received_message_size_ += record.payload.size();
      receiving_message_ = true;
      events.push_back({EventType::kData, std::move(record.payload)});
      return OkStatus();
    case ContentType::kEnd:
      if (!IsValidEndPayload(record.payload)) return Fail(Rejected());
      received_message_size_ = 0;
      receiving_message_ = false;
      events.push_back({EventType::kEnd, std::move(record.payload)});
      return OkStatus();
    case ContentType::kKeyUpdate:
      // RecvChannel already moved to the next secret. §6.4: answer a
      // request with our own KEY_UPDATE, unless we sent CLOSE (then we send
      // nothing more, and our keys matter no longer).
      if (record.payload[0] == kKeyUpdateRequested &&
          state_ == SessionState::kEstablished) {
        std::vector<Frame> frames;
        const uint8_t not_requested = kKeyUpdateNotRequested;
        CERUMBRA_RETURN_IF_ERROR(
            Seal(ContentType::kKeyUpdate, {&not_requested, 1}, frames));
        for (Frame& f : frames) {
          events.push_back({EventType::kSend, std::move(f)});
        }
      }
      return OkStatus();
    case ContentType::kCancel:
      if (role_ != Role::kNode || receiving_message_) return Fail(Rejected());
      events.push_back({EventType::kCancel, {}});
      return OkStatus();
    case ContentType::kClose: {
      // A CLOSE inside the peer's message is an error, unless we closed
      // first: then the peer may cut its message short to answer.
      if (receiving_message_ && state_ != SessionState::kClosing) {
        return Fail(Rejected());
      }
      events.push_back({EventType::kClose, {}});
      if (state_ == SessionState::kEstablished) {
        std::vector<Frame> frames;
        CERUMBRA_RETURN_IF_ERROR(Seal(ContentType::kClose, {}, frames));
        for (Frame& f : frames) {
          events.push_back({EventType::kSend, std::move(f)});
        }
      }
      state_ = SessionState::kClosed;
      receiving_message_ = false;
      sending_message_ = false;
      send_.reset();
      recv_.reset();
      return OkStatus();
    }
  }
  return Fail(Rejected());  // Unreachable: RecvChannel checked the type.
}

Status Session::ConnectionEnded() {
  if (state_ == SessionState::kClosed) return OkStatus();
  return Fail(Rejected());
}

}  // namespace cerumbra::protocol
