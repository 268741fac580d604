#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the interop matrix, reports/conformance/matrix.html: every vector (rows) against
every target that has results (columns, from reports/conformance/*/results.json), with the
verdict in each cell and its reason beside it. Static HTML, no script. Rows where the targets
disagree come first, since those are the differences between modules a vendor or a TSP wants
to see.

  conformance_matrix.py [--out reports/conformance/matrix.html]
"""
import argparse
import glob
import html
import json
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORDER = ["FAIL", "ACCEPTED-EITHER", "SKIP", "PASS", "NOT-RUN"]
CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.15em .4em;text-align:left;vertical-align:top}
.PASS{background:#dafbe1}.FAIL{background:#ffd7d5}.SKIP{background:#eee}.ACCEPTED-EITHER{background:#fff3c4}
.NOT-RUN{color:#888}small{color:#555}"""


def esc(s):
    return html.escape(str(s), quote=True)


def load_targets(conf_dir):
    targets = []
    for path in sorted(glob.glob(os.path.join(conf_dir, "*", "results.json"))):
        try:
            with open(path, encoding="utf-8") as f:
                targets.append((os.path.basename(os.path.dirname(path)), json.load(f)))
        except (OSError, ValueError):
            continue
    return targets


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(TOP, "reports", "conformance", "matrix.html"))
    a = ap.parse_args()
    conf_dir = os.path.dirname(os.path.abspath(a.out))
    targets = load_targets(conf_dir)
    rows = {}
    for name, data in targets:
        for v in data.get("vectors", []):
            r = rows.setdefault(v["id"], {"comment": v.get("comment", ""),
                                          "requirements": v.get("requirements", []),
                                          "expected": v.get("expected", ""), "cells": {}})
            r["cells"][name] = (v.get("verdict", "NOT-RUN"), v.get("reason", ""))
    names = [n for n, _ in targets]

    def key(item):
        vid, r = item
        verdicts = {r["cells"].get(n, ("NOT-RUN", ""))[0] for n in names}
        return (0 if len(verdicts) > 1 else 1, vid.split("#")[0], int(vid.split("#")[1]))

    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>qscd conformance: interop matrix</title>", f"<style>{CSS}</style></head><body>",
           "<h1>Conformance: interop matrix</h1>"]
    if not targets:
        out.append("<p>No conformance results yet: run <code>make conformance</code>.</p>")
    else:
        out.append(f"<p>{len(rows)} vectors × {len(names)} targets. Rows where the targets "
                   "disagree come first. Each cell is the verdict; its reason is beside it.</p>")
        out.append("<table><tr><th>target</th><th>module</th>" +
                   "".join(f"<th>{esc(v)}</th>" for v in ORDER) + "</tr>")
        for n, d in targets:
            t = d.get("totals", {})
            desc = d.get("target", {})
            out.append(f'<tr><td><a href="{esc(n)}/index.html">{esc(n)}</a></td>'
                       f"<td>{esc(desc.get('library', ''))} {esc(desc.get('libraryVersion', ''))}"
                       f"</td>" + "".join(f"<td>{esc(t.get(v, 0))}</td>" for v in ORDER) + "</tr>")
        out.append("</table>")
        out.append("<h2>Vectors</h2><table><tr><th>vector</th><th>comment</th>"
                   "<th>requirements</th><th>expected</th>" +
                   "".join(f"<th>{esc(n)}</th>" for n in names) + "</tr>")
        for vid, r in sorted(rows.items(), key=key):
            cells = []
            for n in names:
                verdict, reason = r["cells"].get(n, ("NOT-RUN", "no result for this target"))
                cells.append(f'<td class="{esc(verdict)}">{esc(verdict)}'
                             + (f"<br><small>{esc(reason)}</small>" if reason else "") + "</td>")
            out.append(f"<tr><td><code>{esc(vid)}</code></td><td>{esc(r['comment'])}</td>"
                       f"<td>{esc(', '.join(r['requirements']))}</td><td>{esc(r['expected'])}</td>"
                       + "".join(cells) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"conformance-matrix: {os.path.relpath(a.out, TOP)} ({len(rows)} vectors, "
          f"{len(names)} targets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
