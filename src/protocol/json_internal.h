// Copyright 2026 The Cerumbra Authors.
//
// Internal: a strict reader for the flat JSON objects of the handshake
// (docs/protocol.md §3). Not part of the protocol API.
//
// Boost.JSON's DOM keeps one of several members with the same name; the
// protocol requires unique names, so this reader uses Boost's SAX parser and
// records every top-level member itself.

#ifndef CERUMBRA_PROTOCOL_JSON_INTERNAL_H_
#define CERUMBRA_PROTOCOL_JSON_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cerumbra/status.h"

namespace cerumbra::protocol::internal {

// JsonInteger is a JSON number written without fraction or exponent that
// fits 64 bits with a sign.
struct JsonInteger {
  bool negative = false;
  uint64_t magnitude = 0;

  // Is returns true when the integer equals `value`.
  bool Is(uint64_t value) const { return !negative && magnitude == value; }
};

// JsonScalar is a string or an integer (the only array elements the
// handshake uses).
using JsonScalar = std::variant<std::string, JsonInteger>;

// JsonMember is one member of the top-level object.
struct JsonMember {
  enum class Kind { kString, kInteger, kArray, kOther };
  std::string name;
  Kind kind = Kind::kOther;
  std::string string_value;       // kind == kString
  JsonInteger integer_value;      // kind == kInteger
  std::vector<JsonScalar> array;  // kind == kArray: elements, all scalars
};

// JsonObject is the top-level object, members in text order.
struct JsonObject {
  std::vector<JsonMember> members;

  // Find returns the member called `name`, or nullptr.
  const JsonMember* Find(std::string_view name) const;
};

// ParseJsonObject parses `text` as one JSON object (RFC 8259: UTF-8, no
// comments, no trailing commas, at most 32 levels of nesting, nothing but
// whitespace after it). Member names of the top-level object must be
// unique. Values other than strings, integers and arrays of those are kept
// as kind kOther (so a message of another protocol version still parses far
// enough to read its version). Errors are InvalidArgument. Never throws.
//
// Thread safety: pure function.
Result<JsonObject> ParseJsonObject(std::string_view text);

}  // namespace cerumbra::protocol::internal

#endif  // CERUMBRA_PROTOCOL_JSON_INTERNAL_H_
