/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signatures/signHash and credentials/extendTransaction in the SAM (contracts in sam.h). The
 * order of the steps is the point: nothing reaches the sign port before the token's MAC, its
 * claims, the credential and the registry have all said yes, and the registry has counted
 * the signatures durably. The sign port's preconditions (acsl/ports/qscd_ports.h) are the
 * sole-control theorem; WP proves them at the one call below. An extension checks the token
 * exactly as a signature does, and re-issues the same grant (same token id, so the same
 * registry count) with a later expiry.
 */
#include "sam.h"


#include "qscd_mem.h"
#include "sam_event.h"

/*@ ghost sad_claims *sam_g_verified = 0; */
/*@ ghost int64_t sam_g_now = 0; */
/*@ ghost int sam_g_consumed = 0; */
/*@ ghost int sam_g_signed = 0; */
/*@ ghost int sam_g_audits = 0; */
/*@ ghost int sam_g_extended = 0; */

/* The request's shape, before any token or key is looked at. */
/*@ requires sam_sign_req_ok(req);
    requires op == SAM_OP_SIGN || op == SAM_OP_EXTEND;
    terminates \true;
    assigns \nothing;
    ensures \result == QSCD_OK ==> req->actor.role == SAM_ROLE_SIGNER &&
        1 <= req->nhashes <= QSCD_MAX_HASHES && qscd_hash_ok(req->hash_alg);
    ensures SRA_SKM_2_7_role_first: req->actor.role != SAM_ROLE_SIGNER ==> \result != QSCD_OK;
*/
static int sign_precheck(const sam_sign_req *req, int op)
{
    int rc = QSCD_OK;

    if (!sam_role_allows(req->actor.role, op))
        rc = QSCD_ERR_ROLE_DENIED;
    else if (req->nhashes < 1 || req->nhashes > QSCD_MAX_HASHES)
        rc = QSCD_ERR_HASH_COUNT;
    else if (qscd_hash_digest_len(req->hash_alg) == 0)
        rc = QSCD_ERR_HASH_ALG;
    return rc;
}

/*@ predicate sign_hash_listed{L}(sad_claims *c, sam_sign_req *req, integer k) =
        sad_listed(c, &req->hashes[k * QSCD_MAX_DIGEST], qscd_digest_len(c->hash_alg));
    predicate sign_hashes_listed{L}(sad_claims *c, sam_sign_req *req, integer n) =
        \forall integer k; 0 <= k < n ==> sign_hash_listed(c, req, k);
    lemma sign_hashes_listed_step{L}:
        \forall sad_claims *c, sam_sign_req *req, integer n;
            0 <= n ==> sign_hashes_listed(c, req, n) ==> sign_hash_listed(c, req, n) ==>
            sign_hashes_listed(c, req, n + 1);
*/

/* Is every requested hash one the token lists? Visits them all: the answer's timing does not
 * depend on which one is missing. */
/*@ requires sad_claims_ok(c) && sam_sign_req_ok(req);
    requires req->hash_alg == c->hash_alg && 1 <= req->nhashes <= QSCD_MAX_HASHES;
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures SRA_SKM_2_5_only_listed: \result == 1 <==> sign_hashes_listed(c, req, req->nhashes);
*/
static int sign_hashes_all_listed(const sad_claims *c, const sam_sign_req *req)
{
    size_t dlen = qscd_hash_digest_len(c->hash_alg);
    size_t n = req->nhashes;
    int all = 1;
    size_t i;

    /*@ loop invariant 0 <= i <= n;
        loop invariant all == 0 || all == 1;
        loop invariant all_listed: all == 1 ==> sign_hashes_listed(c, req, i);
        loop invariant one_missing: all == 0 ==> \exists integer k; 0 <= k < i &&
            !sign_hash_listed(c, req, k);
        loop assigns i, all;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        int listed = sad_hash_listed(c, &req->hashes[i * QSCD_MAX_DIGEST], dlen);
        /*@ assert listed == 1 <==> sign_hash_listed(c, req, i); */
        if (!listed)
            all = 0;
    }
    return all;
}

