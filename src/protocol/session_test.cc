// Copyright 2026 The Cerumbra Authors.

#include "protocol/session.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "crypto/test_util.h"
#include "protocol/test_util.h"

namespace cerumbra::protocol {
namespace {

using crypto::testing::AsBytes;

constexpr std::array<uint8_t, kSessionIdSize> kSessionId = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

std::vector<uint8_t> Bytes(std::string_view text) {
  const std::span<const uint8_t> bytes = AsBytes(text);
  return {bytes.begin(), bytes.end()};
}

std::vector<uint8_t> Pattern(size_t size) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 31 + 7);
  return out;
}

crypto::SecretBytes Fill(uint8_t value) {
  return crypto::SecretBytes::CopyFrom(std::vector<uint8_t>(32, value));
}

// FixedKeys are known session keys, so a test can also build a raw
// SendChannel that speaks as the client or the node.
SessionKeys FixedKeys() {
  SessionKeys keys;
  keys.c2s_secret = Fill(0xc2);
  keys.s2c_secret = Fill(0x5c);
  keys.session_id = kSessionId;
  return keys;
}

SessionOptions Options(uint64_t budget = kMaxRecordsPerKey,
                       size_t max_message = 1024 * 1024, bool pad = true) {
  SessionOptions options;
  options.limits.records_per_key = budget;
  options.limits.max_message = max_message;
  options.pad_records = pad;
  return options;
}

Session NewSession(Role role, const SessionOptions& options = Options()) {
  return *Session::Create(role, FixedKeys(), options);
}

// RawSender seals records as `role` would, with no grammar checks.
SendChannel RawSender(Role role, uint64_t budget = kMaxRecordsPerKey) {
  ChannelOptions options;
  options.records_per_key = budget;
  return *SendChannel::Create(role == Role::kClient ? Fill(0xc2) : Fill(0x5c),
                              kSessionId, options);
}

Frame Raw(SendChannel& sender, ContentType type,
          const std::vector<uint8_t>& payload = {}) {
  return *sender.Seal(type, payload);
}

std::vector<Frame> Frames(Result<std::vector<Frame>> frames) {
  CERUMBRA_CHECK(frames.ok());
  return *std::move(frames);
}

// Deliver feeds `frames` to `to` and returns every event, failing the test
// when a frame is rejected.
std::vector<Event> Deliver(Session& to, const std::vector<Frame>& frames) {
  std::vector<Event> all;
  for (const Frame& frame : frames) {
    Result<std::vector<Event>> events = to.Receive(frame);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (!events.ok()) return all;
    for (Event& event : *events) all.push_back(std::move(event));
  }
  return all;
}

// Assemble joins the kData events and checks the message ends with kEnd.
std::vector<uint8_t> Assemble(const std::vector<Event>& events,
                              std::vector<uint8_t>* end_payload = nullptr) {
  std::vector<uint8_t> message;
  bool ended = false;
  for (const Event& event : events) {
    if (event.type == EventType::kData) {
      EXPECT_FALSE(ended);
      message.insert(message.end(), event.bytes.begin(), event.bytes.end());
    } else if (event.type == EventType::kEnd) {
      ended = true;
      if (end_payload != nullptr) *end_payload = event.bytes;
    }
  }
  EXPECT_TRUE(ended);
  return message;
}

void ExpectRejected(Session& session, const Frame& frame) {
  const Result<std::vector<Event>> events = session.Receive(frame);
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(events.status().message(), "session failed");
  EXPECT_EQ(session.state(), SessionState::kFailed);
}

