/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credentials (spec/sam-protocol.md §3, ops 20-27): creation (record first, in state
 * CREATING, then the key in the module, then the certificate, then READY: a crash anywhere
 * leaves a record the next start cleans up), listing and description (a signer sees only
 * their own), enabling, certificates (import, revocation, which destroys the key).
 */
#include "samd_int.h"

#include <stdlib.h>
#include <string.h>

/* Key algorithms of sam_key_alg, as the adapter generates them. */
static const struct { int alg; CK_KEY_TYPE type; CK_ULONG bits; } key_algs[] = {
    { SAM_KEY_EC_P256, CKK_EC, 256 },    { SAM_KEY_EC_P384, CKK_EC, 384 },
    { SAM_KEY_RSA_2048, CKK_RSA, 2048 }, { SAM_KEY_RSA_3072, CKK_RSA, 3072 },
    { SAM_KEY_RSA_4096, CKK_RSA, 4096 },
};

static int key_alg_of(int alg, CK_KEY_TYPE *type, CK_ULONG *bits)
{
    for (size_t i = 0; i < sizeof key_algs / sizeof key_algs[0]; i++)
        if (key_algs[i].alg == alg) {
            *type = key_algs[i].type;
            *bits = key_algs[i].bits;
            return QSCD_OK;
        }
    return QSCD_ERR_KEY_POLICY;
}

int samd_cred_param(samd_req *r, store_cred *c)
{
    qscd_id id;
    int rc = samd_param_id(r, 1, &id);

    memset(c, 0, sizeof *c);
    if (rc == QSCD_OK) {
        r->ev.cred = id;
        rc = store_cred_get(r->d->db, &id, c);
    }
    if (rc == QSCD_ERR_NOT_FOUND)
        rc = QSCD_ERR_CRED_NOT_FOUND;
    if (rc == QSCD_OK && r->actor.role == SAM_ROLE_SIGNER &&
        !qscd_id_equal(&c->rec.owner, &r->actor.id)) {
        store_cred_free(c);
        rc = QSCD_ERR_CRED_NOT_FOUND;
    }
    return rc;
}

/* ---------------------------------------------------------------------- creation */

typedef struct create_args {
    qscd_id signer;
    store_cred c;
    CK_KEY_TYPE type;
    CK_ULONG bits;
} create_args;

static int create_params(samd_req *r, create_args *a)
{
    uint64_t alg = 0, sap = 0, multi = 0;
    bool backup = false;
    int rc = samd_param_id(r, 1, &a->signer);

    if (rc == QSCD_OK)
        rc = samd_param_id(r, 2, &a->c.rec.id);
    if (rc == QSCD_OK) {
        r->ev.cred = a->c.rec.id;
        rc = samd_param_uint(r, 3, 0, 0xffff, &alg);
    }
    if (rc == QSCD_OK)
        rc = key_alg_of((int)alg, &a->type, &a->bits);
    if (rc == QSCD_OK)
        rc = samd_param_uint(r, 4, SAM_SAP_TOTP, SAM_SAP_SIC, &sap);
    if (rc == QSCD_OK)
        rc = samd_param_uint(r, 5, 1, QSCD_MAX_HASHES, &multi);
    if (rc == QSCD_OK && samd_param_has(r, 6))
        rc = samd_param_bool(r, 6, &backup);
    a->c.rec.owner = a->signer;
    a->c.rec.key_alg = (int32_t)alg;
    a->c.rec.sap = (int32_t)sap;
    a->c.rec.multisign = (uint32_t)multi;
    a->c.backup_capable = backup;
    a->c.state = STORE_CRED_CREATING;
    return rc;
}

/* The key, then its certificate, then READY. */
static int create_key_cert(samd *d, create_args *a, const store_signer *s, uint8_t **cert,
                           size_t *cert_len)
{
    uint8_t spki[P11A_SPKI_MAX];
    size_t spki_len = sizeof spki;
    int64_t nb = 0, na = 0;
    p11a_key k;
    int rc = p11a_key_generate(d->hsm, a->type, a->bits,
                               a->c.backup_capable ? P11A_KEY_BACKUP : 0, a->c.rec.key_ref,
                               a->c.rec.key_ref_len, "qscd-credential", &k);

    if (rc != QSCD_OK)
        return rc;
    rc = p11a_key_spki(&k, spki, &spki_len);
    p11a_key_clear(&k);
    if (rc == QSCD_OK)
        rc = samd_cert_issue(d, s->name, &s->rec.id, spki, spki_len, cert, cert_len, &nb, &na);
    if (rc == QSCD_OK)
        rc = store_cred_set_cert(d->db, &a->c.rec.id, *cert, *cert_len, nb, na);
    if (rc == QSCD_OK)
        rc = store_cred_set_enabled(d->db, &a->c.rec.id, 1);
    if (rc == QSCD_OK)
        rc = store_cred_set_state(d->db, &a->c.rec.id, STORE_CRED_READY);
    return rc;
}

