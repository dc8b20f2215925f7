// Copyright 2026 The Cerumbra Authors.
//
// Metrics: the node's counters, gauges and histograms, rendered in the
// Prometheus text exposition format (version 0.0.4) for GET /metrics.
// Public aggregate data only.

#ifndef CERUMBRA_SERVER_METRICS_H_
#define CERUMBRA_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace cerumbra::server {

// HandshakeFailure is the reason label of cerumbra_handshakes_failed_total.
enum class HandshakeFailure {
  kBadRequest,          // malformed or invalid attest_request
  kUnsupportedVersion,  // another protocol version
  kSigner,              // the attester could not produce a quote
  kTimeout,             // no request within the handshake timeout
  kTransport,           // the connection failed during the handshake
  kCount_,
};

// Histogram is a fixed-bucket Prometheus histogram of seconds.
class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {
      0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};
  void Observe(double seconds);
  // Render appends the _bucket, _sum and _count lines for `name`.
  void Render(std::string_view name, std::string& out) const;

 private:
  mutable std::mutex mu_;
  std::array<uint64_t, kBounds.size()> buckets_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

// Metrics is thread-safe: every method may be called from any thread.
class Metrics {
 public:
  void SessionOpened() { sessions_active_++, sessions_total_++; }
  void SessionClosed() { sessions_active_--; }
  void HandshakeSucceeded() { handshakes_ok_++; }
  void HandshakeFailed(HandshakeFailure reason) {
    handshakes_failed_[static_cast<size_t>(reason)]++;
  }
  void SessionFailed() { sessions_failed_++; }
  void RequestStarted() { requests_total_++; }
  void TokensGenerated(uint64_t n) { tokens_total_ += n; }
  void QueueDepthChanged(int64_t delta) { queue_depth_ += delta; }
  // WriteQueueChanged tracks the bytes queued for clients, all sessions.
  void WriteQueueChanged(int64_t delta) { write_queue_bytes_ += delta; }
  void ObserveTimeToFirstToken(double seconds) { ttft_.Observe(seconds); }
  void ObserveInterToken(double seconds) { inter_token_.Observe(seconds); }

  int64_t sessions_active() const { return sessions_active_; }
  uint64_t handshakes_succeeded() const { return handshakes_ok_; }
  uint64_t sessions_failed() const { return sessions_failed_; }
  // generations_active: generations the node started and has not yet seen
  // end (on_done) or given up on; queued or running in the engine.
  int64_t generations_active() const { return queue_depth_; }
  // write_queue_bytes: bytes queued for clients and not yet written.
  int64_t write_queue_bytes() const { return write_queue_bytes_; }
  uint64_t handshakes_failed(HandshakeFailure reason) const {
    return handshakes_failed_[static_cast<size_t>(reason)];
  }

  // Render returns the whole exposition.
  std::string Render() const;

 private:
  std::atomic<int64_t> sessions_active_{0};
  std::atomic<uint64_t> sessions_total_{0};
  std::atomic<uint64_t> sessions_failed_{0};
  std::atomic<uint64_t> handshakes_ok_{0};
  std::array<std::atomic<uint64_t>,
             static_cast<size_t>(HandshakeFailure::kCount_)>
      handshakes_failed_{};
  std::atomic<uint64_t> requests_total_{0};
  std::atomic<uint64_t> tokens_total_{0};
  std::atomic<int64_t> queue_depth_{0};
  std::atomic<int64_t> write_queue_bytes_{0};
  Histogram ttft_;
  Histogram inter_token_;
};

}  // namespace cerumbra::server

#endif  // CERUMBRA_SERVER_METRICS_H_