TEST(SessionTest, ClientAndNodeExchangeSeveralMessagesBothWays) {
  testing::SessionPair pair = testing::MakeSessionPair();
  EXPECT_EQ(pair.client.Fingerprint(), pair.node.Fingerprint());
  for (size_t size : {size_t{0}, size_t{1}, size_t{100}, kMaxPayloadSize,
                      kMaxPayloadSize + 1, 3 * kMaxPayloadSize + 17}) {
    const std::vector<uint8_t> request = Pattern(size);
    std::vector<uint8_t> end;
    EXPECT_EQ(Assemble(Deliver(pair.node, Frames(pair.client.SendMessage(
                                              request, R"({"n":1})"))),
                       &end),
              request);
    EXPECT_EQ(end, Bytes(R"({"n":1})"));
    const std::vector<uint8_t> response = Pattern(size + 3);
    std::vector<Frame> frames = Frames(pair.node.SendData(response));
    for (Frame& f : Frames(pair.node.SendEnd())) frames.push_back(std::move(f));
    EXPECT_EQ(Assemble(Deliver(pair.client, frames), &end), response);
    EXPECT_TRUE(end.empty());
  }
  // Close: the node answers the client's CLOSE with its own.
  const std::vector<Event> events =
      Deliver(pair.node, Frames(pair.client.Close()));
  EXPECT_EQ(pair.client.state(), SessionState::kClosing);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kClose);
  EXPECT_EQ(events[1].type, EventType::kSend);
  EXPECT_EQ(pair.node.state(), SessionState::kClosed);
  const std::vector<Event> closed = Deliver(pair.client, {events[1].bytes});
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].type, EventType::kClose);
  EXPECT_EQ(pair.client.state(), SessionState::kClosed);
  EXPECT_TRUE(pair.client.ConnectionEnded().ok());
  EXPECT_TRUE(pair.node.ConnectionEnded().ok());
}

TEST(SessionTest, MessagesAreSplitAtTheLargestPayload) {
  Session client = NewSession(Role::kClient);
  const std::vector<Frame> frames =
      Frames(client.SendMessage(Pattern(2 * kMaxPayloadSize + 1)));
  ASSERT_EQ(frames.size(), 4u);  // DATA, DATA, DATA (1 byte), END
  EXPECT_EQ(frames[0].size(), kMaxRecordFrameSize);
  EXPECT_EQ(frames[1].size(), kMaxRecordFrameSize);
  EXPECT_EQ(frames[2].size(), 10u + 64 + 16);
  EXPECT_EQ(frames[3].size(), 10u + 64 + 16);
}

TEST(SessionTest, FingerprintIsTheFirstEightBytesOfTheSessionIdInHex) {
  const Session session = NewSession(Role::kClient);
  EXPECT_EQ(session.Fingerprint(), "a0a1a2a3a4a5a6a7");
  EXPECT_EQ(std::vector<uint8_t>(session.session_id().begin(),
                                 session.session_id().end()),
            std::vector<uint8_t>(kSessionId.begin(), kSessionId.end()));
}

TEST(SessionTest, EachDirectionHasItsOwnKeys) {
  Session client = NewSession(Role::kClient);
  Session node = NewSession(Role::kNode);
  const std::vector<Frame> frames = Frames(client.SendMessage(Bytes("hi")));
  // The node (c2s receiver) opens it ...
  Deliver(node, frames);
  // ... but reflected back to the client's own receiver (s2c) it fails.
  Session client_copy = NewSession(Role::kClient);
  ExpectRejected(client_copy, frames[0]);
}

TEST(SessionTest, RecordsOfAnotherSessionAreRejected) {
  testing::SessionPair a = testing::MakeSessionPair();
  testing::SessionPair b = testing::MakeSessionPair();
  const std::vector<Frame> frames = Frames(a.client.SendMessage(Bytes("x")));
  ExpectRejected(b.node, frames[0]);
}

TEST(SessionTest, ReplayedReorderedAndDroppedRecordsAreRejected) {
  Session client = NewSession(Role::kClient);
  const std::vector<Frame> frames =
      Frames(client.SendMessage(Pattern(3 * kMaxPayloadSize)));
  ASSERT_EQ(frames.size(), 4u);
  {
    Session node = NewSession(Role::kNode);
    Deliver(node, {frames[0]});
    ExpectRejected(node, frames[0]);  // replayed
  }
  {
    Session node = NewSession(Role::kNode);
    ExpectRejected(node, frames[1]);  // reordered
  }
  {
    Session node = NewSession(Role::kNode);
    Deliver(node, {frames[0]});
    ExpectRejected(node, frames[2]);  // frames[1] dropped
  }
}

