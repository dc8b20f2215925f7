#!/usr/bin/env bash
# Installs everything Cerumbra needs to build, test and run on Debian 12.
# Idempotent: packages already installed are left alone, and apt's lists are
# refreshed only when something is missing. Run as root (or with sudo).
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build git pkg-config ca-certificates
  libssl-dev
  libxml2-dev libxmlsec1-dev libxmlsec1-openssl
  libboost1.81-dev libboost-json1.81-dev
  libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang libclang-rt-14-dev
  # tests/cli_attest_test.sh compares fingerprints with the openssl CLI
  openssl
  # the browser end-to-end tests (tests/e2e) drive Debian's Chromium
  chromium
)

log() { printf '[setup] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "setup.sh: run as root (apt-get needs it)" >&2; exit 1
  fi
else
  SUDO=
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# npm fetches the pinned llama.cpp (cmake/llama_cpp.cmake); Debian's nodejs
# and npm serve when the machine has no Node.js of its own.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "all ${#APT_PACKAGES[@]} apt packages present"
fi

# npm packages (package.json: playwright-core for tests/e2e; the web client
# itself has no dependencies). `npm ci` installs exactly package-lock.json;
# skipped when node_modules already matches it.
cd "$(dirname "$0")/.."
if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null &&
   ! { [[ -f node_modules/.package-lock.json ]] &&
       node -e 'const a=require("./package-lock.json").packages,b=require("./node_modules/.package-lock.json").packages;for(const k of Object.keys(a)){if(k&&(!b[k]||b[k].version!==a[k].version))process.exit(1)}' 2>/dev/null; }; then
  log "npm ci (package-lock.json)"
  npm ci --silent --no-audit --no-fund
else
  log "npm packages present"
fi
log "ok"
