/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for sam_authorize (and through it the SIC assertion and TOTP checks): an unknown
 * request (role, ids, numSignatures, hashes, PIN, OTP, assertion, all lengths) under a valid
 * configuration; the ports act as their contracts say. */
#include "harness_sam.h"

void harness_authz(void)
{
    static sam_config cfg;
    static sam_authz_req req;
    static sam_authz_out out;

    harness_config(&cfg);

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
