#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check the requirements catalogue (spec/requirements/*.tsv; format in its README.md).

Checks: the header, one value per column, no white space around a value, unique ids across
files, allowed values, that each file holds the document its name says and ids of that
document's shape, one version per file, a reason for every method that is or includes `n/a`
or `process` (and none otherwise), that no two ids trace to the same ACSL clause name, and
that every evidence reference resolves to something in the tree. Requirements checked by
proof or test that have no evidence of that kind yet are listed; with --strict they fail,
and so does a requirement marked test whose only test evidence is unit or integration tests
of the reference (a `test` requirement needs a vector, which runs against any target).

  spec_lint.py [--dir DIR] [--strict] [--scan-vectors] [--vectors-dir DIR] [--summary]
               [--outcomes] [--quiet]

--dir reads the catalogue from DIR (default spec/requirements); evidence still resolves
against the project tree. --scan-vectors also counts as test evidence every vector whose
"requirements" field cites the id (vectors/**/*.json, or --vectors-dir), as if the row listed
it as `vector:<file>#<tcId>`; `make spec-lint` and `make check` use it with --strict. --summary
prints the counts per document and method as a table.
--outcomes appends one outcome line per file to $QSCD_OUTCOME_FILE (make check).
Exit status 1 on any error.
"""
import argparse
import collections
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
COMPONENTS = {"SAM", "SSA", "CM", "SIC", "LOG", "TSP", "AS", "SCA"}
METHODS = {"proof", "test", "process", "n/a"}
ID_STATUS = {"verified", "title-only", "inferred", "unverified", "ours"}
POLICIES = {"LSP", "NSP", "EUSPv2", "CONDITIONAL", "CHOICE", "SCAL1", "SCAL2"}
EVIDENCE_KINDS = {"proof", "unit", "vector", "test", "doc"}
PARAPHRASE_MAX = 450   # "one or two sentences": a longer cell is a sign of copied text

# File name -> (document, shape of its ids). The id schemes are in the README ("Our ids").
_CLAUSE = r"(?:\d+(?:\.\d+)*|[A-D](?:\.\d+)*)"
FILES = {
    "en419241-1.tsv": ("EN 419 241-1",
                       r"(?:SRG_(?:M|SO|IA|SA|KM|AA|AR|BK)|SRC_(?:SKS|SA|DSC)|SRA_(?:SAP|SKM))"
                       r"\.\d+(?:\.\d+)?"),
    "en419241-2.tsv": ("EN 419 241-2", r"241-2/[A-Z0-9]+(?:-[A-Z0-9]+)*"),
    "en419221-5.tsv": ("EN 419 221-5", r"221-5/[A-Z0-9]+(?:-[A-Z0-9]+)*"),
    "ts119431-1.tsv": ("TS 119 431-1", r"(?:OVR|GEN|LNK|SIG|DEL|EID)-" + _CLAUSE + r"-\d{2}[A-Z]?"),
    "ts119431-2.tsv": ("TS 119 431-2", r"(?:431-2:OVR|ASI)-" + _CLAUSE + r"-\d{2}[A-Z]?"),
    "ts119432.tsv": ("TS 119 432", r"TS119432-" + _CLAUSE + r"(?:-\d+)?"),
    "csc-api-v2.tsv": ("CSC API", r"CSC-\d+(?:\.\d+)*(?:-[a-z0-9]+)*"),
    "eidas.tsv": ("eIDAS", r"eIDAS-(?:Art\d+[a-z]?|AnnexII)(?:-[0-9a-z]+)*"),
}
DOCUMENTS = {doc for doc, _ in FILES.values()}


class Lint:
    def __init__(self):
        self.errors = []

    def error(self, where, msg):
        self.errors.append(f"{where}: {msg}")


def acsl_name(req_id):
    """The ACSL clause name an id traces to (README, "Tracing"; same rule as proof_summary)."""
    n = re.sub(r"[^A-Za-z0-9]+", "_", req_id).strip("_")
    return "R_" + n if n[:1].isdigit() else n


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


def check_list(lint, where, column, value, allowed):
    """A `,`-separated cell: known values, no empty item, no repeat."""
    items = [x.strip() for x in value.split(",")] if value else []
    for x in items:
        if not x:
            lint.error(where, f"empty item in '{column}' ({value!r})")
        elif x not in allowed:
            lint.error(where, f"{column} '{x}' not one of {sorted(allowed)}")
    for x, n in collections.Counter(items).items():
        if x and n > 1:
            lint.error(where, f"{column} '{x}' listed {n} times")


def check_method(lint, where, r):
    methods = r["method"].split("+") if r["method"] else []
    for m in methods:
        if m not in METHODS:
            lint.error(where, f"method '{m}' not one of {sorted(METHODS)}")
    for m, n in collections.Counter(methods).items():
        if n > 1:
            lint.error(where, f"method '{m}' listed {n} times")
    if "n/a" in methods and len(methods) > 1:
        lint.error(where, "method n/a cannot be combined")
    outside = "n/a" in methods or "process" in methods
    if outside and not r["na_reason"]:
        lint.error(where, "method n/a or process needs na_reason")
    if not outside and r["na_reason"]:
        lint.error(where, "na_reason is only for a method that is or includes n/a or process")
    return methods


def cited_by_vectors(vdir):
    """Requirement id -> the vector references whose "requirements" field cites it."""
    cited = {}
    for path in sorted(glob.glob(os.path.join(vdir, "**", "*.json"), recursive=True)):
        rel = os.path.relpath(path, vdir)
        if rel.split(os.sep)[0] in ("schemas", "external"):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        for g in doc.get("testGroups", []) if isinstance(doc, dict) else []:
            for t in g.get("tests", []) if isinstance(g, dict) else []:
                for req in t.get("requirements", []) if isinstance(t, dict) else []:
                    cited.setdefault(req, []).append(f"vector:{rel}#{t.get('tcId')}")
    return cited


def check_evidence(lint, where, r, methods, resolver, strict, stats, cited=None):
    refs = r["evidence"].split()
    kinds = set()
    for ref in refs:
        problem = resolver.check(ref)
        if problem:
            lint.error(where, f"{r['id']}: evidence {problem}")
        kinds.add(ref.partition(":")[0])
    if cited and r["id"] in cited and "test" in methods:
        if not kinds & {"unit", "vector", "test"}:
            stats.setdefault("test evidence only from vectors' requirements", []).append(r["id"])
        kinds.add("vector")
    for ref, n in collections.Counter(refs).items():
        if n > 1:
            lint.error(where, f"{r['id']}: evidence '{ref}' listed {n} times")
    for m, need in (("proof", {"proof"}), ("test", {"unit", "vector", "test"})):
        if m in methods and not (kinds & need):
            stats.setdefault(f"no {m} evidence yet", []).append(r["id"])
            if strict:
                lint.error(where, f"{r['id']}: method {m} but no {m} evidence")
    # A requirement the project tests is tested by the conformance suite, so that any target
    # can be checked against it: unit tests of the reference alone do not make it `test`.
    if strict and "test" in methods and kinds & {"unit", "test"} and "vector" not in kinds:
        stats.setdefault("test evidence without a vector", []).append(r["id"])
        lint.error(where, f"{r['id']}: method test but no vector (unit or integration tests "
                          f"of the reference alone)")


def check_row(lint, where, r, expect, seen, traced):
    """Everything about one row that does not need the tree."""
    for col in REQUIRED:
        if not r[col]:
            lint.error(where, f"empty '{col}'")
    for col, value in r.items():
        if value != value.strip():
            lint.error(where, f"white space around the value of '{col}'")
    rid = r["id"]
    if re.search(r"\s", rid):
        lint.error(where, f"id '{rid}' contains white space")
    if rid in seen:
        lint.error(where, f"duplicate id '{rid}' (first at {seen[rid]})")
    seen.setdefault(rid, where)
    name = acsl_name(rid)
    if name in traced and traced[name][0] != rid:
        lint.error(where, f"id '{rid}' traces to the same ACSL name '{name}' as "
                          f"'{traced[name][0]}' ({traced[name][1]})")
    traced.setdefault(name, (rid, where))
    if r["document"] not in DOCUMENTS:
        lint.error(where, f"document '{r['document']}' not one of {sorted(DOCUMENTS)}")
    if expect:
        doc, pattern = expect
        if r["document"] != doc:
            lint.error(where, f"document '{r['document']}' does not match the file "
                              f"(which holds '{doc}')")
        if rid and not re.fullmatch(pattern, rid):
            lint.error(where, f"id '{rid}' does not match the id pattern of {doc}: {pattern}")
    check_list(lint, where, "component", r["component"], COMPONENTS)
    check_list(lint, where, "policy", r["policy"], POLICIES)
    if r["id_status"] not in ID_STATUS:
        lint.error(where, f"id_status '{r['id_status']}' not one of {sorted(ID_STATUS)}")
    if len(r["paraphrase"]) > PARAPHRASE_MAX:
        lint.error(where, f"paraphrase of {len(r['paraphrase'])} characters "
                          f"(at most {PARAPHRASE_MAX}: one or two sentences of our own)")


def lint_file(path, lint, resolver, state, strict, stats, cited=None):
    name = os.path.relpath(path)
    base = os.path.basename(path)
    expect = FILES.get(base)
    if expect is None:
        lint.error(name, f"unknown catalogue file (one of {sorted(FILES)})")
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != COLUMNS:
        lint.error(name, "first line must be the header: " + "\\t".join(COLUMNS))
        return []
    rows = []
    versions = {}
    for n, line in enumerate(lines[1:], 2):
        where = f"{name}:{n}"
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            lint.error(where, f"{len(cells)} columns, expected {len(COLUMNS)}")
            continue
        r = dict(zip(COLUMNS, cells))
        check_row(lint, where, r, expect, state["seen"], state["traced"])
        methods = check_method(lint, where, r)
        check_evidence(lint, where, r, methods, resolver, strict, stats, cited)
        versions.setdefault(r["version"], where)
        rows.append(r)
    if len(versions) > 1:
        lint.error(name, "more than one version in one file: " +
                   ", ".join(f"'{v}' ({w})" for v, w in versions.items()))
    return rows


def print_summary(rows_by_file):
    """Counts per document and method, then per document and id status (Markdown tables)."""
    rows = [r for rs in rows_by_file.values() for r in rs]
    for column in ("method", "id_status"):
        values = sorted({r[column] for r in rows})
        print(f"| document | {' | '.join(values)} | total |")
        print("|---" * (len(values) + 2) + "|")
        for fname, rs in rows_by_file.items():
            count = collections.Counter(r[column] for r in rs)
            doc = FILES.get(fname, (fname,))[0]
            print(f"| {doc} | {' | '.join(str(count[v]) for v in values)} | {len(rs)} |")
        total = collections.Counter(r[column] for r in rows)
        print(f"| total | {' | '.join(str(total[v]) for v in values)} | {len(rows)} |")
        print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=REQ_DIR, help="catalogue directory (default %(default)s)")
    ap.add_argument("--strict", action="store_true",
                    help="fail on requirements marked proof/test that have no such evidence")
    ap.add_argument("--scan-vectors", action="store_true",
                    help="count vectors citing a requirement as its test evidence")
    ap.add_argument("--vectors-dir", default=os.path.join(TOP, "vectors"),
                    help="vectors folder for --scan-vectors (default %(default)s)")
    ap.add_argument("--summary", action="store_true",
                    help="print the counts per document and method (and id status)")
    ap.add_argument("--outcomes", action="store_true",
                    help="append outcome lines to $QSCD_OUTCOME_FILE")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()

    lint = Lint()
    resolver = Resolver()
    state = {"seen": {}, "traced": {}}
    stats = {}
    cited = cited_by_vectors(a.vectors_dir) if a.scan_vectors else None
    files = sorted(glob.glob(os.path.join(a.dir, "*.tsv")))
    per_file = {}
    rows_by_file = {}
    if not files:
        lint.error(os.path.relpath(a.dir), "no catalogue file (*.tsv)")
    for path in files:
        before = len(lint.errors)
        rows = lint_file(path, lint, resolver, state, a.strict, stats, cited)
        rows_by_file[os.path.basename(path)] = rows
        per_file[os.path.basename(path)] = (len(rows), len(lint.errors) - before)
    total = sum(n for n, _ in per_file.values())
    if a.summary:
        print_summary(rows_by_file)
    if not a.quiet:
        for fname, (n, errs) in per_file.items():
            print(f"spec-lint: {fname}: {n} requirements, {errs} error(s)")
        methods = collections.Counter(r["method"] for rs in rows_by_file.values() for r in rs)
        for m, n in sorted(methods.items()):
            print(f"spec-lint: method {m}: {n}")
        for key in ("no proof evidence yet", "no test evidence yet",
                    "test evidence only from vectors' requirements"):
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
