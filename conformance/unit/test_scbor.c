/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the strict CBOR codec (src/core/scbor.h): RFC 8949 Appendix A walked with the readers
 * and compared with the expected values, the project's decode vectors
 * (vectors/cbor/scbor_decode_test.json), head and value round trips through the encoder, the
 * encoder's bounds, and the readers. SRA_SAP.2.1 (the SAD format is parsed strictly) and
 * SRA_SAP.1.6 (one meaning per byte string: no duplicates, no trailing bytes, minimal forms).
 */
#include "unit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qscd_err.h"
#include "scbor.h"

#define APPENDIX_A "vectors/external/cbor/appendix_a.json"
#define DECODE_VECTORS "vectors/cbor/scbor_decode_test.json"
#define MAX_ITEM 8192

static json_t *load_json(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, JSON_DECODE_INT_AS_REAL, &err);

    if (j == NULL)
        fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
    return j;
}

/* ----------------------------------------------------------------------------- a walker */

/* A text buffer for diagnostic notation (RFC 8949 §8). */
typedef struct diag { char s[16384]; size_t n; } diag;

static void dput(diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dput(diag *d, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vsnprintf(d->s + d->n, sizeof d->s - d->n, fmt, ap);
    va_end(ap);
    if (r > 0)
        d->n = d->n + (size_t)r < sizeof d->s ? d->n + (size_t)r : sizeof d->s - 1;
}

/* Walk the checked item at buf[off] with the readers only: its value as JSON (NULL where JSON
 * has no equivalent), its diagnostic notation, and its re-encoding through the encoder.
 * Returns the offset after it, or 0 when a reader failed (a test failure). */
static size_t walk(const uint8_t *buf, size_t len, size_t off, json_t **js, diag *d, scbor_enc *e)
{
    scbor_head h;
    size_t next = 0, a = 0, n = 0, p;
    uint64_t u = 0, count = 0;
    int64_t i = 0;
    bool b = false;

    *js = NULL;
    if (scbor_head_decode(buf, len, off, &h) != QSCD_OK || scbor_skip(buf, len, off, &next) != QSCD_OK)
        return 0;
    switch (h.major) {
    case SCBOR_UINT:
        if (scbor_get_uint(buf, len, off, &u) != QSCD_OK)
            return 0;
        *js = u <= INT64_MAX ? json_integer((json_int_t)u) : json_real((double)u);
        dput(d, "%" PRIu64, u);
        scbor_put_uint(e, u);
        break;
    case SCBOR_NINT:
        if (scbor_get_int(buf, len, off, &i) == QSCD_OK) {
            *js = json_integer(i);
            dput(d, "%" PRId64, i);
            scbor_put_int(e, i);
        } else {
            /* below INT64_MIN: get_int says so; the value is -1 - arg */
            CU_ASSERT_EQUAL(scbor_get_int(buf, len, off, &i), QSCD_ERR_CBOR_TOO_LARGE);
            *js = json_real(-1.0 - (double)h.arg);
            dput(d, "-%s", h.arg == UINT64_MAX ? "18446744073709551616" : "?");
            scbor_put_head(e, SCBOR_NINT, h.arg);
        }
        break;
    case SCBOR_BSTR:
        if (scbor_get_bstr(buf, len, off, &a, &n) != QSCD_OK)
            return 0;
        dput(d, "h'");
        for (size_t k = 0; k < n; k++)
            dput(d, "%02x", buf[a + k]);
        dput(d, "'");
        scbor_put_bstr(e, buf + a, n);
        break;
    case SCBOR_TSTR:
        if (scbor_get_tstr(buf, len, off, &a, &n) != QSCD_OK)
            return 0;
        *js = json_stringn((const char *)buf + a, n);
        dput(d, "\"%.*s\"", (int)n, (const char *)buf + a);
        scbor_put_tstr(e, buf + a, n);
        break;
    case SCBOR_ARRAY:
        if (scbor_get_array(buf, len, off, &count, &p) != QSCD_OK)
            return 0;
        *js = json_array();
        dput(d, "[");
        scbor_put_array(e, count);
        for (uint64_t k = 0; k < count; k++) {
            json_t *el;
            dput(d, k ? ", " : "");
            p = walk(buf, len, p, &el, d, e);
            if (p == 0)
                return 0;
            json_array_append_new(*js, el ? el : json_null());
        }
        break;
    case SCBOR_MAP:
        if (scbor_get_map(buf, len, off, &count, &p) != QSCD_OK)
            return 0;
        *js = json_object();
        dput(d, "{");
        scbor_put_map(e, count);
        for (uint64_t k = 0; k < count; k++) {
            json_t *key, *val;
            dput(d, k ? ", " : "");
            p = walk(buf, len, p, &key, d, e);
            dput(d, ": ");
            if (p != 0)
                p = walk(buf, len, p, &val, d, e);
            if (p == 0)
                return 0;
            if (json_is_string(key))
                json_object_set_new(*js, json_string_value(key), val ? val : json_null());
            else
                json_decref(val);
            json_decref(key);
        }
        break;
    case SCBOR_TAG:
        if (scbor_get_tag(buf, len, off, &u, &p) != QSCD_OK)
            return 0;
        dput(d, "%" PRIu64 "(", u);
        scbor_put_tag(e, u);
        if (walk(buf, len, p, js, d, e) == 0)
            return 0;
        dput(d, ")");
        if ((u == 2 || u == 3) && scbor_get_bstr(buf, len, p, &a, &n) == QSCD_OK) {
            double v = 0; /* a bignum (RFC 8949 §3.4.3), compared as JSON does: a double */
            for (size_t k = 0; k < n; k++)
                v = v * 256.0 + buf[a + k];
            json_decref(*js);
            *js = json_real(u == 2 ? v : -1.0 - v);
        }
        break;
    default:
        if (scbor_get_bool(buf, len, off, &b) == QSCD_OK) {
            *js = json_boolean(b);
            dput(d, b ? "true" : "false");
            scbor_put_bool(e, b);
        } else if (scbor_is_null(buf, len, off)) {
            *js = json_null();
            dput(d, "null");
            scbor_put_null(e);
        } else {
            return 0;
        }
    }
    if (h.major == SCBOR_ARRAY)
        dput(d, "]");
    else if (h.major == SCBOR_MAP)
        dput(d, "}");
    return next;
}

/* JSON values equal, numbers compared by value (the file is read with every number as a
 * double, JSON_DECODE_INT_AS_REAL, so that 2^64-1 and the bignums load at all). */
static bool same_json(json_t *a, json_t *b)
{
    size_t k;
    const char *key;
    json_t *v;

    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        json_array_foreach(a, k, v)
            if (!same_json(v, json_array_get(b, k)))
                return false;
        return true;
    }
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach(a, key, v)
            if (!same_json(v, json_object_get(b, key)))
                return false;
        return true;
    }
    return json_equal(a, b);
}

