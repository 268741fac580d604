# SPDX-License-Identifier: Apache-2.0
"""What the vector generators (pkcs11_vectors.py, csc_vectors.py) share: numbering tcIds in
order, counting numberOfTests, keeping the notes of the flags in use, and writing the files.

A table function returns (algorithm, notes, groups, header); each group has "tests" without
tcIds.
"""
import json
import os


def build(fn, kind, schema):
    algorithm, notes, groups, header = fn()
    n, used = 0, set()
    for g in groups:
        tests = []
        for test in g["tests"]:
            n += 1
            used.update(test["flags"])
            tests.append({"tcId": n, **test})
        g["tests"] = tests
    return {"algorithm": algorithm, "kind": kind, "schema": schema, "generatorVersion": "1",
            "numberOfTests": n, "header": [header],
            "notes": {k: v for k, v in notes.items() if k in used}, "testGroups": groups}


def write(files, out, kind, schema, prog):
    """Write every file of {name: table function} into `out`; print one line."""
    os.makedirs(out, exist_ok=True)
    total = 0
    for fname, fn in files.items():
        doc = build(fn, kind, schema)
        total += doc["numberOfTests"]
        with open(os.path.join(out, fname), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    print(f"{prog}: {len(files)} files, {total} vectors in {os.path.relpath(out)}")
