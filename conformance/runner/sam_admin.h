/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sam-admin vectors (sam_admin.c, sam_admin_records.c): the reference SAM's
 * administration and audit interface driven through `qscd admin` / `qscd audit` on the
 * reference target's throw-away data directory. vectors/schemas/sam_admin_test_schema.json
 * describes a vector; the README of this folder, how the reference target runs them.
 */
#ifndef CONFORM_SAM_ADMIN_H
#define CONFORM_SAM_ADMIN_H

#include "csc.h"

#include <stdint.h>
#include <time.h>

#define SA_CAPS 8

/* One vector's run: where the reference lives, its unique nonce, scratch folder, captures. */
typedef struct sa_ctx {
    char dir[1024];            /* the reference directory (ref_start.sh's DIR) */
    char qscd[1024];           /* the qscd binary */
    char nonce[64];            /* ${nonce}: unique to this run of the vector */
    char scratch[1200];        /* ${scratch}: DIR/sam-admin/NONCE */
    char cap_name[SA_CAPS][32];
    char cap_val[SA_CAPS][512];  /* may hold an otpauth URI (a seed): wiped at the end */
    int ncap;
    uint64_t totp_last;        /* the last TOTP time step presented */
} sa_ctx;

/* What a command did: exit status, stdout and stderr (malloc'd), when it started. */
typedef struct sa_result {
    int exit;
    char *out, *err;
    time_t started;
} sa_result;

/* Run one vector. dir NULL or empty: the target is not the reference (SKIP with the reason). */
void sam_admin_run(const char *dir, const char *qscd, cf_vector *v);

/* Replace ${...} placeholders (schema's description) in `in`. 0, or -1 with why. */
int sa_expand(sa_ctx *c, const char *in, char *out, size_t cap, char *why, size_t wl);
/* argv[0] run with env added (after removing the caller's own QSCD_ identity and secrets). */
int sa_exec(sa_ctx *c, char *const argv[], json_t *env, sa_result *r);
void sa_result_free(sa_result *r);

/* sam_admin_records.c: judge an audit export (JSON lines in out) against the step's
 * "records" spec; `now` is when the step ran. 0 all held, -1 with why. */
int sa_records_check(sa_ctx *c, json_t *spec, const char *out, time_t now, char *why,
                     size_t wl);
/* "YYYY-MM-DDTHH:MM:SSZ" to seconds since the epoch; -1 when not that form. */
long long sa_utc_parse(const char *s);

/* selftest/sam_admin_selftest.c (qscd-conform-selftest): each check's outcome to `outcome`. */
void sam_admin_selftest(void (*outcome)(const char *name, int ok, const char *why));

#endif
