# SPDX-License-Identifier: Apache-2.0
# The signer's client (src/signer/, libqscdsigner.a): `qscd sign` and `qscd verify` with
# libcurl, jansson and OpenSSL CMS. The end-to-end tests use its HTTPS client too.

SIGNER_SRCS := $(sort $(wildcard src/signer/*.c))
LIB_SIGNER  := $(BUILD)/lib/libqscdsigner.a
LIBS        += $(LIB_SIGNER)
UNIT_LIBS   := $(LIB_SIGNER) $(UNIT_LIBS)
MODULE_CPPFLAGS += -Isrc/signer
LDLIBS_ALL  += -lcurl -ljansson -lcrypto

$(LIB_SIGNER): $(call obj_of,$(SIGNER_SRCS))
