// Copyright 2026 The Cerumbra Authors.
//
// Elliptic-curve keys on NIST P-256 and P-384, and ECDH (SEC 1 §3.3.1).
//
// Point encodings accepted on import, and why:
// - Raw: the 65/97-byte uncompressed SEC 1 point 0x04 || X || Y only.
//   Compressed (0x02/0x03), hybrid (0x06/0x07) and the infinity encoding
//   (0x00) are rejected: the protocol and Web Crypto's raw export use
//   uncompressed points, and one encoding per key keeps transcripts
//   canonical.
// - SPKI: the canonical DER SubjectPublicKeyInfo for a named curve
//   (id-ecPublicKey + prime256v1/secp384r1 OID) holding an uncompressed
//   point; any other DER (explicit curve parameters, BER forms, trailing
//   bytes) is rejected.
// - JWK (RFC 7518 §6.2): {"kty":"EC","crv":"P-256"|"P-384","x","y"} with
//   unpadded base64url coordinates of exactly the field size.
// Every imported point is checked to be on the named curve, not the point
// at infinity, and with coordinates below the field prime. (P-256 and P-384
// have cofactor 1, so that is full public-key validation, SEC 1 §3.2.2.)

#ifndef CERUMBRA_CRYPTO_EC_H_
#define CERUMBRA_CRYPTO_EC_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/secret_bytes.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept opaque here.

namespace cerumbra::crypto {

// EcCurve names a supported curve. ECDH in the protocol uses kP256; ECDSA
// uses kP256 with SHA-256 and kP384 with SHA-384.
enum class EcCurve { kP256, kP384 };

// EcFieldSize returns the coordinate (and scalar) size: 32 or 48 bytes.
size_t EcFieldSize(EcCurve curve);
// EcUncompressedPointSize returns 1 + 2 * EcFieldSize(curve): 65 or 97.
size_t EcUncompressedPointSize(EcCurve curve);
// EcCurveName returns the JWK / Web Crypto name: "P-256" or "P-384".
std::string_view EcCurveName(EcCurve curve);

// kP256UncompressedPointSize and kP384UncompressedPointSize are
// EcUncompressedPointSize() as constants; kEcdhP256SharedSecretSize is the
// size of a P-256 ECDH output (the x-coordinate).
inline constexpr size_t kP256UncompressedPointSize = 65;
inline constexpr size_t kP384UncompressedPointSize = 97;
inline constexpr size_t kEcdhP256SharedSecretSize = 32;

namespace internal {
// EvpPkeyFree frees the opaque OpenSSL key (defined in ec.cc).
struct EvpPkeyFree {
  void operator()(evp_pkey_st* pkey) const;
};
struct EcKeyAccess;  // Defined in ec_internal.h, for ecdh/ecdsa code.
}  // namespace internal

// PublicKey is a validated public point on a supported curve.
//
// Immutable and cheap to copy (copies share one reference-counted OpenSSL
// key). Thread safety: all methods are const and safe to call concurrently.
class PublicKey {
 public:
  // FromUncompressedPoint imports 0x04 || X || Y (EcUncompressedPointSize
  // bytes) on `curve`. Fails with InvalidArgument for any other length or
  // prefix (compressed, hybrid, infinity), coordinates >= p, or a point not
  // on the curve.
  static Result<PublicKey> FromUncompressedPoint(
      EcCurve curve, std::span<const uint8_t> point);

  // FromSpkiDer imports a DER SubjectPublicKeyInfo (RFC 5480) for a named
  // P-256 or P-384 curve. Strict: only the canonical DER encoding with an
  // uncompressed point is accepted; everything else is InvalidArgument, as
  // are unsupported curves and invalid points.
  static Result<PublicKey> FromSpkiDer(std::span<const uint8_t> der);

  // FromJwk imports a public JWK (RFC 7518 §6.2.1) given as JSON text, e.g.
  // from Web Crypto's exportKey("jwk"). Members other than kty, crv, x, y
  // (kid, ext, key_ops, ...) are ignored. Fails with InvalidArgument for
  // malformed JSON, input over 4 KiB, kty != "EC", an unsupported "crv",
  // coordinates that are not unpadded base64url of exactly the field size,
  // a "d" member (that is a private key), or an invalid point.
  static Result<PublicKey> FromJwk(std::string_view jwk_json);

  // curve returns the key's curve.
  EcCurve curve() const { return curve_; }