/* The token's claims against the request, the service and the time. */
/*@ requires sam_config_ok(cfg);
    requires sad_claims_ok(c);
    requires sam_sign_req_ok(req);
    requires 0 <= now <= 0x7fffffff00;
    requires req->actor.role == SAM_ROLE_SIGNER && 1 <= req->nhashes <= QSCD_MAX_HASHES;
    requires qscd_hash_ok(req->hash_alg);
    terminates \true;
    assigns \nothing;
    ensures \result == QSCD_OK ==> c->audience_len == cfg->audience_len;
    ensures SRA_SAP_1_4_not_expired: \result == QSCD_OK ==> now < c->exp;
    ensures SRA_SAP_1_4_not_future: \result == QSCD_OK ==> c->iat <= now + cfg->clock_skew;
    ensures SRA_SAP_2_3_credential: \result == QSCD_OK ==> qscd_id_eq(&req->cred, &c->credential);
    ensures SRA_SAP_2_3_signer: \result == QSCD_OK ==> qscd_id_eq(&req->actor.id, &c->signer);
    ensures SRA_SAP_2_3_hash_alg: \result == QSCD_OK ==> req->hash_alg == c->hash_alg;
    ensures CSC_11_9_within_count: \result == QSCD_OK ==> req->nhashes <= c->num_signatures;
    ensures SRA_SAP_2_3_hashes: \result == QSCD_OK ==> sign_hashes_listed(c, req, req->nhashes);
*/
static int sign_check_claims(const sam_config *cfg, const sam_sign_req *req,
                             const sad_claims *c, int64_t now)
{
    int rc = QSCD_OK;

    if (c->audience_len != cfg->audience_len ||
        !qscd_ct_equal(c->audience, cfg->audience, cfg->audience_len))
        rc = QSCD_ERR_SAD_AUDIENCE;
    else if (now >= c->exp)
        rc = QSCD_ERR_SAD_EXPIRED;
    else if (c->iat > now + cfg->clock_skew)
        rc = QSCD_ERR_SAD_NOT_YET_VALID;
    else if (!qscd_id_equal(&req->cred, &c->credential))
        rc = QSCD_ERR_SAD_CREDENTIAL;
    else if (!qscd_id_equal(&req->actor.id, &c->signer))
        rc = QSCD_ERR_SAD_SIGNER;
    else if (req->hash_alg != c->hash_alg)
        rc = QSCD_ERR_SAD_HASH_ALG;
    else if (req->nhashes > c->num_signatures)
        rc = QSCD_ERR_SAD_COUNT;
    else if (!sign_hashes_all_listed(c, req))
        rc = QSCD_ERR_SAD_HASH;
    return rc;
}

/* The stored credential: the token's, its signer's, enabled, certified now, fit for the
 * requested signature algorithm. */
/*@ requires sam_cred_ok(cred) && sad_claims_ok(c);
    terminates \true;
    assigns \nothing;
    ensures SRA_SKM_1_4_owner: \result == QSCD_OK ==> qscd_id_eq(&cred->owner, &c->signer);
    ensures SIG_6_3_1_08_certificate: \result == QSCD_OK ==>
        cred->enabled == 1 && cred->has_cert == 1 && cred->cert_revoked == 0 &&
        cred->cert_not_before <= now <= cred->cert_not_after;
    ensures SRG_KM_1_2_algorithm: \result == QSCD_OK ==> sam_alg_fits(cred->key_alg, sign_alg);
*/
static int sign_check_cred(const sam_cred *cred, const sad_claims *c, int sign_alg, int64_t now)
{
    int rc = QSCD_OK;

    if (!qscd_id_equal(&cred->owner, &c->signer))
        rc = QSCD_ERR_NOT_OWNER;
    else if (cred->enabled != 1)
        rc = QSCD_ERR_CRED_DISABLED;
    else if (cred->has_cert != 1)
        rc = QSCD_ERR_CERT_MISSING;
    else if (cred->cert_revoked != 0)
        rc = QSCD_ERR_CERT_REVOKED;
    else if (now < cred->cert_not_before)
        rc = QSCD_ERR_CERT_NOT_YET_VALID;
    else if (now > cred->cert_not_after)
        rc = QSCD_ERR_CERT_EXPIRED;
    else if (!sam_key_fits(cred->key_alg, sign_alg))
        rc = QSCD_ERR_SIGN_ALG;
    return rc;
}

