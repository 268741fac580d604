/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of COSE_Sign1 / COSE_Mac0 (src/core/cose.h): the COSE working group's examples (every
 * pass case parses, its Sig_structure or MAC_structure is the example's to-be-signed bytes, and
 * its ES256 signature or HMAC-SHA-256 tag verifies with OpenSSL; every fail case is rejected by
 * the parser with the error listed here, or by the verification), the project's parse vectors
 * (vectors/cose/cose_parse_test.json), and the COSE_Mac0 issuing path (structure, MAC,
 * encoding, parse back). SRA_SAP.2.1 (SAD format), SRA_SAP.1.6 (SAD tampering detected).
 */
#include "unit.h"

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <string.h>

#include "cose.h"
#include "qscd_err.h"

#define EXAMPLES "vectors/external/cose-examples/"
#define PARSE_VECTORS "vectors/cose/cose_parse_test.json"

static json_t *load_json(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);

    if (j == NULL)
        fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
    return j;
}

/* base64url without padding (RFC 4648 §5), as JWK keys are written. */
static long b64url(const char *s, uint8_t *out, size_t cap)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;

    for (; *s; s++) {
        const char *p = strchr(tab, *s);
        if (p == NULL)
            return -1;
        acc = acc << 6 | (uint32_t)(p - tab);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return (long)n;
}

/* ES256 over msg with the P-256 key (x, y), signature raw r||s (RFC 9053 §2.1). */
static int es256_verify(const uint8_t *x, const uint8_t *y, const uint8_t *msg, size_t n,
                        const uint8_t *sig)
{
    uint8_t pub[65], der[80], *p = der;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ECDSA_SIG *es = ECDSA_SIG_new();
    int derlen, ok = 0;

    pub[0] = 0x04;
    memcpy(pub + 1, x, 32);
    memcpy(pub + 33, y, 32);
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub);
    params = OSSL_PARAM_BLD_to_param(bld);
    if (EVP_PKEY_fromdata_init(pctx) == 1 &&
        EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1 &&
        ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)) == 1 &&
        (derlen = i2d_ECDSA_SIG(es, &p)) > 0 &&
        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1)
        ok = EVP_DigestVerify(md, der, (size_t)derlen, msg, n) == 1;
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return ok;
}

static int hmac256_verify(const uint8_t *k, size_t klen, const uint8_t *msg, size_t n,
                          const uint8_t *tag)
{
    uint8_t mac[32];
    unsigned len = 0;

    return HMAC(EVP_sha256(), k, (int)klen, msg, n, mac, &len) != NULL && len == 32 &&
           CRYPTO_memcmp(mac, tag, 32) == 0;
}

/* ------------------------------------------------------------------ COSE WG examples */

/* Each example, and what must happen to it: the parser's result (tag optional), then, when it
 * parses, whether the signature or MAC verifies. A fail case is caught one way or the other. */
