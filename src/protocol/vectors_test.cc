// Copyright 2026 The Cerumbra Authors.
//
// Checks the protocol test vectors (tests/vectors/protocol, written by
// protocol_vector_gen) against the code: every derived value is recomputed
// from the inputs, the signature is verified, every record is sealed and
// opened, the conversations are replayed on real sessions, and every
// negative case is rejected at its step. Fails when a file is missing.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "crypto/aead_internal.h"
#include "crypto/constant_time.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/sha.h"
#include "crypto/test_util.h"
#include "crypto/x509.h"
#include "protocol/handshake.h"
#include "protocol/handshake_messages.h"
#include "protocol/key_schedule.h"
#include "protocol/quote.h"
#include "protocol/record_layer.h"
#include "protocol/session.h"

#ifndef CERUMBRA_PROTOCOL_VECTORS_DIR
#error "CERUMBRA_PROTOCOL_VECTORS_DIR must name tests/vectors/protocol"
#endif

namespace cerumbra::protocol {
namespace {

namespace json = boost::json;
using crypto::testing::AsBytes;
using crypto::testing::HexEncode;
using crypto::testing::TryHexDecode;

const std::vector<std::string> kFiles = {"handshake.json", "records.json",
                                         "key_update.json", "end_records.json",
                                         "negative.json"};

// ---------------------------------------------------------------------------
// Reading the files

json::object Load(const std::string& name) {
  const std::string path =
      std::string(CERUMBRA_PROTOCOL_VECTORS_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing vector file " << path;
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value value = json::parse(text.str(), ec);
  if (ec || !value.is_object()) {
    ADD_FAILURE() << "vector file is not a JSON object: " << path;
    return {};
  }
  return value.as_object();
}

// Field access that reports a malformed vector instead of throwing.
const json::value& Get(const json::object& object, std::string_view key) {
  static const json::value kNull;
  const json::value* value = object.if_contains(key);
  if (value == nullptr) {
    ADD_FAILURE() << "vector lacks member " << key;
    return kNull;
  }
  return *value;
}

std::string Str(const json::object& object, std::string_view key) {
  const json::value& value = Get(object, key);
  if (!value.is_string()) {
    ADD_FAILURE() << "member " << key << " is not a string";
    return "";
  }
  return std::string(value.as_string());
}

std::vector<uint8_t> Bin(const json::object& object, std::string_view key) {
  const std::optional<std::vector<uint8_t>> bytes =
      TryHexDecode(Str(object, key));
  if (!bytes.has_value()) {
    ADD_FAILURE() << "member " << key << " is not hex";
    return {};
  }
  return *bytes;
}

uint64_t U64(const json::object& object, std::string_view key) {
  const json::value& value = Get(object, key);
  if (value.is_uint64()) return value.as_uint64();
  if (value.is_int64() && value.as_int64() >= 0) return value.as_int64();
  ADD_FAILURE() << "member " << key << " is not an unsigned integer";
  return 0;
}

const json::object& Obj(const json::object& object, std::string_view key) {
  static const json::object kEmpty;
  const json::value& value = Get(object, key);
  if (!value.is_object()) {
    ADD_FAILURE() << "member " << key << " is not an object";
    return kEmpty;
  }
  return value.as_object();
}

const json::array& Arr(const json::object& object, std::string_view key) {
  static const json::array kEmpty;
  const json::value& value = Get(object, key);
  if (!value.is_array()) {
    ADD_FAILURE() << "member " << key << " is not an array";
    return kEmpty;
  }
  return value.as_array();
}

crypto::SecretBytes SecretFrom(const std::vector<uint8_t>& bytes) {
  return crypto::SecretBytes::CopyFrom(bytes);
}

crypto::PrivateKey KeyFrom(const json::object& inputs, std::string_view key) {
  Result<crypto::PrivateKey> private_key = crypto::PrivateKey::FromScalar(
      crypto::EcCurve::kP256, SecretFrom(Bin(inputs, key)));
  CERUMBRA_CHECK(private_key.ok());
  return *std::move(private_key);
}

std::string Hex(std::span<const uint8_t> bytes) { return HexEncode(bytes); }

// ---------------------------------------------------------------------------
// The handshake, recomputed from handshake.json's inputs.

struct Handshake {
  json::object file;
  json::object inputs;
  json::object expected;
  std::vector<uint8_t> quote;  // recomputed
  SessionKeys keys;            // recomputed

  SessionKeys CopyKeys() const {
    SessionKeys out;
    out.c2s_secret = crypto::SecretBytes::CopyFrom(keys.c2s_secret.Reveal());
    out.s2c_secret = crypto::SecretBytes::CopyFrom(keys.s2c_secret.Reveal());
    out.session_id = keys.session_id;
    return out;
  }
  crypto::SecretBytes Secret(bool c2s) const {
    return crypto::SecretBytes::CopyFrom(
        (c2s ? keys.c2s_secret : keys.s2c_secret).Reveal());
  }
  crypto::PublicKey AttestationKey() const {
    return KeyFrom(inputs, "attestation_private_key").public_key();
  }
  ClientHandshake NewClient(const SessionOptions& options = {}) const {
    Result<ClientHandshake> client = ClientHandshake::CreateDeterministic(
        KeyFrom(inputs, "client_private_key"), Bin(inputs, "client_nonce"),
        options);
    CERUMBRA_CHECK(client.ok());
    CERUMBRA_CHECK(client->Start().ok());
    return *std::move(client);
  }
};

// LoadHandshake recomputes the quote and the keys from the inputs with the
// real code (the expected values are compared in the handshake test).
Handshake LoadHandshake() {
  Handshake h;
  h.file = Load("handshake.json");
  h.inputs = Obj(h.file, "inputs");
  h.expected = Obj(h.file, "expected");
  if (h.inputs.empty()) return h;
  const crypto::PrivateKey client = KeyFrom(h.inputs, "client_private_key");
  const crypto::PrivateKey node = KeyFrom(h.inputs, "node_private_key");
  QuoteInput input;
  input.timestamp_ms = U64(h.inputs, "timestamp_ms");
  const std::vector<uint8_t> nonce = Bin(h.inputs, "client_nonce");
  CERUMBRA_CHECK(nonce.size() == kNonceSize);
  std::copy(nonce.begin(), nonce.end(), input.client_nonce.begin());
  std::copy_n(client.public_key().UncompressedPoint().begin(), kPublicKeySize,
              input.client_public_key.begin());
  std::copy_n(node.public_key().UncompressedPoint().begin(), kPublicKeySize,
              input.node_public_key.begin());
  std::vector<Measurement> measurements;
  for (const json::value& m : Arr(h.inputs, "measurements")) {
    measurements.push_back(
        {Str(m.as_object(), "name"), Bin(m.as_object(), "value")});
  }
  const Result<Quote> quote = MakeQuote(
      input, static_cast<EvidenceType>(U64(h.inputs, "evidence_type")),
      measurements, Bin(h.inputs, "evidence"));
  CERUMBRA_CHECK(quote.ok());
  h.quote = *EncodeQuote(*quote);
  const crypto::SharedSecret shared =
      *crypto::DeriveSharedSecret(client, node.public_key());
  h.keys = *DeriveSessionKeys(shared, *TranscriptHash(h.quote));
  return h;
}

// VectorVerifier is §4.3 steps 5-7 for the vectors: certificate_chain[0]
// must parse and carry the pinned attestation key, which must have signed
// the quote; the evidence digest must match. (The self-signed chain is not
// verified as a chain here.)
class VectorVerifier : public QuoteVerifier {
 public:
  explicit VectorVerifier(crypto::PublicKey pinned)
      : pinned_(std::move(pinned)) {}

  Status Verify(const AttestResponse& response, const Quote& quote,
                int64_t /*now_ms*/) override {
    ++calls;
    CERUMBRA_ASSIGN_OR_RETURN(
        const crypto::Certificate leaf,
        crypto::Certificate::FromDer(response.certificate_chain[0]));
    CERUMBRA_ASSIGN_OR_RETURN(const crypto::PublicKey key, leaf.GetPublicKey());
    if (!(key == pinned_)) return UnauthenticatedError("unpinned key");
    CERUMBRA_RETURN_IF_ERROR(
        crypto::EcdsaVerify(key, response.quote, response.signature,
                            crypto::EcdsaSignatureFormat::kP1363));
    CERUMBRA_ASSIGN_OR_RETURN(const crypto::Sha384Digest digest,
                              crypto::Sha384(response.evidence));
    if (digest != quote.evidence_digest) {
      return UnauthenticatedError("evidence digest mismatch");
    }
    return OkStatus();
  }

  int calls = 0;

 private:
  crypto::PublicKey pinned_;
};

// ---------------------------------------------------------------------------
// Records

std::array<uint8_t, 12> NonceFor(const TrafficKeys& keys, uint64_t seq) {
  std::array<uint8_t, 12> nonce;
  std::copy_n(keys.iv.Reveal().begin(), 12, nonce.begin());
  for (int i = 0; i < 8; ++i) {
    nonce[4 + i] ^= static_cast<uint8_t>(seq >> (8 * (7 - i)));
  }
  return nonce;
}

// CheckRecord checks one described record against `secret` (its
// generation's traffic secret) and `session_id`: nonce, aad, that the frame
// opens to `plaintext` and re-seals to `frame`, and that the plaintext holds
// content_type and payload with zero padding.
void CheckRecord(const json::object& record, const crypto::SecretBytes& secret,
                 std::span<const uint8_t, kSessionIdSize> session_id) {
  const uint64_t seq = U64(record, "seq");
  const std::vector<uint8_t> frame = Bin(record, "frame");
  const std::vector<uint8_t> plaintext = Bin(record, "plaintext");
  ASSERT_GE(frame.size(), kMinRecordFrameSize);
  const TrafficKeys keys = *DeriveTrafficKeys(secret);
  EXPECT_EQ(Hex(NonceFor(keys, seq)), Str(record, "nonce"));
  std::vector<uint8_t> aad = {kProtocolVersion, kRecordFrameType};
  for (int i = 7; i >= 0; --i)
    aad.push_back(static_cast<uint8_t>(seq >> (8 * i)));
  EXPECT_TRUE(std::equal(aad.begin(), aad.end(), frame.begin()));
  aad.insert(aad.end(), session_id.begin(), session_id.end());
  EXPECT_EQ(Hex(aad), Str(record, "aad"));
  crypto::Aes256Gcm aead = *crypto::Aes256Gcm::Create(keys.key);
  const Result<std::vector<uint8_t>> opened = crypto::internal::OpenWithNonce(
      aead, NonceFor(keys, seq),
      std::span<const uint8_t>(frame).subspan(kRecordHeaderSize), aad);
  ASSERT_TRUE(opened.ok()) << "seq " << seq;
  EXPECT_EQ(*opened, plaintext);
  const Result<std::vector<uint8_t>> resealed = crypto::internal::SealWithNonce(
      aead, NonceFor(keys, seq), plaintext, aad);
  ASSERT_TRUE(resealed.ok());
  EXPECT_TRUE(std::equal(resealed->begin(), resealed->end(),
                         frame.begin() + kRecordHeaderSize, frame.end()));
  ASSERT_GE(plaintext.size(), kPlaintextHeaderSize);
  EXPECT_EQ(plaintext[0], U64(record, "content_type"));
  const size_t length = (size_t{plaintext[1]} << 24) |
                        (size_t{plaintext[2]} << 16) |
                        (size_t{plaintext[3]} << 8) | plaintext[4];
  ASSERT_LE(length + kPlaintextHeaderSize, plaintext.size());
  EXPECT_EQ(Hex(std::span<const uint8_t>(plaintext).subspan(5, length)),
            Str(record, "payload"));
  EXPECT_TRUE(std::all_of(plaintext.begin() + 5 + length, plaintext.end(),
                          [](uint8_t b) { return b == 0; }));
}

json::object DescribeEvent(const Event& event) {
  switch (event.type) {
    case EventType::kData:
      return {{"type", "data"}, {"payload", Hex(event.bytes)}};
    case EventType::kEnd:
      return {{"type", "end"}, {"payload", Hex(event.bytes)}};
    case EventType::kCancel:
      return {{"type", "cancel"}};
    case EventType::kClose:
      return {{"type", "close"}};
    case EventType::kSend:
      return {{"type", "send"}, {"frame", Hex(event.bytes)}};
  }
  return {};
}

// Replay runs a conversation file: performs `actions` on a client and a node
// session, delivers every frame at once (and reactions back), and checks the
// frames and the receiver events against `records`. Also checks each record
// with its generation's secret. Returns the two sessions for final checks.
std::pair<Session, Session> Replay(const Handshake& h, const json::object& file,
                                   const SessionOptions& options) {
  Session client = *Session::Create(Role::kClient, h.CopyKeys(), options);
  Session node = *Session::Create(Role::kNode, h.CopyKeys(), options);
  const json::array& records = Arr(file, "records");
  size_t next = 0;
  // Per direction: the current secret (advanced at each KEY_UPDATE).
  crypto::SecretBytes secrets[2] = {h.Secret(true), h.Secret(false)};
  uint64_t generations[2] = {0, 0};

  // Deliver checks one transmitted frame against the next record and hands
  // it to the receiver; reactions are delivered the other way.
  std::function<void(bool, const Frame&)> deliver = [&](bool from_client,
                                                        const Frame& frame) {
    ASSERT_LT(next, records.size()) << "more frames than records";
    const json::object& record = records[next++].as_object();
    const int d = from_client ? 0 : 1;
    EXPECT_EQ(Str(record, "direction"), from_client ? "c2s" : "s2c");
    EXPECT_EQ(Str(record, "frame"), Hex(frame)) << "record " << next - 1;
    EXPECT_EQ(U64(record, "generation"), generations[d]);
    CheckRecord(record, secrets[d], h.keys.session_id);
    if (U64(record, "content_type") ==
        static_cast<uint8_t>(ContentType::kKeyUpdate)) {
      secrets[d] = *NextTrafficSecret(secrets[d]);
      ++generations[d];
    }
    Session& to = from_client ? node : client;
    Result<std::vector<Event>> events = to.Receive(frame);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    json::array described;
    std::vector<Frame> replies;
    for (const Event& event : *events) {
      described.push_back(DescribeEvent(event));
      if (event.type == EventType::kSend) replies.push_back(event.bytes);
    }
    EXPECT_EQ(json::value(described), Get(record, "receiver_events"))
        << "record " << next - 1;
    for (const Frame& reply : replies) deliver(!from_client, reply);
  };

  for (const json::value& value : Arr(file, "actions")) {
    const json::object& action = value.as_object();
    const bool by_client = Str(action, "actor") == "client";
    Session& session = by_client ? client : node;
    const std::string call = Str(action, "call");
    const std::vector<uint8_t> payload = Bin(action, "payload");
    const std::string_view text(reinterpret_cast<const char*>(payload.data()),
                                payload.size());
    Result<std::vector<Frame>> frames =
        call == "send_data"            ? session.SendData(payload)
        : call == "send_end"           ? session.SendEnd(text)
        : call == "request_key_update" ? session.RequestKeyUpdate()
        : call == "cancel"             ? session.SendCancel()
        : call == "close"              ? session.Close()
                                       : InvalidArgumentError("unknown call");
    EXPECT_TRUE(frames.ok()) << call << ": " << frames.status().ToString();
    if (!frames.ok()) break;
    for (const Frame& frame : *frames) deliver(by_client, frame);
  }
  EXPECT_EQ(next, records.size()) << "records left over";
  return {std::move(client), std::move(node)};
}

// ---------------------------------------------------------------------------
// Tests

TEST(ProtocolVectorsTest, EveryVectorFileIsPresentAndKnown) {
  std::set<std::string> found;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(CERUMBRA_PROTOCOL_VECTORS_DIR, ec)) {
    if (entry.path().extension() == ".json") {
      found.insert(entry.path().filename().string());
    }
  }
  ASSERT_FALSE(ec) << "cannot list " << CERUMBRA_PROTOCOL_VECTORS_DIR;
  EXPECT_EQ(found, std::set<std::string>(kFiles.begin(), kFiles.end()));
  for (const std::string& name : kFiles) {
    const json::object file = Load(name);
    EXPECT_FALSE(Str(file, "description").empty()) << name;
    EXPECT_FALSE(Arr(file, "spec").empty()) << name;
  }
}

TEST(ProtocolVectorsTest, HandshakeValuesFollowFromTheInputs) {
  const Handshake h = LoadHandshake();
  ASSERT_FALSE(h.inputs.empty());
  const json::object& e = h.expected;
  const crypto::PrivateKey client = KeyFrom(h.inputs, "client_private_key");
  const crypto::PrivateKey node = KeyFrom(h.inputs, "node_private_key");
  EXPECT_EQ(Hex(client.public_key().UncompressedPoint()),
            Str(e, "client_public_key"));
  EXPECT_EQ(Hex(node.public_key().UncompressedPoint()),
            Str(e, "node_public_key"));
  EXPECT_EQ(Hex(h.AttestationKey().UncompressedPoint()),
            Str(e, "attestation_public_key"));

  // The request text, byte for byte.
  ClientHandshake handshake = *ClientHandshake::CreateDeterministic(
      KeyFrom(h.inputs, "client_private_key"), Bin(h.inputs, "client_nonce"));
  EXPECT_EQ(*handshake.Start(), Str(e, "attest_request"));

  const Quote quote = *ParseQuote(h.quote);
  EXPECT_EQ(Hex(h.quote), Str(e, "quote"));
  EXPECT_EQ(Hex(quote.evidence_digest), Str(e, "evidence_digest"));
  EXPECT_EQ(Hex(*GpuNonce(quote.client_nonce, quote.client_public_key,
                          quote.node_public_key)),
            Str(e, "gpu_nonce"));
  EXPECT_EQ(Hex(*TranscriptHash(h.quote)), Str(e, "transcript_hash"));
  const crypto::SharedSecret client_shared =
      *crypto::DeriveSharedSecret(client, node.public_key());
  const crypto::SharedSecret node_shared =
      *crypto::DeriveSharedSecret(node, client.public_key());
  EXPECT_EQ(Hex(client_shared.secret().Reveal()), Str(e, "shared_secret"));
  EXPECT_EQ(Hex(node_shared.secret().Reveal()), Str(e, "shared_secret"));
  EXPECT_EQ(Hex(h.keys.c2s_secret.Reveal()), Str(e, "c2s_secret"));
  EXPECT_EQ(Hex(h.keys.s2c_secret.Reveal()), Str(e, "s2c_secret"));
  EXPECT_EQ(Hex(h.keys.session_id), Str(e, "session_id"));
  const TrafficKeys c2s = *DeriveTrafficKeys(h.keys.c2s_secret);
  const TrafficKeys s2c = *DeriveTrafficKeys(h.keys.s2c_secret);
  EXPECT_EQ(Hex(c2s.key.Reveal()), Str(e, "c2s_key"));
  EXPECT_EQ(Hex(c2s.iv.Reveal()), Str(e, "c2s_iv"));
  EXPECT_EQ(Hex(s2c.key.Reveal()), Str(e, "s2c_key"));
  EXPECT_EQ(Hex(s2c.iv.Reveal()), Str(e, "s2c_iv"));
  EXPECT_EQ(Session::Create(Role::kClient, h.CopyKeys(), {})->Fingerprint(),
            Str(e, "fingerprint"));
}

TEST(ProtocolVectorsTest, HandshakeResponseVerifiesOnBothEnds) {
  const Handshake h = LoadHandshake();
  ASSERT_FALSE(h.inputs.empty());
  const std::string response_text =
      Str(Obj(h.file, "randomized"), "attest_response");
  const Result<AttestResponse> response = ParseAttestResponse(response_text);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->quote, h.quote);

