# SPDX-License-Identifier: Apache-2.0
# Test vectors (vectors/): every *_test.json is checked against the JSON Schema it names
# (vectors/schemas/), and the unit tests that read vectors link jansson, and OpenSSL for the
# signatures and MACs they verify.

LDLIBS_ALL  += -ljansson -lcrypto
CHECK_STEPS += vectors

.PHONY: check-vectors vectors-check
vectors-check: ## check every vectors/**/*_test.json against the schema it names
	@$(PYTHON) conformance/vectors/validate.py vectors

check-vectors:
	@src/tools/step.sh vectors $(CHECKDIR) -- $(PYTHON) conformance/vectors/validate.py --outcomes vectors
