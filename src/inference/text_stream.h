// Copyright 2026 The Cerumbra Authors.
//
// Internal to src/inference: turns the bytes of sampled tokens into text
// that is safe to stream (used by LlamaEngine, testable without a model).

#ifndef CERUMBRA_INFERENCE_TEXT_STREAM_H_
#define CERUMBRA_INFERENCE_TEXT_STREAM_H_

#include <string>
#include <string_view>
#include <vector>

#include "inference/upstream_text.h"

namespace cerumbra::inference {

// TextStream assembles token pieces into emittable text:
//   - UTF-8: bytes of an incomplete character are held until the character
//     is complete, so no multi-byte character is ever split across two
//     outputs; bytes that can never become valid UTF-8 are replaced with
//     U+FFFD (every output is valid UTF-8).
//   - Stop strings: text that could still be the start of a stop string is
//     held back; when a stop string appears, the text before it is
//     returned and nothing of the stop string or what follows ever is.
//
// Not thread-safe; one per generation.
class TextStream {
 public:
  // TextStream(stop) uses the given stop strings. REQUIRES: each is
  // non-empty valid UTF-8.
  explicit TextStream(std::vector<std::string> stop);

  // Push adds the bytes of one token and returns the text that can be
  // emitted now (possibly empty). After a stop string was found, stopped()
  // is true and Push returns "" and ignores its input.
  std::string Push(std::string_view bytes);

  // Finish returns everything still held back (an incomplete character at
  // the end becomes U+FFFD) and ends the stream: later calls return "".
  // Returns "" after a stop.
  std::string Finish();

  // stopped returns true once a stop string was found.
  bool stopped() const { return stopped_; }

 private:
  // Moves complete characters from raw_ to text_. With `flush`, an
  // incomplete tail becomes U+FFFD too.
  void Decode(bool flush);
  // Returns what can be emitted from text_ now and removes it from text_.
  std::string Release();

  std::vector<std::string> stop_;
  std::string raw_;   // undecoded bytes: at most one incomplete character
  std::string text_;  // valid UTF-8 not yet emitted
  bool stopped_ = false;
  bool finished_ = false;
};

// IsValidUtf8 (upstream_text.h) checks well-formed UTF-8.

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_TEXT_STREAM_H_
