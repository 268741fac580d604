/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing pre-hashed digests in the module (CKM_ECDSA, CKM_RSA_PKCS over a DigestInfo,
 * CKM_RSA_PKCS_PSS), with the per-signature context login of CKA_ALWAYS_AUTHENTICATE keys,
 * and checking every signature with OpenSSL: never trust a module's signature unverified.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "p11a_int.h"

#define SIG_MAX 512   /* RSA-4096 */

size_t p11a_hash_len(p11a_hash hash)
{
    switch (hash) {
    case P11A_SHA1: return 20;
    case P11A_SHA256: return 32;
    case P11A_SHA384: return 48;
    case P11A_SHA512: return 64;
    default: return 0;
    }
}

static const EVP_MD *hash_md(p11a_hash hash)
{
    switch (hash) {
    case P11A_SHA256: return EVP_sha256();
    case P11A_SHA384: return EVP_sha384();
    case P11A_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

/* The checks every signing or verifying request passes before anything else. */
static int request_check(p11a_sigalg alg, p11a_hash hash, size_t digest_len, int key_is_ec)
{
    if (hash == P11A_SHA1 || hash_md(hash) == NULL)
        return p11a_fail(QSCD_ERR_HASH_ALG, "hash algorithm refused (SHA-256, SHA-384, "
                         "SHA-512 only; ETSI TS 119 312)");
    if (digest_len != p11a_hash_len(hash))
        return p11a_fail(QSCD_ERR_DIGEST_LENGTH, "digest of %zu bytes for a %zu-byte hash",
                         digest_len, p11a_hash_len(hash));
    if (alg < P11A_ECDSA || alg > P11A_RSA_PSS ||
        ((alg == P11A_ECDSA || alg == P11A_ECDSA_DER) != key_is_ec))
        return p11a_fail(QSCD_ERR_SIGN_ALG, "signature algorithm does not fit the key");
    return QSCD_OK;
}

/* ------------------------------------------------------------------ OpenSSL keys */

void p11a_pkey_free(void *pkey)
{
    EVP_PKEY_free(pkey);
}

void *p11a_pkey_from_spki(const uint8_t *spki, size_t len)
{
    const unsigned char *p = spki;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);

    if (k != NULL && p != spki + len) {   /* trailing bytes */
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

static void *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = bld != NULL ? OSSL_PARAM_BLD_to_param(bld) : NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *k = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        k = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return k;
}

void *p11a_pkey_ec(CK_ULONG bits, const uint8_t *point, size_t point_len)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    const char *group = bits == 256 ? "prime256v1" : bits == 384 ? "secp384r1" : NULL;

    if (bld == NULL || group == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len)) {
        OSSL_PARAM_BLD_free(bld);
        return NULL;
    }
    return pkey_from_params("EC", bld);
}

void *p11a_pkey_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *be = BN_bin2bn(e, (int)e_len, NULL);
    void *k = NULL;

    if (bld != NULL && bn != NULL && be != NULL &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be)) {
        k = pkey_from_params("RSA", bld);
        bld = NULL;
    }
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return k;
}

/* ------------------------------------------------------------------ verification */

int p11a_ecdsa_to_der(const uint8_t *raw, size_t raw_len, uint8_t *der, size_t *der_len)
{
    ECDSA_SIG *sig;
    BIGNUM *r, *s;
    unsigned char *p = der;
    int n;

    if (raw == NULL || der == NULL || der_len == NULL || raw_len == 0 || raw_len % 2 != 0 ||
        raw_len > 132)
        return p11a_fail(QSCD_ERR_ARG, "raw ECDSA signature of %zu bytes", raw_len);
    sig = ECDSA_SIG_new();
    r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
    s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
    if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return p11a_fail(QSCD_ERR_NOMEM, "out of memory");
    }
    n = i2d_ECDSA_SIG(sig, NULL);
    if (n <= 0 || (size_t)n > *der_len) {
        ECDSA_SIG_free(sig);
        *der_len = n > 0 ? (size_t)n : 0;
        return p11a_fail(QSCD_ERR_BUFFER_TOO_SMALL, "DER signature needs %d bytes", n);
    }
    *der_len = (size_t)i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    return QSCD_OK;
}

