# SPDX-License-Identifier: Apache-2.0
# The SSA (src/ssa/, libqscdssa.a): the CSC API v2 over HTTPS (libmicrohttpd with GnuTLS,
# jansson) in front of the SAM, reached with the client library (src/samc/). `qscd ssa` and
# `qscd serve` are its commands; the end-to-end tests (conformance/unit/test_ssa*.c) start it
# in the test runner against a real `qscd sam`.

SSA_SRCS := $(filter-out src/ssa/bench_ssa.c,$(sort $(wildcard src/ssa/*.c)))
LIB_SSA  := $(BUILD)/lib/libqscdssa.a
LIBS     += $(LIB_SSA)
UNIT_LIBS := $(LIB_SSA) $(UNIT_LIBS)
MODULE_CPPFLAGS += -Isrc/ssa
LDLIBS_ALL += -lmicrohttpd -ljansson -lcrypto

$(LIB_SSA): $(call obj_of,$(SSA_SRCS))

# ------------------------------------------------------------------------ benchmark

BENCH_SSA := $(BIN)/qscd-bench-ssa
PROGRAMS  += $(BENCH_SSA)
BENCH_STEPS += ssa
BENCH_SSA_LIBS = $(LIB_SSA) $(LIB_SIGNER) $(LIB_SAMC) $(LIB_CORE) $(LIB_COMMON)

$(BENCH_SSA): $(call obj_of,src/ssa/bench_ssa.c) $(BENCH_SSA_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(filter %.o,$^) $(BENCH_SSA_LIBS) -o $@ $(LDLIBS_ALL)

.PHONY: bench-ssa
bench-ssa: $(BENCH_SSA) $(BIN)/qscd ## signHash over HTTPS (1 and 10 hashes, concurrency 1/8/32) and authorize+signHash latency vs raw C_Sign (reports/bench/ssa.json)
	@src/tools/tool-versions.sh --json $(BUILD_ROOT)/tool-versions.json >/dev/null
	@mkdir -p reports/bench
	@$(BENCH_SSA) --qscd $(BIN)/qscd --dir $(BUILD_ROOT)/bench-ssa --json reports/bench/ssa.json \
	  --versions $(BUILD_ROOT)/tool-versions.json
