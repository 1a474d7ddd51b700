# Command file for sim/gdb/gdb_test.sh (run by gdb -batch; the first failing command ends it, so
# commands expected to fail are wrapped in Python). Expects the demo to be started with
# --break event:9 --break on:crash and the fault plan crash_plan.txt.
set pagination off
set width 0
set confirm off
python
import os
gdb.execute("source " + os.path.join(os.environ["TINYKV_SIM_GDB_DIR"], "tinykv_sim.py"))
end
# LeakSanitizer cannot run under ptrace (matters for ASAN=ON builds only).
set environment ASAN_OPTIONS detect_leaks=0
break tinykv_sim_break
run
echo === STOP 1 (event 9: the driver fiber is running)\n
sim-break-info
python
for fiber in ("1", "2", "999"):
    try:
        gdb.execute("sim-fiber-bt " + fiber)
        print("NOT REFUSED: sim-fiber-bt " + fiber)
    except gdb.error as e:
        print("REFUSED %s: %s" % (fiber, e))
end
continue
echo === STOP 2 (first crash)\n
sim-break-info
echo === SIM-STATUS\n
sim-status
echo === SIM-FIBERS\n
sim-fibers
echo === SIM-FIBER-BT ONE\n
python
import re
text = gdb.parse_and_eval("tinykv_sim_fibers()").string()
m = re.search(r"fiber (\d+) '[^']*' node 3: blocked on chan recv", text)
gdb.execute("sim-fiber-bt " + (m.group(1) if m else "0"))
end
echo === SIM-FIBER-BT ALL\n
sim-fiber-bt all
echo === AFTER FIBER BT\n
bt 1
echo === SIM-TRACE-TAIL\n
sim-trace-tail 5
echo === SIM-INSPECT\n
sim-inspect
sim-inspect 3
python
try:
    gdb.execute("sim-inspect node3")
    print("NOT REFUSED: sim-inspect node3")
except gdb.error as e:
    print("REFUSED node3: %s" % e)
end
echo === CONTINUE\n
delete
continue
echo === END\n
