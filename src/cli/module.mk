# SPDX-License-Identifier: Apache-2.0
# The `qscd` command (src/cli/): `qscd sam`, `qscd admin`, `qscd audit`, `qscd ca`; `qscd ssa`,
# `qscd serve` (src/ssa/), `qscd sign`, `qscd verify` (src/signer/).
# (This fragment is read before the libraries' own, so it names their files directly.)

CLI_SRCS := $(sort $(wildcard src/cli/*.c))
QSCD_BIN := $(BIN)/qscd
QSCD_LIBS := $(addprefix $(BUILD)/lib/libqscd,sam.a ssa.a signer.a samc.a store.a p11.a core.a common.a)
PROGRAMS += $(QSCD_BIN)

$(QSCD_BIN): $(call obj_of,$(CLI_SRCS)) $(QSCD_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(filter %.o,$^) $(QSCD_LIBS) -o $@ $(LDLIBS_ALL)
