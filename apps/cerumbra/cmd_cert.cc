// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra cert dev --out-dir D [--host NAME]... [--force]`: a self-signed
// TLS certificate and key for development (docs/node.md "TLS"), for
// `cerumbra serve --tls-cert D/cert.pem --tls-key D/key.pem`.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attest/simulated_ca.h"
#include "commands.h"
#include "crypto/tls.h"
#include "crypto/x509.h"

namespace cerumbra::cli {
namespace {

constexpr char kCertFile[] = "cert.pem";
constexpr char kKeyFile[] = "key.pem";

struct CertDevArgs {
  std::string out_dir;
  std::vector<std::string> hosts;
  bool force = false;
};

int RunCertDev(const CertDevArgs& args) {
  namespace fs = std::filesystem;
  const fs::path dir(args.out_dir);
  const std::string cert_path = (dir / kCertFile).string();
  const std::string key_path = (dir / kKeyFile).string();
  std::error_code ec;
  if (!args.force) {
    for (const std::string& p : {cert_path, key_path}) {
      if (fs::exists(p, ec)) {
        std::fprintf(stderr,
                     "cerumbra cert dev: %s exists; pass --force to replace "
                     "it\n",
                     p.c_str());
        return 1;
      }
    }
  }
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      std::fprintf(stderr, "cerumbra cert dev: cannot create %s: %s\n",
                   args.out_dir.c_str(), ec.message().c_str());
      return 1;
    }
  }
  crypto::DevCertificateOptions options;
  options.hosts = args.hosts;
  options.now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  Result<crypto::DevCertificate> made = crypto::GenerateDevCertificate(options);
  if (!made.ok()) {
    std::fprintf(stderr, "cerumbra cert dev: %s\n",
                 made.status().message().c_str());
    return made.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  // The key first: a certificate without its key is useless.
  Status wrote =
      attest::WriteFileAtomic(key_path, made->private_key_pem.Reveal(), 0600);
  if (wrote.ok()) {
    const std::string& pem = made->certificate_pem;
    wrote = attest::WriteFileAtomic(
        cert_path, {reinterpret_cast<const uint8_t*>(pem.data()), pem.size()},
        0644);
  }
  if (!wrote.ok()) {
    std::fprintf(stderr, "cerumbra cert dev: %s\n", wrote.message().c_str());
    return 1;
  }
  Result<crypto::Certificate> cert =
      crypto::Certificate::FromDer(made->certificate_der);
  if (!cert.ok()) {
    std::fprintf(stderr, "cerumbra cert dev: %s\n",
                 cert.status().message().c_str());
    return 1;
  }
  const std::string fingerprint = attest::CertificateFingerprint(*cert);
  std::printf("Self-signed DEVELOPMENT certificate (valid 30 days) for:\n");
  for (const std::string& h : made->hosts) std::printf("  %s\n", h.c_str());
  std::printf("wrote:\n  %s\n  %s  (private key, mode 0600: keep it secret)\n",
              cert_path.c_str(), key_path.c_str());
  std::printf("SHA-256 fingerprint (check it when the browser asks):\n  %s\n",
              attest::FormatFingerprint(fingerprint).c_str());
  std::printf("serve with:\n  cerumbra serve --tls-cert %s --tls-key %s\n",
              cert_path.c_str(), key_path.c_str());
  std::printf(
      "Browsers warn about a self-signed certificate: trust this one "
      "certificate (or accept the warning) only on your own machines.\n");
  return 0;
}

}  // namespace

void RegisterCertCommand(CLI::App& app, int& exit_code) {
  CLI::App* cert = app.add_subcommand(
      "cert", "Make TLS certificates for `cerumbra serve --tls-cert`");
  cert->require_subcommand(1);
  auto args = std::make_shared<CertDevArgs>();
  CLI::App* dev = cert->add_subcommand(
      "dev",
      "Write a self-signed development certificate (cert.pem) and its key "
      "(key.pem, mode 0600) for localhost, 127.0.0.1, ::1 and each --host, "
      "valid 30 days");
  dev->add_option("--out-dir", args->out_dir,
                  "Directory for cert.pem and key.pem (made if missing)")
      ->required();
  dev->add_option("--host", args->hosts,
                  "Another DNS name or IP address the certificate is for "
                  "(repeat for more)");
  dev->add_flag("--force", args->force, "Replace existing files");
  dev->callback([args, &exit_code] { exit_code = RunCertDev(*args); });
}

}  // namespace cerumbra::cli