TEST(SessionTest, TruncationIsDetectable) {
  Session node = NewSession(Role::kNode);
  Session client = NewSession(Role::kClient);
  Deliver(client, Frames(node.SendData(Bytes("partial answer"))));
  EXPECT_TRUE(client.receiving_message());
  // The connection ends here: no END, no CLOSE.
  const Status status = client.ConnectionEnded();
  EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(client.state(), SessionState::kFailed);
}

TEST(SessionTest, AConnectionEndingWithoutCloseIsTruncatedEvenBetweenMessages) {
  Session node = NewSession(Role::kNode);
  Session client = NewSession(Role::kClient);
  Deliver(client, Frames(node.SendMessage(Bytes("whole answer"))));
  EXPECT_FALSE(client.receiving_message());
  EXPECT_EQ(client.ConnectionEnded().code(), StatusCode::kUnauthenticated);
}

TEST(SessionTest, KeysUpdateAutomaticallyWithinTheBudget) {
  Session client = NewSession(Role::kClient, Options(/*budget=*/4));
  Session node = NewSession(Role::kNode, Options(4));
  const std::vector<uint8_t> message = Pattern(10 * kMaxPayloadSize);
  const std::vector<Frame> frames = Frames(client.SendMessage(message));
  // 10 DATA + END = 11 records; a KEY_UPDATE takes every 4th slot: 3 more.
  EXPECT_EQ(frames.size(), 14u);
  EXPECT_EQ(Assemble(Deliver(node, frames)), message);
  // The other direction too, and again after that.
  EXPECT_EQ(Assemble(Deliver(client, Frames(node.SendMessage(message)))),
            message);
  EXPECT_EQ(Assemble(Deliver(node, Frames(client.SendMessage(message)))),
            message);
}

TEST(SessionTest, AKeyUpdateRequestIsAnsweredByThePeer) {
  testing::SessionPair pair = testing::MakeSessionPair();
  const std::vector<Frame> request = Frames(pair.client.RequestKeyUpdate());
  ASSERT_EQ(request.size(), 1u);
  const std::vector<Event> events = Deliver(pair.node, request);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kSend);
  EXPECT_TRUE(Deliver(pair.client, {events[0].bytes}).empty());
  // Both directions moved on and still work.
  EXPECT_EQ(
      Assemble(Deliver(pair.node, Frames(pair.client.SendMessage(Bytes("q"))))),
      Bytes("q"));
  EXPECT_EQ(
      Assemble(Deliver(pair.client, Frames(pair.node.SendMessage(Bytes("a"))))),
      Bytes("a"));
}

TEST(SessionTest, TheAnsweringKeyUpdateUsesTheNextSecret) {
  // Feed the node's answer to a receiver still on the first s2c secret: it
  // opens (the answer itself is the last record under that secret), and the
  // next node record only opens under next(S).
  Session node = NewSession(Role::kNode);
  SendChannel raw_client = RawSender(Role::kClient);
  const std::vector<Event> events =
      Deliver(node, {Raw(raw_client, ContentType::kKeyUpdate, {1})});
  ASSERT_EQ(events.size(), 1u);
  RecvChannel old_keys = *RecvChannel::Create(Fill(0x5c), kSessionId, {});
  const Result<Record> answer = old_keys.Open(events[0].bytes);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->type, ContentType::kKeyUpdate);
  EXPECT_EQ(answer->payload, std::vector<uint8_t>{0});
  const std::vector<Frame> next = Frames(node.SendMessage(Bytes("a")));
  EXPECT_TRUE(old_keys.Open(next[0]).ok());  // it switched with the answer
}

TEST(SessionTest, AReceiverRejectsARecordPastTheBudget) {
  // The client overruns: budget 5 on its side, 4 at the node.
  Session client = NewSession(Role::kClient, Options(5));
  Session node = NewSession(Role::kNode, Options(4));
  const std::vector<Frame> frames =
      Frames(client.SendData(Pattern(4 * kMaxPayloadSize)));
  ASSERT_EQ(frames.size(), 4u);
  Deliver(node, {frames[0], frames[1], frames[2]});
  ExpectRejected(node, frames[3]);
}