/* The RFC's items our profile (with tags, sorted keys, definite lengths) rejects, and why. */
static const struct { const char *hex; int err; } appendix_rejected[] = {
    { "f90000", QSCD_ERR_CBOR_UNSUPPORTED }, { "f98000", QSCD_ERR_CBOR_UNSUPPORTED },
    { "f93c00", QSCD_ERR_CBOR_UNSUPPORTED }, { "fb3ff199999999999a", QSCD_ERR_CBOR_UNSUPPORTED },
    { "f93e00", QSCD_ERR_CBOR_UNSUPPORTED }, { "f97bff", QSCD_ERR_CBOR_UNSUPPORTED },
    { "fa47c35000", QSCD_ERR_CBOR_UNSUPPORTED }, { "fa7f7fffff", QSCD_ERR_CBOR_UNSUPPORTED },
    { "fb7e37e43c8800759c", QSCD_ERR_CBOR_UNSUPPORTED }, { "f90001", QSCD_ERR_CBOR_UNSUPPORTED },
    { "f90400", QSCD_ERR_CBOR_UNSUPPORTED }, { "f9c400", QSCD_ERR_CBOR_UNSUPPORTED },
    { "fbc010666666666666", QSCD_ERR_CBOR_UNSUPPORTED }, { "f97c00", QSCD_ERR_CBOR_UNSUPPORTED },
    { "f97e00", QSCD_ERR_CBOR_UNSUPPORTED }, { "f9fc00", QSCD_ERR_CBOR_UNSUPPORTED },
    { "fa7f800000", QSCD_ERR_CBOR_UNSUPPORTED }, { "fa7fc00000", QSCD_ERR_CBOR_UNSUPPORTED },
    { "faff800000", QSCD_ERR_CBOR_UNSUPPORTED }, { "fb7ff0000000000000", QSCD_ERR_CBOR_UNSUPPORTED },
    { "fb7ff8000000000000", QSCD_ERR_CBOR_UNSUPPORTED }, { "fbfff0000000000000", QSCD_ERR_CBOR_UNSUPPORTED },
    { "f7", QSCD_ERR_CBOR_UNSUPPORTED },              /* undefined */
    { "f0", QSCD_ERR_CBOR_UNSUPPORTED },              /* simple(16), unassigned */
    { "f818", QSCD_ERR_CBOR_MALFORMED },              /* simple(24) below 32: RFC 8949 §3.3 */
    { "f8ff", QSCD_ERR_CBOR_UNSUPPORTED },            /* simple(255), unassigned */
    { "c1fb41d452d9ec200000", QSCD_ERR_CBOR_UNSUPPORTED }, /* a float inside a tag */
    { "5f42010243030405ff", QSCD_ERR_CBOR_INDEFINITE },
    { "7f657374726561646d696e67ff", QSCD_ERR_CBOR_INDEFINITE },
    { "9fff", QSCD_ERR_CBOR_INDEFINITE },
    { "9f018202039f0405ffff", QSCD_ERR_CBOR_INDEFINITE },
    { "9f01820203820405ff", QSCD_ERR_CBOR_INDEFINITE },
    { "83018202039f0405ff", QSCD_ERR_CBOR_INDEFINITE },
    { "83019f0203ff820405", QSCD_ERR_CBOR_INDEFINITE },
    { "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", QSCD_ERR_CBOR_INDEFINITE },
    { "bf61610161629f0203ffff", QSCD_ERR_CBOR_INDEFINITE },
    { "826161bf61626163ff", QSCD_ERR_CBOR_INDEFINITE },
    { "bf6346756ef563416d7421ff", QSCD_ERR_CBOR_INDEFINITE },
};
#define N_REJECTED (sizeof appendix_rejected / sizeof appendix_rejected[0])

