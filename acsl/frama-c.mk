# SPDX-License-Identifier: Apache-2.0
# Every Frama-C flag, once. `make proof` (src/tools/proof_run.sh) runs EVA over the whole core
# and the drivers in acsl/harness/ (every core entry point on unknown inputs; gate: no alarm)
# and WP with RTE guards, one session per core file, each followed by the Report plugin's
# classification, which makes frama-c exit non-zero on any property that is not valid. The
# sessions run PROOF_JOBS at a time.

FRAMAC      ?= frama-c
PROOF_DIR   := $(BUILD_ROOT)/proof
WP_SESSION  := acsl/session
# cleanup: use the committed cache, run the provers on new goals, record them and drop the
# entries no goal uses any more (the session stays the exact set of current goals).
# offline (PROOF_CACHE=offline): never run a prover; a goal missing from the cache fails.
PROOF_CACHE ?= cleanup
WP_TIMEOUT  ?= 30
# PROOF_EVA=0: WP only (what `make check` replays); EVA has no cache.
PROOF_EVA   ?= 1
# Frama-C sessions (EVA, the WP sessions) run this many at a time (src/tools/proof_jobs.sh).
PROOF_JOBS  ?= 2

CORE_PROOF_SRCS := $(sort $(wildcard src/core/*.c))
# The drivers, plus the EVA entry point generated from them: main() calls every function
# `void harness_<module>(void)` the drivers define, so adding a driver file is all it takes.
HARNESS_DRIVERS := $(sort $(wildcard acsl/harness/*.c))
HARNESS_MAIN    := $(BUILD_ROOT)/gen/harness_main.c
HARNESS_SRCS    := $(HARNESS_DRIVERS) $(HARNESS_MAIN)

FC_CPP    := -cpp-extra-args="-Isrc/core -Iacsl/logic -Iacsl/ports -Iacsl/harness $(P11_CFLAGS)"
FC_KERNEL := -c11 -machdep x86_64 \
             -warn-signed-overflow -warn-unsigned-overflow \
             -warn-signed-downcast -warn-unsigned-downcast \
             -kernel-warn-key annot:missing-spec=error
FC_EVA    := -eva -main main -eva-precision 3 -eva-split-return auto \
             -eva-warn-undefined-pointer-comparison none
# WP runs one session per core file (src/tools/proof_run.sh says why); -wp-session and the
# report files are added per file.
FC_WP_BASE := -wp -wp-rte -rte-no-pointer-call -wp-dynamic -wp-status-all \
             -wp-prover z3,cvc4 -wp-timeout $(WP_TIMEOUT) -wp-par 2
FC_WP     := $(FC_WP_BASE) -wp-cache $(PROOF_CACHE)
FC_REPORT_BASE := -report -report-classify -report-unclassified-unknown ERROR
# Smoke tests (`make proof-smoke`): the same goals, so the committed cache answers the ordinary
# ones (read, never written), plus the smoke goals (WP's own short smoke timeout).
FC_SMOKE  := $(FC_WP_BASE) -wp-smoke-tests -wp-cache replay
