# SPDX-License-Identifier: Apache-2.0
# The project's own tools. The catalogue linter runs as the `spec-lint` step of the
# GNUmakefile; this fragment adds its self-test, which feeds the linter broken catalogues
# from a temporary directory and checks that each fault is caught; and the self-test of the
# proof's EVA coverage gate (src/tools/eva_cover.py), fed session logs with each kind of gap.

CHECK_STEPS += spec-lint-selftest eva-cover-selftest

.PHONY: spec-lint-selftest check-spec-lint-selftest spec-summary eva-cover-selftest \
        check-eva-cover-selftest
spec-lint-selftest: ## check that the catalogue linter catches each kind of broken catalogue
	@$(PYTHON) src/tools/spec_lint_selftest.py

check-spec-lint-selftest:
	@src/tools/step.sh spec-lint-selftest $(CHECKDIR) -- $(PYTHON) src/tools/spec_lint_selftest.py --outcomes

spec-summary: ## print the requirement counts per document, method and id status
	@$(PYTHON) src/tools/spec_lint.py --summary --quiet

eva-cover-selftest: ## check that the EVA coverage gate of `make proof` catches each kind of gap
	@$(PYTHON) src/tools/eva_cover_selftest.py

check-eva-cover-selftest:
	@src/tools/step.sh eva-cover-selftest $(CHECKDIR) -- $(PYTHON) src/tools/eva_cover_selftest.py --outcomes
