/* SPDX-License-Identifier: Apache-2.0 */
/* Byte helpers of the verified core (contracts in qscd_mem.h). */
#include "qscd_mem.h"

int qscd_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint64_t acc = 0;
    size_t i;

    /* Arithmetic only (a difference, its square, a sum): no branch on the data, and nothing the
     * provers need bit-vector reasoning for. Each square is at most 255^2, so acc < 2^37. */
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant acc_range: 0 <= acc <= 65025 * i;
        loop invariant acc_zero: acc == 0 <==> (\forall integer k; 0 <= k < i ==> a[k] == b[k]);
        loop assigns i, acc;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        int32_t d = (int32_t)a[i] - (int32_t)b[i];
        /*@ assert square_zero: d * d == 0 <==> a[i] == b[i]; */
        /*@ assert square_range: 0 <= d * d <= 65025; */
        acc = acc + (uint64_t)(d * d);
    }
    /* (acc + 2^37 - 1) / 2^37 is 0 for acc == 0 and 1 for 1 <= acc < 2^37. */
    return (int)(1u - (uint32_t)((acc + 137438953471u) / 137438953472u));
}

void qscd_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    size_t i;

    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant copied: \forall integer k; 0 <= k < i ==> dst[k] == src[k];
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0; i < n; i++)
        dst[i] = src[i];
}

void qscd_copy_at(uint8_t *dst, const uint8_t *src, size_t src_len, size_t off, size_t n)
{
    size_t i, j;

    /*@ loop invariant bound: 0 <= i <= n && j == off + i;
        loop invariant copied: \forall integer k; 0 <= k < i ==> dst[k] == src[off + k];
        loop assigns i, j, dst[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0, j = off; i < n && j < src_len; i++, j++)
        dst[i] = src[j];
}

void qscd_wipe(uint8_t *buf, size_t n)
{
    size_t i;

    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant zeroed: \forall integer k; 0 <= k < i ==> buf[k] == 0;
        loop assigns i, buf[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0; i < n; i++)
        buf[i] = 0;
#ifndef __FRAMAC__
    /* The stores above are dead to the optimiser when buf is freed or goes out of scope
     * next; this barrier says the memory is read, so they stay. It has no effect on the
     * values, which is why the proof may leave it out (spec/trusted-base.md, T-CC-1). */
    __asm__ __volatile__("" : : "r"(buf) : "memory");
#endif
}
