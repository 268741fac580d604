/* SPDX-License-Identifier: Apache-2.0 */
/*
 * White-box tests of the verified core's SAM policy (src/core/sam*.c, sad.c, sic.c) in the
 * in-memory world of util_world.h: every check of DESIGN §3 as a failing case named after the
 * requirement it discharges, the lockout, roles, and exactly one audit event per call.
 * Every signature obtained is verified with OpenSSL.
 */
#include "unit.h"

#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "cose.h"
#include "otp.h"
#include "scbor.h"
#include "util_world.h"

static world W;
static uint8_t H1[32], H2[32];

static int setup(void)
{
    SHA256((const uint8_t *)"document one", 12, H1);
    SHA256((const uint8_t *)"document two", 12, H2);
    return 0;
}

/* A fresh world with alice (TOTP credential "a-totp", multisign 5) and bob. */
static void fresh(void)
{
    world_reset_pair(&W);
}

/* Authorize alice on cred for the given hashes with the right factors. */
static int authorize(const char *signer, const char *cred, const char *pin, uint32_t numsig,
                     const uint8_t *hashes, size_t n, sam_authz_out *out)
{
    sam_authz_req r;
    char code[9];

    world_totp(&W, signer, 0, code);
    world_authz_req(&r, signer, cred, pin, code, numsig, QSCD_HASH_SHA256, n, hashes);
    return sam_authorize(&W.ports, &W.cfg, &r, out);
}

static int sign(const char *signer, const char *cred, const sam_authz_out *tok,
                const uint8_t *hashes, size_t n, sam_sign_out *out)
{
    sam_sign_req r;

    world_sign_req(&r, signer, cred, tok->token, tok->token_len, QSCD_HASH_SHA256, n, hashes);
    return sam_signhash(&W.ports, &W.cfg, &r, out);
}

static sam_authz_out tok;
static sam_sign_out sigs;

/* ------------------------------------------------------------------------ positive flow */

static void test_flow_totp_sign_verify(void)
{
    uint8_t hs[64];

    fresh();
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 2, hs, 2, &tok), QSCD_OK);
    CU_ASSERT(tok.token_len > 0 && tok.expires_in == W.cfg.token_ttl);
    CU_ASSERT_EQUAL_FATAL(sign("alice", "a-totp", &tok, hs, 2, &sigs), QSCD_OK);
    CU_ASSERT_EQUAL(sigs.nsigs, 2);
    CU_ASSERT(world_verify(&W, "a-totp", QSCD_HASH_SHA256, H1, &sigs.sig[0], sigs.sig_len[0]));
    CU_ASSERT(world_verify(&W, "a-totp", QSCD_HASH_SHA256, H2, &sigs.sig[SAM_SIG_MAX],
                           sigs.sig_len[1]));
    /* signatures come back in the request's order: the first does not verify the second */
    CU_ASSERT(!world_verify(&W, "a-totp", QSCD_HASH_SHA256, H2, &sigs.sig[0], sigs.sig_len[0]));
    CU_ASSERT_EQUAL(W.nevents, 2); /* SRG_AA.1: one event per call */
    CU_ASSERT_EQUAL(W.events[0].op, SAM_OP_AUTHORIZE);
    CU_ASSERT_EQUAL(W.events[1].op, SAM_OP_SIGN);
    CU_ASSERT_EQUAL(W.events[1].outcome, QSCD_OK);
    CU_ASSERT_EQUAL(W.events[1].count, 2);
}

/* CSC 11.9: a SAD gives numSignatures signatures, split over calls, and no more. */
static void test_CSC_11_9_count_split_then_exhausted(void)
{
    uint8_t hs[64];

    fresh();
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 2, hs, 2, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H2, 1, &sigs), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT_EQUAL(sigs.nsigs, 0);
    CU_ASSERT_EQUAL(W.sign_calls, 2);
}

/* ------------------------------------------------------------------------- signHash */

