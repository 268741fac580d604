/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qscd-bench-p11: what the PKCS#11 adapter costs over the raw module. On one token and one
 * key, a raw C_SignInit + C_Sign loop (minimal code of its own, not the adapter's) against
 * p11a_sign, for ECDSA P-256 and RSA-2048 (PKCS#1 v1.5), with one and two threads, keys
 * without CKA_ALWAYS_AUTHENTICATE and verification off: the ratio adapter/raw. Then,
 * separately, what the per-signature context login and the OpenSSL verify-after-sign cost.
 * Raw and adapter runs alternate in short rounds so that drift on a shared machine hits both
 * alike. Figures only: nothing passes or fails on timing.
 *
 *   qscd-bench-p11 [--seconds S] [--json FILE] [--versions tool-versions.json]
 *
 * The token comes from the environment (src/tools/mktoken.sh): QSCD_P11_MODULE,
 * QSCD_TOKEN_LABEL, QSCD_USER_PIN, SOFTHSM2_CONF.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "p11a.h"

#define ROUNDS 4   /* raw and adapter alternate this many times per case */

static double seconds_per_case = 2.0;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "qscd-bench-p11: %s: %s\n", what, why);
    exit(1);
}

/* ---------------------------------------------------------------- the raw side */

static CK_FUNCTION_LIST *raw_f;
static CK_SLOT_ID raw_slot;

static void raw_open(const char *module, const char *label)
{
    CK_C_GetFunctionList get;
    CK_C_INITIALIZE_ARGS args;
    CK_SLOT_ID slots[32];
    CK_ULONG n = 32;
    char padded[32];
    void *dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    CK_RV rv;

    if (dl == NULL)
        die("dlopen", dlerror());
    *(void **)&get = dlsym(dl, "C_GetFunctionList");
    if (get == NULL || get(&raw_f) != CKR_OK)
        die(module, "no C_GetFunctionList");
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    rv = raw_f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        die("C_Initialize", p11a_rv_name(rv));
    memset(padded, ' ', sizeof padded);
    memcpy(padded, label, strlen(label));
    if (raw_f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        die("C_GetSlotList", "failed");
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (raw_f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
            memcmp(ti.label, padded, sizeof padded) == 0)
            raw_slot = slots[i];
    }
}

static CK_SESSION_HANDLE raw_session(void)
{
    CK_SESSION_HANDLE h;

    if (raw_f->C_OpenSession(raw_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h)
        != CKR_OK)
        die("C_OpenSession", "failed");
    return h;
}

/* A key pair without CKA_ALWAYS_AUTHENTICATE, made by raw code (the adapter makes none). */
static void raw_keygen(CK_SESSION_HANDLE h, CK_KEY_TYPE type, const char *id)
{
    static const CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG bits = 2048;
    CK_BYTE e[] = { 1, 0, 1 };
    CK_MECHANISM m = { type == CKK_EC ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN,
                       NULL, 0 };
    CK_ATTRIBUTE ec[] = { { CKA_EC_PARAMS, (void *)p256, sizeof p256 }, { CKA_TOKEN, &yes, 1 },
                          { CKA_VERIFY, &yes, 1 }, { CKA_ID, (void *)id, strlen(id) } };
    CK_ATTRIBUTE rsa[] = { { CKA_MODULUS_BITS, &bits, sizeof bits },
                           { CKA_PUBLIC_EXPONENT, e, 3 }, { CKA_TOKEN, &yes, 1 },
                           { CKA_VERIFY, &yes, 1 }, { CKA_ID, (void *)id, strlen(id) } };
    CK_ATTRIBUTE priv[] = { { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &yes, 1 },
                            { CKA_SENSITIVE, &yes, 1 }, { CKA_EXTRACTABLE, &no, 1 },
                            { CKA_SIGN, &yes, 1 }, { CKA_DECRYPT, &no, 1 },
                            { CKA_ID, (void *)id, strlen(id) } };
    CK_OBJECT_HANDLE pub, pr;
    CK_RV rv = raw_f->C_GenerateKeyPair(h, &m, type == CKK_EC ? ec : rsa, type == CKK_EC ? 4 : 5,
                                        priv, 7, &pub, &pr);

    if (rv != CKR_OK)
        die("C_GenerateKeyPair", p11a_rv_name(rv));
}

