// Copyright 2026 The Cerumbra Authors.

#include "inference/upstream_text.h"

#include <cstdint>

namespace cerumbra::inference {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

enum class Scan { kComplete, kIncomplete, kInvalid };

struct ScanResult {
  Scan scan;
  size_t length;  // kComplete: the character; kInvalid: bytes to replace
};

// ScanChar looks at the character starting at text[0] (Unicode §3.9,
// Table 3-7 "Well-Formed UTF-8 Byte Sequences"). REQUIRES: !text.empty().
ScanResult ScanChar(std::string_view text) {
  const auto b0 = static_cast<uint8_t>(text[0]);
  if (b0 < 0x80) return {Scan::kComplete, 1};
  size_t need = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 == 0xE0) {
    need = 3;
    lo = 0xA0;
  } else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) {
    need = 3;
  } else if (b0 == 0xED) {
    need = 3;
    hi = 0x9F;
  } else if (b0 == 0xF0) {
    need = 4;
    lo = 0x90;
  } else if (b0 >= 0xF1 && b0 <= 0xF3) {
    need = 4;
  } else if (b0 == 0xF4) {
    need = 4;
    hi = 0x8F;
  } else {
    return {Scan::kInvalid, 1};
  }
  for (size_t i = 1; i < need; ++i) {
    if (i >= text.size()) return {Scan::kIncomplete, i};
    const auto b = static_cast<uint8_t>(text[i]);
    const uint8_t min = i == 1 ? lo : 0x80;
    const uint8_t max = i == 1 ? hi : 0xBF;
    // The maximal subpart ends before the first byte that cannot continue.
    if (b < min || b > max) return {Scan::kInvalid, i};
  }
  return {Scan::kComplete, need};
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const ScanResult r = ScanChar(text.substr(i));
    if (r.scan != Scan::kComplete) return false;
    i += r.length;
  }
  return true;
}

void WipeString(std::string& s) {
  s.resize(s.capacity());
  volatile char* p = s.data();
  for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

Utf8Assembler::~Utf8Assembler() { WipeString(pending_); }

std::string Utf8Assembler::Append(std::string_view bytes) {
  std::string out;
  out.reserve(pending_.size() + bytes.size());
  std::string_view text = bytes;
  std::string joined;
  if (!pending_.empty()) {
    joined = pending_;
    joined.append(bytes);
    WipeString(pending_);
    text = joined;
  }
  size_t i = 0;
  while (i < text.size()) {
    const ScanResult r = ScanChar(text.substr(i));
    if (r.scan == Scan::kIncomplete) {
      pending_.assign(text.substr(i));
      break;
    }
    if (r.scan == Scan::kComplete) {
      out.append(text.substr(i, r.length));
    } else {
      out.append(kReplacement);
    }
    i += r.length;
  }
  WipeString(joined);
  return out;
}

std::string Utf8Assembler::Flush() {
  if (pending_.empty()) return {};
  WipeString(pending_);
  return std::string(kReplacement);
}

}  // namespace cerumbra::inference