  // The client accepts it: signature by the certificate's (pinned) key.
  ClientHandshake client = h.NewClient();
  VectorVerifier verifier(h.AttestationKey());
  const Result<Session> session = client.HandleResponse(
      response_text, verifier,
      static_cast<int64_t>(U64(h.inputs, "timestamp_ms")));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(verifier.calls, 1);
  EXPECT_EQ(session->Fingerprint(), Str(h.expected, "fingerprint"));

  // The node, given the same signed quote, sends exactly that text.
  class ReplaySigner : public QuoteSigner {
   public:
    explicit ReplaySigner(const AttestResponse& r) : r_(r) {}
    Result<SignedQuote> Sign(const QuoteInput&) override {
      return SignedQuote{r_.quote, r_.signature, r_.certificate_chain,
                         r_.evidence};
    }

   private:
    const AttestResponse& r_;
  } signer(*response);
  NodeHandshake node = *NodeHandshake::CreateDeterministic(
      KeyFrom(h.inputs, "node_private_key"));
  NodeHandshakeResult result =
      node.HandleRequest(Str(h.expected, "attest_request"), signer,
                         static_cast<int64_t>(U64(h.inputs, "timestamp_ms")));
  ASSERT_TRUE(result.session.ok()) << result.session.status().ToString();
  EXPECT_EQ(result.reply_text, response_text);
  EXPECT_EQ(result.session->Fingerprint(), Str(h.expected, "fingerprint"));
}

TEST(ProtocolVectorsTest, RecordsSealAndOpenExactly) {
  const Handshake h = LoadHandshake();
  const json::object file = Load("records.json");
  ASSERT_FALSE(h.inputs.empty());
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(Str(file, "session_id"), Hex(h.keys.session_id));
  EXPECT_EQ(Str(file, "c2s_secret"), Hex(h.keys.c2s_secret.Reveal()));
  EXPECT_EQ(Str(file, "s2c_secret"), Hex(h.keys.s2c_secret.Reveal()));
  size_t count = 0;
  for (const json::value& value : Arr(file, "sequences")) {
    const json::object& sequence = value.as_object();
    const bool c2s = Str(sequence, "direction") == "c2s";
    ChannelOptions options;
    options.pad = Get(sequence, "padding").as_bool();
    SendChannel sender =
        *SendChannel::Create(h.Secret(c2s), h.keys.session_id, options);
    RecvChannel receiver =
        *RecvChannel::Create(h.Secret(c2s), h.keys.session_id, options);
    for (const json::value& r : Arr(sequence, "records")) {
      const json::object& record = r.as_object();
      SCOPED_TRACE(Str(sequence, "name") + ", seq " +
                   std::to_string(U64(record, "seq")));
      CheckRecord(record, h.Secret(c2s), h.keys.session_id);
      const auto type = static_cast<ContentType>(U64(record, "content_type"));
      const std::vector<uint8_t> payload = Bin(record, "payload");
      const Result<std::vector<uint8_t>> frame = sender.Seal(type, payload);
      ASSERT_TRUE(frame.ok());
      EXPECT_EQ(Hex(*frame), Str(record, "frame"));
      const Result<Record> opened = receiver.Open(Bin(record, "frame"));
      ASSERT_TRUE(opened.ok());
      EXPECT_EQ(opened->type, type);
      EXPECT_EQ(opened->payload, payload);
      ++count;
    }
  }
  EXPECT_GE(count, 10u);
}

TEST(ProtocolVectorsTest, KeyUpdateConversationReplaysExactly) {
  const Handshake h = LoadHandshake();
  const json::object file = Load("key_update.json");
  ASSERT_FALSE(h.inputs.empty());
  ASSERT_FALSE(file.empty());
  // The secret chain of each direction.
  for (bool c2s : {true, false}) {
    crypto::SecretBytes secret = h.Secret(c2s);
    const json::array& list =
        Arr(Obj(file, "generations"), c2s ? "c2s" : "s2c");
    ASSERT_FALSE(list.empty());
    for (const json::value& g : list) {
      const TrafficKeys keys = *DeriveTrafficKeys(secret);
      EXPECT_EQ(Str(g.as_object(), "secret"), Hex(secret.Reveal()));
      EXPECT_EQ(Str(g.as_object(), "key"), Hex(keys.key.Reveal()));
      EXPECT_EQ(Str(g.as_object(), "iv"), Hex(keys.iv.Reveal()));
      secret = *NextTrafficSecret(secret);
    }
  }
  SessionOptions options;
  options.limits.records_per_key = U64(file, "records_per_key");
  auto [client, node] = Replay(h, file, options);
  EXPECT_EQ(client.state(), SessionState::kEstablished);
  EXPECT_EQ(node.state(), SessionState::kEstablished);
}

TEST(ProtocolVectorsTest, EndRecordsConversationReplaysExactly) {
  const Handshake h = LoadHandshake();
  const json::object file = Load("end_records.json");
  ASSERT_FALSE(h.inputs.empty());
  ASSERT_FALSE(file.empty());
  auto [client, node] = Replay(h, file, {});
  EXPECT_EQ(Str(file, "final_state"), "closed");
  EXPECT_EQ(client.state(), SessionState::kClosed);
  EXPECT_EQ(node.state(), SessionState::kClosed);
  EXPECT_TRUE(client.ConnectionEnded().ok());
  EXPECT_TRUE(node.ConnectionEnded().ok());
}

// CheckRecordStep checks that frame `at` of a record case fails at `step`
// and nowhere earlier, by running each layer on its own.
void CheckRecordStep(const Handshake& h, const json::object& c,
                     const std::vector<Frame>& frames, size_t at,
                     const std::string& step) {
  const bool c2s = Str(c, "receiver") == "node";
  const uint64_t budget = U64(c, "records_per_key");
  if (step == "truncation") {
    EXPECT_EQ(at, frames.size());
    return;
  }
  ASSERT_LT(at, frames.size());
  const Frame& frame = frames[at];
  const bool header_ok = frame.size() >= kMinRecordFrameSize &&
                         frame.size() <= kMaxRecordFrameSize &&
                         frame[0] == kProtocolVersion &&
                         frame[1] == kRecordFrameType;
  EXPECT_EQ(header_ok, step != "frame");
  if (step == "frame") return;
  uint64_t seq = 0;
  for (int i = 0; i < 8; ++i) seq = (seq << 8) | frame[2 + i];
  // Every earlier frame was accepted, so the receiver expects seq `at`.
  EXPECT_EQ(seq == at, step != "seq");
  if (step == "seq") return;
  const TrafficKeys keys = *DeriveTrafficKeys(h.Secret(c2s));
  crypto::Aes256Gcm aead = *crypto::Aes256Gcm::Create(keys.key);
  std::vector<uint8_t> aad(frame.begin(), frame.begin() + kRecordHeaderSize);
  aad.insert(aad.end(), h.keys.session_id.begin(), h.keys.session_id.end());
  const bool tag_ok =
      crypto::internal::OpenWithNonce(
          aead, NonceFor(keys, seq),
          std::span<const uint8_t>(frame).subspan(kRecordHeaderSize), aad)
          .ok();
  EXPECT_EQ(tag_ok, step != "decrypt");
  if (step == "decrypt") return;
  // From here on the record layer alone decides: with the case's budget it
  // rejects plaintext and key_budget failures and accepts session ones.
  const auto channel_accepts = [&](uint64_t channel_budget) {
    ChannelOptions options;
    options.records_per_key = channel_budget;
    RecvChannel channel =
        *RecvChannel::Create(h.Secret(c2s), h.keys.session_id, options);
    for (size_t i = 0; i <= at; ++i) {
      if (!channel.Open(frames[i]).ok()) return false;
    }
    return true;
  };
  EXPECT_EQ(channel_accepts(budget), step == "session");
  if (step == "key_budget") {
    EXPECT_TRUE(channel_accepts(budget + 1));
  }
}

TEST(ProtocolVectorsTest, NegativeCasesAreRejectedAtTheirStep) {
  const Handshake h = LoadHandshake();
  const json::object file = Load("negative.json");
  ASSERT_FALSE(h.inputs.empty());
  ASSERT_FALSE(file.empty());
  const int64_t now_ms = static_cast<int64_t>(U64(h.inputs, "timestamp_ms"));
  std::set<std::string> steps;
  size_t count = 0;
  for (const json::value& value : Arr(file, "cases")) {
    const json::object& c = value.as_object();
    SCOPED_TRACE(Str(c, "name"));
    ++count;
    const std::string kind = Str(c, "kind");
    if (kind == "records") {
      EXPECT_EQ(Str(c, "expected"), "reject");
      SessionOptions options;
      options.limits.records_per_key = U64(c, "records_per_key");
      options.limits.max_message = U64(c, "max_message");
      const Role role =
          Str(c, "receiver") == "node" ? Role::kNode : Role::kClient;
      Session session = *Session::Create(role, h.CopyKeys(), options);
      std::vector<Frame> frames;
      for (const json::value& f : Arr(c, "frames")) {
        frames.push_back(*TryHexDecode(std::string(f.as_string())));
      }
      const size_t at = U64(c, "reject_at");
      const std::string step = Str(c, "step");
      steps.insert(step);
      for (size_t i = 0; i < frames.size(); ++i) {
        const Result<std::vector<Event>> events = session.Receive(frames[i]);
        EXPECT_EQ(events.ok(), i < at) << "frame " << i;
        if (!events.ok()) {
          EXPECT_EQ(events.status().code(), StatusCode::kUnauthenticated);
          break;
        }
      }
      if (at == frames.size()) {
        EXPECT_TRUE(c.contains("connection_ends"));
        EXPECT_EQ(session.ConnectionEnded().code(),
                  StatusCode::kUnauthenticated);
      }
      CheckRecordStep(h, c, frames, at, step);
    } else if (kind == "attest_response") {
      EXPECT_EQ(Str(c, "expected"), "reject");
      const std::string text = Str(c, "attest_response");
      const std::string step = Str(c, "step");
      steps.insert(step);
      ClientHandshake client = h.NewClient();
      VectorVerifier verifier(h.AttestationKey());
      const Result<Session> session =
          client.HandleResponse(text, verifier, now_ms);
      ASSERT_FALSE(session.ok());
      EXPECT_EQ(session.status().code(), StatusCode::kUnauthenticated);
      // Steps 1-4 are the protocol's: the verifier is never asked.
      EXPECT_EQ(verifier.calls, step < "4.3.5" ? 0 : 1);
      // And the earlier steps pass.
      const Result<AttestResponse> response = ParseAttestResponse(text);
      EXPECT_EQ(response.ok(), step != "4.3.1");
      if (step == "4.3.1") continue;
      const Result<Quote> quote = ParseQuote(response->quote);
      EXPECT_EQ(quote.ok(), step != "4.3.2");
      if (step == "4.3.2") continue;
      const bool bound =
          Hex(quote->client_nonce) == Str(h.inputs, "client_nonce") &&
          Hex(quote->client_public_key) == Str(h.expected, "client_public_key");
      EXPECT_EQ(bound, step != "4.3.3");
      if (step == "4.3.3") continue;
      EXPECT_EQ(crypto::PublicKey::FromUncompressedPoint(crypto::EcCurve::kP256,
                                                         quote->node_public_key)
                    .ok(),
                step != "4.3.4");
      if (step == "4.3.4") continue;
      EXPECT_EQ(crypto::EcdsaVerify(h.AttestationKey(), response->quote,
                                    response->signature,
                                    crypto::EcdsaSignatureFormat::kP1363)
                    .ok(),
                step != "4.3.6");
    } else if (kind == "attest_request") {
      EXPECT_EQ(Str(c, "expected"), "unsupported_version");
      steps.insert("unsupported_version");
      NodeHandshake node = *NodeHandshake::CreateDeterministic(
          KeyFrom(h.inputs, "node_private_key"));
      class NeverSigner : public QuoteSigner {
       public:
        Result<SignedQuote> Sign(const QuoteInput&) override {
          ADD_FAILURE() << "signer called";
          return InternalError("unexpected");
        }
      } signer;
      const NodeHandshakeResult result =
          node.HandleRequest(Str(c, "attest_request"), signer, now_ms);
      EXPECT_FALSE(result.session.ok());
      EXPECT_EQ(result.session.status().code(),
                StatusCode::kFailedPrecondition);
      EXPECT_EQ(result.reply_text, Str(c, "reply"));
    } else {
      ADD_FAILURE() << "unknown kind " << kind;
    }
  }
  EXPECT_GE(count, 20u);
  // The file covers every step.
  EXPECT_EQ(steps, (std::set<std::string>{
                       "frame", "seq", "decrypt", "plaintext", "key_budget",
                       "session", "truncation", "4.3.1", "4.3.2", "4.3.3",
                       "4.3.4", "4.3.6", "4.3.7", "unsupported_version"}));
}

}  // namespace
}  // namespace cerumbra::protocol