/* SRA_SKM.2.5 / CSC 11.10: a hash the SAD does not list is not signed. */
static void test_SRA_SKM_2_5_hash_substitution(void)
{
    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H2, 1, &sigs), QSCD_ERR_SAD_HASH);
    CU_ASSERT_EQUAL(W.sign_calls, 0);
    /* the failed attempt consumed nothing: the listed hash still signs */
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_OK);
}

/* SRA_SAP.1.4: replay of a used SAD. */
static void test_SRA_SAP_1_4_replay(void)
{
    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_EXHAUSTED);
}

/* CSC 11.9: more hashes in one call than the SAD allows. */
static void test_CSC_11_9_over_count(void)
{
    uint8_t hs[64];

    fresh();
    memcpy(hs, H1, 32);
    memcpy(hs + 32, H2, 32);
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, hs, 2, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, hs, 2, &sigs), QSCD_ERR_SAD_COUNT);
    CU_ASSERT_EQUAL(W.sign_calls, 0);
}

/* CSC 11.10 "SAD expired": not at or after exp; SRA_SAP.1.4 not from the future. */
static void test_CSC_11_10_sad_expired_and_future(void)
{
    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    W.now += W.cfg.token_ttl;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_EXPIRED);
    W.now -= W.cfg.token_ttl + W.cfg.clock_skew + 1;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_NOT_YET_VALID);
    W.now += W.cfg.clock_skew + 1;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_OK);
}

/* SRA_SAP.1.6: any change to the token breaks its MAC (every byte of the tag and payload). */
static void test_SRA_SAP_1_6_tampered(void)
{
    sam_authz_out t2;
    int bad = 0;

    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    for (size_t i = 0; i < tok.token_len; i++) {
        t2 = tok;
        t2.token[i] ^= 0x01;
        int rc = sign("alice", "a-totp", &t2, H1, 1, &sigs);
        if (rc == QSCD_OK)
            bad++;
        CU_ASSERT(rc == QSCD_ERR_SAD_MAC || rc == QSCD_ERR_SAD_MALFORMED);
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(W.sign_calls, 0);
    t2 = tok;
    t2.token_len--;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &t2, H1, 1, &sigs), QSCD_ERR_SAD_MALFORMED);
}

/* A SAD from another service (audience) is refused. */
static void test_SRA_SAP_1_4_wrong_audience(void)
{
    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    W.cfg.audience[0] ^= 1;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_AUDIENCE);
}

/* SRC_SA.1.4 / SRA_SAP.2.3: alice's SAD cannot sign for bob, nor with bob's key. */
static void test_SRC_SA_1_4_cross_signer(void)
{
    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(sign("bob", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_SIGNER);
    CU_ASSERT_EQUAL(sign("bob", "b-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_CREDENTIAL);
    CU_ASSERT_EQUAL(sign("alice", "b-totp", &tok, H1, 1, &sigs), QSCD_ERR_SAD_CREDENTIAL);
    CU_ASSERT_EQUAL(W.sign_calls, 0);
}

/* A signHash with another hash algorithm than the SAD's, or a weak one. */
static void test_SRG_KM_1_2_hash_alg(void)
{
    sam_sign_req r;
    uint8_t h384[48];

    fresh();
    memcpy(h384, H1, sizeof H1); /* a SHA-384-long digest (the request is read at 48 bytes) */
    memset(h384 + sizeof H1, 0x38, sizeof h384 - sizeof H1);
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    world_sign_req(&r, "alice", "a-totp", tok.token, tok.token_len, QSCD_HASH_SHA384, 1, h384);
    CU_ASSERT_EQUAL(sam_signhash(&W.ports, &W.cfg, &r, &sigs), QSCD_ERR_SAD_HASH_ALG);
    world_sign_req(&r, "alice", "a-totp", tok.token, tok.token_len, 0 /* SHA-1 has no code */, 1, H1);
    CU_ASSERT_EQUAL(sam_signhash(&W.ports, &W.cfg, &r, &sigs), QSCD_ERR_HASH_ALG);
    world_sign_req(&r, "alice", "a-totp", tok.token, tok.token_len, QSCD_HASH_SHA256, 0, H1);
    CU_ASSERT_EQUAL(sam_signhash(&W.ports, &W.cfg, &r, &sigs), QSCD_ERR_HASH_COUNT);
}

/* SIG-6.3.1-08: disabled credential, revoked or expired certificate; wrong algorithm. */
static void test_SIG_6_3_1_08_credential_state(void)
{
    sam_sign_req r;

    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    W.creds[0].c.enabled = 0;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_CRED_DISABLED);
    W.creds[0].c.enabled = 1;
    W.creds[0].c.cert_revoked = 1;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_CERT_REVOKED);
    W.creds[0].c.cert_revoked = 0;
    W.creds[0].c.cert_not_after = W.now - 1;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_CERT_EXPIRED);
    W.creds[0].c.cert_not_after = W.now + 1000;
    world_sign_req(&r, "alice", "a-totp", tok.token, tok.token_len, QSCD_HASH_SHA256, 1, H1);
    r.sign_alg = SAM_SIGN_RSA_PSS;
    CU_ASSERT_EQUAL(sam_signhash(&W.ports, &W.cfg, &r, &sigs), QSCD_ERR_SIGN_ALG);
    CU_ASSERT_EQUAL(W.sign_calls, 0);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_OK);
}

