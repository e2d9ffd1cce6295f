#!/usr/bin/env python3
"""Sum the tests of every suite from meson's testlog.json and print one
closing line "N passed, N failed" (plus ", N skipped" when any were).

A meson test is one program; inside it there may be many cases:
  * Criterion binaries print "Synthesis: Tested: T | Passing: P | Failing: F | Crashing: C";
  * theory checks and claim checks print "N passed, N failed";
  * any other test counts as one case, passed if meson says OK.
A program that meson marks failed always adds at least one failure, even if
its own counts say otherwise (a crash after the summary, a timeout).
"""
import json
import re
import sys
from collections import defaultdict

CRITERION = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")
PLAIN = re.compile(r"^(?:\w+: )?(\d+) passed, (\d+) failed", re.M)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def count(entry):
    text = ANSI.sub("", (entry.get("stdout") or "") + "\n" + (entry.get("stderr") or ""))
    result = entry.get("result", "")
    ok = result in ("OK", "EXPECTEDFAIL")
    if result == "SKIP":
        return 0, 0, 1
    m = CRITERION.findall(text)
    if m:
        _, p, f, c = map(int, m[-1])
        passed, failed = p, f + c
    else:
        m = PLAIN.findall(text)
        if m:
            passed, failed = map(int, m[-1])
        else:
            passed, failed = (1, 0) if ok else (0, 1)
    if not ok and failed == 0:
        failed = 1
    return passed, failed, 0


def main():
    paths = sys.argv[1:] or ["build/meson-logs/testlog.json"]
    per_suite = defaultdict(lambda: [0, 0, 0])
    entries = []
    for path in paths:
        # A second log (the sanitizer build) gets its suites tagged.
        tag = "" if path == paths[0] else "+" + path.split("/")[0].split("-")[-1]
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as e:
            print(f"test-summary: cannot read {path}: {e}", file=sys.stderr)
            per_suite["(missing log)"][1] += 1
            continue
        entries += [(json.loads(l), tag) for l in lines if l.strip()]
    for entry, tag in entries:
        # meson 1.0 names a test "project:suite / name"
        name = entry.get("name", "")
        suite = (name.split(" / ")[0].split(":")[-1] if " / " in name else "(none)") + tag
        p, f, s = count(entry)
        acc = per_suite[suite]
        acc[0] += p
        acc[1] += f
        acc[2] += s
    total = [sum(v[i] for v in per_suite.values()) for i in range(3)]
    for suite in sorted(per_suite):
        p, f, s = per_suite[suite]
        print(f"  suite {suite:10s} {p:5d} passed, {f:3d} failed" + (f", {s} skipped" if s else ""))
    tail = f", {total[2]} skipped" if total[2] else ""
    print(f"{total[0]} passed, {total[1]} failed{tail}")
    return 0 if total[1] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
