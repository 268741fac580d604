/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end tests of the SSA over real HTTPS on loopback, against a real `qscd sam` on a
 * throw-away SoftHSMv2 token: the CSC flows for ECDSA P-256/P-384 and RSA-3072 (PSS and
 * PKCS#1 v1.5) with both SAP mechanisms, list isolation between signers, client
 * authentication and bearer tokens, the input discipline (malformed JSON, oversized bodies,
 * wrong types and Content-Type), the OpenAPI document against the served methods, and
 * `qscd sign` / `qscd verify` with `openssl cms -verify`. Every signature is verified with
 * OpenSSL against the credential's certificate.
 */
#include "unit.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "qscd_err.h"
#include "sam_types.h"
#include "util_ssa.h"

static ts_world W;
static const char *why_not;
static uint8_t H1[32], H2[32], H3[32], HS[96], H384[48];
static uint8_t alice_seed[20], dave_seed[20];
static EVP_PKEY *carol_dev, *bob_dev;

#define NEED() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

/* RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, salt 32 (DER, Base64). */
#define PSS_SHA256 "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg"

/* alice (TOTP: a-p256), dave (TOTP: d-p256, for `qscd sign`), carol (SIC: c-p256, c-p384,
 * c-rsa RSA-3072), bob (SIC: b-p256). */
static int setup(void)
{
    it_sam *t = &W.sam;

    it_sha256("document one", H1);
    it_sha256("document two", H2);
    it_sha256("document three", H3);
    memcpy(HS, H1, 32);
    memcpy(HS + 32, H2, 32);
    memcpy(HS + 64, H3, 32);
    EVP_Digest("document four", 13, H384, NULL, EVP_sha384(), NULL);
    if ((why_not = ts_start(&W, "ssa", NULL)) != NULL)
        return 0;
    if (it_enrol(t, "alice", "alice-pin-1") != 0 || it_totp_provision(t, "alice", alice_seed) != 0 ||
        it_enrol(t, "dave", "dave-pin-1") != 0 || it_totp_provision(t, "dave", dave_seed) != 0 ||
        it_enrol(t, "carol", "carol-pin-1") != 0 || it_enrol(t, "bob", "bob-pin-1") != 0 ||
        (carol_dev = it_device_enrol(t, "carol")) == NULL ||
        (bob_dev = it_device_enrol(t, "bob")) == NULL ||
        it_cred(t, "alice", "a-p256", SAM_KEY_EC_P256, SAM_SAP_TOTP, 5, false) != 0 ||
        it_cred(t, "dave", "d-p256", SAM_KEY_EC_P256, SAM_SAP_TOTP, 1, false) != 0 ||
        it_cred(t, "carol", "c-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 3, false) != 0 ||
        it_cred(t, "carol", "c-p384", SAM_KEY_EC_P384, SAM_SAP_SIC, 2, false) != 0 ||
        it_cred(t, "carol", "c-rsa", SAM_KEY_RSA_3072, SAM_SAP_SIC, 4, false) != 0 ||
        it_cred(t, "bob", "b-p256", SAM_KEY_EC_P256, SAM_SAP_SIC, 3, false) != 0)
        why_not = "the signers could not be set up";
    return 0;
}

static int cleanup(void)
{
    EVP_PKEY_free(carol_dev);
    EVP_PKEY_free(bob_dev);
    ts_stop(&W);
    return 0;
}

/* ------------------------------------------------------------------------- info */

/* CSC 11.1: info needs no token and lists exactly the methods served. */
static void test_CSC_11_1_info(void)
{
    signer_conn c;
    json_t *out = NULL, *m;
    size_t i;

    NEED();
    CU_ASSERT_FATAL(signer_open(&c, W.base, W.cacert) == 0);
    CU_ASSERT_EQUAL(ts_post(&c, "info", &out, "{}"), 200);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(out, "specs")), "2.0.0.2");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(out, "authType"), 0)),
                           "basic");
    m = json_object_get(out, "methods");
    for (i = 0; ssa_methods[i] != NULL; i++)
        CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(m, i)), ssa_methods[i]);
    CU_ASSERT_EQUAL(json_array_size(m), i);
    json_decref(out);
    /* without a body at all, as CSC allows for info */
    CU_ASSERT_EQUAL(ts_post(&c, "info", &out, NULL), 200);
    json_decref(out);
    signer_close(&c);
}