static const struct {
    const char *file;
    int parse;     /* expected result of the parser */
    int same_tbs;  /* when parsed: 1 our structure is the example's to-be-signed bytes, 0 it
                      differs (the message was changed after signing) */
    int verifies;  /* when parsed: 1 the signature/tag verifies, 0 it must not */
    const char *why;
} examples[] = {
    { "sign1-tests_sign-pass-01.json", QSCD_OK, 1, 1, "h'a0' protected, alg unprotected" },
    { "sign1-tests_sign-pass-02.json", QSCD_OK, 1, 1, "external AAD" },
    { "sign1-tests_sign-pass-03.json", QSCD_OK, 1, 1, "no tag" },
    { "sign1-tests_sign-fail-01.json", QSCD_ERR_COSE_TAG, 0, 0, "tag 998" },
    { "sign1-tests_sign-fail-02.json", QSCD_OK, 0, 0, "payload changed after signing" },
    { "sign1-tests_sign-fail-03.json", QSCD_ERR_COSE_ALG, 0, 0, "alg -999" },
    { "sign1-tests_sign-fail-04.json", QSCD_ERR_COSE_ALG, 0, 0, "alg \"unknown\"" },
    { "sign1-tests_sign-fail-06.json", QSCD_OK, 0, 0, "protected parameter added after signing" },
    { "sign1-tests_sign-fail-07.json", QSCD_OK, 0, 0, "protected parameter removed after signing" },
    { "mac0-tests_HMac-01.json", QSCD_OK, 1, 1, "HMAC 256/256" },
    { "mac0-tests_mac-pass-01.json", QSCD_OK, 1, 1, "h'a0' protected, alg unprotected" },
    { "mac0-tests_mac-pass-02.json", QSCD_OK, 1, 1, "external AAD" },
    { "mac0-tests_mac-pass-03.json", QSCD_OK, 1, 1, "no tag" },
    { "mac0-tests_mac-fail-01.json", QSCD_ERR_COSE_TAG, 0, 0, "tag 992" },
    { "mac0-tests_mac-fail-02.json", QSCD_OK, 1, 0, "tag changed: same bytes MACed, wrong tag" },
    { "mac0-tests_mac-fail-03.json", QSCD_ERR_COSE_ALG, 0, 0, "alg -999" },
    { "mac0-tests_mac-fail-04.json", QSCD_ERR_COSE_ALG, 0, 0, "alg \"Unknown\"" },
    { "mac0-tests_mac-fail-06.json", QSCD_OK, 0, 0, "protected parameter added after MACing" },
    { "mac0-tests_mac-fail-07.json", QSCD_OK, 0, 0, "protected parameter removed after MACing" },
};

static void run_example(size_t k)
{
    char path[256];
    json_t *doc, *in, *msgj, *key;
    bool mac = strncmp(examples[k].file, "mac0", 4) == 0, fail;
    static uint8_t buf[4096], tbs[4096], want[4096], aad[256];
    uint8_t kx[64], ky[64];
    long len, wlen, alen = 0;
    size_t tlen = 0;
    cose_msg m;
    int rc, ok;

    snprintf(path, sizeof path, EXAMPLES "%s", examples[k].file);
    doc = load_json(path);
    CU_ASSERT_FATAL(doc != NULL);
    in = json_object_get(doc, "input");
    msgj = json_object_get(in, mac ? "mac0" : "sign0");
    fail = json_is_true(json_object_get(doc, "fail"));
    CU_ASSERT_EQUAL(fail, examples[k].verifies == 0);
    len = unit_hex(json_string_value(json_object_get(json_object_get(doc, "output"), "cbor")), buf, sizeof buf);
    /* the example's hex is upper case: unit_hex takes both */
    CU_ASSERT_FATAL(len > 0);
    if (json_object_get(msgj, "external"))
        alen = unit_hex(json_string_value(json_object_get(msgj, "external")), aad, sizeof aad);
    rc = mac ? cose_mac0_parse(buf, (size_t)len, COSE_TAG_OPTIONAL, &m)
             : cose_sign1_parse(buf, (size_t)len, COSE_TAG_OPTIONAL, &m);
    if (rc != examples[k].parse)
        fprintf(stderr, "%s: %s, expected %s\n", examples[k].file, qscd_err_name(rc),
                qscd_err_name(examples[k].parse));
    CU_ASSERT_EQUAL(rc, examples[k].parse);
    if (rc == QSCD_OK) {
        rc = mac ? cose_mac_structure(&m, buf, (size_t)len, aad, (size_t)alen, NULL, 0, tbs, sizeof tbs, &tlen)
                 : cose_sig_structure(&m, buf, (size_t)len, aad, (size_t)alen, NULL, 0, tbs, sizeof tbs, &tlen);
        CU_ASSERT_EQUAL(rc, QSCD_OK);
        wlen = unit_hex(json_string_value(json_object_get(json_object_get(doc, "intermediates"),
                                                          mac ? "ToMac_hex" : "ToBeSign_hex")),
                        want, sizeof want);
        /* the to-be-signed bytes are the example's, except where the message was changed after
         * signing (the example gives the bytes that were signed, so ours must differ) */
        if (examples[k].same_tbs) {
            CU_ASSERT((long)tlen == wlen && memcmp(tbs, want, tlen) == 0);
        } else {
            CU_ASSERT((long)tlen != wlen || memcmp(tbs, want, tlen) != 0);
        }
        if (mac) {
            key = json_object_get(json_array_get(json_object_get(msgj, "recipients"), 0), "key");
            long kl = b64url(json_string_value(json_object_get(key, "k")), kx, sizeof kx);
            CU_ASSERT_FATAL(kl == 32);
            ok = hmac256_verify(kx, (size_t)kl, tbs, tlen, buf + m.sig_off);
        } else {
            key = json_object_get(msgj, "key");
            CU_ASSERT_FATAL(b64url(json_string_value(json_object_get(key, "x")), kx, sizeof kx) == 32);
            CU_ASSERT_FATAL(b64url(json_string_value(json_object_get(key, "y")), ky, sizeof ky) == 32);
            ok = es256_verify(kx, ky, tbs, tlen, buf + m.sig_off);
        }
        if (ok != examples[k].verifies)
            fprintf(stderr, "%s: verification %d, expected %d\n", examples[k].file, ok, examples[k].verifies);
        CU_ASSERT_EQUAL(ok, examples[k].verifies);
    }
    json_decref(doc);
}

