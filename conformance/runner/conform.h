/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qscd-conform: the conformance runner. It links nothing of the implementation it tests
 * (no file under src/): it reads the declarative vectors of vectors/ (JSON, jansson), runs
 * each one against a *target* (a PKCS#11 module today; the reference stack and any CSC v2
 * service once the SSA exists), verifies every signature it obtains with OpenSSL, and
 * writes the results (JSON, JUnit XML, an outcome file, a static HTML page) and their
 * difference from the committed golden verdicts.
 *
 * This header holds what the parts share: one vector with its outcome, the options, and the
 * target interface a new kind of target implements.
 */
#ifndef CONFORM_H
#define CONFORM_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define CF_VERSION "0.1.0"

/* The result a vector expects (Wycheproof): the operation must succeed, must be refused, or
 * may go either way, the profile option named in the vector deciding which is required. */
typedef enum { CF_EXPECT_VALID, CF_EXPECT_INVALID, CF_EXPECT_ACCEPTABLE } cf_expect;

/* CF_NOT_RUN: not selected by the options (never compared with the golden file). */
typedef enum { CF_NOT_RUN, CF_PASS, CF_FAIL, CF_SKIP, CF_ACCEPTED } cf_verdict;

typedef struct cf_vector {
    char id[160];              /* "<file>#<tcId>", file relative to the vectors folder */
    const char *file;          /* borrowed from the loader */
    const char *kind;          /* the file's "kind", e.g. "pkcs11-module" */
    long tcid;
    const char *comment;
    json_t *group;             /* borrowed: the test group */
    json_t *test;              /* borrowed: the test */
    cf_expect expect;
    const char *expected_error;  /* symbolic, or NULL */
    const char *profile_option;  /* for acceptable results */
    int slow, destructive;
    /* outcome */
    cf_verdict verdict;
    char observed[200];
    char reason[480];
    double ms;
} cf_vector;

typedef struct cf_options {
    const char *target;        /* "pkcs11:MODULE", "ref", "csc:URL" */
    const char *name;          /* report name; default derived from the target */
    const char *token;
    char *pin;                 /* owned, wiped at exit */
    char *so_pin;              /* owned, wiped at exit; NULL when not given */
    const char *init_args;
    const char *config;
    const char *qscd;          /* ref: the qscd binary (default build/rel/bin/qscd) */
    const char *ref_dir;       /* ref: the throw-away directory (build/conformance/ref) */
    const char *ref_script_dir;  /* ref: where ref_start.sh is (conformance/runner) */
    const char *vectors_dir;
    const char *out_dir;
    const char *golden;        /* golden file, or NULL for the default */
    const char *outcome_file;  /* append make-check outcome lines here */
    const char *outcome_suite;
    const char *only;          /* run only vectors whose id contains this */
    const char **claims;       /* profile options the vendor claims */
    int nclaims;
    int jobs, destructive, skip_slow, list, update_golden, no_golden, quiet;
    int timeout;               /* seconds one vector may take before the run is abandoned */
} cf_options;

/* A target. open() connects (or fails with a message and exit status 2); run() executes one
 * vector in a worker context and sets its verdict; exclusive() says whether a vector changes
 * state that other vectors rely on (login state, the token itself), so it runs alone after
 * the parallel phase; describe() adds the target's description and versions to the results. */
typedef struct cf_target {
    const char *kind;          /* the vector kinds it runs, comma-separated */
    void *state;
    int  (*open)(struct cf_target *t, const cf_options *o, char *err, size_t errlen);
    void *(*worker_open)(struct cf_target *t, char *err, size_t errlen);
    void (*worker_close)(struct cf_target *t, void *w);
    int  (*exclusive)(const cf_vector *v);
    void (*run)(struct cf_target *t, void *w, cf_vector *v);
    void (*describe)(struct cf_target *t, json_t *desc);
    void (*close)(struct cf_target *t);
} cf_target;

/* targets */
int cf_target_pkcs11(cf_target *t);
int cf_target_csc(cf_target *t);   /* csc.h: csc_target_setup */
int cf_target_ref(cf_target *t);

/* vectors.c */
typedef struct cf_vectors { cf_vector *v; size_t n; json_t **files; size_t nfiles; } cf_vectors;
/* kind: one kind or several, comma-separated; NULL every kind */
int cf_vectors_load(const char *dir, const char *kind, cf_vectors *out, char *err, size_t errlen);
void cf_vectors_free(cf_vectors *vs);
json_t *cf_param(const cf_vector *v, const char *name);   /* test first, then group */
const char *cf_param_str(const cf_vector *v, const char *name, const char *dflt);
long cf_param_int(const cf_vector *v, const char *name, long dflt);
int cf_has_flag(const cf_vector *v, const char *flag);

/* verdicts */
void cf_pass(cf_vector *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cf_fail(cf_vector *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cf_skip(cf_vector *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cf_observed(cf_vector *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Judge an operation against the vector's expected result: `refused` says whether the
 * target refused it (or the protective behaviour held), `code` is the symbolic outcome
 * ("CKR_OK", "CKR_KEY_UNEXTRACTABLE"). acceptedErrors in the vector list other codes the
 * standard allows. `claims` decides acceptable vectors whose profile option is claimed. */
void cf_judge(cf_vector *v, int refused, const char *code, const cf_options *o);
int cf_claimed(const cf_options *o, const char *option);
const char *cf_verdict_name(cf_verdict d);

/* results.c */
typedef struct cf_run {
    const cf_options *opt;
    const char *target_name;
    json_t *description;       /* owned */
    cf_vectors *vs;
    double seconds;
    char started[32];
} cf_run;
int cf_results_write(const cf_run *r, char *err, size_t errlen);
/* Compare with the golden file; prints the difference. Returns the number of differences,
 * or -1 when there is no golden file. */
int cf_golden_compare(const cf_run *r, const char *path, FILE *out);
int cf_golden_write(const cf_run *r, const char *path);
int cf_outcomes_append(const cf_run *r, const char *path, const char *suite, const char *golden);

/* html.c */
int cf_html_write(const cf_run *r, const char *path);
void cf_html_escape(FILE *f, const char *s);

/* util */
void cf_wipe(void *p, size_t n);
double cf_now_ms(void);
int cf_mkdirs(const char *path);

#endif
