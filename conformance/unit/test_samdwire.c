/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bad input on the SAM's socket (spec/sam-protocol.md §1-§2): oversized, empty, truncated,
 * non-deterministic or garbage frames are answered and their connection closed; slow or
 * stalled clients are closed after the read timeout and never keep others waiting; wrong
 * parameters are refused and the connection goes on. Also: concurrent signers, and a stop
 * (SIGTERM) that finishes the request in hand.
 */
#include "unit.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_roles.h"
#include "sam_types.h"
#include "samp.h"
#include "util_samd.h"

static it_sam T;
static const char *why_not;

#define NEED_SAM() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

static int setup(void)
{
    why_not = it_unavailable();
    if (why_not != NULL)
        return 0;
    if (it_init(&T, "samdwire", "read_timeout = 2\nworkers = 2\nmax_connections = 16\n"
                                "seal_interval = 1\n") != 0 ||
        it_start(&T, NULL) != 0)
        why_not = "the SAM did not start (see build/it-*/samdwire.log)";
    return 0;
}

static int cleanup(void)
{
    if (T.pid > 0 && it_stop(&T) != 0)
        return -1;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Send raw bytes on a fresh connection; the status of the answer (or -1), and whether the
 * SAM closed the connection after it. */
static int raw(const uint8_t *bytes, size_t n, bool *closed)
{
    samc *c = NULL;
    uint8_t *buf = NULL, tail;
    size_t len = 0;
    samc_resp r;
    int st = -1;

    if (samc_connect(T.sock, 10, &c) != QSCD_OK)
        return -1;
    if (send(samc_fd(c), bytes, n, MSG_NOSIGNAL) == (ssize_t)n &&
        samc_recv_frame(c, &buf, &len) == QSCD_OK && samc_resp_parse(buf, len, NULL, 0, &r) == 0) {
        st = r.status;
        samc_resp_free(&r);
    } else {
        free(buf);
    }
    /* closed right after the answer, or still open (the read timeout is 2 s) */
    struct pollfd pf = { samc_fd(c), POLLIN, 0 };
    *closed = poll(&pf, 1, 1000) == 1 && recv(samc_fd(c), &tail, 1, 0) == 0;
    samc_close(c);
    return st;
}

/* A frame: header for len, then the payload. */
static size_t frame(const uint8_t *payload, size_t len, uint8_t *out)
{
    samp_frame_header(len, out);
    memcpy(out + 4, payload, len);
    return len + 4;
}

/* A well-formed request (info, as a signer) to corrupt. */
static size_t info_request(uint8_t *out, size_t cap, uint64_t version)
{
    scbor_enc e;

    scbor_enc_init(&e, out, cap);
    scbor_put_map(&e, 5);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, version);
    scbor_put_uint(&e, 2);
    scbor_put_uint(&e, SAMC_INFO);
    scbor_put_uint(&e, 3);
    scbor_put_bstr(&e, (const uint8_t *)"req-1", 5);
    scbor_put_uint(&e, 4);
    scbor_put_map(&e, 2);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, 2);
    scbor_put_bstr(&e, (const uint8_t *)"s", 1);
    scbor_put_uint(&e, 5);
    scbor_put_map(&e, 0);
    return e.len;
}

static bool info_ok(void)
{
    return it_signer(&T, "someone", SAMC_INFO, NULL, NULL) == 0;
}

/* ------------------------------------------------------------------------ frames */

static void test_frame_oversized_closed(void)
{
    uint8_t hdr[4] = { 0x00, 0x01, 0x00, 0x01 }; /* 65 537 bytes announced */
    bool closed = false;

    NEED_SAM();
    CU_ASSERT_EQUAL(raw(hdr, 4, &closed), QSCD_ERR_PROTO_TOO_LARGE);
    CU_ASSERT(closed);
    hdr[0] = 0xff;
    CU_ASSERT_EQUAL(raw(hdr, 4, &closed), QSCD_ERR_PROTO_TOO_LARGE);
    CU_ASSERT(closed);
    CU_ASSERT(info_ok());
}

