// Copyright 2026 The Cerumbra Authors.

#include "inference/text_stream.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace cerumbra::inference {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// CheckSequence looks at the character starting at p[0] (n >= 1 bytes
// available). Returns its length when it is complete and valid, 0 when the
// available bytes are a valid but incomplete prefix, -1 when invalid.
// Table 3-7 of the Unicode Standard (well-formed UTF-8 byte sequences).
int CheckSequence(const uint8_t* p, size_t n) {
  const uint8_t b0 = p[0];
  int len;
  uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<size_t>(i) >= n) return 0;
    const uint8_t b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return -1;
  }
  return len;
}

}  // namespace

TextStream::TextStream(std::vector<std::string> stop)
    : stop_(std::move(stop)) {}

void TextStream::Decode(bool flush) {
  const auto* p = reinterpret_cast<const uint8_t*>(raw_.data());
  size_t i = 0;
  while (i < raw_.size()) {
    const int len = CheckSequence(p + i, raw_.size() - i);
    if (len > 0) {
      text_.append(raw_, i, len);
      i += len;
    } else if (len == 0 && !flush) {
      break;  // wait for the rest of the character
    } else {
      // An invalid byte, or an incomplete character at the end: one U+FFFD
      // for the byte (or for the whole incomplete tail when flushing).
      text_.append(kReplacement);
      i += len == 0 ? raw_.size() - i : 1;
    }
  }
  raw_.erase(0, i);
}

std::string TextStream::Release() {
  // The earliest complete stop string wins.
  size_t stop_at = std::string::npos;
  for (const std::string& s : stop_) {
    stop_at = std::min(stop_at, text_.find(s));
  }
  if (stop_at != std::string::npos) {
    stopped_ = true;
    std::string out = text_.substr(0, stop_at);
    text_.clear();
    raw_.clear();
    return out;
  }
  // Hold the longest suffix of text_ that is a proper prefix of a stop
  // string. It starts where a stop string starts, on a character boundary
  // (stop strings are valid UTF-8), so what is released is valid UTF-8.
  size_t hold = 0;
  for (const std::string& s : stop_) {
    const size_t max = std::min(s.size() - 1, text_.size());
    for (size_t k = max; k > hold; --k) {
      if (text_.compare(text_.size() - k, k, s, 0, k) == 0) {
        hold = k;
        break;
      }
    }
  }
  std::string out = text_.substr(0, text_.size() - hold);
  text_.erase(0, text_.size() - hold);
  return out;
}

std::string TextStream::Push(std::string_view bytes) {
  if (stopped_ || finished_) return "";
  raw_.append(bytes);
  Decode(/*flush=*/false);
  return Release();
}

std::string TextStream::Finish() {
  if (stopped_ || finished_) return "";
  finished_ = true;
  Decode(/*flush=*/true);
  std::string out = Release();
  if (stopped_) return out;
  out += text_;
  text_.clear();
  return out;
}

}  // namespace cerumbra::inference
