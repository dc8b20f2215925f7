// Copyright 2026 The Cerumbra Authors.
//
// The client's side of the conversation messages (docs/protocol.md §10):
// encoding requests and parsing the END object of a response. No I/O.

#ifndef CERUMBRA_CLIENT_REQUEST_H_
#define CERUMBRA_CLIENT_REQUEST_H_

#include <span>
#include <string>
#include <string_view>

#include "cerumbra/client.h"
#include "cerumbra/status.h"

namespace cerumbra::client {

// EncodeChatRequest returns the §10.1 request {"type":"chat","content":...,
// "params":{...}} (params only with the members set). Fails with
// InvalidArgument for a parameter out of §10.1's ranges (checked here so a
// mistake is reported before anything is sent). The result holds the
// prompt: the caller wipes it. Thread safety: pure function.
Result<std::string> EncodeChatRequest(std::string_view content,
                                      const ChatParams& params);

// EncodeMessagesRequest returns the §10.1 "messages" request. Fails with
// InvalidArgument for no messages, a role other than system, user or
// assistant, empty user content, or a last message that is not the user's,
// and for parameters as EncodeChatRequest. Thread safety: pure function.
Result<std::string> EncodeMessagesRequest(std::span<const Message> messages,
                                          const ChatParams& params);

// EndInfo is a parsed END object (§10.2).
struct EndInfo {
  std::string finish_reason;
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// kMalformedEnd starts the message of ParseEnd's Unauthenticated error.
inline constexpr char kMalformedEnd[] = "session failed: malformed END";

// ParseEnd parses an END payload (docs/protocol.md §10.2). A well-formed
// END that carries "error" becomes a Status: bad_request InvalidArgument,
// busy ResourceExhausted, context_full FailedPrecondition, engine
// Internal; the session goes on. An empty payload is an empty EndInfo
// ("stop"). Anything else is malformed and Unauthenticated (kMalformedEnd):
// not a JSON object, an unknown member, a missing or unknown
// finish_reason, a usage that is not an object of non-negative integers,
// an unknown error, an error other than bad_request without finish_reason
// "error", or finish_reason "error" without one. The caller fails the
// session on it (§8). Thread safety: pure function.
Result<EndInfo> ParseEnd(std::string_view payload);

}  // namespace cerumbra::client

#endif  // CERUMBRA_CLIENT_REQUEST_H_
