// Copyright 2026 The Cerumbra Authors.
//
// UpstreamEngine: an Engine that forwards each generation to an
// OpenAI-compatible server (llama-server, vLLM, SGLang, ...) with POST
// {base}/chat/completions and "stream": true, and streams the answer back
// through the request's callbacks.
//
// WARNING: the request carries the decrypted conversation in plain HTTP.
// The upstream must run inside the same TEE as the node (normally on
// 127.0.0.1); https:// is refused rather than silently downgraded, and a
// remote upstream would take the prompt out of the TEE. See
// docs/inference.md, "Upstream backend".
//
// Each generation is one HTTP/1.1 connection ("Connection: close"), driven
// by the engine's own Asio I/O thread(s) with a strand per generation:
// resolve, connect (connect_timeout), send, wait for the response headers
// and the first body byte (first_byte_timeout), then read the event stream
// with at most idle_timeout between reads. Cancel closes the connection at
// once (the upstream sees the peer go away and stops generating).
//
// Errors, all through on_done with FinishReason::kError and a Status whose
// message names no prompt or completion text:
//   Unavailable        connection refused or reset, resolution failed, the
//                      stream closed before it finished, an HTTP error
//                      status 5xx/others ("upstream HTTP 503: <message>"),
//                      an error object in the stream ("upstream error: ...")
//   InvalidArgument    HTTP 400/413/422 ("upstream HTTP 400: <message>")
//   NotFound           HTTP 404 (wrong base URL or model)
//   ResourceExhausted  HTTP 429; a line, event, header or body over a limit
//   DeadlineExceeded   connect, first-byte or idle timeout
//   Internal           a malformed response or event stream
// The server's message (from a JSON error body) is cut to 200 bytes.
//
// Usage: the request asks for stream_options.include_usage. When the server
// sends no usage object, Completion::usage has prompt_tokens = 0 (unknown)
// and completion_tokens = the number of chunks that carried text (one per
// token for llama-server and vLLM; a lower bound for servers that batch),
// and UpstreamEngine::generations_without_usage() counts such generations.

#ifndef CERUMBRA_INFERENCE_UPSTREAM_ENGINE_H_
#define CERUMBRA_INFERENCE_UPSTREAM_ENGINE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cerumbra/status.h"
#include "inference/engine.h"

namespace cerumbra::inference {

// UpstreamOptions configures an UpstreamEngine.
struct UpstreamOptions {
  // base_url: "http://HOST[:PORT][/PATH]", e.g. "http://127.0.0.1:8000/v1"
  // (the node's --upstream). https:// is refused (see the file comment).
  std::string base_url;
  // model: the upstream's model name, sent as "model" (--upstream-model).
  std::string model;
  // max_sessions: generations queued or running at once (1..1024); Start
  // is ResourceExhausted beyond it. Reported as EngineInfo::max_sessions.
  int max_sessions = 8;
  // default_max_tokens: sent when a request has max_tokens 0 (0: send
  // none, the upstream decides). max_tokens_limit bounds requests.
  int default_max_tokens = 512;
  int max_tokens_limit = 32768;
  // context_size: reported in EngineInfo only (0 = unknown).
  int context_size = 0;
  // Timeouts (each positive): TCP connect (including name resolution);
  // from the request being sent until the first byte of the response body
  // (this covers the upstream's queueing and prompt processing); between
  // two reads of the stream after that (longer than llama-server's 30 s
  // SSE keep-alive ping, which counts as traffic).
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds first_byte_timeout{120'000};
  std::chrono::milliseconds idle_timeout{60'000};
  // Limits on what an upstream may send: one SSE line, one event's data,
  // the response headers, the whole response body, and the body of an
  // error response (read for its message).
  size_t max_line_bytes = 256 * 1024;
  size_t max_event_bytes = 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  uint64_t max_response_bytes = 64ull * 1024 * 1024;
  size_t max_error_body_bytes = 64 * 1024;
  // io_threads: Asio threads (1..16); one is plenty for loopback streams.
  int io_threads = 1;
};

// UpstreamEngine implements Engine over an OpenAI-compatible server.
//
// Thread safety: as Engine (Start, Info and Cancel from any thread;
// callbacks run on the engine's I/O threads, one generation's callbacks
// never concurrently).
class UpstreamEngine final : public Engine {
 public:
  // Create checks `options` and starts the I/O threads; it does not contact
  // the upstream (a later Start reports an unreachable one). Errors:
  // Unimplemented for an https:// URL, InvalidArgument for a bad URL, an
  // empty or over-long model name, or an option out of range.
  static Result<std::unique_ptr<UpstreamEngine>> Create(
      UpstreamOptions options);

  // ~UpstreamEngine calls Shutdown.
  ~UpstreamEngine() override;
  UpstreamEngine(const UpstreamEngine&) = delete;
  UpstreamEngine& operator=(const UpstreamEngine&) = delete;

  // Start: see Engine::Start. InvalidArgument also for messages or stop
  // strings that are not valid UTF-8, and max_tokens over
  // max_tokens_limit.
  Result<std::unique_ptr<Generation>> Start(GenerationRequest request) override;

  // Info: backend "upstream", model = options.model, max_sessions,
  // context_size and default_max_tokens from the options.
  EngineInfo Info() const override;

  // Shutdown: see Engine::Shutdown.
  void Shutdown() override;

  // generations_without_usage counts finished generations whose upstream
  // sent no usage object (their usage was counted from chunks).
  uint64_t generations_without_usage() const;

  class Impl;

 private:
  explicit UpstreamEngine(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_UPSTREAM_ENGINE_H_
