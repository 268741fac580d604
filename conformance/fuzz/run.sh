#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run one fuzzer and report it: run.sh BIN NAME CORPUS SEEDS [libFuzzer options...]
# Prints "fuzz NAME: N runs in S s", writes an outcome line to $QSCD_OUTCOME_FILE when set,
# adds a row to the campaign record $QSCD_FUZZ_RECORD when set (the figures are libFuzzer's
# final statistics), and exits non-zero when the fuzzer found a crash (its input is kept
# under build/fuzz/artifacts/).
set -uo pipefail
bin=$1 name=$2 corpus=$3 seeds=$4; shift 4
mkdir -p "$corpus" "$seeds" build/fuzz/artifacts
log=build/fuzz/$name.log
"$bin" "$corpus" "$seeds" -artifact_prefix=build/fuzz/artifacts/$name- -print_final_stats=1 "$@" > "$log" 2>&1
rc=$?
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1)
echo "fuzz $name: ${runs:-?} runs in ${secs:-?} s, exit $rc (log: $log)"
if [ -n "${QSCD_OUTCOME_FILE:-}" ]; then
  if [ $rc -eq 0 ]; then echo "fuzz;$name;PASS;${runs:-?} runs" >> "$QSCD_OUTCOME_FILE"
  else echo "fuzz;$name;FAIL;crash or leak, see $log" >> "$QSCD_OUTCOME_FILE"; fi
fi
if [ -n "${QSCD_FUZZ_RECORD:-}" ]; then
  if ! grep -q '^| harness |' "$QSCD_FUZZ_RECORD" 2>/dev/null; then
    printf '| harness | executions | seconds | date (UTC) | commit | compiler | corpus files | result | libFuzzer command |\n' >> "$QSCD_FUZZ_RECORD"
    printf '|---|---:|---:|---|---|---|---:|---|---|\n' >> "$QSCD_FUZZ_RECORD"
  fi
  result=$([ $rc -eq 0 ] && echo "no finding" || echo "FINDING, exit $rc")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | `%s` |\n' "$name" "${runs:-?}" "${secs:-?}" \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(git rev-parse --short HEAD 2>/dev/null)" \
    "$(clang --version | head -1 | sed 's/ (.*//')" \
    "$(find "$corpus" -type f | wc -l)" "$result" \
    "$bin $corpus $seeds -print_final_stats=1 $*" >> "$QSCD_FUZZ_RECORD"
fi
[ $rc -eq 0 ] || { grep -m5 -E 'ERROR|check failed|SUMMARY' "$log"; }
exit $rc