static int expected_rejection(const char *hex)
{
    for (size_t k = 0; k < N_REJECTED; k++)
        if (strcmp(appendix_rejected[k].hex, hex) == 0)
            return appendix_rejected[k].err;
    return QSCD_OK;
}

/* RFC 8949 Appendix A: every item is accepted and equals the RFC's value (and re-encodes to
 * the same bytes when the RFC says it round-trips), or is rejected for its listed reason. */
static void test_appendix_a_SRA_SAP_2_1(void)
{
    const scbor_limits lim = { 8, 1024, 65536, SCBOR_ALLOW_TAGS | SCBOR_REQUIRE_SORTED };
    json_t *all = load_json(APPENDIX_A), *v;
    size_t idx, accepted = 0, rejected = 0;
    static uint8_t in[MAX_ITEM], out[MAX_ITEM];

    CU_ASSERT_FATAL(all != NULL);
    CU_ASSERT_EQUAL(json_array_size(all), 82);
    json_array_foreach(all, idx, v) {
        const char *hex = json_string_value(json_object_get(v, "hex"));
        json_t *dec = json_object_get(v, "decoded"), *mine = NULL;
        const char *dg = json_string_value(json_object_get(v, "diagnostic"));
        long n = unit_hex(hex, in, sizeof in);
        size_t item_len = 0;
        int rc, want = expected_rejection(hex);
        diag d = { "", 0 };
        scbor_enc e;

        CU_ASSERT_FATAL(n >= 0);
        rc = scbor_check(in, (size_t)n, &lim, &item_len);
        if (rc != want)
            fprintf(stderr, "appendix A %s: %s, expected %s\n", hex, qscd_err_name(rc), qscd_err_name(want));
        CU_ASSERT_EQUAL(rc, want);
        if (rc != QSCD_OK) {
            rejected++;
            continue;
        }
        accepted++;
        CU_ASSERT_EQUAL(item_len, (size_t)n);
        scbor_enc_init(&e, out, sizeof out);
        CU_ASSERT_EQUAL(walk(in, (size_t)n, 0, &mine, &d, &e), (size_t)n);
        CU_ASSERT_EQUAL(e.err, QSCD_OK);
        if (dec != NULL) {
            if (!same_json(mine, dec))
                fprintf(stderr, "appendix A %s: decoded %s\n", hex, d.s);
            CU_ASSERT(same_json(mine, dec));
        } else {
            if (dg == NULL || strcmp(d.s, dg) != 0)
                fprintf(stderr, "appendix A %s: %s, expected %s\n", hex, d.s, dg ? dg : "?");
            CU_ASSERT(dg != NULL && strcmp(d.s, dg) == 0);
        }
        /* RFC 8949 §4.2.1: our deterministic encoder writes the RFC's own bytes back */
        if (json_is_true(json_object_get(v, "roundtrip"))) {
            CU_ASSERT_EQUAL(e.len, (size_t)n);
            CU_ASSERT(e.len == (size_t)n && memcmp(out, in, e.len) == 0);
        }
        json_decref(mine);
    }
    CU_ASSERT_EQUAL(rejected, N_REJECTED);
    CU_ASSERT_EQUAL(accepted + rejected, 82);
    json_decref(all);
}

