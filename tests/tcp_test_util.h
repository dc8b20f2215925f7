// Copyright 2026 The Cerumbra Authors.
//
// Test-only: looks at this process's own TCP sockets (through /proc/self/fd)
// to check socket options that no API exposes, such as TCP_NODELAY on the
// sockets a server accepted. Linux only.

#ifndef CERUMBRA_TESTS_TCP_TEST_UTIL_H_
#define CERUMBRA_TESTS_TCP_TEST_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace cerumbra::testing {

// PortOf returns the port of an IPv4 or IPv6 address, or -1.
inline int PortOf(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  }
  if (a.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  }
  return -1;
}

// NoDelayOfConnectedSockets returns TCP_NODELAY (true when set) for each of
// this process's connected TCP sockets whose local port (`by_peer` false:
// sockets a server on `port` accepted) or remote port (`by_peer` true:
// sockets connected to `port`) is `port`. Listening sockets are skipped.
inline std::vector<bool> NoDelayOfConnectedSockets(uint16_t port,
                                                   bool by_peer) {
  std::vector<bool> out;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string target =
        std::filesystem::read_symlink(entry.path(), ec).string();
    if (ec || target.rfind("socket:", 0) != 0) continue;
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (...) {
      continue;
    }
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) !=
            0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;  // not a socket any more, or not connected
    }
    if (PortOf(by_peer ? peer : local) != port) continue;
    int value = 0;
    socklen_t len = sizeof(value);
    if (::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len) != 0) {
      continue;  // not TCP
    }
    out.push_back(value != 0);
  }
  return out;
}

}  // namespace cerumbra::testing

#endif  // CERUMBRA_TESTS_TCP_TEST_UTIL_H_
