/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the PKCS#11 adapter that need no module: URI parsing, opening errors, the CK_RV
 * table, ECDSA encoding, and the adapter's own signature check (p11a_verify, the check
 * p11a_sign applies to every signature a module returns) against Wycheproof's vectors
 * (vectors/external/wycheproof/, provenance beside them): every "valid" vector is accepted,
 * every "invalid" one rejected. "acceptable" vectors (legacy encodings some libraries
 * tolerate) are rejected on purpose: the SAM only ever checks signatures its own module
 * made, in the one canonical encoding, so tolerance buys nothing and widens what a faulty
 * module could slip through.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "p11a.h"

/* -------------------------------------------------------------------- Wycheproof */

#define VEC_DIR_DEFAULT "vectors/external/wycheproof"

struct tally { unsigned valid, invalid, acceptable, wrong; };

static long hex_dup(const char *hex, uint8_t **out)
{
    size_t n = strlen(hex) / 2;

    *out = malloc(n > 0 ? n : 1);
    return *out == NULL ? -1 : unit_hex(hex, *out, n);
}

static p11a_hash hash_of(const char *name)
{
    if (strcmp(name, "SHA-256") == 0)
        return P11A_SHA256;
    if (strcmp(name, "SHA-384") == 0)
        return P11A_SHA384;
    if (strcmp(name, "SHA-512") == 0)
        return P11A_SHA512;
    return 0;
}

/* One test case: hash the message, verify, compare with the expected result. */
static void run_case(json_t *tc, const uint8_t *spki, size_t spki_len, p11a_sigalg alg,
                     p11a_hash hash, const char *file, struct tally *t)
{
    const char *res = json_string_value(json_object_get(tc, "result"));
    uint8_t *msg = NULL, *sig = NULL, dg[64];
    long mlen = hex_dup(json_string_value(json_object_get(tc, "msg")), &msg);
    long slen = hex_dup(json_string_value(json_object_get(tc, "sig")), &sig);
    const EVP_MD *md = hash == P11A_SHA256 ? EVP_sha256() : hash == P11A_SHA384 ? EVP_sha384()
                     : EVP_sha512();
    unsigned dlen = 0;
    int rc, want_ok = strcmp(res, "valid") == 0;

    CU_ASSERT_FATAL(mlen >= 0 && slen >= 0);
    CU_ASSERT_FATAL(EVP_Digest(msg, (size_t)mlen, dg, &dlen, md, NULL) == 1);
    rc = p11a_verify(spki, spki_len, alg, hash, dg, dlen, sig, (size_t)slen);
    if ((rc == QSCD_OK) != want_ok || (rc != QSCD_OK && rc != QSCD_ERR_P11_SIGNATURE)) {
        printf("\n    %s tcId %lld (%s, %s): %s", file,
               json_integer_value(json_object_get(tc, "tcId")), res,
               json_string_value(json_object_get(tc, "comment")), qscd_err_name(rc));
        t->wrong++;
    }
    t->valid += want_ok;
    t->invalid += strcmp(res, "invalid") == 0;
    t->acceptable += strcmp(res, "acceptable") == 0;
    free(msg);
    free(sig);
}

/* Every group of a file; the PSS groups must have the adapter's parameters (MGF1 with the
 * message hash, salt as long as the hash), else the file is not the one this test is for. */
static void run_file(const char *file, p11a_sigalg alg, unsigned min_cases)
{
    const char *dir = unit_env("QSCD_WYCHEPROOF_DIR");
    char path[512];
    json_error_t err;
    json_t *root, *groups, *g;
    struct tally t = { 0, 0, 0, 0 };
    size_t i;

    snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : VEC_DIR_DEFAULT, file);
    root = json_load_file(path, 0, &err);
    if (root == NULL)
        printf("\n    %s: %s (line %d)", path, err.text, err.line);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    groups = json_object_get(root, "testGroups");
    json_array_foreach(groups, i, g) {
        p11a_hash hash = hash_of(json_string_value(json_object_get(g, "sha")));
        uint8_t *spki = NULL;
        long spki_len = hex_dup(json_string_value(json_object_get(g, "publicKeyDer")), &spki);
        json_t *tc;
        size_t j;
        CU_ASSERT_FATAL(hash != 0 && spki_len > 0);
        if (alg == P11A_RSA_PSS) {
            CU_ASSERT_EQUAL(hash_of(json_string_value(json_object_get(g, "mgfSha"))), hash);
            CU_ASSERT_EQUAL(json_integer_value(json_object_get(g, "sLen")),
                            (json_int_t)p11a_hash_len(hash));
        }
        json_array_foreach(json_object_get(g, "tests"), j, tc)
            run_case(tc, spki, (size_t)spki_len, alg, hash, file, &t);
        free(spki);
    }
    json_decref(root);
    printf("\n    %s: %u valid accepted, %u invalid and %u acceptable rejected, %u wrong\n    ",
           file, t.valid, t.invalid, t.acceptable, t.wrong);
    CU_ASSERT_EQUAL(t.wrong, 0);
    CU_ASSERT_TRUE(t.valid + t.invalid + t.acceptable >= min_cases);
}

