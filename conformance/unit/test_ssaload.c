/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounded load on the whole service (loopback only, a fixed duration, stops by itself):
 * CLIENTS HTTPS clients at once against a real SSA and SAM, each mixing valid flows
 * (getChallenge, authorize, signHash; every signature verified with OpenSSL) with the
 * invalid requests the edge meets (malformed JSON, a wrong type, an oversized body, bad
 * Base64, a forged, replayed or misused SAD, a substituted hash, an unknown credential, a bad
 * bearer token, an unknown method, a wrong Content-Type). Every valid request must succeed,
 * every invalid one must be refused with its CSC JSON error (never a 500, never a hang), and
 * the resident memory of the SAM and of this process (which runs the SSA and the clients)
 * must stay flat after a warm-up: both are sampled each second and printed.
 */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sam_types.h"
#include "util_ssa.h"

#define CLIENTS 16
#define SIGNERS 4              /* client i signs as signer i % SIGNERS */
#define WARMUP_S 3             /* allocator arenas, SQLite's log, TLS sessions settle first */
#define LOAD_S 10              /* measured after the warm-up; $QSCD_LOAD_SECONDS changes it */
#define HANG_MS 10000          /* an answer later than this counts as a hang */
/* Resident memory may grow by at most RSS_PCT % of the warm figure or RSS_MIN_KB, whichever
 * is larger, between the warm-up and the end: a leak of one allocation per request (several
 * thousand requests) exceeds it, the allocator's noise does not. Not asserted under ASan,
 * whose quarantine holds freed memory back on purpose. */
#define RSS_PCT 10
#define RSS_MIN_KB 4096
#define SEED 20261127u
#define ECDSA256 "1.2.840.10045.4.3.2"
#define JSON "application/json"

static ts_world W;
static const char *why_not;
static EVP_PKEY *dev[SIGNERS];
static X509 *cert[SIGNERS];
static char big_body[SSA_BODY_MAX + 64];

#define NEED() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

static void signer_name(int i, char *name, size_t cap, const char *what)
{
    snprintf(name, cap, "load-%d%s", i, what);
}

/* SIGNERS signers with a SIC credential each (one signature per SAD); the certificates as a
 * client sees them; an oversized body that is valid JSON but for its size. */
static int setup(void)
{
    char s[32], pin[32], cred[32];
    signer_conn c;
    bool ok = true;

    memset(big_body, ' ', sizeof big_body - 1);
    big_body[0] = '{';
    big_body[sizeof big_body - 2] = '}';
    if ((why_not = ts_start(&W, "ssaload", NULL)) != NULL)
        return 0;
    for (int i = 0; ok && i < SIGNERS; i++) {
        signer_name(i, s, sizeof s, "");
        signer_name(i, pin, sizeof pin, "-pin");
        signer_name(i, cred, sizeof cred, "-c");
        ok = it_enrol(&W.sam, s, pin) == 0 && (dev[i] = it_device_enrol(&W.sam, s)) != NULL &&
             it_cred(&W.sam, s, cred, SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false) == 0 &&
             ts_login(&W, &c, s) == 0;
        if (ok) {
            ok = (cert[i] = ts_cert(&c, cred)) != NULL;
            signer_close(&c);
        }
    }
    if (!ok)
        why_not = "the signers could not be set up";
    return 0;
}

static int cleanup(void)
{
    for (int i = 0; i < SIGNERS; i++) {
        X509_free(cert[i]);
        EVP_PKEY_free(dev[i]);
    }
    ts_stop(&W);
    return 0;
}

/* ------------------------------------------------------------------ the tally */

/* The invalid requests sent alone, each with the answer it must get. */
typedef struct bad_req {
    const char *name, *method, *ctype, *body, *authz;
    long status;
    const char *error, *desc;
} bad_req;

static const bad_req bad[] = {
    { "malformed JSON", "signatures/signHash", JSON, "{\"credentialID\":", NULL, 400,
      "invalid_request", "Malformed JSON body: a JSON object is expected" },
    { "wrong type", "credentials/info", JSON, "{\"credentialID\":7}", NULL, 400,
      "invalid_request", "Missing (or invalid type) string parameter credentialID" },
    { "oversized body", "credentials/list", JSON, big_body, NULL, 413, "invalid_request",
      "Request body too large" },
    { "bad Base64 hash", "signatures/signHash", JSON, "{\"credentialID\":\"load-0-c\","
      "\"SAD\":\"AAAA\",\"hashes\":[\"%%%%\"],\"signAlgo\":\"" ECDSA256 "\"}", NULL, 400,
      "invalid_request", "Invalid Base64 hash string parameter" },
    { "forged SAD", "signatures/signHash", JSON, "{\"credentialID\":\"load-0-c\",\"SAD\":"
      "\"AAAA\",\"hashes\":[\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"],\"signAlgo\":\""
      ECDSA256 "\"}", NULL, 400, "invalid_request", "Invalid parameter SAD" },
    { "unknown credential", "credentials/info", JSON, "{\"credentialID\":\"no-such-one\"}",
      NULL, 400, "invalid_request", "Invalid parameter credentialID" },
    { "bad bearer token", "credentials/list", JSON, "{}", "Bearer not-a-token", 401,
      "invalid_token", "Invalid access token" },
    { "unknown method", "signatures/nothing", JSON, "{}", NULL, 404, "invalid_request",
      "Unknown method" },
    { "wrong Content-Type", "credentials/info", "text/plain", "{\"credentialID\":\"x\"}", NULL,
      400, "invalid_request", "Content-Type must be application/json" },
};
#define NBAD (sizeof bad / sizeof bad[0])

