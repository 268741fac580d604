/* SPDX-License-Identifier: Apache-2.0 */
/*
 * credentials/authorize in the SAM (contract in sam.h): the signer's two factors against the
 * stored verifiers, the lockout, and the SAD token that binds signer, credential and hashes.
 * The registry port's preconditions (acsl/ports/qscd_ports.h) are the authorisation theorem:
 * no SAD is recorded unless both factors verified here for a signer who was not locked.
 */
#include "sam.h"

#include "otp.h"
#include "qscd_mem.h"
#include "sam_event.h"
#include "sic.h"

/*@ ghost int sam_g_pin_ok = 0; */
/*@ ghost int sam_g_possession_ok = 0; */
/*@ ghost int sam_g_locked_read = 1; */
/*@ ghost uint32_t sam_g_failures_read = 0; */
/*@ ghost uint32_t sam_g_failures_written = 0; */
/*@ ghost int sam_g_locked_written = 0; */
/*@ ghost int sam_g_issued = 0; */

/* The request's shape, before any secret is looked at. */
/*@ requires sam_authz_req_ok(req);
    requires sam_config_ok(cfg);
    terminates \true;
    assigns \nothing;
    ensures \result == QSCD_OK ==> req->actor.role == SAM_ROLE_SIGNER;
    ensures CSC_11_6_scal2_hashes: \result == QSCD_OK ==> 1 <= req->nhashes <= QSCD_MAX_HASHES;
    ensures SRG_KM_1_2_hash: \result == QSCD_OK ==> qscd_hash_ok(req->hash_alg);
    ensures CSC_11_6_numsig_invalid: \result == QSCD_OK ==> req->num_signatures >= 1;
    ensures \result == QSCD_OK ==> req->pin_len <= SAM_PIN_MAX && req->otp_len <= SAM_OTP_MAX &&
                                   req->assertion_len <= SAM_ASSERTION_MAX;
    ensures SRA_SKM_2_7_role_first: req->actor.role != SAM_ROLE_SIGNER ==> \result != QSCD_OK;
*/
static int authz_precheck(const sam_authz_req *req, const sam_config *cfg)
{
    int rc = QSCD_OK;

    if (!sam_role_allows(req->actor.role, SAM_OP_AUTHORIZE))
        rc = QSCD_ERR_ROLE_DENIED;
    else if (req->num_signatures < 1)
        rc = QSCD_ERR_NUMSIG_INVALID;
    else if (req->nhashes < 1 || req->nhashes > QSCD_MAX_HASHES)
        rc = QSCD_ERR_HASH_COUNT;
    else if (qscd_hash_digest_len(req->hash_alg) == 0)
        rc = QSCD_ERR_HASH_ALG;
    else if (req->pin_len > SAM_PIN_MAX || req->otp_len > SAM_OTP_MAX ||
             req->assertion_len > SAM_ASSERTION_MAX)
        rc = QSCD_ERR_LIMIT;
    (void)cfg;
    return rc;
}

/* The signer and the credential: the credential is the signer's, usable now, and allows as
 * many signatures as asked. An unknown signer and another signer's credential give the same
 * answers as a wrong factor or an unknown credential: nothing is learnt by probing. */
