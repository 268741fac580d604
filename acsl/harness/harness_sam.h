/* SPDX-License-Identifier: Apache-2.0 */
/* Common ground of the SAM policy drivers: any configuration sam_config_ok allows. */
#ifndef QSCD_HARNESS_SAM_H
#define QSCD_HARNESS_SAM_H
#include "harness.h"
#include "sam.h"

static void harness_config(sam_config *cfg)
{
    harness_bytes(cfg, sizeof *cfg);
    cfg->audience_len = (uint8_t)Frama_C_interval(1, QSCD_AUDIENCE_MAX);
    cfg->token_ttl = Frama_C_interval(1, 86400);
    cfg->token_max_life = Frama_C_interval(1, SAM_MAX_TOKEN_LIFE);
    cfg->clock_skew = Frama_C_interval(0, 300);
    cfg->lockout_limit = (uint32_t)Frama_C_interval(1, 100);
    cfg->challenge_ttl = Frama_C_interval(1, 3600);
    cfg->otp_step = Frama_C_interval(1, 300);
    cfg->otp_digits = (uint32_t)Frama_C_interval(6, 8);
}

/* A signHash or extend request: unknown token bytes, hashes, ids, algorithms and counts. */
static void harness_sign_req(sam_sign_req *req, uint8_t *token)
{
    harness_bytes(token, SAD_TOKEN_MAX);
    harness_bytes(req, sizeof *req);
    req->token = token;
    req->token_len = harness_len(0, SAD_TOKEN_MAX);
    req->hash_alg = Frama_C_interval(-1, 5);
    req->nhashes = harness_len(0, QSCD_MAX_HASHES + 1);
    req->actor.id.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    req->cred.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
}
#endif
