#!/usr/bin/env bash
# Checks the gdb commands of sim/gdb/tinykv_sim.py on a real run of the simulator demo.
#
#   sim/gdb/gdb_test.sh PATH/TO/tinykv-sim-demo
#
# Runs gdb in batch mode with sim/gdb/gdb_test.gdb on a run replaying crash_plan.txt, stopping at
# event 9 (while a fiber runs) and at the first crash, and checks what the commands print: a node
# down, the fiber list, a suspended fiber's backtrace through Park/Channel and the scenario, the
# crash in the trace tail, refusals for the running / unstarted / unknown fibers, registers restored
# (the run continues and exits normally), sim-inspect without inspectors (the demo registers none;
# grading/harness/gdb_inspect_test.sh checks it on a KV cluster that does). Fails (exit 1) with a
# message when gdb is missing.
set -u
demo=${1:?usage: gdb_test.sh PATH/TO/tinykv-sim-demo}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# shellcheck source=gdb_checks.sh
source "$here/gdb_checks.sh"
require_gdb_and "$demo" tinykv-sim-demo

log=$(mktemp "${TMPDIR:-/tmp}/tinykv-gdb-test.XXXXXX")
trap 'rm -f "$log"' EXIT
TINYKV_SIM_GDB_DIR=$here timeout 120 gdb -batch -nx -x "$here/gdb_test.gdb" \
  --args "$demo" --seed 3 --plan "$here/crash_plan.txt" --break event:9 --break on:crash \
  >"$log" 2>&1
status=$?

failures=0
expect "STOP 1" "Stopped here now because: event 9" "sim-break-info names the event-9 stop"
expect "STOP 1" "REFUSED 1: .*running fiber" "sim-fiber-bt refuses the running fiber"
expect "STOP 1" "REFUSED 2: .*not started" "sim-fiber-bt refuses a fiber that has not started"
expect "STOP 1" "REFUSED 999: unknown fiber 999" "sim-fiber-bt refuses an unknown fiber"
expect "STOP 2" "Stopped here now because: on crash: .* crash node3" "stopped on the crash of node 3"
expect "SIM-STATUS" "^virtual time 2\.000000s, [0-9]+ events, fingerprint [0-9a-f]{16}, seed 3" \
  "sim-status shows clock, events, fingerprint, seed"
expect "SIM-STATUS" "^node 3 \(node3\): down" "sim-status shows node 3 down"
expect "SIM-STATUS" "^node 1 \(node1\): up" "sim-status shows node 1 up"
expect "SIM-FIBERS" "fiber 1 'driver' node world: blocked on sleep" "sim-fibers lists the driver"
expect "SIM-FIBERS" "'server' node 3: blocked on chan recv 'inbox n3:7'" \
  "sim-fibers lists node 3's server and its wait"
expect "SIM-FIBER-BT ONE" "Executor::Park" "sim-fiber-bt shows Park in the suspended fiber"
expect "SIM-FIBER-BT ONE" "Channel<.*>::Recv" "sim-fiber-bt shows Channel::Recv"
expect "SIM-FIBER-BT ONE" "RunPingScenario|ping_scenario\.cc:[0-9]+" \
  "sim-fiber-bt reaches the scenario's server loop"
expect "SIM-FIBER-BT ALL" "Executor::Sleep" "sim-fiber-bt all shows a sleeping fiber"
expect "AFTER FIBER BT" "^#0 +tinykv_sim_break" "frame 0 registers restored after sim-fiber-bt"
expect "SIM-TRACE-TAIL" "^#[0-9]+ 2\.000000s n3 crash node3" "sim-trace-tail shows the crash event"
expect "SIM-INSPECT" "^no inspectors registered" "sim-inspect says the demo registers no inspectors"
expect "SIM-INSPECT" "REFUSED node3: sim-inspect: 'node3' is not a node number" \
  "sim-inspect refuses a bad node argument"
expect "CONTINUE" "exited normally" "the run continues after inspection and exits with status 0"
finish_gdb_checks "$status" 120 "gdb commands"