/*@ requires sam_authz_req_ok(req);
    requires 0 <= now <= 0x7fffffff00;
    requires \valid(signer) && \valid(cred);
    requires \separated(signer, cred, req);
    terminates \true;
    assigns *signer, *cred, sam_g_failures_read, sam_g_locked_read;
    ensures \result == QSCD_OK ==> sam_signer_ok(signer) && sam_cred_ok(cred);
    ensures SRC_SA_2_2_locked_refused: \result == QSCD_OK ==> sam_g_locked_read == 0 &&
                                                            signer->locked == 0;
    ensures \result == QSCD_OK ==> sam_g_failures_read == signer->failures;
    ensures SRC_SA_1_4_own_credential: \result == QSCD_OK ==> qscd_id_eq(&cred->owner, &signer->id);
    ensures \result == QSCD_OK ==> qscd_id_eq(&signer->id, &req->actor.id);
    ensures \result == QSCD_OK ==> qscd_id_eq(&cred->id, &req->cred);
    ensures CSC_11_6_credential_disabled: \result == QSCD_OK ==> cred->enabled == 1;
    ensures SIG_6_3_1_08_certificate: \result == QSCD_OK ==> cred->has_cert == 1 &&
        cred->cert_revoked == 0 && cred->cert_not_before <= now <= cred->cert_not_after;
    ensures CSC_11_6_numsig_too_high: \result == QSCD_OK ==> req->num_signatures <= cred->multisign;
*/
static int authz_subject(qscd_ports *p, const sam_authz_req *req, int64_t now,
                         sam_signer *signer, sam_cred *cred)
{
    int rc = qscd_port_signer_get(p, &req->actor.id, signer);

    if (rc == QSCD_ERR_SIGNER_NOT_FOUND)
        rc = QSCD_ERR_AUTH_FAILED;
    if (rc == QSCD_OK && signer->locked != 0)
        rc = QSCD_ERR_AUTH_LOCKED;
    else if (rc == QSCD_OK && signer->enabled != 1)
        rc = QSCD_ERR_SIGNER_DISABLED;
    if (rc == QSCD_OK)
        rc = qscd_port_cred_get(p, &req->cred, cred);
    if (rc == QSCD_OK && !qscd_id_equal(&cred->owner, &signer->id))
        rc = QSCD_ERR_CRED_NOT_FOUND;
    else if (rc == QSCD_OK && cred->enabled != 1)
        rc = QSCD_ERR_CRED_DISABLED;
    else if (rc == QSCD_OK && cred->has_cert != 1)
        rc = QSCD_ERR_CERT_MISSING;
    else if (rc == QSCD_OK && cred->cert_revoked != 0)
        rc = QSCD_ERR_CERT_REVOKED;
    else if (rc == QSCD_OK && now < cred->cert_not_before)
        rc = QSCD_ERR_CERT_NOT_YET_VALID;
    else if (rc == QSCD_OK && now > cred->cert_not_after)
        rc = QSCD_ERR_CERT_EXPIRED;
    else if (rc == QSCD_OK && req->num_signatures > cred->multisign)
        rc = QSCD_ERR_NUMSIG_TOO_HIGH;
    return rc;
}

/* Knowledge factor: the presented PIN's verifier against the stored one, in constant time. */
/*@ requires sam_authz_req_ok(req) && sam_signer_ok(signer);
    requires req->pin_len <= SAM_PIN_MAX;
    requires \valid(ok) && \separated(ok, req, signer);
    terminates \true;
    assigns *ok, sam_g_pin_ok;
    ensures *ok == 0 || *ok == 1;
    ensures SRA_SAP_2_4_pin: *ok == 1 ==> \result == QSCD_OK && sam_g_pin_ok == 1 &&
                                          signer->has_pin == 1;
    ensures *ok == 0 ==> sam_g_pin_ok == \old(sam_g_pin_ok);
*/
static int authz_pin(qscd_ports *p, const sam_authz_req *req, const sam_signer *signer, int *ok)
{
    uint8_t v[32];
    int rc = qscd_port_pin_derive(p, &signer->id, req->pin, req->pin_len, v);

    *ok = 0;
    if (rc == QSCD_OK && qscd_ct_equal(v, signer->pin_verifier, sizeof v) == 1 &&
        signer->has_pin == 1) {
        *ok = 1;
        /*@ ghost sam_g_pin_ok = 1; */
    }
    qscd_wipe(v, sizeof v);
    return rc;
}

/* One TOTP candidate: the code for counter c, compared in constant time with the one typed. */
/*@ requires sam_authz_req_ok(req) && sam_signer_ok(signer);
    requires 6 <= digits <= OTP_MAX_DIGITS && req->otp_len <= SAM_OTP_MAX;
    requires \valid(eq) && \separated(eq, req, signer);
    terminates \true;
    assigns *eq;
    ensures *eq == 0 || *eq == 1;
    ensures *eq == 1 ==> \result == QSCD_OK && req->otp_len == digits;
*/
static int totp_candidate(qscd_ports *p, const sam_authz_req *req, const sam_signer *signer,
                          uint64_t c, uint32_t digits, int *eq)
{
    uint8_t mac[OTP_MAC_LEN];
    uint8_t code[OTP_MAX_DIGITS] = { 0 };
    int rc = qscd_port_otp_mac(p, &signer->id, c, mac);

    *eq = 0;
    if (rc == QSCD_OK) {
        otp_format(otp_truncate(mac, digits), digits, code);
        if (qscd_ct_equal(code, req->otp, digits) == 1 && req->otp_len == digits)
            *eq = 1;
    }
    qscd_wipe(mac, sizeof mac);
    qscd_wipe(code, sizeof code);
    return rc;
}

/* Possession factor, TOTP (RFC 6238): the code of the current time step or of one step
 * either side, each counter accepted once: it must be above the last one accepted. All three
 * candidates are always computed; a port failure decides nothing. */
