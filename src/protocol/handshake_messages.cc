// Copyright 2026 The Cerumbra Authors.

#include "protocol/handshake_messages.h"

#include <algorithm>
#include <initializer_list>
#include <span>
#include <utility>

#include "crypto/base64.h"
#include "protocol/json_internal.h"
#include "protocol/quote.h"

namespace cerumbra::protocol {
namespace {

using internal::JsonInteger;
using internal::JsonMember;
using internal::JsonObject;
using internal::JsonScalar;

constexpr std::string_view kTypeAttestRequest = "attest_request";
constexpr std::string_view kTypeAttestResponse = "attest_response";
constexpr std::string_view kTypeError = "error";
constexpr std::string_view kErrorSessionFailed = "session_failed";
constexpr std::string_view kErrorUnsupportedVersion = "unsupported_version";
constexpr size_t kMaxSupportedVersions = 16;

Status Malformed() {
  return InvalidArgumentError("malformed handshake message");
}

// ParseObject parses `text` (at most `max_size` bytes) as a JSON object.
Result<JsonObject> ParseObject(std::string_view text, size_t max_size) {
  if (text.size() > max_size) {
    return InvalidArgumentError("handshake message too large");
  }
  Result<JsonObject> object = internal::ParseJsonObject(text);
  if (!object.ok()) return Malformed();
  return object;
}

// HasExactMembers is true when `object` has exactly the members `names`
// (names are unique, so equal counts and all present means equal sets).
bool HasExactMembers(const JsonObject& object,
                     std::initializer_list<std::string_view> names) {
  if (object.members.size() != names.size()) return false;
  return std::all_of(names.begin(), names.end(), [&](std::string_view name) {
    return object.Find(name) != nullptr;
  });
}

const std::string* FindString(const JsonObject& object, std::string_view name) {
  const JsonMember* member = object.Find(name);
  if (member == nullptr || member->kind != JsonMember::Kind::kString) {
    return nullptr;
  }
  return &member->string_value;
}

// HasType is true when the `type` member is the string `type`.
bool HasType(const JsonObject& object, std::string_view type) {
  const std::string* value = FindString(object, "type");
  return value != nullptr && *value == type;
}

// CheckVersion1 requires `version` to be the JSON integer 1.
Status CheckVersion1(const JsonObject& object) {
  const JsonMember* version = object.Find("version");
  if (version == nullptr || version->kind != JsonMember::Kind::kInteger ||
      !version->integer_value.Is(kProtocolVersion)) {
    return Malformed();
  }
  return OkStatus();
}

// DecodeBytes decodes the base64url string member `name` and checks that
// its size is in [min_size, max_size].
Result<std::vector<uint8_t>> DecodeBytes(const JsonObject& object,
                                         std::string_view name, size_t min_size,
                                         size_t max_size) {
  const std::string* text = FindString(object, name);
  if (text == nullptr) return Malformed();
  Result<std::vector<uint8_t>> bytes = crypto::internal::Base64UrlDecode(*text);
  if (!bytes.ok() || bytes->size() < min_size || bytes->size() > max_size) {
    return Malformed();
  }
  return bytes;
}

template <size_t N>
Status DecodeFixed(const JsonObject& object, std::string_view name,
                   std::array<uint8_t, N>& out) {
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                            DecodeBytes(object, name, N, N));
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return OkStatus();
}

std::string Encode(std::span<const uint8_t> bytes) {
  return crypto::internal::Base64UrlEncode(bytes);
}

// The serializers below write only fixed ASCII names and base64url values,
// which never need JSON escaping.
std::string VersionMember() {
  return "\"version\":" + std::to_string(kProtocolVersion);
}

Status ValidateResponseFields(const AttestResponse& response) {
  if (response.quote.empty() || response.quote.size() > kMaxQuoteSize ||
      response.signature.size() != kSignatureSize ||
      response.certificate_chain.empty() ||
      response.certificate_chain.size() > kMaxCertificateChainLength ||
      std::any_of(response.certificate_chain.begin(),
                  response.certificate_chain.end(),
                  [](const std::vector<uint8_t>& c) { return c.empty(); })) {
    return Malformed();
  }
  return OkStatus();
}

}  // namespace

Result<MessageType> PeekMessageType(std::string_view text) {
  CERUMBRA_ASSIGN_OR_RETURN(JsonObject object,
                            ParseObject(text, kMaxAttestResponseSize));
  const std::string* type = FindString(object, "type");
  if (type == nullptr) return Malformed();
  if (*type == kTypeAttestRequest) return MessageType::kAttestRequest;
  if (*type == kTypeAttestResponse) return MessageType::kAttestResponse;
  if (*type == kTypeError) return MessageType::kError;
  return Malformed();
}

std::string SerializeAttestRequest(const AttestRequest& request) {
  return "{\"type\":\"" + std::string(kTypeAttestRequest) + "\"," +
         VersionMember() + ",\"nonce\":\"" + Encode(request.nonce) +
         "\",\"client_public_key\":\"" + Encode(request.client_public_key) +
         "\"}";
}