/* The same items with indefinite lengths allowed: all indefinite ones are well-formed, scbor_skip
 * walks each whole, and the one with unsorted keys is still refused for it. */
static void test_appendix_a_indefinite(void)
{
    const scbor_limits lim = { 8, 1024, 65536,
                               SCBOR_ALLOW_TAGS | SCBOR_REQUIRE_SORTED | SCBOR_ALLOW_INDEFINITE };
    static uint8_t in[MAX_ITEM];
    size_t item_len = 0, next = 0;
    int seen = 0;

    for (size_t k = 0; k < N_REJECTED; k++) {
        long n;
        int rc;

        if (appendix_rejected[k].err != QSCD_ERR_CBOR_INDEFINITE)
            continue;
        seen++;
        n = unit_hex(appendix_rejected[k].hex, in, sizeof in);
        rc = scbor_check(in, (size_t)n, &lim, &item_len);
        if (strcmp(appendix_rejected[k].hex, "bf6346756ef563416d7421ff") == 0) {
            CU_ASSERT_EQUAL(rc, QSCD_ERR_CBOR_UNSORTED); /* "Fun" before "Amt" */
            continue;
        }
        CU_ASSERT_EQUAL(rc, QSCD_OK);
        CU_ASSERT_EQUAL(scbor_skip(in, (size_t)n, 0, &next), QSCD_OK);
        CU_ASSERT_EQUAL(next, (size_t)n);
    }
    CU_ASSERT_EQUAL(seen, 11);
}

/* ------------------------------------------------------------------------- decode vectors */

static uint32_t flags_of(json_t *arr)
{
    size_t k;
    json_t *f;
    uint32_t flags = 0;

    json_array_foreach(arr, k, f) {
        const char *s = json_string_value(f);
        if (strcmp(s, "ALLOW_INDEFINITE") == 0)
            flags |= SCBOR_ALLOW_INDEFINITE;
        else if (strcmp(s, "REQUIRE_SORTED") == 0)
            flags |= SCBOR_REQUIRE_SORTED;
        else if (strcmp(s, "ALLOW_TAGS") == 0)
            flags |= SCBOR_ALLOW_TAGS;
        else
            CU_FAIL("unknown flag in the vectors");
    }
    return flags;
}

/* vectors/cbor/scbor_decode_test.json: every case gives the result and error it states, and
 * the file holds as many cases as it says. SRA_SAP.2.1, SRA_SAP.1.6. */
static void test_decode_vectors_SRA_SAP_1_6(void)
{
    json_t *doc = load_json(DECODE_VECTORS), *g, *t;
    size_t gi, ti;
    long count = 0, failed = 0, last_id = 0;
    static uint8_t in[MAX_ITEM];

    CU_ASSERT_FATAL(doc != NULL);
    json_array_foreach(json_object_get(doc, "testGroups"), gi, g) {
        json_t *l = json_object_get(g, "limits");
        scbor_limits lim = { (uint32_t)json_number_value(json_object_get(l, "maxDepth")),
                             (uint32_t)json_number_value(json_object_get(l, "maxItems")),
                             (uint32_t)json_number_value(json_object_get(l, "maxStr")),
                             flags_of(json_object_get(l, "flags")) };

        json_array_foreach(json_object_get(g, "tests"), ti, t) {
            long id = (long)json_number_value(json_object_get(t, "tcId"));
            const char *res = json_string_value(json_object_get(t, "result"));
            const char *want = json_string_value(json_object_get(t, "error"));
            long n = unit_hex(json_string_value(json_object_get(t, "input")), in, sizeof in);
            size_t item_len = 0, next = 0;
            int rc;

            count++;
            CU_ASSERT_EQUAL(id, last_id + 1); /* tcIds are 1, 2, 3, ... */
            last_id = id;
            CU_ASSERT_FATAL(n >= 0);
            rc = scbor_check(in, (size_t)n, &lim, &item_len);
            if (strcmp(res, "valid") == 0) {
                if (rc != QSCD_OK) {
                    fprintf(stderr, "tcId %ld: %s\n", id, qscd_err_name(rc));
                    failed++;
                }
                /* what the validator accepts, the skipper walks to its end */
                CU_ASSERT(rc != QSCD_OK || (scbor_skip(in, (size_t)n, 0, &next) == QSCD_OK &&
                                            next == (size_t)n && item_len == (size_t)n));
            } else if (rc == QSCD_OK || strcmp(qscd_err_name(rc), want) != 0) {
                fprintf(stderr, "tcId %ld: %s, expected %s\n", id, qscd_err_name(rc), want);
                failed++;
            }
        }
    }
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(count, (long)json_number_value(json_object_get(doc, "numberOfTests")));
    CU_ASSERT(count >= 80);
    json_decref(doc);
}

