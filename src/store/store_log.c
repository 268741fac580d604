/* SPDX-License-Identifier: Apache-2.0 */
/* The SAD registry, SIC challenges and the audit log in the SQLite store (store.h). */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seal the chain every this many records (and at every store_audit_seal call). */
#define SEAL_EVERY 256

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? QSCD_OK : store_fail(db, what);

    sqlite3_finalize(st);
    return rc;
}

/* -------------------------------------------------------------------- SAD registry */

typedef struct reg_args {
    const uint8_t *id;
    uint32_t n, max;
    int64_t exp;
} reg_args;

static int registry_create_job(store *s, sqlite3 *db, void *arg)
{
    reg_args *a = arg;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "INSERT INTO registry(token_id, max, used, exp)"
                                    " VALUES(?, ?, 0, ?)");

    (void)s;
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_blob(st, 1, a->id, QSCD_TOKEN_ID_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a->max);
    sqlite3_bind_int64(st, 3, a->exp);
    return step_done(db, st, "registry create");
}

int store_registry_create(store *s, const uint8_t id[QSCD_TOKEN_ID_LEN], uint32_t max,
                          int64_t exp)
{
    reg_args a = { id, 0, max, exp };

    return store_write(s, registry_create_job, &a);
}

/* Why the registry refused a token's update: no entry (or one of another max), none left,
 * or fewer left than asked. */
static int registry_refusal(sqlite3 *db, const reg_args *a)
{
    sqlite3_stmt *st = NULL;
    int64_t used = 0, max = 0;
    int rc = store_prepare(db, &st, "SELECT used, max FROM registry WHERE token_id = ?");

    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_blob(st, 1, a->id, QSCD_TOKEN_ID_LEN, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        used = sqlite3_column_int64(st, 0);
        max = sqlite3_column_int64(st, 1);
        rc = max != a->max ? QSCD_ERR_SAD_UNKNOWN
             : used >= max ? QSCD_ERR_SAD_EXHAUSTED : QSCD_ERR_SAD_COUNT;
    } else {
        rc = QSCD_ERR_SAD_UNKNOWN;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The count update and its condition are one statement: two concurrent consumers of one
 * token can never both get the last signature. */
static int registry_consume_job(store *s, sqlite3 *db, void *arg)
{
    reg_args *a = arg;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "UPDATE registry SET used = used + ?1"
                                    " WHERE token_id = ?2 AND max = ?3 AND used + ?1 <= max");

    (void)s;
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_int64(st, 1, a->n);
    sqlite3_bind_blob(st, 2, a->id, QSCD_TOKEN_ID_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, a->max);
    rc = step_done(db, st, "registry consume");
    if (rc != QSCD_OK || sqlite3_changes(db) == 1)
        return rc;
    return registry_refusal(db, a);
}

int store_registry_consume(store *s, const uint8_t id[QSCD_TOKEN_ID_LEN], uint32_t n,
                           uint32_t max)
{
    reg_args a = { id, n, max, 0 };

    return store_write(s, registry_consume_job, &a);
}

/* The check and the move are one statement, like a consumption: an extension never races a
 * signature for the last one. The expiry only ever grows: the token extended from stays
 * usable until its own expiry, and its entry must outlive it. */
static int registry_extend_job(store *s, sqlite3 *db, void *arg)
{
    reg_args *a = arg;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "UPDATE registry SET exp = MAX(exp, ?3)"
                                    " WHERE token_id = ?1 AND max = ?2 AND used < max");

    (void)s;
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_blob(st, 1, a->id, QSCD_TOKEN_ID_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a->max);
    sqlite3_bind_int64(st, 3, a->exp);
    rc = step_done(db, st, "registry extend");
    if (rc != QSCD_OK || sqlite3_changes(db) == 1)
        return rc;
    return registry_refusal(db, a);
}

int store_registry_extend(store *s, const uint8_t id[QSCD_TOKEN_ID_LEN], uint32_t max,
                          int64_t exp)
{
    reg_args a = { id, 0, max, exp };

    return store_write(s, registry_extend_job, &a);
}

static int registry_prune_job(store *s, sqlite3 *db, void *arg)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "DELETE FROM registry WHERE exp < ?");

    (void)s;
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_int64(st, 1, *(int64_t *)arg);
    return step_done(db, st, "registry prune");
}