/* SRA_SAP.1.6: a tampered message is rejected by the parser or by the verification, never
 * accepted; the untampered ones verify with OpenSSL. */
static void test_examples_SRA_SAP_1_6(void)
{
    for (size_t k = 0; k < sizeof examples / sizeof examples[0]; k++)
        run_example(k);
}

/* The examples under the other tag modes: a tagged message where tags are forbidden, an
 * untagged one where required, and each type's tag on the other type. */
static void test_example_tag_modes(void)
{
    static uint8_t buf[1024];
    json_t *doc;
    cose_msg m;
    long n;

    doc = load_json(EXAMPLES "sign1-tests_sign-pass-03.json"); /* untagged */
    n = unit_hex(json_string_value(json_object_get(json_object_get(doc, "output"), "cbor")), buf, sizeof buf);
    CU_ASSERT_EQUAL(cose_sign1_parse(buf, (size_t)n, COSE_TAG_REQUIRED, &m), QSCD_ERR_COSE_TAG);
    CU_ASSERT_EQUAL(cose_sign1_parse(buf, (size_t)n, COSE_TAG_FORBIDDEN, &m), QSCD_OK);
    CU_ASSERT(!m.tagged && m.alg == COSE_ALG_ES256 && m.alg_protected && m.has_kid && m.kid_len == 2);
    CU_ASSERT_EQUAL(cose_mac0_parse(buf, (size_t)n, COSE_TAG_OPTIONAL, &m), QSCD_ERR_COSE_ALG);
    CU_ASSERT_EQUAL(cose_sign1_parse(buf, (size_t)n, (cose_tag_mode)7, &m), QSCD_ERR_ARG);
    json_decref(doc);
    doc = load_json(EXAMPLES "sign1-tests_sign-pass-02.json"); /* tagged 18 */
    n = unit_hex(json_string_value(json_object_get(json_object_get(doc, "output"), "cbor")), buf, sizeof buf);
    CU_ASSERT_EQUAL(cose_sign1_parse(buf, (size_t)n, COSE_TAG_FORBIDDEN, &m), QSCD_ERR_COSE_TAG);
    CU_ASSERT_EQUAL(cose_sign1_parse(buf, (size_t)n, COSE_TAG_REQUIRED, &m), QSCD_OK);
    CU_ASSERT(m.tagged);
    CU_ASSERT_EQUAL(cose_mac0_parse(buf, (size_t)n, COSE_TAG_OPTIONAL, &m), QSCD_ERR_COSE_TAG);
    json_decref(doc);
    doc = load_json(EXAMPLES "sign1-tests_sign-pass-01.json"); /* alg unprotected */
    n = unit_hex(json_string_value(json_object_get(json_object_get(doc, "output"), "cbor")), buf, sizeof buf);
    CU_ASSERT(cose_sign1_parse(buf, (size_t)n, COSE_TAG_OPTIONAL, &m) == QSCD_OK && !m.alg_protected);
    json_decref(doc);
}

