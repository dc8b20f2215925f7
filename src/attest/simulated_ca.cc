// Copyright 2026 The Cerumbra Authors.

#include "attest/simulated_ca.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <span>

#include "attest/measurement.h"
#include "crypto/pem.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha.h"
#include "crypto/x509_builder.h"

namespace cerumbra::attest {
namespace {

using std::chrono::hours;

constexpr auto kYear = hours(24 * 365);

std::string Join(const std::string& dir, const char* name) {
  return dir + "/" + name;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

Status WriteText(const std::string& path, std::string_view text) {
  return WriteFileAtomic(
      path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, 0644);
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

Result<crypto::Certificate> ReadCertificate(const std::string& path) {
  CERUMBRA_ASSIGN_OR_RETURN(std::string pem, ReadText(path));
  Result<std::vector<crypto::Certificate>> certs =
      crypto::ParsePemCertificates(pem);
  if (!certs.ok() || certs->size() != 1) {
    return InvalidArgumentError(path + ": not one PEM certificate");
  }
  return (*certs)[0];
}

crypto::CertificateProfile Profile(const char* name, bool is_ca,
                                   std::chrono::sys_seconds now,
                                   std::chrono::hours lifetime) {
  crypto::CertificateProfile p;
  p.subject_common_name = name;
  p.subject_organization = kSimulatedOrganization;
  p.not_before = now - hours(1);
  p.not_after = now + lifetime;
  p.is_ca = is_ca;
  if (is_ca)
    p.path_length = std::string_view(name) == kSimulatedRootName ? 1 : 0;
  return p;
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes,
                       mode_t mode) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return UnavailableError("cannot create " + tmp + ": " +
                            std::strerror(errno));
  }
  // The umask may have cleared bits; set the mode exactly.
  bool ok = ::fchmod(fd, mode) == 0;
  size_t done = 0;
  while (ok && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return UnavailableError("cannot write " + path);
  }
  return OkStatus();
}

std::string CertificateFingerprint(const crypto::Certificate& certificate) {
  const std::vector<uint8_t> der = certificate.ToDer();
  Result<crypto::Sha256Digest> digest = crypto::Sha256(der);
  CERUMBRA_CHECK(digest.ok());
  return HexEncode(*digest);
}

std::string FormatFingerprint(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); ++i) {
    if (i > 0 && i % 2 == 0) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
  }
  return out;
}