typedef struct tally {
    long flows, signatures;        /* valid flows completed, signatures verified */
    long valid_errors;             /* valid requests not answered 200 with what was asked */
    long refused, wrongly_answered; /* invalid requests: refused as expected, or not */
    long server_errors;            /* any 5xx */
    long slowest_ms;
} tally;

static tally total;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int stop;               /* set by the driver, read by the clients (atomics) */

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One answer: expected or not; printed (the first few) when not. */
static void note(tally *t, const char *what, bool valid, long st, bool ok, long ms)
{
    static int printed;

    t->slowest_ms = ms > t->slowest_ms ? ms : t->slowest_ms;
    t->server_errors += st >= 500;
    ok = ok && ms < HANG_MS;
    if (valid)
        t->valid_errors += !ok;
    else if (ok)
        t->refused++;
    else
        t->wrongly_answered++;
    if (!ok) {
        pthread_mutex_lock(&mu);
        if (printed++ < 10)
            fprintf(stderr, "\n    %s: HTTP %ld after %ld ms", what, st, ms);
        pthread_mutex_unlock(&mu);
    }
}

/* --------------------------------------------------------------- the requests */

static void send_bad(signer_conn *c, tally *t, const bad_req *b)
{
    char *resp = NULL;
    size_t n = 0;
    long t0 = now_ms();
    long st = signer_call_raw(c, b->method, b->ctype, b->body, strlen(b->body), b->authz,
                              &resp, &n);
    json_t *out = resp != NULL ? json_loadb(resp, n, 0, NULL) : NULL;

    note(t, b->name, false, st, st == b->status && ts_is_error(out, b->error, b->desc),
         now_ms() - t0);
    json_decref(out);
    free(resp);
}

/* signHash of hash h on cred under sad: refused with desc (NULL: any description). */
static void sign_refused(signer_conn *c, tally *t, const char *what, const char *cred,
                         const char *sad, const uint8_t h[32], const char *desc)
{
    json_t *out = NULL;
    long t0 = now_ms();
    long st = ts_sign(c, cred, sad, ECDSA256, NULL, NULL, h, 32, 1, &out);

    note(t, what, false, st, st == 400 && ts_is_error(out, "invalid_request", desc),
         now_ms() - t0);
    json_decref(out);
}

/* A valid flow of signer s with the misuses of its SAD around the signature: another
 * signer's credential and a substituted hash before it (neither consumes the SAD), a
 * replay after it. */
static void flow(signer_conn *c, tally *t, int s, int client, long k)
{
    char sad[4096], cred[32], other[32], text[96];
    uint8_t h[32], h2[32];
    json_t *out = NULL;
    long t0 = now_ms(), st;

    signer_name(s, cred, sizeof cred, "-c");
    signer_name((s + 1) % SIGNERS, other, sizeof other, "-c");
    snprintf(text, sizeof text, "client %d flow %ld", client, k);
    it_sha256(text, h);
    it_sha256("a hash nobody authorised", h2);
    signer_name(s, text, sizeof text, "-pin");
    st = ts_authorize_sic(c, dev[s], cred, text, 1, 1, h, 32, 1, sad, sizeof sad, NULL);
    note(t, "authorize", true, st, st == 200 && sad[0] != '\0', now_ms() - t0);
    if (st != 200)
        return;
    sign_refused(c, t, "SAD on another signer's credential", other, sad, h, NULL);
    sign_refused(c, t, "substituted hash", cred, sad, h2, "Hash is not authorized by the SAD.");
    t0 = now_ms();
    st = ts_sign(c, cred, sad, ECDSA256, NULL, NULL, h, 32, 1, &out);
    note(t, "signHash", true, st, st == 200 && ts_sigs_verify(cert[s], out, SAM_SIGN_ECDSA, 1,
                                                              h, 32, 1), now_ms() - t0);
    json_decref(out);
    if (st != 200)
        return;
    t->flows++;
    t->signatures++;
    sign_refused(c, t, "replayed SAD", cred, sad, h, "Invalid parameter SAD");
}

typedef struct client {
    int id;
    signer_conn conn;
    tally t;
} client;

static client C[CLIENTS];

/* Half valid flows, half invalid requests of every kind, in a per-client pseudo-random
 * order (fixed seed) until told to stop. */
