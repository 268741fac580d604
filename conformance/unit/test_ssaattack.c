/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAD attacks and the CSC error cases, end to end over HTTPS against a real SAM (issue 6
 * and vectors/csc/csc_sad_attack_test.json, csc_errors_test.json): each attack is refused
 * with the CSC error the specification names and no signature is produced; each error case
 * of CSC v2.0.0.2 §10 for the methods served gets its `error` and `error_description`; bad
 * requests consume nothing (the SAD still signs afterwards, verified with OpenSSL).
 */
#include "unit.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_types.h"
#include "util_ssa.h"

static ts_world W, W2;
static const char *why_not, *why_not2;
static uint8_t H1[32], H2[32], HH[64];
static EVP_PKEY *carol_dev, *bob_dev, *erin_dev, *carol_dev2;

#define NEED() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)
#define ECDSA256 "1.2.840.10045.4.3.2"
#define SHA256 "2.16.840.1.101.3.4.2.1"
#define PSS_SHA256 "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg"

/* carol (c-p256, c-rsa, c-dis, c-exp, c-rev), bob (b-p256), erin (e-p256, to be locked);
 * a second service (another SAM, so another audience) where carol has c-p256 too. */
static int setup(void)
{
    it_sam *t = &W.sam;

    it_sha256("document one", H1);
    it_sha256("document two", H2);
    memcpy(HH, H1, 32);
    memcpy(HH + 32, H1, 32);
    if ((why_not = ts_start(&W, "ssaattack", NULL)) != NULL)
        return 0;
    if (it_enrol(t, "carol", "carol-pin-1") != 0 || it_enrol(t, "bob", "bob-pin-1") != 0 ||
        it_enrol(t, "erin", "erin-pin-1") != 0 ||
        (carol_dev = it_device_enrol(t, "carol")) == NULL ||
        (bob_dev = it_device_enrol(t, "bob")) == NULL ||
        (erin_dev = it_device_enrol(t, "erin")) == NULL ||
        it_cred(t, "carol", "c-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 3, false) != 0 ||
        it_cred(t, "carol", "c-rsa", SAM_KEY_RSA_2048, SAM_SAP_SIC, 3, false) != 0 ||
        it_cred(t, "carol", "c-dis", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false) != 0 ||
        it_cred(t, "carol", "c-exp", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false) != 0 ||
        it_cred(t, "carol", "c-rev", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false) != 0 ||
        it_cred(t, "bob", "b-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 3, false) != 0 ||
        it_cred(t, "erin", "e-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false) != 0) {
        why_not = "the signers could not be set up";
        return 0;
    }
    if ((why_not2 = ts_start(&W2, "ssaattack2", NULL)) == NULL &&
        (it_enrol(&W2.sam, "carol", "carol-pin-1") != 0 ||
         (carol_dev2 = it_device_enrol(&W2.sam, "carol")) == NULL ||
         it_cred(&W2.sam, "carol", "c-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 3, false) != 0))
        why_not2 = "the second service could not be set up";
    return 0;
}

static int cleanup(void)
{
    EVP_PKEY_free(carol_dev);
    EVP_PKEY_free(bob_dev);
    EVP_PKEY_free(erin_dev);
    EVP_PKEY_free(carol_dev2);
    ts_stop(&W2);
    ts_stop(&W);
    return 0;
}

/* carol's SAD for one hash of c-p256 (numSignatures n, the hashes h). */
static long carol_sad(signer_conn *c, const char *cred, uint32_t n, const uint8_t *h, size_t k,
                      char *sad, size_t cap)
{
    return ts_authorize_sic(c, carol_dev, cred, "carol-pin-1", n, 1, h, 32, k, sad, cap, NULL);
}

/* signHash is refused with desc and produces nothing. */
static bool refused(signer_conn *c, const char *cred, const char *sad, const uint8_t *h, size_t n,
                    const char *desc)
{
    json_t *out = NULL;
    long st = ts_sign(c, cred, sad, ECDSA256, NULL, NULL, h, 32, n, &out);
    bool ok = st == 400 && ts_is_error(out, "invalid_request", desc);

    json_decref(out);
    return ok;
}

static bool signs(signer_conn *c, const char *cred, const char *sad, const uint8_t *h, size_t n)
{
    json_t *out = NULL;
    bool ok = ts_sign(c, cred, sad, ECDSA256, NULL, NULL, h, 32, n, &out) == 200 &&
              ts_verified(c, cred, out, SAM_SIGN_ECDSA, 1, h, 32, n);

    json_decref(out);
    return ok;
}

/* ------------------------------------------------------------------ SAD attacks */

/* Replay after the count is used (CSC 11.9, SRA_SAP.1.4). */
static void test_SRA_SKM_2_5_replay(void)
{
    char sad[4096];
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    CU_ASSERT(refused(&c, "c-p256", sad, H1, 1, "Invalid parameter SAD"));
    signer_close(&c);
}

/* Hash substitution: a hash the SAD does not name (SRA_SAP.2.3); the SAD is not consumed. */
static void test_SRA_SAP_2_3_hash_substitution(void)
{
    char sad[4096];
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    CU_ASSERT(refused(&c, "c-p256", sad, H2, 1, "Hash is not authorized by the SAD."));
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    signer_close(&c);
}

/* Another signer's SAD: with bob's token on bob's credential, and on carol's (SRC_SA.1.4). */
static void test_SRA_SKM_1_4_cross_signer(void)
{
    char sad[4096];
    signer_conn b, c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_FATAL(ts_login(&W, &b, "bob") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    CU_ASSERT(refused(&b, "b-p256", sad, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(refused(&b, "c-p256", sad, H1, 1, NULL));
    CU_ASSERT(refused(&c, "b-p256", sad, H1, 1, NULL));
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    signer_close(&b);
    signer_close(&c);
}

/* A changed SAD (one character, truncated, not base64url) is refused (SRA_SAP.1.6). */
static void test_SRA_SAP_1_6_tampered(void)
{
    char sad[4096], bad[4096];
    signer_conn c;
    size_t n;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    n = strlen(sad);
    memcpy(bad, sad, n + 1);
    bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
    CU_ASSERT(refused(&c, "c-p256", bad, H1, 1, "Invalid parameter SAD"));
    memcpy(bad, sad, n + 1);
    bad[n - 4] = '\0';
    CU_ASSERT(refused(&c, "c-p256", bad, H1, 1, "Invalid parameter SAD"));
    memcpy(bad, sad, n + 1);
    bad[3] = '*';
    CU_ASSERT(refused(&c, "c-p256", bad, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(refused(&c, "c-p256", "", H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    signer_close(&c);
}

/* A SAD from another service (another SAM: other MAC key and audience). */
static void test_SRA_SKM_2_5_other_audience(void)
{
    char sad[4096];
    signer_conn c, c2;

    NEED();
    if (why_not2 != NULL)
        UNIT_SKIP("%s", why_not2);
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_FATAL(ts_login(&W2, &c2, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(ts_authorize_sic(&c2, carol_dev2, "c-p256", "carol-pin-1", 1, 1, H1, 32,
                                           1, sad, sizeof sad, NULL), 200);
    CU_ASSERT(refused(&c, "c-p256", sad, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(signs(&c2, "c-p256", sad, H1, 1));   /* where it belongs, it works */
    signer_close(&c);
    signer_close(&c2);
}

/* numSignatures over multisign at authorize; more hashes than the SAD allows at signHash. */
static void test_CSC_11_9_over_count(void)
{
    char sad[4096];
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL(ts_authorize_sic(&c, carol_dev, "c-p256", "carol-pin-1", 4, 1, H1, 32, 1, sad,
                                     sizeof sad, &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Numbers of signatures is too high"));
    json_decref(out);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    CU_ASSERT(refused(&c, "c-p256", sad, HH, 2, "Invalid parameter SAD"));
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    signer_close(&c);
}

/* SHA-1 refused wherever a hash algorithm is named (SRG_KM.1.2; CSC: at least SHA-256). */
static void test_SRG_KM_1_2_sha1_oid(void)
{
    char sad[4096], *h = ssa_b64_encode(H1, 20, false);
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/authorize", &out, "{s:s,s:i,s:[s],s:s,s:[{s:s,s:s}]}",
                            "credentialID", "c-p256", "numSignatures", 1, "hashes", h,
                            "hashAlgorithmOID", "1.3.14.3.2.26", "authData", "id", "PIN", "value",
                            "carol-pin-1"), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter hashAlgorithmOID"));
    json_decref(out);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-p256", sad, "1.2.840.10045.2.1", "1.3.14.3.2.26", NULL, H1, 20,
                            1, &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter hashAlgorithmOID"));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-p256", sad, "1.2.840.10045.4.1", NULL, NULL, H1, 20, 1, &out),
                    400);   /* ecdsa-with-SHA1 */
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter signAlgo"));
    json_decref(out);
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    free(h);
    signer_close(&c);
}

/* A digest whose length does not match its algorithm (CSC 11.10). */
static void test_CSC_11_10_digest_length(void)
{
    char sad[4096];
    uint8_t h48[48] = { 1 };
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL(ts_authorize_sic(&c, carol_dev, "c-p256", "carol-pin-1", 1, 1, H1, 20, 1, sad,
                                     sizeof sad, &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid digest value length"));
    json_decref(out);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-p256", sad, ECDSA256, NULL, NULL, h48, 48, 1, &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid digest value length"));
    json_decref(out);
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    signer_close(&c);
}

/* ------------------------------------------------------------- CSC error table */

typedef struct err_case {
    const char *method;
    const char *body;          /* JSON; $SAD is replaced by a valid SAD for H1 on c-p256 */
    const char *desc;
} err_case;

/* CSC v2.0.0.2 §10 for info, authorize, getChallenge and signHash: 400 invalid_request with
 * the description; afterwards the SAD still signs (nothing was consumed). */
static void test_CSC_10_error_table(void)
{
#define H1B "\"hashes\":[\"$H1\"]"
#define AUTHD "\"authData\":[{\"id\":\"PIN\",\"value\":\"carol-pin-1\"}]"
    static const err_case cases[] = {
        { "credentials/info", "{}", "Missing (or invalid type) string parameter credentialID" },
        { "credentials/info", "{\"credentialID\":\"no-such-credential\"}", "Invalid parameter credentialID" },
        { "credentials/info", "{\"credentialID\":\"c-p256\",\"certificates\":\"some\"}", "Invalid parameter certificates" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\"," H1B ",\"hashAlgorithmOID\":\"" SHA256 "\"," AUTHD "}",
          "Missing (or invalid type) integer parameter numSignatures" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\",\"numSignatures\":\"1\"," H1B ",\"hashAlgorithmOID\":\"" SHA256 "\"," AUTHD "}",
          "Missing (or invalid type) integer parameter numSignatures" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\",\"numSignatures\":0," H1B ",\"hashAlgorithmOID\":\"" SHA256 "\"," AUTHD "}",
          "Invalid value for parameter numSignatures" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\",\"numSignatures\":1000," H1B ",\"hashAlgorithmOID\":\"" SHA256 "\"," AUTHD "}",
          "Numbers of signatures is too high" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\",\"numSignatures\":1,\"hashAlgorithmOID\":\"" SHA256 "\"," AUTHD "}",
          "Missing (or invalid type) array parameter hashes" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\",\"numSignatures\":1," H1B "," AUTHD "}",
          "Missing (or invalid type) string parameter hashAlgorithmOID" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\",\"numSignatures\":1," H1B ",\"hashAlgorithmOID\":\"" SHA256 "\"}",
          "Missing (or invalid type) array parameter authData" },
        { "credentials/authorize", "{\"credentialID\":\"c-p256\",\"numSignatures\":1," H1B ",\"hashAlgorithmOID\":\"" SHA256 "\",\"authData\":[{\"id\":\"PASSWORD\",\"value\":\"x\"}]}",
          "Invalid parameter authData" },
        { "credentials/getChallenge", "{\"credentialID\":\"c-p256\",\"authObjectID\":\"OTP\"}", "Invalid parameter authObjectID" },
        { "credentials/getChallenge", "{\"credentialID\":\"c-p256\"}", "Missing (or invalid type) string parameter authObjectID" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\"," H1B ",\"signAlgo\":\"" ECDSA256 "\"}",
          "Missing (or invalid type) string parameter SAD" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\",\"signAlgo\":\"" ECDSA256 "\"}",
          "Missing (or invalid type) array parameter hashes" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\",\"hashes\":[],\"signAlgo\":\"" ECDSA256 "\"}",
          "Empty hash array" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\",\"hashes\":[\"%%%%\"],\"signAlgo\":\"" ECDSA256 "\"}",
          "Invalid Base64 hash string parameter" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B "}",
          "Missing (or invalid type) string parameter signAlgo" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"1.2.3.4\"}",
          "Invalid parameter signAlgo" },
        { "signatures/signHash", "{\"credentialID\":\"c-rsa\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"1.2.840.113549.1.1.10\"}",
          "Missing (or invalid type) string parameter signAlgoParams" },
        { "signatures/signHash", "{\"credentialID\":\"c-rsa\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":\"$BADPSS\"}",
          "Invalid parameter signAlgoParams" },
        { "signatures/signHash", "{\"credentialID\":\"c-rsa\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"1.2.840.113549.1.1.1\"}",
          "Missing (or invalid type) string parameter hashAlgorithmOID" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"" ECDSA256 "\",\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.3\"}",
          "Invalid parameter hashAlgorithmOID" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"" ECDSA256 "\",\"operationMode\":\"X\"}",
          "Invalid parameter operationMode" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"" ECDSA256 "\",\"operationMode\":\"A\"}",
          "Invalid parameter operationMode" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"" ECDSA256 "\",\"validity_period\":0}",
          "Invalid parameter validity_period" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"" ECDSA256 "\",\"clientData\":7}",
          "Missing (or invalid type) string parameter clientData" },
        { "signatures/signHash", "{\"credentialID\":\"c-p256\",\"SAD\":\"$SAD\"," H1B ",\"signAlgo\":\"" ECDSA256 "\",\"response_uri\":[]}",
          "Missing (or invalid type) string parameter response_uri" },
    };
    char sad[4096], body[8192], *h1 = ssa_b64_encode(H1, 32, false), *badpss;
    uint8_t pss[80];
    long pl = ssa_b64_decode(PSS_SHA256, strlen(PSS_SHA256), pss, sizeof pss, false);
    signer_conn c;

    NEED();
    pss[pl - 1] = 20;   /* salt 20 for SHA-256: not the SAM's PSS */
    badpss = ssa_b64_encode(pss, (size_t)pl, false);
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = cases[i].body;
        char *o = body, *resp = NULL;
        size_t n = 0;
        json_t *out;
        while (*p != '\0') {    /* substitute $SAD, $H1, $BADPSS */
            const char *v = strncmp(p, "$SAD", 4) == 0 ? sad : strncmp(p, "$H1", 3) == 0 ? h1
                          : strncmp(p, "$BADPSS", 7) == 0 ? badpss : NULL;
            if (v != NULL) {
                o += sprintf(o, "%s", v);
                p += v == sad ? 4 : v == h1 ? 3 : 7;
            } else {
                *o++ = *p++;
            }
        }
        *o = '\0';
        CU_ASSERT_EQUAL(signer_call_raw(&c, cases[i].method, "application/json", body, strlen(body),
                                        NULL, &resp, &n), 400);
        out = resp != NULL ? json_loadb(resp, n, 0, NULL) : NULL;
        if (!ts_is_error(out, "invalid_request", cases[i].desc)) {
            CU_FAIL("error case");
            fprintf(stderr, "    case %zu: %s %s\n", i, cases[i].method, body);
        }
        json_decref(out);
        free(resp);
    }
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));   /* none of the above consumed the SAD */
    free(h1);
    free(badpss);
    signer_close(&c);
}

/* Wrong PIN: invalid_authentication_data; after lockout_limit (5) failures even the right
 * factors give "Credential locked" (SRC_SA.2.1, SRG_IA.2.1). */
static void test_SRC_SA_2_1_wrong_pin_locked(void)
{
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "erin") == 0);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(ts_authorize_sic(&c, erin_dev, "e-p256", "not-erins-pin", 1, 1, H1, 32, 1,
                                         NULL, 0, &out), 400);
        CU_ASSERT(ts_is_error(out, "invalid_authentication_data", "The authentication data is invalid"));
        json_decref(out);
    }
    CU_ASSERT_EQUAL(ts_authorize_sic(&c, erin_dev, "e-p256", "erin-pin-1", 1, 1, H1, 32, 1, NULL, 0,
                                     &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Credential locked"));
    json_decref(out);
    /* another device's assertion is not a possession factor of erin's */
    signer_close(&c);
}

/* A disabled credential, an expired and a revoked certificate (SIG-6.3.1-08). */
static void test_SIG_6_3_1_08_credential_state(void)
{
    char sad[4096], want[400];
    uint8_t *der = NULL, *old;
    const uint8_t *q;
    size_t old_len = 0, n;
    json_t *out = NULL;
    signer_conn c;
    X509 *x;
    it_p p;

    NEED();
    itp_map(&p, 1);
    itp_id(&p, 1, "c-dis");
    CU_ASSERT_EQUAL_FATAL(it_so(&W.sam, SAMC_CRED_DISABLE, &p, NULL), 0);
    itp_map(&p, 1);
    itp_id(&p, 1, "c-rev");
    CU_ASSERT_EQUAL_FATAL(it_so(&W.sam, SAMC_CERT_REVOKE, &p, NULL), 0);
    /* c-exp gets a certificate of its own key that expired yesterday */
    old = it_cert(&W.sam, "carol", "c-exp", &old_len);
    q = old;
    x = old != NULL ? d2i_X509(NULL, &q, (long)old_len) : NULL;
    CU_ASSERT_FATAL(x != NULL);
    n = it_ca_issue(&W.sam, X509_get0_pubkey(x), X509_get_subject_name(x), -2 * 86400, -86400, &der);
    CU_ASSERT_FATAL(n > 0);
    itp_map(&p, 2);
    itp_id(&p, 1, "c-exp");
    itp_bytes(&p, 2, der, n);
    CU_ASSERT_EQUAL_FATAL(it_so(&W.sam, SAMC_CERT_IMPORT, &p, NULL), 0);
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL(carol_sad(&c, "c-dis", 1, H1, 1, sad, sizeof sad), 400);
    CU_ASSERT_EQUAL(ts_authorize_sic(&c, carol_dev, "c-dis", "carol-pin-1", 1, 1, H1, 32, 1, NULL, 0,
                                     &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request",
                          "The credential identified by credentialID is disabled"));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_authorize_sic(&c, carol_dev, "c-exp", "carol-pin-1", 1, 1, H1, 32, 1, NULL, 0,
                                     &out), 400);
    snprintf(want, sizeof want, "Signing certificate '%s' is expired.", "UID=carol,CN=carol");
    CU_ASSERT(ts_is_error(out, "invalid_request", want));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_authorize_sic(&c, carol_dev, "c-rev", "carol-pin-1", 1, 1, H1, 32, 1, NULL, 0,
                                     &out), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Signing certificate 'UID=carol,CN=carol' is revoked."));
    json_decref(out);
    /* credentials/info shows the states */
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/info", &out, "{s:s}", "credentialID", "c-exp"), 200);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(out, "cert"), "status")),
                           "expired");
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/info", &out, "{s:s}", "credentialID", "c-dis"), 200);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(out, "key"), "status")),
                           "disabled");
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{s:b}", "onlyValid", 1), 200);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(out, "credentialIDs")), 2);   /* c-p256, c-rsa */
    json_decref(out);
    X509_free(x);
    free(old);
    OPENSSL_free(der);
    signer_close(&c);
}

/* ------------------------------------------------------------ extendTransaction */

/* extendTransaction is refused with this error (desc NULL: any) and answers no SAD. */
static bool extend_refused(signer_conn *c, const char *cred, const char *sad, const uint8_t *h,
                           size_t n, const char *desc)
{
    json_t *out = NULL;
    bool ok = ts_extend(c, cred, sad, h, n, NULL, 0, &out) == 400 &&
              ts_is_error(out, "invalid_request", desc) && json_object_get(out, "SAD") == NULL;

    json_decref(out);
    return ok;
}

/* CSC 11.9 / TS 119 432 5.3.2: a new SAD for the rest of the authorisation; it signs, and
 * the count carries over: 2 authorised, 1 with the old SAD, 1 with the new, then none. */
static void test_CSC_11_9_extend_then_sign(void)
{
    char sad[4096], sad2[4096];
    uint8_t hs[64];
    json_t *out = NULL;
    signer_conn c;

    NEED();
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 2, hs, 2, sad, sizeof sad), 200);
    CU_ASSERT(signs(&c, "c-p256", sad, H1, 1));
    sleep(1); /* a later second, so a later expiry: a SAD of its own */
    CU_ASSERT_EQUAL_FATAL(ts_extend(&c, "c-p256", sad, H2, 1, sad2, sizeof sad2, &out), 200);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(out, "expiresIn")), 3600);
    CU_ASSERT(strcmp(sad, sad2) != 0);
    json_decref(out);
    CU_ASSERT(signs(&c, "c-p256", sad2, H2, 1));
    CU_ASSERT(refused(&c, "c-p256", sad2, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(refused(&c, "c-p256", sad, H2, 1, "Invalid parameter SAD"));
    CU_ASSERT(extend_refused(&c, "c-p256", sad2, H1, 1, "Invalid parameter SAD"));
    signer_close(&c);
}

/* The refusals and their CSC errors (spec/csc-api.md §4): a tampered SAD, another signer's
 * SAD, another credential, a hash the SAD does not list, missing fields. None consumes
 * anything: the SAD still extends and signs afterwards. */
static void test_CSC_11_9_extend_refusals(void)
{
    char sad[4096], bad[4096], sad2[4096];
    json_t *out = NULL;
    signer_conn b, c;
    size_t n;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_FATAL(ts_login(&W, &b, "bob") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H1, 1, sad, sizeof sad), 200);
    n = strlen(sad);
    memcpy(bad, sad, n + 1);
    bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
    CU_ASSERT(extend_refused(&c, "c-p256", bad, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(extend_refused(&c, "c-p256", "*", H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(extend_refused(&b, "c-p256", sad, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(extend_refused(&b, "b-p256", sad, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(extend_refused(&c, "c-rsa", sad, H1, 1, "Invalid parameter SAD"));
    CU_ASSERT(extend_refused(&c, "c-p256", sad, H2, 1, "Hash is not authorized by the SAD."));
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/extendTransaction", &out, "{s:s,s:s}",
                            "credentialID", "c-p256", "SAD", sad), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", NULL));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/extendTransaction", &out, "{s:s,s:o}",
                            "credentialID", "c-p256", "hashes", ts_hashes(H1, 32, 1)), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Missing (or invalid type) string parameter SAD"));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/extendTransaction", &out, "{s:s,s:s,s:o}",
                            "credentialID", "c-p256", "SAD", sad, "hashes", ts_hashes(H1, 32, 1)),
                    400);
    CU_ASSERT(ts_is_error(out, "invalid_request",
                          "Missing (or invalid type) string parameter hashAlgorithmOID"));
    json_decref(out);
    CU_ASSERT_EQUAL_FATAL(ts_extend(&c, "c-p256", sad, H1, 1, sad2, sizeof sad2, &out), 200);
    json_decref(out);
    CU_ASSERT(signs(&c, "c-p256", sad2, H1, 1));
    signer_close(&b);
    signer_close(&c);
}

/* An expired SAD (the SAM restarted two hours ahead with libfaketime): "SAD expired", at
 * signHash and at extendTransaction (CSC 11.9: only a current SAD is extended). Last: it
 * restarts the SAM. */
static void test_CSC_11_10_sad_expired(void)
{
    char sad[4096];
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(carol_sad(&c, "c-p256", 1, H2, 1, sad, sizeof sad), 200);
    CU_ASSERT_EQUAL_FATAL(it_stop(&W.sam), 0);
    if (it_start(&W.sam, "+2h") != 0) {
        CU_ASSERT_EQUAL_FATAL(it_start(&W.sam, NULL), 0);
        signer_close(&c);
        UNIT_SKIP("libfaketime is not installed (make deps installs the faketime package)");
    }
    CU_ASSERT(refused(&c, "c-p256", sad, H2, 1, "SAD expired"));
    CU_ASSERT(extend_refused(&c, "c-p256", sad, H2, 1, "SAD expired"));
    CU_ASSERT_EQUAL(it_stop(&W.sam), 0);
    CU_ASSERT_EQUAL(it_start(&W.sam, NULL), 0);
    signer_close(&c);
}

UNIT_SUITE(ssaattack)
{
    static const unit_test tests[] = {
        { "SRA_SKM_2_5_replay", test_SRA_SKM_2_5_replay },
        { "SRA_SAP_2_3_hash_substitution", test_SRA_SAP_2_3_hash_substitution },
        { "SRA_SKM_1_4_cross_signer", test_SRA_SKM_1_4_cross_signer },
        { "SRA_SAP_1_6_tampered", test_SRA_SAP_1_6_tampered },
        { "SRA_SKM_2_5_other_audience", test_SRA_SKM_2_5_other_audience },
        { "CSC_11_9_over_count", test_CSC_11_9_over_count },
        { "SRG_KM_1_2_sha1_oid", test_SRG_KM_1_2_sha1_oid },
        { "CSC_11_10_digest_length", test_CSC_11_10_digest_length },
        { "CSC_10_error_table", test_CSC_10_error_table },
        { "SRC_SA_2_1_wrong_pin_locked", test_SRC_SA_2_1_wrong_pin_locked },
        { "SIG_6_3_1_08_credential_state", test_SIG_6_3_1_08_credential_state },
        { "CSC_11_9_extend_then_sign", test_CSC_11_9_extend_then_sign },
        { "CSC_11_9_extend_refusals", test_CSC_11_9_extend_refusals },
        { "CSC_11_10_sad_expired", test_CSC_11_10_sad_expired },
        { NULL, NULL },
    };
    return unit_add_suite("ssaattack", setup, cleanup, tests);
}