/* TS 119 432 7.2: spec/csc-openapi.json describes exactly the methods served. */
static void test_TS119432_openapi_matches(void)
{
    json_error_t je;
    json_t *doc = json_load_file("spec/csc-openapi.json", 0, &je), *paths, *op;
    signer_conn c;
    const char *k;
    size_t n = 0;

    NEED();
    CU_ASSERT_FATAL(doc != NULL);
    paths = json_object_get(doc, "paths");
    CU_ASSERT_FATAL(json_is_object(paths));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
    for (size_t i = 0; ssa_methods[i] != NULL; i++, n++) {
        char path[80];
        snprintf(path, sizeof path, "/%s", ssa_methods[i]);
        op = json_object_get(json_object_get(paths, path), "post");
        CU_ASSERT(op != NULL);
        if (op == NULL)
            fprintf(stderr, "\n    %s is served but not in spec/csc-openapi.json\n", path);
    }
    CU_ASSERT_EQUAL(json_object_size(paths), n);
    /* and each documented path is served (anything but 404 without a token) */
    CU_ASSERT_FATAL(signer_open(&c, W.base, W.cacert) == 0);
    json_object_foreach(paths, k, op) {
        json_t *out = NULL;
        long st = ts_post(&c, k + 1, &out, "{}");
        CU_ASSERT(st != 404 && st > 0);
        json_decref(out);
    }
    CU_ASSERT_EQUAL(ts_post(&c, "signatures/signDoc", &op, "{}"), 404);
    json_decref(op);
    signer_close(&c);
    json_decref(doc);
}

/* ------------------------------------------------------------------------ flows */

/* The whole flow for ECDSA P-256 with PIN + TOTP: login, list, info (chain, auth objects,
 * SCAL 2), authorize two hashes, sign them in one call, verify; the SAD is then used up. */
static void test_CSC_11_10_flow_p256_totp(void)
{
    char sad[4096], code[9];
    json_t *out = NULL, *info;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "alice") == 0);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{}"), 200);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(out, "credentialIDs")), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(out, "credentialIDs"), 0)),
                           "a-p256");
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/info", &out, "{s:s,s:s,s:b,s:b}", "credentialID",
                            "a-p256", "certificates", "chain", "certInfo", 1, "authInfo", 1), 200);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(out, "SCAL")), "2");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(out, "multisign")), 5);
    info = json_object_get(out, "key");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(info, "status")), "enabled");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(info, "curve")), "1.2.840.10045.3.1.7");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(info, "len")), 256);
    info = json_object_get(out, "cert");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(info, "status")), "valid");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(info, "certificates")), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(info, "subjectDN")), "UID=alice"));
    CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(info, "validTo"))), 15);
    info = json_object_get(out, "auth");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(info, "mode")), "explicit");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(info, "expression")), "PIN AND OTP");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(info, "objects")), 2);
    json_decref(out);
    it_totp_code(alice_seed, 0, code);
    CU_ASSERT_EQUAL_FATAL(ts_authorize_otp(&c, "a-p256", "alice-pin-1", code, 2, HS, 2, sad,
                                           sizeof sad, &out), 200);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(out, "expiresIn")), 3600);
    json_decref(out);
    CU_ASSERT_EQUAL(ts_sign(&c, "a-p256", sad, "1.2.840.10045.4.3.2", NULL, NULL, HS, 32, 2, &out),
                    200);
    CU_ASSERT(ts_verified(&c, "a-p256", out, SAM_SIGN_ECDSA, 1, HS, 32, 2));
    CU_ASSERT(!ts_verified(&c, "a-p256", out, SAM_SIGN_ECDSA, 1, HS + 32, 32, 1));
    json_decref(out);
    /* CSC 11.9: the SAD is invalid once its signatures are made */
    CU_ASSERT_EQUAL(ts_sign(&c, "a-p256", sad, "1.2.840.10045.4.3.2", NULL, NULL, HS, 32, 1, &out),
                    400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter SAD"));
    json_decref(out);
    signer_close(&c);
}

