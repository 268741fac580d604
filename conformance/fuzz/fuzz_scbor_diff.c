/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential harness: the strict decoder (scbor) against libcbor 0.8, an independent
 * implementation. The compared subset is one definite-length item with tags, in any key order
 * (scbor profile: SCBOR_ALLOW_TAGS, depth 16, no size limits below the input's).
 *
 *  - scbor accepts  => libcbor accepts the same bytes whole, and both read the same value
 *    (integers, strings, arrays, maps in order, tags, false/true/null);
 *  - libcbor accepts a definite item and scbor rejects it => the reason must be one of the
 *    documented differences (spec/cbor-profile.md): a non-minimal head, a duplicate map key,
 *    text that is not UTF-8, a float / simple value / undefined (UNSUPPORTED; a simple(24)
 *    below 32 is MALFORMED for scbor), an indefinite length, nesting beyond 16. Truncation,
 *    trailing bytes and other malformations may never be such a reason.
 *
 * libcbor's decoding stack (CBOR_MAX_STACK_SIZE, 2048) counts tags; inputs nested deeper (tags
 * included) are not compared either.
 *
 * libcbor 0.8 refuses the one-byte tag heads 0xc6..0xd4 (tags 6 to 20) as malformed; inputs
 * where it stops on one are not compared (a defect of the oracle, not a difference).
 *
 * libcbor's cbor_load preallocates what a head claims (13 bytes can ask for 4 GB, PJK/libcbor
 * #418): it only runs after a pass of libcbor's non-allocating streaming decoder has checked
 * that no count or length claims more than the bytes left (research notes, toolchain.md §3).
 */
#include <cbor.h>
#include <string.h>

#include "fuzz_common.h"

static const scbor_limits profile = { 16, 0xFFFFFFFFu, 0xFFFFFFFFu, SCBOR_ALLOW_TAGS };

/* ----------------------------------------------------------- libcbor allocation guard */

typedef struct guard { size_t left; int bad; } guard;

static void g_coll(void *c, size_t n)
{
    guard *g = c;
    if (n > g->left)
        g->bad = 1;
}

static void g_map(void *c, size_t n)
{
    guard *g = c;
    if (n > g->left / 2)
        g->bad = 1;
}

/* 1: every head's claim fits the bytes after it. 0: libcbor's streaming decoder refused a head
 * or a claim exceeds the input. 2: libcbor refused a one-byte tag head 0xc6..0xd4 (tags 6 to
 * 20, COSE's 17 and 18 among them), which RFC 8949 makes well-formed: a defect of libcbor 0.8,
 * so nothing is compared. */
static int guard_ok(const uint8_t *buf, size_t len)
{
    struct cbor_callbacks cb = cbor_empty_callbacks;
    guard g = { 0, 0 };
    size_t pos = 0;

    cb.array_start = g_coll;
    cb.map_start = g_map;
    while (pos < len) {
        struct cbor_decoder_result r;
        g.left = len - pos;
        r = cbor_stream_decode(buf + pos, len - pos, &cb, &g);
        if (r.status == CBOR_DECODER_ERROR && buf[pos] >= 0xc6 && buf[pos] <= 0xd4)
            return 2;
        if (r.status != CBOR_DECODER_FINISHED || g.bad || r.read == 0)
            return 0;
        pos += r.read;
    }
    return 1;
}

/* ------------------------------------------------------------------ value comparison */

/* The bytes of a libcbor string (definite, or the chunks of an indefinite one) equal buf[a ..
 * a+n-1]? */
static int same_string(cbor_item_t *it, int text, const uint8_t *p, size_t n)
{
    if (text ? cbor_string_is_definite(it) : cbor_bytestring_is_definite(it))
        return (text ? cbor_string_length(it) : cbor_bytestring_length(it)) == n &&
               memcmp(text ? cbor_string_handle(it) : cbor_bytestring_handle(it), p, n) == 0;
    return 0; /* scbor accepted no indefinite string in this profile */
}

