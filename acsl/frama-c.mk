# SPDX-License-Identifier: Apache-2.0
# Every Frama-C flag, once. `make proof` (src/tools/proof_run.sh) runs EVA in the sessions of
# EVA_SESSIONS over the drivers in acsl/harness/ (every core entry point on unknown inputs;
# gates: no alarm, every core function analysed) and WP with RTE guards, one session per core
# file, each followed by the Report plugin's classification, which makes frama-c exit non-zero
# on any property that is not valid. The sessions run PROOF_JOBS at a time.

FRAMAC      ?= frama-c
PROOF_DIR   := $(BUILD_ROOT)/proof
WP_SESSION  := acsl/session
# cleanup: use the committed cache, run the provers on new goals, record them and drop the
# entries no goal uses any more (the session stays the exact set of current goals).
# offline (PROOF_CACHE=offline): never run a prover; a goal missing from the cache fails.
PROOF_CACHE ?= cleanup
WP_TIMEOUT  ?= 30
# PROOF_EVA=0: WP only; EVA has no cache (`make check` runs it too unless CHECK_PROOF_EVA=0).
PROOF_EVA   ?= 1
# Frama-C sessions (EVA, the WP sessions) run this many at a time (src/tools/proof_jobs.sh):
# three on the 2-core machine, since two used only 1.6 cores (reports/proof-runs.md).
PROOF_JOBS  ?= 3

CORE_PROOF_SRCS := $(sort $(wildcard src/core/*.c))
# The EVA drivers (acsl/harness/*_driver.c, each defining `void harness_<name>(void)`) and the
# ports' stand-ins; every session reads all of them and its generated main() calls its own.
HARNESS_SRCS := $(sort $(wildcard acsl/harness/*.c))

# EVA runs in two sessions, one per layer of the core, side by side (src/tools/proof_run.sh):
#   base  the CBOR codec, the memory helpers and the SAM protocol's frame decoder, every body
#         analysed from unknown inputs;
#   core  everything above them (COSE, SAD, SIC, the SAM policy, audit, PKCS#11
#         templates), where the base functions listed in EVA_BASE_SPEC are taken from their
#         contracts instead of re-analysed in every calling context.
# Sound because those contracts are proved by WP (with RTE guards) and EVA checks their
# preconditions at every call in `core`; their bodies are analysed in `base` on unknown inputs
# (spec/trusted-base.md, T-FC-3). Measured on this machine: the SAM-level drivers take about
# a minute this way, 15 minutes with the codec re-analysed under each token.
# An entry of EVA_SESSIONS: name=driver,driver,...=function,function,... (no spaces).
fc_comma := ,
fc_space := $(subst x, ,x)
EVA_BASE_SPEC := qscd_ct_equal scbor_check scbor_check_at scbor_dup_scan scbor_skip \
                 scbor_map_find_int scbor_map_find_tstr scbor_map_find_enc
EVA_SESSIONS  := base=mem,samp,scbor= \
                 core=audit,authz,cose,extend,p11t,policy,sign=$(subst $(fc_space),$(fc_comma),$(strip $(EVA_BASE_SPEC)))

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
