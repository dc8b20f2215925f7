// Copyright 2026 The Cerumbra Authors.
//
// Protocol benchmarks (docs/performance.md): 64-byte records sealed and
// opened per second with padding on and off, and full handshakes (both
// sides, with a real ECDSA signer and verifier) per second.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/secret_bytes.h"
#include "protocol/handshake.h"
#include "protocol/record_layer.h"
#include "protocol/test_util.h"

namespace cerumbra::protocol {
namespace {

constexpr size_t kPayloadSize = 64;
constexpr size_t kOpenBatch = 4096;

crypto::SecretBytes FixedSecret(uint8_t fill) {
  std::vector<uint8_t> bytes(32, fill);
  return crypto::SecretBytes::CopyFrom(bytes);
}

std::array<uint8_t, kSessionIdSize> SessionId() {
  std::array<uint8_t, kSessionIdSize> id;
  id.fill(0x5a);
  return id;
}

ChannelOptions Options(bool pad) {
  ChannelOptions options;
  options.pad = pad;
  return options;
}

// Seals one 64-byte DATA record, or the KEY_UPDATE the budget asks for.
std::vector<uint8_t> SealOne(SendChannel& send,
                             const std::vector<uint8_t>& payload) {
  static const uint8_t kNoRequest[1] = {0};
  Result<std::vector<uint8_t>> frame =
      send.NeedsKeyUpdate() ? send.Seal(ContentType::kKeyUpdate, kNoRequest)
                            : send.Seal(ContentType::kData, payload);
  CERUMBRA_CHECK(frame.ok());
  return std::move(frame).value();
}

void BM_RecordSeal64(benchmark::State& state) {
  const bool pad = state.range(0) != 0;
  auto send = SendChannel::Create(FixedSecret(1), SessionId(), Options(pad));
  CERUMBRA_CHECK(send.ok());
  const std::vector<uint8_t> payload(kPayloadSize, 'x');
  size_t frame_size = 0;
  for (auto _ : state) {
    std::vector<uint8_t> frame = SealOne(*send, payload);
    frame_size = frame.size();
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["frame_bytes"] = static_cast<double>(frame_size);
  state.SetLabel(pad ? "padding on" : "padding off");
}
BENCHMARK(BM_RecordSeal64)->Arg(1)->Arg(0);

void BM_RecordOpen64(benchmark::State& state) {
  const bool pad = state.range(0) != 0;
  const std::vector<uint8_t> payload(kPayloadSize, 'x');
  std::vector<std::vector<uint8_t>> frames;
  std::optional<RecvChannel> recv;
  size_t next = kOpenBatch;
  for (auto _ : state) {
    if (next == kOpenBatch) {
      // Records open only in order on a fresh channel: seal a new batch.
      state.PauseTiming();
      auto send =
          SendChannel::Create(FixedSecret(1), SessionId(), Options(pad));
      auto fresh =
          RecvChannel::Create(FixedSecret(1), SessionId(), Options(pad));
      CERUMBRA_CHECK(send.ok() && fresh.ok());
      recv.emplace(std::move(fresh).value());
      frames.clear();
      for (size_t i = 0; i < kOpenBatch; ++i) {
        frames.push_back(SealOne(*send, payload));
      }
      next = 0;
      state.ResumeTiming();
    }
    Result<Record> record = recv->Open(frames[next++]);
    CERUMBRA_CHECK(record.ok());
    benchmark::DoNotOptimize(record->payload.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(pad ? "padding on" : "padding off");
}
BENCHMARK(BM_RecordOpen64)->Arg(1)->Arg(0);

// Both sides of a whole handshake: client key and nonce, node key, quote
// signing (ECDSA P-256), the client's checks and signature verification,
// ECDH and the key schedule on both ends.
void BM_FullHandshake(benchmark::State& state) {
  auto attestation_key = crypto::PrivateKey::Generate(crypto::EcCurve::kP256);
  CERUMBRA_CHECK(attestation_key.ok());
  testing::TestSigner signer(*attestation_key);
  testing::TestVerifier verifier(attestation_key->public_key());
  for (auto _ : state) {
    auto client = ClientHandshake::Create();
    auto node = NodeHandshake::Create();
    CERUMBRA_CHECK(client.ok() && node.ok());
    Result<std::string> request = client->Start();
    CERUMBRA_CHECK(request.ok());
    NodeHandshakeResult result =
        node->HandleRequest(*request, signer, testing::kTestNowMs);
    CERUMBRA_CHECK(result.session.ok());
    Result<Session> session = client->HandleResponse(
        result.reply_text, verifier, testing::kTestNowMs);
    CERUMBRA_CHECK(session.ok());
    benchmark::DoNotOptimize(session->session_id().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FullHandshake);

}  // namespace
}  // namespace cerumbra::protocol

BENCHMARK_MAIN();
