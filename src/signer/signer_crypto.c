/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signer's cryptography with OpenSSL: TOTP codes from the enrolled seed, the SIC
 * assertion (COSE_Sign1 ES256, encoded with the core's CBOR writer), verification of the
 * service's signatures, and the detached CMS (CAdES-B-B signed attributes) around them.
 */
#include "signer.h"

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cose.h"
#include "qscd_err.h"
#include "sam_types.h"
#include "scbor.h"

const EVP_MD *signer_md(int hash_alg)
{
    return hash_alg == 1 ? EVP_sha256() : hash_alg == 2 ? EVP_sha384()
         : hash_alg == 3 ? EVP_sha512() : NULL;
}

/* ------------------------------------------------------------------------------ TOTP */

long signer_base32_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    size_t o = 0;
    int bits = 0;

    for (size_t i = 0; i < n; i++) {
        const char *q = s[i] != '\0' ? strchr(a, s[i]) : NULL;
        if (s[i] == '=')
            break;
        if (q == NULL)
            return -1;
        acc = (acc << 5) | (uint32_t)(q - a);
        bits += 5;
        if (bits >= 8) {
            if (o == cap)
                return -1;
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return (long)o;
}

static int uri_int(const char *text, const char *key, int dflt)
{
    const char *p = strstr(text, key);

    return p != NULL ? atoi(p + strlen(key)) : dflt;
}

int signer_totp_seed(const char *path, uint8_t *seed, size_t cap, size_t *len, int *period,
                     int *digits)
{
    char text[1024];
    const char *sec;
    char *uri;
    FILE *f = fopen(path, "r");
    size_t n = f != NULL ? fread(text, 1, sizeof text - 1, f) : 0;
    long got;

    if (f != NULL)
        fclose(f);
    text[n] = '\0';
    /* The URI may follow a label or other lines (`qscd admin totp.provision` prints
     * "uri: otpauth://..."); else the first line is the Base32 secret. */
    uri = strstr(text, "otpauth://");
    (uri != NULL ? uri : text)[strcspn(uri != NULL ? uri : text, "\r\n")] = '\0';
    sec = uri != NULL ? strstr(uri, "secret=") : text;
    if (sec != NULL && uri != NULL)
        sec += 7;
    got = sec != NULL ? signer_base32_decode(sec, strcspn(sec, "&"), seed, cap) : -1;
    *period = uri != NULL ? uri_int(uri, "period=", 30) : 30;
    *digits = uri != NULL ? uri_int(uri, "digits=", 6) : 6;
    memset(text, 0, sizeof text);
    if (got < 16 || *period < 1 || *digits < 6 || *digits > 8) {
        fprintf(stderr, "qscd: %s: no usable TOTP seed (an otpauth:// URI or Base32)\n", path);
        return -1;
    }
    *len = (size_t)got;
    return 0;
}

void signer_totp_code(const uint8_t *seed, size_t len, int period, int digits, int offset,
                      char code[9])
{
    uint8_t msg[8], mac[20];
    unsigned n = sizeof mac;
    uint64_t c = (uint64_t)(time(NULL) / period + offset);
    uint32_t v, mod = 1;

    for (int i = 7; i >= 0; i--, c >>= 8)
        msg[i] = (uint8_t)c;
    HMAC(EVP_sha1(), seed, (int)len, msg, 8, mac, &n);
    v = ((uint32_t)(mac[mac[19] & 15] & 0x7f) << 24 | (uint32_t)mac[(mac[19] & 15) + 1] << 16 |
         (uint32_t)mac[(mac[19] & 15) + 2] << 8 | mac[(mac[19] & 15) + 3]);
    for (int i = 0; i < digits; i++)
        mod *= 10;
    snprintf(code, 9, "%0*u", digits, v % mod);
    OPENSSL_cleanse(mac, sizeof mac);
}

/* ------------------------------------------------------------------- SIC assertion */

static size_t assertion_payload(const uint8_t ch[32], const char *cred, uint32_t numsig,
                                int hash_alg, const uint8_t *h, size_t dlen, size_t n,
                                uint8_t *out, size_t cap)
{
    scbor_enc e;

    scbor_enc_init(&e, out, cap);
    scbor_put_map(&e, 6);
    scbor_put_uint(&e, 1);            /* version */
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, 2);            /* the SAM's challenge */
    scbor_put_bstr(&e, ch, 32);
    scbor_put_uint(&e, 3);            /* credential */
    scbor_put_bstr(&e, (const uint8_t *)cred, strlen(cred));
    scbor_put_uint(&e, 4);
    scbor_put_uint(&e, numsig);
    scbor_put_uint(&e, 5);
    scbor_put_uint(&e, (uint64_t)hash_alg);
    scbor_put_uint(&e, 6);
    scbor_put_array(&e, n);
    for (size_t j = 0; j < n; j++)
        scbor_put_bstr(&e, h + j * dlen, dlen);
    return e.err == QSCD_OK ? e.len : 0;
}

/* ES256 over the COSE Sig_structure, as r‖s. */
static int es256(EVP_PKEY *key, const uint8_t *tbs, size_t len, uint8_t rs[64])
{
    uint8_t der[80], dg[32];
    size_t sl = sizeof der;
    const uint8_t *q = der;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, NULL);
    ECDSA_SIG *sig = NULL;
    int ok = pc != NULL && EVP_Digest(tbs, len, dg, NULL, EVP_sha256(), NULL) == 1 &&
             EVP_PKEY_sign_init(pc) == 1 && EVP_PKEY_sign(pc, der, &sl, dg, 32) == 1 &&
             (sig = d2i_ECDSA_SIG(NULL, &q, (long)sl)) != NULL &&
             BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32) == 32 &&
             BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32) == 32;

    ECDSA_SIG_free(sig);
    EVP_PKEY_CTX_free(pc);
    return ok ? 0 : -1;
}

