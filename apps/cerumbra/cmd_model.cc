// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra model make-demo OUT.gguf [--seed N]`: writes the demo model
// (random weights, real Llama 3 tokenizer; see src/inference/demo_model.h).

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "inference/demo_model.h"

namespace cerumbra::cli {
namespace {

struct MakeDemoArgs {
  std::string out;
  uint32_t seed = inference::kDemoModelDefaultSeed;
};

int RunMakeDemo(const MakeDemoArgs& args) {
  std::fprintf(stderr, "writing the %s to %s (seed %u)\n",
               std::string(inference::kDemoModelLabel).c_str(),
               args.out.c_str(), args.seed);
  Status status = inference::WriteDemoModel(args.out, args.seed);
  if (!status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("%s\n", args.out.c_str());
  return 0;
}

}  // namespace

void RegisterModelCommand(CLI::App& app, int& exit_code) {
  CLI::App* model = app.add_subcommand("model", "Model files");
  model->require_subcommand(1);
  auto args = std::make_shared<MakeDemoArgs>();
  CLI::App* make_demo = model->add_subcommand(
      "make-demo",
      "Write the demo model (random weights): a small Llama-architecture "
      "GGUF (68.8M parameters, Q8_0, about 81 MB) with Llama 3's real "
      "tokenizer and chat template. It produces meaningless text; it exists "
      "for tests, benchmarks and the out-of-the-box demo. The same seed "
      "always gives the same bytes.");
  make_demo->add_option("OUT", args->out, "Output file (.gguf)")->required();
  make_demo->add_option("--seed", args->seed,
                        "Seed for the random weights (default 1, the seed "
                        "of the cached demo model)");
  make_demo->callback([args, &exit_code] { exit_code = RunMakeDemo(*args); });
}

}  // namespace cerumbra::cli
