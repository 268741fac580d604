# SPDX-License-Identifier: Apache-2.0
# The SSA (src/ssa/, libqscdssa.a): the CSC API v2 over HTTPS (libmicrohttpd with GnuTLS,
# jansson) in front of the SAM, reached with the client library (src/samc/). `qscd ssa` and
# `qscd serve` are its commands; the end-to-end tests (conformance/unit/test_ssa*.c) start it
# in the test runner against a real `qscd sam`.

SSA_SRCS := $(sort $(wildcard src/ssa/*.c))
LIB_SSA  := $(BUILD)/lib/libqscdssa.a
LIBS     += $(LIB_SSA)
UNIT_LIBS := $(LIB_SSA) $(UNIT_LIBS)
MODULE_CPPFLAGS += -Isrc/ssa
LDLIBS_ALL += -lmicrohttpd -ljansson -lcrypto

$(LIB_SSA): $(call obj_of,$(SSA_SRCS))
