/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ports: every effect the verified core has on the world goes through one of these
 * functions. The core declares them; a shell defines them (src/sam/ for the running SAM, the
 * tests their own), usually by calling through a struct of function pointers it keeps behind
 * the opaque qscd_ports. Their contracts below are ASSUMED by the proof, not proved: together
 * they are the trusted base of the core (spec/trusted-base.md, T-PORT-*).
 *
 * Ghost state (per invocation of an entry point; it exists only in the proof):
 *   sam_g_verified  the claims filled by the last successful SAD verification, or NULL
 *   sam_g_now       the last time the trusted clock gave
 *   sam_g_consumed  signatures the SAD registry granted in this invocation
 *   sam_g_signed    calls of the sign port in this invocation
 *   sam_g_audits    audit events written in this invocation
 *   sam_g_extended  the registry entry of the verified token was extended in this invocation
 * The sign port's preconditions are the sole-control theorem: WP proves them at every call.
 */
#ifndef QSCD_PORTS_H
#define QSCD_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "qscd_err.h"
#include "qscd_types.h"
#include "sad.h"
#include "sam_roles.h"
#include "sam_types.h"

typedef struct qscd_ports qscd_ports;

/* Bound on sam_config.clock_skew (sam_config_ok), used by the sign port's contract. */
#define SAM_MAX_SKEW 300

/*@ ghost extern sad_claims *sam_g_verified; */
/*@ ghost extern int64_t sam_g_now; */
/*@ ghost extern int sam_g_consumed; */
/*@ ghost extern int sam_g_signed; */
/*@ ghost extern int sam_g_audits; */
/*@ ghost extern int sam_g_pin_ok; */
/*@ ghost extern int sam_g_possession_ok; */
/*@ ghost extern int sam_g_locked_read; */
/*@ ghost extern uint32_t sam_g_failures_read; */
/*@ ghost extern uint32_t sam_g_failures_written; */
/*@ ghost extern int sam_g_locked_written; */
/*@ ghost extern int sam_g_issued; */
/*@ ghost extern int sam_g_extended; */

/* T-PORT-CLOCK: the trusted clock, seconds since the epoch, UTC (EN 419 241-1 SRG_SO.2). */
/*@ requires \valid(now);
    terminates \true;
    assigns *now, sam_g_now;
    ensures \result == QSCD_OK || \result == QSCD_ERR_CLOCK;
    ensures \result == QSCD_OK ==> sam_g_now == *now && 0 <= *now <= 0x7fffffff00;
    ensures \result != QSCD_OK ==> sam_g_now == \old(sam_g_now);
*/
int qscd_port_now(qscd_ports *p, int64_t *now);

/* T-PORT-MAC: HMAC-SHA-256 of data under the SAD token key, a non-extractable secret in the
 * HSM. The core compares the result with the token's tag itself, in constant time. */
/*@ requires \valid_read(data + (0 .. len - 1));
    requires \valid(tag + (0 .. 31));
    terminates \true;
    assigns tag[0 .. 31];
*/
int qscd_port_token_mac(qscd_ports *p, const uint8_t *data, size_t len, uint8_t *tag);

/* T-PORT-CRED: the stored credential with this id (QSCD_ERR_CRED_NOT_FOUND when none). */
/*@ requires qscd_id_ok(id);
    requires \valid(out);
    requires \separated(id, out);
    terminates \true;
    assigns *out;
    ensures \result == QSCD_OK ==> sam_cred_ok(out) && qscd_id_eq(&out->id, id);
*/
int qscd_port_cred_get(qscd_ports *p, const qscd_id *id, sam_cred *out);

/* T-PORT-REGISTRY: atomically and durably add n to the signatures used under token_id, if
 * the sum stays within max; a crash after it returns never loses the update.
 *
 *   QSCD_OK                 granted; the count is durable
 *   QSCD_ERR_SAD_UNKNOWN    no such token in the registry
 *   QSCD_ERR_SAD_EXHAUSTED  every signature already used
 *   QSCD_ERR_SAD_COUNT      fewer left than n
 */
