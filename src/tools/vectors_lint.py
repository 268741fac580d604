#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check the vector files (vectors/**/*.json, but not schemas/ or external/).

For every file: it is JSON; its "schema" names a schema in vectors/schemas/ that is itself a
valid JSON Schema, and the file validates against it (Debian's python3-jsonschema); tcIds are
unique in the file; numberOfTests is the number of tests; every flag a test uses has a note;
every requirement id exists in the catalogue (spec/requirements/*.tsv); every acceptable
result names its profileOption; in CSC flows every "${name}" is captured by an earlier step
(the runner makes "${sic}", a SIC assertion, over the "challenge" an earlier step captured);
in sam-admin vectors every placeholder is the runner's or an earlier capture, and every change
to the store is flagged and undone.

  vectors_lint.py [--dir DIR] [--catalogue DIR] [--outcomes] [--quiet]

--outcomes appends one line "vectors-lint;<file>;PASS|FAIL;<counts>" per file to
$QSCD_OUTCOME_FILE (make check). Exit status 1 on any error.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys

from proof_summary import catalogue_ids

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP_DIRS = ("schemas", "external")
VAR = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_.]*)(?::[a-z0-9]+)?\}")


def vector_files(vdir):
    out = []
    for path in sorted(glob.glob(os.path.join(vdir, "**", "*.json"), recursive=True)):
        rel = os.path.relpath(path, vdir)
        if rel.split(os.sep)[0] not in SKIP_DIRS:
            out.append(rel)
    return out


def load_schema(vdir, name, cache, errors):
    if name in cache:
        return cache[name]
    import jsonschema
    path = os.path.join(vdir, "schemas", name)
    schema = None
    try:
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        cls.check_schema(schema)
        schema = cls(schema)
    except OSError:
        errors.append(f"no schema vectors/schemas/{name}")
        schema = None
    except (ValueError, jsonschema.exceptions.SchemaError) as e:
        errors.append(f"schema {name} is not a valid JSON Schema: {str(e).splitlines()[0]}")
        schema = None
    cache[name] = schema
    return schema


def check_steps(test, where, errors):
    """CSC flows: a "${name}" must be captured by an earlier step of the same test; the runner
    makes "${sic}" (a SIC assertion) over the challenge an earlier step captured."""
    captured = set()
    for n, step in enumerate(test.get("steps", []), 1):
        text = json.dumps([step.get("request", {}), step.get("headers", {})])
        for var in VAR.findall(text):
            if var == "sic" and "challenge" not in captured:
                errors.append(f"{where}: step {n} uses ${{sic}}, but no earlier step captures "
                              "the challenge it is made over")
            elif not var.startswith("config.") and var not in ("hash", "sic", *captured):
                errors.append(f"{where}: step {n} uses ${{{var}}}, which no earlier step captures")
        captured.update(step.get("capture", {}).keys())


SAM_VAR = re.compile(r"\$\{([^}]*)\}")
SAM_FIXED = ("nonce", "scratch", "dir")


def check_sam_steps(test, where, errors):
    """sam-admin vectors: every placeholder is one the runner fills (${nonce}, ${scratch},
    ${dir}, ${file:NAME}) or a capture of an earlier step (${NAME}, ${totp:NAME}); a change to
    the store (tamper) is flagged StoreChange, and is undone by a later one."""
    captured = set()
    tampers = 0
    for n, step in enumerate(test.get("steps", []), 1):
        if "tamper" in step:
            tampers += 1
            continue
        for var in SAM_VAR.findall(json.dumps({k: v for k, v in step.items() if k != "capture"})):
            name = var[5:] if var.startswith("totp:") else var
            if var in SAM_FIXED or (var.startswith("file:") and "/" not in var):
                continue
            if name not in captured:
                errors.append(f"{where}: step {n} uses ${{{var}}}, which no earlier step captures")
        captured.update(step.get("capture", {}).keys())
    if tampers and "StoreChange" not in test.get("flags", []):
        errors.append(f"{where}: changes the store (tamper) without the StoreChange flag")
    if tampers % 2:
        errors.append(f"{where}: an odd number of store changes: one is not undone")


def lint_file(vdir, rel, ids, cache):
    errors = []
    try:
        with open(os.path.join(vdir, rel), encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return 0, [f"not JSON: {e}"], []
    if not isinstance(doc, dict):
        return 0, ["the top level is not an object"], []
    name = doc.get("schema")
    validator = load_schema(vdir, name, cache, errors) if isinstance(name, str) else None
    if not isinstance(name, str):
        errors.append("no \"schema\" naming a file in vectors/schemas/")
    if validator is not None:
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.path))[:20]:
            path = "/".join(str(p) for p in e.path)
            errors.append(f"schema: at /{path}: {e.message[:200]}")
    tests = [(g, t) for g in doc.get("testGroups", []) if isinstance(g, dict)
             for t in g.get("tests", []) if isinstance(t, dict)]
    notes = doc.get("notes", {}) if isinstance(doc.get("notes"), dict) else {}
    for tcid, n in collections.Counter(t.get("tcId") for _, t in tests).items():
        if n > 1:
            errors.append(f"tcId {tcid} used {n} times")
    if doc.get("numberOfTests") != len(tests):
        errors.append(f"numberOfTests is {doc.get('numberOfTests')}, the file has {len(tests)} tests")
    used_flags = set()
    for _, t in tests:
        where = f"tcId {t.get('tcId')}"
        for flag in t.get("flags", []) or []:
            used_flags.add(flag)
            if flag not in notes:
                errors.append(f"{where}: flag '{flag}' has no note")
        for req in t.get("requirements", []) or []:
            if req not in ids:
                errors.append(f"{where}: requirement '{req}' is not in the catalogue")
        if t.get("result") == "acceptable" and not t.get("profileOption"):
            errors.append(f"{where}: an acceptable result needs its profileOption")
        if "steps" in t and doc.get("kind") == "sam-admin":
            check_sam_steps(t, where, errors)
        elif "steps" in t:
            check_steps(t, where, errors)
    warnings = [f"note '{flag}' is not used by any test" for flag in sorted(set(notes) - used_flags)]
    return len(tests), errors, warnings


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=os.path.join(TOP, "vectors"))
    ap.add_argument("--catalogue", default=os.path.join(TOP, "spec", "requirements"))
    ap.add_argument("--outcomes", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    try:
        import jsonschema  # noqa: F401  (Debian python3-jsonschema)
    except ImportError:
        print("vectors-lint: python3-jsonschema is missing (make deps installs it)", file=sys.stderr)
        return 1
    ids = set(catalogue_ids(a.catalogue))
    files = vector_files(a.dir)
    cache = {}
    results = []
    total_errors = 0
    total_tests = 0
    for rel in files:
        n, errors, warnings = lint_file(a.dir, rel, ids, cache)
        results.append((rel, n, errors))
        total_errors += len(errors)
        total_tests += n
        if not a.quiet:
            print(f"vectors-lint: {rel}: {n} vectors, {len(errors)} error(s)")
            for e in errors:
                print(f"vectors-lint: error: {rel}: {e}", file=sys.stderr)
            for w in warnings:
                print(f"vectors-lint: warning: {rel}: {w}", file=sys.stderr)
    if not files:
        print(f"vectors-lint: no vector file under {a.dir}", file=sys.stderr)
        total_errors += 1
    if not a.quiet:
        print(f"vectors-lint: {total_tests} vectors in {len(files)} files, {total_errors} error(s)")
    out = os.environ.get("QSCD_OUTCOME_FILE")
    if a.outcomes and out:
        with open(out, "a", encoding="utf-8") as f:
            for rel, n, errors in results:
                cause = f"{n} vectors, {len(errors)} error(s)" + (f": {errors[0]}" if errors else "")
                f.write(f"vectors-lint;{rel};{'FAIL' if errors else 'PASS'};{cause.replace(';', ',')}\n")
            if not files:
                f.write("vectors-lint;vectors;FAIL;no vector file\n")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
