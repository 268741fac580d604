/* SPDX-License-Identifier: Apache-2.0 */
/*
 * White-box tests of sam_extend (credentials/extendTransaction, CSC 11.9) in the in-memory
 * world of util_world.h: the same grant under the same token id with a later expiry, the
 * registry's count carried over, the cap on a token's total life, every token check signHash
 * makes, the roles, and exactly one audit event per call.
 */
#include "unit.h"

#include <openssl/sha.h>
#include <stdbool.h>
#include <string.h>

#include "util_world.h"

static world W;
static uint8_t H1[32], H2[32], H3[32], HS[64];

static int setup(void)
{
    SHA256((const uint8_t *)"document one", 12, H1);
    SHA256((const uint8_t *)"document two", 12, H2);
    SHA256((const uint8_t *)"document three", 14, H3);
    memcpy(HS, H1, 32);
    memcpy(HS + 32, H2, 32);
    return 0;
}

static int cleanup(void)
{
    world_free(&W);
    return 0;
}

/* A fresh world with alice (a-totp, a-two) and bob (b-totp). */
static void fresh(void)
{
    world_reset_pair(&W);
    world_add_cred(&W, "a-two", "alice", SAM_SAP_TOTP, 5);
}

static int authorize(uint32_t numsig, const uint8_t *hashes, size_t n, sam_authz_out *out)
{
    sam_authz_req r;
    char code[9];

    world_totp(&W, "alice", 0, code);
    world_authz_req(&r, "alice", "a-totp", "246810", code, numsig, QSCD_HASH_SHA256, n, hashes);
    return sam_authorize(&W.ports, &W.cfg, &r, out);
}

static int extend_as(int role, const char *signer, const char *cred, const sam_authz_out *tok,
                     const uint8_t *hashes, size_t n, sam_authz_out *out)
{
    sam_sign_req r;

    world_sign_req(&r, signer, cred, tok->token, tok->token_len, QSCD_HASH_SHA256, n, hashes);
    r.actor.role = role;
    return sam_extend(&W.ports, &W.cfg, &r, out);
}

static int extend(const sam_authz_out *tok, const uint8_t *hashes, size_t n, sam_authz_out *out)
{
    return extend_as(SAM_ROLE_SIGNER, "alice", "a-totp", tok, hashes, n, out);
}

static int sign(const sam_authz_out *tok, const uint8_t *hashes, size_t n, sam_sign_out *out)
{
    sam_sign_req r;

    world_sign_req(&r, "alice", "a-totp", tok->token, tok->token_len, QSCD_HASH_SHA256, n, hashes);
    return sam_signhash(&W.ports, &W.cfg, &r, out);
}

static sad_claims claims_of(const sam_authz_out *tok)
{
    sad_claims c;

    memset(&c, 0, sizeof c);
    CU_ASSERT_EQUAL(sad_token_verify(&W.ports, tok->token, tok->token_len, &c), QSCD_OK);
    return c;
}

/* The last audit event: one per call, for extend, with this outcome. */
static bool last_event(int events_before, int outcome)
{
    const sam_event *ev = &W.events[W.nevents - 1];

    return W.nevents == events_before + 1 && ev->op == SAM_OP_EXTEND && ev->outcome == outcome;
}

static sam_authz_out tok, tok2, tok3;
static sam_sign_out sigs;

/* CSC 11.9: the new token is the same grant (id, signer, credential, audience, hashes, count,
 * issue time) with a later expiry; the registry's count carries over, so extending grants no
 * signature more: 2 authorised, 1 with the old token, 1 with the new, then none with either. */
