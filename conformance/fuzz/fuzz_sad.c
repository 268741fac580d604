/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the SAD token (src/core/sad.h). The first byte chooses the use of
 * the rest. Even: the rest is a token, verified under a MAC port whose tag never matches (bit
 * 1 set: it must be refused and the claims left wiped) or under one that answers the token's
 * own tag, so every well-formed COSE_Mac0 reaches the claims decoder. Odd: the rest is a
 * claims payload, which the harness wraps into a token carrying the right tag of a
 * deterministic stand-in MAC, so the decoder sees arbitrary payloads directly. Whatever
 * verifies holds claims within sad_claims_ok; issued again, they give the very same payload
 * bytes (the decoder admits only the deterministic encoding) and verify to the same claims.
 */
#include <string.h>

#include "cose.h"
#include "fuzz_common.h"
#include "ports.h"
#include "sad.h"

/* How the MAC port answers: the deterministic stand-in, the token's own tag, or never it. */
typedef enum mac_mode { MAC_MIX, MAC_ECHO, MAC_WRONG } mac_mode;

typedef struct mac_ctx {
    mac_mode mode;
    const uint8_t *tok;
    size_t len;
} mac_ctx;

/* A keyed mix standing in for HMAC-SHA-256: deterministic and cheap, no security meant. */
static void mix(const uint8_t *d, size_t n, uint8_t tag[32])
{
    uint64_t h[4] = { 0x243f6a8885a308d3u, 0x13198a2e03707344u, 0xa4093822299f31d0u,
                      0x082efa98ec4e6c89u };

    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            h[k] = (h[k] ^ d[i]) * (0x100000001b3u + 2u * (uint64_t)k);
    for (int k = 0; k < 32; k++)
        tag[k] = (uint8_t)(h[k / 8] >> (8 * (k % 8)));
}

/* The tag the token under check carries (zeros when it has none of 32 bytes). */
static void own_tag(const mac_ctx *c, uint8_t tag[32])
{
    cose_msg m;

    memset(tag, 0, 32);
    if (cose_mac0_parse(c->tok, c->len, COSE_TAG_REQUIRED, &m) == QSCD_OK && m.sig_len == 32)
        memcpy(tag, c->tok + m.sig_off, 32);
}

static int port_mac(void *ctx, const uint8_t *data, size_t len, uint8_t *tag)
{
    mac_ctx *c = ctx;

    if (c->mode == MAC_MIX) {
        mix(data, len, tag);
    } else {
        own_tag(c, tag);
        if (c->mode == MAC_WRONG)
            tag[len % 32] ^= 0x01;
    }
    return QSCD_OK;
}

static mac_ctx g_mac;
static qscd_ports g_ports = { .ctx = &g_mac, .token_mac = port_mac };

static int verify(mac_mode mode, const uint8_t *tok, size_t len, sad_claims *c)
{
    g_mac = (mac_ctx){ mode, tok, len };
    memset(c, 0, sizeof *c);
    return sad_token_verify(&g_ports, tok, len, c);
}

/* Claims that verified: in the profile, each digest listed, and a fixed point of issuing. */
static void accepted(const uint8_t *tok, size_t len, const sad_claims *c)
{
    static uint8_t again[SAD_TOKEN_MAX];
    static sad_claims c2;
    size_t n = 0, dlen = qscd_hash_digest_len(c->hash_alg);
    cose_msg m1, m2;

    CHECK(c->version == SAD_VERSION && c->scal == SAD_SCAL && dlen != 0);
    CHECK(c->nhashes >= 1 && c->nhashes <= QSCD_MAX_HASHES && c->num_signatures >= 1);
    CHECK(c->signer.len >= 1 && c->signer.len <= QSCD_ID_MAX);
    CHECK(c->credential.len >= 1 && c->credential.len <= QSCD_ID_MAX);
    CHECK(c->audience_len >= 1 && c->audience_len <= QSCD_AUDIENCE_MAX);
    CHECK(c->iat >= 0 && c->iat <= c->exp);
    for (uint32_t j = 0; j < c->nhashes; j++)
        CHECK(sad_hash_listed(c, &c->hashes[j * QSCD_MAX_DIGEST], dlen) == 1);
    g_mac.mode = MAC_MIX;
    CHECK(sad_token_issue(&g_ports, c, again, sizeof again, &n) == QSCD_OK);
    CHECK(cose_mac0_parse(tok, len, COSE_TAG_REQUIRED, &m1) == QSCD_OK);
    CHECK(cose_mac0_parse(again, n, COSE_TAG_REQUIRED, &m2) == QSCD_OK);
    CHECK(m1.payload_len == m2.payload_len &&
          memcmp(tok + m1.payload_off, again + m2.payload_off, m1.payload_len) == 0);
    CHECK(verify(MAC_MIX, again, n, &c2) == QSCD_OK && memcmp(c, &c2, sizeof c2) == 0);
}

/* A token under a MAC port that never matches (refused, claims wiped), or under one that
 * echoes the token's own tag (through to the claims decoder). */
static void as_token(const uint8_t *d, size_t size, mac_mode mode)
{
    static const sad_claims zero;
    static sad_claims c;
    int rc = verify(mode, d, size, &c);

    if (mode == MAC_WRONG)
        CHECK(rc == QSCD_ERR_SAD_MAC || rc == QSCD_ERR_SAD_MALFORMED);
    if (rc == QSCD_OK)
        accepted(d, size, &c);
    else
        CHECK(memcmp(&c, &zero, sizeof c) == 0);
}

static void as_payload(const uint8_t *d, size_t size)
{
    static uint8_t tbs[SAD_MACSTRUCT_MAX], tok[SAD_TOKEN_MAX + 64];
    static const uint8_t none[1] = { 0 };
    static sad_claims c;
    uint8_t tag[32];
    size_t tl = 0, n = 0;
    int rc;

    if (size > SAD_TOKEN_MAX - 64)
        return;
    CHECK(cose_mac0_tbs(COSE_ALG_HMAC256, none, 0, d, size, tbs, sizeof tbs, &tl) == QSCD_OK);
    mix(tbs, tl, tag);
    CHECK(cose_mac0_encode(COSE_ALG_HMAC256, d, size, tag, 32, true, tok, sizeof tok, &n) == QSCD_OK);
    rc = verify(MAC_MIX, tok, n, &c);
    CHECK(rc == QSCD_OK || rc == QSCD_ERR_SAD_MALFORMED || rc == QSCD_ERR_SAD_VERSION);
    if (rc == QSCD_OK)
        accepted(tok, n, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        as_payload(data + 1, size - 1);
    else
        as_token(data + 1, size - 1, (data[0] & 2) ? MAC_WRONG : MAC_ECHO);
    return 0;
}
