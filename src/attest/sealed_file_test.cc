// Copyright 2026 The Cerumbra Authors.

#include "attest/sealed_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "attest/attest_test_util.h"
#include "attest/measurement.h"

namespace cerumbra::attest {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131) >> 3);
  return s;
}

TEST(SealedFileTest, DigestIsSha384OfTheBytesAndTheCopyReadsBack) {
  TempDir dir;
  const std::string text = Pattern((size_t{9} << 20) + 17);  // > 2 chunks
  WriteFile(dir.File("model.gguf"), text);
  uint64_t last_done = 0, calls = 0;
  Result<SealedFile> sealed =
      SealedFile::Create(dir.File("model.gguf"), [&](uint64_t d, uint64_t t) {
        EXPECT_EQ(t, text.size());
        EXPECT_GE(d, last_done);
        last_done = d;
        ++calls;
      });
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), text.size());
  EXPECT_EQ(sealed->digest(), *MeasureFile(dir.File("model.gguf")));
  EXPECT_EQ(last_done, text.size());
  EXPECT_GT(calls, 1u);
  EXPECT_EQ(ReadFile(sealed->path()), text);
}

// The engine loads the sealed copy: a change to the file on disk after
// the measurement never reaches it, and the copy itself cannot be changed.
TEST(SealedFileTest, TheCopyIsImmutableAndIndependentOfTheDisk) {
  TempDir dir;
  const std::string text = Pattern(100000);
  WriteFile(dir.File("m"), text);
  Result<SealedFile> sealed = SealedFile::Create(dir.File("m"));
  ASSERT_TRUE(sealed.ok());
  std::string changed = text;
  changed[5000] ^= 1;
  WriteFile(dir.File("m"), changed);
  EXPECT_EQ(ReadFile(sealed->path()), text);

  int w = ::open(sealed->path().c_str(), O_WRONLY);
  if (w >= 0) {
    EXPECT_EQ(::pwrite(w, "x", 1, 0), -1);
    EXPECT_EQ(errno, EPERM);
    EXPECT_NE(::ftruncate(w, 10), 0);
    ::close(w);
  }
  void* map = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
                     sealed->fd(), 0);
  EXPECT_EQ(map, MAP_FAILED);
  const int seals = ::fcntl(sealed->fd(), F_GET_SEALS);
  EXPECT_EQ(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
            F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  EXPECT_EQ(ReadFile(sealed->path()), text);
}

// The regression the old path/size/mtime cache allowed: one byte flipped,
// the modification time restored, the node restarted. The measurement must
// change.
TEST(SealedFileTest, FlippedByteWithRestoredMtimeChangesTheMeasurement) {
  TempDir dir;
  const std::string path = dir.File("model.gguf");
  WriteFile(path, Pattern(70000));
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  const crypto::Sha384Digest first = SealedFile::Create(path)->digest();
  {
    const int fd = ::open(path.c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    char c = 0;
    ASSERT_EQ(::pread(fd, &c, 1, 4321), 1);
    c ^= 0x20;
    ASSERT_EQ(::pwrite(fd, &c, 1, 4321), 1);
    ::close(fd);
  }
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  ASSERT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  ASSERT_EQ(after.st_size, before.st_size);
  EXPECT_NE(SealedFile::Create(path)->digest(), first);
}

TEST(SealedFileTest, FailsClosed) {
  TempDir dir;
  EXPECT_EQ(SealedFile::Create(dir.File("missing")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(SealedFile::Create(dir.path()).status().code(),
            StatusCode::kInvalidArgument);
  WriteFile(dir.File("empty"), "");
  Result<SealedFile> empty = SealedFile::Create(dir.File("empty"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_EQ(empty->digest(), *MeasureFile(dir.File("empty")));
}

}  // namespace
}  // namespace cerumbra::attest
