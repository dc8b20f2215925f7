// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_evidence.h"

#include <string>
#include <string_view>
#include <utility>

#include "crypto/base64.h"

namespace cerumbra::attest {
namespace {

constexpr std::string_view kFormat = "cerumbra-nvidia-evidence-v1";
constexpr size_t kMaxGpus = 8;
constexpr size_t kMaxReportSize = 8 * 1024;
constexpr size_t kMinChainLength = 2;
constexpr size_t kMaxChainLength = 8;
constexpr size_t kMaxCertificateSize = 4 * 1024;
// The largest canonical encoding: every field at its limit, base64 grows
// by 4/3. Anything longer is rejected before parsing.
constexpr size_t kMaxEncodedSize =
    256 + kMaxGpus * (128 + (kMaxReportSize * 4 / 3 + 4) +
                      kMaxChainLength * (kMaxCertificateSize * 4 / 3 + 8));

std::string_view ArchitectureName(GpuArchitecture a) {
  return a == GpuArchitecture::kHopper ? "hopper" : "blackwell";
}

Status CheckLimits(const NvidiaEvidence& evidence) {
  if (evidence.gpus.empty() || evidence.gpus.size() > kMaxGpus) {
    return InvalidArgumentError("nvidia evidence: 1..8 GPUs required");
  }
  for (size_t i = 0; i < evidence.gpus.size(); ++i) {
    const GpuEvidence& gpu = evidence.gpus[i];
    if (gpu.index != static_cast<int>(i)) {
      return InvalidArgumentError(
          "nvidia evidence: GPU indices must be 0..n-1");
    }
    if (gpu.architecture != GpuArchitecture::kHopper &&
        gpu.architecture != GpuArchitecture::kBlackwell) {
      return InvalidArgumentError("nvidia evidence: unknown architecture");
    }
    if (gpu.report.empty() || gpu.report.size() > kMaxReportSize) {
      return InvalidArgumentError("nvidia evidence: report size out of range");
    }
    if (gpu.certificate_chain.size() < kMinChainLength ||
        gpu.certificate_chain.size() > kMaxChainLength) {
      return InvalidArgumentError(
          "nvidia evidence: 2..8 certificates per chain required");
    }
    for (const std::vector<uint8_t>& der : gpu.certificate_chain) {
      if (der.empty() || der.size() > kMaxCertificateSize) {
        return InvalidArgumentError(
            "nvidia evidence: certificate size out of range");
      }
    }
  }
  return OkStatus();
}

void AppendHex(std::string& out, std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
}

// Cursor reads the canonical encoding left to right. Every method returns
// false (and the parse fails) on the first byte that is not exactly what
// the encoder would have written.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool Literal(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }
  // String reads the characters up to the next '"' (the encoder never
  // writes escapes: hex and base64url have no '"' or '\\'), and the '"'.
  bool String(std::string_view& out) {
    const size_t end = text_.find('"', pos_);
    if (end == std::string_view::npos) return false;
    out = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }
  // SmallIndex reads a decimal 0..9 (at most 8 GPUs: one digit, so no
  // leading-zero or overflow questions arise).
  bool SmallIndex(int& out) {
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c < '0' || c > '9') return false;
    out = c - '0';
    ++pos_;
    return true;
  }
  bool AtEnd() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool DecodeLowerHex(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

Status Malformed(std::string_view what) {
  return InvalidArgumentError(std::string("nvidia evidence: ") +
                              std::string(what));
}

}  // namespace

Result<std::vector<uint8_t>> EncodeNvidiaEvidence(
    const NvidiaEvidence& evidence) {
  CERUMBRA_RETURN_IF_ERROR(CheckLimits(evidence));
  std::string out = "{\"format\":\"";
  out += kFormat;
  out += "\",\"nonce\":\"";
  AppendHex(out, evidence.nonce);
  out += "\",\"gpus\":[";
  for (size_t i = 0; i < evidence.gpus.size(); ++i) {
    const GpuEvidence& gpu = evidence.gpus[i];
    if (i > 0) out += ',';
    out += "{\"index\":";
    out += std::to_string(gpu.index);
    out += ",\"architecture\":\"";
    out += ArchitectureName(gpu.architecture);
    out += "\",\"report\":\"";
    out += crypto::internal::Base64UrlEncode(gpu.report);
    out += "\",\"certificate_chain\":[";
    for (size_t j = 0; j < gpu.certificate_chain.size(); ++j) {
      if (j > 0) out += ',';
      out += '"';
      out += crypto::internal::Base64UrlEncode(gpu.certificate_chain[j]);
      out += '"';
    }
    out += "]}";
  }
  out += "]}";
  return std::vector<uint8_t>(out.begin(), out.end());
}

Result<NvidiaEvidence> ParseNvidiaEvidence(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Malformed("too large");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                              bytes.size());
  Cursor in(text);
  NvidiaEvidence evidence;
  std::string_view field;
  if (!in.Literal("{\"format\":\"") || !in.Literal(kFormat) ||
      !in.Literal("\",\"nonce\":\"") || !in.String(field) ||
      !DecodeLowerHex(field, evidence.nonce) || !in.Literal(",\"gpus\":[")) {
    return Malformed("bad header");
  }
  do {
    if (evidence.gpus.size() >= kMaxGpus) return Malformed("too many GPUs");
    GpuEvidence gpu;
    if (!in.Literal("{\"index\":") || !in.SmallIndex(gpu.index) ||
        !in.Literal(",\"architecture\":\"") || !in.String(field)) {
      return Malformed("bad GPU entry");
    }
    if (field == "hopper") {
      gpu.architecture = GpuArchitecture::kHopper;
    } else if (field == "blackwell") {
      gpu.architecture = GpuArchitecture::kBlackwell;
    } else {
      return Malformed("unknown architecture");
    }
    if (!in.Literal(",\"report\":\"") || !in.String(field)) {
      return Malformed("bad report");
    }
    Result<std::vector<uint8_t>> report =
        crypto::internal::Base64UrlDecode(field);
    if (!report.ok()) return Malformed("report is not canonical base64url");
    gpu.report = *std::move(report);
    if (!in.Literal(",\"certificate_chain\":[")) {
      return Malformed("bad certificate_chain");
    }
    do {
      if (gpu.certificate_chain.size() >= kMaxChainLength) {
        return Malformed("chain too long");
      }
      if (!in.Literal("\"") || !in.String(field)) {
        return Malformed("bad certificate");
      }
      Result<std::vector<uint8_t>> der =
          crypto::internal::Base64UrlDecode(field);
      if (!der.ok()) return Malformed("certificate is not canonical base64url");
      gpu.certificate_chain.push_back(*std::move(der));
    } while (in.Literal(","));
    if (!in.Literal("]}")) return Malformed("bad certificate_chain end");
    evidence.gpus.push_back(std::move(gpu));
  } while (in.Literal(","));
  if (!in.Literal("]}") || !in.AtEnd()) return Malformed("bad trailer");
  // Limits (sizes, index order) are the encoder's; checking them here keeps
  // one definition of "valid".
  CERUMBRA_RETURN_IF_ERROR(CheckLimits(evidence));
  return evidence;
}

}  // namespace cerumbra::attest
