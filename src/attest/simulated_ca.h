// Copyright 2026 The Cerumbra Authors.
//
// The simulated TEE's certificate authority (docs/attestation.md §2): a
// software "hardware root" that an operator creates with `cerumbra ca
// init`, an intermediate CA, and the attestation key (P-256, it signs
// quotes, docs/protocol.md §3.2) with its TEE signing certificate. Real
// X.509 and real keys; only the hardware is missing: whoever can read the
// directory can sign quotes. Everything it issues says SIMULATED in its
// subject.

#ifndef CERUMBRA_ATTEST_SIMULATED_CA_H_
#define CERUMBRA_ATTEST_SIMULATED_CA_H_

#include <sys/types.h>

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/ec.h"
#include "crypto/x509.h"

namespace cerumbra::attest {

// File names inside a CA directory. Keys are PKCS#8 PEM with mode 0600;
// certificates PEM; chain.pem is attestation, intermediate, root.
inline constexpr char kCaRootKeyFile[] = "root.key";
inline constexpr char kCaRootCertFile[] = "root.crt";
inline constexpr char kCaIntermediateKeyFile[] = "intermediate.key";
inline constexpr char kCaIntermediateCertFile[] = "intermediate.crt";
inline constexpr char kCaAttestationKeyFile[] = "attestation.key";
inline constexpr char kCaAttestationCertFile[] = "attestation.crt";
inline constexpr char kCaChainFile[] = "chain.pem";

// Subject common names.
inline constexpr char kSimulatedRootName[] = "Cerumbra Simulated Hardware Root";
inline constexpr char kSimulatedIntermediateName[] =
    "Cerumbra Simulated Intermediate CA";
inline constexpr char kSimulatedAttestationName[] =
    "Cerumbra Simulated TEE Attestation Key";
inline constexpr char kSimulatedOrganization[] = "Cerumbra SIMULATED TEE";

// CaInitOptions says where and when to create the CA.
struct CaInitOptions {
  std::string dir;
  // force replaces existing key and certificate files.
  bool force = false;
  // now is the issuing time (validity starts one hour earlier to absorb
  // clock skew). Root: 20 years, intermediate: 10, attestation: 2.
  std::chrono::sys_seconds now;
};

// CaInitResult reports what InitSimulatedCa wrote.
struct CaInitResult {
  std::vector<std::string> files;     // full paths, in write order
  std::string root_fingerprint;       // SHA-256 of the root's DER, lower hex
  std::vector<std::string> subjects;  // attestation, intermediate, root
};

// InitSimulatedCa creates `dir` (mode 0700; an existing directory is
// tightened to 0700) and writes the three keys (mode 0600, written to a
// temporary file and renamed, so a crash never leaves half a key) and the
// certificates. Fails with FailedPrecondition, naming the file, if any
// key or certificate file exists and !force; InvalidArgument for an empty
// dir; Unavailable for file-system errors; Internal if crypto fails. Never
// logs key material. Thread safety: not safe against concurrent calls on
// the same directory.
Result<CaInitResult> InitSimulatedCa(const CaInitOptions& options);

// SimulatedCa is what a node needs to sign quotes: the attestation key and
// the chain (attestation certificate, intermediate, root). Move-only (it
// owns the private key).
struct SimulatedCa {
  crypto::PrivateKey attestation_key;
  std::vector<crypto::Certificate> chain;
};

// LoadSimulatedCa reads the attestation key and chain from `dir` and checks
// them: the key file must not be readable or writable by group or others
// (FailedPrecondition, like ssh), the key must match the attestation
// certificate and the chain must verify to the directory's root at `now`
// (FailedPrecondition: e.g. expired). NotFound for missing files,
// InvalidArgument for malformed ones. Thread safety: safe concurrently.
Result<SimulatedCa> LoadSimulatedCa(const std::string& dir,
                                    std::chrono::sys_seconds now);

// WriteFileAtomic writes `bytes` to `path` with exactly `mode` (the umask
// is overridden) through `path`.tmp, fsync and rename(2), so that a crash
// never leaves a partial file and a key is never readable by others, even
// for a moment. Unavailable, naming the file, on any file-system error.
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes,
                       mode_t mode);

// CertificateFingerprint returns SHA-256 of the certificate's DER in lower
// hex (64 digits); FormatFingerprint puts it as "AB:CD:..." (what
// `openssl x509 -fingerprint -sha256` prints). Pure functions.
std::string CertificateFingerprint(const crypto::Certificate& certificate);
std::string FormatFingerprint(std::string_view hex);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_SIMULATED_CA_H_
