// Copyright 2026 The Cerumbra Authors.

#include "protocol/record_layer.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "crypto/aead_internal.h"
#include "crypto/test_util.h"
#include "protocol/key_schedule.h"
#include "protocol/test_util.h"

namespace cerumbra::protocol {
namespace internal {

// Reaches inside the channels for the cases no honest peer can produce.
struct RecordLayerTestAccess {
  static void SetSeq(SendChannel& channel, uint64_t seq) {
    channel.state_.seq = seq;
  }
  static void SetSeq(RecvChannel& channel, uint64_t seq) {
    channel.state_.seq = seq;
  }
};

}  // namespace internal

namespace {

using crypto::testing::AsBytes;
using internal::RecordLayerTestAccess;

constexpr std::array<uint8_t, kSessionIdSize> kSessionId = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

crypto::SecretBytes Secret(uint8_t fill = 0x11) {
  return crypto::SecretBytes::CopyFrom(std::vector<uint8_t>(32, fill));
}

ChannelOptions Options(bool pad = true, uint64_t budget = kMaxRecordsPerKey) {
  ChannelOptions options;
  options.pad = pad;
  options.records_per_key = budget;
  return options;
}

SendChannel NewSender(
    const ChannelOptions& options = Options(), uint8_t fill = 0x11,
    const std::array<uint8_t, kSessionIdSize>& id = kSessionId) {
  return *SendChannel::Create(Secret(fill), id, options);
}

RecvChannel NewReceiver(
    const ChannelOptions& options = Options(), uint8_t fill = 0x11,
    const std::array<uint8_t, kSessionIdSize>& id = kSessionId) {
  return *RecvChannel::Create(Secret(fill), id, options);
}

std::vector<uint8_t> Bytes(std::string_view text) {
  const std::span<const uint8_t> bytes = AsBytes(text);
  return {bytes.begin(), bytes.end()};
}

std::vector<uint8_t> Seal(SendChannel& channel, ContentType type,
                          const std::vector<uint8_t>& payload) {
  Result<std::vector<uint8_t>> frame = channel.Seal(type, payload);
  CERUMBRA_CHECK(frame.ok());
  return *frame;
}

std::array<uint8_t, 12> NonceFor(const TrafficKeys& keys, uint64_t seq) {
  std::array<uint8_t, 12> nonce;
  std::copy_n(keys.iv.Reveal().begin(), 12, nonce.begin());
  for (int i = 0; i < 8; ++i) {
    nonce[4 + i] ^= static_cast<uint8_t>(seq >> (8 * (7 - i)));
  }
  return nonce;
}

std::vector<uint8_t> CraftFrame(const crypto::SecretBytes& secret, uint64_t seq,
                                const std::vector<uint8_t>& plaintext) {
  return testing::CraftRecordFrame(secret, kSessionId, seq, plaintext);
}

// Plaintext is RecordPlaintext, optionally with a false length field.
std::vector<uint8_t> Plaintext(uint8_t type,
                               const std::vector<uint8_t>& payload,
                               size_t padding = 0, uint32_t length_field = 0,
                               bool override_length = false) {
  std::vector<uint8_t> out = testing::RecordPlaintext(type, payload, padding);
  if (override_length) {
    for (int i = 0; i < 4; ++i) {
      out[1 + i] = static_cast<uint8_t>(length_field >> (8 * (3 - i)));
    }
  }
  return out;
}

void ExpectRejected(RecvChannel& receiver, const std::vector<uint8_t>& frame) {
  const Result<Record> record = receiver.Open(frame);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(record.status().message(), "session failed");
  EXPECT_TRUE(receiver.failed());
}

TEST(RecordLayerTest, SealThenOpenRoundTripsEveryContentType) {
  SendChannel sender = NewSender();
  RecvChannel receiver = NewReceiver();
  const std::vector<std::pair<ContentType, std::vector<uint8_t>>> records = {
      {ContentType::kData, Bytes("hello")},
      {ContentType::kEnd, Bytes("{}")},
      {ContentType::kEnd, {}},
      {ContentType::kCancel, {}},
      {ContentType::kKeyUpdate, {0x00}},
      {ContentType::kData, Bytes("after the update")},
      {ContentType::kKeyUpdate, {0x01}},
      {ContentType::kClose, {}},
  };
  for (const auto& [type, payload] : records) {
    const Result<Record> record = receiver.Open(Seal(sender, type, payload));
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    EXPECT_EQ(record->type, type);
    EXPECT_EQ(record->payload, payload);
  }
  EXPECT_EQ(sender.next_seq(), records.size());
  EXPECT_EQ(receiver.expected_seq(), records.size());
}

TEST(RecordLayerTest, FrameHeaderIsVersionFrameTypeAndSequenceNumber) {
  SendChannel sender = NewSender();
  RecordLayerTestAccess::SetSeq(sender, 0x0102030405060708);
  const std::vector<uint8_t> frame = Seal(sender, ContentType::kData, {1});
  const std::vector<uint8_t> header = {1, 0x17, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(std::vector<uint8_t>(frame.begin(), frame.begin() + 10), header);
}

TEST(RecordLayerTest, NonceIsTheBaseIvXorTheSequenceNumber) {
  SendChannel sender = NewSender(Options(/*pad=*/false));
  const TrafficKeys keys = *DeriveTrafficKeys(Secret());
  crypto::Aes256Gcm aead = *crypto::Aes256Gcm::Create(keys.key);
  for (uint64_t seq = 0; seq < 3; ++seq) {
    const std::vector<uint8_t> frame =
        Seal(sender, ContentType::kData, Bytes("record"));
    std::vector<uint8_t> aad(frame.begin(), frame.begin() + 10);
    aad.insert(aad.end(), kSessionId.begin(), kSessionId.end());
    const Result<std::vector<uint8_t>> plaintext =
        crypto::internal::OpenWithNonce(
            aead, NonceFor(keys, seq),
            std::span<const uint8_t>(frame).subspan(10), aad);
    ASSERT_TRUE(plaintext.ok()) << "seq " << seq;
    EXPECT_EQ(*plaintext, Plaintext(1, Bytes("record")));
  }
}

TEST(RecordLayerTest, OpenRejectsARecordOfAnotherSession) {
  SendChannel sender = NewSender();
  std::array<uint8_t, kSessionIdSize> other = kSessionId;
  other[15] ^= 1;
  RecvChannel receiver = NewReceiver(Options(), 0x11, other);
  ExpectRejected(receiver, Seal(sender, ContentType::kData, {1}));
}

TEST(RecordLayerTest, OpenRejectsARecordUnderAnotherSecret) {
  SendChannel sender = NewSender(Options(), 0x11);
  RecvChannel receiver = NewReceiver(Options(), 0x22);
  ExpectRejected(receiver, Seal(sender, ContentType::kData, {1}));
}

TEST(RecordLayerTest, OpenRejectsAReplayedRecord) {
  SendChannel sender = NewSender();
  RecvChannel receiver = NewReceiver();
  const std::vector<uint8_t> frame = Seal(sender, ContentType::kData, {1});
  ASSERT_TRUE(receiver.Open(frame).ok());
  ExpectRejected(receiver, frame);
}

TEST(RecordLayerTest, OpenRejectsReorderedRecords) {
  SendChannel sender = NewSender();
  RecvChannel receiver = NewReceiver();
  const std::vector<uint8_t> first = Seal(sender, ContentType::kData, {1});
  const std::vector<uint8_t> second = Seal(sender, ContentType::kData, {2});
  ExpectRejected(receiver, second);
  EXPECT_EQ(receiver.Open(first).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(RecordLayerTest, OpenRejectsARecordAfterADroppedOne) {
  SendChannel sender = NewSender();
  RecvChannel receiver = NewReceiver();
  ASSERT_TRUE(receiver.Open(Seal(sender, ContentType::kData, {1})).ok());
  (void)Seal(sender, ContentType::kData, {2});  // dropped in transit
  ExpectRejected(receiver, Seal(sender, ContentType::kData, {3}));
}

TEST(RecordLayerTest, OpenRejectsAFrameWithTheSequenceNumberRewritten) {
  // The right key and a seq the receiver expects, but the record was sealed
  // as seq 1: nonce and AAD differ.
  SendChannel sender = NewSender();
  (void)Seal(sender, ContentType::kData, {1});
  std::vector<uint8_t> frame = Seal(sender, ContentType::kData, {2});
  frame[9] = 0;
  RecvChannel receiver = NewReceiver();
  ExpectRejected(receiver, frame);
}

TEST(RecordLayerTest, OpenRejectsEveryTamperedByte) {
  SendChannel sender = NewSender();
  const std::vector<uint8_t> frame =
      Seal(sender, ContentType::kData, Bytes("attack at dawn"));
  // Header bytes, ciphertext bytes and tag bytes alike.
  for (size_t i = 0; i < frame.size(); ++i) {
    std::vector<uint8_t> tampered = frame;
    tampered[i] ^= 0x01;
    RecvChannel receiver = NewReceiver();
    ExpectRejected(receiver, tampered);
  }
}

TEST(RecordLayerTest, OpenRejectsTruncatedAndExtendedFrames) {
  SendChannel sender = NewSender(Options(/*pad=*/false));
  const std::vector<uint8_t> frame = Seal(sender, ContentType::kData, {1, 2});
  for (size_t size = 0; size < frame.size(); ++size) {
    RecvChannel receiver = NewReceiver();
    ExpectRejected(receiver,
                   std::vector<uint8_t>(frame.begin(), frame.begin() + size));
  }
  std::vector<uint8_t> extended = frame;
  extended.push_back(0);
  RecvChannel receiver = NewReceiver();
  ExpectRejected(receiver, extended);
}

TEST(RecordLayerTest, OpenRejectsAnotherVersionByte) {
  std::vector<uint8_t> frame = CraftFrame(Secret(), 0, Plaintext(1, {1}));
  frame[0] = 2;
  RecvChannel receiver = NewReceiver();
  ExpectRejected(receiver, frame);
  // Even with a tag that is valid for the changed header.
  testing::CraftOptions options;
  options.version = 2;
  RecvChannel second = NewReceiver();
  ExpectRejected(second, testing::CraftRecordFrame(Secret(), kSessionId, 0,
                                                   Plaintext(1, {1}), options));
}

TEST(RecordLayerTest, OpenRejectsAnUnknownFrameType) {
  for (uint8_t type : {0x00, 0x16, 0x18, 0xff}) {
    testing::CraftOptions options;
    options.frame_type = type;
    RecvChannel receiver = NewReceiver();
    ExpectRejected(receiver,
                   testing::CraftRecordFrame(Secret(), kSessionId, 0,
                                             Plaintext(1, {1}), options));
  }
}

TEST(RecordLayerTest, OpenRejectsAnUnexpectedSeqEvenWithAValidTag) {
  // Header seq 1, sealed with the nonce of seq 0 (which the receiver
  // expects): only the explicit seq check rejects it.
  testing::CraftOptions options;
  options.nonce_seq = 0;
  RecvChannel receiver = NewReceiver();
  ExpectRejected(receiver,
                 testing::CraftRecordFrame(Secret(), kSessionId, 1,
                                           Plaintext(1, {1}), options));
}

TEST(RecordLayerTest, OpenRejectsAnOversizeFrameEvenWithAValidTag) {
  // A valid largest payload padded one byte past the largest bucket.
  const std::vector<uint8_t> frame = CraftFrame(
      Secret(), 0, Plaintext(1, std::vector<uint8_t>(kMaxPayloadSize, 7), 1));
  EXPECT_EQ(frame.size(), kMaxRecordFrameSize + 1);
  RecvChannel receiver = NewReceiver();
  ExpectRejected(receiver, frame);
}

TEST(RecordLayerTest, LargestPayloadMakesTheLargestFrame) {
  SendChannel sender = NewSender();
  const std::vector<uint8_t> payload(kMaxPayloadSize, 0x5a);
  const std::vector<uint8_t> frame = Seal(sender, ContentType::kData, payload);
  EXPECT_EQ(frame.size(), kMaxRecordFrameSize);
  RecvChannel receiver = NewReceiver();
  EXPECT_EQ(receiver.Open(frame)->payload, payload);
}

TEST(RecordLayerTest, SealRejectsAnOversizePayloadAndFails) {
  SendChannel sender = NewSender();
  const std::vector<uint8_t> payload(kMaxPayloadSize + 1, 0x5a);
  EXPECT_EQ(sender.Seal(ContentType::kData, payload).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(sender.failed());
  EXPECT_EQ(sender.Seal(ContentType::kData, {}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(RecordLayerTest, PaddedFramesHaveExactlyTheBucketSizes) {
  const std::vector<std::pair<size_t, size_t>> cases = {
      {0, 64},      {1, 64},       {59, 64},      {60, 256},
      {251, 256},   {252, 1024},   {1019, 1024},  {1020, 4096},
      {4091, 4096}, {4092, 16384}, {16379, 16384}};
  for (const auto& [payload_size, bucket] : cases) {
    SendChannel sender = NewSender();
    const ContentType type =
        payload_size == 0 ? ContentType::kEnd : ContentType::kData;
    const std::vector<uint8_t> frame =
        Seal(sender, type, std::vector<uint8_t>(payload_size, 'x'));
    EXPECT_EQ(frame.size(), 10 + bucket + 16) << payload_size;
  }
}

TEST(RecordLayerTest, PaddedFrameSizeDoesNotDependOnThePayloadWithinABucket) {
  SendChannel sender = NewSender();
  RecvChannel receiver = NewReceiver();
  for (size_t size = 1; size <= 59; ++size) {
    const std::vector<uint8_t> payload(size, 'a');
    const std::vector<uint8_t> frame =
        Seal(sender, ContentType::kData, payload);
    EXPECT_EQ(frame.size(), 90u) << size;
    EXPECT_EQ(receiver.Open(frame)->payload, payload);
  }
}

TEST(RecordLayerTest, UnpaddedFramesAreHeaderPlusPayloadPlusTag) {
  SendChannel sender = NewSender(Options(/*pad=*/false));
  RecvChannel receiver = NewReceiver();
  for (size_t size : {1u, 59u, 60u, 1000u, 16379u}) {
    const std::vector<uint8_t> payload(size, 'b');
    const std::vector<uint8_t> frame =
        Seal(sender, ContentType::kData, payload);
    EXPECT_EQ(frame.size(), 10 + 5 + size + 16);
    EXPECT_EQ(receiver.Open(frame)->payload, payload);
  }
}

TEST(RecordLayerTest, OpenRejectsNonZeroPadding) {
  std::vector<uint8_t> plaintext = Plaintext(1, Bytes("hi"), 57);
  ASSERT_EQ(plaintext.size(), 64u);
  {
    RecvChannel receiver = NewReceiver();
    ASSERT_TRUE(receiver.Open(CraftFrame(Secret(), 0, plaintext)).ok());
  }
  for (size_t i : {7u, 30u, 63u}) {
    std::vector<uint8_t> bad = plaintext;
    bad[i] = 0x80;
    RecvChannel receiver = NewReceiver();
    ExpectRejected(receiver, CraftFrame(Secret(), 0, bad));
  }
}

TEST(RecordLayerTest, OpenRejectsALengthBeyondThePlaintext) {
  for (uint32_t length : {60u, 1000u, 0xffffffffu}) {
    RecvChannel receiver = NewReceiver();
    ExpectRejected(
        receiver,
        CraftFrame(Secret(), 0, Plaintext(1, Bytes("hi"), 57, length, true)));
  }
  // The length may end exactly at the end of the plaintext.
  RecvChannel receiver = NewReceiver();
  EXPECT_TRUE(receiver
                  .Open(CraftFrame(Secret(), 0,
                                   Plaintext(1, Bytes("hi"), 57, 59, true)))
                  .ok());
}

TEST(RecordLayerTest, OpenRejectsUnknownContentTypes) {
  for (uint8_t type : {0x00, 0x06, 0x17, 0xff}) {
    RecvChannel receiver = NewReceiver();
    ExpectRejected(receiver, CraftFrame(Secret(), 0, Plaintext(type, {1})));
  }
}

TEST(RecordLayerTest, OpenRejectsPayloadsInvalidForTheirType) {
  const std::vector<std::vector<uint8_t>> plaintexts = {
      Plaintext(1, {}),      // empty DATA
      Plaintext(3, {}),      // KEY_UPDATE without its byte
      Plaintext(3, {0x02}),  // KEY_UPDATE with an unknown byte
      Plaintext(3, {0, 0}),  // KEY_UPDATE too long
      Plaintext(4, {0}),     // CLOSE with a payload
      Plaintext(5, {0}),     // CANCEL with a payload
  };
  for (const std::vector<uint8_t>& plaintext : plaintexts) {
    RecvChannel receiver = NewReceiver();
    ExpectRejected(receiver, CraftFrame(Secret(), 0, plaintext));
  }
}

TEST(RecordLayerTest, SealRejectsPayloadsInvalidForTheirType) {
  const std::vector<std::pair<ContentType, std::vector<uint8_t>>> cases = {
      {ContentType::kData, {}},       {ContentType::kKeyUpdate, {}},
      {ContentType::kKeyUpdate, {2}}, {ContentType::kClose, {0}},
      {ContentType::kCancel, {0}},    {static_cast<ContentType>(6), {1}},
  };
  for (const auto& [type, payload] : cases) {
    SendChannel sender = NewSender();
    EXPECT_EQ(sender.Seal(type, payload).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_TRUE(sender.failed());
  }
}

TEST(RecordLayerTest, KeyUpdateMovesBothEndsToTheNextSecret) {
  SendChannel sender = NewSender(Options(/*pad=*/false));
  RecvChannel receiver = NewReceiver();
  ASSERT_TRUE(receiver.Open(Seal(sender, ContentType::kKeyUpdate, {0})).ok());
  const std::vector<uint8_t> frame = Seal(sender, ContentType::kData, {9});
  // The record after the update is sealed under next(S), still seq 1.
  const crypto::SecretBytes next = *NextTrafficSecret(Secret());
  EXPECT_EQ(frame, CraftFrame(next, 1, Plaintext(1, {9})));
  EXPECT_EQ(receiver.Open(frame)->payload, std::vector<uint8_t>{9});
}

TEST(RecordLayerTest, OpenRejectsARecordUnderTheOldSecretAfterAKeyUpdate) {
  SendChannel sender = NewSender();
  RecvChannel receiver = NewReceiver();
  ASSERT_TRUE(receiver.Open(Seal(sender, ContentType::kKeyUpdate, {0})).ok());
  ExpectRejected(receiver, CraftFrame(Secret(), 1, Plaintext(1, {1})));
}

TEST(RecordLayerTest, TheBudgetReservesItsLastSlotForAKeyUpdate) {
  SendChannel sender = NewSender(Options(true, /*budget=*/4));
  RecvChannel receiver = NewReceiver(Options(true, 4));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_FALSE(sender.NeedsKeyUpdate());
      ASSERT_TRUE(receiver.Open(Seal(sender, ContentType::kData, {1})).ok());
    }
    EXPECT_TRUE(sender.NeedsKeyUpdate());
    ASSERT_TRUE(receiver.Open(Seal(sender, ContentType::kKeyUpdate, {0})).ok());
  }
  SendChannel full = NewSender(Options(true, 2));
  (void)Seal(full, ContentType::kData, {1});
  EXPECT_EQ(
      full.Seal(ContentType::kData, std::vector<uint8_t>{1}).status().code(),
      StatusCode::kFailedPrecondition);
  EXPECT_TRUE(full.failed());
}

TEST(RecordLayerTest, OpenRejectsARecordPastTheBudget) {
  SendChannel sender = NewSender(Options(true, 5));  // a peer that overruns
  RecvChannel receiver = NewReceiver(Options(true, 4));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(receiver.Open(Seal(sender, ContentType::kData, {1})).ok());
  }
  ExpectRejected(receiver, Seal(sender, ContentType::kData, {1}));
}

TEST(RecordLayerTest, SealFailsRatherThanUseTheLastSequenceNumber) {
  SendChannel sender = NewSender();
  RecordLayerTestAccess::SetSeq(sender,
                                std::numeric_limits<uint64_t>::max() - 1);
  ASSERT_TRUE(sender.Seal(ContentType::kData, std::vector<uint8_t>{1}).ok());
  EXPECT_EQ(
      sender.Seal(ContentType::kData, std::vector<uint8_t>{1}).status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_TRUE(sender.failed());
}

TEST(RecordLayerTest, OpenRejectsTheLastSequenceNumber) {
  constexpr uint64_t kLast = std::numeric_limits<uint64_t>::max();
  RecvChannel receiver = NewReceiver();
  RecordLayerTestAccess::SetSeq(receiver, kLast);
  ExpectRejected(receiver, CraftFrame(Secret(), kLast, Plaintext(1, {1})));
}

TEST(RecordLayerTest, AFailedReceiverRejectsEvenValidFrames) {
  SendChannel sender = NewSender();
  RecvChannel receiver = NewReceiver();
  std::vector<uint8_t> frame = Seal(sender, ContentType::kData, {1});
  frame.back() ^= 1;
  ExpectRejected(receiver, frame);
  frame.back() ^= 1;
  EXPECT_EQ(receiver.Open(frame).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(RecordLayerTest, CreateRejectsBadSecretsAndBudgets) {
  const crypto::SecretBytes short_secret =
      crypto::SecretBytes::CopyFrom(std::vector<uint8_t>(16, 1));
  EXPECT_FALSE(
      SendChannel::Create(crypto::SecretBytes::CopyFrom(short_secret.Reveal()),
                          kSessionId, Options())
          .ok());
  EXPECT_FALSE(
      RecvChannel::Create(Secret(), kSessionId, Options(true, 1)).ok());
  EXPECT_FALSE(SendChannel::Create(Secret(), kSessionId,
                                   Options(true, kMaxRecordsPerKey + 1))
                   .ok());
}

}  // namespace
}  // namespace cerumbra::protocol
