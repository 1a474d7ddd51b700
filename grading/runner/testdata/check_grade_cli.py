#!/usr/bin/env python3
"""End-to-end test of tinykv-grade on the deliberately broken tests (testdata/manifests/broken).

Runs the real command line with --jobs 1 and --jobs 3 and checks: every seed is classified as
expected, the runner survives all of them, --jobs does not change results, the JSON / JUnit XML /
Gradescope outputs are well-formed with the right totals, --seed-base is repeatable, and the
single-test commands (list, replay, check-determinism, debug) behave as documented.

Usage: check_grade_cli.py TINYKV_GRADE BUILD_DIR MANIFEST_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

GRADE, BUILD, ROOT = sys.argv[1:4]
COMMON = ["--build-dir", BUILD, "--manifest-root", ROOT]

# (test, seed) -> outcome, for `run lab9`.
EXPECTED = {
    ("Broken.Passes", "1"): "passed",
    ("Broken.Passes", "2"): "passed",
    ("Broken.Passes", "3"): "passed",
    ("Broken.PassesOnEvenSeeds", "2"): "passed",
    ("Broken.PassesOnEvenSeeds", "4"): "passed",
    ("Broken.PassesOnEvenSeeds", "5"): "assertion",
    ("Broken.LeavesGrandchild", "1"): "stray-processes",
    ("Broken.AssertionFails", "1"): "assertion",
    ("Broken.Segfault", "1"): "crash",
    ("Broken.Aborts", "1"): "crash",
    ("Broken.InfiniteLoop", "1"): "timeout",
    ("Broken.InfiniteLoop", "2"): "timeout",
    ("Broken.MemoryBlowup", "1"): "memory-limit",
    ("Broken.OutputFlood", "1"): "output-flood",
    ("Broken.ExitsWithoutResult", "1"): "no-result",
    ("Broken.NotInTheBinary", "1"): "no-result",
    ("Broken.PrintsTodo", "1"): "assertion",
    ("Broken.ReportsFacts", "1"): "assertion",
}
REASON_PARTS = {
    "Broken.Segfault": "SIGSEGV",
    "Broken.Aborts": "SIGABRT",
    "Broken.InfiniteLoop": "used up its 2 s of CPU time",
    "Broken.MemoryBlowup": "256 MiB",
    "Broken.NotInTheBinary": "not found",
    "Broken.ExitsWithoutResult": "exited with code 0",
}
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(args, **kwargs):
    return subprocess.run([GRADE] + args, capture_output=True, text=True, **kwargs)


def grade(tmp, jobs, extra=()):
    files = {k: os.path.join(tmp, f"{k}-{jobs}.out") for k in ("json", "junit", "gradescope")}
    args = ["run", "lab9", "--jobs", str(jobs), "--output-limit-mb", "8", *extra, *COMMON]
    for kind, path in files.items():
        args += ["--" + kind, path]
    proc = run(args, timeout=120)
    return proc, files


def outcomes(report):
    return {(t["name"], s["seed"]): s["outcome"]
            for p in report["parts"] for t in p["tests"] for s in t["seeds"]}


with tempfile.TemporaryDirectory() as tmp:
    proc1, files1 = grade(tmp, 1)
    proc3, files3 = grade(tmp, 3)
    for proc in (proc1, proc3):
        check(proc.returncode == 1, f"run exits 1 when tests fail, got {proc.returncode}: "
              f"{proc.stderr}")
        check("lab9c: no tests yet" in proc.stdout, "table says lab9c has no tests yet")
        check("make replay TEST=Broken.Segfault SEED=1" in proc.stdout, "replay command printed")
        check("make debug TEST=Broken.Segfault SEED=1" in proc.stdout, "debug command printed")
        check("TODO(lab9a) not implemented: Square" in proc.stdout, "TODO line printed")

    reports = []
    for files in (files1, files3):
        with open(files["json"], encoding="utf-8") as f:
            reports.append(json.load(f))
    got = outcomes(reports[0])
    check(got == EXPECTED, f"outcomes per seed:\n  got      {got}\n  expected {EXPECTED}")
    check(outcomes(reports[1]) == got, "--jobs 3 gives the same outcomes as --jobs 1")
    strip = lambda r: [[(t["name"], t["score"], [(s["seed"], s["outcome"], s["reason"])
                                                 for s in t["seeds"]]) for t in p["tests"]]
                       for p in r["parts"]]
    check(strip(reports[0]) == strip(reports[1]), "--jobs does not change scores or reasons")
    report = reports[0]
    for part in report["parts"]:
        for test in part["tests"]:
            for seed in test["seeds"]:
                want = REASON_PARTS.get(test["name"])
                if want:
                    check(want in seed["reason"], f"{test['name']}: reason {seed['reason']!r} "
                          f"names {want!r}")
    # 5 (Passes); PassesOnEvenSeeds fails seed 5 and LeavesGrandchild leaves a process behind,
    # so they earn nothing.
    check(report["score"] == 5 and report["max_score"] == 23,
          f"JSON totals 5/23, got {report['score']}/{report['max_score']}")
    facts = [s["facts"] for p in report["parts"] for t in p["tests"] for s in t["seeds"]
             if t["name"] == "Broken.ReportsFacts"]
    check(facts == [{"fingerprint": "fp-1", "verdict": "not linearizable: ops 3, 4"}],
          f"run facts reach the JSON: {facts}")

    # JUnit: well-formed, one testcase per (test, seed), failures counted.
    tree = ET.parse(files1["junit"])
    cases = tree.getroot().findall(".//testcase")
    check(len(cases) == len(EXPECTED), f"JUnit has {len(cases)} testcases, want {len(EXPECTED)}")
    failed = [c for c in cases if c.find("failure") is not None]
    want_failed = sum(1 for v in EXPECTED.values() if v != "passed")
    check(len(failed) == want_failed, f"JUnit failures {len(failed)}, want {want_failed}")
    check(tree.getroot().get("failures") == str(want_failed), "JUnit root failures attribute")

    # Gradescope: required fields and consistent totals.
    with open(files1["gradescope"], encoding="utf-8") as f:
        gs = json.load(f)
    check(isinstance(gs.get("tests"), list) and len(gs["tests"]) == 13,
          "Gradescope has one entry per graded test")
    for t in gs["tests"]:
        check(set(t) >= {"name", "score", "max_score", "status", "output"},
              f"Gradescope test fields: {sorted(t)}")
        check(t["status"] in ("passed", "failed"), f"status {t['status']}")
        check(t["score"] in (0, t["max_score"]), "a test earns all or nothing")
    check(gs["score"] == sum(t["score"] for t in gs["tests"]) == 5, "Gradescope score")
    check(gs["max_score"] == sum(t["max_score"] for t in gs["tests"]) == 23, "Gradescope max")

    # --seed-base: repeatable, and different from the defaults and from another base.
    def seeds_with(extra):
        path = os.path.join(tmp, "base.json")
        proc = run(["run", "lab9a", "--json", path, "--no-progress", *extra, *COMMON])
        check(proc.returncode in (0, 1), f"seed-base run: {proc.stderr}")
        with open(path, encoding="utf-8") as f:
            return [s["seed"] for p in json.load(f)["parts"] for t in p["tests"]
                    for s in t["seeds"]]
    a = seeds_with(["--seed-base", "42", "--seeds", "2"])
    check(a == seeds_with(["--seed-base", "42", "--seeds", "2"]), "seed base is repeatable")
    check(a != seeds_with(["--seed-base", "43", "--seeds", "2"]), "seed bases differ")
    check(len(a) == 6, f"--seeds 2 runs 2 seeds per test: {a}")

# Usage errors and single-test commands.
proc = run(["run", "lab5", *COMMON])
check(proc.returncode == 64 and 'unknown lab "lab5"' in proc.stderr, f"unknown lab: {proc.stderr}")
proc = run(["run", "lab9a", "--manifest-root", "/nonexistent", "--build-dir", BUILD])
check(proc.returncode == 64 and "not a directory" in proc.stderr, f"bad root: {proc.stderr}")
proc = run(["run", "lab9a", "--seed-base", "-1", *COMMON])
check(proc.returncode == 64 and "a seed base is a decimal number" in proc.stderr,
      f"--seed-base -1 is refused, not wrapped: {proc.returncode} {proc.stderr}")
proc = run(["run", "lab9a", "--json", "/nonexistent/dir/x.json", *COMMON])
check(proc.returncode == 64 and "cannot write /nonexistent/dir/x.json" in proc.stderr,
      f"an unwritable --json path is refused before grading: {proc.returncode} {proc.stderr}")
proc = run(["run", "--test", "Broken.Pases", *COMMON])
check(proc.returncode == 64 and 'did you mean "Broken.Passes' in proc.stderr,
      f"an unknown test names the closest: {proc.stderr}")
proc = run(["debug", "Broken.Passes", "--seed", "1", "--break", "time:2s", "--print-only",
            *COMMON])
check(proc.returncode == 64 and "is not a simulator scenario" in proc.stderr,
      f"a simulator breakpoint on a plain test is refused: {proc.returncode} {proc.stderr}")
proc = run(["debug", "Broken.Passes", "--seed", "1", "--break", "broken_tests.cc:10",
            "--print-only", *COMMON])
check(proc.returncode == 0 and "-ex 'break broken_tests.cc:10'" in proc.stdout,
      f"a gdb location becomes a gdb breakpoint: {proc.returncode} {proc.stdout}")
proc = run(["debug", "--help"])
check(proc.returncode == 0 and all(k in proc.stdout for k in ("event:N", "time:T", "on:KIND",
                                                              "role-change", "violation")),
      f"debug --help lists every kind of breakpoint: {proc.stdout}")
proc = run(["frobnicate"])
check(proc.returncode == 64, f"unknown subcommand exits 64, got {proc.returncode}")
proc = run(["list", *COMMON])
check(proc.returncode == 0 and "Broken.Passes  5 pts, 3 seeds" in proc.stdout
      and "lab3b: no tests yet" in proc.stdout, f"list: {proc.stdout}")
proc = run(["replay", "Broken.PassesOnEvenSeeds", "--seed", "4", *COMMON])
check(proc.returncode == 0 and "seed 4: passed" in proc.stdout
      and "for simulator scenarios only (lab 2B on)" in proc.stderr,
      f"replay of a plain test re-runs it: {proc.stdout} {proc.stderr}")
proc = run(["replay", "Broken.PassesOnEvenSeeds", "--seed", "5", *COMMON])
check(proc.returncode == 1 and "seed 5 is odd" in proc.stdout, "replay shows the failure")
proc = run(["replay", "Broken.Passes", "--seed", "1", "--html", "/tmp/x.html", *COMMON])
check(proc.returncode == 2 and "for simulator scenarios only" in proc.stderr, f"replay --html: {proc.stderr}")
proc = run(["check-determinism", "Broken.Passes", "--seed", "1", *COMMON])
check(proc.returncode == 2 and "for simulator scenarios only" in proc.stderr, "check-determinism plain")
proc = run(["check-determinism", "Broken.ReportsFacts", "--seed", "3", *COMMON])
check(proc.returncode == 0 and "fingerprint fp-3" in proc.stdout,
      f"check-determinism compares fingerprints: {proc.stdout}")
proc = run(["replay", "Broken.Nope", "--seed", "1", *COMMON])
check(proc.returncode == 64 and "unknown test" in proc.stderr, "replay of an unknown test")
proc = run(["debug", "Broken.Segfault", "--seed", "9", "--break", "broken_tests.cc:28",
            "--print-only", *COMMON])
check(proc.returncode == 0 and "'set environment TINYKV_SEED=9'" in proc.stdout
      and "'break broken_tests.cc:28'" in proc.stdout
      and "--gtest_filter=Broken.Segfault" in proc.stdout, f"debug: {proc.stdout}")

# A scenario is debugged with the simulator's gdb commands; --break goes to the simulator.
proc = run(["debug", "Broken.ReportsFacts", "--seed", "2", "--break", "on:crash", "--print-only",
            *COMMON])
check(proc.returncode == 0 and "sim/gdb/debug.gdb" in proc.stdout
      and "'set environment TINYKV_SIM_BREAK=on:crash'" in proc.stdout,
      f"debug of a scenario: {proc.stdout}")

print("FAILED" if failures else "OK", f"({len(failures)} failures)")
sys.exit(1 if failures else 0)