/*@ requires sam_config_ok(cfg) && sam_authz_req_ok(req) && sam_signer_ok(signer);
    requires 0 <= now <= 0x7fffffff00 && req->otp_len <= SAM_OTP_MAX;
    requires \valid(ok) && \valid(counter) && \separated(ok, counter, req, signer, cfg);
    terminates \true;
    assigns *ok, *counter, sam_g_possession_ok;
    ensures *ok == 0 || *ok == 1;
    ensures SRA_SAP_1_4_otp_once: *ok == 1 ==> \result == QSCD_OK &&
        *counter > signer->otp_last_counter && sam_g_possession_ok == 1;
    ensures *ok == 0 ==> sam_g_possession_ok == \old(sam_g_possession_ok);
*/
static int authz_totp(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                      const sam_signer *signer, int64_t now, int *ok, uint64_t *counter)
{
    /* Counters step - 1, step, step + 1, kept as step + d - 1 with d = 0..2. */
    uint64_t step = (uint64_t)now / (uint64_t)cfg->otp_step;
    uint64_t best = 0;
    int found = 0;
    int rc = QSCD_OK;
    uint64_t d;

    /*@ loop invariant 0 <= d <= 3;
        loop invariant found == 0 || found == 1;
        loop invariant found == 1 ==> best > signer->otp_last_counter;
        loop assigns d, rc, found, best;
        loop variant 3 - d;
    */
    for (d = 0; d < 3; d++) {
        int eq = 0;
        int r;

        if (step + d == 0)
            continue;
        r = totp_candidate(p, req, signer, step + d - 1, cfg->otp_digits, &eq);
        if (r != QSCD_OK)
            rc = r;
        if (eq == 1 && step + d - 1 > signer->otp_last_counter) {
            found = 1;
            best = step + d - 1;
        }
    }
    *ok = 0;
    *counter = 0;
    if (rc == QSCD_OK && found == 1) {
        *ok = 1;
        *counter = best;
        /*@ ghost sam_g_possession_ok = 1; */
    }
    return rc;
}

/* Possession factor of the credential's one SAP mechanism (SRA_SKM.1.7): TOTP or the SIC
 * assertion, never the other one, nothing for a credential bound to neither. */
/*@ requires sam_config_ok(cfg) && sam_authz_req_ok(req) && sam_signer_ok(signer);
    requires \valid_read(cred);
    requires 0 <= now <= 0x7fffffff00 && req->otp_len <= SAM_OTP_MAX;
    requires \valid(ok) && \valid(counter) && \separated(ok, counter, req, signer, cfg, cred);
    terminates \true;
    assigns *ok, *counter, sam_g_possession_ok;
    ensures *ok == 0 || *ok == 1;
    ensures SRA_SAP_2_4_possession: *ok == 1 ==> \result == QSCD_OK && sam_g_possession_ok == 1;
    ensures SRA_SKM_1_7_one_mechanism: *ok == 1 ==> cred->sap == SAM_SAP_TOTP || cred->sap == SAM_SAP_SIC;
    ensures *ok == 0 ==> sam_g_possession_ok == \old(sam_g_possession_ok);
*/
static int authz_possession(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                            const sam_signer *signer, const sam_cred *cred, int64_t now,
                            int *ok, uint64_t *counter)
{
    int rc = QSCD_OK;

    *counter = signer->otp_last_counter;
    if (cred->sap == SAM_SAP_TOTP) {
        rc = authz_totp(p, cfg, req, signer, now, ok, counter);
    } else if (cred->sap == SAM_SAP_SIC) {
        rc = sic_assertion_check(p, cfg, req, signer, now, ok);
    } else {
        *ok = 0;
    }
    return rc;
}

/* Both factors, always both: which one failed is never visible in the answer or its timing
 * beyond what the ports cost. */
/*@ requires sam_config_ok(cfg) && sam_authz_req_ok(req) && sam_signer_ok(signer);
    requires \valid_read(cred);
    requires 0 <= now <= 0x7fffffff00;
    requires req->pin_len <= SAM_PIN_MAX && req->otp_len <= SAM_OTP_MAX;
    requires \valid(ok) && \valid(counter) && \separated(ok, counter, req, signer, cfg, cred);
    requires sam_g_pin_ok == 0 && sam_g_possession_ok == 0;
    terminates \true;
    assigns *ok, *counter, sam_g_pin_ok, sam_g_possession_ok;
    ensures *ok == 0 || *ok == 1;
    ensures SRA_SAP_2_4_two_factors: *ok == 1 ==> \result == QSCD_OK &&
        sam_g_pin_ok == 1 && sam_g_possession_ok == 1;
*/
static int authz_factors(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                         const sam_signer *signer, const sam_cred *cred, int64_t now,
                         int *ok, uint64_t *counter)
{
    int pin_ok = 0, poss_ok = 0;
    int rc1 = authz_pin(p, req, signer, &pin_ok);
    int rc2 = authz_possession(p, cfg, req, signer, cred, now, &poss_ok, counter);

    *ok = (rc1 == QSCD_OK && rc2 == QSCD_OK && pin_ok == 1 && poss_ok == 1) ? 1 : 0;
    return rc1 != QSCD_OK ? rc1 : rc2;
}