/*@ requires \valid_read(token_id + (0 .. QSCD_TOKEN_ID_LEN - 1));
    requires 1 <= n <= max && n <= QSCD_MAX_HASHES;
    requires 0 <= sam_g_consumed <= QSCD_MAX_HASHES;
    terminates \true;
    assigns sam_g_consumed;
    ensures \result == QSCD_OK ==> sam_g_consumed == \old(sam_g_consumed) + n;
    ensures \result != QSCD_OK ==> sam_g_consumed == \old(sam_g_consumed);
*/
int qscd_port_registry_consume(qscd_ports *p, const uint8_t *token_id, uint32_t n, uint32_t max);

/* T-PORT-SIGN: sign the i-th digest of req with cred's key in the HSM (context-specific login
 * for each signature), writing at most cap bytes.
 *
 * Its preconditions are THE SOLE-CONTROL THEOREM (spec/trusted-base.md): WP proves that every
 * call in the core satisfies them. The signature is made only when
 *   - authz holds the claims of a SAD token whose MAC was verified in this invocation,
 *   - the token is not expired at the trusted time, and not issued in the future,
 *   - the key is the token's credential, owned by the token's signer, who is the requester,
 *   - the digest is one the token lists, of the token's hash algorithm and length,
 *   - the registry granted more signatures in this invocation than were made so far,
 *   - the credential is enabled and its certificate valid at that time, not revoked,
 *   - the signature algorithm fits the key;
 * and each call counts one more signature.
 */
/*@ requires \valid_read(req) && \valid_read(cred);
    requires SOLE_CONTROL_verified: authz == sam_g_verified && sad_claims_ok(authz);
    requires SOLE_CONTROL_unexpired:
        sam_g_now < authz->exp && authz->iat <= sam_g_now + SAM_MAX_SKEW;
    requires SOLE_CONTROL_credential: qscd_id_eq(&cred->id, &authz->credential);
    requires SOLE_CONTROL_owner: qscd_id_eq(&cred->owner, &authz->signer);
    requires SOLE_CONTROL_requester:
        req->actor.role == SAM_ROLE_SIGNER && qscd_id_eq(&req->actor.id, &authz->signer);
    requires SOLE_CONTROL_hash:
        i < req->nhashes && req->hash_alg == authz->hash_alg &&
        sad_listed(authz, &req->hashes[i * QSCD_MAX_DIGEST], qscd_digest_len(authz->hash_alg));
    requires SOLE_CONTROL_count: 0 <= sam_g_signed < sam_g_consumed;
    requires SOLE_CONTROL_credential_usable:
        cred->enabled == 1 && cred->has_cert == 1 && cred->cert_revoked == 0 &&
        cred->cert_not_before <= sam_g_now <= cred->cert_not_after;
    requires SOLE_CONTROL_algorithm: sam_alg_fits(cred->key_alg, req->sign_alg);
    requires \valid(sig + (0 .. cap - 1)) && \valid(sig_len);
    terminates \true;
    assigns sig[0 .. cap - 1], *sig_len, sam_g_signed;
    ensures SOLE_CONTROL_consumes_one: sam_g_signed == \old(sam_g_signed) + 1;
    ensures \result == QSCD_OK ==> *sig_len <= cap;
*/
int qscd_port_sign(qscd_ports *p, const sam_sign_req *req, const sad_claims *authz,
                   const sam_cred *cred, size_t i, uint8_t *sig, size_t cap, size_t *sig_len);

/* T-PORT-SIGNER: the stored signer with this id (QSCD_ERR_SIGNER_NOT_FOUND when none). The
 * shell serialises authorisations per signer across this read and the update below, so the
 * failure count is never lost to a race. */
