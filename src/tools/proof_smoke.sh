#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# WP smoke tests over the verified core (called by `make proof-smoke`; flags from
# acsl/frama-c.mk through the environment): for every function, WP tries to prove `false`
# from its preconditions and at every branch. A smoke test that succeeds means a contract that
# nothing can satisfy or code that cannot be reached: a vacuous proof. One session per core
# file, as for `make proof`, reading the committed cache for the ordinary goals and never
# writing to it. The sessions run PROOF_JOBS at a time (src/tools/proof_jobs.sh).
#
#   proof_smoke.sh OUTDIR FILE...
set -uo pipefail
out=$1; shift
mkdir -p "$out/smoke"
: "${FRAMAC:=frama-c}"
# shellcheck source=src/tools/proof_jobs.sh
. "$(dirname "$0")/proof_jobs.sh"
summary=reports/proof/smoke.txt
mkdir -p reports/proof

smoke_run() { # smoke_run FILE: one session; its line goes to $out/smoke/NAME.line
  local f=$1 name t0 rc doomed tests secs
  name=$(basename "$f" .c)
  t0=$(date +%s)
  # shellcheck disable=SC2086
  eval "$FRAMAC $FC_CPP $FC_KERNEL $f $FC_SMOKE -wp-session $WP_SESSION/$name" \
    > "$out/smoke/$name.log" 2>&1
  rc=$?
  # WP prints "[wp] [Failed] Smoke-test NAME" when it proves `false` (checked on a contract made
  # vacuous on purpose) and "[Passed]" when it cannot.
  doomed=$(grep -cE '^\[wp\] \[Failed\] Smoke-test' "$out/smoke/$name.log")
  tests=$(grep -cE '^\[wp\] \[[A-Za-z]+\] Smoke-test' "$out/smoke/$name.log")
  secs=$(( $(date +%s) - t0 ))
  if [ $rc -ne 0 ] || [ "$doomed" -ne 0 ]; then
    echo "proof-smoke: $name: $doomed vacuous (exit $rc), ${secs} s" | tee "$out/smoke/$name.line"
    grep -E '^\[wp\] \[Failed\] Smoke-test|Failed smoke-test' "$out/smoke/$name.log" | head -10
    echo 1 > "$out/smoke/$name.status"
  else
    echo "proof-smoke: $name: no vacuous contract ($tests smoke goals), ${secs} s" |
      tee "$out/smoke/$name.line"
    echo 0 > "$out/smoke/$name.status"
  fi
}

rm -f "$out"/smoke/*.line "$out"/smoke/*.status
proof_each smoke_run "$@"

status=0
echo "WP smoke tests, $(date -u +%Y-%m-%dT%H:%M:%SZ): a line per core file" > "$summary.tmp"
for f in "$@"; do
  name=$(basename "$f" .c)
  cat "$out/smoke/$name.line" >> "$summary.tmp" 2>/dev/null ||
    echo "proof-smoke: $name: no result" >> "$summary.tmp"
  [ "$(cat "$out/smoke/$name.status" 2>/dev/null)" = 0 ] || status=1
done
mv "$summary.tmp" "$summary"
exit $status
