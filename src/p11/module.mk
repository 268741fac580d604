# SPDX-License-Identifier: Apache-2.0
# The PKCS#11 adapter (src/p11/): libqscdp11.a, its benchmark (make bench-p11), and the NSS
# softokn database its unit tests run against besides the SoftHSMv2 token.

P11_SRCS        := $(filter-out src/p11/bench_p11.c,$(sort $(wildcard src/p11/*.c)))
LIB_P11         := $(BUILD)/lib/libqscdp11.a
LIBS            += $(LIB_P11)
UNIT_LIBS       += $(LIB_P11)
MODULE_CPPFLAGS += -Isrc/p11
# p11-kit (URI parsing), OpenSSL (verification, public keys), dlopen; jansson reads the
# Wycheproof vectors in the tests.
LDLIBS_ALL      += -lp11-kit -lcrypto -ldl -ljansson

$(LIB_P11): $(call obj_of,$(P11_SRCS))

# ------------------------------------------------------------------------ benchmark

BENCH_P11 := $(BIN)/qscd-bench-p11
PROGRAMS  += $(BENCH_P11)
BENCH_STEPS += p11

$(BENCH_P11): $(call obj_of,src/p11/bench_p11.c) $(LIB_P11) $(LIB_CORE) $(LIB_COMMON)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(filter %.o,$^) $(LIB_P11) $(LIB_CORE) $(LIB_COMMON) -o $@ $(LDLIBS_ALL)

.PHONY: bench-p11
bench-p11: $(BENCH_P11) ## PKCS#11 adapter vs raw C_Sign on a fresh SoftHSMv2 token (reports/bench/p11.json)
	@src/tools/mktoken.sh $(TOKENS)/bench-p11 qscd-bench >/dev/null
	@src/tools/tool-versions.sh --json $(BUILD_ROOT)/tool-versions.json >/dev/null
	@mkdir -p reports/bench
	@. $(TOKENS)/bench-p11/env && $(BENCH_P11) --json reports/bench/p11.json \
	  --versions $(BUILD_ROOT)/tool-versions.json

# ---------------------------------------------------------------- NSS for the unit tests

# A fresh NSS softokn database per run, next to the SoftHSMv2 token; the tests find it
# through QSCD_NSS_DIR (src/tools/mknssdb.sh).
P11_NSS_DIR := $(TOKENS)/nss-$(VARIANT)
export QSCD_NSS_DIR = $(abspath $(P11_NSS_DIR))

.PHONY: p11-nssdb
unit-run: p11-nssdb
p11-nssdb:
	@src/tools/mknssdb.sh $(P11_NSS_DIR) >/dev/null
