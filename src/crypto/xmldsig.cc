// Copyright 2026 The Cerumbra Authors.

#include "crypto/xmldsig.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "crypto/base64.h"

namespace cerumbra::crypto {
namespace {

constexpr char kDsigNs[] = "http://www.w3.org/2000/09/xmldsig#";

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;
struct DsigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};
struct KeyFree {
  void operator()(xmlSecKey* key) const { xmlSecKeyDestroy(key); }
};

// Errors in untrusted documents are expected; xmlsec and libxml2 would
// print each one to stderr. Silence both (their details never reach our
// callers anyway: STYLE.md §2).
void SilentXmlSecError(const char*, int, const char*, const char*, const char*,
                       int, const char*) {}
void SilentXmlError(void*, xmlErrorPtr) {}

}  // namespace

bool InitXml() {
  static const bool ok = [] {
    xmlInitParser();
    if (xmlSecInit() < 0) return false;
    if (xmlSecCheckVersion() != 1) return false;
    if (xmlSecOpenSSLAppInit(nullptr) < 0) return false;
    if (xmlSecOpenSSLInit() < 0) return false;
    xmlSecErrorsSetCallback(SilentXmlSecError);
    return true;
  }();
  return ok;
}

namespace {

bool IsDsig(const xmlNode* node, const char* name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE &&
         node->ns != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(node->ns->href), kDsigNs) ==
             0 &&
         std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

// CountSignatures counts ds:Signature elements anywhere under `node`.
size_t CountSignatures(const xmlNode* node) {
  size_t n = 0;
  for (const xmlNode* c = node; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (IsDsig(c, "Signature")) ++n;
    n += CountSignatures(c->children);
  }
  return n;
}

// ParsedSignature is a strictly parsed document and its one Signature.
struct ParsedSignature {
  XmlDocPtr doc;
  xmlNode* signature = nullptr;
};

Result<ParsedSignature> Parse(std::span<const uint8_t> xml) {
  if (!InitXml()) return InternalError("xmlsec initialization failed");
  if (xml.empty() || xml.size() > kMaxXmlSize) {
    return InvalidArgumentError("xml: empty or too large");
  }
  // Per-thread libxml2 error handler: no output on stderr.
  xmlSetStructuredErrorFunc(nullptr, SilentXmlError);
  // No XML_PARSE_NOENT (no entity substitution), no DTD loading, no
  // network; blanks are kept because canonicalization sees them.
  ParsedSignature out;
  out.doc.reset(
      xmlReadMemory(reinterpret_cast<const char*>(xml.data()),
                    static_cast<int>(xml.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (out.doc == nullptr) return InvalidArgumentError("xml: does not parse");
  if (out.doc->intSubset != nullptr || out.doc->extSubset != nullptr) {
    return InvalidArgumentError("xml: DOCTYPE not allowed");
  }
  xmlNode* root = xmlDocGetRootElement(out.doc.get());
  if (root == nullptr) return InvalidArgumentError("xml: no root element");
  if (CountSignatures(root) != 1) {
    return InvalidArgumentError("xml: not exactly one ds:Signature");
  }
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (IsDsig(c, "Signature")) out.signature = c;
  }
  if (out.signature == nullptr) {
    return InvalidArgumentError("xml: ds:Signature is not enveloped");
  }
  return out;
}

const xmlNode* Child(const xmlNode* node, const char* name) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (IsDsig(c, name)) return c;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<Certificate>> XmlSignatureCertificates(
    std::span<const uint8_t> xml) {
  CERUMBRA_ASSIGN_OR_RETURN(ParsedSignature parsed, Parse(xml));
  const xmlNode* key_info = Child(parsed.signature, "KeyInfo");
  const xmlNode* x509_data =
      key_info == nullptr ? nullptr : Child(key_info, "X509Data");
  if (x509_data == nullptr) return NotFoundError("xml: no X509Data");
  std::vector<Certificate> out;
  for (const xmlNode* c = x509_data->children; c != nullptr; c = c->next) {
    if (!IsDsig(c, "X509Certificate")) continue;
    if (out.size() >= kMaxChainLength) {
      return InvalidArgumentError("xml: too many certificates");
    }
    std::unique_ptr<xmlChar, decltype(xmlFree)> text(xmlNodeGetContent(c),
                                                     xmlFree);
    if (text == nullptr) return InvalidArgumentError("xml: empty certificate");
    // XML Schema base64Binary allows whitespace; Base64Decode does not.
    std::string base64;
    for (const xmlChar* p = text.get(); *p != 0; ++p) {
      if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') continue;
      base64.push_back(static_cast<char>(*p));
    }
    Result<std::vector<uint8_t>> der = internal::Base64Decode(base64);
    if (!der.ok()) return InvalidArgumentError("xml: certificate not base64");
    CERUMBRA_ASSIGN_OR_RETURN(Certificate cert, Certificate::FromDer(*der));
    out.push_back(std::move(cert));
  }
  if (out.empty()) return NotFoundError("xml: no X509Certificate");
  return out;
}

Status VerifyEnvelopedXmlSignature(std::span<const uint8_t> xml,
                                   const Certificate& signer) {
  CERUMBRA_ASSIGN_OR_RETURN(ParsedSignature parsed, Parse(xml));
  const Status failed =
      UnauthenticatedError("xml signature verification failed");
  const std::vector<uint8_t> der = signer.ToDer();
  std::unique_ptr<xmlSecKey, KeyFree> key(xmlSecOpenSSLAppKeyLoadMemory(
      der.data(), static_cast<xmlSecSize>(der.size()),
      xmlSecKeyDataFormatCertDer, nullptr, nullptr, nullptr));
  if (key == nullptr) return failed;
  std::unique_ptr<xmlSecDSigCtx, DsigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
  if (ctx == nullptr) return InternalError("xmlsec: out of memory");
  // The key is the caller's verified certificate; KeyInfo is not consulted
  // (xmlsec reads KeyInfo only when signKey is unset).
  ctx->signKey = key.release();
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
  ctx->flags = XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES |
               XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  const xmlSecTransformId c14n[] = {
      xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
      xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
      xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId};
  for (xmlSecTransformId id : c14n) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id) < 0) {
      return InternalError("xmlsec: cannot enable transform");
    }
  }
  if (xmlSecDSigCtxEnableSignatureTransform(
          ctx.get(), xmlSecOpenSSLTransformEcdsaSha384Id) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(),
                                            xmlSecTransformEnvelopedId) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(
          ctx.get(), xmlSecOpenSSLTransformSha384Id) < 0) {
    return InternalError("xmlsec: cannot enable transform");
  }
  if (xmlSecDSigCtxVerify(ctx.get(), parsed.signature) < 0) return failed;
  if (ctx->status != xmlSecDSigStatusSucceeded) return failed;
  // Exactly one Reference, to the whole document.
  if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) return failed;
  auto* reference = static_cast<xmlSecDSigReferenceCtx*>(
      xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
  if (reference == nullptr || reference->status != xmlSecDSigStatusSucceeded ||
      (reference->uri != nullptr && reference->uri[0] != 0)) {
    return failed;
  }
  return OkStatus();
}

}  // namespace cerumbra::crypto
