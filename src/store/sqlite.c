/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend of the store (store.h). One writer thread owns the write connection and
 * commits batches of jobs (group commit): each job runs in its own savepoint, the batch in one
 * transaction, and every job of the batch is acknowledged after the one COMMIT that made it
 * durable (WAL, synchronous=FULL: the WAL is fsync'd at commit). Readers use one connection per
 * thread and see every acknowledged change.
 */
#include "store_impl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Jobs committed together at most. */
#define BATCH_MAX 256

static __thread char last_error[256];

const char *store_last_error(void)
{
    return last_error;
}

int store_fail(sqlite3 *db, const char *what)
{
    snprintf(last_error, sizeof last_error, "%s: %s", what,
             db != NULL ? sqlite3_errmsg(db) : "no database");
    return QSCD_ERR_STORE;
}

/* ------------------------------------------------------------------------- schema */

static const char *const schema_v1 =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS signers ("
    "  id BLOB PRIMARY KEY, name TEXT NOT NULL DEFAULT '', enabled INTEGER NOT NULL,"
    "  locked INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
    "  has_pin INTEGER NOT NULL DEFAULT 0, pin_salt BLOB, pin_verifier BLOB,"
    "  otp_key_ref BLOB, otp_last_counter INTEGER NOT NULL DEFAULT 0, device_spki BLOB);"
    "CREATE TABLE IF NOT EXISTS admins ("
    "  id BLOB PRIMARY KEY, role INTEGER NOT NULL, pw_salt BLOB NOT NULL,"
    "  pw_verifier BLOB NOT NULL, failures INTEGER NOT NULL DEFAULT 0,"
    "  locked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS credentials ("
    "  id BLOB PRIMARY KEY, owner BLOB NOT NULL REFERENCES signers(id),"
    "  enabled INTEGER NOT NULL, key_alg INTEGER NOT NULL, sap INTEGER NOT NULL,"
    "  multisign INTEGER NOT NULL, key_ref BLOB NOT NULL, backup_capable INTEGER NOT NULL,"
    "  cert BLOB, cert_not_before INTEGER NOT NULL DEFAULT 0,"
    "  cert_not_after INTEGER NOT NULL DEFAULT 0, cert_revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS credentials_owner ON credentials(owner);"
    "CREATE TABLE IF NOT EXISTS backups ("
    "  backup_id BLOB PRIMARY KEY, cred BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS registry ("
    "  token_id BLOB PRIMARY KEY, max INTEGER NOT NULL, used INTEGER NOT NULL,"
    "  exp INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS challenges ("
    "  challenge BLOB PRIMARY KEY, signer BLOB NOT NULL, issued INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit ("
    "  seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, op INTEGER NOT NULL,"
    "  role INTEGER NOT NULL, outcome INTEGER NOT NULL, actor BLOB NOT NULL,"
    "  cred BLOB NOT NULL, has_token INTEGER NOT NULL, token_id BLOB NOT NULL,"
    "  hash_alg INTEGER NOT NULL, count INTEGER NOT NULL, first_hash BLOB NOT NULL,"
    "  request_id BLOB NOT NULL, peer TEXT NOT NULL, link BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS seals ("
    "  seq INTEGER PRIMARY KEY, head BLOB NOT NULL, seal BLOB NOT NULL);";

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(last_error, sizeof last_error, "%s", msg != NULL ? msg : "sqlite error");
        sqlite3_free(msg);
        return QSCD_ERR_STORE;
    }
    return QSCD_OK;
}

static int open_conn(const char *path, sqlite3 **db)
{
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX, NULL);

    if (rc != SQLITE_OK)
        return store_fail(*db, path);
    sqlite3_busy_timeout(*db, 10000);
    return exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "PRAGMA foreign_keys=ON;");
}

static int schema_version(sqlite3 *db, int64_t *v)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *v = 0;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema'", -1, &st, NULL) !=
        SQLITE_OK)
        return QSCD_OK; /* no meta table yet: an empty database */
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QSCD_OK : store_fail(db, "schema version");
}

/* Schema steps: steps[i] takes a database at version i to version i + 1. */
static const char *const schema_steps[STORE_SCHEMA_VERSION] = {
    schema_v1,
    /* v2: the credential's lifecycle state (store.h, STORE_CRED_*), so that a creation or a
     * deletion cut short by a crash is found and finished at the next start. */
    "ALTER TABLE credentials ADD COLUMN state INTEGER NOT NULL DEFAULT 0;",
    /* v3: the Argon2id cost of each PIN and password verifier (store_kdf); 0 for the older. */
    "ALTER TABLE signers ADD COLUMN pin_kdf_t INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE signers ADD COLUMN pin_kdf_m INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE signers ADD COLUMN pin_kdf_p INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE admins ADD COLUMN pw_kdf_t INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE admins ADD COLUMN pw_kdf_m INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE admins ADD COLUMN pw_kdf_p INTEGER NOT NULL DEFAULT 0;",
};

static int migrate_step(sqlite3 *db, int64_t from)
{
    char sql[96];
    int rc = exec(db, "BEGIN IMMEDIATE");

    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES('schema', %lld)",
             (long long)from + 1);
    if (rc == QSCD_OK)
        rc = exec(db, schema_steps[from]);
    if (rc == QSCD_OK)
        rc = exec(db, sql);
    if (rc == QSCD_OK)
        rc = exec(db, "COMMIT");
    else
        exec(db, "ROLLBACK");
    return rc;
}