/* Sign every hash, in order. Called only once the registry granted nhashes signatures. Each
 * digest is checked against the token's list again right before its signature: the check
 * that licenses a signature is the one next to it, whatever happened in between. */
/*@ requires sam_sign_req_ok(req) && sam_cred_ok(cred) && \valid(out);
    requires \separated(out, req, cred, c);
    requires SOLE_CONTROL_verified: c == sam_g_verified && sad_claims_ok(c);
    requires sam_g_now < c->exp && c->iat <= sam_g_now + SAM_MAX_SKEW;
    requires qscd_id_eq(&cred->id, &c->credential) && qscd_id_eq(&cred->owner, &c->signer);
    requires req->actor.role == SAM_ROLE_SIGNER && qscd_id_eq(&req->actor.id, &c->signer);
    requires req->hash_alg == c->hash_alg && 1 <= req->nhashes <= QSCD_MAX_HASHES;
    requires cred->enabled == 1 && cred->has_cert == 1 && cred->cert_revoked == 0 &&
             cred->cert_not_before <= sam_g_now <= cred->cert_not_after;
    requires sam_alg_fits(cred->key_alg, req->sign_alg);
    requires sam_g_signed == 0 && sam_g_consumed == req->nhashes;
    terminates \true;
    assigns out->sig[0 .. QSCD_MAX_HASHES * SAM_SIG_MAX - 1],
            out->sig_len[0 .. QSCD_MAX_HASHES - 1], sam_g_signed;
    ensures \result == QSCD_OK ==> sam_g_signed == req->nhashes;
    ensures 0 <= sam_g_signed <= req->nhashes;
*/
static int sign_all(qscd_ports *p, const sam_sign_req *req, const sad_claims *c,
                    const sam_cred *cred, sam_sign_out *out)
{
    size_t dlen = qscd_hash_digest_len(c->hash_alg);
    int rc = QSCD_OK;
    size_t i;

    /*@ loop invariant 0 <= i <= req->nhashes;
        loop invariant sam_g_signed == i;
        loop invariant rc == QSCD_OK;
        loop assigns i, rc, sam_g_signed,
            out->sig[0 .. QSCD_MAX_HASHES * SAM_SIG_MAX - 1],
            out->sig_len[0 .. QSCD_MAX_HASHES - 1];
        loop variant req->nhashes - i;
    */
    for (i = 0; i < req->nhashes; i++) {
        if (!sad_hash_listed(c, &req->hashes[i * QSCD_MAX_DIGEST], dlen)) {
            rc = QSCD_ERR_SAD_HASH;
            break;
        }
        rc = qscd_port_sign(p, req, c, cred, i, &out->sig[i * SAM_SIG_MAX], SAM_SIG_MAX,
                            &out->sig_len[i]);
        if (rc != QSCD_OK)
            break;
    }
    return rc;
}

/* The token against the request, the service and the time (spec/sap.md, checks 3 to 14):
 * the stored credential is the one requested, the token is authentic and its claims fit.
 * The credential is read first so that nothing is written between the token's verification
 * and what it licenses. */
