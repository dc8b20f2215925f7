#!/usr/bin/env bash
# Runs every test:
#   dev   - Debug build: unit, vector, CLI, lint tests and benchmark smoke runs
#   asan  - the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   fuzz  - each libFuzzer target for CERUMBRA_FUZZ_SECONDS (default 30 s)
#           with ASan+UBSan, on its seed corpus
#   web   - the browser client's modules under Node (`node --test tests/web/`)
#   e2e   - the page in real headless Chromium against a real node (after dev)
#   proxy - `cerumbra proxy` driven by the openai npm package (after dev)
# The first run on a machine also fetches and builds the pinned llama.cpp
# (3 to 4 minutes on 2 cores); later runs reuse the cache in
# ${CERUMBRA_CACHE_DIR:-~/.cache/cerumbra}.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s (%ss elapsed)\n' "$*" "$SECONDS"; }

step "setup"
bash scripts/setup.sh

step "web client unit tests (node --test tests/web/)"
node --test tests/web/

for preset in dev asan fuzz; do
  step "configure $preset"
  cmake --preset "$preset"
  step "build $preset"
  cmake --build --preset "$preset"
  step "test $preset"
  ctest --preset "$preset" -j "$(nproc)"
  if [[ $preset == dev ]]; then
    step "browser end-to-end tests (Chromium, real node)"
    CERUMBRA_BIN=build/dev/bin/cerumbra \
      CERUMBRA_E2E_ARTIFACTS=build/dev/e2e-artifacts \
      node --test --test-concurrency=1 tests/e2e/
    step "proxy end-to-end tests (the openai package, real proxy and node)"
    CERUMBRA_BIN=build/dev/bin/cerumbra \
      node --test --test-concurrency=1 tests/proxy/
  fi
  if [[ $preset != fuzz ]]; then
    step "Wycheproof summary ($preset)"
    grep -hE '^wycheproof [a-z0-9_]+[.]json:' \
      "build/$preset/Testing/Temporary/LastTest.log" || {
      echo "no Wycheproof summary found in the $preset test log" >&2; exit 1; }
  fi
done
step "all tests passed"
