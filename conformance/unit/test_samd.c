/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integration tests of the SAM service over its socket (a real `qscd sam` on a throw-away
 * SoftHSMv2 token): the signing flows with both SAP mechanisms and every key algorithm, and
 * each check DESIGN §3 lists, as a failing case named after the requirement it checks.
 * Every signature obtained is verified with OpenSSL against the credential's certificate.
 */
#include "unit.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_roles.h"
#include "sam_types.h"
#include "util_samd.h"

static it_sam T;
static const char *why_not;
static uint8_t H1[32], H2[32], H3[32];
static EVP_PKEY *carol_dev, *bob_dev;
static uint8_t tok[4096];
static size_t tok_len;
static uint8_t sigs[QSCD_MAX_HASHES][512];
static size_t sig_lens[QSCD_MAX_HASHES];

#define NEED_SAM() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

/* carol (SIC, credentials c-p384 and c-p256) and bob (SIC, b-p256), shared by the tests. */
static int setup(void)
{
    it_sha256("document one", H1);
    it_sha256("document two", H2);
    it_sha256("document three", H3);
    why_not = it_unavailable();
    if (why_not != NULL)
        return 0;
    if (it_init(&T, "samd", NULL) != 0 || it_start(&T, NULL) != 0) {
        why_not = "the SAM did not start (see build/it-*/samd.log)";
        return 0;
    }
    if (it_enrol(&T, "carol", "carol-pin-1") != 0 || it_enrol(&T, "bob", "bob-pin-22") != 0 ||
        (carol_dev = it_device_enrol(&T, "carol")) == NULL ||
        (bob_dev = it_device_enrol(&T, "bob")) == NULL ||
        it_cred(&T, "carol", "c-p384", SAM_KEY_EC_P384, SAM_SAP_SIC, 3, false) != 0 ||
        it_cred(&T, "carol", "c-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 3, false) != 0 ||
        it_cred(&T, "bob", "b-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 3, false) != 0)
        why_not = "the shared signers could not be set up";
    return 0;
}

static int cleanup(void)
{
    EVP_PKEY_free(carol_dev);
    EVP_PKEY_free(bob_dev);
    if (T.pid > 0 && it_stop(&T) != 0)
        return -1; /* a stop that is not clean is a failure of the suite */
    return 0;
}

static int carol_authz(const char *cred, uint32_t numsig, const uint8_t *h, size_t n)
{
    return it_authz_sic(&T, "carol", cred, "carol-pin-1", carol_dev, numsig, h, n, tok, &tok_len);
}

static bool verified(const char *signer, const char *cred, int alg, const uint8_t *h, size_t i)
{
    size_t len = 0;
    uint8_t *cert = it_cert(&T, signer, cred, &len);
    bool ok = cert != NULL && it_verify(cert, len, alg, h, sigs[i], sig_lens[i]);

    free(cert);
    return ok;
}

/* ----------------------------------------------------------------------- flows */

static void test_info_any_role(void)
{
    const uint8_t *p = NULL;
    uint64_t v = 0;
    size_t n = 0;
    samc_resp r;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_signer(&T, "anyone", SAMC_INFO, NULL, &r), 0);
    CU_ASSERT(samc_get_tstr(&r, 1, &p, &n) == 0 && n == 12 && memcmp(p, "qscd-it-samd", 12) == 0);
    CU_ASSERT(samc_get_uint(&r, 3, &v) == 0 && v == 1);
    samc_resp_free(&r);
    CU_ASSERT_EQUAL(it_call(&T, 0, "nobody", NULL, SAMC_INFO, NULL, NULL), QSCD_ERR_ROLE_DENIED);
}

/* PIN + TOTP from the otpauth URI's secret: two hashes, two signatures, verified; the token
 * then has nothing left (CSC 11.9) and the code cannot be used again (SRA_SAP.1.4). */
static void test_SRA_SAP_2_4_flow_totp(void)
{
    uint8_t seed[20], hs[64];
    char code[9], wrong[9];

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "tina", "tina-pin-9"), 0);
    CU_ASSERT_EQUAL_FATAL(it_totp_provision(&T, "tina", seed), 0);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "tina", "t-totp", SAM_KEY_EC_P256, SAM_SAP_TOTP, 2, false), 0);
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    it_totp_code(seed, 0, code);
    snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tina", "t-totp", "tina-pin-9", wrong, 2, hs, 2, tok,
                                  &tok_len), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL_FATAL(it_authz_totp(&T, "tina", "t-totp", "tina-pin-9", code, 2, hs, 2, tok,
                                        &tok_len), 0);
    CU_ASSERT_EQUAL_FATAL(it_sign(&T, "tina", "t-totp", tok, tok_len, SAM_SIGN_ECDSA, hs, 2, sigs,
                                  sig_lens), 0);
    CU_ASSERT(verified("tina", "t-totp", SAM_SIGN_ECDSA, H1, 0));
    CU_ASSERT(verified("tina", "t-totp", SAM_SIGN_ECDSA, H2, 1));
    CU_ASSERT(!verified("tina", "t-totp", SAM_SIGN_ECDSA, H2, 0)); /* in the request's order */
    CU_ASSERT_EQUAL(it_sign(&T, "tina", "t-totp", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_EXHAUSTED);
    /* SRA_SAP.1.4: each TOTP counter once */
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tina", "t-totp", "tina-pin-9", code, 1, H1, 1, tok,
                                  &tok_len), QSCD_ERR_AUTH_FAILED);
}