/* The lockout rule (EN 419 241-1 SRC_SA.2, SRG_IA.2.1): a success clears the failure count,
 * a failure adds one (saturating) and locks at the limit. Unlocking is a security officer's
 * operation, never a side effect of time or of a success. */
void sam_lockout_next(uint32_t failures, uint32_t limit, int ok, uint32_t *next, int *locked)
{
    if (ok == 1) {
        *next = 0;
        *locked = 0;
    } else {
        *next = failures < 0xffffffffu ? failures + 1u : failures;
        *locked = *next >= limit ? 1 : 0;
    }
}

/* Record the outcome of the factors in the signer's durable state, then answer. A store
 * failure refuses the authorisation: an attempt that cannot be counted is not allowed. */
/*@ requires sam_config_ok(cfg) && sam_signer_ok(signer);
    requires ok == 0 || ok == 1;
    terminates \true;
    assigns sam_g_failures_written, sam_g_locked_written;
    ensures \result == QSCD_OK ==> ok == 1;
    ensures ok != 1 ==> \result != QSCD_OK;
    ensures SRC_SA_2_1_failure_counted: ok != 1 ==> sam_g_failures_written ==
        (signer->failures < 0xffffffff ? signer->failures + 1 : signer->failures);
    ensures SRC_SA_2_2_locked_at_limit: ok != 1 ==>
        (sam_g_locked_written == 1 <==> sam_g_failures_written >= cfg->lockout_limit);
*/
static int authz_record(qscd_ports *p, const sam_config *cfg, const sam_signer *signer, int ok,
                        uint64_t counter)
{
    uint32_t next = 0;
    int locked = 0;
    int rc;

    sam_lockout_next(signer->failures, cfg->lockout_limit, ok, &next, &locked);
    rc = qscd_port_signer_update(p, &signer->id, next, locked,
                                 ok == 1 ? counter : signer->otp_last_counter);
    if (rc == QSCD_OK && ok != 1)
        rc = QSCD_ERR_AUTH_FAILED;
    return rc;
}

/* The claims of the new token: this signer, this credential, these hashes (SRA_SAP.2.3). */
/*@ requires sam_config_ok(cfg) && sam_authz_req_ok(req);
    requires 1 <= req->nhashes <= QSCD_MAX_HASHES && qscd_hash_ok(req->hash_alg);
    requires req->num_signatures >= 1;
    requires 0 <= now <= 0x7fffffff00;
    requires \valid(c) && \separated(c, req, cfg);
    terminates \true;
    assigns *c;
    ensures sad_claims_ok(c);
    ensures SRA_SAP_2_3_signer_bound: qscd_id_eq(&c->signer, &req->actor.id);
    ensures SRA_SAP_2_3_key_bound: qscd_id_eq(&c->credential, &req->cred);
    ensures SRA_SAP_2_3_dtbsr_bound: c->hash_alg == req->hash_alg && c->nhashes == req->nhashes &&
        (\forall integer k; 0 <= k < QSCD_MAX_HASHES * QSCD_MAX_DIGEST ==> c->hashes[k] == req->hashes[k]);
    ensures CSC_11_9_count_bound: c->num_signatures == req->num_signatures;
    ensures c->iat == now && c->exp == now + cfg->token_ttl;
*/
static void authz_claims(const sam_config *cfg, const sam_authz_req *req, int64_t now,
                         sad_claims *c)
{
    c->version = SAD_VERSION;
    qscd_id_copy(&c->signer, &req->actor.id);
    qscd_id_copy(&c->credential, &req->cred);
    /*@ assert ids_kept_0: qscd_id_eq(&c->signer, &req->actor.id); */
    c->audience_len = cfg->audience_len;
    qscd_wipe(c->audience, QSCD_AUDIENCE_MAX);
    qscd_copy(c->audience, cfg->audience, cfg->audience_len);
    /*@ assert ids_kept_1: qscd_id_eq(&c->signer, &req->actor.id) &&
                           qscd_id_eq(&c->credential, &req->cred); */
    c->hash_alg = req->hash_alg;
    c->nhashes = (uint32_t)req->nhashes;
    qscd_copy(c->hashes, req->hashes, sizeof c->hashes);
    /*@ assert ids_kept_2: qscd_id_eq(&c->signer, &req->actor.id) &&
                           qscd_id_eq(&c->credential, &req->cred); */
    c->num_signatures = req->num_signatures;
    c->iat = now;
    c->exp = now + cfg->token_ttl;
    c->scal = SAD_SCAL;
}