/* SRA_SKM.2.7: privileged roles never reach authorize or sign. */
static void test_SRA_SKM_2_7_privileged_roles(void)
{
    int roles[] = { SAM_ROLE_SECURITY_OFFICER, SAM_ROLE_OPERATOR, SAM_ROLE_AUDITOR, SAM_ROLE_NONE };
    sam_sign_req r;
    sam_authz_req a;
    char code[9];

    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        world_sign_req(&r, "alice", "a-totp", tok.token, tok.token_len, QSCD_HASH_SHA256, 1, H1);
        r.actor.role = roles[i];
        CU_ASSERT_EQUAL(sam_signhash(&W.ports, &W.cfg, &r, &sigs), QSCD_ERR_ROLE_DENIED);
        world_totp(&W, "alice", 0, code);
        world_authz_req(&a, "alice", "a-totp", "246810", code, 1, QSCD_HASH_SHA256, 1, H1);
        a.actor.role = roles[i];
        CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &a, &tok), QSCD_ERR_ROLE_DENIED);
    }
    CU_ASSERT_EQUAL(W.sign_calls, 0);
}

/* SRG_AA.1: a signHash whose audit record cannot be made durable returns no signature. */
static void test_SRG_AA_1_audit_failure_withholds(void)
{
    fresh();
    CU_ASSERT_EQUAL_FATAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    W.fail_audit = 1;
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &tok, H1, 1, &sigs), QSCD_ERR_AUDIT_WRITE);
    CU_ASSERT_EQUAL(sigs.nsigs, 0);
    for (size_t k = 0; k < SAM_SIG_MAX; k++)
        if (sigs.sig[k] != 0) {
            CU_FAIL("signature bytes left in the output");
            break;
        }
}

/* ------------------------------------------------------------------------- authorize */

/* SRC_SA.2 / CSC 11.6: wrong PIN counts; at the limit the signer locks; unlock is not time. */
static void test_SRC_SA_2_lockout(void)
{
    fresh();
    for (uint32_t i = 1; i <= W.cfg.lockout_limit; i++) {
        CU_ASSERT_EQUAL(authorize("alice", "a-totp", "000000", 1, H1, 1, &tok),
                        QSCD_ERR_AUTH_FAILED);
        CU_ASSERT_EQUAL(W.signers[0].s.failures, i);
    }
    CU_ASSERT_EQUAL(W.signers[0].s.locked, 1);
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_ERR_AUTH_LOCKED);
    W.now += 86400;
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_ERR_AUTH_LOCKED);
    /* bob is not affected (per-signer counting) */
    CU_ASSERT_EQUAL(authorize("bob", "b-totp", "135790", 1, H1, 1, &tok), QSCD_OK);
    /* a security officer's unlock (modelled on the record) lets alice in again */
    W.signers[0].s.locked = 0;
    W.signers[0].s.failures = 0;
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(W.nevents, (int)W.cfg.lockout_limit + 4);
}

