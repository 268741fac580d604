/* SPDX-License-Identifier: Apache-2.0 */
/* Small value helpers of the core (contracts in qscd_types.h). */
#include "qscd_types.h"
#include "qscd_mem.h"

size_t qscd_hash_digest_len(int alg)
{
    switch (alg) {
    case QSCD_HASH_SHA256: return 32;
    case QSCD_HASH_SHA384: return 48;
    case QSCD_HASH_SHA512: return 64;
    default: return 0;
    }
}

int qscd_id_equal(const qscd_id *a, const qscd_id *b)
{
    if (a->len != b->len)
        return 0;
    return qscd_ct_equal(a->b, b->b, a->len);
}

void qscd_id_copy(qscd_id *dst, const qscd_id *src)
{
    dst->len = src->len;
    qscd_wipe(dst->b, QSCD_ID_MAX);
    qscd_copy(dst->b, src->b, src->len);
}

void qscd_id_clear(qscd_id *dst)
{
    dst->len = 0;
    qscd_wipe(dst->b, QSCD_ID_MAX);
}
