// Copyright 2026 The Cerumbra Authors.

#include "attest/rim.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <bitset>
#include <cstring>
#include <memory>
#include <string_view>

#include "crypto/xmldsig.h"

namespace cerumbra::attest {
namespace {

constexpr char kSwidNs[] =
    "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
constexpr char kTcgRimNs[] =
    "https://trustedcomputinggroup.org/resource/"
    "tcg-reference-integrity-manifest-rim-information-model/";
constexpr char kSha384Ns[] = "http://www.w3.org/2001/04/xmlenc#sha384";

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

void SilentXmlError(void*, xmlErrorPtr) {}

Status Malformed(std::string_view what) {
  return InvalidArgumentError(std::string("rim: ") + std::string(what));
}

std::string_view Text(const xmlChar* s) {
  return s == nullptr ? std::string_view()
                      : std::string_view(reinterpret_cast<const char*>(s));
}

bool InNs(const xmlNode* node, const char* ns) {
  return node->ns != nullptr && Text(node->ns->href) == ns;
}

bool IsElement(const xmlNode* node, const char* ns, const char* name) {
  return node->type == XML_ELEMENT_NODE && InNs(node, ns) &&
         Text(node->name) == name;
}

// Attribute returns the value of the attribute `name` in namespace `ns`
// (nullptr: no namespace), or nullopt.
std::optional<std::string> Attribute(const xmlNode* node, const char* name,
                                     const char* ns) {
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (Text(a->name) != name) continue;
    const bool a_has_ns = a->ns != nullptr;
    if ((ns == nullptr) != !a_has_ns) continue;
    if (ns != nullptr && Text(a->ns->href) != ns) continue;
    std::unique_ptr<xmlChar, decltype(xmlFree)> value(
        xmlNodeListGetString(node->doc, a->children, 1), xmlFree);
    return std::string(value == nullptr ? "" : Text(value.get()));
  }
  return std::nullopt;
}

// DecimalInRange parses a canonical decimal (no sign, no leading zeros).
std::optional<int> DecimalInRange(const std::optional<std::string>& text,
                                  int min, int max) {
  if (!text.has_value() || text->empty() || text->size() > 4) {
    return std::nullopt;
  }
  if (text->size() > 1 && (*text)[0] == '0') return std::nullopt;
  int value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<std::vector<uint8_t>> HexValue(const std::string& text,
                                             size_t size) {
  if (text.size() != 2 * size) return std::nullopt;
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < 2 * size; ++i) {
    const char c = text[i];
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    out[i / 2] = static_cast<uint8_t>(out[i / 2] << 4 | v);
  }
  return out;
}

Result<RimMeasurement> ParseResource(const xmlNode* node) {
  RimMeasurement m;
  if (Attribute(node, "type", nullptr) != "Measurement") {
    return Malformed("Resource type is not Measurement");
  }
  const std::optional<int> index =
      DecimalInRange(Attribute(node, "index", nullptr), 0, 255);
  const std::optional<int> alternatives =
      DecimalInRange(Attribute(node, "alternatives", nullptr), 1,
                     static_cast<int>(kRimMaxAlternatives));
  const std::optional<int> size =
      DecimalInRange(Attribute(node, "size", nullptr), 1, 64);
  const std::optional<std::string> active = Attribute(node, "active", nullptr);
  if (!index || !alternatives || !size || !active) {
    return Malformed("Resource lacks index, alternatives, size or active");
  }
  if (*active != "True" && *active != "False") {
    return Malformed("Resource active is not True/False");
  }
  m.index = *index;
  m.active = *active == "True";
  m.size = static_cast<size_t>(*size);
  m.name = Attribute(node, "name", nullptr).value_or("");
  for (int i = 0; i < *alternatives; ++i) {
    const std::optional<std::string> hash =
        Attribute(node, ("Hash" + std::to_string(i)).c_str(), kSha384Ns);
    if (!hash) return Malformed("Resource lacks a Hash attribute");
    std::optional<std::vector<uint8_t>> value = HexValue(*hash, m.size);
    if (!value) return Malformed("Resource Hash is not size bytes of hex");
    m.alternatives.push_back(*std::move(value));
  }
  // Nothing beyond the known attributes: an extra HashN (beyond
  // `alternatives`) or an unknown attribute is an error, not ignored.
  size_t count = 0;
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    ++count;
  }
  const size_t known = 5 +
                       (Attribute(node, "name", nullptr).has_value() ? 1 : 0) +
                       m.alternatives.size();
  if (count != known) return Malformed("Resource has unknown attributes");
  return m;
}

}  // namespace