/* PIN + SIC assertion, three hashes signed in two calls (CSC 3 multi-signature, kind 2 and 3). */
static void test_CSC_11_10_flow_sic_multi(void)
{
    char sad[4096];
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/info", &out, "{s:s,s:b}", "credentialID", "c-p256",
                            "authInfo", 1), 200);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(out, "auth"),
                                                             "expression")), "PIN AND SIC");
    json_decref(out);
    CU_ASSERT_EQUAL_FATAL(ts_authorize_sic(&c, carol_dev, "c-p256", "carol-pin-1", 3, 1, HS, 32, 3,
                                           sad, sizeof sad, NULL), 200);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-p256", sad, "1.2.840.10045.2.1", "2.16.840.1.101.3.4.2.1", NULL,
                            HS + 32, 32, 2, &out), 200);
    CU_ASSERT(ts_verified(&c, "c-p256", out, SAM_SIGN_ECDSA, 1, HS + 32, 32, 2));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-p256", sad, "1.2.840.10045.4.3.2", "2.16.840.1.101.3.4.2.1",
                            NULL, HS, 32, 1, &out), 200);
    CU_ASSERT(ts_verified(&c, "c-p256", out, SAM_SIGN_ECDSA, 1, HS, 32, 1));
    json_decref(out);
    signer_close(&c);
}

/* RSA-3072: RSASSA-PSS (signAlgoParams in DER), PKCS#1 v1.5 as rsaEncryption with
 * hashAlgorithmOID and as sha256WithRSAEncryption; each verified with its own padding. */
static void test_CSC_11_10_flow_rsa3072(void)
{
    char sad[4096];
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(ts_authorize_sic(&c, carol_dev, "c-rsa", "carol-pin-1", 3, 1, HS, 32, 3,
                                           sad, sizeof sad, NULL), 200);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-rsa", sad, "1.2.840.113549.1.1.10", NULL, PSS_SHA256, H1, 32, 1,
                            &out), 200);
    CU_ASSERT(ts_verified(&c, "c-rsa", out, SAM_SIGN_RSA_PSS, 1, H1, 32, 1));
    CU_ASSERT(!ts_verified(&c, "c-rsa", out, SAM_SIGN_RSA_PKCS1, 1, H1, 32, 1));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-rsa", sad, "1.2.840.113549.1.1.1", "2.16.840.1.101.3.4.2.1",
                            NULL, H2, 32, 1, &out), 200);
    CU_ASSERT(ts_verified(&c, "c-rsa", out, SAM_SIGN_RSA_PKCS1, 1, H2, 32, 1));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-rsa", sad, "1.2.840.113549.1.1.11", NULL, NULL, H3, 32, 1, &out),
                    200);
    CU_ASSERT(ts_verified(&c, "c-rsa", out, SAM_SIGN_RSA_PKCS1, 1, H3, 32, 1));
    CU_ASSERT_EQUAL(json_string_length(json_array_get(json_object_get(out, "signatures"), 0)), 512);
    json_decref(out);
    /* ECDSA on an RSA key: the SAM refuses the algorithm (SRG_KM.1.2) */
    CU_ASSERT_EQUAL_FATAL(ts_authorize_sic(&c, carol_dev, "c-rsa", "carol-pin-1", 1, 1, H1, 32, 1,
                                           sad, sizeof sad, NULL), 200);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-rsa", sad, "1.2.840.10045.4.3.2", NULL, NULL, H1, 32, 1, &out),
                    400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter signAlgo"));
    json_decref(out);
    signer_close(&c);
}

/* ECDSA P-384 with SHA-384 hashes (ecdsa-with-SHA384). */
static void test_CSC_11_10_flow_p384_sha384(void)
{
    char sad[4096];
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL_FATAL(ts_authorize_sic(&c, carol_dev, "c-p384", "carol-pin-1", 1, 2, H384, 48,
                                           1, sad, sizeof sad, NULL), 200);
    CU_ASSERT_EQUAL(ts_sign(&c, "c-p384", sad, "1.2.840.10045.4.3.3", NULL, NULL, H384, 48, 1, &out),
                    200);
    CU_ASSERT(ts_verified(&c, "c-p384", out, SAM_SIGN_ECDSA, 2, H384, 48, 1));
    json_decref(out);
    signer_close(&c);
}