/* PIN + SIC assertion over a fresh challenge (spec/sap.md §3): signatures split over calls;
 * a used challenge or another key's assertion is refused. */
static void test_SRA_SAP_2_2_flow_sic(void)
{
    uint8_t hs[64], ch[32] = { 0 }, as[3000];
    size_t alen;
    it_p p;

    NEED_SAM();
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p384", 2, hs, 2), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p384", tok, tok_len, SAM_SIGN_ECDSA, H2, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(verified("carol", "c-p384", SAM_SIGN_ECDSA, H2, 0));
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p384", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(verified("carol", "c-p384", SAM_SIGN_ECDSA, H1, 0));
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p384", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_EXHAUSTED);
    /* another key's assertion, and a challenge never issued */
    CU_ASSERT_EQUAL(it_authz_sic(&T, "carol", "c-p384", "carol-pin-1", bob_dev, 1, H1, 1, tok,
                                 &tok_len), QSCD_ERR_AUTH_FAILED);
    alen = it_assertion(carol_dev, ch, "c-p384", 1, 1, H1, 32, 1, as, sizeof as);
    itp_map(&p, 6);
    itp_id(&p, 1, "c-p384");
    itp_uint(&p, 2, 1);
    itp_uint(&p, 3, 1);
    itp_hashes(&p, 4, H1, 32, 1);
    itp_bytes(&p, 5, (const uint8_t *)"carol-pin-1", 11);
    itp_bytes(&p, 7, as, alen);
    CU_ASSERT_EQUAL(it_signer(&T, "carol", SAMC_AUTHORIZE, &p, NULL), QSCD_ERR_AUTH_FAILED);
    /* the failures count, a success resets them */
    CU_ASSERT_EQUAL(carol_authz("c-p384", 1, H1, 1), 0);
}

