/* SPDX-License-Identifier: Apache-2.0 */
/* Signers, administrators, credentials and backups in the SQLite store (store.h). */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- helpers */

/* One write statement with its bound values: the job every simple update is. */
typedef struct stmt_job {
    const char *sql;
    int (*bind)(sqlite3_stmt *st, const void *arg);
    const void *arg;
    int want_change;            /* QSCD_ERR_NOT_FOUND when no row changed */
} stmt_job;

static int run_stmt(store *s, sqlite3 *db, void *arg)
{
    stmt_job *j = arg;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, j->sql), step;

    (void)s;
    if (rc == QSCD_OK && j->bind != NULL)
        rc = j->bind(st, j->arg);
    if (rc == QSCD_OK) {
        step = sqlite3_step(st);
        if (step == SQLITE_CONSTRAINT)
            rc = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY ? QSCD_ERR_EXISTS
                                                                             : QSCD_ERR_ARG;
        else if (step != SQLITE_DONE)
            rc = store_fail(db, j->sql);
        else if (j->want_change && sqlite3_changes(db) == 0)
            rc = QSCD_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return rc;
}

static int write_stmt(store *s, const char *sql, int (*bind)(sqlite3_stmt *, const void *),
                      const void *arg, int want_change)
{
    stmt_job j = { sql, bind, arg, want_change };

    return store_write(s, run_stmt, &j);
}

static int bind_id(sqlite3_stmt *st, int col, const qscd_id *id)
{
    return sqlite3_bind_blob(st, col, id->b, id->len, SQLITE_TRANSIENT) == SQLITE_OK
               ? QSCD_OK : QSCD_ERR_STORE;
}

static void col_id(sqlite3_stmt *st, int col, qscd_id *id)
{
    int n = sqlite3_column_bytes(st, col);
    const void *b = sqlite3_column_blob(st, col);

    memset(id, 0, sizeof *id);
    if (n > 0 && n <= QSCD_ID_MAX && b != NULL) {
        id->len = (uint8_t)n;
        memcpy(id->b, b, (size_t)n);
    }
}

/* A blob column into a fixed buffer; its length, or -1 when it does not fit. */
static long col_blob(sqlite3_stmt *st, int col, void *dst, size_t cap)
{
    int n = sqlite3_column_bytes(st, col);
    const void *b = sqlite3_column_blob(st, col);

    if (n < 0 || (size_t)n > cap)
        return -1;
    if (n > 0 && b != NULL)
        memcpy(dst, b, (size_t)n);
    return n;
}

/* Read one row by id: prepare, bind the id, step; *st is left on the row. */
static int read_row(store *s, const char *sql, const qscd_id *id, sqlite3_stmt **st)
{
    sqlite3 *db = store_reader(s);
    int rc = store_prepare(db, st, sql), step;

    if (rc == QSCD_OK)
        rc = bind_id(*st, 1, id);
    if (rc == QSCD_OK) {
        step = sqlite3_step(*st);
        rc = step == SQLITE_ROW ? QSCD_OK : step == SQLITE_DONE ? QSCD_ERR_NOT_FOUND
                                                                : store_fail(db, sql);
    }
    return rc;
}

static int bind_one_id(sqlite3_stmt *st, const void *arg)
{
    return bind_id(st, 1, arg);
}

/* ------------------------------------------------------------------------- signers */

