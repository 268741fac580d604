/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM's audit log seen from outside, through the `qscd` command: `qscd audit verify`
 * against edits, deletions, insertions, reorderings, forged seals and a cut tail made in the
 * database file itself (SRG_AA.7), `qscd audit export` as JSON lines, no secret in the log or
 * the service's output (SRA_SKM.2.8), and the command's exit codes and the README's quick
 * start.
 */
#define _GNU_SOURCE /* memmem */
#include "unit.h"

#include <jansson.h>
#include <openssl/pem.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_types.h"
#include "util_samd.h"

static it_sam T;
static const char *why_not;
static char out[1 << 20];
static const char *env_aud = "QSCD_ADMIN_PASSWORD=aud-password";

#define NEED_SAM() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

static int setup(void)
{
    why_not = it_unavailable();
    if (why_not != NULL)
        return 0;
    if (it_init(&T, "samdaudit", NULL) != 0 || it_start(&T, NULL) != 0)
        why_not = "the SAM did not start (see build/it-*/samdaudit.log)";
    else if (it_audit_count(&T) == 0) /* creates the auditor aud */
        why_not = "the auditor could not be created";
    return 0;
}

static int cleanup(void)
{
    if (T.pid > 0 && it_stop(&T) != 0)
        return -1;
    return 0;
}

