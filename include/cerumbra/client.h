// Copyright 2026 The Cerumbra Authors.
//
// The Cerumbra C++ client (docs/client-guide.md): connect to a node over
// ws:// or wss://, verify its attestation against a policy before anything
// secret is sent, then hold an end-to-end encrypted conversation
// (docs/protocol.md §10) with streamed answers.
//
//   cerumbra::client::ConnectOptions options;
//   options.policy = policy;  // attest::ParsePolicyJson(file text)
//   auto conn = cerumbra::client::Connection::Connect(
//       "ws://127.0.0.1:8080/ws", options);
//   if (!conn.ok()) { ... conn.status() says why; nothing was sent ... }
//   auto answer = conn.value()->Chat("Hello", {}, [](std::string_view piece) {
//     std::cout << piece << std::flush;
//   });
//
// Errors are values (Status, Result); the library throws nothing. An answer
// is returned only after the node's authenticated END record: a connection
// that drops before it is an error (Unavailable, "truncated"), never a
// short answer.
//
// Thread safety: a Connection is driven by one thread at a time (Chat,
// ChatMessages, Reset, Close must not run concurrently), except Cancel,
// which any thread (or the on_text callback, or a signal-watching thread)
// may call at any time.

#ifndef CERUMBRA_CLIENT_H_
#define CERUMBRA_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attest/check.h"
#include "attest/policy.h"
#include "cerumbra/status.h"

namespace cerumbra::client {

// TrustMode says how the node's attestation is judged.
enum class TrustMode {
  // kPolicy: exactly ConnectOptions::policy (pinned quote roots, pinned
  // measurements, strict about simulated evidence unless the policy
  // accepts it). A node that fails any check is refused before any prompt
  // is sent. The default.
  kPolicy,
  // kUnpinned: WARNING: trust on first use. The root certificate the node
  // itself presents is trusted, and simulated and GPU-only evidence are
  // accepted (the report still says the keys are NOT hardware-protected); the
  // policy's measurement pins (if any) still apply. The chain, signature,
  // evidence digest, binding to this session and freshness are still
  // checked, so the report is honest about what was seen, but anyone can
  // make a root: this proves nothing about who runs the node. For demos
  // and for learning the root fingerprint to pin later.
  kUnpinned,
};

// VerificationReport is what the client learned from the attestation, for
// the caller to show (cerumbra chat prints it). All public data.
struct VerificationReport {
  // evidence_type: "simulated" or "nvidia-gpu".
  std::string evidence_type;
  // simulated: the evidence is simulated: NOT hardware protected.
  bool simulated = false;
  // key_protection: what protects the key that signs quotes, and so every
  // session key: "none (simulated)", "none (GPU evidence only)", or the
  // hardware that protects it (attest::KeyProtection). Show it as is.
  std::string key_protection;
  // key_hardware_protected: key_protection names hardware. False for
  // simulated and GPU-only evidence: the session keys are then NOT
  // hardware-protected, whatever else verified.
  bool key_hardware_protected = false;
  // MeasurementLine is one measurement from the quote.
  struct MeasurementLine {
    std::string name;
    std::string value_hex;
    bool pinned = false;  // the policy pins this name (and it matched if ok)
  };
  std::vector<MeasurementLine> measurements;
  // root_sha256_hex: SHA-256 of the chain's root certificate (DER), the
  // value to compare out of band and to pin.
  std::string root_sha256_hex;
  // root_pinned: the root was pinned by the policy (false in kUnpinned).
  bool root_pinned = false;
  // strict: every quote whose key is not hardware-protected is refused
  // (the policy accepts neither simulated nor GPU-only evidence).
  bool strict = false;
  // quote_timestamp_ms: when the node made the quote.
  int64_t quote_timestamp_ms = 0;
  // checks: every named check (attest/check.h) and its result.
  attest::Report checks;
  // ok: every check passed.
  bool ok() const { return checks.ok(); }
};

// ConnectOptions configures Connect.
struct ConnectOptions {
  TrustMode trust = TrustMode::kPolicy;
  // policy: used in kPolicy mode (required to pin at least one quote root,
  // else every node fails `chain`); in kUnpinned only its measurement
  // pins and age limits are used.
  attest::Policy policy;
  // strict: refuse every quote whose key is not hardware-protected
  // (simulated and GPU-only evidence) whatever the mode and policy say.
  // The policy's own default (attest::Policy) is strict too.
  bool strict = false;
  // tls_trust_pem: for wss:// only and then required: the PEM
  // certificate(s) to trust for the node's TLS (its self-signed
  // certificate or its CA). The host in the URL must be named by it.
  std::string tls_trust_pem;
  // timeout bounds connecting, the TLS, WebSocket and protocol handshakes.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  // on_report, if set, is called once with the verification report as soon
  // as the node's attestation has been appraised, pass or fail, before any
  // request is sent (on the thread calling Connect).
  std::function<void(const VerificationReport&)> on_report;
};

// ChatParams are §10.1's params; an unset member is left to the node.
struct ChatParams {
  std::optional<int> max_tokens;      // 1..the node's maximum
  std::optional<double> temperature;  // 0..2, 0 greedy
  std::optional<double> top_p;        // (0, 1]
  std::optional<uint32_t> seed;
  std::vector<std::string> stop;  // up to 8 non-empty strings
};

// Message is one turn of a whole conversation (ChatMessages).
struct Message {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

// Answer is one complete response (§10.2), returned only after its END.
struct Answer {
  std::string text;           // the pieces joined
  std::string finish_reason;  // "stop", "length" or "cancelled"
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// TextCallback receives each piece of an answer as it arrives (whole UTF-8
// characters), on the thread calling Chat. It may call Cancel.
using TextCallback = std::function<void(std::string_view piece)>;

// Connection is one verified, encrypted session with a node. Move-only via
// unique_ptr; destroying it closes the socket (without the CLOSE exchange:
// call Close for a clean end) and wipes the keys.
class Connection {
 public:
  // Connect opens `url` (ws://HOST[:PORT][/PATH] or wss://...; PATH
  // defaults to /ws, PORT to 80 / 443), runs the protocol handshake and
  // verifies the attestation as `options` say. Returns a connection ready
  // for Chat only when verification passed. Fails with InvalidArgument for
  // a bad URL or options (wss:// without tls_trust_pem), Unavailable when
  // the node cannot be reached or the TLS or WebSocket handshake fails,
  // Unauthenticated when the node's attestation is refused (the message
  // names the first failed check, e.g. "attestation refused:
  // policy.evidence_type: ..."), FailedPrecondition for a node that speaks
  // another protocol version. Nothing but the attest_request (a nonce and a
  // public key) has been sent when it fails. A quote certificate chain that
  // verified before in this process (same bytes, same pinned roots, inside
  // every certificate's validity) is not verified again; the quote
  // signature, evidence and policy are checked on every Connect.
  static Result<std::unique_ptr<Connection>> Connect(
      std::string_view url, const ConnectOptions& options);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // report returns the verification report of the handshake.
  const VerificationReport& report() const;
  // fingerprint returns the session fingerprint (16 hex digits, §5) for
  // people to compare with the node's screen.
  std::string fingerprint() const;