int store_registry_prune(store *s, int64_t before)
{
    return store_write(s, registry_prune_job, &before);
}

/* ----------------------------------------------------------------------- challenges */

typedef struct chal_args {
    const qscd_id *signer;
    const uint8_t *ch;
    int64_t issued;
} chal_args;

static int challenge_add_job(store *s, sqlite3 *db, void *arg)
{
    chal_args *a = arg;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "INSERT INTO challenges(challenge, signer, issued)"
                                    " VALUES(?, ?, ?)");

    (void)s;
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_blob(st, 1, a->ch, SAM_CHALLENGE_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, a->signer->b, a->signer->len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, a->issued);
    return step_done(db, st, "challenge add");
}

int store_challenge_add(store *s, const qscd_id *signer, const uint8_t ch[SAM_CHALLENGE_LEN],
                        int64_t issued)
{
    chal_args a = { signer, ch, issued };

    return store_write(s, challenge_add_job, &a);
}

static int challenge_take_job(store *s, sqlite3 *db, void *arg)
{
    chal_args *a = arg;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "SELECT issued FROM challenges WHERE challenge = ?1"
                                    " AND signer = ?2");

    (void)s;
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_blob(st, 1, a->ch, SAM_CHALLENGE_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, a->signer->b, a->signer->len, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return QSCD_ERR_NOT_FOUND;
    }
    a->issued = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    rc = store_prepare(db, &st, "DELETE FROM challenges WHERE challenge = ?");
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_blob(st, 1, a->ch, SAM_CHALLENGE_LEN, SQLITE_TRANSIENT);
    return step_done(db, st, "challenge take");
}

int store_challenge_take(store *s, const qscd_id *signer, const uint8_t ch[SAM_CHALLENGE_LEN],
                         int64_t *issued)
{
    chal_args a = { signer, ch, 0 };
    int rc = store_write(s, challenge_take_job, &a);

    *issued = rc == QSCD_OK ? a.issued : 0;
    return rc;
}

/* ----------------------------------------------------------------------- audit log */

int store_audit_load_chain(store *s)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(s->wdb, &st, "SELECT seq, link FROM audit ORDER BY seq DESC LIMIT 1");

    audit_chain_init(&s->chain);
    if (rc != QSCD_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->chain.next_seq = (uint64_t)sqlite3_column_int64(st, 0) + 1;
        if (sqlite3_column_bytes(st, 1) == AUDIT_HASH_LEN)
            memcpy(s->chain.head, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
        else
            rc = QSCD_ERR_AUDIT_RECORD;
    }
    sqlite3_finalize(st);
    return rc;
}

static int seal_job(store *s, sqlite3 *db, void *arg)
{
    uint8_t seal[AUDIT_HASH_LEN];
    sqlite3_stmt *st = NULL;
    int rc;

    (void)arg;
    if (s->since_seal == 0 && s->chain.next_seq > 0)
        return QSCD_OK; /* nothing new since the last seal */
    rc = audit_seal(s->ports, &s->chain, seal);
    if (rc == QSCD_OK)
        rc = store_prepare(db, &st, "INSERT OR REPLACE INTO seals(seq, head, seal) VALUES(?, ?, ?)");
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)s->chain.next_seq);
    sqlite3_bind_blob(st, 2, s->chain.head, AUDIT_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, seal, AUDIT_HASH_LEN, SQLITE_TRANSIENT);
    rc = step_done(db, st, "audit seal");
    if (rc == QSCD_OK)
        s->since_seal = 0;
    return rc;
}

int store_audit_seal(store *s)
{
    return store_write(s, seal_job, NULL);
}

typedef struct audit_args {
    const sam_event *ev;
    const store_audit_meta *meta;
} audit_args;