static CK_OBJECT_HANDLE raw_find(CK_SESSION_HANDLE h, const char *id)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE q[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, (void *)id, strlen(id) } };
    CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
    CK_ULONG n = 0;

    raw_f->C_FindObjectsInit(h, q, 2);
    raw_f->C_FindObjects(h, &o, 1, &n);
    raw_f->C_FindObjectsFinal(h);
    if (n != 1)
        die("C_FindObjects", id);
    return o;
}

/* ------------------------------------------------------------------- the runs */

struct job {
    int raw;                      /* raw loop, else p11a_sign */
    CK_KEY_TYPE type;
    const char *id;               /* raw: the key's CKA_ID */
    p11a *a;                      /* adapter side */
    p11a_key *key;
    double until;
    unsigned long count;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    uint8_t dg[32], sig[512], data[19 + 32] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
        0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
    CK_MECHANISM m = { j->type == CKK_EC ? CKM_ECDSA : CKM_RSA_PKCS, NULL, 0 };
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    p11a_sigalg alg = j->type == CKK_EC ? P11A_ECDSA : P11A_RSA_PKCS1;

    memset(dg, 0x5a, sizeof dg);
    memcpy(data + 19, dg, 32);
    if (j->raw) {
        h = raw_session();
        key = raw_find(h, j->id);
    }
    while (now() < j->until) {
        if (j->raw) {
            /* The minimal raw loop: what the module does, no more. */
            CK_ULONG len = sizeof sig;
            CK_BYTE *in = j->type == CKK_EC ? dg : data;
            CK_ULONG in_len = j->type == CKK_EC ? 32 : sizeof data;
            if (raw_f->C_SignInit(h, &m, key) != CKR_OK ||
                raw_f->C_Sign(h, in, in_len, sig, &len) != CKR_OK)
                die("raw C_Sign", "failed");
        } else {
            size_t len = sizeof sig;
            if (p11a_sign(j->a, j->key, alg, P11A_SHA256, dg, 32, sig, &len) != QSCD_OK)
                die("p11a_sign", p11a_last_error());
        }
        j->count++;
    }
    if (j->raw)
        raw_f->C_CloseSession(h);
    return NULL;
}

/* Signatures per second of one side with n threads for d seconds. */
static double run(struct job proto, int threads, double d, unsigned long *total, double *spent)
{
    pthread_t th[8];
    struct job jobs[8];
    double t0 = now();
    unsigned long sum = 0;

    for (int i = 0; i < threads; i++) {
        jobs[i] = proto;
        jobs[i].until = t0 + d;
        jobs[i].count = 0;
        if (pthread_create(&th[i], NULL, worker, &jobs[i]) != 0)
            die("pthread_create", "failed");
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        sum += jobs[i].count;
    }
    *total += sum;
    *spent += now() - t0;
    return (double)sum / (now() - t0);
}

/* Two sides of a comparison, alternating in ROUNDS rounds; returns their rates. */
static void compare(struct job x, struct job y, int threads, double *rx, double *ry)
{
    unsigned long nx = 0, ny = 0;
    double tx = 0, ty = 0, d = seconds_per_case / ROUNDS;

    for (int r = 0; r < ROUNDS; r++) {
        if (r % 2 == 0) {
            run(x, threads, d, &nx, &tx);
            run(y, threads, d, &ny, &ty);
        } else {
            run(y, threads, d, &ny, &ty);
            run(x, threads, d, &nx, &tx);
        }
    }
    *rx = (double)nx / tx;
    *ry = (double)ny / ty;
}

/* ----------------------------------------------------------------------- report */

