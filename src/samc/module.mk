# SPDX-License-Identifier: Apache-2.0
# The SAM client library (src/samc/, libqscdsamc.a): frames, the request envelope and strict
# decoding of answers with the verified core's CBOR readers. The `qscd` command and the
# integration tests use it; the SSA will.

SAMC_SRCS := $(sort $(wildcard src/samc/*.c))
LIB_SAMC  := $(BUILD)/lib/libqscdsamc.a
LIBS      += $(LIB_SAMC)
UNIT_LIBS := $(LIB_SAMC) $(UNIT_LIBS)
MODULE_CPPFLAGS += -Isrc/samc

$(LIB_SAMC): $(call obj_of,$(SAMC_SRCS))
