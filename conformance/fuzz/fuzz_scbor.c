/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the strict CBOR validator and readers (src/core/scbor.h). Every input
 * is validated under three profiles; what is accepted must be walked whole by scbor_skip, read
 * by every reader with results inside the buffer, and (definite items) re-encoded by the
 * encoder into the very same bytes, since the profile only admits shortest heads. The readers
 * are also run at an arbitrary offset of arbitrary input: they must stay inside it.
 */
#include <string.h>

#include "fuzz_common.h"

static const scbor_limits profiles[] = {
    { 8, 1024, 65536, SCBOR_REQUIRE_SORTED },                       /* scbor_limits_default */
    { 16, 0xFFFFFFFFu, 0xFFFFFFFFu, SCBOR_ALLOW_TAGS },               /* any key order */
    { 16, 0xFFFFFFFFu, 0xFFFFFFFFu, SCBOR_ALLOW_TAGS | SCBOR_ALLOW_INDEFINITE },
};

static uint8_t again[1 << 16];

static void readers_anywhere(const uint8_t *d, size_t len, size_t off)
{
    size_t a = 0, b = 0;
    uint64_t u = 0;
    int64_t i = 0;
    bool f = false;
    scbor_head h;

    if (scbor_head_decode(d, len, off, &h) == QSCD_OK)
        CHECK(off < len && off + h.head_len <= len && h.head_len >= 1 && h.head_len <= 9);
    if (scbor_skip(d, len, off, &a) == QSCD_OK)
        CHECK(off < a && a <= len);
    if (scbor_get_bstr(d, len, off, &a, &b) == QSCD_OK || scbor_get_tstr(d, len, off, &a, &b) == QSCD_OK)
        CHECK(off < a && a + b <= len);
    if (scbor_get_array(d, len, off, &u, &a) == QSCD_OK)
        CHECK(off < a && a <= len && a + u <= len);
    if (scbor_get_map(d, len, off, &u, &a) == QSCD_OK)
        CHECK(off < a && a <= len && a + 2 * u <= len);
    if (scbor_get_tag(d, len, off, &u, &a) == QSCD_OK)
        CHECK(off < a && a < len);
    (void)scbor_get_uint(d, len, off, &u);
    (void)scbor_get_int(d, len, off, &i);
    (void)scbor_get_bool(d, len, off, &f);
    (void)scbor_is_null(d, len, off);
    if (scbor_map_find_int(d, len, off, (int64_t)(off % 7) - 3, &a) == QSCD_OK)
        CHECK(off < a && a < len);
    if (scbor_map_find_tstr(d, len, off, (const uint8_t *)"a", 1, &a) == QSCD_OK)
        CHECK(off < a && a < len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t item_len = 0, next = 0;

    for (size_t k = 0; k < sizeof profiles / sizeof profiles[0]; k++) {
        int rc = scbor_check(data, size, &profiles[k], &item_len);
        if (rc != QSCD_OK)
            continue;
        CHECK(item_len == size && size > 0);
        CHECK(scbor_skip(data, size, 0, &next) == QSCD_OK && next == size);
        if (k < 2) { /* definite lengths: the readers re-encode it exactly */
            scbor_enc e;
            scbor_enc_init(&e, again, sizeof again);
            CHECK(fuzz_walk(data, size, 0, &e, 1) == size);
            CHECK(size > sizeof again || (e.err == QSCD_OK && e.len == size &&
                                          memcmp(again, data, size) == 0));
        }
        /* the stricter profile accepts no more than the permissive ones */
        if (k == 0)
            CHECK(scbor_check(data, size, &profiles[1], &item_len) == QSCD_OK);
        if (k == 1)
            CHECK(scbor_check(data, size, &profiles[2], &item_len) == QSCD_OK);
    }
    if (size > 0)
        readers_anywhere(data, size, (size_t)data[0] % size);
    CHECK(scbor_utf8_valid(data, size) == scbor_utf8_valid(data, size));
    return 0;
}
