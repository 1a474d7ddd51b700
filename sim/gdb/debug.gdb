# gdb start-up file for debugging a simulated run. `make debug` loads it (through tinykv-grade
# debug), `make vscode` writes a VS Code configuration that sources it; by hand, from the repo root:
#   gdb -q -x sim/gdb/debug.gdb --args BINARY --seed N --break on:crash ...
# It loads the sim-* commands, stops at every tinykv_sim_break() (called when a --break spec
# matches) and prints a short help. Set TINYKV_SIM_GDB_DIR when starting gdb outside the repo root.
set pagination off
set print thread-events off
python
import os
_tinykv_dir = os.environ.get("TINYKV_SIM_GDB_DIR", os.path.join("sim", "gdb"))
gdb.execute("source " + os.path.join(_tinykv_dir, "tinykv_sim.py"))
# LeakSanitizer cannot run under ptrace: in an ASAN=ON build it would fail the run at exit.
_asan = os.environ.get("ASAN_OPTIONS", "")
if "detect_leaks" not in _asan:
    gdb.execute("set environment ASAN_OPTIONS " + ":".join(filter(None, [_asan, "detect_leaks=0"])))
end
break tinykv_sim_break
echo \n
echo TinyKV-C++ simulation debugger. `run` starts the program; it stops at each --break match.\n
echo \ \ sim-status           virtual time, events, fingerprint, seed, nodes up/down/paused\n
echo \ \ sim-fibers           every fiber, its node, state and what it waits on\n
echo \ \ sim-fiber-bt ID|all  backtrace of a suspended fiber (the running one: plain `bt`)\n
echo \ \ sim-trace-tail [N]   the last N trace events (default 20)\n
echo \ \ sim-break-info       what this breakpoint is and why we stopped\n
echo \ \ sim-inspect [NODE]   each node's state as the program describes it (Raft role, term, log)\n
echo \ \ continue             run on to the next --break match\n
echo \ \ sim-continue-to KIND run on to the next match of one kind (e.g. violation)\n
echo \n
