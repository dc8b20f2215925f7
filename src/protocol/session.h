// Copyright 2026 The Cerumbra Authors.
//
// Session: the established phase of a Cerumbra session (docs/protocol.md
// §6, §9) for either role, bytes in and bytes out. It owns one SendChannel
// and one RecvChannel (client: sends c2s, receives s2c; node: the reverse)
// and enforces the record grammar on top of them:
//
//   message  = DATA* END           (a request from the client, a response
//                                   from the node)
//   CANCEL   only client -> node, only between messages
//   KEY_UPDATE anywhere; 0x01 is answered with the receiver's own
//                                   KEY_UPDATE at once
//   CLOSE    the sender's last record; sent between messages; a CLOSE
//            answering a received CLOSE may cut the answerer's own message
//
// Key updates are automatic: when the budget of a send secret has one slot
// left, the next send emits a KEY_UPDATE first. Any failure moves the
// session to kFailed and wipes its keys; every later call fails. Failures
// caused by the peer's bytes are the one opaque Unauthenticated error
// ("session failed"); misuse by the caller (sending after Close, CANCEL from
// the node, any call after a failure) is FailedPrecondition, and fails the
// session too.
//
// Thread safety: a Session is not thread-safe; drive it from one thread or
// strand. Move-only; destroying it wipes its keys.

#ifndef CERUMBRA_PROTOCOL_SESSION_H_
#define CERUMBRA_PROTOCOL_SESSION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "protocol/key_schedule.h"
#include "protocol/record_layer.h"
#include "protocol/wire.h"

namespace cerumbra::protocol {

// Role says which end of the session this is.
enum class Role { kClient, kNode };

// SessionState is the §9 state after the handshake.
enum class SessionState {
  kEstablished,  // records flow both ways
  kClosing,      // this end sent CLOSE and waits for the peer's
  kClosed,       // both CLOSEs done; no more records either way
  kFailed,       // terminal after any error; keys wiped
};

// SessionOptions configures a session.
struct SessionOptions {
  Limits limits;
  // pad_records pads sent records to the §6.2 buckets (default on).
  bool pad_records = true;
};

// Frame is one record frame, to send as one binary WebSocket message.
using Frame = std::vector<uint8_t>;

// EventType is what a received frame led to.
enum class EventType {
  kData,    // bytes: a DATA payload, the next fragment of the peer's message
  kEnd,     // bytes: the END payload (empty or a JSON object); the message
            // that the preceding kData events formed is complete
  kCancel,  // (node only) the client asks to stop the current response
  kClose,   // the peer closed; no more records will arrive
  kSend,    // bytes: a frame this end must send now (an answering KEY_UPDATE
            // or CLOSE), in order with the other frames it sends
};

// Event is one result of Receive. The bytes belong to the caller, who wipes
// them when they held secrets (prompts, completions).
struct Event {
  EventType type;
  std::vector<uint8_t> bytes;
};

// Session is one established session. See the file comment.
class Session {
 public:
  // Create returns a session for `role` from `keys` (taken over) in state
  // kEstablished. The handshake classes (handshake.h) call it; tests,
  // fuzzers and benchmarks may call it with keys of their own. Fails with
  // InvalidArgument for bad options or keys, Internal if key derivation
  // fails.
  static Result<Session> Create(Role role, SessionKeys keys,
                                const SessionOptions& options);

  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;

  // role, state and session_id describe the session. session_id (§5) is
  // public and stays readable after the keys are wiped.
  Role role() const { return role_; }
  SessionState state() const { return state_; }
  std::span<const uint8_t, kSessionIdSize> session_id() const {
    return session_id_;
  }

  // Fingerprint returns the first 8 bytes of the session id as 16 lower-case
  // hex digits (§5), for people to compare two screens.
  std::string Fingerprint() const;

  // receiving_message is true while the peer's message is incomplete: DATA
  // arrived but not yet its END. A connection that ends now was truncated.
  bool receiving_message() const { return receiving_message_; }
  // sending_message is true between SendData and SendEnd.
  bool sending_message() const { return sending_message_; }

  // SendMessage returns the frames of one whole message: `message` split
  // into DATA records of at most kMaxPayloadSize bytes (none if it is
  // empty), then END with `end_json` (empty, or a JSON object). Any
  // KEY_UPDATE the budget requires is included. Fails with
  // FailedPrecondition unless the state is kEstablished with no message
  // being sent; InvalidArgument when `end_json` is neither empty nor a JSON
  // object of at most kMaxPayloadSize bytes.
  Result<std::vector<Frame>> SendMessage(std::span<const uint8_t> message,
                                         std::string_view end_json = "");

  // SendData returns DATA frames for the next part of the current message
  // (starting one if none is being sent): `data` split at kMaxPayloadSize;
  // no frame for empty `data`. Fails with FailedPrecondition unless
  // kEstablished.
  Result<std::vector<Frame>> SendData(std::span<const uint8_t> data);

  // SendEnd returns the END frame that completes the current message (with
  // no DATA before it, an empty message). Same failures as SendMessage.
  Result<std::vector<Frame>> SendEnd(std::string_view end_json = "");

  // SendCancel (client only) returns a CANCEL frame. Fails with
  // FailedPrecondition on a node session, while a message is being sent,
  // or unless kEstablished.
  Result<std::vector<Frame>> SendCancel();

  // RequestKeyUpdate returns a KEY_UPDATE 0x01 frame: this end's send keys
  // move on and the peer will answer with its own KEY_UPDATE. Fails with
  // FailedPrecondition unless kEstablished.
  Result<std::vector<Frame>> RequestKeyUpdate();

  // Close returns the CLOSE frame, this end's last record, and moves to
  // kClosing. Fails with FailedPrecondition while a message is being sent
  // (end it first) or unless kEstablished.
  Result<std::vector<Frame>> Close();

  // Receive opens one record frame from the peer and returns what it led
  // to, in order (possibly nothing, e.g. for a KEY_UPDATE 0x00). Rejects,
  // with the opaque Unauthenticated error: every RecvChannel::Open failure;
  // a frame after the peer's CLOSE; CANCEL at a client or inside a message;
  // a CLOSE inside a message (unless this end sent CLOSE first: then the
  // message is dropped); an END whose payload is not empty or a JSON
  // object; a message over limits.max_message. Every rejection fails the
  // session. On a session that already failed, Receive fails with
  // FailedPrecondition.
  Result<std::vector<Event>> Receive(std::span<const uint8_t> frame);

  // ConnectionEnded tells the session that the transport closed. OK when
  // the session ended cleanly (kClosed); otherwise the session was
  // truncated (§6.3): it fails with Unauthenticated and moves to kFailed.
  Status ConnectionEnded();

 private:
  Session(Role role, SendChannel send, RecvChannel recv,
          const std::array<uint8_t, kSessionIdSize>& session_id,
          const Limits& limits);

  // Seal seals one record, first a KEY_UPDATE if the budget requires it.
  Status Seal(ContentType type, std::span<const uint8_t> payload,
              std::vector<Frame>& out);
  // CheckCanSend fails unless kEstablished.
  Status CheckCanSend();
  // Fail wipes the keys, moves to kFailed and returns `status`.
  Status Fail(Status status);
  Status HandleRecord(Record record, std::vector<Event>& events);

  Role role_;
  SessionState state_ = SessionState::kEstablished;
  std::optional<SendChannel> send_;
  std::optional<RecvChannel> recv_;
  std::array<uint8_t, kSessionIdSize> session_id_;
  Limits limits_;
  bool receiving_message_ = false;
  bool sending_message_ = false;
  size_t received_message_size_ = 0;
};

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_SESSION_H_