static void test_wycheproof_ecdsa_p256_der(void)
{
    run_file("ecdsa_secp256r1_sha256_test.json", P11A_ECDSA_DER, 484);
}

static void test_wycheproof_ecdsa_p256_p1363(void)
{
    run_file("ecdsa_secp256r1_sha256_p1363_test.json", P11A_ECDSA, 262);
}

static void test_wycheproof_ecdsa_p384_p1363(void)
{
    run_file("ecdsa_secp384r1_sha384_p1363_test.json", P11A_ECDSA, 280);
}

static void test_wycheproof_rsa_pkcs1_2048(void)
{
    run_file("rsa_signature_2048_sha256_test.json", P11A_RSA_PKCS1, 259);
}

static void test_wycheproof_rsa_pss_2048(void)
{
    run_file("rsa_pss_2048_sha256_mgf1_32_test.json", P11A_RSA_PSS, 108);
}

/* ------------------------------------------------------------------ URIs, opening */

static void test_uri_parse(void)
{
    p11a_uri u;

    CU_ASSERT_EQUAL(p11a_uri_parse("pkcs11:token=qscd%20unit;object=k1;id=%01%02"
                                   "?module-path=/usr/lib/softhsm/libsofthsm2.so", &u), QSCD_OK);
    CU_ASSERT_STRING_EQUAL(u.token, "qscd unit");
    CU_ASSERT_STRING_EQUAL(u.object, "k1");
    CU_ASSERT_TRUE(u.id_len == 2 && u.id[0] == 1 && u.id[1] == 2);
    CU_ASSERT_STRING_EQUAL(u.module_path, "/usr/lib/softhsm/libsofthsm2.so");
    CU_ASSERT_EQUAL(p11a_uri_parse("pkcs11:token=NSS%20Certificate%20DB", &u), QSCD_OK);
    CU_ASSERT_STRING_EQUAL(u.module_path, "");
    /* Refused, each with a message: no token, bad escape, not pkcs11, PIN in the URI,
     * an attribute p11-kit does not know. */
    CU_ASSERT_EQUAL(p11a_uri_parse("pkcs11:object=k1", &u), QSCD_ERR_P11_URI);
    CU_ASSERT_PTR_NOT_NULL(strstr(p11a_last_error(), "token"));
    CU_ASSERT_EQUAL(p11a_uri_parse("pkcs11:token=", &u), QSCD_ERR_P11_URI);
    CU_ASSERT_EQUAL(p11a_uri_parse("pkcs11:token=a%zz", &u), QSCD_ERR_P11_URI);
    CU_ASSERT_PTR_NOT_NULL(strstr(p11a_last_error(), "encoding"));
    CU_ASSERT_EQUAL(p11a_uri_parse("http://example.org/", &u), QSCD_ERR_P11_URI);
    CU_ASSERT_EQUAL(p11a_uri_parse("pkcs11:token=t?pin-value=1234", &u), QSCD_ERR_P11_URI);
    CU_ASSERT_PTR_NOT_NULL(strstr(p11a_last_error(), "PIN"));
    CU_ASSERT_EQUAL(p11a_uri_parse("pkcs11:token=t;colour=red", &u), QSCD_ERR_P11_URI);
    CU_ASSERT_EQUAL(p11a_uri_parse(NULL, &u), QSCD_ERR_ARG);
}

/* Opening fails clearly: unknown module path, a library that is not PKCS#11, no token. */
static void test_open_errors(void)
{
    p11a_config cfg;
    p11a *a = NULL;

    memset(&cfg, 0, sizeof cfg);
    cfg.user_pin = "0000";
    cfg.uri = "pkcs11:token=t?module-path=/nonexistent/libpkcs11.so";
    CU_ASSERT_EQUAL(p11a_open(&cfg, &a), QSCD_ERR_P11_MODULE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p11a_last_error(), "/nonexistent/libpkcs11.so"));
    cfg.uri = "pkcs11:token=t?module-path=/usr/lib/x86_64-linux-gnu/libcrypto.so.3";
    CU_ASSERT_EQUAL(p11a_open(&cfg, &a), QSCD_ERR_P11_MODULE);
    cfg.uri = "pkcs11:object=x?module-path=/usr/lib/softhsm/libsofthsm2.so";
    CU_ASSERT_EQUAL(p11a_open(&cfg, &a), QSCD_ERR_P11_URI);
    cfg.uri = NULL;
    cfg.module = "/usr/lib/softhsm/libsofthsm2.so";
    CU_ASSERT_EQUAL(p11a_open(&cfg, &a), QSCD_ERR_ARG);   /* no token label */
    CU_ASSERT_PTR_NULL(a);
}

