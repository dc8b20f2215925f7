// Copyright 2026 The Cerumbra Authors.

#include "crypto/ec.h"

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <array>
#include <bit>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "crypto/base64.h"
#include "crypto/ec_internal.h"
#include "crypto/openssl_util.h"

namespace cerumbra::crypto {

namespace internal {
void EvpPkeyFree::operator()(evp_pkey_st* pkey) const { EVP_PKEY_free(pkey); }
}  // namespace internal

namespace {

using internal::BignumPtr;
using internal::EvpPkeyCtxPtr;
using internal::EvpPkeyPtr;

// DER SubjectPublicKeyInfo prefixes (RFC 5480 §2) for a named curve and a
// 65/97-byte BIT STRING holding an uncompressed point:
//   SEQUENCE { SEQUENCE { id-ecPublicKey, namedCurve }, BIT STRING }
constexpr std::array<uint8_t, 26> kP256SpkiPrefix = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
constexpr std::array<uint8_t, 23> kP384SpkiPrefix = {
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
    0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00};

std::span<const uint8_t> SpkiPrefix(EcCurve curve) {
  return curve == EcCurve::kP256 ? std::span<const uint8_t>(kP256SpkiPrefix)
                                 : std::span<const uint8_t>(kP384SpkiPrefix);
}

constexpr uint8_t kUncompressedTag = 0x04;

// Group returns the curve's EC_GROUP, built once per process. OpenSSL 3.0
// spends ~20 us constructing a group from its name, so nothing on a hot
// path does that. Read-only use from several threads is safe.
const EC_GROUP* Group(EcCurve curve) {
  static const auto make = [](int nid) {
    EC_GROUP* group = EC_GROUP_new_by_curve_name(nid);
    CERUMBRA_CHECK(group != nullptr);
    return group;
  };
  static EC_GROUP* const p256 = make(NID_X9_62_prime256v1);
  static EC_GROUP* const p384 = make(NID_secp384r1);
  return curve == EcCurve::kP256 ? p256 : p384;
}

// TemplateKey returns a process-lifetime public key on `curve` (the
// generator). Imports and key generation duplicate its domain parameters
// (EVP_PKEY_dup, ~5 us) instead of rebuilding the group by name. Only ever
// read after construction, so sharing it between threads is safe.
EVP_PKEY* TemplateKey(EcCurve curve) {
  static const auto make = [](EcCurve c) {
    std::vector<uint8_t> g(EcUncompressedPointSize(c));
    CERUMBRA_CHECK(EC_POINT_point2oct(Group(c),
                                      EC_GROUP_get0_generator(Group(c)),
                                      POINT_CONVERSION_UNCOMPRESSED, g.data(),
                                      g.size(), nullptr) == g.size());
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    std::array<OSSL_PARAM, 3> params = {
        OSSL_PARAM_construct_utf8_string(
            OSSL_PKEY_PARAM_GROUP_NAME,
            const_cast<char*>(internal::EcGroupName(c)), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, g.data(),
                                          g.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* pkey = nullptr;
    CERUMBRA_CHECK(ctx != nullptr && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
                   EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY,
                                     params.data()) == 1);
    return pkey;
  };
  static EVP_PKEY* const p256 = make(EcCurve::kP256);
  static EVP_PKEY* const p384 = make(EcCurve::kP384);
  return curve == EcCurve::kP256 ? p256 : p384;
}

// NewPublicPkey builds an OpenSSL public key from an uncompressed point.
// Setting the point decodes it with EC_POINT_oct2point, which rejects
// coordinates >= p and points off the curve; when `validate` is set we also
// run the explicit public-key check (not infinity, on curve, in range), so
// the validation does not rest on one implicit step.
Result<EvpPkeyPtr> NewPublicPkey(EcCurve curve, std::span<const uint8_t> point,
                                 bool validate) {
  EvpPkeyPtr pkey(EVP_PKEY_dup(TemplateKey(curve)));
  if (pkey == nullptr) return internal::InternalFailure("EC key import failed");
  if (EVP_PKEY_set1_encoded_public_key(pkey.get(), point.data(),
                                       point.size()) != 1) {
    return internal::InvalidArgumentFailure("invalid EC public key");
  }
  if (validate) {
    EvpPkeyCtxPtr check(
        EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (check == nullptr) return internal::InternalFailure("EC check failed");
    if (EVP_PKEY_public_check_quick(check.get()) != 1) {
      return internal::InvalidArgumentFailure("invalid EC public key");
    }
  }
  return pkey;
}

// ComputePublicPoint returns the uncompressed encoding of scalar*G.
Result<std::vector<uint8_t>> ComputePublicPoint(EcCurve curve,
                                                const BIGNUM* scalar) {
  using EcPointPtr =
      std::unique_ptr<EC_POINT, internal::OpensslDeleter<&EC_POINT_free>>;
  EcPointPtr pub(EC_POINT_new(Group(curve)));
  std::vector<uint8_t> out(EcUncompressedPointSize(curve));
  if (pub == nullptr ||
      EC_POINT_mul(Group(curve), pub.get(), scalar, nullptr, nullptr,
                   nullptr) != 1 ||
      EC_POINT_point2oct(Group(curve), pub.get(), POINT_CONVERSION_UNCOMPRESSED,
                         out.data(), out.size(), nullptr) != out.size()) {
    return internal::InternalFailure("EC public key computation failed");
  }
  return out;
}

// ScalarInRange is true when `scalar` (big-endian, field size) is in
// [1, n-1]. The scalar is secret, so the comparison runs in constant time:
// a subtract-with-borrow over every byte (scalar - n borrows iff scalar < n)
// and an OR over every byte for the zero test.
bool ScalarInRange(EcCurve curve, std::span<const uint8_t> scalar) {
  const auto order = internal::EcOrder(curve);
  if (scalar.size() != order.size()) return false;  // Lengths are public.
  unsigned borrow = 0;
  unsigned any_bit = 0;
  for (size_t i = scalar.size(); i-- > 0;) {
    const unsigned diff = unsigned{scalar[i]} - unsigned{order[i]} - borrow;
    borrow = (diff >> 8) & 1;
    any_bit |= scalar[i];
  }
  return (borrow == 1) & (any_bit != 0);
}

// NewKeyPairPkey builds an OpenSSL key pair from a checked big-endian
// scalar and its public point.
Result<EvpPkeyPtr> NewKeyPairPkey(EcCurve curve, const SecretBytes& scalar,
                                  std::span<const uint8_t> point) {
  // OSSL_PARAM integers are native-endian. Passing our own wiped buffer
  // (rather than OSSL_PARAM_BLD) keeps every copy of the scalar under our
  // control.
  SecretBytes native = SecretBytes::CopyFrom(scalar.Reveal());
  if constexpr (std::endian::native == std::endian::little) {
    std::reverse(native.RevealMutable().begin(), native.RevealMutable().end());
  }
  std::array<OSSL_PARAM, 4> params = {
      OSSL_PARAM_construct_utf8_string(
          OSSL_PKEY_PARAM_GROUP_NAME,
          const_cast<char*>(internal::EcGroupName(curve)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<uint8_t*>(point.data()),
                                        point.size()),
      OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY,
                              native.RevealMutable().data(), native.size()),
      OSSL_PARAM_construct_end()};
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.data()) !=
          1) {
    return internal::InternalFailure("EC key import failed");
  }
  return EvpPkeyPtr(raw);
}

// --- JWK ------------------------------------------------------------------

constexpr size_t kMaxJwkSize = 4096;

struct JwkFields {
  EcCurve curve = EcCurve::kP256;
  std::vector<uint8_t> point;  // 0x04 || x || y
  std::optional<SecretBytes> d;
};

Result<EcCurve> CurveFromJwkName(std::string_view crv) {
  if (crv == "P-256") return EcCurve::kP256;
  if (crv == "P-384") return EcCurve::kP384;
  return InvalidArgumentError("unsupported JWK curve");
}

const boost::json::string* FindString(const boost::json::object& obj,
                                      std::string_view name) {
  const auto it = obj.find(name);
  if (it == obj.end()) return nullptr;
  return it->value().if_string();
}

Result<JwkFields> ExtractJwk(const boost::json::value& value,
                             bool want_private) {
  const boost::json::object* obj = value.if_object();
  if (obj == nullptr) return InvalidArgumentError("JWK is not an object");
  const boost::json::string* kty = FindString(*obj, "kty");
  if (kty == nullptr || *kty != "EC") {
    return InvalidArgumentError("JWK kty is not EC");
  }
  const boost::json::string* crv = FindString(*obj, "crv");
  if (crv == nullptr) return InvalidArgumentError("JWK has no crv");
  JwkFields out;
  CERUMBRA_ASSIGN_OR_RETURN(out.curve, CurveFromJwkName(*crv));
  const size_t field_size = EcFieldSize(out.curve);

  const boost::json::string* x = FindString(*obj, "x");
  const boost::json::string* y = FindString(*obj, "y");
  if (x == nullptr || y == nullptr) {
    return InvalidArgumentError("JWK lacks x or y");
  }
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> xb,
                            internal::Base64UrlDecode(*x));
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> yb,
                            internal::Base64UrlDecode(*y));
  // RFC 7518 §6.2.1.2/3: coordinates are full-size octet strings.
  if (xb.size() != field_size || yb.size() != field_size) {
    return InvalidArgumentError("JWK coordinate has the wrong size");
  }
  out.point.reserve(EcUncompressedPointSize(out.curve));
  out.point.push_back(kUncompressedTag);
  out.point.insert(out.point.end(), xb.begin(), xb.end());
  out.point.insert(out.point.end(), yb.begin(), yb.end());

