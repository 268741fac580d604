/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-test of the CSC target's judge (csc_crypto.c): the verdicts on signatures must be able
 * to fail. Keys made here with OpenSSL sign random digests; the runner's check must accept
 * each signature, and refuse it over another digest, with another key, or bit-flipped, for
 * ECDSA, RSA PKCS#1 v1.5 and RSASSA-PSS. The TOTP codes are checked against RFC 6238
 * appendix B (SHA-1). The SIC assertion (csc_sic.c) is checked against a vector written out
 * by hand from spec/sap.md §3 and RFC 9052 §4.4, its signature verified with OpenSSL over a
 * Sig_structure composed here, and each faulty variant shown to carry its one fault and no
 * other. The CAdES judge of signDoc answers (csc_cades.c) is checked in csc_cades_selftest.c,
 * the sam-admin runner in sam_admin_selftest.c. Outcome lines go to $QSCD_OUTCOME_FILE
 * (make check).
 */
#include "../csc.h"
#include "../sam_admin.h"
#include "selftest.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
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

/* ------------------------------------------------------------------ SIC assertion */

/* The known vector: challenge 32 x 0x11, credential "c1", numSignatures 1, SHA-256 (1), one
 * hash 32 x 0x22: the claims map, by hand. */
static const char SIC_PAYLOAD[] =
    "a6" "0101"                                                       /* map(6), 1: 1 */
    "02" "5820" "1111111111111111111111111111111111111111111111111111111111111111"
    "03" "426331"                                                     /* 3: h'6331' */
    "04" "01" "05" "01"                                               /* 4: 1, 5: 1 */
    "06" "81" "5820" "2222222222222222222222222222222222222222222222222222222222222222";
#define SIC_PAYLOAD_LEN 82u

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; h[0] && h[1] && n < cap; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* The expected COSE_Sign1 up to its signature, by hand: tag 18 (d2), array of 4 (84), bstr
 * protected header (prot_hex: a1 01 26 is {1: -7}), empty map (a0), bstr payload (58 52),
 * then the head of the 64-byte signature (58 40). */
static size_t sic_expected(const char *prot_hex, uint8_t *out, size_t cap)
{
    uint8_t prot[8];
    size_t pl = unhex(prot_hex, prot, sizeof prot), n = 0;
    out[n++] = 0xd2;
    out[n++] = 0x84;
    out[n++] = (uint8_t)(0x40 + pl);
    memcpy(out + n, prot, pl);
    n += pl;
    out[n++] = 0xa0;
    n += unhex("5852", out + n, cap - n);
    n += unhex(SIC_PAYLOAD, out + n, cap - n);
    n += unhex("5840", out + n, cap - n);
    return n;
}

/* Does rs (r||s) verify under pub over Sig_structure ["Signature1", prot, h'', payload]?
 * The structure is composed byte by byte here, not with the runner's CBOR writer. */
static int sic_sig_ok(EVP_PKEY *pub, const uint8_t *prot, size_t pl, const uint8_t *payload,
                      size_t len, const uint8_t rs[64])
{
    uint8_t tbs[512], der[80], *dp = der;
    size_t n = 0;
    tbs[n++] = 0x84;
    tbs[n++] = 0x6a;
    memcpy(tbs + n, "Signature1", 10);
    n += 10;
    tbs[n++] = (uint8_t)(0x40 + pl);
    memcpy(tbs + n, prot, pl);
    n += pl;
    tbs[n++] = 0x40;
    tbs[n++] = 0x58;
    tbs[n++] = (uint8_t)len;
    memcpy(tbs + n, payload, len);
    n += len;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    int dl = sig && ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL))
             ? i2d_ECDSA_SIG(sig, &dp) : -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = dl > 0 && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
             EVP_DigestVerify(md, der, (size_t)dl, tbs, n) == 1;
    EVP_MD_CTX_free(md);
    ECDSA_SIG_free(sig);
    return ok;
}

/* The assertion's parts, at the offsets the known vector fixes. */
typedef struct sic_parts {
    const uint8_t *prot, *payload, *rs;
    size_t prot_len;
} sic_parts;

static int sic_split(const uint8_t *a, size_t n, sic_parts *p)
{
    size_t pl = n > 3 ? a[2] & 0x1f : 0;
    size_t off = 3 + pl + 1 + 2;
    if (n != off + SIC_PAYLOAD_LEN + 2 + 64 || a[off - 2] != 0x58)
        return -1;
    p->prot = a + 3;
    p->prot_len = pl;
    p->payload = a + off;
    p->rs = a + n - 64;
    return 0;
}

static void check_sic_known(EVP_PKEY *k)
{
    uint8_t hashes[32], out[CSC_SIC_MAX], want[200];
    csc_sic_claims c = {.cred = "c1", .numsig = 1, .hash_alg = 1, .hashes = hashes,
                        .dlen = 32, .nhashes = 1};
    sic_parts p;
    memset(c.challenge, 0x11, sizeof c.challenge);
    memset(hashes, 0x22, sizeof hashes);
    size_t n = csc_sic_assertion(k, CSC_COSE_ES256, &c, out, sizeof out);
    size_t wn = sic_expected("a10126", want, sizeof want);
    outcome("sic_assertion_known_vector", n == wn + 64 && memcmp(out, want, wn) == 0,
            "the COSE_Sign1 differs from the hand-written vector");
    outcome("sic_assertion_signature_verifies", sic_split(out, n, &p) == 0 &&
            sic_sig_ok(k, p.prot, p.prot_len, p.payload, SIC_PAYLOAD_LEN, p.rs),
            "OpenSSL does not verify the ES256 signature over the Sig_structure");
    n = csc_sic_assertion(k, CSC_COSE_ES384, &c, out, sizeof out);
    wn = sic_expected("a1013822", want, sizeof want);
    outcome("sic_assertion_es384_header", n == wn + 64 && memcmp(out, want, wn) == 0,
            "the protected header is not {1: -35}");
}