/* A whole file into *buf (free it). 0 or -1. */
static int cli_read(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n = -1;

    *buf = NULL;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (*buf = malloc((size_t)n)) != NULL && fread(*buf, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    else
        n = -1;
    if (f != NULL)
        fclose(f);
    return n > 0 ? 0 : -1;
}

static int sql(const char *stmt)
{
    char path[700];
    sqlite3 *db = NULL;
    int rc;

    snprintf(path, sizeof path, "%s/sam.db", T.dir);
    rc = sqlite3_open(path, &db);
    sqlite3_busy_timeout(db, 5000);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, stmt, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* `qscd audit verify` as the auditor: its exit status; the output in out. */
static int verify(void)
{
    return it_audit_verify_cmd(&T, out, sizeof out);
}

/* The verification fails and names this record with this finding. */
static bool broken_at(long seq, const char *finding)
{
    char want[64];

    snprintf(want, sizeof want, "BROKEN at record %ld: %s", seq, finding);
    return verify() == 1 && strstr(out, want) != NULL;
}

static void some_traffic(void)
{
    for (int i = 0; i < 5; i++)
        it_signer(&T, "nobody", SAMC_INFO, NULL, NULL);
}

/* ------------------------------------------------------------- tamper detection */

static void test_SRG_AA_7_intact(void)
{
    NEED_SAM();
    some_traffic();
    CU_ASSERT_EQUAL(verify(), 0);
    CU_ASSERT(strstr(out, "audit: intact:") != NULL);
}

static void test_SRG_AA_7_edit_detected(void)
{
    NEED_SAM();
    some_traffic();
    CU_ASSERT_EQUAL_FATAL(sql("UPDATE audit SET outcome = outcome + 1 WHERE seq = 3"), SQLITE_OK);
    CU_ASSERT(broken_at(3, "QSCD_ERR_AUDIT_CHAIN"));
    CU_ASSERT_EQUAL_FATAL(sql("UPDATE audit SET outcome = outcome - 1 WHERE seq = 3"), SQLITE_OK);
    CU_ASSERT_EQUAL(sql("UPDATE audit SET actor = CAST('mallory' AS BLOB) WHERE seq = 4"),
                    SQLITE_OK);
    CU_ASSERT(broken_at(4, "QSCD_ERR_AUDIT_CHAIN"));
    CU_ASSERT_EQUAL(sql("UPDATE audit SET actor = CAST('nobody' AS BLOB) WHERE seq = 4"), SQLITE_OK);
    CU_ASSERT_EQUAL(verify(), 0);
}

static void test_SRG_AA_7_delete_detected(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(sql("CREATE TABLE IF NOT EXISTS saved AS SELECT * FROM audit WHERE 0;"
                              "DELETE FROM saved; INSERT INTO saved SELECT * FROM audit WHERE seq = 5;"
                              "DELETE FROM audit WHERE seq = 5"), SQLITE_OK);
    CU_ASSERT(broken_at(5, "QSCD_ERR_AUDIT_MISSING"));
    CU_ASSERT_EQUAL(sql("INSERT INTO audit SELECT * FROM saved; DROP TABLE saved"), SQLITE_OK);
    CU_ASSERT_EQUAL(verify(), 0);
}

/* A forged record slipped in after record 5, the later ones renumbered to make room. Done
 * with the SAM stopped: a running SAM finds the next sequence number taken and refuses to
 * answer anything (QSCD_ERR_AUDIT_WRITE: no answer without its record). Undone afterwards,
 * with what the SAM appended meanwhile. */
static void test_SRG_AA_7_insert_detected(void)
{
    long last, seal;
    char undo[400];

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    last = it_sql_long(&T, "SELECT max(seq) FROM audit");
    seal = it_sql_long(&T, "SELECT max(seq) FROM seals");
    CU_ASSERT_FATAL(last > 6 && seal > 0);
    CU_ASSERT_EQUAL_FATAL(sql("UPDATE audit SET seq = -seq - 1 WHERE seq > 5;"
                              "UPDATE audit SET seq = -seq WHERE seq < 0;"
                              "INSERT INTO audit SELECT 6, time, op, role, outcome, actor, cred,"
                              " has_token, token_id, hash_alg, count, first_hash, request_id, peer,"
                              " link FROM audit WHERE seq = 5"), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT(broken_at(6, "QSCD_ERR_AUDIT_CHAIN"));
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    snprintf(undo, sizeof undo, "DELETE FROM audit WHERE seq > %ld OR seq = 6;"
             "DELETE FROM seals WHERE seq > %ld;UPDATE audit SET seq = -seq + 1 WHERE seq > 6;"
             "UPDATE audit SET seq = -seq WHERE seq < 0", last + 1, seal);
    CU_ASSERT_EQUAL(sql(undo), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_EQUAL(verify(), 0);
}

static void test_SRG_AA_7_reorder_detected(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(sql("UPDATE audit SET seq = -1 WHERE seq = 7; UPDATE audit SET seq = 7"
                              " WHERE seq = 8; UPDATE audit SET seq = 8 WHERE seq = -1"), SQLITE_OK);
    CU_ASSERT(broken_at(7, "QSCD_ERR_AUDIT_CHAIN"));
    CU_ASSERT_EQUAL(sql("UPDATE audit SET seq = -1 WHERE seq = 7; UPDATE audit SET seq = 7"
                        " WHERE seq = 8; UPDATE audit SET seq = 8 WHERE seq = -1"), SQLITE_OK);
    CU_ASSERT_EQUAL(verify(), 0);
}

/* The tail cut after a stop: the stop's seal covers records that are gone (the records
 * appended since then do not chain up to the seal). */
static void test_SRG_AA_7_tail_cut_detected(void)
{
    char stmt[200];
    long seal;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0); /* seals the head */
    seal = it_sql_long(&T, "SELECT max(seq) FROM seals");
    CU_ASSERT_FATAL(seal > 2);
    snprintf(stmt, sizeof stmt, "DELETE FROM audit WHERE seq >= %ld", seal - 2);
    CU_ASSERT_EQUAL_FATAL(sql(stmt), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    /* the walk ends before the seal's position, or reaches it with another head */
    CU_ASSERT(verify() == 1 && (strstr(out, "QSCD_ERR_AUDIT_MISSING") != NULL ||
                                strstr(out, "QSCD_ERR_AUDIT_SEAL") != NULL));
}

static void test_SRG_AA_7_forged_seal_detected(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(sql("CREATE TABLE kept AS SELECT * FROM seals;"
                              "UPDATE seals SET seal = zeroblob(32)"), SQLITE_OK);
    CU_ASSERT(verify() == 1 && strstr(out, "QSCD_ERR_AUDIT_SEAL") != NULL);
    CU_ASSERT_EQUAL(sql("DELETE FROM seals; INSERT INTO seals SELECT * FROM kept; DROP TABLE kept"),
                    SQLITE_OK);
    CU_ASSERT_EQUAL(verify(), 0);
}

/* ------------------------------------------------------------------- export */

static void test_SRG_AA_3_export_json_lines(void)
{
    long prev = -1, lines = 0, bad = 0;
    char *save = NULL;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_cli(out, sizeof out, env_aud, "audit", "--socket", T.sock, "--as",
                                 "auditor:aud", "export", (char *)NULL), 0);
    for (char *l = strtok_r(out, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(l, 0, NULL);
        json_t *seq = j != NULL ? json_object_get(j, "seq") : NULL;
        bad += seq == NULL || json_integer_value(seq) != prev + 1 ||
               json_object_get(j, "event") == NULL || json_object_get(j, "outcome") == NULL ||
               json_object_get(j, "link") == NULL;
        prev = seq != NULL ? (long)json_integer_value(seq) : prev;
        lines++;
        json_decref(j);
    }
    CU_ASSERT(lines > 10);
    CU_ASSERT_EQUAL(bad, 0);
}

/* SRG_AA.4 at the protocol: a search answers the matching records of the page it read, how
 * many it read and where the next page starts (a page may match nothing without being the
 * last); filter values out of their bounds are refused by name. */
static int search(uint64_t from, uint64_t count, const uint64_t *ops, size_t nops,
                  const char *actor, samc_resp *r)
{
    it_p p;

    itp_map(&p, 2 + (nops > 0) + (actor != NULL));
    itp_uint(&p, 1, from);
    itp_uint(&p, 2, count);
    if (nops > 0) {
        scbor_put_uint(&p.e, 3);
        scbor_put_array(&p.e, nops);
        for (size_t i = 0; i < nops; i++)
            scbor_put_uint(&p.e, ops[i]);
    }
    if (actor != NULL)
        itp_id(&p, 4, actor);
    return it_call(&T, 4, "aud", "aud-password", SAMC_AUDIT_EXPORT, &p, r);
}

static void test_SRG_AA_4_search_protocol(void)
{
    static const uint64_t start[] = { 900 }, created[] = { 160 };
    uint64_t count = 0, read = 0, next = 0;
    size_t off = 0, map = 0;
    int64_t op = -1;
    samc_resp r;
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(search(0, 3, start, 1, NULL, &r), 0);
    CU_ASSERT(samc_get_array(&r, 1, &count, &off) == 0 && count == 1 &&
              samc_next_map(&r, &off, &map) == 0 && samc_map_int(&r, map, 3, &op) == 0 &&
              op == 900);
    CU_ASSERT(samc_get_uint(&r, 2, &read) == 0 && read == 3);
    CU_ASSERT(samc_get_uint(&r, 3, &next) == 0 && next == 3);
    samc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(search(0, 1000, NULL, 0, "nobody-at-all", &r), 0);
    CU_ASSERT(samc_get_array(&r, 1, &count, &off) == 0 && count == 0);
    CU_ASSERT(samc_get_uint(&r, 2, &read) == 0 && read > 3);
    samc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(search(0, 1000, created, 1, "init", &r), 0);
    CU_ASSERT(samc_get_array(&r, 1, &count, &off) == 0 && count >= 1 &&
              samc_next_map(&r, &off, &map) == 0 && samc_map_int(&r, map, 1, &op) == 0 &&
              op == 0); /* the first administrator, made by `qscd sam --init` */
    samc_resp_free(&r);
    /* an unfiltered page keeps its first form: the records alone */
    CU_ASSERT_EQUAL_FATAL(search(0, 3, NULL, 0, NULL, &r), 0);
    CU_ASSERT(samc_get_uint(&r, 2, &read) == QSCD_ERR_NOT_FOUND);
    samc_resp_free(&r);
    itp_map(&p, 3);
    itp_uint(&p, 1, 0);
    itp_uint(&p, 2, 10);
    scbor_put_uint(&p.e, 3);
    scbor_put_array(&p.e, 0);
    CU_ASSERT_EQUAL(it_call(&T, 4, "aud", "aud-password", SAMC_AUDIT_EXPORT, &p, NULL),
                    QSCD_ERR_ARG);
    CU_ASSERT_EQUAL(search(0, 10, NULL, 0, "an-actor-id-longer-than-sixty-four-bytes-is-no-id-"
                                             "of-this-service-at-all", NULL), QSCD_ERR_ARG);
}

/* SRG_AA.4 from the command line: a search by event and actor, in the table form; a bad
 * time is a usage error (exit 2) that asks nothing of the SAM. */
static void test_SRG_AA_4_search_cli(void)
{
    uint64_t before;

    NEED_SAM();
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, env_aud, "audit", "--socket", T.sock, "--as",
                           "auditor:aud", "export", "--event", "service.start", "--actor", "sam",
                           (char *)NULL), 0);
    CU_ASSERT(strstr(out, "\"event\":\"service.start\"") != NULL);
    CU_ASSERT(strstr(out, "\"event\":\"audit.verify\"") == NULL);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, env_aud, "audit", "--socket", T.sock, "--as",
                           "auditor:aud", "export", "--event", "audit.verify", "--format",
                           "table", "--since", "2020-01-01T00:00:00Z", (char *)NULL), 0);
    CU_ASSERT(strncmp(out, "SEQ ", 4) == 0 && strstr(out, " audit.verify ") != NULL &&
              strstr(out, " auditor ") != NULL && strstr(out, "\"seq\"") == NULL);
    before = it_audit_count(&T);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, env_aud, "audit", "--socket", T.sock, "--as",
                           "auditor:aud", "export", "--until", "2026-11-31T00:00:00Z",
                           (char *)NULL), 2);
    CU_ASSERT(strstr(out, "--until '2026-11-31T00:00:00Z'") != NULL);
    /* the refusal reached nothing: the records since are the count's own two (its
     * admin.create attempt, its audit.verify) */
    CU_ASSERT_EQUAL(it_audit_count(&T), before + 2);
}