/* ---------------------------------------------------------------------------- encoder */

static const uint64_t boundaries[] = {
    0, 1, 23, 24, 25, 255, 256, 1000, 65535, 65536, 1000000, 0xFFFFFFFFu, 0x100000000u,
    1000000000000u, 0x7FFFFFFFFFFFFFFFu, 0xFFFFFFFFFFFFFFFFu,
};

static size_t shortest(uint64_t v)
{
    return v < 24 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v <= 0xFFFFFFFFu ? 5 : 9;
}

/* Heads of every major type at every size boundary, and pseudo-random arguments: the decoder
 * reads back what the encoder wrote, in the shortest form (RFC 8949 §4.2.1). */
static void test_head_roundtrip(void)
{
    uint8_t buf[16];
    uint64_t x = 0x9E3779B97F4A7C15u;

    for (unsigned m = 0; m <= 6; m++) {
        for (size_t k = 0; k < sizeof boundaries / sizeof boundaries[0] + 2000; k++) {
            uint64_t v;
            scbor_enc e;
            scbor_head h;

            if (k < sizeof boundaries / sizeof boundaries[0]) {
                v = boundaries[k];
            } else {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                v = x >> (x % 64); /* every magnitude */
            }
            scbor_enc_init(&e, buf, sizeof buf);
            scbor_put_head(&e, (uint8_t)m, v);
            CU_ASSERT_EQUAL(e.err, QSCD_OK);
            CU_ASSERT_EQUAL(e.len, shortest(v));
            CU_ASSERT_EQUAL(scbor_head_decode(buf, e.len, 0, &h), QSCD_OK);
            CU_ASSERT(h.major == m && h.arg == v && h.head_len == e.len && !h.indefinite);
            /* one byte short: truncated */
            if (e.len > 1)
                CU_ASSERT_EQUAL(scbor_head_decode(buf, e.len - 1, 0, &h), QSCD_ERR_CBOR_TRUNCATED);
        }
    }
}

/* int64 at its limits, both ways. */
static void test_int_range(void)
{
    static const int64_t vals[] = { 0, -1, 23, -24, -25, 100, -1000, INT64_MAX, INT64_MIN };
    uint8_t buf[16];
    int64_t got = 0;
    long n;

    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        scbor_enc e;
        scbor_enc_init(&e, buf, sizeof buf);
        scbor_put_int(&e, vals[k]);
        CU_ASSERT_EQUAL(scbor_get_int(buf, e.len, 0, &got), QSCD_OK);
        CU_ASSERT_EQUAL(got, vals[k]);
    }
    n = unit_hex("3b7fffffffffffffff", buf, sizeof buf); /* -2^63 */
    CU_ASSERT(scbor_get_int(buf, (size_t)n, 0, &got) == QSCD_OK && got == INT64_MIN);
    n = unit_hex("3b8000000000000000", buf, sizeof buf); /* -2^63 - 1 */
    CU_ASSERT_EQUAL(scbor_get_int(buf, (size_t)n, 0, &got), QSCD_ERR_CBOR_TOO_LARGE);
    n = unit_hex("1b8000000000000000", buf, sizeof buf); /* 2^63 */
    CU_ASSERT_EQUAL(scbor_get_int(buf, (size_t)n, 0, &got), QSCD_ERR_CBOR_TOO_LARGE);
    CU_ASSERT_EQUAL(got, INT64_MIN); /* untouched by the failures */
}

/* A fixed message of every kind, encoded at every capacity: below the size it needs the error
 * is QSCD_ERR_BUFFER_TOO_SMALL, sticky, and not one byte is written at or after the capacity. */
static size_t put_sample(scbor_enc *e)
{
    static const uint8_t blob[300] = { 1, 2, 3 };

    scbor_put_map(e, 5);
    scbor_put_uint(e, 1);
    scbor_put_bstr(e, blob, sizeof blob);
    scbor_put_uint(e, 2);
    scbor_put_tstr(e, (const uint8_t *)"h\xc3\xa9llo", 6);
    scbor_put_uint(e, 3);
    scbor_put_array(e, 3);
    scbor_put_int(e, -70000);
    scbor_put_bool(e, true);
    scbor_put_null(e);
    scbor_put_int(e, -1);
    scbor_put_tag(e, 1);
    scbor_put_uint(e, 0x100000000u);
    scbor_put_tstr(e, (const uint8_t *)"k", 1);
    scbor_put_raw(e, (const uint8_t *)"\xa0", 1);
    return e->len;
}

