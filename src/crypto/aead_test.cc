// Copyright 2026 The Cerumbra Authors.

#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "crypto/aead_internal.h"
#include "crypto/random.h"
#include "crypto/test_util.h"

namespace cerumbra::crypto {
namespace {

using testing::AsBytes;
using testing::HexDecode;
using testing::HexEncode;

static_assert(!std::is_copy_constructible_v<Aes256Gcm>);

SecretBytes NewKey() { return *RandomSecretBytes(kAes256GcmKeySize); }

Aes256Gcm NewCipher(const SecretBytes& key) {
  Result<Aes256Gcm> aead = Aes256Gcm::Create(key);
  CERUMBRA_CHECK(aead.ok());
  return *std::move(aead);
}

std::vector<uint8_t> Pattern(size_t size) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 7 + 1);
  return out;
}

void ExpectUnauthenticated(const Result<std::vector<uint8_t>>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
  // One opaque message for every authentication failure.
  EXPECT_EQ(result.status().message(), "decryption failed");
}

class Aes256GcmTest : public ::testing::Test {
 protected:
  SecretBytes key_ = NewKey();
  Aes256Gcm aead_ = NewCipher(key_);
  std::vector<uint8_t> aad_ = {'h', 'e', 'a', 'd', 'e', 'r'};
};