static int audit_append_job(store *s, sqlite3 *db, void *arg)
{
    audit_args *a = arg;
    uint8_t rec[AUDIT_REC_LEN], link[AUDIT_HASH_LEN];
    const sam_event *ev = a->ev;
    sqlite3_stmt *st = NULL;
    uint64_t seq = s->chain.next_seq;
    int rc = audit_chain_append(s->ports, &s->chain, ev, rec, link);

    if (rc == QSCD_OK)
        rc = store_prepare(db, &st, "INSERT INTO audit(seq, time, op, role, outcome, actor, cred,"
                                    " has_token, token_id, hash_alg, count, first_hash,"
                                    " request_id, peer, link)"
                                    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (rc != QSCD_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)seq);
    sqlite3_bind_int64(st, 2, ev->time);
    sqlite3_bind_int(st, 3, ev->op);
    sqlite3_bind_int(st, 4, ev->role);
    sqlite3_bind_int(st, 5, ev->outcome);
    sqlite3_bind_blob(st, 6, ev->actor.b, ev->actor.len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 7, ev->cred.b, ev->cred.len, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 8, ev->has_token);
    sqlite3_bind_blob(st, 9, ev->token_id, QSCD_TOKEN_ID_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 10, ev->hash_alg);
    sqlite3_bind_int64(st, 11, ev->count);
    sqlite3_bind_blob(st, 12, ev->first_hash, ev->first_hash_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 13, a->meta != NULL ? a->meta->request_id : (const uint8_t *)"",
                      a->meta != NULL ? (int)a->meta->request_id_len : 0, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 14, a->meta != NULL ? a->meta->peer : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 15, link, AUDIT_HASH_LEN, SQLITE_TRANSIENT);
    rc = step_done(db, st, "audit append");
    if (rc == QSCD_OK && ++s->since_seal >= SEAL_EVERY)
        rc = seal_job(s, db, NULL);
    return rc;
}

int store_audit_append(store *s, const sam_event *ev, const store_audit_meta *meta)
{
    audit_args a = { ev, meta };

    return store_write(s, audit_append_job, &a);
}

static void col_id(sqlite3_stmt *st, int col, qscd_id *id)
{
    int n = sqlite3_column_bytes(st, col);

    memset(id, 0, sizeof *id);
    /* An over-long stored id is kept over-long in the length so the record fails to encode
     * (and the walk reports it) instead of being silently cut. */
    id->len = (uint8_t)(n > QSCD_ID_MAX ? 255 : n);
    if (n > 0 && n <= QSCD_ID_MAX)
        memcpy(id->b, sqlite3_column_blob(st, col), (size_t)n);
}

/* One audit row into its event, as the chain encodes it. */
static void row_event(sqlite3_stmt *st, store_audit_row *r)
{
    int n;

    memset(r, 0, sizeof *r);
    r->seq = (uint64_t)sqlite3_column_int64(st, 0);
    r->ev.time = sqlite3_column_int64(st, 1);
    r->ev.op = sqlite3_column_int(st, 2);
    r->ev.role = sqlite3_column_int(st, 3);
    r->ev.outcome = sqlite3_column_int(st, 4);
    col_id(st, 5, &r->ev.actor);
    col_id(st, 6, &r->ev.cred);
    r->ev.has_token = (uint8_t)sqlite3_column_int(st, 7);
    if (sqlite3_column_bytes(st, 8) == QSCD_TOKEN_ID_LEN)
        memcpy(r->ev.token_id, sqlite3_column_blob(st, 8), QSCD_TOKEN_ID_LEN);
    r->ev.hash_alg = sqlite3_column_int(st, 9);
    r->ev.count = (uint32_t)sqlite3_column_int64(st, 10);
    n = sqlite3_column_bytes(st, 11);
    r->ev.first_hash_len = (uint8_t)(n > QSCD_MAX_DIGEST ? 255 : n);
    if (n > 0 && n <= QSCD_MAX_DIGEST)
        memcpy(r->ev.first_hash, sqlite3_column_blob(st, 11), (size_t)n);
    n = sqlite3_column_bytes(st, 12);
    r->meta.request_id_len = n > 0 && n <= 32 ? (size_t)n : 0;
    if (r->meta.request_id_len)
        memcpy(r->meta.request_id, sqlite3_column_blob(st, 12), r->meta.request_id_len);
    snprintf(r->meta.peer, sizeof r->meta.peer, "%s", (const char *)sqlite3_column_text(st, 13));
    if (sqlite3_column_bytes(st, 14) == AUDIT_HASH_LEN)
        memcpy(r->link, sqlite3_column_blob(st, 14), AUDIT_HASH_LEN);
}

