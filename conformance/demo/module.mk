# SPDX-License-Identifier: Apache-2.0
# `make demo`: conformance/demo/demo.sh runs the whole flow (qscd serve, enrolment, qscd sign,
# a refused SAD replay, openssl cms -verify) under build/demo.

.PHONY: demo
demo: $(BIN)/qscd ## the one-command demonstration: serve, enrol, sign, replay refused, openssl verifies
	@QSCD=$(BIN)/qscd conformance/demo/demo.sh $(BUILD_ROOT)/demo
