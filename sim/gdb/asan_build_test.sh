#!/usr/bin/env bash
# Builds sim_asan_test with AddressSanitizer in a side build (sim/ only, -O0) and runs it, so that
# `make test` proves — in every run, not only in an ASAN=ON tree — that the executor's stack-switch
# annotations keep ASan quiet on fiber switches and that a heap overflow inside a fiber is still
# reported. Usage: asan_build_test.sh SRC_ROOT WORKDIR
set -euo pipefail
root=$1 work=$2
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$work" -G Ninja -DASAN=ON -DTINYKV_DIRS=sim -DCMAKE_BUILD_TYPE=Debug \
  "${launcher[@]}" >"$work.log" 2>&1 || { tail -30 "$work.log"; exit 1; }
cmake --build "$work" --target sim_asan_test >>"$work.log" 2>&1 || { tail -30 "$work.log"; exit 1; }
out=$("$work/sim/sim_asan_test" 2>&1) || { echo "$out" | tail -40; exit 1; }
echo "$out" | tail -5
# The death tests must have run, not skipped: this build has ASan.
if grep -q "SKIPPED" <<<"$out"; then
  echo "FAIL: the ASan death tests were skipped in the ASan build"
  exit 1
fi
echo "ASan build: fiber switches clean, overflows inside fibers reported"
