#!/usr/bin/env python3
"""Writes a VS Code debug configuration that does what `make debug` does (`make vscode`).

    vscode_launch.py --grade BUILD/grading/runner/tinykv-grade --build-dir BUILD \\
        --test Lab2B.Unreliable --seed 42 [--break on:partition] [--output .vscode/launch.json]
    vscode_launch.py --validate-only --test T --seed S     (exit 0, or one error line and exit 2)

The gdb command comes from `tinykv-grade debug ... --print-only`, so VS Code starts the same
binary with the same arguments, environment (TINYKV_SEED, TINYKV_SIM_BREAK) and gdb start-up
(sim/gdb/debug.gdb: the sim-* commands and a breakpoint on tinykv_sim_break) as `make debug`.
Each `-x FILE` becomes a `source FILE` setup command, each `-ex 'set environment K=V'` an
environment entry, every other `-ex` (except `run`) a setup command.

The configuration is named "tinykv: TEST seed SEED". It is merged into an existing launch.json:
other configurations and keys are kept, one of the same name is replaced. launch.json may hold
comments and trailing commas (VS Code allows them); they are accepted, but comments are not kept
(a note says so). A file that cannot be read as JSON is left alone and reported.

Exit status: 0 written, 2 bad input (or tinykv-grade refused it), 1 anything else.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# gtest names: Suite.Name, with '/' and digits for parameterised tests.
_TEST_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_/]*\.[A-Za-z_][A-Za-z0-9_/]*$")
_SEED = re.compile(r"^[0-9]+$")


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


def validate(test, seed, break_spec):
    if not test:
        raise UsageError("TEST is missing (usage: make vscode TEST=Suite.Name SEED=S [BREAK=...])")
    if not _TEST_NAME.match(test):
        raise UsageError("TEST '%s' is not a test name like Lab2B.Unreliable "
                         "(tinykv-grade list shows them)" % test)
    if not seed:
        raise UsageError("SEED is missing (usage: make vscode TEST=Suite.Name SEED=S [BREAK=...])")
    if not _SEED.match(seed) or int(seed) >= 2**64:
        raise UsageError("SEED '%s' is not a seed: a decimal number in [0, 2^64)" % seed)
    if break_spec is not None and (not break_spec.strip() or any(c in break_spec for c in "\n'\"")):
        raise UsageError("BREAK '%s' is not a breakpoint spec (event:N, time:T, on:KIND, or a "
                         "gdb location for a test that is not a scenario)" % break_spec)


def gdb_command(grade, build_dir, test, seed, break_spec):
    """Runs tinykv-grade debug --print-only and returns the gdb argv it prints."""
    argv = [grade, "debug", test, "--seed", seed, "--build-dir", build_dir, "--print-only"]
    if break_spec:
        argv += ["--break", break_spec]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as e:
        raise UsageError("cannot run %s: %s (build first: make build)" % (grade, e.strerror))
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise UsageError(message[-1] if message else "tinykv-grade debug failed (exit %d)"
                         % done.returncode)
    return shlex.split(done.stdout.strip())


def configuration(gdb_argv, test, seed, workspace):
    """Turns a gdb command line into a cppdbg launch configuration."""
    if "--args" not in gdb_argv:
        raise ValueError("no --args in the gdb command: %s" % " ".join(gdb_argv))
    split = gdb_argv.index("--args")
    options, program = gdb_argv[1:split], gdb_argv[split + 1:]
    # Breakpoints named before the program is loaded must wait for it, not be refused.
    setup = ["set breakpoint pending on"]
    environment = []
    i = 0
    while i < len(options):
        opt = options[i]
        if opt in ("-x", "-ex") and i + 1 < len(options):
            value = options[i + 1]
            i += 2
            if opt == "-x":
                script = os.path.abspath(value)
                # debug.gdb finds tinykv_sim.py through TINYKV_SIM_GDB_DIR (gdb's own environment).
                setup.append("python import os; os.environ['TINYKV_SIM_GDB_DIR'] = %r"
                             % os.path.dirname(script))
                setup.append("source " + script)
            elif value.startswith("set environment "):
                name, _, val = value[len("set environment "):].partition("=")
                environment.append({"name": name.strip(), "value": val})
            elif value not in ("run", "set breakpoint pending on"):
                setup.append(value)
        else:
            i += 1  # -q and other flags have no meaning for VS Code
    return {
        "name": "tinykv: %s seed %s" % (test, seed),
        "type": "cppdbg",
        "request": "launch",
        "program": os.path.abspath(program[0]),
        "args": program[1:],
        "cwd": workspace,
        "environment": environment,
        "stopAtEntry": False,
        "externalConsole": False,
        "MIMode": "gdb",
        "miDebuggerPath": "gdb",
        "setupCommands": [{"description": "TinyKV: " + text, "text": text,
                           "ignoreFailures": False} for text in setup],
    }


def strip_jsonc(text):
    """Removes // and /* */ comments and trailing commas outside strings (VS Code's JSONC)."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        else:
            out.append(c)
        i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def load_launch(path):
    """Returns (document, had_comments). A missing file is an empty launch.json."""
    if not os.path.exists(path):
        return {"version": "0.2.0", "configurations": []}, False
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.strip():
        return {"version": "0.2.0", "configurations": []}, False
    try:
        return json.loads(text), False
    except json.JSONDecodeError:
        pass
    try:
        doc = json.loads(strip_jsonc(text))
    except json.JSONDecodeError as e:
        raise UsageError("cannot read %s as JSON (line %d: %s); fix or move it, it was left "
                         "unchanged" % (path, e.lineno, e.msg))
    return doc, True


def merge(doc, config, path):
    if not isinstance(doc, dict):
        raise UsageError("%s is not a JSON object; it was left unchanged" % path)
    configs = doc.setdefault("configurations", [])
    if not isinstance(configs, list):
        raise UsageError("%s: \"configurations\" is not a list; it was left unchanged" % path)
    doc.setdefault("version", "0.2.0")
    for i, existing in enumerate(configs):
        if isinstance(existing, dict) and existing.get("name") == config["name"]:
            configs[i] = config
            return "replaced"
    configs.append(config)
    return "added"


def write_atomically(path, doc):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".launch.", suffix=".json", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--test", default="")
    parser.add_argument("--seed", default="")
    parser.add_argument("--break", dest="break_spec", default=None)
    parser.add_argument("--grade", help="the tinykv-grade executable")
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--output", default=os.path.join(".vscode", "launch.json"))
    parser.add_argument("--workspace", default=os.getcwd(),
                        help="the program's working directory (default: here)")
    parser.add_argument("--validate-only", action="store_true",
                        help="only check TEST, SEED and BREAK")
    args = parser.parse_args()
    try:
        validate(args.test, args.seed, args.break_spec)
        if args.validate_only:
            return 0
        if not args.grade:
            raise UsageError("--grade PATH/TO/tinykv-grade is required")
        gdb_argv = gdb_command(args.grade, args.build_dir, args.test, args.seed, args.break_spec)
        config = configuration(gdb_argv, args.test, args.seed, os.path.abspath(args.workspace))
        doc, had_comments = load_launch(args.output)
        action = merge(doc, config, args.output)
        write_atomically(args.output, doc)
    except UsageError as e:
        print("vscode: %s" % e, file=sys.stderr)
        return 2
    print("%s configuration \"%s\" in %s (%d configurations); in VS Code: Run and Debug, pick it, "
          "F5" % (action, config["name"], args.output, len(doc["configurations"])))
    if had_comments:
        print("note: the comments of the old %s were not kept" % args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