/*@ requires qscd_id_ok(id);
    requires \valid(out);
    requires \separated(id, out);
    terminates \true;
    assigns *out, sam_g_failures_read, sam_g_locked_read;
    ensures \result == QSCD_OK ==> sam_signer_ok(out) && qscd_id_eq(&out->id, id);
    ensures \result == QSCD_OK ==> sam_g_failures_read == out->failures &&
                                   sam_g_locked_read == out->locked;
*/
int qscd_port_signer_get(qscd_ports *p, const qscd_id *id, sam_signer *out);

/* T-PORT-SIGNER-UPDATE: durably store a signer's failure count, lock and last OTP counter. */
/*@ requires qscd_id_ok(id);
    terminates \true;
    assigns sam_g_failures_written, sam_g_locked_written;
    ensures sam_g_failures_written == failures && sam_g_locked_written == locked;
*/
int qscd_port_signer_update(qscd_ports *p, const qscd_id *id, uint32_t failures, int locked,
                            uint64_t otp_counter);

/* T-PORT-PIN: the signer's PIN verifier for a presented PIN (Argon2id with the signer's
 * salt and the configured cost), 32 bytes. The core compares it with the stored verifier. */
/*@ requires qscd_id_ok(signer);
    requires \valid_read(pin + (0 .. len - 1)) && len <= SAM_PIN_MAX;
    requires \valid(out + (0 .. 31));
    requires \separated(out + (0 .. 31), pin + (0 .. len - 1));
    terminates \true;
    assigns out[0 .. 31];
*/
int qscd_port_pin_derive(qscd_ports *p, const qscd_id *signer, const uint8_t *pin, size_t len,
                         uint8_t *out);

/* T-PORT-OTP: HMAC-SHA-1 of the 8-byte big-endian counter under the signer's TOTP seed, a
 * non-extractable secret in the HSM (RFC 4226 §5.2), 20 bytes. */
/*@ requires qscd_id_ok(signer);
    requires \valid(mac + (0 .. 19));
    terminates \true;
    assigns mac[0 .. 19];
*/
int qscd_port_otp_mac(qscd_ports *p, const qscd_id *signer, uint64_t counter, uint8_t *mac);

/* T-PORT-RANDOM: n bytes from the HSM's random number generator. */
/*@ requires \valid(buf + (0 .. n - 1));
    terminates \true;
    assigns buf[0 .. n - 1];
    ensures \result == QSCD_OK || \result == QSCD_ERR_RANDOM;
*/
int qscd_port_random(qscd_ports *p, uint8_t *buf, size_t n);

/* T-PORT-REGISTRY-CREATE: durably record a new SAD token: its id, the signatures it allows,
 * none used yet, and its expiry.
 *
 * Its preconditions are the authorisation theorem: a SAD exists only after both factors of
 * the credential's SAP verified in this invocation, for a signer who was not locked. */
/*@ requires \valid_read(token_id + (0 .. QSCD_TOKEN_ID_LEN - 1));
    requires SAP_TWO_FACTOR: sam_g_pin_ok == 1 && sam_g_possession_ok == 1;
    requires SAP_NOT_LOCKED: sam_g_locked_read == 0;
    requires 1 <= max;
    terminates \true;
    assigns sam_g_issued;
    ensures sam_g_issued == 1;
*/
int qscd_port_registry_create(qscd_ports *p, const uint8_t *token_id, uint32_t max, int64_t exp);

/* T-PORT-REGISTRY-EXTEND: atomically and durably, when the registry holds token_id with this
 * max and a signature left, move its expiry to exp (never earlier than it was); the count
 * is not touched, so an extended token grants nothing more.
 *
 *   QSCD_OK                 the entry has signatures left; it lives until exp at least
 *   QSCD_ERR_SAD_UNKNOWN    no such token in the registry
 *   QSCD_ERR_SAD_EXHAUSTED  every signature already used
 *
 * Its preconditions are the extension theorem: only the entry of a token whose MAC verified
 * in this invocation and that is unexpired at the trusted time is moved, with its own count,
 * to a later time within the bound on a token's total life. */