static void test_frame_empty_closed(void)
{
    uint8_t hdr[4] = { 0 };
    bool closed = false;

    NEED_SAM();
    CU_ASSERT_EQUAL(raw(hdr, 4, &closed), QSCD_ERR_PROTO_FRAME);
    CU_ASSERT(closed);
    CU_ASSERT(info_ok());
}

/* Truncated CBOR, trailing bytes, another version, unsorted keys: refused, closed. */
static void test_frame_malformed_cbor_closed(void)
{
    uint8_t req[256], f[300];
    size_t n = info_request(req, sizeof req, 1);
    bool closed = false;

    NEED_SAM();
    CU_ASSERT_EQUAL(raw(f, frame(req, n, f), &closed), 0);
    CU_ASSERT(!closed); /* the intact request: answered, connection kept */
    CU_ASSERT_EQUAL(raw(f, frame(req, n - 1, f), &closed), QSCD_ERR_PROTO_FRAME);
    CU_ASSERT(closed);
    req[n] = 0x00;
    CU_ASSERT_EQUAL(raw(f, frame(req, n + 1, f), &closed), QSCD_ERR_PROTO_FRAME);
    CU_ASSERT(closed);
    n = info_request(req, sizeof req, 2);
    CU_ASSERT_EQUAL(raw(f, frame(req, n, f), &closed), QSCD_ERR_PROTO_VERSION);
    CU_ASSERT(closed);
    n = info_request(req, sizeof req, 1);
    req[1] = 0x02; /* key 1 -> 2: keys 2, 2, 3...: duplicate and out of order */
    CU_ASSERT_EQUAL(raw(f, frame(req, n, f), &closed), QSCD_ERR_PROTO_FRAME);
    CU_ASSERT(closed);
    CU_ASSERT(info_ok());
}

/* Random payloads (a fixed seed, so a failure replays): each one refused and closed, the
 * SAM still serving afterwards. */
static void test_frame_garbage_closed(void)
{
    uint8_t payload[512], f[600];
    unsigned seed = 20261127;
    int refused = 0;

    NEED_SAM();
    for (int i = 0; i < 100; i++) {
        size_t n = 1 + (size_t)(rand_r(&seed) % sizeof payload);
        bool closed = false;
        for (size_t j = 0; j < n; j++)
            payload[j] = (uint8_t)rand_r(&seed);
        payload[0] = (uint8_t)(0xa5 + (i % 2)); /* often a map head, to go deeper */
        int st = raw(f, frame(payload, n, f), &closed);
        refused += st == QSCD_ERR_PROTO_FRAME && closed;
    }
    CU_ASSERT_EQUAL(refused, 100);
    CU_ASSERT(info_ok());
}

/* ------------------------------------------------------------------- parameters */

