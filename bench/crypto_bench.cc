// Copyright 2026 The Cerumbra Authors.
//
// Google Benchmarks for src/crypto. Run from a Release build:
//   build/bench/crypto_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
// Targets (2-core dev machine): a 64-byte AES-256-GCM seal with a reused
// context <= 1 us; the node-side handshake computation <= 0.4 ms median.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/aead.h"
#include "crypto/aead_internal.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "crypto/sha.h"

namespace cerumbra::crypto {
namespace {

// Benchmarks abort on any error: a failing primitive must not be timed.
template <typename T>
T Must(Result<T> result) {
  CERUMBRA_CHECK(result.ok());
  return std::move(result).value();
}

std::span<const uint8_t> Label(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::vector<uint8_t> Bytes(size_t size) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 13 + 5);
  return out;
}

// A record-layer style nonce: base nonce XOR big-endian sequence number.
std::array<uint8_t, kAesGcmNonceSize> SequenceNonce(uint64_t seq) {
  std::array<uint8_t, kAesGcmNonceSize> nonce = {
      0x3a, 0x11, 0x5c, 0x90, 0x07, 0xe2, 0x48, 0x6b, 0xd3, 0x21, 0x9f, 0x70};
  for (int i = 0; i < 8; ++i) {
    nonce[kAesGcmNonceSize - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  }
  return nonce;
}

void BM_P256Keygen(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Must(PrivateKey::Generate(EcCurve::kP256)));
  }
}
BENCHMARK(BM_P256Keygen);

void BM_P256PublicKeyImport(benchmark::State& state) {
  const PrivateKey peer = Must(PrivateKey::Generate(EcCurve::kP256));
  const std::vector<uint8_t> point(
      peer.public_key().UncompressedPoint().begin(),
      peer.public_key().UncompressedPoint().end());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Must(PublicKey::FromUncompressedPoint(EcCurve::kP256, point)));
  }
}
BENCHMARK(BM_P256PublicKeyImport);

void BM_EcdhP256Derive(benchmark::State& state) {
  const PrivateKey mine = Must(PrivateKey::Generate(EcCurve::kP256));
  const PrivateKey peer = Must(PrivateKey::Generate(EcCurve::kP256));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Must(DeriveSharedSecret(mine, peer.public_key())));
  }
}
BENCHMARK(BM_EcdhP256Derive);

// The key schedule of docs/protocol.md §5: one extract with the transcript
// hash as salt, then c2s/s2c traffic secrets and the session id, and a key
// and base IV per direction (two keys and two IVs).
struct SessionSecrets {
  SecretBytes session_id, c2s_key, c2s_iv, s2c_key, s2c_iv;
};

SessionSecrets DeriveSessionSecrets(const SecretBytes& shared,
                                    std::span<const uint8_t> transcript_hash) {
  const SecretBytes prk = Must(HkdfSha256Extract(transcript_hash, shared));
  const SecretBytes c2s =
      Must(HkdfSha256Expand(prk, Label("cerumbra-v1 c2s"), 32));
  const SecretBytes s2c =
      Must(HkdfSha256Expand(prk, Label("cerumbra-v1 s2c"), 32));
  return {Must(HkdfSha256Expand(prk, Label("cerumbra-v1 session id"), 16)),
          Must(HkdfSha256Expand(c2s, Label("cerumbra-v1 key"), 32)),
          Must(HkdfSha256Expand(c2s, Label("cerumbra-v1 iv"), 12)),
          Must(HkdfSha256Expand(s2c, Label("cerumbra-v1 key"), 32)),
          Must(HkdfSha256Expand(s2c, Label("cerumbra-v1 iv"), 12))};
}

void BM_HkdfKeySchedule(benchmark::State& state) {
  const SecretBytes shared = Must(RandomSecretBytes(32));
  const Sha256Digest transcript = Must(Sha256(Bytes(300)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(DeriveSessionSecrets(shared, transcript));
  }
}
BENCHMARK(BM_HkdfKeySchedule);

void BM_Aes256GcmSeal(benchmark::State& state) {
  Aes256Gcm aead = Must(Aes256Gcm::Create(Must(RandomSecretBytes(32))));
  const std::vector<uint8_t> plaintext =
      Bytes(static_cast<size_t>(state.range(0)));
  const std::vector<uint8_t> aad = Bytes(21);
  uint64_t seq = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Must(
        internal::SealWithNonce(aead, SequenceNonce(seq++), plaintext, aad)));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_Aes256GcmSeal)->Arg(64)->Arg(1024)->Arg(16384);