/* Make the token and record it: a fresh id from the HSM's RNG, the claims, the MAC, and the
 * registry entry, durable before the token is handed out. */
/*@ requires sam_config_ok(cfg) && sam_authz_req_ok(req);
    requires 1 <= req->nhashes <= QSCD_MAX_HASHES && qscd_hash_ok(req->hash_alg);
    requires req->num_signatures >= 1;
    requires 0 <= now <= 0x7fffffff00;
    requires \valid(c) && \valid(out) && \separated(c, out, req, cfg);
    requires sam_g_pin_ok == 1 && sam_g_possession_ok == 1 && sam_g_locked_read == 0;
    terminates \true;
    assigns *c, *out, sam_g_issued;
    ensures \result == QSCD_OK ==> 0 < out->token_len <= SAD_TOKEN_MAX && sam_g_issued == 1;
*/
static int authz_issue(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                       int64_t now, sad_claims *c, sam_authz_out *out)
{
    int rc;

    authz_claims(cfg, req, now, c);
    rc = qscd_port_random(p, c->token_id, QSCD_TOKEN_ID_LEN);
    if (rc == QSCD_OK)
        rc = sad_token_issue(p, c, out->token, SAD_TOKEN_MAX, &out->token_len);
    if (rc == QSCD_OK)
        rc = qscd_port_registry_create(p, c->token_id, c->num_signatures, c->exp);
    if (rc == QSCD_OK)
        out->expires_in = cfg->token_ttl;
    return rc;
}

/* The trusted time, into a value the rest of the function cannot alias. */
/*@ requires \valid(now);
    terminates \true;
    assigns *now, sam_g_now;
    ensures \result == QSCD_OK ==> *now == sam_g_now && 0 <= *now <= 0x7fffffff00;
*/
static int authz_clock(qscd_ports *p, int64_t *now)
{
    return qscd_port_now(p, now);
}

int sam_authorize(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                  sam_authz_out *out)
{
    sam_signer signer;
    sam_cred cred;
    /* Zeroed here as well as wiped: EVA then knows every byte initialised (the wipe's loop
     * over the hash list is too long for it to follow byte by byte). */
    sad_claims claims = { 0 };
    sam_event ev;
    int64_t clock = 0, now = 0;
    uint64_t counter = 0;
    int ok = 0;
    int rc, arc;

    /*@ ghost sam_g_pin_ok = 0; sam_g_possession_ok = 0; sam_g_locked_read = 1;
              sam_g_issued = 0; sam_g_audits = 0; */
    sam_token_out_clear(out);
    sad_claims_wipe(&claims);
    rc = authz_precheck(req, cfg);
    if (rc == QSCD_OK)
        rc = authz_clock(p, &clock);
    now = clock;
    if (rc == QSCD_OK)
        rc = authz_subject(p, req, now, &signer, &cred);
    if (rc == QSCD_OK) {
        rc = authz_factors(p, cfg, req, &signer, &cred, now, &ok, &counter);
        if (rc == QSCD_OK)
            rc = authz_record(p, cfg, &signer, ok, counter);
    }
    if (rc == QSCD_OK)
        rc = authz_issue(p, cfg, req, now, &claims, out);

    /* One audit event, on every path (SRG_AA.1): the token's id, never the token. */
    sam_event_begin(&ev, SAM_OP_AUTHORIZE, &req->actor, &req->cred);
    ev.time = now;
    ev.outcome = rc;
    if (rc == QSCD_OK) {
        sam_event_token(&ev, &claims);
        sam_event_hashes(&ev, req->hash_alg, req->num_signatures, req->hashes);
    }
    arc = qscd_port_audit(p, &ev);
    if (rc == QSCD_OK && arc != QSCD_OK)
        rc = arc;
    if (rc != QSCD_OK)
        sam_token_out_clear(out);
    sad_claims_wipe(&claims);
    return rc;
}
