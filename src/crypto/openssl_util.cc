// Copyright 2026 The Cerumbra Authors.

#include "crypto/openssl_util.h"

namespace cerumbra::crypto::internal {
namespace {

// Fetches `name` once; the handle is intentionally never freed (process
// lifetime cache, see the header).
EVP_MD* FetchMd(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  CERUMBRA_CHECK(md != nullptr);
  return md;
}

EVP_CIPHER* FetchCipher(const char* name) {
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  CERUMBRA_CHECK(cipher != nullptr);
  return cipher;
}

}  // namespace

const EVP_MD* Sha256Md() {
  static EVP_MD* const md = FetchMd("SHA2-256");
  return md;
}

const EVP_MD* Sha384Md() {
  static EVP_MD* const md = FetchMd("SHA2-384");
  return md;
}

const EVP_CIPHER* AesGcmCipher(size_t key_size) {
  switch (key_size) {
    case 16: {
      static EVP_CIPHER* const cipher = FetchCipher("AES-128-GCM");
      return cipher;
    }
    case 24: {
      static EVP_CIPHER* const cipher = FetchCipher("AES-192-GCM");
      return cipher;
    }
    case 32: {
      static EVP_CIPHER* const cipher = FetchCipher("AES-256-GCM");
      return cipher;
    }
    default:
      return nullptr;
  }
}

EVP_KDF* HkdfKdf() {
  static EVP_KDF* const kdf = [] {
    EVP_KDF* fetched = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    CERUMBRA_CHECK(fetched != nullptr);
    return fetched;
  }();
  return kdf;
}

Status InternalFailure(std::string_view what) {
  ClearErrors();
  return InternalError(what);
}

Status InvalidArgumentFailure(std::string_view what) {
  ClearErrors();
  return InvalidArgumentError(what);
}

Status UnauthenticatedFailure(std::string_view what) {
  ClearErrors();
  return UnauthenticatedError(what);
}

}  // namespace cerumbra::crypto::internal
