/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM's monitor end to end (src/sam/samd_monitor.c; EN 419 241-1 SRG_AA.6.1, TS 119 431-1
 * OVR-6.5.3-02): a real `qscd sam` with low thresholds. A signer locked by failed
 * authentications and a burst of failures each raise one alert, as an audit record right
 * after the request that raised it and as a line on the SAM's stderr, with no secret in
 * either; a burst goes on without a second alert (no storm); a signer over its authorisation
 * rate raises one; a bad threshold stops the SAM at start.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_roles.h"
#include "sam_types.h"
#include "util_samd.h"

static it_sam T;
static const char *why_not;
static uint8_t H1[32], tok[4096];
static size_t tok_len;

#define NEED_SAM() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)
#define MONA_PIN "mona-pin-4711"

static int setup(void)
{
    it_sha256("monitored document", H1);
    why_not = it_unavailable();
    if (why_not != NULL)
        return 0;
    if (it_init(&T, "samdmon", "lockout_limit = 3\nalert_auth_failures = 4\n"
                               "alert_auth_window = 60\nalert_authz_limit = 2\n"
                               "alert_authz_window = 300\n") != 0 ||
        it_start(&T, NULL) != 0)
        why_not = "the SAM did not start (see build/it-*/samdmon.log)";
    return 0;
}

static int cleanup(void)
{
    if (T.pid > 0 && it_stop(&T) != 0)
        return -1;
    return 0;
}

/* The SAM's stderr so far, into buf. */
static void read_log(char *buf, size_t cap)
{
    FILE *f = fopen(T.log, "r");
    size_t n = f != NULL ? fread(buf, 1, cap - 1, f) : 0;

    buf[n] = '\0';
    if (f != NULL)
        fclose(f);
}

/* SRG_AA.6.1: the third wrong PIN locks mona: one alert.locked (911) naming her and the
 * credential, right after that authorisation's record; the attempt on the locked account is
 * the fourth failure: one alert.auth-burst (910) counting four; three more failures raise no
 * second burst alert within the window. */
static void test_SRG_AA_6_1_lock_and_burst(void)
{
    uint8_t seed[20];
    char code[9], log[65536], verify[4096];

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "mona", MONA_PIN), 0);
    CU_ASSERT_EQUAL_FATAL(it_totp_provision(&T, "mona", seed), 0);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "mona", "mona-c", SAM_KEY_EC_P256, SAM_SAP_TOTP, 1, false),
                          0);
    it_totp_code(seed, 0, code);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(it_authz_totp(&T, "mona", "mona-c", "not-her-pin", code, 1, H1, 1, tok,
                                      &tok_len), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 911 AND "
                                    "actor = CAST('mona' AS BLOB) AND cred = CAST('mona-c' AS "
                                    "BLOB) AND outcome = 181 AND role = 1 AND count = 1"), 1);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT (SELECT seq FROM audit WHERE op = 911) - (SELECT "
                                    "max(seq) FROM audit WHERE op = 1 AND outcome = 180)"), 1);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 910"), 0);
    CU_ASSERT_EQUAL(it_authz_totp(&T, "mona", "mona-c", MONA_PIN, code, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_LOCKED);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 910 AND count = 4 AND "
                                    "outcome = 180 AND actor = CAST('mona' AS BLOB)"), 1);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(it_authz_totp(&T, "nobody-here", "x", "wrong", code, 1, H1, 1, tok,
                                      &tok_len), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 910"), 1);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 911"), 1);
    read_log(log, sizeof log);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "qscd sam: ALERT locked: account mona locked after failed "
                                       "authentications (credential mona-c)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "qscd sam: ALERT auth-burst: 4 failed authentications in "
                                       "60 s (last: mona, credential mona-c)\n"));
    CU_ASSERT_PTR_NULL(strstr(log, MONA_PIN));
    CU_ASSERT_PTR_NULL(strstr(log, "not-her-pin"));
    CU_ASSERT_PTR_NULL(strstr(log, code));
    /* SRG_AA.2: the alerts are chained like every record (the auditor made by the count) */
    CU_ASSERT(it_audit_count(&T) > 0);
    CU_ASSERT_EQUAL(it_audit_verify_cmd(&T, verify, sizeof verify), 0);
}

