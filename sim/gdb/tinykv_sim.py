# gdb commands for looking inside a stopped TinyKV-C++ simulation.
#
# Load it with `source sim/gdb/tinykv_sim.py` (sim/gdb/debug.gdb does, together with a breakpoint
# on tinykv_sim_break). Every command only *reads* the simulation: it calls the extern "C" helpers
# from sim/debug.h in the inferior (which format text into a static buffer) or, for sim-fiber-bt,
# temporarily points the registers of frame 0 at a suspended fiber's saved stack and restores them
# before returning, also when the backtrace fails. Nothing here advances the virtual clock, so one
# can look around a stopped run for as long as one likes.
#
#   sim-status            clock, event count, fingerprint, seed, each node up/down/paused
#   sim-fibers            every fiber: id, name, node, state, what it waits on
#   sim-fiber-bt N [ARGS] backtrace of suspended fiber N (ARGS go to `bt`: full, -5, ...);
#                         `sim-fiber-bt all` shows every suspended fiber
#   sim-trace-tail [N]    the last N trace events (default 20)
#   sim-break-info        what the tinykv_sim_break breakpoint is and why we stopped there
#   sim-inspect [NODE]    what the program registered to describe its nodes (a store's Raft
#                         state, ...): every node, one node (a number), or `world`
#   sim-continue-to KIND  continue, skipping --break matches until one of KIND (violation, crash,
#                         ...; the program must have been started with --break on:KIND too)
#
# Only x86-64 with Boost.Context's fcontext backend (Debian's Boost 1.74) is supported by
# sim-fiber-bt: there the suspended fiber's saved pointer is its stack pointer, pointing at the block
# jump_fcontext pushed (checked with `disassemble jump_fcontext`): MXCSR/x87 control words at +0x0,
# then r12 r13 r14 r15 rbx rbp at +0x8 ... +0x30, the return address at +0x38; the stack pointer
# after the switch back is +0x40. Restoring the callee-saved registers too (not only rbp/rip/rsp)
# keeps variables correct in the fiber's frames of optimised builds.

import re

import gdb

# Layout of the block jump_fcontext pushes on x86-64 (Boost 1.74, sysv/elf): register -> offset.
_FCTX_SAVED = (("r12", 0x08), ("r13", 0x10), ("r14", 0x18), ("r15", 0x20), ("rbx", 0x28),
               ("rbp", 0x30), ("pc", 0x38))
_FCTX_SP_OFFSET = 0x40
# Registers sim-fiber-bt overwrites in frame 0 and puts back afterwards.
_SWAPPED = ("rsp",) + tuple(reg for reg, _ in _FCTX_SAVED)

_FIBER_LINE = re.compile(r"^\s*fiber (\d+) '(.*)' node (\S+): (\w+)")


class SimError(Exception):
    """A user-facing error: printed as one line, no Python traceback."""


def _call_string(expr):
    """Evaluates a `const char*` returning call in the inferior and returns it as a str."""
    try:
        value = gdb.parse_and_eval(expr)
    except gdb.error as e:
        raise SimError(
            "cannot call %s: %s (is the program running and stopped, and built with sim/debug.cc?)"
            % (expr, e))
    if int(value) == 0:
        raise SimError("%s returned NULL" % expr)
    return value.string(errors="replace")


def _fibers():
    """Parses tinykv_sim_fibers() into a list of (id, name, node, state, line)."""
    text = _call_string("tinykv_sim_fibers()")
    fibers = []
    for line in text.splitlines():
        m = _FIBER_LINE.match(line)
        if m:
            fibers.append((int(m.group(1)), m.group(2), m.group(3), m.group(4), line.strip()))
    return text, fibers


def _read_pointer(address):
    ptr_type = gdb.lookup_type("unsigned long").pointer()
    return int(gdb.Value(address).cast(ptr_type).dereference())


def _fiber_registers(fiber_id):
    """Returns {register: value} of a suspended fiber, or raises SimError saying why not."""
    _, fibers = _fibers()
    known = {f[0]: f for f in fibers}
    if fiber_id not in known:
        raise SimError("unknown fiber %d (finished, or never existed): see sim-fibers" % fiber_id)
    _, name, node, state, _ = known[fiber_id]
    try:
        ctx = int(gdb.parse_and_eval("(unsigned long)tinykv_sim_fiber_context(%d)" % fiber_id))
    except gdb.error as e:
        raise SimError("cannot call tinykv_sim_fiber_context: %s" % e)
    if ctx == 0:
        if state == "running":
            raise SimError("fiber %d '%s' is the running fiber: use plain `bt` (its frames are the "
                           "current stack)" % (fiber_id, name))
        raise SimError("fiber %d '%s' (node %s, %s) has not started yet: it has no stack to show"
                       % (fiber_id, name, node, state))
    registers = {reg: _read_pointer(ctx + offset) for reg, offset in _FCTX_SAVED}
    registers["rsp"] = ctx + _FCTX_SP_OFFSET
    return registers


