// Copyright 2026 The Cerumbra Authors.

#include "attest/policy.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "attest/measurement.h"
#include "crypto/base64.h"

namespace cerumbra::attest {
namespace {

namespace json = boost::json;

constexpr size_t kMaxListSize = 64;
constexpr size_t kMaxPolicySize = size_t{64} << 20;

Status Bad(std::string_view what) {
  return InvalidArgumentError("policy: " + std::string(what));
}

Status CheckMembers(const json::object& o,
                    std::initializer_list<std::string_view> allowed,
                    std::string_view where) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
      return Bad("unknown member \"" + std::string(kv.key()) + "\" in " +
                 std::string(where));
    }
  }
  return OkStatus();
}

Result<std::vector<uint8_t>> B64(const json::value& v, std::string_view what) {
  if (!v.is_string()) return Bad(std::string(what) + " must be a string");
  Result<std::vector<uint8_t>> bytes =
      crypto::internal::Base64UrlDecode(v.as_string());
  if (!bytes.ok() || bytes->empty()) {
    return Bad(std::string(what) + " is not base64url");
  }
  return bytes;
}

Result<std::vector<std::vector<uint8_t>>> B64List(const json::value& v,
                                                  std::string_view what) {
  if (!v.is_array() || v.as_array().size() > kMaxListSize) {
    return Bad(std::string(what) + " must be an array of at most 64");
  }
  std::vector<std::vector<uint8_t>> out;
  for (const json::value& e : v.as_array()) {
    CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> b, B64(e, what));
    out.push_back(std::move(b));
  }
  return out;
}

Result<int64_t> Int(const json::value& v, std::string_view what, int64_t lo,
                    int64_t hi) {
  if (!v.is_int64() && !v.is_uint64()) {
    return Bad(std::string(what) + " must be an integer");
  }
  const int64_t x = v.is_int64() ? v.as_int64() : -1;
  if (x < lo || x > hi) return Bad(std::string(what) + " out of range");
  return x;
}

json::array ToB64List(const std::vector<std::vector<uint8_t>>& list) {
  json::array out;
  for (const auto& b : list)
    out.push_back(json::string(crypto::internal::Base64UrlEncode(b)));
  return out;
}

}  // namespace

