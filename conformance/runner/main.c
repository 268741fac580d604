/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qscd-conform: run the conformance vectors against a target and report. See --help, and
 * README.md ("For a TSP", "For a vendor"). Exit status: 0 when every vector passed, was
 * skipped with a reason or was accepted either way (or, with a golden file, when the verdicts
 * equal it); 1 on a FAIL without a golden file or on any difference from it; 2 on a usage
 * error or a target that cannot be reached; 3 when a vector did not finish within --timeout
 * (a module call that never returns: the run is abandoned, nothing is written).
 */
#include "conform.h"

#include <getopt.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char USAGE[] =
"usage: qscd-conform --target TARGET [options]\n"
"\n"
"Targets:\n"
"  --target pkcs11:MODULE   any PKCS#11 module (path to the .so); needs --token and --pin\n"
"  --target ref             the reference stack: `qscd serve` on loopback with a throw-away\n"
"                           token and data directory, its own signers and credentials\n"
"  --target csc:URL         any CSC API v2 service (URL: its base, e.g.\n"
"                           https://host:8443/csc/v2; empty: the config's \"url\"), with\n"
"                           --config FILE: the CA to trust, the test signers' logins, PINs\n"
"                           and TOTP seeds, the credential ids (README, \"For a vendor\")\n"
"\n"
"CSC and reference options:\n"
"  --config FILE            the CSC target's configuration (JSON)\n"
"  --qscd PATH              ref: the qscd binary (default build/rel/bin/qscd)\n"
"  --ref-dir DIR            ref: the throw-away directory (default build/conformance/ref)\n"
"\n"
"PKCS#11 options:\n"
"  --token LABEL            the token, found by label (slot ids are not stable)\n"
"  --pin PIN                the user PIN (or --pin-env VAR to read it from VAR)\n"
"  --so-pin PIN             the security officer's PIN (or --so-pin-env VAR); only the\n"
"                           vectors that need it use it\n"
"  --init-args STRING       passed to C_Initialize in pReserved (NSS softokn's configdir)\n"
"  --destructive            also run vectors that change the token itself (re-initialise\n"
"                           it); use a throw-away token. Default: the run only creates\n"
"                           objects labelled qscd-conform-<pid>-<time>-<n> and destroys\n"
"                           them at the end\n"
"\n"
"Run options:\n"
"  --vectors DIR            the vectors folder (default: vectors)\n"
"  --out DIR                where results go (default: reports/conformance/NAME)\n"
"  --name NAME              the target's name in reports (default: from the target)\n"
"  --jobs N                 run independent vectors on N threads, one session each (1)\n"
"  --claim OPTION           the target claims a profile option (repeatable): acceptable\n"
"                           vectors that name it must then be refused\n"
"  --skip-slow              leave out the vectors flagged Slow (not compared)\n"
"  --only TEXT              run only the vectors whose id contains TEXT (a whole id\n"
"                           FILE#tcId selects exactly that vector)\n"
"  --golden FILE            compare with FILE (default: reports/golden/conformance/NAME.json\n"
"                           when it exists); --no-golden compares with nothing\n"
"  --update-golden          write the verdicts of this run as the golden file\n"
"  --outcome-file FILE      append make-check outcome lines (suite;case;PASS|FAIL|SKIP;cause)\n"
"  --list                   list the vectors and exit\n"
"  --timeout SECONDS        give up when one vector takes longer (default 300): a module\n"
"                           call that never returns ends the run with exit status 3\n"
"  --quiet                  no progress lines\n"
"  --help                   this text\n";

enum { O_TARGET = 256, O_TOKEN, O_PIN, O_PIN_ENV, O_SO_PIN, O_SO_PIN_ENV, O_INIT, O_DESTR,
       O_VECTORS, O_OUT, O_NAME, O_JOBS, O_CLAIM, O_SLOW, O_ONLY, O_GOLDEN, O_NO_GOLDEN,
       O_UPDATE, O_OUTCOME, O_LIST, O_QUIET, O_HELP, O_CONFIG, O_TIMEOUT, O_QSCD, O_REF_DIR };

