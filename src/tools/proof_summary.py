#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Turn one `make proof` run into the auditor's proof report.

Inputs (from --dir, written by src/tools/proof_run.sh): eva.log and eva.status (the EVA
session), and per core file wp/<file>.tsv (Report plugin, tab-separated), wp/<file>.json (WP
goals per function and prover), wp/<file>-classify.json (properties not proved) and
wp/<file>.status; seconds. Outputs (into --out): summary.md, summary.json and the merged
properties.tsv, wp.json, classify.json, plus eva.log. The verdict is Frama-C's exit status (--rc), never a guess from the log.

Requirement tracing: an ACSL clause traces to a catalogue requirement when its name is the
requirement id with every run of non-alphanumerics turned into "_" (ids starting with a digit
get "R_" in front), optionally followed by "_" and a suffix: `SRA_SKM_2_5_hash` traces to
SRA_SKM.2.5, `R_241_2_RIP_zeroed` to 241-2/RIP. The longest matching id wins.
"""
import argparse
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


# The SAM's checks (signHash, authorize and extend) and the clauses that prove each one.
SAM_CHECKS = [
    ("SAD token MAC verified", {"SOLE_CONTROL_verified"}),
    ("SAD token not expired, not from the future (trusted clock, bounded skew)",
     {"SOLE_CONTROL_unexpired"}),
    ("key = the token's credential", {"SOLE_CONTROL_credential"}),
    ("credential owned by the token's signer", {"SOLE_CONTROL_owner"}),
    ("requester authenticated as that signer, in the signer role",
     {"SOLE_CONTROL_requester", "SRA_SKM_2_7_no_privileged_signing",
      "SRA_SKM_2_7_no_privileged_authorisation", "SRA_SKM_2_7_no_privileged_extension"}),
    ("credential enabled, certificate valid and not revoked",
     {"SOLE_CONTROL_credential_usable"}),
    ("every hash listed in the token, of its algorithm and length", {"SOLE_CONTROL_hash"}),
    ("signatures used + requested <= numSignatures, registry not exhausted",
     {"SOLE_CONTROL_count", "SOLE_CONTROL_consumes_one", "SOLE_CONTROL_within_grant", "CSC_11_9_count"}),
    ("signature algorithm fits the key", {"SOLE_CONTROL_algorithm"}),
    ("SAD issued only after both factors", {"SAP_TWO_FACTOR", "SRA_SAP_2_4_authenticated"}),
    ("locked signer refused; failures counted, lock at the limit",
     {"SAP_NOT_LOCKED", "SRC_SA_2_2_not_locked", "SRC_SA_2_1_counted", "SRC_SA_2_2_lock_at_limit",
      "SRC_SA_2_1_reset"}),
    ("extension: an unexpired, verified token with a signature left; the same grant (token id, "
     "signer, credential, hashes, count, issue time) with a later expiry within the cap",
     {"EXTEND_verified", "EXTEND_unexpired", "EXTEND_bounded", "CSC_11_9_expired_sad_refused",
      "CSC_11_9_registry_checked", "CSC_11_9_same_grant", "CSC_11_9_lifetime", "CSC_11_9_capped"}),
    ("exactly one audit event per call", {"SRG_AA_1_one_event"}),
    ("no signature and no token on any failure", {"nothing_on_error", "no_token_on_error"}),
]



def acsl_name(req_id):
    """The ACSL identifier a requirement id becomes (see the module docstring)."""
    n = re.sub(r"[^A-Za-z0-9]+", "_", req_id).strip("_")
    return "R_" + n if n[:1].isdigit() else n


def catalogue_ids(req_dir=None):
    ids = []
    req_dir = req_dir or os.path.join(TOP, "spec", "requirements")
    for path in sorted(glob.glob(os.path.join(req_dir, "*.tsv"))):
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            if "id" not in header:
                continue
            col = header.index("id")
            for line in f:
                cells = line.rstrip("\n").split("\t")
                if len(cells) > col and cells[col] and not cells[col].startswith("#"):
                    ids.append(cells[col])
    return ids


def read_properties(path):
    """Rows of the Report plugin's table, only for the project's own files."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 7:
                continue
            r = dict(zip(["dir", "file", "line", "function", "kind", "status", "property"],
                         cells[:6] + ["\t".join(cells[6:])]))
            # Frama-C's own libc specifications are listed too; they are not our properties.
            if "FRAMAC_SHARE" in r["dir"] or r["dir"].startswith("/usr/share/frama-c"):
                continue
            rows.append(r)
    return rows


RANK = {"Valid": 3, "Partially proven": 2, "Considered valid": 1}


