/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `qscd sam`: read the configuration, then either print it, initialise (samd_init.c), or run
 * the service: open, finish what a crash left half-done, record the start (with the digest
 * of the effective configuration), serve until a signal, record the stop, seal the audit
 * log, close.
 */
#include "samd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "samd_init.h"

/* The configuration: --config FILE, else <data>/sam.conf when present, else the defaults;
 * --data overrides the file's data_dir. */
static int load_config(const samd_options *o, samd_config *c)
{
    char path[SAMD_PATH_MAX + 16], err[1024];
    const char *file = o->config;
    struct stat st;

    samd_config_defaults(c, o->data_dir);
    if (file == NULL) {
        snprintf(path, sizeof path, "%s/sam.conf", c->data_dir);
        if (stat(path, &st) == 0)
            file = path;
    }
    if (file != NULL && samd_config_load(c, file, err, sizeof err) != 0) {
        fprintf(stderr, "qscd sam: %s\n", err);
        return -1;
    }
    if (o->data_dir != NULL)
        snprintf(c->data_dir, sizeof c->data_dir, "%s", o->data_dir);
    if (samd_config_finish(c, err, sizeof err) != 0) {
        fprintf(stderr, "qscd sam: %s%s%s\n", file != NULL ? file : "", file != NULL ? ": " : "",
                err);
        return -1;
    }
    return 0;
}

static void lifecycle_event(samd *d, int op)
{
    sam_event ev;

    memset(&ev, 0, sizeof ev);
    ev.op = op;
    ev.actor.len = 3;
    memcpy(ev.actor.b, "sam", 3);
    if (op == SAMD_EV_START) {
        ev.first_hash_len = sizeof d->config_digest;
        memcpy(ev.first_hash, d->config_digest, sizeof d->config_digest);
        ev.count = (uint32_t)d->cfg.argon2_m; /* the PIN verifiers' memory cost, in KiB */
    }
    if (samd_audit(d, &ev) != QSCD_OK)
        fprintf(stderr, "qscd sam: the audit log refused the %s record\n",
                op == SAMD_EV_START ? "start" : "stop");
}

static int run(const samd_config *cfg)
{
    samd *d = calloc(1, sizeof *d);
    int rc = d == NULL ? QSCD_ERR_NOMEM : samd_open(d, cfg, 0);
    int64_t now = 0;

    if (rc != QSCD_OK) {
        free(d);
        return 1;
    }
    rc = samd_recover(d);
    if (rc == QSCD_OK && qscd_port_now(&d->ports, &now) == QSCD_OK)
        store_registry_prune(d->db, now); /* expired tokens can never be used again */
    if (rc == QSCD_OK) {
        lifecycle_event(d, SAMD_EV_START);
        rc = samd_serve(d) == 0 ? QSCD_OK : QSCD_ERR_IO;
        lifecycle_event(d, SAMD_EV_STOP);
    }
    if (store_audit_seal(d->db) != QSCD_OK)
        fprintf(stderr, "qscd sam: could not seal the audit log: %s\n", store_last_error());
    /* Group commit at work: fewer commits (each one fsync) than acknowledged writes. */
    fprintf(stderr, "qscd sam: %llu durable commits since the start\n",
            (unsigned long long)store_commits(d->db));
    samd_close(d);
    free(d);
    fprintf(stderr, "qscd sam: stopped%s\n", rc == QSCD_OK ? "" : " after an error");
    return rc == QSCD_OK ? 0 : 1;
}

int samd_main(const samd_options *o)
{
    samd_config *c = calloc(1, sizeof *c);
    char *text;
    int rc = 2;

    /* Files the SAM makes (database, PIN files, keys) are its own; the socket and the data
     * directory are opened to the group explicitly. */
    umask(077);
    if (c == NULL || load_config(o, c) != 0) {
        free(c);
        return 2;
    }
    if (o->print_config) {
        text = malloc(65536);
        if (text != NULL) {
            samd_config_text(c, text, 65536);
            fputs(text, stdout);
            free(text);
            rc = 0;
        }
    } else if (o->init) {
        rc = samd_init(c);
    } else {
        rc = run(c);
    }
    free(c);
    return rc;
}
