#!/usr/bin/env python3
"""Every relative link in the project's Markdown (README.md, labs/**/README.md, docs/*.md) leads
to a file or directory that exists.

Usage: check_doc_links.py SOURCE_DIR

Links to the web (http:, https:, mailto:) and to anchors of the same page (#...) are not
followed; a link's own #anchor is dropped. Prints each broken link with its file and line and
exits 1; exit 0 when every link resolves.
"""
import glob, os, re, sys

if len(sys.argv) != 2:
    sys.exit("usage: check_doc_links.py SOURCE_DIR")
src = sys.argv[1]
files = []
for pattern in ["README.md", "labs/README.md", "labs/*/README.md", "docs/*.md"]:
    files += sorted(glob.glob(os.path.join(src, pattern)))
if len(files) < 5:
    sys.exit(f"only {len(files)} Markdown files found under {src}")
link_re = re.compile(r"\]\(([^)\s]+)\)")
bad, checked = [], 0
for path in files:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for m in link_re.finditer(text):
        target = m.group(1)
        if re.match(r"^(https?:|mailto:|#)", target):
            continue
        checked += 1
        rel = target.split("#", 1)[0]
        if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(path), rel))):
            line = text.count("\n", 0, m.start()) + 1
            bad.append(f"{os.path.relpath(path, src)}:{line}: link to {target}: no such file")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"{checked} relative links in {len(files)} Markdown files, all resolve")
