// Copyright 2026 The Cerumbra Authors.
//
// Runs every test of the Project Wycheproof files listed in kFiles against
// src/crypto. Vectors are read from $CERUMBRA_TESTVECTORS/wycheproof (never
// copied into the repository). For each file one line of counts is printed
// to stdout, and every mismatch fails with its tcId and comment:
//   - "valid" tests must be accepted with the expected output;
//   - "invalid" tests must be rejected;
//   - "acceptable" tests must do what docs/crypto.md decides for their flags
//     (AcceptablePolicy below), so a change in behaviour fails the test;
//   - groups with parameters we do not support (ecdsa_webcrypto_test.json:
//     other curves and hashes) are counted as skipped, by group, and named
//     in the printed line.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crypto/aead.h"
#include "crypto/aead_internal.h"
#include "crypto/ec.h"
#include "crypto/ecdsa.h"
#include "crypto/hkdf.h"
#include "crypto/test_util.h"

namespace cerumbra::crypto {
namespace {

namespace json = boost::json;
using testing::HexDecode;

enum class Outcome { kAccepted, kRejected };

const char* OutcomeName(Outcome o) {
  return o == Outcome::kAccepted ? "accepted" : "rejected";
}

// --- Acceptable-case decisions (documented in docs/crypto.md). -------------

// AcceptablePolicy returns what our implementation does for an
// "acceptable" test with `flags`, or nullopt if no decision was made for
// them (which fails the test, so a new kind of case forces a decision).
std::optional<Outcome> AcceptablePolicy(const std::string& file,
                                        const std::set<std::string>& flags) {
  // Flags whose cases we reject, per file.
  static const std::map<std::string, std::set<std::string>> kRejected = {
      // Strict DER SPKI with a named curve and an uncompressed point only.
      {"ecdh_secp256r1_test.json",
       {"InvalidAsn", "CompressedPublic", "CompressedPoint", "UnnamedCurve",
        "UnusedParam", "WrongOrder", "ModifiedGenerator", "ModifiedCofactor",
        "NoCofactor", "ModifiedCurveParameter"}},
      // Raw points must be uncompressed.
      {"ecdh_secp256r1_ecpoint_test.json",
       {"CompressedPublic", "CompressedPoint"}},
      // P1363 signatures must be exactly 2 * field size bytes; weak-hash
      // combinations are unsupported (their groups are skipped).
      {"ecdsa_webcrypto_test.json", {"SigSize", "WeakHash"}},
  };
  const auto it = kRejected.find(file);
  if (it == kRejected.end() || flags.empty()) return std::nullopt;
  for (const std::string& flag : flags) {
    if (it->second.count(flag) == 0) return std::nullopt;
  }
  return Outcome::kRejected;
}

// --- Counting. -------------------------------------------------------------

struct Tally {
  std::string file;
  int total = 0;
  int valid_passed = 0;
  int invalid_rejected = 0;
  int acceptable_accepted = 0;
  int acceptable_rejected = 0;
  int skipped = 0;
  int failures = 0;
  std::map<std::string, int> skipped_by_reason;
  std::map<std::string, int> notes;  // e.g. which code path ran

  void Fail(const json::object& test, const std::string& why) {
    ++failures;
    ADD_FAILURE() << file << " tcId " << test.at("tcId").as_int64() << " ("
                  << test.at("comment").as_string().c_str() << "): " << why;
  }

  void Record(const json::object& test, Outcome outcome,
              const std::string& detail = "") {
    ++total;
    const std::string result(test.at("result").as_string());
    if (result == "valid") {
      if (outcome == Outcome::kAccepted) {
        ++valid_passed;
      } else {
        Fail(test, "valid test rejected" + detail);
      }
    } else if (result == "invalid") {
      if (outcome == Outcome::kRejected) {
        ++invalid_rejected;
      } else {
        Fail(test, "invalid test accepted" + detail);
      }
    } else if (result == "acceptable") {
      (outcome == Outcome::kAccepted ? acceptable_accepted
                                     : acceptable_rejected)++;
      std::set<std::string> flags;
      for (const json::value& f : test.at("flags").as_array()) {
        flags.insert(std::string(f.as_string()));
      }
      const std::optional<Outcome> expected = AcceptablePolicy(file, flags);
      if (!expected.has_value()) {
        Fail(test, "acceptable test without a documented decision");
      } else if (*expected != outcome) {
        Fail(test, std::string("acceptable test ") + OutcomeName(outcome) +
                       ", decision is " + OutcomeName(*expected));
      }
    } else {
      Fail(test, "unknown result " + result);
    }
  }

