/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signer's side of the SAP (spec/sam-protocol.md §3, ops 28, 30-33): a challenge for a
 * SIC assertion, authorize, sign and extend, which the verified core decides (sam_authorize,
 * sam_signhash, sam_extend: factors, lockout, SAD, registry, the signatures, one audit
 * event), and the
 * PKCS#10 request of a credential, signed through the same sign path under a SAD. The shell
 * only moves bytes: parameters into the core's request structs, results out, secrets wiped.
 */
#include "samd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int samd_op_challenge(samd_req *r)
{
    uint8_t ch[SAM_CHALLENGE_LEN];
    int64_t now = 0;
    sam_cred c;
    qscd_id id;
    int rc = samd_param_id(r, 1, &id);

    if (rc == QSCD_OK) {
        r->ev.cred = id;
        rc = qscd_port_cred_get(&r->d->ports, &id, &c);
    }
    if (rc == QSCD_OK && !qscd_id_equal(&c.owner, &r->actor.id))
        rc = QSCD_ERR_CRED_NOT_FOUND; /* another signer's credential is not shown */
    if (rc == QSCD_OK && c.sap != SAM_SAP_SIC) {
        /* Only a SIC credential has a challenge-response factor: no challenge for the others. */
        rc = QSCD_ERR_ARG;
        if (r->detail != NULL) {
            r->detail->rc = rc;
            snprintf(r->detail->text, sizeof r->detail->text,
                     "parameter 1: a credential of the SIC mechanism expected");
        }
    }
    if (rc == QSCD_OK)
        rc = qscd_port_now(&r->d->ports, &now);
    if (rc == QSCD_OK)
        rc = samd_random(r->d, ch, sizeof ch);
    if (rc == QSCD_OK)
        rc = store_challenge_add(r->d->db, &r->actor.id, ch, now);
    if (rc == QSCD_OK) {
        scbor_put_map(r->res, 1);
        scbor_put_uint(r->res, 1);
        scbor_put_bstr(r->res, ch, sizeof ch);
    }
    return rc;
}

/* A secret parameter (PIN, OTP, assertion) copied into the core's request; longer than the
 * core accepts is QSCD_ERR_LIMIT. */
static int secret_param(samd_req *r, int key, uint8_t *dst, size_t cap, size_t *n)
{
    const uint8_t *p = NULL;
    int rc;

    *n = 0;
    if (!samd_param_has(r, key))
        return QSCD_OK;
    rc = samd_param_bstr(r, key, 0, cap, &p, n);
    if (rc == QSCD_ERR_ARG)
        rc = QSCD_ERR_LIMIT;
    if (rc == QSCD_OK)
        memcpy(dst, p, *n);
    return rc;
}

static int authz_params(samd_req *r, sam_authz_req *q)
{
    uint64_t numsig = 0, alg = 0;
    int rc = samd_param_id(r, 1, &q->cred);

    q->actor = r->actor;
    if (rc == QSCD_OK) {
        r->ev.cred = q->cred;
        rc = samd_param_uint(r, 2, 0, UINT32_MAX, &numsig);
    }
    if (rc == QSCD_OK)
        rc = samd_param_uint(r, 3, 0, 255, &alg);
    q->num_signatures = (uint32_t)numsig;
    q->hash_alg = (int32_t)alg;
    if (rc == QSCD_OK)
        rc = samd_param_hashes(r, 4, q->hash_alg, q->hashes, &q->nhashes);
    if (rc == QSCD_OK)
        rc = secret_param(r, 5, q->pin, SAM_PIN_MAX, &q->pin_len);
    if (rc == QSCD_OK)
        rc = secret_param(r, 6, q->otp, SAM_OTP_MAX, &q->otp_len);
    if (rc == QSCD_OK)
        rc = secret_param(r, 7, q->assertion, SAM_ASSERTION_MAX, &q->assertion_len);
    return rc;
}

/* A token and its lifetime, as authorize and extend answer them. */
static void put_token(scbor_enc *e, const sam_authz_out *out)
{
    scbor_put_map(e, 2);
    scbor_put_uint(e, 1);
    scbor_put_bstr(e, out->token, out->token_len);
    scbor_put_uint(e, 2);
    scbor_put_uint(e, (uint64_t)out->expires_in);
}

/* The end of authorize and extend: the token into the answer on success, then the request
 * (q, qlen bytes) and the issued token wiped and freed whatever happened. */
