/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for the small policy helpers: roles, ids, hash lengths, on unknown values. */
#include "harness.h"
#include "qscd_types.h"
#include "sam_roles.h"

void harness_policy(void)
{
    static qscd_id a, b;

    (void)sam_role_allows(Frama_C_interval(-5, 50), Frama_C_interval(-5, 50));
    (void)qscd_hash_digest_len(Frama_C_interval(-5, 10));
    harness_bytes(&a, sizeof a);
    harness_bytes(&b, sizeof b);
    a.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    b.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    (void)qscd_id_equal(&a, &b);
}
