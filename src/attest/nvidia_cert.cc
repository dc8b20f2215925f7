// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_cert.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace cerumbra::attest {
namespace {

// DER tags (X.690 §8).
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kOid = 0x06;
constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kSet = 0x31;
constexpr uint8_t kContext0Constructed = 0xA0;
constexpr uint8_t kContext6Constructed = 0xA6;

// OID 2.16.840.1.101.3.4.2.2 (id-sha384), contents only.
constexpr uint8_t kSha384Oid[] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                  0x03, 0x04, 0x02, 0x02};
// OID 2.5.4.3 (id-at-commonName), contents only.
constexpr uint8_t kCommonNameOid[] = {0x55, 0x04, 0x03};

Status Malformed(std::string_view what) {
  return InvalidArgumentError(std::string("certificate DER: ") +
                              std::string(what));
}

// Der reads one level of DER TLVs: single-byte tags only (all that occur
// here), definite minimal lengths up to 3 bytes.
class Der {
 public:
  explicit Der(std::span<const uint8_t> data) : data_(data) {}

  bool AtEnd() const { return pos_ == data_.size(); }
  // PeekTag returns the next tag, or -1 at the end.
  int PeekTag() const { return AtEnd() ? -1 : data_[pos_]; }

  // Read reads the next element, which must have tag `tag`.
  bool Read(uint8_t tag, std::span<const uint8_t>& contents) {
    uint8_t actual = 0;
    return ReadAny(actual, contents) && actual == tag;
  }
  bool ReadAny(uint8_t& tag, std::span<const uint8_t>& contents) {
    if (data_.size() - pos_ < 2) return false;
    tag = data_[pos_];
    if ((tag & 0x1F) == 0x1F) return false;  // multi-byte tag
    size_t length = data_[pos_ + 1];
    size_t header = 2;
    if (length & 0x80) {
      const size_t n = length & 0x7F;
      if (n == 0 || n > 3 || data_.size() - pos_ < 2 + n) return false;
      length = 0;
      for (size_t i = 0; i < n; ++i) length = length << 8 | data_[pos_ + 2 + i];
      // Minimal: long form only for >= 128, no leading zero byte.
      if (length < 128 || data_[pos_ + 2] == 0) return false;
      header += n;
    }
    if (data_.size() - pos_ - header < length) return false;
    contents = data_.subspan(pos_ + header, length);
    pos_ += header + length;
    return true;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

bool Equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// ParseFwidSequence reads FWID ::= SEQUENCE { hashAlg OID, digest OCTET
// STRING } (TCG DICE), requiring SHA-384.
Result<std::array<uint8_t, 48>> ParseFwid(std::span<const uint8_t> contents) {
  Der in(contents);
  std::span<const uint8_t> oid, digest;
  if (!in.Read(kOid, oid) || !in.Read(kOctetString, digest) || !in.AtEnd()) {
    return Malformed("bad FWID");
  }
  if (!Equal(oid, kSha384Oid)) return Malformed("FWID hash is not SHA-384");
  if (digest.size() != 48) return Malformed("FWID digest is not 48 bytes");
  std::array<uint8_t, 48> out;
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

// TbsFields returns the contents of tbsCertificate (RFC 5280 §4.1).
Result<std::span<const uint8_t>> Tbs(std::span<const uint8_t> der) {
  Der outer(der);
  std::span<const uint8_t> certificate, tbs;
  if (!outer.Read(kSequence, certificate) || !outer.AtEnd()) {
    return Malformed("not a certificate");
  }
  Der in(certificate);
  if (!in.Read(kSequence, tbs)) return Malformed("no tbsCertificate");
  return tbs;
}

}  // namespace

Result<std::array<uint8_t, 48>> ParseHopperFwidExtension(
    std::span<const uint8_t> value) {
  Der outer(value);
  std::span<const uint8_t> body;
  if (!outer.Read(kSequence, body) || !outer.AtEnd()) {
    return Malformed("bad Hopper FWID extension");
  }
  Der in(body);
  std::span<const uint8_t> version, spki, fwid;
  if (!in.Read(kInteger, version) || !in.Read(kSequence, spki) ||
      !in.Read(kSequence, fwid) || !in.AtEnd()) {
    return Malformed("bad Hopper FWID extension");
  }
  if (version.size() != 1 || version[0] != 1) {
    return Malformed("Hopper FWID extension version is not 1");
  }
  return ParseFwid(fwid);
}

Result<std::array<uint8_t, 48>> ParseBlackwellFwidExtension(
    std::span<const uint8_t> value) {
  Der outer(value);
  std::span<const uint8_t> body;
  if (!outer.Read(kSequence, body) || !outer.AtEnd()) {
    return Malformed("bad DiceTcbInfo");
  }
  // DiceTcbInfo: every field is OPTIONAL and context-tagged [0]..[n], in
  // increasing tag order; fwids is [6] IMPLICIT SEQUENCE OF FWID.
  Der in(body);
  int last_tag = -1;
  std::span<const uint8_t> fwids;
  bool found = false;
  while (!in.AtEnd()) {
    uint8_t tag = 0;
    std::span<const uint8_t> contents;
    if (!in.ReadAny(tag, contents)) return Malformed("bad DiceTcbInfo field");
    const int number = tag & 0x1F;
    if ((tag & 0xC0) != 0x80 || number <= last_tag) {
      return Malformed("DiceTcbInfo fields out of order");
    }
    last_tag = number;
    if (number == 6) {
      if (tag != kContext6Constructed) return Malformed("bad fwids tag");
      fwids = contents;
      found = true;
    }
  }
  if (!found) return Malformed("DiceTcbInfo has no fwids");
  Der list(fwids);
  std::span<const uint8_t> first;
  if (!list.Read(kSequence, first)) return Malformed("fwids is empty");
  while (!list.AtEnd()) {  // The rest must still be well-formed FWIDs.
    std::span<const uint8_t> other;
    if (!list.Read(kSequence, other)) return Malformed("bad fwids entry");
    CERUMBRA_RETURN_IF_ERROR(ParseFwid(other).status());
  }
  return ParseFwid(first);
}

Result<std::array<uint8_t, 48>> LeafFwid(const crypto::Certificate& leaf,
                                         GpuArchitecture architecture) {
  const bool hopper = architecture == GpuArchitecture::kHopper;
  Result<std::vector<uint8_t>> value = leaf.GetExtensionValue(
      hopper ? kNvidiaFwidOidHopper : kNvidiaFwidOidBlackwell);
  if (!value.ok()) return value.status();
  return hopper ? ParseHopperFwidExtension(*value)
                : ParseBlackwellFwidExtension(*value);
}

Result<std::string> CertificateSerialDecimal(
    const crypto::Certificate& certificate) {
  const std::vector<uint8_t> der = certificate.ToDer();
  CERUMBRA_ASSIGN_OR_RETURN(std::span<const uint8_t> tbs, Tbs(der));
  Der in(tbs);
  std::span<const uint8_t> skip, serial;
  if (in.PeekTag() == kContext0Constructed) {
    if (!in.Read(kContext0Constructed, skip)) return Malformed("bad version");
  }
  if (!in.Read(kInteger, serial) || serial.empty() || serial.size() > 21) {
    return Malformed("bad serial number");
  }
  if (serial[0] & 0x80) return Malformed("negative serial number");
  // Repeated division by 10 of the big-endian magnitude.
  std::vector<uint8_t> n(serial.begin(), serial.end());
  std::string digits;
  while (std::any_of(n.begin(), n.end(), [](uint8_t b) { return b != 0; })) {
    unsigned remainder = 0;
    for (uint8_t& b : n) {
      const unsigned cur = remainder << 8 | b;
      b = static_cast<uint8_t>(cur / 10);
      remainder = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  if (digits.empty()) digits = "0";
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string SubjectCommonName(const crypto::Certificate& certificate) {
  const std::vector<uint8_t> der = certificate.ToDer();
  Result<std::span<const uint8_t>> tbs = Tbs(der);
  if (!tbs.ok()) return "";
  Der in(*tbs);
  std::span<const uint8_t> field;
  if (in.PeekTag() == kContext0Constructed) {
    if (!in.Read(kContext0Constructed, field)) return "";
  }
  std::span<const uint8_t> subject;
  // serial, signature, issuer, validity, subject.
  if (!in.Read(kInteger, field) || !in.Read(kSequence, field) ||
      !in.Read(kSequence, field) || !in.Read(kSequence, field) ||
      !in.Read(kSequence, subject)) {
    return "";
  }
  std::string cn;
  Der rdns(subject);
  while (!rdns.AtEnd()) {
    std::span<const uint8_t> set;
    if (!rdns.Read(kSet, set)) return "";
    Der attributes(set);
    while (!attributes.AtEnd()) {
      std::span<const uint8_t> attribute, oid, value;
      uint8_t tag = 0;
      if (!attributes.Read(kSequence, attribute)) return "";
      Der a(attribute);
      if (!a.Read(kOid, oid) || !a.ReadAny(tag, value)) return "";
      if (Equal(oid, kCommonNameOid)) cn.assign(value.begin(), value.end());
    }
  }
  return cn;
}

}  // namespace cerumbra::attest
