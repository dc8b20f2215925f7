// Copyright 2026 The Cerumbra Authors.
//
// The whole node, end to end: the real `cerumbra serve` binary (demo model
// on the real llama.cpp engine, simulated attestation with a fresh CA) on
// 127.0.0.1 port 0, driven by a C++ client that verifies the attestation
// against the policy the node publishes, over real sockets with the real
// protocol. At the end the node is stopped with SIGTERM and its whole
// output (stdout and stderr) is searched for the prompts, the answers and
// the attestation key.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "attest/policy.h"
#include "attest/policy_verifier.h"
#include "attest/simulated_ca.h"
#include "server/test_client.h"

extern char** environ;

namespace cerumbra {
namespace {

namespace fs = std::filesystem;
using server::testing::HttpGet;
using server::testing::TestClient;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Node runs `cerumbra serve` as a child process.
class Node {
 public:
  // `name` keeps the files of two nodes of one test process apart.
  explicit Node(const std::string& name = "node") {
    dir_ = fs::temp_directory_path() /
           ("cerumbra_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Node() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Start launches the node and waits for its "Open http://..." line.
  bool Start() {
    // Some options come from a config file, and the CA directory's
    // parents do not exist yet (the node makes them).
    std::ofstream(dir_ / "node.toml")
        << "[serve]\nmax-tokens = 64\ndefault-max-tokens = 12\n";
    std::vector<std::string> args = {
        CERUMBRA_BIN,
        "serve",
        "--port",
        "0",
        "--config",
        (dir_ / "node.toml").string(),
        "--ca-dir",
        (dir_ / "data" / "cerumbra" / "ca").string(),
        "--threads",
        "2",
        "--context-size",
        "1024",
        "--engine-sessions",
        "4"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (dir_ / "stdout").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_ / "stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc =
        posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return false;
    const std::regex url(R"(Open http://127\.0\.0\.1:(\d+)/ in a browser)");
    for (int i = 0; i < 3000; ++i) {  // up to 5 minutes (sanitizers)
      std::smatch m;
      std::string out = ReadFile(dir_ / "stdout");
      if (std::regex_search(out, m, url)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Stop sends SIGTERM and returns the exit status (-1 on a timeout).
  int Stop() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 600; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }

  // Kill ends the node at once (SIGKILL): no END, no CLOSE, no FIN-time
  // cleanup by the node.
  void Kill() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  uint16_t port() const { return port_; }
  std::string Output() const {
    return ReadFile(dir_ / "stdout") + ReadFile(dir_ / "stderr");
  }
  fs::path ca_dir() const { return dir_ / "data" / "cerumbra" / "ca"; }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// PublishedPolicy fetches the policy a node publishes.
Result<attest::Policy> PublishedPolicy(uint16_t port) {
  auto doc = HttpGet(port, "/.well-known/cerumbra-attestation.json");
  if (!doc.ok()) return doc.status();
  boost::json::value v = boost::json::parse(doc.value().body());
  return attest::ParsePolicyJson(
      boost::json::serialize(v.as_object().at("policy")));
}

// A node killed mid-answer (issue 9): the client reports an error and never
// presents the partial answer as complete. A node of its own, killed.
TEST(NodeKilledTest, ClientReportsAnErrorWhenTheNodeDiesMidAnswer) {
  Node node("killed");
  ASSERT_TRUE(node.Start()) << node.Output();
  auto policy = PublishedPolicy(node.port());
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  auto c = TestClient::Connect(node.port());
  ASSERT_TRUE(c.ok());
  attest::PolicyQuoteVerifier verifier(*policy);
  ASSERT_TRUE(c.value()->Handshake(verifier, NowMs()).ok());
  ASSERT_TRUE(
      c.value()
          ->SendRequest(
              R"({"type":"chat","content":"go on","params":{"max_tokens":64}})")
          .ok());
  auto first = c.value()->Read();  // the answer has begun
  ASSERT_TRUE(first.ok());
  auto events = c.value()->session().Receive(first.value().bytes);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events.value().at(0).type, protocol::EventType::kData);
  node.Kill();
  auto rest = c.value()->ReadResponse();
  EXPECT_FALSE(rest.ok()) << "a cut answer was presented as complete";
  EXPECT_FALSE(c.value()->session().ConnectionEnded().ok());
}

class NodeIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new Node();
    ASSERT_TRUE(node_->Start()) << node_->Output();
    auto policy = PublishedPolicy(node_->port());
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    policy_ = new attest::Policy(policy.value());
  }
  static void TearDownTestSuite() {
    delete node_;
    delete policy_;
  }

  // Connected returns a client whose handshake verified against the
  // node's published policy.
  std::unique_ptr<TestClient> Connected() {
    auto c = TestClient::Connect(node_->port());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return nullptr;
    attest::PolicyQuoteVerifier verifier(*policy_);
    Status s = c.value()->Handshake(verifier, NowMs());
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return nullptr;
    EXPECT_TRUE(verifier.report().ok());
    return std::move(c).value();
  }

  static inline Node* node_ = nullptr;
  static inline attest::Policy* policy_ = nullptr;
  static inline std::vector<std::string> secrets_;
};

// The tests run in this order (gtest keeps declaration order): the last one
// stops the node and searches its output.

TEST_F(NodeIntegrationTest, MultiTurnConversationOnTheRealEngine) {
  auto c = Connected();
  ASSERT_TRUE(c);
  const std::string p1 = "SECRET-PROMPT-ALPHA tell me about the sea";
  secrets_.push_back("SECRET-PROMPT-ALPHA");
  ASSERT_TRUE(c->SendRequest(R"({"type":"chat","content":")" + p1 +
                             R"(","params":{"max_tokens":12,"temperature":0}})")
                  .ok());
  auto r1 = c->ReadResponse();
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_FALSE(r1.value().text.empty());
  EXPECT_GT(r1.value().pieces.size(), 1u);  // streamed, not in one piece
  boost::json::object end1 =
      boost::json::parse(r1.value().end_json).as_object();
  EXPECT_EQ(end1.at("finish_reason").as_string(), "length");
  const int64_t prompt1 =
      end1.at("usage").as_object().at("prompt_tokens").as_int64();
  EXPECT_EQ(end1.at("usage").as_object().at("completion_tokens").as_int64(),
            12);
  if (r1.value().text.size() >= 12) secrets_.push_back(r1.value().text);

  ASSERT_TRUE(
      c->SendRequest(
           R"({"type":"chat","content":"SECRET-PROMPT-BRAVO and then?","params":{"max_tokens":5}})")
          .ok());
  secrets_.push_back("SECRET-PROMPT-BRAVO");
  auto r2 = c->ReadResponse();
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  boost::json::object end2 =
      boost::json::parse(r2.value().end_json).as_object();
  // The second turn's prompt holds the first turn and its answer.
  EXPECT_GT(end2.at("usage").as_object().at("prompt_tokens").as_int64(),
            prompt1 + 5);
  EXPECT_TRUE(c->Close().ok());
}

TEST_F(NodeIntegrationTest, TwoSessionsAtOnce) {
  auto a = Connected();
  auto b = Connected();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(
      a->SendRequest(
           R"({"type":"chat","content":"one","params":{"max_tokens":10,"temperature":0}})")
          .ok());
  ASSERT_TRUE(
      b->SendRequest(
           R"({"type":"chat","content":"one","params":{"max_tokens":10,"temperature":0}})")
          .ok());
  Result<server::testing::Response> ra = InternalError("not read");
  std::thread t([&] { ra = a->ReadResponse(); });
  auto rb = b->ReadResponse();
  t.join();
  ASSERT_TRUE(ra.ok() && rb.ok());
  // Greedy decoding of the same prompt gives the same answer in both
  // sessions, decoded in one batch.
  EXPECT_EQ(ra.value().text, rb.value().text);
}

TEST_F(NodeIntegrationTest, HostileRecordsEndOnlyTheirSession) {
  auto other = Connected();
  ASSERT_TRUE(other);
  auto check_other = [&] {
    ASSERT_TRUE(
        other
            ->SendRequest(
                R"({"type":"chat","content":"still there?","params":{"max_tokens":3}})")
            .ok());
    auto r = other->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  };
  {  // replayed record
    auto c = Connected();
    ASSERT_TRUE(c);
    ASSERT_TRUE(
        c->SendRequest(
             R"({"type":"chat","content":"x","params":{"max_tokens":2}})")
            .ok());
    ASSERT_TRUE(c->ReadResponse().ok());
    ASSERT_TRUE(c->WriteBinary(c->sent().front()).ok());
    EXPECT_TRUE(c->ExpectOpaqueFailure());
  }
  check_other();
  {  // tampered record
    auto c = Connected();
    ASSERT_TRUE(c);
    std::string req = R"({"type":"chat","content":"x"})";
    auto frames = c->session().SendMessage(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(req.data()), req.size()));
    ASSERT_TRUE(frames.ok());
    frames.value().front()[20] ^= 0x40;
    ASSERT_TRUE(c->WriteBinary(frames.value().front()).ok());
    EXPECT_TRUE(c->ExpectOpaqueFailure());
  }
  check_other();
  {  // oversized frame
    auto c = Connected();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->WriteBinary(std::vector<uint8_t>(20000, 1)).ok());
    for (;;) {
      if (!c->Read().ok()) break;
    }
  }
  check_other();
  {  // garbage handshake
    auto c = TestClient::Connect(node_->port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.value()->WriteText(R"({"type":"attest_request"})").ok());
    EXPECT_TRUE(c.value()->ExpectOpaqueFailure());
  }
  check_other();
}

TEST_F(NodeIntegrationTest, WrongNonceAndWrongRootAttestationsFail) {
  // A response made for another session (another nonce and key), relayed.
  auto first = Connected();
  ASSERT_TRUE(first);
  auto hs = protocol::ClientHandshake::Create();
  ASSERT_TRUE(hs.ok());
  ASSERT_TRUE(hs.value().Start().ok());
  attest::PolicyQuoteVerifier verifier(*policy_);
  auto relayed =
      hs.value().HandleResponse(first->last_response_text(), verifier, NowMs());
  EXPECT_FALSE(relayed.ok());
  // A client that pins another root refuses the node: a second simulated
  // CA, made here, is not the node's.
  const fs::path other_ca = fs::temp_directory_path() /
                            ("cerumbra_other_ca_" + std::to_string(::getpid()));
  fs::remove_all(other_ca);
  attest::CaInitOptions init;
  init.dir = other_ca.string();
  init.now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  ASSERT_TRUE(attest::InitSimulatedCa(init).ok());
  auto other = attest::LoadSimulatedCa(other_ca.string(), init.now);
  ASSERT_TRUE(other.ok());
  attest::Policy wrong = *policy_;
  wrong.quote_roots = {other.value().chain.back().ToDer()};
  fs::remove_all(other_ca);
  auto c = TestClient::Connect(node_->port());
  ASSERT_TRUE(c.ok());
  attest::PolicyQuoteVerifier wrong_verifier(wrong);
  EXPECT_FALSE(c.value()->Handshake(wrong_verifier, NowMs()).ok());
  ASSERT_NE(wrong_verifier.report().FirstFailure(), nullptr);
  EXPECT_NE(wrong_verifier.report().FirstFailure()->name.find("chain"),
            std::string::npos)
      << wrong_verifier.report().FirstFailure()->name;
  // Strict mode refuses the simulated node.
  attest::Policy strict = *policy_;
  strict.accept_simulated = false;
  auto s = TestClient::Connect(node_->port());
  ASSERT_TRUE(s.ok());
  attest::PolicyQuoteVerifier strict_verifier(strict);
  EXPECT_FALSE(s.value()->Handshake(strict_verifier, NowMs()).ok());
  // The node still serves.
  ASSERT_TRUE(
      first
          ->SendRequest(
              R"({"type":"chat","content":"hi","params":{"max_tokens":2}})")
          .ok());
  EXPECT_TRUE(first->ReadResponse().ok());
}

TEST_F(NodeIntegrationTest, HealthAndMetrics) {
  auto health = HttpGet(node_->port(), "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_NE(health.value().body().find(R"("demo_model":true)"),
            std::string::npos);
  EXPECT_NE(health.value().body().find("demo model (random weights)"),
            std::string::npos);
  EXPECT_NE(health.value().body().find(R"("evidence_type":"simulated")"),
            std::string::npos);
  auto metrics = HttpGet(node_->port(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics.value().body().find("cerumbra_handshakes_succeeded_total"),
            std::string::npos);
  EXPECT_EQ(metrics.value().body().find("cerumbra_tokens_generated_total 0\n"),
            std::string::npos);
  auto page = HttpGet(node_->port(), "/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page.value().result_int(), 200);
}

TEST_F(NodeIntegrationTest, ZzShutdownIsCleanAndLogsHoldNoSecrets) {
  // A session streaming a long answer when SIGTERM arrives gets its END.
  auto c = Connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(
      c->SendRequest(
           R"({"type":"chat","content":"SECRET-PROMPT-CHARLIE","params":{"max_tokens":64}})")
          .ok());
  secrets_.push_back("SECRET-PROMPT-CHARLIE");
  auto first = c->Read();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(c->session().Receive(first.value().bytes).ok());
  const fs::path key_file = node_->ca_dir() / "attestation.key";
  const std::string key_pem = ReadFile(key_file);
  int exit_code = -2;
  std::thread stopper([&] { exit_code = node_->Stop(); });
  std::string end;
  bool closed = false;
  for (;;) {
    auto m = c->Read();
    if (!m.ok() || m.value().text) break;
    auto events = c->session().Receive(m.value().bytes);
    ASSERT_TRUE(events.ok());
    for (auto& e : events.value()) {
      if (e.type == protocol::EventType::kEnd) {
        end.assign(e.bytes.begin(), e.bytes.end());
      }
      if (e.type == protocol::EventType::kClose) closed = true;
      if (e.type == protocol::EventType::kSend) (void)c->WriteBinary(e.bytes);
    }
  }
  stopper.join();
  EXPECT_EQ(exit_code, 0);
  EXPECT_NE(end.find("cancelled"), std::string::npos) << end;
  EXPECT_TRUE(closed);

  const std::string output = node_->Output();
  ASSERT_FALSE(output.empty());
  for (const std::string& s : secrets_) {
    EXPECT_EQ(output.find(s), std::string::npos) << "secret in logs: " << s;
  }
  // The attestation private key, line by line of its PEM body.
  std::istringstream lines(key_pem);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    if (line.size() < 16 || line.rfind("-----", 0) == 0) continue;
    EXPECT_EQ(output.find(line), std::string::npos) << "key material in logs";
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace cerumbra
