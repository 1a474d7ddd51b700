#!/usr/bin/env python3
"""The simulator's share of a graded scenario's instructions, by part, from callgrind.

Runs one scenario (seed 1 unless TINYKV_SEED is set) under `valgrind --tool=callgrind`, then
sums the *self* instructions of every simulator function (tinykv::sim::*, Boost.Context's
switch) and groups them by part: timers, network, synchronisation (wake-ups, Select), trace
(events and fingerprint), scheduling (run loop, fiber switches) and random draws. Instruction
counts do not depend on the machine's load, so two runs of one build give the same numbers.

Not counted as the simulator's: the C library and allocator calls its functions make (memmove in
the timer queue's insert, about 0.6 % in Lab2B.Concurrent). Everything else in the process
(raft, raftstore, engine, protobuf, harness, checker) is the scenario's own work.

Usage: bench/scenarios/sim_share.py [BUILD_DIR=build] [TEST=Lab2B.Concurrent]
"""
import os
import re
import subprocess
import sys
import tempfile

PARTS = (
    ("timers", r"Timer|::After\(|ScaledDeadline|PickDue"),
    ("trace", r"Trace::|EventLog|RecordPacket|Record\(|RecordFor"),
    ("random", r"Rng::|SplitMix"),
    ("network", r"Network::"),
    ("sync", r"Select|WaitList|Channel|Promise|Future|Wake|Park|PrepareWait|IsWaiting|MakeReady"),
    ("scheduling", r"Executor::|fcontext|boost::context"),
)
ROW = re.compile(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)")


def is_simulator(function):
    head = function.split("(")[0]
    return (function.startswith("tinykv::sim::") or "fcontext" in function or
            function.startswith("boost::context") or
            (function.startswith("std::") and "tinykv::sim::" in head))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    test = sys.argv[2] if len(sys.argv) > 2 else "Lab2B.Concurrent"
    name = test.split(".")[0].lower() + "_test"
    # The lab's test binary: labs/raft/lab2b_test, labs/multiraft/lab3b_test, …
    binary = next((os.path.join(build, "labs", d, name) for d in sorted(os.listdir(
        os.path.join(build, "labs"))) if os.path.exists(os.path.join(build, "labs", d, name))),
                  os.path.join(build, "labs/raft", name))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                              binary, f"--gtest_filter={test}"], capture_output=True, text=True)
        summary = [l for l in run.stdout.splitlines() if " seed " in l]
        if run.returncode != 0 or not summary:
            sys.exit(f"sim_share: {test} did not pass under callgrind:\n{run.stdout[-2000:]}")
        report = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", out],
                                capture_output=True, text=True, check=True).stdout
    total, parts = None, {}
    for line in report.splitlines():
        if "=>" in line:
            continue
        match = ROW.match(line)
        if not match:
            continue
        count = int(match.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in line:
            total = count
            continue
        if total is None:
            continue
        name = match.group(2)
        function = (name.split(":", 1)[1] if ":" in name else name).split(" [")[0]
        if not is_simulator(function):
            continue
        part = next((p for p, rule in PARTS if re.search(rule, function.split("(")[0])), "other")
        parts[part] = parts.get(part, 0) + count
    sim = sum(parts.values())
    print(summary[0].strip())
    print(f"{total / 1e9:.3f} G instructions; simulator {100 * sim / total:.1f} %")
    counts = re.search(r"(\d+) packets sent, (\d+) delivered carrying (\d+) messages", summary[0])
    if counts:
        for what, n in (("packet sent", int(counts.group(1))),
                        ("packet delivered", int(counts.group(2))),
                        ("message delivered", int(counts.group(3)))):
            print(f"per {what} ({n:,}): simulator {sim / n:,.0f}, "
                  f"the rest {(total - sim) / n:,.0f} instructions")
    for part, count in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {part:<11} {100 * count / total:5.2f} %")


if __name__ == "__main__":
    main()
