/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL as the independent verifier: every signature a module returns is checked here
 * against the public key read back from the module (CKA_EC_POINT, CKA_MODULUS), never
 * against the module's own C_Verify. Also the attacker's side of the wrap attacks (an RSA
 * key the attacker holds, AES to recognise a revealed key).
 */
#include "p11.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <string.h>

static const EVP_MD *md_of(const char *hash)
{
    if (!hash)
        return NULL;
    if (strcmp(hash, "SHA-256") == 0) return EVP_sha256();
    if (strcmp(hash, "SHA-384") == 0) return EVP_sha384();
    if (strcmp(hash, "SHA-512") == 0) return EVP_sha512();
    if (strcmp(hash, "SHA-1") == 0) return EVP_sha1();
    return NULL;
}

int p11_ossl_digest(const char *hash, const unsigned char *msg, size_t len,
                    unsigned char *out, size_t *outlen)
{
    const EVP_MD *md = md_of(hash);
    unsigned int n = 0;
    if (!md || *outlen < (size_t)EVP_MD_get_size(md) || !EVP_Digest(msg, len, out, &n, md, NULL))
        return -1;
    *outlen = n;
    return 0;
}

size_t p11_ossl_digest_info(const char *hash, const unsigned char *dg, size_t dglen,
                            unsigned char *out, size_t cap)
{
    static const unsigned char p256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
        0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    static const unsigned char p384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
        0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
    static const unsigned char p512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
        0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
    static const unsigned char p1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03,
        0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
    const unsigned char *p = NULL;
    size_t plen = 0;
    if (strcmp(hash, "SHA-256") == 0) { p = p256; plen = sizeof p256; }
    else if (strcmp(hash, "SHA-384") == 0) { p = p384; plen = sizeof p384; }
    else if (strcmp(hash, "SHA-512") == 0) { p = p512; plen = sizeof p512; }
    else if (strcmp(hash, "SHA-1") == 0) { p = p1; plen = sizeof p1; }
    if (!p || plen + dglen > cap || p[plen - 1] != dglen)
        return 0;
    memcpy(out, p, plen);
    memcpy(out + plen, dg, dglen);
    return plen + dglen;
}

static const char *ossl_group(const char *curve)
{
    if (strcmp(curve, "P-256") == 0) return "prime256v1";
    if (strcmp(curve, "P-384") == 0) return "secp384r1";
    if (strcmp(curve, "P-521") == 0) return "secp521r1";
    if (strcmp(curve, "P-224") == 0) return "secp224r1";
    if (strcmp(curve, "P-192") == 0) return "prime192v1";
    return NULL;
}

/* CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 2.40); some modules return
 * the bare point. Unwrap only when the DER lengths match exactly. */
static void ec_point_unwrap(const unsigned char **p, CK_ULONG *len)
{
    const unsigned char *b = *p;
    if (*len > 2 && b[0] == 0x04 && b[1] < 0x80 && *len == 2u + b[1]) {
        *p += 2;
        *len -= 2;
    } else if (*len > 3 && b[0] == 0x04 && b[1] == 0x81 && *len == 3u + b[2]) {
        *p += 3;
        *len -= 3;
    }
}

static EVP_PKEY *from_params(OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = bld ? OSSL_PARAM_BLD_to_param(bld) : NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pk = NULL;
    if (params) {
        const char *name = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME) ? "EC" : "RSA";
        ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
        if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
            EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
            pk = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pk;
}

EVP_PKEY *p11_ossl_public(p11_worker *w, const p11_key *k, char *err, size_t errlen)
{
    unsigned char a[1100], b[64];
    CK_ULONG alen = sizeof a, blen = sizeof b;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pk = NULL;
    BIGNUM *n = NULL, *e = NULL;
    CK_RV rv;
    if (k->type == CKK_EC) {
        rv = p11_attr_bytes(w, k->pub, CKA_EC_POINT, a, &alen);
        const unsigned char *pt = a;
        if (rv == CKR_OK) {
            ec_point_unwrap(&pt, &alen);
            OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                            ossl_group(k->curve), 0);
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, alen);
        }
    } else {
        rv = p11_attr_bytes(w, k->pub, CKA_MODULUS, a, &alen);
        if (rv == CKR_OK)
            rv = p11_attr_bytes(w, k->pub, CKA_PUBLIC_EXPONENT, b, &blen);
        if (rv == CKR_OK) {
            n = BN_bin2bn(a, (int)alen, NULL);
            e = BN_bin2bn(b, (int)blen, NULL);
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
        }
    }
    if (rv != CKR_OK)
        snprintf(err, errlen, "cannot read the public key: %s", p11_rv_name(rv));
    else if (!(pk = from_params(bld)))
        snprintf(err, errlen, "OpenSSL does not accept the module's public key");
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pk;
}

/* PKCS#11 returns ECDSA signatures as r||s; OpenSSL verifies DER. */
static int ecdsa_der(const unsigned char *sig, size_t len, unsigned char *der, size_t cap)
{
    if (len == 0 || len % 2 || len > 2 * 66)
        return -1;
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(len / 2), NULL);
    BIGNUM *ss = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
    int n = -1;
    if (s && r && ss && ECDSA_SIG_set0(s, r, ss) == 1) {
        r = ss = NULL;
        if ((size_t)i2d_ECDSA_SIG(s, NULL) <= cap) {
            unsigned char *p = der;
            n = i2d_ECDSA_SIG(s, &p);
        }
    }
    BN_free(r);
    BN_free(ss);
    ECDSA_SIG_free(s);
    return n;
}

