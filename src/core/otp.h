/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-time codes (RFC 4226 HOTP, RFC 6238 TOTP). The HMAC-SHA-1 over the counter is computed
 * by the HSM, whose seed never leaves it (acsl/ports/qscd_ports.h, qscd_port_otp_mac); the
 * core does the rest: dynamic truncation, the decimal code, the time-step counters.
 */
#ifndef QSCD_OTP_H
#define QSCD_OTP_H

#include <stddef.h>
#include <stdint.h>

/* HMAC-SHA-1 output length. */
#define OTP_MAC_LEN 20
/* Most digits a code may have (RFC 4226 allows 6 to 8 here). */
#define OTP_MAX_DIGITS 8

/*@ logic integer otp_pow10(integer d) =
        d <= 0 ? 1 : 10 * otp_pow10(d - 1);
    logic integer otp_offset(uint8_t *mac) = mac[OTP_MAC_LEN - 1] % 16;
    // RFC 4226 §5.3: the 31-bit number at the offset the last nibble names.
    logic integer otp_dbc(uint8_t *mac) =
        (mac[otp_offset(mac)] % 128) * 16777216 + mac[otp_offset(mac) + 1] * 65536 +
        mac[otp_offset(mac) + 2] * 256 + mac[otp_offset(mac) + 3];
*/

/* RFC 4226 dynamic truncation of an HMAC-SHA-1 value, reduced to `digits` decimal digits.
 *
 *   returns the code, 0 .. 10^digits - 1
 */
/*@ requires \valid_read(mac + (0 .. OTP_MAC_LEN - 1));
    requires 6 <= digits <= OTP_MAX_DIGITS;
    terminates \true;
    assigns \nothing;
    ensures RFC4226_truncation: \result == otp_dbc(mac) % otp_pow10(digits);
    ensures \result < otp_pow10(digits);
*/
uint32_t otp_truncate(const uint8_t *mac, uint32_t digits);

/* Write a code as exactly `digits` ASCII digits, most significant first, zero-padded (the
 * form the signer types), so it can be compared byte for byte in constant time. */
/*@ requires \valid(out + (0 .. digits - 1));
    requires 6 <= digits <= OTP_MAX_DIGITS;
    requires code < otp_pow10(digits);
    terminates \true;
    assigns out[0 .. digits - 1];
    ensures \forall integer k; 0 <= k < digits ==> '0' <= out[k] <= '9';
*/
void otp_format(uint32_t code, uint32_t digits, uint8_t *out);

#endif
