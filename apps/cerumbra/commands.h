// Copyright 2026 The Cerumbra Authors.
//
// Subcommands of the `cerumbra` binary. Each lives in its own cmd_<name>.cc
// and registers itself on the top-level CLI::App: it adds its subcommand
// with options and help text and a callback that stores the command's exit
// status in `exit_code`. main.cc only calls the Register functions.
//
// Commands print results to stdout, progress and errors to stderr, and
// return 0 on success, 1 on a failed check or operation, 2 on bad usage.

#ifndef CERUMBRA_APPS_CERUMBRA_COMMANDS_H_
#define CERUMBRA_APPS_CERUMBRA_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace cerumbra::cli {

// `cerumbra version [--json]` (cmd_version.cc).
void RegisterVersionCommand(CLI::App& app, int& exit_code);
// `cerumbra ca init --dir D [--force]` (cmd_ca.cc).
void RegisterCaCommand(CLI::App& app, int& exit_code);
// `cerumbra cert dev --out-dir D [--host NAME]... [--force]` (cmd_cert.cc).
void RegisterCertCommand(CLI::App& app, int& exit_code);
// `cerumbra attest --ca-dir D ... --out BUNDLE` (cmd_attest.cc).
void RegisterAttestCommand(CLI::App& app, int& exit_code);
// `cerumbra verify BUNDLE [--policy FILE] [--time T]` (cmd_verify.cc).
void RegisterVerifyCommand(CLI::App& app, int& exit_code);

// `cerumbra model make-demo OUT.gguf [--seed N]` (cmd_model.cc).
void RegisterModelCommand(CLI::App& app, int& exit_code);

// `cerumbra generate [options] [PROMPT]` (cmd_generate.cc).
void RegisterGenerateCommand(CLI::App& app, int& exit_code);

// `cerumbra bench engine [options]` (cmd_bench.cc).
void RegisterBenchCommand(CLI::App& app, int& exit_code);
// `cerumbra bench proxy [options]` (cmd_bench_proxy.cc), added under the
// `bench` subcommand by RegisterBenchCommand.
void RegisterBenchProxySubcommand(CLI::App& bench, int& exit_code);
// `cerumbra bench e2e`, under `bench` (cmd_bench_e2e.cc).
void RegisterBenchE2eCommand(CLI::App& bench, int& exit_code);

// `cerumbra serve` (cmd_serve.cc): the node.
void RegisterServeCommand(CLI::App& app, int& exit_code);

// `cerumbra chat URL [--policy FILE] [--strict] [--tls-ca PEM]`
// (cmd_chat.cc): a terminal chat over the C++ client library.
void RegisterChatCommand(CLI::App& app, int& exit_code);

// `cerumbra proxy --node URL [--listen HOST:PORT] [--policy FILE]`
// (cmd_proxy.cc): an OpenAI-compatible server on localhost.
void RegisterProxyCommand(CLI::App& app, int& exit_code);

}  // namespace cerumbra::cli

#endif  // CERUMBRA_APPS_CERUMBRA_COMMANDS_H_
