#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check the requirements catalogue (spec/requirements/*.tsv; format in its README.md).

Checks: the header, one value per column, unique ids across files, allowed values, a reason
for every `n/a` or `process` method, and that every evidence reference resolves to something
in the tree. Requirements checked by proof or test that have no evidence of that kind yet are
listed; with --strict they fail the lint.

  spec_lint.py [--strict] [--outcomes] [--quiet]

--outcomes appends one outcome line per file and per rule to $QSCD_OUTCOME_FILE (make check).
Exit status 1 on any error.
"""
import argparse
import glob
import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQ_DIR = os.path.join(TOP, "spec", "requirements")

COLUMNS = ["id", "document", "version", "clause", "component", "title", "paraphrase",
           "method", "na_reason", "id_status", "policy", "evidence"]
REQUIRED = ["id", "document", "version", "clause", "component", "title", "paraphrase",
            "method", "id_status"]
DOCUMENTS = {"EN 419 241-1", "EN 419 241-2", "EN 419 221-5", "TS 119 431-1", "TS 119 431-2",
             "TS 119 432", "CSC API", "eIDAS"}
COMPONENTS = {"SAM", "SSA", "CM", "SIC", "LOG", "TSP", "AS", "SCA"}
METHODS = {"proof", "test", "process", "n/a"}
ID_STATUS = {"verified", "title-only", "inferred", "unverified", "ours"}
POLICIES = {"LSP", "NSP", "EUSPv2", "CONDITIONAL", "CHOICE", "SCAL1", "SCAL2"}
EVIDENCE_KINDS = {"proof", "unit", "vector", "test", "doc"}


class Lint:
    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def warn(self, where, msg):
        self.warnings.append(f"{where}: {msg}")


def read_tree_text(patterns):
    text = []
    for pat in patterns:
        for path in glob.glob(os.path.join(TOP, pat), recursive=True):
            if os.path.isfile(path):
                try:
                    text.append(open(path, encoding="utf-8", errors="replace").read())
                except OSError:
                    pass
    return "\n".join(text)


class Resolver:
    """Resolves evidence references against the working tree (read once)."""

    def __init__(self):
        self.acsl = read_tree_text(["src/**/*.h", "src/**/*.c", "acsl/**/*.h", "acsl/**/*.c",
                                    "acsl/**/*.acsl"])
        self.units = {}
        for path in glob.glob(os.path.join(TOP, "conformance", "unit", "test_*.c")):
            suite = os.path.basename(path)[5:-2]
            body = open(path, encoding="utf-8", errors="replace").read()
            self.units[suite] = set(re.findall(r'\{\s*"([^"]+)"\s*,', body))
            for name in re.findall(r'unit_add_suite\(\s*"([^"]+)"', body):
                self.units.setdefault(name, set()).update(self.units[suite])

    def check(self, ref):
        kind, _, rest = ref.partition(":")
        if kind not in EVIDENCE_KINDS or not rest:
            return f"unknown evidence kind in '{ref}' (one of {sorted(EVIDENCE_KINDS)})"
        if kind == "proof":
            if not re.search(r"\b" + re.escape(rest) + r"\s*:", self.acsl):
                return f"no ACSL clause named '{rest}' under src/ or acsl/"
        elif kind == "unit":
            suite, _, test = rest.partition("/")
            if suite not in self.units or test not in self.units[suite]:
                return f"no unit test '{rest}' in conformance/unit/"
        elif kind == "vector":
            path, _, tcid = rest.partition("#")
            full = os.path.join(TOP, "vectors", path)
            if not os.path.isfile(full):
                return f"no vector file vectors/{path}"
            if tcid:
                try:
                    data = json.load(open(full, encoding="utf-8"))
                except ValueError as e:
                    return f"vectors/{path} is not JSON: {e}"
                ids = {str(t.get("tcId")) for g in data.get("testGroups", [])
                       for t in g.get("tests", [])}
                if tcid not in ids:
                    return f"no tcId {tcid} in vectors/{path}"
        elif kind in ("test", "doc"):
            path = rest.partition("#")[0]
            if not os.path.exists(os.path.join(TOP, path)):
                return f"no file {path}"
        return None


def lint_file(path, lint, resolver, seen, strict, stats):
    name = os.path.relpath(path, TOP)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != COLUMNS:
        lint.error(name, "first line must be the header: " + "\\t".join(COLUMNS))
        return 0
    count = 0
    for n, line in enumerate(lines[1:], 2):
        where = f"{name}:{n}"
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            lint.error(where, f"{len(cells)} columns, expected {len(COLUMNS)}")
            continue
        r = dict(zip(COLUMNS, (c.strip() for c in cells)))
        count += 1
        for col in REQUIRED:
            if not r[col]:
                lint.error(where, f"empty '{col}'")
        rid = r["id"]
        if re.search(r"\s", rid):
            lint.error(where, f"id '{rid}' contains white space")
        if rid in seen:
            lint.error(where, f"duplicate id '{rid}' (first at {seen[rid]})")
        seen[rid] = where
        if r["document"] not in DOCUMENTS:
            lint.error(where, f"document '{r['document']}' not one of {sorted(DOCUMENTS)}")
        for c in filter(None, (x.strip() for x in r["component"].split(","))):
            if c not in COMPONENTS:
                lint.error(where, f"component '{c}' not one of {sorted(COMPONENTS)}")
        methods = [m for m in r["method"].split("+") if m]
        for m in methods:
            if m not in METHODS:
                lint.error(where, f"method '{m}' not one of {sorted(METHODS)}")
        if ("n/a" in methods or methods == ["process"]) and not r["na_reason"]:
            lint.error(where, "method n/a or process needs na_reason")
        if "n/a" in methods and len(methods) > 1:
            lint.error(where, "method n/a cannot be combined")
        if r["id_status"] not in ID_STATUS:
            lint.error(where, f"id_status '{r['id_status']}' not one of {sorted(ID_STATUS)}")
        for p in filter(None, (x.strip() for x in r["policy"].split(","))):
            if p not in POLICIES:
                lint.error(where, f"policy '{p}' not one of {sorted(POLICIES)}")
        kinds = set()
        for ref in r["evidence"].split():
            problem = resolver.check(ref)
            if problem:
                lint.error(where, f"{rid}: evidence {problem}")
            kinds.add(ref.partition(":")[0])
        for m, need in (("proof", {"proof"}), ("test", {"unit", "vector", "test"})):
            if m in methods and not (kinds & need):
                stats.setdefault(f"no {m} evidence yet", []).append(rid)
                if strict:
                    lint.error(where, f"{rid}: method {m} but no {m} evidence")
        stats.setdefault("by method", {}).setdefault(r["method"], 0)
        stats["by method"][r["method"]] += 1
    return count


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strict", action="store_true",
                    help="fail on requirements marked proof/test that have no such evidence")
    ap.add_argument("--outcomes", action="store_true",
                    help="append outcome lines to $QSCD_OUTCOME_FILE")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()

    lint = Lint()
    resolver = Resolver()
    seen = {}
    stats = {}
    files = sorted(glob.glob(os.path.join(REQ_DIR, "*.tsv")))
    per_file = {}
    if not files:
        lint.error("spec/requirements", "no catalogue file (*.tsv)")
    for path in files:
        before = len(lint.errors)
        per_file[os.path.basename(path)] = (lint_file(path, lint, resolver, seen, a.strict,
                                                      stats), len(lint.errors) - before)
    total = sum(n for n, _ in per_file.values())
    if not a.quiet:
        for fname, (n, errs) in per_file.items():
            print(f"spec-lint: {fname}: {n} requirements, {errs} error(s)")
        for m, n in sorted(stats.get("by method", {}).items()):
            print(f"spec-lint: method {m}: {n}")
        for key in ("no proof evidence yet", "no test evidence yet"):
            if stats.get(key):
                print(f"spec-lint: {len(stats[key])} requirement(s) with {key}")
        for e in lint.errors:
            print("spec-lint: error: " + e, file=sys.stderr)
        print(f"spec-lint: {total} requirements in {len(files)} files, "
              f"{len(lint.errors)} error(s)")
    out = os.environ.get("QSCD_OUTCOME_FILE")
    if a.outcomes and out:
        with open(out, "a", encoding="utf-8") as f:
            for fname, (n, errs) in per_file.items():
                f.write(f"spec-lint;{fname};{'PASS' if errs == 0 else 'FAIL'};"
                        f"{n} requirements, {errs} error(s)\n")
            if not files:
                f.write("spec-lint;catalogue;FAIL;no catalogue file\n")
    return 1 if lint.errors else 0


if __name__ == "__main__":
    sys.exit(main())
