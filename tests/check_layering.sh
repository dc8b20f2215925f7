#!/usr/bin/env bash
# Fails when a module includes a header it must not see. target_link_libraries
# enforces the same order at link time; this catches header-only leaks.
#   crypto <- protocol <- attest <- client; protocol <- server; inference <- server.
#   Only src/crypto includes OpenSSL; only src/inference includes llama/ggml.
set -uo pipefail
root=${1:?usage: check_layering.sh REPO_ROOT}
cd "$root"
fail=0
src_files() { find "$@" -type f \( -name '*.h' -o -name '*.cc' \) 2>/dev/null; }
# forbid DIRS... -- PATTERN MESSAGE
forbid() {
  local pattern=$1 message=$2; shift 2
  local hits
  hits=$(src_files "$@" | xargs -r grep -nE "$pattern" || true)
  if [[ -n $hits ]]; then
    printf 'layering violation: %s\n%s\n' "$message" "$hits"
    fail=1
  fi
}
all=(include src apps bench tests fuzz)
not_crypto=(); for d in "${all[@]}"; do [[ -d $d ]] && not_crypto+=("$d"); done
forbid '#include <openssl/' "only src/crypto may include OpenSSL" \
  $(printf '%s\n' "${not_crypto[@]}" | grep -v '^src$') \
  $(ls -d src/*/ | grep -v '^src/crypto/$')
# xmlsec1 is signature crypto (its OpenSSL backend included): src/crypto only.
forbid '#include <xmlsec/' "only src/crypto may include xmlsec" \
  $(printf '%s\n' "${not_crypto[@]}" | grep -v '^src$') \
  $(ls -d src/*/ | grep -v '^src/crypto/$')
forbid '#include "(llama|ggml|gguf)[^"]*\.h"' "only src/inference may include llama.cpp" \
  $(printf '%s\n' "${not_crypto[@]}" | grep -v '^src$') \
  $(ls -d src/*/ | grep -v '^src/inference/$')
forbid '#include "(crypto|protocol|attest|client|server|inference)/' \
  "src/base depends on nothing" src/base
forbid '#include "(protocol|attest|client|server|inference)/' \
  "src/crypto depends only on base" src/crypto
forbid '#include "(attest|client|server|inference)/' \
  "src/protocol depends only on crypto" src/protocol
forbid '#include "(crypto|protocol|attest|client|server)/' \
  "src/inference depends only on base" src/inference
forbid '#include "(client|server|inference)/' \
  "src/attest depends on crypto and protocol" src/attest
forbid '#include "(server|inference)/' \
  "src/client depends on crypto, protocol and attest" src/client
if ((fail)); then exit 1; fi
echo "layering ok"
