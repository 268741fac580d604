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
