// Copyright 2026 The Cerumbra Authors.

#include "server/metrics.h"

#include <charconv>
#include <system_error>

namespace cerumbra::server {
namespace {

void Line(std::string& out, std::string_view text) {
  out.append(text);
  out.push_back('\n');
}

// Number writes the shortest text that reads back as `v`.
std::string Number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

void Counter(std::string& out, std::string_view name, std::string_view help,
             uint64_t value) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  out += "# TYPE " + std::string(name) + " counter\n";
  out += std::string(name) + " " + std::to_string(value) + "\n";
}

void Gauge(std::string& out, std::string_view name, std::string_view help,
           int64_t value) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  out += "# TYPE " + std::string(name) + " gauge\n";
  out += std::string(name) + " " + std::to_string(value) + "\n";
}

const char* FailureName(HandshakeFailure f) {
  switch (f) {
    case HandshakeFailure::kBadRequest:
      return "bad_request";
    case HandshakeFailure::kUnsupportedVersion:
      return "unsupported_version";
    case HandshakeFailure::kSigner:
      return "attestation";
    case HandshakeFailure::kTimeout:
      return "timeout";
    case HandshakeFailure::kTransport:
      return "transport";
    case HandshakeFailure::kCount_:
      break;
  }
  return "unknown";
}

}  // namespace

void Histogram::Observe(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) buckets_[i]++;
  }
  count_++;
  sum_ += seconds;
}

void Histogram::Render(std::string_view name, std::string& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string n(name);
  for (size_t i = 0; i < kBounds.size(); ++i) {
    Line(out, n + "_bucket{le=\"" + Number(kBounds[i]) + "\"} " +
                  std::to_string(buckets_[i]));
  }
  Line(out, n + "_bucket{le=\"+Inf\"} " + std::to_string(count_));
  Line(out, n + "_sum " + Number(sum_));
  Line(out, n + "_count " + std::to_string(count_));
}

std::string Metrics::Render() const {
  std::string out;
  Gauge(out, "cerumbra_sessions_active", "WebSocket sessions open now.",
        sessions_active_);
  Counter(out, "cerumbra_sessions_total", "WebSocket sessions opened.",
          sessions_total_);
  Counter(out, "cerumbra_sessions_failed_total",
          "Established sessions that ended with the opaque error.",
          sessions_failed_);
  Counter(out, "cerumbra_handshakes_succeeded_total",
          "Handshakes that established a session.", handshakes_ok_);
  out +=
      "# HELP cerumbra_handshakes_failed_total Handshakes that failed, by "
      "reason.\n# TYPE cerumbra_handshakes_failed_total counter\n";
  for (size_t i = 0; i < handshakes_failed_.size(); ++i) {
    out += "cerumbra_handshakes_failed_total{reason=\"";
    out += FailureName(static_cast<HandshakeFailure>(i));
    out += "\"} " + std::to_string(handshakes_failed_[i].load()) + "\n";
  }
  Counter(out, "cerumbra_requests_total", "Conversation requests received.",
          requests_total_);
  Counter(out, "cerumbra_tokens_generated_total",
          "Completion tokens generated for clients.", tokens_total_);
  Gauge(out, "cerumbra_generation_queue_depth",
        "Generations queued or running in the engine.", queue_depth_);
  Gauge(out, "cerumbra_write_queue_bytes",
        "Bytes queued for clients and not yet written, all sessions.",
        write_queue_bytes_);
  out +=
      "# HELP cerumbra_time_to_first_token_seconds From a request's END to "
      "its first text.\n# TYPE cerumbra_time_to_first_token_seconds "
      "histogram\n";
  ttft_.Render("cerumbra_time_to_first_token_seconds", out);
  out +=
      "# HELP cerumbra_inter_token_seconds Time between consecutive pieces "
      "of streamed text.\n# TYPE cerumbra_inter_token_seconds histogram\n";
  inter_token_.Render("cerumbra_inter_token_seconds", out);
  return out;
}

}  // namespace cerumbra::server
