#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stand-in for the qscd binary during `make valgrind` (QSCD_BIN points here): `qscd sam ...`,
# the SAM process, runs under valgrind's memcheck with one log per process in $QSCD_VG_DIR;
# every other command runs the binary $QSCD_VG_BIN directly. Definite leaks count as errors
# (src/tools/valgrind_summary.sh reads the logs); reachable memory at exit does not.
set -u
if [ "${1:-}" = sam ]; then
  exec valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-origins=yes --error-exitcode=99 --num-callers=30 \
    --log-file="$QSCD_VG_DIR/sam.%p.log" "$QSCD_VG_BIN" "$@"
fi
exec "$QSCD_VG_BIN" "$@"