static void *client_main(void *arg)
{
    client *cl = arg;
    unsigned x = SEED + (unsigned)cl->id * 7919u;

    for (long k = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); k++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if (x % 2 == 0)
            flow(&cl->conn, &cl->t, cl->id % SIGNERS, cl->id, k);
        else
            send_bad(&cl->conn, &cl->t, &bad[(x / 2) % NBAD]);
    }
    return NULL;
}

/* ------------------------------------------------------------ resident memory */

/* VmRSS of a process in kB (/proc), or -1. */
static long rss_kb(pid_t pid)
{
    char path[64], line[128];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (kb < 0 && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

typedef struct rss_track {
    pid_t pid;
    long warm, peak, last;
} rss_track;

static void rss_sample(rss_track *r, bool warm)
{
    long kb = rss_kb(r->pid);

    if (warm)
        r->warm = r->peak = kb;
    r->peak = kb > r->peak ? kb : r->peak;
    r->last = kb;
}

static bool rss_flat(const rss_track *r, const char *who)
{
    long bound = r->warm * RSS_PCT / 100 > RSS_MIN_KB ? r->warm * RSS_PCT / 100 : RSS_MIN_KB;

    printf("(%s RSS: %ld kB after the warm-up, %ld kB at the end, peak %ld kB, bound +%ld kB) ",
           who, r->warm, r->last, r->peak, bound);
#if defined(__SANITIZE_ADDRESS__)
    return r->warm > 0;
#else
    return r->warm > 0 && r->last - r->warm <= bound && r->peak - r->warm <= bound;
#endif
}

/* ---------------------------------------------------------------------- test */

/* Drive the load: WARMUP_S seconds, then seconds more with memory sampled each second. */
static void drive(int seconds, rss_track *sam, rss_track *self)
{
    pthread_t th[CLIENTS];
    int started = 0;

    __atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
    for (; started < CLIENTS; started++)
        if (pthread_create(&th[started], NULL, client_main, &C[started]) != 0)
            break;
    CU_ASSERT_EQUAL(started, CLIENTS);
    sleep(WARMUP_S);
    rss_sample(sam, true);
    rss_sample(self, true);
    for (int s = 0; s < seconds; s++) {
        sleep(1);
        rss_sample(sam, false);
        rss_sample(self, false);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        total.flows += C[i].t.flows;
        total.signatures += C[i].t.signatures;
        total.valid_errors += C[i].t.valid_errors;
        total.refused += C[i].t.refused;
        total.wrongly_answered += C[i].t.wrongly_answered;
        total.server_errors += C[i].t.server_errors;
        total.slowest_ms = C[i].t.slowest_ms > total.slowest_ms ? C[i].t.slowest_ms
                                                                : total.slowest_ms;
    }
}

/* CLIENTS clients for WARMUP_S + LOAD_S seconds: no error on a valid request, every invalid
 * one refused with its CSC error, no 5xx, no hang, memory flat (431-2:OVR-7.11-02,
 * CSC-10-http-status, CSC-10-error-body). */
static void test_OVR_7_11_02_mixed_load(void)
{
    const char *env = unit_env("QSCD_LOAD_SECONDS");
    int seconds = env != NULL ? atoi(env) : LOAD_S;
    rss_track sam = { .pid = W.sam.pid }, self = { .pid = getpid() };
    char name[32];
    int logged = 0;

    NEED();
    for (int i = 0; i < CLIENTS; i++) {
        C[i].id = i;
        signer_name(i % SIGNERS, name, sizeof name, "");
        logged += ts_login(&W, &C[i].conn, name) == 0;
    }
    CU_ASSERT_EQUAL_FATAL(logged, CLIENTS);
    drive(seconds > 0 ? seconds : LOAD_S, &sam, &self);
    for (int i = 0; i < CLIENTS; i++)
        signer_close(&C[i].conn);
    printf("(%d clients, %d s: %ld flows, %ld signatures verified, %ld valid requests failed, "
           "%ld invalid requests refused as expected, %ld not, %ld 5xx, slowest %ld ms) ",
           CLIENTS, WARMUP_S + seconds, total.flows, total.signatures, total.valid_errors,
           total.refused, total.wrongly_answered, total.server_errors, total.slowest_ms);
    CU_ASSERT(total.flows > 0);
    CU_ASSERT(total.refused > 0);
    CU_ASSERT_EQUAL(total.valid_errors, 0);
    CU_ASSERT_EQUAL(total.wrongly_answered, 0);
    CU_ASSERT_EQUAL(total.server_errors, 0);
    CU_ASSERT(total.slowest_ms < HANG_MS);
    CU_ASSERT(rss_flat(&sam, "SAM"));
    CU_ASSERT(rss_flat(&self, "SSA and clients"));
}

UNIT_SUITE(ssaload)
{
    static const unit_test tests[] = {
        { "OVR_7_11_02_mixed_load", test_OVR_7_11_02_mixed_load },
        { NULL, NULL },
    };
    return unit_add_suite("ssaload", setup, cleanup, tests);
}