Result<Policy> ParsePolicyJson(std::string_view text) {
  // Boost.JSON keeps the last of duplicate members; a policy with two
  // "accept_simulated" members is ambiguous, so refuse duplicates (at any
  // depth) first.
  if (Result<std::string> canonical = CanonicalJson(text, kMaxPolicySize);
      !canonical.ok()) {
    return Bad("not a JSON object without duplicate members or fractions");
  }
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return Bad("not a JSON object");
  const json::object& o = root.as_object();
  CERUMBRA_RETURN_IF_ERROR(
      CheckMembers(o,
                   {"format", "accept_simulated", "accept_gpu_only_evidence",
                    "quote_roots", "measurements", "max_age_seconds",
                    "max_future_seconds", "nvidia", "comment"},
                   "policy"));
  const json::value* format = o.if_contains("format");
  if (format == nullptr || !format->is_string() ||
      format->as_string() != kPolicyFormat) {
    return Bad("format must be \"" + std::string(kPolicyFormat) + "\"");
  }
  Policy p;
  if (const json::value* v = o.if_contains("accept_simulated")) {
    if (!v->is_bool()) return Bad("accept_simulated must be a boolean");
    p.accept_simulated = v->as_bool();
  }
  if (const json::value* v = o.if_contains("accept_gpu_only_evidence")) {
    if (!v->is_bool()) return Bad("accept_gpu_only_evidence must be a boolean");
    p.accept_gpu_only_evidence = v->as_bool();
  }
  if (const json::value* v = o.if_contains("quote_roots")) {
    CERUMBRA_ASSIGN_OR_RETURN(p.quote_roots, B64List(*v, "quote_roots"));
  }
  if (const json::value* v = o.if_contains("measurements")) {
    if (!v->is_object()) return Bad("measurements must be an object");
    for (const auto& kv : v->as_object()) {
      MeasurementRule rule;
      rule.name = std::string(kv.key());
      if (rule.name.empty() || rule.name.size() > 64) {
        return Bad("bad measurement name");
      }
      if (!kv.value().is_array() || kv.value().as_array().empty() ||
          kv.value().as_array().size() > kMaxListSize) {
        return Bad("measurement " + rule.name + " must list 1..64 hex values");
      }
      for (const json::value& e : kv.value().as_array()) {
        if (!e.is_string()) return Bad("measurement values must be hex");
        Result<std::vector<uint8_t>> value = HexDecode(e.as_string());
        if (!value.ok() || value->empty() || value->size() > 64) {
          return Bad("measurement " + rule.name + ": bad hex value");
        }
        rule.allowed.push_back(*std::move(value));
      }
      p.measurements.push_back(std::move(rule));
    }
    std::sort(p.measurements.begin(), p.measurements.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  if (const json::value* v = o.if_contains("max_age_seconds")) {
    CERUMBRA_ASSIGN_OR_RETURN(p.max_age_seconds,
                              Int(*v, "max_age_seconds", 1, 86400));
  }
  if (const json::value* v = o.if_contains("max_future_seconds")) {
    CERUMBRA_ASSIGN_OR_RETURN(
        p.max_future_seconds,
        Int(*v, "max_future_seconds", 0, kMaxFutureSeconds));
  }
  if (const json::value* v = o.if_contains("nvidia")) {
    if (!v->is_object()) return Bad("nvidia must be an object");
    const json::object& n = v->as_object();
    CERUMBRA_RETURN_IF_ERROR(CheckMembers(
        n, {"device_root", "rim_root", "rims", "require_rim_appraisal"},
        "nvidia"));
    if (const json::value* r = n.if_contains("device_root")) {
      CERUMBRA_ASSIGN_OR_RETURN(p.nvidia_device_root,
                                B64(*r, "nvidia.device_root"));
    }
    if (const json::value* r = n.if_contains("rim_root")) {
      CERUMBRA_ASSIGN_OR_RETURN(p.nvidia_rim_root, B64(*r, "nvidia.rim_root"));
    }
    if (const json::value* r = n.if_contains("rims")) {
      CERUMBRA_ASSIGN_OR_RETURN(p.nvidia_rims, B64List(*r, "nvidia.rims"));
    }
    if (const json::value* r = n.if_contains("require_rim_appraisal")) {
      if (!r->is_bool()) return Bad("require_rim_appraisal must be a boolean");
      p.nvidia_require_rim_appraisal = r->as_bool();
    }
  }
  return p;
}

std::string SerializePolicyJson(const Policy& p) {
  json::object o;
  o["format"] = kPolicyFormat;
  o["accept_simulated"] = p.accept_simulated;
  o["accept_gpu_only_evidence"] = p.accept_gpu_only_evidence;
  o["quote_roots"] = ToB64List(p.quote_roots);
  json::object m;
  for (const MeasurementRule& rule : p.measurements) {
    json::array values;
    for (const auto& v : rule.allowed)
      values.push_back(json::string(HexEncode(v)));
    m[rule.name] = std::move(values);
  }
  o["measurements"] = std::move(m);
  o["max_age_seconds"] = p.max_age_seconds;
  o["max_future_seconds"] = p.max_future_seconds;
  json::object n;
  if (!p.nvidia_device_root.empty()) {
    n["device_root"] = crypto::internal::Base64UrlEncode(p.nvidia_device_root);
  }
  if (!p.nvidia_rim_root.empty()) {
    n["rim_root"] = crypto::internal::Base64UrlEncode(p.nvidia_rim_root);
  }
  n["rims"] = ToB64List(p.nvidia_rims);
  n["require_rim_appraisal"] = p.nvidia_require_rim_appraisal;
  o["nvidia"] = std::move(n);
  return json::serialize(o);
}

}  // namespace cerumbra::attest
