# SPDX-License-Identifier: Apache-2.0
# The conformance runner, qscd-conform: a separate program that links none of src/ (its
# objects are compiled without the project's include paths, so it cannot even see them).
# `make conformance` runs it against SoftHSMv2 and NSS softokn on throw-away tokens and
# compares every verdict with reports/golden/conformance/<target>.json; the `conformance`
# step of `make check` runs the SoftHSMv2 target quickly (--skip-slow, --jobs 2).

CONFORM_SRCS := $(sort $(wildcard conformance/runner/*.c))
CONFORM_BIN  := $(BIN)/qscd-conform
PROGRAMS     += $(CONFORM_BIN)
CHECK_STEPS  += vectors-lint vectors-lint-selftest conformance conformance-ref \
                conformance-selftest report-render

CONFORM_DIR    := $(BUILD_ROOT)/conformance
CONFORM_JOBS   ?= 2
CONFORM_FLAGS  ?=
NSS_SOFTOKN    := /usr/lib/x86_64-linux-gnu/libsoftokn3.so
SOFTHSM_MODULE := /usr/lib/softhsm/libsofthsm2.so

$(OBJ)/conformance/runner/%.o: conformance/runner/%.c
	@mkdir -p $(@D)
	@echo "  CC      $< (conformance runner)"
	@$(CC) $(P11_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(CONFORM_BIN): $(call obj_of,$(CONFORM_SRCS))
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $^ -o $@ -ljansson -lcurl -lssl -lcrypto -ldl -lpthread

# The CSC target's judge checked on its own: signatures it must accept and refuse (raw and
# CAdES), TOTP codes, SIC assertions; the sam-admin runner on hand-written exports and a
# stand-in qscd.
CONFORM_SELFTEST := $(BIN)/qscd-conform-selftest
PROGRAMS         += $(CONFORM_SELFTEST)

$(CONFORM_SELFTEST): $(call obj_of,conformance/runner/selftest/csc_selftest.c \
                       conformance/runner/selftest/csc_cades_selftest.c \
                       conformance/runner/selftest/sam_admin_selftest.c \
                       conformance/runner/csc_crypto.c conformance/runner/csc_sic.c \
                       conformance/runner/csc_cades.c \
                       conformance/runner/sam_admin.c conformance/runner/sam_admin_records.c \
                       conformance/runner/verdict.c)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $^ -o $@ -ljansson -lcrypto

.PHONY: check-conformance-selftest
check-conformance-selftest: $(CONFORM_SELFTEST)
	@src/tools/step.sh conformance-selftest $(CHECKDIR) -- $(CONFORM_SELFTEST)

.PHONY: conformance conformance-softhsm2 conformance-nss-softokn conformance-ref \
        conformance-matrix vectors-lint check-vectors-lint check-conformance check-conformance-ref

# Each target gets a fresh throw-away token; the runner prints its golden diff and exits 1 on
# any difference. -k in the sub-make runs every target before the status is decided. NSS
# softokn runs on one thread: with two sessions creating and destroying objects at once it
# deadlocked inside the module (SQLite busy-wait against an NSS monitor) in about one run of
# four; the runner's --timeout turns such a hang into exit status 3.
conformance: $(CONFORM_BIN) ## run the conformance suite (reference stack, SoftHSMv2, NSS softokn); fails on a golden diff
	@rc=0; $(MAKE) -k conformance-ref conformance-softhsm2 conformance-nss-softokn || rc=$$?; \
	$(MAKE) conformance-matrix; \
	[ $$rc -eq 0 ] && echo "conformance: every verdict equals its golden file" || \
	  echo "conformance: verdicts differ from the golden files (see the diffs above)"; exit $$rc

conformance-softhsm2: $(CONFORM_BIN)
	@echo "conformance: SoftHSMv2 (fresh token)"
	@src/tools/mktoken.sh $(CONFORM_DIR)/softhsm2 qscd-conform 12345678 123456 >/dev/null
	@. $(CONFORM_DIR)/softhsm2/env && $(CONFORM_BIN) --target pkcs11:$(SOFTHSM_MODULE) \
	  --name softhsm2 --token qscd-conform --pin-env QSCD_USER_PIN --so-pin-env QSCD_SO_PIN \
	  --destructive --jobs $(CONFORM_JOBS) --timeout 120 $(CONFORM_FLAGS)

conformance-nss-softokn: $(CONFORM_BIN)
	@echo "conformance: NSS softokn (fresh database)"
	@rm -rf $(CONFORM_DIR)/nss && mkdir -p $(CONFORM_DIR)/nss && \
	  certutil -N -d sql:$(abspath $(CONFORM_DIR))/nss --empty-password
	@$(CONFORM_BIN) --target pkcs11:$(NSS_SOFTOKN) --name nss-softokn --timeout 120 \
	  --init-args "configdir='sql:$(abspath $(CONFORM_DIR))/nss' certPrefix='' keyPrefix='' secmod='secmod.db' flags=" \
	  --token "NSS Certificate DB" --pin "" --jobs 1 $(CONFORM_FLAGS)

# The reference stack: `qscd serve` on a throw-away directory under build/ (port 0), the
# suite's signers and credentials enrolled with `qscd admin` (conformance/runner/ref_start.sh),
# the CSC vectors run through the CSC target, the server stopped.
conformance-ref: $(CONFORM_BIN) $(BIN)/qscd
	@echo "conformance: the reference stack (qscd serve, fresh data directory)"
	@$(CONFORM_BIN) --target ref --qscd $(BIN)/qscd --ref-dir $(CONFORM_DIR)/ref \
	  --jobs $(CONFORM_JOBS) --timeout 300 $(CONFORM_FLAGS)

conformance-matrix: ## write reports/conformance/matrix.html from every target's results
	@$(PYTHON) src/tools/conformance_matrix.py --out reports/conformance/matrix.html

vectors-lint: ## check every vector file (schema, unique tcIds, counts, flags, requirement ids)
	@$(PYTHON) src/tools/vectors_lint.py

check-vectors-lint:
	@src/tools/step.sh vectors-lint $(CHECKDIR) -- $(PYTHON) src/tools/vectors_lint.py --outcomes

.PHONY: vectors-lint-selftest check-vectors-lint-selftest
vectors-lint-selftest: ## check that the vector linter catches each kind of broken vector file
	@$(PYTHON) src/tools/vectors_lint_selftest.py

check-vectors-lint-selftest:
	@src/tools/step.sh vectors-lint-selftest $(CHECKDIR) -- $(PYTHON) src/tools/vectors_lint_selftest.py \
	  --outcomes

# Quick: no slow vectors, two threads; every verdict must equal the golden one.
check-conformance: $(CONFORM_BIN)
	@src/tools/step.sh conformance $(CHECKDIR) -- $(MAKE) conformance-check-run

.PHONY: conformance-check-run
conformance-check-run: $(CONFORM_BIN)
	@src/tools/mktoken.sh $(CONFORM_DIR)/check qscd-conform 12345678 123456 >/dev/null
	@. $(CONFORM_DIR)/check/env && $(CONFORM_BIN) --target pkcs11:$(SOFTHSM_MODULE) \
	  --name softhsm2 --token qscd-conform --pin-env QSCD_USER_PIN --so-pin-env QSCD_SO_PIN \
	  --destructive --jobs 2 --timeout 60 --skip-slow --quiet --out $(CONFORM_DIR)/check-results \
	  --outcome-file "$$QSCD_OUTCOME_FILE"

# Quick: no slow vectors (the SAD-expiry waits); every verdict must equal the golden one.
check-conformance-ref: $(CONFORM_BIN)
	@src/tools/step.sh conformance-ref $(CHECKDIR) -- $(MAKE) conformance-ref-check-run

.PHONY: conformance-ref-check-run
conformance-ref-check-run: $(CONFORM_BIN) $(BIN)/qscd
	@$(CONFORM_BIN) --target ref --qscd $(BIN)/qscd --ref-dir $(CONFORM_DIR)/ref-check \
	  --jobs 2 --timeout 120 --skip-slow --quiet --out $(CONFORM_DIR)/ref-check-results \
	  --outcome-file "$$QSCD_OUTCOME_FILE"

# The report pages: regenerated from whatever results exist, rendered in headless Chromium
# (checked not blank), and every local link of every page under reports/ checked.
.PHONY: report-render check-report-render
report-render: ## render reports/index.html in headless Chromium and check every local link
	@$(PYTHON) src/tools/report_check.py

check-report-render:
	@src/tools/step.sh report-render $(CHECKDIR) -- $(PYTHON) src/tools/report_check.py --outcomes