int samd_op_cred_create(samd_req *r)
{
    samd *d = r->d;
    create_args a;
    store_signer s;
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    int rc, recorded = 0;

    memset(&a, 0, sizeof a);
    rc = create_params(r, &a);
    if (rc == QSCD_OK && d->ca_key == NULL)
        rc = QSCD_ERR_CONFIG; /* nothing could certify the key: make none */
    if (rc == QSCD_OK && store_signer_get(d->db, &a.signer, &s) != QSCD_OK)
        rc = QSCD_ERR_SIGNER_NOT_FOUND;
    if (rc == QSCD_OK) {
        a.c.rec.key_ref_len = SAMD_KEY_REF_LEN;
        rc = samd_random(d, a.c.rec.key_ref, SAMD_KEY_REF_LEN);
    }
    if (rc == QSCD_OK) {
        rc = store_cred_add(d->db, &a.c);
        recorded = rc == QSCD_OK;
    }
    if (rc == QSCD_OK)
        rc = create_key_cert(d, &a, &s, &cert, &cert_len);
    if (rc != QSCD_OK && recorded) {
        /* Undo: no key without a record, no record without a usable key. */
        samd_key_destroy(d, a.c.rec.key_ref, a.c.rec.key_ref_len);
        store_cred_delete(d->db, &a.c.rec.id);
    }
    if (rc == QSCD_OK) {
        scbor_put_map(r->res, 1);
        scbor_put_uint(r->res, 1);
        scbor_put_bstr(r->res, cert, cert_len);
    }
    free(cert);
    samd_wipe(&s, sizeof s);
    return rc;
}

/* ------------------------------------------------------------------- reading */

int samd_op_cred_list(samd_req *r)
{
    qscd_id owner, *ids = NULL;
    size_t n = 0;
    int rc = QSCD_OK;
    bool all = false;

    if (r->actor.role == SAM_ROLE_SIGNER) {
        owner = r->actor.id;
        rc = samd_param_has(r, 1) ? QSCD_ERR_PROTO_FRAME : QSCD_OK; /* only one's own */
    } else if (samd_param_has(r, 1)) {
        rc = samd_param_id(r, 1, &owner);
    } else {
        all = true;
    }
    if (rc == QSCD_OK) {
        r->ev.cred = all ? r->ev.cred : owner;
        rc = store_cred_list(r->d->db, all ? NULL : &owner, &ids, &n);
    }
    if (rc == QSCD_OK) {
        scbor_put_map(r->res, 1);
        scbor_put_uint(r->res, 1);
        scbor_put_array(r->res, n);
        for (size_t i = 0; i < n; i++)
            scbor_put_bstr(r->res, ids[i].b, ids[i].len);
        r->ev.count = (uint32_t)n;
    }
    free(ids);
    return rc;
}

static const char *cert_status(const samd *d, const sam_cred *c)
{
    int64_t now = 0;

    qscd_port_now((qscd_ports *)&d->ports, &now);
    if (c->has_cert != 1)
        return "missing";
    if (c->cert_revoked)
        return "revoked";
    if (now < c->cert_not_before)
        return "not-yet-valid";
    return now > c->cert_not_after ? "expired" : "valid";
}

/* The chain: the credential's certificate, then its issuer when it is the configured CA. */
static void put_chain(samd *d, scbor_enc *e, const store_cred *c)
{
    uint8_t *ca = NULL;
    size_t ca_len = 0;

    if (c->cert_len > 0)
        samd_cert_issuer(d, c->cert, c->cert_len, &ca, &ca_len);
    scbor_put_array(e, (c->cert_len > 0) + (ca_len > 0));
    if (c->cert_len > 0)
        scbor_put_bstr(e, c->cert, c->cert_len);
    if (ca_len > 0)
        scbor_put_bstr(e, ca, ca_len);
    free(ca);
}

int samd_op_cred_info(samd_req *r)
{
    store_cred c;
    CK_KEY_TYPE type = 0;
    CK_ULONG bits = 0;
    const char *status;
    int rc = samd_cred_param(r, &c);

    if (rc != QSCD_OK)
        return rc;
    key_alg_of(c.rec.key_alg, &type, &bits);
    status = c.state == STORE_CRED_READY ? cert_status(r->d, &c.rec) : "unavailable";
    scbor_put_map(r->res, 9);
    scbor_put_uint(r->res, 1);
    scbor_put_uint(r->res, (uint64_t)c.rec.key_alg);
    scbor_put_uint(r->res, 2);
    scbor_put_uint(r->res, bits);
    scbor_put_uint(r->res, 3);
    scbor_put_uint(r->res, (uint64_t)c.rec.sap);
    scbor_put_uint(r->res, 4);
    scbor_put_uint(r->res, c.rec.multisign);
    scbor_put_uint(r->res, 5);
    scbor_put_bool(r->res, c.rec.enabled == 1 && c.state == STORE_CRED_READY);
    scbor_put_uint(r->res, 6);
    put_chain(r->d, r->res, &c);
    scbor_put_uint(r->res, 7);
    scbor_put_tstr(r->res, (const uint8_t *)status, strlen(status));
    scbor_put_uint(r->res, 8);
    scbor_put_bstr(r->res, c.rec.owner.b, c.rec.owner.len);
    scbor_put_uint(r->res, 9);
    scbor_put_bool(r->res, c.backup_capable != 0);
    store_cred_free(&c);
    return QSCD_OK;
}

