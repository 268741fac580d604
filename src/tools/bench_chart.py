#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Gather the benchmarks' JSON files into one result, a table and a chart (`make bench`).

Reads DIR/p11.json, DIR/samd.json and DIR/ssa.json (whichever exist), writes
DIR/results.json (one series per layer: signatures per second against concurrency, with the
ratio to raw C_Sign of the same run and thread count), prints the table and draws
DIR/chart.svg: throughput against concurrency on log scales, one line per layer, the raw HSM
as the reference line. Standard library only; the SVG is written by hand.
"""
import html
import json
import math
import os
import sys

# Layer, colour, dashed: from the bottom of the stack to the top.
STYLE = [
    ("raw C_Sign (HSM, session key)", "#222222", False),
    ("raw C_Sign + context login", "#777777", True),
    ("PKCS#11 adapter", "#8c564b", False),
    ("SAM socket, 1 hash/request", "#1f77b4", False),
    ("SAM socket, 10 hashes/request", "#17becf", False),
    ("SAM socket, bench-samd (1 hash, N signers)", "#9467bd", True),
    ("HTTPS (SSA+SAM), 1 hash/request", "#d62728", False),
    ("HTTPS (SSA+SAM), 10 hashes/request", "#ff7f0e", False),
]


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def add(series, name, x, y, raw=None, login=None):
    pts = series.setdefault(name, [])
    pt = {"concurrency": x, "signatures_per_s": round(y, 1)}
    if raw:
        pt["ratio_to_raw"] = round(y / raw, 4)
    if login:
        pt["ratio_to_raw_with_login"] = round(y / login, 4)
    pts.append(pt)


def from_ssa(ssa, series):
    """Raw figures and both service layers of bench-ssa (one run, so the ratios hold)."""
    raw = next((c for c in ssa.get("cases", []) if c.get("case") == "raw C_Sign"), None)
    if raw is None:
        return
    n, r1, rn = raw["threads"], raw["per_s_1_thread"], raw["per_s_n_threads"]
    add(series, STYLE[0][0], 1, r1, r1)
    add(series, STYLE[0][0], n, rn, rn)
    add(series, STYLE[1][0], 1, raw["with_context_login_per_s_1_thread"], r1)
    add(series, STYLE[1][0], n, raw["with_context_login_per_s_n_threads"], rn)
    for c in ssa["cases"]:
        if c.get("case") != "signHash":
            continue
        layer = "SAM socket" if c["layer"].startswith("SAM") else "HTTPS (SSA+SAM)"
        per = c["hashes_per_request"]
        name = f"{layer}, {per} hash{'es' if per > 1 else ''}/request"
        add(series, name, c["concurrency"], c["signatures_per_s"], c["raw_c_sign_per_s"],
            c["raw_with_context_login_per_s"])


def from_p11(p11, series, raw):
    """The adapter against raw C_Sign for P-256 (its own run: the ratio is to its raw)."""
    for c in p11.get("cases", []):
        if c.get("algorithm") == "ECDSA P-256":
            add(series, STYLE[2][0], c["threads"], c["adapter_per_s"], c["raw_per_s"])


def from_samd(samd, series, raw):
    """bench-samd: the SAM over its socket with 1-8 signers. Its own reference is the HSM
    through the adapter as the SAM uses it (context login and verification per signature),
    shown in the "+login" column; the raw ratio uses bench-ssa's raw C_Sign."""
    for r in samd.get("sam", []):
        x = r["signers"]
        ref = raw.get(1 if x == 1 else max(raw)) if raw else None
        add(series, STYLE[5][0], x, r["sig_per_s"], ref,
            samd["hsm_1"] if x == 1 else samd["hsm_n"])


