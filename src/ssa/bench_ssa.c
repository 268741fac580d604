/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qscd-bench-ssa: what a signature costs through the whole service (issue 8's HTTPS
 * figures). A real `qscd sam` on its own throw-away SoftHSMv2 token (default Argon2id and all
 * its checks), the SSA over TLS on loopback, clients with keep-alive (one libcurl handle per
 * client thread), ECDSA P-256:
 *   - signHash throughput with 1 and with 10 hashes per request, at concurrency 1, 8 and 32
 *     (the SADs are made beforehand, so only signHash is timed);
 *   - authorize (getChallenge + PIN + SIC assertion) + signHash latency p50/p95/p99 at a
 *     fixed request rate, measured from each request's scheduled start (no coordinated
 *     omission): 2 flows/s with the default Argon2id cost, then 100 flows/s over 16 signers
 *     with the PIN verifiers made at the tests' cost (the SAM restarted with it);
 *   - beside them the raw C_SignInit + C_Sign rate on the same token (a session key, no
 *     context login), one thread and one per core, and the ratios.
 * Figures only: nothing passes or fails on timing.
 *
 *   qscd-bench-ssa --qscd BIN [--dir DIR] [--json FILE] [--versions tool-versions.json]
 *                  [--layer sam|https]   (one layer's throughput only, for profiling)
 *
 * QSCD_BENCH_SAM_EXTRA, when set, is appended to the SAM's configuration (e.g. "workers = 2\n"
 * to measure the SAM as it was sized before, one worker per core).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_types.h"
#include "samc.h"
#include "sad.h"
#include "scbor.h"
#include "signer.h"
#include "ssa_int.h"

#define SO_PASSWORD "bench-security-officer-password"
#define PIN "bench-pin-2468"
#define CRED "bench-p256"
#define MULTI 32
#define LAT_RATE 2.0       /* authorize + signHash requests per second */
#define LAT_SAMPLES 60
#define LAT_FAST_RATE 100.0 /* the issue's rate, with a cheap PIN hash (see main) */
#define LAT_FAST_SAMPLES 1000

static char g_dir[PATH_MAX], g_conf[PATH_MAX + 16], g_sock[256], g_base[128], g_ca[PATH_MAX + 16];

/* A signer of the bench: its id, its credential and its device key (the SIC). */
typedef struct ident {
    char signer[16], cred[24];
    EVP_PKEY *dev;
} ident;

static ident g_main = { "bench", CRED, NULL };
#define LAT_SIGNERS 16          /* the fast latency run: flows spread over as many signers */
static ident g_lat[LAT_SIGNERS];

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "qscd-bench-ssa: %s\n", what);
    exit(1);
}

/* ------------------------------------------------------------------ the SAM and SSA */

/* Start `qscd` with args, its output into log; wait for it when wait is set (the exit
 * status, 0 or -1), else the child's pid. */
static int run(const char *qscd, char *const args[], const char *log, int wait)
{
    pid_t pid = fork();
    int st = 0;

    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("QSCD_ADMIN_PASSWORD", SO_PASSWORD, 1);
        execv(qscd, args);
        _exit(127);
    }
    if (wait)
        return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
    return pid;
}

static int so_call(unsigned op, const uint8_t *p, size_t n, samc_resp *r)
{
    samc_caller so = { 2, (const uint8_t *)"so", 2, (const uint8_t *)SO_PASSWORD,
                       strlen(SO_PASSWORD) };
    samc_resp local;
    samc *c = NULL;
    int rc = samc_connect(g_sock, 120, &c);

    r = r != NULL ? r : &local;
    memset(r, 0, sizeof *r);
    rc = rc == QSCD_OK ? samc_call(c, &so, op, p, n, r) : rc;
    samc_close(c);
    rc = rc == QSCD_OK ? r->status : -1;
    if (r == &local)
        samc_resp_free(r);
    return rc;
}

static void put_id(scbor_enc *e, int key, const char *s)
{
    scbor_put_uint(e, (uint64_t)key);
    scbor_put_bstr(e, (const uint8_t *)s, strlen(s));
}

