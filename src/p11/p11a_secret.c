/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret keys in the module: the SAD-token MAC key (generated there), TOTP seeds (imported
 * once, never readable again), HMACs computed by the module, and its random generator.
 */
#include <string.h>

#include "p11a_int.h"
#include "qscd_mem.h"

/* Create a secret key from template t (C_GenerateKey, or C_CreateObject for an import). */
struct create_ctx { const p11t_secret *t; int import; p11a_key *out; int rc; };

static CK_RV create_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct create_ctx *c = vctx;
    CK_MECHANISM mech = c->t->mech;
    CK_ATTRIBUTE *attr = (CK_ATTRIBUTE *)c->t->attr;
    CK_OBJECT_HANDLE obj;
    CK_RV rv;

    (void)k;
    (void)state;
    /* The template goes to the module exactly as the verified core built it. */
    if (c->import)
        rv = a->f->C_CreateObject(h, attr, c->t->nattr, &obj);
    else
        rv = a->f->C_GenerateKey(h, &mech, attr, c->t->nattr, &obj);
    if (rv != CKR_OK)
        return rv;
    c->rc = p11a_key_describe(a, h, obj, CKO_SECRET_KEY, c->out);
    if (c->rc != QSCD_OK)
        (void)a->f->C_DestroyObject(h, obj);
    return CKR_OK;
}

static int secret_create(p11a *a, const p11t_secret *t, int import, const uint8_t *id,
                         size_t id_len, p11a_key *out)
{
    p11a_key k;
    struct create_ctx c = { t, import, &k, QSCD_OK };
    int rc = p11a_id_unused(a, id, id_len);

    if (rc != QSCD_OK)
        return rc;
    memset(&k, 0, sizeof k);
    memcpy(k.id, id, id_len);
    k.id_len = id_len;
    rc = p11a_run(a, NULL, import ? "C_CreateObject" : "C_GenerateKey", create_op, &c);
    if (rc == QSCD_OK)
        rc = c.rc;
    if (rc == QSCD_OK)
        *out = k;
    return rc;
}

static int template_error(int rc, const char *what, unsigned min)
{
    if (rc == QSCD_ERR_KEY_POLICY)
        return p11a_fail(rc, "%s must be %u..%u bytes", what, min, P11T_SECRET_MAX_LEN);
    return p11a_fail(rc, "id of 1..%d bytes, label of at most %d", P11T_ID_MAX,
                     P11T_LABEL_MAX);
}

int p11a_mac_generate(p11a *a, size_t key_len, const uint8_t *id, size_t id_len,
                      const char *label, p11a_key *out)
{
    const char *lb = label != NULL ? label : "";
    p11t_secret t;
    int rc;

    if (a == NULL || id == NULL || out == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_mac_generate: NULL argument");
    rc = p11t_mac_build(&t, key_len, 0, (const char *)id, id_len, lb, strlen(lb));
    if (rc != QSCD_OK)
        return template_error(rc, "an HMAC key", P11T_MAC_MIN);
    return secret_create(a, &t, 0, id, id_len, out);
}

int p11a_seed_import(p11a *a, const uint8_t *seed, size_t seed_len, const uint8_t *id,
                     size_t id_len, const char *label, p11a_key *out)
{
    const char *lb = label != NULL ? label : "";
    p11t_secret t;
    int rc;

    if (a == NULL || seed == NULL || id == NULL || out == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_seed_import: NULL argument");
    /* The template points to the caller's seed: no copy is made here. */
    rc = p11t_seed_build(&t, (const char *)seed, seed_len, 0, (const char *)id, id_len, lb,
                         strlen(lb));
    if (rc != QSCD_OK)
        return template_error(rc, "a TOTP seed", P11T_SEED_MIN);
    rc = secret_create(a, &t, 1, id, id_len, out);
    memset(&t, 0, sizeof t);   /* drop the pointer to the seed */
    return rc;
}

/* ------------------------------------------------------------------------- HMAC */

struct hmac_ctx {
    CK_MECHANISM mech;
    const uint8_t *msg;
    size_t msg_len;
    uint8_t mac[64];
    CK_ULONG mac_len;
};

static CK_RV hmac_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct hmac_ctx *c = vctx;

    c->mac_len = sizeof c->mac;
    return p11a_sign_once(a, h, &c->mech, k, c->msg, c->msg_len, c->mac, &c->mac_len, state);
}

int p11a_hmac(p11a *a, p11a_key *k, p11a_mac alg, const uint8_t *msg, size_t msg_len,
              uint8_t *mac, size_t *mac_len)
{
    struct hmac_ctx c;
    int rc;

    if (a == NULL || k == NULL || (msg == NULL && msg_len > 0) || mac == NULL ||
        mac_len == NULL || k->cls != CKO_SECRET_KEY ||
        (alg != P11A_HMAC_SHA1 && alg != P11A_HMAC_SHA256))
        return p11a_fail(QSCD_ERR_ARG, "p11a_hmac: not a secret key, unknown algorithm or "
                         "NULL argument");
    memset(&c, 0, sizeof c);
    c.mech.mechanism = alg == P11A_HMAC_SHA1 ? CKM_SHA_1_HMAC : CKM_SHA256_HMAC;
    c.msg = msg != NULL ? msg : (const uint8_t *)"";
    c.msg_len = msg_len;
    rc = p11a_run(a, k, "HMAC (C_Sign)", hmac_op, &c);
    if (rc == QSCD_OK && c.mac_len > *mac_len) {
        *mac_len = c.mac_len;
        rc = p11a_fail(QSCD_ERR_BUFFER_TOO_SMALL, "MAC needs %lu bytes",
                       (unsigned long)c.mac_len);
    } else if (rc == QSCD_OK) {
        memcpy(mac, c.mac, c.mac_len);
        *mac_len = c.mac_len;
    }
    /* The MAC may be an OTP's source: not left on the stack. */
    qscd_wipe(c.mac, sizeof c.mac);
    return rc;
}

/* ----------------------------------------------------------------------- random */

struct random_ctx { uint8_t *buf; size_t len; };

static CK_RV random_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct random_ctx *c = vctx;

    (void)k;
    (void)state;
    return a->f->C_GenerateRandom(h, c->buf, c->len);
}

int p11a_random(p11a *a, uint8_t *buf, size_t len)
{
    struct random_ctx c = { buf, len };
    int rc;

    if (a == NULL || (buf == NULL && len > 0))
        return p11a_fail(QSCD_ERR_ARG, "p11a_random: NULL argument");
    if (len == 0)
        return QSCD_OK;
    rc = p11a_run(a, NULL, "C_GenerateRandom", random_op, &c);
    return rc == QSCD_OK ? QSCD_OK : p11a_fail(QSCD_ERR_RANDOM, "%s", p11a_last_error());
}
