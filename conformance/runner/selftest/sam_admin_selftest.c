/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-test of the sam-admin runner (sam_admin.c, sam_admin_records.c) without the reference:
 * the audit-export judge on hand-written JSON lines (each expectation shown able to fail),
 * the placeholders, the child's environment (the caller's own QSCD_ secrets never reach the
 * command), and a whole vector run against a stand-in `qscd` script that prints the argument
 * vector it was given, so the position of --as and --password-file is checked too.
 */
#include "../sam_admin.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef void (*sa_outcome_fn)(const char *name, int ok, const char *why);

#define NOW 1790000000LL   /* 2026-09-21T14:13:20Z */
static const char EXPORT[] =
    "{\"seq\":5,\"time\":\"2026-09-21T14:13:18Z\",\"event\":\"sign\",\"role\":\"signer\","
    "\"actor\":\"alice\",\"outcome\":\"QSCD_OK\",\"cred\":\"c1\",\"count\":1}\n"
    "{\"seq\":6,\"time\":\"2026-09-21T14:13:20Z\",\"event\":\"sign\",\"role\":\"so\","
    "\"actor\":\"so\",\"outcome\":\"QSCD_ERR_ROLE_DENIED\",\"cred\":\"\",\"count\":0}\n"
    "{\"seq\":7,\"time\":\"1970-01-01T00:00:00Z\",\"event\":\"authorize\",\"role\":\"so\","
    "\"actor\":\"so\",\"outcome\":\"QSCD_ERR_ROLE_DENIED\",\"cred\":\"c1\",\"count\":0}\n";

/* Judge EXPORT (or text) against a records spec given as JSON; 0 held, -1 not. */
static int judge(sa_ctx *c, const char *spec, const char *text, char *why, size_t wl)
{
    json_t *s = json_loads(spec, 0, NULL);
    int rc = s ? sa_records_check(c, s, text ? text : EXPORT, (time_t)NOW, why, wl) : -2;
    json_decref(s);
    return rc;
}

