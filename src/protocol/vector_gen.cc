// Copyright 2026 The Cerumbra Authors.
//
// protocol_vector_gen writes the protocol test vectors (docs/protocol.md) as
// JSON files into the directory given as its only argument:
//
//   build/dev/src/protocol/protocol_vector_gen tests/vectors/protocol
//
// Every value is derived from fixed inputs and is the same on every run,
// except ECDSA signatures (OpenSSL 3.0 signs with a random nonce): the
// certificate and the signature, and so the attest_response text. The C++
// suite (vectors_test.cc) and the JavaScript suite read the same files.

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/aead_internal.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/sha.h"
#include "crypto/test_util.h"
#include "protocol/handshake.h"
#include "protocol/handshake_messages.h"
#include "protocol/key_schedule.h"
#include "protocol/quote.h"
#include "protocol/record_layer.h"
#include "protocol/session.h"
#include "protocol/test_util.h"

namespace cerumbra::protocol {
namespace {

namespace json = boost::json;
using crypto::testing::AsBytes;
using crypto::testing::HexEncode;

constexpr int64_t kTimestampMs = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::string_view kSignatureNote =
    "ECDSA signatures are randomized (OpenSSL 3.0): the certificate, the "
    "signature and so the attest_response text differ between generator "
    "runs. Verify them, don't compare them. Everything else is "
    "deterministic.";

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "vector generation failed: %s\n",
                 result.status().ToString().c_str());
    std::abort();
  }
  return *std::move(result);
}

std::string Hex(std::span<const uint8_t> bytes) { return HexEncode(bytes); }
std::string Hex(const crypto::SecretBytes& secret) {
  return HexEncode(secret.Reveal());
}

std::vector<uint8_t> Bytes(std::string_view text) {
  const std::span<const uint8_t> bytes = AsBytes(text);
  return {bytes.begin(), bytes.end()};
}

std::vector<uint8_t> Pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<uint8_t>(seed + i * 7);
  }
  return out;
}

crypto::SecretBytes Copy(const crypto::SecretBytes& secret) {
  return crypto::SecretBytes::CopyFrom(secret.Reveal());
}

// ---------------------------------------------------------------------------
// Fixed inputs: each scalar is SHA-256 of a label (all are valid P-256
// scalars).

crypto::SecretBytes FixedScalar(std::string_view label) {
  const crypto::Sha256Digest digest = Must(crypto::Sha256(AsBytes(label)));
  return crypto::SecretBytes::CopyFrom(digest);
}

crypto::PrivateKey FixedKey(std::string_view label) {
  return Must(crypto::PrivateKey::FromScalar(crypto::EcCurve::kP256,
                                             FixedScalar(label)));
}

constexpr std::string_view kClientKeyLabel = "cerumbra-v1 test vector: client";
constexpr std::string_view kNodeKeyLabel = "cerumbra-v1 test vector: node";
constexpr std::string_view kAttestationKeyLabel =
    "cerumbra-v1 test vector: attestation";
constexpr std::string_view kNonceLabel = "cerumbra-v1 test vector: nonce";

// ---------------------------------------------------------------------------
// A minimal self-signed X.509 v3 certificate for the attestation key, so
// certificate_chain[0] carries the key that signs the quote (§3.2).