/*@ requires sam_config_ok(cfg) && sam_sign_req_ok(req);
    requires 0 <= now <= 0x7fffffff00 && now == sam_g_now;
    requires req->actor.role == SAM_ROLE_SIGNER && 1 <= req->nhashes <= QSCD_MAX_HASHES;
    requires qscd_hash_ok(req->hash_alg);
    requires \valid(c) && \valid(cred);
    requires \separated(c, cred, req, cfg);
    requires \separated(c, req->token + (0 .. req->token_len - 1));
    requires \separated(cred, req->token + (0 .. req->token_len - 1));
    terminates \true;
    assigns *c, *cred, sam_g_verified;
    ensures sam_sign_req_ok(req);
    ensures SRA_SAP_1_6_verified: \result == QSCD_OK ==> c == sam_g_verified && sad_claims_ok(c);
    ensures \result == QSCD_OK ==> sam_g_now < c->exp && c->iat <= sam_g_now + SAM_MAX_SKEW;
    ensures \result == QSCD_OK ==> req->nhashes <= c->num_signatures;
    ensures \result == QSCD_OK ==> sam_cred_ok(cred);
    ensures \result == QSCD_OK ==> qscd_id_eq(&cred->id, &c->credential);
    ensures \result == QSCD_OK ==> qscd_id_eq(&req->actor.id, &c->signer);
    ensures \result == QSCD_OK ==> req->hash_alg == c->hash_alg;
    ensures SRA_SKM_2_5_all_listed: \result == QSCD_OK ==> sign_hashes_listed(c, req, req->nhashes);
*/
static int sign_token_check(qscd_ports *p, const sam_config *cfg, const sam_sign_req *req,
                            int64_t now, sad_claims *c, sam_cred *cred)
{
    int rc = qscd_port_cred_get(p, &req->cred, cred);

    if (rc == QSCD_OK)
        rc = sad_token_verify(p, req->token, req->token_len, c);
    if (rc == QSCD_OK)
        rc = sign_check_claims(cfg, req, c, now);
    return rc;
}

/* Everything that must hold before the registry is asked: the token's checks, then the
 * credential is the token's and usable now. */
/*@ requires sam_config_ok(cfg) && sam_sign_req_ok(req);
    requires 0 <= now <= 0x7fffffff00 && now == sam_g_now;
    requires req->actor.role == SAM_ROLE_SIGNER && 1 <= req->nhashes <= QSCD_MAX_HASHES;
    requires qscd_hash_ok(req->hash_alg);
    requires \valid(c) && \valid(cred);
    requires \separated(c, cred, req, cfg);
    requires \separated(c, req->token + (0 .. req->token_len - 1));
    requires \separated(cred, req->token + (0 .. req->token_len - 1));
    terminates \true;
    assigns *c, *cred, sam_g_verified;
    ensures sam_sign_req_ok(req);
    ensures SRA_SAP_1_6_verified: \result == QSCD_OK ==> c == sam_g_verified && sad_claims_ok(c);
    ensures \result == QSCD_OK ==> sam_g_now < c->exp && c->iat <= sam_g_now + SAM_MAX_SKEW;
    ensures \result == QSCD_OK ==> req->nhashes <= c->num_signatures;
    ensures \result == QSCD_OK ==> sam_cred_ok(cred);
    ensures \result == QSCD_OK ==> qscd_id_eq(&cred->id, &c->credential);
    ensures \result == QSCD_OK ==> qscd_id_eq(&cred->owner, &c->signer);
    ensures \result == QSCD_OK ==> qscd_id_eq(&req->actor.id, &c->signer);
    ensures \result == QSCD_OK ==> req->hash_alg == c->hash_alg;
    ensures \result == QSCD_OK ==> cred->enabled == 1 && cred->has_cert == 1 &&
        cred->cert_revoked == 0 && cred->cert_not_before <= sam_g_now <= cred->cert_not_after;
    ensures \result == QSCD_OK ==> sam_alg_fits(cred->key_alg, req->sign_alg);
    ensures SRA_SKM_2_5_all_listed: \result == QSCD_OK ==> sign_hashes_listed(c, req, req->nhashes);
*/
static int sign_authorise(qscd_ports *p, const sam_config *cfg, const sam_sign_req *req,
                          int64_t now, sad_claims *c, sam_cred *cred)
{
    int rc = sign_token_check(p, cfg, req, now, c, cred);

    if (rc == QSCD_OK)
        rc = sign_check_cred(cred, c, req->sign_alg, now);
    return rc;
}