Result<Rim> ParseRim(std::span<const uint8_t> xml) {
  if (xml.empty() || xml.size() > crypto::kMaxXmlSize) {
    return Malformed("empty or too large");
  }
  if (!crypto::InitXml()) return InternalError("rim: XML library init failed");
  // The same parser settings as crypto/xmldsig.cc, so this reads exactly
  // the document whose signature was verified.
  xmlSetStructuredErrorFunc(nullptr, SilentXmlError);
  std::unique_ptr<xmlDoc, XmlDocFree> doc(
      xmlReadMemory(reinterpret_cast<const char*>(xml.data()),
                    static_cast<int>(xml.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr) return Malformed("does not parse");
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return Malformed("DOCTYPE not allowed");
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !IsElement(root, kSwidNs, "SoftwareIdentity")) {
    return Malformed("root is not a SWID SoftwareIdentity");
  }
  Rim rim;
  rim.tag_id = Attribute(root, "tagId", nullptr).value_or("");
  rim.name = Attribute(root, "name", nullptr).value_or("");
  const xmlNode* meta = nullptr;
  const xmlNode* payload = nullptr;
  for (const xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (IsElement(c, kSwidNs, "Meta")) {
      if (meta != nullptr) return Malformed("more than one Meta");
      meta = c;
    } else if (IsElement(c, kSwidNs, "Payload")) {
      if (payload != nullptr) return Malformed("more than one Payload");
      payload = c;
    }
  }
  if (meta == nullptr || payload == nullptr) {
    return Malformed("no Meta or no Payload");
  }
  rim.product = Attribute(meta, "product", nullptr).value_or("");
  rim.colloquial_version =
      Attribute(meta, "colloquialVersion", nullptr).value_or("");
  rim.platform_manufacturer_id =
      Attribute(meta, "PlatformManufacturerId", kTcgRimNs).value_or("");
  if (rim.colloquial_version.empty()) return Malformed("no colloquialVersion");
  std::bitset<256> seen;
  for (const xmlNode* c = payload->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_COMMENT_NODE) continue;
    if (!IsElement(c, kSwidNs, "Resource")) {
      return Malformed("Payload holds something other than Resources");
    }
    if (rim.measurements.size() >= kRimMaxMeasurements) {
      return Malformed("too many Resources");
    }
    CERUMBRA_ASSIGN_OR_RETURN(RimMeasurement m, ParseResource(c));
    if (seen[static_cast<size_t>(m.index)]) {
      return Malformed("duplicate Resource index");
    }
    seen[static_cast<size_t>(m.index)] = true;
    rim.measurements.push_back(std::move(m));
  }
  return rim;
}

RimVerification VerifyRim(std::span<const uint8_t> xml,
                          const crypto::Certificate& rim_root,
                          std::chrono::sys_seconds verification_time) {
  RimVerification out;
  Result<std::vector<crypto::Certificate>> certs =
      crypto::XmlSignatureCertificates(xml);
  if (!certs.ok()) {
    out.report.Fail("chain", "no usable KeyInfo certificates: " +
                                 certs.status().ToString());
    return out;
  }
  Result<crypto::VerifiedChain> chain = crypto::VerifyCertificateChain(
      *certs, std::span(&rim_root, 1), verification_time);
  for (const crypto::Certificate& c : *certs) {
    out.chain_subjects.push_back(c.Subject());
  }
  if (!chain.ok()) {
    out.report.Fail("chain", "signer chain (" + std::to_string(certs->size()) +
                                 " certificates, ending in " +
                                 out.chain_subjects.back() +
                                 ") does not verify to the pinned RIM root "
                                 "at the verification time");
    return out;
  }
  out.report.Pass("chain", std::to_string(certs->size()) +
                               " certificates to the pinned RIM root; signer " +
                               out.chain_subjects.front());
  const Status signature =
      crypto::VerifyEnvelopedXmlSignature(xml, chain->certificates[0]);
  if (!signature.ok()) {
    out.report.Fail("signature",
                    "XMLDSig does not verify: " + signature.ToString());
    return out;
  }
  out.report.Pass("signature", "XMLDSig ecdsa-sha384 over the document");
  Result<Rim> rim = ParseRim(xml);
  if (!rim.ok()) {
    out.report.Fail("parse", rim.status().ToString());
    return out;
  }
  out.report.Pass("parse", std::to_string(rim->measurements.size()) +
                               " measurements, version " +
                               rim->colloquial_version);
  out.rim = *std::move(rim);
  return out;
}

}  // namespace cerumbra::attest
