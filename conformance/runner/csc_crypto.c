/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CSC target's cryptography, all OpenSSL: TOTP codes (RFC 6238) for the signer's second
 * factor, Base64, and the check of every signature a service returns against the
 * credential's certificate (ECDSA DER, RSA PKCS#1 v1.5 over a DigestInfo, RSASSA-PSS with the
 * parameters the request named). Independent of the implementation under test.
 */
#include "csc.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *oid; const char *name; size_t len; } HASHES[] = {
    {"2.16.840.1.101.3.4.2.1", "SHA256", 32},
    {"2.16.840.1.101.3.4.2.2", "SHA384", 48},
    {"2.16.840.1.101.3.4.2.3", "SHA512", 64},
    {"1.3.14.3.2.26", "SHA1", 20},
};

static const struct { const char *oid; const char *hash; } IMPLIED[] = {
    {"1.2.840.10045.4.3.2", "2.16.840.1.101.3.4.2.1"},
    {"1.2.840.10045.4.3.3", "2.16.840.1.101.3.4.2.2"},
    {"1.2.840.10045.4.3.4", "2.16.840.1.101.3.4.2.3"},
    {"1.2.840.113549.1.1.11", "2.16.840.1.101.3.4.2.1"},
    {"1.2.840.113549.1.1.12", "2.16.840.1.101.3.4.2.2"},
    {"1.2.840.113549.1.1.13", "2.16.840.1.101.3.4.2.3"},
};

size_t csc_hash_len(const char *oid)
{
    for (size_t i = 0; oid && i < sizeof HASHES / sizeof HASHES[0]; i++)
        if (strcmp(HASHES[i].oid, oid) == 0)
            return HASHES[i].len;
    return 0;
}

static const EVP_MD *hash_md(const char *oid)
{
    for (size_t i = 0; oid && i < sizeof HASHES / sizeof HASHES[0]; i++)
        if (strcmp(HASHES[i].oid, oid) == 0)
            return EVP_get_digestbyname(HASHES[i].name);
    return NULL;
}

const char *csc_implied_hash(const char *sign_algo)
{
    for (size_t i = 0; sign_algo && i < sizeof IMPLIED / sizeof IMPLIED[0]; i++)
        if (strcmp(IMPLIED[i].oid, sign_algo) == 0)
            return IMPLIED[i].hash;
    return NULL;
}

long csc_b64_decode(const char *in, uint8_t *out, size_t cap)
{
    size_t n = strlen(in);
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
        return -1;
    int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (len < 0)
        return -1;
    if (in[n - 1] == '=')
        len--;
    if (in[n - 2] == '=')
        len--;
    return len;
}

char *csc_b64_encode(const uint8_t *in, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return out;
}

/* RFC 4648 Base32, upper or lower case, padding and spaces ignored. */
static int base32_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
    uint32_t acc = 0;
    int bits = 0;
    *len = 0;
    for (size_t i = 0; i < n; i++) {
        int c = toupper((unsigned char)s[i]), v;
        if (c == '=' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= '2' && c <= '7')
            v = c - '2' + 26;
        else
            return -1;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            if (*len == cap)
                return -1;
            out[(*len)++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return *len > 0 ? 0 : -1;
}

/* The value of query parameter `key` in an otpauth:// URI, or NULL; *n its length. */
static const char *uri_param(const char *uri, const char *key, size_t *n)
{
    size_t kl = strlen(key);
    const char *p = strchr(uri, '?');
    while (p) {
        p++;
        if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
            *n = strcspn(p + kl + 1, "&\r\n");
            return p + kl + 1;
        }
        p = strchr(p, '&');
    }
    return NULL;
}

int csc_totp_parse(const char *text, uint8_t *seed, size_t cap, size_t *len, int *digits,
                   int *step)
{
    const char *uri = strstr(text, "otpauth://");
    size_t n;
    if (!uri) {
        n = strcspn(text, "\r\n");
        return base32_decode(text, n, seed, cap, len);
    }
    const char *s = uri_param(uri, "secret", &n);
    if (!s || base32_decode(s, n, seed, cap, len) != 0)
        return -1;
    const char *d = uri_param(uri, "digits", &n);
    if (d)
        *digits = atoi(d);
    const char *p = uri_param(uri, "period", &n);
    if (p)
        *step = atoi(p);
    const char *a = uri_param(uri, "algorithm", &n);
    if (a && !(n == 4 && strncasecmp(a, "SHA1", 4) == 0))
        return -1;   /* only HMAC-SHA-1 codes are produced here */
    return 0;
}