/* SRG_AA.6.1: a signer's third authorisation within the window, over a limit of two, raises
 * one alert.authz-rate (912) counting three. */
static void test_SRG_AA_6_1_authz_rate(void)
{
    uint8_t seed[20];
    char code[9], log[65536];

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "rita", "rita-pin-2024"), 0);
    CU_ASSERT_EQUAL_FATAL(it_totp_provision(&T, "rita", seed), 0);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "rita", "rita-c", SAM_KEY_EC_P256, SAM_SAP_TOTP, 1, false),
                          0);
    while (time(NULL) % 30 > 24) /* three codes of consecutive steps, all within the skew */
        sleep(1);
    for (int off = -1; off <= 1; off++) {
        it_totp_code(seed, off, code);
        CU_ASSERT_EQUAL(it_authz_totp(&T, "rita", "rita-c", "rita-pin-2024", code, 1, H1, 1, tok,
                                      &tok_len), 0);
        CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 912"),
                        off < 1 ? 0 : 1);
    }
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 912 AND count = 3 AND "
                                    "outcome = 0 AND actor = CAST('rita' AS BLOB) AND "
                                    "cred = CAST('rita-c' AS BLOB)"), 1);
    read_log(log, sizeof log);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "qscd sam: ALERT authz-rate: 3 authorisations in 300 s "
                                       "(last: rita, credential rita-c)\n"));
    CU_ASSERT_PTR_NULL(strstr(log, "rita-pin-2024"));
}

/* SRG_AA.6.1: an administrator's account locked by wrong passwords raises alert.locked too,
 * naming the account and the role the request claimed; the password is in no record or line.
 * Runs after the burst test: its failures raise no second burst alert within the window. */
static void test_SRG_AA_6_1_admin_locked(void)
{
    char log[65536];
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_admin_create(&T, "opx", SAM_ROLE_OPERATOR, "opx-password-1"), 0);
    itp_map(&p, 1);
    itp_id(&p, 1, "no-such-cred"); /* the parameters pass, the password is what fails */
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(it_call(&T, SAM_ROLE_OPERATOR, "opx", "opx-wrong-pw", SAMC_KEY_BACKUP, &p,
                                NULL), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_call(&T, SAM_ROLE_OPERATOR, "opx", "opx-password-1", SAMC_KEY_BACKUP, &p,
                            NULL), QSCD_ERR_AUTH_LOCKED);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 911 AND "
                                    "actor = CAST('opx' AS BLOB) AND role = 3 AND outcome = 181"),
                    1);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 910"), 1);
    read_log(log, sizeof log);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "qscd sam: ALERT locked: account opx locked after failed "
                                       "authentications (credential -)\n"));
    CU_ASSERT_PTR_NULL(strstr(log, "opx-wrong-pw"));
    CU_ASSERT_PTR_NULL(strstr(log, "opx-password-1"));
}

/* Bad input changes nothing: a window of 0 or a limit above the ring is refused at start,
 * the line named. */
static void test_bad_thresholds_refused(void)
{
    static const char *bad[] = { "alert_auth_window = 0\n", "alert_auth_failures = 1001\n",
                                 "alert_authz_limit = -1\n", "alert_authz_window = 1h\n" };
    char path[700], out[2048];

    NEED_SAM();
    snprintf(path, sizeof path, "%s.bad.conf", T.dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fprintf(f, "# thresholds\n%s", bad[i]);
        fclose(f);
        CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "sam", "--config", path, "--print-config",
                               NULL), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, ".bad.conf:2: "));
    }
    unlink(path);
}

UNIT_SUITE(samdmon)
{
    static const unit_test tests[] = {
        { "SRG_AA_6_1_lock_and_burst", test_SRG_AA_6_1_lock_and_burst },
        { "SRG_AA_6_1_authz_rate", test_SRG_AA_6_1_authz_rate },
        { "SRG_AA_6_1_admin_locked", test_SRG_AA_6_1_admin_locked },
        { "bad_thresholds_refused", test_bad_thresholds_refused },
        { NULL, NULL },
    };
    return unit_add_suite("samdmon", setup, cleanup, tests);
}
