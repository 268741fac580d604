/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM killed with SIGKILL under a signing load that comes through the SSA (real HTTPS on
 * loopback, CSC JSON): two clients authorise three hashes at a time and sign them with the
 * same SAD in two calls, while the SAM is killed thirty times at random moments (a fixed
 * seed, printed, so a failure replays; twenty kills under load, ten between requests) and
 * restarted on the same data directory and socket, the SSA left running. During each outage
 * every request that needs the SAM gets 503 temporarily_unavailable as a CSC JSON error, at
 * once; after each restart the SSA serves again without being restarted (its kept
 * connections to the dead SAM unused), `qscd audit verify` passes, every signature a client
 * received verifies with OpenSSL and has its audit record, no SAD gave more signatures than
 * its count (before and after the kill together), and the failure counter of a signer who
 * gives a wrong PIN once per round survives the kills (the lock comes at the configured
 * limit).
 */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_types.h"
#include "util_ssa.h"

#define KILLS 30
#define QUIET_EVERY 3         /* every third kill comes between requests, the others under load */
#define CLIENTS 2
#define NUMSIG 3
#define LOCK_LIMIT 4          /* lockout_limit configured for this SAM (the default is 5) */
#define MAX_TOKENS 8192      /* far above what 30 rounds of at most half a second make here */
#define SEED 20261128u
#define OUTAGE_MAX_MS 2000    /* an answer during the outage comes at once, not at a timeout */
#define ECDSA256 "1.2.840.10045.4.3.2"

static ts_world W;
static const char *why_not;
static EVP_PKEY *kim_dev, *lou_dev;
static signer_conn clients[CLIENTS], lou_conn, probe;
static X509 *kim_cert;

#define NEED() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* kim signs (k-1, P-256, SIC, up to NUMSIG per SAD) from CLIENTS connections; lou (l-1)
 * only gives wrong PINs; the certificate is taken as a client sees it (credentials/info). */
static int setup(void)
{
    it_sam *t = &W.sam;
    int ok;

    if ((why_not = ts_start(&W, "ssakill", "lockout_limit = 4\n")) != NULL)
        return 0;
    ok = it_enrol(t, "kim", "kim-pin-1") == 0 && it_enrol(t, "lou", "lou-pin-2") == 0 &&
         (kim_dev = it_device_enrol(t, "kim")) != NULL &&
         (lou_dev = it_device_enrol(t, "lou")) != NULL &&
         it_cred(t, "kim", "k-1", SAM_KEY_EC_P256, SAM_SAP_SIC, NUMSIG, false) == 0 &&
         it_cred(t, "lou", "l-1", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false) == 0 &&
         it_audit_count(t) > 0 && ts_login(&W, &lou_conn, "lou") == 0 &&
         ts_login(&W, &probe, "kim") == 0 && (kim_cert = ts_cert(&probe, "k-1")) != NULL;
    for (int i = 0; ok && i < CLIENTS; i++)
        ok = ts_login(&W, &clients[i], "kim") == 0;
    if (!ok)
        why_not = "the signers or their HTTPS clients could not be set up";
    return 0;
}

static int cleanup(void)
{
    for (int i = 0; i < CLIENTS; i++)
        signer_close(&clients[i]);
    signer_close(&lou_conn);
    signer_close(&probe);
    X509_free(kim_cert);
    EVP_PKEY_free(kim_dev);
    EVP_PKEY_free(lou_dev);
    ts_stop(&W);
    return 0;
}

/* ------------------------------------------------------------------ the load */

typedef struct token {
    char sad[1024];            /* Base64url (about 350 characters for three hashes) */
    uint8_t id[16];
    uint8_t h[NUMSIG][32];
    bool live;                 /* authorised: the client holds the SAD */
    bool got[NUMSIG];          /* the signature over h[j] reached the client and verified */
} token;

static token tokens[MAX_TOKENS];
static int ntokens;
static pthread_mutex_t tokens_mu = PTHREAD_MUTEX_INITIALIZER;

/* What the clients saw: answers that verified or not, and the outage's answers. */
typedef struct tally {
    int signatures, bad_signatures;
    int outage_answers, bad_answers;
    int64_t slowest_ms;
} tally;

static tally seen;

static token *token_new(void)
{
    token *t = NULL;

    pthread_mutex_lock(&tokens_mu);
    if (ntokens < MAX_TOKENS) {
        t = &tokens[ntokens++];
        memset(t, 0, sizeof *t);
    }
    pthread_mutex_unlock(&tokens_mu);
    return t;
}

