// Copyright 2026 The Cerumbra Authors.

#include "protocol/json_internal.h"

#include <boost/json/basic_parser_impl.hpp>
#include <cstddef>
#include <set>
#include <utility>

namespace cerumbra::protocol::internal {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// ObjectHandler is the SAX handler. depth_ counts the open containers: the
// top-level object's members are at depth 1, elements of an array member at
// depth 2; anything deeper only marks its member as kOther.
class ObjectHandler {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return BeginNested();
  }
  bool on_object_end(std::size_t, error_code&) {
    --depth_;
    return true;
  }
  bool on_array_begin(error_code&) {
    if (depth_ == 0) return false;  // the document must be an object
    if (depth_ == 1) {
      Current().kind = JsonMember::Kind::kArray;
      ++depth_;
      return true;
    }
    return BeginNested();
  }
  bool on_array_end(std::size_t, error_code&) {
    --depth_;
    return true;
  }

  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    buffer_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    buffer_.append(s.data(), s.size());
    std::string name = std::exchange(buffer_, std::string());
    if (depth_ != 1) return true;
    if (!names_.insert(name).second) return false;  // duplicate member
    JsonMember member;
    member.name = std::move(name);
    object_.members.push_back(std::move(member));
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    buffer_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code&) {
    buffer_.append(s.data(), s.size());
    std::string value = std::exchange(buffer_, std::string());
    if (depth_ == 0) return false;
    if (depth_ == 1) {
      Current().kind = JsonMember::Kind::kString;
      Current().string_value = std::move(value);
    } else if (depth_ == 2 && Current().kind == JsonMember::Kind::kArray) {
      Current().array.emplace_back(std::move(value));
    }
    return true;
  }

  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(int64_t i, json::string_view, error_code&) {
    JsonInteger value;
    value.negative = i < 0;
    value.magnitude = i < 0 ? uint64_t{0} - static_cast<uint64_t>(i)
                            : static_cast<uint64_t>(i);
    return OnInteger(value);
  }
  bool on_uint64(uint64_t u, json::string_view, error_code&) {
    JsonInteger value;
    value.magnitude = u;
    return OnInteger(value);
  }
  bool on_double(double, json::string_view, error_code&) { return OnOther(); }
  bool on_bool(bool, error_code&) { return OnOther(); }
  bool on_null(error_code&) { return OnOther(); }
  bool on_comment_part(json::string_view, error_code&) { return false; }
  bool on_comment(json::string_view, error_code&) { return false; }

  JsonObject Release() { return std::move(object_); }

 private:
  JsonMember& Current() { return object_.members.back(); }

  bool BeginNested() {
    if (depth_ <= 2) Current().kind = JsonMember::Kind::kOther;
    ++depth_;
    return true;
  }
  bool OnInteger(const JsonInteger& value) {
    if (depth_ == 0) return false;
    if (depth_ == 1) {
      Current().kind = JsonMember::Kind::kInteger;
      Current().integer_value = value;
    } else if (depth_ == 2 && Current().kind == JsonMember::Kind::kArray) {
      Current().array.emplace_back(value);
    }
    return true;
  }
  bool OnOther() {
    if (depth_ == 0) return false;
    if (depth_ <= 2) Current().kind = JsonMember::Kind::kOther;
    return true;
  }

  int depth_ = 0;
  std::string buffer_;
  std::set<std::string, std::less<>> names_;
  JsonObject object_;
};

}  // namespace

const JsonMember* JsonObject::Find(std::string_view name) const {
  for (const JsonMember& member : members) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

Result<JsonObject> ParseJsonObject(std::string_view text) {
  // Boost.JSON reports parse errors through error_code, but allocation can
  // throw; our code throws nothing, so convert here.
  try {
    json::basic_parser<ObjectHandler> parser{json::parse_options()};
    error_code ec;
    const std::size_t consumed =
        parser.write_some(/*more=*/false, text.data(), text.size(), ec);
    if (ec || !parser.done() || consumed != text.size()) {
      return InvalidArgumentError("not a valid JSON object");
    }
    return parser.handler().Release();
  } catch (...) {
    return InvalidArgumentError("JSON could not be parsed");
  }
}

}  // namespace cerumbra::protocol::internal
