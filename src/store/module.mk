# SPDX-License-Identifier: Apache-2.0
# The SAM's durable state: the store interface (store.h) and its SQLite backend.

STORE_SRCS := $(sort $(wildcard src/store/*.c))
LIB_STORE  := $(BUILD)/lib/libqscdstore.a
LIBS       += $(LIB_STORE)
UNIT_LIBS  := $(LIB_STORE) $(UNIT_LIBS)
LDLIBS_ALL += -lsqlite3
MODULE_CPPFLAGS += -Isrc/store

$(LIB_STORE): $(call obj_of,$(STORE_SRCS))
