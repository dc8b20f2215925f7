#!/usr/bin/env bash
# `cerumbra chat` against a real `cerumbra serve` child (demo model, real
# engine, simulated attestation) over real sockets: the verification
# report, several turns, /reset, Ctrl-C (SIGINT) cancelling an answer,
# strict mode and a wrong pin refusing the node before any prompt is sent,
# and no prompt in the node's output.
# Also runs docs/client-guide.md's C++ example (CLIENT_EXAMPLE).
#   usage: cli_chat_test.sh CERUMBRA_BINARY [CLIENT_EXAMPLE]
set -uo pipefail
bin=${1:?usage: cli_chat_test.sh CERUMBRA [CLIENT_EXAMPLE]}
example=${2:-}
tmp=$(mktemp -d)
node_pid=""
chat_pid=""
cleanup() {
  [[ -n $chat_pid ]] && kill "$chat_pid" 2>/dev/null
  [[ -n $node_pid ]] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
step=""
fail() { echo "FAIL [$step]: $*"; fails=$((fails + 1)); }
run() {  # run EXPECTED_RC CMD... (stdin from $input)
  local want=$1; shift
  out=$(printf '%s' "$input" | "$@" 2>&1); local rc=$?
  [[ $rc == "$want" ]] || fail "exit $rc, wanted $want: $* :: $out"
}
has() { grep -qF -- "$1" <<<"$out" || fail "output lacks '$1' :: $out"; }
lacks() { ! grep -qF -- "$1" <<<"$out" || fail "output has '$1'"; }
requests() {
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^cerumbra_requests_total /{print $2}'
}

# A context and token limit large enough that an answer takes seconds, so
# that SIGINT arrives while it streams.
"$bin" serve --port 0 --ca-dir "$tmp/ca" --threads 2 --context-size 4096 \
  --max-tokens 3000 --default-max-tokens 12 >"$tmp/node.out" 2>&1 &
node_pid=$!
port=""
for _ in $(seq 1 3000); do
  port=$(grep -oE 'Open http://127\.0\.0\.1:[0-9]+/' "$tmp/node.out" | grep -oE '[0-9]+/$' | tr -d /)
  [[ -n $port ]] && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$tmp/node.out"; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "node did not start"; cat "$tmp/node.out"; exit 1; }
url="ws://127.0.0.1:$port/ws"
curl -s "http://127.0.0.1:$port/.well-known/cerumbra-attestation.json" |
  python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["policy"]))' \
    >"$tmp/policy.json"

step="help"
input=""
run 0 "$bin" chat --help
has "--policy"
has "Ctrl-C"
has "/reset"

step="turns, reset"
input=$'SECRET-CHAT-ONE tell me\n/reset\nSECRET-CHAT-TWO more\n'
run 0 "$bin" chat "$url" --policy "$tmp/policy.json" --max-tokens 4
has "attestation: VERIFIED"
has "evidence type: simulated  ** SIMULATED - NOT HARDWARE PROTECTED **"
has "key protection: none (simulated)  ** session keys NOT hardware-protected **"
has "measurement model = "
has "[pinned]"
has "root sha256: "
has "session fingerprint: "
has "(conversation cleared)"
[[ $(grep -cF "[stopped at the token limit]" <<<"$out") == 2 ]] ||
  fail "wanted two answers :: $out"

step="strict refuses simulated, nothing sent"
before=$(requests)
input=$'SECRET-CHAT-STRICT\n'
run 1 "$bin" chat "$url" --policy "$tmp/policy.json" --strict
has "attestation: REFUSED"
has "FAILED policy.evidence_type"
has "error: attestation refused: policy.evidence_type"
lacks "session fingerprint"

step="wrong pin refuses the node, nothing sent"
python3 - "$tmp/policy.json" "$tmp/wrong.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["measurements"]["model"] = ["ab" * 48]
json.dump(p, open(sys.argv[2], "w"))
PY
input=$'SECRET-CHAT-PIN\n'
run 1 "$bin" chat "$url" --policy "$tmp/wrong.json"
has "FAILED policy.measurement.model"
[[ $(requests) == "$before" ]] || fail "requests went from $before to $(requests)"

step="no policy: nothing pinned, said so"
input=""
run 0 "$bin" chat "$url"
has "nothing pinned"
has "NOT PINNED"
has "[not pinned]"

step="bad policy file"
echo '{"format":"cerumbra-policy-v1","accept_simulatd":true}' >"$tmp/typo.json"
run 2 "$bin" chat "$url" --policy "$tmp/typo.json"
has "error: policy"

step="Ctrl-C cancels the answer, the chat goes on"
mkfifo "$tmp/in"
"$bin" chat "$url" --policy "$tmp/policy.json" --max-tokens 3000 \
  <"$tmp/in" >"$tmp/chat.out" 2>&1 &
chat_pid=$!
exec 3>"$tmp/in"
echo "a very long story" >&3
base=""
for _ in $(seq 1 600); do
  grep -q "Ctrl-D leaves" "$tmp/chat.out" && base=$(wc -c <"$tmp/chat.out") && break
  sleep 0.1
done
for _ in $(seq 1 600); do
  [[ $(wc -c <"$tmp/chat.out") -gt $((base + 20)) ]] && break
  sleep 0.05
done
kill -INT "$chat_pid"
for _ in $(seq 1 600); do
  grep -qF "[cancelled]" "$tmp/chat.out" && break
  sleep 0.1
done
echo "/reset" >&3  # the session goes on after the cancel
exec 3>&-
for _ in $(seq 1 600); do
  kill -0 "$chat_pid" 2>/dev/null || break
  sleep 0.1
done
wait "$chat_pid"; rc=$?
chat_pid=""
out=$(cat "$tmp/chat.out")
[[ $rc == 0 ]] || fail "exit $rc :: $out"
has "[cancelled]"
[[ $(grep -cF "[cancelled]" <<<"$out") == 1 ]] || fail "one cancel wanted"
has "(conversation cleared)"

step="Ctrl-C at the prompt leaves"
mkfifo "$tmp/in2"
"$bin" chat "$url" --policy "$tmp/policy.json" <"$tmp/in2" >"$tmp/chat2.out" 2>&1 &
chat_pid=$!
exec 4>"$tmp/in2"
for _ in $(seq 1 600); do
  grep -q "Ctrl-D leaves" "$tmp/chat2.out" && break
  sleep 0.1
done
kill -INT "$chat_pid"
for _ in $(seq 1 100); do
  kill -0 "$chat_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$chat_pid" 2>/dev/null && fail "still running after Ctrl-C at the prompt"
wait "$chat_pid"; rc=$?
chat_pid=""
exec 4>&-
[[ $rc == 0 ]] || fail "exit $rc :: $(cat "$tmp/chat2.out")"

if [[ -n $example ]]; then
  step="the client guide's C++ example"
  input=""
  run 0 "$example" "$url" "$tmp/policy.json"
  has "attestation: VERIFIED"
  has "[length, 8 tokens]"
  run 1 "$example" "$url" "$tmp/wrong.json"
  has "policy.measurement.model"
fi

step="no prompt in the node's output"
out=$(cat "$tmp/node.out")
lacks "SECRET-CHAT"
lacks "very long story"

if ((fails)); then echo "$fails failure(s)"; exit 1; fi
echo "cli chat ok"