std::vector<uint8_t> Der(uint8_t tag, const std::vector<uint8_t>& content) {
  std::vector<uint8_t> out = {tag};
  const size_t n = content.size();
  if (n < 128) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 256) {
    out.insert(out.end(), {0x81, static_cast<uint8_t>(n)});
  } else {
    CERUMBRA_CHECK(n < 65536);
    out.insert(out.end(),
               {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

std::vector<uint8_t> Cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const std::vector<uint8_t>& part : parts) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<uint8_t> SelfSignedCertificate(const crypto::PrivateKey& key) {
  const std::vector<uint8_t> ecdsa_with_sha256 =
      Der(0x30, {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02});
  const std::vector<uint8_t> name = Der(
      0x30, Der(0x31, Der(0x30, Cat({{0x06, 0x03, 0x55, 0x04, 0x03},
                                     Der(0x0c, Bytes("Cerumbra test vector "
                                                     "attestation key"))}))));
  const std::vector<uint8_t> validity =
      Der(0x30, Cat({Der(0x17, Bytes("260101000000Z")),
                     Der(0x17, Bytes("360101000000Z"))}));
  // basicConstraints: critical, cA TRUE.
  const std::vector<uint8_t> extensions = Der(
      0xa3,
      Der(0x30, Der(0x30, Cat({{0x06, 0x03, 0x55, 0x1d, 0x13},
                               {0x01, 0x01, 0xff},
                               Der(0x04, Der(0x30, {0x01, 0x01, 0xff}))}))));
  const std::vector<uint8_t> tbs =
      Der(0x30, Cat({{0xa0, 0x03, 0x02, 0x01, 0x02},  // version v3
                     {0x02, 0x01, 0x01},              // serial 1
                     ecdsa_with_sha256,
                     name,
                     validity,
                     name,
                     key.public_key().ToSpkiDer(),
                     extensions}));
  const std::vector<uint8_t> signature =
      Must(crypto::EcdsaSign(key, tbs, crypto::EcdsaSignatureFormat::kDer));
  std::vector<uint8_t> bit_string = {0x00};
  bit_string.insert(bit_string.end(), signature.begin(), signature.end());
  return Der(0x30, Cat({tbs, ecdsa_with_sha256, Der(0x03, bit_string)}));
}

// ---------------------------------------------------------------------------
// JSON output: pretty-printed, members in insertion order, short scalar
// arrays on one line, so diffs stay readable.

void Print(const json::value& value, int indent, std::string& out) {
  const std::string pad(indent * 2, ' ');
  const std::string inner((indent + 1) * 2, ' ');
  if (const json::object* object = value.if_object()) {
    if (object->empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t i = 0;
    for (const auto& member : *object) {
      out += inner + json::serialize(json::value(member.key())) + ": ";
      Print(member.value(), indent + 1, out);
      out += ++i < object->size() ? ",\n" : "\n";
    }
    out += pad + "}";
  } else if (const json::array* array = value.if_array()) {
    const std::string flat = json::serialize(*array);
    bool scalars = true;
    for (const json::value& element : *array) {
      scalars = scalars && !element.is_object() && !element.is_array();
    }
    if (scalars && flat.size() + indent * 2 < 80) {
      out += flat;
      return;
    }
    out += "[\n";
    for (size_t j = 0; j < array->size(); ++j) {
      out += inner;
      Print((*array)[j], indent + 1, out);
      out += j + 1 < array->size() ? ",\n" : "\n";
    }
    out += pad + "]";
  } else {
    out += json::serialize(value);
  }
}

void WriteFile(const std::string& dir, const std::string& name,
               const json::object& object) {
  std::string text;
  Print(object, 0, text);
  text += "\n";
  const std::string path = dir + "/" + name;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::printf("wrote %s (%zu bytes)\n", path.c_str(), text.size());
}

// ---------------------------------------------------------------------------
// The handshake of the vectors.

struct Handshake {
  crypto::PrivateKey client_key = FixedKey(kClientKeyLabel);
  crypto::PrivateKey node_key = FixedKey(kNodeKeyLabel);
  crypto::PrivateKey attestation_key = FixedKey(kAttestationKeyLabel);
  crypto::Sha256Digest nonce = Must(crypto::Sha256(AsBytes(kNonceLabel)));
  std::vector<uint8_t> certificate = SelfSignedCertificate(attestation_key);
  std::string request_text;
  std::vector<uint8_t> quote;
  SignedQuote signed_quote;
  std::string response_text;
  SessionKeys keys;

  SessionKeys CopyKeys() const {
    SessionKeys out;
    out.c2s_secret = Copy(keys.c2s_secret);
    out.s2c_secret = Copy(keys.s2c_secret);
    out.session_id = keys.session_id;
    return out;
  }
  const crypto::SecretBytes& Secret(bool c2s) const {
    return c2s ? keys.c2s_secret : keys.s2c_secret;
  }
};

// VectorSigner is TestSigner with the fixed key and the self-signed
// certificate.
class VectorSigner : public QuoteSigner {
 public:
  explicit VectorSigner(const Handshake& h) : h_(h) {}
  Result<SignedQuote> Sign(const QuoteInput& input) override {
    CERUMBRA_ASSIGN_OR_RETURN(const Quote quote,
                              MakeQuote(input, EvidenceType::kSimulated,
                                        testing::TestMeasurements(), {}));
    CERUMBRA_ASSIGN_OR_RETURN(SignedQuote out,
                              testing::SignQuote(h_.attestation_key, quote));
    out.certificate_chain = {h_.certificate};
    return out;
  }

 private:
  const Handshake& h_;
};

Handshake RunHandshake() {
  Handshake h;
  ClientHandshake client = Must(ClientHandshake::CreateDeterministic(
      Must(crypto::PrivateKey::FromScalar(crypto::EcCurve::kP256,
                                          FixedScalar(kClientKeyLabel))),
      h.nonce));
  NodeHandshake node = Must(
      NodeHandshake::CreateDeterministic(Must(crypto::PrivateKey::FromScalar(
          crypto::EcCurve::kP256, FixedScalar(kNodeKeyLabel)))));
  h.request_text = Must(client.Start());
  VectorSigner signer(h);
  NodeHandshakeResult result =
      node.HandleRequest(h.request_text, signer, kTimestampMs);
  CERUMBRA_CHECK(result.session.ok());
  h.response_text = result.reply_text;
  testing::TestVerifier verifier(h.attestation_key.public_key());
  CERUMBRA_CHECK(
      client.HandleResponse(h.response_text, verifier, kTimestampMs).ok());
  const AttestResponse response = Must(ParseAttestResponse(h.response_text));
  h.quote = response.quote;
  h.signed_quote = {response.quote, response.signature,
                    response.certificate_chain, response.evidence};
  const crypto::SharedSecret shared =
      Must(crypto::DeriveSharedSecret(h.client_key, h.node_key.public_key()));
  h.keys = Must(DeriveSessionKeys(shared, Must(TranscriptHash(h.quote))));
  return h;
}

json::object HandshakeFile(const Handshake& h) {
  json::object inputs;
  inputs["client_private_key"] = Hex(Must(h.client_key.ExportScalar()));
  inputs["client_nonce"] = Hex(h.nonce);
  inputs["node_private_key"] = Hex(Must(h.node_key.ExportScalar()));
  inputs["attestation_private_key"] =
      Hex(Must(h.attestation_key.ExportScalar()));
  inputs["timestamp_ms"] = kTimestampMs;
  inputs["evidence_type"] = static_cast<int>(EvidenceType::kSimulated);
  inputs["evidence"] = "";
  json::array measurements;
  for (const Measurement& m : testing::TestMeasurements()) {
    measurements.push_back(
        json::object{{"name", m.name}, {"value", Hex(m.value)}});
  }
  inputs["measurements"] = std::move(measurements);

  const crypto::SharedSecret shared =
      Must(crypto::DeriveSharedSecret(h.client_key, h.node_key.public_key()));
  const Quote quote = Must(ParseQuote(h.quote));
  json::object expected;
  expected["client_public_key"] =
      Hex(h.client_key.public_key().UncompressedPoint());
  expected["node_public_key"] =
      Hex(h.node_key.public_key().UncompressedPoint());
  expected["attestation_public_key"] =
      Hex(h.attestation_key.public_key().UncompressedPoint());
  expected["attest_request"] = h.request_text;
  expected["evidence_digest"] = Hex(quote.evidence_digest);
  expected["quote"] = Hex(h.quote);
  expected["gpu_nonce"] = Hex(Must(GpuNonce(
      quote.client_nonce, quote.client_public_key, quote.node_public_key)));
  expected["transcript_hash"] = Hex(Must(TranscriptHash(h.quote)));
  expected["shared_secret"] = Hex(shared.secret());
  expected["c2s_secret"] = Hex(h.keys.c2s_secret);
  expected["s2c_secret"] = Hex(h.keys.s2c_secret);
  expected["session_id"] = Hex(h.keys.session_id);
  expected["fingerprint"] =
      Must(Session::Create(Role::kClient, h.CopyKeys(), {})).Fingerprint();
  const TrafficKeys c2s = Must(DeriveTrafficKeys(h.keys.c2s_secret));
  const TrafficKeys s2c = Must(DeriveTrafficKeys(h.keys.s2c_secret));
  expected["c2s_key"] = Hex(c2s.key);
  expected["c2s_iv"] = Hex(c2s.iv);
  expected["s2c_key"] = Hex(s2c.key);
  expected["s2c_iv"] = Hex(s2c.iv);

  json::object randomized;
  randomized["note"] = kSignatureNote;
  randomized["attest_response"] = h.response_text;

  json::object file;
  file["description"] =
      "One complete handshake: the client's attest_request, the node's quote "
      "and attest_response, and the key schedule both ends derive. The "
      "attestation key signs the quote (ECDSA P-256, SHA-256, r || s) and is "
      "the key of the single self-signed certificate in certificate_chain. "
      "Measurement values are SHA-384 of the measurement name (stand-ins). "
      "Byte strings are hex; text members are the exact JSON text on the "
      "wire (a conforming client produces attest_request byte for byte).";
  file["spec"] =
      json::array{"docs/protocol.md §3.1", "§3.2", "§4.1", "§4.2", "§5"};
  file["inputs"] = std::move(inputs);
  file["expected"] = std::move(expected);
  file["randomized"] = std::move(randomized);
  return file;
}

// ---------------------------------------------------------------------------
// Records

// Annotator follows one direction's traffic secrets through key updates and
// describes each frame: seq, generation, nonce, aad, plaintext, type,
// payload. It decrypts on its own (aead_internal), not with RecvChannel.
class Annotator {
 public:
  Annotator(const Handshake& h, bool c2s)
      : c2s_(c2s),
        secret_(Copy(h.Secret(c2s))),
        session_id_(h.keys.session_id) {}

  json::object Describe(const Frame& frame) {
    const TrafficKeys keys = Must(DeriveTrafficKeys(secret_));
    uint64_t seq = 0;
    for (int i = 0; i < 8; ++i) seq = (seq << 8) | frame[2 + i];
    CERUMBRA_CHECK(seq == seq_);
    std::array<uint8_t, 12> nonce;
    std::copy_n(keys.iv.Reveal().begin(), 12, nonce.begin());
    for (int i = 0; i < 8; ++i) nonce[4 + i] ^= frame[2 + i];
    std::vector<uint8_t> aad(frame.begin(), frame.begin() + kRecordHeaderSize);
    aad.insert(aad.end(), session_id_.begin(), session_id_.end());
    crypto::Aes256Gcm aead = Must(crypto::Aes256Gcm::Create(keys.key));
    const std::vector<uint8_t> plaintext = Must(crypto::internal::OpenWithNonce(
        aead, nonce, std::span<const uint8_t>(frame).subspan(kRecordHeaderSize),
        aad));
    const uint8_t type = plaintext[0];
    const size_t length = (size_t{plaintext[1]} << 24) |
                          (size_t{plaintext[2]} << 16) |
                          (size_t{plaintext[3]} << 8) | plaintext[4];
    json::object out;
    out["direction"] = c2s_ ? "c2s" : "s2c";
    out["seq"] = seq;
    out["generation"] = generation_;
    out["content_type"] = type;
    out["payload"] =
        Hex(std::span<const uint8_t>(plaintext).subspan(5, length));
    out["nonce"] = Hex(nonce);
    out["aad"] = Hex(aad);
    out["plaintext"] = Hex(plaintext);
    out["frame"] = Hex(frame);
    ++seq_;
    if (type == static_cast<uint8_t>(ContentType::kKeyUpdate)) {
      secret_ = Must(NextTrafficSecret(secret_));
      ++generation_;
    }
    return out;
  }

 private:
  bool c2s_;
  crypto::SecretBytes secret_;
  std::array<uint8_t, kSessionIdSize> session_id_;
  uint64_t seq_ = 0;
  uint64_t generation_ = 0;
};

json::object RecordsFile(const Handshake& h) {
  struct Sequence {
    std::string name;
    bool c2s;
    bool pad;
    std::vector<std::pair<ContentType, std::vector<uint8_t>>> records;
  };
  const std::vector<Sequence> sequences = {
      {"client to node, padded (the default)",
       true,
       true,
       {{ContentType::kData, Bytes("Hello, node.")},
        {ContentType::kEnd, Bytes("{}")},
        {ContentType::kData, Pattern(59, 1)},  // 5 + 59 = 64: fills a bucket
        {ContentType::kData, Pattern(60, 2)},  // one more: the next bucket
        {ContentType::kData, Pattern(1020, 3)},
        {ContentType::kEnd, {}},
        {ContentType::kCancel, {}},
        {ContentType::kData, Pattern(kMaxPayloadSize, 4)},
        {ContentType::kEnd, {}}}},
      {"node to client, padded (the default)",
       false,
       true,
       {{ContentType::kData, Bytes("Hi")},
        {ContentType::kData, Bytes(" there.")},
        {ContentType::kEnd, Bytes(R"({"finish_reason":"stop"})")},
        {ContentType::kClose, {}}}},
      {"client to node, padding off",
       true,
       false,
       {{ContentType::kData, Bytes("Hello, node.")},
        {ContentType::kEnd, {}},
        {ContentType::kData, Pattern(60, 2)}}},
      {"node to client, padding off",
       false,
       false,
       {{ContentType::kData, Bytes("Hi")},
        {ContentType::kEnd, Bytes(R"({"finish_reason":"stop"})")}}},
  };
  json::array out;
  for (const Sequence& sequence : sequences) {
    ChannelOptions options;
    options.pad = sequence.pad;
    SendChannel sender = Must(SendChannel::Create(Copy(h.Secret(sequence.c2s)),
                                                  h.keys.session_id, options));
    Annotator annotator(h, sequence.c2s);
    json::array records;
    for (const auto& [type, payload] : sequence.records) {
      records.push_back(annotator.Describe(Must(sender.Seal(type, payload))));
    }
    out.push_back(json::object{{"name", sequence.name},
                               {"direction", sequence.c2s ? "c2s" : "s2c"},
                               {"padding", sequence.pad},
                               {"records", std::move(records)}});
  }
  json::object file;
  file["description"] =
      "Record frames in both directions under the handshake.json session "
      "keys. Each sequence starts a fresh channel at seq 0 with the first "
      "traffic secret of its direction (c2s_secret or s2c_secret in "
      "handshake.json). Sealing content_type and payload with the sequence's "
      "padding setting gives exactly `frame`; opening `frame` gives them "
      "back. nonce = iv XOR seq, aad = frame[0..10) || session_id, plaintext "
      "= content_type || length || payload || zero padding.";
  file["spec"] = json::array{"docs/protocol.md §6.1", "§6.2", "§6.3"};
  file["session_id"] = Hex(h.keys.session_id);
  file["c2s_secret"] = Hex(h.keys.c2s_secret);
  file["s2c_secret"] = Hex(h.keys.s2c_secret);
  file["sequences"] = std::move(out);
  return file;
}

// Conversation drives two Sessions and records every frame with what the
// receiving session made of it.
class Conversation {
 public:
  Conversation(const Handshake& h, const SessionOptions& options)
      : client_(Must(Session::Create(Role::kClient, h.CopyKeys(), options))),
        node_(Must(Session::Create(Role::kNode, h.CopyKeys(), options))),
        c2s_(h, true),
        s2c_(h, false) {}

  // Send delivers `frames` from `from_client` to the other side, and any
  // frames the receiver sends in reaction back, recording all of them.
  void Send(bool from_client, const std::vector<Frame>& frames) {
    for (const Frame& frame : frames) {
      Session& to = from_client ? node_ : client_;
      json::object record = (from_client ? c2s_ : s2c_).Describe(frame);
      const std::vector<Event> events = Must(to.Receive(frame));
      json::array described;
      std::vector<Frame> replies;
      for (const Event& event : events) {
        described.push_back(DescribeEvent(event));
        if (event.type == EventType::kSend) replies.push_back(event.bytes);
      }
      record["receiver_events"] = std::move(described);
      records_.push_back(std::move(record));
      Send(!from_client, replies);
    }
  }

  // Act makes `actor` call `call` ("send_data", "send_end",
  // "request_key_update", "cancel", "close") with `payload` (DATA bytes or
  // END JSON), records the action and delivers its frames.
  void Act(bool client, std::string_view call, std::string_view payload = "") {
    Session& session = client ? client_ : node_;
    std::vector<Frame> frames;
    if (call == "send_data") {
      frames = Must(session.SendData(AsBytes(payload)));
    } else if (call == "send_end") {
      frames = Must(session.SendEnd(payload));
    } else if (call == "request_key_update") {
      frames = Must(session.RequestKeyUpdate());
    } else if (call == "cancel") {
      frames = Must(session.SendCancel());
    } else {
      CERUMBRA_CHECK(call == "close");
      frames = Must(session.Close());
    }
    actions_.push_back(json::object{{"actor", client ? "client" : "node"},
                                    {"call", call},
                                    {"payload", HexEncode(AsBytes(payload))}});
    Send(client, frames);
  }

  Session& client() { return client_; }
  Session& node() { return node_; }
  json::array TakeActions() { return std::move(actions_); }
  json::array TakeRecords() { return std::move(records_); }

 private:
  static json::object DescribeEvent(const Event& event) {
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

  Session client_;
  Session node_;
  Annotator c2s_;
  Annotator s2c_;
  json::array actions_;
  json::array records_;
};

json::object KeyUpdateFile(const Handshake& h) {
  constexpr uint64_t kBudget = 4;
  SessionOptions options;
  options.limits.records_per_key = kBudget;
  Conversation talk(h, options);
  // A client message of five DATA records: a KEY_UPDATE takes the 4th slot.
  for (int i = 0; i < 5; ++i) {
    talk.Act(true, "send_data", "part " + std::to_string(i) + " ");
  }
  talk.Act(true, "send_end");
  // A requested update: the node answers with its own KEY_UPDATE at once.
  talk.Act(true, "request_key_update");
  // The node's response runs through its own budget.
  for (int i = 0; i < 4; ++i) {
    talk.Act(false, "send_data", "token " + std::to_string(i) + " ");
  }
  talk.Act(false, "send_end", R"({"finish_reason":"stop"})");

  json::object generations;
  for (bool c2s : {true, false}) {
    json::array list;
    crypto::SecretBytes secret = Copy(h.Secret(c2s));
    for (int g = 0; g < 4; ++g) {
      const TrafficKeys keys = Must(DeriveTrafficKeys(secret));
      list.push_back(json::object{{"generation", g},
                                  {"secret", Hex(secret)},
                                  {"key", Hex(keys.key)},
                                  {"iv", Hex(keys.iv)}});
      secret = Must(NextTrafficSecret(secret));
    }
    generations[c2s ? "c2s" : "s2c"] = std::move(list);
  }
  json::object file;
  file["description"] =
      "Key updates (records_per_key = 4 on both ends): the 4th record under "
      "a secret is always a KEY_UPDATE, added automatically; a KEY_UPDATE "
      "with payload 01 (requested) is answered at once by the peer's own "
      "KEY_UPDATE 00. Records are in transmission order; `generation` counts "
      "the key updates of that direction (secret g+1 = next(secret g)). "
      "receiver_events is what the receiving Session reports; a `send` event "
      "is a frame the receiver sends in reaction (it appears as the next "
      "record). Replaying `actions` (payload hex: DATA bytes or END JSON) "
      "on a client and a node session, delivering each frame at once and "
      "every reaction back, produces exactly `records`, in order.";
  file["spec"] = json::array{"docs/protocol.md §5", "§6.4"};
  file["records_per_key"] = kBudget;
  file["generations"] = std::move(generations);
  file["actions"] = talk.TakeActions();
  file["records"] = talk.TakeRecords();
  return file;
}

json::object EndRecordsFile(const Handshake& h) {
  Conversation talk(h, {});
  talk.Act(true, "send_data", "What is 2+2?");
  talk.Act(true, "send_end");
  talk.Act(false, "send_data", "4");
  talk.Act(false, "send_data", ", probably.");
  talk.Act(false, "send_end", R"({"finish_reason":"stop"})");
  talk.Act(true, "close");
  CERUMBRA_CHECK(talk.client().state() == SessionState::kClosed);
  CERUMBRA_CHECK(talk.node().state() == SessionState::kClosed);
  json::object file;
  file["description"] =
      "A whole conversation under the handshake.json keys (padding on): a "
      "request (DATA, END), a streamed response (DATA, DATA, END with a JSON "
      "object), the client's CLOSE and the node's answering CLOSE. A message "
      "is complete only at its END; the session ends cleanly only with both "
      "CLOSEs. Replaying `actions` on a client and a node session (each frame "
      "delivered at once, reactions back) produces exactly `records` and "
      "their receiver_events, and both sessions end in state closed.";
  file["spec"] = json::array{"docs/protocol.md §6.3", "§9"};
  file["actions"] = talk.TakeActions();
  file["records"] = talk.TakeRecords();
  file["final_state"] = "closed";
  return file;
}

// ---------------------------------------------------------------------------
// Negative cases

json::array HexArray(const std::vector<Frame>& frames) {
  json::array out;
  for (const Frame& f : frames) out.push_back(json::value(Hex(f)));
  return out;
}

json::object RecordCase(std::string name, std::string description,
                        std::string spec, std::string receiver,
                        const std::vector<Frame>& frames, size_t reject_at,
                        std::string step, uint64_t budget = kMaxRecordsPerKey,
                        size_t max_message = 1024 * 1024) {
  return json::object{{"name", name},
                      {"description", description},
                      {"spec", spec},
                      {"kind", "records"},
                      {"receiver", receiver},
                      {"records_per_key", budget},
                      {"max_message", max_message},
                      {"frames", HexArray(frames)},
                      {"expected", "reject"},
                      {"reject_at", reject_at},
                      {"step", step}};
}

json::object ResponseCase(std::string name, std::string description,
                          std::string spec, const std::string& response,
                          std::string step) {
  return json::object{{"name", name},
                      {"description", description},
                      {"spec", spec},
                      {"kind", "attest_response"},
                      {"attest_response", response},
                      {"expected", "reject"},
                      {"step", step}};
}

json::object NegativeFile(const Handshake& h) {
  const auto sender = [&](bool c2s, uint64_t budget = kMaxRecordsPerKey) {
    ChannelOptions options;
    options.records_per_key = budget;
    return Must(
        SendChannel::Create(Copy(h.Secret(c2s)), h.keys.session_id, options));
  };
  const auto seal = [](SendChannel& channel, ContentType type,
                       const std::vector<uint8_t>& payload) {
    return Must(channel.Seal(type, payload));
  };
  const auto craft = [&](bool c2s, uint64_t seq,
                         const std::vector<uint8_t>& plaintext) {
    return testing::CraftRecordFrame(h.Secret(c2s), h.keys.session_id, seq,
                                     plaintext);
  };
  SendChannel c2s = sender(true);
  const Frame f0 = seal(c2s, ContentType::kData, Bytes("first"));
  const Frame f1 = seal(c2s, ContentType::kData, Bytes("second"));
  const Frame f2 = seal(c2s, ContentType::kEnd, {});
  const auto flip = [](Frame frame, size_t index) {
    frame[index] ^= 0x01;
    return frame;
  };
  const auto set = [](Frame frame, size_t index, uint8_t value) {
    frame[index] = value;
    return frame;
  };

  json::array cases;
  cases.push_back(RecordCase("tampered_tag", "last tag byte flipped",
                             "§6.1, §8", "node", {flip(f0, f0.size() - 1)}, 0,
                             "decrypt"));
  cases.push_back(RecordCase(
      "tampered_ciphertext", "first ciphertext byte flipped", "§6.1, §8",
      "node", {flip(f0, kRecordHeaderSize)}, 0, "decrypt"));
  cases.push_back(RecordCase("tampered_seq",
                             "record 1 with its seq rewritten to 0: the seq "
                             "is expected, but nonce and AAD differ",
                             "§6.1", "node", {set(f1, 9, 0)}, 0, "decrypt"));
  cases.push_back(RecordCase("replayed_record", "record 0 delivered twice",
                             "§6.1", "node", {f0, f0}, 1, "seq"));
  cases.push_back(RecordCase("reordered_records", "record 1 before record 0",
                             "§6.1", "node", {f1, f0}, 0, "seq"));
  cases.push_back(RecordCase("dropped_record", "record 1 missing", "§6.1",
                             "node", {f0, f2}, 1, "seq"));
  cases.push_back(RecordCase("truncated_frame", "last byte of the frame cut",
                             "§6.1", "node", {Frame(f0.begin(), f0.end() - 1)},
                             0, "decrypt"));
  cases.push_back(RecordCase(
      "short_frame", "20 bytes: shorter than the smallest record", "§6.1, §6.2",
      "node", {Frame(f0.begin(), f0.begin() + 20)}, 0, "frame"));
  {
    // Tags valid for the odd headers: only the header checks reject them.
    const std::vector<uint8_t> plaintext =
        testing::RecordPlaintext(1, Bytes("first"), 54);
    testing::CraftOptions version;
    version.version = 2;
    cases.push_back(RecordCase(
        "wrong_record_version",
        "version byte 2, with a tag valid for that header", "§6.1, §8", "node",
        {testing::CraftRecordFrame(h.keys.c2s_secret, h.keys.session_id, 0,
                                   plaintext, version)},
        0, "frame"));
    testing::CraftOptions frame_type;
    frame_type.frame_type = 0x18;
    cases.push_back(RecordCase(
        "unknown_frame_type", "frame_type 0x18, with a tag valid for it",
        "§6.1", "node",
        {testing::CraftRecordFrame(h.keys.c2s_secret, h.keys.session_id, 0,
                                   plaintext, frame_type)},
        0, "frame"));
    testing::CraftOptions nonce;
    nonce.nonce_seq = 0;
    cases.push_back(RecordCase(
        "unexpected_seq_valid_tag",
        "header seq 1 where 0 is expected, sealed with the nonce of seq 0: "
        "only an explicit seq check rejects it",
        "§6.1", "node",
        {testing::CraftRecordFrame(h.keys.c2s_secret, h.keys.session_id, 1,
                                   plaintext, nonce)},
        0, "seq"));
  }
  cases.push_back(RecordCase(
      "oversize_frame",
      "16,411 bytes: the largest payload padded one byte past the largest "
      "bucket, with a valid tag",
      "§6.2, §7", "node",
      {craft(true, 0,
             testing::RecordPlaintext(1, Pattern(kMaxPayloadSize, 9), 1))},
      0, "frame"));
  cases.push_back(RecordCase("reflected_record",
                             "a client-to-node record sent back to the client",
                             "§5", "client", {f0}, 0, "decrypt"));
  {
    std::array<uint8_t, kSessionIdSize> other = h.keys.session_id;
    other[0] ^= 0x01;
    cases.push_back(RecordCase(
        "record_from_another_session",
        "sealed with the right key but another session id in the AAD", "§6.1",
        "node",
        {testing::CraftRecordFrame(
            h.keys.c2s_secret, other, 0,
            testing::RecordPlaintext(1, Bytes("x"), 58))},
        0, "decrypt"));
  }
  {
    std::vector<uint8_t> plaintext =
        testing::RecordPlaintext(1, Bytes("hello"), 54);
    plaintext[40] = 0x01;
    cases.push_back(RecordCase(
        "non_zero_padding", "a padding byte is 01 (valid tag)", "§6.2", "node",
        {craft(true, 0, plaintext)}, 0, "plaintext"));
    std::vector<uint8_t> long_length =
        testing::RecordPlaintext(1, Bytes("hello"), 54);
    long_length[4] = 60;  // length 60 > 59 bytes after the header
    cases.push_back(RecordCase(
        "length_past_plaintext", "length field larger than the plaintext",
        "§6.2", "node", {craft(true, 0, long_length)}, 0, "plaintext"));
  }
  cases.push_back(
      RecordCase("unknown_content_type", "content type 0x06", "§6.3", "node",
                 {craft(true, 0, testing::RecordPlaintext(6, Bytes("x"), 58))},
                 0, "plaintext"));
  cases.push_back(RecordCase(
      "empty_data", "a DATA record without payload", "§6.3", "node",
      {craft(true, 0, testing::RecordPlaintext(1, {}, 59))}, 0, "plaintext"));
  cases.push_back(RecordCase(
      "bad_key_update_byte", "KEY_UPDATE with payload 02", "§6.3", "node",
      {craft(true, 0,
             testing::RecordPlaintext(3, std::vector<uint8_t>{2}, 58))},
      0, "plaintext"));
  {
    SendChannel overrun = sender(true, 5);
    std::vector<Frame> frames;
    for (int i = 0; i < 4; ++i) {
      frames.push_back(seal(overrun, ContentType::kData, Bytes("x")));
    }
    cases.push_back(RecordCase(
        "record_past_key_budget",
        "receiver budget 4: the 4th record under a secret is DATA, not "
        "KEY_UPDATE",
        "§6.4", "node", frames, 3, "key_budget", 4));
  }
  {
    SendChannel s = sender(true);
    const Frame a = seal(s, ContentType::kData, Pattern(60, 5));
    const Frame b = seal(s, ContentType::kData, Pattern(41, 6));
    cases.push_back(RecordCase(
        "message_over_limit", "max_message 100: DATA of 60 then 41 bytes",
        "§6.3, §7", "node", {a, b}, 1, "session", kMaxRecordsPerKey, 100));
  }
  {
    SendChannel s2c = sender(false);
    cases.push_back(RecordCase(
        "cancel_from_node", "CANCEL sent by the node", "§6.3", "client",
        {seal(s2c, ContentType::kCancel, {})}, 0, "session"));
  }
  {
    SendChannel s = sender(true);
    const Frame close = seal(s, ContentType::kClose, {});
    const Frame data =
        craft(true, 1, testing::RecordPlaintext(1, Bytes("late"), 55));
    cases.push_back(RecordCase("record_after_close", "DATA after CLOSE",
                               "§2, §6.3", "node", {close, data}, 1,
                               "session"));
  }
  {
    SendChannel s2c = sender(false);
    const Frame data = seal(s2c, ContentType::kData, Bytes("partial"));
    const Frame close = seal(s2c, ContentType::kClose, {});
    cases.push_back(RecordCase("close_inside_message",
                               "the node closes in the middle of a response",
                               "§6.3", "client", {data, close}, 1, "session"));
  }
  {
    SendChannel s = sender(true);
    cases.push_back(RecordCase(
        "end_not_a_json_object", "END whose payload is []", "§6.3", "node",
        {seal(s, ContentType::kEnd, Bytes("[]"))}, 0, "session"));
  }
  {
    SendChannel s2c = sender(false);
    json::object truncated = RecordCase(
        "truncated_response",
        "the connection ends after a DATA record: no END, no CLOSE. "
        "reject_at equal to the number of frames means at the end of the "
        "connection",
        "§6.3", "client", {seal(s2c, ContentType::kData, Bytes("4, prob"))}, 1,
        "truncation");
    truncated["connection_ends"] = true;
    cases.push_back(std::move(truncated));
  }

  // Handshake: responses to the handshake.json client.
  const Quote good = Must(ParseQuote(h.quote));
  const auto sign = [&](const Quote& quote, const crypto::PrivateKey& key,
                        std::vector<uint8_t> evidence = {}) {
    SignedQuote out = Must(testing::SignQuote(key, quote, std::move(evidence)));
    out.certificate_chain = {h.certificate};
    return testing::ResponseText(out);
  };
  {
    Quote quote = good;
    quote.client_nonce[0] ^= 0x01;
    cases.push_back(ResponseCase(
        "quote_for_another_nonce",
        "a validly signed quote for another nonce (a replayed attestation)",
        "§4.3 step 3", sign(quote, h.attestation_key), "4.3.3"));
  }
  {
    Quote quote = good;
    const crypto::PrivateKey other = FixedKey("cerumbra-v1 test vector: other");
    std::copy_n(other.public_key().UncompressedPoint().begin(), kPublicKeySize,
                quote.client_public_key.begin());
    cases.push_back(ResponseCase(
        "quote_for_another_client_key",
        "a validly signed quote bound to another client key (a relayed "
        "attestation)",
        "§4.3 step 3", sign(quote, h.attestation_key), "4.3.3"));
  }
  {
    Quote quote = good;
    quote.node_public_key[64] ^= 0x01;
    cases.push_back(ResponseCase(
        "invalid_node_key", "the node key in the quote is off the curve",
        "§4.3 step 4", sign(quote, h.attestation_key), "4.3.4"));
  }
  cases.push_back(ResponseCase(
      "signature_by_another_key",
      "the quote is signed by a key other than the certificate's",
      "§4.3 step 6", sign(good, FixedKey("cerumbra-v1 test vector: rogue")),
      "4.3.6"));
  cases.push_back(ResponseCase(
      "evidence_digest_mismatch",
      "evidence 010203 whose SHA-384 is not the quote's evidence_digest",
      "§4.3 step 7", sign(good, h.attestation_key, {1, 2, 3}), "4.3.7"));
  {
    std::string text = h.response_text;
    text.replace(text.find("\"version\":1"), 11, "\"version\":2");
    cases.push_back(ResponseCase("response_version_2",
                                 "attest_response with version 2", "§3.2, §8",
                                 text, "4.3.1"));
  }
  {
    std::vector<uint8_t> quote = h.quote;
    quote[5] = 2;  // quote version 2
    SignedQuote out = Must(testing::SignQuote(h.attestation_key, good));
    out.quote = quote;
    out.signature = Must(crypto::EcdsaSign(
        h.attestation_key, quote, crypto::EcdsaSignatureFormat::kP1363));
    out.certificate_chain = {h.certificate};
    cases.push_back(
        ResponseCase("quote_version_2", "a signed quote with version 2",
                     "§4.1, §4.3 step 2", testing::ResponseText(out), "4.3.2"));
  }
  {
    std::string request = h.request_text;
    request.replace(request.find("\"version\":1"), 11, "\"version\":2");
    cases.push_back(json::object{
        {"name", "request_version_2"},
        {"description",
         "attest_request with version 2: the node answers "
         "unsupported_version and fails the session"},
        {"spec", "§3.3, §8"},
        {"kind", "attest_request"},
        {"attest_request", request},
        {"expected", "unsupported_version"},
        {"reply", SerializeErrorMessage(ErrorCode::kUnsupportedVersion)}});
  }

  json::object file;
  file["description"] =
      "Inputs every implementation must reject, under the handshake.json "
      "keys. kind records: feed `frames` in order to a fresh session of role "
      "`receiver` (limits records_per_key and max_message); frames before "
      "reject_at are accepted, frame reject_at is rejected with the opaque "
      "error (reject_at == number of frames: when the connection ends). "
      "`step` names the check that catches it: frame (size, version, type; "
      "before decryption), seq, decrypt (tag), plaintext (format after the "
      "tag verified), key_budget, session (state machine or limits), "
      "truncation. kind attest_response: the handshake.json client (its key "
      "and nonce) must reject the text; step is the §4.3 step that fails. "
      "kind attest_request: the handshake.json node answers `reply`.";
  file["spec"] = json::array{"docs/protocol.md §4.3", "§6", "§8"};
  file["signature_note"] = kSignatureNote;
  file["cases"] = std::move(cases);
  return file;
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const Handshake h = RunHandshake();
  WriteFile(dir, "handshake.json", HandshakeFile(h));
  WriteFile(dir, "records.json", RecordsFile(h));
  WriteFile(dir, "key_update.json", KeyUpdateFile(h));
  WriteFile(dir, "end_records.json", EndRecordsFile(h));
  WriteFile(dir, "negative.json", NegativeFile(h));
  return 0;
}

}  // namespace
}  // namespace cerumbra::protocol

int main(int argc, char** argv) { return cerumbra::protocol::Main(argc, argv); }