TEST(SessionTest, PaddingCanBeTurnedOff) {
  Session client = NewSession(
      Role::kClient, Options(kMaxRecordsPerKey, 1 << 20, /*pad=*/false));
  Session node = NewSession(Role::kNode);
  const std::vector<Frame> frames = Frames(client.SendMessage(Bytes("abc")));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].size(), 10u + 5 + 3 + 16);
  EXPECT_EQ(frames[1].size(), 10u + 5 + 16);
  EXPECT_EQ(Assemble(Deliver(node, frames)), Bytes("abc"));
}

TEST(SessionTest, AMessageOverTheLimitIsRejected) {
  Session client = NewSession(Role::kClient);
  Session exact = NewSession(Role::kNode, Options(kMaxRecordsPerKey, 100));
  EXPECT_EQ(Assemble(Deliver(exact, Frames(client.SendMessage(Pattern(100))))),
            Pattern(100));
  // The limit is per message: the next one may be as large again.
  const std::vector<Frame> frames =
      Frames(client.SendData(std::vector<uint8_t>(60, 1)));
  Deliver(exact, frames);
  const std::vector<Frame> more =
      Frames(client.SendData(std::vector<uint8_t>(41, 1)));
  ExpectRejected(exact, more[0]);
}

TEST(SessionTest, AnEmptyDataRecordIsRejected) {
  // An honest sender cannot make one (SendData sends nothing for no bytes);
  // craft it.
  Session client = NewSession(Role::kClient);
  EXPECT_TRUE(Frames(client.SendData({})).empty());
  Session node = NewSession(Role::kNode);
  ExpectRejected(
      node, testing::CraftRecordFrame(Fill(0xc2), kSessionId, 0,
                                      testing::RecordPlaintext(0x01, {}, 59)));
}

TEST(SessionTest, CancelFromTheNodeIsRejected) {
  Session node = NewSession(Role::kNode);
  EXPECT_EQ(node.SendCancel().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(node.state(), SessionState::kFailed);
  Session client = NewSession(Role::kClient);
  SendChannel raw_node = RawSender(Role::kNode);
  ExpectRejected(client, Raw(raw_node, ContentType::kCancel));
}

TEST(SessionTest, CancelFromTheClientReachesTheNode) {
  Session client = NewSession(Role::kClient);
  Session node = NewSession(Role::kNode);
  Deliver(node, Frames(client.SendMessage(Bytes("long question"))));
  const std::vector<Event> events = Deliver(node, Frames(client.SendCancel()));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kCancel);
}

