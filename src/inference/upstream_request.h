// Copyright 2026 The Cerumbra Authors.
//
// The request side of the upstream engine: the upstream's base URL and the
// JSON body of POST {base}/chat/completions (OpenAI API reference, "Create
// chat completion"). No I/O here.

#ifndef CERUMBRA_INFERENCE_UPSTREAM_REQUEST_H_
#define CERUMBRA_INFERENCE_UPSTREAM_REQUEST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "inference/engine.h"

namespace cerumbra::inference {

// UpstreamUrl is a parsed base URL such as http://127.0.0.1:8000/v1.
struct UpstreamUrl {
  std::string host;       // name or address, IPv6 without brackets
  uint16_t port = 80;     // the URL's port, or 80
  std::string base_path;  // "/v1" (no trailing slash; "" for the root)

  // HostHeader returns the Host header value ("127.0.0.1:8000", "[::1]:80").
  std::string HostHeader() const;
  // ChatCompletionsTarget returns the request target ("/v1/chat/completions").
  std::string ChatCompletionsTarget() const;
  // Display returns the URL for logs and error messages.
  std::string Display() const;
};

// ParseUpstreamUrl parses "http://HOST[:PORT][/PATH]". Errors:
// Unimplemented for https:// (TLS to an upstream is not supported: the
// upstream runs inside the same TEE, on loopback, and plain HTTP keeps the
// prompt inside it; this never falls back to http), InvalidArgument for any
// other scheme, user info, a query or fragment, a bad host or port, or
// characters that are not allowed in a request target.
Result<UpstreamUrl> ParseUpstreamUrl(std::string_view url);

// RequestLimits are the limits Start checks a request against.
struct RequestLimits {
  int max_tokens_limit = 32768;  // the most max_tokens may be
  size_t max_messages = 1024;
  size_t max_prompt_bytes = 4 * 1024 * 1024;  // all message contents together
};

// ValidateChatRequest checks messages and sampling params (engine.h):
// at least one message, roles system/user/assistant, contents valid UTF-8
// and within limits, max_tokens in 0..limit, temperature >= 0 (finite),
// top_p in (0, 1], at most 8 stop strings of 1..256 bytes each, valid
// UTF-8. Callbacks are not its business. Returns InvalidArgument naming the
// field (never quoting content).
Status ValidateChatRequest(const std::vector<ChatMessage>& messages,
                           const SamplingParams& params,
                           const RequestLimits& limits);

// BuildChatRequestBody returns the JSON body: model, messages, "stream":
// true, "stream_options": {"include_usage": true}, max_tokens (params',
// else `default_max_tokens` when positive, else omitted), temperature,
// top_p, seed (when set) and stop (when non-empty). REQUIRES: the request
// passed ValidateChatRequest. The caller wipes the result after use.
std::string BuildChatRequestBody(std::string_view model,
                                 const std::vector<ChatMessage>& messages,
                                 const SamplingParams& params,
                                 int default_max_tokens);

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_UPSTREAM_REQUEST_H_