/* The token is found by label only; a wrong PIN is QSCD_ERR_P11_PIN. */
static void test_open_token_pin(void)
{
    p11a_config cfg;
    p11a *a = NULL;

    memset(&cfg, 0, sizeof cfg);
    cfg.module = unit_env("QSCD_P11_MODULE");
    if (cfg.module == NULL || unit_env("QSCD_TOKEN_LABEL") == NULL)
        UNIT_SKIP("no SoftHSMv2 token configured (run through make unit)");
    cfg.token_label = "no-such-token";
    cfg.user_pin = "0000";
    CU_ASSERT_EQUAL(p11a_open(&cfg, &a), QSCD_ERR_P11_TOKEN);
    cfg.token_label = unit_env("QSCD_TOKEN_LABEL");
    CU_ASSERT_EQUAL(p11a_open(&cfg, &a), QSCD_ERR_P11_PIN);
    CU_ASSERT_PTR_NOT_NULL(strstr(p11a_last_error(), "CKR_PIN_INCORRECT"));
    CU_ASSERT_PTR_NULL(a);
}

/* Every CK_RV of the table has its CKR_ name and one code; the key ones map as designed. */
static void test_rv_table(void)
{
    size_t n;
    const CK_RV *all = p11a_rv_all(&n);

    CU_ASSERT_TRUE(n >= 90);
    for (size_t i = 0; i < n; i++) {
        const char *name = p11a_rv_name(all[i]);
        int code = p11a_rv_err(all[i]);
        CU_ASSERT_EQUAL(strncmp(name, "CKR_", 4), 0);
        CU_ASSERT_STRING_NOT_EQUAL(name, "CKR_UNKNOWN");
        CU_ASSERT_STRING_NOT_EQUAL(qscd_err_name(code), "QSCD_ERR_UNKNOWN");
        CU_ASSERT_TRUE(all[i] == CKR_OK ? code == QSCD_OK : code != QSCD_OK);
        for (size_t j = 0; j < i; j++)
            CU_ASSERT_NOT_EQUAL(all[j], all[i]);
    }
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_PIN_INCORRECT), QSCD_ERR_P11_PIN);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_PIN_LOCKED), QSCD_ERR_P11_PIN_LOCKED);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_USER_NOT_LOGGED_IN), QSCD_ERR_P11_NOT_LOGGED_IN);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_ATTRIBUTE_SENSITIVE), QSCD_ERR_P11_SENSITIVE);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_SESSION_HANDLE_INVALID), QSCD_ERR_P11_SESSION);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_MECHANISM_INVALID), QSCD_ERR_P11_MECHANISM);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_KEY_NOT_WRAPPABLE), QSCD_ERR_P11_KEK);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_WRAPPED_KEY_INVALID), QSCD_ERR_P11_WRAPPED);
    CU_ASSERT_EQUAL(p11a_rv_err(CKR_VENDOR_DEFINED | 5), QSCD_ERR_P11_FAILED);
    CU_ASSERT_STRING_EQUAL(p11a_rv_name(CKR_VENDOR_DEFINED | 5), "CKR_VENDOR_DEFINED");
    CU_ASSERT_STRING_EQUAL(p11a_rv_name(0x7777), "CKR_UNKNOWN");
    CU_ASSERT_STRING_EQUAL(p11a_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
}

/* Raw r || s to DER: leading zeros dropped, a 0x00 added before a high bit. */
static void test_ecdsa_der(void)
{
    uint8_t raw[64], der[80], want[80];
    size_t len = sizeof der;

    memset(raw, 0, sizeof raw);
    raw[31] = 0x01;       /* r = 1 */
    raw[32] = 0x80;       /* s = 0x80 00 .. 00 (32 bytes) */
    CU_ASSERT_EQUAL(p11a_ecdsa_to_der(raw, 64, der, &len), QSCD_OK);
    CU_ASSERT_EQUAL(unit_hex("3026020101022100800000000000000000000000000000000000000000000000"
                             "0000000000000000", want, sizeof want), 40);
    CU_ASSERT_TRUE(len == 40 && memcmp(der, want, 40) == 0);
    len = 10;
    CU_ASSERT_EQUAL(p11a_ecdsa_to_der(raw, 64, der, &len), QSCD_ERR_BUFFER_TOO_SMALL);
    CU_ASSERT_EQUAL(len, 40);
    CU_ASSERT_EQUAL(p11a_ecdsa_to_der(raw, 63, der, &len), QSCD_ERR_ARG);
}

/* ------------------------------------------------------------------------ suite */

UNIT_SUITE(p11off)
{
    static const unit_test tests[] = {
        { "uri_parse", test_uri_parse },
        { "open_errors", test_open_errors },
        { "open_token_pin", test_open_token_pin },
        { "rv_table", test_rv_table },
        { "ecdsa_der", test_ecdsa_der },
        { "wycheproof_ecdsa_p256_der", test_wycheproof_ecdsa_p256_der },
        { "wycheproof_ecdsa_p256_p1363", test_wycheproof_ecdsa_p256_p1363 },
        { "wycheproof_ecdsa_p384_p1363", test_wycheproof_ecdsa_p384_p1363 },
        { "wycheproof_rsa_pkcs1_2048", test_wycheproof_rsa_pkcs1_2048 },
        { "wycheproof_rsa_pss_2048", test_wycheproof_rsa_pss_2048 },
        { NULL, NULL },
    };
    return unit_add_suite("p11off", NULL, NULL, tests);
}