TEST(SessionTest, CancelInsideAMessageIsRejected) {
  Session node = NewSession(Role::kNode);
  SendChannel raw = RawSender(Role::kClient);
  Deliver(node, {Raw(raw, ContentType::kData, {1})});
  ExpectRejected(node, Raw(raw, ContentType::kCancel));
  Session client = NewSession(Role::kClient);
  (void)Frames(client.SendData(Bytes("x")));
  EXPECT_EQ(client.SendCancel().status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(SessionTest, EndPayloadMustBeEmptyOrAJsonObject) {
  Session client = NewSession(Role::kClient);
  for (const char* bad : {"[]", "1", "{", "{\"a\":1,\"a\":2}", "\"x\""}) {
    Session sender = NewSession(Role::kClient);
    EXPECT_EQ(sender.SendEnd(bad).status().code(), StatusCode::kInvalidArgument)
        << bad;
    Session node = NewSession(Role::kNode);
    SendChannel raw = RawSender(Role::kClient);
    ExpectRejected(node, Raw(raw, ContentType::kEnd, Bytes(bad)));
  }
  // A bad END argument to SendMessage produces no frame at all.
  EXPECT_FALSE(client.SendMessage(Bytes("data"), "[]").ok());
}

TEST(SessionTest, NothingIsAcceptedAfterTheCloseRecord) {
  Session node = NewSession(Role::kNode);
  SendChannel raw = RawSender(Role::kClient);
  Deliver(node, {Raw(raw, ContentType::kClose)});
  EXPECT_EQ(node.state(), SessionState::kClosed);
  ExpectRejected(node, Raw(raw, ContentType::kData, {1}));
}

TEST(SessionTest, CloseInsideAMessageIsRejected) {
  Session client = NewSession(Role::kClient);
  SendChannel raw = RawSender(Role::kNode);
  Deliver(client, {Raw(raw, ContentType::kData, {1})});
  ExpectRejected(client, Raw(raw, ContentType::kClose));
}

TEST(SessionTest, ClosingMidResponseLetsTheNodeCutItsMessage) {
  Session client = NewSession(Role::kClient);
  Session node = NewSession(Role::kNode);
  Deliver(client, Frames(node.SendData(Bytes("first tokens"))));
  const std::vector<Frame> close = Frames(client.Close());
  // In flight before the node saw the CLOSE:
  const std::vector<Frame> more = Frames(node.SendData(Bytes("more tokens")));
  const std::vector<Event> events = Deliver(node, close);
  ASSERT_EQ(events.size(), 2u);
  ASSERT_EQ(events[1].type, EventType::kSend);
  Deliver(client, more);
  const std::vector<Event> done = Deliver(client, {events[1].bytes});
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].type, EventType::kClose);
  EXPECT_EQ(client.state(), SessionState::kClosed);
}

TEST(SessionTest, AKeyUpdateRequestAfterOurCloseIsNotAnswered) {
  Session client = NewSession(Role::kClient);
  (void)Frames(client.Close());
  SendChannel raw = RawSender(Role::kNode);
  EXPECT_TRUE(
      Deliver(client, {Raw(raw, ContentType::kKeyUpdate, {1})}).empty());
  EXPECT_EQ(client.state(), SessionState::kClosing);
}

TEST(SessionTest, SendingAfterCloseIsMisuse) {
  Session client = NewSession(Role::kClient);
  (void)Frames(client.Close());
  EXPECT_EQ(client.SendMessage(Bytes("late")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(client.state(), SessionState::kFailed);
}

TEST(SessionTest, CloseInTheMiddleOfOurOwnMessageIsMisuse) {
  Session node = NewSession(Role::kNode);
  (void)Frames(node.SendData(Bytes("half")));
  EXPECT_EQ(node.Close().status().code(), StatusCode::kFailedPrecondition);
}

TEST(SessionTest, AfterAFailureEveryCallFails) {
  Session client = NewSession(Role::kClient);
  Session node = NewSession(Role::kNode);
  Frame frame = Frames(client.SendMessage(Bytes("x")))[0];
  frame[20] ^= 1;
  ExpectRejected(node, frame);
  EXPECT_FALSE(node.SendMessage(Bytes("y")).ok());
  EXPECT_FALSE(node.SendData(Bytes("y")).ok());
  EXPECT_FALSE(node.SendEnd().ok());
  EXPECT_FALSE(node.RequestKeyUpdate().ok());
  EXPECT_FALSE(node.Close().ok());
  EXPECT_EQ(node.Receive(frame).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(node.ConnectionEnded().ok());
  EXPECT_EQ(node.state(), SessionState::kFailed);
  // The session id stays readable for logs.
  EXPECT_EQ(node.Fingerprint(), "a0a1a2a3a4a5a6a7");
}

TEST(SessionTest, CreateRejectsBadOptions) {
  EXPECT_EQ(
      Session::Create(Role::kClient, FixedKeys(), Options(1)).status().code(),
      StatusCode::kInvalidArgument);
  SessionKeys keys = FixedKeys();
  keys.c2s_secret = crypto::SecretBytes(16);
  EXPECT_FALSE(Session::Create(Role::kClient, std::move(keys), Options()).ok());
}

}  // namespace
}  // namespace cerumbra::protocol
