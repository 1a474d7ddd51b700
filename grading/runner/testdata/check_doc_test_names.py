#!/usr/bin/env python3
"""Every graded test name the docs and the runner's --help texts mention must exist.

Usage: check_doc_test_names.py TINYKV_GRADE SOURCE_DIR

Scans README.md, labs/README.md, labs/*/README.md, docs/*.md and the handout generator (its
student README), and the --help text of every
tinykv-grade subcommand, for names shaped like graded tests (Lab2B.Unreliable, Lab4D.X). A name
counts as real when `tinykv-grade list` shows it; a name followed by '*' or '…', or cut by the
end of a line (wrapped prose), only has to start some real test's name. Prints each name that
fails, with where it was found and the closest real names, and exits 1; exit 0 when all are real.
"""
import glob, os, re, subprocess, sys
import difflib

if len(sys.argv) != 3:
    sys.exit("usage: check_doc_test_names.py TINYKV_GRADE SOURCE_DIR")
grade, src = sys.argv[1], sys.argv[2]
listing = subprocess.run([grade, "list", "--manifest-root", os.path.join(src, "labs")],
                         capture_output=True, text=True)
if listing.returncode != 0:
    sys.exit("tinykv-grade list failed: " + listing.stderr)
real = set(re.findall(r"\b(Lab[0-9][A-D]*\.[A-Za-z0-9_]+)\b", listing.stdout))
if len(real) < 50:
    sys.exit(f"tinykv-grade list showed only {len(real)} tests: {listing.stdout[:500]}")

texts = []
# scripts/make-handout holds the student README's template.
for pattern in ["README.md", "labs/README.md", "labs/*/README.md", "docs/*.md",
                "scripts/make-handout"]:
    for path in sorted(glob.glob(os.path.join(src, pattern))):
        with open(path, encoding="utf-8") as f:
            texts.append((os.path.relpath(path, src), f.read()))
for sub in ["run", "list", "replay", "check-determinism", "debug"]:
    out = subprocess.run([grade, sub, "--help"], capture_output=True, text=True).stdout
    texts.append((f"tinykv-grade {sub} --help", out))

bad = []
checked = 0
name_re = re.compile(r"\b(Lab[0-9][A-D]*\.[A-Za-z0-9_]+)(\*|…|\n|)")
for where, text in texts:
    for m in name_re.finditer(text):
        name, after = m.group(1), m.group(2)
        checked += 1
        if name in real:
            continue
        if after in ("*", "…", "\n") and any(r.startswith(name) for r in real):
            continue
        line = text.count("\n", 0, m.start()) + 1
        close = difflib.get_close_matches(name, sorted(real), n=2)
        bad.append(f"{where}:{line}: {name} is not a graded test"
                   + (f" (closest: {', '.join(close)})" if close else ""))
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"{checked} test names in the docs and help texts, all real")