TEST_F(Aes256GcmTest, SealThenOpenRoundTripsManySizes) {
  for (size_t size : {0u, 1u, 15u, 16u, 17u, 64u, 1024u, 16384u, 100000u}) {
    const std::vector<uint8_t> plaintext = Pattern(size);
    Result<std::vector<uint8_t>> sealed = aead_.Seal(plaintext, aad_);
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    EXPECT_EQ(sealed->size(), size + kAesGcmNonceSize + kAesGcmTagSize);
    Result<std::vector<uint8_t>> opened = aead_.Open(*sealed, aad_);
    ASSERT_TRUE(opened.ok()) << "size " << size;
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST_F(Aes256GcmTest, SealPicksAFreshNonceEachTime) {
  const std::vector<uint8_t> plaintext = Pattern(32);
  const std::vector<uint8_t> a = *aead_.Seal(plaintext, aad_);
  const std::vector<uint8_t> b = *aead_.Seal(plaintext, aad_);
  EXPECT_NE(std::vector<uint8_t>(a.begin(), a.begin() + kAesGcmNonceSize),
            std::vector<uint8_t>(b.begin(), b.begin() + kAesGcmNonceSize));
  EXPECT_NE(a, b);
}

TEST_F(Aes256GcmTest, AnotherInstanceWithTheSameKeyOpens) {
  Aes256Gcm other = NewCipher(key_);
  const std::vector<uint8_t> sealed = *aead_.Seal(Pattern(100), aad_);
  EXPECT_EQ(*other.Open(sealed, aad_), Pattern(100));
}

TEST_F(Aes256GcmTest, OpenRejectsTamperedTag) {
  std::vector<uint8_t> sealed = *aead_.Seal(Pattern(64), aad_);
  for (size_t i = sealed.size() - kAesGcmTagSize; i < sealed.size(); ++i) {
    std::vector<uint8_t> bad = sealed;
    bad[i] ^= 0x01;
    ExpectUnauthenticated(aead_.Open(bad, aad_));
  }
}

TEST_F(Aes256GcmTest, OpenRejectsTamperedCiphertext) {
  std::vector<uint8_t> sealed = *aead_.Seal(Pattern(64), aad_);
  for (size_t i = kAesGcmNonceSize; i < sealed.size() - kAesGcmTagSize; ++i) {
    std::vector<uint8_t> bad = sealed;
    bad[i] ^= 0x80;
    ExpectUnauthenticated(aead_.Open(bad, aad_));
  }
}

TEST_F(Aes256GcmTest, OpenRejectsTamperedNonce) {
  std::vector<uint8_t> sealed = *aead_.Seal(Pattern(64), aad_);
  for (size_t i = 0; i < kAesGcmNonceSize; ++i) {
    std::vector<uint8_t> bad = sealed;
    bad[i] ^= 0x04;
    ExpectUnauthenticated(aead_.Open(bad, aad_));
  }
}

TEST_F(Aes256GcmTest, OpenRejectsTamperedAad) {
  const std::vector<uint8_t> sealed = *aead_.Seal(Pattern(64), aad_);
  std::vector<uint8_t> bad_aad = aad_;
  bad_aad[0] ^= 1;
  ExpectUnauthenticated(aead_.Open(sealed, bad_aad));
  ExpectUnauthenticated(aead_.Open(sealed, {}));
  bad_aad = aad_;
  bad_aad.push_back(0);
  ExpectUnauthenticated(aead_.Open(sealed, bad_aad));
}

TEST_F(Aes256GcmTest, OpenRejectsWrongKey) {
  Aes256Gcm other = NewCipher(NewKey());
  const std::vector<uint8_t> sealed = *aead_.Seal(Pattern(64), aad_);
  ExpectUnauthenticated(other.Open(sealed, aad_));
}

TEST_F(Aes256GcmTest, OpenRejectsTruncatedAndExtendedInput) {
  const std::vector<uint8_t> sealed = *aead_.Seal(Pattern(8), aad_);
  for (size_t size = 0; size < sealed.size(); ++size) {
    ExpectUnauthenticated(
        aead_.Open(std::span<const uint8_t>(sealed).first(size), aad_));
  }
  std::vector<uint8_t> longer = sealed;
  longer.push_back(0);
  ExpectUnauthenticated(aead_.Open(longer, aad_));
}

TEST_F(Aes256GcmTest, FailedOpenDoesNotDisturbTheReusedContext) {
  const std::vector<uint8_t> good = *aead_.Seal(Pattern(40), aad_);
  std::vector<uint8_t> bad = good;
  bad.back() ^= 1;
  for (int i = 0; i < 3; ++i) {
    ExpectUnauthenticated(aead_.Open(bad, aad_));
    EXPECT_EQ(*aead_.Open(good, aad_), Pattern(40));
    EXPECT_TRUE(aead_.Seal(Pattern(3), aad_).ok());
  }
}

TEST(Aes256GcmCreateTest, RejectsKeysThatAreNot32Bytes) {
  for (size_t size : {0u, 16u, 24u, 31u, 33u, 64u}) {
    const SecretBytes key(size);
    EXPECT_EQ(Aes256Gcm::Create(key).status().code(),
              StatusCode::kInvalidArgument)
        << size;
  }
}

TEST(Aes256GcmCreateTest, MovedFromCipherFailsInsteadOfCrashing) {
  Aes256Gcm a = NewCipher(NewKey());
  Aes256Gcm b = std::move(a);
  // NOLINTNEXTLINE(bugprone-use-after-move): checking the moved-from state.
  EXPECT_EQ(a.Seal(Pattern(1), {}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(b.Seal(Pattern(1), {}).ok());
}

// --- The record layer's nonce-taking entry points. -------------------------

// NIST GCM specification (McGrew & Viega), test case 16: AES-256 with AAD.
constexpr char kTc16Key[] =
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr char kTc16Iv[] = "cafebabefacedbaddecaf888";
constexpr char kTc16Plaintext[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95"
    "956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
constexpr char kTc16Aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr char kTc16CiphertextAndTag[] =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48"
    "590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
    "76fc6ece0f4e1768cddf8853bb2d551b";

TEST(AeadInternalTest, SealWithNonceMatchesGcmSpecTestCase16) {
  Aes256Gcm aead = NewCipher(SecretBytes::CopyFrom(HexDecode(kTc16Key)));
  Result<std::vector<uint8_t>> sealed = internal::SealWithNonce(
      aead, HexDecode(kTc16Iv), HexDecode(kTc16Plaintext), HexDecode(kTc16Aad));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(*sealed), kTc16CiphertextAndTag);
  Result<std::vector<uint8_t>> opened = internal::OpenWithNonce(
      aead, HexDecode(kTc16Iv), HexDecode(kTc16CiphertextAndTag),
      HexDecode(kTc16Aad));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(HexEncode(*opened), kTc16Plaintext);
}

TEST(AeadInternalTest, RandomNonceSealOpensWithTheNonceTakingOpen) {
  Aes256Gcm aead = NewCipher(NewKey());
  const std::vector<uint8_t> sealed = *aead.Seal(Pattern(20), AsBytes("ad"));
  const auto nonce = std::span<const uint8_t>(sealed).first(kAesGcmNonceSize);
  const auto rest = std::span<const uint8_t>(sealed).subspan(kAesGcmNonceSize);
  EXPECT_EQ(*internal::OpenWithNonce(aead, nonce, rest, AsBytes("ad")),
            Pattern(20));
}

TEST(AeadInternalTest, NonceTakingCallsRejectWrongNonceSizes) {
  Aes256Gcm aead = NewCipher(NewKey());
  for (size_t size : {0u, 8u, 11u, 13u, 16u}) {
    const std::vector<uint8_t> nonce(size, 1);
    EXPECT_EQ(
        internal::SealWithNonce(aead, nonce, Pattern(4), {}).status().code(),
        StatusCode::kInvalidArgument);
    EXPECT_EQ(
        internal::OpenWithNonce(aead, nonce, Pattern(20), {}).status().code(),
        StatusCode::kInvalidArgument);
  }
}

TEST(AeadInternalTest, OpenWithNonceRejectsTheWrongNonce) {
  Aes256Gcm aead = NewCipher(NewKey());
  std::vector<uint8_t> nonce(kAesGcmNonceSize, 0);
  const std::vector<uint8_t> sealed =
      *internal::SealWithNonce(aead, nonce, Pattern(30), {});
  nonce[11] = 1;  // The next sequence number.
  ExpectUnauthenticated(internal::OpenWithNonce(aead, nonce, sealed, {}));
}

TEST(AeadInternalTest, ForTestingEntryPointsHandleOtherKeyAndIvSizes) {
  for (size_t key_size : {16u, 24u, 32u}) {
    for (size_t iv_size : {1u, 8u, 12u, 16u, 128u, 129u, 300u}) {
      const std::vector<uint8_t> key = Pattern(key_size);
      const std::vector<uint8_t> iv(iv_size, 0x42);
      Result<std::vector<uint8_t>> sealed =
          internal::AesGcmSealForTesting(key, iv, Pattern(50), AsBytes("a"));
      ASSERT_TRUE(sealed.ok()) << key_size << "/" << iv_size;
      EXPECT_EQ(*internal::AesGcmOpenForTesting(key, iv, *sealed, AsBytes("a")),
                Pattern(50));
      std::vector<uint8_t> bad = *sealed;
      bad[0] ^= 1;
      ExpectUnauthenticated(
          internal::AesGcmOpenForTesting(key, iv, bad, AsBytes("a")));
    }
  }
}

TEST(AeadInternalTest, ForTestingEntryPointsAgreeWithProductionPath) {
  const std::vector<uint8_t> key = HexDecode(kTc16Key);
  EXPECT_EQ(HexEncode(*internal::AesGcmSealForTesting(key, HexDecode(kTc16Iv),
                                                      HexDecode(kTc16Plaintext),
                                                      HexDecode(kTc16Aad))),
            kTc16CiphertextAndTag);
}

TEST(AeadInternalTest, ForTestingEntryPointsRejectEmptyIvAndBadKeys) {
  EXPECT_EQ(internal::AesGcmSealForTesting(Pattern(16), {}, Pattern(4), {})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(internal::AesGcmOpenForTesting(Pattern(16), {}, Pattern(20), {})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      internal::AesGcmSealForTesting(Pattern(20), Pattern(12), Pattern(4), {})
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cerumbra::crypto
