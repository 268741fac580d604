/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for the SAM protocol envelope: an unknown frame header and an unknown request of
 * unknown length. */
#include "harness.h"
#include "samp.h"

void harness_samp(void)
{
    static uint8_t hdr[SAMP_HEADER_LEN], buf[HARNESS_MAX];
    static samp_request r;
    size_t len = 0, n = harness_len(0, HARNESS_MAX);

    harness_bytes(hdr, sizeof hdr);
    harness_bytes(buf, sizeof buf);
    (void)samp_frame_len(hdr, (uint32_t)Frama_C_unsigned_int_interval(0, 0xffffffffU), &len);
    samp_frame_header(harness_len(0, SAMP_RESPONSE_MAX), hdr);
    (void)samp_request_parse(buf, n, &r);
}