/* ------------------------------------------------------------------ secrets */

static bool file_has(const char *path, const void *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    static uint8_t buf[8 << 20];
    size_t len = f != NULL ? fread(buf, 1, sizeof buf, f) : 0;

    if (f != NULL)
        fclose(f);
    return len >= n && memmem(buf, len, needle, n) != NULL;
}

static bool anywhere(const void *needle, size_t n)
{
    static const char *files[] = { "sam.db", "sam.db-wal" };
    char path[700];

    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", T.dir, files[i]);
        if (file_has(path, needle, n))
            return true;
    }
    return file_has(T.log, needle, n);
}

/* SRA_SKM.2.8, 241-2/RIP: no PIN, OTP, TOTP seed, SAD or password reaches the database or
 * the service's output. */
static void test_SRA_SKM_2_8_no_secret_in_logs(void)
{
    const char *pin = "pin-NEEDLE-7431";
    uint8_t seed[20], h[32], tok[4096], tag[24];
    size_t tl = 0, t2 = 0;
    char code[9];

    NEED_SAM();
    it_sha256("secret-free", h);
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "sam", pin), 0);
    CU_ASSERT_EQUAL_FATAL(it_totp_provision(&T, "sam", seed), 0);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "sam", "s-1", SAM_KEY_EC_P256, SAM_SAP_TOTP, 1, false), 0);
    it_totp_code(seed, 0, code);
    CU_ASSERT_EQUAL_FATAL(it_authz_totp(&T, "sam", "s-1", pin, code, 1, h, 1, tok, &tl), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "sam", "s-1", tok, tl, SAM_SIGN_ECDSA, h, 1, NULL, NULL), 0);
    CU_ASSERT_FATAL(tl > sizeof tag);
    memcpy(tag, tok + tl - sizeof tag, sizeof tag); /* part of the SAD's MAC tag */
    CU_ASSERT_EQUAL(it_authz_totp(&T, "sam", "s-1", "wrong-NEEDLE-99", code, 1, h, 1, tok, &t2),
                    QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0); /* everything flushed */
    CU_ASSERT(!anywhere(pin, strlen(pin)));
    CU_ASSERT(!anywhere("wrong-NEEDLE-99", 15));
    /* the code is six digits: looked for in the service's output only (the database holds
     * peers' pids, where six digits may occur by chance) */
    CU_ASSERT(!file_has(T.log, code, 6));
    CU_ASSERT(!anywhere(seed, sizeof seed));
    CU_ASSERT(!anywhere(tag, sizeof tag));
    CU_ASSERT(!anywhere(IT_SO_PASSWORD, strlen(IT_SO_PASSWORD)));
    CU_ASSERT(anywhere(h, sizeof h));          /* the digest is recorded: the scan can find */
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
}

