/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The unit-test runner: every suite in one binary. Prints CUnit's verbose output, writes one
 * outcome line per test ("unit.<suite>;<test>;PASS|FAIL|SKIP;cause") to $QSCD_OUTCOME_FILE
 * when set, and exits non-zero when any test failed: CUnit's own basic runner returns
 * success even then, so the status is taken from the failure counts.
 */
#include "unit.h"

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_suites.h" /* generated: UNIT_SUITES(X) lists every unit_suite_<module> */

#define DECLARE_SUITE_(m) int unit_suite_##m(void);
UNIT_SUITES(DECLARE_SUITE_)

static const struct { const char *name; int (*add)(void); } suites[] = {
#define LIST_SUITE_(m) { #m, unit_suite_##m },
    UNIT_SUITES(LIST_SUITE_)
};

/* Skips, by test: CUnit has no notion of a skipped test, so the runner keeps its own. */
#define MAX_SKIPS 512
static struct { CU_pTest test; char reason[200]; } skips[MAX_SKIPS];
static int nskips;

void unit_skip(const char *fmt, ...)
{
    va_list ap;

    if (nskips == MAX_SKIPS)
        return;
    skips[nskips].test = CU_get_current_test();
    va_start(ap, fmt);
    vsnprintf(skips[nskips].reason, sizeof skips[nskips].reason, fmt, ap);
    va_end(ap);
    printf("SKIPPED (%s) ", skips[nskips].reason);
    nskips++;
}

static const char *skip_reason(CU_pTest t)
{
    for (int i = 0; i < nskips; i++)
        if (skips[i].test == t)
            return skips[i].reason;
    return NULL;
}

int unit_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
                   const unit_test *tests)
{
    CU_pSuite s = CU_add_suite(name, init, cleanup);

    if (s == NULL)
        return -1;
    for (; tests->name != NULL; tests++)
        if (CU_add_test(s, tests->name, tests->fn) == NULL)
            return -1;
    return 0;
}

long unit_hex(const char *hex, uint8_t *buf, size_t cap)
{
    size_t n = strlen(hex), i;

    if (n % 2 != 0 || n / 2 > cap)
        return -1;
    for (i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        buf[i] = (uint8_t)v;
    }
    return (long)(n / 2);
}

const char *unit_env(const char *name)
{
    const char *v = getenv(name);

    return (v != NULL && *v != '\0') ? v : NULL;
}

static void clean_cause(char *p)
{
    for (; *p; p++)
        if (*p == ';' || *p == '\n')
            *p = ',';
}

/* One outcome line per test that was selected: FAIL with its first failed assertion (or its
 * suite's failed set-up), SKIP with the reason, PASS otherwise. Taken from CUnit's failure
 * list after the run: the basic runner replaces any completion handler set before. */
static void write_outcomes(FILE *f, const char *prefix)
{
    for (CU_pSuite s = CU_get_registry()->pSuite; s != NULL; s = s->pNext) {
        if (!s->fActive)
            continue;
        for (CU_pTest t = s->pTest; t != NULL; t = t->pNext) {
            char cause[300] = "";
            const char *verdict = "PASS";
            const char *why;

            if (!t->fActive)
                continue;
            for (CU_pFailureRecord r = CU_get_failure_list(); r != NULL; r = r->pNext) {
                if (r->pSuite == s && (r->pTest == t || r->pTest == NULL)) {
                    verdict = "FAIL";
                    snprintf(cause, sizeof cause, "%s:%u: %s", r->strFileName ? r->strFileName : "",
                             r->uiLineNumber, r->strCondition ? r->strCondition : "");
                    break;
                }
            }
            if (verdict[0] == 'P' && (why = skip_reason(t)) != NULL) {
                verdict = "SKIP";
                snprintf(cause, sizeof cause, "%s", why);
            }
            clean_cause(cause);
            fprintf(f, "%s.%s;%s;%s;%s\n", prefix, s->pName, t->pName, verdict, cause);
        }
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: qscd-unit [--list] [SUITE[/TEST] ...]\n"
            "Runs the white-box tests (all, or the named suites or tests).\n"
            "Environment: QSCD_OUTCOME_FILE (outcome lines are appended there, their suites\n"
            "named QSCD_OUTCOME_PREFIX.<suite>, by default unit.<suite>),\n"
            "SOFTHSM2_CONF, QSCD_P11_MODULE, QSCD_TOKEN_LABEL, QSCD_USER_PIN, QSCD_SO_PIN\n"
            "(the throw-away token, see src/tools/mktoken.sh).\n");
}

static int selected(int argc, char **argv, const char *suite, const char *test)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(suite);
        if (strcmp(argv[i], suite) == 0)
            return 1;
        if (test != NULL && strncmp(argv[i], suite, n) == 0 && argv[i][n] == '/' &&
            strcmp(argv[i] + n + 1, test) == 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int list = 0;
    unsigned failed;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--list") == 0)
            list = 1;
        else if (argv[i][0] == '-') {
            usage(stderr);
            return 2;
        }
    }
    if (list)
        argc = 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].add() != 0) {
            fprintf(stderr, "qscd-unit: cannot register suite %s\n", suites[i].name);
            return 2;
        }
    /* Deselect what was not asked for. */
    for (CU_pSuite s = CU_get_registry()->pSuite; s != NULL; s = s->pNext) {
        int any = 0;
        for (CU_pTest t = s->pTest; t != NULL; t = t->pNext) {
            int on = selected(argc, argv, s->pName, t->pName);
            CU_set_test_active(t, on ? CU_TRUE : CU_FALSE);
            any |= on;
            if (list)
                printf("%s/%s\n", s->pName, t->pName);
        }
        CU_set_suite_active(s, any ? CU_TRUE : CU_FALSE);
    }
    if (list) {
        CU_cleanup_registry();
        return 0;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
    printf("\nunit: %u tests run, %u failed, %d skipped, %u suite set-up(s) failed\n",
           CU_get_number_of_tests_run(), CU_get_number_of_tests_failed(), nskips,
           CU_get_number_of_suites_failed());
    const char *path = getenv("QSCD_OUTCOME_FILE");
    if (path != NULL && *path != '\0') {
        FILE *f = fopen(path, "a");
        if (f == NULL) {
            perror(path);
            return 2;
        }
        /* The sanitizer step runs the same suites: its outcomes under their own name. */
        write_outcomes(f, unit_env("QSCD_OUTCOME_PREFIX") != NULL ? unit_env("QSCD_OUTCOME_PREFIX")
                                                                   : "unit");
        fclose(f);
    }
    CU_cleanup_registry();
    return failed == 0 && CU_get_number_of_failures() == 0 ? 0 : 1;
}