/* ----------------------------------------------------------------- isolation */

/* SRC_SA.1.4 / TS 119 432 7.3: a token is its signer's; credentials/list shows only the
 * signer's credentials; another signer's credential is unknown; userID must be absent. */
static void test_SRC_SA_1_4_list_isolation(void)
{
    json_t *out = NULL, *ids;
    signer_conn b, c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &b, "bob") == 0);
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_EQUAL(ts_post(&b, "credentials/list", &out, "{s:b,s:b}", "credentialInfo", 1,
                            "onlyValid", 1), 200);
    ids = json_object_get(out, "credentialIDs");
    CU_ASSERT_EQUAL(json_array_size(ids), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(ids, 0)), "b-p256");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(
                               json_object_get(out, "credentialInfos"), 0), "credentialID")), "b-p256");
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{}"), 200);
    ids = json_object_get(out, "credentialIDs");
    CU_ASSERT_EQUAL(json_array_size(ids), 3);
    for (size_t i = 0; i < json_array_size(ids); i++)
        CU_ASSERT_STRING_NOT_EQUAL(json_string_value(json_array_get(ids, i)), "b-p256");
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&b, "credentials/info", &out, "{s:s}", "credentialID", "c-p256"), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter credentialID"));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&b, "credentials/getChallenge", &out, "{s:s,s:s}", "credentialID",
                            "c-p256", "authObjectID", "SIC"), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter credentialID"));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&b, "credentials/list", &out, "{s:s}", "userID", "carol"), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "userID parameter MUST be null"));
    json_decref(out);
    signer_close(&b);
    signer_close(&c);
}

/* ---------------------------------------------------------- client authentication */

static long login_status(const char *user, const char *secret)
{
    signer_conn c;
    long st = -1;

    if (signer_open(&c, W.base, W.cacert) == 0)
        st = signer_login(&c, user, secret) == 0 ? 200 : 401;
    signer_close(&c);
    return st;
}

/* TS 119 432 5.2.2 / CSC 11.2-11.3: HTTP Basic for registered clients, scoped to signers;
 * bearer tokens checked on every call; auth/revoke ends a token. */
static void test_TS119432_5_2_2_login_tokens(void)
{
    char *resp = NULL;
    size_t n = 0;
    json_t *out = NULL;
    signer_conn c, d;

    NEED();
    CU_ASSERT_EQUAL(login_status("carol@demo", "wrong-secret"), 401);
    CU_ASSERT_EQUAL(login_status("carol@nobody", TS_SECRET), 401);
    CU_ASSERT_EQUAL(login_status("carol", TS_SECRET), 401);
    CU_ASSERT_EQUAL(login_status("bob@acme", TS_ACME_SECRET), 401);   /* acme: carol only */
    CU_ASSERT_EQUAL(login_status("carol@acme", TS_ACME_SECRET), 200);
    CU_ASSERT_FATAL(signer_open(&c, W.base, W.cacert) == 0);
    CU_ASSERT_EQUAL(signer_call_raw(&c, "auth/login", NULL, NULL, 0, "Bearer x", &resp, &n), 400);
    free(resp);
    CU_ASSERT_EQUAL(signer_call_raw(&c, "auth/login", NULL, NULL, 0, "", &resp, &n), 400);
    free(resp);
    /* no token, a malformed header, an unknown token */
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{}"), 401);
    CU_ASSERT(ts_is_error(out, "invalid_token", NULL));
    json_decref(out);
    CU_ASSERT_EQUAL(signer_call_raw(&c, "credentials/list", "application/json", "{}", 2, "Basic",
                                    &resp, &n), 400);
    out = json_loadb(resp, n, 0, NULL);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Malformed authorization header."));
    json_decref(out);
    free(resp);
    CU_ASSERT_EQUAL(signer_call_raw(&c, "credentials/list", "application/json", "{}", 2,
                                    "Bearer not-a-token", &resp, &n), 401);
    out = json_loadb(resp, n, 0, NULL);
    CU_ASSERT(ts_is_error(out, "invalid_token", "Invalid access token"));
    json_decref(out);
    free(resp);
    signer_close(&c);
    /* revoke: the token stops working; another client cannot revoke it */
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    CU_ASSERT_FATAL(ts_login_as(&W, &d, "carol", "acme", TS_ACME_SECRET) == 0);
    CU_ASSERT_EQUAL(ts_post(&d, "auth/revoke", &out, "{s:s}", "token", c.token), 204);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{}"), 200);
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "auth/revoke", &out, "{s:s,s:s}", "token", c.token,
                            "token_type_hint", "access_token"), 204);
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{}"), 401);
    CU_ASSERT(ts_is_error(out, "invalid_token", NULL));
    json_decref(out);
    signer_close(&c);
    signer_close(&d);
}

