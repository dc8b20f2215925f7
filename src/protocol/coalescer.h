// Copyright 2026 The Cerumbra Authors.
//
// Coalescing of response text on a fixed tick (docs/protocol.md §6.5).
//
// A node that coalesces pushes each generated piece of text into a
// Coalescer and, on every tick of a fixed timer (for example every 50 ms),
// sends what Tick() returns as one DATA record. Record timing then follows
// the tick, not token generation. The timer belongs to the caller: this
// class does no I/O and reads no clock.

#ifndef CERUMBRA_PROTOCOL_COALESCER_H_
#define CERUMBRA_PROTOCOL_COALESCER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/wire.h"

namespace cerumbra::protocol {

// Coalescer buffers bytes of one message and releases them in chunks of at
// most `max_chunk` bytes, one chunk per tick, never splitting a UTF-8
// character (a chunk ends before a continuation byte) unless one character
// is longer than `max_chunk` (invalid UTF-8; then it cuts at max_chunk).
//
// The buffer is wiped when released and when the Coalescer is destroyed.
// Thread safety: not thread-safe; one per session.
class Coalescer {
 public:
  // Coalescer creates an empty buffer. REQUIRES: 4 <= max_chunk.
  explicit Coalescer(size_t max_chunk = kMaxPayloadSize);
  ~Coalescer();
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  // Push appends `bytes` to the buffer. Nothing is sent until the next
  // Tick().
  void Push(std::span<const uint8_t> bytes);

  // Tick returns the next chunk to send as one DATA record: empty when
  // nothing is buffered, else 1..max_chunk bytes from the front.
  std::vector<uint8_t> Tick();

  // Drain returns the whole buffer in chunks (for the end of a message,
  // before END) and leaves the buffer empty.
  std::vector<std::vector<uint8_t>> Drain();

  // buffered returns how many bytes wait for a tick.
  size_t buffered() const { return buffer_.size(); }

 private:
  size_t max_chunk_;
  std::vector<uint8_t> buffer_;
};

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_COALESCER_H_