  const auto d_it = obj->find("d");
  if (!want_private) {
    if (d_it != obj->end()) {
      return InvalidArgumentError("JWK with d is a private key");
    }
    return out;
  }
  const boost::json::string* d = FindString(*obj, "d");
  if (d == nullptr) return InvalidArgumentError("private JWK lacks d");
  CERUMBRA_ASSIGN_OR_RETURN(SecretBytes db,
                            internal::Base64UrlDecodeSecret(*d));
  // RFC 7518 §6.2.2.1: d is a full-size octet string.
  if (db.size() != field_size) {
    return InvalidArgumentError("JWK d has the wrong size");
  }
  out.d = std::move(db);
  return out;
}

// ParseJwk parses JWK JSON text. Boost.JSON's value storage and its parser
// scratch space live in local buffers that are wiped before returning, so a
// private "d" does not linger in freed heap memory.
Result<JwkFields> ParseJwk(std::string_view text, bool want_private) {
  if (text.size() > kMaxJwkSize) return InvalidArgumentError("JWK too large");
  alignas(std::max_align_t) std::array<unsigned char, 16384> value_buffer;
  alignas(std::max_align_t) std::array<unsigned char, 4096> parser_buffer;
  struct Wiper {
    std::span<unsigned char> a, b;
    ~Wiper() {
      OPENSSL_cleanse(a.data(), a.size());
      OPENSSL_cleanse(b.data(), b.size());
    }
  } wiper{value_buffer, parser_buffer};
  // Boost.JSON reports parse errors through error_code, but allocation can
  // throw; our code throws nothing, so convert here.
  try {
    boost::json::monotonic_resource resource(value_buffer.data(),
                                             value_buffer.size());
    boost::json::parser parser(boost::json::storage_ptr(), {},
                               parser_buffer.data(), parser_buffer.size());
    parser.reset(&resource);
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) return InvalidArgumentError("JWK is not valid JSON");
    const boost::json::value value = parser.release();
    return ExtractJwk(value, want_private);
  } catch (...) {
    return InvalidArgumentError("JWK could not be parsed");
  }
}