/* ------------------------------------------------------------------------ parse vectors */

static cose_tag_mode mode_of(const char *s)
{
    return strcmp(s, "REQUIRED") == 0 ? COSE_TAG_REQUIRED :
           strcmp(s, "FORBIDDEN") == 0 ? COSE_TAG_FORBIDDEN : COSE_TAG_OPTIONAL;
}

/* vectors/cose/cose_parse_test.json, SRA_SAP.2.1: every case gives its stated result. */
static void test_parse_vectors_SRA_SAP_2_1(void)
{
    json_t *doc = load_json(PARSE_VECTORS), *g, *t;
    size_t gi, ti;
    long count = 0, failed = 0;
    static uint8_t buf[4096], tbs[4096];

    CU_ASSERT_FATAL(doc != NULL);
    json_array_foreach(json_object_get(doc, "testGroups"), gi, g) {
        bool mac = strcmp(json_string_value(json_object_get(g, "message")), "Mac0") == 0;
        cose_tag_mode mode = mode_of(json_string_value(json_object_get(g, "tagMode")));

        json_array_foreach(json_object_get(g, "tests"), ti, t) {
            long id = (long)json_integer_value(json_object_get(t, "tcId"));
            const char *res = json_string_value(json_object_get(t, "result"));
            const char *want = json_string_value(json_object_get(t, "error"));
            long n = unit_hex(json_string_value(json_object_get(t, "input")), buf, sizeof buf);
            cose_msg m, before;
            size_t tlen = 0;
            int rc;

            count++;
            memset(&m, 0x5A, sizeof m);
            before = m;
            rc = mac ? cose_mac0_parse(buf, (size_t)n, mode, &m) : cose_sign1_parse(buf, (size_t)n, mode, &m);
            if (strcmp(res, "valid") == 0) {
                if (rc != QSCD_OK) {
                    fprintf(stderr, "cose tcId %ld: %s\n", id, qscd_err_name(rc));
                    failed++;
                    continue;
                }
                /* the structure can be built; the detached payload is then required */
                rc = mac ? cose_mac_structure(&m, buf, (size_t)n, NULL, 0, (const uint8_t *)"p", m.detached ? 1 : 0, tbs, sizeof tbs, &tlen)
                         : cose_sig_structure(&m, buf, (size_t)n, NULL, 0, (const uint8_t *)"p", m.detached ? 1 : 0, tbs, sizeof tbs, &tlen);
                CU_ASSERT_EQUAL(rc, QSCD_OK);
                if (!m.detached) { /* a payload given for an attached one is refused */
                    CU_ASSERT_EQUAL(cose_sig_structure(&m, buf, (size_t)n, NULL, 0, (const uint8_t *)"p", 1, tbs, sizeof tbs, &tlen), QSCD_ERR_ARG);
                }
            } else {
                if (rc == QSCD_OK || strcmp(qscd_err_name(rc), want) != 0) {
                    fprintf(stderr, "cose tcId %ld: %s, expected %s\n", id, qscd_err_name(rc), want);
                    failed++;
                }
                CU_ASSERT(memcmp(&m, &before, sizeof m) == 0); /* nothing written on failure */
            }
        }
    }
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(count, (long)json_integer_value(json_object_get(doc, "numberOfTests")));
    json_decref(doc);
}

/* -------------------------------------------------------------------------- issuing */

/* The SAM's COSE_Mac0 path: MAC_structure from cose_mac0_tbs, HMAC-SHA-256 over it (OpenSSL
 * here, the HSM in the SAM), cose_mac0_encode, then the parser gives the same structure back
 * and the tag verifies. With the example's key and payload, the bytes are the example's. */