/* Unknown operations and wrong parameters are refused; the connection goes on. */
static void test_params_wrong_kept_open(void)
{
    samc_caller so = { 2, (const uint8_t *)"so", 2, (const uint8_t *)IT_SO_PASSWORD,
                       strlen(IT_SO_PASSWORD) };
    samc *c = NULL;
    samc_resp r;
    it_p p;

    NEED_SAM();
    CU_ASSERT_FATAL(samc_connect(T.sock, 10, &c) == QSCD_OK);
    CU_ASSERT(samc_call(c, &so, 99, NULL, 0, &r) == 0 && r.status == QSCD_ERR_PROTO_OP);
    samc_resp_free(&r);
    itp_map(&p, 2);
    itp_text(&p, 1, "text-not-bytes"); /* id must be a byte string */
    itp_text(&p, 2, "Name");
    CU_ASSERT(samc_call(c, &so, SAMC_SIGNER_ENROL, p.buf, p.e.len, &r) == 0 &&
              r.status == QSCD_ERR_PROTO_FRAME);
    samc_resp_free(&r);
    itp_map(&p, 3);
    itp_id(&p, 1, "x");
    itp_text(&p, 2, "Name");
    itp_uint(&p, 9, 1); /* a key signer.enrol does not have */
    CU_ASSERT(samc_call(c, &so, SAMC_SIGNER_ENROL, p.buf, p.e.len, &r) == 0 &&
              r.status == QSCD_ERR_PROTO_FRAME);
    samc_resp_free(&r);
    itp_map(&p, 1);
    itp_id(&p, 1, "x"); /* the name is missing */
    CU_ASSERT(samc_call(c, &so, SAMC_SIGNER_ENROL, p.buf, p.e.len, &r) == 0 &&
              r.status == QSCD_ERR_PROTO_FRAME);
    samc_resp_free(&r);
    itp_map(&p, 2);
    itp_id(&p, 1, "x");
    itp_text(&p, 2, ""); /* empty name */
    CU_ASSERT(samc_call(c, &so, SAMC_SIGNER_ENROL, p.buf, p.e.len, &r) == 0 &&
              r.status == QSCD_ERR_ARG);
    samc_resp_free(&r);
    CU_ASSERT(samc_call(c, &so, SAMC_INFO, NULL, 0, &r) == 0 && r.status == 0);
    samc_resp_free(&r);
    samc_close(c);
}

/* ---------------------------------------------------------------- slow clients */

static int connect_raw(void)
{
    samc *c = NULL;
    int fd;

    if (samc_connect(T.sock, 10, &c) != QSCD_OK)
        return -1;
    fd = dup(samc_fd(c));
    samc_close(c);
    return fd;
}

/* A partial frame and more idle connections than workers: others are still served at once;
 * the slow one gets QSCD_ERR_TIMEOUT and is closed after the read timeout (2 s here). */
static void test_frame_slow_others_served(void)
{
    uint8_t part[7] = { 0, 0, 0, 40, 0xa5, 0x01, 0x01 }, buf[256];
    int slow, idle[4];
    double t0, t1;
    ssize_t n;
    samc_resp r;

    NEED_SAM();
    slow = connect_raw();
    CU_ASSERT_FATAL(slow >= 0);
    CU_ASSERT(send(slow, part, sizeof part, MSG_NOSIGNAL) == (ssize_t)sizeof part);
    for (int i = 0; i < 4; i++)
        idle[i] = connect_raw();
    t0 = now_s();
    CU_ASSERT(info_ok());
    t1 = now_s();
    CU_ASSERT(t1 - t0 < 1.0); /* served while the slow and idle clients wait */
    /* the slow client's answer comes after the timeout, then the close */
    n = recv(slow, buf, sizeof buf, 0);
    CU_ASSERT(now_s() - t0 > 1.0);
    CU_ASSERT_FATAL(n > 4);
    CU_ASSERT(samc_resp_parse(buf + 4, (size_t)n - 4, NULL, 0, &r) == 0 &&
              r.status == QSCD_ERR_TIMEOUT);
    CU_ASSERT(recv(slow, buf, sizeof buf, 0) == 0);
    close(slow);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT(idle[i] >= 0 && recv(idle[i], buf, sizeof buf, 0) == 0); /* closed, silently */
        close(idle[i]);
    }
}

/* ------------------------------------------------------------------ concurrency */

typedef struct worker_arg {
    char signer[16], cred[16];
    EVP_PKEY *dev;
    int ok, fail;
} worker_arg;