  void Skip(const std::string& reason, int count) {
    total += count;
    skipped += count;
    skipped_by_reason[reason] += count;
  }

  std::string Line() const {
    std::string line =
        "wycheproof " + file + ": " + std::to_string(total) +
        " tests: " + std::to_string(valid_passed) + " valid passed, " +
        std::to_string(invalid_rejected) + " invalid rejected, " +
        std::to_string(acceptable_accepted + acceptable_rejected) +
        " acceptable (accepted " + std::to_string(acceptable_accepted) +
        ", rejected " + std::to_string(acceptable_rejected) + "), " +
        std::to_string(skipped) + " skipped";
    if (!skipped_by_reason.empty()) {
      line += " (unsupported:";
      bool first = true;
      for (const auto& [reason, count] : skipped_by_reason) {
        line += (first ? " " : ", ") + reason + " " + std::to_string(count);
        first = false;
      }
      line += ")";
    }
    line += ", " + std::to_string(failures) + " failures";
    if (!notes.empty()) {
      line += " [";
      bool first = true;
      for (const auto& [note, count] : notes) {
        line += (first ? "" : ", ") + note + ": " + std::to_string(count);
        first = false;
      }
      line += "]";
    }
    return line;
  }
};

std::string Str(const json::object& o, std::string_view key) {
  return std::string(o.at(key).as_string());
}

std::vector<uint8_t> Hex(const json::object& o, std::string_view key) {
  return HexDecode(o.at(key).as_string());
}

// --- AES-GCM. ----------------------------------------------------------------

void RunAesGcm(const json::object& root, Tally& tally) {
  for (const json::value& gv : root.at("testGroups").as_array()) {
    const json::object& group = gv.as_object();
    for (const json::value& tv : group.at("tests").as_array()) {
      const json::object& test = tv.as_object();
      const std::vector<uint8_t> key = Hex(test, "key");
      const std::vector<uint8_t> iv = Hex(test, "iv");
      const std::vector<uint8_t> aad = Hex(test, "aad");
      const std::vector<uint8_t> msg = Hex(test, "msg");
      std::vector<uint8_t> ct_tag = Hex(test, "ct");
      const std::vector<uint8_t> tag = Hex(test, "tag");
      ct_tag.insert(ct_tag.end(), tag.begin(), tag.end());

      Result<std::vector<uint8_t>> sealed = InternalError("unset");
      Result<std::vector<uint8_t>> opened = InternalError("unset");
      const bool production = key.size() == kAes256GcmKeySize &&
                              iv.size() == kAesGcmNonceSize &&
                              tag.size() == kAesGcmTagSize;
      if (production) {
        // The production cipher: AES-256, 96-bit nonce, reused context.
        Result<Aes256Gcm> aead = Aes256Gcm::Create(SecretBytes::CopyFrom(key));
        ASSERT_TRUE(aead.ok());
        sealed = internal::SealWithNonce(*aead, iv, msg, aad);
        opened = internal::OpenWithNonce(*aead, iv, ct_tag, aad);
        ++tally.notes["production AES-256/96-bit-nonce path"];
      } else {
        sealed = internal::AesGcmSealForTesting(key, iv, msg, aad);
        opened = internal::AesGcmOpenForTesting(key, iv, ct_tag, aad);
        // IVs over 128 bytes bypass EVP (OpenSSL 3.0's limit); see aead.cc.
        ++tally.notes[iv.size() > 128
                          ? "test-only path, IV > 128 bytes via CRYPTO_gcm128"
                          : "test-only path, other key/IV sizes via EVP"];
      }
      const bool open_ok = opened.ok() && *opened == msg;
      const bool seal_ok = sealed.ok() && *sealed == ct_tag;
      const std::string result = Str(test, "result");
      if (result == "valid") {
        tally.Record(
            test, open_ok && seal_ok ? Outcome::kAccepted : Outcome::kRejected,
            open_ok ? " (seal mismatch)" : " (open failed)");
      } else {
        // An invalid (ct, tag) must not open. A zero-length IV must also be
        // refused for sealing.
        if (iv.empty() && sealed.ok()) {
          tally.Fail(test, "sealed with a zero-length IV");
        }
        if (opened.ok() && !open_ok) {
          tally.Fail(test, "opened to a wrong plaintext");
        }
        tally.Record(test,
                     opened.ok() ? Outcome::kAccepted : Outcome::kRejected);
      }
    }
  }
}

// --- HKDF. -------------------------------------------------------------------

void RunHkdf(const json::object& root, Tally& tally) {
  for (const json::value& gv : root.at("testGroups").as_array()) {
    for (const json::value& tv : gv.as_object().at("tests").as_array()) {
      const json::object& test = tv.as_object();
      const SecretBytes ikm = SecretBytes::CopyFrom(Hex(test, "ikm"));
      const size_t size = static_cast<size_t>(test.at("size").as_int64());
      Result<SecretBytes> okm =
          HkdfSha256(Hex(test, "salt"), ikm, Hex(test, "info"), size);
      const std::vector<uint8_t> expected = Hex(test, "okm");
      const bool match =
          okm.ok() && std::equal(okm->Reveal().begin(), okm->Reveal().end(),
                                 expected.begin(), expected.end());
      if (okm.ok() && !match && Str(test, "result") == "invalid") {
        tally.Fail(test, "derived an output for an invalid request");
      }
      tally.Record(test, match ? Outcome::kAccepted : Outcome::kRejected);
    }
  }
}

// --- ECDH. -------------------------------------------------------------------

// Wycheproof private keys are big-endian integers of any length (with a
// leading 00 when the top bit is set, or shorter than 32 bytes); our API
// takes exactly 32 bytes.
std::optional<SecretBytes> FixedWidthScalar(std::vector<uint8_t> bytes) {
  size_t leading = 0;
  while (leading < bytes.size() && bytes[leading] == 0) ++leading;
  if (bytes.size() - leading > 32) return std::nullopt;
  std::vector<uint8_t> out(32 - (bytes.size() - leading), 0);
  out.insert(out.end(), bytes.begin() + static_cast<long>(leading),
             bytes.end());
  return SecretBytes::CopyFrom(out);
}

enum class EcdhEncoding { kSpki, kRawPoint, kJwk };

void RunEcdh(const json::object& root, Tally& tally, EcdhEncoding encoding) {
  for (const json::value& gv : root.at("testGroups").as_array()) {
    const json::object& group = gv.as_object();
    const std::string curve = Str(group, "curve");
    ASSERT_TRUE(curve == "secp256r1" || curve == "P-256") << curve;
    for (const json::value& tv : group.at("tests").as_array()) {
      const json::object& test = tv.as_object();
      // The private key is trusted input: it must always import.
      std::optional<PrivateKey> priv;
      if (encoding == EcdhEncoding::kJwk) {
        Result<PrivateKey> k =
            PrivateKey::FromJwk(json::serialize(test.at("private")));
        if (k.ok()) priv.emplace(*std::move(k));
      } else {
        std::optional<SecretBytes> scalar =
            FixedWidthScalar(Hex(test, "private"));
        if (scalar.has_value()) {
          Result<PrivateKey> k =
              PrivateKey::FromScalar(EcCurve::kP256, *scalar);
          if (k.ok()) priv.emplace(*std::move(k));
        }
      }
      if (!priv.has_value()) {
        tally.Fail(test, "private key did not import");
        ++tally.total;
        continue;
      }

      Result<PublicKey> pub = InvalidArgumentError("unset");
      switch (encoding) {
        case EcdhEncoding::kSpki:
          pub = PublicKey::FromSpkiDer(Hex(test, "public"));
          break;
        case EcdhEncoding::kRawPoint:
          pub = PublicKey::FromUncompressedPoint(EcCurve::kP256,
                                                 Hex(test, "public"));
          break;
        case EcdhEncoding::kJwk:
          pub = PublicKey::FromJwk(json::serialize(test.at("public")));
          break;
      }
      if (!pub.ok()) {
        tally.Record(test, Outcome::kRejected,
                     " at public key import: " + pub.status().ToString());
        continue;
      }
      Result<SharedSecret> shared = DeriveSharedSecret(*priv, *pub);
      if (!shared.ok()) {
        tally.Record(test, Outcome::kRejected,
                     " at derive: " + shared.status().ToString());
        continue;
      }
      const std::vector<uint8_t> expected = Hex(test, "shared");
      const auto got = shared->secret().Reveal();
      if (!std::equal(got.begin(), got.end(), expected.begin(),
                      expected.end())) {
        // Computing a wrong secret is never acceptable.
        tally.Fail(test, "wrong shared secret " + testing::HexEncode(got));
        ++tally.total;
        continue;
      }
      tally.Record(test, Outcome::kAccepted);
    }
  }
}

// --- ECDSA. ------------------------------------------------------------------

struct EcdsaSuite {
  EcCurve curve;
  const char* sha;
};

std::optional<EcdsaSuite> SupportedSuite(const std::string& curve,
                                         const std::string& sha) {
  if ((curve == "secp256r1" || curve == "P-256") && sha == "SHA-256") {
    return EcdsaSuite{EcCurve::kP256, "SHA-256"};
  }
  if ((curve == "secp384r1" || curve == "P-384") && sha == "SHA-384") {
    return EcdsaSuite{EcCurve::kP384, "SHA-384"};
  }
  return std::nullopt;
}

// ImportGroupKey imports the group's key through every encoding the file
// offers and checks they agree. Returns nullopt if the key is rejected.
std::optional<PublicKey> ImportGroupKey(const json::object& group,
                                        EcCurve curve, bool legacy,
                                        Tally& tally) {
  std::vector<std::pair<std::string, Result<PublicKey>>> imports;
  const json::object& key = group.at(legacy ? "key" : "publicKey").as_object();
  imports.emplace_back("uncompressed", PublicKey::FromUncompressedPoint(
                                           curve, Hex(key, "uncompressed")));
  imports.emplace_back("DER", PublicKey::FromSpkiDer(Hex(
                                  group, legacy ? "keyDer" : "publicKeyDer")));
  const char* jwk_name = legacy ? "jwk" : "publicKeyJwk";
  if (group.contains(jwk_name)) {
    imports.emplace_back(
        "JWK", PublicKey::FromJwk(json::serialize(group.at(jwk_name))));
  }
  for (const auto& [name, result] : imports) {
    if (!result.ok()) {
      ++tally.failures;
      ADD_FAILURE() << tally.file << ": group key (" << name
                    << ") rejected: " << result.status().ToString();
      return std::nullopt;
    }
    if (!(*result == *imports.front().second)) {
      ++tally.failures;
      ADD_FAILURE() << tally.file << ": group key encodings disagree (" << name
                    << ")";
      return std::nullopt;
    }
  }
  return *imports.front().second;
}

void RunEcdsa(const json::object& root, Tally& tally,
              EcdsaSignatureFormat format, bool legacy) {
  for (const json::value& gv : root.at("testGroups").as_array()) {
    const json::object& group = gv.as_object();
    const json::array& tests = group.at("tests").as_array();
    const std::string curve =
        legacy ? Str(group.at("jwk").as_object(), "crv")
               : Str(group.at("publicKey").as_object(), "curve");
    const std::string sha = Str(group, "sha");
    const std::optional<EcdsaSuite> suite = SupportedSuite(curve, sha);
    if (!suite.has_value()) {
      tally.Skip(curve + "/" + sha, static_cast<int>(tests.size()));
      continue;
    }
    std::optional<PublicKey> key =
        ImportGroupKey(group, suite->curve, legacy, tally);
    for (const json::value& tv : tests) {
      const json::object& test = tv.as_object();
      if (!key.has_value()) {
        tally.Record(test, Outcome::kRejected, " (group key rejected)");
        continue;
      }
      const Status status =
          EcdsaVerify(*key, Hex(test, "msg"), Hex(test, "sig"), format);
      if (!status.ok() && status.code() != StatusCode::kUnauthenticated) {
        tally.Fail(test, "verification failure is not Unauthenticated: " +
                             status.ToString());
      }
      tally.Record(test, status.ok() ? Outcome::kAccepted : Outcome::kRejected);
    }
  }
}

// --- The file list. ----------------------------------------------------------

struct VectorFile {
  const char* name;
  std::function<void(const json::object&, Tally&)> run;
};

std::vector<VectorFile> Files() {
  using F = EcdsaSignatureFormat;
  return {
      {"ecdh_secp256r1_test.json",
       [](const json::object& r, Tally& t) {
         RunEcdh(r, t, EcdhEncoding::kSpki);
       }},
      {"ecdh_secp256r1_ecpoint_test.json",
       [](const json::object& r, Tally& t) {
         RunEcdh(r, t, EcdhEncoding::kRawPoint);
       }},
      {"ecdh_secp256r1_webcrypto_test.json",
       [](const json::object& r, Tally& t) {
         RunEcdh(r, t, EcdhEncoding::kJwk);
       }},
      {"aes_gcm_test.json", RunAesGcm},
      {"hkdf_sha256_test.json", RunHkdf},
      {"ecdsa_secp256r1_sha256_test.json",
       [](const json::object& r, Tally& t) { RunEcdsa(r, t, F::kDer, false); }},
      {"ecdsa_secp256r1_sha256_p1363_test.json",
       [](const json::object& r, Tally& t) {
         RunEcdsa(r, t, F::kP1363, false);
       }},
      {"ecdsa_secp384r1_sha384_test.json",
       [](const json::object& r, Tally& t) { RunEcdsa(r, t, F::kDer, false); }},
      {"ecdsa_secp384r1_sha384_p1363_test.json",
       [](const json::object& r, Tally& t) {
         RunEcdsa(r, t, F::kP1363, false);
       }},
      {"ecdsa_webcrypto_test.json",
       [](const json::object& r, Tally& t) {
         RunEcdsa(r, t, F::kP1363, true);
       }},
  };
}

class WycheproofTest : public ::testing::TestWithParam<VectorFile> {};

TEST_P(WycheproofTest, EveryTestBehavesAsExpected) {
  const VectorFile& file = GetParam();
  const std::string path = std::string("wycheproof/") + file.name;
  // A missing vector directory is a failure, never a silent skip.
  ASSERT_FALSE(testing::TestVectorsDir().empty())
      << "CERUMBRA_TESTVECTORS is not set; it must point at "
         "shared/testvectors (ctest sets it)";
  std::optional<std::string> text = testing::ReadTestVectorFile(path);
  ASSERT_TRUE(text.has_value())
      << "cannot read " << testing::TestVectorsDir() << "/" << path;

  json::error_code ec;
  const json::value root = json::parse(*text, ec);
  ASSERT_FALSE(ec) << path << ": " << ec.message();
  const json::object& obj = root.as_object();

  Tally tally;
  tally.file = file.name;
  file.run(obj, tally);

  std::printf("%s\n", tally.Line().c_str());
  std::fflush(stdout);
  // Nothing may be silently dropped: every test in the file was counted.
  EXPECT_EQ(tally.total, obj.at("numberOfTests").as_int64()) << file.name;
  EXPECT_EQ(tally.failures, 0) << tally.Line();
}

INSTANTIATE_TEST_SUITE_P(Files, WycheproofTest, ::testing::ValuesIn(Files()),
                         [](const ::testing::TestParamInfo<VectorFile>& p) {
                           std::string name = p.param.name;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

}  // namespace
}  // namespace cerumbra::crypto