/* ----------------------------------------------------------------- the command */

static void test_cli_exit_codes(void)
{
    char conf[700];
    FILE *f;

    NEED_SAM();
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--help", (char *)NULL), 0);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "no.such",
                           (char *)NULL), 2);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "cred.info",
                           "--bogus", "x", (char *)NULL), 2);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "cred.info",
                           "--cred", "nope", (char *)NULL), 1);
    CU_ASSERT(strstr(out, "QSCD_ERR_CRED_NOT_FOUND") != NULL);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, "QSCD_ADMIN_PASSWORD=wrong-one", "admin", "--socket",
                           T.sock, "cred.list", (char *)NULL), 1);
    CU_ASSERT(strstr(out, "QSCD_ERR_AUTH_FAILED") != NULL);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "sam", "--config", "/nonexistent/sam.conf",
                           (char *)NULL), 2);
    snprintf(conf, sizeof conf, "%s-bad.conf", T.dir);
    f = fopen(conf, "w");
    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "# comment\n\ntoken_ttl = 99999999\n");
    fclose(f);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "sam", "--config", conf, (char *)NULL), 2);
    CU_ASSERT(strstr(out, "-bad.conf:3: out of range") != NULL);
    for (const char *const *h = (const char *const[]){ "sam", "audit", "ca", NULL }; *h; h++)
        CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, *h, "--help", (char *)NULL), 0);
}

