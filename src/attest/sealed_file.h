// Copyright 2026 The Cerumbra Authors.
//
// SealedFile: the bytes a node measures are the bytes its engine runs
// (docs/attestation.md §3.2). The model file is copied once into an
// anonymous in-memory file (memfd) while it is hashed, and the copy is
// then sealed (F_SEAL_WRITE, F_SEAL_GROW, F_SEAL_SHRINK, F_SEAL_SEAL):
// from then on nobody, the node included, can change it. The engine loads
// the copy through path(), so a change to the file on disk after (or
// during) the measurement cannot reach the engine, and there is no digest
// cache keyed by path, size or modification time to fool.
//
// Cost: one read of the file and its size in memory (shared with the
// engine's mmap of the copy, so not twice); measured in
// docs/performance.md.

#ifndef CERUMBRA_ATTEST_SEALED_FILE_H_
#define CERUMBRA_ATTEST_SEALED_FILE_H_

#include <cstdint>
#include <string>

#include "attest/measurement.h"
#include "cerumbra/status.h"
#include "crypto/sha.h"

namespace cerumbra::attest {

class SealedFile {
 public:
  // Create copies the regular file at `path` into a sealed memfd and
  // returns it with SHA-384 of exactly the copied bytes. `progress` (if
  // set) is told the bytes copied. NotFound if the file does not exist,
  // InvalidArgument if it is not a regular file, Unavailable on read,
  // write or sealing errors (e.g. no memory). Thread safety: safe to call
  // concurrently.
  static Result<SealedFile> Create(const std::string& path,
                                   const ProgressCallback& progress = {});

  SealedFile(SealedFile&& other) noexcept;
  SealedFile& operator=(SealedFile&& other) noexcept;
  SealedFile(const SealedFile&) = delete;
  SealedFile& operator=(const SealedFile&) = delete;
  // Closes the memfd; mappings made from it stay valid.
  ~SealedFile();

  // path is "/proc/self/fd/N": opening it (in this process) reads the
  // sealed copy.
  const std::string& path() const { return path_; }
  const crypto::Sha384Digest& digest() const { return digest_; }
  uint64_t size() const { return size_; }
  int fd() const { return fd_; }

 private:
  SealedFile(int fd, crypto::Sha384Digest digest, uint64_t size);

  int fd_ = -1;
  std::string path_;
  crypto::Sha384Digest digest_{};
  uint64_t size_ = 0;
};

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_SEALED_FILE_H_