/* A signer with a PIN, a device key and a P-256 SIC credential (multisign 32). */
static void enrol(ident *id)
{
    uint8_t buf[512], *spki = NULL;
    scbor_enc e;
    int n;

    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 2);
    put_id(&e, 1, id->signer);
    scbor_put_uint(&e, 2);
    scbor_put_tstr(&e, (const uint8_t *)"Bench Signer", 12);
    if (so_call(SAMC_SIGNER_ENROL, buf, e.len, NULL) != 0)
        die("signer.enrol failed");
    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 2);
    put_id(&e, 1, id->signer);
    put_id(&e, 2, PIN);
    if (so_call(SAMC_PIN_SET, buf, e.len, NULL) != 0)
        die("pin.set failed");
    id->dev = EVP_EC_gen("P-256");
    n = id->dev != NULL ? i2d_PUBKEY(id->dev, &spki) : -1;
    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 2);
    put_id(&e, 1, id->signer);
    scbor_put_uint(&e, 2);
    scbor_put_bstr(&e, spki, n > 0 ? (size_t)n : 0);
    OPENSSL_free(spki);
    if (so_call(SAMC_DEVICE_ENROL, buf, e.len, NULL) != 0)
        die("device.enrol failed");
    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 5);
    put_id(&e, 1, id->signer);
    put_id(&e, 2, id->cred);
    scbor_put_uint(&e, 3);
    scbor_put_uint(&e, SAM_KEY_EC_P256);
    scbor_put_uint(&e, 4);
    scbor_put_uint(&e, SAM_SAP_SIC);
    scbor_put_uint(&e, 5);
    scbor_put_uint(&e, MULTI);
    if (so_call(SAMC_CRED_CREATE, buf, e.len, NULL) != 0)
        die("cred.create failed");
}

static ssa *start_ssa(void)
{
    char cert[PATH_MAX + 16], key[PATH_MAX + 16], cakey[PATH_MAX + 16], clients[PATH_MAX + 16],
        line[300];
    ssa_config cfg = { 0 };
    ssa *s = NULL;
    FILE *f;

    snprintf(g_ca, sizeof g_ca, "%s/ca/ca.pem", g_dir);
    snprintf(cakey, sizeof cakey, "%s/ca/ca-key.pem", g_dir);
    snprintf(cert, sizeof cert, "%s/tls.pem", g_dir);
    snprintf(key, sizeof key, "%s/tls-key.pem", g_dir);
    snprintf(clients, sizeof clients, "%s/clients", g_dir);
    if (ssa_tls_issue(g_ca, cakey, cert, key, 2) != 0 ||
        ssa_client_line("bench", "bench-client-secret", "*", line, sizeof line) != 0 ||
        (f = fopen(clients, "w")) == NULL)
        die("cannot make the SSA's TLS certificate or clients file");
    fputs(line, f);
    fclose(f);
    cfg.sam_socket = g_sock;
    cfg.tls_cert = cert;
    cfg.tls_key = key;
    cfg.clients = clients;
    cfg.quiet = 1;
    if (ssa_start(&cfg, &s) != QSCD_OK)
        die("the SSA did not start");
    snprintf(g_base, sizeof g_base, "https://localhost:%u/csc/v2", ssa_port(s));
    return s;
}

/* ------------------------------------------------------------------ CSC calls */

static void client_as(signer_conn *c, const char *signer)
{
    char user[64];

    snprintf(user, sizeof user, "%s@bench", signer);
    if (signer_open(c, g_base, g_ca) != 0 || signer_login(c, user, "bench-client-secret") != 0)
        die("auth/login failed");
}

static void client(signer_conn *c)
{
    client_as(c, g_main.signer);
}

static json_t *hash_array(const uint8_t *h, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++) {
        char *b = ssa_b64_encode(h + 32 * i, 32, false);
        json_array_append_new(a, json_string(b));
        free(b);
    }
    return a;
}

