/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys: generation through the verified templates (src/core/p11t.h), lookup by CKA_ID,
 * description (algorithm, size, the policy attributes, the public key), public-key export
 * and destruction.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "p11a_int.h"

/* ------------------------------------------------------------------ attributes */

CK_RV p11a_attr(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
                void *buf, size_t cap, size_t *len)
{
    CK_ATTRIBUTE at = { type, buf, cap };
    CK_RV rv = a->f->C_GetAttributeValue(h, obj, &at, 1);

    *len = rv == CKR_OK ? at.ulValueLen : 0;
    return rv;
}

int p11a_attr_bool(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type)
{
    CK_BBOOL v = CK_FALSE;
    size_t len;

    if (p11a_attr(a, h, obj, type, &v, sizeof v, &len) != CKR_OK || len != sizeof v)
        return -1;
    return v != CK_FALSE;
}

static CK_RV attr_ulong(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj,
                        CK_ATTRIBUTE_TYPE type, CK_ULONG *v)
{
    size_t len;
    CK_RV rv = p11a_attr(a, h, obj, type, v, sizeof *v, &len);

    return rv == CKR_OK && len != sizeof *v ? CKR_ATTRIBUTE_VALUE_INVALID : rv;
}

CK_RV p11a_find_id(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, const uint8_t *id,
                   size_t id_len, CK_OBJECT_HANDLE *obj, int *n)
{
    CK_ATTRIBUTE q[2] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, (void *)id, id_len } };
    CK_OBJECT_HANDLE found[2];
    CK_ULONG count = 0;
    CK_RV rv = a->f->C_FindObjectsInit(h, q, 2);

    if (rv != CKR_OK)
        return rv;
    rv = a->f->C_FindObjects(h, found, 2, &count);
    (void)a->f->C_FindObjectsFinal(h);
    *n = rv == CKR_OK ? (int)count : 0;
    if (rv == CKR_OK && count > 0)
        *obj = found[0];
    return rv;
}

CK_OBJECT_HANDLE p11a_key_handle(const p11a_key *k)
{
    return __atomic_load_n(&k->handle, __ATOMIC_ACQUIRE);
}

CK_RV p11a_key_refresh(p11a *a, CK_SESSION_HANDLE h, p11a_key *k)
{
    CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;
    int n;
    CK_RV rv = p11a_find_id(a, h, k->cls, k->id, k->id_len, &obj, &n);

    if (rv != CKR_OK)
        return rv;
    if (n != 1)
        return CKR_KEY_HANDLE_INVALID;   /* gone, or no longer unique */
    /* Other threads may sign with the same key: publish the handle atomically. */
    __atomic_store_n(&k->handle, obj, __ATOMIC_RELEASE);
    return CKR_OK;
}

/* ------------------------------------------------------------------ description */

struct describe_ctx { int rc; };

/* The public key of an EC key pair: CKA_EC_POINT of the public object, a DER OCTET STRING
 * around the uncompressed point (some modules give the bare point: both are accepted). */
static CK_RV ec_public(p11a *a, CK_SESSION_HANDLE h, p11a_key *out, int *rc)
{
    uint8_t pt[160];
    size_t len, fs = (out->bits + 7) / 8, off = 0;
    CK_OBJECT_HANDLE pub;
    int n;
    CK_RV rv = p11a_find_id(a, h, CKO_PUBLIC_KEY, out->id, out->id_len, &pub, &n);

    if (rv != CKR_OK)
        return rv;
    if (n != 1) {
        *rc = p11a_fail(QSCD_ERR_P11_KEY, "EC key: %s public-key object", n ? "more than one"
                        : "no");
        return CKR_OK;
    }
    if ((rv = p11a_attr(a, h, pub, CKA_EC_POINT, pt, sizeof pt, &len)) != CKR_OK)
        return rv;
    if (len == 2 + 2 * fs + 1 && pt[0] == 0x04 && pt[1] == 2 * fs + 1)
        off = 2;
    else if (len == 3 + 2 * fs + 1 && pt[0] == 0x04 && pt[1] == 0x81 && pt[2] == 2 * fs + 1)
        off = 3;
    out->pub = len - off == 2 * fs + 1 ? p11a_pkey_ec(out->bits, pt + off, len - off) : NULL;
    if (out->pub == NULL)
        *rc = p11a_fail(QSCD_ERR_P11_KEY, "EC key: CKA_EC_POINT is not an uncompressed point");
    return CKR_OK;
}

