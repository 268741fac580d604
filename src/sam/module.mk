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