size_t signer_assertion(EVP_PKEY *key, const uint8_t ch[32], const char *cred, uint32_t numsig,
                        int hash_alg, const uint8_t *h, size_t dlen, size_t n, uint8_t *out,
                        size_t cap)
{
    uint8_t payload[2700], prot[16], tbs[2800], rs[64];
    size_t plen = assertion_payload(ch, cred, numsig, hash_alg, h, dlen, n, payload,
                                    sizeof payload), prot_len = 0;
    scbor_enc e;

    if (plen == 0 || cose_protected_header(COSE_ALG_ES256, prot, sizeof prot, &prot_len) != QSCD_OK)
        return 0;
    scbor_enc_init(&e, tbs, sizeof tbs);          /* Sig_structure, RFC 9052 §4.4 */
    scbor_put_array(&e, 4);
    scbor_put_tstr(&e, (const uint8_t *)"Signature1", 10);
    scbor_put_bstr(&e, prot, prot_len);
    scbor_put_bstr(&e, (const uint8_t *)"", 0);
    scbor_put_bstr(&e, payload, plen);
    if (e.err != QSCD_OK || es256(key, tbs, e.len, rs) != 0)
        return 0;
    scbor_enc_init(&e, out, cap);
    scbor_put_tag(&e, COSE_TAG_SIGN1);
    scbor_put_array(&e, 4);
    scbor_put_bstr(&e, prot, prot_len);
    scbor_put_map(&e, 0);
    scbor_put_bstr(&e, payload, plen);
    scbor_put_bstr(&e, rs, 64);
    return e.err == QSCD_OK ? e.len : 0;
}

/* --------------------------------------------------------------------- verification */

bool signer_verify_digest(X509 *cert, int sign_alg, int hash_alg, const uint8_t *dgst,
                          size_t dlen, const uint8_t *sig, size_t sig_len)
{
    const EVP_MD *md = signer_md(hash_alg);
    EVP_PKEY_CTX *pc = md != NULL ? EVP_PKEY_CTX_new(X509_get0_pubkey(cert), NULL) : NULL;
    bool ok = pc != NULL && (size_t)EVP_MD_get_size(md) == dlen &&
              EVP_PKEY_verify_init(pc) == 1 && EVP_PKEY_CTX_set_signature_md(pc, md) == 1;

    if (ok && sign_alg == SAM_SIGN_RSA_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, (int)dlen) == 1;
    else if (ok && sign_alg == SAM_SIGN_RSA_PKCS1)
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1;
    ok = ok && EVP_PKEY_verify(pc, sig, sig_len, dgst, dlen) == 1;
    EVP_PKEY_CTX_free(pc);
    ERR_clear_error();
    return ok;
}

/* ---------------------------------------------------------------------------- CMS */

typedef struct der_item {
    uint8_t *p;
    int n;
} der_item;

static int der_cmp(const void *a, const void *b)
{
    const der_item *x = a, *y = b;
    int c = memcmp(x->p, y->p, (size_t)(x->n < y->n ? x->n : y->n));

    return c != 0 ? c : x->n - y->n;
}

/* The DER of the signed attributes as a SET OF (X.690 §11.6: sorted), the bytes the
 * signature covers (RFC 5652 §5.4). */