static void test_mac0_issue_roundtrip(void)
{
    static const uint8_t payload[] = "This is the content.";
    static uint8_t tbs[256], msg[256], tbs2[256], want[256];
    uint8_t key[64], tag[32];
    unsigned taglen = 0;
    size_t tlen = 0, mlen = 0, t2 = 0;
    json_t *doc = load_json(EXAMPLES "mac0-tests_HMac-01.json");
    long klen, wlen;
    cose_msg m;

    CU_ASSERT_FATAL(doc != NULL);
    klen = b64url(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(
               json_object_get(json_object_get(doc, "input"), "mac0"), "recipients"), 0), "key"), "k")),
                  key, sizeof key);
    CU_ASSERT_FATAL(klen == 32);
    CU_ASSERT_EQUAL(cose_mac0_tbs(COSE_ALG_HMAC256, NULL, 0, payload, sizeof payload - 1, tbs, sizeof tbs, &tlen), QSCD_OK);
    wlen = unit_hex(json_string_value(json_object_get(json_object_get(doc, "intermediates"), "ToMac_hex")), want, sizeof want);
    CU_ASSERT((long)tlen == wlen && memcmp(tbs, want, tlen) == 0);
    CU_ASSERT_FATAL(HMAC(EVP_sha256(), key, (int)klen, tbs, tlen, tag, &taglen) != NULL && taglen == 32);
    CU_ASSERT_EQUAL(cose_mac0_encode(COSE_ALG_HMAC256, payload, sizeof payload - 1, tag, 32, true, msg, sizeof msg, &mlen), QSCD_OK);
    wlen = unit_hex(json_string_value(json_object_get(json_object_get(doc, "output"), "cbor")), want, sizeof want);
    CU_ASSERT((long)mlen == wlen && memcmp(msg, want, mlen) == 0); /* byte for byte the example */
    CU_ASSERT_EQUAL(cose_mac0_parse(msg, mlen, COSE_TAG_REQUIRED, &m), QSCD_OK);
    CU_ASSERT(m.alg == COSE_ALG_HMAC256 && m.alg_protected && m.tagged && !m.detached);
    CU_ASSERT_EQUAL(cose_mac_structure(&m, msg, mlen, NULL, 0, NULL, 0, tbs2, sizeof tbs2, &t2), QSCD_OK);
    CU_ASSERT(t2 == tlen && memcmp(tbs2, tbs, tlen) == 0);
    CU_ASSERT(hmac256_verify(key, 32, tbs2, t2, msg + m.sig_off));
    /* one flipped bit anywhere: rejected by the parser or by the MAC */
    for (size_t k = 0; k < mlen; k++)
        for (int bit = 0; bit < 8; bit++) {
            int caught;
            msg[k] ^= (uint8_t)(1u << bit);
            caught = cose_mac0_parse(msg, mlen, COSE_TAG_REQUIRED, &m) != QSCD_OK ||
                     cose_mac_structure(&m, msg, mlen, NULL, 0, NULL, 0, tbs2, sizeof tbs2, &t2) != QSCD_OK ||
                     !hmac256_verify(key, 32, tbs2, t2, msg + m.sig_off);
            CU_ASSERT(caught);
            msg[k] ^= (uint8_t)(1u << bit);
        }
    /* untagged issuing; refused algorithms and tag lengths */
    CU_ASSERT_EQUAL(cose_mac0_encode(COSE_ALG_HMAC256, payload, 3, tag, 32, false, msg, sizeof msg, &mlen), QSCD_OK);
    CU_ASSERT_EQUAL(cose_mac0_parse(msg, mlen, COSE_TAG_FORBIDDEN, &m), QSCD_OK);
    CU_ASSERT_EQUAL(cose_mac0_encode(COSE_ALG_ES256, payload, 3, tag, 32, false, msg, sizeof msg, &mlen), QSCD_ERR_COSE_ALG);
    CU_ASSERT_EQUAL(cose_mac0_encode(COSE_ALG_HMAC256, payload, 3, tag, 31, false, msg, sizeof msg, &mlen), QSCD_ERR_COSE_SIG_LENGTH);
    CU_ASSERT_EQUAL(cose_mac0_tbs(COSE_ALG_ES384, NULL, 0, payload, 3, tbs, sizeof tbs, &tlen), QSCD_ERR_COSE_ALG);
    json_decref(doc);
}