/* RSA keys: PKCS#1 v1.5 and PSS, each verified; ECDSA on an RSA key refused (SRG_KM.1.2). */
static void test_SRG_KM_1_2_rsa_pkcs1_pss(void)
{
    uint8_t hs[96];

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "bob", "b-rsa", SAM_KEY_RSA_2048, SAM_SAP_SIC, 3, false), 0);
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    memcpy(hs + 64, H3, 32);
    CU_ASSERT_EQUAL_FATAL(it_authz_sic(&T, "bob", "b-rsa", "bob-pin-22", bob_dev, 3, hs, 3, tok,
                                       &tok_len), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "bob", "b-rsa", tok, tok_len, SAM_SIGN_ECDSA, H3, 1, NULL, NULL),
                    QSCD_ERR_SIGN_ALG);
    CU_ASSERT_EQUAL(it_sign(&T, "bob", "b-rsa", tok, tok_len, SAM_SIGN_RSA_PKCS1, H1, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(sig_lens[0] == 256 && verified("bob", "b-rsa", SAM_SIGN_RSA_PKCS1, H1, 0));
    CU_ASSERT_EQUAL(it_sign(&T, "bob", "b-rsa", tok, tok_len, SAM_SIGN_RSA_PSS, H2, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(verified("bob", "b-rsa", SAM_SIGN_RSA_PSS, H2, 0));
    CU_ASSERT(!verified("bob", "b-rsa", SAM_SIGN_RSA_PKCS1, H2, 0));
}

/* ---------------------------------------------------------------- the SAD's checks */

/* SRA_SAP.1.6: a changed token is refused (MAC or structure) and consumes nothing. */
static void test_SRA_SAP_1_6_sad_tampered(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H1, 1), 0);
    tok[tok_len - 1] ^= 0x01;
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_MAC);
    tok[tok_len - 1] ^= 0x01;
    tok[20] ^= 0x40; /* inside the claims: the MAC no longer matches */
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_MAC);
    tok[20] ^= 0x40;
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len - 3, SAM_SIGN_ECDSA, H1, 1, NULL,
                            NULL), QSCD_ERR_SAD_MALFORMED);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(verified("carol", "c-p256", SAM_SIGN_ECDSA, H1, 0));
}

/* SRA_SAP.2.3: the SAD is bound to one credential and one signer. */
static void test_SRA_SAP_2_3_sad_bound(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H1, 1), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p384", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_CREDENTIAL);
    CU_ASSERT_EQUAL(it_sign(&T, "bob", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_SIGNER);
    CU_ASSERT_EQUAL(it_sign(&T, "bob", "b-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_CREDENTIAL);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    0);
}

/* SRA_SKM.2.5 / CSC 11.10: only the hashes the SAD lists, with its hash algorithm. */
static void test_SRA_SKM_2_5_hash_not_authorised(void)
{
    uint8_t h384[48];
    it_p p;

    NEED_SAM();
    memset(h384, 0x38, sizeof h384);
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H1, 1), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H2, 1, NULL, NULL),
                    QSCD_ERR_SAD_HASH);
    itp_map(&p, 5);
    itp_id(&p, 1, "c-p256");
    itp_bytes(&p, 2, tok, tok_len);
    itp_uint(&p, 3, 2);
    itp_uint(&p, 4, SAM_SIGN_ECDSA);
    itp_hashes(&p, 5, h384, 48, 1);
    CU_ASSERT_EQUAL(it_signer(&T, "carol", SAMC_SIGN, &p, NULL), QSCD_ERR_SAD_HASH_ALG);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(verified("carol", "c-p256", SAM_SIGN_ECDSA, H1, 0));
}

/* CSC 11.9: more hashes in one call than the SAD's numSignatures. */
static void test_CSC_11_9_over_count(void)
{
    uint8_t hs[64];

    NEED_SAM();
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, hs, 2), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, hs, 2, NULL, NULL),
                    QSCD_ERR_SAD_COUNT);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H2, 1, NULL, NULL),
                    0);
}