/* CSC 10: a token past its lifetime is refused with 401 expired_token (a second SSA on the
 * same SAM with 1-second tokens). */
static void test_CSC_10_expired_token(void)
{
    char cert[800], key[800], clients[800];
    ssa_config cfg = { 0 };
    json_t *out = NULL;
    signer_conn c;
    ssa *s = NULL;

    NEED();
    snprintf(cert, sizeof cert, "%s/tls.pem", W.sam.dir);
    snprintf(key, sizeof key, "%s/tls-key.pem", W.sam.dir);
    snprintf(clients, sizeof clients, "%s/clients", W.sam.dir);
    cfg.sam_socket = W.sam.sock;
    cfg.tls_cert = cert;
    cfg.tls_key = key;
    cfg.clients = clients;
    cfg.quiet = 1;
    cfg.token_ttl = 1;
    CU_ASSERT_FATAL(ssa_start(&cfg, &s) == QSCD_OK);
    memset(&c, 0, sizeof c);
    if (signer_open(&c, W.base, W.cacert) == 0) {
        snprintf(c.base, sizeof c.base, "https://localhost:%u/csc/v2/", ssa_port(s));
        CU_ASSERT_FATAL(signer_login(&c, "carol@demo", TS_SECRET) == 0);
        CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{}"), 200);
        json_decref(out);
        sleep(2);
        CU_ASSERT_EQUAL(ts_post(&c, "credentials/list", &out, "{}"), 401);
        CU_ASSERT(ts_is_error(out, "expired_token", "The access token has expired"));
        json_decref(out);
    }
    signer_close(&c);
    ssa_stop(s);
}

/* ------------------------------------------------------------------ input discipline */

static long raw(signer_conn *c, const char *method, const char *ctype, const char *body,
                size_t len, json_t **out)
{
    char *resp = NULL;
    size_t n = 0;
    long st = signer_call_raw(c, method, ctype, body, len, NULL, &resp, &n);

    *out = resp != NULL ? json_loadb(resp, n, 0, NULL) : NULL;
    free(resp);
    return st;
}