static int is_pss(CK_MECHANISM_TYPE m)
{
    return m == CKM_RSA_PKCS_PSS || m == CKM_SHA1_RSA_PKCS_PSS || m == CKM_SHA256_RSA_PKCS_PSS ||
           m == CKM_SHA384_RSA_PKCS_PSS || m == CKM_SHA512_RSA_PKCS_PSS;
}

static int is_prehashed(CK_MECHANISM_TYPE m)
{
    return m == CKM_ECDSA || m == CKM_RSA_PKCS || m == CKM_RSA_PKCS_PSS;
}

static int set_padding(EVP_PKEY_CTX *pctx, CK_MECHANISM_TYPE m, const EVP_MD *md, long salt)
{
    if (EVP_PKEY_get_base_id(EVP_PKEY_CTX_get0_pkey(pctx)) != EVP_PKEY_RSA)
        return 1;
    if (!is_pss(m))
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)salt) > 0;
}

int p11_ossl_verify(EVP_PKEY *pk, CK_MECHANISM_TYPE mech, const char *hash,
                    const unsigned char *input, size_t inlen, const unsigned char *sig,
                    size_t siglen, long pss_salt, char *err, size_t errlen)
{
    const EVP_MD *md = md_of(hash);
    unsigned char der[160];
    int ec = EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC;
    int r = -1;
    if (!md) {
        snprintf(err, errlen, "no digest named %s", hash ? hash : "(none)");
        return -1;
    }
    if (ec) {
        int n = ecdsa_der(sig, siglen, der, sizeof der);
        if (n < 0)
            return 0;   /* not r||s of a plausible length: not a valid signature */
        sig = der;
        siglen = (size_t)n;
    }
    if (is_prehashed(mech)) {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
        size_t mdlen = (size_t)EVP_MD_get_size(md);
        /* CKM_RSA_PKCS signed a DigestInfo: OpenSSL rebuilds it from the bare digest. */
        if (mech == CKM_RSA_PKCS && inlen >= mdlen) {
            input += inlen - mdlen;
            inlen = mdlen;
        }
        if (ctx && EVP_PKEY_verify_init(ctx) > 0 && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
            set_padding(ctx, mech, md, pss_salt))
            r = EVP_PKEY_verify(ctx, sig, siglen, input, inlen) == 1;
        EVP_PKEY_CTX_free(ctx);
    } else {
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        if (mctx && EVP_DigestVerifyInit(mctx, &pctx, md, NULL, pk) > 0 &&
            set_padding(pctx, mech, md, pss_salt))
            r = EVP_DigestVerify(mctx, sig, siglen, input, inlen) == 1;
        EVP_MD_CTX_free(mctx);
    }
    if (r < 0)
        snprintf(err, errlen, "OpenSSL could not set up the verification");
    return r;
}

int p11_ossl_aes_ecb(const unsigned char *key, size_t keylen, const unsigned char in[16],
                     unsigned char out[16])
{
    const EVP_CIPHER *c = keylen == 16 ? EVP_aes_128_ecb() : keylen == 24 ? EVP_aes_192_ecb()
                        : keylen == 32 ? EVP_aes_256_ecb() : NULL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, ok = c && ctx && EVP_EncryptInit_ex(ctx, c, NULL, key, NULL) == 1 &&
                    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
                    EVP_EncryptUpdate(ctx, out, &n, in, 16) == 1 && n == 16;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

EVP_PKEY *p11_ossl_rsa_attacker(unsigned char *n, size_t *nlen, unsigned char *e, size_t *elen)
{
    EVP_PKEY *pk = EVP_RSA_gen(2048);
    BIGNUM *bn = NULL, *be = NULL;
    int ok = pk && EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &bn) == 1 &&
             EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &be) == 1 &&
             (size_t)BN_num_bytes(bn) <= *nlen && (size_t)BN_num_bytes(be) <= *elen;
    if (ok) {
        *nlen = (size_t)BN_bn2bin(bn, n);
        *elen = (size_t)BN_bn2bin(be, e);
    } else {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    BN_free(bn);
    BN_free(be);
    return pk;
}

int p11_ossl_rsa_decrypt(EVP_PKEY *pk, int oaep, const unsigned char *in, size_t inlen,
                         unsigned char *out, size_t *outlen)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    int ok = ctx && EVP_PKEY_decrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, oaep ? RSA_PKCS1_OAEP_PADDING
                                                    : RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_decrypt(ctx, out, outlen, in, inlen) > 0;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* Is `der` (PKCS#8, from a wrapped key) the private half of `pub`? 1, 0, or -1 when the
 * bytes do not parse. */
int p11_ossl_pkcs8_matches(const unsigned char *der, size_t len, EVP_PKEY *pub)
{
    const unsigned char *p = der;
    EVP_PKEY *priv = d2i_AutoPrivateKey(NULL, &p, (long)len);
    if (!priv)
        return -1;
    int r = EVP_PKEY_eq(priv, pub) == 1;
    EVP_PKEY_free(priv);
    return r;
}

void p11_ossl_free(EVP_PKEY *pk)
{
    EVP_PKEY_free(pk);
}
