/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backup and restore of signing keys: a key leaves the module only wrapped (AES key wrap,
 * with padding where the module has it) under a trusted, non-extractable KEK that can
 * only wrap and unwrap; restoring unwraps it with the generation policy's template. The
 * KEK is created in a security-officer session, the only one allowed to set CKA_TRUSTED.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "p11a_int.h"

/* ----------------------------------------------------------------------- the KEK */

static CK_RV kek_ceremony(p11a *a, const char *so_pin, const p11t_secret *t)
{
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE obj;
    CK_MECHANISM mech = t->mech;
    CK_RV rv, rv2;

    rv = a->f->C_OpenSession(a->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h);
    if (rv != CKR_OK)
        return rv;
    /* The login is the token's, for the whole process: the user leaves, the SO comes. */
    (void)a->f->C_Logout(h);
    rv = a->f->C_Login(h, CKU_SO, (CK_UTF8CHAR *)so_pin, strlen(so_pin));
    if (rv == CKR_OK) {
        rv = a->f->C_GenerateKey(h, &mech, (CK_ATTRIBUTE *)t->attr, t->nattr, &obj);
        (void)a->f->C_Logout(h);
    }
    /* The user comes back whatever happened; handles found before are found again by
     * CKA_ID when they are next used. */
    rv2 = p11a_login_user(a, h);
    (void)a->f->C_CloseSession(h);
    return rv != CKR_OK ? rv : rv2;
}

