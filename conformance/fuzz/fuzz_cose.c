/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for COSE (src/core/cose.h): both parsers under every tag mode; on success
 * every part lies inside the input, the signature or tag has the algorithm's length, and the
 * Sig_structure / MAC_structure is built into buffers of every size around the one it needs
 * without a byte written past the capacity. The input is also used as the payload of a
 * COSE_Mac0 the issuing path builds, which must parse back to the same MAC_structure.
 */
#include <string.h>

#include "cose.h"
#include "fuzz_common.h"

static uint8_t out[1 << 16];

static void structures(const uint8_t *d, size_t size, const cose_msg *m, bool mac)
{
    static const uint8_t aad[] = "external";
    size_t n = 0, full = 0, plen = m->detached ? size % 17 : 0;
    int rc;

    rc = (mac ? cose_mac_structure : cose_sig_structure)(m, d, size, aad, sizeof aad - 1, d, plen,
                                                         out, sizeof out, &full);
    CHECK(rc == QSCD_OK || (rc == QSCD_ERR_BUFFER_TOO_SMALL && size > 60000));
    if (rc != QSCD_OK)
        return;
    CHECK(full <= sizeof out && full >= 1 + (mac ? 5 : 11) + 3);
    for (size_t cap = full > 3 ? full - 3 : 0; cap <= full + 1 && cap < sizeof out; cap++) {
        memset(out, 0xA5, sizeof out);
        n = 0;
        rc = (mac ? cose_mac_structure : cose_sig_structure)(m, d, size, aad, sizeof aad - 1, d,
                                                             plen, out, cap, &n);
        CHECK(cap >= full ? (rc == QSCD_OK && n == full) : rc == QSCD_ERR_BUFFER_TOO_SMALL);
        for (size_t k = cap; k < cap + 8 && k < sizeof out; k++)
            CHECK(out[k] == 0xA5);
    }
}

static void parse_all(const uint8_t *d, size_t size)
{
    static const cose_tag_mode modes[] = { COSE_TAG_REQUIRED, COSE_TAG_OPTIONAL, COSE_TAG_FORBIDDEN };

    for (int mac = 0; mac < 2; mac++)
        for (size_t k = 0; k < 3; k++) {
            cose_msg m;
            int rc = mac ? cose_mac0_parse(d, size, modes[k], &m) : cose_sign1_parse(d, size, modes[k], &m);
            if (rc != QSCD_OK)
                continue;
            CHECK(m.prot_off + m.prot_len <= size && m.sig_off + m.sig_len <= size);
            CHECK(m.detached || m.payload_off + m.payload_len <= size);
            CHECK(!m.has_kid || m.kid_off + m.kid_len <= size);
            CHECK(mac ? (m.alg == COSE_ALG_HMAC256 && m.sig_len == 32)
                      : ((m.alg == COSE_ALG_ES256 && m.sig_len == 64) ||
                         (m.alg == COSE_ALG_ES384 && m.sig_len == 96)));
            CHECK(k != 0 || m.tagged);
            CHECK(k != 2 || !m.tagged);
            structures(d, size, &m, mac);
        }
}

static void issue(const uint8_t *d, size_t size)
{
    static uint8_t tbs[1 << 13], tbs2[1 << 13], msg[1 << 13];
    uint8_t tag[32];
    size_t tl = 0, ml = 0, t2 = 0;
    cose_msg m;

    if (size > 4096)
        return;
    for (size_t k = 0; k < sizeof tag; k++)
        tag[k] = (uint8_t)(size + k);
    CHECK(cose_mac0_tbs(COSE_ALG_HMAC256, d, size / 2, d, size, tbs, sizeof tbs, &tl) == QSCD_OK);
    CHECK(cose_mac0_encode(COSE_ALG_HMAC256, d, size, tag, 32, (size & 1) != 0, msg, sizeof msg, &ml) == QSCD_OK);
    CHECK(cose_mac0_parse(msg, ml, COSE_TAG_OPTIONAL, &m) == QSCD_OK);
    CHECK(m.payload_len == size && memcmp(msg + m.payload_off, d, size) == 0);
    CHECK(m.sig_len == 32 && memcmp(msg + m.sig_off, tag, 32) == 0);
    CHECK(cose_mac_structure(&m, msg, ml, d, size / 2, NULL, 0, tbs2, sizeof tbs2, &t2) == QSCD_OK);
    CHECK(t2 == tl && memcmp(tbs, tbs2, tl) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_all(data, size);
    issue(data, size);
    return 0;
}