// JwkPublicMembers returns the public JWK members (no braces).
std::string JwkPublicMembers(EcCurve curve, std::span<const uint8_t> point) {
  const size_t field_size = EcFieldSize(curve);
  std::string out = "\"kty\":\"EC\",\"crv\":\"";
  out += EcCurveName(curve);
  out += "\",\"x\":\"";
  out += internal::Base64UrlEncode(point.subspan(1, field_size));
  out += "\",\"y\":\"";
  out += internal::Base64UrlEncode(point.subspan(1 + field_size, field_size));
  out += "\"";
  return out;
}

}  // namespace

// --- Curve helpers --------------------------------------------------------

size_t EcFieldSize(EcCurve curve) { return curve == EcCurve::kP256 ? 32 : 48; }

size_t EcUncompressedPointSize(EcCurve curve) {
  return 1 + 2 * EcFieldSize(curve);
}

std::string_view EcCurveName(EcCurve curve) {
  return curve == EcCurve::kP256 ? "P-256" : "P-384";
}

namespace internal {

const char* EcGroupName(EcCurve curve) {
  return curve == EcCurve::kP256 ? "prime256v1" : "secp384r1";
}

std::span<const uint8_t> EcOrder(EcCurve curve) {
  static const auto compute = [](EcCurve c) {
    std::vector<uint8_t> order(EcFieldSize(c));
    CERUMBRA_CHECK(BN_bn2binpad(EC_GROUP_get0_order(Group(c)), order.data(),
                                static_cast<int>(order.size())) ==
                   static_cast<int>(order.size()));
    return order;
  };
  static const std::vector<uint8_t> p256 = compute(EcCurve::kP256);
  static const std::vector<uint8_t> p384 = compute(EcCurve::kP384);
  return curve == EcCurve::kP256 ? p256 : p384;
}

}  // namespace internal

