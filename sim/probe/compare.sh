#!/usr/bin/env bash
# Builds the probe with the other compiler (clang++ when the main build used g++, else g++) at -O0
# and compares its output with the main build's probe. Usage: compare.sh MAIN_PROBE SRC_ROOT WORKDIR
set -euo pipefail
main_probe=$1 root=$2 work=$3
main_compiler=$(strings "$main_probe" | grep -m1 -oE 'GCC: \(|clang version' || true)
other=clang++
[[ "$main_compiler" == "clang version" ]] && other=g++
command -v "$other" >/dev/null || { echo "FAIL: $other is not installed (scripts/install-deps installs it)"; exit 1; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root/sim/probe" -B "$work" -G Ninja -DCMAKE_CXX_COMPILER="$other" \
  -DCMAKE_BUILD_TYPE=Debug "${launcher[@]}" >"$work.log" 2>&1 || { cat "$work.log"; exit 1; }
cmake --build "$work" >>"$work.log" 2>&1 || { tail -30 "$work.log"; exit 1; }
expected=$("$main_probe")
actual=$("$work/tinykv-sim-probe")
echo "main build:"; echo "$expected"
echo "$other -O0:"; echo "$actual"
if [[ "$expected" != "$actual" ]]; then
  echo "FAIL: fingerprints differ between compilers"
  diff <(echo "$expected") <(echo "$actual") || true
  exit 1
fi
echo "identical"
