/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for qscd_mem: unknown contents and lengths up to HARNESS_MAX. */
#include "harness.h"
#include "qscd_mem.h"

void harness_mem(void)
{
    static uint8_t a[HARNESS_MAX], b[HARNESS_MAX];
    size_t n = harness_len(0, HARNESS_MAX);

    harness_bytes(a, sizeof a);
    harness_bytes(b, sizeof b);
    (void)qscd_ct_equal(a, b, n);
    qscd_copy(a, b, n);
    qscd_wipe(b, n);
}