/* An answer other than 200 must be the outage's (none is while the SAM runs): 503 with the
 * CSC error, in good time. */
static void note_refusal(long st, json_t *out, int64_t ms, bool sam_up)
{
    bool ok = !sam_up && st == 503 && ts_is_error(out, "temporarily_unavailable",
                                       "The signing service is unavailable") && ms < OUTAGE_MAX_MS;

    pthread_mutex_lock(&tokens_mu);
    seen.outage_answers += ok;
    seen.bad_answers += !ok;
    if (ms > seen.slowest_ms)
        seen.slowest_ms = ms;
    if (!ok)
        fprintf(stderr, "\n    %s: HTTP %ld after %lld ms\n", sam_up ? "SAM up" : "outage", st,
                (long long)ms);
    pthread_mutex_unlock(&tokens_mu);
    json_decref(out);
}

/* signHash for n hashes from h[first] under the token's SAD; the received ones verified. */
static long sign_part(signer_conn *c, token *t, int first, int n, json_t **out)
{
    long st = ts_sign(c, "k-1", t->sad, ECDSA256, NULL, NULL, t->h[first], 32, (size_t)n, out);
    bool ok = st == 200 && ts_sigs_verify(kim_cert, *out, SAM_SIGN_ECDSA, 1, t->h[first], 32,
                                          (size_t)n);

    if (st == 200) {
        for (int j = first; j < first + n; j++)
            t->got[j] = true;
        pthread_mutex_lock(&tokens_mu);
        seen.signatures += n;
        seen.bad_signatures += !ok;
        pthread_mutex_unlock(&tokens_mu);
    }
    return st;
}

/* The signHash calls of a flow under one SAD: first hash, number of hashes. */
static const int parts[][2] = { { 0, 2 }, { 2, NUMSIG - 2 } };

/* One flow: authorise NUMSIG hashes, sign two of them, then the third with the same SAD.
 * The HTTP status of the first refusal (its answer into *out, the time its request started
 * into *started), or 200. */
static long flow(signer_conn *c, int round, int client, int k, json_t **out, int64_t *started)
{
    uint8_t tok[2048];
    token *t = token_new();
    char text[80];
    long st, len;

    *out = NULL;
    if (t == NULL)
        return 0;
    for (int j = 0; j < NUMSIG; j++) {
        snprintf(text, sizeof text, "round %d client %d flow %d hash %d", round, client, k, j);
        it_sha256(text, t->h[j]);
    }
    *started = now_ms();
    st = ts_authorize_sic(c, kim_dev, "k-1", "kim-pin-1", NUMSIG, 1, t->h[0], 32, NUMSIG,
                          t->sad, sizeof t->sad, out);
    if (st != 200)
        return st;
    json_decref(*out);
    *out = NULL;
    len = ssa_b64_decode(t->sad, strlen(t->sad), tok, sizeof tok, true);
    t->live = len > 0 && it_token_id(tok, (size_t)len, t->id);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        *started = now_ms();
        if ((st = sign_part(c, t, parts[i][0], parts[i][1], out)) != 200)
            return st;
        json_decref(*out);
        *out = NULL;
    }
    return 200;
}

typedef struct client_arg {
    int round, client;
    bool quiet;                /* the load stops before the kill: no refusal is expected */
} client_arg;

static volatile int stop_load;

