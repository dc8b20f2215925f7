#!/usr/bin/env bash
# End-to-end test of `cerumbra ca init`, `cerumbra attest` and `cerumbra
# verify` through the real binary (docs/attestation.md). Every step checks
# the exit status and the output; each security check has a failing case.
#   usage: cli_attest_test.sh CERUMBRA_BINARY FAKE_NVML_LIBRARY
set -uo pipefail
bin=${1:?usage: cli_attest_test.sh CERUMBRA FAKE_NVML}
fake_nvml=${2:?usage: cli_attest_test.sh CERUMBRA FAKE_NVML}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
step=""

fail() { echo "FAIL [$step]: $*"; fails=$((fails + 1)); }
# run EXPECTED_RC CMD...: runs CMD, keeps stdout+stderr in $out.
run() {
  local want=$1; shift
  out=$("$@" 2>&1); local rc=$?
  [[ $rc == "$want" ]] || fail "exit $rc, wanted $want: $* :: $out"
}
has() { grep -qF -- "$1" <<<"$out" || fail "output lacks '$1' :: $out"; }
lacks() { ! grep -qF -- "$1" <<<"$out" || fail "output has '$1'"; }
mode() { stat -c %a "$1"; }

step="ca init"
run 0 "$bin" ca init --dir "$tmp/ca"
has "SIMULATED"
has "root SHA-256 fingerprint"
has "$tmp/ca/attestation.key"
fp1=$(grep -oE '^  [0-9a-f]{64}$' <<<"$out" | tr -d ' ')
[[ -n $fp1 ]] || fail "no hex fingerprint printed"
[[ $(mode "$tmp/ca") == 700 ]] || fail "dir mode $(mode "$tmp/ca")"
for k in root intermediate attestation; do
  [[ $(mode "$tmp/ca/$k.key") == 600 ]] || fail "$k.key mode $(mode "$tmp/ca/$k.key")"
done
openssl x509 -in "$tmp/ca/root.crt" -noout -fingerprint -sha256 2>/dev/null \
  | tr -d ':' | grep -qi "$fp1" || fail "fingerprint differs from openssl's"

step="ca init refuses to overwrite"
run 1 "$bin" ca init --dir "$tmp/ca"
has "already exists"
has "--force"
step="ca init --force"
run 0 "$bin" ca init --dir "$tmp/ca" --force
fp2=$(grep -oE '^  [0-9a-f]{64}$' <<<"$out" | tr -d ' ')
[[ $fp2 != "$fp1" ]] || fail "--force kept the old root"

step="attest"
mkdir -p "$tmp/web/js"
echo '<!doctype html>' >"$tmp/web/index.html"
echo 'console.log(1)' >"$tmp/web/js/app.js"
head -c 100000 /dev/zero >"$tmp/model.gguf"
echo '{"port":8443,"model":"model.gguf"}' >"$tmp/config.json"
run 0 "$bin" attest --ca-dir "$tmp/ca" --model "$tmp/model.gguf" \
  --web-root "$tmp/web" --config "$tmp/config.json" \
  --nvml-library "$tmp/no-such-libnvidia-ml.so.1" \
  --out "$tmp/bundle.json" --policy-out "$tmp/policy.json" \
  --document-out "$tmp/document.json"
has "evidence type: SIMULATED"
has "no NVML"
model_sha=$(sha384sum "$tmp/model.gguf" | cut -d' ' -f1)
has "model      $model_sha"
exe_sha=$(sha384sum "$(readlink -f "$bin")" | cut -d' ' -f1)
has "executable $exe_sha"
config_sha=$(printf '%s' '{"model":"model.gguf","port":8443}' | sha384sum | cut -d' ' -f1)
has "config     $config_sha"
grep -q '"evidence_type":"simulated"' "$tmp/document.json" || fail "document type"
grep -q "\"root_sha256\":\"$fp2\"" "$tmp/document.json" || fail "document root"
grep -q '"accept_simulated":true' "$tmp/policy.json" || fail "policy"