Result<AttestRequest> ParseAttestRequest(std::string_view text,
                                         size_t max_size) {
  CERUMBRA_ASSIGN_OR_RETURN(JsonObject object, ParseObject(text, max_size));
  if (!HasType(object, kTypeAttestRequest)) return Malformed();
  // §8: another integer version is answered with unsupported_version, even
  // if the rest of the message follows another version's rules.
  const JsonMember* version = object.Find("version");
  if (version == nullptr || version->kind != JsonMember::Kind::kInteger) {
    return Malformed();
  }
  if (!version->integer_value.Is(kProtocolVersion)) {
    return FailedPreconditionError("unsupported protocol version");
  }
  if (!HasExactMembers(object,
                       {"type", "version", "nonce", "client_public_key"})) {
    return Malformed();
  }
  AttestRequest request;
  CERUMBRA_RETURN_IF_ERROR(DecodeFixed(object, "nonce", request.nonce));
  CERUMBRA_RETURN_IF_ERROR(
      DecodeFixed(object, "client_public_key", request.client_public_key));
  return request;
}

Result<std::string> SerializeAttestResponse(const AttestResponse& response) {
  CERUMBRA_RETURN_IF_ERROR(ValidateResponseFields(response));
  std::string out = "{\"type\":\"" + std::string(kTypeAttestResponse) + "\"," +
                    VersionMember() + ",\"quote\":\"" + Encode(response.quote) +
                    "\",\"signature\":\"" + Encode(response.signature) +
                    "\",\"certificate_chain\":[";
  for (size_t i = 0; i < response.certificate_chain.size(); ++i) {
    if (i > 0) out += ",";
    out += "\"" + Encode(response.certificate_chain[i]) + "\"";
  }
  out += "],\"evidence\":\"" + Encode(response.evidence) + "\"}";
  return out;
}

Result<AttestResponse> ParseAttestResponse(std::string_view text,
                                           size_t max_size) {
  CERUMBRA_ASSIGN_OR_RETURN(JsonObject object, ParseObject(text, max_size));
  if (!HasType(object, kTypeAttestResponse) ||
      !HasExactMembers(object, {"type", "version", "quote", "signature",
                                "certificate_chain", "evidence"})) {
    return Malformed();
  }
  CERUMBRA_RETURN_IF_ERROR(CheckVersion1(object));
  AttestResponse response;
  CERUMBRA_ASSIGN_OR_RETURN(response.quote,
                            DecodeBytes(object, "quote", 1, kMaxQuoteSize));
  CERUMBRA_ASSIGN_OR_RETURN(
      response.signature,
      DecodeBytes(object, "signature", kSignatureSize, kSignatureSize));
  CERUMBRA_ASSIGN_OR_RETURN(response.evidence,
                            DecodeBytes(object, "evidence", 0, max_size));
  const JsonMember* chain = object.Find("certificate_chain");
  if (chain->kind != JsonMember::Kind::kArray) return Malformed();
  for (const JsonScalar& element : chain->array) {
    const std::string* text_element = std::get_if<std::string>(&element);
    if (text_element == nullptr) return Malformed();
    Result<std::vector<uint8_t>> der =
        crypto::internal::Base64UrlDecode(*text_element);
    if (!der.ok()) return Malformed();
    response.certificate_chain.push_back(*std::move(der));
  }
  CERUMBRA_RETURN_IF_ERROR(ValidateResponseFields(response));
  return response;
}

std::string SerializeErrorMessage(ErrorCode code) {
  std::string out =
      "{\"type\":\"" + std::string(kTypeError) + "\",\"error\":\"";
  if (code == ErrorCode::kSessionFailed) {
    return out + std::string(kErrorSessionFailed) + "\"}";
  }
  return out + std::string(kErrorUnsupportedVersion) +
         "\",\"supported_versions\":[" + std::to_string(kProtocolVersion) +
         "]}";
}

Result<ErrorMessage> ParseErrorMessage(std::string_view text, size_t max_size) {
  CERUMBRA_ASSIGN_OR_RETURN(JsonObject object, ParseObject(text, max_size));
  if (!HasType(object, kTypeError)) return Malformed();
  const std::string* error = FindString(object, "error");
  if (error == nullptr) return Malformed();
  ErrorMessage message;
  if (*error == kErrorSessionFailed) {
    if (!HasExactMembers(object, {"type", "error"})) return Malformed();
    message.code = ErrorCode::kSessionFailed;
    return message;
  }
  if (*error != kErrorUnsupportedVersion ||
      !HasExactMembers(object, {"type", "error", "supported_versions"})) {
    return Malformed();
  }
  message.code = ErrorCode::kUnsupportedVersion;
  const JsonMember* versions = object.Find("supported_versions");
  if (versions->kind != JsonMember::Kind::kArray || versions->array.empty() ||
      versions->array.size() > kMaxSupportedVersions) {
    return Malformed();
  }
  for (const JsonScalar& element : versions->array) {
    const JsonInteger* version = std::get_if<JsonInteger>(&element);
    if (version == nullptr || version->negative || version->magnitude == 0 ||
        version->magnitude > 0xffff) {
      return Malformed();
    }
    message.supported_versions.push_back(
        static_cast<uint16_t>(version->magnitude));
  }
  return message;
}

}  // namespace cerumbra::protocol