/*@ requires \valid_read(token_id + (0 .. QSCD_TOKEN_ID_LEN - 1));
    requires EXTEND_verified: sam_g_verified != \null && sad_claims_ok(sam_g_verified) &&
        token_id == &sam_g_verified->token_id[0] && max == sam_g_verified->num_signatures;
    requires EXTEND_unexpired: sam_g_now < sam_g_verified->exp;
    requires EXTEND_bounded: sam_g_now < exp <= sam_g_verified->iat + SAM_MAX_TOKEN_LIFE;
    terminates \true;
    assigns sam_g_extended;
    ensures \result == QSCD_OK ==> sam_g_extended == 1;
    ensures \result != QSCD_OK ==> sam_g_extended == \old(sam_g_extended);
*/
int qscd_port_registry_extend(qscd_ports *p, const uint8_t *token_id, uint32_t max, int64_t exp);

/* T-PORT-CHALLENGE: take (remove) a challenge the SAM issued to this signer, giving the time
 * it was issued. QSCD_ERR_NOT_FOUND when there is none: never issued, issued to another
 * signer, or already taken. Each challenge is taken at most once. */
/*@ requires qscd_id_ok(signer);
    requires \valid_read(challenge + (0 .. SAM_CHALLENGE_LEN - 1));
    requires \valid(issued_at);
    terminates \true;
    assigns *issued_at;
    ensures \result == QSCD_OK ==> 0 <= *issued_at <= 0x7fffffff00;
*/
int qscd_port_challenge_take(qscd_ports *p, const qscd_id *signer, const uint8_t *challenge,
                             int64_t *issued_at);

/* T-PORT-DEVICE: verify an ES256 signature (r || s, 64 bytes) over tbs with the device key
 * the signer enrolled. QSCD_OK when it verifies, QSCD_ERR_COSE_BAD_SIGNATURE when it does
 * not, another error when no key is enrolled or the check could not run. */
/*@ requires qscd_id_ok(signer);
    requires \valid_read(tbs + (0 .. tbs_len - 1));
    requires \valid_read(sig + (0 .. 63));
    terminates \true;
    assigns \nothing;
*/
int qscd_port_device_verify(qscd_ports *p, const qscd_id *signer, const uint8_t *tbs,
                            size_t tbs_len, const uint8_t *sig);

/* T-PORT-HASH: SHA-256 of a || b (the audit chain's link). */
/*@ requires \valid_read(a + (0 .. alen - 1)) && \valid_read(b + (0 .. blen - 1));
    requires \valid(out + (0 .. 31));
    terminates \true;
    assigns out[0 .. 31];
*/
int qscd_port_sha256(qscd_ports *p, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                     uint8_t *out);

/* T-PORT-SEAL: HMAC-SHA-256 of data under the audit seal key, a non-extractable secret in
 * the HSM, 32 bytes. */
/*@ requires \valid_read(data + (0 .. len - 1));
    requires \valid(out + (0 .. 31));
    terminates \true;
    assigns out[0 .. 31];
*/
int qscd_port_seal_mac(qscd_ports *p, const uint8_t *data, size_t len, uint8_t *out);

/* T-PORT-AUDIT: chain and store one audit event durably (the shell computes the hash link
 * and seals). Returns QSCD_ERR_AUDIT_WRITE when the record could not be made durable. */
/*@ requires \valid_read(ev);
    requires 0 <= sam_g_audits < 1000;
    terminates \true;
    assigns sam_g_audits;
    ensures sam_g_audits == \old(sam_g_audits) + 1;
    ensures \result == QSCD_OK || \result == QSCD_ERR_AUDIT_WRITE;
*/
int qscd_port_audit(qscd_ports *p, const sam_event *ev);

#endif