/* Every bad request gets a CSC JSON error (never a crash, a hang or a 500). */
static void test_TS119432_input_discipline(void)
{
    static const struct { const char *ctype, *body; int status; const char *desc; } cases[] = {
        { "application/json", "{\"credentialID\":", 400, "Malformed JSON body: a JSON object is expected" },
        { "application/json", "[\"c-p256\"]", 400, "Malformed JSON body: a JSON object is expected" },
        { "application/json", "{\"credentialID\":\"c-p256\",\"credentialID\":\"b-p256\"}", 400,
          "Malformed JSON body: a JSON object is expected" },
        { "text/plain", "{\"credentialID\":\"c-p256\"}", 400, "Content-Type must be application/json" },
        { NULL, "{\"credentialID\":\"c-p256\"}", 400, "Content-Type must be application/json" },
        { "application/json", "{\"credentialID\":42}", 400,
          "Missing (or invalid type) string parameter credentialID" },
        /* an embedded NUL: jansson refuses it unless asked (JSON_ALLOW_NUL) */
        { "application/json", "{\"credentialID\":\"c-p\\u0000256\"}", 400,
          "Malformed JSON body: a JSON object is expected" },
        { "application/json", "{\"credentialID\":\"\"}", 400, "Invalid parameter credentialID" },
        { "application/json", "{\"credentialID\":\"c-p256\",\"certInfo\":\"yes\"}", 400,
          "Missing (or invalid type) boolean parameter certInfo" },
        { "application/json", "{\"credentialID\":\"c-p256\",\"certificates\":\"all\"}", 400,
          "Invalid parameter certificates" },
    };
    char *big;
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "carol") == 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_EQUAL(raw(&c, "credentials/info", cases[i].ctype, cases[i].body,
                            strlen(cases[i].body), &out), cases[i].status);
        CU_ASSERT(ts_is_error(out, "invalid_request", cases[i].desc));
        json_decref(out);
    }
    /* unknown fields are ignored, as CSC allows; a charset parameter is fine */
    {
        const char *b = "{\"credentialID\":\"c-p256\",\"x-unknown\":[1,{}]}";
        CU_ASSERT_EQUAL(raw(&c, "credentials/info", "application/json; charset=utf-8", b,
                            strlen(b), &out), 200);
    }
    json_decref(out);
    /* an oversized body: 413 with a CSC error, the connection still usable */
    big = malloc(SSA_BODY_MAX + 100);
    CU_ASSERT_FATAL(big != NULL);
    memset(big, ' ', SSA_BODY_MAX + 100);
    big[0] = '{';
    big[SSA_BODY_MAX + 99] = '}';
    CU_ASSERT_EQUAL(raw(&c, "credentials/list", "application/json", big, SSA_BODY_MAX + 100, &out),
                    413);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Request body too large"));
    json_decref(out);
    free(big);
    /* too many hashes, bad Base64, an empty array */
    {
        uint8_t many[33 * 32];
        memset(many, 7, sizeof many);
        CU_ASSERT_EQUAL(ts_sign(&c, "c-p256", "AAAA", "1.2.840.10045.4.3.2", NULL, NULL, many, 32, 33,
                                &out), 400);
        CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid parameter hashes"));
        json_decref(out);
    }
    CU_ASSERT_EQUAL(ts_post(&c, "signatures/signHash", &out, "{s:s,s:s,s:[s],s:s}", "credentialID",
                            "c-p256", "SAD", "AAAA", "hashes", "not base64!", "signAlgo",
                            "1.2.840.10045.4.3.2"), 400);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Invalid Base64 hash string parameter"));
    json_decref(out);
    /* an unknown method */
    CU_ASSERT_EQUAL(ts_post(&c, "credentials/nothing", &out, "{}"), 404);
    CU_ASSERT(ts_is_error(out, "invalid_request", "Unknown method"));
    json_decref(out);
    CU_ASSERT_EQUAL(ts_post(&c, "info", &out, "{}"), 200);   /* still serving */
    json_decref(out);
    signer_close(&c);
}

/* ------------------------------------------------------------------ qscd ssa */

/* `qscd ssa` as its own process: serves, logs one line per request without any secret
 * (SRA_SKM.2.8: PIN, assertion, SAD, token never logged), stops cleanly on SIGTERM. */