static int ctx_setup(EVP_PKEY_CTX *ctx, p11a_sigalg alg, const EVP_MD *md, size_t hlen)
{
    if (EVP_PKEY_verify_init(ctx) <= 0 || EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
        return 0;
    if (alg == P11A_RSA_PKCS1)
        return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
    if (alg == P11A_RSA_PSS)
        return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)hlen) > 0;
    return 1;
}

int p11a_verify_pkey(void *pkey, p11a_sigalg alg, p11a_hash hash, const uint8_t *digest,
                     size_t digest_len, const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY *k = pkey;
    EVP_PKEY_CTX *ctx;
    uint8_t der[160];
    size_t der_len = sizeof der;
    int rc, ok;

    rc = request_check(alg, hash, digest_len, EVP_PKEY_get_base_id(k) == EVP_PKEY_EC);
    if (rc != QSCD_OK)
        return rc;
    if (alg == P11A_ECDSA) {
        /* r || s, each exactly as long as the curve's order. */
        if (sig_len != 2 * (size_t)((EVP_PKEY_get_bits(k) + 7) / 8) ||
            p11a_ecdsa_to_der(sig, sig_len, der, &der_len) != QSCD_OK)
            return p11a_fail(QSCD_ERR_P11_SIGNATURE, "ECDSA signature: wrong length");
        sig = der;
        sig_len = der_len;
    }
    ctx = EVP_PKEY_CTX_new(k, NULL);
    if (ctx == NULL)
        return p11a_fail(QSCD_ERR_NOMEM, "out of memory");
    /* OpenSSL's ECDSA verification re-encodes the DER and compares: non-canonical
     * encodings and trailing bytes are rejected. */
    ok = ctx_setup(ctx, alg, hash_md(hash), digest_len) &&
         EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? QSCD_OK : p11a_fail(QSCD_ERR_P11_SIGNATURE, "signature does not verify");
}