static int token_answer(samd_req *r, void *q, size_t qlen, sam_authz_out *out, int rc)
{
    if (rc == QSCD_OK)
        put_token(r->res, out);
    samd_wipe(q, q != NULL ? qlen : 0);
    samd_wipe(out, out != NULL ? sizeof *out : 0);
    free(q);
    free(out);
    return rc;
}

/* The signer's authorisations run one at a time (the signer ports' contract: the failure
 * count and the TOTP counter are read and written under the signer's lock). */
int samd_op_authorize(samd_req *r)
{
    sam_authz_req *q = calloc(1, sizeof *q);
    sam_authz_out *out = calloc(1, sizeof *out);
    int rc = q == NULL || out == NULL ? QSCD_ERR_NOMEM : authz_params(r, q);

    if (rc == QSCD_OK) {
        samd_stripe_lock(r->d, &q->actor.id);
        rc = sam_authorize(&r->d->ports, &r->d->core, q, out);
        samd_stripe_unlock(r->d, &q->actor.id);
        r->audited = true;
    }
    return token_answer(r, q, sizeof *q, out, rc);
}

/* What sign and extend both take: 1 credential id, 2 SAD token, 3 hash algorithm. */
static int token_params(samd_req *r, sam_sign_req *q)
{
    uint64_t alg = 0;
    int rc = samd_param_id(r, 1, &q->cred);

    q->actor = r->actor;
    if (rc == QSCD_OK) {
        r->ev.cred = q->cred;
        rc = samd_param_bstr(r, 2, 1, SAD_TOKEN_MAX, &q->token, &q->token_len);
        if (rc == QSCD_ERR_ARG)
            rc = QSCD_ERR_SAD_MALFORMED;
    }
    if (rc == QSCD_OK)
        rc = samd_param_uint(r, 3, 0, 255, &alg);
    q->hash_alg = (int32_t)alg;
    return rc;
}

static int sign_params(samd_req *r, sam_sign_req *q)
{
    uint64_t salg = 0;
    int rc = token_params(r, q);

    if (rc == QSCD_OK)
        rc = samd_param_uint(r, 4, 0, 255, &salg);
    q->sign_alg = (int32_t)salg;
    if (rc == QSCD_OK)
        rc = samd_param_hashes(r, 5, q->hash_alg, q->hashes, &q->nhashes);
    return rc;
}

static void put_sigs(scbor_enc *e, const sam_sign_out *out)
{
    scbor_put_map(e, 1);
    scbor_put_uint(e, 1);
    scbor_put_array(e, out->nsigs);
    for (size_t i = 0; i < out->nsigs; i++)
        scbor_put_bstr(e, &out->sig[i * SAM_SIG_MAX], out->sig_len[i]);
}

int samd_op_sign(samd_req *r)
{
    sam_sign_req *q = calloc(1, sizeof *q);
    sam_sign_out *out = calloc(1, sizeof *out);
    int rc = q == NULL || out == NULL ? QSCD_ERR_NOMEM : sign_params(r, q);

    if (rc == QSCD_OK) {
        rc = sam_signhash(&r->d->ports, &r->d->core, q, out);
        r->audited = true;
    }
    if (rc == QSCD_OK)
        put_sigs(r->res, out);
    samd_wipe(q, q != NULL ? sizeof *q : 0);
    free(q);
    free(out);
    return rc;
}

/* The same grant with a later expiry (credentials/extendTransaction): the core checks the
 * token as for a signature and re-issues it under the same id. The presented token stays in
 * the request's buffer; the new one is wiped here once encoded into the answer. */
int samd_op_extend(samd_req *r)
{
    sam_sign_req *q = calloc(1, sizeof *q);
    sam_authz_out *out = calloc(1, sizeof *out);
    int rc = q == NULL || out == NULL ? QSCD_ERR_NOMEM : token_params(r, q);

    if (rc == QSCD_OK)
        rc = samd_param_hashes(r, 4, q->hash_alg, q->hashes, &q->nhashes);
    if (rc == QSCD_OK) {
        rc = sam_extend(&r->d->ports, &r->d->core, q, out);
        r->audited = true;
    }
    return token_answer(r, q, sizeof *q, out, rc);
}

/* ---------------------------------------------------------------------- CSR */