static void test_SRA_SKM_2_8_ssa_command_no_secret_in_logs(void)
{
    char cert[800], key[800], clients[800], log[800], line[300] = "", sad[4096] = "", tok[256] = "",
        text[65536];
    json_t *out = NULL;
    signer_conn c;
    int fds[2], st = -1;
    unsigned port = 0;
    size_t n;
    pid_t pid;
    FILE *f;

    NEED();
    snprintf(cert, sizeof cert, "%s/tls.pem", W.sam.dir);
    snprintf(key, sizeof key, "%s/tls-key.pem", W.sam.dir);
    snprintf(clients, sizeof clients, "%s/clients", W.sam.dir);
    snprintf(log, sizeof log, "%s/ssa-command.log", W.sam.dir);
    CU_ASSERT_FATAL(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fds[1], 1);
        dup2(fd, 2);
        close(fds[0]);
        execl(getenv("QSCD_BIN"), "qscd", "ssa", "--sam", W.sam.sock, "--cert", cert, "--key", key,
              "--clients", clients, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    if (f != NULL && fgets(line, sizeof line, f) != NULL)
        sscanf(line, "qscd ssa: CSC API v2 at https://127.0.0.1:%u/", &port);
    CU_ASSERT(port > 0);
    if (port > 0 && signer_open(&c, W.base, W.cacert) == 0) {
        snprintf(c.base, sizeof c.base, "https://localhost:%u/csc/v2/", port);
        CU_ASSERT(signer_login(&c, "carol@demo", TS_SECRET) == 0);
        CU_ASSERT_EQUAL(ts_authorize_sic(&c, carol_dev, "c-p256", "carol-pin-1", 1, 1, H1, 32, 1,
                                         sad, sizeof sad, NULL), 200);
        CU_ASSERT_EQUAL(ts_sign(&c, "c-p256", sad, "1.2.840.10045.4.3.2", NULL, NULL, H1, 32, 1,
                                &out), 200);
        CU_ASSERT(ts_verified(&c, "c-p256", out, SAM_SIGN_ECDSA, 1, H1, 32, 1));
        json_decref(out);
        CU_ASSERT_EQUAL(ts_authorize_sic(&c, carol_dev, "c-p256", "carol-pin-X", 1, 1, H1, 32, 1,
                                         NULL, 0, NULL), 400);
        snprintf(tok, sizeof tok, "%s", c.token);
        signer_close(&c);
    }
    kill(pid, SIGTERM);
    CU_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (f != NULL)
        fclose(f);
    f = fopen(log, "r");
    CU_ASSERT_FATAL(f != NULL);
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "/csc/v2/signatures/signHash 200 ok"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "/csc/v2/credentials/authorize 400 invalid_authentication_data"));
    CU_ASSERT_PTR_NULL(strstr(text, "carol-pin"));
    CU_ASSERT_PTR_NULL(strstr(text, TS_SECRET));
    CU_ASSERT(sad[0] != '\0' && strstr(text, sad) == NULL);
    CU_ASSERT(tok[0] != '\0' && strstr(text, tok) == NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "qscd ssa: stopped"));
}

/* ------------------------------------------------------------------ qscd sign */

/* `qscd sign` (PIN + TOTP from the seed file) writes FILE.p7s that `openssl cms -verify`
 * accepts with the test CA, and `qscd verify` checks; a changed file fails. */
static void test_SIC_sign_cms(void)
{
    char doc[800], seed[800], pin[800], out[8192], cmd[4000], env[1000];
    const uint8_t *uri = NULL;
    samc_resp r;
    size_t n = 0;
    it_p p;
    FILE *f;

    NEED();
    (void)dave_seed;
    snprintf(doc, sizeof doc, "%s/doc.txt", W.sam.dir);
    snprintf(seed, sizeof seed, "%s/dave.otp", W.sam.dir);
    snprintf(pin, sizeof pin, "%s/dave.pin", W.sam.dir);
    f = fopen(doc, "w");
    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "A contract between the parties.\n");
    fclose(f);
    /* a fresh provisioning gives the URI to put in the seed file */
    itp_map(&p, 1);
    itp_id(&p, 1, "dave");
    CU_ASSERT_EQUAL_FATAL(it_so(&W.sam, SAMC_TOTP_PROVISION, &p, &r), 0);
    CU_ASSERT_FATAL(samc_get_tstr(&r, 1, &uri, &n) == 0);
    f = fopen(seed, "w");
    fprintf(f, "uri: %.*s\n", (int)n, (const char *)uri);
    fclose(f);
    samc_resp_free(&r);
    f = fopen(pin, "w");
    fprintf(f, "dave-pin-1\n");
    fclose(f);
    snprintf(env, sizeof env, "QSCD_CACERT=%s", W.cacert);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, env, "sign", doc, "--signer", "dave", "--cred",
                           "d-p256", "--totp-seed", seed, "--pin-file", pin, "--url", W.base,
                           "--secret-file", W.secret_file, (char *)NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "signature verified with OpenSSL"));
    snprintf(cmd, sizeof cmd, "openssl cms -verify -binary -inform DER -in '%s.p7s' -content '%s' "
                              "-CAfile '%s' -out /dev/null 2>&1", doc, doc, W.cacert);
    f = popen(cmd, "r");
    CU_ASSERT_FATAL(f != NULL);
    n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    CU_ASSERT_EQUAL(pclose(f), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Verification successful"));
    snprintf(cmd, sizeof cmd, "%s.p7s", doc);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, env, "verify", doc, cmd, (char *)NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Verification successful"));
    f = fopen(doc, "a");
    fprintf(f, "and one more line\n");
    fclose(f);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, env, "verify", doc, cmd, (char *)NULL), 1);
}