int p11a_verify(const uint8_t *spki, size_t spki_len, p11a_sigalg alg, p11a_hash hash,
                const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len)
{
    void *k;
    int rc;

    if (spki == NULL || digest == NULL || sig == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_verify: NULL argument");
    k = p11a_pkey_from_spki(spki, spki_len);
    if (k == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_verify: not a SubjectPublicKeyInfo");
    rc = p11a_verify_pkey(k, alg, hash, digest, digest_len, sig, sig_len);
    p11a_pkey_free(k);
    return rc;
}

/* ----------------------------------------------------------------------- signing */

/* DigestInfo prefixes (RFC 8017 9.2, note 1) for CKM_RSA_PKCS over a digest. */
static const uint8_t di_sha256[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
    0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t di_sha384[19] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
    0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
static const uint8_t di_sha512[19] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
    0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };

struct sign_ctx {
    CK_MECHANISM mech;
    CK_RSA_PKCS_PSS_PARAMS pss;
    uint8_t data[19 + 64];
    CK_ULONG data_len;
    uint8_t sig[SIG_MAX];
    CK_ULONG sig_len;
};

CK_RV p11a_sign_once(p11a *a, CK_SESSION_HANDLE h, CK_MECHANISM *mech, const p11a_key *k,
                     const uint8_t *in, CK_ULONG in_len, uint8_t *out, CK_ULONG *out_len,
                     int *state)
{
    CK_RV rv = a->f->C_SignInit(h, mech, p11a_key_handle(k));

    if (rv != CKR_OK)
        return rv;
    if (k->always_auth) {
        /* The key's activation: one context-specific login per signature, given only
         * after C_SignInit and consumed by the next C_Sign. */
        rv = a->f->C_Login(h, CKU_CONTEXT_SPECIFIC, a->pin, a->pin_len);
        if (rv != CKR_OK) {
            *state = P11A_SESS_CLOSE;   /* the signing operation is still active */
            return rv;
        }
    }
    rv = a->f->C_Sign(h, (CK_BYTE *)in, in_len, out, out_len);
    if (rv == CKR_BUFFER_TOO_SMALL)
        *state = P11A_SESS_CLOSE;       /* this one leaves the operation active too */
    return rv;
}

static CK_RV sign_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    struct sign_ctx *c = vctx;

    c->sig_len = sizeof c->sig;
    return p11a_sign_once(a, h, &c->mech, k, c->data, c->data_len, c->sig, &c->sig_len, state);
}

/* The mechanism and the data the module signs. */
static void sign_prepare(struct sign_ctx *c, p11a_sigalg alg, p11a_hash hash,
                         const uint8_t *digest, size_t dlen)
{
    static const CK_MECHANISM_TYPE hmech[] = { 0, 0, CKM_SHA256, CKM_SHA384, CKM_SHA512 };
    static const CK_RSA_PKCS_MGF_TYPE mgf[] = { 0, 0, CKG_MGF1_SHA256, CKG_MGF1_SHA384,
                                                CKG_MGF1_SHA512 };
    const uint8_t *di = hash == P11A_SHA256 ? di_sha256 : hash == P11A_SHA384 ? di_sha384
                      : di_sha512;

    memset(&c->mech, 0, sizeof c->mech);
    c->data_len = 0;
    if (alg == P11A_RSA_PKCS1) {
        c->mech.mechanism = CKM_RSA_PKCS;
        memcpy(c->data, di, 19);
        c->data_len = 19;
    } else if (alg == P11A_RSA_PSS) {
        c->mech.mechanism = CKM_RSA_PKCS_PSS;
        c->pss.hashAlg = hmech[hash];
        c->pss.mgf = mgf[hash];
        c->pss.sLen = dlen;   /* salt as long as the hash */
        c->mech.pParameter = &c->pss;
        c->mech.ulParameterLen = sizeof c->pss;
    } else {
        c->mech.mechanism = CKM_ECDSA;
    }
    memcpy(c->data + c->data_len, digest, dlen);
    c->data_len += dlen;
}

static int sign_output(p11a_key *k, p11a_sigalg alg, const struct sign_ctx *c, uint8_t *sig,
                       size_t *sig_len)
{
    uint8_t der[160];
    size_t der_len = sizeof der;
    const uint8_t *out = c->sig;
    size_t out_len = c->sig_len;

    (void)k;
    if (alg == P11A_ECDSA_DER) {
        int rc = p11a_ecdsa_to_der(c->sig, c->sig_len, der, &der_len);
        if (rc != QSCD_OK)
            return rc;
        out = der;
        out_len = der_len;
    }
    if (out_len > *sig_len) {
        *sig_len = out_len;
        return p11a_fail(QSCD_ERR_BUFFER_TOO_SMALL, "signature needs %zu bytes", out_len);
    }
    memcpy(sig, out, out_len);
    *sig_len = out_len;
    return QSCD_OK;
}

int p11a_sign(p11a *a, p11a_key *k, p11a_sigalg alg, p11a_hash hash, const uint8_t *digest,
              size_t digest_len, uint8_t *sig, size_t *sig_len)
{
    struct sign_ctx c;
    int rc;

    if (a == NULL || k == NULL || digest == NULL || sig == NULL || sig_len == NULL ||
        k->cls != CKO_PRIVATE_KEY || k->pub == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_sign: not a signing key, or NULL argument");
    /* Every check before the module is called. */
    if ((rc = request_check(alg, hash, digest_len, k->type == CKK_EC)) != QSCD_OK)
        return rc;
    sign_prepare(&c, alg, hash, digest, digest_len);
    rc = p11a_run(a, k, "C_Sign", sign_op, &c);
    if (rc != QSCD_OK)
        return rc;
    if ((a->flags & P11A_NO_VERIFY) == 0) {
        rc = p11a_verify_pkey(k->pub, alg == P11A_ECDSA_DER ? P11A_ECDSA : alg, hash, digest,
                              digest_len, c.sig, c.sig_len);
        if (rc != QSCD_OK) {
            *sig_len = 0;
            return p11a_fail(QSCD_ERR_P11_SIGNATURE, "the module's signature does not verify "
                             "with the key's public key: not returned");
        }
    }
    return sign_output(k, alg, &c, sig, sig_len);
}
