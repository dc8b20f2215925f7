// Copyright 2026 The Cerumbra Authors.
//
// Internal helpers shared by the src/crypto implementation files: owning
// smart pointers for OpenSSL handles and error-queue hygiene. This header
// includes OpenSSL and must only be included from src/crypto/*.cc.

#ifndef CERUMBRA_CRYPTO_OPENSSL_UTIL_H_
#define CERUMBRA_CRYPTO_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include <memory>
#include <string_view>

#include "cerumbra/status.h"

namespace cerumbra::crypto::internal {

// OpensslDeleter<F> frees a handle with OpenSSL's free function F. Every
// OpenSSL handle in src/crypto lives in one of the unique_ptr aliases below,
// so there are no bare *_free calls.
template <auto kFree>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* handle) const {
    kFree(handle);
  }
};

using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<&BN_clear_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<&BIO_free_all>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpensslDeleter<&ECDSA_SIG_free>>;
using EvpCipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX, OpensslDeleter<&EVP_CIPHER_CTX_free>>;
using EvpKdfCtxPtr =
    std::unique_ptr<EVP_KDF_CTX, OpensslDeleter<&EVP_KDF_CTX_free>>;
using EvpMdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, OpensslDeleter<&EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<&EVP_PKEY_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<&X509_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpensslDeleter<&X509_STORE_CTX_free>>;
using X509StorePtr =
    std::unique_ptr<X509_STORE, OpensslDeleter<&X509_STORE_free>>;
using Asn1ObjectPtr =
    std::unique_ptr<ASN1_OBJECT, OpensslDeleter<&ASN1_OBJECT_free>>;

// Fetched algorithm handles are cached for the life of the process: fetching
// by name on every call costs a lock and a lookup (OpenSSL 3 "implicit
// fetch"). These never return null; a missing default provider is a broken
// installation and aborts via CERUMBRA_CHECK.
const EVP_MD* Sha256Md();
const EVP_MD* Sha384Md();
const EVP_CIPHER* AesGcmCipher(size_t key_size);  // null for other sizes
EVP_KDF* HkdfKdf();

// ClearErrors empties this thread's OpenSSL error queue so that a failure
// never leaks into an unrelated later call.
inline void ClearErrors() { ERR_clear_error(); }

// The helpers below clear the error queue and return the given error. All
// failure paths in src/crypto that follow an OpenSSL call go through them.
// Nothing here looks at OpenSSL reason codes.
Status InternalFailure(std::string_view what);
Status InvalidArgumentFailure(std::string_view what);
Status UnauthenticatedFailure(std::string_view what);

}  // namespace cerumbra::crypto::internal

#endif  // CERUMBRA_CRYPTO_OPENSSL_UTIL_H_