static void check_records(sa_ctx *c, sa_outcome_fn out)
{
    char why[480];
    static const struct { const char *name, *spec, *text, *why; int rc; } cases[] = {
        {"records: selected, present, equal, timed", "{\"where\":{\"cred\":\"c1\","
         "\"event\":\"sign\"},\"count\":1,\"present\":[\"time\",\"actor\"],\"equal\":"
         "{\"actor\":\"alice\",\"count\":1},\"timeWithinSeconds\":5,\"contiguous\":true}",
         NULL, "", 0},
        {"records: wrong count", "{\"where\":{\"event\":\"sign\"},\"count\":1}", NULL,
         "2 records match", -1},
        {"records: none selected", "{\"where\":{\"actor\":\"bob\"}}", NULL, "0 records", -1},
        {"records: a value differs", "{\"where\":{\"seq\":5},\"equal\":{\"role\":\"so\"}}",
         NULL, "role is not", -1},
        {"records: an empty field is absent", "{\"where\":{\"seq\":6},\"present\":[\"cred\"]}",
         NULL, "has no cred", -1},
        {"records: an epoch time is far from the clock", "{\"where\":{\"seq\":7},"
         "\"timeWithinSeconds\":30}", NULL, "from the runner's clock", -1},
        {"records: a gap in seq", "{\"contiguous\":true,\"where\":{\"seq\":9}}",
         "{\"seq\":8}\n{\"seq\":9}\n{\"seq\":11}\n", "a gap", -1},
        {"records: a line not JSON", "{\"where\":{\"seq\":8}}", "{\"seq\":8}\nnot json\n",
         "line 2 is not", -1},
        {"records: every selected one judged", "{\"where\":{\"event\":\"sign\"},"
         "\"every\":true,\"present\":[\"cred\"]}", NULL, "record 6 has no cred", -1},
        {"records: a time not in UTC ISO 8601", "{\"where\":{\"seq\":1}}",
         "{\"seq\":1,\"time\":\"2026-09-21 14:13:18\"}\n", "not UTC ISO 8601", -1},
        {"records: without count the last one is judged", "{\"where\":{\"role\":\"so\"},"
         "\"timeWithinSeconds\":30}", NULL, "from the runner's clock", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        why[0] = '\0';
        int rc = judge(c, cases[i].spec, cases[i].text, why, sizeof why);
        int ok = rc == cases[i].rc && strstr(why, cases[i].why) != NULL;
        out(cases[i].name, ok, why[0] ? why : "held where it should not");
    }
}

static void check_expand(sa_ctx *c, sa_outcome_fn out)
{
    char buf[256], why[200] = "";
    FILE *f;
    char path[1200];
    snprintf(path, sizeof path, "%s/pw.password", c->dir);
    f = fopen(path, "w");
    if (f) {
        fputs("line-one\nline-two\n", f);
        fclose(f);
    }
    snprintf(c->cap_name[0], sizeof c->cap_name[0], "otp");
    snprintf(c->cap_val[0], sizeof c->cap_val[0], "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ"
             "GEZDGNBVGY3TQOJQ&digits=8&period=30");
    c->ncap = 1;
    int ok = sa_expand(c, "a-${nonce}-${file:pw.password}-${otp}", buf, sizeof buf, why,
                       sizeof why) == 0 &&
             strncmp(buf, "a-n1-line-one-otpauth://", 24) == 0;
    out("expand: nonce, file's first line, capture", ok, buf);
    ok = sa_expand(c, "${file:../pw.password}", buf, sizeof buf, why, sizeof why) != 0 &&
         sa_expand(c, "${file:x/y}", buf, sizeof buf, why, sizeof why) != 0;
    out("expand: ${file:} stays in the reference directory", ok, "a path outside was read");
    ok = sa_expand(c, "${nosuch}", buf, sizeof buf, why, sizeof why) != 0 &&
         strstr(why, "${nosuch}") != NULL;
    out("expand: an unknown placeholder fails", ok, why);
    ok = sa_expand(c, "${totp:otp}", buf, sizeof buf, why, sizeof why) == 0 &&
         strlen(buf) == 8 && strspn(buf, "0123456789") == 8;
    out("expand: a TOTP code of the captured URI's digits", ok, buf);
}

/* A stand-in qscd: prints its arguments, whether QSCD_PIN and QSCD_ADMIN_PASSWORD reached
 * it, and exits 1. */
static int fake_qscd(const sa_ctx *c, char *path, size_t cap)
{
    snprintf(path, cap, "%s/fake-qscd", c->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("#!/bin/sh\necho \"args: $*\"\necho \"pin: ${QSCD_PIN:-none}\"\n"
          "echo \"admin: ${QSCD_ADMIN_PASSWORD:-none}\"\necho \"sock: $QSCD_SAM_SOCKET\"\n"
          "echo 'QSCD_ERR_ROLE_DENIED' >&2\nexit 1\n", f);
    fclose(f);
    return chmod(path, 0700);
}

static void run_vector(const char *dir, const char *qscd, const char *test, cf_vector *v)
{
    memset(v, 0, sizeof *v);
    v->test = json_loads(test, 0, NULL);
    v->tcid = 1;
    sam_admin_run(dir, qscd, v);
    json_decref(v->test);
}

static void check_run(sa_ctx *c, sa_outcome_fn out)
{
    char qscd[1300];
    cf_vector v;
    if (fake_qscd(c, qscd, sizeof qscd) != 0) {
        out("run: stand-in qscd", 0, "cannot write it");
        return;
    }
    setenv("QSCD_PIN", "caller-pin", 1);
    setenv("QSCD_ADMIN_PASSWORD", "caller-password", 1);
    run_vector(c->dir, qscd, "{\"steps\":[{\"as\":\"so:so\",\"password\":\"so.password\","
               "\"run\":[\"admin\",\"info\",\"--x\"],\"env\":{\"QSCD_PIN\":\"${nonce}\"},"
               "\"exit\":1,\"stdoutContains\":[\"args: admin --as so:so --password-file "
               "${dir}/so.password info --x\",\"admin: none\",\"sock: ${dir}/data/sam.sock\"],"
               "\"stdoutAbsent\":[\"pin: none\",\"caller-\"],\"stderrContains\":"
               "[\"ROLE_DENIED\"]}]}", &v);
    out("run: argv, the step's env only, the socket", v.verdict == CF_PASS, v.reason);
    run_vector(c->dir, qscd, "{\"steps\":[{\"as\":\"so:so\",\"run\":[\"admin\",\"info\"],"
               "\"exit\":0}]}", &v);
    out("run: a wrong exit status fails", v.verdict == CF_FAIL &&
        strstr(v.reason, "exit 1, expected 0"), v.reason);
    run_vector(c->dir, qscd, "{\"steps\":[{\"as\":\"so:so\",\"run\":[\"admin\",\"info\"],"
               "\"exit\":1,\"stdoutAbsent\":[\"args:\"]}]}", &v);
    out("run: a forbidden pattern fails", v.verdict == CF_FAIL, v.reason);
    run_vector(NULL, qscd, "{\"steps\":[]}", &v);
    out("run: another target SKIPs", v.verdict == CF_SKIP &&
        strstr(v.reason, "no common protocol"), v.reason);
    unsetenv("QSCD_PIN");
    unsetenv("QSCD_ADMIN_PASSWORD");
}

void sam_admin_selftest(void (*out)(const char *name, int ok, const char *why))
{
    sa_ctx c;
    char tmpl[] = "/tmp/qscd-sam-admin-selftest-XXXXXX";
    memset(&c, 0, sizeof c);
    if (!mkdtemp(tmpl)) {
        out("sam-admin: scratch folder", 0, "mkdtemp failed");
        return;
    }
    snprintf(c.dir, sizeof c.dir, "%s", tmpl);
    snprintf(c.nonce, sizeof c.nonce, "n1");
    check_records(&c, out);
    check_expand(&c, out);
    check_run(&c, out);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);   /* our own mkdtemp folder only */
    if (system(cmd) != 0)
        out("sam-admin: clean-up", 0, tmpl);
}