// --- PublicKey ------------------------------------------------------------

PublicKey::PublicKey(EcCurve curve, std::vector<uint8_t> point,
                     std::shared_ptr<evp_pkey_st> pkey)
    : curve_(curve), point_(std::move(point)), pkey_(std::move(pkey)) {}

Result<PublicKey> PublicKey::FromUncompressedPoint(
    EcCurve curve, std::span<const uint8_t> point) {
  if (point.size() != EcUncompressedPointSize(curve) ||
      point[0] != kUncompressedTag) {
    return InvalidArgumentError("EC point is not an uncompressed point");
  }
  CERUMBRA_ASSIGN_OR_RETURN(EvpPkeyPtr pkey,
                            NewPublicPkey(curve, point, /*validate=*/true));
  return PublicKey(
      curve, std::vector<uint8_t>(point.begin(), point.end()),
      std::shared_ptr<evp_pkey_st>(pkey.release(), internal::EvpPkeyFree()));
}

Result<PublicKey> PublicKey::FromSpkiDer(std::span<const uint8_t> der) {
  // Exactly one DER encoding exists per (curve, uncompressed point), so a
  // byte comparison against it is the strictest possible parser.
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    const auto prefix = SpkiPrefix(curve);
    if (der.size() == prefix.size() + EcUncompressedPointSize(curve) &&
        std::equal(prefix.begin(), prefix.end(), der.begin())) {
      return FromUncompressedPoint(curve, der.subspan(prefix.size()));
    }
  }
  return InvalidArgumentError(
      "not a canonical P-256/P-384 SubjectPublicKeyInfo");
}

Result<PublicKey> PublicKey::FromJwk(std::string_view jwk_json) {
  CERUMBRA_ASSIGN_OR_RETURN(JwkFields jwk,
                            ParseJwk(jwk_json, /*want_private=*/false));
  return FromUncompressedPoint(jwk.curve, jwk.point);
}

std::vector<uint8_t> PublicKey::ToSpkiDer() const {
  const auto prefix = SpkiPrefix(curve_);
  std::vector<uint8_t> out(prefix.begin(), prefix.end());
  out.insert(out.end(), point_.begin(), point_.end());
  return out;
}

std::string PublicKey::ToJwk() const {
  std::string out(1, '{');
  out.append(JwkPublicMembers(curve_, point_));
  out.push_back('}');
  return out;
}

// --- PrivateKey -----------------------------------------------------------

PrivateKey::PrivateKey(evp_pkey_st* pkey, PublicKey public_key)
    : pkey_(pkey), public_key_(std::move(public_key)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::Generate(EcCurve curve) {
  // The template key supplies the curve (domain parameters) only.
  EvpPkeyCtxPtr ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, TemplateKey(curve), nullptr));
  EVP_PKEY* raw = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return internal::InternalFailure("EC key generation failed");
  }
  EvpPkeyPtr pkey(raw);
  std::vector<uint8_t> point(EcUncompressedPointSize(curve));
  size_t point_size = 0;
  if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                      point.data(), point.size(),
                                      &point_size) != 1 ||
      point_size != point.size() || point[0] != kUncompressedTag) {
    return internal::InternalFailure("EC public key export failed");
  }
  // The point comes from OpenSSL's own key generation; skip re-validation.
  CERUMBRA_ASSIGN_OR_RETURN(EvpPkeyPtr pub,
                            NewPublicPkey(curve, point, /*validate=*/false));
  PublicKey public_key(
      curve, std::move(point),
      std::shared_ptr<evp_pkey_st>(pub.release(), internal::EvpPkeyFree()));
  return PrivateKey(pkey.release(), std::move(public_key));
}

