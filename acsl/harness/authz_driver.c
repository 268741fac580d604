/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for sam_authorize (and through it the SIC assertion and TOTP checks): an unknown
 * request (role, ids, numSignatures, hashes, PIN, OTP, assertion, all lengths) under a valid
 * configuration; the ports act as their contracts say. */
#include "harness.h"
#include "sam.h"

void harness_authz(void)
{
    static sam_config cfg;
    static sam_authz_req req;
    static sam_authz_out out;

    harness_bytes(&cfg, sizeof cfg);
    cfg.audience_len = (uint8_t)Frama_C_interval(1, QSCD_AUDIENCE_MAX);
    cfg.token_ttl = Frama_C_interval(1, 86400);
    cfg.clock_skew = Frama_C_interval(0, 300);
    cfg.lockout_limit = (uint32_t)Frama_C_interval(1, 100);
    cfg.challenge_ttl = Frama_C_interval(1, 3600);
    cfg.otp_step = Frama_C_interval(1, 300);
    cfg.otp_digits = (uint32_t)Frama_C_interval(6, 8);

    harness_bytes(&req, sizeof req);
    req.actor.id.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    req.cred.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    req.hash_alg = Frama_C_interval(-1, 5);
    req.nhashes = harness_len(0, QSCD_MAX_HASHES + 1);
    req.pin_len = harness_len(0, SAM_PIN_MAX + 1);
    req.otp_len = harness_len(0, SAM_OTP_MAX + 1);
    req.assertion_len = harness_len(0, SAM_ASSERTION_MAX + 1);
    (void)sam_authorize((qscd_ports *)0, &cfg, &req, &out);
}
