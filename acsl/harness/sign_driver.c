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
    harness_sign_req(&req, token);
    (void)sam_signhash((qscd_ports *)0, &cfg, &req, &out);
}
