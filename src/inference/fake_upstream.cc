// Copyright 2026 The Cerumbra Authors.

#include "inference/fake_upstream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace cerumbra::inference::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string JsonEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::abort();
}

}  // namespace

FakeConnection::~FakeConnection() { Close(); }

void FakeConnection::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool FakeConnection::ReadRequest() {
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
  }
  head_ = buffer_.substr(0, header_end + 4);
  buffer_.erase(0, header_end + 4);
  const size_t sp1 = head_.find(' ');
  const size_t sp2 = head_.find(' ', sp1 + 1);
  target_ = head_.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t length = 0;
  // Header names are case-insensitive; Beast writes "Content-Length".
  const size_t at = head_.find("Content-Length: ");
  if (at != std::string::npos) {
    length = std::strtoul(head_.c_str() + at + 16, nullptr, 10);
  }
  while (buffer_.size() < length) {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
  }
  body_ = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return true;
}

bool FakeConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool FakeConnection::SendChunk(std::string_view bytes) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  std::string chunk = size;
  chunk.append(bytes);
  chunk += "\r\n";
  if (bytes.empty()) chunk = "0\r\n\r\n";
  return Send(chunk);
}

std::chrono::milliseconds FakeConnection::WaitForPeerClose(
    std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) return std::chrono::milliseconds(-1);
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::chrono::milliseconds(-1);
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          Clock::now() - start);
    }
  }
}

FakeUpstream::FakeUpstream(Script script, bool backlog_only)
    : script_(std::move(script)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) Die("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    Die("bind");
  if (::listen(listen_fd_, backlog_only ? 0 : 64) != 0) Die("listen");
  socklen_t len = sizeof addr;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    Die("getsockname");
  port_ = ntohs(addr.sin_port);
  if (!backlog_only) acceptor_ = std::thread([this] { AcceptLoop(); });
}

FakeUpstream::~FakeUpstream() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::lock_guard lock(mu_);
  for (std::thread& t : workers_) t.join();
  for (int fd : backlog_fds_) ::close(fd);
}

std::string FakeUpstream::BaseUrl() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

void FakeUpstream::AcceptLoop() {
  for (;;) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    ++connections_;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] {
      FakeConnection connection(fd);
      script_(connection);
    });
  }
}

bool FakeUpstream::FillBacklog() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  // Non-blocking connects: the first ones complete (queued for accept),
  // then one stays in progress once the queue is full.
  for (int i = 0; i < 16; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    backlog_fds_.push_back(fd);
    const int r =
        ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (r == 0) continue;
    if (errno != EINPROGRESS) return false;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 200) == 0) return true;  // this one hangs: queue full
  }
  return false;
}

std::string SseHead() {
  return "HTTP/1.1 200 OK\r\n"
         "Content-Type: text/event-stream\r\n"
         "Transfer-Encoding: chunked\r\n"
         "Connection: close\r\n\r\n";
}

std::string SseHeadUntilClose() {
  return "HTTP/1.1 200 OK\r\n"
         "Content-Type: text/event-stream; charset=utf-8\r\n"
         "Connection: close\r\n\r\n";
}

std::string Event(std::string_view data) {
  return "data: " + std::string(data) + "\n\n";
}

std::string ContentChunk(std::string_view content) {
  return R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,)"
         R"("delta":{"content":")" +
         JsonEscape(content) + R"("},"finish_reason":null}]})";
}

std::string FinishChunk(std::string_view reason) {
  return R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,)"
         R"("delta":{},"finish_reason":")" +
         std::string(reason) + R"("}]})";
}

std::string UsageChunk(int prompt_tokens, int completion_tokens) {
  return R"({"id":"c1","object":"chat.completion.chunk","choices":[],)"
         R"("usage":{"prompt_tokens":)" +
         std::to_string(prompt_tokens) + R"(,"completion_tokens":)" +
         std::to_string(completion_tokens) + R"(,"total_tokens":)" +
         std::to_string(prompt_tokens + completion_tokens) + "}}";
}

}  // namespace cerumbra::inference::testing
