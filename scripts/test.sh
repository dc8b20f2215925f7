#!/usr/bin/env bash
# Runs every test: sets up, builds and tests the dev preset, then the unit
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer (asan).
# The first run on a machine also fetches and builds the pinned llama.cpp
# (about 8 minutes on 2 cores); later runs reuse the cache in
# ${CERUMBRA_CACHE_DIR:-~/.cache/cerumbra}.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s (%ss elapsed)\n' "$*" "$SECONDS"; }

step "setup"
bash scripts/setup.sh

for preset in dev asan; do
  step "configure $preset"
  cmake --preset "$preset"
  step "build $preset"
  cmake --build --preset "$preset"
  step "test $preset"
  ctest --preset "$preset" -j "$(nproc)"
  step "Wycheproof summary ($preset)"
  grep -hE '^wycheproof [a-z0-9_]+[.]json:' "build/$preset/Testing/Temporary/LastTest.log" || {
    echo "no Wycheproof summary found in the $preset test log" >&2; exit 1; }
done
step "all tests passed"
