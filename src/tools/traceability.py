#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the traceability matrix, reports/traceability.md and reports/traceability.html.

For every requirement of the catalogue (spec/requirements/*.tsv): its method; the proof
properties that discharge it with their statuses (reports/proof/summary.json "requirements",
and `proof:` evidence resolved against reports/proof/properties.tsv); the vectors that cite it
(their "requirements" field, or `vector:` evidence) with the latest verdict per target
(reports/conformance/*/results.json); the unit tests of its `unit:` evidence with their latest
outcome (build/check/*.csv); other evidence; and the process note (na_reason). Totals per
document and per method. Requirements with no evidence at all come first. An input that does
not exist is named at the top of the report, with what produces it.

  traceability.py [--out reports]
"""
import argparse
import collections
import datetime
import glob
import html
import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rel(*p):
    return os.path.join(TOP, *p)


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def catalogue():
    rows = []
    for path in sorted(glob.glob(rel("spec", "requirements", "*.tsv"))):
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                cells = line.rstrip("\n").split("\t")
                if len(cells) == len(header) and cells[0] and not cells[0].startswith("#"):
                    rows.append(dict(zip(header, cells)))
    return rows


def clause_name(prop):
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):", prop)
    return m.group(1) if m else None


def proof_properties():
    """Clause name -> [(function, status)] from the Report plugin's table."""
    out = collections.defaultdict(list)
    path = rel("reports", "proof", "properties.tsv")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        f.readline()
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= 7:
                c = clause_name("\t".join(cells[6:]))
                if c:
                    out[c].append((cells[3], cells[5]))
    return out


def vectors_citing():
    """Requirement id -> vector ids; vector id -> comment."""
    cites, comments = collections.defaultdict(list), {}
    vdir = rel("vectors")
    for path in sorted(glob.glob(os.path.join(vdir, "**", "*.json"), recursive=True)):
        r = os.path.relpath(path, vdir)
        if r.split(os.sep)[0] in ("schemas", "external"):
            continue
        doc = load_json(path)
        for g in (doc or {}).get("testGroups", []):
            for t in g.get("tests", []):
                vid = f"{r}#{t.get('tcId')}"
                comments[vid] = t.get("comment", "")
                for req in t.get("requirements", []):
                    cites[req].append(vid)
    return cites, comments


def conformance_results():
    """target -> {vector id: (verdict, reason)}."""
    out = collections.OrderedDict()
    for path in sorted(glob.glob(rel("reports", "conformance", "*", "results.json"))):
        d = load_json(path) or {}
        out[os.path.basename(os.path.dirname(path))] = {
            v["id"]: (v.get("verdict", "?"), v.get("reason", "")) for v in d.get("vectors", [])}
    return out


def unit_outcomes():
    out = {}
    for path in glob.glob(rel("build", "check", "*.csv")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split(";", 3)
                if len(parts) >= 3 and parts[0].startswith("unit."):
                    out[f"{parts[0][5:]}/{parts[1]}"] = parts[2]
    return out


def trace(row, ctx):
    """Everything the inputs say about one requirement."""
    rid = row["id"]
    refs = row.get("evidence", "").split()
    proofs = []
    for p in (ctx["proof_summary"] or {}).get("requirements", {}).get(rid, []):
        proofs.append((p.get("property"), p.get("function"), p.get("status")))
    for ref in refs:
        if ref.startswith("proof:"):
            clause = ref[6:]
            found = (ctx["properties"] or {}).get(clause, [])
            if not found:
                proofs.append((clause, "", "no result (run make proof)"))
            for fn, status in found:
                if (clause, fn, status) not in proofs:
                    proofs.append((clause, fn, status))
    vectors = list(ctx["cites"].get(rid, []))
    for ref in refs:
        if ref.startswith("vector:"):
            path, _, tc = ref[7:].partition("#")
            ids = [ref[7:]] if tc else [v for v in ctx["comments"] if v.startswith(path + "#")]
            vectors += [v for v in ids if v not in vectors]
    vres = []
    for vid in vectors:
        per = [(t, res[vid][0]) for t, res in ctx["conformance"].items() if vid in res]
        vres.append((vid, ctx["comments"].get(vid, ""), per))
    units = [(ref[5:], ctx["units"].get(ref[5:], "no result (run make check)"))
             for ref in refs if ref.startswith("unit:")]
    other = [ref for ref in refs if ref.split(":")[0] in ("test", "doc")]
    return {"proofs": proofs, "vectors": vres, "units": units, "other": other,
            "any": bool(proofs or vres or units or other)}


def verdict_summary(vres):
    c = collections.defaultdict(collections.Counter)
    for _vid, _comment, per in vres:
        for t, verdict in per:
            c[t][verdict] += 1
    if not c:
        return "not run by any target yet" if vres else ""
    return "; ".join(f"{t}: " + ", ".join(f"{n} {v}" for v, n in sorted(cnt.items()))
                     for t, cnt in c.items())


def totals(rows, traced, key):
    out = collections.OrderedDict()
    for r in rows:
        k = r[key]
        c = out.setdefault(k, collections.Counter())
        tr = traced[r["id"]]
        c["requirements"] += 1
        c["with evidence"] += tr["any"]
        c["proof properties"] += bool(tr["proofs"])
        c["all properties valid"] += bool(tr["proofs"]) and all(s == "Valid" for _, _, s in tr["proofs"])
        c["vectors"] += bool(tr["vectors"])
        c["unit tests"] += bool(tr["units"])
        c["process note"] += bool(r.get("na_reason"))
    return out


COLS = ["requirements", "with evidence", "proof properties", "all properties valid", "vectors",
        "unit tests", "process note"]


def inputs_status(ctx):
    s = []
    if ctx["proof_summary"] is None:
        s.append("no proof report (reports/proof/summary.json): run `make proof`")
    if ctx["properties"] is None:
        s.append("no property table (reports/proof/properties.tsv): run `make proof`")
    if not ctx["conformance"]:
        s.append("no conformance results (reports/conformance/*/results.json): run "
                 "`make conformance`")
    if not ctx["units"]:
        s.append("no unit-test outcomes (build/check/*.csv): run `make check`")
    return s


