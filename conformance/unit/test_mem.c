/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the core's byte helpers (src/core/qscd_mem.h). */
#include "unit.h"

#include <string.h>

#include "qscd_mem.h"

static void test_ct_equal(void)
{
    uint8_t a[64], b[64];

    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (uint8_t)(i * 7 + 1);
    CU_ASSERT_EQUAL(qscd_ct_equal(a, b, sizeof a), 1);
    CU_ASSERT_EQUAL(qscd_ct_equal(a, b, 0), 1);
    /* Every position and every bit of a difference is seen. */
    for (size_t i = 0; i < sizeof a; i++)
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            CU_ASSERT_EQUAL(qscd_ct_equal(a, b, sizeof a), 0);
            b[i] ^= (uint8_t)(1u << bit);
        }
}

static void test_copy(void)
{
    uint8_t src[33], dst[33];

    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(0xA5 ^ i);
    memset(dst, 0, sizeof dst);
    qscd_copy(dst, src, sizeof src);
    CU_ASSERT_EQUAL(memcmp(dst, src, sizeof src), 0);
}

/* 241-2/RIP, SRA_SKM.2.8: a wiped secret buffer reads back as zeros. */
static void test_wipe_RIP(void)
{
    uint8_t secret[40];

    memset(secret, 0x5C, sizeof secret);
    qscd_wipe(secret, sizeof secret);
    for (size_t i = 0; i < sizeof secret; i++)
        CU_ASSERT_EQUAL(secret[i], 0);
}

UNIT_SUITE(mem)
{
    static const unit_test tests[] = {
        { "ct_equal", test_ct_equal },
        { "copy", test_copy },
        { "wipe_RIP", test_wipe_RIP },
        { NULL, NULL },
    };
    return unit_add_suite("mem", NULL, NULL, tests);
}
