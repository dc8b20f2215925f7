// Copyright 2026 The Cerumbra Authors.

#include "server/metrics.h"

#include <gtest/gtest.h>

namespace cerumbra::server {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistograms) {
  Metrics m;
  m.SessionOpened();
  m.SessionOpened();
  m.SessionClosed();
  m.HandshakeSucceeded();
  m.HandshakeFailed(HandshakeFailure::kTimeout);
  m.HandshakeFailed(HandshakeFailure::kTimeout);
  m.TokensGenerated(7);
  m.ObserveTimeToFirstToken(0.003);
  m.ObserveTimeToFirstToken(10);
  m.WriteQueueChanged(+300);
  m.WriteQueueChanged(-100);
  std::string text = m.Render();
  EXPECT_EQ(m.write_queue_bytes(), 200);
  EXPECT_NE(text.find("cerumbra_write_queue_bytes 200\n"), std::string::npos);
  EXPECT_NE(text.find("cerumbra_sessions_active 1\n"), std::string::npos);
  EXPECT_NE(text.find("cerumbra_sessions_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("cerumbra_handshakes_succeeded_total 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("cerumbra_handshakes_failed_total{reason=\"timeout\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("cerumbra_tokens_generated_total 7\n"),
            std::string::npos);
  // 0.003 falls in le=0.005 and above, not in le=0.002; 10 only in +Inf.
  EXPECT_NE(
      text.find(
          "cerumbra_time_to_first_token_seconds_bucket{le=\"0.002\"} 0\n"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "cerumbra_time_to_first_token_seconds_bucket{le=\"0.005\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("cerumbra_time_to_first_token_seconds_bucket{le=\"5\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("cerumbra_time_to_first_token_seconds_bucket{le=\"+Inf\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("cerumbra_time_to_first_token_seconds_count 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE cerumbra_inter_token_seconds histogram\n"),
            std::string::npos);
}

}  // namespace
}  // namespace cerumbra::server