static const struct option LONGOPTS[] = {
    {"target", 1, 0, O_TARGET}, {"token", 1, 0, O_TOKEN}, {"pin", 1, 0, O_PIN},
    {"pin-env", 1, 0, O_PIN_ENV}, {"so-pin", 1, 0, O_SO_PIN}, {"so-pin-env", 1, 0, O_SO_PIN_ENV},
    {"init-args", 1, 0, O_INIT}, {"destructive", 0, 0, O_DESTR}, {"vectors", 1, 0, O_VECTORS},
    {"out", 1, 0, O_OUT}, {"name", 1, 0, O_NAME}, {"jobs", 1, 0, O_JOBS},
    {"claim", 1, 0, O_CLAIM}, {"skip-slow", 0, 0, O_SLOW}, {"only", 1, 0, O_ONLY},
    {"golden", 1, 0, O_GOLDEN}, {"no-golden", 0, 0, O_NO_GOLDEN},
    {"update-golden", 0, 0, O_UPDATE}, {"outcome-file", 1, 0, O_OUTCOME},
    {"list", 0, 0, O_LIST}, {"quiet", 0, 0, O_QUIET}, {"help", 0, 0, O_HELP},
    {"config", 1, 0, O_CONFIG}, {"timeout", 1, 0, O_TIMEOUT},
    {"qscd", 1, 0, O_QSCD}, {"ref-dir", 1, 0, O_REF_DIR}, {0, 0, 0, 0}};

/* Take a secret from argv and blank the argv copy, so it shows less in `ps`. */
static char *take_secret(char *arg)
{
    char *s = strdup(arg);
    cf_wipe(arg, strlen(arg));
    return s;
}

static char *secret_from_env(const char *var)
{
    const char *s = getenv(var);
    return s ? strdup(s) : NULL;
}

static int parse(int argc, char **argv, cf_options *o)
{
    int c;
    static const char *claims[32];
    o->claims = claims;
    o->jobs = 1;
    o->timeout = 300;
    o->vectors_dir = "vectors";
    while ((c = getopt_long(argc, argv, "", LONGOPTS, NULL)) != -1) {
        switch (c) {
        case O_TARGET: o->target = optarg; break;
        case O_TOKEN: o->token = optarg; break;
        case O_PIN: free(o->pin); o->pin = take_secret(optarg); break;
        case O_PIN_ENV: free(o->pin); o->pin = secret_from_env(optarg); break;
        case O_SO_PIN: free(o->so_pin); o->so_pin = take_secret(optarg); break;
        case O_SO_PIN_ENV: free(o->so_pin); o->so_pin = secret_from_env(optarg); break;
        case O_INIT: o->init_args = optarg; break;
        case O_DESTR: o->destructive = 1; break;
        case O_VECTORS: o->vectors_dir = optarg; break;
        case O_OUT: o->out_dir = optarg; break;
        case O_NAME: o->name = optarg; break;
        case O_JOBS: o->jobs = atoi(optarg); break;
        case O_CLAIM:
            if (o->nclaims < 32)
                claims[o->nclaims++] = optarg;
            break;
        case O_SLOW: o->skip_slow = 1; break;
        case O_ONLY: o->only = optarg; break;
        case O_GOLDEN: o->golden = optarg; break;
        case O_NO_GOLDEN: o->no_golden = 1; break;
        case O_UPDATE: o->update_golden = 1; break;
        case O_OUTCOME: o->outcome_file = optarg; break;
        case O_LIST: o->list = 1; break;
        case O_QUIET: o->quiet = 1; break;
        case O_CONFIG: o->config = optarg; break;
        case O_TIMEOUT: o->timeout = atoi(optarg); break;
        case O_QSCD: o->qscd = optarg; break;
        case O_REF_DIR: o->ref_dir = optarg; break;
        case O_HELP: fputs(USAGE, stdout); exit(0);
        default: return -1;
        }
    }
    if (optind < argc || o->jobs < 1 || o->jobs > 64 || o->timeout < 1) {
        fprintf(stderr, "qscd-conform: bad arguments (--jobs 1..64, --timeout > 0, no "
                "positional arguments)\n");
        return -1;
    }
    return 0;
}

