/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-test of the CSC target's judge (csc_crypto.c): the verdicts on signatures must be able
 * to fail. Keys made here with OpenSSL sign random digests; the runner's check must accept
 * each signature, and refuse it over another digest, with another key, or bit-flipped, for
 * ECDSA, RSA PKCS#1 v1.5 and RSASSA-PSS. The TOTP codes are checked against RFC 6238
 * appendix B (SHA-1). Outcome lines go to $QSCD_OUTCOME_FILE (make check).
 */
#include "../csc.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static FILE *outcomes;
static int failed;

static void outcome(const char *name, int ok, const char *why)
{
    printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, ok ? "" : ": ", ok ? "" : why);
    if (outcomes)
        fprintf(outcomes, "conformance-selftest;%s;%s;%s\n", name, ok ? "PASS" : "FAIL",
                ok ? "" : why);
    failed |= !ok;
}

static EVP_PKEY *keygen(int rsa)
{
    return rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
               : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A self-signed certificate for k, as DER. */
static int cert_of(EVP_PKEY *k, uint8_t *der, size_t cap)
{
    X509 *x = X509_new();
    unsigned char *p = der;
    int n = -1;
    if (x && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
        X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
        X509_gmtime_adj(X509_getm_notAfter(x), 3600) && X509_set_pubkey(x, k) &&
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                   (const unsigned char *)"selftest", -1, -1, 0) &&
        X509_set_issuer_name(x, X509_get_subject_name(x)) && X509_sign(x, k, EVP_sha256()) &&
        i2d_X509(x, NULL) <= (int)cap)
        n = i2d_X509(x, &p);
    X509_free(x);
    return n;
}

/* Sign a SHA-256 digest: ECDSA, PKCS#1 v1.5 (DigestInfo) or PSS with a 32-byte salt. */
static size_t sign(EVP_PKEY *k, int mode, const uint8_t *dg, uint8_t *sig, size_t cap)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    size_t n = cap;
    int ok = c && EVP_PKEY_sign_init(c) > 0;
    if (ok && mode)
        ok = EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(c, mode == 2 ? RSA_PKCS1_PSS_PADDING
                                                       : RSA_PKCS1_PADDING) > 0;
    if (ok && mode == 2)
        ok = EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(c, 32) > 0;
    ok = ok && EVP_PKEY_sign(c, sig, &n, dg, 32) > 0;
    EVP_PKEY_CTX_free(c);
    return ok ? n : 0;
}

/* RSASSA-PSS-params: SHA-256, MGF1 SHA-256, salt 32 (the vectors' value). */
static const char PSS[] = "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg";

static void check_alg(const char *name, int mode, const char *algo, const char *params)
{
    EVP_PKEY *k = keygen(mode != 0), *other = keygen(mode != 0);
    uint8_t cert[4096], cert2[4096], dg[32], dg2[32], sig[1024];
    char err[200] = "", label[80];
    int cl = k ? cert_of(k, cert, sizeof cert) : -1, cl2 = other ? cert_of(other, cert2,
                                                                           sizeof cert2) : -1;
    const char *h = "2.16.840.1.101.3.4.2.1";
    RAND_bytes(dg, sizeof dg);
    memcpy(dg2, dg, sizeof dg);
    dg2[31] ^= 1;
    size_t sl = cl > 0 && cl2 > 0 ? sign(k, mode, dg, sig, sizeof sig) : 0;
    snprintf(label, sizeof label, "%s_verifies", name);
    outcome(label, sl && csc_verify(cert, (size_t)cl, algo, h, params, dg, 32, sig, sl, err,
                                    sizeof err) == 1, err[0] ? err : "a good signature refused");
    snprintf(label, sizeof label, "%s_other_digest_refused", name);
    outcome(label, sl && csc_verify(cert, (size_t)cl, algo, h, params, dg2, 32, sig, sl, err,
                                    sizeof err) != 1, "accepted over another digest");
    snprintf(label, sizeof label, "%s_other_key_refused", name);
    outcome(label, sl && csc_verify(cert2, (size_t)cl2, algo, h, params, dg, 32, sig, sl, err,
                                    sizeof err) != 1, "accepted with another key");
    sig[sl / 2] ^= 0x01;
    snprintf(label, sizeof label, "%s_bitflip_refused", name);
    outcome(label, sl && csc_verify(cert, (size_t)cl, algo, h, params, dg, 32, sig, sl, err,
                                    sizeof err) != 1, "accepted a bit-flipped signature");
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

static void check_totp(void)
{
    /* RFC 6238 appendix B, HMAC-SHA-1, 8 digits, seed "12345678901234567890", 30 s steps. */
    static const struct { uint64_t t; const char *code; } B[] = {
        {59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000ULL, "65353130"}};
    const uint8_t seed[] = "12345678901234567890";
    int ok = 1;
    char code[9];
    for (size_t i = 0; i < sizeof B / sizeof B[0]; i++)
        ok &= csc_totp(seed, 20, B[i].t / 30, 8, code) == 0 && strcmp(code, B[i].code) == 0;
    outcome("totp_rfc6238_appendix_b", ok, "a code differs from RFC 6238 appendix B");
    uint8_t s[64];
    size_t n = 0;
    int digits = 6, step = 30;
    ok = csc_totp_parse("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8"
                        "&period=1", s, sizeof s, &n, &digits, &step) == 0 &&
         n == 20 && memcmp(s, seed, 20) == 0 && digits == 8 && step == 1;
    outcome("totp_otpauth_uri", ok, "the otpauth:// URI was not read as written");
}

int main(void)
{
    const char *path = getenv("QSCD_OUTCOME_FILE");
    outcomes = path && *path ? fopen(path, "a") : NULL;
    check_alg("ecdsa_p256_sha256", 0, "1.2.840.10045.4.3.2", NULL);
    check_alg("rsa_pkcs1_sha256", 1, "1.2.840.113549.1.1.1", NULL);
    check_alg("rsa_pss_sha256", 2, "1.2.840.113549.1.1.10", PSS);
    check_totp();
    if (outcomes)
        fclose(outcomes);
    return failed;
}