int p11a_kek_create(p11a *a, const char *so_pin, const uint8_t *kek_id, size_t kek_id_len,
                    const char *label)
{
    const char *lb = label != NULL ? label : "";
    p11t_secret t;
    CK_RV rv;
    int rc;

    if (a == NULL || so_pin == NULL || kek_id == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_kek_create: NULL argument");
    rc = p11t_kek_build(&t, P11T_TRUSTED, (const char *)kek_id, kek_id_len, lb, strlen(lb));
    if (rc != QSCD_OK)
        return p11a_fail(rc, "id of 1..%d bytes, label of at most %d", P11T_ID_MAX,
                         P11T_LABEL_MAX);
    if ((rc = p11a_id_unused(a, kek_id, kek_id_len)) != QSCD_OK)
        return rc;
    p11a_pool_exclusive(a);
    rv = kek_ceremony(a, so_pin, &t);
    p11a_pool_share(a);
    return p11a_fail_rv("creating the KEK (SO session)", rv);
}

/* The KEK's properties, each required: its CKA_ID found, an AES key that wraps and unwraps,
 * trusted, never extractable, sensitive, and never encrypt or decrypt (else a wrapped key
 * could be decrypted to plaintext outside the module). */
static CK_RV kek_find(p11a *a, CK_SESSION_HANDLE h, const uint8_t *id, size_t id_len,
                      CK_OBJECT_HANDLE *kek, int *rc)
{
    static const struct { CK_ATTRIBUTE_TYPE type; int want; const char *name; } req[] = {
        { CKA_WRAP, 1, "CKA_WRAP" }, { CKA_UNWRAP, 1, "CKA_UNWRAP" },
        { CKA_TRUSTED, 1, "CKA_TRUSTED" }, { CKA_SENSITIVE, 1, "CKA_SENSITIVE" },
        { CKA_EXTRACTABLE, 0, "not CKA_EXTRACTABLE" }, { CKA_ENCRYPT, 0, "not CKA_ENCRYPT" },
        { CKA_DECRYPT, 0, "not CKA_DECRYPT" },
    };
    CK_KEY_TYPE type = 0;
    size_t len;
    int n;
    CK_RV rv = p11a_find_id(a, h, CKO_SECRET_KEY, id, id_len, kek, &n);

    if (rv != CKR_OK)
        return rv;
    if (n != 1) {
        *rc = p11a_fail(n ? QSCD_ERR_P11_KEK : QSCD_ERR_NOT_FOUND, "KEK: %s secret key with "
                        "this CKA_ID", n ? "more than one" : "no");
        return CKR_OK;
    }
    if (p11a_attr(a, h, *kek, CKA_KEY_TYPE, &type, sizeof type, &len) != CKR_OK ||
        type != CKK_AES) {
        *rc = p11a_fail(QSCD_ERR_P11_KEK, "KEK is not an AES key");
        return CKR_OK;
    }
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (p11a_attr_bool(a, h, *kek, req[i].type) != req[i].want) {
            *rc = p11a_fail(QSCD_ERR_P11_KEK, "KEK refused: it must be %s", req[i].name);
            return CKR_OK;
        }
    return CKR_OK;
}

/* The module must be able to do this safely: honour CKA_WRAP_WITH_TRUSTED (else a
 * backup-capable key could be wrapped under any key) and have an AES key wrap. */
static int backup_supported(p11a *a, CK_MECHANISM_TYPE *mech)
{
    p11a_probe p;
    int rc = p11a_probe_run(a, &p);

    if (rc != QSCD_OK)
        return rc;
    if (p.wrap_with_trusted != 1)
        return p11a_fail(QSCD_ERR_UNSUPPORTED, "backup not supported on this module: it %s "
                         "CKA_WRAP_WITH_TRUSTED (probe), so a backup-capable key could leave "
                         "under any key", p.wrap_with_trusted == 0 ? "does not honour"
                         : "could not be tested for");
    if (!p.aes_key_wrap_pad && !p.aes_key_wrap)
        return p11a_fail(QSCD_ERR_UNSUPPORTED, "backup not supported on this module: no "
                         "CKM_AES_KEY_WRAP_PAD or CKM_AES_KEY_WRAP");
    *mech = p.aes_key_wrap_pad ? CKM_AES_KEY_WRAP_PAD : CKM_AES_KEY_WRAP;
    return QSCD_OK;
}

/* backup_id: SHA-256 over every field, each length-prefixed, under a version label. */
static int backup_digest(const p11a_backup *b, uint8_t out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint64_t v[6] = { b->key_id_len, b->type, b->bits, b->kek_id_len, b->mech,
                      b->wrapped_len };
    uint64_t lens[2] = { strlen(b->label), b->spki_len };
    unsigned int n = 0;
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, "qscd-p11a-backup-1", 18) &&
             EVP_DigestUpdate(md, v, sizeof v) && EVP_DigestUpdate(md, lens, sizeof lens) &&
             EVP_DigestUpdate(md, b->key_id, b->key_id_len) &&
             EVP_DigestUpdate(md, b->label, lens[0]) &&
             EVP_DigestUpdate(md, b->kek_id, b->kek_id_len) &&
             EVP_DigestUpdate(md, b->wrapped, b->wrapped_len) &&
             EVP_DigestUpdate(md, b->spki, b->spki_len) &&
             EVP_DigestFinal_ex(md, out, &n) && n == 32;

    EVP_MD_CTX_free(md);
    return ok ? QSCD_OK : p11a_fail(QSCD_ERR_INTERNAL, "SHA-256 failed");
}

/* ------------------------------------------------------------------------ backup */

struct backup_ctx { p11a_backup *b; int rc; };

static CK_RV backup_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct backup_ctx *c = vctx;
    CK_MECHANISM mech = { c->b->mech, NULL, 0 };
    CK_OBJECT_HANDLE kek;
    CK_ULONG len = sizeof c->b->wrapped;
    CK_RV rv = kek_find(a, h, c->b->kek_id, c->b->kek_id_len, &kek, &c->rc);

    (void)state;
    if (rv != CKR_OK || c->rc != QSCD_OK)
        return rv;
    rv = a->f->C_WrapKey(h, &mech, kek, p11a_key_handle(k), c->b->wrapped, &len);
    c->b->wrapped_len = rv == CKR_OK ? len : 0;
    return rv;
}

