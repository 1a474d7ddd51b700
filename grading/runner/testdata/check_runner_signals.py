#!/usr/bin/env python3
"""The runner interrupted or killed mid-grade leaves nothing behind.

Usage: check_runner_signals.py TINYKV_GRADE BUILD_DIR MANIFEST_ROOT

For SIGINT, SIGTERM and SIGKILL (kill -9) of `tinykv-grade run` while a seed spins
(Broken.InfiniteLoop): within a few seconds no process of the broken tests is left and no scratch
directory of the run either. A stale scratch directory (its lock free: its owner gone) is removed by
the next run; a fresh one being made by another runner, and unrelated directories, are not.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

GRADE, BUILD, ROOT = sys.argv[1:4]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def processes_named(name, tmp):
    """Processes called `name` of this check's own runner: those with its TMPDIR in their
    environment (or a directory under it). Other tests running in parallel (ctest -j) start the same programs."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if os.path.basename(argv0) != name:
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        # The runner may point a seed's TMPDIR into its scratch, which lies under ours.
        if any(v.startswith(f"TMPDIR={tmp}".encode()) for v in environ):
            found.append(int(pid))
    return found


def wait_until(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def scratch_dirs(tmp):
    return sorted(d for d in os.listdir(tmp) if d.startswith("tinykv-"))


for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TMPDIR=tmp)
        runner = subprocess.Popen(
            [GRADE, "run", "lab9b", "--test", "Broken.InfiniteLoop", "--build-dir", BUILD,
             "--manifest-root", ROOT, "--timeout", "60", "--jobs", "2", "--no-progress"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        started = wait_until(
            lambda: processes_named("tinykv_grade_broken_tests", tmp) and scratch_dirs(tmp), 20)
        check(started, f"{sig.name}: the seed did not start")
        runner.send_signal(sig)
        runner.wait(timeout=20)
        gone = wait_until(lambda: not processes_named("tinykv_grade_broken_tests", tmp), 5)
        check(gone, f"{sig.name} of the runner left test processes running: "
              f"{processes_named('tinykv_grade_broken_tests', tmp)}")
        check(wait_until(lambda: not processes_named("tinykv-grade-supervisor", tmp), 5),
              f"{sig.name}: supervisors left running: "
              f"{processes_named('tinykv-grade-supervisor', tmp)}")
        clean = wait_until(lambda: not scratch_dirs(tmp), 5)
        check(clean, f"{sig.name} of the runner left scratch directories: {scratch_dirs(tmp)}")
        print(f"{sig.name}: runner exit {runner.returncode}, no test process and no scratch left")

# Stale scratch: a directory whose lock nobody holds goes; one whose lock is held stays, and so
# do directories that are not the runner's.
with tempfile.TemporaryDirectory() as tmp:
    stale = os.path.join(tmp, "tinykv-grade-Ab12Cd")
    held = os.path.join(tmp, "tinykv-grade-Ef34Gh")
    other = os.path.join(tmp, "tinykv-notes")
    for d in (stale, held, other):
        os.makedirs(os.path.join(d, "work", "deep"))
    for d in (stale, held):
        open(os.path.join(d, ".tinykv-owner.lock"), "w").close()
    os.chmod(os.path.join(stale, "work", "deep"), 0o500)  # a read-only directory the test made
    import fcntl
    holder = open(os.path.join(held, ".tinykv-owner.lock"))
    fcntl.flock(holder, fcntl.LOCK_EX)
    proc = subprocess.run([GRADE, "run", "lab9a", "--test", "Broken.Passes", "--build-dir", BUILD,
                           "--manifest-root", ROOT, "--no-progress"],
                          capture_output=True, text=True, env=dict(os.environ, TMPDIR=tmp))
    check(proc.returncode == 0, f"grading Broken.Passes: exit {proc.returncode} {proc.stderr}")
    check(not os.path.exists(stale), "a stale scratch directory is removed by the next run")
    check(os.path.exists(held), "a scratch directory whose owner still runs is kept")
    check(os.path.exists(other), "a directory that is not a runner's scratch is kept")
    holder.close()
    print("stale scratch removed, live and unrelated directories kept")

print("FAILED" if failures else "OK", f"({len(failures)} failures)")
sys.exit(1 if failures else 0)