static CK_RV ec_describe(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, p11a_key *out,
                         int *rc)
{
    uint8_t params[32];
    size_t len;
    CK_RV rv = p11a_attr(a, h, obj, CKA_EC_PARAMS, params, sizeof params, &len);

    if (rv != CKR_OK)
        return rv;
    if (len == sizeof p11a_oid_p256 && memcmp(params, p11a_oid_p256, len) == 0)
        out->bits = 256;
    else if (len == sizeof p11a_oid_p384 && memcmp(params, p11a_oid_p384, len) == 0)
        out->bits = 384;
    else {
        *rc = p11a_fail(QSCD_ERR_KEY_POLICY, "EC key on a curve outside the policy "
                        "(P-256, P-384)");
        return CKR_OK;
    }
    return ec_public(a, h, out, rc);
}

/* RSA: the modulus and exponent of the public object, or of the private object (both carry
 * them; SoftHSMv2 has no CKA_MODULUS_BITS on private keys, so the size is counted here). */
static CK_RV rsa_describe(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, p11a_key *out,
                          int *rc)
{
    uint8_t mod[1024], exp[16];
    size_t mlen, elen;
    CK_OBJECT_HANDLE pub;
    BIGNUM *bn;
    int n;
    CK_RV rv = p11a_find_id(a, h, CKO_PUBLIC_KEY, out->id, out->id_len, &pub, &n);

    if (rv != CKR_OK)
        return rv;
    if (n == 1)
        obj = pub;
    if ((rv = p11a_attr(a, h, obj, CKA_MODULUS, mod, sizeof mod, &mlen)) != CKR_OK ||
        (rv = p11a_attr(a, h, obj, CKA_PUBLIC_EXPONENT, exp, sizeof exp, &elen)) != CKR_OK)
        return rv;
    bn = BN_bin2bn(mod, (int)mlen, NULL);
    out->bits = bn != NULL ? (CK_ULONG)BN_num_bits(bn) : 0;
    BN_free(bn);
    if (out->bits != 2048 && out->bits != 3072 && out->bits != 4096) {
        *rc = p11a_fail(QSCD_ERR_KEY_POLICY, "RSA key of %lu bits: outside the policy "
                        "(2048, 3072, 4096)", (unsigned long)out->bits);
        return CKR_OK;
    }
    out->pub = p11a_pkey_rsa(mod, mlen, exp, elen);
    if (out->pub == NULL)
        *rc = p11a_fail(QSCD_ERR_P11_KEY, "RSA key: modulus or exponent unusable");
    return CKR_OK;
}

/* The attributes the adapter requires of any key it uses: sensitive, and extractable only
 * under CKA_WRAP_WITH_TRUSTED. */
static int policy_check(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, p11a_key *out)
{
    int sensitive = p11a_attr_bool(a, h, obj, CKA_SENSITIVE);
    int extractable = p11a_attr_bool(a, h, obj, CKA_EXTRACTABLE);
    int wwt = p11a_attr_bool(a, h, obj, CKA_WRAP_WITH_TRUSTED);

    if (sensitive != 1)
        return p11a_fail(QSCD_ERR_KEY_POLICY, "key is not CKA_SENSITIVE: not used");
    if (extractable != 0 && wwt != 1)
        return p11a_fail(QSCD_ERR_KEY_POLICY, "key is extractable without "
                         "CKA_WRAP_WITH_TRUSTED: not used");
    out->backup_capable = extractable == 1;
    out->always_auth = p11a_attr_bool(a, h, obj, CKA_ALWAYS_AUTHENTICATE) == 1;
    return QSCD_OK;
}

static CK_RV describe(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, p11a_key *out,
                      int *rc)
{
    char label[P11T_LABEL_MAX];
    size_t len;
    CK_ULONG vlen;
    CK_RV rv = attr_ulong(a, h, obj, CKA_KEY_TYPE, &out->type);

    if (rv != CKR_OK)
        return rv;
    if (p11a_attr(a, h, obj, CKA_LABEL, label, sizeof label, &len) == CKR_OK)
        p11a_padded_copy(out->label, sizeof out->label, (CK_UTF8CHAR *)label, len);
    if ((*rc = policy_check(a, h, obj, out)) != QSCD_OK)
        return CKR_OK;
    out->handle = obj;
    if (out->cls == CKO_SECRET_KEY) {
        if ((rv = attr_ulong(a, h, obj, CKA_VALUE_LEN, &vlen)) == CKR_OK)
            out->bits = 8 * vlen;
        return rv;
    }
    if (out->type == CKK_EC)
        return ec_describe(a, h, obj, out, rc);
    if (out->type == CKK_RSA)
        return rsa_describe(a, h, obj, out, rc);
    *rc = p11a_fail(QSCD_ERR_KEY_POLICY, "private key of type 0x%lx: outside the policy",
                    (unsigned long)out->type);
    return CKR_OK;
}

