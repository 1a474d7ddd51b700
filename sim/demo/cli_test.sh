#!/usr/bin/env bash
# Bad input to tinykv-sim-demo gets a clear one-line error and a non-zero exit; good input works.
# Usage: cli_test.sh PATH/TO/tinykv-sim-demo
set -uo pipefail
demo=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect() {  # expect NAME EXIT_CODE PATTERN -- ARGS...
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$demo" "$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: exit $rc (want $want), output:"
    echo "$out" | head -5
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

expect "seed not a number" 64 "seed" -- --seed abc
expect "negative seed" 64 "seed" -- --seed -5
expect "unknown flag" 64 "not expected" -- --bogus
expect "too few nodes" 64 "nodes" -- --nodes 1
expect "missing plan file" 64 "plan" -- --plan /nonexistent/plan.txt
printf '1.000000s crash 2\nnonsense here\n' >"$work/bad.txt"
expect "malformed plan" 65 "bad.txt:2: bad time" -- --plan "$work/bad.txt"
printf '1.000000s restart 2\n' >"$work/invalid.txt"
expect "impossible plan" 65 "node is not down" -- --plan "$work/invalid.txt"
expect "bad breakpoint" 64 "unknown event kind 'quake'" -- --break on:quake
expect "good run" 0 "fingerprint" -- --seed 5 --chaos-seconds 3
expect "save plan" 0 "fingerprint" -- --seed 5 --chaos-seconds 3 --save-plan "$work/saved.txt"
expect "replay saved plan" 0 "fingerprint" -- --seed 5 --chaos-seconds 3 --plan "$work/saved.txt"
a=$("$demo" --seed 5 --chaos-seconds 3 | grep fingerprint)
b=$("$demo" --seed 5 --chaos-seconds 3 --plan "$work/saved.txt" | grep fingerprint)
if [[ "$a" != "$b" ]]; then
  echo "FAIL replayed plan changes the fingerprint: '$a' vs '$b'"
  failures=$((failures + 1))
fi
expect "determinism check" 0 "identical" -- --seed 9 --check-determinism
"$demo" --seed 2 --chaos-seconds 2 --trace "$work/t.jsonl" --chrome-trace "$work/t.json" >/dev/null
if ! head -1 "$work/t.jsonl" | grep -q '"seq":1' || ! grep -q traceEvents "$work/t.json"; then
  echo "FAIL trace export"
  failures=$((failures + 1))
fi
echo "$((failures)) failed"
[[ $failures -eq 0 ]]
