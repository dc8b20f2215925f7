// Copyright 2026 The Cerumbra Authors.
//
// Text helpers for the upstream engine: UTF-8 checks, a UTF-8 assembler
// that never hands out part of a character, and wiping of strings that held
// prompt or completion text.

#ifndef CERUMBRA_INFERENCE_UPSTREAM_TEXT_H_
#define CERUMBRA_INFERENCE_UPSTREAM_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace cerumbra::inference {

// IsValidUtf8 returns whether `text` is well-formed UTF-8 (RFC 3629 §4: no
// overlong forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// WipeString overwrites all of `s`'s storage (up to its capacity) with
// zeros, in a way the compiler does not elide, and leaves `s` empty.
void WipeString(std::string& s);

// Utf8Assembler joins pieces of a UTF-8 stream and releases only whole
// characters: Append returns the longest complete prefix of what it holds
// and keeps an incomplete character (at most 3 bytes) for the next call.
// Ill-formed sequences are replaced with U+FFFD (one per maximal ill-formed
// subpart, as in Unicode §3.9 "U+FFFD Substitution of Maximal Subparts"), so
// the output is always valid UTF-8 whatever the input.
//
// The held bytes are wiped on destruction. Thread safety: not thread-safe.
class Utf8Assembler {
 public:
  Utf8Assembler() = default;
  ~Utf8Assembler();
  Utf8Assembler(const Utf8Assembler&) = delete;
  Utf8Assembler& operator=(const Utf8Assembler&) = delete;

  // Append adds `bytes` and returns the complete characters now available
  // (possibly empty).
  std::string Append(std::string_view bytes);

  // Flush ends the stream: returns U+FFFD for a held incomplete character,
  // or an empty string.
  std::string Flush();

  // pending returns how many bytes are held back.
  size_t pending() const { return pending_.size(); }

 private:
  std::string pending_;
};

}  // namespace cerumbra::inference

#endif  // CERUMBRA_INFERENCE_UPSTREAM_TEXT_H_
