/* SPDX-License-Identifier: Apache-2.0 */
/* Byte helpers of the verified core (contracts in qscd_mem.h). */
#include "qscd_mem.h"

int qscd_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t acc = 0;
    size_t i;

    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant acc_zero: acc == 0 <==> (\forall integer k; 0 <= k < i ==> a[k] == b[k]);
        loop assigns i, acc;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        uint8_t d = (uint8_t)(a[i] ^ b[i]);
        /* Hints for the provers: xor and or on bytes, stated once. */
        /*@ assert xor_zero: d == 0 <==> a[i] == b[i]; */
        /*@ assert or_zero: (uint8_t)(acc | d) == 0 <==> (acc == 0 && d == 0); */
        acc = (uint8_t)(acc | d);
    }
    /* A branch-free result: (acc + 255) / 256 is 0 for acc == 0 and 1 for 1..255. */
    return (int)(1u - ((uint32_t)acc + 0xFFu) / 256u);
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
