#!/usr/bin/env bash
# The main job: set up, build (release preset) and run a Cerumbra node.
#
# With no arguments it runs `cerumbra serve`: the demo model (random
# weights, made once in the cache) on llama.cpp, simulated attestation (a CA
# made once in ~/.local/share/cerumbra/ca), HTTP and WebSocket on
# 127.0.0.1:8080. It prints the URL to open; Ctrl-C stops it cleanly.
# Arguments are passed to `cerumbra` instead, e.g.
#   scripts/start.sh serve --model /path/to/model.gguf --port 9000
#   scripts/start.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release
if (($#)); then
  exec build/release/bin/cerumbra "$@"
fi
exec build/release/bin/cerumbra serve