  // UncompressedPoint returns 0x04 || X || Y. The view lives as long as
  // this object.
  std::span<const uint8_t> UncompressedPoint() const { return point_; }

  // ToSpkiDer returns the canonical DER SubjectPublicKeyInfo.
  std::vector<uint8_t> ToSpkiDer() const;

  // ToJwk returns {"kty":"EC","crv":...,"x":...,"y":...} as JSON text,
  // which Web Crypto's importKey("jwk") accepts.
  std::string ToJwk() const;

  // Two keys are equal when curve and point are equal (public data, so a
  // plain comparison).
  friend bool operator==(const PublicKey& a, const PublicKey& b) {
    return a.curve_ == b.curve_ && a.point_ == b.point_;
  }

 private:
  friend struct internal::EcKeyAccess;
  friend class PrivateKey;
  PublicKey(EcCurve curve, std::vector<uint8_t> point,
            std::shared_ptr<evp_pkey_st> pkey);

  EcCurve curve_;
  std::vector<uint8_t> point_;
  std::shared_ptr<evp_pkey_st> pkey_;
};

// PrivateKey is a private scalar on a supported curve with its public key.
//
// Move-only: exactly one owner. The scalar lives inside OpenSSL's key object
// and is wiped (BN_clear_free) when the PrivateKey is destroyed or assigned
// over; public_key() holds no private material and may outlive it.
// Thread safety: all methods are const and safe to call concurrently.
class PrivateKey {
 public:
  // Generate returns a fresh key pair from the CSPRNG. Fails with Internal
  // if OpenSSL or the CSPRNG fails.
  static Result<PrivateKey> Generate(EcCurve curve);

  // FromScalar imports a big-endian private scalar of exactly
  // EcFieldSize(curve) bytes and computes its public key. Fails with
  // InvalidArgument for another length or a scalar outside [1, n-1].
  static Result<PrivateKey> FromScalar(EcCurve curve,
                                       const SecretBytes& scalar);

  // FromJwk imports a private JWK (RFC 7518 §6.2.2) given as JSON text:
  // the public members as in PublicKey::FromJwk plus "d" of exactly the
  // field size. Fails with InvalidArgument if anything is malformed or if
  // x/y are not the public key of d. Parser buffers are wiped afterwards;
  // the caller wipes its own copy of the text.
  static Result<PrivateKey> FromJwk(std::string_view jwk_json);

  // Moving transfers ownership of the scalar; a moved-from PrivateKey must
  // not be used.
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // curve returns the key's curve.
  EcCurve curve() const { return public_key_.curve(); }

  // public_key returns the matching public key (valid while this object
  // lives; copy it to keep it longer).
  const PublicKey& public_key() const { return public_key_; }

  // ExportScalar returns the big-endian private scalar (EcFieldSize bytes).
  // Fails with Internal if OpenSSL fails.
  Result<SecretBytes> ExportScalar() const;

  // ToJwk returns the private JWK (public members plus "d") as JSON text in
  // wiped memory. Fails with Internal if OpenSSL fails.
  Result<SecretBytes> ToJwk() const;

 private:
  friend struct internal::EcKeyAccess;
  PrivateKey(evp_pkey_st* pkey, PublicKey public_key);

  std::unique_ptr<evp_pkey_st, internal::EvpPkeyFree> pkey_;
  PublicKey public_key_;
};

// SharedSecret is the raw ECDH output (the x-coordinate of d*Q, SEC 1
// §3.3.1). It is not a key: feed it to HKDF (crypto/hkdf.h).
//
// Move-only and wiped on destruction (it is SecretBytes-backed).
// Thread safety: a value type.
class SharedSecret {
 public:
  // secret returns the bytes, valid while this object lives.
  const SecretBytes& secret() const { return secret_; }

 private:
  friend struct internal::EcKeyAccess;
  explicit SharedSecret(SecretBytes secret) : secret_(std::move(secret)) {}

  SecretBytes secret_;
};

// DeriveSharedSecret computes ECDH between `private_key` and
// `peer_public_key` (already validated on import). Fails with
// InvalidArgument when the keys are on different curves, Internal if OpenSSL
// fails.
//
// Thread safety: safe to call concurrently, also with the same keys.
Result<SharedSecret> DeriveSharedSecret(const PrivateKey& private_key,
                                        const PublicKey& peer_public_key);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_EC_H_
