# SPDX-License-Identifier: Apache-2.0
# libFuzzer harnesses of the verified core's codecs (clang 14, ASan + UBSan), built into
# build/fuzz/ from the core's sources directly (instrumented, not the rel libraries).
#   make fuzz [FUZZ_SECONDS=60]   each harness FUZZ_SECONDS seconds, one after the other
#   check step fuzz-short         each harness FUZZ_SHORT_RUNS runs (part of `make check`)
# Seeds come from the vectors (conformance/fuzz/seeds.py); the growing corpora stay in
# build/fuzz/corpus/<name>/, crashes in build/fuzz/artifacts/.

FUZZ_DIR        := $(BUILD_ROOT)/fuzz
FUZZ_CC         := clang
FUZZ_CFLAGS     := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                   -fno-omit-frame-pointer -Wall -Wextra -Werror -Isrc/core -Isrc/common
FUZZ_NAMES      := fuzz_scbor fuzz_cose fuzz_scbor_diff
FUZZ_BINS       := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
FUZZ_SECONDS    ?= 60
FUZZ_SHORT_RUNS ?= 200000
FUZZ_SHORT_MAXLEN ?= 256
FUZZ_CORE       := src/core/scbor.c src/core/scbor_read.c src/core/scbor_enc.c src/core/cose.c \
                   src/core/qscd_mem.c src/common/err.c
FUZZ_SEEDS      := $(FUZZ_DIR)/seeds
CHECK_STEPS     += fuzz-short

$(FUZZ_DIR)/fuzz_%: conformance/fuzz/fuzz_%.c conformance/fuzz/fuzz_common.h $(FUZZ_CORE) \
                    $(wildcard src/core/*.h)
	@mkdir -p $(@D)
	@echo "  FUZZ-CC $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_CORE) -o $@ $(if $(findstring diff,$@),-lcbor)

$(FUZZ_SEEDS): FORCE
	@$(PYTHON) conformance/fuzz/seeds.py vectors $@ >/dev/null

.PHONY: fuzz fuzz-build check-fuzz-short
fuzz-build: $(FUZZ_BINS) ## build the libFuzzer harnesses into build/fuzz/

fuzz: $(FUZZ_BINS) $(FUZZ_SEEDS) ## run each fuzzer FUZZ_SECONDS seconds (default 60) and print its executions
	@rc=0; for n in $(FUZZ_NAMES); do \
	  conformance/fuzz/run.sh $(FUZZ_DIR)/$$n $$n $(FUZZ_DIR)/corpus/$$n $(FUZZ_SEEDS) \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 || rc=1; done; exit $$rc

check-fuzz-short:
	@src/tools/step.sh fuzz-short $(CHECKDIR) -- $(MAKE) fuzz-short-run

.PHONY: fuzz-short-run
fuzz-short-run: $(FUZZ_BINS) $(FUZZ_SEEDS)
	@rc=0; for n in $(FUZZ_NAMES); do \
	  conformance/fuzz/run.sh $(FUZZ_DIR)/$$n $$n $(FUZZ_DIR)/corpus/$$n $(FUZZ_SEEDS) \
	    -runs=$(FUZZ_SHORT_RUNS) -max_len=$(FUZZ_SHORT_MAXLEN) -rss_limit_mb=1024 || rc=1; done; exit $$rc
