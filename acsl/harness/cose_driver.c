/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EVA driver for COSE: unknown bytes of unknown length through both parsers under every tag
 * mode, the structure builders over what was parsed and over unknown offsets, and the issuing
 * functions with unknown payloads into buffers of unknown capacity.
 */
#include "harness.h"
#include "cose.h"


static uint8_t cose_in[HARNESS_MAX];
static uint8_t cose_aad[64];
static uint8_t cose_out[HARNESS_MAX];

static void harness_cose_parse(void)
{
    size_t len = harness_len(0, HARNESS_MAX), alen = harness_len(0, sizeof cose_aad);
    size_t plen = harness_len(0, HARNESS_MAX), cap = harness_len(0, HARNESS_MAX), n = 0;
    cose_tag_mode mode = (cose_tag_mode)Frama_C_interval(0, 3);
    cose_msg m;

    harness_bytes(cose_in, sizeof cose_in);
    harness_bytes(cose_aad, sizeof cose_aad);
    harness_bytes(&m, sizeof m);
    m.detached = false;
    if (cose_sign1_parse(cose_in, len, mode, &m) == QSCD_OK)
        (void)cose_sig_structure(&m, cose_in, len, cose_aad, alen, cose_in, plen, cose_out, cap, &n);
    if (cose_mac0_parse(cose_in, len, mode, &m) == QSCD_OK)
        (void)cose_mac_structure(&m, cose_in, len, cose_aad, alen, cose_in, plen, cose_out, cap, &n);
    /* a message the caller made up: every offset unknown */
    harness_bytes(&m, sizeof m);
    m.detached = Frama_C_interval(0, 1) != 0;
    (void)cose_sig_structure(&m, cose_in, len, cose_aad, alen, cose_in, plen, cose_out, cap, &n);
}

static void harness_cose_issue(void)
{
    size_t plen = harness_len(0, HARNESS_MAX), tlen = harness_len(0, 64), alen = harness_len(0, 64);
    size_t cap = harness_len(0, HARNESS_MAX), n = 0;
    int64_t alg = (int64_t)Frama_C_interval(-40, 10);
    bool tagged = Frama_C_interval(0, 1) != 0;

    harness_bytes(cose_in, sizeof cose_in);
    harness_bytes(cose_aad, sizeof cose_aad);
    (void)cose_protected_header(alg, cose_out, cap, &n);
    (void)cose_mac0_tbs(alg, cose_aad, alen, cose_in, plen, cose_out, cap, &n);
    (void)cose_mac0_encode(alg, cose_in, plen, cose_aad, tlen, tagged, cose_out, cap, &n);
}

void harness_cose(void)
{
    harness_cose_parse();
    harness_cose_issue();
}