def write_md(path, rows, traced, ctx, now):
    L = [f"# Traceability: requirement → proofs → vectors → outcomes\n",
         f"Generated {now} by `src/tools/traceability.py` (`make report`). "
         f"{len(rows)} requirements from `spec/requirements/`.\n"]
    missing = inputs_status(ctx)
    if missing:
        L.append("Inputs not available, so their columns are empty: " + "; ".join(missing) + ".\n")
    for title, key in (("document", "document"), ("method", "method")):
        L.append(f"## Totals per {title}\n")
        L.append(f"| {title} | " + " | ".join(COLS) + " |")
        L.append("|---" * (len(COLS) + 1) + "|")
        for k, c in totals(rows, traced, key).items():
            L.append(f"| {k} | " + " | ".join(str(c[x]) for x in COLS) + " |")
        L.append("")
    order = sorted(rows, key=lambda r: (traced[r["id"]]["any"], r["document"], r["id"]))
    L.append("## Requirements (those with no evidence at all first)\n")
    L.append("| id | document | method | proofs | vectors | unit tests | other | process note |")
    L.append("|---|---|---|---|---|---|---|---|")
    for r in order:
        tr = traced[r["id"]]
        pr = ", ".join(f"{c} ({s})" for c, _f, s in tr["proofs"])
        vs = (f"{len(tr['vectors'])}: {verdict_summary(tr['vectors'])}" if tr["vectors"] else "")
        un = ", ".join(f"{u} ({o})" for u, o in tr["units"])
        def cell(x):
            return x.replace("|", "\\|")
        L.append(f"| {r['id']} | {r['document']} | {r['method']} | {cell(pr)} | {cell(vs)} | "
                 f"{cell(un)} | {cell(' '.join(tr['other']))} | {cell(r.get('na_reason', ''))} |")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:110em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.15em .4em;text-align:left;vertical-align:top}
