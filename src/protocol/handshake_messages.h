// Copyright 2026 The Cerumbra Authors.
//
// The handshake messages (docs/protocol.md §3): attest_request,
// attest_response and error, as structs with a canonical JSON serialization
// and strict parsers.
//
// Serialize writes the members in the order of §3, without whitespace.
// Parse accepts any member order and JSON whitespace, but nothing else: the
// exact member set, unique names, the JSON types of §3, `version` a JSON
// integer, byte strings in canonical unpadded base64url of the sizes of §3,
// and the text no longer than the §7 limit. Parsers never throw.

#ifndef CERUMBRA_PROTOCOL_HANDSHAKE_MESSAGES_H_
#define CERUMBRA_PROTOCOL_HANDSHAKE_MESSAGES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "protocol/wire.h"

namespace cerumbra::protocol {

// kMaxCertificateChainLength bounds the certificate chain (§3.2). The text
// frame limits kMaxAttestRequestSize and kMaxAttestResponseSize are in
// wire.h.
inline constexpr size_t kMaxCertificateChainLength = 8;

// MessageType is the `type` member of a handshake message.
enum class MessageType { kAttestRequest, kAttestResponse, kError };

// PeekMessageType returns the `type` of a handshake message for dispatch.
// It checks only that `text` is a JSON object of at most
// kMaxAttestResponseSize bytes with unique member names and a `type` string
// naming one of the three messages; InvalidArgument otherwise. The full
// checks are the Parse functions'.
//
// Thread safety: pure function.
Result<MessageType> PeekMessageType(std::string_view text);

// AttestRequest is attest_request (§3.1). A value type of public data.
struct AttestRequest {
  std::array<uint8_t, kNonceSize> nonce{};
  std::array<uint8_t, kPublicKeySize> client_public_key{};

  friend bool operator==(const AttestRequest&, const AttestRequest&) = default;
};

// SerializeAttestRequest returns the canonical JSON text of `request` with
// version 1. Thread safety: pure function.
std::string SerializeAttestRequest(const AttestRequest& request);

// ParseAttestRequest parses attest_request text of at most `max_size` bytes.
// A message that is otherwise a JSON object with `type` "attest_request"
// and an integer `version` other than 1 fails with FailedPrecondition
// ("unsupported protocol version"), whatever its other members, so the node
// can answer unsupported_version (§8); every other failure, including a
// non-integer version, is InvalidArgument. The client key is checked for
// size only; its point is validated where it is used.
//
// Thread safety: pure function.
Result<AttestRequest> ParseAttestRequest(
    std::string_view text, size_t max_size = kMaxAttestRequestSize);

// AttestResponse is attest_response (§3.2). A value type of public data.
struct AttestResponse {
  // quote holds the encoded quote (§4.1), 1..kMaxQuoteSize bytes; it is
  // parsed separately (ParseQuote).
  std::vector<uint8_t> quote;
  // signature is ECDSA P-256 r || s (kSignatureSize bytes).
  std::vector<uint8_t> signature;
  // certificate_chain holds 1..8 non-empty DER certificates, leaf first.
  std::vector<std::vector<uint8_t>> certificate_chain;
  // evidence may be empty.
  std::vector<uint8_t> evidence;

  friend bool operator==(const AttestResponse&,
                         const AttestResponse&) = default;
};

// SerializeAttestResponse returns the canonical JSON text of `response`
// with version 1. Fails with InvalidArgument when a field breaks the size
// rules that ParseAttestResponse enforces (so what is sent also parses),
// except the total size, which the caller checks against its limit.
//
// Thread safety: pure function.
Result<std::string> SerializeAttestResponse(const AttestResponse& response);

// ParseAttestResponse parses attest_response text of at most `max_size`
// bytes. Every failure, a version other than 1 included, is
// InvalidArgument.
//
// Thread safety: pure function.
Result<AttestResponse> ParseAttestResponse(
    std::string_view text, size_t max_size = kMaxAttestResponseSize);

// ErrorCode is the `error` member of an error message (§3.3).
enum class ErrorCode { kSessionFailed, kUnsupportedVersion };

// ErrorMessage is the error message (§3.3). supported_versions is present
// exactly for kUnsupportedVersion (1..16 versions in 1..65535).
struct ErrorMessage {
  ErrorCode code = ErrorCode::kSessionFailed;
  std::vector<uint16_t> supported_versions;

  friend bool operator==(const ErrorMessage&, const ErrorMessage&) = default;
};

// SerializeErrorMessage returns the canonical JSON text: for
// kSessionFailed {"type":"error","error":"session_failed"}, for
// kUnsupportedVersion the same with "unsupported_version" and
// "supported_versions":[1] (this implementation's versions; the struct's
// list is ignored). Thread safety: pure function.
std::string SerializeErrorMessage(ErrorCode code);

// ParseErrorMessage parses error text of at most `max_size` bytes. Unknown
// error values, a missing or superfluous supported_versions and every other
// deviation are InvalidArgument.
//
// Thread safety: pure function.
Result<ErrorMessage> ParseErrorMessage(
    std::string_view text, size_t max_size = kMaxAttestResponseSize);

}  // namespace cerumbra::protocol

#endif  // CERUMBRA_PROTOCOL_HANDSHAKE_MESSAGES_H_