/* Authorize and sign in a loop; every signature verified. */
static void *signing(void *p)
{
    worker_arg *a = p;
    uint8_t tok[4096], h[32], sig[1][512];
    size_t tl = 0, sl[1], clen = 0;
    uint8_t *cert = it_cert(&T, a->signer, a->cred, &clen);

    for (int i = 0; i < 8 && cert != NULL; i++) {
        char text[64];
        snprintf(text, sizeof text, "%s document %d", a->signer, i);
        it_sha256(text, h);
        if (it_authz_sic(&T, a->signer, a->cred, "pin-1234", a->dev, 1, h, 1, tok, &tl) == 0 &&
            it_sign(&T, a->signer, a->cred, tok, tl, SAM_SIGN_ECDSA, h, 1, sig, sl) == 0 &&
            it_verify(cert, clen, SAM_SIGN_ECDSA, h, sig[0], sl[0]))
            a->ok++;
        else
            a->fail++;
    }
    free(cert);
    return NULL;
}

/* Four signers authorise and sign at once: all succeed and verify (the per-signer locks and
 * the store's group commit under load). */
static void test_concurrent_signers(void)
{
    worker_arg a[4];
    pthread_t th[4];

    NEED_SAM();
    memset(a, 0, sizeof a);
    for (int i = 0; i < 4; i++) {
        snprintf(a[i].signer, sizeof a[i].signer, "w%d", i);
        snprintf(a[i].cred, sizeof a[i].cred, "w%d-c", i);
        CU_ASSERT_EQUAL_FATAL(it_enrol(&T, a[i].signer, "pin-1234"), 0);
        a[i].dev = it_device_enrol(&T, a[i].signer);
        CU_ASSERT_EQUAL_FATAL(it_cred(&T, a[i].signer, a[i].cred, SAM_KEY_EC_P256, SAM_SAP_SIC, 1,
                                      false), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, signing, &a[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CU_ASSERT_EQUAL(a[i].ok, 8);
        CU_ASSERT_EQUAL(a[i].fail, 0);
        EVP_PKEY_free(a[i].dev);
    }
}

/* ------------------------------------------------------------------------ stop */

static void *create_rsa4096(void *p)
{
    *(int *)p = it_cred(&T, "w0", "w0-rsa", SAM_KEY_RSA_4096, SAM_SAP_SIC, 1, false);
    return NULL;
}

/* SIGTERM while a request is in hand (an RSA-4096 key being generated): it is answered, the
 * SAM stops cleanly and seals its log; the credential is there after the restart. */
static void test_sigterm_finishes_request_in_hand(void)
{
    struct timespec ms200 = { 0, 200000000 };
    pthread_t th;
    int rc = -1;

    NEED_SAM();
    pthread_create(&th, NULL, create_rsa4096, &rc);
    nanosleep(&ms200, NULL);
    CU_ASSERT(__atomic_load_n(&rc, __ATOMIC_SEQ_CST) == -1); /* still generating the key */
    CU_ASSERT_EQUAL(it_stop(&T), 0);
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    size_t len = 0;
    uint8_t *cert = it_cert(&T, "w0", "w0-rsa", &len);
    CU_ASSERT(cert != NULL);
    free(cert);
    CU_ASSERT(it_audit_count(&T) > 0);
}

/* ------------------------------------------------------------- bad input */

/* Everything the SAM keeps but its audit log, as text (sqlite3 .dump). */
static char *state_dump(void)
{
    char cmd[900];
    char *buf = calloc(1, 1 << 20);
    size_t got = 0, r;
    FILE *f;

    snprintf(cmd, sizeof cmd, "sqlite3 '%s/sam.db' '.dump signers admins credentials backups "
             "registry challenges meta'", T.dir);
    f = buf != NULL ? popen(cmd, "r") : NULL;
    while (f != NULL && (r = fread(buf + got, 1, (1 << 20) - 1 - got, f)) > 0)
        got += r;
    if (f == NULL || pclose(f) != 0 || got == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

typedef struct bad_case {
    const char *what;
    int role;                   /* 1 signer "bx", 2 so, 3 operator "opx", 4 auditor "aud" */
    unsigned op;
    int want;
} bad_case;

/* One bad request of case c: parameters that break exactly one rule. */
static void bad_params(const bad_case *c, it_p *p)
{
    static const uint8_t junk[8] = { 0x30, 0x03, 0x02, 0x01, 0x00, 0xff, 0xff, 0xff };
    uint8_t h[32];
    char long_id[66];

    memset(h, 0x42, sizeof h);
    memset(long_id, 'x', 65);
    long_id[65] = '\0';
    switch (c->op) {
    case SAMC_SIGNER_ENROL: itp_map(p, 2); itp_id(p, 1, long_id); itp_text(p, 2, "X"); break;
    case SAMC_PIN_SET: itp_map(p, 2); itp_id(p, 1, "bx"); itp_bytes(p, 2, junk, 3); break;
    case SAMC_PIN_CHANGE: itp_map(p, 2); itp_bytes(p, 1, (const uint8_t *)"bx-pin-1", 8);
                          itp_bytes(p, 2, junk, 3); break;
    case SAMC_DEVICE_ENROL: itp_map(p, 2); itp_id(p, 1, "bx"); itp_bytes(p, 2, junk, 8); break;
    case SAMC_CRED_CREATE: itp_map(p, 5); itp_id(p, 1, "bx"); itp_id(p, 2, "bx-2");
                           itp_uint(p, 3, 999); itp_uint(p, 4, 2); itp_uint(p, 5, 1); break;
    case SAMC_CERT_IMPORT: itp_map(p, 2); itp_id(p, 1, "bx-1"); itp_bytes(p, 2, junk, 8); break;
    case SAMC_AUTHORIZE: itp_map(p, 5); itp_id(p, 1, "bx-1"); itp_uint(p, 2, 0);
                         itp_uint(p, 3, 1); itp_hashes(p, 4, h, 32, 1);
                         itp_bytes(p, 5, (const uint8_t *)"bx-pin-1", 8); break;
    case SAMC_SIGN: itp_map(p, 5); itp_id(p, 1, "bx-1"); itp_bytes(p, 2, junk, 8);
                    itp_uint(p, 3, 1); itp_uint(p, 4, 1); itp_hashes(p, 5, h, 32, 1); break;
    case SAMC_KEY_RESTORE: itp_map(p, 2); itp_id(p, 1, "bx-1"); itp_bytes(p, 2, junk, 8); break;
    case SAMC_AUDIT_EXPORT: itp_map(p, 2); itp_uint(p, 1, 0); itp_uint(p, 2, 0); break;
    case SAMC_ADMIN_CREATE: itp_map(p, 3); itp_id(p, 1, "adm2"); itp_uint(p, 2, 3);
                            itp_bytes(p, 3, junk, 3); break;
    case SAMC_CRED_LIST: itp_map(p, 1); itp_id(p, 1, long_id); break;
    default: itp_map(p, 1); itp_id(p, 1, c->role == 1 || c->op >= SAMC_CRED_INFO ? "nope-c"
                                                                            : "nope-s"); break;
    }
}

/* Every operation refuses bad input with its symbolic error, and nothing the SAM keeps
 * changes (its audit log aside: one record per request). */
static void test_bad_input_changes_nothing(void)
{
    static const bad_case cases[] = {
        { "signer id too long", 2, SAMC_SIGNER_ENROL, QSCD_ERR_ARG },
        { "unknown signer", 2, SAMC_SIGNER_DISABLE, QSCD_ERR_SIGNER_NOT_FOUND },
        { "unknown signer", 2, SAMC_SIGNER_ENABLE, QSCD_ERR_SIGNER_NOT_FOUND },
        { "unknown signer", 2, SAMC_SIGNER_UNLOCK, QSCD_ERR_SIGNER_NOT_FOUND },
        { "unknown signer", 2, SAMC_SIGNER_DELETE, QSCD_ERR_SIGNER_NOT_FOUND },
        { "PIN too short", 2, SAMC_PIN_SET, QSCD_ERR_ARG },
        { "new PIN too short", 1, SAMC_PIN_CHANGE, QSCD_ERR_ARG },
        { "unknown signer", 2, SAMC_TOTP_PROVISION, QSCD_ERR_SIGNER_NOT_FOUND },
        { "device key not P-256 SPKI", 2, SAMC_DEVICE_ENROL, QSCD_ERR_ARG },
        { "key algorithm unknown", 2, SAMC_CRED_CREATE, QSCD_ERR_KEY_POLICY },
        { "owner id too long", 2, SAMC_CRED_LIST, QSCD_ERR_ARG },
        { "unknown credential", 1, SAMC_CRED_INFO, QSCD_ERR_CRED_NOT_FOUND },
        { "unknown credential", 2, SAMC_CRED_DISABLE, QSCD_ERR_CRED_NOT_FOUND },
        { "unknown credential", 2, SAMC_CRED_ENABLE, QSCD_ERR_CRED_NOT_FOUND },
        { "unknown credential", 2, SAMC_CRED_DELETE, QSCD_ERR_CRED_NOT_FOUND },
        { "certificate not DER", 2, SAMC_CERT_IMPORT, QSCD_ERR_ARG },
        { "unknown credential", 2, SAMC_CERT_REVOKE, QSCD_ERR_CRED_NOT_FOUND },
        { "unknown credential", 1, SAMC_CRED_CSR, QSCD_ERR_CRED_NOT_FOUND },
        { "unknown credential", 1, SAMC_CHALLENGE, QSCD_ERR_CRED_NOT_FOUND },
        { "numSignatures 0", 1, SAMC_AUTHORIZE, QSCD_ERR_NUMSIG_INVALID },
        { "SAD not a token", 1, SAMC_SIGN, QSCD_ERR_SAD_MALFORMED },
        { "unknown credential", 3, SAMC_KEY_BACKUP, QSCD_ERR_CRED_NOT_FOUND },
        { "backup record not CBOR", 3, SAMC_KEY_RESTORE, QSCD_ERR_P11_WRAPPED },
        { "count 0", 4, SAMC_AUDIT_EXPORT, QSCD_ERR_ARG },
        { "password too short", 2, SAMC_ADMIN_CREATE, QSCD_ERR_ARG },
    };
    static const char *const ids[5] = { "", "bx", "so", "opx", "aud" };
    static const char *const pws[5] = { NULL, NULL, IT_SO_PASSWORD, "opx-password", "aud-password" };
    char *before, *after;
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "bx", "bx-pin-1"), 0);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "bx", "bx-1", SAM_KEY_EC_P256, SAM_SAP_TOTP, 1, false), 0);
    CU_ASSERT_EQUAL_FATAL(it_admin_create(&T, "opx", SAM_ROLE_OPERATOR, "opx-password"), 0);
    CU_ASSERT_FATAL(it_audit_count(&T) > 0); /* the auditor aud */
    before = state_dump();
    CU_ASSERT_FATAL(before != NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *c = &cases[i];
        int st;
        bad_params(c, &p);
        st = it_call(&T, c->role, ids[c->role], pws[c->role], c->op, &p, NULL);
        if (st != c->want)
            printf("(op %u, %s: %s, expected %s) ", c->op, c->what, qscd_err_name(st),
                   qscd_err_name(c->want));
        CU_ASSERT_EQUAL(st, c->want);
    }
    after = state_dump();
    CU_ASSERT(after != NULL && strcmp(before, after) == 0);
    free(before);
    free(after);
}