static void test_encoder_bounds(void)
{
    static uint8_t buf[512];
    scbor_enc e;
    size_t full, item_len = 0;

    scbor_enc_init(&e, buf, sizeof buf);
    full = put_sample(&e);
    CU_ASSERT_EQUAL(e.err, QSCD_OK);
    CU_ASSERT_EQUAL(scbor_check(buf, full, &scbor_limits_default, &item_len), QSCD_ERR_CBOR_UNSUPPORTED);
    {
        const scbor_limits tags = { 8, 1024, 65536, SCBOR_REQUIRE_SORTED | SCBOR_ALLOW_TAGS };
        CU_ASSERT_EQUAL(scbor_check(buf, full, &tags, &item_len), QSCD_OK);
    }
    for (size_t cap = 0; cap < full; cap++) {
        memset(buf, 0xEE, sizeof buf);
        scbor_enc_init(&e, buf, cap);
        put_sample(&e);
        CU_ASSERT_EQUAL(e.err, QSCD_ERR_BUFFER_TOO_SMALL);
        CU_ASSERT(e.len <= cap);
        for (size_t k = cap; k < sizeof buf; k++)
            if (buf[k] != 0xEE) {
                CU_FAIL("write past the capacity");
                break;
            }
    }
}

/* Text that is not UTF-8 is refused by the encoder as by the decoder. */
static void test_encoder_utf8(void)
{
    uint8_t buf[16];
    scbor_enc e;

    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_tstr(&e, (const uint8_t *)"\xed\xa0\x80", 3); /* a surrogate */
    CU_ASSERT_EQUAL(e.err, QSCD_ERR_CBOR_UTF8);
    CU_ASSERT_EQUAL(e.len, 0);
    scbor_put_uint(&e, 1); /* sticky */
    CU_ASSERT(e.err == QSCD_ERR_CBOR_UTF8 && e.len == 0);
    CU_ASSERT(scbor_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4));
    CU_ASSERT(!scbor_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
    CU_ASSERT(scbor_utf8_valid((const uint8_t *)"", 0));
}

/* Generated values: nested arrays and maps with sorted integer and text keys, byte and text
 * strings, integers of every size. The validator accepts them under the default limits, the
 * readers walk them back and the re-encoding is the same bytes. */
static uint64_t rng = 88172645463325252u;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void gen_value(scbor_enc *e, int depth)
{
    uint64_t r = next_rand();
    unsigned kind = depth >= 6 ? (unsigned)(r % 5) : (unsigned)(r % 7);
    uint8_t tmp[40];

    switch (kind) {
    case 0:
        scbor_put_uint(e, next_rand() >> (next_rand() % 64));
        break;
    case 1:
        scbor_put_int(e, -(int64_t)(next_rand() >> (1 + next_rand() % 63)) - 1);
        break;
    case 2:
        for (size_t k = 0; k < sizeof tmp; k++)
            tmp[k] = (uint8_t)next_rand();
        scbor_put_bstr(e, tmp, (size_t)(next_rand() % sizeof tmp));
        break;
    case 3:
        for (size_t k = 0; k < sizeof tmp; k++)
            tmp[k] = (uint8_t)('a' + next_rand() % 26);
        scbor_put_tstr(e, tmp, (size_t)(next_rand() % sizeof tmp));
        break;
    case 4:
        if (r & 0x100)
            scbor_put_bool(e, r & 0x200);
        else
            scbor_put_null(e);
        break;
    case 5: {
        uint64_t n = next_rand() % 6;
        scbor_put_array(e, n);
        for (uint64_t k = 0; k < n; k++)
            gen_value(e, depth + 1);
        break;
    }
    default: {
        /* keys 0, 2, 4, ... then "a", "b", ...: in bytewise order of their encodings */
        uint64_t n = next_rand() % 6, ni = n / 2;
        scbor_put_map(e, n);
        for (uint64_t k = 0; k < n; k++) {
            if (k < ni) {
                scbor_put_uint(e, k * 20);
            } else {
                uint8_t c = (uint8_t)('a' + k);
                scbor_put_tstr(e, &c, 1);
            }
            gen_value(e, depth + 1);
        }
    }
    }
}

