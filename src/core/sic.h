/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SIC assertion (spec/sap.md): the possession factor of credentials bound to a signer's
 * device. A COSE_Sign1 (ES256) made by the device key the signer enrolled, over claims that
 * repeat the request exactly (credential, number of signatures, hash algorithm, hashes) and
 * a challenge the SAM issued for this signer, used once and within its lifetime.
 */
#ifndef QSCD_SIC_H
#define QSCD_SIC_H

#include "qscd_ports.h"
#include "sam_types.h"

/* Check the request's SIC assertion.
 *
 *   QSCD_OK   *ok is 1 when the assertion is valid for this request and signer, 0 otherwise
 *   other     a port failed (nothing is decided; the failure is not counted against the
 *             signer)
 */
/*@ requires sam_config_ok(cfg) && sam_authz_req_ok(req) && sam_signer_ok(signer);
    requires 0 <= now <= 0x7fffffff00;
    requires \valid(ok);
    requires \separated(ok, req, signer, cfg);
    terminates \true;
    assigns *ok, sam_g_possession_ok;
    ensures *ok == 0 || *ok == 1;
    ensures *ok == 1 ==> \result == QSCD_OK && sam_g_possession_ok == 1;
    ensures *ok == 0 ==> sam_g_possession_ok == \old(sam_g_possession_ok);
*/
int sic_assertion_check(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                        const sam_signer *signer, int64_t now, int *ok);

#endif