/* ------------------------------------------------------------------ sealing */

/* The seals audit.verify checked (the auditor `aud` of it_audit_count), or -1. */
static long seals_verified(void)
{
    uint64_t n = 0, bad = 0;
    samc_resp r;
    long v = -1;

    it_audit_count(&T); /* makes the auditor the first time */
    if (it_call(&T, SAM_ROLE_AUDITOR, "aud", "aud-password", SAMC_AUDIT_VERIFY, NULL, &r) == 0 &&
        samc_get_uint(&r, 2, &n) == 0 && samc_get_uint(&r, 3, &bad) != 0)
        v = (long)n;
    samc_resp_free(&r);
    return v;
}

/* SRG_AA.7: the SAM seals the head of its audit chain with the HSM key every seal_interval
 * (1 s here) while it runs, not only at its stop; every seal verifies. */
static void test_SRG_AA_7_sealed_periodically(void)
{
    struct timespec s25 = { 2, 500000000 };
    long before, after;

    NEED_SAM();
    before = seals_verified();
    CU_ASSERT_FATAL(before >= 0);
    nanosleep(&s25, NULL);
    after = seals_verified();
    CU_ASSERT(after >= before + 1);
    nanosleep(&s25, NULL);
    CU_ASSERT(seals_verified() >= after + 1);
}