/* The README's quick start, command by command. */
static void test_cli_quick_start(void)
{
    char chain[700];
    FILE *f;
    X509 *x = NULL;

    NEED_SAM();
    snprintf(chain, sizeof chain, "%s-chain.pem", T.dir);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "signer.enrol",
                           "--signer", "alice", "--name", "Alice Example", (char *)NULL), 0);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, "QSCD_PIN=alice-pin-2468", "admin", "--socket",
                           T.sock, "pin.set", "--signer", "alice", (char *)NULL), 0);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "totp.provision",
                           "--signer", "alice", (char *)NULL), 0);
    CU_ASSERT(strncmp(out, "uri: otpauth://totp/", 20) == 0);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "cred.create",
                           "--signer", "alice", "--cred", "alice-1", "--alg", "p256", "--sap",
                           "totp", (char *)NULL), 0);
    CU_ASSERT(strstr(out, "-----BEGIN CERTIFICATE-----") != NULL);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "--as",
                           "signer:alice", "cred.info", "--cred", "alice-1", "--out", chain,
                           (char *)NULL), 0);
    CU_ASSERT(strstr(out, "certificate-status: valid") != NULL);
    f = fopen(chain, "r");
    if (f != NULL) {
        x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    CU_ASSERT(x != NULL);
    X509_free(x);
}

/* The signer's commands as the README shows them: authorize (PIN from $QSCD_PIN, a TOTP code)
 * with --out writes the SAD (0600), sign --sad @FILE --out FILE writes the DER signature,
 * which OpenSSL verifies with the credential's certificate; --json stays valid JSON. */