/* CSC 11.6: numSignatures, the hashes and the secrets' sizes are checked before anything. */
static void test_CSC_11_6_request_checks(void)
{
    uint8_t many[33 * 32], pin[65];
    it_p p;

    NEED_SAM();
    memset(many, 7, sizeof many);
    memset(pin, 'x', sizeof pin);
    CU_ASSERT_EQUAL(carol_authz("c-p256", 0, H1, 1), QSCD_ERR_NUMSIG_INVALID);
    CU_ASSERT_EQUAL(carol_authz("c-p256", 4, H1, 1), QSCD_ERR_NUMSIG_TOO_HIGH);
    CU_ASSERT_EQUAL(carol_authz("c-p256", 1, many, 33), QSCD_ERR_HASH_COUNT);
    itp_map(&p, 5);
    itp_id(&p, 1, "c-p256");
    itp_uint(&p, 2, 1);
    itp_uint(&p, 3, 1);
    itp_hashes(&p, 4, H1, 31, 1);
    itp_bytes(&p, 5, (const uint8_t *)"carol-pin-1", 11);
    CU_ASSERT_EQUAL(it_signer(&T, "carol", SAMC_AUTHORIZE, &p, NULL), QSCD_ERR_DIGEST_LENGTH);
    itp_map(&p, 5);
    itp_id(&p, 1, "c-p256");
    itp_uint(&p, 2, 1);
    itp_uint(&p, 3, 4); /* no such algorithm (SHA-1 has no code at all) */
    itp_hashes(&p, 4, H1, 20, 1);
    itp_bytes(&p, 5, (const uint8_t *)"carol-pin-1", 11);
    CU_ASSERT_EQUAL(it_signer(&T, "carol", SAMC_AUTHORIZE, &p, NULL), QSCD_ERR_HASH_ALG);
    itp_map(&p, 5);
    itp_id(&p, 1, "c-p256");
    itp_uint(&p, 2, 1);
    itp_uint(&p, 3, 1);
    itp_hashes(&p, 4, H1, 32, 1);
    itp_bytes(&p, 5, pin, sizeof pin);
    CU_ASSERT_EQUAL(it_signer(&T, "carol", SAMC_AUTHORIZE, &p, NULL), QSCD_ERR_LIMIT);
    CU_ASSERT_EQUAL(carol_authz("c-missing", 1, H1, 1), QSCD_ERR_CRED_NOT_FOUND);
}

/* CSC 11.6 "credential disabled": neither authorize nor sign while disabled. */
static void test_CSC_11_6_credential_disabled(void)
{
    uint8_t t1[4096];
    size_t l1;
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H1, 1), 0);
    memcpy(t1, tok, tok_len);
    l1 = tok_len;
    itp_map(&p, 1);
    itp_id(&p, 1, "c-p256");
    CU_ASSERT_EQUAL_FATAL(it_so(&T, SAMC_CRED_DISABLE, &p, NULL), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t1, l1, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_CRED_DISABLED);
    CU_ASSERT_EQUAL(carol_authz("c-p256", 1, H1, 1), QSCD_ERR_CRED_DISABLED);
    CU_ASSERT_EQUAL_FATAL(it_so(&T, SAMC_CRED_ENABLE, &p, NULL), 0);
    /* refused while disabled, not consumed: the token signs once enabled again */
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t1, l1, SAM_SIGN_ECDSA, H1, 1, sigs, sig_lens),
                    0);
    CU_ASSERT(verified("carol", "c-p256", SAM_SIGN_ECDSA, H1, 0));
}

/* --------------------------------------------------------------- certificates */

/* A certificate for the key of `cert` by the suite's test CA, valid from nb to na (seconds
 * from now); DER into *out (OPENSSL_free). */
static size_t ca_issue(const uint8_t *cert, size_t len, long nb, long na, uint8_t **out)
{
    const uint8_t *q = cert;
    X509 *old = d2i_X509(NULL, &q, (long)len);
    size_t n = old != NULL ? it_ca_issue(&T, X509_get0_pubkey(old), X509_get_subject_name(old),
                                         nb, na, out) : 0;

    X509_free(old);
    return n;
}

static int import(const char *cred, const uint8_t *der, size_t len)
{
    it_p p;

    itp_map(&p, 2);
    itp_id(&p, 1, cred);
    itp_bytes(&p, 2, der, len);
    return it_so(&T, SAMC_CERT_IMPORT, &p, NULL);
}

/* SIG-6.3.1-08: no signature with a certificate that is revoked, expired or not yet valid;
 * an imported certificate must carry the credential's key and chain to a trust anchor. */
