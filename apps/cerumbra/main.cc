// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra`: the single command-line entry point. Flags and wiring only;
// each subcommand lives in cmd_<name>.cc and the work in the libraries
// under src/.

#include <CLI/CLI.hpp>
#include <string>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Cerumbra: end-to-end encrypted conversations with AI models running "
      "in attested Trusted Execution Environments.",
      "cerumbra"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("cerumbra ") + CERUMBRA_VERSION);

  // `--config FILE` (TOML) may follow any subcommand: options it does not
  // know fall through to here. Its [serve] section holds serve's options,
  // under their long names (docs/node.md).
  app.set_config("--config", "",
                 "Read options from a TOML file: a section per command "
                 "([serve]) with the long option names, e.g. port = 8080");
  app.fallthrough();
  app.allow_config_extras(false);  // a misspelt key is an error

  int exit_code = 1;
  cerumbra::cli::RegisterServeCommand(app, exit_code);
  cerumbra::cli::RegisterVersionCommand(app, exit_code);
  cerumbra::cli::RegisterCaCommand(app, exit_code);
  cerumbra::cli::RegisterCertCommand(app, exit_code);
  cerumbra::cli::RegisterAttestCommand(app, exit_code);
  cerumbra::cli::RegisterVerifyCommand(app, exit_code);
  cerumbra::cli::RegisterModelCommand(app, exit_code);
  cerumbra::cli::RegisterGenerateCommand(app, exit_code);
  cerumbra::cli::RegisterBenchCommand(app, exit_code);
  cerumbra::cli::RegisterChatCommand(app, exit_code);
  cerumbra::cli::RegisterProxyCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
