/* SPDX-License-Identifier: Apache-2.0 */
/* One-time codes (contracts in otp.h). */
#include "otp.h"

uint32_t otp_truncate(const uint8_t *mac, uint32_t digits)
{
    uint32_t off = (uint32_t)(mac[OTP_MAC_LEN - 1] % 16u);
    /* Arithmetic instead of shifts and masks: the same value, and the provers read it
     * without bit-vector reasoning. */
    uint32_t dbc = (uint32_t)(mac[off] % 128u) * 16777216u + (uint32_t)mac[off + 1] * 65536u +
                   (uint32_t)mac[off + 2] * 256u + (uint32_t)mac[off + 3];
    uint32_t mod = 1;
    uint32_t i;

    /*@ loop invariant 0 <= i <= digits;
        loop invariant mod == otp_pow10(i);
        loop assigns i, mod;
        loop variant digits - i;
    */
    for (i = 0; i < digits; i++)
        mod = mod * 10u;
    return dbc % mod;
}

void otp_format(uint32_t code, uint32_t digits, uint8_t *out)
{
    uint32_t v = code;
    uint32_t i;

    /*@ loop invariant 0 <= i <= digits;
        loop invariant \forall integer k; digits - i <= k < digits ==> '0' <= out[k] <= '9';
        loop assigns i, v, out[0 .. digits - 1];
        loop variant digits - i;
    */
    for (i = 0; i < digits; i++) {
        out[digits - 1 - i] = (uint8_t)('0' + v % 10u);
        v = v / 10u;
    }
}
