/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM's decisions: the entry points behind credentials/authorize, signatures/signHash and
 * credentials/extendTransaction.
 * Each one asks the role table first, checks everything DESIGN §3 lists, reaches the HSM
 * only through the ports (acsl/ports/qscd_ports.h), and writes exactly one audit event on
 * every path, success or failure.
 */
#ifndef SAM_H
#define SAM_H

#include <stddef.h>
#include <stdint.h>

#include "qscd_ports.h"
#include "qscd_types.h"
#include "sad.h"
#include "sam_types.h"

/*@ predicate sam_sign_req_ok(sam_sign_req *r) =
        \valid_read(r) &&
        \valid_read(r->token + (0 .. r->token_len - 1)) &&
        qscd_id_ok(&r->actor.id) && qscd_id_ok(&r->cred);
*/

/* signatures/signHash: check the SAD token and the request, consume the signatures from the
 * token's registry entry, then sign every hash in order.
 *
 *   QSCD_OK                    out holds one signature per hash, in the request's order
 *   QSCD_ERR_ROLE_DENIED       the session's role may not sign (SRA_SKM.2.7)
 *   QSCD_ERR_HASH_COUNT        no hash, or more than QSCD_MAX_HASHES
 *   QSCD_ERR_HASH_ALG          hash algorithm not allowed (SHA-1 and unknown ones)
 *   QSCD_ERR_SAD_*             token malformed, MAC wrong, expired, issued in the future,
 *                              for another audience, credential or signer, hash not listed,
 *                              other hash algorithm, signatures exhausted or too few left
 *   QSCD_ERR_CRED_*, CERT_*    credential missing or disabled; certificate missing, expired,
 *                              not yet valid or revoked
 *   QSCD_ERR_SIGN_ALG          signature algorithm does not fit the key
 *   QSCD_ERR_CLOCK             the trusted clock failed
 *   QSCD_ERR_AUDIT_WRITE       the audit record could not be made durable: no signature is
 *                              returned
 *   other                      the sign port's error (out holds nothing)
 * On every error out->nsigs is 0 and no signature bytes are left in out.
 */
/*@ requires sam_config_ok(cfg);
    requires sam_sign_req_ok(req);
    requires \valid(out);
    requires \separated(out, req, cfg);
    requires \separated(out, req->token + (0 .. req->token_len - 1));
    terminates \true;
    assigns *out, sam_g_verified, sam_g_now, sam_g_consumed, sam_g_signed, sam_g_audits;
    ensures SRG_AA_1_one_event: sam_g_audits == 1;
    ensures SOLE_CONTROL_within_grant: 0 <= sam_g_signed <= sam_g_consumed;
    ensures CSC_11_9_count: \result == QSCD_OK ==> sam_g_signed == req->nhashes &&
                                                   out->nsigs == req->nhashes;
    ensures SRA_SKM_2_7_no_privileged_signing:
        req->actor.role != SAM_ROLE_SIGNER ==> sam_g_signed == 0 && \result != QSCD_OK;
    ensures nothing_on_error: \result != QSCD_OK ==> out->nsigs == 0;
*/
int sam_signhash(qscd_ports *p, const sam_config *cfg, const sam_sign_req *req,
                 sam_sign_out *out);

/* credentials/extendTransaction: check the SAD token against the request exactly as
 * signHash does (spec/sap.md, checks 1 to 15; the signature algorithm is not read), check
 * that its registry entry has signatures left, and issue the same grant again (same token id,
 * signer, credential, audience, hashes, number of signatures and issue time) with a new
 * expiry: now + token_ttl, but never later than token_max_life after the first issue.
 * Extending grants no signature more: the registry's count belongs to the token id.
 *
 *   QSCD_OK                    out holds the new token and its lifetime
 *   QSCD_ERR_ROLE_DENIED       the session's role may not extend (SRA_SKM.2.7)
 *   QSCD_ERR_HASH_COUNT        no hash, or more than QSCD_MAX_HASHES
 *   QSCD_ERR_HASH_ALG          hash algorithm not allowed
 *   QSCD_ERR_CRED_NOT_FOUND    no such credential
 *   QSCD_ERR_NOT_OWNER         the credential is no longer the token's signer's
 *   QSCD_ERR_SAD_*             as at signHash; QSCD_ERR_SAD_EXPIRED also when the cap on
 *                              the total life leaves no time; QSCD_ERR_SAD_EXHAUSTED every
 *                              signature used; QSCD_ERR_SAD_UNKNOWN no registry entry
 *   QSCD_ERR_CLOCK             the trusted clock failed
 *   QSCD_ERR_AUDIT_WRITE       the audit record could not be made durable: no token
 *   other                      a port's error (MAC, store)
 * On every error out holds no token byte.
 */