int p11a_key_describe(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj,
                      CK_OBJECT_CLASS cls, p11a_key *out)
{
    int rc = QSCD_OK;
    CK_RV rv;

    out->cls = cls;
    rv = describe(a, h, obj, out, &rc);
    if (rv != CKR_OK)
        rc = p11a_fail_rv("describing the key", rv);
    if (rc != QSCD_OK)
        p11a_key_clear(out);
    return rc;
}

/* -------------------------------------------------------------------------- find */

struct find_ctx { const uint8_t *id; size_t id_len; p11a_key *out; int rc; };

static CK_RV find_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct find_ctx *c = vctx;
    static const CK_OBJECT_CLASS classes[2] = { CKO_PRIVATE_KEY, CKO_SECRET_KEY };
    CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;

    (void)k;
    (void)state;
    for (int i = 0; i < 2; i++) {
        int n;
        CK_RV rv = p11a_find_id(a, h, classes[i], c->id, c->id_len, &obj, &n);
        if (rv != CKR_OK)
            return rv;
        if (n > 1) {
            c->rc = p11a_fail(QSCD_ERR_EXISTS, "more than one key with this CKA_ID");
            return CKR_OK;
        }
        if (n == 1) {
            memcpy(c->out->id, c->id, c->id_len);
            c->out->id_len = c->id_len;
            c->rc = p11a_key_describe(a, h, obj, classes[i], c->out);
            return CKR_OK;
        }
    }
    c->rc = p11a_fail(QSCD_ERR_NOT_FOUND, "no key with this CKA_ID");
    return CKR_OK;
}

int p11a_key_find(p11a *a, const uint8_t *id, size_t id_len, p11a_key *out)
{
    struct find_ctx c = { id, id_len, NULL, QSCD_OK };
    p11a_key k;
    int rc;

    if (a == NULL || id == NULL || out == NULL || id_len == 0 || id_len > P11T_ID_MAX)
        return p11a_fail(QSCD_ERR_ARG, "p11a_key_find: bad argument");
    memset(&k, 0, sizeof k);
    c.out = &k;
    rc = p11a_run(a, NULL, "finding the key", find_op, &c);
    if (rc == QSCD_OK)
        rc = c.rc;
    if (rc == QSCD_OK)
        *out = k;
    return rc;
}

struct unused_ctx { const uint8_t *id; size_t id_len; int used; };

static CK_RV unused_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct unused_ctx *c = vctx;
    static const CK_OBJECT_CLASS classes[3] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY,
                                                CKO_SECRET_KEY };
    CK_OBJECT_HANDLE obj;

    (void)k;
    (void)state;
    for (int i = 0; i < 3; i++) {
        int n;
        CK_RV rv = p11a_find_id(a, h, classes[i], c->id, c->id_len, &obj, &n);
        if (rv != CKR_OK)
            return rv;
        c->used |= n > 0;
    }
    return CKR_OK;
}

int p11a_id_unused(p11a *a, const uint8_t *id, size_t id_len)
{
    struct unused_ctx c = { id, id_len, 0 };
    int rc = p11a_run(a, NULL, "looking up the CKA_ID", unused_op, &c);

    if (rc == QSCD_OK && c.used)
        rc = p11a_fail(QSCD_ERR_EXISTS, "a key with this CKA_ID is already on the token");
    return rc;
}

void p11a_key_clear(p11a_key *k)
{
    if (k == NULL)
        return;
    p11a_pkey_free(k->pub);
    memset(k, 0, sizeof *k);
}

/* -------------------------------------------------------------------- generation */

struct gen_ctx { const p11t_pair *t; p11a_key *out; int rc; };

static CK_RV gen_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct gen_ctx *c = vctx;
    CK_OBJECT_HANDLE pub, priv;
    /* The templates go to the module exactly as the verified core built them. */
    CK_MECHANISM mech = c->t->mech;
    CK_RV rv = a->f->C_GenerateKeyPair(h, &mech, (CK_ATTRIBUTE *)c->t->pub, c->t->npub,
                                       (CK_ATTRIBUTE *)c->t->priv, c->t->npriv, &pub, &priv);

    (void)k;
    (void)state;
    if (rv != CKR_OK)
        return rv;
    c->rc = p11a_key_describe(a, h, priv, CKO_PRIVATE_KEY, c->out);
    if (c->rc != QSCD_OK) {
        (void)a->f->C_DestroyObject(h, priv);
        (void)a->f->C_DestroyObject(h, pub);
    }
    return CKR_OK;
}

