// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_evidence.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attest/nvidia_test_util.h"
#include "crypto/base64.h"

namespace cerumbra::attest {
namespace {

using testing::Bytes;

NvidiaEvidence Sample(size_t gpus = 2) {
  NvidiaEvidence e;
  for (size_t i = 0; i < e.nonce.size(); ++i) {
    e.nonce[i] = static_cast<uint8_t>(0xA0 + i);
  }
  for (size_t i = 0; i < gpus; ++i) {
    GpuEvidence g;
    g.index = static_cast<int>(i);
    g.architecture =
        i % 2 == 0 ? GpuArchitecture::kHopper : GpuArchitecture::kBlackwell;
    g.report = std::vector<uint8_t>(100 + i, static_cast<uint8_t>(i + 1));
    g.certificate_chain = {std::vector<uint8_t>(30, 0xFF),
                           std::vector<uint8_t>(31, 0x3E)};
    e.gpus.push_back(g);
  }
  return e;
}

std::string EncodeText(const NvidiaEvidence& e) {
  Result<std::vector<uint8_t>> bytes = EncodeNvidiaEvidence(e);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return "";
  return std::string(bytes->begin(), bytes->end());
}

bool Parses(const std::string& text) {
  return ParseNvidiaEvidence(Bytes(text)).ok();
}

TEST(NvidiaEvidenceTest, EncodesTheDocumentedLayout) {
  NvidiaEvidence e = Sample(1);
  e.gpus[0].report = {0xFB, 0xFF};
  e.gpus[0].certificate_chain = {{0x01}, {0x02, 0x03}};
  EXPECT_EQ(EncodeText(e),
            "{\"format\":\"cerumbra-nvidia-evidence-v1\",\"nonce\":\""
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
            "\",\"gpus\":[{\"index\":0,\"architecture\":\"hopper\","
            "\"report\":\"-_8\",\"certificate_chain\":[\"AQ\",\"AgM\"]}]}");
}

TEST(NvidiaEvidenceTest, RoundTripsOneToEightGpus) {
  for (size_t n = 1; n <= 8; ++n) {
    const NvidiaEvidence e = Sample(n);
    const std::string text = EncodeText(e);
    Result<NvidiaEvidence> parsed = ParseNvidiaEvidence(Bytes(text));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->nonce, e.nonce);
    ASSERT_EQ(parsed->gpus.size(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(parsed->gpus[i].index, e.gpus[i].index);
      EXPECT_EQ(parsed->gpus[i].architecture, e.gpus[i].architecture);
      EXPECT_EQ(parsed->gpus[i].report, e.gpus[i].report);
      EXPECT_EQ(parsed->gpus[i].certificate_chain, e.gpus[i].certificate_chain);
    }
    EXPECT_EQ(EncodeText(*parsed), text);
  }
}

TEST(NvidiaEvidenceTest, EncodeRejectsBrokenLimits) {
  NvidiaEvidence e = Sample(1);
  e.gpus.clear();
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  EXPECT_FALSE(EncodeNvidiaEvidence(Sample(9)).ok());
  e = Sample(2);
  e.gpus[1].index = 5;
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  e = Sample(1);
  e.gpus[0].report.clear();
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  e.gpus[0].report.assign(8 * 1024 + 1, 1);
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  e.gpus[0].report.assign(8 * 1024, 1);
  EXPECT_TRUE(EncodeNvidiaEvidence(e).ok());
  e.gpus[0].certificate_chain.resize(1);
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  e.gpus[0].certificate_chain.assign(9, {1});
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  e.gpus[0].certificate_chain.assign(8, std::vector<uint8_t>(4096, 7));
  EXPECT_TRUE(EncodeNvidiaEvidence(e).ok());
  e.gpus[0].certificate_chain[3].push_back(7);
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  e.gpus[0].certificate_chain[3].clear();
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
  e = Sample(1);
  e.gpus[0].architecture = static_cast<GpuArchitecture>(7);
  EXPECT_FALSE(EncodeNvidiaEvidence(e).ok());
}

TEST(NvidiaEvidenceTest, ParseAcceptsTheLargestEncoding) {
  NvidiaEvidence e = Sample(8);
  for (GpuEvidence& g : e.gpus) {
    g.report.assign(8 * 1024, 0xFF);
    g.certificate_chain.assign(8, std::vector<uint8_t>(4096, 0xFF));
  }
  EXPECT_TRUE(Parses(EncodeText(e)));
}

// Every byte-level deviation from the canonical text must fail.
TEST(NvidiaEvidenceTest, ParseRejectsEveryNonCanonicalForm) {
  const std::string good = EncodeText(Sample(2));
  ASSERT_TRUE(Parses(good));
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  };
  const std::vector<std::string> bad = {
      "",
      good + " ",
      good + "\n",
      " " + good,
      good.substr(0, good.size() - 1),
      replaced("{\"format\"", "{ \"format\""),
      replaced("\":\"cerumbra", "\": \"cerumbra"),
      replaced("evidence-v1", "evidence-v2"),
      replaced("\"format\"", "\"Format\""),
      replaced("a0a1", "A0A1"),    // upper-case hex
      replaced("a0a1", "a0a"),     // short nonce
      replaced("a0a1", "a0a1a2"),  // long nonce
      replaced("a0a1", "g0a1"),    // not hex
      replaced("\"index\":0", "\"index\":00"),
      replaced("\"index\":1", "\"index\":2"),  // indices not 0..n-1
      replaced("\"index\":0", "\"index\":-0"),
      replaced("\"hopper\"", "\"Hopper\""),
      replaced("\"blackwell\"", "\"ampere\""),
      replaced("\"report\":\"", "\"report\":\" "),
      replaced("\"report\":\"AQ", "\"report\":\"AQ=="),
      replaced("\",\"certificate_chain\":[\"", "=\",\"certificate_chain\":[\""),
      replaced("\"certificate_chain\":[\"_", "\"certificate_chain\":[ \"_"),
      replaced("]}]}", "],}]}"),
      replaced("]}]}", "]},]}"),
      replaced("]}]}", "]}]} "),
      // Keys reordered.
      replaced("{\"format\":\"cerumbra-nvidia-evidence-v1\",\"nonce\":",
               "{\"nonce\":"),
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(Parses(text)) << text.substr(0, 200);
  }
}

TEST(NvidiaEvidenceTest, ParseRejectsNonCanonicalBase64Url) {
  NvidiaEvidence e = Sample(1);
  e.gpus[0].report = {0xFF};  // "_w"
  std::string text = EncodeText(e);
  ASSERT_TRUE(Parses(text));
  const size_t at = text.find("\"_w\"");
  ASSERT_NE(at, std::string::npos);
  text[at + 2] = 'x';  // "_x": non-zero unused bits
  EXPECT_FALSE(Parses(text));
  text[at + 2] = '/';  // standard alphabet
  EXPECT_FALSE(Parses(text));
}

TEST(NvidiaEvidenceTest, ParseRejectsBrokenLimits) {
  NvidiaEvidence e = Sample(1);
  // A chain of one certificate, written by hand (the encoder refuses it).
  std::string text = EncodeText(e);
  const size_t comma = text.rfind("\",\"");
  ASSERT_NE(comma, std::string::npos);
  std::string one = text.substr(0, comma) + "\"]}]}";
  EXPECT_FALSE(Parses(one));
  // Nine GPUs.
  NvidiaEvidence nine = Sample(8);
  std::string eight = EncodeText(nine);
  const std::string entry =
      eight.substr(eight.find("{\"index\":7"),
                   eight.size() - 2 - eight.find("{\"index\":7"));
  std::string ninth = entry;
  ninth[9] = '8';
  EXPECT_FALSE(Parses(eight.substr(0, eight.size() - 2) + "," + ninth + "]}"));
  // An oversize report (8 KiB + 1).
  e.gpus[0].report.assign(8 * 1024, 1);
  text = EncodeText(e);
  const std::string b64 = crypto::internal::Base64UrlEncode(e.gpus[0].report);
  std::vector<uint8_t> big(8 * 1024 + 1, 1);
  const size_t at = text.find(b64);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, b64.size(), crypto::internal::Base64UrlEncode(big));
  EXPECT_FALSE(Parses(text));
}

}  // namespace
}  // namespace cerumbra::attest
