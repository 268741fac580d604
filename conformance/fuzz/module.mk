# SPDX-License-Identifier: Apache-2.0
# libFuzzer harnesses (clang 14, ASan + UBSan), one per parser of untrusted input, built into
# build/fuzz/ from the sources directly (instrumented, not the rel libraries):
#   fuzz_scbor       strict CBOR validator, readers and encoder (src/core/scbor.h)
#   fuzz_scbor_diff  the same decoder against libcbor 0.8
#   fuzz_cose        COSE_Sign1 / COSE_Mac0 parsers and their to-be-signed structures
#   fuzz_sad         SAD token verification and its claims decoder (src/core/sad.h)
#   fuzz_sic         SIC assertion check (src/core/sic.h)
#   fuzz_samp        SAM frames: header, request envelope (src/core/samp.h), the SAM's
#                    parameter readers (src/sam/samd_params.c), the client's answer decoder
#   fuzz_csc         CSC request bodies of every SSA method (src/ssa/, through ssa_handle)
#   make fuzz [FUZZ_SECONDS=60 | FUZZ_RUNS=N]   each harness in turn, that long
#   make fuzz-campaign [FUZZ_NAMES=...]          each 10 million runs, recorded in
#                                                reports/fuzz/campaigns.md
#   check step fuzz-short                        each FUZZ_SHORT_RUNS runs (part of `make check`)
# Seeds come from the vectors and from conformance/fuzz/regress/<harness>/ (inputs that once
# failed), written by conformance/fuzz/seeds.py; the growing corpora stay in
# build/fuzz/corpus/<name>/, crashes in build/fuzz/artifacts/.

FUZZ_DIR        := $(BUILD_ROOT)/fuzz
FUZZ_CC         := clang
FUZZ_CFLAGS      = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                   -fno-omit-frame-pointer -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
                   -D_DEFAULT_SOURCE -Isrc/core -Iacsl/ports -Isrc/common $(P11_CFLAGS)
FUZZ_NAMES      := fuzz_scbor fuzz_cose fuzz_scbor_diff fuzz_sad fuzz_sic fuzz_samp fuzz_csc
FUZZ_BINS       := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
FUZZ_SECONDS    ?= 60
FUZZ_SHORT_RUNS ?= 200000
FUZZ_SHORT_MAXLEN ?= 256
FUZZ_CORE       := $(sort $(wildcard src/core/*.c)) src/common/err.c src/common/ports.c
FUZZ_SEEDS      := $(FUZZ_DIR)/seeds
CHECK_STEPS     += fuzz-short
# Longest input per harness (default 4096): a SAD token or SIC assertion is at most 2600
# bytes; the CBOR walkers look every map key up again (quadratic in the map's size), so
# beyond 512 bytes they buy no coverage and cost most of the speed (the protocol's larger
# items are met by the COSE, SAD, SIC and frame harnesses); CSC bodies need room for their
# hashes in the short runs too.
FUZZ_MAXLEN_fuzz_sad := 2700
FUZZ_MAXLEN_fuzz_sic := 2700
FUZZ_MAXLEN_fuzz_scbor := 512
FUZZ_MAXLEN_fuzz_scbor_diff := 512
FUZZ_SHORT_MAXLEN_fuzz_csc := 1024

# What each harness needs beyond the core: the shells' sources it reads and their libraries.
FUZZ_EXTRA_fuzz_scbor_diff := -lcbor
FUZZ_EXTRA_fuzz_samp := src/sam/samd_params.c src/samc/samc.c -Isrc/sam -Isrc/samc -Isrc/p11 \
                        -Isrc/store
FUZZ_EXTRA_fuzz_csc  := src/ssa/ssa_http.c src/ssa/ssa_json.c src/ssa/ssa_csc.c \
                        src/ssa/ssa_sign.c src/ssa/ssa_auth.c src/samc/samc.c -Isrc/ssa -Isrc/samc \
                        -Wl,--wrap=samc_connect,--wrap=samc_close,--wrap=samc_fd,--wrap=samc_call \
                        -lmicrohttpd -ljansson -lcrypto -lpthread

$(FUZZ_DIR)/fuzz_%: conformance/fuzz/fuzz_%.c conformance/fuzz/fuzz_common.h $(FUZZ_CORE) \
                    $(wildcard src/core/*.h src/sam/*.[ch] src/samc/*.[ch] src/ssa/*.[ch])
	@mkdir -p $(@D)
	@echo "  FUZZ-CC $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_CORE) $(FUZZ_EXTRA_$(@F)) -o $@

$(FUZZ_SEEDS): FORCE
	@$(PYTHON) conformance/fuzz/seeds.py vectors $@ >/dev/null

# One harness: $(1) name, then its libFuzzer options.
fuzz_run = conformance/fuzz/run.sh $(FUZZ_DIR)/$(1) $(1) $(FUZZ_DIR)/corpus/$(1) $(FUZZ_SEEDS)/$(1) \
           $(2) || rc=1;
fuzz_len = $(or $(FUZZ_MAXLEN_$(1)),4096)

.PHONY: fuzz fuzz-build check-fuzz-short
fuzz-build: $(FUZZ_BINS) ## build the libFuzzer harnesses into build/fuzz/

fuzz: $(FUZZ_BINS) $(FUZZ_SEEDS) ## run each fuzzer FUZZ_SECONDS seconds (default 60), or FUZZ_RUNS runs, and print its executions
	@rc=0; $(foreach n,$(FUZZ_NAMES),$(call fuzz_run,$(n),$(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),\
	  -max_total_time=$(FUZZ_SECONDS)) -max_len=$(call fuzz_len,$(n)) -rss_limit_mb=1024)) exit $$rc

check-fuzz-short:
	@src/tools/step.sh fuzz-short $(CHECKDIR) -- $(MAKE) fuzz-short-run

.PHONY: fuzz-short-run
fuzz-short-run: $(FUZZ_BINS) $(FUZZ_SEEDS)
	@rc=0; $(foreach n,$(FUZZ_NAMES),$(call fuzz_run,$(n),-runs=$(or $(FUZZ_SHORT_RUNS_$(n)),\
	  $(FUZZ_SHORT_RUNS)) -max_len=$(or $(FUZZ_SHORT_MAXLEN_$(n)),$(FUZZ_SHORT_MAXLEN)) \
	  -rss_limit_mb=1024)) exit $$rc

# The campaign behind reports/fuzz/campaigns.md: each harness FUZZ_CAMPAIGN_RUNS runs, one
# after the other, from its seeds and kept corpus; run.sh adds a row per harness from
# libFuzzer's final statistics. FUZZ_NAMES=... picks harnesses.
FUZZ_CAMPAIGN_RUNS ?= 10000000
FUZZ_RECORD := reports/fuzz/campaigns.md
.PHONY: fuzz-campaign
fuzz-campaign: $(FUZZ_BINS) $(FUZZ_SEEDS) ## run each fuzzer FUZZ_CAMPAIGN_RUNS (10 million) times and record it in reports/fuzz/campaigns.md
	@mkdir -p $(dir $(FUZZ_RECORD))
	@rc=0; $(foreach n,$(FUZZ_NAMES),QSCD_FUZZ_RECORD=$(FUZZ_RECORD) $(call fuzz_run,$(n),\
	  -runs=$(FUZZ_CAMPAIGN_RUNS) -max_len=$(call fuzz_len,$(n)) -rss_limit_mb=2048)) exit $$rc
