/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verdicts. A vector's verdict comes from what the target did and what the vector expects:
 * valid (must succeed), invalid (must be refused) or acceptable (either, unless the vendor
 * claims the profile option that decides it: then it must be refused). Every verdict other
 * than PASS carries a reason; a PASS may carry one too (e.g. refused with another code).
 */
#include "conform.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void set(cf_vector *v, cf_verdict d, const char *fmt, va_list ap)
{
    v->verdict = d;
    vsnprintf(v->reason, sizeof v->reason, fmt, ap);
}

void cf_pass(cf_vector *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set(v, CF_PASS, fmt, ap);
    va_end(ap);
}

void cf_fail(cf_vector *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set(v, CF_FAIL, fmt, ap);
    va_end(ap);
}

void cf_skip(cf_vector *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set(v, CF_SKIP, fmt, ap);
    va_end(ap);
}

void cf_observed(cf_vector *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->observed, sizeof v->observed, fmt, ap);
    va_end(ap);
}

int cf_claimed(const cf_options *o, const char *option)
{
    for (int i = 0; option && o && i < o->nclaims; i++)
        if (strcmp(o->claims[i], option) == 0)
            return 1;
    return 0;
}

/* Is `code` the vector's expectedError or one of its acceptedErrors? */
static int code_expected(const cf_vector *v, const char *code)
{
    if (!v->expected_error || strcmp(v->expected_error, code) == 0)
        return 1;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(v->test, "acceptedErrors"), i, e) {
        if (json_is_string(e) && strcmp(json_string_value(e), code) == 0)
            return 1;
    }
    return 0;
}

static void judge_refusal(cf_vector *v, int refused, const char *code, const char *prefix)
{
    if (!refused) {
        cf_fail(v, "%snot refused (%s); the vector expects refusal%s%s", prefix, code,
                v->expected_error ? " with " : "", v->expected_error ? v->expected_error : "");
    } else if (code_expected(v, code)) {
        cf_pass(v, "%s", prefix);
    } else {
        cf_pass(v, "%srefused with %s where the standard names %s", prefix, code,
                v->expected_error);
    }
}

void cf_judge(cf_vector *v, int refused, const char *code, const cf_options *o)
{
    if (!v->observed[0])
        cf_observed(v, "%s", code);
    switch (v->expect) {
    case CF_EXPECT_VALID:
        if (refused)
            cf_fail(v, "refused (%s); the vector expects success", code);
        else
            cf_pass(v, "%s", "");
        break;
    case CF_EXPECT_INVALID:
        judge_refusal(v, refused, code, "");
        break;
    case CF_EXPECT_ACCEPTABLE:
        if (cf_claimed(o, v->profile_option)) {
            char prefix[160];
            snprintf(prefix, sizeof prefix, "profile option %s claimed: ", v->profile_option);
            judge_refusal(v, refused, code, prefix);
        } else {
            v->verdict = CF_ACCEPTED;
            snprintf(v->reason, sizeof v->reason,
                     "%s (%s); either outcome conforms unless the profile option %s is "
                     "claimed (--claim)", refused ? "refused" : "accepted", code,
                     v->profile_option ? v->profile_option : "(none)");
        }
        break;
    }
}

const char *cf_verdict_name(cf_verdict d)
{
    switch (d) {
    case CF_PASS: return "PASS";
    case CF_FAIL: return "FAIL";
    case CF_SKIP: return "SKIP";
    case CF_ACCEPTED: return "ACCEPTED-EITHER";
    default: return "NOT-RUN";
    }
}

/* Secrets (PINs) are wiped through a volatile pointer so the stores are not elided. */
void cf_wipe(void *p, size_t n)
{
    volatile unsigned char *b = p;
    while (n--)
        *b++ = 0;
}

double cf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cf_mkdirs(const char *path)
{
    char buf[1024];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}