/* A success resets the count. */
static void test_SRC_SA_2_1_success_resets(void)
{
    fresh();
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "111111", 1, H1, 1, &tok), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(W.signers[0].s.failures, 1);
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(W.signers[0].s.failures, 0);
}

/* SRA_SAP.2.4: both factors: a right PIN with a wrong OTP fails, and the same answer. */
static void test_SRA_SAP_2_4_both_factors(void)
{
    sam_authz_req r;
    char code[9];

    fresh();
    world_totp(&W, "alice", 0, code);
    code[0] = code[0] == '9' ? '0' : (char)(code[0] + 1);
    world_authz_req(&r, "alice", "a-totp", "246810", code, 1, QSCD_HASH_SHA256, 1, H1);
    CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &r, &tok), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(tok.token_len, 0);
    world_authz_req(&r, "alice", "a-totp", "246810", NULL, 1, QSCD_HASH_SHA256, 1, H1);
    CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &r, &tok), QSCD_ERR_AUTH_FAILED);
    /* an unknown signer gets the same answer as a wrong factor */
    CU_ASSERT_EQUAL(authorize("mallory", "a-totp", "246810", 1, H1, 1, &tok), QSCD_ERR_AUTH_FAILED);
}

/* SRA_SAP.1.4: each TOTP counter once; the window is one step either side. */
static void test_SRA_SAP_1_4_totp_once_and_window(void)
{
    sam_authz_req r;
    char code[9];

    fresh();
    world_totp(&W, "alice", 0, code);
    world_authz_req(&r, "alice", "a-totp", "246810", code, 1, QSCD_HASH_SHA256, 1, H1);
    CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &r, &tok), QSCD_OK);
    CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &r, &tok), QSCD_ERR_AUTH_FAILED);
    world_totp(&W, "alice", 1, code);    /* next step: accepted (clock skew of one step) */
    world_authz_req(&r, "alice", "a-totp", "246810", code, 1, QSCD_HASH_SHA256, 1, H1);
    CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &r, &tok), QSCD_OK);
    world_totp(&W, "alice", 3, code);    /* three steps ahead: outside the window */
    world_authz_req(&r, "alice", "a-totp", "246810", code, 1, QSCD_HASH_SHA256, 1, H1);
    CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &r, &tok), QSCD_ERR_AUTH_FAILED);
}

/* CSC 11.6: numSignatures below 1 and above multisign; no hashes; weak hash. */
static void test_CSC_11_6_request_shape(void)
{
    sam_authz_req r;

    fresh();
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 0, H1, 1, &tok), QSCD_ERR_NUMSIG_INVALID);
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 6, H1, 1, &tok), QSCD_ERR_NUMSIG_TOO_HIGH);
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 1, H1, 0, &tok), QSCD_ERR_HASH_COUNT);
    world_authz_req(&r, "alice", "a-totp", "246810", "123456", 1, 0, 1, H1);
    CU_ASSERT_EQUAL(sam_authorize(&W.ports, &W.cfg, &r, &tok), QSCD_ERR_HASH_ALG);
    /* none of these counted as an authentication failure */
    CU_ASSERT_EQUAL(W.signers[0].s.failures, 0);
}

