# SPDX-License-Identifier: Apache-2.0
# The CUnit runner: conformance/unit/main.c plus one test_<module>.c per module. The list of
# suites is generated from the file names, so adding a suite is adding a file.

UNIT_TEST_SRCS := $(sort $(wildcard conformance/unit/test_*.c))
UNIT_SRCS      := conformance/unit/main.c $(UNIT_TEST_SRCS) $(sort $(wildcard conformance/unit/util_*.c))
UNIT_BIN       := $(BIN)/qscd-unit
UNIT_GEN       := $(BUILD)/gen/unit
PROGRAMS       += $(UNIT_BIN)
CHECK_STEPS    += unit
LDLIBS_ALL     += -lcrypto

# Regenerated on every run but only replaced when the set of suites changed, so adding or
# removing a test file relinks the runner and nothing else.
$(UNIT_GEN)/unit_suites.h: FORCE
	@mkdir -p $(@D)
	@{ echo '/* generated from conformance/unit/test_*.c */'; \
	   echo '#define UNIT_SUITES(X) \'; \
	   for f in $(UNIT_TEST_SRCS); do b=$${f##*/test_}; echo "    X($${b%.c}) \\"; done; \
	   echo; } > $@.tmp && { cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@; }

$(call obj_of,conformance/unit/main.c): $(UNIT_GEN)/unit_suites.h
$(call obj_of,conformance/unit/main.c): MODULE_CPPFLAGS += -I$(UNIT_GEN)

$(UNIT_BIN): $(call obj_of,$(UNIT_SRCS)) $(UNIT_LIBS) $(LIB_CORE) $(LIB_COMMON) $(UNIT_GEN)/unit_suites.h
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(filter %.o,$^) $(UNIT_LIBS) $(LIB_CORE) $(LIB_COMMON) -o $@ -lcunit $(LDLIBS_ALL)

.PHONY: unit unit-run unit-run-cov check-unit
unit: $(UNIT_BIN) ## build and run the CUnit white-box tests (all, or UNIT=suite[/test])
	@$(MAKE) unit-run

# Every run gets a fresh throw-away token; tests find it by label through the environment.
unit-run: $(UNIT_BIN)
	@src/tools/mktoken.sh $(TOKENS)/unit-$(VARIANT) qscd-unit >/dev/null
	@. $(TOKENS)/unit-$(VARIANT)/env && $(UNIT_BIN) $(UNIT)

unit-run-cov: unit-run

check-unit:
	@src/tools/step.sh unit $(CHECKDIR) -- $(MAKE) unit-run

# ---------------------------------------------------------------- under the sanitizers

# The same suites built with ASan+UBSan into build/san, and so are the `qscd` processes they
# start (QSCD_BIN follows the variant). Every process writes its reports into
# build/san/reports/ (log_path) rather than to a stderr a test may not read, and the step
# fails on any report there (src/tools/san_reports.sh), so a finding in a SAM that a test
# only stops or kills still counts. LeakSanitizer is on in every process, without any
# suppression (none is needed: reports/robustness.md).
SAN_REPORTS := $(abspath $(BUILD_ROOT)/san/reports)
SAN_ENV     := ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:log_path=$(SAN_REPORTS)/asan \
               UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_REPORTS)/ubsan \
               QSCD_OUTCOME_PREFIX=unit-san
CHECK_STEPS += unit-san

.PHONY: unit-san unit-san-run check-unit-san
unit-san: ## the unit and integration tests under ASan+UBSan+LSan, SAM included (build/san; UNIT=suite[/test])
	@$(MAKE) SAN=1 unit-san-run

unit-san-run:
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	@rc=0; env $(SAN_ENV) $(MAKE) SAN=1 unit-run || rc=$$?; \
	src/tools/san_reports.sh $(SAN_REPORTS) || rc=1; exit $$rc

check-unit-san:
	@src/tools/step.sh unit-san $(CHECKDIR) -- $(MAKE) SAN=1 unit-san-run