static int migrate(sqlite3 *db)
{
    int64_t v = 0;
    int rc = schema_version(db, &v);

    if (rc != QSCD_OK)
        return rc;
    if (v > STORE_SCHEMA_VERSION) {
        snprintf(last_error, sizeof last_error,
                 "database schema %lld is newer than this program's (%d)", (long long)v,
                 STORE_SCHEMA_VERSION);
        return QSCD_ERR_STORE_SCHEMA;
    }
    /* Each step in its own transaction: a crash between two leaves a valid older version. */
    for (; rc == QSCD_OK && v < STORE_SCHEMA_VERSION; v++)
        rc = migrate_step(db, v);
    return rc;
}

/* ------------------------------------------------------------------------ readers */

static void close_reader(void *db)
{
    sqlite3_close(db);
}

sqlite3 *store_reader(store *s)
{
    sqlite3 *db = pthread_getspecific(s->reader);

    if (db != NULL)
        return db;
    if (open_conn(s->path, &db) != QSCD_OK) {
        sqlite3_close(db);
        return NULL;
    }
    pthread_setspecific(s->reader, db);
    return db;
}

int store_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql)
{
    if (db == NULL)
        return QSCD_ERR_STORE;
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return store_fail(db, "prepare");
    return QSCD_OK;
}

/* ----------------------------------------------------------------- the writer thread */

typedef struct job {
    store_job_fn fn;
    void *arg;
    int rc;
    int done;
    struct job *next;
} job;

/* Run one job in its own savepoint: its failure undoes only its own changes. */
static void run_job(store *s, job *j)
{
    audit_chain saved = s->chain;

    if (exec(s->wdb, "SAVEPOINT job") != QSCD_OK) {
        j->rc = QSCD_ERR_STORE;
        return;
    }
    j->rc = j->fn(s, s->wdb, j->arg);
    if (j->rc == QSCD_OK) {
        if (exec(s->wdb, "RELEASE job") != QSCD_OK)
            j->rc = QSCD_ERR_STORE;
    } else {
        exec(s->wdb, "ROLLBACK TO job");
        exec(s->wdb, "RELEASE job");
        s->chain = saved;
    }
}

static void *writer(void *arg)
{
    store *s = arg;
    job *batch[BATCH_MAX];

    pthread_mutex_lock(&s->mu);
    for (;;) {
        size_t n = 0;

        while (s->queue == NULL && !s->stopping)
            pthread_cond_wait(&s->has_work, &s->mu);
        if (s->queue == NULL && s->stopping)
            break;
        while (s->queue != NULL && n < BATCH_MAX) {
            batch[n++] = s->queue;
            s->queue = s->queue->next;
        }
        if (s->queue == NULL)
            s->tail = NULL;
        pthread_mutex_unlock(&s->mu);

        audit_chain before = s->chain;
        int rc = exec(s->wdb, "BEGIN IMMEDIATE");
        for (size_t i = 0; i < n; i++) {
            if (rc == QSCD_OK)
                run_job(s, batch[i]);
            else
                batch[i]->rc = rc;
        }
        if (rc == QSCD_OK && exec(s->wdb, "COMMIT") != QSCD_OK) {
            /* Nothing of the batch is durable: every job fails and the chain is as before. */
            exec(s->wdb, "ROLLBACK");
            s->chain = before;
            for (size_t i = 0; i < n; i++)
                batch[i]->rc = QSCD_ERR_STORE;
        }
        s->commits++;
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < n; i++)
            batch[i]->done = 1;
        pthread_cond_broadcast(&s->job_done);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int store_write(store *s, store_job_fn fn, void *arg)
{
    job j = { fn, arg, QSCD_ERR_STORE, 0, NULL };

    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        snprintf(last_error, sizeof last_error, "store is closing");
        return QSCD_ERR_STORE;
    }
    if (s->tail != NULL)
        s->tail->next = &j;
    else
        s->queue = &j;
    s->tail = &j;
    pthread_cond_signal(&s->has_work);
    while (!j.done)
        pthread_cond_wait(&s->job_done, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return j.rc;
}

/* --------------------------------------------------------------------- open / close */

int store_open(const char *path, qscd_ports *ports, store **out)
{
    store *s = calloc(1, sizeof *s);
    int rc;

    *out = NULL;
    if (s == NULL)
        return QSCD_ERR_NOMEM;
    s->ports = ports;
    snprintf(s->path, sizeof s->path, "%s", path);
    if (strlen(path) >= sizeof s->path) {
        free(s);
        snprintf(last_error, sizeof last_error, "database path too long");
        return QSCD_ERR_ARG;
    }
    rc = open_conn(path, &s->wdb);
    if (rc == QSCD_OK)
        rc = migrate(s->wdb);
    if (rc == QSCD_OK)
        rc = store_audit_load_chain(s);
    if (rc != QSCD_OK) {
        sqlite3_close(s->wdb);
        free(s);
        return rc;
    }
    pthread_key_create(&s->reader, close_reader);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->has_work, NULL);
    pthread_cond_init(&s->job_done, NULL);
    if (pthread_create(&s->writer, NULL, writer, s) != 0) {
        sqlite3_close(s->wdb);
        free(s);
        return QSCD_ERR_INTERNAL;
    }
    *out = s;
    return QSCD_OK;
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_signal(&s->has_work);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer, NULL);
    sqlite3_close(s->wdb);
    /* The calling thread's reader; other threads' readers close when those threads end. */
    close_reader(pthread_getspecific(s->reader));
    pthread_setspecific(s->reader, NULL);
    pthread_key_delete(s->reader);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->has_work);
    pthread_cond_destroy(&s->job_done);
    free(s);
}

uint64_t store_commits(store *s)
{
    return s->commits;
}
