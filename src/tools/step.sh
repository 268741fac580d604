#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run one step of `make check` and make sure its result reaches the summary.
#
#   step.sh NAME DIR -- COMMAND...
#
# The command may write outcome lines "suite;case;PASS|FAIL|SKIP;cause" (the Mbed TLS outcome
# format) to $QSCD_OUTCOME_FILE. If it writes none, the step counts as one case named NAME.
# A command that exits non-zero without recording a failure gets one FAIL line, so a crash or
# a build error can never pass silently.
set -uo pipefail
name=$1 dir=$2; shift 2
[ "${1:-}" = "--" ] && shift
mkdir -p "$dir"
out="$dir/$name.csv"
: > "$out"
export QSCD_OUTCOME_FILE="$out"
printf '\n== %s ==\n' "$name"
start=$(date +%s.%N)
"$@"
rc=$?
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
if [ ! -s "$out" ]; then
  if [ $rc -eq 0 ]; then echo "$name;$name;PASS;" >> "$out"
  else echo "$name;$name;FAIL;exit status $rc" >> "$out"; fi
elif [ $rc -ne 0 ] && ! grep -q ';FAIL;' "$out"; then
  echo "$name;(step);FAIL;exit status $rc without a recorded failure" >> "$out"
fi
echo "-- $name: exit $rc in ${secs}s"
exit 0