/* CSC 11.6: another signer's credential looks like an unknown one; disabled credential. */
static void test_CSC_11_6_credential(void)
{
    fresh();
    CU_ASSERT_EQUAL(authorize("alice", "b-totp", "246810", 1, H1, 1, &tok), QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(authorize("alice", "nope", "246810", 1, H1, 1, &tok), QSCD_ERR_CRED_NOT_FOUND);
    W.creds[0].c.enabled = 0;
    CU_ASSERT_EQUAL(authorize("alice", "a-totp", "246810", 1, H1, 1, &tok), QSCD_ERR_CRED_DISABLED);
}

/* ------------------------------------------------------------------------ SIC assertion */

static void sic_world(void)
{
    fresh();
    world_add_cred(&W, "a-sic", "alice", SAM_SAP_SIC, 5);
}

static int sic_authorize(const uint8_t *ch, const uint8_t *hashes, size_t n, EVP_PKEY *wrong,
                         int tamper)
{
    sam_authz_req r;

    world_authz_req(&r, "alice", "a-sic", "246810", NULL, (uint32_t)n, QSCD_HASH_SHA256, n,
                    hashes);
    r.assertion_len = world_assertion(&W, "alice", ch, &r, wrong, r.assertion,
                                      sizeof r.assertion);
    if (tamper)
        r.hashes[0] ^= 1; /* the request no longer matches what the device signed */
    return sam_authorize(&W.ports, &W.cfg, &r, &tok);
}

/* SRA_SAP.2.2: a valid assertion over the exact request and a fresh challenge. */
static void test_SRA_SAP_2_2_sic_assertion(void)
{
    uint8_t ch[SAM_CHALLENGE_LEN];

    sic_world();
    world_challenge(&W, "alice", ch);
    CU_ASSERT_EQUAL(sic_authorize(ch, H1, 1, NULL, 0), QSCD_OK);
    CU_ASSERT_EQUAL(sign("alice", "a-sic", &tok, H1, 1, &sigs), QSCD_OK);
    CU_ASSERT(world_verify(&W, "a-sic", QSCD_HASH_SHA256, H1, &sigs.sig[0], sigs.sig_len[0]));
    /* the challenge was used up */
    CU_ASSERT_EQUAL(sic_authorize(ch, H1, 1, NULL, 0), QSCD_ERR_AUTH_FAILED);
}

static void test_SRA_SAP_1_4_sic_bad_assertions(void)
{
    uint8_t ch[SAM_CHALLENGE_LEN], other[SAM_CHALLENGE_LEN];
    EVP_PKEY *k = EVP_EC_gen("P-256");

    sic_world();
    world_challenge(&W, "alice", ch);
    CU_ASSERT_EQUAL(sic_authorize(ch, H1, 1, k, 0), QSCD_ERR_AUTH_FAILED);  /* not her device */
    world_challenge(&W, "alice", ch);
    CU_ASSERT_EQUAL(sic_authorize(ch, H1, 1, NULL, 1), QSCD_ERR_AUTH_FAILED); /* other hashes */
    RAND_bytes(other, sizeof other);
    CU_ASSERT_EQUAL(sic_authorize(other, H1, 1, NULL, 0), QSCD_ERR_AUTH_FAILED); /* unknown */
    world_challenge(&W, "bob", ch);
    CU_ASSERT_EQUAL(sic_authorize(ch, H1, 1, NULL, 0), QSCD_ERR_AUTH_FAILED); /* bob's */
    world_challenge(&W, "alice", ch);
    W.now += W.cfg.challenge_ttl + 1;
    CU_ASSERT_EQUAL(sic_authorize(ch, H1, 1, NULL, 0), QSCD_ERR_AUTH_FAILED); /* stale */
    CU_ASSERT_EQUAL(W.signers[0].s.failures, 5);
    EVP_PKEY_free(k);
}

/* ----------------------------------------------------------------------- HOTP (RFC 4226) */

static void test_RFC4226_appendix_d(void)
{
    static const uint32_t want[10] = { 755224, 287082, 359152, 969429, 338314,
                                       254676, 287922, 162583, 399871, 520489 };
    const uint8_t *seed = (const uint8_t *)"12345678901234567890";
    uint8_t mac[20], msg[8] = { 0 }, text[8];
    unsigned n;

    for (uint8_t c = 0; c < 10; c++) {
        msg[7] = c;
        n = 20;
        HMAC(EVP_sha1(), seed, 20, msg, 8, mac, &n);
        CU_ASSERT_EQUAL(otp_truncate(mac, 6), want[c]);
        otp_format(otp_truncate(mac, 6), 6, text);
        char expect[7];
        snprintf(expect, sizeof expect, "%06u", want[c]);
        CU_ASSERT_EQUAL(memcmp(text, expect, 6), 0);
    }
}


/* ------------------------------------------------------------- SAD decoding strictness */

/* How a forged claims map departs from the profile. */
enum forge { F_NONE, F_EXTRA_KEY, F_VERSION, F_SHORT_HASH, F_UNSORTED, F_NO_HASH, F_IAT_AFTER_EXP,
             F_SCAL1, F_TRAILING, F_UNTAGGED, F_SHA1_CODE };

/* A token over claims for alice/a-totp/H1, MACed with the service's key (so only the
 * decoder's strictness can refuse it). */
static size_t forge(enum forge f, uint8_t *out, size_t cap)
{
    uint8_t payload[512], tbs[600], tag[32], id[16];
    size_t plen, tlen = 0, olen = 0;
    unsigned taglen = 32;
    scbor_enc e;

    memset(id, 0x42, sizeof id);
    scbor_enc_init(&e, payload, sizeof payload);
    scbor_put_map(&e, f == F_EXTRA_KEY ? 12 : 11);
    if (f == F_UNSORTED) {
        scbor_put_uint(&e, 2);
        scbor_put_bstr(&e, id, 16);
        scbor_put_uint(&e, 1);
        scbor_put_uint(&e, 1);
    } else {
        scbor_put_uint(&e, 1);
        scbor_put_uint(&e, f == F_VERSION ? 2 : 1);
        scbor_put_uint(&e, 2);
        scbor_put_bstr(&e, id, 16);
    }
    scbor_put_uint(&e, 3);
    scbor_put_bstr(&e, (const uint8_t *)"alice", 5);
    scbor_put_uint(&e, 4);
    scbor_put_bstr(&e, (const uint8_t *)"a-totp", 6);
    scbor_put_uint(&e, 5);
    scbor_put_bstr(&e, W.cfg.audience, W.cfg.audience_len);
    scbor_put_uint(&e, 6);
    scbor_put_uint(&e, f == F_SHA1_CODE ? 0 : 1);
    scbor_put_uint(&e, 7);
    scbor_put_array(&e, f == F_NO_HASH ? 0 : 1);
    if (f != F_NO_HASH)
        scbor_put_bstr(&e, H1, f == F_SHORT_HASH ? 31 : 32);
    scbor_put_uint(&e, 8);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, 9);
    scbor_put_uint(&e, (uint64_t)(f == F_IAT_AFTER_EXP ? W.now + 10 : W.now));
    scbor_put_uint(&e, 10);
    scbor_put_uint(&e, (uint64_t)(W.now + 5));
    scbor_put_uint(&e, 11);
    scbor_put_uint(&e, f == F_SCAL1 ? 1 : 2);
    if (f == F_EXTRA_KEY) {
        scbor_put_uint(&e, 12);
        scbor_put_uint(&e, 0);
    }
    if (f == F_TRAILING)
        scbor_put_uint(&e, 0);
    plen = e.len;
    CU_ASSERT_FATAL(e.err == QSCD_OK);
    CU_ASSERT_FATAL(cose_mac0_tbs(COSE_ALG_HMAC256, NULL, 0, payload, plen, tbs, sizeof tbs,
                                  &tlen) == QSCD_OK);
    HMAC(EVP_sha256(), W.token_key, 32, tbs, tlen, tag, &taglen);
    CU_ASSERT_FATAL(cose_mac0_encode(COSE_ALG_HMAC256, payload, plen, tag, 32, f != F_UNTAGGED,
                                     out, cap, &olen) == QSCD_OK);
    return olen;
}

