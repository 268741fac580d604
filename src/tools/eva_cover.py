#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""EVA coverage gate of `make proof` (called by src/tools/proof_run.sh).

EVA runs in several sessions, and a session takes some functions from their contracts; a
zero-alarm result says nothing about code no session reached. So, over the sessions' logs
(each ends with the Metrics plugin's `-metrics-eva-cover` table, "f: X stmts out of Y"):

  * every function defined in the core files must be analysed by at least one session;
  * every statement of it must be reached by that session, but for the dead statements the
    file --dead lists (function, count, why EVA finds them unreachable): the count must match
    exactly, so a function that loses statements, or a listed one that gains them, fails.

Writes --out (TSV: function, file, reached, total, sessions) and --out.status (gaps, statements
reached, statements), and exits 1 on any gap.

  eva_cover.py --dead acsl/harness/eva-dead.tsv --out OUT.tsv --core src/core/*.c -- LOG...
"""
import argparse
import collections
import re
import sys

DEF = re.compile(r"^(?:static\s+)?(?:inline\s+)?(?:const\s+)?[A-Za-z_]\w*(?:\s+|\s*\*+\s*)"
                 r"(?:\*\s*)*([A-Za-z_]\w*)\(")
COVER = re.compile(r"^\s+([A-Za-z_]\w*): (\d+) stmts out of (\d+) ")


def core_functions(paths):
    """(name, file) of every function with a body: a definition line at column 0 (house style:
    the return type and the name on one line, the opening brace alone on a later line)."""
    out = []
    for path in paths:
        lines = open(path, encoding="utf-8").read().split("\n")
        for i, line in enumerate(lines):
            m = DEF.match(line)
            if not m or line.rstrip().endswith(";"):
                continue
            j = i
            while j < len(lines) and not lines[j].startswith("{") and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and lines[j].startswith("{"):
                out.append((m.group(1), path))
    return out


def session_cover(log_path):
    """{function: (reached, total)} from one session's -metrics-eva-cover table."""
    cover, inside = {}, False
    for line in open(log_path, encoding="utf-8", errors="replace"):
        if "Statements analyzed by Eva" in line:
            inside = True
            continue
        m = COVER.match(line) if inside else None
        if m:
            cover[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return cover


def read_dead(path):
    dead = {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) != 3 or not f[1].isdigit() or not f[2].strip():
            sys.exit(f"eva_cover: {path}:{n}: want function<TAB>count<TAB>why")
        dead[f[0]] = int(f[1])
    return dead


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dead", required=True, help="TSV of the statements EVA proves dead")
    ap.add_argument("--out", required=True, help="coverage table to write (TSV)")
    ap.add_argument("--core", nargs="+", required=True, help="the core's C files")
    ap.add_argument("logs", nargs="+", help="the EVA sessions' logs")
    a = ap.parse_args()

    best = collections.defaultdict(lambda: (0, 0, []))
    for log in a.logs:
        name = re.sub(r"\.log$", "", log.rsplit("/", 1)[-1])
        cover = session_cover(log)
        if not cover:
            print(f"eva_cover: {log}: no coverage table (did the session finish?)")
            return 1
        for fn, (reached, total) in cover.items():
            r, t, who = best[fn]
            best[fn] = (max(r, reached), total, who + [name])
    dead = read_dead(a.dead)
    errors, rows = [], []
    defined = core_functions(a.core)
    counts = collections.Counter(fn for fn, _ in defined)
    for fn, path in defined:
        # A static function whose name another core file also uses is renamed by the kernel.
        keys = [fn] if counts[fn] == 1 else sorted(k for k in best if re.fullmatch(fn + r"(_\d+)?", k))
        if not keys or keys[0] not in best:
            errors.append(f"{path}: {fn}: analysed by no EVA session")
            continue
        for key in keys:
            reached, total, who = best[key]
            rows.append((key, path, reached, total, ",".join(who)))
            gap = total - reached
            if gap != dead.get(key, 0):
                errors.append(f"{path}: {key}: {reached} of {total} statements reached; "
                              f"{a.dead} lists {dead.get(key, 0)} dead")
    known = {r[0] for r in rows}
    for fn in dead:
        if fn not in known:
            errors.append(f"{a.dead}: {fn}: not a core function any session analysed")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("function\tfile\treached\ttotal\tsessions\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")
    reached = sum(r[2] for r in rows)
    total = sum(r[3] for r in rows)
    with open(a.out + ".status", "w", encoding="utf-8") as f:
        f.write(f"{len(errors)} {reached} {total}\n")
    if errors:
        for e in errors:
            print("proof: EVA coverage: " + e)
        return 1
    print(f"proof: EVA coverage: {len(rows)} core functions, {reached} of {total} statements "
          f"reached ({total - reached} dead, each listed in {a.dead})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