static void test_SIG_6_3_1_08_certificate_state(void)
{
    uint8_t *cert, *past = NULL, *future = NULL, *good = NULL, *other = NULL;
    size_t len = 0, lp, lf, lg, lo = 0;
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "bob", "b-cert", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false), 0);
    cert = it_cert(&T, "bob", "b-cert", &len);
    other = it_cert(&T, "bob", "b-p256", &lo);
    CU_ASSERT_FATAL(cert != NULL && other != NULL);
    lp = ca_issue(cert, len, -7200, -3600, &past);
    lf = ca_issue(cert, len, 3600, 7200, &future);
    lg = ca_issue(cert, len, -60, 86400, &good);
    CU_ASSERT_FATAL(lp > 0 && lf > 0 && lg > 0);
    CU_ASSERT_EQUAL(import("b-cert", other, lo), QSCD_ERR_NOT_OWNER);
    CU_ASSERT_EQUAL(import("b-cert", past, lp), 0);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "bob", "b-cert", "bob-pin-22", bob_dev, 1, H1, 1, tok,
                                 &tok_len), QSCD_ERR_CERT_EXPIRED);
    CU_ASSERT_EQUAL(import("b-cert", future, lf), 0);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "bob", "b-cert", "bob-pin-22", bob_dev, 1, H1, 1, tok,
                                 &tok_len), QSCD_ERR_CERT_NOT_YET_VALID);
    CU_ASSERT_EQUAL(import("b-cert", good, lg), 0);
    CU_ASSERT_EQUAL_FATAL(it_authz_sic(&T, "bob", "b-cert", "bob-pin-22", bob_dev, 1, H1, 1, tok,
                                       &tok_len), 0);
    itp_map(&p, 1);
    itp_id(&p, 1, "b-cert");
    CU_ASSERT_EQUAL_FATAL(it_so(&T, SAMC_CERT_REVOKE, &p, NULL), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "bob", "b-cert", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_CERT_REVOKED);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "bob", "b-cert", "bob-pin-22", bob_dev, 1, H1, 1, tok,
                                 &tok_len), QSCD_ERR_CERT_REVOKED);
    free(cert);
    free(other);
    OPENSSL_free(past);
    OPENSSL_free(future);
    OPENSSL_free(good);
}

/* ------------------------------------------------------------ the trusted clock */

/* CSC 11.10 "SAD expired" and SRA_SAP.1.4 (not from the future), with the SAM's clock moved
 * by libfaketime between the authorisation and the signature. */
static void test_CSC_11_10_sad_expired_and_future(void)
{
    uint8_t t1[4096], t2[4096];
    size_t l1 = 0, l2 = 0;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H1, 1), 0);
    memcpy(t1, tok, tok_len);
    l1 = tok_len;
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H2, 1), 0);
    memcpy(t2, tok, tok_len);
    l2 = tok_len;
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    if (it_start(&T, "+2h") != 0) {
        CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
        UNIT_SKIP("libfaketime is not installed (make deps installs the faketime package)");
    }
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t1, l1, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_EXPIRED);
    CU_ASSERT_EQUAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, "-1h"), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t1, l1, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_NOT_YET_VALID);
    CU_ASSERT_EQUAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    /* Back on time: the start two hours ahead pruned the registry of the tokens expired by
     * then, so they stay refused (fail closed) although their claims are valid again. */
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t2, l2, SAM_SIGN_ECDSA, H2, 1, NULL, NULL),
                    QSCD_ERR_SAD_UNKNOWN);
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H2, 1), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H2, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(verified("carol", "c-p256", SAM_SIGN_ECDSA, H2, 0));
}

/* SRA_SAP.1.4 over the socket, the HMAC computed by the HSM on the SAM's clock: one step
 * either side is accepted, two are not, and a code (or an earlier one) is never accepted
 * twice. Started away from a step's end, so that both clocks see the same step. */
