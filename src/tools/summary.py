#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Summarise the outcome files of `make check`.

Reads every DIR/*.csv (lines "suite;case;PASS|FAIL|SKIP;cause"), prints a table per suite,
every failure and every skip with its cause, writes DIR/summary.json and ends with the line
"N passed, M failed, K skipped". Exits 1 when anything failed or nothing ran at all.
"""
import collections
import glob
import json
import os
import sys


def main(argv):
    if len(argv) != 2:
        print("usage: summary.py CHECKDIR", file=sys.stderr)
        return 2
    checkdir = argv[1]
    rows = []
    for path in sorted(glob.glob(os.path.join(checkdir, "*.csv"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line:
                    continue
                parts = line.split(";", 3)
                if len(parts) < 3 or parts[2] not in ("PASS", "FAIL", "SKIP"):
                    rows.append((os.path.basename(path), f"line {n}", "FAIL",
                                 f"malformed outcome line: {line[:80]}"))
                    continue
                while len(parts) < 4:
                    parts.append("")
                rows.append(tuple(parts))
    per_suite = collections.OrderedDict()
    for suite, _case, verdict, _cause in rows:
        per_suite.setdefault(suite, collections.Counter())[verdict] += 1
    total = collections.Counter(r[2] for r in rows)

    print("\n== summary ==")
    print(f"{'suite':<28} {'pass':>6} {'fail':>6} {'skip':>6}")
    for suite, c in per_suite.items():
        print(f"{suite:<28} {c['PASS']:>6} {c['FAIL']:>6} {c['SKIP']:>6}")
    skips = [r for r in rows if r[2] == "SKIP"]
    fails = [r for r in rows if r[2] == "FAIL"]
    if skips:
        print("\nskipped:")
        for s, c, _v, why in skips:
            print(f"  {s}: {c}: {why or '(no reason given)'}")
    if fails:
        print("\nfailed:")
        for s, c, _v, why in fails:
            print(f"  {s}: {c}: {why}")
    with open(os.path.join(checkdir, "summary.json"), "w", encoding="utf-8") as f:
        json.dump({"passed": total["PASS"], "failed": total["FAIL"], "skipped": total["SKIP"],
                   "suites": {s: dict(c) for s, c in per_suite.items()},
                   "failures": [list(r) for r in fails],
                   "skips": [list(r) for r in skips]}, f, indent=1)
    print()
    line = f"{total['PASS']} passed, {total['FAIL']} failed"
    if total["SKIP"]:
        line += f", {total['SKIP']} skipped"
    print(line)
    return 1 if total["FAIL"] or not rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
