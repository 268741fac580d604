#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# After `make valgrind`: one line per SAM process from its memcheck log (errors, definite
# leaks, heap use), every log with an error printed whole; exit 1 when any process had an
# error or a definite leak. A process killed with SIGKILL by a test leaves no summary and is
# counted apart.
#
#   valgrind_summary.sh DIR
set -uo pipefail
dir=$1
procs=0 bad=0 killed=0
for f in "$dir"/sam.*.log; do
  [ -e "$f" ] || continue
  procs=$((procs + 1))
  errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d ,)
  if [ -z "$errs" ]; then killed=$((killed + 1)); continue; fi
  heap=$(sed -n 's/.*total heap usage: \(.*\)/\1/p' "$f")
  definite=$(sed -n 's/.*definitely lost: \([0-9,]* bytes\).*/\1/p' "$f")
  printf '  %-16s %s error(s); definitely lost: %s; heap: %s\n' "${f##*/}" "$errs" \
    "${definite:-0 bytes}" "$heap"
  if [ "$errs" != 0 ]; then bad=$((bad + 1)); cat "$f"; fi
done
echo "valgrind: $procs SAM process(es), $bad with errors, $killed killed before their summary"
[ "$procs" -gt 0 ] && [ "$bad" -eq 0 ]
