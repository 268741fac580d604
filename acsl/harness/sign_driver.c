/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for sam_signhash: an unknown request (token bytes, hashes, ids, algorithms,
 * counts) under a valid configuration; the ports act as their contracts say. */
#include "harness_sam.h"

void harness_sign(void)
{
    static uint8_t token[SAD_TOKEN_MAX];
    static sam_sign_out out;
    static sam_config cfg;
    static sam_sign_req req;

    harness_config(&cfg);

    harness_bytes(token, sizeof token);
    harness_bytes(&req, sizeof req);
    req.token = token;
    req.token_len = harness_len(0, SAD_TOKEN_MAX);
    req.hash_alg = Frama_C_interval(-1, 5);
    req.nhashes = harness_len(0, QSCD_MAX_HASHES + 1);
    req.actor.id.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    req.cred.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    (void)sam_signhash((qscd_ports *)0, &cfg, &req, &out);
}