/* getChallenge + authorize (PIN + SIC assertion) for n hashes; the SAD (free()), or NULL. */
static char *authorize_as(signer_conn *c, const ident *id, const uint8_t *h, size_t n)
{
    json_t *out = NULL, *req;
    uint8_t ch[32], as[3000];
    const char *s;
    char *v, *sad = NULL;
    size_t alen;

    req = json_pack("{s:s,s:s}", "credentialID", id->cred, "authObjectID", "SIC");
    if (signer_call(c, "credentials/getChallenge", req, &out) != 200 ||
        (s = json_string_value(json_object_get(out, "challenge"))) == NULL ||
        ssa_b64_decode(s, strlen(s), ch, 32, false) != 32)
        die("getChallenge failed");
    json_decref(req);
    json_decref(out);
    alen = signer_assertion(id->dev, ch, id->cred, (uint32_t)n, 1, h, 32, n, as, sizeof as);
    v = ssa_b64_encode(as, alen, false);
    req = json_pack("{s:s,s:i,s:o,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "credentialID", id->cred,
                    "numSignatures", (int)n, "hashes", hash_array(h, n), "hashAlgorithmOID",
                    "2.16.840.1.101.3.4.2.1", "authData", "id", "PIN", "value", PIN, "id", "SIC",
                    "value", v);
    if (signer_call(c, "credentials/authorize", req, &out) == 200 &&
        (s = json_string_value(json_object_get(out, "SAD"))) != NULL)
        sad = strdup(s);
    free(v);
    json_decref(req);
    json_decref(out);
    return sad;
}

static char *authorize(signer_conn *c, const uint8_t *h, size_t n)
{
    return authorize_as(c, &g_main, h, n);
}

static int sign_hash_as(signer_conn *c, const char *cred, const char *sad, const uint8_t *h,
                        size_t n)
{
    json_t *out = NULL, *req = json_pack("{s:s,s:s,s:o,s:s}", "credentialID", cred, "SAD", sad,
                                         "hashes", hash_array(h, n), "signAlgo",
                                         "1.2.840.10045.4.3.2");
    long st = signer_call(c, "signatures/signHash", req, &out);
    int ok = st == 200 && json_array_size(json_object_get(out, "signatures")) == n;

    json_decref(req);
    json_decref(out);
    return ok ? 0 : -1;
}

static int sign_hash(signer_conn *c, const char *sad, const uint8_t *h, size_t n)
{
    return sign_hash_as(c, CRED, sad, h, n);
}

/* The same sign request straight to the SAM over its socket, as the SSA sends it: what the
 * SSA, TLS and HTTP add is the difference. */
static int sam_sign(samc *c, const uint8_t *sad, size_t sad_len, const uint8_t *h, size_t n)
{
    static __thread uint8_t tbuf[SSA_HASHES_MAX * 70 + 4096];
    samc_caller who = { 1, (const uint8_t *)"bench", 5, NULL, 0 };
    samc_resp resp;
    uint64_t count = 0;
    size_t off = 0;
    scbor_enc e;
    int rc;

    scbor_enc_init(&e, tbuf, sizeof tbuf);
    scbor_put_map(&e, 5);
    put_id(&e, 1, CRED);
    scbor_put_uint(&e, 2);
    scbor_put_bstr(&e, sad, sad_len);
    scbor_put_uint(&e, 3);
    scbor_put_uint(&e, QSCD_HASH_SHA256);
    scbor_put_uint(&e, 4);
    scbor_put_uint(&e, SAM_SIGN_ECDSA);
    scbor_put_uint(&e, 5);
    scbor_put_array(&e, n);
    for (size_t i = 0; i < n; i++)
        scbor_put_bstr(&e, h + 32 * i, 32);
    rc = e.err == QSCD_OK ? samc_call(c, &who, SAMC_SIGN, tbuf, e.len, &resp) : -1;
    rc = rc == QSCD_OK && resp.status == 0 && samc_get_array(&resp, 1, &count, &off) == QSCD_OK &&
         count == n ? 0 : -1;
    samc_resp_free(&resp);
    return rc;
}

typedef struct work {
    size_t per_req, requests;       /* hashes per request, requests per worker */
    int direct;                     /* 1: straight to the SAM's socket, not through the SSA */
    pthread_barrier_t *ready;       /* SADs made: the timed part starts */
    uint8_t *h;                     /* the worker's hashes: MULTI per SAD */
    int failures;
} work;

/* Each worker makes its SADs first (authorize is not timed here), waits for the others at
 * the barrier, then sends its requests. */