static void test_CSC_11_9_same_grant_count_carries_over(void)
{
    sad_claims a, b;
    int n;

    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize(2, HS, 2, &tok), QSCD_OK);
    CU_ASSERT_EQUAL_FATAL(sign(&tok, H1, 1, &sigs), QSCD_OK);
    W.now += 100;
    n = W.nevents;
    CU_ASSERT_EQUAL_FATAL(extend(&tok, H2, 1, &tok2), QSCD_OK);
    CU_ASSERT(last_event(n, QSCD_OK));
    CU_ASSERT_EQUAL(tok2.expires_in, W.cfg.token_ttl);
    a = claims_of(&tok);
    b = claims_of(&tok2);
    CU_ASSERT(memcmp(a.token_id, b.token_id, QSCD_TOKEN_ID_LEN) == 0);
    CU_ASSERT(memcmp(W.events[n].token_id, a.token_id, QSCD_TOKEN_ID_LEN) == 0);
    CU_ASSERT(qscd_id_equal(&a.signer, &b.signer) && qscd_id_equal(&a.credential, &b.credential));
    CU_ASSERT(a.audience_len == b.audience_len && memcmp(a.audience, b.audience, a.audience_len) == 0);
    CU_ASSERT(a.hash_alg == b.hash_alg && a.nhashes == 2 && b.nhashes == 2);
    CU_ASSERT(memcmp(a.hashes, b.hashes, sizeof a.hashes) == 0);
    CU_ASSERT(a.num_signatures == 2 && b.num_signatures == 2 && a.iat == b.iat);
    CU_ASSERT(b.exp == W.now + W.cfg.token_ttl && b.exp > a.exp);
    CU_ASSERT_EQUAL(sign(&tok2, H2, 1, &sigs), QSCD_OK);
    CU_ASSERT(world_verify(&W, "a-totp", QSCD_HASH_SHA256, H2, &sigs.sig[0], sigs.sig_len[0]));
    CU_ASSERT_EQUAL(sign(&tok2, H1, 1, &sigs), QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT_EQUAL(sign(&tok, H1, 1, &sigs), QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT_EQUAL(W.sign_calls, 2);
    /* an exhausted token is not extended */
    n = W.nevents;
    CU_ASSERT_EQUAL(extend(&tok2, H1, 1, &tok3), QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT(tok3.token_len == 0 && last_event(n, QSCD_ERR_SAD_EXHAUSTED));
    CU_ASSERT_EQUAL(extend(&tok, H1, 1, &tok3), QSCD_ERR_SAD_EXHAUSTED);
    sad_claims_wipe(&a);
    sad_claims_wipe(&b);
}

/* CSC 11.9: an expired SAD is not extended; nor one issued in the future. */
static void test_CSC_11_9_expired_sad(void)
{
    int n;

    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize(1, H1, 1, &tok), QSCD_OK);
    W.now += W.cfg.token_ttl;
    n = W.nevents;
    CU_ASSERT_EQUAL(extend(&tok, H1, 1, &tok2), QSCD_ERR_SAD_EXPIRED);
    CU_ASSERT(tok2.token_len == 0 && last_event(n, QSCD_ERR_SAD_EXPIRED));
    W.now -= W.cfg.token_ttl + W.cfg.clock_skew + 1;
    CU_ASSERT_EQUAL(extend(&tok, H1, 1, &tok2), QSCD_ERR_SAD_NOT_YET_VALID);
    W.now += W.cfg.clock_skew + 1;
    CU_ASSERT_EQUAL(extend(&tok, H1, 1, &tok2), QSCD_OK);
}

/* The cap on a token's total life (token_max_life, from the first issue): extensions end
 * there, and when it leaves no time the token is refused as expired. */
static void test_CSC_11_9_total_life_capped(void)
{
    sad_claims c;
    int64_t t0;

    fresh();
    W.cfg.token_ttl = 600;
    W.cfg.token_max_life = 900;
    t0 = W.now;
    CU_ASSERT_EQUAL_FATAL(authorize(1, H1, 1, &tok), QSCD_OK);
    W.now = t0 + 500;
    CU_ASSERT_EQUAL_FATAL(extend(&tok, H1, 1, &tok2), QSCD_OK);
    CU_ASSERT_EQUAL(tok2.expires_in, 400);
    c = claims_of(&tok2);
    CU_ASSERT(c.iat == t0 && c.exp == t0 + 900);
    W.now = t0 + 899;
    CU_ASSERT_EQUAL_FATAL(extend(&tok2, H1, 1, &tok3), QSCD_OK);
    CU_ASSERT_EQUAL(tok3.expires_in, 1);
    W.now = t0 + 900;
    CU_ASSERT_EQUAL(extend(&tok3, H1, 1, &tok2), QSCD_ERR_SAD_EXPIRED);
    /* a cap shorter than the lifetime: the original token is still valid, yet no time is
     * left to extend it into */
    W.cfg.token_max_life = 300;
    W.now = t0 += 1000; /* a fresh TOTP step */
    CU_ASSERT_EQUAL_FATAL(authorize(1, H2, 1, &tok), QSCD_OK);
    W.now = t0 + 300;
    CU_ASSERT_EQUAL(extend(&tok, H2, 1, &tok2), QSCD_ERR_SAD_EXPIRED);
    CU_ASSERT_EQUAL(tok2.token_len, 0);
    CU_ASSERT_EQUAL(sign(&tok, H2, 1, &sigs), QSCD_OK);
    sad_claims_wipe(&c);
}

/* The token's checks, as at signHash: MAC, signer, credential, listed hashes, audience. A
 * refusal changes nothing: the token still extends afterwards. */
static void test_CSC_11_9_token_checks(void)
{
    sam_authz_out bad;
    int n;

    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize(1, H1, 1, &tok), QSCD_OK);
    bad = tok;
    bad.token[bad.token_len - 5] ^= 1;
    n = W.nevents;
    CU_ASSERT_EQUAL(extend(&bad, H1, 1, &tok2), QSCD_ERR_SAD_MAC);
    CU_ASSERT(tok2.token_len == 0 && last_event(n, QSCD_ERR_SAD_MAC));
    bad.token_len = 3;
    CU_ASSERT_EQUAL(extend(&bad, H1, 1, &tok2), QSCD_ERR_SAD_MALFORMED);
    CU_ASSERT_EQUAL(extend_as(SAM_ROLE_SIGNER, "bob", "a-totp", &tok, H1, 1, &tok2),
                    QSCD_ERR_SAD_SIGNER);
    CU_ASSERT_EQUAL(extend_as(SAM_ROLE_SIGNER, "bob", "b-totp", &tok, H1, 1, &tok2),
                    QSCD_ERR_SAD_CREDENTIAL);
    CU_ASSERT_EQUAL(extend_as(SAM_ROLE_SIGNER, "alice", "a-two", &tok, H1, 1, &tok2),
                    QSCD_ERR_SAD_CREDENTIAL);
    CU_ASSERT_EQUAL(extend_as(SAM_ROLE_SIGNER, "alice", "a-none", &tok, H1, 1, &tok2),
                    QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(extend(&tok, H3, 1, &tok2), QSCD_ERR_SAD_HASH);
    CU_ASSERT_EQUAL(extend(&tok, HS, 2, &tok2), QSCD_ERR_SAD_COUNT);
    CU_ASSERT_EQUAL(extend(&tok, H1, 0, &tok2), QSCD_ERR_HASH_COUNT);
    W.cfg.audience[0] ^= 1;
    CU_ASSERT_EQUAL(extend(&tok, H1, 1, &tok2), QSCD_ERR_SAD_AUDIENCE);
    W.cfg.audience[0] ^= 1;
    CU_ASSERT_EQUAL(W.sign_calls, 0);
    CU_ASSERT_EQUAL(extend(&tok, H1, 1, &tok2), QSCD_OK);
    CU_ASSERT_EQUAL(sign(&tok2, H1, 1, &sigs), QSCD_OK);
}

/* SRA_SKM.2.7: only the signer role extends; privileged roles never get a token. */
static void test_SRA_SKM_2_7_privileged_roles(void)
{
    int roles[] = { SAM_ROLE_SECURITY_OFFICER, SAM_ROLE_OPERATOR, SAM_ROLE_AUDITOR, SAM_ROLE_NONE };
    int n;

    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize(1, H1, 1, &tok), QSCD_OK);
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        n = W.nevents;
        CU_ASSERT_EQUAL(extend_as(roles[i], "alice", "a-totp", &tok, H1, 1, &tok2),
                        QSCD_ERR_ROLE_DENIED);
        CU_ASSERT(tok2.token_len == 0 && last_event(n, QSCD_ERR_ROLE_DENIED));
    }
    CU_ASSERT_EQUAL(sam_role_allows(SAM_ROLE_SIGNER, SAM_OP_EXTEND), 1);
}

/* SRG_AA.1: when the audit record cannot be written, no token is handed out. */
static void test_SRG_AA_1_audit_failure_withholds(void)
{
    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize(1, H1, 1, &tok), QSCD_OK);
    W.fail_audit = 1;
    CU_ASSERT_EQUAL(extend(&tok, H1, 1, &tok2), QSCD_ERR_AUDIT_WRITE);
    CU_ASSERT_EQUAL(tok2.token_len, 0);
    W.fail_audit = 0;
}

UNIT_SUITE(samextend)
{
    static const unit_test tests[] = {
        { "CSC_11_9_same_grant_count_carries_over", test_CSC_11_9_same_grant_count_carries_over },
        { "CSC_11_9_expired_sad", test_CSC_11_9_expired_sad },
        { "CSC_11_9_total_life_capped", test_CSC_11_9_total_life_capped },
        { "CSC_11_9_token_checks", test_CSC_11_9_token_checks },
        { "SRA_SKM_2_7_privileged_roles", test_SRA_SKM_2_7_privileged_roles },
        { "SRG_AA_1_audit_failure_withholds", test_SRG_AA_1_audit_failure_withholds },
        { NULL, NULL },
    };
    return unit_add_suite("samextend", setup, cleanup, tests);
}