/* SRA_SAP.2.1: the SAD format is enforced strictly, even under a valid MAC. */
static void test_SRA_SAP_2_1_sad_strict_decoding(void)
{
    static const struct { enum forge f; int rc; } cases[] = {
        { F_EXTRA_KEY, QSCD_ERR_SAD_MALFORMED },    { F_VERSION, QSCD_ERR_SAD_VERSION },
        { F_SHORT_HASH, QSCD_ERR_SAD_MALFORMED },   { F_UNSORTED, QSCD_ERR_SAD_MALFORMED },
        { F_NO_HASH, QSCD_ERR_SAD_MALFORMED },      { F_IAT_AFTER_EXP, QSCD_ERR_SAD_MALFORMED },
        { F_SCAL1, QSCD_ERR_SAD_MALFORMED },        { F_TRAILING, QSCD_ERR_SAD_MALFORMED },
        { F_UNTAGGED, QSCD_ERR_SAD_MALFORMED },     { F_SHA1_CODE, QSCD_ERR_SAD_MALFORMED },
    };
    sam_authz_out t;

    fresh();
    /* the control: a forged but well-formed token passes decoding and stops at the registry */
    t.token_len = forge(F_NONE, t.token, sizeof t.token);
    CU_ASSERT_EQUAL(sign("alice", "a-totp", &t, H1, 1, &sigs), QSCD_ERR_SAD_UNKNOWN);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t.token_len = forge(cases[i].f, t.token, sizeof t.token);
        int rc = sign("alice", "a-totp", &t, H1, 1, &sigs);
        if (rc != cases[i].rc)
            fprintf(stderr, "forge %d: %s\n", (int)cases[i].f, qscd_err_name(rc));
        CU_ASSERT_EQUAL(rc, cases[i].rc);
    }
    CU_ASSERT_EQUAL(W.sign_calls, 0);
}