  // Chat sends the next user turn (`content`, non-empty) and blocks until
  // the answer's END, giving each piece to `on_text` (may be empty) as it
  // arrives. The node keeps the history. Returns the answer; finish_reason
  // "cancelled" after Cancel. Fails with InvalidArgument for empty content
  // or when the node answers bad_request, ResourceExhausted when the node
  // is busy, FailedPrecondition when the conversation no longer fits the
  // node's context (Reset) or the connection is closed or failed, Internal
  // when the engine failed, Unavailable when the connection dropped before
  // END (a truncated answer: the pieces given so far are not an answer),
  // Unauthenticated for any record that fails authentication (the session
  // is then failed). After an Unavailable or Unauthenticated failure every
  // later call fails.
  Result<Answer> Chat(std::string_view content, const ChatParams& params = {},
                      const TextCallback& on_text = {});

  // ChatMessages sends a whole conversation (§10.1 "messages" form): it
  // replaces the node's history for this session; the last message must be
  // the user's. Same results as Chat. Used by the OpenAI proxy.
  Result<Answer> ChatMessages(std::span<const Message> messages,
                              const ChatParams& params = {},
                              const TextCallback& on_text = {});

  // Reset asks the node to forget the conversation history. Same failures
  // as Chat.
  Status Reset();

  // Cancel asks the node to stop the answer being generated (a CANCEL
  // record): the current Chat then returns with finish_reason "cancelled"
  // and the text so far. No effect when no Chat is running. Thread-safe:
  // any thread may call it at any time while the Connection exists.
  void Cancel();

  // Close ends the session cleanly (CLOSE both ways) and closes the
  // socket. Fails with Unavailable or Unauthenticated when the node does
  // not answer properly; the connection is closed either way. Later calls
  // fail with FailedPrecondition.
  Status Close();

  class Impl;

 private:
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// FormatReport returns a human-readable rendering of `report`, one fact a
// line: evidence type (with a SIMULATED warning), each measurement and
// whether it was pinned, the root fingerprint and whether it was pinned,
// and any failed check. `cerumbra chat` prints it. Pure function.
std::string FormatReport(const VerificationReport& report);

}  // namespace cerumbra::client

#endif  // CERUMBRA_CLIENT_H_
