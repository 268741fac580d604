#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write reports/index.html: one static page (no JavaScript) that links every report the
last runs produced and says plainly which parts do not exist yet.

Reads: reports/proof/summary.json, build/check/summary.json, reports/coverage/summary.json,
reports/conformance/*/results.json (and reports/golden/conformance/*.json, to say whether
each target's verdicts equal the committed ones), reports/bench/results.json,
build/tool-versions.json. It first regenerates reports/traceability.{md,html} and, when
conformance results exist, reports/conformance/matrix.html from whatever inputs exist. A part
whose input is missing is shown as "not produced", with the reason; nothing is ever shown as
passing without its result file.
"""
import argparse
import datetime
import glob
import html
import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Parts of the mission that are not built yet, and the issue that builds them. Remove a line
# when its part lands: the page then shows its real results instead.
NOT_YET = {
    "conformance": "No conformance result: run `make conformance` (the reference stack, and "
                   "the PKCS#11 target against SoftHSMv2 and NSS softokn).",
    "bench": "No benchmark exists yet (issues 3 and 8).",
    "traceability": "The traceability matrix was not produced (src/tools/traceability.py "
                    "failed; see the make output).",
}


def load(path):
    try:
        with open(os.path.join(TOP, path), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def esc(s):
    return html.escape(str(s), quote=True)


def badge(ok):
    if ok is None:
        return '<span class="na">not produced</span>'
    return '<span class="pass">PASS</span>' if ok else '<span class="fail">FAIL</span>'


def section_proof(out):
    s = load("reports/proof/summary.json")
    if s is None:
        return ("Proof", None, "<p>No proof result: run <code>make proof</code>.</p>")
    props = s.get("properties", {})
    body = [f"<p>{badge(s.get('verdict') == 'PASS')} Frama-C exit {esc(s.get('frama_c_exit'))}; "
            f"{esc(props.get('Valid', 0))} of {esc(props.get('total', 0))} properties valid; "
            f"EVA alarms: {esc(s.get('eva_alarms')) if s.get('eva_run', True) else 'EVA not run'}; "
            f"{esc(len(s.get('requirements', {})))} "
            f"requirements traced to proved clauses; {esc(s.get('seconds'))} s.</p>",
            '<p><a href="proof/summary.md">summary.md</a> · '
            '<a href="proof/properties.tsv">property table</a> · '
            '<a href="proof/wp.json">WP goals (JSON)</a> · '
            '<a href="proof/classify.json">unproved properties (JSON)</a></p>']
    return ("Proof", s.get("verdict") == "PASS", "\n".join(body))


def section_check(out):
    s = load("build/check/summary.json")
    if s is None:
        return ("Tests (make check)", None, "<p>No test result: run <code>make check</code>.</p>")
    rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v.get('PASS', 0))}</td>"
                   f"<td>{esc(v.get('FAIL', 0))}</td><td>{esc(v.get('SKIP', 0))}</td></tr>"
                   for k, v in s.get("suites", {}).items())
    fails = "".join(f"<li>{esc(f[0])}: {esc(f[1])}: {esc(f[3])}</li>" for f in s["failures"])
    skips = "".join(f"<li>{esc(f[0])}: {esc(f[1])}: {esc(f[3])}</li>" for f in s["skips"])
    body = (f"<p>{badge(s['failed'] == 0)} {s['passed']} passed, {s['failed']} failed, "
            f"{s['skipped']} skipped.</p>"
            f"<table><tr><th>suite</th><th>pass</th><th>fail</th><th>skip</th></tr>{rows}</table>"
            + (f"<h3>Failures</h3><ul>{fails}</ul>" if fails else "")
            + (f"<h3>Skipped, with the reason</h3><ul>{skips}</ul>" if skips else ""))
    return ("Tests (make check)", s["failed"] == 0, body)


def section_coverage(out):
    s = load("reports/coverage/summary.json")
    if s is None:
        return ("Coverage", None, "<p>No coverage result: run <code>make coverage</code>.</p>")
    body = (f"<p>Lines {s.get('line_percent', 0):.1f} % ({s.get('line_covered')}/"
            f"{s.get('line_total')}), functions {s.get('function_percent', 0):.1f} %, "
            f"branches {s.get('branch_percent', 0):.1f} % of <code>src/</code> under the unit "
            f"tests. <a href=\"coverage/index.html\">Details</a> · "
            f"<a href=\"coverage/cobertura.xml\">Cobertura XML</a></p>")
    return ("Coverage", True, body)


def golden_status(target, vectors):
    """'equal', 'differs (n)' or 'no golden file', comparing the verdicts of the vectors run."""
    g = load(f"reports/golden/conformance/{target}.json")
    if not g or "vectors" not in g:
        return "no golden file", None
    diff = sum(1 for v in vectors if v.get("verdict") != "NOT-RUN"
               and g["vectors"].get(v["id"]) != v.get("verdict"))
    return ("equal" if diff == 0 else f"differs in {diff} vector(s)"), diff == 0


def section_conformance(out):
    results = sorted(glob.glob(os.path.join(TOP, "reports", "conformance", "*", "results.json")))
    if not results:
        return ("Conformance", None, f"<p>{esc(NOT_YET['conformance'])}</p>")
    rows, fails = [], []
    ok = True
    for r in results:
        d = load(os.path.relpath(r, TOP)) or {}
        t = os.path.basename(os.path.dirname(r))
        tot = d.get("totals", {})
        status, equal = golden_status(t, d.get("vectors", []))
        ok = ok and equal is True
        desc = d.get("target", {})
        rows.append(f'<tr><td><a href="conformance/{esc(t)}/index.html">{esc(t)}</a></td>'
                    f"<td>{esc(desc.get('library', ''))} {esc(desc.get('libraryVersion', ''))}</td>"
                    + "".join(f"<td>{esc(tot.get(k, 0))}</td>"
                              for k in ("PASS", "FAIL", "SKIP", "ACCEPTED-EITHER"))
                    + f"<td>{esc(status)}</td><td>{esc(d.get('date', ''))}</td></tr>")
        fails += [f"<li>{esc(t)}: <code>{esc(v['id'])}</code> {esc(v.get('comment', ''))}: "
                  f"{esc(v.get('reason', ''))}</li>" for v in d.get("vectors", [])
                  if v.get("verdict") == "FAIL"]
    matrix = os.path.exists(os.path.join(TOP, "reports", "conformance", "matrix.html"))
    body = ("<p>The verdict here is whether every target's verdicts equal its committed golden "
            "file (no unexplained change); the FAILs below are findings about the modules, "
            "recorded in the golden files and shown plainly.</p>"
            "<table><tr><th>target</th><th>module</th><th>PASS</th><th>FAIL</th><th>SKIP</th>"
            "<th>ACCEPTED-EITHER</th><th>golden file</th><th>run</th></tr>" + "".join(rows) +
            "</table>"
            + ('<p><a href="conformance/matrix.html">Interop matrix (vectors × targets)</a></p>'
               if matrix else "")
            + (f"<h3>FAIL verdicts ({len(fails)})</h3><ul>{''.join(fails)}</ul>" if fails else ""))
    return ("Conformance", ok, body)


def section_bench(out):
    s = load("reports/bench/results.json")
    if s is None:
        return ("Performance", None, f"<p>{esc(NOT_YET['bench'])}</p>")
    return ("Performance", True, '<p><a href="bench/results.json">results.json</a></p>')


def section_traceability(out):
    if not os.path.exists(os.path.join(TOP, "reports", "traceability.html")):
        return ("Traceability", None, f"<p>{esc(NOT_YET['traceability'])}</p>")
    return ("Traceability", True, '<p><a href="traceability.html">Requirement → proofs → '
                                  'vectors → outcomes</a> (also as '
                                  '<a href="traceability.md">Markdown</a>): every catalogue '
                                  'requirement with its evidence and latest outcomes; those '
                                  'with no evidence at all first.</p>')


def regenerate():
    """The derived pages, from whatever inputs exist (each tool says what is missing)."""
    tools = [["traceability.py", "--out", os.path.join(TOP, "reports")]]
    if glob.glob(os.path.join(TOP, "reports", "conformance", "*", "results.json")):
        tools.append(["conformance_matrix.py"])
    for tool in tools:
        subprocess.run([sys.executable, os.path.join(TOP, "src", "tools", tool[0])] + tool[1:],
                       check=False)


CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
.pass{background:#1a7f37;color:#fff;padding:0 .4em}.fail{background:#cf222e;color:#fff;padding:0 .4em}
.na{background:#6e7781;color:#fff;padding:0 .4em}code{background:#f3f3f3;padding:0 .2em}"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="reports", help="report directory")
    a = ap.parse_args()
    out = os.path.join(TOP, a.out)
    os.makedirs(out, exist_ok=True)
    if out == os.path.join(TOP, "reports"):
        regenerate()
    versions = load("build/tool-versions.json") or {}
    sections = [f(out) for f in (section_proof, section_check, section_coverage,
                                 section_conformance, section_traceability, section_bench)]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>qscd reports</title>", f"<style>{CSS}</style></head><body>",
             "<h1>qscd: proof, test and conformance reports</h1>",
             f"<p>Generated {esc(now)} by <code>make report</code>.</p>",
             "<table><tr><th>part</th><th>result</th></tr>"]
    for title, ok, _ in sections:
        parts.append(f'<tr><td><a href="#{esc(title.split()[0].lower())}">{esc(title)}</a></td>'
                     f"<td>{badge(ok)}</td></tr>")
    parts.append("</table>")
    for title, _ok, body in sections:
        parts.append(f'<h2 id="{esc(title.split()[0].lower())}">{esc(title)}</h2>{body}')
    parts.append("<h2 id=\"versions\">Tool versions</h2><table>")
    for k, v in sorted(versions.items()):
        parts.append(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>")
    parts.append("</table></body></html>")
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
    print(f"report: {os.path.relpath(os.path.join(out, 'index.html'), TOP)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