void BM_Aes256GcmOpen(benchmark::State& state) {
  Aes256Gcm aead = Must(Aes256Gcm::Create(Must(RandomSecretBytes(32))));
  const std::vector<uint8_t> aad = Bytes(21);
  const auto nonce = SequenceNonce(7);
  const std::vector<uint8_t> sealed = Must(internal::SealWithNonce(
      aead, nonce, Bytes(static_cast<size_t>(state.range(0))), aad));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Must(internal::OpenWithNonce(aead, nonce, sealed, aad)));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_Aes256GcmOpen)->Arg(64)->Arg(1024)->Arg(16384);

// The public API: a fresh random nonce from the CSPRNG per call.
void BM_Aes256GcmSealRandomNonce(benchmark::State& state) {
  Aes256Gcm aead = Must(Aes256Gcm::Create(Must(RandomSecretBytes(32))));
  const std::vector<uint8_t> plaintext =
      Bytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Must(aead.Seal(plaintext, {})));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_Aes256GcmSealRandomNonce)->Arg(64);

void BM_EcdsaP256Sign(benchmark::State& state) {
  const PrivateKey key = Must(PrivateKey::Generate(EcCurve::kP256));
  const std::vector<uint8_t> quote = Bytes(200);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Must(EcdsaSign(key, quote, EcdsaSignatureFormat::kP1363)));
  }
}
BENCHMARK(BM_EcdsaP256Sign);

void BM_EcdsaP256Verify(benchmark::State& state) {
  const PrivateKey key = Must(PrivateKey::Generate(EcCurve::kP256));
  const std::vector<uint8_t> quote = Bytes(200);
  const std::vector<uint8_t> sig =
      Must(EcdsaSign(key, quote, EcdsaSignatureFormat::kP1363));
  for (auto _ : state) {
    const Status status =
        EcdsaVerify(key.public_key(), quote, sig, EcdsaSignatureFormat::kP1363);
    CERUMBRA_CHECK(status.ok());
  }
}
BENCHMARK(BM_EcdsaP256Verify);

// NVIDIA SPDM reports are signed with P-384 / SHA-384 over ~4 KiB.
void BM_EcdsaP384Verify(benchmark::State& state) {
  const PrivateKey key = Must(PrivateKey::Generate(EcCurve::kP384));
  const std::vector<uint8_t> report = Bytes(4021);
  const std::vector<uint8_t> sig =
      Must(EcdsaSign(key, report, EcdsaSignatureFormat::kP1363));
  for (auto _ : state) {
    const Status status = EcdsaVerify(key.public_key(), report, sig,
                                      EcdsaSignatureFormat::kP1363);
    CERUMBRA_CHECK(status.ok());
  }
}
BENCHMARK(BM_EcdsaP384Verify);

void BM_Sha256(benchmark::State& state) {
  const std::vector<uint8_t> data = Bytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Must(Sha256(data)));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(256)->Arg(1 << 20);

// The node's whole per-handshake computation (docs/protocol.md §3-§5): a
// fresh ephemeral key; the client's public key imported from its 65 wire
// bytes and validated; a ~200-byte quote binding both keys, signed with
// ECDSA P-256 (P1363); the transcript hash; ECDH; and the HKDF key schedule
// (two keys, two base IVs, the session id).
// "cerumbra-v1 transcript" || 0x00 (23 bytes).
constexpr char kTranscriptLabel[] = "cerumbra-v1 transcript\0";

void BM_NodeHandshake(benchmark::State& state) {
  const PrivateKey client = Must(PrivateKey::Generate(EcCurve::kP256));
  const std::vector<uint8_t> client_point(
      client.public_key().UncompressedPoint().begin(),
      client.public_key().UncompressedPoint().end());
  const PrivateKey quote_key = Must(PrivateKey::Generate(EcCurve::kP256));
  std::vector<uint8_t> quote = Bytes(200);
  for (auto _ : state) {
    const PrivateKey ephemeral = Must(PrivateKey::Generate(EcCurve::kP256));
    const PublicKey peer =
        Must(PublicKey::FromUncompressedPoint(EcCurve::kP256, client_point));
    const auto point = ephemeral.public_key().UncompressedPoint();
    std::copy(point.begin(), point.end(), quote.begin());
    std::copy(client_point.begin(), client_point.end(), quote.begin() + 65);
    benchmark::DoNotOptimize(
        Must(EcdsaSign(quote_key, quote, EcdsaSignatureFormat::kP1363)));
    Sha256Hasher th = Must(Sha256Hasher::Create());
    th.Update(Label(
        std::string_view(kTranscriptLabel, sizeof(kTranscriptLabel) - 1)));
    th.Update(quote);
    const Sha256Digest transcript = Must(th.Finish());
    const SharedSecret shared = Must(DeriveSharedSecret(ephemeral, peer));
    benchmark::DoNotOptimize(DeriveSessionSecrets(shared.secret(), transcript));
  }
}
BENCHMARK(BM_NodeHandshake);

}  // namespace
}  // namespace cerumbra::crypto

BENCHMARK_MAIN();
