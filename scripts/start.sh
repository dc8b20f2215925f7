#!/usr/bin/env bash
# The main job: set up, build (release preset) and run Cerumbra.
# Until the node exists this runs `cerumbra version`. Extra arguments are
# passed to cerumbra instead (e.g. `scripts/start.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release
if (($#)); then
  exec build/release/bin/cerumbra "$@"
fi
exec build/release/bin/cerumbra version