static void test_SRA_SAP_1_4_totp_window_hsm(void)
{
    uint8_t seed[20];
    char code[9];

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "tom", "tom-pin-55"), 0);
    CU_ASSERT_EQUAL_FATAL(it_totp_provision(&T, "tom", seed), 0);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "tom", "t-w", SAM_KEY_EC_P256, SAM_SAP_TOTP, 1, false), 0);
    while (time(NULL) % 30 > 24)
        sleep(1);
    it_totp_code(seed, -2, code);
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tom", "t-w", "tom-pin-55", code, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    it_totp_code(seed, 2, code);
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tom", "t-w", "tom-pin-55", code, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    it_totp_code(seed, -1, code);
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tom", "t-w", "tom-pin-55", code, 1, H1, 1, tok, &tok_len),
                    0);
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tom", "t-w", "tom-pin-55", code, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    it_totp_code(seed, 1, code);
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tom", "t-w", "tom-pin-55", code, 1, H1, 1, tok, &tok_len),
                    0);
    CU_ASSERT_EQUAL_FATAL(it_sign(&T, "tom", "t-w", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, sigs,
                                  sig_lens), 0);
    CU_ASSERT(verified("tom", "t-w", SAM_SIGN_ECDSA, H1, 0));
    it_totp_code(seed, 0, code); /* earlier than the last accepted: refused */
    CU_ASSERT_EQUAL(it_authz_totp(&T, "tom", "t-w", "tom-pin-55", code, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
}

/* Rewrite the configuration's service_name (the SAD audience) from `from` to `to`. */
static int set_service_name(const char *from, const char *to)
{
    char cmd[1500];

    snprintf(cmd, sizeof cmd, "sed -i 's/^service_name = %s$/service_name = %s/' '%s' && "
             "grep -q '^service_name = %s$' '%s'", from, to, T.conf, to, T.conf);
    return system(cmd) == 0 ? 0 : -1;
}

/* SRA_SAP.1.4 / SRA_SAP.2.3: a SAD issued by another service is refused, although its MAC
 * verifies (the same HSM key): here the same SAM restarted under another service name. The
 * refused token is not consumed: back under its own name, it signs. */
static void test_SRA_SAP_1_4_sad_other_audience(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H3, 1), 0);
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL_FATAL(set_service_name("qscd-it-samd", "qscd-it-elsewhere"), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H3, 1, NULL, NULL),
                    QSCD_ERR_SAD_AUDIENCE);
    CU_ASSERT_EQUAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL_FATAL(set_service_name("qscd-it-elsewhere", "qscd-it-samd"), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H3, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT(verified("carol", "c-p256", SAM_SIGN_ECDSA, H3, 0));
}

/* ----------------------------------------------------------- extendTransaction */

static void extend_params(it_p *p, const char *cred, const uint8_t *t, size_t tl,
                          const uint8_t *h, size_t n)
{
    itp_map(p, 4);
    itp_id(p, 1, cred);
    itp_bytes(p, 2, t, tl);
    itp_uint(p, 3, 1);
    itp_hashes(p, 4, h, 32, n);
}

/* CSC 11.9 over the socket: the new token has the same id and a later expiry, and the count
 * carries over: 2 authorised, 1 signed with the old token, 1 with the new, then none with
 * either; an exhausted token is not extended. */