static void test_value_roundtrip(void)
{
    static uint8_t buf[MAX_ITEM], again[MAX_ITEM];

    for (int round = 0; round < 2000; round++) {
        scbor_enc e, e2;
        size_t item_len = 0, next = 0;
        json_t *j = NULL;
        diag d = { "", 0 };

        scbor_enc_init(&e, buf, sizeof buf);
        gen_value(&e, 1);
        CU_ASSERT_FATAL(e.err == QSCD_OK);
        CU_ASSERT_EQUAL(scbor_check(buf, e.len, &scbor_limits_default, &item_len), QSCD_OK);
        CU_ASSERT_EQUAL(scbor_skip(buf, e.len, 0, &next), QSCD_OK);
        CU_ASSERT_EQUAL(next, e.len);
        scbor_enc_init(&e2, again, sizeof again);
        CU_ASSERT_EQUAL(walk(buf, e.len, 0, &j, &d, &e2), e.len);
        CU_ASSERT(e2.err == QSCD_OK && e2.len == e.len && memcmp(buf, again, e.len) == 0);
        json_decref(j);
        /* every strict prefix is truncated */
        if (round % 50 == 0)
            for (size_t n = 0; n < e.len; n++)
                CU_ASSERT_EQUAL(scbor_check(buf, n, &scbor_limits_default, &item_len),
                                QSCD_ERR_CBOR_TRUNCATED);
    }
}

/* ---------------------------------------------------------------------------- readers */