static void test_cli_authorize_sign_files(void)
{
    char hex[65], sad[700], sig[700], code[9], sadarg[710];
    uint8_t seed[20], h[32], *cert = NULL, *der = NULL;
    size_t clen = 0, dlen = 0;
    json_error_t jerr;
    json_t *j;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "sia", "sia-pin-808"), 0);
    CU_ASSERT_EQUAL_FATAL(it_totp_provision(&T, "sia", seed), 0);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "sia", "sia-1", SAM_KEY_EC_P256, SAM_SAP_TOTP, 2, false), 0);
    it_sha256("a file to sign", h);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    snprintf(sad, sizeof sad, "%s-sad.bin", T.dir);
    snprintf(sadarg, sizeof sadarg, "@%s", sad);
    snprintf(sig, sizeof sig, "%s-sig.der", T.dir);
    it_totp_code(seed, 0, code);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, "QSCD_PIN=sia-pin-808", "admin", "--socket", T.sock,
                           "--as", "signer:sia", "authorize", "--cred", "sia-1", "--numsig", "2",
                           "--hash", hex, "--otp", code, "--out", sad, (char *)NULL), 0);
    CU_ASSERT(strstr(out, "(written to ") != NULL);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "--as",
                           "signer:sia", "sign", "--cred", "sia-1", "--sad", sadarg, "--hash", hex,
                           "--out", sig, (char *)NULL), 0);
    cert = it_cert(&T, "sia", "sia-1", &clen);
    CU_ASSERT_FATAL(cert != NULL);
    CU_ASSERT(cli_read(sig, &der, &dlen) == 0 && it_verify(cert, clen, SAM_SIGN_ECDSA, h, der, dlen));
    free(der);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "--as",
                           "signer:sia", "--json", "sign", "--cred", "sia-1", "--sad", sadarg,
                           "--hash", hex, "--out", sig, (char *)NULL), 0);
    j = json_loads(out, 0, &jerr);
    CU_ASSERT(j != NULL && json_is_array(json_object_get(j, "signatures")));
    json_decref(j);
    CU_ASSERT(cli_read(sig, &der, &dlen) == 0 && it_verify(cert, clen, SAM_SIGN_ECDSA, h, der, dlen));
    free(der);
    free(cert);
}

/* A refused parameter is named, with what was expected, never with its value; the command
 * says which option gives it. Nothing changes: the signer still has no PIN to lose. */
static void test_cli_refusal_names_parameter(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock,
                                 "signer.enrol", "--signer", "rex", "--name", "Rex", (char *)NULL), 0);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, "QSCD_PIN=zQ9", "admin", "--socket", T.sock,
                           "pin.set", "--signer", "rex", (char *)NULL), 1);
    CU_ASSERT(strstr(out, "QSCD_ERR_ARG: invalid argument (parameter 2: 4 to 64 bytes expected)")
              != NULL);
    CU_ASSERT(strstr(out, "parameter 2 is --pin-file or $QSCD_PIN") != NULL);
    CU_ASSERT(strstr(out, "zQ9") == NULL);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "admin", "--socket", T.sock, "cred.create",
                           "--signer", "rex", "--cred", "rex-1", "--alg", "p256", "--sap", "totp",
                           "--multisign", "33", (char *)NULL), 1);
    CU_ASSERT(strstr(out, "(parameter 5: 1 to 32 expected)") != NULL);
    CU_ASSERT(strstr(out, "parameter 5 is --multisign") != NULL);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT has_pin FROM signers WHERE id = x'726578'"), 0);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT count(*) FROM credentials WHERE id = x'7265782d31'"),
                    0);
}

UNIT_SUITE(samdaudit)
{
    static const unit_test tests[] = {
        { "SRG_AA_7_intact", test_SRG_AA_7_intact },
        { "SRG_AA_7_edit_detected", test_SRG_AA_7_edit_detected },
        { "SRG_AA_7_delete_detected", test_SRG_AA_7_delete_detected },
        { "SRG_AA_7_insert_detected", test_SRG_AA_7_insert_detected },
        { "SRG_AA_7_reorder_detected", test_SRG_AA_7_reorder_detected },
        { "SRG_AA_3_export_json_lines", test_SRG_AA_3_export_json_lines },
        { "SRA_SKM_2_8_no_secret_in_logs", test_SRA_SKM_2_8_no_secret_in_logs },
        { "cli_exit_codes", test_cli_exit_codes },
        { "cli_quick_start", test_cli_quick_start },
        { "cli_authorize_sign_files", test_cli_authorize_sign_files },
        { "cli_refusal_names_parameter", test_cli_refusal_names_parameter },
        { "SRG_AA_4_search_protocol", test_SRG_AA_4_search_protocol },
        { "SRG_AA_4_search_cli", test_SRG_AA_4_search_cli },
        { "SRG_AA_7_forged_seal_detected", test_SRG_AA_7_forged_seal_detected },
        { "SRG_AA_7_tail_cut_detected", test_SRG_AA_7_tail_cut_detected }, /* last: cuts the log */
        { NULL, NULL },
    };
    return unit_add_suite("samdaudit", setup, cleanup, tests);
}
