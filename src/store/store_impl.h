/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the SQLite store's files (not part of the store interface). */
#ifndef QSCD_STORE_IMPL_H
#define QSCD_STORE_IMPL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

struct job;

struct store {
    char path[4096];
    qscd_ports *ports;          /* hash and seal ports of the audit chain */
    sqlite3 *wdb;               /* the writer thread's connection */
    pthread_key_t reader;       /* one read connection per thread */
    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t has_work, job_done;
    struct job *queue, *tail;
    int stopping;
    uint64_t commits;           /* batches committed (group-commit figure) */
    audit_chain chain;          /* writer thread only */
    uint64_t since_seal;        /* records appended since the last seal (writer thread only) */
};

/* A write job: runs on the writer thread inside a savepoint of the batch's transaction. */
typedef int (*store_job_fn)(store *s, sqlite3 *db, void *arg);

/* Run fn on the writer thread; returns its result once the batch that contains it is
 * durable (or failed as a whole). */
int store_write(store *s, store_job_fn fn, void *arg);
/* This thread's read connection (opened on first use), or NULL. */
sqlite3 *store_reader(store *s);
int store_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql);
/* Record the backend's message for store_last_error() and return QSCD_ERR_STORE. */
int store_fail(sqlite3 *db, const char *what);
/* Load the chain's position (next sequence number, last link) from the audit table. */
int store_audit_load_chain(store *s);

#endif