int csc_totp(const uint8_t *seed, size_t seed_len, uint64_t c, int digits, char *out)
{
    uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)c;
        c >>= 8;
    }
    if (digits < 6 || digits > 8 ||
        !HMAC(EVP_sha1(), seed, (int)seed_len, msg, sizeof msg, mac, &maclen) || maclen != 20)
        return -1;
    int off = mac[19] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    uint32_t code = bin % mod;
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + code % 10);
        code /= 10;
    }
    out[digits] = '\0';
    cf_wipe(mac, sizeof mac);
    return 0;
}

/* RSASSA-PSS-params (DER): the hash is checked to be the request's; the salt length is
 * read, default 20 (RFC 4055). A minimal reader: [2] INTEGER salt anywhere at top level. */
static int pss_salt(const char *params_b64, int *salt)
{
    uint8_t der[256];
    long n = params_b64 ? csc_b64_decode(params_b64, der, sizeof der) : -1;
    *salt = 20;
    if (n < 2 || der[0] != 0x30 || der[1] + 2 != n)
        return -1;
    for (long i = 2; i + 1 < n;) {
        uint8_t tag = der[i], l = der[i + 1];
        if (l & 0x80 || i + 2 + l > n)
            return -1;
        if (tag == 0xa2 && l >= 3 && der[i + 2] == 0x02 && der[i + 3] <= 2) {
            *salt = 0;
            for (int k = 0; k < der[i + 3]; k++)
                *salt = (*salt << 8) | der[i + 4 + k];
        }
        i += 2 + l;
    }
    return 0;
}

static int verify_with(EVP_PKEY *pk, const char *algo, const EVP_MD *md, const char *params,
                       const uint8_t *dg, size_t dlen, const uint8_t *sig, size_t slen,
                       char *err, size_t errlen)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    int rsa = EVP_PKEY_base_id(pk) == EVP_PKEY_RSA, ok = ctx && EVP_PKEY_verify_init(ctx) > 0;
    int salt = 0;
    if (ok && rsa && strcmp(algo, "1.2.840.113549.1.1.10") == 0) {
        if (pss_salt(params, &salt) != 0) {
            snprintf(err, errlen, "cannot read the RSASSA-PSS parameters of the request");
            EVP_PKEY_CTX_free(ctx);
            return -1;
        }
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt) > 0;
    } else if (ok && rsa) {
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(ctx, md) > 0;
    }
    int r = ok ? EVP_PKEY_verify(ctx, sig, slen, dg, dlen) : -1;
    EVP_PKEY_CTX_free(ctx);
    if (r < 0)
        snprintf(err, errlen, "OpenSSL could not check the signature");
    return r == 1 ? 1 : r < 0 ? -1 : 0;
}

int csc_verify(const uint8_t *cert, size_t cert_len, const char *sign_algo,
               const char *hash_oid, const char *pss_params_b64, const uint8_t *digest,
               size_t dlen, const uint8_t *sig, size_t sig_len, char *err, size_t errlen)
{
    const uint8_t *p = cert;
    X509 *x = d2i_X509(NULL, &p, (long)cert_len);
    EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
    const char *h = hash_oid ? hash_oid : csc_implied_hash(sign_algo);
    const EVP_MD *md = hash_md(h);
    int r = -1;
    if (!pk)
        snprintf(err, errlen, "the credential's certificate does not parse");
    else if (!md)
        snprintf(err, errlen, "no hash algorithm known for signAlgo %s", sign_algo);
    else
        r = verify_with(pk, sign_algo, md, pss_params_b64, digest, dlen, sig, sig_len, err,
                        errlen);
    X509_free(x);
    return r;
}