UNIT_SUITE(sam)
{
    static const unit_test tests[] = {
        { "flow_totp_sign_verify", test_flow_totp_sign_verify },
        { "CSC_11_9_count_split_then_exhausted", test_CSC_11_9_count_split_then_exhausted },
        { "SRA_SKM_2_5_hash_substitution", test_SRA_SKM_2_5_hash_substitution },
        { "SRA_SAP_1_4_replay", test_SRA_SAP_1_4_replay },
        { "CSC_11_9_over_count", test_CSC_11_9_over_count },
        { "CSC_11_10_sad_expired_and_future", test_CSC_11_10_sad_expired_and_future },
        { "SRA_SAP_1_6_tampered", test_SRA_SAP_1_6_tampered },
        { "SRA_SAP_1_4_wrong_audience", test_SRA_SAP_1_4_wrong_audience },
        { "SRC_SA_1_4_cross_signer", test_SRC_SA_1_4_cross_signer },
        { "SRG_KM_1_2_hash_alg", test_SRG_KM_1_2_hash_alg },
        { "SIG_6_3_1_08_credential_state", test_SIG_6_3_1_08_credential_state },
        { "SRA_SKM_2_7_privileged_roles", test_SRA_SKM_2_7_privileged_roles },
        { "SRG_AA_1_audit_failure_withholds", test_SRG_AA_1_audit_failure_withholds },
        { "SRC_SA_2_lockout", test_SRC_SA_2_lockout },
        { "SRC_SA_2_1_success_resets", test_SRC_SA_2_1_success_resets },
        { "SRA_SAP_2_4_both_factors", test_SRA_SAP_2_4_both_factors },
        { "SRA_SAP_1_4_totp_once_and_window", test_SRA_SAP_1_4_totp_once_and_window },
        { "CSC_11_6_request_shape", test_CSC_11_6_request_shape },
        { "CSC_11_6_credential", test_CSC_11_6_credential },
        { "SRA_SAP_2_2_sic_assertion", test_SRA_SAP_2_2_sic_assertion },
        { "SRA_SAP_1_4_sic_bad_assertions", test_SRA_SAP_1_4_sic_bad_assertions },
        { "RFC4226_appendix_d", test_RFC4226_appendix_d },
        { "SRA_SAP_2_1_sad_strict_decoding", test_SRA_SAP_2_1_sad_strict_decoding },
        { NULL, NULL },
    };
    return unit_add_suite("sam", setup, NULL, tests);
}
