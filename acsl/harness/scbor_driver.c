/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EVA driver for the strict CBOR codec: unknown bytes of unknown length (up to HARNESS_MAX)
 * through the validator under unknown limits and flags, every reader at an unknown offset, and
 * the encoder with unknown values and sizes.
 */
#include "harness.h"
#include "scbor.h"


static uint8_t scbor_in[HARNESS_MAX];
static uint8_t scbor_out[HARNESS_MAX];
static uint8_t scbor_key[64];

static void harness_scbor_check(void)
{
    scbor_limits lim;
    size_t len = harness_len(0, HARNESS_MAX), n = 0;

    harness_bytes(scbor_in, sizeof scbor_in);
    lim.max_depth = (uint32_t)harness_len(0, SCBOR_MAX_DEPTH + 1u);
    lim.max_items = (uint32_t)harness_len(0, 0xFFFFFFFFu);
    lim.max_str = (uint32_t)harness_len(0, 0xFFFFFFFFu);
    lim.flags = (uint32_t)harness_len(0, 7);
    (void)scbor_check(scbor_in, len, &lim, &n);
    (void)scbor_check_at(scbor_in, len, harness_len(0, HARNESS_MAX + 1), &lim);
    (void)scbor_utf8_valid(scbor_in, len);
}

static void harness_scbor_read(void)
{
    size_t len = harness_len(0, HARNESS_MAX), off = harness_len(0, HARNESS_MAX + 1);
    size_t klen = harness_len(0, sizeof scbor_key);
    size_t a = 0, b = 0;
    uint64_t u = 0;
    int64_t i = 0;
    bool flag = false;
    scbor_head h;

    harness_bytes(scbor_in, sizeof scbor_in);
    harness_bytes(scbor_key, sizeof scbor_key);
    (void)scbor_head_decode(scbor_in, len, off, &h);
    (void)scbor_skip(scbor_in, len, off, &a);
    (void)scbor_get_uint(scbor_in, len, off, &u);
    (void)scbor_get_int(scbor_in, len, off, &i);
    (void)scbor_get_bstr(scbor_in, len, off, &a, &b);
    (void)scbor_get_tstr(scbor_in, len, off, &a, &b);
    (void)scbor_get_array(scbor_in, len, off, &u, &a);
    (void)scbor_get_map(scbor_in, len, off, &u, &a);
    (void)scbor_get_tag(scbor_in, len, off, &u, &a);
    (void)scbor_get_bool(scbor_in, len, off, &flag);
    (void)scbor_is_null(scbor_in, len, off);
    (void)scbor_map_find_int(scbor_in, len, off, (int64_t)harness_len(0, 100) - 50, &a);
    (void)scbor_map_find_tstr(scbor_in, len, off, scbor_key, klen, &a);
    (void)scbor_map_find_enc(scbor_in, len, off, scbor_key, 0, klen, &a);
}

/* Every put after the others into a buffer of fixed capacity (EVA then bounds e.len by a
 * constant), and each put alone, first in a fresh encoder, into an unknown capacity. */
static void harness_scbor_enc(void)
{
    scbor_enc e;
    size_t cap = harness_len(0, HARNESS_MAX), n = harness_len(0, HARNESS_MAX);
    size_t off = harness_len(0, HARNESS_MAX), src_len = harness_len(0, HARNESS_MAX);
    uint64_t v = (uint64_t)Frama_C_unsigned_long_interval(0, 0xFFFFFFFFFFFFFFFFu);
    int64_t i = (int64_t)(v / 2u) - (int64_t)(v / 3u);
    bool b = (v & 1u) != 0u;

    harness_bytes(scbor_in, sizeof scbor_in);
    scbor_enc_init(&e, scbor_out, sizeof scbor_out);
    scbor_put_uint(&e, v);
    scbor_put_int(&e, i);
    scbor_put_array(&e, v);
    scbor_put_map(&e, v);
    scbor_put_tag(&e, v);
    scbor_put_bool(&e, b);
    scbor_put_null(&e);
    scbor_put_bstr(&e, scbor_in, n);
    scbor_put_bstr_at(&e, scbor_in, src_len, off, n);
    scbor_put_tstr(&e, scbor_in, n);
    scbor_put_raw(&e, scbor_in, n);

    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_uint(&e, v);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_int(&e, i);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_head(&e, (uint8_t)Frama_C_interval(0, 6), v);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_bool(&e, b);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_null(&e);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_bstr(&e, scbor_in, n);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_bstr_at(&e, scbor_in, src_len, off, n);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_tstr(&e, scbor_in, n);
    scbor_enc_init(&e, scbor_out, cap);
    scbor_put_raw(&e, scbor_in, n);
}

void harness_scbor(void)
{
    harness_scbor_check();
    harness_scbor_read();
    harness_scbor_enc();
}