def consolidate(rows):
    """One row per property over all the sessions. A property is proved in the session of the
    file that defines its function and only assumed (Considered valid) in the others: keep the
    best status, but any session that could not prove it makes it unproved. Returns the rows,
    the properties that are only ever assumed and live in acsl/ports (the trusted base), and the
    ones only ever assumed anywhere else (an error: a contract nobody proves)."""
    best = collections.OrderedDict()
    contract = ("postcondition", "assigns clause", "termination clause", "exits clause",
                "from clause", "disjoint clause", "complete clause")
    for r in rows:
        # A contract clause is reported at the prototype by the sessions that assume it and at
        # the definition by the one that proves it: the same property, keyed without location.
        if r["kind"] in contract or r["kind"].startswith("postcondition"):
            key = (r["function"], r["kind"], r["property"])
        else:
            key = (r["dir"], r["file"], r["line"], r["function"], r["kind"], r["property"])
        cur = best.get(key)
        if cur is None:
            best[key] = dict(r)
        elif r["status"] not in RANK or cur["status"] not in RANK:
            if cur["status"] in RANK:
                best[key] = dict(r)
        elif RANK[r["status"]] > RANK[cur["status"]]:
            best[key] = dict(r)
    out = list(best.values())
    assumed = [r for r in out if r["status"] == "Considered valid" and
               r["dir"].startswith("acsl/ports")]
    unjustified = [r for r in out if r["status"] == "Considered valid" and
                   not r["dir"].startswith("acsl/ports")]
    return out, assumed, unjustified


def clause_name(prop):
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):", prop)
    return m.group(1) if m else None


def trace(rows, ids):
    by_name = {acsl_name(i): i for i in ids}
    names = sorted(by_name, key=len, reverse=True)
    traced = collections.OrderedDict()
    for r in rows:
        c = clause_name(r["property"])
        if not c:
            continue
        for n in names:
            if c == n or c.startswith(n + "_"):
                traced.setdefault(by_name[n], []).append(r)
                break
    return traced


def tool_versions():
    path = os.path.join(TOP, "build", "tool-versions.json")
    if not os.path.exists(path):
        subprocess.run([os.path.join(HERE, "tool-versions.sh"), "--json", path],
                       stdout=subprocess.DEVNULL, check=False)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def eva_alarms(log):
    """The alarms of every EVA session in the log (proof_run.sh puts theirs one after the other)."""
    m = re.findall(r"(\d+) alarms? generated by the analysis", log)
    return sum(int(x) for x in m) if m else None


def eva_sessions(d, spec):
    """[{name, drivers, spec, exit, alarms, seconds}] from OUTDIR/eva/*.status, in the order of
    EVA_SESSIONS (name=drivers=spec ...)."""
    out = []
    for entry in spec.split():
        name, drivers, fns = (entry.split("=") + ["", ""])[:3]
        try:
            rc, alarms, secs = open(os.path.join(d, "eva", name + ".status")).read().split()
        except (OSError, ValueError):
            rc, alarms, secs = "?", "?", "?"
        out.append({"name": name, "drivers": [x for x in drivers.split(",") if x],
                    "from_contracts": [x for x in fns.split(",") if x],
                    "exit": rc, "alarms": alarms, "seconds": secs})
    return out


