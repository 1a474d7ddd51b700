#!/usr/bin/env bash
# Checks gdb's `sim-inspect` on a KV cluster: the harness registers one inspector per store
# (Cluster::DescribeRaft), and sim-inspect must show every store's Raft state while the run is
# stopped at a partition, without changing the run.
#
#   grading/harness/gdb_inspect_test.sh PATH/TO/tinykv-demo PATH/TO/sim/gdb
#
# Runs the single-region demo (seed 2, one round, two clients) under gdb in batch mode with the breakpoints
# TINYKV_SIM_BREAK=on:partition,on:crash; continues to the first partition at which every store
# is up and one leads (skipping crashes and other partitions), runs sim-inspect for all stores,
# one store and a node without inspectors, then sim-continue-to crash (it must skip the other
# partitions), sim-inspect showing the crashed store down, then lets the run finish. Fails (exit 1) with a message when gdb is missing.
set -u
demo=${1:?usage: gdb_inspect_test.sh PATH/TO/tinykv-demo PATH/TO/sim/gdb}
gdb_dir=${2:?usage: gdb_inspect_test.sh PATH/TO/tinykv-demo PATH/TO/sim/gdb}

# shellcheck source=../../sim/gdb/gdb_checks.sh
source "$gdb_dir/gdb_checks.sh"
require_gdb_and "$demo" tinykv-demo

work=$(mktemp -d "${TMPDIR:-/tmp}/tinykv-gdb-inspect.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/commands.gdb" <<'GDB'
set pagination off
set width 0
set confirm off
python
import os
gdb.execute("source " + os.path.join(os.environ["TINYKV_SIM_GDB_DIR"], "tinykv_sim.py"))
end
set environment ASAN_OPTIONS detect_leaks=0
set environment TINYKV_SIM_BREAK on:partition,on:crash
break tinykv_sim_break
run
python
# Go on to the first partition at which every store is up and one of them leads (crashes under
# load may come first, or leave a store down when a partition starts).
import re
for _ in range(40):
    gdb.execute("sim-continue-to partition", to_string=True)
    shown = gdb.execute("sim-inspect", to_string=True)
    if "down (crashed" not in shown and re.search(r"^  Leader  ", shown, re.M):
        break
end
echo === STOP\n
sim-break-info
echo === INSPECT ALL\n
sim-inspect
echo === INSPECT ONE\n
sim-inspect 2
echo === INSPECT NONE\n
sim-inspect world
echo === CONTINUE TO CRASH\n
sim-continue-to crash
sim-break-info
echo === AFTER CONTINUE TO\n
info breakpoints
sim-inspect
echo === CONTINUE\n
delete
continue
echo === END\n
GDB
TINYKV_SIM_GDB_DIR=$gdb_dir timeout 240 gdb -batch -nx -x "$work/commands.gdb" \
  --args "$demo" --seed 2 --rounds 1 --clients 2 --single-region --out "$work/out" >"$work/log" 2>&1
status=$?
log=$work/log

failures=0
expect "STOP" "Stopped here now because: on partition" "stopped at a partition with every store up"
for id in 1 2 3 4 5; do
  expect "INSPECT ALL" "^== node $id: raft ==$" "sim-inspect shows store $id's inspector"
  expect "INSPECT ALL" "^store $id: up, region 1 peer [0-9]+$" "store $id is up with its peer"
done
expect "INSPECT ALL" "^  (Leader|Follower|Candidate)  term [0-9]+  vote [-0-9]+  leader [-0-9]+$" \
  "role, term, vote and leader are shown"
expect "INSPECT ALL" "^  commit [0-9]+  applied [0-9]+  last [0-9]+ \(term [0-9]+\)  truncated [0-9]+" \
  "commit, applied and last index are shown"
expect "INSPECT ALL" "^  progress \(this leader's view\):$" "the leader shows its followers' progress"
expect "INSPECT ALL" "^    peer [0-9]+  match [0-9]+  next [0-9]+  (replicate|probe)$" \
  "one progress line per member"
[[ $(count "INSPECT ONE" "^== node ") -eq 1 ]] && section "INSPECT ONE" | grep -q "^== node 2: raft ==$"
check_that $? "sim-inspect 2 shows store 2's inspector and no other"
expect "INSPECT NONE" "^no inspector for world; inspectors exist for: node 1, node 2, node 3, node 4, node 5$" \
  "sim-inspect world names the nodes that have inspectors"
expect "CONTINUE TO CRASH" "Stopped here now because: on crash: .* crash store[0-9]" \
  "sim-continue-to crash skips the partitions and stops at the first crash"
! section "CONTINUE TO CRASH" | grep -q "Stopped here now because: on partition"
check_that $? "sim-continue-to crash did not stop at a partition"
! section "AFTER CONTINUE TO" | grep -q "stop only if"
check_that $? "sim-continue-to removed its condition from the breakpoint"
crashed=$(section "CONTINUE TO CRASH" | sed -n 's/.*Stopped here now because: on crash: .* crash store\([0-9]\).*/\1/p' | head -n 1)
expect "AFTER CONTINUE TO" "^store ${crashed:-?}: down \(crashed: no Raft state until it restarts\)$" \
  "sim-inspect shows the crashed store as down"
expect "CONTINUE" "exited normally" "the run continues after inspection and passes"
finish_gdb_checks "$status" 240 "sim-inspect on the KV cluster"