static void *worker(void *arg)
{
    work *w = arg;
    signer_conn c;
    samc *sc = NULL;
    size_t per_sad = MULTI / w->per_req, nsad = (w->requests + per_sad - 1) / per_sad;
    char **sads = calloc(nsad, sizeof *sads);

    client(&c);
    for (size_t s = 0; s < nsad; s++)
        if ((sads[s] = authorize(&c, w->h + s * MULTI * 32, per_sad * w->per_req)) == NULL)
            die("authorize failed");
    if (w->direct && samc_connect(g_sock, 30, &sc) != QSCD_OK)
        die("cannot connect to the SAM");
    pthread_barrier_wait(w->ready);
    for (size_t i = 0; i < w->requests; i++) {
        size_t s = i / per_sad, k = i % per_sad;
        const uint8_t *h = w->h + (s * MULTI + k * w->per_req) * 32;
        int rc;
        if (w->direct) {
            uint8_t sad[SAD_TOKEN_MAX];
            long n = ssa_b64_decode(sads[s], strlen(sads[s]), sad, sizeof sad, true);
            rc = n > 0 ? sam_sign(sc, sad, (size_t)n, h, w->per_req) : -1;
        } else {
            rc = sign_hash(&c, sads[s], h, w->per_req);
        }
        if (rc != 0)
            w->failures++;
    }
    pthread_barrier_wait(w->ready);
    samc_close(sc);
    signer_close(&c);
    for (size_t s = 0; s < nsad; s++)
        free(sads[s]);
    free(sads);
    return NULL;
}

/* signatures per second for conc workers, per_req hashes per request, through the SSA or
 * (direct) straight to the SAM. */
static double throughput(int conc, size_t per_req, size_t requests, int direct, int *failures)
{
    pthread_t t[32];
    work w[32];
    pthread_barrier_t ready;
    size_t per_sad = MULTI / per_req, nsad = (requests + per_sad - 1) / per_sad;
    double t0, dt;

    *failures = 0;
    pthread_barrier_init(&ready, NULL, (unsigned)conc + 1);
    for (int i = 0; i < conc; i++) {
        w[i] = (work){ per_req, requests, direct, &ready, malloc(nsad * MULTI * 32), 0 };
        if (w[i].h == NULL || RAND_bytes(w[i].h, (int)(nsad * MULTI * 32)) != 1)
            die("random");
        pthread_create(&t[i], NULL, worker, &w[i]);
    }
    pthread_barrier_wait(&ready);
    t0 = now();
    pthread_barrier_wait(&ready);
    dt = now() - t0;
    for (int i = 0; i < conc; i++) {
        pthread_join(t[i], NULL);
        *failures += w[i].failures;
        free(w[i].h);
    }
    pthread_barrier_destroy(&ready);
    return (double)((size_t)conc * requests * per_req) / dt;
}

/* ---------------------------------------------------------------- latency run */

typedef struct lat {
    pthread_mutex_t m;
    double t0, rate;
    int next, samples;              /* the next scheduled request, how many */
    const ident *ids;               /* flow i is signer ids[i % nids]'s */
    int nids;
    double *ms;
    int failures;
} lat;

/* Each flow i is due at t0 + i / rate; its latency counts from then (a late start is part
 * of the latency: no coordinated omission). The clients share the schedule; each logs in
 * once per signer it serves. */
