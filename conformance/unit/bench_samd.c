/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qscd-bench-samd: what a signature through the running SAM costs over the HSM alone, and
 * whether durability serialises it. On a throw-away SAM (`qscd sam --init` under
 * $QSCD_IT_DIR/bench), first the HSM through the adapter as the SAM uses it (a P-256 key with
 * CKA_ALWAYS_AUTHENTICATE: context login and OpenSSL verification per signature), with 1 and
 * C threads; then the SAM over its socket with 1, 2, 4 and 8 signers in parallel, each
 * looping challenge, SIC assertion, authorize (32 digests, numSignatures 32) and 32 sign
 * requests of one digest: every signature the client receives is verified with OpenSSL
 * against the credential's certificate. A signature is acknowledged only once its registry
 * count and its audit record are committed (fsync): the store's commit count (printed by the
 * SAM at its stop) against the audit records of the same run shows the group commit. Figures only: nothing passes
 * or fails on timing.
 *
 *   qscd-bench-samd [--seconds S] [--json FILE]
 *
 * Needs QSCD_BIN and QSCD_IT_DIR (make bench-samd sets them).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "p11a.h"
#include "qscd_err.h"
#include "sam_types.h"
#include "util_samd.h"

#define MAX_CLIENTS 8
#define PER_SAD 32

static double seconds_per_case = 3.0;
static it_sam T;

typedef struct client {
    char signer[24], cred[24], pin[32];   /* room for any int: gcc -O1 checks it */
    EVP_PKEY *dev;
    uint8_t *cert;
    size_t cert_len;
    double until;
    long sigs, bad, sads;
} client;

static client C[MAX_CLIENTS];

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "qscd-bench-samd: %s (see %s)\n", what, T.log);
    if (T.pid > 0)
        it_stop(&T);
    exit(1);
}

/* ------------------------------------------------------------- the HSM alone */

typedef struct hsm_run {
    p11a *a;
    p11a_key *k;
    double until;
    long sigs, bad;
} hsm_run;

static void *hsm_loop(void *p)
{
    hsm_run *r = p;
    uint8_t h[32], sig[128];

    memset(h, 0x5a, sizeof h);
    while (now() < r->until) {
        size_t n = sizeof sig;
        if (p11a_sign(r->a, r->k, P11A_ECDSA_DER, P11A_SHA256, h, sizeof h, sig, &n) == QSCD_OK)
            r->sigs++;
        else
            r->bad++;
    }
    return NULL;
}