/* The request's shape and role, then the trusted time (into a value the rest of the entry
 * point cannot alias). */
/*@ requires sam_sign_req_ok(req);
    requires op == SAM_OP_SIGN || op == SAM_OP_EXTEND;
    requires \valid(now) && \separated(now, req);
    terminates \true;
    assigns *now, sam_g_now;
    ensures \result == QSCD_OK ==> req->actor.role == SAM_ROLE_SIGNER &&
        1 <= req->nhashes <= QSCD_MAX_HASHES && qscd_hash_ok(req->hash_alg);
    ensures \result == QSCD_OK ==> *now == sam_g_now && 0 <= *now <= 0x7fffffff00;
    ensures SRA_SKM_2_7_role_first: req->actor.role != SAM_ROLE_SIGNER ==> \result != QSCD_OK;
*/
static int sign_start(qscd_ports *p, const sam_sign_req *req, int op, int64_t *now)
{
    int64_t clock = 0;
    int rc = sign_precheck(req, op);

    if (rc == QSCD_OK)
        rc = qscd_port_now(p, &clock);
    *now = clock;
    return rc;
}

/* The one audit event of signHash and extendTransaction, on every path (SRG_AA.1): the
 * token's id once its MAC verified (the claims hold a version only then: they are wiped
 * otherwise, so failed checks of an authentic token are audited with its id), the digests on
 * success. Returns rc, or the audit port's error when rc was QSCD_OK: no result without its
 * record. */
/*@ requires sam_sign_req_ok(req) && \valid_read(c);
    requires rc == QSCD_OK ==> qscd_hash_ok(req->hash_alg) && 1 <= req->nhashes <= QSCD_MAX_HASHES;
    requires sam_g_audits == 0;
    terminates \true;
    assigns sam_g_audits;
    ensures SRG_AA_1_one_event: sam_g_audits == 1;
    ensures rc != QSCD_OK ==> \result == rc;
    ensures rc == QSCD_OK ==> \result == QSCD_OK || \result == QSCD_ERR_AUDIT_WRITE;
*/
static int sign_audit(qscd_ports *p, int op, const sam_sign_req *req, const sad_claims *c,
                      int64_t now, int rc)
{
    sam_event ev;
    int arc;

    sam_event_begin(&ev, op, &req->actor, &req->cred);
    ev.time = now;
    ev.outcome = rc;
    if (c->version == SAD_VERSION)
        sam_event_token(&ev, c);
    if (rc == QSCD_OK)
        sam_event_hashes(&ev, req->hash_alg, (uint32_t)req->nhashes, req->hashes);
    arc = qscd_port_audit(p, &ev);
    return rc == QSCD_OK && arc != QSCD_OK ? arc : rc;
}

int sam_signhash(qscd_ports *p, const sam_config *cfg, const sam_sign_req *req,
                 sam_sign_out *out)
{
    /* Zeroed here as well as wiped: EVA then knows every byte initialised (the wipe's loop
     * over the hash list is too long for it to follow byte by byte). */
    sad_claims claims = { 0 };
    sam_cred cred;
    int64_t now = 0;
    int rc;

    /*@ ghost sam_g_verified = 0; sam_g_consumed = 0; sam_g_signed = 0; sam_g_audits = 0; */
    sam_out_clear(out);
    sad_claims_wipe(&claims);
    rc = sign_start(p, req, SAM_OP_SIGN, &now);
    if (rc == QSCD_OK)
        rc = sign_authorise(p, cfg, req, now, &claims, &cred);
    if (rc == QSCD_OK)
        rc = qscd_port_registry_consume(p, claims.token_id, (uint32_t)req->nhashes,
                                        claims.num_signatures);
    if (rc == QSCD_OK)
        rc = sign_all(p, req, &claims, &cred, out);
    if (rc == QSCD_OK)
        out->nsigs = req->nhashes;
    /* One audit event, on every path (SRG_AA.1). */
    rc = sign_audit(p, SAM_OP_SIGN, req, &claims, now, rc);
    if (rc != QSCD_OK)
        sam_out_clear(out);
    sad_claims_wipe(&claims);
    return rc;
}

