// Copyright 2026 The Cerumbra Authors.
//
// The conversation layer of a node session (docs/protocol.md §10): parsing
// requests, the per-session history, and the END object of a response. No
// I/O; the WebSocket session (ws_session.h) drives it.

#ifndef CERUMBRA_SERVER_CONVERSATION_H_
#define CERUMBRA_SERVER_CONVERSATION_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "inference/engine.h"

namespace cerumbra::server {

// RequestType is §10.1's `type`.
enum class RequestType { kChat, kReset };

// ChatRequest is a parsed request. `content` is the user's text, or
// `messages` a whole conversation (§10.1's two forms; exactly one is set
// for kChat): secret, never logged; the caller wipes them (Conversation
// takes them over).
struct ChatRequest {
  RequestType type = RequestType::kChat;
  std::string content;
  std::vector<inference::ChatMessage> messages;
  inference::SamplingParams params;
};

// kMaxRequestMessages bounds the "messages" form's count (§10.1); their
// total size is bounded by the message limit (§7, the node's max prompt).
inline constexpr size_t kMaxRequestMessages = 256;

// RequestLimits bound what ParseRequest accepts.
struct RequestLimits {
  // max_tokens is the node's maximum generation length; a larger request
  // is lowered to it, an absent one gets default_max_tokens.
  int max_tokens = 512;
  int default_max_tokens = 256;
};

// ParseRequest parses one request message (§10.1). Fails with
// InvalidArgument ("bad request: ...", never quoting the content) for
// anything §10.1 does not allow: not a JSON object, unknown
// members, a missing or empty content, both or neither of content and
// messages, a messages list that is empty, longer than
// kMaxRequestMessages, has an unknown role or member, an empty user
// content, or does not end with a user message, a value out of range. The node
// answers such a request with a bad_request response; the session goes on.
// Thread safety: pure function.
Result<ChatRequest> ParseRequest(std::span<const uint8_t> message,
                                 const RequestLimits& limits);

// ResponseError is §10.2's `error`.
enum class ResponseError { kNone, kBadRequest, kContextFull, kBusy, kEngine };

// EncodeEnd returns the END payload of a response (§10.2): finish_reason,
// usage (omitted for bad_request and reset answers when `usage` is null)
// and error (only when not kNone). Thread safety: pure function.
std::string EncodeEnd(inference::FinishReason reason,
                      const inference::Usage* usage, ResponseError error);

// Conversation is one session's history: system prompt (optional), then
// alternating user and assistant turns. All text is wiped when turns are
// removed and on destruction. Thread safety: not thread-safe; one per
// session, used from the session's strand.
class Conversation {
 public:
  Conversation() = default;
  ~Conversation();
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  // AddUser appends a user turn (taking over `content`).
  void AddUser(std::string content);
  // Replace wipes the history and takes over `messages` as the whole
  // conversation (the "messages" form of §10.1; the last is a user turn).
  void Replace(std::vector<inference::ChatMessage> messages);
  // AddAssistant appends the answer to the last user turn (may be empty).
  void AddAssistant(std::string content);
  // DropLastUser removes the last turn if it is a user turn without an
  // answer (after a request failed before any text was generated).
  void DropLastUser();
  // Reset wipes and removes every turn.
  void Reset();

  const std::vector<inference::ChatMessage>& messages() const {
    return messages_;
  }

 private:
  std::vector<inference::ChatMessage> messages_;
};

// WipeString overwrites a string's bytes and clears it.
void WipeString(std::string& s);

}  // namespace cerumbra::server

#endif  // CERUMBRA_SERVER_CONVERSATION_H_