def eva_coverage(d):
    """(functions, reached, total, gaps) from OUTDIR/eva-coverage.tsv and its .status, or None."""
    try:
        rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(d, "eva-coverage.tsv"))][1:]
        gaps = int(open(os.path.join(d, "eva-coverage.tsv.status")).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return len(rows), sum(int(r[2]) for r in rows), sum(int(r[3]) for r in rows), gaps


def eva_alarm_list(log):
    """(place, message) of every run-time-error alarm EVA emitted, once each."""
    out, seen = [], set()
    for m in re.finditer(r"\[eva:alarm\] (\S+): Warning: *\n((?:  .*\n)+)", log):
        msg = " ".join(x.strip() for x in m.group(2).splitlines() if "::" not in x and "stack:" not in x)
        if "assert" in msg and "got status" not in msg and "assertion" not in msg:
            key = (m.group(1).rstrip(":"), msg)
            if key not in seen:
                seen.add(key)
                out.append(key)
    return out


def cache_words(mode, entries):
    """How the WP cache stood at the start: the run's time means little without it."""
    if entries is None:
        return f"WP cache mode `{mode}`"
    if entries == 0:
        return f"**from an empty WP cache** (mode `{mode}`: the provers ran on every goal)"
    return f"from a WP cache of {entries} entries (mode `{mode}`: provers ran only on goals it lacked)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="where Frama-C wrote its outputs")
    ap.add_argument("--out", required=True, help="report directory (reports/proof)")
    ap.add_argument("--rc", type=int, required=True, help="frama-c exit status")
    ap.add_argument("--cache", default="update", help="WP cache mode used")
    ap.add_argument("--cache-entries", type=int, default=None,
                    help="WP cache entries under acsl/session/ before the run (0: empty cache)")
    ap.add_argument("--jobs", default="?", help="Frama-C sessions run at a time (PROOF_JOBS)")
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    wpdir = os.path.join(a.dir, "wp")
    rows, unproved, files = [], [], []
    wp = {"wp:global": {}, "wp:functions": {}}
    for tsv in sorted(glob.glob(os.path.join(wpdir, "*.tsv"))):
        name = os.path.basename(tsv)[:-4]
        file_rows = read_properties(tsv)
        rows.extend(file_rows)
        try:
            st = open(os.path.join(wpdir, name + ".status")).read().split()
        except OSError:
            st = ["?", "?"]
        try:
            cl = json.load(open(os.path.join(wpdir, name + "-classify.json"), encoding="utf-8"))
        except (OSError, ValueError):
            cl = None
        try:
            w = json.load(open(os.path.join(wpdir, name + ".json"), encoding="utf-8"))
        except (OSError, ValueError):
            w = {}
        for prover, v in w.get("wp:global", {}).items():
            g = wp["wp:global"].setdefault(prover, {"total": 0, "valid": 0})
            g["total"] += v.get("total", 0)
            g["valid"] += v.get("valid", 0)
        wp["wp:functions"].update(w.get("wp:functions", {}))
        if cl is None:
            unproved.append({"title": "(no classification: the session failed)", "file": name,
                             "line": 0})
        else:
            unproved.extend(cl)
        files.append({"file": name + ".c", "exit": st[0], "seconds": st[1] if len(st) > 1 else "?",
                      "properties": len(file_rows),
                      "valid": sum(r["status"] == "Valid" for r in file_rows)})
    if not files:
        unproved = None
    rows, assumed, unjustified = consolidate(rows)
    if unproved is not None:
        for r in unjustified:
            unproved.append({"title": f"{r['function']}: {r['property'][:60]} (assumed, never proved)",
                             "file": r["file"], "line": r["line"]})
    with open(os.path.join(a.dir, "properties.tsv"), "w", encoding="utf-8") as f:
        f.write("directory\tfile\tline\tfunction\tproperty kind\tstatus\tproperty\n")
        for r in rows:
            f.write("\t".join([r["dir"], r["file"], r["line"], r["function"], r["kind"],
                                r["status"], r["property"]]) + "\n")
    with open(os.path.join(a.dir, "wp.json"), "w", encoding="utf-8") as f:
        json.dump(wp, f, indent=1)
    with open(os.path.join(a.dir, "classify.json"), "w", encoding="utf-8") as f:
        json.dump(unproved if unproved is not None else [{"title": "no WP result"}], f, indent=1)
    try:
        log = open(os.path.join(a.dir, "eva.log"), encoding="utf-8", errors="replace").read()
    except OSError:
        log = ""
    try:
        seconds = int(open(os.path.join(a.dir, "seconds")).read().strip())
    except (OSError, ValueError):
        seconds = None
    alarms = eva_alarms(log)
    try:
        eva_skipped = open(os.path.join(a.dir, "eva.status")).read().strip() == "skipped"
    except OSError:
        eva_skipped = False
    alarm_list = eva_alarm_list(log)
    sessions = [] if eva_skipped else eva_sessions(a.dir, os.environ.get("EVA_SESSIONS", ""))
    coverage = None if eva_skipped else eva_coverage(a.dir)
    ids = catalogue_ids()
    traced = trace(rows, ids)
    versions = tool_versions()

    status = collections.Counter(r["status"] for r in rows)
    per_fn = collections.OrderedDict()
    for r in rows:
        c = per_fn.setdefault(r["function"] or "(global)", collections.Counter())
        c["total"] += 1
        c["valid"] += r["status"] == "Valid"
    provers = wp.get("wp:global", {})
    ok = a.rc == 0 and unproved == [] and (alarms == 0 or eva_skipped)
    wp_ok = unproved == [] and all(str(fi["exit"]) == "0" for fi in files)
    verdict = ("PASS" if ok else "FAIL") + (" (WP only: EVA not run)" if eva_skipped else "")

    summary = {
        "verdict": verdict,
        "frama_c_exit": a.rc,
        "eva_alarms": None if eva_skipped else alarms,
        "eva_run": not eva_skipped,
        "eva_alarm_list": alarm_list,
        "eva_sessions": sessions,
        "eva_coverage": None if coverage is None else
        {"functions": coverage[0], "statements_reached": coverage[1], "statements": coverage[2]},
        "seconds": seconds,
        "cache_mode": a.cache,
        "cache_entries_before": a.cache_entries,
        "jobs": a.jobs,
        "properties": {"total": len(rows), **dict(status)},
        "wp_goals": provers,
        "files": files,
        "assumptions": [{"function": r["function"], "property": r["property"],
                         "file": r["dir"] + "/" + r["file"], "line": r["line"]} for r in assumed],
        "functions": {f: dict(c) for f, c in per_fn.items()},
        "unproved": unproved,
        "requirements": {k: [{"function": r["function"], "property": clause_name(r["property"]),
                              "status": r["status"], "file": r["file"], "line": r["line"]}
                             for r in v] for k, v in traced.items()},
        "tool_versions": versions,
    }
    with open(os.path.join(a.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    for name in ("properties.tsv", "wp.json", "classify.json", "eva.log", "eva-coverage.tsv"):
        src = os.path.join(a.dir, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(a.out, name))

    md = []
    md.append("# Proof summary\n")
    md.append(f"**Verdict: {verdict}.** Frama-C exit status {a.rc}; "
              f"EVA alarms: {'not run (PROOF_EVA=0, as in make check)' if eva_skipped else alarms if alarms is not None else 'not reported'}; "
              f"properties not proved: {len(unproved) if unproved is not None else 'unknown'}.\n")
    md.append(f"Time: {seconds if seconds is not None else '?'} s on this machine, "
              f"{a.jobs} sessions at a time, EVA {'not run' if eva_skipped else 'included'}, "
              f"{cache_words(a.cache, a.cache_entries)}.\n")
    md.append("Command: `make proof` (flags in `acsl/frama-c.mk`). Session and cache: "
              "`acsl/session/`. Assumptions: `spec/trusted-base.md`.\n")
    md.append("## Properties by status (project files only)\n")
    md.append("| status | count |\n|---|---|")
    for s, n in sorted(status.items()):
        md.append(f"| {s} | {n} |")
    md.append(f"| **total** | {len(rows)} |\n")
    md.append("## Sessions\n")
    md.append("EVA runs in the sessions below; WP runs one "
              "session per core file, each function proved against the contracts of its callees "
              "(`src/tools/proof_run.sh`).\n")
    md.append("| file | properties valid | total | exit | seconds |\n|---|---|---|---|---|")
    for fi in files:
        md.append(f"| `{fi['file']}` | {fi['valid']} | {fi['properties']} | {fi['exit']} | "
                  f"{fi['seconds']} |")
    md.append("")
    if sessions:
        md.append("## EVA sessions\n")
        md.append("EVA runs one session per layer of the core (`EVA_SESSIONS` in `acsl/frama-c.mk`): "
                  "each calls its drivers on unknown inputs; a session takes the functions in its "
                  "last column from their WP-proved contracts, their bodies being analysed by the "
                  "`base` session (`spec/trusted-base.md`, T-FC-3).\n")
        md.append("| session | drivers | from their contracts | exit | alarms | seconds |\n"
                  "|---|---|---|---|---|---|")
        for e in sessions:
            md.append(f"| {e['name']} | {', '.join(e['drivers'])} | "
                      f"{', '.join('`%s`' % x for x in e['from_contracts']) or '(none)'} | "
                      f"{e['exit']} | {e['alarms']} | {e['seconds']} |")
        md.append("")
        if coverage and coverage[3] == 0:
            md.append(f"Coverage: {coverage[0]} functions of `src/core`, every one analysed by a "
                      f"session; {coverage[1]} of {coverage[2]} statements reached, the other "
                      f"{coverage[2] - coverage[1]} dead as `acsl/harness/eva-dead.tsv` says "
                      "(checked by `src/tools/eva_cover.py`; per function in `eva-coverage.tsv`).\n")
        else:
            md.append("**Coverage: FAILED** (a core function no session analysed, or statements "
                      "not reached that `acsl/harness/eva-dead.tsv` does not list: see the "
                      "`proof: EVA coverage:` lines of the run).\n")
    if alarm_list:
        md.append("## EVA alarms\n")
        md.append("Each is a place where EVA could not show the absence of a run-time error on the "
                  "drivers' inputs (WP's RTE guards prove every one of them for all inputs the "
                  "contracts allow; see the Sessions table).\n")
        md.append("| place | alarm |\n|---|---|")
        for where, what in alarm_list:
            md.append(f"| {where} | `{what}` |")
        md.append("")
    md.append("## WP goals per prover\n")
    md.append("| prover | valid | total |\n|---|---|---|")
    for p, v in sorted(provers.items()):
        md.append(f"| {p} | {v.get('valid', 0)} | {v.get('total', 0)} |")
    md.append("")
    md.append("## Properties per function\n")
    md.append("| function | valid | total |\n|---|---|---|")
    for fn, c in per_fn.items():
        md.append(f"| `{fn}` | {c['valid']} | {c['total']} |")
    md.append("")
    md.append("## The sole-control, authorisation and extension theorems\n")
    md.append("The preconditions of the sign port (`qscd_port_sign`, `SOLE_CONTROL_*`), of the "
              "SAD registry's create port (`qscd_port_registry_create`, `SAP_*`) and of its "
              "extend port (`qscd_port_registry_extend`, `EXTEND_*`) in "
              "`acsl/ports/qscd_ports.h` are proved at every call site in the core "
              "(`spec/trusted-base.md` states them in plain words).\n")
    md.append("| property | function | status |\n|---|---|---|")
    for r in rows:
        c = clause_name(r["property"]) or ""
        if c.startswith(("SOLE_CONTROL", "SAP_", "EXTEND_")) and r["kind"].startswith("precondition"):
            md.append(f"| `{c}` | `{r['function']}` | {r['status']} |")
    md.append("")
    md.append("## The SAM's checks and the properties that prove them\n")
    md.append("Each check the SAM makes before a key is used or a SAD issued "
              "(`spec/sap.md`), with the named properties that prove it and their status.\n")
    md.append("| check | property | function | status |\n|---|---|---|---|")
    for check, names in SAM_CHECKS:
        for r in rows:
            c = clause_name(r["property"]) or ""
            if c in names:
                md.append(f"| {check} | `{c}` | `{r['function']}` | {r['status']} |")
    md.append("")
    md.append("## Requirements and the properties that discharge them\n")
    if traced:
        md.append("| requirement | function | property | status |\n|---|---|---|---|")
        for req, props in traced.items():
            for r in props:
                md.append(f"| {req} | `{r['function']}` | `{clause_name(r['property'])}` | "
                          f"{r['status']} |")
    else:
        md.append("No clause is named after a catalogue requirement yet.")
    md.append("")
    if unproved:
        md.append("## Not proved\n")
        md.append("| property | file | line |\n|---|---|---|")
        for u in unproved:
            md.append(f"| `{u.get('title')}` | {u.get('file')} | {u.get('line')} |")
        md.append("")
    md.append("## Assumptions (the ports' contracts, acsl/ports/)\n")
    md.append(f"{len(assumed)} properties are assumed, not proved: the contracts of the ports "
              "through which the core reaches the world (`acsl/ports/qscd_ports.h`, listed in "
              "`spec/trusted-base.md`). Every other property is proved.\n")
    md.append("## Tool versions\n")
    md.append("| tool | version |\n|---|---|")
    for k in ("frama-c", "why3", "z3", "cvc4", "gcc", "os"):
        if k in versions:
            md.append(f"| {k} | {versions[k]} |")
    md.append("")
    with open(os.path.join(a.out, "summary.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md))

    valid = status.get("Valid", 0)
    eva_text = "not run" if eva_skipped else alarms if alarms is not None else "?"
    print(f"proof: {verdict}: {valid}/{len(rows)} properties valid, EVA alarms "
          f"{eva_text}, {len(traced)} requirements traced, "
          f"{seconds if seconds is not None else '?'} s (reports/proof/summary.md)")
    out = os.environ.get("QSCD_OUTCOME_FILE")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(f"proof;frama-c (WP, every property);{'PASS' if wp_ok else 'FAIL'};"
                    f"{len(unproved) if unproved is not None else '?'} not proved, exit {a.rc}\n")
            if eva_skipped:
                f.write("proof;EVA alarms;SKIP;EVA not run (PROOF_EVA=0): "
                        "make proof runs it\n")
            else:
                f.write(f"proof;EVA alarms;{'PASS' if alarms == 0 else 'FAIL'};"
                        f"{alarms if alarms is not None else 'no EVA result'} alarm(s)\n")
                f.write(f"proof;EVA coverage (every core function analysed);"
                        f"{'PASS' if coverage and coverage[3] == 0 else 'FAIL'};"
                        + (f"{coverage[0]} functions, {coverage[1]}/{coverage[2]} statements, "
                           f"{coverage[3]} gap(s)" if coverage else "no coverage table") + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
