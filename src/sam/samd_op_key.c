/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys leaving or re-entering the module, and keys going away (spec/sam-protocol.md §3, ops
 * 25, 27, 40, 41): deletion (record marked DELETING, key destroyed, record removed, the backups
 * to purge reported), backup (wrapped under the trusted KEK, never plaintext, as a backup
 * record of spec/backup-format.md), restore (the record checked strictly, its key must be
 * the credential's), and the start-up recovery of what a crash left half-done.
 */
#include "samd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- destruction */

int samd_key_destroy(samd *d, const uint8_t *id, size_t len)
{
    size_t npurge = 0;
    p11a_key k;
    int rc;

    samd_key_forget(d, id, len);
    rc = p11a_key_find(d->hsm, id, len, &k);
    if (rc == QSCD_ERR_NOT_FOUND)
        return QSCD_OK; /* already gone */
    if (rc == QSCD_OK)
        rc = p11a_key_destroy(d->hsm, &k, NULL, 0, NULL, &npurge);
    return rc;
}

static int purge_add(samd_purge *p, const uint8_t (*ids)[32], size_t n)
{
    if (p == NULL || n == 0)
        return QSCD_OK;
    if (p->n + n > p->cap) {
        size_t cap = (p->n + n) * 2;
        uint8_t (*q)[32] = realloc(p->ids, cap * sizeof *q);
        if (q == NULL)
            return QSCD_ERR_NOMEM;
        p->ids = q;
        p->cap = cap;
    }
    memcpy(p->ids + p->n, ids, n * sizeof *ids);
    p->n += n;
    return QSCD_OK;
}

void samd_purge_put(scbor_enc *e, samd_purge *purge)
{
    scbor_put_map(e, 1);
    scbor_put_uint(e, 1);
    scbor_put_array(e, purge->n);
    for (size_t i = 0; i < purge->n; i++)
        scbor_put_bstr(e, purge->ids[i], 32);
}

int samd_cred_key_destroy(samd *d, const store_cred *c, samd_purge *purge)
{
    uint8_t (*ids)[32] = NULL;
    size_t n = 0;
    int rc = store_backup_list(d->db, &c->rec.id, &ids, &n);

    if (rc == QSCD_OK)
        rc = samd_key_destroy(d, c->rec.key_ref, c->rec.key_ref_len);
    if (rc == QSCD_OK)
        rc = purge_add(purge, (const uint8_t (*)[32])ids, n);
    free(ids);
    return rc;
}

/* DELETING first: if the process dies after the key is gone, the next start removes the
 * record; a DELETING credential is never usable. */
int samd_cred_destroy(samd *d, const qscd_id *cred, samd_purge *purge)
{
    store_cred c;
    int rc = store_cred_get(d->db, cred, &c);

    if (rc == QSCD_ERR_NOT_FOUND)
        return QSCD_ERR_CRED_NOT_FOUND;
    if (rc == QSCD_OK && c.state != STORE_CRED_DELETING)
        rc = store_cred_set_state(d->db, cred, STORE_CRED_DELETING);
    if (rc == QSCD_OK)
        rc = samd_cred_key_destroy(d, &c, purge);
    if (rc == QSCD_OK)
        rc = store_cred_delete(d->db, cred);
    store_cred_free(&c);
    return rc;
}

int samd_op_cred_delete(samd_req *r)
{
    samd_purge purge = { NULL, 0, 0 };
    qscd_id id;
    int rc = samd_param_id(r, 1, &id);

    if (rc == QSCD_OK) {
        r->ev.cred = id;
        rc = samd_cred_destroy(r->d, &id, &purge);
    }
    if (rc == QSCD_OK) {
        samd_purge_put(r->res, &purge);
        r->ev.count = (uint32_t)purge.n;
    }
    free(purge.ids);
    return rc;
}

/* One cred.recover event of the token itself (no credential): kind in hash_alg. */
static int recover_event(samd *d, int kind, uint32_t count)
{
    sam_event ev;

    memset(&ev, 0, sizeof ev);
    ev.op = SAMD_EV_RECOVER;
    ev.hash_alg = kind;
    ev.count = count;
    return samd_audit(d, &ev);
}

/* The embedded token only (every object on it is the SAM's): key objects a SIGKILL inside
 * SoftHSMv2's C_GenerateKeyPair left without CKA_ID and without a key (p11a_sweep_anonymous).
 * A failure is reported and leaves them: they can activate nothing. */
static int sweep_shells(samd *d)
{
    size_t n = 0;
    int rc = p11a_sweep_anonymous(d->hsm, &n);

    if (rc != QSCD_OK)
        fprintf(stderr, "qscd sam: could not sweep the token's incomplete key objects: %s (%s)\n",
                qscd_err_name(rc), p11a_last_error());
    if (n == 0)
        return QSCD_OK;
    fprintf(stderr, "qscd sam: destroyed %zu incomplete key object(s) a crash left in the "
            "token\n", n);
    return recover_event(d, SAMD_RECOVER_KEY_SHELLS, (uint32_t)n);
}

/* 1 when the module still holds the credential's key, 0 when it is gone. A lookup that
 * fails otherwise counts as held: the destruction is then tried and its outcome audited,
 * rather than a key left behind unnoticed. */
static int key_held(samd *d, const store_cred *c)
{
    p11a_key k;
    int rc = p11a_key_find(d->hsm, c->rec.key_ref, c->rec.key_ref_len, &k);

    if (rc == QSCD_OK)
        p11a_key_clear(&k); /* only asked whether it exists */
    return rc != QSCD_ERR_NOT_FOUND;
}

/* cert.revoke marks the certificate revoked, then destroys the key: a crash between the two
 * leaves a key nothing can use. Destroyed here, one event each; a key already gone (every
 * revocation that finished) records nothing, so restarts add nothing. */
static int recover_revoked_one(samd *d, const qscd_id *id)
{
    samd_purge purge = { NULL, 0, 0 };
    sam_event ev;
    store_cred c;
    int rc = store_cred_get(d->db, id, &c);

    if (rc != QSCD_OK || !key_held(d, &c)) {
        store_cred_free(&c); /* zeroed by store_cred_get even when it fails */
        return rc;
    }
    memset(&ev, 0, sizeof ev);
    ev.op = SAMD_EV_RECOVER;
    ev.cred = *id;
    ev.hash_alg = SAMD_RECOVER_REVOKED;
    ev.outcome = samd_cred_key_destroy(d, &c, &purge);
    ev.count = (uint32_t)purge.n;
    fprintf(stderr, "qscd sam: destroyed the key of credential %.*s, whose revocation a crash "
            "cut short: %s\n", id->len, id->b, qscd_err_name(ev.outcome));
    free(purge.ids);
    store_cred_free(&c);
    return samd_audit(d, &ev);
}

static int recover_revoked(samd *d)
{
    qscd_id *ids = NULL;
    size_t n = 0;
    int rc = store_cred_list_revoked(d->db, &ids, &n);

    for (size_t i = 0; rc == QSCD_OK && i < n; i++)
        rc = recover_revoked_one(d, &ids[i]);
    free(ids);
    return rc;
}

/* A crash left these: a credential being made (its key may exist: destroy it, drop the
 * record), being deleted (finish) or being revoked (its key still there: destroy it). One
 * audit event each. */
int samd_recover(samd *d)
{
    static const int states[] = { STORE_CRED_CREATING, STORE_CRED_DELETING };
    int rc = QSCD_OK;

    if (d->token_repaired)
        rc = recover_event(d, SAMD_RECOVER_TOKEN_FILE, 0);
    if (rc == QSCD_OK && d->cfg.embedded)
        rc = sweep_shells(d);
    for (size_t s = 0; rc == QSCD_OK && s < 2; s++) {
        qscd_id *ids = NULL;
        size_t n = 0;
        rc = store_cred_list_state(d->db, states[s], &ids, &n);
        for (size_t i = 0; rc == QSCD_OK && i < n; i++) {
            sam_event ev;
            samd_purge purge = { NULL, 0, 0 };
            memset(&ev, 0, sizeof ev);
            ev.op = SAMD_EV_RECOVER;
            ev.cred = ids[i];
            ev.hash_alg = states[s]; /* which half-done operation was finished */
            ev.outcome = samd_cred_destroy(d, &ids[i], &purge);
            ev.count = (uint32_t)purge.n;
            fprintf(stderr, "qscd sam: recovered credential %.*s left %s by a crash: %s\n",
                    ids[i].len, ids[i].b, s == 0 ? "half-created" : "half-deleted",
                    qscd_err_name(ev.outcome));
            free(purge.ids);
            rc = samd_audit(d, &ev);
        }
        free(ids);
    }
    if (rc == QSCD_OK)
        rc = recover_revoked(d);
    return rc;
}

/* -------------------------------------------------------------- backup records */

/* spec/backup-format.md: a CBOR map, keys 1..10 in order, deterministic. */
static int backup_encode(const p11a_backup *b, scbor_enc *e)
{
    scbor_put_map(e, 10);
    scbor_put_uint(e, 1);
    scbor_put_uint(e, 1);
    scbor_put_uint(e, 2);
    scbor_put_bstr(e, b->key_id, b->key_id_len);
    scbor_put_uint(e, 3);
    scbor_put_tstr(e, (const uint8_t *)b->label, strlen(b->label));
    scbor_put_uint(e, 4);
    scbor_put_uint(e, b->type);
    scbor_put_uint(e, 5);
    scbor_put_uint(e, b->bits);
    scbor_put_uint(e, 6);
    scbor_put_bstr(e, b->kek_id, b->kek_id_len);
    scbor_put_uint(e, 7);
    scbor_put_uint(e, b->mech);
    scbor_put_uint(e, 8);
    scbor_put_bstr(e, b->wrapped, b->wrapped_len);
    scbor_put_uint(e, 9);
    scbor_put_bstr(e, b->spki, b->spki_len);
    scbor_put_uint(e, 10);
    scbor_put_bstr(e, b->backup_id, sizeof b->backup_id);
    return e->err;
}

static const scbor_limits backup_limits = { 1u, 10u, P11A_WRAPPED_MAX, SCBOR_REQUIRE_SORTED };

/* Field k (a byte string of lo..hi bytes) into dst. */
static int get_bytes(const uint8_t *buf, size_t len, size_t map, int k, size_t lo, size_t hi,
                     uint8_t *dst, size_t *n)
{
    size_t v = 0, off = 0, dlen = 0;
    int rc = scbor_map_find_int(buf, len, map, k, &v);

    if (rc == QSCD_OK)
        rc = scbor_get_bstr(buf, len, v, &off, &dlen);
    if (rc == QSCD_OK && (dlen < lo || dlen > hi))
        rc = QSCD_ERR_ARG;
    if (rc == QSCD_OK) {
        memcpy(dst, buf + off, dlen);
        *n = dlen;
    }
    return rc;
}

static int get_num(const uint8_t *buf, size_t len, size_t map, int k, uint64_t *v)
{
    size_t off = 0;
    int rc = scbor_map_find_int(buf, len, map, k, &off);

    return rc == QSCD_OK ? scbor_get_uint(buf, len, off, v) : rc;
}

static int backup_decode(const uint8_t *buf, size_t len, p11a_backup *b)
{
    uint64_t n = 0, ver = 0, type = 0, bits = 0, mech = 0;
    size_t first = 0, lab = 0, id_len = 0;
    int rc = scbor_check(buf, len, &backup_limits, &first);

    memset(b, 0, sizeof *b);
    if (rc == QSCD_OK)
        rc = scbor_get_map(buf, len, 0, &n, &first);
    if (rc == QSCD_OK && n != 10)
        rc = QSCD_ERR_ARG; /* keys 1..10 exactly: sorted and unique, so these ten */
    if (rc == QSCD_OK && (get_num(buf, len, 0, 1, &ver) != QSCD_OK || ver != 1))
        rc = QSCD_ERR_ARG;
    if (rc == QSCD_OK)
        rc = get_bytes(buf, len, 0, 2, 1, P11T_ID_MAX, b->key_id, &b->key_id_len);
    if (rc == QSCD_OK && scbor_map_find_int(buf, len, 0, 3, &first) == QSCD_OK &&
        scbor_get_tstr(buf, len, first, &first, &lab) == QSCD_OK && lab <= P11T_LABEL_MAX)
        memcpy(b->label, buf + first, lab);
    else if (rc == QSCD_OK)
        rc = QSCD_ERR_ARG;
    if (rc == QSCD_OK && (get_num(buf, len, 0, 4, &type) != QSCD_OK ||
                          get_num(buf, len, 0, 5, &bits) != QSCD_OK ||
                          get_num(buf, len, 0, 7, &mech) != QSCD_OK))
        rc = QSCD_ERR_ARG;
    if (rc == QSCD_OK)
        rc = get_bytes(buf, len, 0, 6, 1, P11T_ID_MAX, b->kek_id, &b->kek_id_len);
    if (rc == QSCD_OK)
        rc = get_bytes(buf, len, 0, 8, 1, P11A_WRAPPED_MAX, b->wrapped, &b->wrapped_len);
    if (rc == QSCD_OK)
        rc = get_bytes(buf, len, 0, 9, 1, P11A_SPKI_MAX, b->spki, &b->spki_len);
    if (rc == QSCD_OK)
        rc = get_bytes(buf, len, 0, 10, 32, 32, b->backup_id, &id_len);
    b->type = (CK_KEY_TYPE)type;
    b->bits = (CK_ULONG)bits;
    b->mech = (CK_MECHANISM_TYPE)mech;
    return rc == QSCD_OK ? QSCD_OK : QSCD_ERR_P11_WRAPPED;
}

/* ----------------------------------------------------------- backup / restore */

static int backup_cred(samd_req *r, store_cred *c)
{
    int rc = samd_cred_param(r, c);

    if (rc == QSCD_OK && !r->d->have_kek)
        rc = QSCD_ERR_UNSUPPORTED; /* no backup KEK in the module (see `qscd sam --init`) */
    /* Revocation destroyed the key (samd_op_cert_revoke): nothing to back up, and a restore
     * would bring back a key that must stay destroyed (DEL-6.3.2-01). */
    if (rc == QSCD_OK && c->rec.cert_revoked)
        rc = QSCD_ERR_CERT_REVOKED;
    return rc;
}

int samd_op_key_backup(samd_req *r)
{
    p11a_backup *b = calloc(1, sizeof *b);
    uint8_t *blob = malloc(2 * P11A_WRAPPED_MAX);
    p11a_key *k = NULL;
    store_cred c = { 0 };
    scbor_enc e;
    int rc = b == NULL || blob == NULL ? QSCD_ERR_NOMEM : backup_cred(r, &c);

    if (rc == QSCD_OK && (c.state != STORE_CRED_READY || !c.backup_capable))
        rc = QSCD_ERR_KEY_POLICY; /* only keys made backup-capable at creation */
    if (rc == QSCD_OK)
        rc = samd_key_get(r->d, c.rec.key_ref, c.rec.key_ref_len, &k);
    if (rc == QSCD_OK)
        rc = p11a_key_backup(r->d->hsm, k, (const uint8_t *)SAMD_KEK_ID, strlen(SAMD_KEK_ID), b);
    if (rc == QSCD_OK) {
        scbor_enc_init(&e, blob, 2 * P11A_WRAPPED_MAX);
        rc = backup_encode(b, &e);
    }
    if (rc == QSCD_OK)
        rc = store_backup_add(r->d->db, &c.rec.id, b->backup_id, sizeof b->backup_id);
    if (rc == QSCD_OK) {
        scbor_put_map(r->res, 2);
        scbor_put_uint(r->res, 1);
        scbor_put_bstr(r->res, blob, e.len);
        scbor_put_uint(r->res, 2);
        scbor_put_bstr(r->res, b->backup_id, sizeof b->backup_id);
    }
    store_cred_free(&c);
    free(b);
    free(blob);
    return rc;
}

/* The backup must hold this credential's key: same CKA_ID, same public key as its
 * certificate (checked before the restore: afterwards the wrong key would be in the module). */
static int restore_matches(const store_cred *c, const p11a_backup *b)
{
    if (b->key_id_len != c->rec.key_ref_len ||
        memcmp(b->key_id, c->rec.key_ref, b->key_id_len) != 0)
        return QSCD_ERR_NOT_OWNER;
    if (c->cert_len > 0 && !samd_cert_key_is(c->cert, c->cert_len, b->spki, b->spki_len))
        return QSCD_ERR_NOT_OWNER;
    return QSCD_OK;
}

int samd_op_key_restore(samd_req *r)
{
    p11a_backup *b = calloc(1, sizeof *b);
    const uint8_t *blob = NULL;
    size_t n = 0;
    p11a_key k;
    store_cred c = { 0 };
    int rc = b == NULL ? QSCD_ERR_NOMEM : backup_cred(r, &c);

    memset(&k, 0, sizeof k);
    if (rc == QSCD_OK)
        rc = samd_param_bstr(r, 2, 1, 2 * P11A_WRAPPED_MAX, &blob, &n);
    if (rc == QSCD_OK)
        rc = backup_decode(blob, n, b);
    if (rc == QSCD_OK)
        rc = restore_matches(&c, b);
    if (rc == QSCD_OK) {
        samd_key_forget(r->d, c.rec.key_ref, c.rec.key_ref_len);
        rc = p11a_key_restore(r->d->hsm, b, &k);
    }
    p11a_key_clear(&k);
    store_cred_free(&c);
    samd_wipe(b, b != NULL ? sizeof *b : 0);
    free(b);
    return rc;
}
