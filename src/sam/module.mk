# SPDX-License-Identifier: Apache-2.0
# The SAM service (src/sam/, libqscdsam.a): the shell around the verified core that `qscd sam`
# runs. It links the adapter, the store, OpenSSL (certificates, device signatures) and
# libargon2 (PIN and password verifiers).

SAM_SRCS := $(sort $(wildcard src/sam/*.c))
LIB_SAM  := $(BUILD)/lib/libqscdsam.a
LIBS     += $(LIB_SAM)
MODULE_CPPFLAGS += -Isrc/sam
LDLIBS_ALL += -largon2 -lcrypto

$(LIB_SAM): $(call obj_of,$(SAM_SRCS))

# The integration tests (conformance/unit/test_samd*.c) start this binary on throw-away tokens
# made by `qscd sam --init` under build/it-<variant>/.
export QSCD_BIN    = $(abspath $(BIN)/qscd)
export QSCD_IT_DIR = $(abspath $(BUILD_ROOT)/it-$(VARIANT))
unit-run: $(BIN)/qscd

# The README's quick start, run as written from an empty build/demo (src/sam/quickstart-check.sh).
CHECK_STEPS += quickstart
.PHONY: check-quickstart
check-quickstart:
	@src/tools/step.sh quickstart $(CHECKDIR) -- src/sam/quickstart-check.sh

# The SAM against the HSM alone (conformance/unit/bench_samd.c, on the integration helpers).
BENCH_SAMD := $(BIN)/qscd-bench-samd
PROGRAMS   += $(BENCH_SAMD)
BENCH_STEPS += samd
# (The libraries by path: src/samc, src/signer and src/store are read after this fragment.)
$(BENCH_SAMD): $(call obj_of,conformance/unit/bench_samd.c conformance/unit/util_samd.c \
                conformance/unit/util_world.c) $(BUILD)/lib/libqscdsamc.a \
                $(BUILD)/lib/libqscdstore.a $(BUILD)/lib/libqscdp11.a $(BUILD)/lib/libqscdsigner.a \
                $(LIB_CORE) $(LIB_COMMON)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(filter %.o,$^) $(filter %.a,$^) -o $@ $(LDLIBS_ALL)

.PHONY: bench-samd
bench-samd: $(BENCH_SAMD) $(BIN)/qscd ## the SAM over its socket vs the HSM alone, 1-8 signers (reports/bench/samd.json)
	@mkdir -p reports/bench
	@$(BENCH_SAMD) --json reports/bench/samd.json