int p11a_key_backup(p11a *a, p11a_key *k, const uint8_t *kek_id, size_t kek_id_len,
                    p11a_backup *out)
{
    struct backup_ctx c;
    int rc;

    if (a == NULL || k == NULL || kek_id == NULL || out == NULL || kek_id_len == 0 ||
        kek_id_len > P11T_ID_MAX)
        return p11a_fail(QSCD_ERR_ARG, "p11a_key_backup: bad argument");
    if (k->cls != CKO_PRIVATE_KEY || !k->backup_capable || k->pub == NULL)
        return p11a_fail(QSCD_ERR_KEY_POLICY, "key not generated backup-capable: it never "
                         "leaves the module");
    memset(out, 0, sizeof *out);
    if ((rc = backup_supported(a, &out->mech)) != QSCD_OK)
        return rc;
    memcpy(out->key_id, k->id, k->id_len);
    out->key_id_len = k->id_len;
    memcpy(out->label, k->label, sizeof out->label);
    out->type = k->type;
    out->bits = k->bits;
    memcpy(out->kek_id, kek_id, kek_id_len);
    out->kek_id_len = kek_id_len;
    out->spki_len = sizeof out->spki;
    if ((rc = p11a_key_spki(k, out->spki, &out->spki_len)) != QSCD_OK)
        return rc;
    c.b = out;
    c.rc = QSCD_OK;
    rc = p11a_run(a, k, "C_WrapKey", backup_op, &c);
    if (rc == QSCD_OK)
        rc = c.rc;
    if (rc == QSCD_OK)
        rc = backup_digest(out, out->backup_id);
    if (rc != QSCD_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ----------------------------------------------------------------------- restore */

/* The public-key object of a restored key, from the backup's SPKI (public data). */
struct pub_values { uint8_t a[P11A_SPKI_MAX]; size_t a_len; uint8_t b[16]; size_t b_len; };

static int pub_values(const p11a_backup *bk, struct pub_values *v)
{
    EVP_PKEY *k = p11a_pkey_from_spki(bk->spki, bk->spki_len);
    BIGNUM *n = NULL, *e = NULL;
    int ok = 0;

    if (k != NULL && bk->type == CKK_EC) {
        uint8_t pt[200];
        size_t len = 0;
        /* CKA_EC_POINT: the uncompressed point inside a DER OCTET STRING. */
        ok = EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &len)
             && len < 128;
        v->a[0] = 0x04;
        v->a[1] = (uint8_t)len;
        memcpy(v->a + 2, pt, len);
        v->a_len = len + 2;
    } else if (k != NULL && bk->type == CKK_RSA) {
        ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) &&
             EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) &&
             BN_num_bytes(n) <= (int)sizeof v->a && BN_num_bytes(e) <= (int)sizeof v->b;
        if (ok) {
            v->a_len = (size_t)BN_bn2bin(n, v->a);
            v->b_len = (size_t)BN_bn2bin(e, v->b);
        }
    }
    BN_free(n);
    BN_free(e);
    EVP_PKEY_free(k);
    return ok ? QSCD_OK : p11a_fail(QSCD_ERR_P11_WRAPPED, "backup's public key unusable");
}

struct restore_ctx { const p11a_backup *b; const p11t_pair *t; p11a_key *out; int rc; };

static CK_RV restore_public(p11a *a, CK_SESSION_HANDLE h, const struct restore_ctx *c,
                            struct pub_values *v)
{
    const p11t_pair *t = c->t;
    CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
    CK_KEY_TYPE type = c->b->type;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE tmpl[12] = {
        { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &type, sizeof type },
        { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &no, 1 }, { CKA_VERIFY, &yes, 1 },
        { CKA_ENCRYPT, &no, 1 }, { CKA_WRAP, &no, 1 }, { CKA_VERIFY_RECOVER, &no, 1 },
        { CKA_ID, (void *)c->b->key_id, c->b->key_id_len },
        { CKA_LABEL, (void *)c->b->label, strlen(c->b->label) },
    };
    CK_OBJECT_HANDLE obj;

    if (type == CKK_EC) {
        tmpl[10] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)t->ec_params.c,
                                   c->b->bits == 256 ? sizeof p11a_oid_p256
                                   : sizeof p11a_oid_p384 };
        tmpl[11] = (CK_ATTRIBUTE){ CKA_EC_POINT, v->a, v->a_len };
    } else {
        tmpl[10] = (CK_ATTRIBUTE){ CKA_MODULUS, v->a, v->a_len };
        tmpl[11] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, v->b, v->b_len };
    }
    return a->f->C_CreateObject(h, tmpl, 12, &obj);
}

