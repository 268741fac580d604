/* SPDX-License-Identifier: Apache-2.0 */
/*
 * White-box tests (CUnit). One suite per module, in conformance/unit/test_<module>.c, which
 * defines its registration function with UNIT_SUITE(<module>) { ... }; the build generates the
 * list of suites from the file names. Tests name the requirement they check in the test name
 * or next to the assertion.
 */
#ifndef QSCD_UNIT_H
#define QSCD_UNIT_H

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>

/* Define the registration function of a module's suite: UNIT_SUITE(mem) { ... }. */
#define UNIT_SUITE(m) int unit_suite_##m(void); int unit_suite_##m(void)

/* Add a suite with its tests; returns 0 or -1 (CUnit registry error). */
typedef struct unit_test { const char *name; CU_TestFunc fn; } unit_test;
int unit_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
                   const unit_test *tests);

/* Mark the running test as skipped, with the reason printed in the summary. A skipped test
 * must return right after this call. */
void unit_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define UNIT_SKIP(...) do { unit_skip(__VA_ARGS__); return; } while (0)

/* Decode a hex string into buf (at most cap bytes); returns the length or -1. */
long unit_hex(const char *hex, uint8_t *buf, size_t cap);

/* Environment of the throw-away SoftHSMv2 token the runner was started with (see
 * src/tools/mktoken.sh), or NULL when none was configured. */
const char *unit_env(const char *name);

#endif
