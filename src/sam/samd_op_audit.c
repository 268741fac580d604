/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The auditor's operations (spec/sam-protocol.md §3, ops 50-51): reading the audit log (the
 * whole of it, or the records of some events, one actor, a time range) and verifying its
 * hash chain and seals (the walk of the verified core, store_audit_verify).
 */
#include "samd_int.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT_MAX 1000
#define EVENTS_MAX 16   /* event types one search may name */

static void put_record(scbor_enc *e, const store_audit_row *row)
{
    const sam_event *ev = &row->ev;
    const char *peer = scbor_utf8_valid((const uint8_t *)row->meta.peer, strlen(row->meta.peer))
                           ? row->meta.peer : "?";

    scbor_put_map(e, 14);
    scbor_put_uint(e, 1);
    scbor_put_uint(e, row->seq);
    scbor_put_uint(e, 2);
    scbor_put_int(e, ev->time);
    scbor_put_uint(e, 3);
    scbor_put_int(e, ev->op);
    scbor_put_uint(e, 4);
    scbor_put_int(e, ev->role);
    scbor_put_uint(e, 5);
    scbor_put_bstr(e, ev->actor.b, ev->actor.len <= QSCD_ID_MAX ? ev->actor.len : 0);
    scbor_put_uint(e, 6);
    scbor_put_bstr(e, ev->cred.b, ev->cred.len <= QSCD_ID_MAX ? ev->cred.len : 0);
    scbor_put_uint(e, 7);
    scbor_put_int(e, ev->outcome);
    scbor_put_uint(e, 8);
    scbor_put_bstr(e, ev->token_id, ev->has_token ? QSCD_TOKEN_ID_LEN : 0);
    scbor_put_uint(e, 9);
    scbor_put_int(e, ev->hash_alg);
    scbor_put_uint(e, 10);
    scbor_put_uint(e, ev->count);
    scbor_put_uint(e, 11);
    scbor_put_bstr(e, ev->first_hash,
                   ev->first_hash_len <= QSCD_MAX_DIGEST ? ev->first_hash_len : 0);
    scbor_put_uint(e, 12);
    scbor_put_bstr(e, row->meta.request_id, row->meta.request_id_len);
    scbor_put_uint(e, 13);
    scbor_put_tstr(e, (const uint8_t *)peer, strlen(peer));
    scbor_put_uint(e, 14);
    scbor_put_bstr(e, row->link, AUDIT_HASH_LEN);
}

/* The auditor's search (EN 419 241-1 SRG_AA.4): by event, actor and time. Done here, not in
 * the client, so that only the records asked for leave the SAM; the role check and the
 * export's own audit record are the dispatcher's, as for an unfiltered export. */
typedef struct audit_filter {
    bool any;                        /* a filter parameter was given */
    uint64_t ops[EVENTS_MAX];
    size_t nops;                     /* 0: every event */
    bool has_actor;
    qscd_id actor;
    uint64_t since, until;           /* seconds, UTC, both inclusive */
} audit_filter;

static int filter_params(samd_req *r, audit_filter *f)
{
    int rc = QSCD_OK;

    memset(f, 0, sizeof *f);
    f->until = INT64_MAX;
    if (samd_param_has(r, 3))
        rc = samd_param_uints(r, 3, 0, INT32_MAX, f->ops, EVENTS_MAX, &f->nops);
    if (rc == QSCD_OK && samd_param_has(r, 4)) {
        f->has_actor = true;
        rc = samd_param_id(r, 4, &f->actor);
    }
    if (rc == QSCD_OK && samd_param_has(r, 5))
        rc = samd_param_uint(r, 5, 0, INT64_MAX, &f->since);
    if (rc == QSCD_OK && samd_param_has(r, 6))
        rc = samd_param_uint(r, 6, 0, INT64_MAX, &f->until);
    f->any = f->nops > 0 || f->has_actor || samd_param_has(r, 5) || samd_param_has(r, 6);
    return rc;
}

static bool filter_match(const audit_filter *f, const sam_event *ev)
{
    bool op_ok = f->nops == 0;

    for (size_t i = 0; i < f->nops; i++)
        op_ok = op_ok || (int64_t)f->ops[i] == (int64_t)ev->op;
    if (!op_ok || ev->time < 0 || (uint64_t)ev->time < f->since ||
        (uint64_t)ev->time > f->until)
        return false;
    return !f->has_actor || qscd_id_equal(&f->actor, &ev->actor);
}

/* Without a filter the answer is exactly the page read (the protocol's first form). With
 * one, the matching records of the page, then how many were read and where the next page
 * starts: a page can match nothing without being the end of the log. */
static void put_page(samd_req *r, const audit_filter *f, const store_audit_row *rows, size_t n)
{
    bool hit[EXPORT_MAX];   /* the array's length comes before its records: match once */
    size_t match = 0;

    for (size_t i = 0; i < n && i < EXPORT_MAX; i++) {
        hit[i] = filter_match(f, &rows[i].ev);
        match += hit[i];
    }
    scbor_put_map(r->res, f->any ? 3 : 1);
    scbor_put_uint(r->res, 1);
    scbor_put_array(r->res, match);
    for (size_t i = 0; i < n && i < EXPORT_MAX; i++)
        if (hit[i])
            put_record(r->res, &rows[i]);
    if (f->any) {
        scbor_put_uint(r->res, 2);
        scbor_put_uint(r->res, n);
        scbor_put_uint(r->res, 3);
        scbor_put_uint(r->res, n > 0 ? rows[n - 1].seq + 1 : 0);
    }
    r->ev.count = (uint32_t)match;
}

int samd_op_audit_export(samd_req *r)
{
    store_audit_row *rows = NULL;
    uint64_t from = 0, count = 0;
    audit_filter f;
    size_t n = 0;
    int rc = samd_param_uint(r, 1, 0, INT64_MAX, &from);

    if (rc == QSCD_OK)
        rc = samd_param_uint(r, 2, 1, EXPORT_MAX, &count);
    if (rc == QSCD_OK)
        rc = filter_params(r, &f);
    if (rc == QSCD_OK)
        rc = store_audit_read(r->d->db, from, (size_t)count, &rows, &n);
    if (rc == QSCD_OK)
        put_page(r, &f, rows, n);
    free(rows);
    return rc;
}

/* A broken log is a successful verification with a finding: the answer names the first
 * record (or seal) that does not verify and why. */
int samd_op_audit_verify(samd_req *r)
{
    uint64_t records = 0, seals = 0, first_bad = UINT64_MAX;
    int rc = store_audit_verify(r->d->db, &records, &seals, &first_bad);
    int broken = rc == QSCD_ERR_AUDIT_CHAIN || rc == QSCD_ERR_AUDIT_SEAL ||
                 rc == QSCD_ERR_AUDIT_MISSING || rc == QSCD_ERR_AUDIT_RECORD;

    if (rc != QSCD_OK && !broken)
        return rc;
    scbor_put_map(r->res, broken ? 4 : 2);
    scbor_put_uint(r->res, 1);
    scbor_put_uint(r->res, records);
    scbor_put_uint(r->res, 2);
    scbor_put_uint(r->res, seals);
    if (broken) {
        scbor_put_uint(r->res, 3);
        scbor_put_uint(r->res, first_bad);
        scbor_put_uint(r->res, 4);
        scbor_put_uint(r->res, (uint64_t)rc);
    }
    r->ev.count = (uint32_t)records;
    return QSCD_OK;
}
