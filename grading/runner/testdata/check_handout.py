#!/usr/bin/env python3
"""Tests of scripts/make-handout.

  check_handout.py fixture MAKE_HANDOUT TINYKV_GRADE TESTDATA
      Marker errors in testdata/handout_bad/* are reported with file:line and no handout is
      written; the handout of testdata/handout_fixture has no solution text left, compiles
      warning-free with g++ and clang++, and (stubbing lab1 only) builds with CMake, fails its lab1
      graded tests with "TODO(lab1) not implemented: ..." while lab2aa (kept) still passes.
  check_handout.py real-tree MAKE_HANDOUT SOURCE
      The handout of the real tree (all parts stubbed) keeps no line that only a solution region
      had, keeps no marker, and has one TODO stub per region.
  check_handout.py real-build MAKE_HANDOUT TINYKV_GRADE SOURCE LAB PART TARGET... [--run SPEC]...
                    [--handout LABS TARGET... [--run SPEC]...]...
      Generates the real handout (every part stubbed), configures it (unoptimised, no debug
      info: it only has to compile and fail), builds only TARGET... (with ccache), grades LAB
      there with one seed per test, and checks that the lab fails and that every failing seed
      of PART names "TODO(PART) not implemented" (tests that pass on stubs are printed as notes).
      It also builds every graded test binary of that handout and grades everything there with
      one seed: every seed must fail with an assertion (no crash, timeout or missing result) and
      the bare stubs must score 0.
      Each --run P:BINARY:FILTER (BINARY relative to the build dir, FILTER a --gtest_filter)
      then runs those tests of that handout directly, default seed, and requires them to fail
      with "TODO(P) not implemented" in their output. Each --handout LABS generates and builds
      one more handout that stubs only LABS (the parts a student at that lab has not done yet:
      with earlier labs' code in place, a later lab's tests reach that lab's stubs) for the
      TARGETs and --runs that follow it.

The checks here do not reuse the generator's parser: regions are found again, simply, so that a
generator bug is not hidden by the same bug in the check.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BEGIN = re.compile(r"^\s*// BEGIN SOLUTION\((lab[0-9][a-z]*)\)\s*$")
END = re.compile(r"^\s*// END SOLUTION\s*$")
STUB = re.compile(r"^\s*// STUB: ?(.*?)\s*$")
CXX = (".h", ".hh", ".hpp", ".cc", ".cpp", ".cxx", ".inc", ".ipp")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def regions(text):
    """[(part, [region lines], stub statement)] and the set of lines outside every region."""
    found, outside, current = [], set(), None
    for line in text.splitlines():
        if BEGIN.match(line):
            current = (BEGIN.match(line).group(1), [], [])
        elif END.match(line) and current:
            found.append((current[0], current[1], current[2][0] if current[2] else None))
            current = None
        elif current is not None:
            if STUB.match(line):
                current[2].append(STUB.match(line).group(1))
            else:
                current[1].append(line.strip())
        else:
            outside.add(line.strip())
    return found, outside


TRIVIAL = re.compile(r"^([{}();,\s]*|//.*|return;|break;|continue;|else|\}\s*else\s*\{|#.*)$")


def verify_handout(source, out, parts, rel_files):
    """Checks every C++ file of `source` with regions of `parts` against its handout copy."""
    stubbed_regions = 0
    for rel in rel_files:
        if not rel.endswith(CXX) or rel.startswith("grading/runner/testdata/"):
            continue
        src = os.path.join(source, rel)
        if os.path.islink(src) or not os.path.isfile(src):
            continue
        with open(src, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if "// BEGIN SOLUTION(" not in text:
            continue
        with open(os.path.join(out, rel), encoding="utf-8", errors="replace") as f:
            handout = f.read()
        handout_lines = {line.strip() for line in handout.splitlines()}
        found, outside = regions(text)
        # A STUB statement legitimately appears in the handout wherever any region had it.
        stubs = {stub for _, _, stub in found if stub}
        for part, body, stub in found:
            if part not in parts:
                continue
            stubbed_regions += 1
            for line in body:
                if line in outside or line in stubs or TRIVIAL.match(line):
                    continue
                check(line not in handout_lines,
                      f"{rel}: solution line of {part} survives in the handout: {line!r}")
        for part in {p for p, _, _ in found if p in parts}:
            want = sum(1 for p, _, _ in found if p == part)
            got = handout.count(f"// TODO({part}): implement")
            check(got == want, f"{rel}: {want} regions of {part}, {got} TODO stubs in the handout")
        for part in parts:
            check(f"// BEGIN SOLUTION({part})" not in handout,
                  f"{rel}: a {part} marker survives in the handout")
        # Each stub prints the file and line where it sits in the handout.
        for number, line in enumerate(handout.splitlines(), start=1):
            m = re.search(r'not implemented: %s \(([^:()]+):(\d+)\)', line)
            if m:
                check(m.group(1) == rel and int(m.group(2)) == number,
                      f"{rel}:{number}: stub says it is at {m.group(1)}:{m.group(2)}")
    return stubbed_regions


def make_handout(make_handout_bin, source, out, labs=None):
    cmd = [sys.executable, make_handout_bin, "--source", source, "--out", out,
           "--include-untracked"]
    if labs:
        cmd += ["--labs", labs]
    return subprocess.run(cmd, capture_output=True, text=True)


def all_files(root):
    return sorted(os.path.relpath(os.path.join(d, n), root)
                  for d, _, names in os.walk(root) for n in names)


def fixture(make_handout_bin, grade_bin, testdata):
    bad_root = os.path.join(testdata, "handout_bad")
    expected = {
        "nested": ("bad.cc:3:", "nested"),
        "unclosed": ("bad.cc:2:", "never closed"),
        "stray_end": ("bad.cc:2:", "without a BEGIN"),
        "unknown_part": ("bad.cc:2:", "unknown part 'lab7q'"),
        "stub_outside": ("bad.cc:2:", "outside a solution region"),
        "two_stubs": ("bad.cc:4:", "second STUB"),
        "malformed": ("bad.cc:2:", "malformed solution marker"),
        "unbalanced_braces": ("bad.cc:4:", "does not balance its braces"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for case, (where, what) in expected.items():
            out = os.path.join(tmp, "bad-" + case)
            proc = make_handout(make_handout_bin, os.path.join(bad_root, case), out)
            check(proc.returncode == 1, f"{case}: exit status {proc.returncode}, want 1")
            check(where in proc.stderr and what in proc.stderr,
                  f"{case}: error names {where!r} and {what!r}: {proc.stderr.strip()}")
            check(not os.path.exists(out), f"{case}: no handout is written")
        proc = make_handout(make_handout_bin, os.path.join(testdata, "handout_fixture"),
                            os.path.join(tmp, "x"), labs="lab9")
        check(proc.returncode == 64 and "unknown lab" in proc.stderr, "bad --labs is rejected")

        source = os.path.join(testdata, "handout_fixture")
        # Every part stubbed: no solution text left; compiles warning-free with both compilers.
        full = os.path.join(tmp, "full")
        proc = make_handout(make_handout_bin, source, full)
        check(proc.returncode == 0, f"fixture handout: {proc.stderr}")
        n = verify_handout(source, full, {"lab1", "lab2aa"}, all_files(source))
        check(n == 5, f"fixture has 5 regions to stub, checked {n}")
        with open(os.path.join(full, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        check("| lab1 |" in readme and "`square.cc`: 3" in readme, f"student README: {readme}")
        for compiler in ("g++", "clang++"):
            if shutil.which(compiler) is None:
                print(f"note: {compiler} not found; skipped")
                continue
            proc = subprocess.run([compiler, "-std=c++20", "-Wall", "-Wextra", "-Werror",
                                   "-Wno-unused-parameter", "-fsyntax-only",
                                   os.path.join(full, "square.cc")], capture_output=True, text=True)
            check(proc.returncode == 0, f"{compiler} compiles the stubs: {proc.stderr}")

        # lab1 stubbed, lab2aa kept: build it and grade it.
        half = os.path.join(tmp, "half")
        proc = make_handout(make_handout_bin, source, half, labs="lab1")
        check(proc.returncode == 0, f"fixture handout LABS=lab1: {proc.stderr}")
        verify_handout(source, half, {"lab1"}, all_files(source))
        with open(os.path.join(half, "square.cc"), encoding="utf-8") as f:
            kept = f.read()
        check("total_ += v * 1'000;" in kept and "SOLUTION" not in kept,
              "kept regions keep their code and lose their markers")
        build = os.path.join(tmp, "build")
        env = dict(os.environ)
        env.pop("CI", None)
        cfg = ["cmake", "-S", half, "-B", build, "-G", "Ninja"]
        if shutil.which("ccache"):
            cfg.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        for cmd in (cfg, ["cmake", "--build", build, "-j", "2"]):
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            check(proc.returncode == 0, f"{' '.join(cmd)}:\n{proc.stdout}\n{proc.stderr}")
            if proc.returncode != 0:
                return
        report = os.path.join(tmp, "grade.json")
        proc = subprocess.run([grade_bin, "run", "all", "--build-dir", build, "--manifest-root",
                               os.path.join(half, "labs"), "--json", report, "--jobs", "2"],
                              capture_output=True, text=True)
        check(proc.returncode == 1, f"grading the handout fails: {proc.returncode} {proc.stderr}")
        check("TODO(lab1) not implemented: Square (square.cc:" in proc.stdout,
              f"the table names the missing part: {proc.stdout}")
        with open(report, encoding="utf-8") as f:
            tests = {t["name"]: t for p in json.load(f)["parts"] for t in p["tests"]}
        for name in ("Lab1Fixture.Square", "Lab1Fixture.Count"):
            seed = tests[name]["seeds"][0]
            check(seed["outcome"] == "assertion" and seed["todos"]
                  and seed["todos"][0].startswith("TODO(lab1) not implemented: "),
                  f"{name} fails naming TODO(lab1): {seed}")
        for name in ("Lab2AAFixture.Greeting", "Lab2AAFixture.Accumulate"):
            check(tests[name]["passed"], f"{name} (lab2aa kept) passes: {tests[name]}")


def real_tree(make_handout_bin, source):
    listed = subprocess.run(["git", "-C", source, "ls-files", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, text=True, check=True)
    rel_files = [f for f in listed.stdout.splitlines() if f]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "handout")
        proc = make_handout(make_handout_bin, source, out)
        check(proc.returncode == 0, f"real-tree handout: {proc.stderr}")
        if proc.returncode != 0:
            return
        n = verify_handout(source, out, set(re.findall(r"lab[0-9][a-z]*", "lab1 lab2aa lab2ab "
                                                       "lab2ac lab2b lab2c lab3a lab3b lab3c "
                                                       "lab4a lab4b lab4c")), rel_files)
        print(f"real tree: {n} solution regions checked")
        # Instructor material stays behind; what the handout says about grading is there.
        for doc in ("docs/instructors.md", "docs/sweeps.md", "docs/decisions.md"):
            check(not os.path.exists(os.path.join(out, doc)), f"the handout ships {doc}")
        check(os.path.exists(os.path.join(out, ".tinykv-handout")), "the handout is marked")
        with open(os.path.join(out, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        check("is how your work is graded" in readme, "the handout README says how it is graded")


def run_handout_tests(build, part, binary, gtest_filter, env):
    """Runs `gtest_filter` of `binary` in the handout build: it must fail naming TODO(part)."""
    what = f"{binary} --gtest_filter={gtest_filter}"
    env = dict(env)
    env.pop("TINYKV_SEED", None)  # the tests' default seed
    started = time.monotonic()
    try:
        proc = subprocess.run([os.path.join(build, binary), f"--gtest_filter={gtest_filter}"],
                              capture_output=True, text=True, env=env, timeout=300)
    except subprocess.TimeoutExpired:
        check(False, f"{what} hangs on the handout (killed after 300 s)")
        return
    output = proc.stdout + proc.stderr
    tail = "\n".join(output.splitlines()[-15:])
    ok = len(failures)
    check("[ RUN      ]" in output, f"{what} runs no test:\n{tail}")
    check(proc.returncode != 0, f"{what} must fail on the handout:\n{tail}")
    check(f"TODO({part}) not implemented" in output,
          f"{what}: the failure names TODO({part}):\n{tail}")
    if len(failures) == ok:
        print(f"{what}: fails naming TODO({part}) ({time.monotonic() - started:.1f} s)")


def build_handout(make_handout_bin, source, tmp, labs, targets):
    """Generates the handout stubbing `labs` in tmp/handout and builds `targets` in tmp/build.

    Returns (handout dir, build dir, environment) or None after a failure. Every handout is
    generated and built under the same names in its own temporary directory, so that ccache
    (told to ignore the temporary directory) reuses the objects of unchanged files.
    """
    out = os.path.join(tmp, "handout")
    proc = make_handout(make_handout_bin, source, out, labs=labs)
    check(proc.returncode == 0, f"real-tree handout (--labs {labs}): {proc.stderr}")
    if proc.returncode != 0:
        return None
    build = os.path.join(tmp, "build")
    env = dict(os.environ)
    env.pop("CI", None)  # stubs leave parameters unused: no -Werror for a handout build
    env["CCACHE_BASEDIR"] = tmp
    env["CCACHE_NOHASHDIR"] = "true"
    # Build type None: no -O2, no -g. The handout only has to compile, link and fail, and
    # unoptimised objects without debug info are the cheapest to compile and link.
    cfg = ["cmake", "-S", out, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=None"]
    if shutil.which("ccache"):
        cfg.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    for cmd in (cfg, ["cmake", "--build", build, "-j", "2", "--target", *targets]):
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        print(f"--labs {labs}: {' '.join(cmd[:2])}: {time.monotonic() - started:.1f} s")
        check(proc.returncode == 0, f"{' '.join(cmd)}:\n{proc.stdout[-5000:]}\n"
              f"{proc.stderr[-5000:]}")
        if proc.returncode != 0:
            return None
    return out, build, env


def grade_lab(grade_bin, out, build, lab, part):
    """Grades `lab` on the handout: it fails, every failing seed of `part` naming TODO(part)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "grade.json")
        proc = subprocess.run([grade_bin, "run", lab, "--build-dir", build, "--manifest-root",
                               os.path.join(out, "labs"), "--seeds", "1", "--timeout", "20",
                               "--jobs", "2", "--json", report], capture_output=True, text=True)
        check(proc.returncode == 1, f"grading {lab} on the handout fails: {proc.returncode} "
              f"{proc.stderr}")
        with open(report, encoding="utf-8") as f:
            parts = json.load(f)["parts"]
    tests = [t for p in parts for t in p["tests"]]
    check(tests, f"{lab} has graded tests")
    # A test may pass against do-nothing stubs when the behaviour it checks is what doing
    # nothing gives (e.g. "starts as a follower"): noted, not an error. What must hold: the
    # lab does not pass, and every failing seed of PART names the missing part.
    check(any(not t["passed"] for t in tests), f"{lab} must fail on the handout")
    for p in parts:
        for t in p["tests"]:
            if t["passed"]:
                print(f"note: {t['name']} passes on the handout")
            for seed in t["seeds"]:
                check(seed["outcome"] != "not-built", f"{t['name']}: {seed['reason']}")
                if p["name"] == part and seed["outcome"] != "passed":
                    check(any(x.startswith(f"TODO({part}) not implemented")
                              for x in seed["todos"]),
                          f"{t['name']} names TODO({part}): {seed['reason']} {seed['todos']}")
    failed = sum(1 for t in tests if not t["passed"])
    print(f"{failed} of {len(tests)} tests of {lab} fail on the handout")


