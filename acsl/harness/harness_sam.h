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
    cfg->clock_skew = Frama_C_interval(0, 300);
    cfg->lockout_limit = (uint32_t)Frama_C_interval(1, 100);
    cfg->challenge_ttl = Frama_C_interval(1, 3600);
    cfg->otp_step = Frama_C_interval(1, 300);
    cfg->otp_digits = (uint32_t)Frama_C_interval(6, 8);
}
#endif