/* ------------------------------------------------------------------ extendTransaction */

/*@ // Every claim but the expiry is the same at labels A and B: the grant itself.
    predicate sad_same_grant{A, B}(sad_claims *c) =
        \at(c->version, A) == \at(c->version, B) &&
        \at(c->signer.len, A) == \at(c->signer.len, B) &&
        \at(c->credential.len, A) == \at(c->credential.len, B) &&
        \at(c->audience_len, A) == \at(c->audience_len, B) &&
        \at(c->hash_alg, A) == \at(c->hash_alg, B) &&
        \at(c->nhashes, A) == \at(c->nhashes, B) &&
        \at(c->num_signatures, A) == \at(c->num_signatures, B) &&
        \at(c->iat, A) == \at(c->iat, B) && \at(c->scal, A) == \at(c->scal, B) &&
        (\forall integer k; 0 <= k < QSCD_TOKEN_ID_LEN ==> \at(c->token_id[k], A) == \at(c->token_id[k], B)) &&
        (\forall integer k; 0 <= k < QSCD_ID_MAX ==> \at(c->signer.b[k], A) == \at(c->signer.b[k], B)) &&
        (\forall integer k; 0 <= k < QSCD_ID_MAX ==> \at(c->credential.b[k], A) == \at(c->credential.b[k], B)) &&
        (\forall integer k; 0 <= k < QSCD_AUDIENCE_MAX ==> \at(c->audience[k], A) == \at(c->audience[k], B)) &&
        (\forall integer k; 0 <= k < QSCD_MAX_HASHES * QSCD_MAX_DIGEST ==>
            \at(c->hashes[k], A) == \at(c->hashes[k], B));
*/

/* The lifetimes an extension is given: the configuration's token_ttl and token_max_life,
 * read once at the entry point, where sam_config_ok is known of them. */
/*@ predicate extend_lifetimes_ok(integer ttl, integer max_life) =
        1 <= ttl <= 86400 && 1 <= max_life <= SAM_MAX_TOKEN_LIFE;
*/

/* The expiry of the extended token: a full lifetime from now, but never past the cap on a
 * token's total life, counted from its first issue. */
/*@ requires extend_lifetimes_ok(ttl, max_life);
    requires 0 <= now <= 0x7fffffff00 && 0 <= iat <= now + SAM_MAX_SKEW;
    terminates \true;
    assigns \nothing;
    ensures CSC_11_9_lifetime: \result <= now + ttl;
    ensures CSC_11_9_capped: \result <= iat + max_life;
*/
static int64_t extend_expiry(int64_t ttl, int64_t max_life, int64_t iat, int64_t now)
{
    int64_t exp = now + ttl;
    int64_t cap = iat + max_life;

    return exp < cap ? exp : cap;
}

/* The token's checks (as at signHash) and the credential still its signer's. */
/*@ requires sam_config_ok(cfg) && sam_sign_req_ok(req);
    requires 0 <= now <= 0x7fffffff00 && now == sam_g_now;
    requires req->actor.role == SAM_ROLE_SIGNER && 1 <= req->nhashes <= QSCD_MAX_HASHES;
    requires qscd_hash_ok(req->hash_alg);
    requires \valid(c) && \valid(cred);
    requires \separated(c, cred, req, cfg);
    requires \separated(c, req->token + (0 .. req->token_len - 1));
    requires \separated(cred, req->token + (0 .. req->token_len - 1));
    terminates \true;
    assigns *c, *cred, sam_g_verified;
    ensures sam_sign_req_ok(req);
    ensures SRA_SAP_1_6_verified: \result == QSCD_OK ==> c == sam_g_verified && sad_claims_ok(c);
    ensures CSC_11_9_expired_sad_refused:
        \result == QSCD_OK ==> sam_g_now < c->exp && c->iat <= sam_g_now + SAM_MAX_SKEW;
    ensures SRA_SAP_2_3_signer: \result == QSCD_OK ==> qscd_id_eq(&req->actor.id, &c->signer);
    ensures SRA_SKM_1_4_owner: \result == QSCD_OK ==> qscd_id_eq(&cred->owner, &c->signer);
    ensures SRA_SAP_2_3_hashes: \result == QSCD_OK ==>
        req->hash_alg == c->hash_alg && sign_hashes_listed(c, req, req->nhashes);
*/
static int extend_authorise(qscd_ports *p, const sam_config *cfg, const sam_sign_req *req,
                            int64_t now, sad_claims *c, sam_cred *cred)
{
    int rc = sign_token_check(p, cfg, req, now, c, cred);

    if (rc == QSCD_OK && !qscd_id_equal(&cred->owner, &c->signer))
        rc = QSCD_ERR_NOT_OWNER;
    return rc;
}

