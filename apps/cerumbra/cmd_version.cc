// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra version`: the Cerumbra, llama.cpp and ggml versions and the
// compiled backends, read from the linked libraries at run time.

#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "inference/llama_info.h"

namespace cerumbra::cli {
namespace {

constexpr const char* kVersion = CERUMBRA_VERSION;
constexpr const char* kGitRevision = CERUMBRA_GIT_REVISION;

int RunVersion(bool as_json) {
  inference::LlamaInfo info = inference::GetLlamaInfo();
  if (as_json) {
    boost::json::object out;
    out["cerumbra"] = kVersion;
    out["cerumbra_revision"] = kGitRevision;
    out["llama_cpp"] = {{"tag", info.llama_tag}, {"commit", info.llama_commit}};
    out["ggml"] = {{"version", info.ggml_version},
                   {"commit", info.ggml_commit}};
    boost::json::array backends;
    for (const auto& b : info.backends) {
      boost::json::array devices;
      for (const auto& d : b.devices) {
        devices.push_back({{"name", d.name}, {"description", d.description}});
      }
      backends.push_back({{"name", b.name}, {"devices", std::move(devices)}});
    }
    out["backends"] = std::move(backends);
    out["system_info"] = info.system_info;
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return 0;
  }
  std::printf("cerumbra %s (%s)\n", kVersion, kGitRevision);
  std::printf("llama.cpp %s (%s)\n", info.llama_tag.c_str(),
              info.llama_commit.c_str());
  std::printf("ggml %s (%s)\n", info.ggml_version.c_str(),
              info.ggml_commit.c_str());
  std::printf("backends:");
  for (const auto& b : info.backends) std::printf(" %s", b.name.c_str());
  std::printf("\n");
  for (const auto& b : info.backends) {
    if (b.devices.empty()) {
      std::printf("  %s: no devices found\n", b.name.c_str());
    }
    for (const auto& d : b.devices) {
      std::printf("  %s: %s (%s)\n", b.name.c_str(), d.name.c_str(),
                  d.description.c_str());
    }
  }
  std::printf("system: %s\n", info.system_info.c_str());
  return 0;
}

}  // namespace

void RegisterVersionCommand(CLI::App& app, int& exit_code) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "version",
      "Print the Cerumbra, llama.cpp and ggml versions and the compiled "
      "inference backends with the devices they find");
  cmd->add_flag("--json", *as_json, "Print one JSON object instead");
  cmd->callback([as_json, &exit_code] { exit_code = RunVersion(*as_json); });
}

}  // namespace cerumbra::cli
