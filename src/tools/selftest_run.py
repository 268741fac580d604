# SPDX-License-Identifier: Apache-2.0
"""The driver the tools' self-tests share (spec_lint_selftest.py, vectors_lint_selftest.py,
eva_cover_selftest.py): each case runs the tool on inputs made to pass or to show one fault
and checks its exit status and that its output names the fault.

A case is a tuple (inputs..., expected exit status, text the output must contain); the
self-test's run(*inputs) returns (exit status, output).
"""
import os


def run_cases(prefix, cases, run, argv):
    """Run every case, print one line each and the totals, append "prefix;case;PASS|FAIL;cause"
    lines to $QSCD_OUTCOME_FILE when argv has --outcomes; 1 if any case failed."""
    out = os.environ.get("QSCD_OUTCOME_FILE") if "--outcomes" in argv[1:] else None
    failed = 0
    lines = []
    for name, case in cases.items():
        *inputs, want_rc, want_text = case
        rc, text = run(*inputs)
        problems = []
        if rc != want_rc:
            problems.append(f"exit status {rc}, expected {want_rc}")
        if want_text not in text:
            problems.append(f"output lacks {want_text!r}")
        verdict = "FAIL" if problems else "PASS"
        failed += bool(problems)
        cause = "; ".join(problems)
        print(f"{prefix}: {verdict} {name}" + (f": {cause}" if cause else ""))
        if problems:
            print("  " + text.strip().replace("\n", "\n  "))
        lines.append(f"{prefix};{name};{verdict};{cause}\n")
    print(f"{prefix}: {len(cases) - failed} passed, {failed} failed")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.writelines(lines)
    return 1 if failed else 0
