// Copyright 2026 The Cerumbra Authors.

#include "protocol/coalescer.h"

#include <algorithm>

#include "cerumbra/status.h"
#include "crypto/secret_bytes.h"

namespace cerumbra::protocol {
namespace {

bool IsContinuationByte(uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

Coalescer::Coalescer(size_t max_chunk) : max_chunk_(max_chunk) {
  CERUMBRA_CHECK(max_chunk_ >= 4);
}

Coalescer::~Coalescer() { crypto::Wipe(buffer_); }

void Coalescer::Push(std::span<const uint8_t> bytes) {
  if (buffer_.size() + bytes.size() > buffer_.capacity()) {
    // Grow by hand so the old allocation is wiped, not just freed.
    std::vector<uint8_t> bigger;
    bigger.reserve(std::max(buffer_.size() + bytes.size(), 2 * buffer_.size()));
    bigger.assign(buffer_.begin(), buffer_.end());
    crypto::Wipe(buffer_);
    buffer_.swap(bigger);
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::vector<uint8_t> Coalescer::Tick() {
  size_t n = std::min(buffer_.size(), max_chunk_);
  if (n < buffer_.size()) {
    // Back off to a character boundary: at most 3 continuation bytes.
    size_t cut = n;
    while (cut > 0 && n - cut < 4 && IsContinuationByte(buffer_[cut])) --cut;
    if (cut > 0 && !IsContinuationByte(buffer_[cut])) n = cut;
  }
  std::vector<uint8_t> chunk(buffer_.begin(), buffer_.begin() + n);
  std::move(buffer_.begin() + n, buffer_.end(), buffer_.begin());
  const size_t rest = buffer_.size() - n;
  crypto::Wipe(std::span<uint8_t>(buffer_).subspan(rest));
  buffer_.resize(rest);
  return chunk;
}

std::vector<std::vector<uint8_t>> Coalescer::Drain() {
  std::vector<std::vector<uint8_t>> chunks;
  while (!buffer_.empty()) chunks.push_back(Tick());
  return chunks;
}

}  // namespace cerumbra::protocol
