/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte helpers of the verified core: constant-time comparison, copy and wipe. The core uses
 * these instead of memcmp/memcpy/memset: their contracts are ours and proved, and WP 25 cannot
 * use libc's contracts on uint8_t buffers (spec/trusted-base.md).
 */
#ifndef QSCD_MEM_H
#define QSCD_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Longest comparison (a bound on the accumulator; every secret compared is far shorter). */
#define QSCD_CT_MAX 1048576u

/* Compare n bytes in time that depends only on n, never on the contents: secrets (PIN
 * verifiers, OTP codes, MAC tags) are compared with it.
 *
 *   returns 1   the buffers are equal (n == 0 included)
 *   returns 0   they differ in at least one byte
 */
/*@ requires valid_a: \valid_read(a + (0 .. n - 1));
    requires valid_b: \valid_read(b + (0 .. n - 1));
    requires length: n <= QSCD_CT_MAX;
    terminates \true;
    assigns \nothing;
    ensures range: \result == 0 || \result == 1;
    ensures equal: \result == 1 <==> (\forall integer k; 0 <= k < n ==> a[k] == b[k]);
*/
int qscd_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* Copy n bytes from src to dst; the ranges must not overlap. */
/*@ requires valid_dst: \valid(dst + (0 .. n - 1));
    requires valid_src: \valid_read(src + (0 .. n - 1));
    requires separated: \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    terminates \true;
    assigns dst[0 .. n - 1];
    ensures copied: \forall integer k; 0 <= k < n ==> dst[k] == src[k];
*/
void qscd_copy(uint8_t *dst, const uint8_t *src, size_t n);

/* Copy the n bytes at src[off ..] of a source of src_len bytes to dst. The same as
 * qscd_copy(dst, &src[off], n), written with one index per buffer, each checked against its
 * own bound, so that EVA (which does not relate off and n) sees every access in range. */
/*@ requires valid_dst: \valid(dst + (0 .. n - 1));
    requires valid_src: \valid_read(src + (0 .. src_len - 1));
    requires inside: off <= src_len && n <= src_len - off;
    requires separated: \separated(dst + (0 .. n - 1), src + (0 .. src_len - 1));
    terminates \true;
    assigns dst[0 .. n - 1];
    ensures copied: \forall integer k; 0 <= k < n ==> dst[k] == src[off + k];
*/
void qscd_copy_at(uint8_t *dst, const uint8_t *src, size_t src_len, size_t off, size_t n);

/* Overwrite n bytes with zeros, in a way the compiler may not remove as a dead store: every
 * buffer that held a secret (PIN, OTP, seed, SAD, key material) is wiped before its
 * function returns (EN 419 241-1 SRA_SKM.2.8, our 241-2/RIP). */
/*@ requires valid_buf: \valid(buf + (0 .. n - 1));
    terminates \true;
    assigns buf[0 .. n - 1];
    ensures R_241_2_RIP_zeroed: \forall integer k; 0 <= k < n ==> buf[k] == 0;
*/
void qscd_wipe(uint8_t *buf, size_t n);

#endif