/* The same grant with a later expiry: the registry entry checked (signatures left) and moved,
 * then the claims re-issued with only their expiry changed. The token id stays, so the
 * registry's count carries over and the extension grants no signature more. (When the MAC
 * port fails after the registry moved, the entry merely lives longer: nothing is granted.) */
/*@ requires extend_lifetimes_ok(ttl, max_life);
    requires 0 <= now <= 0x7fffffff00 && now == sam_g_now;
    requires c == sam_g_verified && sad_claims_ok(c) && \valid(c);
    requires sam_g_now < c->exp && c->iat <= sam_g_now + SAM_MAX_SKEW;
    requires \valid(out) && \separated(out, c);
    terminates \true;
    assigns c->exp, *out, sam_g_extended;
    ensures CSC_11_9_same_grant: sad_same_grant{Pre, Post}(c);
    ensures CSC_11_9_capped: \result == QSCD_OK ==> c->exp <= c->iat + max_life;
    ensures \result == QSCD_OK ==> sam_g_extended == 1;
    ensures \result == QSCD_OK ==> now < c->exp <= now + ttl;
    ensures \result == QSCD_OK ==> 0 < out->token_len <= SAD_TOKEN_MAX;
*/
static int extend_grant(qscd_ports *p, int64_t ttl, int64_t max_life, int64_t now,
                        sad_claims *c, sam_authz_out *out)
{
    int64_t exp = extend_expiry(ttl, max_life, c->iat, now);
    /* The cap may leave no time at all: the token then ends as an expired one would. */
    int rc = exp > now && exp >= c->iat ? QSCD_OK : QSCD_ERR_SAD_EXPIRED;

    if (rc == QSCD_OK)
        rc = qscd_port_registry_extend(p, c->token_id, c->num_signatures, exp);
    if (rc == QSCD_OK) {
        c->exp = exp;
        rc = sad_token_issue(p, c, out->token, SAD_TOKEN_MAX, &out->token_len);
    }
    if (rc == QSCD_OK)
        out->expires_in = exp - now;
    return rc;
}

int sam_extend(qscd_ports *p, const sam_config *cfg, const sam_sign_req *req,
               sam_authz_out *out)
{
    /* Zeroed as well as wiped, for EVA (as in sam_signhash). */
    sad_claims claims = { 0 };
    sam_cred cred;
    int64_t ttl = cfg->token_ttl, max_life = cfg->token_max_life;
    int64_t now = 0;
    int rc;

    /*@ ghost sam_g_verified = 0; sam_g_extended = 0; sam_g_audits = 0; */
    sam_token_out_clear(out);
    sad_claims_wipe(&claims);
    rc = sign_start(p, req, SAM_OP_EXTEND, &now);
    if (rc == QSCD_OK)
        rc = extend_authorise(p, cfg, req, now, &claims, &cred);
    if (rc == QSCD_OK)
        rc = extend_grant(p, ttl, max_life, now, &claims, out);

    /* One audit event, on every path (SRG_AA.1). */
    rc = sign_audit(p, SAM_OP_EXTEND, req, &claims, now, rc);
    if (rc != QSCD_OK)
        sam_token_out_clear(out);
    sad_claims_wipe(&claims);
    return rc;
}