int p11a_key_generate(p11a *a, CK_KEY_TYPE type, CK_ULONG bits, unsigned flags,
                      const uint8_t *id, size_t id_len, const char *label, p11a_key *out)
{
    p11t_pair t;
    p11a_key k;
    struct gen_ctx c = { &t, &k, QSCD_OK };
    const char *lb = label != NULL ? label : "";
    int rc;

    if (a == NULL || id == NULL || out == NULL || (flags & ~P11A_KEY_BACKUP) != 0)
        return p11a_fail(QSCD_ERR_ARG, "p11a_key_generate: bad argument");
    /* The policy first: a refused request never reaches the module. */
    rc = p11t_pair_build(&t, type, bits, (flags & P11A_KEY_BACKUP) ? P11T_BACKUP : 0,
                         (const char *)id, id_len, lb, strlen(lb));
    if (rc == QSCD_ERR_KEY_POLICY)
        return p11a_fail(rc, "key type 0x%lx of %lu bits refused by policy (EC P-256, P-384; "
                         "RSA 2048, 3072, 4096)", (unsigned long)type, (unsigned long)bits);
    if (rc != QSCD_OK)
        return p11a_fail(rc, "p11a_key_generate: id of 1..%d bytes, label of at most %d",
                         P11T_ID_MAX, P11T_LABEL_MAX);
    if ((rc = p11a_id_unused(a, id, id_len)) != QSCD_OK)
        return rc;
    memset(&k, 0, sizeof k);
    memcpy(k.id, id, id_len);
    k.id_len = id_len;
    rc = p11a_run(a, NULL, "C_GenerateKeyPair", gen_op, &c);
    if (rc == QSCD_OK)
        rc = c.rc;
    if (rc == QSCD_OK)
        *out = k;
    return rc;
}

/* ---------------------------------------------------------------- public key, destroy */

int p11a_key_spki(const p11a_key *k, uint8_t *spki, size_t *len)
{
    unsigned char *p = spki;
    int n;

    if (k == NULL || k->pub == NULL || spki == NULL || len == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_key_spki: not a signing key, or NULL argument");
    n = i2d_PUBKEY((EVP_PKEY *)k->pub, NULL);
    if (n <= 0)
        return p11a_fail(QSCD_ERR_INTERNAL, "i2d_PUBKEY failed");
    if ((size_t)n > *len) {
        *len = (size_t)n;
        return p11a_fail(QSCD_ERR_BUFFER_TOO_SMALL, "SPKI needs %d bytes", n);
    }
    *len = (size_t)i2d_PUBKEY((EVP_PKEY *)k->pub, &p);
    return QSCD_OK;
}

static CK_RV destroy_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *unused, void *vctx,
                        int *state)
{
    static const CK_OBJECT_CLASS classes[3] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY,
                                                CKO_SECRET_KEY };
    const p11a_key *k = vctx;

    (void)unused;
    (void)state;
    for (int i = 0; i < 3; i++) {
        CK_OBJECT_HANDLE obj;
        int n;
        CK_RV rv;
        /* Every object of the class with this CKA_ID, one by one. */
        while ((rv = p11a_find_id(a, h, classes[i], k->id, k->id_len, &obj, &n)) == CKR_OK &&
               n > 0) {
            if ((rv = a->f->C_DestroyObject(h, obj)) != CKR_OK)
                return rv;
        }
        if (rv != CKR_OK)
            return rv;
    }
    return CKR_OK;
}

int p11a_key_destroy(p11a *a, p11a_key *k, const p11a_backup *backups, size_t n,
                     size_t *purge, size_t *npurge)
{
    int rc;

    if (a == NULL || k == NULL || npurge == NULL || (n > 0 && (backups == NULL ||
        purge == NULL)))
        return p11a_fail(QSCD_ERR_ARG, "p11a_key_destroy: NULL argument");
    rc = p11a_run(a, NULL, "C_DestroyObject", destroy_op, k);
    if (rc != QSCD_OK)
        return rc;
    /* SRG_KM.7.3: destruction covers every backup copy; the caller holds them. */
    *npurge = 0;
    for (size_t i = 0; i < n; i++)
        if (backups[i].key_id_len == k->id_len &&
            memcmp(backups[i].key_id, k->id, k->id_len) == 0)
            purge[(*npurge)++] = i;
    p11a_key_clear(k);
    return QSCD_OK;
}
