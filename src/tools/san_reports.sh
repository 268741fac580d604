#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# After a run under the sanitizers (make unit-san): every ASan, UBSan or LSan report that any
# process wrote into DIR (their log_path) is printed and recorded as a failure in the step's
# outcome file; exit 1 when there is one, 0 when the directory is empty.
#
#   san_reports.sh DIR
set -uo pipefail
dir=$1
n=0
for f in "$dir"/*; do
  [ -s "$f" ] || continue
  n=$((n + 1))
  summary=$(grep -m1 -E '^SUMMARY:|runtime error:' "$f" | tr ';\n' ',,' | cut -c1-200)
  printf '\n-- sanitizer report %s --\n' "${f##*/}"
  cat "$f"
  [ -n "${QSCD_OUTCOME_FILE:-}" ] &&
    echo "unit-san;report ${f##*/};FAIL;${summary:-see $f}" >> "$QSCD_OUTCOME_FILE"
done
echo "san-reports: $n report(s) in $dir"
[ "$n" -eq 0 ]
