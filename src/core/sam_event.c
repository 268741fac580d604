/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the SAM entry points (contracts in sam_event.h). */
#include "sam_event.h"

#include "qscd_mem.h"
#include "sam_roles.h"

/*@ requires \valid(out);
    terminates \true;
    assigns out->sig_len[0 .. QSCD_MAX_HASHES - 1];
*/
static void clear_lengths(sam_sign_out *out)
{
    size_t i;

    /*@ loop invariant 0 <= i <= QSCD_MAX_HASHES;
        loop assigns i, out->sig_len[0 .. QSCD_MAX_HASHES - 1];
        loop variant QSCD_MAX_HASHES - i;
    */
    for (i = 0; i < QSCD_MAX_HASHES; i++)
        out->sig_len[i] = 0;
}

void sam_event_begin(sam_event *ev, int op, const sam_actor *actor, const qscd_id *cred)
{
    ev->op = op;
    ev->role = actor->role;
    ev->outcome = 0;
    ev->time = 0;
    ev->has_token = 0;
    ev->hash_alg = 0;
    ev->count = 0;
    ev->first_hash_len = 0;
    qscd_wipe(ev->token_id, QSCD_TOKEN_ID_LEN);
    qscd_wipe(ev->first_hash, QSCD_MAX_DIGEST);
    qscd_id_copy(&ev->actor, &actor->id);
    if (cred != NULL)
        qscd_id_copy(&ev->cred, cred);
    else
        qscd_id_clear(&ev->cred);
}

void sam_event_token(sam_event *ev, const sad_claims *c)
{
    ev->has_token = 1;
    qscd_copy(ev->token_id, c->token_id, QSCD_TOKEN_ID_LEN);
    ev->hash_alg = c->hash_alg;
}

void sam_event_hashes(sam_event *ev, int hash_alg, uint32_t n, const uint8_t *hashes)
{
    size_t dlen = qscd_hash_digest_len(hash_alg);

    ev->hash_alg = hash_alg;
    ev->count = n;
    ev->first_hash_len = (uint8_t)dlen;
    qscd_copy(ev->first_hash, hashes, dlen);
}

void sam_out_clear(sam_sign_out *out)
{
    out->nsigs = 0;
    qscd_wipe(out->sig, sizeof out->sig);
    clear_lengths(out);
}

void sam_token_out_clear(sam_authz_out *out)
{
    out->token_len = 0;
    out->expires_in = 0;
    qscd_wipe(out->token, SAD_TOKEN_MAX);
}

int sam_key_fits(int key_alg, int sign_alg)
{
    int ec = key_alg == SAM_KEY_EC_P256 || key_alg == SAM_KEY_EC_P384;
    int rsa = key_alg == SAM_KEY_RSA_2048 || key_alg == SAM_KEY_RSA_3072 ||
              key_alg == SAM_KEY_RSA_4096;

    return (ec && sign_alg == SAM_SIGN_ECDSA) ||
           (rsa && (sign_alg == SAM_SIGN_RSA_PKCS1 || sign_alg == SAM_SIGN_RSA_PSS));
}
