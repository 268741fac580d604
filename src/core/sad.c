/* SPDX-License-Identifier: Apache-2.0 */
/* SAD token claims: lookups and wiping (contracts in sad.h). */
#include "sad.h"

#include "qscd_mem.h"

int sad_hash_listed(const sad_claims *c, const uint8_t *h, size_t n)
{
    size_t m = c->nhashes;
    int found = 0;
    size_t j;

    /*@ loop invariant 0 <= j <= m <= QSCD_MAX_HASHES;
        loop invariant found == 0 || found == 1;
        loop invariant found == 1 <==> sad_listed_upto(c, h, n, j);
        loop assigns j, found;
        loop variant m - j;
    */
    for (j = 0; j < m; j++) {
        /* Digests are not secret: stopping early would be fine, but every candidate is
         * compared so the cost does not depend on the request. */
        int eq = qscd_ct_equal(&c->hashes[j * QSCD_MAX_DIGEST], h, n);
        /*@ assert eq == 1 <==> sad_digest_is(c, j, h, n); */
        if (eq)
            found = 1;
    }
    return found;
}

void sad_claims_wipe(sad_claims *c)
{
    qscd_wipe(c->hashes, sizeof c->hashes);
    qscd_wipe(c->token_id, QSCD_TOKEN_ID_LEN);
    qscd_wipe(c->audience, QSCD_AUDIENCE_MAX);
    qscd_id_clear(&c->signer);
    qscd_id_clear(&c->credential);
    c->version = 0;
    c->nhashes = 0;
    c->num_signatures = 0;
    c->hash_alg = 0;
    c->iat = 0;
    c->exp = 0;
    c->scal = 0;
    c->audience_len = 0;
}
