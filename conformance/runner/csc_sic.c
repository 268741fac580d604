/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SIC assertion as a signer's client makes it (spec/sap.md §3), written here from the
 * format alone so the runner judges a service's check without sharing its code: a tagged
 * COSE_Sign1 (RFC 9052) whose payload is the claims map {1: version, 2: challenge,
 * 3: credential, 4: numSignatures, 5: hash algorithm, 6: hashes}, signed ES256 with the
 * signer's device key, the signature as r||s. A small CBOR writer of its own (deterministic
 * encoding: shortest heads, definite lengths, keys in order) and OpenSSL for the key.
 */
#include "csc.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <string.h>

#define SIC_TAG_SIGN1 18u

/* --------------------------------------------------------------------- CBOR writer */

typedef struct sic_enc {
    uint8_t *p;
    size_t cap, len;
    int err;        /* set once the buffer is too small; later writes do nothing */
} sic_enc;

static void enc_bytes(sic_enc *e, const uint8_t *b, size_t n)
{
    if (e->err || n > e->cap - e->len) {
        e->err = 1;
        return;
    }
    memcpy(e->p + e->len, b, n);
    e->len += n;
}

/* An item head in its shortest form (RFC 8949 §4.2.1). */
static void enc_head(sic_enc *e, unsigned major, uint64_t v)
{
    uint8_t h[9];
    size_t n = 1, extra = v < 24 ? 0 : v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
    h[0] = (uint8_t)(major << 5 | (extra == 0 ? v : extra == 1 ? 24 : extra == 2 ? 25 :
                                                    extra == 4 ? 26 : 27));
    for (size_t i = extra; i > 0; i--)
        h[n++] = (uint8_t)(v >> (8 * (i - 1)));
    enc_bytes(e, h, n);
}

static void enc_bstr(sic_enc *e, const uint8_t *b, size_t n)
{
    enc_head(e, 2, n);
    enc_bytes(e, b, n);
}

/* A signed integer: major type 0 or 1 (COSE algorithm ids are negative). */
static void enc_int(sic_enc *e, int64_t v)
{
    if (v >= 0)
        enc_head(e, 0, (uint64_t)v);
    else
        enc_head(e, 1, (uint64_t)(-1 - v));
}

/* ---------------------------------------------------------------------- assertion */

int csc_sic_hash_code(const char *oid)
{
    static const char *const OIDS[] = {"2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2",
                                       "2.16.840.1.101.3.4.2.3"};
    for (int i = 0; oid && i < 3; i++)
        if (strcmp(oid, OIDS[i]) == 0)
            return i + 1;   /* spec/sap.md: 1 SHA-256, 2 SHA-384, 3 SHA-512 */
    return 0;
}

static size_t claims_encode(const csc_sic_claims *c, uint8_t *out, size_t cap)
{
    sic_enc e = {out, cap, 0, 0};
    enc_head(&e, 5, 6);
    enc_int(&e, 1);
    enc_int(&e, 1);                       /* version */
    enc_int(&e, 2);
    enc_bstr(&e, c->challenge, sizeof c->challenge);
    enc_int(&e, 3);
    enc_bstr(&e, (const uint8_t *)c->cred, strlen(c->cred));
    enc_int(&e, 4);
    enc_int(&e, (int64_t)c->numsig);
    enc_int(&e, 5);
    enc_int(&e, c->hash_alg);
    enc_int(&e, 6);
    enc_head(&e, 4, c->nhashes);
    for (size_t i = 0; i < c->nhashes; i++)
        enc_bstr(&e, c->hashes + i * c->dlen, c->dlen);
    return e.err ? 0 : e.len;
}

/* ECDSA over SHA-256 of tbs; the DER signature OpenSSL gives is re-cut into COSE's r||s. */
static int es256_rs(EVP_PKEY *key, const uint8_t *tbs, size_t n, uint8_t rs[64])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t der[80];
    size_t dl = sizeof der;
    const uint8_t *q = der;
    ECDSA_SIG *sig = NULL;
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(md, der, &dl, tbs, n) == 1 &&
             (sig = d2i_ECDSA_SIG(NULL, &q, (long)dl)) != NULL &&
             BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32) == 32 &&
             BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}

size_t csc_sic_assertion(EVP_PKEY *key, int cose_alg, const csc_sic_claims *c, uint8_t *out,
                         size_t cap)
{
    uint8_t payload[CSC_SIC_MAX], prot[8], tbs[CSC_SIC_MAX + 64], rs[64];
    sic_enc pe = {prot, sizeof prot, 0, 0}, te = {tbs, sizeof tbs, 0, 0}, oe = {out, cap, 0, 0};
    size_t plen = claims_encode(c, payload, sizeof payload);
    enc_head(&pe, 5, 1);                  /* protected header {1: alg} */
    enc_int(&pe, 1);
    enc_int(&pe, cose_alg);
    enc_head(&te, 4, 4);                  /* Sig_structure, RFC 9052 §4.4 */
    enc_head(&te, 3, 10);
    enc_bytes(&te, (const uint8_t *)"Signature1", 10);
    enc_bstr(&te, prot, pe.len);
    enc_bstr(&te, NULL, 0);               /* external AAD: empty */
    enc_bstr(&te, payload, plen);
    if (plen == 0 || pe.err || te.err || es256_rs(key, tbs, te.len, rs) != 0)
        return 0;
    enc_head(&oe, 6, SIC_TAG_SIGN1);
    enc_head(&oe, 4, 4);
    enc_bstr(&oe, prot, pe.len);
    enc_head(&oe, 5, 0);                  /* unprotected header: empty map */
    enc_bstr(&oe, payload, plen);
    enc_bstr(&oe, rs, sizeof rs);
    cf_wipe(payload, sizeof payload);     /* the challenge: one-time, but not to be left */
    cf_wipe(tbs, sizeof tbs);
    return oe.err ? 0 : oe.len;
}