def table(series):
    lines = [f"{'layer (ECDSA P-256)':<44} {'conc.':>5} {'sig/s':>10} {'vs raw':>8} {'vs +login':>9}"]
    for name, _c, _d in STYLE:
        for p in series.get(name, []):
            r = p.get("ratio_to_raw")
            lg = p.get("ratio_to_raw_with_login")
            lines.append(f"{name:<44} {p['concurrency']:>5} {p['signatures_per_s']:>10.1f} "
                         f"{(f'{r:.3f}' if r else '-'):>8} {(f'{lg:.3f}' if lg else '-'):>9}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------- the chart

W, H = 900, 520
LEFT, RIGHT, TOP, BOTTOM = 80, 330, 50, 60


def chart(series, subtitle):
    pts = [p for s in series.values() for p in s]
    xmax = max(32, max(p["concurrency"] for p in pts))
    ys = [p["signatures_per_s"] for p in pts if p["signatures_per_s"] > 0]
    ylo = 10 ** math.floor(math.log10(min(ys)))
    yhi = 10 ** math.ceil(math.log10(max(ys)))
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x):
        return LEFT + pw * math.log2(x) / math.log2(xmax)

    def py(y):
        return TOP + ph * (1 - (math.log10(y) - math.log10(ylo)) /
                           (math.log10(yhi) - math.log10(ylo)))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">qscd: signatures per '
           f'second against concurrency, each layer and the raw HSM</text>',
           f'<text x="{LEFT}" y="39" fill="#555">{html.escape(subtitle)}</text>']
    x = 1
    while x <= xmax:   # vertical grid: powers of two
        out.append(f'<line x1="{px(x):.1f}" y1="{TOP}" x2="{px(x):.1f}" y2="{TOP + ph}" '
                   f'stroke="#e4e4e4"/><text x="{px(x):.1f}" y="{TOP + ph + 16}" '
                   f'text-anchor="middle">{x}</text>')
        x *= 2
    y = ylo
    while y <= yhi:    # horizontal grid: decades, with 2 and 5 unlabelled
        for m in (1, 2, 5):
            if y * m <= yhi:
                out.append(f'<line x1="{LEFT}" y1="{py(y * m):.1f}" x2="{LEFT + pw}" '
                           f'y2="{py(y * m):.1f}" stroke="{"#d0d0d0" if m == 1 else "#f0f0f0"}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:,.0f}</text>')
        y *= 10
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 18}" text-anchor="middle">concurrency '
               f'(threads, clients or signers; log scale)</text>')
    out.append(f'<text transform="translate(22,{TOP + ph / 2}) rotate(-90)" '
               f'text-anchor="middle">signatures per second (log scale)</text>')
    ly = TOP + 6
    for name, colour, dashed in STYLE:
        s = sorted(series.get(name, []), key=lambda p: p["concurrency"])
        if not s:
            continue
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        path = " ".join(f'{px(p["concurrency"]):.1f},{py(p["signatures_per_s"]):.1f}' for p in s)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        if name in (STYLE[0][0], STYLE[1][0]):   # measured at 1 and all cores: carried flat
            last = s[-1]
            out.append(f'<line x1="{px(last["concurrency"]):.1f}" y1="{py(last["signatures_per_s"]):.1f}" '
                       f'x2="{px(xmax):.1f}" y2="{py(last["signatures_per_s"]):.1f}" '
                       f'stroke="{colour}" stroke-width="1" stroke-dasharray="2 4"/>')
        for p in s:
            out.append(f'<circle cx="{px(p["concurrency"]):.1f}" cy="{py(p["signatures_per_s"]):.1f}" '
                       f'r="3" fill="{colour}"><title>{html.escape(name)}: '
                       f'{p["signatures_per_s"]:,.0f}/s at {p["concurrency"]}</title></circle>')
        lx = LEFT + pw + 16
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/><text x="{lx + 30}" y="{ly + 4}">{html.escape(name)}</text>')
        ly += 20
    out.append(f'<text x="{LEFT + pw + 16}" y="{ly + 14}" fill="#555">The HSM\'s figures were '
               f'measured at 1 and</text>')
    out.append(f'<text x="{LEFT + pw + 16}" y="{ly + 30}" fill="#555">all cores; dotted: carried '
               f'flat beyond.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    d = argv[1] if len(argv) > 1 else "reports/bench"
    ssa, p11, samd = (load(os.path.join(d, f"{n}.json")) for n in ("ssa", "p11", "samd"))
    series, raw = {}, {}
    if ssa:
        from_ssa(ssa, series)
        raw = {p["concurrency"]: p["signatures_per_s"] for p in series.get(STYLE[0][0], [])}
    if p11:
        from_p11(p11, series, raw)
    if samd:
        from_samd(samd, series, raw)
    if not series:
        print(f"bench-chart: no benchmark result in {d}", file=sys.stderr)
        return 1
    meta = ssa or p11 or {}
    result = {"benchmark": "qscd", "date": meta.get("date"), "machine": meta.get("machine"),
              "versions": meta.get("versions"),
              "notes": "Signatures per second (ECDSA P-256) against concurrency, per layer; "
                       "ratio_to_raw: against raw C_Sign of bench-ssa's run at the same thread "
                       "count (1 thread for concurrency 1, else all cores; the adapter: its own "
                       "run's raw); ratio_to_raw_with_login: against raw C_Sign with the "
                       "context login (bench-samd: against its own HSM-through-the-adapter "
                       "rate, login and verification included). Figures, not verdicts; "
                       "sources: p11.json, samd.json, ssa.json beside this file.",
              "series": [{"layer": n, "points": series[n]} for n, _c, _d in STYLE if n in series],
              "latency": [c for c in (ssa or {}).get("cases", [])
                          if c.get("case") == "authorize+signHash latency"]}
    with open(os.path.join(d, "results.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    m = meta.get("machine") or {}
    subtitle = (f"ECDSA P-256, SoftHSMv2; {m.get('cpus', '?')} CPUs, {m.get('system', '')} "
                f"{m.get('release', '')}; {meta.get('date', '')}")
    with open(os.path.join(d, "chart.svg"), "w", encoding="utf-8") as f:
        f.write(chart(series, subtitle))
    print(table(series))
    print(f"bench-chart: wrote {d}/results.json and {d}/chart.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