/* Compare the item scbor accepted at buf[off] with libcbor's tree; returns the offset after. */
static size_t same(const uint8_t *buf, size_t len, size_t off, cbor_item_t *it)
{
    scbor_head h;
    size_t next = 0, a = 0, n = 0, p = 0;
    uint64_t count = 0, u = 0;

    CHECK(scbor_head_decode(buf, len, off, &h) == QSCD_OK);
    CHECK(scbor_skip(buf, len, off, &next) == QSCD_OK);
    switch (h.major) {
    case SCBOR_UINT:
        CHECK(cbor_isa_uint(it) && cbor_get_int(it) == h.arg);
        break;
    case SCBOR_NINT:
        CHECK(cbor_isa_negint(it) && cbor_get_int(it) == h.arg);
        break;
    case SCBOR_BSTR:
        CHECK(scbor_get_bstr(buf, len, off, &a, &n) == QSCD_OK);
        CHECK(cbor_isa_bytestring(it) && same_string(it, 0, buf + a, n));
        break;
    case SCBOR_TSTR:
        CHECK(scbor_get_tstr(buf, len, off, &a, &n) == QSCD_OK);
        CHECK(cbor_isa_string(it) && same_string(it, 1, buf + a, n));
        break;
    case SCBOR_ARRAY:
        CHECK(scbor_get_array(buf, len, off, &count, &p) == QSCD_OK);
        CHECK(cbor_isa_array(it) && cbor_array_is_definite(it) && cbor_array_size(it) == count);
        for (uint64_t k = 0; k < count; k++)
            p = same(buf, len, p, cbor_array_handle(it)[k]);
        break;
    case SCBOR_MAP:
        CHECK(scbor_get_map(buf, len, off, &count, &p) == QSCD_OK);
        CHECK(cbor_isa_map(it) && cbor_map_is_definite(it) && cbor_map_size(it) == count);
        for (uint64_t k = 0; k < count; k++) {
            p = same(buf, len, p, cbor_map_handle(it)[k].key);
            p = same(buf, len, p, cbor_map_handle(it)[k].value);
        }
        break;
    case SCBOR_TAG: {
        cbor_item_t *inner;
        CHECK(scbor_get_tag(buf, len, off, &u, &p) == QSCD_OK);
        CHECK(cbor_isa_tag(it) && cbor_tag_value(it) == u);
        inner = cbor_tag_item(it);
        CHECK(same(buf, len, p, inner) == next);
        cbor_decref(&inner);
        break;
    }
    default:
        CHECK(cbor_isa_float_ctrl(it) && cbor_float_get_width(it) == CBOR_FLOAT_0);
        CHECK(cbor_ctrl_value(it) == h.arg);
    }
    return next;
}

/* Nesting as libcbor counts it, tags included (scbor's depth limit does not count tags). */
static size_t libcbor_depth(const uint8_t *buf, size_t len, size_t off)
{
    scbor_head h;
    size_t p = 0, d = 0, next;
    uint64_t count = 0, u = 0;

    CHECK(scbor_head_decode(buf, len, off, &h) == QSCD_OK);
    if (h.major == SCBOR_TAG) {
        CHECK(scbor_get_tag(buf, len, off, &u, &p) == QSCD_OK);
        return 1 + libcbor_depth(buf, len, p);
    }
    if (h.major != SCBOR_ARRAY && h.major != SCBOR_MAP)
        return 0;
    CHECK((h.major == SCBOR_ARRAY ? scbor_get_array : scbor_get_map)(buf, len, off, &count, &p) == QSCD_OK);
    if (h.major == SCBOR_MAP)
        count *= 2;
    for (uint64_t k = 0; k < count; k++) {
        size_t e = libcbor_depth(buf, len, p);
        d = e > d ? e : d;
        CHECK(scbor_skip(buf, len, p, &next) == QSCD_OK);
        p = next;
    }
    return 1 + d;
}

/* The documented reasons scbor may refuse what libcbor accepts. */
static int documented_difference(int rc)
{
    return rc == QSCD_ERR_CBOR_NONMINIMAL || rc == QSCD_ERR_CBOR_DUPLICATE_KEY ||
           rc == QSCD_ERR_CBOR_UTF8 || rc == QSCD_ERR_CBOR_UNSUPPORTED ||
           rc == QSCD_ERR_CBOR_INDEFINITE || rc == QSCD_ERR_CBOR_DEPTH ||
           rc == QSCD_ERR_CBOR_MALFORMED; /* only simple(24) below 32: checked below */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t item_len = 0;
    int rc = scbor_check(data, size, &profile, &item_len);
    struct cbor_load_result res;
    cbor_item_t *it;

    int guard = guard_ok(data, size);

    if (guard == 2)
        return 0;
    if (guard == 0) {
        /* libcbor's streaming decoder refuses, or a claim exceeds the input: scbor, which
         * checks the same claims, must have refused too */
        CHECK(rc != QSCD_OK);
        return 0;
    }
    it = cbor_load(data, size, &res);
    if (rc == QSCD_OK && libcbor_depth(data, size, 0) >= CBOR_MAX_STACK_SIZE) {
        /* beyond libcbor's decoding stack: nothing to compare */
    } else if (rc == QSCD_OK) {
        CHECK(it != NULL && res.error.code == CBOR_ERR_NONE && res.read == size);
        CHECK(same(data, size, 0, it) == size);
    } else if (it != NULL && res.read == size) {
        if (!documented_difference(rc))
            fprintf(stderr, "scbor: %s, libcbor accepts\n", qscd_err_name(rc));
        CHECK(documented_difference(rc));
        if (rc == QSCD_ERR_CBOR_MALFORMED) {
            /* the one malformation libcbor lets through: a two-byte simple value below 32 */
            int found = 0;
            for (size_t k = 0; k + 1 < size; k++)
                found |= data[k] == 0xf8 && data[k + 1] < 0x20;
            CHECK(found);
        }
    }
    if (it != NULL)
        cbor_decref(&it);
    return 0;
}
