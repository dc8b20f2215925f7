// Copyright 2026 The Cerumbra Authors.

#include "attest/measurement.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "attest/attest_test_util.h"

namespace cerumbra::attest {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// FIPS 180-2 Appendix D.1: SHA-384("abc").
constexpr char kSha384Abc[] =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
    "8086072ba1e7cc2358baeca134c825a7";

TEST(MeasurementTest, MeasureFileIsPlainSha384) {
  TempDir dir;
  WriteFile(dir.File("f"), "abc");
  Result<crypto::Sha384Digest> d = MeasureFile(dir.File("f"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(HexEncode(*d), kSha384Abc);
}

TEST(MeasurementTest, MeasureFileReportsProgressAndErrors) {
  TempDir dir;
  WriteFile(dir.File("big"), std::string(3 << 20, 'x'));
  uint64_t last = 0, total = 0;
  int calls = 0;
  ASSERT_TRUE(MeasureFile(dir.File("big"), [&](uint64_t done, uint64_t t) {
                ++calls;
                last = done;
                total = t;
              }).ok());
  EXPECT_GE(calls, 2);
  EXPECT_EQ(last, uint64_t{3} << 20);
  EXPECT_EQ(total, uint64_t{3} << 20);
  EXPECT_EQ(MeasureFile(dir.File("missing")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(MeasureFile(dir.path()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MeasurementTest, StderrProgressPrintsOnlyForLargeFiles) {
  ::testing::internal::CaptureStderr();
  ProgressCallback small = StderrProgress("small");
  small(0, 1 << 20);
  small(1 << 20, 1 << 20);
  ProgressCallback big = StderrProgress("big.gguf");
  const uint64_t total = uint64_t{100} << 20;
  for (uint64_t done = 0; done <= total; done += total / 20) big(done, total);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("small"), std::string::npos);
  EXPECT_NE(err.find("hashing big.gguf: 50% of 100 MiB"), std::string::npos);
  EXPECT_NE(err.find("100%"), std::string::npos);
  EXPECT_LE(std::count(err.begin(), err.end(), '\n'), 11);
}

TEST(MeasurementTest, MeasureExecutableHashesThisBinary) {
  Result<crypto::Sha384Digest> a = MeasureExecutable();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, *MeasureFile("/proc/self/exe"));
}

TEST(MeasurementTest, CacheHitsSkipHashingAndChangesInvalidate) {
  TempDir dir;
  const std::string file = dir.File("model");
  const std::string cache = dir.File("cache.json");
  WriteFile(file, "abc");
  Result<crypto::Sha384Digest> first = MeasureFileCached(file, cache);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(HexEncode(*first), kSha384Abc);
  struct stat st {};
  ASSERT_EQ(::stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Prove the cache is used: plant another digest for the same key.
  std::string text = ReadFile(cache);
  const size_t at = text.find(kSha384Abc);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 2, "00");
  WriteFile(cache, text);
  uint64_t progress_calls = 0;
  Result<crypto::Sha384Digest> hit = MeasureFileCached(
      file, cache, [&](uint64_t, uint64_t) { ++progress_calls; });
  ASSERT_TRUE(hit.ok());
  EXPECT_EQ(HexEncode(*hit).substr(0, 2), "00");
  EXPECT_EQ(progress_calls, 0u);
  // A changed file (size and mtime) misses the cache.
  WriteFile(file, "abcd");
  Result<crypto::Sha384Digest> miss = MeasureFileCached(file, cache);
  ASSERT_TRUE(miss.ok());
  EXPECT_EQ(*miss, *crypto::Sha384(Bytes("abcd")));
  // A malformed cache is ignored and replaced.
  WriteFile(cache, "{not json");
  EXPECT_EQ(*MeasureFileCached(file, cache), *miss);
  EXPECT_NE(ReadFile(cache).find("cerumbra-measurement-cache-v1"),
            std::string::npos);
}

TEST(MeasurementTest, WebDigestFollowsTheDocumentedEncoding) {
  const std::vector<WebFile> files = {{"b.js", Bytes("B")},
                                      {"a/index.html", Bytes("AA")}};
  // Sorted: "a/index.html" then "b.js".
  std::vector<uint8_t> expected = Bytes("cerumbra-web-v1");
  for (uint8_t b : {0, 0, 0, 0, 2}) expected.push_back(b);
  auto add = [&](std::string_view path, std::string_view body) {
    for (uint8_t b : {0, 0, 0, static_cast<int>(path.size())})
      expected.push_back(b);
    expected.insert(expected.end(), path.begin(), path.end());
    for (int i = 0; i < 7; ++i) expected.push_back(0);
    expected.push_back(static_cast<uint8_t>(body.size()));
    expected.insert(expected.end(), body.begin(), body.end());
  };
  add("a/index.html", "AA");
  add("b.js", "B");
  EXPECT_EQ(*MeasureWebFiles(files), *crypto::Sha384(expected));
}

TEST(MeasurementTest, WebDigestIsOrderFreeButBoundaryExact) {
  const std::vector<WebFile> a = {{"x", Bytes("1")}, {"y", Bytes("2")}};
  const std::vector<WebFile> b = {{"y", Bytes("2")}, {"x", Bytes("1")}};
  EXPECT_EQ(*MeasureWebFiles(a), *MeasureWebFiles(b));
  const std::vector<WebFile> c = {{"x", Bytes("12")}, {"y", Bytes("")}};
  EXPECT_NE(*MeasureWebFiles(a), *MeasureWebFiles(c));
  const std::vector<WebFile> renamed = {{"x", Bytes("1")}, {"z", Bytes("2")}};
  EXPECT_NE(*MeasureWebFiles(a), *MeasureWebFiles(renamed));
}

TEST(MeasurementTest, WebDigestRejectsBadAndDuplicatePaths) {
  for (const char* bad : {"", "/abs", "a/../b", "a//b", "./a", "a/", "a\\b"}) {
    const std::vector<WebFile> files = {{bad, Bytes("x")}};
    EXPECT_EQ(MeasureWebFiles(files).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
  const std::vector<WebFile> dup = {{"a", Bytes("1")}, {"a", Bytes("2")}};
  EXPECT_FALSE(MeasureWebFiles(dup).ok());
}

TEST(MeasurementTest, WebRootMatchesFileListAndRefusesSymlinks) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("web/js"));
  WriteFile(dir.File("web/index.html"), "<html>");
  WriteFile(dir.File("web/js/app.js"), "1");
  const std::vector<WebFile> files = {{"index.html", Bytes("<html>")},
                                      {"js/app.js", Bytes("1")}};
  Result<crypto::Sha384Digest> d = MeasureWebRoot(dir.File("web"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, *MeasureWebFiles(files));
  ASSERT_EQ(::symlink("/etc/passwd", dir.File("web/link").c_str()), 0);
  EXPECT_EQ(MeasureWebRoot(dir.File("web")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MeasureWebRoot(dir.File("nope")).status().code(),
            StatusCode::kNotFound);
}

TEST(MeasurementTest, CanonicalJsonSortsAndStrips) {
  EXPECT_EQ(
      *CanonicalJson(R"( { "b" : [1, -2, {"z":null,"a":true}], "a":"x" } )"),
      R"({"a":"x","b":[1,-2,{"a":true,"z":null}]})");
  EXPECT_EQ(*CanonicalJson(R"({"s":"\u0041\n\u0001\/\"\\"})"),
            R"({"s":"A\n\u0001/\"\\"})");
  EXPECT_EQ(*CanonicalJson(R"({"e":"\ud83d\ude00"})"),
            "{\"e\":\"\xf0\x9f\x98\x80\"}");
  EXPECT_EQ(*MeasureConfig(R"({"a":1,"b":2})"),
            *MeasureConfig(R"({"b":2, "a":1})"));
  EXPECT_NE(*MeasureConfig(R"({"a":1})"), *MeasureConfig(R"({"a":2})"));
  EXPECT_EQ(*MeasureConfig("{}"), *crypto::Sha384(Bytes("{}")));
}

TEST(MeasurementTest, CanonicalJsonRejectsAmbiguousInput) {
  for (const char* bad :
       {R"({"a":1,"a":2})", R"({"a":1.5})", R"({"a":1e3})", R"({"a":01})", "{",
        R"({"a":1} x)", R"({"a":"\ud800"})", "{\"a\":\"\xff\"}"}) {
    EXPECT_EQ(CanonicalJson(bad).status().code(), StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(MeasurementTest, HexRoundTrips) {
  EXPECT_EQ(HexEncode(*HexDecode("00fFa1")), "00ffa1");
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

}  // namespace
}  // namespace cerumbra::attest