/* A verifier's cost as ?i, ?i+1, ?i+2; read back from columns i, i+1, i+2. */
static int bind_kdf(sqlite3_stmt *st, int i, const store_kdf *k)
{
    int ok = sqlite3_bind_int64(st, i, k->t) == SQLITE_OK &&
             sqlite3_bind_int64(st, i + 1, k->m) == SQLITE_OK &&
             sqlite3_bind_int64(st, i + 2, k->p) == SQLITE_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

static void col_kdf(sqlite3_stmt *st, int i, store_kdf *k)
{
    k->t = (uint32_t)sqlite3_column_int64(st, i);
    k->m = (uint32_t)sqlite3_column_int64(st, i + 1);
    k->p = (uint32_t)sqlite3_column_int64(st, i + 2);
}

static int bind_signer(sqlite3_stmt *st, const void *arg)
{
    const store_signer *in = arg;
    int ok = bind_id(st, 1, &in->rec.id) == QSCD_OK &&
             sqlite3_bind_text(st, 2, in->name, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
             sqlite3_bind_int(st, 3, in->rec.enabled) == SQLITE_OK &&
             sqlite3_bind_int(st, 4, in->rec.has_pin) == SQLITE_OK &&
             sqlite3_bind_blob(st, 5, in->pin_salt, 16, SQLITE_TRANSIENT) == SQLITE_OK &&
             sqlite3_bind_blob(st, 6, in->rec.pin_verifier, 32, SQLITE_TRANSIENT) == SQLITE_OK &&
             bind_kdf(st, 7, &in->pin_kdf) == QSCD_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

int store_signer_add(store *s, const store_signer *in)
{
    return write_stmt(s, "INSERT INTO signers(id, name, enabled, has_pin, pin_salt, pin_verifier,"
                         " pin_kdf_t, pin_kdf_m, pin_kdf_p) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      bind_signer, in, 0);
}

int store_signer_get(store *s, const qscd_id *id, store_signer *out)
{
    sqlite3_stmt *st = NULL;
    int rc = read_row(s, "SELECT id, name, enabled, locked, failures, has_pin, pin_salt,"
                         " pin_verifier, otp_key_ref, otp_last_counter, device_spki,"
                         " pin_kdf_t, pin_kdf_m, pin_kdf_p FROM signers WHERE id = ?", id, &st);
    long n;

    memset(out, 0, sizeof *out);
    if (rc == QSCD_OK) {
        col_id(st, 0, &out->rec.id);
        snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 1));
        out->rec.enabled = (uint8_t)sqlite3_column_int(st, 2);
        out->rec.locked = (uint8_t)sqlite3_column_int(st, 3);
        out->rec.failures = (uint32_t)sqlite3_column_int64(st, 4);
        out->rec.has_pin = (uint8_t)sqlite3_column_int(st, 5);
        if (col_blob(st, 6, out->pin_salt, 16) < 0 ||
            col_blob(st, 7, out->rec.pin_verifier, 32) < 0)
            rc = QSCD_ERR_STORE;
        n = col_blob(st, 8, out->otp_key_ref, sizeof out->otp_key_ref);
        out->otp_key_ref_len = n > 0 ? (uint8_t)n : 0;
        out->rec.otp_last_counter = (uint64_t)sqlite3_column_int64(st, 9);
        n = col_blob(st, 10, out->device_spki, sizeof out->device_spki);
        out->device_spki_len = n > 0 ? (size_t)n : 0;
        col_kdf(st, 11, &out->pin_kdf);
    }
    sqlite3_finalize(st);
    return rc;
}

typedef struct auth_args {
    const qscd_id *id;
    int64_t a, b, c;
} auth_args;

static int bind_auth(sqlite3_stmt *st, const void *arg)
{
    const auth_args *x = arg;
    int ok = sqlite3_bind_int64(st, 1, x->a) == SQLITE_OK &&
             sqlite3_bind_int64(st, 2, x->b) == SQLITE_OK &&
             sqlite3_bind_int64(st, 3, x->c) == SQLITE_OK && bind_id(st, 4, x->id) == QSCD_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

int store_signer_auth(store *s, const qscd_id *id, uint32_t failures, int locked,
                      uint64_t otp_counter)
{
    auth_args x = { id, failures, locked, (int64_t)otp_counter };

    return write_stmt(s, "UPDATE signers SET failures = ?, locked = ?, otp_last_counter = ?"
                         " WHERE id = ?", bind_auth, &x, 1);
}

/* One integer (?1) and the id (?2). */
static int bind_int_id(sqlite3_stmt *st, const void *arg)
{
    const auth_args *x = arg;

    return sqlite3_bind_int64(st, 1, x->a) == SQLITE_OK && bind_id(st, 2, x->id) == QSCD_OK
               ? QSCD_OK : QSCD_ERR_STORE;
}

int store_signer_set_enabled(store *s, const qscd_id *id, int enabled)
{
    auth_args x = { id, enabled, 0, 0 };

    return write_stmt(s, "UPDATE signers SET enabled = ?1 WHERE id = ?2", bind_int_id, &x, 1);
}

int store_signer_unlock(store *s, const qscd_id *id)
{
    return write_stmt(s, "UPDATE signers SET locked = 0, failures = 0 WHERE id = ?", bind_one_id,
                      id, 1);
}

typedef struct blob_args {
    const qscd_id *id;
    const void *a;
    size_t alen;
    const void *b;
    size_t blen;
} blob_args;

/* Two blobs (?1, ?2) and the id (?3). */
static int bind_blobs(sqlite3_stmt *st, const void *arg)
{
    const blob_args *x = arg;
    int ok = sqlite3_bind_blob(st, 1, x->a, (int)x->alen, SQLITE_TRANSIENT) == SQLITE_OK &&
             sqlite3_bind_blob(st, 2, x->b, (int)x->blen, SQLITE_TRANSIENT) == SQLITE_OK &&
             bind_id(st, 3, x->id) == QSCD_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

/* One blob (?1) and the id (?2). */
static int bind_blob_id(sqlite3_stmt *st, const void *arg)
{
    const blob_args *x = arg;
    int ok = sqlite3_bind_blob(st, 1, x->a, (int)x->alen, SQLITE_TRANSIENT) == SQLITE_OK &&
             bind_id(st, 2, x->id) == QSCD_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

typedef struct pin_args {
    blob_args x;
    const store_kdf *kdf;
} pin_args;

static int bind_pin(sqlite3_stmt *st, const void *arg)
{
    const pin_args *a = arg;
    int rc = bind_blobs(st, &a->x);

    return rc == QSCD_OK ? bind_kdf(st, 4, a->kdf) : rc;
}

int store_signer_set_pin(store *s, const qscd_id *id, const uint8_t salt[16],
                         const uint8_t verifier[32], const store_kdf *kdf)
{
    pin_args a = { { id, salt, 16, verifier, 32 }, kdf };

    return write_stmt(s, "UPDATE signers SET pin_salt = ?1, pin_verifier = ?2, has_pin = 1,"
                         " pin_kdf_t = ?4, pin_kdf_m = ?5, pin_kdf_p = ?6 WHERE id = ?3",
                      bind_pin, &a, 1);
}

int store_signer_set_otp(store *s, const qscd_id *id, const uint8_t *key_ref, size_t len)
{
    blob_args x = { id, key_ref, len, NULL, 0 };

    return write_stmt(s, "UPDATE signers SET otp_key_ref = ?1, otp_last_counter = 0"
                         " WHERE id = ?2", bind_blob_id, &x, 1);
}

int store_signer_set_device(store *s, const qscd_id *id, const uint8_t *spki, size_t len)
{
    blob_args x = { id, spki, len, NULL, 0 };

    return write_stmt(s, "UPDATE signers SET device_spki = ?1 WHERE id = ?2", bind_blob_id, &x, 1);
}

static int delete_signer(store *s, sqlite3 *db, void *arg)
{
    stmt_job a = { "DELETE FROM backups WHERE cred IN (SELECT id FROM credentials WHERE owner = ?)",
                   bind_one_id, arg, 0 };
    stmt_job b = { "DELETE FROM credentials WHERE owner = ?", bind_one_id, arg, 0 };
    stmt_job c = { "DELETE FROM challenges WHERE signer = ?", bind_one_id, arg, 0 };
    stmt_job d = { "DELETE FROM signers WHERE id = ?", bind_one_id, arg, 1 };
    int rc = run_stmt(s, db, &a);

    if (rc == QSCD_OK)
        rc = run_stmt(s, db, &b);
    if (rc == QSCD_OK)
        rc = run_stmt(s, db, &c);
    if (rc == QSCD_OK)
        rc = run_stmt(s, db, &d);
    return rc;
}

int store_signer_delete(store *s, const qscd_id *id)
{
    return store_write(s, delete_signer, (void *)id);
}

/* --------------------------------------------------------------------- credentials */

static int bind_cred(sqlite3_stmt *st, const void *arg)
{
    const store_cred *in = arg;
    const sam_cred *c = &in->rec;
    int ok = bind_id(st, 1, &c->id) == QSCD_OK && bind_id(st, 2, &c->owner) == QSCD_OK &&
             sqlite3_bind_int(st, 3, c->enabled) == SQLITE_OK &&
             sqlite3_bind_int(st, 4, c->key_alg) == SQLITE_OK &&
             sqlite3_bind_int(st, 5, c->sap) == SQLITE_OK &&
             sqlite3_bind_int64(st, 6, c->multisign) == SQLITE_OK &&
             sqlite3_bind_blob(st, 7, c->key_ref, c->key_ref_len, SQLITE_TRANSIENT) == SQLITE_OK &&
             sqlite3_bind_int(st, 8, in->backup_capable) == SQLITE_OK &&
             (in->cert == NULL ? sqlite3_bind_null(st, 9)
                               : sqlite3_bind_blob(st, 9, in->cert, (int)in->cert_len,
                                                   SQLITE_TRANSIENT)) == SQLITE_OK &&
             sqlite3_bind_int64(st, 10, c->cert_not_before) == SQLITE_OK &&
             sqlite3_bind_int64(st, 11, c->cert_not_after) == SQLITE_OK &&
             sqlite3_bind_int(st, 12, in->state) == SQLITE_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

int store_cred_add(store *s, const store_cred *in)
{
    return write_stmt(s, "INSERT INTO credentials(id, owner, enabled, key_alg, sap, multisign,"
                         " key_ref, backup_capable, cert, cert_not_before, cert_not_after, state)"
                         " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", bind_cred, in, 0);
}

int store_cred_get(store *s, const qscd_id *id, store_cred *out)
{
    sqlite3_stmt *st = NULL;
    int rc = read_row(s, "SELECT id, owner, enabled, key_alg, sap, multisign, key_ref,"
                         " backup_capable, cert, cert_not_before, cert_not_after, cert_revoked, state"
                         " FROM credentials WHERE id = ?", id, &st);
    long n;

    memset(out, 0, sizeof *out);
    if (rc == QSCD_OK) {
        col_id(st, 0, &out->rec.id);
        col_id(st, 1, &out->rec.owner);
        out->rec.enabled = (uint8_t)sqlite3_column_int(st, 2);
        out->rec.key_alg = sqlite3_column_int(st, 3);
        out->rec.sap = sqlite3_column_int(st, 4);
        out->rec.multisign = (uint32_t)sqlite3_column_int64(st, 5);
        n = col_blob(st, 6, out->rec.key_ref, SAM_KEY_REF_MAX);
        out->rec.key_ref_len = n > 0 ? (uint8_t)n : 0;
        out->backup_capable = (uint8_t)sqlite3_column_int(st, 7);
        n = sqlite3_column_bytes(st, 8);
        if (n > 0) {
            out->cert = malloc((size_t)n);
            if (out->cert == NULL)
                rc = QSCD_ERR_NOMEM;
            else {
                memcpy(out->cert, sqlite3_column_blob(st, 8), (size_t)n);
                out->cert_len = (size_t)n;
            }
        }
        out->rec.has_cert = n > 0;
        out->rec.cert_not_before = sqlite3_column_int64(st, 9);
        out->rec.cert_not_after = sqlite3_column_int64(st, 10);
        out->rec.cert_revoked = (uint8_t)sqlite3_column_int(st, 11);
        out->state = (uint8_t)sqlite3_column_int(st, 12);
    }
    sqlite3_finalize(st);
    if (rc != QSCD_OK)
        store_cred_free(out);
    return rc;
}

void store_cred_free(store_cred *c)
{
    free(c->cert);
    c->cert = NULL;
    c->cert_len = 0;
}

/* Run a query of credential ids (its one parameter bound by bind, if any) into *ids. */
static int list_ids(store *s, const char *sql, int (*bind)(sqlite3_stmt *, const void *),
                    const void *arg, qscd_id **ids, size_t *n)
{
    sqlite3 *db = store_reader(s);
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, sql), step = SQLITE_DONE;
    size_t cap = 0;

    *ids = NULL;
    *n = 0;
    if (rc == QSCD_OK && bind != NULL)
        rc = bind(st, arg);
    while (rc == QSCD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            qscd_id *p = realloc(*ids, (cap = cap ? 2 * cap : 8) * sizeof **ids);
            if (p == NULL) {
                rc = QSCD_ERR_NOMEM;
                break;
            }
            *ids = p;
        }
        col_id(st, 0, &(*ids)[(*n)++]);
    }
    if (rc == QSCD_OK && step != SQLITE_DONE)
        rc = store_fail(db, "list credentials");
    sqlite3_finalize(st);
    if (rc != QSCD_OK) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int store_cred_list(store *s, const qscd_id *owner, qscd_id **ids, size_t *n)
{
    if (owner == NULL)
        return list_ids(s, "SELECT id FROM credentials ORDER BY id", NULL, NULL, ids, n);
    return list_ids(s, "SELECT id FROM credentials WHERE owner = ? ORDER BY id", bind_one_id,
                    owner, ids, n);
}

static int bind_one_int(sqlite3_stmt *st, const void *arg)
{
    return sqlite3_bind_int(st, 1, *(const int *)arg) == SQLITE_OK ? QSCD_OK : QSCD_ERR_STORE;
}

int store_cred_list_state(store *s, int state, qscd_id **ids, size_t *n)
{
    return list_ids(s, "SELECT id FROM credentials WHERE state = ? ORDER BY id", bind_one_int,
                    &state, ids, n);
}

int store_cred_list_revoked(store *s, qscd_id **ids, size_t *n)
{
    int ready = STORE_CRED_READY;

    return list_ids(s, "SELECT id FROM credentials WHERE cert_revoked = 1 AND state = ?"
                       " ORDER BY id", bind_one_int, &ready, ids, n);
}

int store_cred_set_state(store *s, const qscd_id *id, int state)
{
    auth_args x = { id, state, 0, 0 };

    return write_stmt(s, "UPDATE credentials SET state = ?1 WHERE id = ?2", bind_int_id, &x, 1);
}

int store_cred_set_enabled(store *s, const qscd_id *id, int enabled)
{
    auth_args x = { id, enabled, 0, 0 };

    return write_stmt(s, "UPDATE credentials SET enabled = ?1 WHERE id = ?2", bind_int_id, &x, 1);
}

typedef struct cert_args {
    const qscd_id *id;
    const uint8_t *der;
    size_t len;
    int64_t nb, na;
} cert_args;

static int bind_cert(sqlite3_stmt *st, const void *arg)
{
    const cert_args *x = arg;
    int ok = sqlite3_bind_blob(st, 1, x->der, (int)x->len, SQLITE_TRANSIENT) == SQLITE_OK &&
             sqlite3_bind_int64(st, 2, x->nb) == SQLITE_OK &&
             sqlite3_bind_int64(st, 3, x->na) == SQLITE_OK && bind_id(st, 4, x->id) == QSCD_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

int store_cred_set_cert(store *s, const qscd_id *id, const uint8_t *der, size_t len,
                        int64_t not_before, int64_t not_after)
{
    cert_args x = { id, der, len, not_before, not_after };

    return write_stmt(s, "UPDATE credentials SET cert = ?, cert_not_before = ?,"
                         " cert_not_after = ?, cert_revoked = 0 WHERE id = ?", bind_cert, &x, 1);
}

int store_cred_revoke(store *s, const qscd_id *id)
{
    return write_stmt(s, "UPDATE credentials SET cert_revoked = 1 WHERE id = ?", bind_one_id, id,
                      1);
}

static int delete_cred(store *s, sqlite3 *db, void *arg)
{
    stmt_job a = { "DELETE FROM backups WHERE cred = ?", bind_one_id, arg, 0 };
    stmt_job b = { "DELETE FROM credentials WHERE id = ?", bind_one_id, arg, 1 };
    int rc = run_stmt(s, db, &a);

    return rc == QSCD_OK ? run_stmt(s, db, &b) : rc;
}

int store_cred_delete(store *s, const qscd_id *id)
{
    return store_write(s, delete_cred, (void *)id);
}

int store_backup_add(store *s, const qscd_id *cred, const uint8_t *backup_id, size_t len)
{
    blob_args x = { cred, backup_id, len, NULL, 0 };

    return write_stmt(s, "INSERT INTO backups(backup_id, cred) SELECT ?1, id FROM credentials"
                         " WHERE id = ?2", bind_blob_id, &x, 1);
}

int store_backup_list(store *s, const qscd_id *cred, uint8_t (**ids)[32], size_t *n)
{
    sqlite3 *db = store_reader(s);
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "SELECT backup_id FROM backups WHERE cred = ?"), step = 0;
    size_t cap = 0;

    *ids = NULL;
    *n = 0;
    if (rc == QSCD_OK)
        rc = bind_id(st, 1, cred);
    while (rc == QSCD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            uint8_t (*p)[32] = realloc(*ids, (cap = cap ? 2 * cap : 4) * sizeof **ids);
            if (p == NULL) {
                rc = QSCD_ERR_NOMEM;
                break;
            }
            *ids = p;
        }
        memset((*ids)[*n], 0, 32);
        if (col_blob(st, 0, (*ids)[*n], 32) < 0)
            rc = QSCD_ERR_STORE;
        (*n)++;
    }
    if (rc == QSCD_OK && step != SQLITE_DONE)
        rc = store_fail(db, "list backups");
    sqlite3_finalize(st);
    return rc;
}

/* ------------------------------------------------------------------ administrators */

static int bind_admin(sqlite3_stmt *st, const void *arg)
{
    const store_admin *in = arg;
    int ok = bind_id(st, 1, &in->id) == QSCD_OK &&
             sqlite3_bind_int(st, 2, in->role) == SQLITE_OK &&
             sqlite3_bind_blob(st, 3, in->pw_salt, 16, SQLITE_TRANSIENT) == SQLITE_OK &&
             sqlite3_bind_blob(st, 4, in->pw_verifier, 32, SQLITE_TRANSIENT) == SQLITE_OK &&
             bind_kdf(st, 5, &in->pw_kdf) == QSCD_OK;
    return ok ? QSCD_OK : QSCD_ERR_STORE;
}

int store_admin_add(store *s, const store_admin *in)
{
    return write_stmt(s, "INSERT INTO admins(id, role, pw_salt, pw_verifier, pw_kdf_t, pw_kdf_m,"
                         " pw_kdf_p) VALUES(?, ?, ?, ?, ?, ?, ?)", bind_admin, in, 0);
}

int store_admin_get(store *s, const qscd_id *id, store_admin *out)
{
    sqlite3_stmt *st = NULL;
    int rc = read_row(s, "SELECT id, role, pw_salt, pw_verifier, failures, locked, pw_kdf_t,"
                         " pw_kdf_m, pw_kdf_p FROM admins WHERE id = ?", id, &st);

    memset(out, 0, sizeof *out);
    if (rc == QSCD_OK) {
        col_id(st, 0, &out->id);
        out->role = sqlite3_column_int(st, 1);
        if (col_blob(st, 2, out->pw_salt, 16) != 16 || col_blob(st, 3, out->pw_verifier, 32) != 32)
            rc = QSCD_ERR_STORE;
        out->failures = (uint32_t)sqlite3_column_int64(st, 4);
        out->locked = (uint8_t)sqlite3_column_int(st, 5);
        col_kdf(st, 6, &out->pw_kdf);
    }
    sqlite3_finalize(st);
    return rc;
}

static int bind_two_int_id(sqlite3_stmt *st, const void *arg)
{
    const auth_args *x = arg;

    return sqlite3_bind_int64(st, 1, x->a) == SQLITE_OK &&
                   sqlite3_bind_int64(st, 2, x->b) == SQLITE_OK && bind_id(st, 3, x->id) == QSCD_OK
               ? QSCD_OK : QSCD_ERR_STORE;
}

int store_admin_auth(store *s, const qscd_id *id, uint32_t failures, int locked)
{
    auth_args x = { id, failures, locked, 0 };

    return write_stmt(s, "UPDATE admins SET failures = ?1, locked = ?2 WHERE id = ?3",
                      bind_two_int_id, &x, 1);
}

int store_admin_count(store *s, size_t *n)
{
    sqlite3 *db = store_reader(s);
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, &st, "SELECT count(*) FROM admins");

    *n = 0;
    if (rc == QSCD_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            *n = (size_t)sqlite3_column_int64(st, 0);
        else
            rc = store_fail(db, "count admins");
    }
    sqlite3_finalize(st);
    return rc;
}