static CK_RV restore_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct restore_ctx *c = vctx;
    CK_MECHANISM mech = { c->b->mech, NULL, 0 };
    struct pub_values v;
    CK_OBJECT_HANDLE kek, priv;
    CK_RV rv = kek_find(a, h, c->b->kek_id, c->b->kek_id_len, &kek, &c->rc);

    (void)k;
    (void)state;
    if (rv != CKR_OK || c->rc != QSCD_OK)
        return rv;
    if ((c->rc = pub_values(c->b, &v)) != QSCD_OK)
        return CKR_OK;
    /* The private template of generation, exactly as the verified core built it. */
    rv = a->f->C_UnwrapKey(h, &mech, kek, (CK_BYTE *)c->b->wrapped, c->b->wrapped_len,
                           (CK_ATTRIBUTE *)c->t->priv, c->t->npriv, &priv);
    if (rv != CKR_OK)
        return rv;
    rv = restore_public(a, h, c, &v);
    if (rv == CKR_OK)
        c->rc = p11a_key_describe(a, h, priv, CKO_PRIVATE_KEY, c->out);
    if (rv != CKR_OK || c->rc != QSCD_OK)
        (void)a->f->C_DestroyObject(h, priv);
    return rv;
}

/* The restored key must be the backed-up one: sign a random digest, verify it with the
 * backup's public key. */
static int restore_check(p11a *a, p11a_key *k)
{
    uint8_t digest[32], sig[512];
    size_t len = sizeof sig;
    p11a_sigalg alg = k->type == CKK_EC ? P11A_ECDSA : P11A_RSA_PSS;
    int rc = p11a_random(a, digest, sizeof digest);

    if (rc == QSCD_OK)
        rc = p11a_sign(a, k, alg, P11A_SHA256, digest, sizeof digest, sig, &len);
    if (rc == QSCD_OK)
        rc = p11a_verify_pkey(k->pub, alg, P11A_SHA256, digest, sizeof digest, sig, len);
    return rc;
}

int p11a_key_restore(p11a *a, const p11a_backup *b, p11a_key *out)
{
    p11t_pair t;
    p11a_key k;
    struct restore_ctx c = { b, &t, &k, QSCD_OK };
    uint8_t id[32];
    CK_MECHANISM_TYPE mech;
    size_t none = 0;
    int rc;

    if (a == NULL || b == NULL || out == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_key_restore: NULL argument");
    if (backup_digest(b, id) != QSCD_OK || memcmp(id, b->backup_id, sizeof id) != 0)
        return p11a_fail(QSCD_ERR_P11_WRAPPED, "backup_id does not match the backup");
    if ((rc = backup_supported(a, &mech)) != QSCD_OK)
        return rc;
    /* Same policy as generation: backup-capable again, algorithm and size re-checked. */
    rc = p11t_pair_build(&t, b->type, b->bits, P11T_BACKUP, (const char *)b->key_id,
                         b->key_id_len, b->label, strlen(b->label));
    if (rc != QSCD_OK)
        return p11a_fail(rc, "backup holds a key outside the policy");
    if ((rc = p11a_id_unused(a, b->key_id, b->key_id_len)) != QSCD_OK)
        return rc;
    memset(&k, 0, sizeof k);
    memcpy(k.id, b->key_id, b->key_id_len);
    k.id_len = b->key_id_len;
    rc = p11a_run(a, NULL, "C_UnwrapKey", restore_op, &c);
    if (rc == QSCD_OK)
        rc = c.rc;
    if (rc == QSCD_OK && (rc = restore_check(a, &k)) != QSCD_OK) {
        (void)p11a_key_destroy(a, &k, NULL, 0, NULL, &none);
        return p11a_fail(QSCD_ERR_P11_WRAPPED, "restored key does not match the backup's "
                         "public key: removed");
    }
    if (rc == QSCD_OK)
        *out = k;
    return rc;
}
