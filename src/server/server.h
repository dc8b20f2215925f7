// Copyright 2026 The Cerumbra Authors.
//
// Server: the node's network front, one port for HTTP and WebSocket
// (Boost.Beast over Asio), or with ServerOptions::tls for HTTPS and WSS.
//
//   GET /ws (WebSocket upgrade)  one Cerumbra session (docs/protocol.md):
//                                the handshake with the QuoteSigner, then
//                                encrypted conversation messages (§10)
//                                answered by the Engine
//   GET /healthz                 JSON: model, backend, evidence, ready
//   GET /metrics                 Prometheus text (metrics.h)
//   GET <attestation_document_path>
//                                the attestation document (JSON)
//   GET /<file>                  the web client's files (StaticFiles)
//
// Threads: Run() runs the I/O on the calling thread plus `io_threads - 1`
// more; each connection is serialized on its own strand. Engine callbacks
// arrive on the engine's thread and are posted to the connection's strand.
//
// Logs (log.h) name events and sizes only: never keys, prompts or answers.

#ifndef CERUMBRA_SERVER_SERVER_H_
#define CERUMBRA_SERVER_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cerumbra/status.h"
#include "inference/engine.h"
#include "protocol/handshake.h"
#include "server/metrics.h"

namespace cerumbra::server {

// ServerLimits gathers every limit of the node in one place (defaults are
// what `cerumbra serve` uses unless told otherwise).
struct ServerLimits {
  // max_sessions: WebSocket sessions open at once; more are refused with
  // HTTP 503 before the upgrade.
  size_t max_sessions = 256;
  // max_frame: the largest WebSocket message accepted (bytes). Must hold a
  // record frame (16,410) and an attest_request (1 KiB).
  size_t max_frame = 16410;
  // max_prompt: the largest request message (sum of DATA payloads).
  size_t max_prompt = 64 * 1024;
  // handshake_timeout: from the TCP accept to an established session.
  std::chrono::milliseconds handshake_timeout{10000};
  // idle_timeout: an established session with no request and no response
  // in progress for this long is closed (with CLOSE).
  std::chrono::milliseconds idle_timeout{300000};
  // write_queue_bytes: bytes queued for a client that does not read; past
  // this the session is failed and closed (memory stays bounded).
  size_t write_queue_bytes = 1024 * 1024;
  // socket_send_buffer: SO_SNDBUF of each WebSocket connection (bytes; 0
  // leaves the kernel's autotuning, which lets a client that does not read
  // hold up to net.ipv4.tcp_wmem's maximum, 4 MiB by default, of kernel
  // memory per connection before write_queue_bytes even starts to count).
  size_t socket_send_buffer = 128 * 1024;
  // max_tokens / default_max_tokens: generation length per request.
  int max_tokens = 1024;
  int default_max_tokens = 256;
  // http_body_bytes / http_header_bytes bound plain HTTP requests.
  size_t http_body_bytes = 16 * 1024;
  size_t http_header_bytes = 8 * 1024;
  // shutdown_grace: how long Shutdown waits for sessions to end cleanly.
  std::chrono::milliseconds shutdown_grace{5000};
};

// StaticFiles are the web client's files by path ("/index.html"); "/"
// serves "/index.html".
struct StaticFile {
  std::string content_type;
  std::string body;
};
using StaticFiles = std::map<std::string, StaticFile>;

// TlsFiles name the PEM files of the node's TLS certificate (the leaf first,
// then any intermediates) and its private key (see LoadTlsFiles in
// server/tls_files.h for what is accepted and checked).
struct TlsFiles {
  std::string certificate_path;
  std::string private_key_path;
};

// ServerOptions configures a Server.
struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (see Server::port)
  int io_threads = 2;
  ServerLimits limits;
  bool pad_records = true;
  // coalesce_ms > 0 sends response text at most once per tick (§6.5).
  int coalesce_ms = 0;
  StaticFiles static_files;
  // healthz and attestation_document produce those bodies (JSON) on
  // request; may be called from any I/O thread.
  std::function<std::string()> healthz;
  std::function<std::string()> attestation_document;
  std::string attestation_document_path =
      "/.well-known/cerumbra-attestation.json";
  // tls: with it the port speaks only HTTPS and WSS (TLS 1.2 or 1.3, AEAD
  // ciphers; crypto/tls.h); without it, plain HTTP and WS.
  std::optional<TlsFiles> tls;
};

// Server is the node. Create, Start, Run (blocks), Shutdown from any
// thread (a signal handler posts it).
class Server {
 public:
  // Create checks `options` and loads the TLS certificate and key when
  // options.tls is set (its errors name the file and the problem: missing,
  // unreadable, a key readable by group or others, a key that does not
  // match the certificate). `signer` and `engine` must outlive the Server;
  // `signer` must be thread-safe (sessions sign concurrently).
  static Result<std::unique_ptr<Server>> Create(ServerOptions options,
                                                protocol::QuoteSigner& signer,
                                                inference::Engine& engine);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Start binds and listens. Fails with Unavailable when the address cannot
  // be bound. After it, port() is the bound port.
  Status Start();
  uint16_t port() const;

  // Run serves until Shutdown completes. Call once.
  void Run();

  // Shutdown stops accepting, then ends each session: a response in
  // progress is cancelled and ends with its END (finish_reason
  // "cancelled"), then the node sends CLOSE and waits up to
  // limits.shutdown_grace for the client's; then Run returns. Thread-safe,
  // idempotent.
  void Shutdown();

  Metrics& metrics();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cerumbra::server

#endif  // CERUMBRA_SERVER_SERVER_H_