static void test_readers(void)
{
    uint8_t buf[128], other[8];
    scbor_enc e;
    size_t v = 0, a = 0, n = 0, first = 0, item_len = 0;
    uint64_t u = 0;
    int64_t i = 0;
    bool b = false;

    /* {1: h'0102', 2: "text", -3: [7, 8], "k": true, "z": null} */
    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 5);
    scbor_put_uint(&e, 1);
    scbor_put_bstr(&e, (const uint8_t *)"\x01\x02", 2);
    scbor_put_uint(&e, 2);
    scbor_put_tstr(&e, (const uint8_t *)"text", 4);
    scbor_put_int(&e, -3);
    scbor_put_array(&e, 2);
    scbor_put_uint(&e, 7);
    scbor_put_uint(&e, 8);
    scbor_put_tstr(&e, (const uint8_t *)"k", 1);
    scbor_put_bool(&e, true);
    scbor_put_tstr(&e, (const uint8_t *)"z", 1);
    scbor_put_null(&e);
    CU_ASSERT_FATAL(e.err == QSCD_OK);
    CU_ASSERT_EQUAL(scbor_check(buf, e.len, &scbor_limits_default, &item_len), QSCD_OK);

    CU_ASSERT_EQUAL(scbor_map_find_int(buf, e.len, 0, 1, &v), QSCD_OK);
    CU_ASSERT(scbor_get_bstr(buf, e.len, v, &a, &n) == QSCD_OK && n == 2 && buf[a] == 1 && buf[a + 1] == 2);
    CU_ASSERT_EQUAL(scbor_get_tstr(buf, e.len, v, &a, &n), QSCD_ERR_CBOR_TYPE);
    CU_ASSERT_EQUAL(scbor_map_find_int(buf, e.len, 0, 2, &v), QSCD_OK);
    CU_ASSERT(scbor_get_tstr(buf, e.len, v, &a, &n) == QSCD_OK && n == 4 && memcmp(buf + a, "text", 4) == 0);
    CU_ASSERT_EQUAL(scbor_map_find_int(buf, e.len, 0, -3, &v), QSCD_OK);
    CU_ASSERT(scbor_get_array(buf, e.len, v, &u, &first) == QSCD_OK && u == 2);
    CU_ASSERT(scbor_get_uint(buf, e.len, first, &u) == QSCD_OK && u == 7);
    CU_ASSERT(scbor_skip(buf, e.len, first, &a) == QSCD_OK && scbor_get_int(buf, e.len, a, &i) == QSCD_OK && i == 8);
    CU_ASSERT_EQUAL(scbor_get_map(buf, e.len, v, &u, &first), QSCD_ERR_CBOR_TYPE);
    CU_ASSERT_EQUAL(scbor_map_find_tstr(buf, e.len, 0, (const uint8_t *)"k", 1, &v), QSCD_OK);
    CU_ASSERT(scbor_get_bool(buf, e.len, v, &b) == QSCD_OK && b);
    CU_ASSERT_EQUAL(scbor_map_find_tstr(buf, e.len, 0, (const uint8_t *)"z", 1, &v), QSCD_OK);
    CU_ASSERT(scbor_is_null(buf, e.len, v));
    CU_ASSERT_EQUAL(scbor_get_bool(buf, e.len, v, &b), QSCD_ERR_CBOR_TYPE);
    /* absent keys, and the key "text" is a value, not a key */
    v = 77;
    CU_ASSERT_EQUAL(scbor_map_find_int(buf, e.len, 0, 3, &v), QSCD_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(scbor_map_find_tstr(buf, e.len, 0, (const uint8_t *)"text", 4, &v), QSCD_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(scbor_map_find_tstr(buf, e.len, 0, (const uint8_t *)"", 0, &v), QSCD_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(v, 77);
    /* by encoding: the key -3 is 0x22 */
    other[0] = 0x22;
    CU_ASSERT_EQUAL(scbor_map_find_enc(buf, e.len, 0, other, 0, 1, &v), QSCD_OK);
    CU_ASSERT(scbor_get_array(buf, e.len, v, &u, &first) == QSCD_OK && u == 2);
    /* not a map; past the end; a map cut short */
    CU_ASSERT_EQUAL(scbor_map_find_int(buf, e.len, 1, 1, &v), QSCD_ERR_CBOR_TYPE);
    CU_ASSERT_EQUAL(scbor_map_find_int(buf, e.len, e.len, 1, &v), QSCD_ERR_CBOR_TRUNCATED);
    CU_ASSERT_EQUAL(scbor_map_find_int(buf, 10, 0, 1 + 100, &v), QSCD_ERR_CBOR_TRUNCATED);
    /* a tag and what it tags */
    n = (size_t)unit_hex("c11a514b67b0", buf, sizeof buf);
    CU_ASSERT(scbor_get_tag(buf, n, 0, &u, &a) == QSCD_OK && u == 1 && a == 1);
    CU_ASSERT(scbor_get_uint(buf, n, a, &u) == QSCD_OK && u == 1363896240u);
    CU_ASSERT_EQUAL(scbor_get_tag(buf, 1, 0, &u, &a), QSCD_ERR_CBOR_TRUNCATED);
    /* an indefinite array is skipped, not read */
    n = (size_t)unit_hex("9f01829f02ff03ff", buf, sizeof buf);
    CU_ASSERT(scbor_skip(buf, n, 0, &a) == QSCD_OK && a == n);
    CU_ASSERT_EQUAL(scbor_get_array(buf, n, 0, &u, &first), QSCD_ERR_CBOR_INDEFINITE);
    CU_ASSERT_EQUAL(scbor_skip(buf, n - 1, 0, &a), QSCD_ERR_CBOR_TRUNCATED);
    /* counts are checked against the bytes left */
    n = (size_t)unit_hex("9a20306fee00", buf, sizeof buf);
    CU_ASSERT_EQUAL(scbor_get_array(buf, n, 0, &u, &first), QSCD_ERR_CBOR_TRUNCATED);
    CU_ASSERT_EQUAL(scbor_skip(buf, n, 0, &a), QSCD_ERR_CBOR_TRUNCATED);
}

/* Arguments the validator refuses before reading anything, and outputs left alone. */
static void test_check_arguments(void)
{
    const uint8_t one[1] = { 0 };
    const scbor_limits deep = { SCBOR_MAX_DEPTH + 1, 10, 10, 0 };
    size_t item_len = 1234;

    CU_ASSERT_EQUAL(scbor_check(one, 1, &deep, &item_len), QSCD_ERR_ARG);
    CU_ASSERT_EQUAL(scbor_check_at(one, 1, 2, &scbor_limits_default), QSCD_ERR_ARG);
    CU_ASSERT_EQUAL(scbor_check_at(one, 1, 1, &scbor_limits_default), QSCD_ERR_CBOR_TRUNCATED);
    CU_ASSERT_EQUAL(scbor_check(one, 0, &scbor_limits_default, &item_len), QSCD_ERR_CBOR_TRUNCATED);
    CU_ASSERT_EQUAL(item_len, 1234);
    CU_ASSERT_EQUAL(scbor_check(one, 1, &scbor_limits_default, &item_len), QSCD_OK);
    CU_ASSERT_EQUAL(item_len, 1);
}

UNIT_SUITE(scbor)
{
    static const unit_test tests[] = {
        { "appendix_a_SRA_SAP_2_1", test_appendix_a_SRA_SAP_2_1 },
        { "appendix_a_indefinite", test_appendix_a_indefinite },
        { "decode_vectors_SRA_SAP_1_6", test_decode_vectors_SRA_SAP_1_6 },
        { "head_roundtrip", test_head_roundtrip },
        { "int_range", test_int_range },
        { "encoder_bounds", test_encoder_bounds },
        { "encoder_utf8", test_encoder_utf8 },
        { "value_roundtrip", test_value_roundtrip },
        { "readers", test_readers },
        { "check_arguments", test_check_arguments },
        { NULL, NULL },
    };
    return unit_add_suite("scbor", NULL, NULL, tests);
}
