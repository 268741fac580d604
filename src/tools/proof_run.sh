#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prove the verified core (called by `make proof`; every flag comes from acsl/frama-c.mk through
# the environment).
#
#  1. EVA, one session over every core file and the drivers of acsl/harness/: every entry point
#     on unknown inputs. Gate: zero alarms. PROOF_EVA=0 skips it (`make check` does: EVA has no
#     cache and takes about 22 minutes here).
#  2. WP, one session per core file: each function proved against the contracts of what it
#     calls (the same headers every session reads), with RTE guards, then the Report plugin's
#     classification. Gate: every property of the file proved.
#
# WP runs per file because a goal carries the memory model and definitions of the whole session:
# with the whole core in one session the provers timed out on goals they prove in a tenth of a
# second alone. The per-file sessions keep their caches apart (acsl/session/<file>/), so the
# cleanup mode keeps each cache exactly the set of current goals.
#
# The sessions are independent: they run PROOF_JOBS at a time, EVA among them
# (src/tools/proof_jobs.sh).
#
#   proof_run.sh OUTDIR FILE...
set -uo pipefail
out=$1; shift
mkdir -p "$out/wp"
: "${FRAMAC:=frama-c}"
total=$#
# shellcheck source=src/tools/proof_jobs.sh
. "$(dirname "$0")/proof_jobs.sh"

eva_run() {
  local start rc alarms
  start=$(date +%s)
  # shellcheck disable=SC2086
  eval "$FRAMAC $FC_CPP $FC_KERNEL $* $HARNESS_SRCS $FC_EVA \
    -then -report-csv $out/eva-properties.tsv" > "$out/eva.log" 2>&1
  rc=$?
  alarms=$(grep -oE '[0-9]+ alarms? generated' "$out/eva.log" | tail -n1 | grep -oE '^[0-9]+')
  echo "$rc ${alarms:-none}" > "$out/eva.status"
  if [ $rc -ne 0 ] || [ "${alarms:-x}" != 0 ]; then
    echo "proof: EVA: exit $rc, alarms ${alarms:-not reported} (see $out/eva.log)"
    grep -A3 '^\[eva:alarm\]' "$out/eva.log" | head -40
  else
    echo "proof: EVA: 0 alarms ($(( $(date +%s) - start )) s)"
  fi
}

wp_run() { # wp_run FILE
  local f=$1 name t0 rc secs proved
  name=$(basename "$f" .c)
  t0=$(date +%s)
  # shellcheck disable=SC2086
  eval "$FRAMAC $FC_CPP $FC_KERNEL $f $FC_WP -wp-session $WP_SESSION/$name \
    -wp-report-json $out/wp/$name.json -then $FC_REPORT_BASE \
    -report-csv $out/wp/$name.tsv -report-output $out/wp/$name-classify.json" \
    > "$out/wp/$name.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - t0 ))
  proved=$(grep -oE 'Proved goals: +[0-9]+ / [0-9]+' "$out/wp/$name.log" | tail -n1 | sed 's/Proved goals: *//')
  echo "$rc $secs" > "$out/wp/$name.status"
  if [ $rc -eq 0 ]; then
    echo "proof: $name: goals $proved, ${secs} s"
  else
    echo "proof: $name: FAILED (exit $rc), goals $proved, ${secs} s"
    grep -E '^\[wp\] \[(Failed|Timeout|Unknown)\]|User Error|error' "$out/wp/$name.log" | head -20
  fi
}

if [ "${PROOF_EVA:-1}" = 0 ]; then
  # EVA cannot replay from a cache, so `make check` leaves it to `make proof` and `make report`
  # (the summary says it was not run).
  echo "proof: EVA skipped (PROOF_EVA=0; \`make proof\` runs it)"
  echo "skipped" > "$out/eva.status"
  : > "$out/eva.log"
else
  echo "proof: EVA over $total core files and the drivers (in the background)"
  proof_slot; eva_run "$@" &
fi

echo "proof: WP, $total sessions, $proof_jobs_max at a time"
proof_each wp_run "$@"

status=0
if [ "${PROOF_EVA:-1}" != 0 ]; then
  read -r rc alarms < "$out/eva.status"
  { [ "$rc" = 0 ] && [ "$alarms" = 0 ]; } || status=1
fi
for f in "$@"; do
  read -r rc _ < "$out/wp/$(basename "$f" .c).status" 2>/dev/null || rc=1
  [ "$rc" = 0 ] || status=1
done
exit $status
