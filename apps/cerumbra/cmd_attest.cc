// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra attest`: runs the node's attester once, as `cerumbra serve`
// will at startup, answers a real attest_request from a fresh client key
// and nonce, and writes the evidence bundle (docs/attestation.md §6) that
// `cerumbra verify` checks offline. Optionally writes the attestation
// document and its suggested policy.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "attest/attestation_document.h"
#include "attest/attester.h"
#include "attest/policy.h"
#include "attest/policy_verifier.h"
#include "cli_files.h"
#include "commands.h"
#include "protocol/handshake.h"

namespace cerumbra::cli {
namespace {

struct AttestArgs {
  std::string ca_dir;
  std::string model;
  std::string model_cache;
  std::string web_root;
  std::string config;
  std::string nvml_library = attest::kDefaultNvmlLibrary;
  bool no_nvidia = false;
  std::string out;
  std::string policy_out;
  std::string document_out;
};

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return out.good();
}

int RunAttest(const AttestArgs& args) {
  attest::AttesterOptions options;
  options.ca_dir = args.ca_dir;
  options.model_path = args.model;
  options.model_cache_path = args.model_cache;
  options.web_root = args.web_root;
  if (!args.config.empty() && !ReadFileText(args.config, options.config_json)) {
    std::fprintf(stderr, "cerumbra attest: cannot read %s\n",
                 args.config.c_str());
    return 1;
  }
  options.use_nvidia = !args.no_nvidia;
  options.nvml_library = args.nvml_library;
  options.now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  options.log = [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };
  options.progress = attest::StderrProgress(args.model);
  Result<std::unique_ptr<attest::Attester>> attester =
      attest::Attester::Create(std::move(options));
  if (!attester.ok()) {
    std::fprintf(stderr, "cerumbra attest: %s\n",
                 attester.status().message().c_str());
    return 1;
  }

  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  Result<protocol::ClientHandshake> client =
      protocol::ClientHandshake::Create();
  Result<protocol::NodeHandshake> node = protocol::NodeHandshake::Create();
  if (!client.ok() || !node.ok()) {
    std::fprintf(stderr, "cerumbra attest: key generation failed\n");
    return 1;
  }
  Result<std::string> request = client->Start();
  protocol::NodeHandshakeResult reply =
      node->HandleRequest(*request, **attester, now_ms);
  if (!reply.session.ok()) {
    std::fprintf(stderr, "cerumbra attest: signing failed: %s\n",
                 reply.session.status().message().c_str());
    return 1;
  }
  Result<std::string> bundle = attest::MakeEvidenceBundle(
      client->nonce(), client->public_key(), reply.reply_text);
  if (!bundle.ok() || !WriteText(args.out, *bundle)) {
    std::fprintf(stderr, "cerumbra attest: cannot write %s\n",
                 args.out.c_str());
    return 1;
  }
  const attest::Attester& a = **attester;
  const bool simulated =
      a.status().evidence_type == protocol::EvidenceType::kSimulated;
  if (simulated) {
    std::printf("*** evidence type: SIMULATED ***\n%s.\n",
                attest::kSimulatedBanner);
    std::printf("no hardware evidence because: %s\n",
                a.status().reason.c_str());
  } else {
    std::printf("evidence type: nvidia-gpu (%s)\n", a.status().reason.c_str());
  }
  std::printf("measurements (sha384):\n");
  for (const protocol::Measurement& m : a.measurements()) {
    std::printf("  %-10s %s\n", m.name.c_str(),
                attest::HexEncode(m.value).c_str());
  }
  std::printf("root SHA-256 fingerprint: %s\n",
              attest::CertificateFingerprint(a.chain().back()).c_str());
  std::printf("wrote evidence bundle %s\n", args.out.c_str());
  if (!args.policy_out.empty()) {
    const attest::Policy policy =
        attest::SuggestedPolicy(a.status(), a.measurements(), a.chain());
    if (!WriteText(args.policy_out,
                   attest::SerializePolicyJson(policy) + "\n")) {
      std::fprintf(stderr, "cerumbra attest: cannot write %s\n",
                   args.policy_out.c_str());
      return 1;
    }
    std::printf("wrote policy %s (pins this root and these measurements%s)\n",
                args.policy_out.c_str(),
                simulated ? "; accepts SIMULATED evidence" : "");
  }
  if (!args.document_out.empty()) {
    if (!WriteText(args.document_out,
                   attest::MakeAttestationDocument(a) + "\n")) {
      std::fprintf(stderr, "cerumbra attest: cannot write %s\n",
                   args.document_out.c_str());
      return 1;
    }
    std::printf("wrote attestation document %s (served at %s)\n",
                args.document_out.c_str(), attest::kAttestationDocumentPath);
  }
  return 0;
}

}  // namespace

void RegisterAttestCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AttestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "attest",
      "Measure this node, answer a fresh attestation request and write the "
      "evidence bundle that `cerumbra verify` checks");
  cmd->add_option("--ca-dir", args->ca_dir,
                  "Simulated CA directory (cerumbra ca init)")
      ->required();
  cmd->add_option("--model", args->model, "Model file to measure");
  cmd->add_option("--model-cache", args->model_cache,
                  "Cache file for the model digest (path, size, mtime)");
  cmd->add_option("--web-root", args->web_root, "Web assets to measure");
  cmd->add_option("--config", args->config,
                  "Effective configuration (JSON) to measure; default {}");
  cmd->add_option("--nvml-library", args->nvml_library,
                  "NVML library to load (default libnvidia-ml.so.1)");
  cmd->add_flag("--no-nvidia", args->no_nvidia,
                "Do not probe NVML; always SIMULATED");
  cmd->add_option("--out", args->out, "Evidence bundle to write")->required();
  cmd->add_option("--policy-out", args->policy_out,
                  "Also write a policy pinning this node");
  cmd->add_option("--document-out", args->document_out,
                  "Also write the well-known attestation document");
  cmd->callback([args, &exit_code] { exit_code = RunAttest(*args); });
}

}  // namespace cerumbra::cli