/* ---------------------------------------------------------------------- device key */

EVP_PKEY *csc_sic_key_parse(const char *pem, char *err, size_t errlen)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    char curve[32] = "";
    BIO_free(b);
    if (!k) {
        snprintf(err, errlen, "not a PEM private key");
        return NULL;
    }
    if (EVP_PKEY_base_id(k) != EVP_PKEY_EC ||
        EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                       NULL) != 1 || strcmp(curve, "prime256v1") != 0) {
        snprintf(err, errlen, "not an EC P-256 key (ES256 needs P-256)");
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

/* ------------------------------------------------------------ for a CSC request */

/* The honest assertion (""), and the changes a service must notice, one each. */
static const char *const VARIANTS[] = {"", "otherchallenge", "otherkey", "otherhashes",
                                       "badsig", "es384"};

int csc_sic_variant_known(const char *variant)
{
    for (size_t i = 0; i < sizeof VARIANTS / sizeof VARIANTS[0]; i++)
        if (strcmp(variant, VARIANTS[i]) == 0)
            return 1;
    return 0;
}

/* The claims of an authorize request: its credentialID, numSignatures, hashAlgorithmOID
 * and hashes (decoded into hbuf), and the Base64 challenge. 0, or -1 with why. */
static int claims_of(json_t *req, const char *challenge_b64, csc_sic_claims *c, uint8_t *hbuf,
                     size_t hcap, char *why, size_t wl)
{
    json_t *hs = json_object_get(req, "hashes"), *h;
    size_t i;
    uint8_t ch[48];
    memset(c, 0, sizeof *c);
    c->cred = json_string_value(json_object_get(req, "credentialID"));
    c->hash_alg = csc_sic_hash_code(json_string_value(json_object_get(req, "hashAlgorithmOID")));
    c->numsig = (uint64_t)json_integer_value(json_object_get(req, "numSignatures"));
    c->hashes = hbuf;
    if (!c->cred || !c->hash_alg || !json_is_integer(json_object_get(req, "numSignatures")) ||
        json_array_size(hs) == 0) {
        snprintf(why, wl, "an assertion needs credentialID, numSignatures, hashAlgorithmOID "
                 "(SHA-2) and hashes in the request");
        return -1;
    }
    c->dlen = (size_t)(16 + 16 * c->hash_alg);   /* 32, 48, 64 bytes */
    json_array_foreach(hs, i, h) {
        long n = json_string_value(h) && (i + 1) * c->dlen <= hcap
                 ? csc_b64_decode(json_string_value(h), hbuf + i * c->dlen, hcap - i * c->dlen)
                 : -1;
        if (n != (long)c->dlen) {
            snprintf(why, wl, "hash %zu is not a %zu-byte Base64 digest", i + 1, c->dlen);
            return -1;
        }
    }
    c->nhashes = json_array_size(hs);
    long n = csc_b64_decode(challenge_b64, ch, sizeof ch);
    if (n != (long)sizeof c->challenge) {
        snprintf(why, wl, "the challenge is not 32 bytes of Base64 (spec/sap.md §3)");
        return -1;
    }
    memcpy(c->challenge, ch, sizeof c->challenge);
    cf_wipe(ch, sizeof ch);
    return 0;
}

char *csc_sic_for_request(EVP_PKEY *key, const char *variant, json_t *req,
                          const char *challenge_b64, char *why, size_t wl)
{
    uint8_t hbuf[32 * 64], out[CSC_SIC_MAX];
    csc_sic_claims c;
    char *b64 = NULL;
    EVP_PKEY *other = NULL;
    if (claims_of(req, challenge_b64, &c, hbuf, sizeof hbuf, why, wl) != 0)
        return NULL;
    int ok = 1;
    if (strcmp(variant, "otherchallenge") == 0)
        ok = RAND_bytes(c.challenge, sizeof c.challenge) == 1;
    else if (strcmp(variant, "otherhashes") == 0)
        ok = RAND_bytes(hbuf, (int)(c.nhashes * c.dlen)) == 1;
    else if (strcmp(variant, "otherkey") == 0)
        ok = (key = other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) != NULL;
    int alg = strcmp(variant, "es384") == 0 ? CSC_COSE_ES384 : CSC_COSE_ES256;
    size_t n = ok ? csc_sic_assertion(key, alg, &c, out, sizeof out) : 0;
    if (n && strcmp(variant, "badsig") == 0)
        out[n - 40] ^= 0x01;   /* a byte of r: the signature no longer verifies */
    if (n)
        b64 = csc_b64_encode(out, n);
    if (!b64)
        snprintf(why, wl, "the SIC assertion could not be made (OpenSSL)");
    EVP_PKEY_free(other);
    cf_wipe(&c, sizeof c);
    cf_wipe(out, sizeof out);
    return b64;
}