.none{background:#ffe3e1}.PASS,.Valid{color:#1a7f37}.FAIL{color:#cf222e;font-weight:bold}
.SKIP,.NOT-RUN{color:#6e7781}.ACCEPTED-EITHER{color:#9a6700}small{color:#555}ul{margin:0;padding-left:1.1em}"""


def esc(s):
    return html.escape(str(s), quote=True)


def anchor(rid):
    return "r-" + re.sub(r"[^A-Za-z0-9]+", "-", rid)


def write_html(path, rows, traced, ctx, now):
    H = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         "<title>qscd traceability</title>", f"<style>{CSS}</style></head><body>",
         "<h1>Traceability: requirement → proofs → vectors → outcomes</h1>",
         f"<p>Generated {esc(now)} by <code>src/tools/traceability.py</code>. {len(rows)} "
         "requirements from <code>spec/requirements/</code>. Also as "
         '<a href="traceability.md">Markdown</a>.</p>']
    missing = inputs_status(ctx)
    if missing:
        H.append("<p>Inputs not available, so their columns are empty:</p><ul>" +
                 "".join(f"<li>{esc(m)}</li>" for m in missing) + "</ul>")
    for title, key in (("document", "document"), ("method", "method")):
        H.append(f"<h2>Totals per {title}</h2><table><tr><th>{title}</th>" +
                 "".join(f"<th>{esc(c)}</th>" for c in COLS) + "</tr>")
        for k, c in totals(rows, traced, key).items():
            H.append(f"<tr><td>{esc(k)}</td>" + "".join(f"<td>{c[x]}</td>" for x in COLS) + "</tr>")
        H.append("</table>")
    H.append("<h2>Requirements</h2><p>Rows shaded red have no evidence at all; they come "
             "first.</p><table><tr><th>id</th><th>document, clause</th><th>method</th>"
             "<th>title</th><th>proof properties</th><th>vectors (latest verdict per target)</th>"
             "<th>unit tests</th><th>other evidence</th><th>process note</th></tr>")
    for r in sorted(rows, key=lambda r: (traced[r["id"]]["any"], r["document"], r["id"])):
        tr = traced[r["id"]]
        proofs = "".join(f'<li><code>{esc(c)}</code> <span class="{esc(s)}">{esc(s)}</span></li>'
                         for c, _f, s in tr["proofs"])
        vecs = ""
        if tr["vectors"]:
            items = []
            for vid, comment, per in tr["vectors"][:12]:
                res = ", ".join(f'{esc(t)} <span class="{esc(v)}">{esc(v)}</span>' for t, v in per)
                items.append(f"<li><code>{esc(vid)}</code> <small>{esc(comment)}</small> "
                             f"{res or '<small>not run yet</small>'}</li>")
            more = len(tr["vectors"]) - 12
            vecs = (f"<small>{esc(verdict_summary(tr['vectors']))}</small><ul>" + "".join(items) +
                    (f"<li>… {more} more</li>" if more > 0 else "") + "</ul>")
        units = "".join(f'<li><code>{esc(u)}</code> <span class="{esc(o)}">{esc(o)}</span></li>'
                        for u, o in tr["units"])
        H.append(f'<tr id="{anchor(r["id"])}" class="{"" if tr["any"] else "none"}">'
                 f"<td><code>{esc(r['id'])}</code></td><td>{esc(r['document'])} "
                 f"{esc(r.get('clause', ''))}</td><td>{esc(r['method'])}</td>"
                 f"<td>{esc(r.get('title', ''))}</td><td><ul>{proofs}</ul></td><td>{vecs}</td>"
                 f"<td><ul>{units}</ul></td><td>{esc(' '.join(tr['other']))}</td>"
                 f"<td>{esc(r.get('na_reason', ''))}</td></tr>")
    H.append("</table></body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(H) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=rel("reports"))
    a = ap.parse_args()
    cites, comments = vectors_citing()
    ctx = {"proof_summary": load_json(rel("reports", "proof", "summary.json")),
           "properties": proof_properties(), "cites": cites, "comments": comments,
           "conformance": conformance_results(), "units": unit_outcomes()}
    rows = catalogue()
    traced = {r["id"]: trace(r, ctx) for r in rows}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    os.makedirs(a.out, exist_ok=True)
    write_md(os.path.join(a.out, "traceability.md"), rows, traced, ctx, now)
    write_html(os.path.join(a.out, "traceability.html"), rows, traced, ctx, now)
    none = sum(not t["any"] for t in traced.values())
    print(f"traceability: {len(rows)} requirements, {len(rows) - none} with evidence, {none} "
          f"with none; {os.path.relpath(os.path.join(a.out, 'traceability.html'), TOP)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