/* Flows until the SAM goes away (the first refusal must be the outage's), or until told. */
static void *client_loop(void *p)
{
    client_arg *a = p;
    signer_conn *c = &clients[a->client];

    for (int k = 0; !stop_load; k++) {
        json_t *out = NULL;
        int64_t t0 = 0;
        long st = flow(c, a->round, a->client, k, &out, &t0);
        if (st == 0)
            break;                               /* the token table is full */
        if (st != 200) {
            note_refusal(st, out, now_ms() - t0, a->quiet);
            break;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------ during the outage */

/* With the SAM down the SSA still answers: info and auth/login (no SAM needed) as usual,
 * what needs the SAM 503 temporarily_unavailable, including a signHash under a SAD that has
 * signatures left. */
static void probe_outage(const token *spare)
{
    json_t *out = NULL;
    int64_t t0;
    signer_conn c;
    long st;

    CU_ASSERT_EQUAL(ts_post(&probe, "info", &out, "{}"), 200);
    json_decref(out);
    CU_ASSERT_EQUAL(ts_login(&W, &c, "kim"), 0);
    signer_close(&c);
    t0 = now_ms();
    st = ts_post(&probe, "credentials/list", &out, "{}");
    note_refusal(st, out, now_ms() - t0, false);
    if (spare != NULL) {
        t0 = now_ms();
        st = ts_sign(&probe, "k-1", spare->sad, ECDSA256, NULL, NULL, spare->h[0], 32, 1, &out);
        note_refusal(st, out, now_ms() - t0, false);
    }
}

/* ------------------------------------------------------------- after a restart */

typedef struct audit_view {
    int signed_ok[MAX_TOKENS];  /* signatures the log counts per token */
    bool found[MAX_TOKENS][NUMSIG];
} audit_view;

static audit_view view;

/* A record covers count consecutive hashes of its token from the first one it names. */
static void on_sign(void *ctx, const uint8_t id[16], const uint8_t *first, size_t first_len,
                    int count)
{
    (void)ctx;
    for (int t = 0; t < ntokens; t++) {
        if (!tokens[t].live || memcmp(tokens[t].id, id, 16) != 0)
            continue;
        view.signed_ok[t] += count;
        for (int j = 0; j < NUMSIG; j++)
            if (first_len == 32 && memcmp(tokens[t].h[j], first, 32) == 0)
                for (int i = j; i < NUMSIG && i < j + count; i++)
                    view.found[t][i] = true;
    }
}

static int read_log(void)
{
    memset(&view, 0, sizeof view);
    return it_audit_signs(&W.sam, on_sign, NULL);
}

/* `qscd audit verify`, as an auditor runs it, passes. */
static bool audit_intact(void)
{
    char out[4096];

    return it_audit_verify_cmd(&W.sam, out, sizeof out) == 0 &&
           strstr(out, "audit: intact") != NULL;
}

/* Every received signature has its record (durable before it was handed out). The SAD
 * then signs what its count leaves, one hash at a time through the SSA (a listed hash may be
 * signed again), until it is refused as used up: what the log counted before the kill plus
 * what it gives now is at most NUMSIG (CSC 11.9). */
static void check_tokens(int first, int *more_total)
{
    for (int t = first; t < ntokens; t++) {
        token *k = &tokens[t];
        int more = 0;
        if (!k->live)
            continue;
        for (int j = 0; j < NUMSIG; j++)
            if (k->got[j])
                CU_ASSERT(view.found[t][j]); /* SRG_AA.2: received, therefore audited */
        for (int j = 0; j <= NUMSIG; j++) {
            json_t *out = NULL;
            long st = sign_part(&probe, k, j % NUMSIG, 1, &out);
            bool used_up = st == 400 && ts_is_error(out, "invalid_request", "Invalid parameter SAD");
            json_decref(out);
            if (st != 200) {
                CU_ASSERT(used_up);
                break;
            }
            more++;
        }
        CU_ASSERT(view.signed_ok[t] + more <= NUMSIG); /* CSC 11.9 across the kill */
        *more_total += more;
    }
}

/* lou's failure counter as the store holds it while lou is not locked, else -1 (sqlite3
 * reads beside the running SAM). */
static long lou_failures(void)
{
    return it_sql_long(&W.sam, "SELECT failures FROM signers WHERE id = X'6c6f75' AND locked = 0");
}

static long lou_try(const char *pin, json_t **out)
{
    uint8_t h[32];

    it_sha256("lou", h);
    return ts_authorize_sic(&lou_conn, lou_dev, "l-1", pin, 1, 1, h, 32, 1, NULL, 0, out);
}

/* One acknowledged wrong PIN per round; at LOCK_LIMIT of them, across the kills, the right
 * PIN meets the lock (SRC_SA.2.2); the security officer lifts it. */
static void lockout_step(int *failures)
{
    json_t *out = NULL;
    it_p p;

    CU_ASSERT_EQUAL(lou_try("not-lou", &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_authentication_data", NULL));
    json_decref(out);
    (*failures)++;
    if (*failures < LOCK_LIMIT)
        return;
    CU_ASSERT_EQUAL(lou_try("lou-pin-2", &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Credential locked"));
    json_decref(out);
    itp_map(&p, 1);
    itp_id(&p, 1, "lou");
    CU_ASSERT_EQUAL(it_so(&W.sam, SAMC_SIGNER_UNLOCK, &p, NULL), 0);
    CU_ASSERT_EQUAL(lou_try("lou-pin-2", &out), 200);
    json_decref(out);
    *failures = 0;
}

/* The SSA, never restarted, serves again: each client's next flow succeeds entirely. */
static void check_recovered(int round)
{
    for (int i = 0; i < CLIENTS; i++) {
        json_t *out = NULL;
        int64_t t0;
        CU_ASSERT_EQUAL(flow(&clients[i], round, i, -1, &out, &t0), 200);
        json_decref(out);
    }
}

/* The last token of the round with signatures left, for the outage probe. */
static const token *spare_token(int first)
{
    for (int t = ntokens - 1; t >= first; t--)
        if (tokens[t].live && !tokens[t].got[NUMSIG - 1])
            return &tokens[t];
    return NULL;
}

/* One round: load, a SIGKILL at a random moment, the outage, the restart, the checks. In a
 * quiet round the load stops at that moment and the SAM is killed between requests: the SSA
 * then holds idle connections to the dead SAM, which it must not use once the SAM is back
 * (no outage request used them up first). */
static void kill_round(int round, bool quiet, unsigned *seed, int *failures, int *more)
{
    pthread_t th[CLIENTS];
    client_arg args[CLIENTS];
    int first = ntokens;

    lockout_step(failures);
    stop_load = 0;
    for (int i = 0; i < CLIENTS; i++) {
        args[i] = (client_arg){ round, i, quiet };
        pthread_create(&th[i], NULL, client_loop, &args[i]);
    }
    sleep_ms(30 + (long)(rand_r(seed) % 470));
    stop_load = quiet;
    for (int i = 0; quiet && i < CLIENTS; i++)
        pthread_join(th[i], NULL);
    it_kill(&W.sam);
    for (int i = 0; !quiet && i < CLIENTS; i++)
        pthread_join(th[i], NULL);            /* each ended on an outage answer, not a hang */
    if (!quiet)
        probe_outage(spare_token(first));
    CU_ASSERT_EQUAL_FATAL(it_start(&W.sam, NULL), 0);
    if (quiet)
        CU_ASSERT(W.ssa->n_sam_idle >= 1);   /* kept, though the SAM behind them has gone */
    check_recovered(round);
    CU_ASSERT(audit_intact());
    CU_ASSERT_EQUAL_FATAL(read_log(), 0);
    check_tokens(first, more);
    if (access("/usr/bin/sqlite3", X_OK) == 0) /* not reset by the kill, no lock before the limit */
        CU_ASSERT_EQUAL(lou_failures(), *failures);
}

/* The whole history once more: every signature any client received is in the log, and no
 * token counts more than NUMSIG. */
static void check_history(void)
{
    CU_ASSERT_EQUAL_FATAL(read_log(), 0);
    for (int t = 0; t < ntokens; t++) {
        for (int j = 0; tokens[t].live && j < NUMSIG; j++)
            if (tokens[t].got[j])
                CU_ASSERT(view.found[t][j]);
        CU_ASSERT(view.signed_ok[t] <= NUMSIG);
    }
}

/* SIGKILL of the SAM under HTTPS load, KILLS times (SRG_AA.2, CSC 11.9, SRC_SA.2.2). The
 * seed of the kill moments is SEED, or $QSCD_KILL_SEED to replay or explore another. */
static void test_SIGKILL_signing_through_ssa(void)
{
    const char *env = unit_env("QSCD_KILL_SEED");
    unsigned seed = env != NULL ? (unsigned)strtoul(env, NULL, 10) : SEED;
    int failures = 0, more = 0;
    int64_t t0 = now_ms();

    NEED();
    printf("(seed %u) ", seed);
    for (int round = 1; round <= KILLS; round++)
        kill_round(round, round % QUIET_EVERY == 0, &seed, &failures, &more);
    check_history();
    CU_ASSERT(audit_intact());
    CU_ASSERT_EQUAL(seen.bad_signatures, 0);
    CU_ASSERT_EQUAL(seen.bad_answers, 0);
    CU_ASSERT(seen.outage_answers >= (KILLS - KILLS / QUIET_EVERY) * (CLIENTS + 1));
    CU_ASSERT(seen.signatures > 0);
    CU_ASSERT(ntokens < MAX_TOKENS);
    printf("(%d kills in %.1f s: %d SADs, %d signatures received over HTTPS, %d of them after a "
           "restart under a SAD from before it; %d outage answers, slowest %lld ms) ", KILLS,
           (double)(now_ms() - t0) / 1000.0, ntokens, seen.signatures, more,
           seen.outage_answers, (long long)seen.slowest_ms);
}

UNIT_SUITE(ssakill)
{
    static const unit_test tests[] = {
        { "SIGKILL_signing_through_ssa", test_SIGKILL_signing_through_ssa },
        { NULL, NULL },
    };
    return unit_add_suite("ssakill", setup, cleanup, tests);
}
