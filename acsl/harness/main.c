/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EVA entry point: calls every driver in turn. A driver per core module, each named
 * harness_<module>; adding a module means adding its driver here and its file to
 * CORE_PROOF_SRCS (acsl/frama-c.mk).
 */
#include "harness.h"

void harness_mem(void);
void harness_scbor(void);
void harness_cose(void);

int main(void)
{
    harness_mem();
    harness_scbor();
    harness_cose();
    return 0;
}