/* A variant made from a request: what its bytes and signature must show. */
typedef struct sic_case {
    const char *variant;
    const char *prot;          /* expected protected header (hex) */
    int payload_same;          /* the known payload exactly */
    int verifies;              /* the signature verifies with the device key */
} sic_case;

static void check_sic_variant(EVP_PKEY *k, json_t *req, const char *ch, const sic_case *sc)
{
    char why[200] = "", label[80];
    uint8_t a[CSC_SIC_MAX], want[200];
    sic_parts p;
    char *b64 = csc_sic_for_request(k, sc->variant, req, ch, why, sizeof why);
    long n = b64 ? csc_b64_decode(b64, a, sizeof a) : -1;
    int split = n > 0 && sic_split(a, (size_t)n, &p) == 0;
    size_t wn = sic_expected(sc->prot, want, sizeof want);
    int same = split && memcmp(p.payload, want + wn - 2 - SIC_PAYLOAD_LEN, SIC_PAYLOAD_LEN) == 0;
    int prot_ok = split && memcmp(a, want, 3 + p.prot_len) == 0;
    int ver = split && sic_sig_ok(k, p.prot, p.prot_len, p.payload, SIC_PAYLOAD_LEN, p.rs);
    snprintf(label, sizeof label, "sic_request_%s", sc->variant[0] ? sc->variant : "honest");
    outcome(label, split && prot_ok && same == sc->payload_same && ver == sc->verifies,
            !split ? (why[0] ? why : "not an assertion of the expected shape")
            : !prot_ok ? "the protected header is not the expected one"
            : same != sc->payload_same ? "the claims are not what the variant says"
            : "the signature check is not what the variant says");
    free(b64);
}

static void check_sic_key(EVP_PKEY *k)
{
    char err[120];
    BIO *b = BIO_new(BIO_s_mem());
    char *pem = NULL;
    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"), *back = NULL;
    long len = 0;
    if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1)
        len = BIO_get_mem_data(b, &pem);
    char *copy = len > 0 ? strndup(pem, (size_t)len) : NULL;
    back = copy ? csc_sic_key_parse(copy, err, sizeof err) : NULL;
    outcome("sic_device_key_p256_read", back && EVP_PKEY_eq(back, k) == 1,
            "a P-256 PEM private key was not read back");
    EVP_PKEY_free(back);
    BIO_reset(b);
    if (p384 && PEM_write_bio_PrivateKey(b, p384, NULL, NULL, 0, NULL, NULL) == 1)
        len = BIO_get_mem_data(b, &pem);
    free(copy);
    copy = len > 0 ? strndup(pem, (size_t)len) : NULL;
    back = copy ? csc_sic_key_parse(copy, err, sizeof err) : NULL;
    outcome("sic_device_key_p384_refused", copy && !back && strstr(err, "P-256"),
            "a P-384 key was taken as a device key");
    EVP_PKEY_free(back);
    back = csc_sic_key_parse("-----BEGIN PRIVATE KEY-----\nnot a key\n", err, sizeof err);
    outcome("sic_device_key_garbage_refused", !back, "garbage was taken as a device key");
    EVP_PKEY_free(back);
    EVP_PKEY_free(p384);
    free(copy);
    BIO_free(b);
}

static void check_sic(void)
{
    static const sic_case CASES[] = {
        {"", "a10126", 1, 1},
        {"otherchallenge", "a10126", 0, 1},   /* signed, but over another challenge */
        {"otherhashes", "a10126", 0, 1},
        {"otherkey", "a10126", 1, 0},
        {"badsig", "a10126", 1, 0},
        {"es384", "a1013822", 1, 1},          /* a good signature under the wrong alg */
    };
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t ch[32], h[32];
    memset(ch, 0x11, sizeof ch);
    memset(h, 0x22, sizeof h);
    char *chb = csc_b64_encode(ch, sizeof ch), *hb = csc_b64_encode(h, sizeof h);
    json_t *req = json_pack("{s:s,s:i,s:s,s:[s]}", "credentialID", "c1", "numSignatures", 1,
                            "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1", "hashes", hb);
    if (!k || !req) {
        outcome("sic_setup", 0, "no key or request");
        return;
    }
    check_sic_known(k);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        check_sic_variant(k, req, chb, &CASES[i]);
    outcome("sic_unknown_variant", !csc_sic_variant_known("nosuch") &&
            csc_sic_variant_known("badsig"), "the variant names are not checked");
    check_sic_key(k);
    json_decref(req);
    free(chb);
    free(hb);
    EVP_PKEY_free(k);
}

int main(void)
{
    const char *path = getenv("QSCD_OUTCOME_FILE");
    outcomes = path && *path ? fopen(path, "a") : NULL;
    check_alg("ecdsa_p256_sha256", 0, "1.2.840.10045.4.3.2", NULL);
    check_alg("rsa_pkcs1_sha256", 1, "1.2.840.113549.1.1.1", NULL);
    check_alg("rsa_pss_sha256", 2, "1.2.840.113549.1.1.10", PSS);
    check_totp();
    check_sic();
    csc_cades_selftest(outcome);
    sam_admin_selftest(outcome);
    if (outcomes)
        fclose(outcomes);
    return failed;
}
