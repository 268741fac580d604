/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers the SAM entry points share: filling the one audit event every path writes,
 * clearing outputs on failure, and the key/signature-algorithm compatibility rule.
 */
#ifndef SAM_EVENT_H
#define SAM_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "qscd_types.h"
#include "sad.h"
#include "sam_types.h"

/* Start an event: everything zero, then the operation, the actor and the credential (when
 * the operation names one; cred may be NULL). */
/*@ requires \valid(ev) && \valid_read(actor) && qscd_id_ok(&actor->id);
    requires cred == \null || qscd_id_ok(cred);
    requires \separated(ev, actor) && (cred == \null || \separated(ev, cred));
    terminates \true;
    assigns *ev;
    ensures ev->op == op && ev->role == actor->role && ev->outcome == 0 && ev->has_token == 0;
    ensures qscd_id_eq(&ev->actor, &actor->id);
*/
void sam_event_begin(sam_event *ev, int op, const sam_actor *actor, const qscd_id *cred);

/* Record the SAD token an event concerns (its id and hash algorithm, never the token). */
/*@ requires \valid(ev) && \valid_read(c) && \separated(ev, c);
    terminates \true;
    assigns ev->has_token, ev->token_id[0 .. QSCD_TOKEN_ID_LEN - 1], ev->hash_alg;
    ensures ev->has_token == 1;
*/
void sam_event_token(sam_event *ev, const sad_claims *c);

/* Record the digests an event concerns: how many, and the first one. */
/*@ requires \valid(ev);
    requires qscd_hash_ok(hash_alg);
    requires \valid_read(hashes + (0 .. qscd_digest_len(hash_alg) - 1));
    requires \separated(ev, hashes + (0 .. qscd_digest_len(hash_alg) - 1));
    terminates \true;
    assigns ev->hash_alg, ev->count, ev->first_hash_len, ev->first_hash[0 .. QSCD_MAX_DIGEST - 1];
    ensures ev->count == n;
*/
void sam_event_hashes(sam_event *ev, int hash_alg, uint32_t n, const uint8_t *hashes);

/* Empty a signHash output: no signature and no signature byte left. */
/*@ requires \valid(out);
    terminates \true;
    assigns *out;
    ensures out->nsigs == 0;
    ensures \forall integer k; 0 <= k < QSCD_MAX_HASHES * SAM_SIG_MAX ==> out->sig[k] == 0;
*/
void sam_out_clear(sam_sign_out *out);

/* Empty an authorize or extend output: no token and no token byte left. */
/*@ requires \valid(out);
    terminates \true;
    assigns *out;
    ensures out->token_len == 0;
    ensures \forall integer k; 0 <= k < SAD_TOKEN_MAX ==> out->token[k] == 0;
*/
void sam_token_out_clear(sam_authz_out *out);

/* May a key of this algorithm make signatures of this kind?
 *
 *   returns 1   ECDSA with an EC key; PKCS#1 v1.5 or PSS with an RSA key
 *   returns 0   anything else
 */
/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> sam_alg_fits(key_alg, sign_alg);
*/
int sam_key_fits(int key_alg, int sign_alg);

#endif