/* "pkcs11:/usr/lib/softhsm/libsofthsm2.so" -> "softhsm2"; "ref" -> "ref";
 * "csc:https://host:8443/csc/v2" -> "csc-host" */
static void default_name(const char *target, char *buf, size_t len)
{
    if (strcmp(target, "ref") == 0) {
        snprintf(buf, len, "ref");
        return;
    }
    if (strncmp(target, "csc:", 4) == 0) {
        const char *h = strstr(target, "://");
        h = h ? h + 3 : target + 4;
        snprintf(buf, len, "csc-%.*s", (int)strcspn(h, ":/"), h);
        if (!buf[4])
            snprintf(buf, len, "csc");
        return;
    }
    const char *p = strrchr(target, '/');
    p = p ? p + 1 : target + strlen("pkcs11:");
    if (strncmp(p, "lib", 3) == 0)
        p += 3;
    snprintf(buf, len, "%.*s", (int)strcspn(p, "."), p);
}

static void list_vectors(const cf_vectors *vs)
{
    for (size_t i = 0; i < vs->n; i++) {
        const cf_vector *v = &vs->v[i];
        json_t *reqs = json_object_get(v->test, "requirements");
        char *r = json_dumps(reqs, JSON_COMPACT);
        printf("%-44s %-10s %s %s\n", v->id, json_string_value(json_object_get(v->test, "result")),
               r ? r : "[]", v->comment ? v->comment : "");
        free(r);
    }
}

/* ---------------------------------------------------------------------- the worker pool */

typedef struct pool {
    cf_target *t;
    cf_vectors *vs;
    size_t *order;             /* indices of the vectors of this phase */
    size_t n;
    atomic_size_t next, done;
    size_t total;
    atomic_size_t fails;
    const cf_options *o;
    char err[200];
    atomic_int broken;
    /* What each worker is running and since when (ms), for the watchdog. */
    _Atomic(cf_vector *) current[64];
    _Atomic double since[64];
    atomic_int nworkers, stop;
    /* Worker contexts are closed only after every worker is done: a shared session object
     * made in one worker's session must outlive the vectors other workers still run. */
    void *ctx[64];
} pool;

static void progress(pool *p, const cf_vector *v)
{
    size_t d = atomic_fetch_add(&p->done, 1) + 1;
    if (v->verdict == CF_FAIL)
        atomic_fetch_add(&p->fails, 1);
    if (p->o->quiet)
        return;
    if (v->verdict == CF_FAIL)
        fprintf(stderr, "qscd-conform: FAIL %s: %s\n", v->id, v->reason);
    if (d % 20 == 0 || d == p->total)
        fprintf(stderr, "qscd-conform: %zu/%zu vectors run, %zu FAIL\n", d, p->total,
                (size_t)atomic_load(&p->fails));
}

static void run_one(pool *p, int slot, void *w, cf_vector *v)
{
    double t0 = cf_now_ms();
    atomic_store(&p->since[slot], t0);
    atomic_store(&p->current[slot], v);
    p->t->run(p->t, w, v);
    atomic_store(&p->current[slot], (cf_vector *)NULL);
    v->ms = cf_now_ms() - t0;
    if (v->verdict == CF_NOT_RUN)
        cf_fail(v, "the target set no verdict (runner fault)");
    progress(p, v);
}

static void *worker(void *arg)
{
    pool *p = arg;
    int slot = atomic_fetch_add(&p->nworkers, 1);
    char err[200] = "";
    void *w = p->t->worker_open(p->t, err, sizeof err);
    if (!w) {
        snprintf(p->err, sizeof p->err, "%s", err);
        atomic_store(&p->broken, 1);
        return NULL;
    }
    p->ctx[slot] = w;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            break;
        run_one(p, slot, w, &p->vs->v[p->order[i]]);
    }
    return NULL;
}

