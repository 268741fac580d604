/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the libFuzzer harnesses: CHECK (an abort the fuzzer reports, whatever NDEBUG says)
 * and a walker over an item scbor_check accepted, that reads it with every reader, checks
 * that each result lies inside the buffer, and re-encodes it with the encoder.
 */
#ifndef QSCD_FUZZ_COMMON_H
#define QSCD_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "qscd_err.h"
#include "scbor.h"

#define CHECK(c)                                                                            \
    do {                                                                                    \
        if (!(c)) {                                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);           \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

/* Walk the definite item at buf[off] (already accepted by scbor_check) with the readers,
 * re-encoding it into e; returns the offset after it. Recursion is bounded by the depth the
 * validator accepted (SCBOR_MAX_DEPTH at most). */
static inline size_t fuzz_walk(const uint8_t *buf, size_t len, size_t off, scbor_enc *e, int depth)
{
    scbor_head h;
    size_t next = 0, a = 0, n = 0, p = 0, v = 0;
    uint64_t u = 0, count = 0;
    int64_t i = 0;
    bool b = false;

    CHECK(depth <= (int)SCBOR_MAX_DEPTH + 1);
    CHECK(scbor_head_decode(buf, len, off, &h) == QSCD_OK);
    CHECK(off + h.head_len <= len);
    CHECK(scbor_skip(buf, len, off, &next) == QSCD_OK);
    CHECK(off < next && next <= len);
    switch (h.major) {
    case SCBOR_UINT:
        CHECK(scbor_get_uint(buf, len, off, &u) == QSCD_OK && u == h.arg);
        scbor_put_uint(e, u);
        break;
    case SCBOR_NINT:
        if (scbor_get_int(buf, len, off, &i) == QSCD_OK)
            CHECK(i == -1 - (int64_t)h.arg);
        else
            CHECK(h.arg > (uint64_t)INT64_MAX);
        scbor_put_head(e, SCBOR_NINT, h.arg);
        break;
    case SCBOR_BSTR:
    case SCBOR_TSTR:
        CHECK((h.major == SCBOR_BSTR ? scbor_get_bstr : scbor_get_tstr)(buf, len, off, &a, &n) == QSCD_OK);
        CHECK(off < a && a + n <= len && a + n == next && n == h.arg);
        if (h.major == SCBOR_TSTR)
            CHECK(scbor_utf8_valid(buf + a, n));
        (h.major == SCBOR_BSTR ? scbor_put_bstr : scbor_put_tstr)(e, buf + a, n);
        break;
    case SCBOR_ARRAY:
        CHECK(scbor_get_array(buf, len, off, &count, &p) == QSCD_OK);
        CHECK(off < p && p + count <= len && count == h.arg);
        scbor_put_array(e, count);
        for (uint64_t k = 0; k < count; k++)
            p = fuzz_walk(buf, len, p, e, depth + 1);
        CHECK(p == next);
        break;
    case SCBOR_MAP:
        CHECK(scbor_get_map(buf, len, off, &count, &p) == QSCD_OK);
        CHECK(off < p && p + 2 * count <= len && count == h.arg);
        scbor_put_map(e, count);
        for (uint64_t k = 0; k < count; k++) {
            size_t key = p;
            int64_t ik;
            p = fuzz_walk(buf, len, p, e, depth + 1);
            /* each key is found again, and leads to the value after it */
            if (scbor_get_int(buf, len, key, &ik) == QSCD_OK)
                CHECK(scbor_map_find_int(buf, len, off, ik, &v) == QSCD_OK && v == p);
            if (scbor_get_tstr(buf, len, key, &a, &n) == QSCD_OK)
                CHECK(scbor_map_find_tstr(buf, len, off, buf + a, n, &v) == QSCD_OK && v == p);
            CHECK(scbor_map_find_enc(buf, len, off, buf, key, p, &v) == QSCD_OK && v == p);
            p = fuzz_walk(buf, len, p, e, depth + 1);
        }
        CHECK(p == next);
        break;
    case SCBOR_TAG:
        CHECK(scbor_get_tag(buf, len, off, &u, &p) == QSCD_OK && u == h.arg && p < len);
        scbor_put_tag(e, u);
        CHECK(fuzz_walk(buf, len, p, e, depth) == next);
        break;
    default:
        if (scbor_get_bool(buf, len, off, &b) == QSCD_OK) {
            scbor_put_bool(e, b);
        } else {
            CHECK(scbor_is_null(buf, len, off));
            scbor_put_null(e);
        }
    }
    return next;
}

#endif
