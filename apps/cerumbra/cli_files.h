// Copyright 2026 The Cerumbra Authors.
//
// File reading shared by the `cerumbra` commands.

#ifndef CERUMBRA_APPS_CERUMBRA_CLI_FILES_H_
#define CERUMBRA_APPS_CERUMBRA_CLI_FILES_H_

#include <string>

#include "attest/policy.h"

namespace cerumbra::cli {

// ReadFileText reads the whole file at `path` into `out`; false if it
// cannot be opened.
bool ReadFileText(const std::string& path, std::string& out);

// LoadPolicyFile reads and parses the cerumbra-policy-v1 file at `path`
// into `out`. On failure it prints "error: cannot read policy PATH" or
// "error: policy PATH: WHY" on stderr and returns false (the caller exits
// with status 2).
bool LoadPolicyFile(const std::string& path, attest::Policy& out);

}  // namespace cerumbra::cli

#endif  // CERUMBRA_APPS_CERUMBRA_CLI_FILES_H_