static void test_CSC_11_9_extend_count_carries_over(void)
{
    uint8_t t2[4096], t3[4096], id1[16], id2[16], hs[64];
    size_t l2 = 0, l3 = 0;
    uint64_t expires_in = 0;
    int64_t e1 = 0, e2 = 0;

    NEED_SAM();
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 2, hs, 2), 0);
    CU_ASSERT_EQUAL_FATAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, sigs,
                                  sig_lens), 0);
    sleep(1); /* a later second: the new expiry must be later */
    CU_ASSERT_EQUAL_FATAL(it_extend(&T, "carol", "c-p256", tok, tok_len, H2, 1, t2, &l2,
                                    &expires_in), 0);
    CU_ASSERT_EQUAL(expires_in, 3600);
    CU_ASSERT(it_token_id(tok, tok_len, id1) && it_token_id(t2, l2, id2) &&
              memcmp(id1, id2, 16) == 0);
    CU_ASSERT(it_token_exp(tok, tok_len, &e1) && it_token_exp(t2, l2, &e2) && e2 > e1);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t2, l2, SAM_SIGN_ECDSA, H2, 1, sigs, sig_lens),
                    0);
    CU_ASSERT(verified("carol", "c-p256", SAM_SIGN_ECDSA, H2, 0));
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t2, l2, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H2, 1, NULL, NULL),
                    QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p256", t2, l2, H1, 1, t3, &l3, &expires_in),
                    QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p256", tok, tok_len, H1, 1, t3, &l3, &expires_in),
                    QSCD_ERR_SAD_EXHAUSTED);
}

/* SRA_SKM.2.7 and the token's checks over the socket: only a signer extends (the core asks
 * the role table; an officer's password changes nothing), and a tampered token, another
 * signer, another credential or a hash the token does not list is refused. Nothing is
 * consumed: the token still extends and signs afterwards. */
static void test_SRA_SKM_2_7_extend_refusals(void)
{
    uint8_t t2[4096], bad[4096];
    size_t l2 = 0;
    uint64_t expires_in = 0;
    int roles[] = { SAM_ROLE_SECURITY_OFFICER, SAM_ROLE_OPERATOR, SAM_ROLE_AUDITOR, SAM_ROLE_NONE };
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H1, 1), 0);
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        extend_params(&p, "c-p256", tok, tok_len, H1, 1);
        CU_ASSERT_EQUAL(it_call(&T, roles[i], "carol", NULL, SAMC_EXTEND, &p, NULL),
                        QSCD_ERR_ROLE_DENIED);
    }
    extend_params(&p, "c-p256", tok, tok_len, H1, 1);
    CU_ASSERT_EQUAL(it_so(&T, SAMC_EXTEND, &p, NULL), QSCD_ERR_ROLE_DENIED);
    memcpy(bad, tok, tok_len);
    bad[tok_len - 3] ^= 0x40;
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p256", bad, tok_len, H1, 1, t2, &l2, &expires_in),
                    QSCD_ERR_SAD_MAC);
    CU_ASSERT_EQUAL(it_extend(&T, "bob", "c-p256", tok, tok_len, H1, 1, t2, &l2, &expires_in),
                    QSCD_ERR_SAD_SIGNER);
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p384", tok, tok_len, H1, 1, t2, &l2, &expires_in),
                    QSCD_ERR_SAD_CREDENTIAL);
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p256", tok, tok_len, H3, 1, t2, &l2, &expires_in),
                    QSCD_ERR_SAD_HASH);
    itp_map(&p, 3); /* no hashes */
    itp_id(&p, 1, "c-p256");
    itp_bytes(&p, 2, tok, tok_len);
    itp_uint(&p, 3, 1);
    CU_ASSERT_EQUAL(it_signer(&T, "carol", SAMC_EXTEND, &p, NULL), QSCD_ERR_PROTO_FRAME);
    CU_ASSERT_EQUAL_FATAL(it_extend(&T, "carol", "c-p256", tok, tok_len, H1, 1, t2, &l2,
                                    &expires_in), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", t2, l2, SAM_SIGN_ECDSA, H1, 1, sigs, sig_lens),
                    0);
    CU_ASSERT(verified("carol", "c-p256", SAM_SIGN_ECDSA, H1, 0));
}

/* Add (or, with line NULL, remove) the configuration's token_max_life line. */
static int set_max_life(const char *line)
{
    char cmd[1500];
    int n = snprintf(cmd, sizeof cmd, "sed -i '/^token_max_life = /d' '%s'", T.conf);

    if (line != NULL)
        snprintf(cmd + n, sizeof cmd - (size_t)n, " && echo '%s' >> '%s'", line, T.conf);
    return system(cmd) == 0 ? 0 : -1;
}