def _check_arch():
    arch = gdb.selected_frame().architecture().name()
    if "x86-64" not in arch:
        raise SimError("sim-fiber-bt knows the fcontext layout of x86-64 only (this is %s)" % arch)


def _set_registers(values):
    for reg in _SWAPPED:
        gdb.execute("set $%s = 0x%x" % (reg, values[reg]))


def _backtrace_of(fiber_id, bt_args):
    """Runs `bt bt_args` with frame 0's registers loaded from the fiber, then restores them."""
    fiber_regs = _fiber_registers(fiber_id)
    selected_level = gdb.selected_frame().level()
    gdb.newest_frame().select()
    saved = {reg: int(gdb.parse_and_eval("(unsigned long)$" + reg)) for reg in _SWAPPED}
    try:
        _set_registers(fiber_regs)
        gdb.execute(("bt " + bt_args).strip())
    finally:
        gdb.newest_frame().select()
        _set_registers(saved)
        # Writing registers drops gdb's frame cache: select the user's frame again by its level.
        gdb.execute("frame %d" % selected_level, to_string=True)


class SimCommand(gdb.Command):
    """Base class: turns SimError into a one-line gdb error."""

    def invoke(self, arg, from_tty):
        try:
            self.run(arg.strip())
        except SimError as e:
            raise gdb.GdbError(str(e))

    def run(self, arg):
        raise NotImplementedError


class SimStatus(SimCommand):
    """Show the simulation: virtual time, events, trace fingerprint, seed, and each node's state.

Usage: sim-status"""

    def __init__(self):
        super().__init__("sim-status", gdb.COMMAND_STATUS)

    def run(self, arg):
        gdb.write(_call_string("tinykv_sim_status()"))


class SimFibers(SimCommand):
    """List every fiber: id, name, node, state (ready/running/blocked) and what it waits on.

Usage: sim-fibers
Show a suspended fiber's stack with: sim-fiber-bt ID"""

    def __init__(self):
        super().__init__("sim-fibers", gdb.COMMAND_STATUS)

    def run(self, arg):
        text, fibers = _fibers()
        gdb.write(text)
        if fibers:
            gdb.write("(%d fibers; `sim-fiber-bt ID` shows a suspended fiber's stack)\n"
                      % len(fibers))


class SimFiberBt(SimCommand):
    """Backtrace of a suspended simulated fiber.

Usage: sim-fiber-bt ID [BT-ARGS]     e.g. sim-fiber-bt 7, sim-fiber-bt 7 full, sim-fiber-bt 7 -3
       sim-fiber-bt all [BT-ARGS]    every suspended fiber, one after the other
IDs come from sim-fibers. The running fiber's stack is the current one: use plain `bt`.
The registers of frame 0 are changed only while the backtrace is printed, then restored."""

    def __init__(self):
        super().__init__("sim-fiber-bt", gdb.COMMAND_STACK)

    def run(self, arg):
        words = arg.split(None, 1)
        if not words:
            raise SimError("usage: sim-fiber-bt ID [BT-ARGS] | sim-fiber-bt all (IDs: sim-fibers)")
        bt_args = words[1] if len(words) > 1 else ""
        _check_arch()
        if words[0] == "all":
            _, fibers = _fibers()
            for fid, name, node, state, line in fibers:
                gdb.write("\n%s\n" % line)
                try:
                    _backtrace_of(fid, bt_args)
                except SimError as e:
                    gdb.write("  (%s)\n" % e)
            return
        try:
            fiber_id = int(words[0], 0)
        except ValueError:
            raise SimError("sim-fiber-bt: '%s' is not a fiber id (see sim-fibers)" % words[0])
        _backtrace_of(fiber_id, bt_args)


class SimTraceTail(SimCommand):
    """Show the last N events of the simulation trace (default 20).

Usage: sim-trace-tail [N]
Each line is: #SEQ TIME NODE KIND DETAIL. `--break event:SEQ` stops a replay at that event."""

    def __init__(self):
        super().__init__("sim-trace-tail", gdb.COMMAND_STATUS)

    def run(self, arg):
        n = 20
        if arg:
            try:
                n = int(arg, 0)
            except ValueError:
                raise SimError("sim-trace-tail: '%s' is not a number" % arg)
            if n <= 0:
                raise SimError("sim-trace-tail: N must be positive")
        gdb.write(_call_string("tinykv_sim_trace_tail(%d)" % n))


