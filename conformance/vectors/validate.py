#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check every vectors/**/*_test.json against the JSON Schema its "schema" field names
(vectors/schemas/), and the rules a schema cannot say: tcIds are 1, 2, ... without gaps,
numberOfTests is the number of tests, every flag used is described in "notes".

usage: validate.py [--outcomes] DIR   (--outcomes: one outcome line per file to
$QSCD_OUTCOME_FILE, see src/tools/step.sh). Exit 1 on any error.
"""
import glob
import json
import os
import sys

import jsonschema


def problems(path, schemas):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    name = doc.get("schema")
    if not name:
        return ["no \"schema\" field"]
    if name not in schemas:
        return [f"schema {name} not found in vectors/schemas/"]
    errs = [f"{'/'.join(map(str, e.path))}: {e.message}"
            for e in jsonschema.Draft7Validator(schemas[name]).iter_errors(doc)]
    tests = [t for g in doc.get("testGroups", []) for t in g.get("tests", [])]
    ids = [t.get("tcId") for t in tests]
    if ids != list(range(1, len(ids) + 1)):
        errs.append("tcIds are not 1, 2, 3, ... in order")
    if doc.get("numberOfTests") != len(tests):
        errs.append(f"numberOfTests {doc.get('numberOfTests')} but {len(tests)} tests")
    notes = doc.get("notes", {})
    for t in tests:
        for fl in t.get("flags", []):
            if fl not in notes:
                errs.append(f"tcId {t.get('tcId')}: flag {fl} has no note")
    return errs


def main():
    args = sys.argv[1:]
    outcomes = "--outcomes" in args
    args = [a for a in args if a != "--outcomes"]
    top = args[0] if args else "vectors"
    schemas = {}
    for p in glob.glob(os.path.join(top, "schemas", "*.json")):
        with open(p, encoding="utf-8") as f:
            schemas[os.path.basename(p)] = json.load(f)
    files = sorted(p for p in glob.glob(os.path.join(top, "**", "*_test.json"), recursive=True)
                   if os.sep + "external" + os.sep not in p)
    out = os.environ.get("QSCD_OUTCOME_FILE") if outcomes else None
    bad = 0
    for p in files:
        errs = problems(p, schemas)
        bad += bool(errs)
        print(f"{'FAIL' if errs else 'ok  '} {p}")
        for e in errs[:20]:
            print(f"     {e}")
        if out:
            with open(out, "a", encoding="utf-8") as f:
                cause = errs[0].replace(";", ",").replace("\n", " ") if errs else ""
                f.write(f"vectors;{os.path.relpath(p, top)};{'FAIL' if errs else 'PASS'};{cause}\n")
    print(f"vectors: {len(files)} file(s), {bad} with errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