/* The cap on a token's total life (token_max_life 2700 s from the first issue), with the
 * SAM's clock moved by libfaketime: at +30 min an extension ends at issue + 45 min, not an
 * hour later; at +50 min the original token is still valid but no time is left to extend
 * it into, and the extended one has expired: both refused as expired (CSC 11.9). */
static void test_CSC_11_9_extend_total_life_capped(void)
{
    uint8_t t2[4096], t3[4096];
    size_t l2 = 0, l3 = 0;
    uint64_t expires_in = 0;
    int64_t e1 = 0, e2 = 0;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL_FATAL(set_max_life("token_max_life = 2700"), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(carol_authz("c-p256", 1, H2, 1), 0);
    CU_ASSERT_FATAL(it_token_exp(tok, tok_len, &e1));
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    if (it_start(&T, "+30m") != 0) {
        CU_ASSERT_EQUAL(set_max_life(NULL), 0);
        CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
        UNIT_SKIP("libfaketime is not installed (make deps installs the faketime package)");
    }
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p256", tok, tok_len, H2, 1, t2, &l2, &expires_in),
                    0);
    CU_ASSERT(it_token_exp(t2, l2, &e2) && e2 == e1 - 3600 + 2700);
    CU_ASSERT(expires_in <= 900 && expires_in >= 860);
    CU_ASSERT_EQUAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, "+50m"), 0);
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p256", tok, tok_len, H2, 1, t3, &l3, &expires_in),
                    QSCD_ERR_SAD_EXPIRED);
    CU_ASSERT_EQUAL(it_extend(&T, "carol", "c-p256", t2, l2, H2, 1, t3, &l3, &expires_in),
                    QSCD_ERR_SAD_EXPIRED);
    CU_ASSERT_EQUAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL(set_max_life(NULL), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    /* back on time, the original token still signs: refusals consume nothing */
    CU_ASSERT_EQUAL(it_sign(&T, "carol", "c-p256", tok, tok_len, SAM_SIGN_ECDSA, H2, 1, sigs,
                            sig_lens), 0);
}

UNIT_SUITE(samd)
{
    static const unit_test tests[] = {
        { "info_any_role", test_info_any_role },
        { "SRA_SAP_2_4_flow_totp", test_SRA_SAP_2_4_flow_totp },
        { "SRA_SAP_2_2_flow_sic", test_SRA_SAP_2_2_flow_sic },
        { "SRG_KM_1_2_rsa_pkcs1_pss", test_SRG_KM_1_2_rsa_pkcs1_pss },
        { "SRA_SAP_1_6_sad_tampered", test_SRA_SAP_1_6_sad_tampered },
        { "SRA_SAP_2_3_sad_bound", test_SRA_SAP_2_3_sad_bound },
        { "SRA_SKM_2_5_hash_not_authorised", test_SRA_SKM_2_5_hash_not_authorised },
        { "CSC_11_9_over_count", test_CSC_11_9_over_count },
        { "CSC_11_6_request_checks", test_CSC_11_6_request_checks },
        { "CSC_11_6_credential_disabled", test_CSC_11_6_credential_disabled },
        { "SIG_6_3_1_08_certificate_state", test_SIG_6_3_1_08_certificate_state },
        { "CSC_11_10_sad_expired_and_future", test_CSC_11_10_sad_expired_and_future },
        { "SRA_SAP_1_4_totp_window_hsm", test_SRA_SAP_1_4_totp_window_hsm },
        { "SRA_SAP_1_4_sad_other_audience", test_SRA_SAP_1_4_sad_other_audience },
        { "CSC_11_9_extend_count_carries_over", test_CSC_11_9_extend_count_carries_over },
        { "SRA_SKM_2_7_extend_refusals", test_SRA_SKM_2_7_extend_refusals },
        { "CSC_11_9_extend_total_life_capped", test_CSC_11_9_extend_total_life_capped },
        { NULL, NULL },
    };
    return unit_add_suite("samd", setup, cleanup, tests);
}