static int signed_attrs_der(CMS_SignerInfo *si, uint8_t *out, size_t cap, size_t *len)
{
    int n = CMS_signed_get_attr_count(si), total = 0, rc = -1;
    der_item items[8];
    size_t o;

    if (n < 1 || n > 8)
        return -1;
    memset(items, 0, sizeof items);
    for (int i = 0; i < n; i++) {
        items[i].n = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &items[i].p);
        if (items[i].n <= 0)
            goto out;
        total += items[i].n;
    }
    qsort(items, (size_t)n, sizeof items[0], der_cmp);
    if ((size_t)total + 4 > cap || total > 0xffff)
        goto out;
    out[0] = 0x31;
    o = total < 128 ? (out[1] = (uint8_t)total, 2)
      : total < 256 ? (out[1] = 0x81, out[2] = (uint8_t)total, 3)
                    : (out[1] = 0x82, out[2] = (uint8_t)(total >> 8), out[3] = (uint8_t)total, 4);
    for (int i = 0; i < n; i++) {
        memcpy(out + o, items[i].p, (size_t)items[i].n);
        o += (size_t)items[i].n;
    }
    *len = o;
    rc = 0;
out:
    for (int i = 0; i < n; i++)
        OPENSSL_free(items[i].p);
    return rc;
}

int signer_cms_prepare(X509 *cert, STACK_OF(X509) *chain, int hash_alg,
                       const uint8_t *content_digest, size_t dlen, CMS_ContentInfo **out,
                       uint8_t *tbs, size_t *tbs_len)
{
    const EVP_MD *md = signer_md(hash_alg);
    unsigned flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES;
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, chain, NULL, flags);
    /* The certificate's public key stands in for the private key the service holds:
     * OpenSSL only checks that they match and reads the algorithm from it. */
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    CMS_SignerInfo *si = cms != NULL && md != NULL ? CMS_add1_signer(cms, cert, pub, md, flags) : NULL;
    ASN1_TIME *now = X509_gmtime_adj(NULL, 0);
    uint8_t attrs[4096];
    size_t alen = 0;
    unsigned int n = 0;
    int ok = si != NULL && now != NULL &&
             CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                         OBJ_nid2obj(NID_pkcs7_data), -1) == 1 &&
             CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(now), now, -1) == 1 &&
             CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                         content_digest, (int)dlen) == 1 &&
             signed_attrs_der(si, attrs, sizeof attrs, &alen) == 0 &&
             EVP_Digest(attrs, alen, tbs, &n, md, NULL) == 1;

    ASN1_TIME_free(now);
    if (!ok) {
        fprintf(stderr, "qscd: cannot build the CMS structure\n");
        ERR_print_errors_fp(stderr);
        CMS_ContentInfo_free(cms);
        return -1;
    }
    *tbs_len = n;
    *out = cms;
    return 0;
}

int signer_cms_finish(CMS_ContentInfo *cms, const uint8_t *sig, size_t sig_len, const char *path)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    ASN1_OCTET_STRING *os = si != NULL ? CMS_SignerInfo_get0_signature(si) : NULL;
    BIO *b = NULL;
    int ok = os != NULL && ASN1_STRING_set(os, sig, (int)sig_len) == 1 &&
             (b = BIO_new_file(path, "wb")) != NULL && i2d_CMS_bio(b, cms) == 1;

    ok = BIO_free(b) == 1 && ok;
    if (!ok)
        fprintf(stderr, "qscd: cannot write %s\n", path);
    return ok ? 0 : -1;
}

int signer_cms_verify(const char *file, const char *p7s, const char *cafile, char *who,
                      size_t cap)
{
    BIO *in = BIO_new_file(p7s, "rb"), *content = BIO_new_file(file, "rb");
    CMS_ContentInfo *cms = in != NULL ? d2i_CMS_bio(in, NULL) : NULL;
    X509_STORE *st = X509_STORE_new();
    STACK_OF(X509) *signers = NULL;
    int ok;

    ok = cms != NULL && content != NULL && st != NULL &&
         X509_STORE_load_file(st, cafile) == 1 &&
         X509_STORE_set_purpose(st, X509_PURPOSE_ANY) == 1 &&
         CMS_verify(cms, NULL, st, content, NULL, CMS_BINARY | CMS_DETACHED) == 1;
    if (ok && (signers = CMS_get0_signers(cms)) != NULL && sk_X509_num(signers) > 0)
        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), who, (int)cap);
    if (!ok)
        ERR_print_errors_fp(stderr);
    sk_X509_free(signers);
    X509_STORE_free(st);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(content);
    return ok ? 0 : -1;
}