Result<PrivateKey> PrivateKey::FromScalar(EcCurve curve,
                                          const SecretBytes& scalar) {
  if (!ScalarInRange(curve, scalar.Reveal())) {
    return InvalidArgumentError("EC private scalar out of range");
  }
  BignumPtr bn(BN_secure_new());
  if (bn == nullptr ||
      BN_bin2bn(scalar.Reveal().data(), static_cast<int>(scalar.size()),
                bn.get()) == nullptr) {
    return internal::InternalFailure("EC key import failed");
  }
  BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<uint8_t> point,
                            ComputePublicPoint(curve, bn.get()));
  CERUMBRA_ASSIGN_OR_RETURN(EvpPkeyPtr pkey,
                            NewKeyPairPkey(curve, scalar, point));
  CERUMBRA_ASSIGN_OR_RETURN(EvpPkeyPtr pub,
                            NewPublicPkey(curve, point, /*validate=*/false));
  PublicKey public_key(
      curve, std::move(point),
      std::shared_ptr<evp_pkey_st>(pub.release(), internal::EvpPkeyFree()));
  return PrivateKey(pkey.release(), std::move(public_key));
}

Result<PrivateKey> PrivateKey::FromJwk(std::string_view jwk_json) {
  CERUMBRA_ASSIGN_OR_RETURN(JwkFields jwk,
                            ParseJwk(jwk_json, /*want_private=*/true));
  CERUMBRA_ASSIGN_OR_RETURN(PrivateKey key, FromScalar(jwk.curve, *jwk.d));
  // The JWK's public members must be the public key of d.
  if (!std::equal(jwk.point.begin(), jwk.point.end(),
                  key.public_key().UncompressedPoint().begin(),
                  key.public_key().UncompressedPoint().end())) {
    return InvalidArgumentError("JWK x/y do not match d");
  }
  return key;
}

Result<SecretBytes> PrivateKey::ExportScalar() const {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    return internal::InternalFailure("EC private key export failed");
  }
  BignumPtr bn(raw);
  SecretBytes out(EcFieldSize(curve()));
  if (BN_bn2binpad(bn.get(), out.RevealMutable().data(),
                   static_cast<int>(out.size())) !=
      static_cast<int>(out.size())) {
    return internal::InternalFailure("EC private key export failed");
  }
  return out;
}

Result<SecretBytes> PrivateKey::ToJwk() const {
  CERUMBRA_ASSIGN_OR_RETURN(SecretBytes scalar, ExportScalar());
  const std::string members =
      JwkPublicMembers(curve(), public_key_.UncompressedPoint());
  std::string d = internal::Base64UrlEncode(scalar.Reveal());
  const std::string_view parts[] = {"{", members, ",\"d\":\"", d, "\"}"};
  size_t total = 0;
  for (std::string_view part : parts) total += part.size();
  SecretBytes out(total);
  auto* dst = out.RevealMutable().data();
  for (std::string_view part : parts) {
    dst = std::copy(part.begin(), part.end(), dst);
  }
  OPENSSL_cleanse(d.data(), d.size());
  return out;
}

// --- ECDH -----------------------------------------------------------------

Result<SharedSecret> DeriveSharedSecret(const PrivateKey& private_key,
                                        const PublicKey& peer_public_key) {
  if (private_key.curve() != peer_public_key.curve()) {
    return InvalidArgumentError("ECDH keys are on different curves");
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(
      nullptr, internal::EcKeyAccess::Pkey(private_key), nullptr));
  // validate_peer = 0: the peer key was fully validated when imported;
  // OpenSSL's check would repeat it, including a full scalar
  // multiplication by the group order.
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer_ex(
          ctx.get(), internal::EcKeyAccess::Pkey(peer_public_key), 0) != 1) {
    return internal::InternalFailure("ECDH failed");
  }
  SecretBytes secret(EcFieldSize(private_key.curve()));
  size_t size = secret.size();
  if (EVP_PKEY_derive(ctx.get(), secret.RevealMutable().data(), &size) != 1 ||
      size != secret.size()) {
    return internal::InternalFailure("ECDH failed");
  }
  return internal::EcKeyAccess::MakeSharedSecret(std::move(secret));
}

}  // namespace cerumbra::crypto