/* A module call that never returns (seen: a lock-order deadlock inside NSS softokn 3.87 when
 * two sessions create and destroy objects at once) would hang the run for ever; after
 * --timeout seconds on one vector the run is abandoned with a clear message. */
static void *watchdog(void *arg)
{
    pool *p = arg;
    while (!atomic_load(&p->stop)) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        for (int i = 0; i < atomic_load(&p->nworkers) && i < 64; i++) {
            cf_vector *v = atomic_load(&p->current[i]);
            double secs = (cf_now_ms() - atomic_load(&p->since[i])) / 1e3;
            if (v && secs > p->o->timeout) {
                fprintf(stderr, "qscd-conform: %s has been running for %.0f s: a module call "
                        "did not return (a deadlock or hang inside the module?). The run is "
                        "abandoned; run again with --jobs 1, or --only to isolate it.\n",
                        v->id, secs);
                _exit(3);
            }
        }
    }
    return NULL;
}

static int run_phase(pool *p, int jobs)
{
    pthread_t th[64], dog;
    int started = 0;
    atomic_store(&p->next, 0);
    atomic_store(&p->nworkers, 0);
    atomic_store(&p->stop, 0);
    int dog_ok = pthread_create(&dog, NULL, watchdog, p) == 0;
    if ((size_t)jobs > p->n)
        jobs = p->n ? (int)p->n : 1;
    for (int i = 0; i < jobs; i++)
        if (pthread_create(&th[i], NULL, worker, p) == 0)
            started++;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 64; i++) {
        if (p->ctx[i])
            p->t->worker_close(p->t, p->ctx[i]);
        p->ctx[i] = NULL;
    }
    atomic_store(&p->stop, 1);
    if (dog_ok)
        pthread_join(dog, NULL);
    return started > 0 && !atomic_load(&p->broken) ? 0 : -1;
}

/* Select, then run the independent vectors in parallel and the exclusive ones alone. */
static int run_all(cf_target *t, cf_vectors *vs, const cf_options *o)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.t = t;
    p.vs = vs;
    p.o = o;
    p.order = calloc(vs->n ? vs->n : 1, sizeof *p.order);
    size_t *excl = calloc(vs->n ? vs->n : 1, sizeof *excl), nex = 0;
    if (!p.order || !excl)
        return -1;
    for (size_t i = 0; i < vs->n; i++) {
        cf_vector *v = &vs->v[i];
        int picked = !o->only || (strchr(o->only, '#') ? strcmp(v->id, o->only) == 0
                                                       : strstr(v->id, o->only) != NULL);
        if (!picked || (v->slow && o->skip_slow)) {
            snprintf(v->reason, sizeof v->reason, "not selected (%s)",
                     v->slow && o->skip_slow ? "--skip-slow" : "--only");
            continue;
        }
        if (v->destructive && !o->destructive) {
            cf_skip(v, "destructive: runs only with --destructive");
            continue;
        }
        if (t->exclusive(v))
            excl[nex++] = i;
        else
            p.order[p.n++] = i;
    }
    p.total = p.n + nex;
    if (!o->quiet)
        fprintf(stderr, "qscd-conform: %zu vectors selected (%zu in parallel on %d thread(s), "
                "%zu alone after them)\n", p.total, p.n, o->jobs, nex);
    int rc = run_phase(&p, o->jobs);
    memcpy(p.order, excl, nex * sizeof *excl);
    p.n = nex;
    if (rc == 0 && nex)
        rc = run_phase(&p, 1);
    if (rc != 0)
        fprintf(stderr, "qscd-conform: a worker could not start: %s\n", p.err);
    free(excl);
    free(p.order);
    return rc;
}

/* -------------------------------------------------------------------------------- main */