/*@ requires sam_config_ok(cfg);
    requires sam_sign_req_ok(req);
    requires \valid(out);
    requires \separated(out, req, cfg);
    requires \separated(out, req->token + (0 .. req->token_len - 1));
    terminates \true;
    assigns *out, sam_g_verified, sam_g_now, sam_g_extended, sam_g_audits;
    ensures SRG_AA_1_one_event: sam_g_audits == 1;
    ensures SRA_SKM_2_7_no_privileged_extension:
        req->actor.role != SAM_ROLE_SIGNER ==> \result != QSCD_OK && sam_g_extended == 0;
    ensures CSC_11_9_registry_checked: \result == QSCD_OK ==> sam_g_extended == 1;
    ensures \result == QSCD_OK ==> 0 < out->token_len <= SAD_TOKEN_MAX;
    ensures no_token_on_error: \result != QSCD_OK ==> out->token_len == 0;
*/
int sam_extend(qscd_ports *p, const sam_config *cfg, const sam_sign_req *req,
               sam_authz_out *out);

/*@ predicate sam_authz_ok_args(sam_config *cfg, sam_authz_req *req, sam_authz_out *out) =
        sam_config_ok(cfg) && sam_authz_req_ok(req) && \valid(out) &&
        \separated(out, req, cfg);
*/

/* credentials/authorize: authenticate the signer with both factors of the credential's SAP
 * mechanism and, on success, issue a SAD token bound to the signer, the credential, the
 * hashes and the number of signatures.
 *
 *   QSCD_OK                    out holds the token and its lifetime
 *   QSCD_ERR_ROLE_DENIED       the session's role may not authorise (SRA_SKM.2.7)
 *   QSCD_ERR_NUMSIG_INVALID    numSignatures below 1
 *   QSCD_ERR_HASH_COUNT        no hash, or more than QSCD_MAX_HASHES
 *   QSCD_ERR_HASH_ALG          hash algorithm not allowed
 *   QSCD_ERR_LIMIT             PIN, OTP or assertion longer than allowed
 *   QSCD_ERR_AUTH_FAILED       a factor is wrong, or the signer is unknown (one answer for all)
 *   QSCD_ERR_AUTH_LOCKED       the signer is locked until a security officer unlocks
 *   QSCD_ERR_SIGNER_DISABLED   the signer is disabled
 *   QSCD_ERR_CRED_NOT_FOUND    no such credential for this signer
 *   QSCD_ERR_CRED_DISABLED, QSCD_ERR_CERT_*   credential or certificate not usable now
 *   QSCD_ERR_NUMSIG_TOO_HIGH   numSignatures above the credential's multisign
 *   QSCD_ERR_AUDIT_WRITE       the audit record could not be made durable: no token
 *   other                      a port's error (clock, store, HSM)
 * On every error out holds no token byte.
 */
/*@ requires sam_config_ok(cfg);
    requires sam_authz_req_ok(req);
    requires \valid(out);
    requires \separated(out, req, cfg);
    terminates \true;
    assigns *out, sam_g_now, sam_g_pin_ok, sam_g_possession_ok, sam_g_locked_read,
            sam_g_failures_read, sam_g_failures_written, sam_g_locked_written,
            sam_g_issued, sam_g_audits;
    ensures SRG_AA_1_one_event: sam_g_audits == 1;
    ensures SRA_SAP_2_4_authenticated: \result == QSCD_OK ==>
        sam_g_pin_ok == 1 && sam_g_possession_ok == 1 && sam_g_issued == 1;
    ensures SRC_SA_2_2_not_locked: \result == QSCD_OK ==> sam_g_locked_read == 0;
    ensures SRA_SKM_2_7_no_privileged_authorisation:
        req->actor.role != SAM_ROLE_SIGNER ==> \result != QSCD_OK && sam_g_issued == 0;
    ensures \result == QSCD_OK ==> 0 < out->token_len <= SAD_TOKEN_MAX;
    ensures no_token_on_error: \result != QSCD_OK ==> out->token_len == 0;
*/
int sam_authorize(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                  sam_authz_out *out);

/* The lockout rule (see sam_authz.c): next failure count and lock state after an attempt. */
/*@ requires 1 <= limit;
    requires \valid(next) && \valid(locked) && \separated(next, locked);
    terminates \true;
    assigns *next, *locked;
    ensures SRC_SA_2_1_reset: ok == 1 ==> *next == 0 && *locked == 0;
    ensures SRC_SA_2_1_counted: ok != 1 ==>
        *next == (failures < 0xffffffff ? failures + 1 : failures);
    ensures SRC_SA_2_2_lock_at_limit: ok != 1 ==> (*locked == 1 <==> *next >= limit);
    ensures *locked == 0 || *locked == 1;
*/
void sam_lockout_next(uint32_t failures, uint32_t limit, int ok, uint32_t *next, int *locked);

#endif