/* ------------------------------------------------------------------- changes */

static int cred_update(samd_req *r, int (*fn)(store *, const qscd_id *, int), int arg)
{
    store_cred c;
    int rc = samd_cred_param(r, &c);

    if (rc == QSCD_OK)
        rc = fn(r->d->db, &c.rec.id, arg);
    store_cred_free(&c);
    return rc == QSCD_ERR_NOT_FOUND ? QSCD_ERR_CRED_NOT_FOUND : rc;
}

int samd_op_cred_disable(samd_req *r)
{
    return cred_update(r, store_cred_set_enabled, 0);
}

int samd_op_cred_enable(samd_req *r)
{
    return cred_update(r, store_cred_set_enabled, 1);
}

/* Revoking the certificate destroys the key (ETSI TS 119 431-1 DEL-6.3.2-01, EN 419 241-1
 * SRG_KM.7.1) and names the backups to purge, as cred.delete does (SRG_KM.7.3); the record
 * stays, marked revoked, so that cred.info and the audit show what became of it.
 *
 * The mark is written first, then the key destroyed. The core refuses a revoked credential
 * before it reaches its key, and backup and restore refuse it too: a failure or a crash
 * between the two leaves a key that nothing can use; the next start destroys it
 * (samd_recover, cred.recover kind SAMD_RECOVER_REVOKED), and repeating cert.revoke does
 * too (a key already gone is not an error). The other order could leave a credential that shows
 * a valid certificate while its key is gone, or, with the mark failing, an unrevoked
 * certificate whose key a restore brings back. The event's count is the backups to purge;
 * its outcome QSCD_OK says the key is destroyed. */
int samd_op_cert_revoke(samd_req *r)
{
    samd_purge purge = { NULL, 0, 0 };
    store_cred c;
    int rc = samd_cred_param(r, &c);

    if (rc == QSCD_OK && c.state != STORE_CRED_READY)
        rc = QSCD_ERR_CRED_DISABLED; /* being created or deleted: the recovery finishes it */
    if (rc == QSCD_OK)
        rc = store_cred_revoke(r->d->db, &c.rec.id);
    if (rc == QSCD_OK)
        rc = samd_cred_key_destroy(r->d, &c, &purge);
    if (rc == QSCD_OK) {
        samd_purge_put(r->res, &purge);
        r->ev.count = (uint32_t)purge.n;
    }
    free(purge.ids);
    store_cred_free(&c);
    return rc == QSCD_ERR_NOT_FOUND ? QSCD_ERR_CRED_NOT_FOUND : rc;
}

/* The certificate an external CA issued for the credential's CSR: its key must be the
 * credential's key in the module, and it must chain to a configured trust anchor. */
int samd_op_cert_import(samd_req *r)
{
    uint8_t spki[P11A_SPKI_MAX];
    size_t spki_len = sizeof spki, n = 0;
    const uint8_t *der = NULL;
    int64_t nb = 0, na = 0;
    p11a_key *k = NULL;
    store_cred c;
    int rc = samd_cred_param(r, &c);

    if (rc == QSCD_OK)
        rc = samd_param_bstr(r, 2, 1, 16384, &der, &n);
    if (rc == QSCD_OK && c.state != STORE_CRED_READY)
        rc = QSCD_ERR_CRED_DISABLED;
    if (rc == QSCD_OK && c.rec.cert_revoked)
        rc = QSCD_ERR_CERT_REVOKED; /* its key was destroyed with the revocation */
    if (rc == QSCD_OK)
        rc = samd_key_get(r->d, c.rec.key_ref, c.rec.key_ref_len, &k);
    if (rc == QSCD_OK)
        rc = p11a_key_spki(k, spki, &spki_len);
    if (rc == QSCD_OK)
        rc = samd_cert_check(r->d, der, n, spki, spki_len, &nb, &na);
    if (rc == QSCD_OK)
        rc = store_cred_set_cert(r->d->db, &c.rec.id, der, n, nb, na);
    store_cred_free(&c);
    return rc;
}