/* Output buffers too small at every size, and structures over forged offsets. */
static void test_structure_bounds(void)
{
    static const uint8_t payload[] = "0123456789";
    uint8_t out[128], canary[128];
    size_t n = 0, full = 0;
    cose_msg m;

    CU_ASSERT_EQUAL(cose_mac0_tbs(COSE_ALG_HMAC256, payload, 4, payload, 10, out, sizeof out, &full), QSCD_OK);
    for (size_t cap = 0; cap < full; cap++) {
        memset(out, 0xEE, sizeof out);
        memset(canary, 0xEE, sizeof canary);
        n = 999;
        CU_ASSERT_EQUAL(cose_mac0_tbs(COSE_ALG_HMAC256, payload, 4, payload, 10, out, cap, &n), QSCD_ERR_BUFFER_TOO_SMALL);
        CU_ASSERT_EQUAL(n, 999);
        CU_ASSERT(memcmp(out + cap, canary, sizeof out - cap) == 0);
    }
    CU_ASSERT_EQUAL(cose_protected_header(COSE_ALG_ES384, out, 2, &n), QSCD_ERR_BUFFER_TOO_SMALL);
    CU_ASSERT(cose_protected_header(COSE_ALG_ES384, out, sizeof out, &n) == QSCD_OK && n == 4 &&
              memcmp(out, "\xa1\x01\x38\x22", 4) == 0);
    memset(&m, 0, sizeof m);
    m.prot_off = 5;
    m.prot_len = 10; /* beyond a 10-byte buffer */
    CU_ASSERT_EQUAL(cose_sig_structure(&m, payload, 10, NULL, 0, NULL, 0, out, sizeof out, &n), QSCD_ERR_ARG);
    m.prot_len = 0;
    m.payload_off = 11; /* past the end */
    CU_ASSERT_EQUAL(cose_sig_structure(&m, payload, 10, NULL, 0, NULL, 0, out, sizeof out, &n), QSCD_ERR_ARG);
    m.payload_off = 2;
    m.payload_len = 3;
    CU_ASSERT(cose_sig_structure(&m, payload, 10, NULL, 0, NULL, 0, out, sizeof out, &n) == QSCD_OK &&
              n == 18 && memcmp(out + 15, "234", 3) == 0);
}

/* A detached payload: the structure takes the payload the caller supplies. */
static void test_detached_payload(void)
{
    static const uint8_t body[] = "detached body";
    uint8_t msg[128], tbs[128];
    size_t tlen = 0;
    cose_msg m;
    scbor_enc e;
    uint8_t sig[64] = { 0 };

    scbor_enc_init(&e, msg, sizeof msg);
    scbor_put_tag(&e, COSE_TAG_SIGN1);
    scbor_put_array(&e, 4);
    scbor_put_bstr(&e, (const uint8_t *)"\xa1\x01\x26", 3);
    scbor_put_map(&e, 0);
    scbor_put_null(&e);
    scbor_put_bstr(&e, sig, sizeof sig);
    CU_ASSERT_FATAL(e.err == QSCD_OK);
    CU_ASSERT_EQUAL(cose_sign1_parse(msg, e.len, COSE_TAG_REQUIRED, &m), QSCD_OK);
    CU_ASSERT(m.detached);
    CU_ASSERT_EQUAL(cose_sig_structure(&m, msg, e.len, NULL, 0, body, sizeof body - 1, tbs, sizeof tbs, &tlen), QSCD_OK);
    CU_ASSERT(tlen == 1 + 11 + 4 + 1 + 14 && memcmp(tbs + tlen - 13, body, 13) == 0);
}

UNIT_SUITE(cose)
{
    static const unit_test tests[] = {
        { "examples_SRA_SAP_1_6", test_examples_SRA_SAP_1_6 },
        { "example_tag_modes", test_example_tag_modes },
        { "parse_vectors_SRA_SAP_2_1", test_parse_vectors_SRA_SAP_2_1 },
        { "mac0_issue_roundtrip", test_mac0_issue_roundtrip },
        { "structure_bounds", test_structure_bounds },
        { "detached_payload", test_detached_payload },
        { NULL, NULL },
    };
    return unit_add_suite("cose", NULL, NULL, tests);
}
