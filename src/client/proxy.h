// Copyright 2026 The Cerumbra Authors.
//
// Proxy: the OpenAI-compatible HTTP server of `cerumbra proxy`
// (docs/client-guide.md). It listens on localhost and carries each
// POST /v1/chat/completions over a freshly verified, end-to-end encrypted
// Cerumbra session to one node (the messages form of docs/protocol.md
// §10.1), so that unmodified OpenAI clients get Cerumbra's guarantees up to
// this process. GET /v1/models lists one model.
//
// When the node fails verification the request gets 502 with the failing
// check named and nothing of it is sent. Logs carry methods, paths, status
// codes and token counts: never prompts or completions.
//
// Thread safety: Run blocks the calling thread and serves each connection
// on a thread of its own (at most max_connections); Shutdown may be called
// from any thread.

#ifndef CERUMBRA_CLIENT_PROXY_H_
#define CERUMBRA_CLIENT_PROXY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cerumbra/client.h"
#include "cerumbra/status.h"

namespace cerumbra::client {

// ProxyOptions configures a Proxy.
struct ProxyOptions {
  // listen_host and port: where to listen (port 0: any free port).
  std::string listen_host = "127.0.0.1";
  uint16_t port = 8080;
  // allow_remote: WARNING: listen on a non-loopback address. The proxy has
  // no authentication and the hop from the application to it is plain
  // HTTP, so by default only loopback addresses are accepted.
  bool allow_remote = false;
  // node_url: the node's ws:// or wss:// URL; connect: how to verify it.
  std::string node_url;
  ConnectOptions connect;
  // model_id: the model name /v1/models lists (requests may name any).
  std::string model_id = "cerumbra";
  // max_body: the largest request body accepted (413 above).
  size_t max_body = 1024 * 1024;
  // max_connections: HTTP connections served at once (503 above).
  int max_connections = 32;
  // log: one line per request (no prompts or completions); may be empty.
  std::function<void(std::string_view line)> log;
};

// Proxy is one listening OpenAI-compatible server.
class Proxy {
 public:
  // Create binds the listening socket. Fails with InvalidArgument for a
  // non-loopback listen_host without allow_remote, an unparsable address
  // or a bad node URL; Unavailable when the address cannot be bound.
  static Result<std::unique_ptr<Proxy>> Create(ProxyOptions options);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // port returns the bound port.
  uint16_t port() const;
  // Run serves until Shutdown.
  void Run();
  // Shutdown stops accepting, ends open connections and makes Run return.
  void Shutdown();

  class Impl;

 private:
  explicit Proxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cerumbra::client

#endif  // CERUMBRA_CLIENT_PROXY_H_
