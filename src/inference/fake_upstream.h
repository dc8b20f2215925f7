// Copyright 2026 The Cerumbra Authors.
//
// FakeUpstream: a tiny, deliberately misbehaving HTTP server on 127.0.0.1
// (port 0) for the upstream engine's error, timeout and flow-control tests.
// Each accepted connection runs the test's script on its own thread with
// blocking socket calls; the script decides what bytes go out and when.
// Only for tests; the real integration test uses llama-server.

#ifndef CERUMBRA_INFERENCE_FAKE_UPSTREAM_H_
#define CERUMBRA_INFERENCE_FAKE_UPSTREAM_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cerumbra::inference::testing {

// FakeConnection is one accepted connection, handed to the script.
class FakeConnection {
 public:
  explicit FakeConnection(int fd) : fd_(fd) {}
  ~FakeConnection();
  FakeConnection(const FakeConnection&) = delete;
  FakeConnection& operator=(const FakeConnection&) = delete;

  // ReadRequest reads one HTTP request (headers and a Content-Length body)
  // and returns false on EOF or error. target() and body() then hold it.
  bool ReadRequest();
  const std::string& target() const { return target_; }
  const std::string& body() const { return body_; }
  const std::string& head() const { return head_; }

  // Send writes all of `bytes`; false when the peer is gone.
  bool Send(std::string_view bytes);
  // SendChunk sends `bytes` as one HTTP/1.1 chunk (hex size, CRLF, data,
  // CRLF); an empty `bytes` sends the last chunk "0\r\n\r\n".
  bool SendChunk(std::string_view bytes);
  // WaitForPeerClose reads and drops whatever comes until the peer closes
  // (EOF or reset) and returns how long that took, or -1 ms when the peer
  // did not close within `timeout`.
  std::chrono::milliseconds WaitForPeerClose(std::chrono::milliseconds timeout);
  // Close closes the connection now.
  void Close();

 private:
  int fd_;
  std::string buffer_;
  std::string head_;
  std::string target_;
  std::string body_;
};

// FakeUpstream accepts connections and runs `script` for each.
class FakeUpstream {
 public:
  using Script = std::function<void(FakeConnection& connection)>;

  // FakeUpstream listens on 127.0.0.1 with a free port. With `backlog_only`
  // it never accepts (for connect-timeout tests, see FillBacklog).
  explicit FakeUpstream(Script script, bool backlog_only = false);
  ~FakeUpstream();

  uint16_t port() const { return port_; }
  std::string BaseUrl() const;
  int connections() const { return connections_.load(); }

  // FillBacklog opens connections that are never accepted until the
  // kernel's accept queue is full, so that further SYNs are dropped and a
  // client's connect hangs. Returns false when it could not tell.
  bool FillBacklog();

 private:
  void AcceptLoop();

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<int> backlog_fds_;
};

// SseHead returns a 200 response head with text/event-stream, chunked.
std::string SseHead();
// SseHeadUntilClose returns a 200 head whose body runs until the close.
std::string SseHeadUntilClose();
// Event returns "data: <json>\n\n".
std::string Event(std::string_view data);
// ContentChunk returns a chat.completion.chunk JSON with delta content.
std::string ContentChunk(std::string_view content);
// FinishChunk returns a chunk with an empty delta and finish_reason.
std::string FinishChunk(std::string_view reason);
// UsageChunk returns a chunk with no choices and usage counts.
std::string UsageChunk(int prompt_tokens, int completion_tokens);

}  // namespace cerumbra::inference::testing

#endif  // CERUMBRA_INFERENCE_FAKE_UPSTREAM_H_
