#!/usr/bin/env bash
# End-to-end test of `cerumbra cert dev` and `cerumbra serve --tls-cert
# --tls-key` through the real binary (docs/node.md "TLS"), with curl and
# openssl as independent clients. Each check has a failing case.
#   usage: cli_tls_test.sh CERUMBRA_BINARY
set -uo pipefail
bin=${1:?usage: cli_tls_test.sh CERUMBRA}
tmp=$(mktemp -d)
node_pid=""
cleanup() {
  [[ -n $node_pid ]] && kill "$node_pid" 2>/dev/null && wait "$node_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
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
mode() { stat -c %a "$1"; }

step="cert dev"
run 0 "$bin" cert dev --out-dir "$tmp/tls/sub" --host node.example
has "DEVELOPMENT"
has "--tls-cert $tmp/tls/sub/cert.pem --tls-key $tmp/tls/sub/key.pem"
[[ $(mode "$tmp/tls/sub/key.pem") == 600 ]] ||
  fail "key mode $(mode "$tmp/tls/sub/key.pem")"
sans=$(openssl x509 -in "$tmp/tls/sub/cert.pem" -noout -ext subjectAltName 2>&1)
for want in "DNS:localhost" "IP Address:127.0.0.1" "DNS:node.example"; do
  grep -qF "$want" <<<"$sans" || fail "certificate lacks $want :: $sans"
done
fp=$(openssl x509 -in "$tmp/tls/sub/cert.pem" -noout -fingerprint -sha256 |
  sed 's/.*=//' | tr -d ':' | tr 'A-F' 'a-f')
tr -d ': ' <<<"$out" | grep -qi "$fp" || fail "printed fingerprint is not $fp"
openssl pkey -in "$tmp/tls/sub/key.pem" -pubout 2>/dev/null >"$tmp/pub1"
openssl x509 -in "$tmp/tls/sub/cert.pem" -noout -pubkey >"$tmp/pub2"
cmp -s "$tmp/pub1" "$tmp/pub2" || fail "key does not match the certificate"

step="cert dev refuses to overwrite, --force replaces"
run 1 "$bin" cert dev --out-dir "$tmp/tls/sub"
has "--force"
run 0 "$bin" cert dev --out-dir "$tmp/tls/sub" --force
fp2=$(openssl x509 -in "$tmp/tls/sub/cert.pem" -noout -fingerprint -sha256)
[[ ${fp2##*=} != "$fp" ]] || fail "--force kept the old certificate"

step="cert dev rejects a bad host name"
run 2 "$bin" cert dev --out-dir "$tmp/bad" --host "bad host!"
[[ ! -e $tmp/bad/key.pem ]] || fail "wrote a key for a bad host"

cert=$tmp/tls/sub/cert.pem
key=$tmp/tls/sub/key.pem
serve=("$bin" serve --port 0 --ca-dir "$tmp/ca" --no-nvidia --threads 1
  --context-size 512 --engine-sessions 1)

step="serve needs both --tls-cert and --tls-key"
run 2 "${serve[@]}" --tls-cert "$cert"
has "go together"
step="serve refuses a key others can read"
cp "$key" "$tmp/open.key" && chmod 644 "$tmp/open.key"
run 1 "${serve[@]}" --tls-cert "$cert" --tls-key "$tmp/open.key"
has "chmod 600"
step="serve refuses a key of another certificate"
"$bin" cert dev --out-dir "$tmp/other" >/dev/null 2>&1
run 1 "${serve[@]}" --tls-cert "$cert" --tls-key "$tmp/other/key.pem"
has "does not match"

step="serve over HTTPS"
"${serve[@]}" --tls-cert "$cert" --tls-key "$key" >"$tmp/out" 2>"$tmp/err" &
node_pid=$!
url=""
for _ in $(seq 1 600); do
  url=$(grep -oE 'https://127\.0\.0\.1:[0-9]+/' "$tmp/out" | head -n1)
  [[ -n $url ]] && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.2
done
if [[ -z $url ]]; then
  fail "no https:// URL printed :: $(cat "$tmp/out" "$tmp/err")"
else
  port=${url##*:}; port=${port%/}
  out=$(curl -sS --cacert "$cert" "https://localhost:$port/healthz" 2>&1)
  has '"ready"'
  step="the node's certificate is the one given"
  got=$(openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256)
  [[ $got == "$fp2" ]] || fail "served $got, wanted $fp2"
  step="a client that does not trust the certificate refuses it"
  run 60 curl -sS "https://localhost:$port/healthz"
  step="plain HTTP to the TLS port gets no page"
  out=$(curl -sS --max-time 10 "http://127.0.0.1:$port/healthz" 2>&1)
  grep -qF '"ready"' <<<"$out" && fail "plain HTTP was served"
  step="TLS 1.1 is refused"
  out=$(openssl s_client -connect "127.0.0.1:$port" -tls1_1 \
    -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1)
  # s_client prints "Protocol : TLSv1.1" even when refused; the cipher
  # tells: "(NONE)" unless a session was made.
  grep -qF 'Cipher is (NONE)' <<<"$out" || fail "TLS 1.1 negotiated :: $out"
  grep -qF 'alert protocol version' <<<"$out" ||
    fail "no protocol_version alert :: $out"
  step="still serving after the refused clients"
  out=$(curl -sS --cacert "$cert" "https://localhost:$port/healthz" 2>&1)
  has '"ready"'
  step="the key never reaches the output"
  keyline=$(sed -n 2p "$key")
  grep -qF -- "$keyline" "$tmp/out" "$tmp/err" && fail "key text in output"
fi

if ((fails)); then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all cert dev and TLS serve checks passed"
