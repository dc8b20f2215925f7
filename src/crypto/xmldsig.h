// Copyright 2026 The Cerumbra Authors.
//
// Enveloped XML signatures (W3C XMLDSig 1.1) as NVIDIA signs its XML RIMs:
// one <ds:Signature> child of the document element, one Reference with
// URI="" (the whole document), the enveloped-signature transform and
// Canonical XML, ECDSA P-384 with SHA-384, the signer's certificate chain in
// KeyInfo/X509Data. Verification is done by xmlsec1 (its OpenSSL backend)
// with the key of a certificate the caller has already verified; xmlsec is
// never asked to trust or fetch anything by itself.
//
// Parsing is hardened the same way for both functions (and for callers that
// read the document with ParseXmlStrict's rules): no network, no DTD at all
// (a DOCTYPE is rejected), no entity substitution, input at most
// kMaxXmlSize bytes.

#ifndef CERUMBRA_CRYPTO_XMLDSIG_H_
#define CERUMBRA_CRYPTO_XMLDSIG_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/x509.h"

namespace cerumbra::crypto {

// kMaxXmlSize bounds a signed XML document (NVIDIA RIMs are ~20 KiB).
inline constexpr size_t kMaxXmlSize = 1 << 20;

// InitXml initializes libxml2 and xmlsec exactly once per process
// (thread-safe); false if xmlsec cannot start. The functions below call it;
// code that parses XML with libxml2 itself calls it first, because
// libxml2's own lazy initialization is not safe from two threads at once.
bool InitXml();

// XmlSignatureCertificates returns the certificates of the document's
// enveloped signature (KeyInfo/X509Data/X509Certificate, in document order,
// which for NVIDIA RIMs is leaf first). Untrusted: the caller verifies them
// with VerifyCertificateChain. InvalidArgument if the document does not
// parse under the rules above, has not exactly one ds:Signature (a child of
// the document element), or a certificate is malformed; NotFound if there
// are no certificates. Thread safety: safe to call concurrently.
Result<std::vector<Certificate>> XmlSignatureCertificates(
    std::span<const uint8_t> xml);

// VerifyEnvelopedXmlSignature verifies the document's enveloped signature
// with the public key of `signer` (a certificate the caller verified).
// Accepted, and nothing else:
// - exactly one ds:Signature, a child of the document element;
// - SignedInfo: CanonicalizationMethod C14N 1.1 or C14N 1.0 (with or
//   without comments) or exclusive C14N; SignatureMethod ecdsa-sha384;
// - exactly one Reference, URI="" (same document, all of it), transforms
//   from {enveloped-signature, the canonicalizations above}, DigestMethod
//   SHA-384;
// so the signature covers every element and attribute of the document
// except the Signature itself. OK only if the digest and the signature
// verify; every failure is the opaque Unauthenticated error, except a
// document that does not parse (InvalidArgument).
// Thread safety: safe to call concurrently (xmlsec is initialized once).
Status VerifyEnvelopedXmlSignature(std::span<const uint8_t> xml,
                                   const Certificate& signer);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_XMLDSIG_H_