static void *lat_worker(void *arg)
{
    lat *l = arg;
    signer_conn c[LAT_SIGNERS];
    bool open[LAT_SIGNERS] = { false };
    uint8_t h[32];

    for (;;) {
        int i, k;
        double due, wait;
        char *sad;
        pthread_mutex_lock(&l->m);
        i = l->next < l->samples ? l->next++ : -1;
        pthread_mutex_unlock(&l->m);
        if (i < 0)
            break;
        k = i % l->nids;
        if (!open[k]) {
            client_as(&c[k], l->ids[k].signer);
            open[k] = true;
        }
        due = l->t0 + i / l->rate;
        if ((wait = due - now()) > 0) {
            struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
            nanosleep(&ts, NULL);
        }
        RAND_bytes(h, 32);
        sad = authorize_as(&c[k], &l->ids[k], h, 1);
        if (sad == NULL || sign_hash_as(&c[k], l->ids[k].cred, sad, h, 1) != 0)
            l->failures++;
        l->ms[i] = (now() - due) * 1000.0;
        free(sad);
    }
    for (int k = 0; k < LAT_SIGNERS; k++)
        if (open[k])
            signer_close(&c[k]);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* samples flows at rate per second over nids signers by `clients` clients: p50/p95/p99. */
static void latency(double rate, int samples, const ident *ids, int nids, int clients,
                    double pct[3], int *failures)
{
    lat l = { .rate = rate, .samples = samples, .ids = ids, .nids = nids };
    pthread_t t[32];

    l.ms = calloc((size_t)samples, sizeof *l.ms);
    if (l.ms == NULL || clients > 32)
        die("latency run");
    pthread_mutex_init(&l.m, NULL);
    l.t0 = now() + 0.5;
    for (int i = 0; i < clients; i++)
        pthread_create(&t[i], NULL, lat_worker, &l);
    for (int i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    qsort(l.ms, (size_t)samples, sizeof l.ms[0], cmp_double);
    pct[0] = l.ms[samples / 2];
    pct[1] = l.ms[(samples * 95 + 99) / 100 - 1];
    pct[2] = l.ms[(samples * 99 + 99) / 100 - 1];
    *failures = l.failures;
    pthread_mutex_destroy(&l.m);
    free(l.ms);
}

/* ------------------------------------------------------------------- raw C_Sign */

static CK_FUNCTION_LIST *raw_f;
static CK_SLOT_ID raw_slot;
static CK_OBJECT_HANDLE raw_key, raw_auth_key;
static char raw_pin[128];

/* The SAM's token, opened by this process with the module directly; two session key pairs:
 * a plain one (the HSM's own limit) and one with CKA_ALWAYS_AUTHENTICATE as the SAM's keys
 * have (the same loop plus the context login each signature needs). */
static void raw_open(void)
{
    static const CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
    char conf[PATH_MAX + 32], pinf[PATH_MAX + 32], label[32];
    CK_C_GetFunctionList get;
    CK_C_INITIALIZE_ARGS args = { 0 };
    CK_SLOT_ID slots[16];
    CK_ULONG n = 16;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE pub[] = { { CKA_EC_PARAMS, (void *)p256, sizeof p256 }, { CKA_TOKEN, &no, 1 } };
    CK_ATTRIBUTE priv[] = { { CKA_TOKEN, &no, 1 }, { CKA_SIGN, &yes, 1 },
                            { CKA_SENSITIVE, &yes, 1 }, { CKA_PRIVATE, &yes, 1 },
                            { CKA_ALWAYS_AUTHENTICATE, &yes, 1 } };
    CK_OBJECT_HANDLE pk;
    CK_SESSION_HANDLE s;
    void *dl;
    FILE *f;

    snprintf(conf, sizeof conf, "%s/hsm/softhsm2.conf", g_dir);
    snprintf(pinf, sizeof pinf, "%s/hsm/user.pin", g_dir);
    setenv("SOFTHSM2_CONF", conf, 1);
    if ((f = fopen(pinf, "r")) == NULL || fgets(raw_pin, sizeof raw_pin, f) == NULL)
        die("cannot read the token's user PIN");
    fclose(f);
    raw_pin[strcspn(raw_pin, "\r\n")] = '\0';
    dl = dlopen("/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
    *(void **)&get = dl != NULL ? dlsym(dl, "C_GetFunctionList") : NULL;
    args.flags = CKF_OS_LOCKING_OK;
    if (get == NULL || get(&raw_f) != CKR_OK || raw_f->C_Initialize(&args) != CKR_OK ||
        raw_f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        die("cannot load SoftHSMv2");
    memset(label, ' ', sizeof label);
    memcpy(label, "qscd-sam", 8);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (raw_f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && memcmp(ti.label, label, 32) == 0)
            raw_slot = slots[i];
    }
    if (raw_f->C_OpenSession(raw_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK ||
        raw_f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)raw_pin, strlen(raw_pin)) != CKR_OK ||
        raw_f->C_GenerateKeyPair(s, &m, pub, 2, priv, 3, &pk, &raw_key) != CKR_OK ||
        raw_f->C_GenerateKeyPair(s, &m, pub, 2, priv, 5, &pk, &raw_auth_key) != CKR_OK)
        die("cannot log in to the SAM's token or make the session keys");
}

static double g_raw_seconds = 2.0;

typedef struct raw_job {
    int login;                      /* 1: the key with CKA_ALWAYS_AUTHENTICATE, login each time */
    long count;
} raw_job;

static void *raw_worker(void *arg)
{
    raw_job *j = arg;
    CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
    CK_SESSION_HANDLE s;
    CK_BYTE h[32] = { 1 }, sig[128];
    CK_OBJECT_HANDLE k = j->login ? raw_auth_key : raw_key;
    double end = now() + g_raw_seconds;

    if (raw_f->C_OpenSession(raw_slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
        die("C_OpenSession");
    while (now() < end) {
        CK_ULONG n = sizeof sig;
        if (raw_f->C_SignInit(s, &m, k) != CKR_OK ||
            (j->login && raw_f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)raw_pin,
                                        strlen(raw_pin)) != CKR_OK) ||
            raw_f->C_Sign(s, h, 32, sig, &n) != CKR_OK)
            die("C_Sign");
        j->count++;
    }
    raw_f->C_CloseSession(s);
    return NULL;
}

static double raw_rate(int threads, int login)
{
    pthread_t t[8];
    raw_job j[8];
    long total = 0;
    double t0 = now();

    for (int i = 0; i < threads; i++) {
        j[i] = (raw_job){ login, 0 };
        pthread_create(&t[i], NULL, raw_worker, &j[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += j[i].count;
    }
    return (double)total / (now() - t0);
}

/* ------------------------------------------------------------------------- main */

/* The SAM's configuration: its defaults, QSCD_BENCH_SAM_EXTRA, then extra (may be NULL). */
static void write_conf(const char *extra)
{
    const char *env = getenv("QSCD_BENCH_SAM_EXTRA");
    FILE *f = fopen(g_conf, "w");

    if (f == NULL)
        die("cannot write the configuration");
    fprintf(f, "# qscd-bench-ssa: SAM defaults (Argon2id, checks), its own token\n"
               "data_dir = %s\nsocket = %s\nservice_name = qscd-bench\n%s%s", g_dir, g_sock,
            env != NULL ? env : "", extra != NULL ? extra : "");
    fclose(f);
}

/* `qscd sam` serving, once it answers on its socket: its pid. */
static pid_t start_sam(const char *qscd, const char *log)
{
    char *serve[] = { (char *)qscd, "sam", "--config", g_conf, NULL };
    pid_t pid = run(qscd, serve, log, 0);

    if (pid <= 0)
        die("the SAM did not start");
    for (int i = 0; i < 500; i++) {
        samc *c = NULL;
        struct timespec ts = { 0, 20000000 };
        if (samc_connect(g_sock, 5, &c) == QSCD_OK) {
            samc_close(c);
            return pid;
        }
        nanosleep(&ts, NULL);
    }
    die("the SAM does not answer on its socket");
    return -1;
}

/* 256 signatures, untimed, straight to the SAM: a fresh SAM's write-ahead log grows to its
 * checkpoint size (about 4 MB) during its first thousand commits, and a commit that grows the
 * file costs an ext4 journal commit (fdatasync p95 about 4 ms here, against 0.2 ms for one
 * that overwrites): the figures are of the service in its steady state. */
static void warm_up(void)
{
    int fails = 0;

    throughput(8, 1, 32, 1, &fails);
    if (fails != 0)
        die("the warm-up's signatures failed");
}

static void stop_sam(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static json_t *machine(void)
{
    struct utsname u;

    uname(&u);
    return json_pack("{s:s,s:s,s:I}", "system", u.sysname, "release", u.release, "cpus",
                     (json_int_t)sysconf(_SC_NPROCESSORS_ONLN));
}

int main(int argc, char **argv)
{
    const char *qscd = NULL, *json_path = NULL, *versions = NULL, *dir = "build/bench-ssa";
    int only = 0;                   /* --layer sam|https: that layer alone, no latency run */
    static const int concs[] = { 1, 8, 32 };
    static const size_t pers[] = { 1, 10 };
    int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), fails;
    double raw1, rawn, login1, loginn, pct[3];
    json_t *cases = json_array(), *root;
    char log[PATH_MAX + 16], cmd[2 * PATH_MAX + 64];
    pid_t sam;
    ssa *s;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--qscd") == 0)
            qscd = argv[i + 1];
        else if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--json") == 0)
            json_path = argv[i + 1];
        else if (strcmp(argv[i], "--versions") == 0)
            versions = argv[i + 1];
        else if (strcmp(argv[i], "--layer") == 0)
            only = strcmp(argv[i + 1], "sam") == 0 ? 1 : strcmp(argv[i + 1], "https") == 0 ? 2 : 0;
    }
    if (qscd == NULL)
        die("usage: qscd-bench-ssa --qscd BIN [--dir DIR] [--json FILE] [--versions FILE]");
    ncpu = ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu;
    signal(SIGPIPE, SIG_IGN);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0 || realpath(dir, g_dir) == NULL)
        die("cannot make the work directory");
    snprintf(g_conf, sizeof g_conf, "%s.conf", g_dir);
    snprintf(g_sock, sizeof g_sock, "%s/qscd-bench-%d.sock", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    snprintf(log, sizeof log, "%s.log", g_dir);
    write_conf(NULL);
    printf("bench-ssa: setting up a SAM (qscd sam --init) and the SSA under %s\n", g_dir);
    fflush(stdout);
    {
        char *init[] = { (char *)qscd, "sam", "--config", g_conf, "--init", NULL };
        if (run(qscd, init, log, 1) != 0)
            die("the SAM could not be set up (see the .log beside the directory)");
    }
    sam = start_sam(qscd, log);
    enrol(&g_main);
    s = start_ssa();
    warm_up();
    raw_open();
    raw1 = raw_rate(1, 0);
    rawn = raw_rate(ncpu, 0);
    login1 = raw_rate(1, 1);
    loginn = raw_rate(ncpu, 1);
    printf("\nraw C_Sign on the same token (ECDSA P-256, session key): %.0f/s (1 thread), "
           "%.0f/s (%d threads)\n", raw1, rawn, ncpu);
    printf("raw C_Sign + context login (CKA_ALWAYS_AUTHENTICATE, as the SAM's keys): %.0f/s "
           "(1 thread), %.0f/s (%d threads)\n\n", login1, loginn, ncpu);
    json_array_append_new(cases, json_pack("{s:s,s:f,s:f,s:f,s:f,s:i}", "case", "raw C_Sign",
        "per_s_1_thread", raw1, "per_s_n_threads", rawn, "with_context_login_per_s_1_thread",
        login1, "with_context_login_per_s_n_threads", loginn, "threads", ncpu));
    printf("%-40s %12s %9s %10s %9s\n", "signHash (layer, hashes/request, conc.)", "signatures/s",
           "vs raw", "vs +login", "failures");
    for (int direct = only == 2 ? 0 : 1; direct >= (only == 1 ? 1 : 0); direct--)
        for (size_t p = 0; p < 2; p++)
            for (size_t k = 0; k < 3; k++) {
                int conc = concs[k];
                /* About 250-300 requests' worth of signatures per case (noise on a shared
                 * machine), the SADs made beforehand in parallel. */
                size_t reqs = pers[p] == 1 ? (conc == 1 ? 256 : conc == 8 ? 64 : 32)
                                           : (conc == 1 ? 60 : conc == 8 ? 15 : 6);
                double rate = throughput(conc, pers[p], reqs, direct, &fails);
                double raw = conc == 1 ? raw1 : rawn, login = conc == 1 ? login1 : loginn;
                char name[64];
                snprintf(name, sizeof name, "%s, %zu, %d", direct ? "SAM socket" : "HTTPS (SSA+SAM)",
                         pers[p], conc);
                printf("%-40s %12.1f %8.3fx %9.3fx %9d\n", name, rate, rate / raw, rate / login,
                       fails);
                fflush(stdout);
                json_array_append_new(cases, json_pack("{s:s,s:s,s:I,s:i,s:I,s:f,s:f,s:f,s:f,s:f,s:i}",
                    "case", "signHash", "layer", direct ? "SAM over its socket" : "HTTPS: SSA and SAM",
                    "hashes_per_request", (json_int_t)pers[p], "concurrency", conc,
                    "requests", (json_int_t)(reqs * (size_t)conc), "signatures_per_s", rate,
                    "raw_c_sign_per_s", raw, "ratio", rate / raw, "raw_with_context_login_per_s",
                    login, "ratio_to_raw_with_login", rate / login, "failures", fails));
            }
    fails = 0;
    memset(pct, 0, sizeof pct);
    if (only == 0)
        latency(LAT_RATE, LAT_SAMPLES, &g_main, 1, 4, pct, &fails);
    printf("\nauthorize + signHash at %.1f/s (%d flows, one signer, default Argon2id t=3 m=64 MiB): "
           "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (raw C_Sign: %.3f ms), %d failures\n", LAT_RATE,
           LAT_SAMPLES, pct[0], pct[1], pct[2], 1000.0 / raw1, fails);
    json_array_append_new(cases, json_pack("{s:s,s:s,s:f,s:i,s:i,s:f,s:f,s:f,s:f,s:i}", "case",
        "authorize+signHash latency", "argon2id", "default: t=3, m=65536 KiB, p=1", "rate_per_s",
        LAT_RATE, "requests", LAT_SAMPLES, "signers", 1, "p50_ms", pct[0], "p95_ms", pct[1],
        "p99_ms", pct[2], "raw_c_sign_ms", 1000.0 / raw1, "failures", fails));
    if (only == 0) {
        /* The same flow at the issue's rate, 100 per second over 16 signers, with the PIN
         * verifiers made at the integration tests' Argon2id cost: what the service adds
         * besides the PIN hash (not a cost to deploy). The SAM restarts with that cost and
         * the SSA goes on with new connections. */
        stop_sam(sam);
        write_conf("argon2_t = 1\nargon2_m = 256\n");
        sam = start_sam(qscd, log);
        warm_up();
        for (int i = 0; i < LAT_SIGNERS; i++) {
            snprintf(g_lat[i].signer, sizeof g_lat[i].signer, "lat-%d", i);
            snprintf(g_lat[i].cred, sizeof g_lat[i].cred, "lat-%d-p256", i);
            enrol(&g_lat[i]);
        }
        latency(LAT_FAST_RATE, LAT_FAST_SAMPLES, g_lat, LAT_SIGNERS, LAT_SIGNERS, pct, &fails);
        printf("authorize + signHash at %.0f/s (%d flows, %d signers, Argon2id at the tests' cost "
               "t=1 m=256 KiB, not a deployable one): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, "
               "%d failures\n", LAT_FAST_RATE, LAT_FAST_SAMPLES, LAT_SIGNERS, pct[0], pct[1],
               pct[2], fails);
        json_array_append_new(cases, json_pack("{s:s,s:s,s:f,s:i,s:i,s:f,s:f,s:f,s:f,s:i}", "case",
            "authorize+signHash latency", "argon2id", "the tests' cost: t=1, m=256 KiB, p=1 "
            "(the PIN hash cost removed; not a deployable setting)", "rate_per_s", LAT_FAST_RATE,
            "requests", LAT_FAST_SAMPLES, "signers", LAT_SIGNERS, "p50_ms", pct[0], "p95_ms",
            pct[1], "p99_ms", pct[2], "raw_c_sign_ms", 1000.0 / raw1, "failures", fails));
    }
    memset(raw_pin, 0, sizeof raw_pin);
    ssa_stop(s);
    kill(sam, SIGTERM);
    waitpid(sam, NULL, 0);
    if (json_path != NULL) {
        json_t *vers = versions != NULL ? json_load_file(versions, 0, NULL) : NULL;
        time_t t = time(NULL);
        char date[32];
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        root = json_pack("{s:s,s:s,s:o,s:o,s:s,s:o}", "benchmark", "ssa", "date", date,
                         "machine", machine(), "versions", vers != NULL ? vers : json_null(),
                         "notes", "Through the whole service: TLS on loopback, the SSA, the SAM "
                         "(SAD MAC, registry, audit record, context login, verify-after-sign) and "
                         "SoftHSMv2; each latency case names its Argon2id cost. Figures, not "
                         "verdicts.", "cases", cases);
        if (json_dump_file(root, json_path, JSON_INDENT(1)) != 0)
            die("cannot write the JSON");
        json_decref(root);
        printf("bench-ssa: wrote %s\n", json_path);
    } else {
        json_decref(cases);
    }
    return 0;
}
