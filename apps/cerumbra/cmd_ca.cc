// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra ca init --dir D [--force]`: creates the SIMULATED TEE's
// certificate authority (docs/attestation.md §2).

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "attest/attester.h"
#include "attest/simulated_ca.h"
#include "commands.h"

namespace cerumbra::cli {
namespace {

struct CaInitArgs {
  std::string dir;
  bool force = false;
};

int RunCaInit(const CaInitArgs& args) {
  attest::CaInitOptions options;
  options.dir = args.dir;
  options.force = args.force;
  options.now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  Result<attest::CaInitResult> result = attest::InitSimulatedCa(options);
  if (!result.ok()) {
    std::fprintf(stderr, "cerumbra ca init: %s\n",
                 result.status().message().c_str());
    return 1;
  }
  std::printf("*** SIMULATED TEE certificate authority created in %s ***\n",
              args.dir.c_str());
  std::printf("%s.\n", attest::kSimulatedBanner);
  std::printf("wrote:\n");
  for (const std::string& f : result->files) {
    const bool key = f.size() > 4 && f.compare(f.size() - 4, 4, ".key") == 0;
    std::printf("  %s%s\n", f.c_str(),
                key ? "  (private key, mode 0600: keep it secret)" : "");
  }
  std::printf("chain:\n");
  for (const std::string& s : result->subjects) {
    std::printf("  %s\n", s.c_str());
  }
  std::printf("root SHA-256 fingerprint (pin this in clients):\n  %s\n  %s\n",
              attest::FormatFingerprint(result->root_fingerprint).c_str(),
              result->root_fingerprint.c_str());
  return 0;
}

}  // namespace

void RegisterCaCommand(CLI::App& app, int& exit_code) {
  CLI::App* ca = app.add_subcommand(
      "ca", "Manage the SIMULATED TEE's certificate authority");
  ca->require_subcommand(1);
  auto args = std::make_shared<CaInitArgs>();
  CLI::App* init = ca->add_subcommand(
      "init",
      "Create a SIMULATED hardware root, an intermediate CA and the P-256 "
      "attestation key with its TEE signing certificate");
  init->add_option("--dir", args->dir, "Directory for keys and certificates")
      ->required();
  init->add_flag("--force", args->force,
                 "Replace an existing CA (clients that pinned it will refuse "
                 "this node)");
  init->callback([args, &exit_code] { exit_code = RunCaInit(*args); });
}

}  // namespace cerumbra::cli
