// Copyright 2026 The Cerumbra Authors.

#include "crypto/sha.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "crypto/test_util.h"

namespace cerumbra::crypto {
namespace {

using testing::AsBytes;
using testing::HexEncode;

constexpr char kTwoBlockMessage[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

// FIPS 180-2 Appendix B (SHA-256) and Appendix D (SHA-384) examples, plus
// the well-known digests of the empty string.
TEST(ShaTest, Sha256MatchesFips180Examples) {
  EXPECT_EQ(HexEncode(*Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(*Sha256(AsBytes(kTwoBlockMessage))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(HexEncode(*Sha256({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ShaTest, Sha384MatchesFips180Examples) {
  EXPECT_EQ(HexEncode(*Sha384(AsBytes("abc"))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(HexEncode(*Sha384({})),
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
            "274edebfe76f65fbd51ad2f14898b95b");
}

std::vector<uint8_t> Pattern(size_t size) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 31 + 3);
  return out;
}

TEST(ShaTest, StreamingSha256MatchesOneShotForAnySplit) {
  const std::vector<uint8_t> data = Pattern(100000);
  const Sha256Digest expected = *Sha256(data);
  for (size_t chunk : {1u, 63u, 64u, 65u, 4096u, 99999u}) {
    Result<Sha256Hasher> hasher = Sha256Hasher::Create();
    ASSERT_TRUE(hasher.ok());
    for (size_t pos = 0; pos < data.size(); pos += chunk) {
      hasher->Update(std::span<const uint8_t>(data).subspan(
          pos, std::min(chunk, data.size() - pos)));
    }
    Result<Sha256Digest> digest = hasher->Finish();
    ASSERT_TRUE(digest.ok());
    EXPECT_EQ(*digest, expected) << "chunk " << chunk;
  }
}

TEST(ShaTest, StreamingSha384MatchesOneShot) {
  const std::vector<uint8_t> data = Pattern(5000);
  Result<Sha384Hasher> hasher = Sha384Hasher::Create();
  ASSERT_TRUE(hasher.ok());
  hasher->Update(std::span<const uint8_t>(data).first(1234));
  hasher->Update({});
  hasher->Update(std::span<const uint8_t>(data).subspan(1234));
  EXPECT_EQ(*hasher->Finish(), *Sha384(data));
}

TEST(ShaTest, SecondFinishFailsAndLaterUpdatesAreIgnored) {
  Result<Sha256Hasher> hasher = Sha256Hasher::Create();
  ASSERT_TRUE(hasher.ok());
  hasher->Update(AsBytes("abc"));
  ASSERT_TRUE(hasher->Finish().ok());
  hasher->Update(AsBytes("more"));
  Result<Sha256Digest> again = hasher->Finish();
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST(ShaTest, MovedFromHasherFailsInsteadOfCrashing) {
  Result<Sha384Hasher> hasher = Sha384Hasher::Create();
  ASSERT_TRUE(hasher.ok());
  Sha384Hasher moved = std::move(*hasher);
  hasher->Update(AsBytes("x"));  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(hasher->Finish().ok());
  moved.Update(AsBytes("abc"));
  EXPECT_EQ(*moved.Finish(), *Sha384(AsBytes("abc")));
}

}  // namespace
}  // namespace cerumbra::crypto