#define AUDIT_COLUMNS "seq, time, op, role, outcome, actor, cred, has_token, token_id, hash_alg," \
                      " count, first_hash, request_id, peer, link"

int store_audit_read(store *s, uint64_t from, size_t max, store_audit_row **rows, size_t *n)
{
    sqlite3 *db = store_reader(s);
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "SELECT " AUDIT_COLUMNS " FROM audit WHERE seq >= ?"
                                    " ORDER BY seq LIMIT ?"), step = SQLITE_DONE;

    *rows = NULL;
    *n = 0;
    if (rc != QSCD_OK)
        return rc;
    *rows = calloc(max ? max : 1, sizeof **rows);
    if (*rows == NULL) {
        sqlite3_finalize(st);
        return QSCD_ERR_NOMEM;
    }
    sqlite3_bind_int64(st, 1, (int64_t)from);
    sqlite3_bind_int64(st, 2, (int64_t)max);
    while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW)
        row_event(st, &(*rows)[(*n)++]);
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        rc = store_fail(db, "audit read");
    sqlite3_finalize(st);
    return rc;
}

/* The seals, in sequence order: seal i covers the chain up to (excluding) seqs[i]. */
static int read_seals(sqlite3 *db, uint64_t **seqs, uint8_t (**seals)[AUDIT_HASH_LEN], size_t *n)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "SELECT seq, seal FROM seals ORDER BY seq"), step;
    size_t cap = 0;

    *seqs = NULL;
    *seals = NULL;
    *n = 0;
    while (rc == QSCD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            uint64_t *a = realloc(*seqs, cap * sizeof **seqs);
            uint8_t (*b)[AUDIT_HASH_LEN] = a ? realloc(*seals, cap * sizeof **seals) : NULL;
            if (a != NULL)
                *seqs = a;
            if (b == NULL) {
                rc = QSCD_ERR_NOMEM;
                break;
            }
            *seals = b;
        }
        (*seqs)[*n] = (uint64_t)sqlite3_column_int64(st, 0);
        memset((*seals)[*n], 0, AUDIT_HASH_LEN);
        if (sqlite3_column_bytes(st, 1) == AUDIT_HASH_LEN)
            memcpy((*seals)[*n], sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc;
}

int store_audit_verify(store *s, uint64_t *records, uint64_t *seals_checked, uint64_t *first_bad)
{
    sqlite3 *db = store_reader(s);
    sqlite3_stmt *st = NULL;
    uint64_t *seal_seq = NULL;
    uint8_t (*seal)[AUDIT_HASH_LEN] = NULL;
    size_t nseals = 0, si = 0;
    store_audit_row r;
    audit_chain w;
    int rc = read_seals(db, &seal_seq, &seal, &nseals), step = SQLITE_DONE;

    *records = *seals_checked = 0;
    *first_bad = UINT64_MAX;
    audit_chain_init(&w);
    if (rc == QSCD_OK)
        rc = store_prepare(db, &st, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY seq");
    while (rc == QSCD_OK) {
        /* A seal at this position: it must be the HSM's MAC over the walk's head. */
        while (rc == QSCD_OK && si < nseals && seal_seq[si] <= w.next_seq) {
            if (seal_seq[si] < w.next_seq || audit_seal_verify(s->ports, &w, seal[si]) != QSCD_OK) {
                rc = QSCD_ERR_AUDIT_SEAL;
                *first_bad = seal_seq[si];
            } else {
                (*seals_checked)++;
                si++;
            }
        }
        if (rc != QSCD_OK || (step = sqlite3_step(st)) != SQLITE_ROW)
            break;
        row_event(st, &r);
        rc = audit_walk_step(s->ports, &w, &r.ev, r.seq, r.link);
        if (rc != QSCD_OK)
            *first_bad = r.seq < w.next_seq ? r.seq : w.next_seq;
        else
            (*records)++;
    }
    if (rc == QSCD_OK && step != SQLITE_DONE)
        rc = store_fail(db, "audit verify");
    /* A seal beyond the last record: records after it were deleted. */
    if (rc == QSCD_OK && si < nseals) {
        rc = QSCD_ERR_AUDIT_MISSING;
        *first_bad = w.next_seq;
    }
    sqlite3_finalize(st);
    free(seal_seq);
    free(seal);
    return rc;
}