Result<CaInitResult> InitSimulatedCa(const CaInitOptions& options) {
  if (options.dir.empty()) return InvalidArgumentError("no CA directory");
  const std::string& dir = options.dir;
  const char* const kFiles[] = {kCaRootKeyFile,
                                kCaRootCertFile,
                                kCaIntermediateKeyFile,
                                kCaIntermediateCertFile,
                                kCaAttestationKeyFile,
                                kCaAttestationCertFile,
                                kCaChainFile};
  if (!options.force) {
    for (const char* name : kFiles) {
      if (Exists(Join(dir, name))) {
        return FailedPreconditionError(
            Join(dir, name) +
            " already exists: refusing to overwrite the CA (pass --force to "
            "replace it; clients that pinned the old root will then refuse "
            "this node)");
      }
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return UnavailableError("cannot create " + dir + ": " +
                              std::strerror(errno));
    }
  } else if (!S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(dir + " is not a directory");
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return UnavailableError("cannot chmod 0700 " + dir);
  }

  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::PrivateKey root_key,
      crypto::PrivateKey::Generate(crypto::EcCurve::kP384));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::PrivateKey inter_key,
      crypto::PrivateKey::Generate(crypto::EcCurve::kP384));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::PrivateKey att_key,
      crypto::PrivateKey::Generate(crypto::EcCurve::kP256));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::Certificate root,
      crypto::IssueCertificate(
          Profile(kSimulatedRootName, true, options.now, 20 * kYear),
          root_key.public_key(), root_key));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::Certificate inter,
      crypto::IssueCertificate(
          Profile(kSimulatedIntermediateName, true, options.now, 10 * kYear),
          inter_key.public_key(), root_key, &root));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::Certificate att,
      crypto::IssueCertificate(
          Profile(kSimulatedAttestationName, false, options.now, 2 * kYear),
          att_key.public_key(), inter_key, &inter));

  CaInitResult result;
  auto write_key = [&](const char* name,
                       const crypto::PrivateKey& key) -> Status {
    CERUMBRA_ASSIGN_OR_RETURN(crypto::SecretBytes pem,
                              crypto::PrivateKeyToPkcs8Pem(key));
    CERUMBRA_RETURN_IF_ERROR(
        WriteFileAtomic(Join(dir, name), pem.Reveal(), 0600));
    result.files.push_back(Join(dir, name));
    return OkStatus();
  };
  auto write_cert = [&](const char* name, std::string_view pem) -> Status {
    CERUMBRA_RETURN_IF_ERROR(WriteText(Join(dir, name), pem));
    result.files.push_back(Join(dir, name));
    return OkStatus();
  };
  CERUMBRA_RETURN_IF_ERROR(write_key(kCaRootKeyFile, root_key));
  CERUMBRA_RETURN_IF_ERROR(
      write_cert(kCaRootCertFile, crypto::CertificateToPem(root)));
  CERUMBRA_RETURN_IF_ERROR(write_key(kCaIntermediateKeyFile, inter_key));
  CERUMBRA_RETURN_IF_ERROR(
      write_cert(kCaIntermediateCertFile, crypto::CertificateToPem(inter)));
  CERUMBRA_RETURN_IF_ERROR(write_key(kCaAttestationKeyFile, att_key));
  CERUMBRA_RETURN_IF_ERROR(
      write_cert(kCaAttestationCertFile, crypto::CertificateToPem(att)));
  CERUMBRA_RETURN_IF_ERROR(
      write_cert(kCaChainFile, crypto::CertificateToPem(att) +
                                   crypto::CertificateToPem(inter) +
                                   crypto::CertificateToPem(root)));
  result.root_fingerprint = CertificateFingerprint(root);
  result.subjects = {att.Subject(), inter.Subject(), root.Subject()};
  return result;
}

Result<SimulatedCa> LoadSimulatedCa(const std::string& dir,
                                    std::chrono::sys_seconds now) {
  const std::string key_path = Join(dir, kCaAttestationKeyFile);
  struct stat st {};
  if (::stat(key_path.c_str(), &st) != 0) {
    return NotFoundError("no attestation key at " + key_path +
                         " (run `cerumbra ca init --dir " + dir + "`)");
  }
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError(
        key_path + " is accessible by group or others; chmod 600 it");
  }
  CERUMBRA_ASSIGN_OR_RETURN(std::string key_text, ReadText(key_path));
  Result<crypto::PrivateKey> key = crypto::PrivateKeyFromPkcs8Pem(
      {reinterpret_cast<const uint8_t*>(key_text.data()), key_text.size()});
  crypto::Wipe({reinterpret_cast<uint8_t*>(key_text.data()), key_text.size()});
  if (!key.ok()) return InvalidArgumentError(key_path + ": not a PKCS#8 key");
  if (key->curve() != crypto::EcCurve::kP256) {
    return InvalidArgumentError(key_path + ": not a P-256 key");
  }
  CERUMBRA_ASSIGN_OR_RETURN(crypto::Certificate att,
                            ReadCertificate(Join(dir, kCaAttestationCertFile)));
  CERUMBRA_ASSIGN_OR_RETURN(
      crypto::Certificate inter,
      ReadCertificate(Join(dir, kCaIntermediateCertFile)));
  CERUMBRA_ASSIGN_OR_RETURN(crypto::Certificate root,
                            ReadCertificate(Join(dir, kCaRootCertFile)));
  CERUMBRA_ASSIGN_OR_RETURN(crypto::PublicKey att_public, att.GetPublicKey());
  if (!(att_public == key->public_key())) {
    return FailedPreconditionError("the attestation key does not match " +
                                   Join(dir, kCaAttestationCertFile));
  }
  std::vector<crypto::Certificate> chain = {att, inter, root};
  const std::vector<crypto::Certificate> roots = {root};
  if (!crypto::VerifyCertificateChain(chain, roots, now).ok()) {
    return FailedPreconditionError("the CA chain in " + dir +
                                   " does not verify now (expired?)");
  }
  return SimulatedCa{*std::move(key), std::move(chain)};
}

}  // namespace cerumbra::attest
