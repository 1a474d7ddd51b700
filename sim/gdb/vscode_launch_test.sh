#!/usr/bin/env bash
# Checks `make vscode` and its generator sim/gdb/vscode_launch.py on the real tinykv-grade:
# writes two seeds' configurations into a launch.json that already holds a configuration of the
# user's (with comments), checks the JSON holds all three and what `make debug` would run, that
# the same name is replaced, and that bad input fails with one line and leaves the file alone.
#
#   sim/gdb/vscode_launch_test.sh PATH/TO/tinykv-grade SOURCE_DIR
set -u
grade=${1:?usage: vscode_launch_test.sh PATH/TO/tinykv-grade SOURCE_DIR}
src=${2:?usage: vscode_launch_test.sh PATH/TO/tinykv-grade SOURCE_DIR}
gen="$src/sim/gdb/vscode_launch.py"
build_dir=$(cd "$(dirname "$grade")/../.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/tinykv-vscode-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
launch="$work/.vscode/launch.json"
mkdir -p "$work/.vscode"
cat >"$launch" <<'JSON'
{
  // The user's own configuration: must survive.
  "version": "0.2.0",
  "configurations": [
    {"name": "mine", "type": "cppdbg", "request": "launch", "program": "/bin/true",},
  ],
  "compounds": []
}
JSON

failures=0
ok() { echo "ok:   $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
gen_run() { (cd "$src" && python3 "$gen" --grade "$grade" --build-dir "$build_dir" \
  --output "$launch" "$@"); }

gen_run --test Lab2B.Basic --seed 1 >"$work/out1" 2>&1 && ok "seed 1 written" ||
  { fail "seed 1 not written"; cat "$work/out1"; }
gen_run --test Lab2B.Basic --seed 2 --break on:partition >"$work/out2" 2>&1 &&
  ok "seed 2 written" || { fail "seed 2 not written"; cat "$work/out2"; }
grep -q "comments of the old" "$work/out1" && ok "says the comments were not kept" ||
  fail "no note about dropped comments"
gen_run --test Lab2B.Basic --seed 1 --break event:5 >"$work/out3" 2>&1 &&
  grep -q "^replaced" "$work/out3" && ok "same name: replaced" || fail "seed 1 again not replaced"

python3 - "$launch" "$src" <<'PY' || failures=$((failures + 1))
import json, os, sys
path, src = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
names = [c["name"] for c in doc["configurations"]]
problems = []
def check(cond, what):
    print(("ok:   " if cond else "FAIL: ") + what)
    if not cond:
        problems.append(what)
check(names == ["mine", "tinykv: Lab2B.Basic seed 1", "tinykv: Lab2B.Basic seed 2"],
      "three configurations, the user's first, no duplicate: %s" % names)
check("compounds" in doc and doc["version"] == "0.2.0", "other keys kept")
by_name = {c["name"]: c for c in doc["configurations"]}
for seed, brk in (("1", "event:5"), ("2", "on:partition")):
    c = by_name["tinykv: Lab2B.Basic seed " + seed]
    env = {e["name"]: e["value"] for e in c["environment"]}
    check(c["type"] == "cppdbg" and c["MIMode"] == "gdb", "seed %s: cppdbg with gdb" % seed)
    check(os.path.isabs(c["program"]) and c["program"].endswith("/lab2b_test"),
          "seed %s: absolute path of the test binary (%s)" % (seed, c["program"]))
    check("--gtest_filter=Lab2B.Basic" in c["args"], "seed %s: runs only the test" % seed)
    check(env.get("TINYKV_SEED") == seed, "seed %s: TINYKV_SEED=%s" % (seed, env.get("TINYKV_SEED")))
    check(env.get("TINYKV_SIM_BREAK") == brk, "seed %s: TINYKV_SIM_BREAK=%s" % (seed, brk))
    texts = [s["text"] for s in c["setupCommands"]]
    check(texts[0] == "set breakpoint pending on", "seed %s: pending breakpoints first" % seed)
    debug_gdb = os.path.join(src, "sim", "gdb", "debug.gdb")
    check("source " + debug_gdb in texts, "seed %s: sources %s" % (seed, debug_gdb))
    check(not any(t == "run" for t in texts), "seed %s: no `run` (VS Code starts it)" % seed)
sys.exit(1 if problems else 0)
PY

before=$(md5sum "$launch")
bad() {  # bad WHAT EXPECTED-REGEX ARGS...
  local what=$1 regex=$2
  shift 2
  gen_run "$@" >"$work/bad.out" 2>"$work/bad.err"
  local rc=$?
  if [[ $rc -ne 0 && $(wc -l <"$work/bad.err") -eq 1 ]] && grep -Eq -- "$regex" "$work/bad.err"; then
    ok "$what: exit $rc, $(cat "$work/bad.err")"
  else
    fail "$what: exit $rc, stderr: $(cat "$work/bad.err")"
  fi
}
bad "seed not a number" "SEED 'abc' is not a seed" --test Lab2B.Basic --seed abc
bad "seed missing" "SEED is missing" --test Lab2B.Basic
bad "seed too large" "not a seed" --test Lab2B.Basic --seed 18446744073709551616
bad "test malformed" "TEST 'Basic' is not a test name" --test Basic --seed 1
bad "test unknown" "unknown test" --test Lab9.Nothing --seed 1
[[ $(md5sum "$launch") == "$before" ]] && ok "failed runs left launch.json alone" ||
  fail "a failed run changed launch.json"
echo '{"configurations": [' >"$work/broken.json"
cp "$work/broken.json" "$launch"
bad "unreadable launch.json" "cannot read .* as JSON" --test Lab2B.Basic --seed 1
cmp -s "$work/broken.json" "$launch" && ok "unreadable launch.json left unchanged" ||
  fail "unreadable launch.json was changed"

# make vscode checks its variables before building anything.
for vars in "TEST=Lab2B.Basic" "TEST=Lab2B.Basic SEED=abc"; do
  # shellcheck disable=SC2086
  if out=$(make --no-print-directory -C "$src" vscode $vars BUILD="$build_dir" \
             VSCODE_DIR="$work/make" 2>&1); then
    fail "make vscode $vars succeeded"
  elif grep -Eq "usage: make|SEED 'abc' is not a seed" <<<"$out" && [[ ! -e $work/make ]]; then
    ok "make vscode $vars: $(tail -1 <<<"$out")"
  else
    fail "make vscode $vars: unexpected output: $out"
  fi
done

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "make vscode: all checks passed"
