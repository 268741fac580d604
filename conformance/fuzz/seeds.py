#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the fuzzers' seed corpus: one file per CBOR input found in the vectors (the project's
*_test.json "input" fields, RFC 8949 Appendix A, the COSE examples' messages and their
protected headers). usage: seeds.py VECTORS_DIR OUT_DIR"""
import glob
import hashlib
import json
import os
import sys


def inputs(top):
    for p in glob.glob(os.path.join(top, "**", "*_test.json"), recursive=True):
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        for g in doc.get("testGroups", []):
            for t in g.get("tests", []):
                yield t.get("input", "")
    with open(os.path.join(top, "external", "cbor", "appendix_a.json"), encoding="utf-8") as f:
        for item in json.load(f):
            yield item["hex"]
    for p in glob.glob(os.path.join(top, "external", "cose-examples", "*.json")):
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        yield doc["output"]["cbor"]
        for v in doc.get("intermediates", {}).values():
            if isinstance(v, str):
                yield v


def main():
    top, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = 0
    for h in inputs(top):
        data = bytes.fromhex(h)
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(out, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            n += 1
    print(f"seeds: {n} new file(s) in {out}")


if __name__ == "__main__":
    main()