def graded_targets(grade_bin, out):
    """The test binaries of every graded test in the manifests under out/labs (the reference's
    are the handout's)."""
    proc = subprocess.run([grade_bin, "targets", "all", "--manifest-root",
                           os.path.join(out, "labs")], capture_output=True, text=True)
    check(proc.returncode == 0, f"tinykv-grade targets all: {proc.stderr}")
    return proc.stdout.split()


def audit_stubs(grade_bin, out, build):
    """Every graded test on the bare stubs: each seed fails cleanly — an assertion, never a crash,
    a hang or a missing result (a student takes a crash inside a test for a memory bug of their
    own) — and no test passes: bare stubs earn no points."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "grade.json")
        proc = subprocess.run([grade_bin, "run", "all", "--build-dir", build, "--manifest-root",
                               os.path.join(out, "labs"), "--seeds", "1", "--timeout", "60",
                               "--jobs", "2", "--json", report, "--no-progress"],
                              capture_output=True, text=True)
        check(proc.returncode == 1, f"grading all on the bare stubs: exit {proc.returncode} "
              f"{proc.stderr[-2000:]}")
        with open(report, encoding="utf-8") as f:
            graded = json.load(f)
    tests = 0
    for p in graded["parts"]:
        for t in p["tests"]:
            tests += 1
            check(not t["passed"], f"{t['name']} passes on the bare stubs: it earns "
                  f"{t['points']} free points (give it a check the stubs cannot meet)")
            for seed in t["seeds"]:
                check(seed["outcome"] == "assertion",
                      f"{t['name']} seed {seed['seed']} on the bare stubs: {seed['outcome']}: "
                      f"{seed['reason']} (a graded test must fail with an assertion, not "
                      f"{seed['outcome']})")
    check(graded["score"] == 0, f"the bare stubs score {graded['score']}/{graded['max_score']}")
    print(f"bare stubs: {tests} graded tests, all fail with an assertion, 0/"
          f"{graded['max_score']} points")


QUOTE = re.compile(r"<!-- quote: (file|output of) (\S+(?: [^\n(]*?)?)\s*(?:\(|-->)")


def quoted_blocks(readme):
    """Yields (kind, what, block lines) for each `<!-- quote: ... -->` comment of `readme` and the
    fenced block right after it."""
    for m in QUOTE.finditer(readme):
        rest = readme[readme.index("-->", m.end() - 1) + 3:]
        fence = re.match(r"\s*```[a-z]*\n(.*?)\n```", rest, re.S)
        check(fence is not None, f"labs/README.md: no fenced block after {m.group(0)!r}")
        if fence:
            yield m.group(1), m.group(2).strip(), fence.group(1).split("\n")


def matches_in_order(block, lines):
    """True when the block's runs of lines (split at lines that are just `…`) appear in `lines`
    in order, each run as consecutive lines."""
    runs, run = [], []
    for line in block:
        if line.strip() == "…":
            runs.append(run)
            run = []
        else:
            run.append(line.rstrip())
    runs.append(run)
    at = 0
    for run in (r for r in runs if r):
        while at + len(run) <= len(lines) and lines[at:at + len(run)] != run:
            at += 1
        if at + len(run) > len(lines):
            return False
        at += len(run)
    return True


def check_readme_quotes(grade_bin, out, build):
    """What labs/README.md quotes (a file of the handout, the grader's output on its stubs) is
    what the handout has and prints: stale samples mislead a student at the first failure."""
    with open(os.path.join(out, "labs", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    quotes = 0
    for kind, what, block in quoted_blocks(readme):
        quotes += 1
        if kind == "file":
            with open(os.path.join(out, what), encoding="utf-8") as f:
                lines = [line.rstrip() for line in f.read().split("\n")]
            source = f"the handout's {what}"
        else:
            args = what.split()
            check(args[0] == "tinykv-grade", f"labs/README.md quotes {what!r}: not tinykv-grade")
            env = dict(os.environ, NO_COLOR="1")
            proc = subprocess.run([grade_bin, *args[1:], "--build-dir", build, "--manifest-root",
                                   os.path.join(out, "labs"), "--no-progress"],
                                  capture_output=True, text=True, env=env)
            # Source paths as a student's build prints them (relative to the repository).
            base = re.escape(os.path.basename(out))
            lines = [re.sub(r"(?:\.\./)+" + base + "/", "", line.replace(out + "/", "")).rstrip()
                     for line in (proc.stdout + proc.stderr).split("\n")]
            source = f"the output of {what} on the handout"
        check(matches_in_order(block, lines),
              f"labs/README.md quotes {source}, which no longer reads so; the quote:\n" +
              "\n".join(block) + "\nwhat it is now (start):\n" + "\n".join(lines[:40]))
    check(quotes >= 2, f"labs/README.md has {quotes} checked quotes (expected the stub and the "
          "grader's failure output)")
    print(f"labs/README.md: {quotes} quotes match the handout")


def real_build(make_handout_bin, grade_bin, source, lab, part, *args):
    # Groups: the full handout first; each --handout LABS starts one stubbing only LABS.
    groups = [{"labs": "all", "targets": [], "runs": []}]
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--handout":
            groups.append({"labs": rest.pop(0), "targets": [], "runs": []})
        elif arg == "--run":
            spec = rest.pop(0).split(":", 2)
            if len(spec) != 3:
                sys.exit(f"--run wants PART:BINARY:FILTER, not {':'.join(spec)!r}")
            groups[-1]["runs"].append(spec)
        else:
            groups[-1]["targets"].append(arg)
    for number, group in enumerate(groups):
        with tempfile.TemporaryDirectory() as tmp:
            targets = list(group["targets"])
            if number == 0:  # the full handout: every graded test runs on the bare stubs
                targets += graded_targets(grade_bin, source)
            built = build_handout(make_handout_bin, source, tmp, group["labs"], targets)
            if built is None:
                return
            out, build, env = built
            if number == 0:
                grade_lab(grade_bin, out, build, lab, part)
                check_readme_quotes(grade_bin, out, build)
                audit_stubs(grade_bin, out, build)
            for run_part, binary, gtest_filter in group["runs"]:
                run_handout_tests(build, run_part, binary, gtest_filter, env)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "fixture":
        fixture(*sys.argv[2:5])
    elif mode == "real-tree":
        real_tree(*sys.argv[2:4])
    elif mode == "real-build":
        real_build(*sys.argv[2:])
    else:
        sys.exit(f"unknown mode {mode}")
    print("FAILED" if failures else "OK", f"({len(failures)} failures)")
    sys.exit(1 if failures else 0)