/* The SSA keeps its SAM connections between calls (ssa_csc.c) without ever answering from a
 * dead one: a signature on a kept connection, one after the SAM was restarted (the kept
 * connection is closed at its end: a new one is made, no 503), one after the kept connection
 * went stale (older than SSA_SAM_IDLE_MS). Each signature verified; the SAD's count holds
 * across the restart (a fourth signature is refused). */
static void test_SSA_sam_connection_reuse(void)
{
    struct timespec idle = { 0, (SSA_SAM_IDLE_MS + 100) * 1000000L };
    char sad[4096];
    json_t *out = NULL;
    signer_conn c;

    NEED();
    CU_ASSERT_FATAL(ts_login(&W, &c, "bob") == 0);
    CU_ASSERT_EQUAL_FATAL(ts_authorize_sic(&c, bob_dev, "b-p256", "bob-pin-1", 3, 1, HS, 32, 3,
                                           sad, sizeof sad, NULL), 200);
    CU_ASSERT(W.ssa->n_sam_idle >= 1);       /* the authorize's connection was kept */
    CU_ASSERT_EQUAL(ts_sign(&c, "b-p256", sad, "1.2.840.10045.4.3.2", NULL, NULL, HS, 32, 1,
                            &out), 200);
    CU_ASSERT(ts_verified(&c, "b-p256", out, SAM_SIGN_ECDSA, 1, HS, 32, 1));
    json_decref(out);
    CU_ASSERT_EQUAL_FATAL(it_stop(&W.sam), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&W.sam, NULL), 0);
    CU_ASSERT(W.ssa->n_sam_idle >= 1);       /* kept, though the SAM behind it has gone */
    CU_ASSERT_EQUAL(ts_sign(&c, "b-p256", sad, "1.2.840.10045.4.3.2", NULL, NULL, HS + 32, 32, 1,
                            &out), 200);
    CU_ASSERT(ts_verified(&c, "b-p256", out, SAM_SIGN_ECDSA, 1, HS + 32, 32, 1));
    json_decref(out);
    nanosleep(&idle, NULL);
    CU_ASSERT_EQUAL(ts_sign(&c, "b-p256", sad, "1.2.840.10045.4.3.2", NULL, NULL, HS + 64, 32, 1,
                            &out), 200);
    CU_ASSERT(ts_verified(&c, "b-p256", out, SAM_SIGN_ECDSA, 1, HS + 64, 32, 1));
    json_decref(out);
    CU_ASSERT_NOT_EQUAL(ts_sign(&c, "b-p256", sad, "1.2.840.10045.4.3.2", NULL, NULL, HS, 32, 1,
                                &out), 200);
    json_decref(out);
    signer_close(&c);
}

UNIT_SUITE(ssa)
{
    static const unit_test tests[] = {
        { "CSC_11_1_info", test_CSC_11_1_info },
        { "TS119432_openapi_matches", test_TS119432_openapi_matches },
        { "CSC_11_10_flow_p256_totp", test_CSC_11_10_flow_p256_totp },
        { "CSC_11_10_flow_sic_multi", test_CSC_11_10_flow_sic_multi },
        { "CSC_11_10_flow_rsa3072", test_CSC_11_10_flow_rsa3072 },
        { "CSC_11_10_flow_p384_sha384", test_CSC_11_10_flow_p384_sha384 },
        { "SRC_SA_1_4_list_isolation", test_SRC_SA_1_4_list_isolation },
        { "TS119432_5_2_2_login_tokens", test_TS119432_5_2_2_login_tokens },
        { "CSC_10_expired_token", test_CSC_10_expired_token },
        { "TS119432_input_discipline", test_TS119432_input_discipline },
        { "SRA_SKM_2_8_ssa_command_no_secret_in_logs", test_SRA_SKM_2_8_ssa_command_no_secret_in_logs },
        { "SIC_sign_cms", test_SIC_sign_cms },
        { "SSA_sam_connection_reuse", test_SSA_sam_connection_reuse },
        { NULL, NULL },
    };
    return unit_add_suite("ssa", setup, cleanup, tests);
}
