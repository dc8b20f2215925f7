// Copyright 2026 The Cerumbra Authors.

#include "attest/sealed_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace cerumbra::attest {
namespace {

constexpr size_t kChunk = size_t{4} << 20;

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Fd closes a descriptor on scope exit unless released.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int Release() { return std::exchange(fd, -1); }
};

}  // namespace

Result<SealedFile> SealedFile::Create(const std::string& path,
                                      const ProgressCallback& progress) {
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    if (errno == ENOENT) return NotFoundError("no such file: " + path);
    return UnavailableError(Errno("cannot open " + path));
  }
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) {
    return UnavailableError(Errno("cannot stat " + path));
  }
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgumentError(path + " is not a regular file");
  }
  Fd out{
      ::memfd_create("cerumbra-sealed-model", MFD_CLOEXEC | MFD_ALLOW_SEALING)};
  if (out.fd < 0) return UnavailableError(Errno("memfd_create"));
  const uint64_t expected = static_cast<uint64_t>(st.st_size);
  Result<crypto::Sha384Hasher> hasher = crypto::Sha384Hasher::Create();
  if (!hasher.ok()) return hasher.status();
  std::vector<uint8_t> buf(kChunk);
  uint64_t total = 0;
  uint64_t next_report = 0;
  for (;;) {
    const ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(Errno("cannot read " + path));
    }
    if (n == 0) break;
    // What is hashed is what is written: the sealed copy's bytes.
    hasher->Update({buf.data(), static_cast<size_t>(n)});
    for (ssize_t off = 0; off < n;) {
      const ssize_t w = ::write(out.fd, buf.data() + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return UnavailableError(Errno("cannot copy " + path + " to memory"));
      }
      off += w;
    }
    total += static_cast<uint64_t>(n);
    if (progress && expected > 0 && total >= next_report) {
      progress(std::min(total, expected), expected);
      next_report = total + expected / 100 + 1;
    }
    // The copy is what matters: drop the source's page cache as we go.
    (void)::posix_fadvise(in.fd, 0, static_cast<off_t>(total),
                          POSIX_FADV_DONTNEED);
  }
  if (::fcntl(out.fd, F_ADD_SEALS,
              F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
    return UnavailableError(Errno("cannot seal the in-memory copy"));
  }
  if (progress) progress(total, total);
  Result<crypto::Sha384Digest> digest = hasher->Finish();
  if (!digest.ok()) return digest.status();
  return SealedFile(out.Release(), *digest, total);
}

SealedFile::SealedFile(int fd, crypto::Sha384Digest digest, uint64_t size)
    : fd_(fd),
      path_("/proc/self/fd/" + std::to_string(fd)),
      digest_(digest),
      size_(size) {}

SealedFile::SealedFile(SealedFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      digest_(other.digest_),
      size_(other.size_) {}

SealedFile& SealedFile::operator=(SealedFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    digest_ = other.digest_;
    size_ = other.size_;
  }
  return *this;
}

SealedFile::~SealedFile() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cerumbra::attest