typedef struct csr_ctx {
    store_cred c;
    store_signer s;
    uint8_t spki[P11A_SPKI_MAX];
    size_t spki_len;
    uint8_t digest[32];
} csr_ctx;

/* The signer's own credential, its name and key, and the digest of its request info. */
static int csr_prepare(samd_req *r, csr_ctx *x)
{
    p11a_key *k = NULL;
    qscd_id id;
    int rc = samd_param_id(r, 1, &id);

    x->spki_len = sizeof x->spki;
    if (rc == QSCD_OK) {
        r->ev.cred = id;
        rc = store_cred_get(r->d->db, &id, &x->c);
    }
    if (rc == QSCD_ERR_NOT_FOUND ||
        (rc == QSCD_OK && !qscd_id_equal(&x->c.rec.owner, &r->actor.id)))
        rc = QSCD_ERR_CRED_NOT_FOUND;
    if (rc == QSCD_OK && x->c.rec.cert_revoked)
        rc = QSCD_ERR_CERT_REVOKED; /* its key went with the revocation: say so, not "no key" */
    if (rc == QSCD_OK)
        rc = store_signer_get(r->d->db, &r->actor.id, &x->s);
    if (rc == QSCD_OK)
        rc = samd_key_get(r->d, x->c.rec.key_ref, x->c.rec.key_ref_len, &k);
    if (rc == QSCD_OK)
        rc = p11a_key_spki(k, x->spki, &x->spki_len);
    if (rc == QSCD_OK)
        rc = samd_csr_tbs(x->s.name, &x->s.rec.id, x->spki, x->spki_len, x->digest);
    return rc;
}

/* Sign the digest through the core, under the SAD the signer made for it. */
static int csr_sign(samd_req *r, csr_ctx *x, uint8_t **der, size_t *der_len)
{
    sam_sign_req *q = calloc(1, sizeof *q);
    sam_sign_out *out = calloc(1, sizeof *out);
    int rc = q == NULL || out == NULL ? QSCD_ERR_NOMEM
                                      : samd_param_bstr(r, 2, 1, SAD_TOKEN_MAX, &q->token,
                                                        &q->token_len);

    if (rc == QSCD_OK) {
        q->actor = r->actor;
        q->cred = x->c.rec.id;
        q->hash_alg = QSCD_HASH_SHA256;
        q->sign_alg = x->c.rec.key_alg == SAM_KEY_EC_P256 || x->c.rec.key_alg == SAM_KEY_EC_P384
                          ? SAM_SIGN_ECDSA : SAM_SIGN_RSA_PKCS1;
        q->nhashes = 1;
        memcpy(q->hashes, x->digest, sizeof x->digest);
        rc = sam_signhash(&r->d->ports, &r->d->core, q, out);
        r->audited = true;
    }
    if (rc == QSCD_OK)
        rc = samd_csr_finish(x->s.name, &x->s.rec.id, x->spki, x->spki_len, q->sign_alg,
                             q->hash_alg, out->sig, out->sig_len[0], der, der_len);
    free(q);
    free(out);
    return rc;
}

int samd_op_cred_csr(samd_req *r)
{
    csr_ctx *x = calloc(1, sizeof *x);
    uint8_t *der = NULL;
    size_t der_len = 0;
    int rc = x == NULL ? QSCD_ERR_NOMEM : csr_prepare(r, x);

    r->ev.op = SAMD_EV_CSR;
    if (rc == QSCD_OK && !samd_param_has(r, 2)) {
        /* First step: the digest the signer authorises (proof of possession by the SAP). */
        sam_event_hashes(&r->ev, QSCD_HASH_SHA256, 1, x->digest);
        scbor_put_map(r->res, 2);
        scbor_put_uint(r->res, 1);
        scbor_put_bstr(r->res, x->digest, sizeof x->digest);
        scbor_put_uint(r->res, 2);
        scbor_put_uint(r->res, QSCD_HASH_SHA256);
    } else if (rc == QSCD_OK) {
        rc = csr_sign(r, x, &der, &der_len);
        if (rc == QSCD_OK) {
            scbor_put_map(r->res, 1);
            scbor_put_uint(r->res, 1);
            scbor_put_bstr(r->res, der, der_len);
        }
    }
    if (x != NULL) {
        store_cred_free(&x->c);
        samd_wipe(x, sizeof *x);
    }
    free(x);
    free(der);
    return rc;
}
