// Copyright 2026 The Cerumbra Authors.
//
// The OpenAI chat-completions shapes `cerumbra proxy` speaks (POST
// /v1/chat/completions, GET /v1/models): parsing a request into the
// protocol's messages form (docs/protocol.md §10.1) and encoding responses,
// stream chunks and error objects. JSON stays here, at the HTTP edge. No
// I/O. Thread safety: pure functions.

#ifndef CERUMBRA_CLIENT_OPENAI_H_
#define CERUMBRA_CLIENT_OPENAI_H_

#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/client.h"
#include "cerumbra/status.h"

namespace cerumbra::client::openai {

// CompletionRequest is a parsed /v1/chat/completions request. `messages`
// hold prompts: the caller wipes them.
struct CompletionRequest {
  std::string model;
  std::vector<Message> messages;
  ChatParams params;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

// ApiError is an OpenAI error object with its HTTP status.
struct ApiError {
  int http_status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string param;  // empty: null
  std::string code;   // empty: null
};

// ParseCompletionRequest parses the request body. Accepted: `messages`
// (required, 1..256, roles system, developer (as system), user, assistant;
// content a string or an array of {"type":"text","text":...} parts; the
// last message the user's), `model` (any string; echoed back),
// `max_tokens` / `max_completion_tokens`, `temperature` (0..2), `top_p`
// ((0, 1]), `seed` (0..2^32-1), `stop` (string or up to 8 strings),
// `stream`, `stream_options.include_usage`, `n` (only 1). Members the node
// cannot honour (tools, functions, response_format other than text,
// logprobs true) are refused, so a client never silently loses a feature;
// other members are ignored. Errors name the parameter and never quote a
// message's content.
struct ParsedRequest {
  bool ok = false;
  CompletionRequest request;  // when ok
  ApiError error;             // when not ok (HTTP 400)
};
ParsedRequest ParseCompletionRequest(std::string_view body);

// EncodeError returns {"error":{"message","type","param","code"}}.
std::string EncodeError(const ApiError& error);

// FinishReason maps the node's finish_reason to OpenAI's ("stop",
// "length"; "cancelled" becomes "stop").
std::string FinishReason(std::string_view node_reason);

// EncodeCompletion returns a chat.completion object for `answer`.
std::string EncodeCompletion(std::string_view id, std::string_view model,
                             int64_t created, const Answer& answer);

// EncodeChunk returns one chat.completion.chunk object: with `role` set the
// first delta ({"role":"assistant","content":""}), else a content delta,
// or with `finish_reason` non-empty the last (empty delta). `usage` (may be
// null) adds usage and empty choices (stream_options.include_usage).
std::string EncodeChunk(std::string_view id, std::string_view model,
                        int64_t created, bool role, std::string_view content,
                        std::string_view finish_reason, const Answer* usage);

// EncodeModels returns the /v1/models list with the one model `id`.
std::string EncodeModels(std::string_view id);

}  // namespace cerumbra::client::openai

#endif  // CERUMBRA_CLIENT_OPENAI_H_