class SimBreakInfo(SimCommand):
    """Explain the tinykv_sim_break breakpoint and, when stopped there, why.

Usage: sim-break-info"""

    def __init__(self):
        super().__init__("sim-break-info", gdb.COMMAND_BREAKPOINTS)

    def run(self, arg):
        gdb.write(
            "tinykv_sim_break(reason) is an empty function the simulator calls whenever a trace\n"
            "event matches a --break spec given to the program:\n"
            "  --break event:N     at trace event number N (the #N in sim-trace-tail / --trace)\n"
            "  --break time:T      at the first event at or after virtual time T (2.5s, 1500ms)\n"
            "  --break on:KIND     at every event of a kind: crash, restart, pause, resume,\n"
            "                      partition, fault, role-change, violation, ...\n"
            "The breakpoint is hit while the event is being recorded, before the simulator reacts\n"
            "to it (on:crash stops before the node's fibers are unwound). `continue` runs to the\n"
            "next match; the virtual clock does not move while the program is stopped.\n")
        breakpoints = [b for b in (gdb.breakpoints() or ())
                       if b.location and "tinykv_sim_break" in b.location]
        if not breakpoints:
            gdb.write("No gdb breakpoint is set on it: `break tinykv_sim_break` to add one.\n")
        else:
            for b in breakpoints:
                gdb.write("gdb breakpoint %d on %s: %s, hit %d time(s)\n"
                          % (b.number, b.location, "enabled" if b.enabled else "disabled",
                             b.hit_count))
        reason = self._current_reason()
        if reason is not None:
            gdb.write("Stopped here now because: %s\n" % reason)

    @staticmethod
    def _current_reason():
        try:
            frame = gdb.newest_frame()
            while frame is not None:
                if frame.name() == "tinykv_sim_break":
                    return frame.read_var("reason").string(errors="replace")
                frame = frame.older()
        except (gdb.error, RuntimeError, ValueError):
            return None
        return None


class SimInspect(SimCommand):
    """Show the state the program's inspectors describe: every node's, or one node's.

Usage: sim-inspect          every registered inspector, node by node (the world last)
       sim-inspect NODE     only node NODE's (a number, as in sim-status), or `world`
The simulator knows nothing about Raft; the code above it registers the inspectors (the KV
harness: each store's Raft state — role, term, vote, leader, commit, applied, last index, and a
leader's view of its followers' progress). Reading them does not move the virtual clock."""

    def __init__(self):
        super().__init__("sim-inspect", gdb.COMMAND_STATUS)

    def run(self, arg):
        if not arg:
            node = -1
        elif arg == "world":
            node = 0xFFFFFFFF  # sim::kNoNode
        else:
            try:
                node = int(arg, 0)
            except ValueError:
                raise SimError("sim-inspect: '%s' is not a node number (or `world`)" % arg)
            if node < 0 or node >= 0xFFFFFFFF:
                raise SimError("sim-inspect: node %d is out of range" % node)
        gdb.write(_call_string("tinykv_sim_inspect(%d)" % node))


class SimContinueTo(SimCommand):
    """Continue to the next --break match of one kind, skipping the others.

Usage: sim-continue-to KIND      e.g. sim-continue-to violation (or on:violation)
Started with BREAK=on:partition,on:violation, the run stops at every partition; after looking at
the first one, `sim-continue-to violation` runs on to the violation. The run must have a --break
on:KIND (TINYKV_SIM_BREAK) for that kind, or it never stops there. Works by giving the
tinykv_sim_break breakpoint a condition on its reason while the program runs, then removing it."""

    def __init__(self):
        super().__init__("sim-continue-to", gdb.COMMAND_RUNNING)

    def run(self, arg):
        kind = arg[3:] if arg.startswith("on:") else arg
        if not re.match(r"^[a-z][a-z-]*$", kind):
            raise SimError("usage: sim-continue-to KIND (violation, crash, partition, ...)")
        if kind == "leader-change":
            kind = "role-change"  # the break spec's alias: the reason names the event kind
        breakpoints = [b for b in (gdb.breakpoints() or ())
                       if b.location and "tinykv_sim_break" in b.location and b.enabled]
        if not breakpoints:
            raise SimError("no enabled breakpoint on tinykv_sim_break: `break tinykv_sim_break`")
        saved = [(b, b.condition) for b in breakpoints]
        try:
            for b, _ in saved:
                b.condition = '$_regex(reason, "^on %s: ")' % kind
            gdb.execute("continue")
        finally:
            for b, condition in saved:
                if b.is_valid():
                    b.condition = condition


SimStatus()
SimFibers()
SimFiberBt()
SimTraceTail()
SimBreakInfo()
SimInspect()
SimContinueTo()
