/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificates of credentials, with OpenSSL: issuing by the configured CA (a test CA made by
 * `qscd ca init`, its key in a file marked test-only), checking an imported certificate
 * (its key must be the credential's, it must chain to a trust anchor), the chain shown by
 * cred.info, and the PKCS#10 request of cred.csr, whose signature is made by the verified
 * core's sign path under a SAD and checked here with OpenSSL.
 */
#include "samd_int.h"
#include "x509u.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ----------------------------------------------------------------------- loading */

static X509 *read_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

    if (f != NULL)
        fclose(f);
    return x;
}

/* Every certificate of a comma-separated list of PEM files into the trust store. */
static int add_trust(X509_STORE *st, const char *list)
{
    char buf[SAMD_PATH_MAX], *save = NULL;

    snprintf(buf, sizeof buf, "%s", list);
    for (char *p = strtok_r(buf, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
        while (*p == ' ')
            p++;
        if (*p != '\0' && X509_STORE_load_file(st, p) != 1) {
            fprintf(stderr, "qscd sam: cannot read trust anchors from %s\n", p);
            return QSCD_ERR_CONFIG;
        }
    }
    return QSCD_OK;
}

int samd_ca_load(samd *d)
{
    struct stat st;
    X509_STORE *trust = X509_STORE_new();
    FILE *f;

    d->trust = trust;
    if (trust == NULL)
        return QSCD_ERR_NOMEM;
    if (stat(d->cfg.ca_cert, &st) == 0) {
        d->ca_cert = read_cert(d->cfg.ca_cert);
        if (d->ca_cert == NULL || X509_STORE_add_cert(trust, d->ca_cert) != 1) {
            fprintf(stderr, "qscd sam: %s: not a PEM certificate\n", d->cfg.ca_cert);
            return QSCD_ERR_CONFIG;
        }
    }
    f = d->ca_cert != NULL ? fopen(d->cfg.ca_key, "r") : NULL;
    if (f != NULL) {
        d->ca_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        if (d->ca_key == NULL || X509_check_private_key(d->ca_cert, d->ca_key) != 1) {
            fprintf(stderr, "qscd sam: %s: not the key of %s\n", d->cfg.ca_key, d->cfg.ca_cert);
            return QSCD_ERR_CONFIG;
        }
        fprintf(stderr, "qscd sam: issuing certificates with the TEST CA key %s (not for "
                        "production)\n", d->cfg.ca_key);
    }
    return add_trust(trust, d->cfg.ca_files);
}

void samd_ca_free(samd *d)
{
    EVP_PKEY_free(d->ca_key);
    X509_free(d->ca_cert);
    X509_STORE_free(d->trust);
    d->ca_key = d->ca_cert = d->trust = NULL;
}

/* --------------------------------------------------------------------- subjects */

/* CN = the signer's display name, UID = the signer's id (hex when it is not UTF-8). */
static X509_NAME *subject(const char *name, const qscd_id *signer)
{
    X509_NAME *n = X509_NAME_new();
    char uid[2 * QSCD_ID_MAX + 1];

    if (scbor_utf8_valid(signer->b, signer->len)) {
        memcpy(uid, signer->b, signer->len);
        uid[signer->len] = '\0';
    } else {
        for (size_t i = 0; i < signer->len; i++)
            snprintf(uid + 2 * i, 3, "%02x", signer->b[i]);
    }
    if (n == NULL ||
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const uint8_t *)name, -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(n, "UID", MBSTRING_UTF8, (const uint8_t *)uid, -1, -1, 0) != 1) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

static EVP_PKEY *spki_key(const uint8_t *spki, size_t len)
{
    const uint8_t *p = spki;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);

    if (k != NULL && p != spki + len) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

static int64_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    return ASN1_TIME_to_tm(t, &tm) == 1 ? (int64_t)timegm(&tm) : -1;
}

/* An OpenSSL-allocated encoding (n bytes, or n <= 0 for a failure) into a malloc'd copy. */
static int take_der(uint8_t *p, int n, uint8_t **der, size_t *len)
{
    int rc = n > 0 ? QSCD_OK : QSCD_ERR_INTERNAL;

    if (rc == QSCD_OK && (*der = malloc((size_t)n)) == NULL)
        rc = QSCD_ERR_NOMEM;
    if (rc == QSCD_OK) {
        memcpy(*der, p, (size_t)n);
        *len = (size_t)n;
    }
    OPENSSL_free(p);
    return rc;
}

static int to_der(X509 *x, uint8_t **der, size_t *len)
{
    uint8_t *p = NULL;
    int n = i2d_X509(x, &p);

    return take_der(p, n, der, len);
}

