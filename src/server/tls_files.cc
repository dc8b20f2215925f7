// Copyright 2026 The Cerumbra Authors.

#include "server/tls_files.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "crypto/secret_bytes.h"

namespace cerumbra::server {
namespace {

constexpr size_t kMaxFileSize = 1024 * 1024;

// ReadFile reads a regular file of at most 1 MiB. With `private_key`, the
// file must not be accessible by group or others. The mode is checked on
// the open descriptor (fstat), so the file checked is the file read.
Result<std::vector<uint8_t>> ReadFile(const std::string& what,
                                      const std::string& path,
                                      bool private_key) {
  if (path.empty()) return InvalidArgumentError(what + ": no path given");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string reason = std::strerror(err);
    if (err == ENOENT) return NotFoundError(what + " " + path + ": not found");
    return InvalidArgumentError(what + " " + path + ": cannot open: " + reason);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(what + " " + path + ": not a regular file");
  }
  if (private_key && (st.st_mode & 077) != 0) {
    ::close(fd);
    return FailedPreconditionError(
        what + " " + path + " is accessible by group or others; chmod 600 it");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxFileSize) {
    ::close(fd);
    return InvalidArgumentError(what + " " + path + ": over 1 MiB");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size) + 1);
  size_t used = 0;
  for (;;) {
    if (used == bytes.size()) break;  // grew while we read: refused below
    const ssize_t n = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      crypto::Wipe(bytes);
      return InvalidArgumentError(what + " " + path + ": read failed");
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  if (used > static_cast<size_t>(st.st_size)) {
    crypto::Wipe(bytes);
    return InvalidArgumentError(what + " " + path + ": changed while read");
  }
  bytes.resize(used);
  return bytes;
}

}  // namespace

Result<crypto::TlsContext> LoadTlsFiles(const std::string& certificate_path,
                                        const std::string& private_key_path) {
  CERUMBRA_ASSIGN_OR_RETURN(
      std::vector<uint8_t> cert,
      ReadFile("TLS certificate", certificate_path, /*private_key=*/false));
  CERUMBRA_ASSIGN_OR_RETURN(
      std::vector<uint8_t> key,
      ReadFile("TLS key", private_key_path, /*private_key=*/true));
  Result<crypto::TlsContext> ctx = crypto::TlsContext::CreateServer(
      std::string_view(reinterpret_cast<const char*>(cert.data()), cert.size()),
      key);
  crypto::Wipe(key);
  if (!ctx.ok()) {
    return Status(ctx.status().code(), "TLS certificate " + certificate_path +
                                           " and key " + private_key_path +
                                           ": " + ctx.status().message());
  }
  return ctx;
}

}  // namespace cerumbra::server
