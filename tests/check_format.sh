#!/usr/bin/env bash
# Fails when a C++ file differs from what clang-format (.clang-format) makes.
set -euo pipefail
cd "${1:?usage: check_format.sh REPO_ROOT}"
mapfile -t files < <(find include src apps bench tests fuzz -type f \
  \( -name '*.h' -o -name '*.cc' \) 2>/dev/null | sort)
clang-format --dry-run --Werror "${files[@]}"
echo "format ok: ${#files[@]} files"