step="verify passes with the node's policy"
run 0 "$bin" verify "$tmp/bundle.json" --policy "$tmp/policy.json"
has "RESULT: PASS"
has "*** SIMULATED evidence"
for c in bundle.parse binding.nonce binding.client_key chain signature \
         evidence.digest policy.measurement.model policy.freshness; do
  grep -qE "^PASS  $c " <<<"$out" || fail "no PASS line for $c"
done

step="verify without a policy is strict and pins nothing"
run 1 "$bin" verify "$tmp/bundle.json"
has "FAIL  chain"
has "RESULT: FAIL"

step="strict policy refuses SIMULATED"
sed 's/"accept_simulated":true/"accept_simulated":false/' "$tmp/policy.json" >"$tmp/strict.json"
run 1 "$bin" verify "$tmp/bundle.json" --policy "$tmp/strict.json"
has "FAIL  policy.evidence_type"

step="too old and future"
now=$(date +%s)
run 1 "$bin" verify "$tmp/bundle.json" --policy "$tmp/policy.json" --time $((now + 600))
has "FAIL  policy.freshness"
run 1 "$bin" verify "$tmp/bundle.json" --policy "$tmp/policy.json" --time $((now - 120))
has "FAIL  policy.freshness"
has "in the future"
run 0 "$bin" verify "$tmp/bundle.json" --policy "$tmp/policy.json" \
  --time "$(date -u -d @$((now + 60)) +%Y-%m-%dT%H:%M:%SZ)"
run 2 "$bin" verify "$tmp/bundle.json" --policy "$tmp/policy.json" --time yesterday
has "--time"

step="tampered signature"
perl -pe 's/("signature":")(.)/$1.($2 eq "A" ? "B" : "A")/e' "$tmp/bundle.json" >"$tmp/bad-sig.json"
cmp -s "$tmp/bundle.json" "$tmp/bad-sig.json" && fail "tamper did nothing"
run 1 "$bin" verify "$tmp/bad-sig.json" --policy "$tmp/policy.json"
has "FAIL  signature"

step="relayed: the bundle claims another nonce"
perl -pe 's/("client_nonce":")(.)/$1.($2 eq "A" ? "B" : "A")/e' "$tmp/bundle.json" >"$tmp/relayed.json"
run 1 "$bin" verify "$tmp/relayed.json" --policy "$tmp/policy.json"
has "FAIL  binding.nonce"

step="another node's root"
run 0 "$bin" ca init --dir "$tmp/ca2"
run 0 "$bin" attest --ca-dir "$tmp/ca2" --no-nvidia --out "$tmp/bundle2.json" \
  --policy-out "$tmp/policy2.json"
run 1 "$bin" verify "$tmp/bundle.json" --policy "$tmp/policy2.json"
has "FAIL  chain"

step="different model fails the pinned measurement"
echo "other weights" >"$tmp/model2.gguf"
run 0 "$bin" attest --ca-dir "$tmp/ca" --model "$tmp/model2.gguf" \
  --web-root "$tmp/web" --config "$tmp/config.json" --no-nvidia \
  --out "$tmp/bundle3.json"
run 1 "$bin" verify "$tmp/bundle3.json" --policy "$tmp/policy.json"
has "FAIL  policy.measurement.model"
lacks "FAIL  policy.measurement.web"

step="malformed policy is a usage error"
echo '{"format":"cerumbra-policy-v1","accept_simulatd":true}' >"$tmp/typo.json"
run 2 "$bin" verify "$tmp/bundle.json" --policy "$tmp/typo.json"
has "unknown member"

step="NVML present but confidential computing off (fake library)"
FAKE_NVML_CC=0 run 0 "$bin" attest --ca-dir "$tmp/ca" --nvml-library "$fake_nvml" \
  --out "$tmp/bundle4.json"
has "confidential computing OFF"
has "evidence type: SIMULATED"

step="ca dir with a readable key is refused"
chmod 644 "$tmp/ca/attestation.key"
run 1 "$bin" attest --ca-dir "$tmp/ca" --no-nvidia --out "$tmp/bundle5.json"
has "chmod 600"

if ((fails)); then echo "$fails failure(s)"; exit 1; fi
echo "cli_attest: all steps passed"
