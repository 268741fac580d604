#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# WP smoke tests over the verified core (called by `make proof-smoke`; flags from
# acsl/frama-c.mk through the environment): for every function, WP tries to prove `false`
# from its preconditions and at every branch. A smoke test that succeeds means a contract that
# nothing can satisfy or code that cannot be reached: a vacuous proof. One session per core
# file, as for `make proof`, reading the committed cache for the ordinary goals and never
# writing to it.
#
#   proof_smoke.sh OUTDIR FILE...
set -uo pipefail
out=$1; shift
mkdir -p "$out/smoke"
: "${FRAMAC:=frama-c}"
status=0
i=0
summary=reports/proof/smoke.txt
mkdir -p reports/proof
echo "WP smoke tests, $(date -u +%Y-%m-%dT%H:%M:%SZ): a line per core file" > "$summary.tmp"
for f in "$@"; do
  i=$((i + 1))
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
    echo "proof-smoke: [$i/$#] $name: $doomed vacuous (exit $rc), ${secs} s" | tee -a "$summary.tmp"
    grep -E '^\[wp\] \[Failed\] Smoke-test|Failed smoke-test' "$out/smoke/$name.log" | head -10
    status=1
  else
    echo "proof-smoke: [$i/$#] $name: no vacuous contract ($tests smoke goals), ${secs} s" | tee -a "$summary.tmp"
  fi
done
mv "$summary.tmp" "$summary"
exit $status