/* Signatures per second of `threads` threads on one key of the SAM's own token (SAM stopped). */
static double hsm_rate(p11a *a, p11a_key *k, int threads)
{
    hsm_run r[MAX_CLIENTS];
    pthread_t th[MAX_CLIENTS];
    long total = 0;
    double t0 = now();

    for (int i = 0; i < threads; i++) {
        r[i] = (hsm_run){ a, k, t0 + seconds_per_case, 0, 0 };
        pthread_create(&th[i], NULL, hsm_loop, &r[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        total += r[i].bad == 0 ? r[i].sigs : 0;
    }
    return (double)total / (now() - t0);
}

static void hsm_side(double out[2], int threads)
{
    char conf[700], pinf[700], pin[64] = "";
    static const uint8_t id[] = "bench-hsm-key";
    p11a_config cfg;
    p11a_key k;
    p11a *a = NULL;
    size_t npurge = 0;
    FILE *f;

    snprintf(conf, sizeof conf, "%s/hsm/softhsm2.conf", T.dir);
    snprintf(pinf, sizeof pinf, "%s/hsm/user.pin", T.dir);
    f = fopen(pinf, "r");
    if (f == NULL || fgets(pin, sizeof pin, f) == NULL)
        die("cannot read the token's PIN file");
    fclose(f);
    pin[strcspn(pin, "\r\n")] = '\0';
    setenv("SOFTHSM2_CONF", conf, 1);
    memset(&cfg, 0, sizeof cfg);
    cfg.module = "/usr/lib/softhsm/libsofthsm2.so";
    cfg.token_label = "qscd-sam";
    cfg.user_pin = pin;
    cfg.max_sessions = MAX_CLIENTS;
    if (p11a_open(&cfg, &a) != QSCD_OK ||
        p11a_key_generate(a, CKK_EC, 256, 0, id, sizeof id - 1, "bench", &k) != QSCD_OK)
        die("cannot open the token or make a key");
    out[0] = hsm_rate(a, &k, 1);
    out[1] = hsm_rate(a, &k, threads);
    if (p11a_key_destroy(a, &k, NULL, 0, NULL, &npurge) != QSCD_OK)
        die("cannot destroy the bench key");
    p11a_close(a);
    memset(pin, 0, sizeof pin);
}

/* ------------------------------------------------------------------ the SAM */

static void *sam_loop(void *p)
{
    client *c = p;
    uint8_t h[PER_SAD][32], tok[4096], sig[1][512];
    size_t tl = 0, sl[1];

    while (now() < c->until) {
        for (int j = 0; j < PER_SAD; j++) {
            char text[64];
            snprintf(text, sizeof text, "%s %ld %d", c->signer, c->sads, j);
            it_sha256(text, h[j]);
        }
        if (it_authz_sic(&T, c->signer, c->cred, c->pin, c->dev, PER_SAD, &h[0][0], PER_SAD, tok,
                         &tl) != 0) {
            c->bad++;
            continue;
        }
        c->sads++;
        for (int j = 0; j < PER_SAD && now() < c->until; j++) {
            if (it_sign(&T, c->signer, c->cred, tok, tl, SAM_SIGN_ECDSA, h[j], 1, sig, sl) == 0 &&
                it_verify(c->cert, c->cert_len, SAM_SIGN_ECDSA, h[j], sig[0], sl[0]))
                c->sigs++;
            else
                c->bad++;
        }
    }
    return NULL;
}

static double sam_rate(int clients, long *bad)
{
    pthread_t th[MAX_CLIENTS];
    long total = 0;
    double t0 = now();

    for (int i = 0; i < clients; i++) {
        C[i].until = t0 + seconds_per_case;
        C[i].sigs = C[i].bad = 0;
        pthread_create(&th[i], NULL, sam_loop, &C[i]);
    }
    for (int i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        total += C[i].sigs;
        *bad += C[i].bad;
    }
    return (double)total / (now() - t0);
}

static void enrol_clients(void)
{
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client *c = &C[i];
        snprintf(c->signer, sizeof c->signer, "bench-%d", i);
        snprintf(c->cred, sizeof c->cred, "bench-%d-c", i);
        snprintf(c->pin, sizeof c->pin, "bench-pin-%d", i);
        if (it_enrol(&T, c->signer, c->pin) != 0 || (c->dev = it_device_enrol(&T, c->signer)) == NULL ||
            it_cred(&T, c->signer, c->cred, SAM_KEY_EC_P256, SAM_SAP_SIC, PER_SAD, false) != 0 ||
            (c->cert = it_cert(&T, c->signer, c->cred, &c->cert_len)) == NULL)
            die("cannot enrol the bench signers");
    }
}

/* The store's commits since the start, from the SAM's stop line. */
static long commits_logged(void)
{
    char line[512];
    long n = -1, v;
    FILE *f = fopen(T.log, "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "qscd sam: %ld durable commits", &v) == 1)
            n = v;
    if (f != NULL)
        fclose(f);
    return n;
}

/* One case on a freshly started SAM: its rate, the audit records and the commits it made. */
static double sam_case(int clients, long *bad, long *records, long *commits)
{
    uint64_t r0, r1;
    double rate;

    if (it_start(&T, NULL) != 0)
        die("the SAM did not start");
    r0 = it_audit_count(&T);
    rate = sam_rate(clients, bad);
    r1 = it_audit_count(&T);
    if (it_stop(&T) != 0)
        die("the SAM did not stop cleanly");
    *records = (long)(r1 - r0);
    *commits = commits_logged();
    return rate;
}

int main(int argc, char **argv)
{
    static const int counts[] = { 1, 2, 4, 8 };
    const char *json_path = NULL;
    double hsm[2], rate[4];
    long bad = 0, threads = sysconf(_SC_NPROCESSORS_ONLN), records[4], commits[4];
    json_t *j, *runs;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds_per_case = atof(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json_path = argv[++i];
        else {
            fprintf(stderr, "usage: qscd-bench-samd [--seconds S] [--json FILE]\n");
            return 2;
        }
    }
    if (it_unavailable() != NULL) {
        fprintf(stderr, "qscd-bench-samd: %s\n", it_unavailable());
        return 1;
    }
    threads = threads < 2 ? 2 : threads > MAX_CLIENTS ? MAX_CLIENTS : threads;
    if (it_init(&T, "bench", NULL) != 0) /* Argon2id at its cheapest: not what is measured */
        die("qscd sam --init failed");
    hsm_side(hsm, (int)threads);
    if (it_start(&T, NULL) != 0)
        die("the SAM did not start");
    enrol_clients();
    if (it_stop(&T) != 0)
        die("the SAM did not stop cleanly");
    for (int i = 0; i < 4; i++)
        rate[i] = sam_case(counts[i], &bad, &records[i], &commits[i]);
    printf("qscd-bench-samd: ECDSA P-256, %.1f s per case, %ld cores (shared with the clients)\n",
           seconds_per_case, sysconf(_SC_NPROCESSORS_ONLN));
    printf("  %-40s %8s %9s %9s %9s\n", "case", "sig/s", "records", "commits", "vs HSM");
    printf("  %-40s %8.0f\n", "HSM through the adapter, 1 thread", hsm[0]);
    char label[64];
    snprintf(label, sizeof label, "HSM through the adapter, %ld threads", threads);
    printf("  %-40s %8.0f\n", label, hsm[1]);
    for (int i = 0; i < 4; i++) {
        snprintf(label, sizeof label, "SAM over its socket, %d signer(s)", counts[i]);
        printf("  %-40s %8.0f %9ld %9ld %8.3fx\n", label, rate[i], records[i], commits[i],
               rate[i] / hsm[counts[i] == 1 ? 0 : 1]);
    }
    printf("  %ld failed or unverified. records: audit records of the case; commits: the store's\n"
           "  commits (one fsync each) in the same SAM run, which also wrote the SAD registry,\n"
           "  the challenges and the lockout counters; vs HSM: against the adapter's rate above\n"
           "  (1 thread for 1 signer, else all threads)\n", bad);
    j = json_pack("{s:s, s:f, s:i, s:f, s:f, s:i}", "bench", "samd", "seconds", seconds_per_case,
                  "hsm_threads", (int)threads, "hsm_1", hsm[0], "hsm_n", hsm[1], "failed", (int)bad);
    runs = json_array();
    for (int i = 0; i < 4; i++)
        json_array_append_new(runs, json_pack("{s:i, s:f, s:i, s:i, s:f}", "signers", counts[i],
                                              "sig_per_s", rate[i], "audit_records",
                                              (int)records[i], "commits", (int)commits[i],
                                              "ratio_to_adapter",
                                              rate[i] / hsm[counts[i] == 1 ? 0 : 1]));
    json_object_set_new(j, "sam", runs);
    if (json_path != NULL && json_dump_file(j, json_path, JSON_INDENT(2)) != 0)
        fprintf(stderr, "qscd-bench-samd: cannot write %s\n", json_path);
    json_decref(j);
    for (int i = 0; i < MAX_CLIENTS; i++) {
        EVP_PKEY_free(C[i].dev);
        free(C[i].cert);
    }
    return bad == 0 ? 0 : 1;
}