/* ----------------------------------------------------------------------- issuing */

/* Serial (positive, from the module's generator), names, validity, key, extensions. */
static int fill_cert(samd *d, X509 *x, X509_NAME *subj, EVP_PKEY *key)
{
    uint8_t serial[16];

    if (samd_random(d, serial, sizeof serial) != QSCD_OK)
        return 0;
    return x509u_start(x, serial) && X509_set_subject_name(x, subj) == 1 &&
           X509_set_issuer_name(x, X509_get_subject_name(d->ca_cert)) == 1 &&
           X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
           X509_time_adj_ex(X509_getm_notAfter(x), (int)d->cfg.cert_days, 0, NULL) != NULL &&
           X509_set_pubkey(x, key) == 1 &&
           x509u_add_ext(x, d->ca_cert, NID_basic_constraints, "critical,CA:FALSE") &&
           x509u_add_ext(x, d->ca_cert, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
           x509u_add_ext(x, d->ca_cert, NID_subject_key_identifier, "hash") &&
           x509u_add_ext(x, d->ca_cert, NID_authority_key_identifier, "keyid:always");
}

int samd_cert_issue(samd *d, const char *name, const qscd_id *signer, const uint8_t *spki,
                    size_t spki_len, uint8_t **der, size_t *der_len, int64_t *nb, int64_t *na)
{
    EVP_PKEY *key = spki_key(spki, spki_len);
    X509_NAME *subj = subject(name, signer);
    X509 *x = X509_new();
    int rc = QSCD_ERR_INTERNAL;

    *der = NULL;
    if (d->ca_cert == NULL || d->ca_key == NULL)
        rc = QSCD_ERR_CONFIG; /* no CA to issue with (see `qscd ca init`) */
    else if (key != NULL && subj != NULL && x != NULL && fill_cert(d, x, subj, key) &&
             X509_sign(x, d->ca_key, EVP_sha256()) > 0)
        rc = to_der(x, der, der_len);
    if (rc == QSCD_OK) {
        *nb = asn1_time(X509_get0_notBefore(x));
        *na = asn1_time(X509_get0_notAfter(x));
    }
    X509_free(x);
    X509_NAME_free(subj);
    EVP_PKEY_free(key);
    return rc;
}

/* ------------------------------------------------------------------ importing */

static X509 *parse_der(const uint8_t *der, size_t len)
{
    const uint8_t *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);

    if (x != NULL && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

static int same_key(X509 *x, const uint8_t *spki, size_t len)
{
    uint8_t *p = NULL;
    int n = i2d_PUBKEY(X509_get0_pubkey(x), &p);
    int same = n > 0 && (size_t)n == len && memcmp(p, spki, len) == 0;

    OPENSSL_free(p);
    return same;
}

/* The chain's signatures to a trust anchor; validity dates are the core's to judge at use. */
static int chains(samd *d, X509 *x)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int ok = ctx != NULL && X509_STORE_CTX_init(ctx, d->trust, x, NULL) == 1;

    if (ok) {
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
        ok = X509_verify_cert(ctx) == 1;
    }
    X509_STORE_CTX_free(ctx);
    return ok;
}

int samd_cert_check(samd *d, const uint8_t *der, size_t len, const uint8_t *spki,
                    size_t spki_len, int64_t *nb, int64_t *na)
{
    X509 *x = parse_der(der, len);
    int rc = QSCD_OK;

    if (x == NULL)
        rc = QSCD_ERR_ARG;
    else if (!same_key(x, spki, spki_len))
        rc = QSCD_ERR_NOT_OWNER; /* a certificate for another key */
    else if (!chains(d, x))
        rc = QSCD_ERR_CERT_MISSING; /* no trust anchor vouches for it */
    if (rc == QSCD_OK) {
        *nb = asn1_time(X509_get0_notBefore(x));
        *na = asn1_time(X509_get0_notAfter(x));
        if (*nb < 0 || *na < 0)
            rc = QSCD_ERR_ARG;
    }
    X509_free(x);
    ERR_clear_error();
    return rc;
}

int samd_cert_key_is(const uint8_t *der, size_t len, const uint8_t *spki, size_t spki_len)
{
    X509 *x = parse_der(der, len);
    int same = x != NULL && same_key(x, spki, spki_len);

    X509_free(x);
    return same;
}

int samd_cert_issuer(samd *d, const uint8_t *der, size_t len, uint8_t **ca, size_t *ca_len)
{
    X509 *x = parse_der(der, len);
    int rc = QSCD_OK;

    *ca = NULL;
    *ca_len = 0;
    if (x != NULL && d->ca_cert != NULL &&
        X509_check_issued(d->ca_cert, x) == X509_V_OK &&
        X509_verify(x, X509_get0_pubkey(d->ca_cert)) == 1)
        rc = to_der(d->ca_cert, ca, ca_len);
    X509_free(x);
    ERR_clear_error();
    return rc;
}

/* ----------------------------------------------------------------------- CSR */

static X509_REQ *csr_build(const char *name, const qscd_id *signer, const uint8_t *spki,
                           size_t spki_len)
{
    EVP_PKEY *key = spki_key(spki, spki_len);
    X509_NAME *subj = subject(name, signer);
    X509_REQ *req = X509_REQ_new();
    int ok = key != NULL && subj != NULL && req != NULL && X509_REQ_set_version(req, 0) == 1 &&
             X509_REQ_set_subject_name(req, subj) == 1 && X509_REQ_set_pubkey(req, key) == 1;

    EVP_PKEY_free(key);
    X509_NAME_free(subj);
    if (!ok) {
        X509_REQ_free(req);
        req = NULL;
    }
    return req;
}

/* The certification request info is deterministic for a name and a key, so the digest the
 * signer authorises and the one signed later are the same bytes. */
int samd_csr_tbs(const char *name, const qscd_id *signer, const uint8_t *spki, size_t spki_len,
                 uint8_t digest[32])
{
    X509_REQ *req = csr_build(name, signer, spki, spki_len);
    uint8_t *p = NULL;
    int n = req != NULL ? i2d_re_X509_REQ_tbs(req, &p) : -1;

    if (n > 0)
        SHA256(p, (size_t)n, digest);
    OPENSSL_free(p);
    X509_REQ_free(req);
    return n > 0 ? QSCD_OK : QSCD_ERR_INTERNAL;
}

static int csr_sign_with(X509_REQ *req, int sign_alg, const uint8_t *sig, size_t sig_len)
{
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
    int nid = sign_alg == SAM_SIGN_ECDSA ? NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption;
    int ok = alg != NULL && bits != NULL &&
             X509_ALGOR_set0(alg, OBJ_nid2obj(nid),
                             sign_alg == SAM_SIGN_ECDSA ? V_ASN1_UNDEF : V_ASN1_NULL, NULL) == 1 &&
             ASN1_BIT_STRING_set(bits, (uint8_t *)sig, (int)sig_len) == 1;

    if (ok) {
        bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
        bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
        ok = X509_REQ_set1_signature_algo(req, alg) == 1;
    }
    if (ok)
        X509_REQ_set0_signature(req, bits);
    else
        ASN1_BIT_STRING_free(bits);
    X509_ALGOR_free(alg);
    return ok;
}

int samd_csr_finish(const char *name, const qscd_id *signer, const uint8_t *spki,
                    size_t spki_len, int sign_alg, int hash_alg, const uint8_t *sig,
                    size_t sig_len, uint8_t **der, size_t *der_len)
{
    X509_REQ *req = csr_build(name, signer, spki, spki_len);
    EVP_PKEY *key = spki_key(spki, spki_len);
    uint8_t *tbs = NULL, *p = NULL;
    int rc = QSCD_ERR_INTERNAL, n;

    *der = NULL;
    if (hash_alg != QSCD_HASH_SHA256 || req == NULL || key == NULL ||
        i2d_re_X509_REQ_tbs(req, &tbs) <= 0 || !csr_sign_with(req, sign_alg, sig, sig_len))
        goto out;
    /* OpenSSL checks the signature the module made, as for every signature handed out. */
    if (X509_REQ_verify(req, key) != 1) {
        rc = QSCD_ERR_P11_SIGNATURE;
        goto out;
    }
    n = i2d_X509_REQ(req, &p);
    rc = take_der(p, n, der, der_len);
out:
    OPENSSL_free(tbs);
    EVP_PKEY_free(key);
    X509_REQ_free(req);
    ERR_clear_error();
    return rc;
}

/* ------------------------------------------------------------------- device keys */

int samd_spki_p256(const uint8_t *spki, size_t len)
{
    EVP_PKEY *k = spki_key(spki, len);
    char group[32] = "";
    size_t glen = 0;
    uint8_t *p = NULL;
    int n = k != NULL ? i2d_PUBKEY(k, &p) : -1;
    int ok = n > 0 && (size_t)n == len && memcmp(p, spki, len) == 0 &&
             EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
             EVP_PKEY_get_group_name(k, group, sizeof group, &glen) == 1 &&
             strcmp(group, "prime256v1") == 0;

    OPENSSL_free(p);
    EVP_PKEY_free(k);
    ERR_clear_error();
    return ok;
}