static json_t *machine(void)
{
    struct utsname u;
    char line[256], cpu[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':') != NULL) {
            snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    if (f != NULL)
        fclose(f);
    uname(&u);
    return json_pack("{s:s, s:s, s:s, s:i}", "system", u.sysname, "release", u.release,
                     "cpu", cpu, "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN));
}

static void adapter_open(p11a **a, unsigned flags, const char *module, const char *label,
                         const char *pin)
{
    p11a_config cfg;

    memset(&cfg, 0, sizeof cfg);
    cfg.module = module;
    cfg.token_label = label;
    cfg.user_pin = pin;
    cfg.max_sessions = 4;
    cfg.flags = flags;
    if (p11a_open(&cfg, a) != QSCD_OK)
        die("p11a_open", p11a_last_error());
}

static void find(p11a *a, const char *id, p11a_key *k)
{
    if (p11a_key_find(a, (const uint8_t *)id, strlen(id), k) != QSCD_OK)
        die("p11a_key_find", p11a_last_error());
}

/* The two algorithms, their keys: raw-made (no ALWAYS_AUTHENTICATE) seen by the plain and
 * the verifying adapter, and an adapter-made one (with ALWAYS_AUTHENTICATE). */
static const struct { CK_KEY_TYPE type; CK_ULONG bits; const char *name, *id, *aa_id; }
algs[2] = { { CKK_EC, 256, "ECDSA P-256", "bench-ec", "bench-ec-aa" },
            { CKK_RSA, 2048, "RSA-2048 PKCS#1 v1.5", "bench-rsa", "bench-rsa-aa" } };

struct setup {
    p11a *plain, *verifying;      /* P11A_NO_VERIFY, and verify-after-sign on */
    p11a_key keys[2], vkeys[2], aa_keys[2];
};

static void setup_keys(struct setup *st)
{
    CK_SESSION_HANDLE h = raw_session();

    for (int i = 0; i < 2; i++) {
        raw_keygen(h, algs[i].type, algs[i].id);
        find(st->plain, algs[i].id, &st->keys[i]);
        find(st->verifying, algs[i].id, &st->vkeys[i]);
        if (p11a_key_generate(st->plain, algs[i].type, algs[i].bits, 0,
                              (const uint8_t *)algs[i].aa_id, strlen(algs[i].aa_id),
                              algs[i].aa_id, &st->aa_keys[i]) != QSCD_OK)
            die("p11a_key_generate", p11a_last_error());
    }
    raw_f->C_CloseSession(h);
}

/* Raw against adapter, 1 and 2 threads; returns the lowest ratio. */
static double bench_ratios(struct setup *st, json_t *cases)
{
    double worst = 1e9;

    printf("%-52s %12s %14s %7s\n", "case (no ALWAYS_AUTHENTICATE, no verify)", "raw sign/s",
           "adapter sign/s", "ratio");
    for (int i = 0; i < 2; i++)
        for (int threads = 1; threads <= 2; threads++) {
            struct job raw = { 1, algs[i].type, algs[i].id, NULL, NULL, 0, 0 };
            struct job ad = { 0, algs[i].type, NULL, st->plain, &st->keys[i], 0, 0 };
            double rr, ra;
            char name[64];
            compare(raw, ad, threads, &rr, &ra);
            snprintf(name, sizeof name, "%s, %d thread%s", algs[i].name, threads,
                     threads > 1 ? "s" : "");
            printf("%-52s %12.0f %14.0f %7.3f\n", name, rr, ra, ra / rr);
            worst = ra / rr < worst ? ra / rr : worst;
            json_array_append_new(cases, json_pack("{s:s, s:s, s:i, s:f, s:f, s:f}", "case",
                name, "algorithm", algs[i].name, "threads", threads, "raw_per_s", rr,
                "adapter_per_s", ra, "ratio", ra / rr));
        }
    return worst;
}

/* One separate cost: the adapter without and with it, 1 thread. */
static void bench_cost(struct job without, struct job with, const char *what, int alg,
                       json_t *costs)
{
    double r0, r1;
    char name[96];

    compare(without, with, 1, &r0, &r1);
    snprintf(name, sizeof name, "%s: %s", algs[alg].name, what);
    printf("%-52s %12.0f %14.0f %7.1f\n", name, r0, r1, 1e6 / r1 - 1e6 / r0);
    json_array_append_new(costs, json_pack("{s:s, s:s, s:f, s:f, s:f}", "cost", what,
        "algorithm", algs[alg].name, "without_per_s", r0, "with_per_s", r1,
        "added_us_per_signature", 1e6 / r1 - 1e6 / r0));
}

static void bench_costs(struct setup *st, json_t *costs)
{
    printf("\n%-52s %12s %14s %7s\n", "separate costs (adapter, 1 thread)", "without/s",
           "with/s", "+us/sig");
    for (int i = 0; i < 2; i++) {
        struct job ad = { 0, algs[i].type, NULL, st->plain, &st->keys[i], 0, 0 };
        struct job aa = { 0, algs[i].type, NULL, st->plain, &st->aa_keys[i], 0, 0 };
        struct job ver = { 0, algs[i].type, NULL, st->verifying, &st->vkeys[i], 0, 0 };
        bench_cost(ad, aa, "context login per signature", i, costs);
        bench_cost(ad, ver, "OpenSSL verify-after-sign", i, costs);
    }
}

static void write_json(const char *path, const char *versions, json_t *cases, json_t *costs,
                       double worst)
{
    json_t *vers = versions != NULL ? json_load_file(versions, 0, NULL) : NULL, *root;
    time_t t = time(NULL);
    char date[32];

    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    root = json_pack("{s:s, s:s, s:o, s:o, s:f, s:i, s:o, s:o, s:f, s:b}", "benchmark", "p11",
        "date", date, "machine", machine(), "versions", vers != NULL ? vers : json_null(),
        "seconds_per_case", seconds_per_case, "rounds", ROUNDS, "cases", cases, "costs", costs,
        "lowest_ratio", worst, "ratio_target_met", worst >= 0.95);
    if (json_dump_file(root, path, JSON_INDENT(2)) != 0)
        die(path, "cannot write");
    printf("written: %s\n", path);
    json_decref(root);
}

int main(int argc, char **argv)
{
    const char *module = getenv("QSCD_P11_MODULE"), *label = getenv("QSCD_TOKEN_LABEL");
    const char *pin = getenv("QSCD_USER_PIN"), *json_path = NULL, *versions = NULL;
    json_t *cases = json_array(), *costs = json_array();
    struct setup st;
    double worst;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds_per_case = atof(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json_path = argv[++i];
        else if (strcmp(argv[i], "--versions") == 0 && i + 1 < argc)
            versions = argv[++i];
        else {
            fprintf(stderr, "usage: qscd-bench-p11 [--seconds S] [--json FILE] "
                    "[--versions FILE]\n");
            return 2;
        }
    }
    if (module == NULL || label == NULL || pin == NULL)
        die("environment", "QSCD_P11_MODULE, QSCD_TOKEN_LABEL, QSCD_USER_PIN not set "
            "(src/tools/mktoken.sh)");
    adapter_open(&st.plain, P11A_NO_VERIFY, module, label, pin);
    adapter_open(&st.verifying, 0, module, label, pin);
    raw_open(module, label);
    setup_keys(&st);
    printf("qscd-bench-p11: %s, token '%s', %.1f s per case in %d alternating rounds\n\n",
           module, label, seconds_per_case, ROUNDS);
    worst = bench_ratios(&st, cases);
    bench_costs(&st, costs);
    printf("\nlowest ratio adapter/raw: %.3f (target >= 0.95)\n", worst);
    if (json_path != NULL)
        write_json(json_path, versions, cases, costs, worst);
    else {
        json_decref(cases);
        json_decref(costs);
    }
    for (int i = 0; i < 2; i++) {
        p11a_key_clear(&st.keys[i]);
        p11a_key_clear(&st.vkeys[i]);
        p11a_key_clear(&st.aa_keys[i]);
    }
    p11a_close(st.verifying);
    p11a_close(st.plain);
    return 0;
}