static void utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void free_options(cf_options *o)
{
    if (o->pin) {
        cf_wipe(o->pin, strlen(o->pin));
        free(o->pin);
    }
    if (o->so_pin) {
        cf_wipe(o->so_pin, strlen(o->so_pin));
        free(o->so_pin);
    }
}

static int report(cf_run *r, const cf_options *o, const char *name)
{
    char golden[1024], err[300] = "";
    int rc = 0;
    if (cf_results_write(r, err, sizeof err) != 0) {
        fprintf(stderr, "qscd-conform: cannot write results: %s\n", err);
        return 2;
    }
    snprintf(golden, sizeof golden, "%s", o->golden ? o->golden : "");
    if (!o->golden)
        snprintf(golden, sizeof golden, "reports/golden/conformance/%s.json", name);
    int diffs = o->no_golden ? -1 : cf_golden_compare(r, golden, stdout);
    if (o->update_golden) {
        if (cf_golden_write(r, golden) != 0) {
            fprintf(stderr, "qscd-conform: cannot write %s\n", golden);
            return 2;
        }
        printf("qscd-conform: golden file %s rewritten\n", golden);
        diffs = 0;
    }
    if (o->outcome_file)
        cf_outcomes_append(r, o->outcome_file, o->outcome_suite,
                           diffs >= 0 && !o->update_golden ? golden : NULL);
    if (diffs > 0)
        rc = 1;
    else if (diffs < 0) {
        for (size_t i = 0; i < r->vs->n; i++)
            if (r->vs->v[i].verdict == CF_FAIL)
                rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    cf_options o;
    cf_target t;
    cf_vectors vs;
    char err[400] = "", name[128];
    memset(&o, 0, sizeof o);
    if (parse(argc, argv, &o) != 0) {
        fputs(USAGE, stderr);
        return 2;
    }
    json_object_seed(0);   /* before any thread: jansson seeds its hash once */
    if (o.list) {
        int rc = cf_vectors_load(o.vectors_dir, NULL, &vs, err, sizeof err);
        if (rc == 0)
            list_vectors(&vs);
        else
            fprintf(stderr, "qscd-conform: %s\n", err);
        cf_vectors_free(&vs);
        return rc ? 2 : 0;
    }
    if (!o.target) {
        fputs(USAGE, stderr);
        return 2;
    }
    if (strcmp(o.target, "ref") == 0)
        cf_target_ref(&t);
    else if (strncmp(o.target, "csc:", 4) == 0)
        cf_target_csc(&t);
    else if (strncmp(o.target, "pkcs11:", 7) == 0)
        cf_target_pkcs11(&t);
    else {
        fprintf(stderr, "qscd-conform: unknown target '%s' (pkcs11:MODULE, ref, csc:URL)\n",
                o.target);
        return 2;
    }
    default_name(o.target, name, sizeof name);
    if (o.name)
        snprintf(name, sizeof name, "%s", o.name);
    char suite[160];
    snprintf(suite, sizeof suite, "conformance-%s", name);
    o.outcome_suite = suite;
    if (cf_vectors_load(o.vectors_dir, t.kind, &vs, err, sizeof err) != 0) {
        fprintf(stderr, "qscd-conform: %s\n", err);
        free_options(&o);
        return 2;
    }
    cf_run r;
    memset(&r, 0, sizeof r);
    r.opt = &o;
    r.target_name = name;
    r.vs = &vs;
    utc_now(r.started, sizeof r.started);
    double t0 = cf_now_ms();
    int rc = 0;
    if (t.open(&t, &o, err, sizeof err) != 0) {
        fprintf(stderr, "qscd-conform: target %s: %s\n", o.target, err);
        rc = 2;
    } else if (run_all(&t, &vs, &o) != 0) {
        rc = 2;
    }
    r.seconds = (cf_now_ms() - t0) / 1e3;
    r.description = json_object();
    t.describe(&t, r.description);
    t.close(&t);
    if (rc == 0)
        rc = report(&r, &o, name);
    json_decref(r.description);
    cf_vectors_free(&vs);
    free_options(&o);
    return rc;
}