/* ----------------------------------------------------------------- file modes */

/* The permission bits of path, or -1. */
static int mode_of(const char *dir, const char *name)
{
    char path[900];
    struct stat st;

    snprintf(path, sizeof path, "%s%s%s", dir, name[0] != '\0' ? "/" : "", name);
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* SRG_SA.1.2: what the SAM keeps is closed to others. The socket is 0660 (its group: the
 * SSA), the data directory 0750, and the database, the PIN files, the token's files and the
 * test CA key 0600. A PIN file that others could read stops the SAM at start, with the
 * reason, and nothing else changes. */
static void test_SRG_SA_1_2_file_modes(void)
{
    char path[900], out[4096];
    struct stat st;

    NEED_SAM();
    CU_ASSERT(stat(T.sock, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0660);
    CU_ASSERT_EQUAL(mode_of(T.dir, ""), 0750);
    CU_ASSERT_EQUAL(mode_of(T.dir, "sam.db"), 0600);
    CU_ASSERT_EQUAL(mode_of(T.dir, "hsm"), 0700);
    CU_ASSERT_EQUAL(mode_of(T.dir, "hsm/user.pin"), 0600);
    CU_ASSERT_EQUAL(mode_of(T.dir, "hsm/so.pin"), 0600);
    CU_ASSERT_EQUAL(mode_of(T.dir, "hsm/token.object.kept"), 0600);
    CU_ASSERT_EQUAL(mode_of(T.dir, "ca/ca-key.pem"), 0600);
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    snprintf(path, sizeof path, "%s/hsm/user.pin", T.dir);
    CU_ASSERT_EQUAL_FATAL(chmod(path, 0640), 0);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "sam", "--config", T.conf, (char *)NULL), 1);
    CU_ASSERT(strstr(out, "user.pin: must be a regular file of mode 0600") != NULL);
    CU_ASSERT_EQUAL_FATAL(chmod(path, 0600), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
}

UNIT_SUITE(samdwire)
{
    static const unit_test tests[] = {
        { "frame_oversized_closed", test_frame_oversized_closed },
        { "frame_empty_closed", test_frame_empty_closed },
        { "frame_malformed_cbor_closed", test_frame_malformed_cbor_closed },
        { "frame_garbage_closed", test_frame_garbage_closed },
        { "params_wrong_kept_open", test_params_wrong_kept_open },
        { "frame_slow_others_served", test_frame_slow_others_served },
        { "concurrent_signers", test_concurrent_signers },
        { "sigterm_finishes_request_in_hand", test_sigterm_finishes_request_in_hand },
        { "bad_input_changes_nothing", test_bad_input_changes_nothing },
        { "SRG_AA_7_sealed_periodically", test_SRG_AA_7_sealed_periodically },
        { "SRG_SA_1_2_file_modes", test_SRG_SA_1_2_file_modes },
        { NULL, NULL },
    };
    return unit_add_suite("samdwire", setup, cleanup, tests);
}
