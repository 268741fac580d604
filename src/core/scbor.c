/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict CBOR validation (contracts in scbor.h): head decoding, UTF-8, byte-range comparison
 * and scbor_check's walk. The walk is one loop, one head per step, with an explicit stack of
 * open containers (no recursion). Every read is guarded by a direct comparison of its index
 * with the end of the input, never by a difference of two offsets: that is what lets EVA, which
 * does not relate variables, find no alarm, and WP prove the same reads.
 */
#include "scbor.h"

const scbor_limits scbor_limits_default = { 8u, 1024u, 65536u, SCBOR_REQUIRE_SORTED };

/* ------------------------------------------------------------------------------- heads */

/*@ requires \valid_read(p + (0 .. 1));
    terminates \true;
    assigns \nothing;
    ensures \result == scbor_be2(p);
*/
static uint16_t scbor_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] * 256u + p[1]);
}

/*@ requires \valid_read(p + (0 .. 3));
    terminates \true;
    assigns \nothing;
    ensures \result == scbor_be4(p);
*/
static uint32_t scbor_rd32(const uint8_t *p)
{
    return (uint32_t)scbor_rd16(p) * 65536u + scbor_rd16(p + 2);
}

/*@ requires \valid_read(p + (0 .. 7));
    terminates \true;
    assigns \nothing;
    ensures \result == scbor_be8(p);
*/
static uint64_t scbor_rd64(const uint8_t *p)
{
    return (uint64_t)scbor_rd32(p) * 4294967296u + scbor_rd32(p + 4);
}

/* The argument of the head at buf[off] whose additional information is ai (< 28). Each size
 * has its own bound check, with a constant, so that the reads it guards are plainly inside. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires bounds: off < len <= SCBOR_MAX_LEN;
    requires ai: ai == scbor_ai(buf[off]) && ai < 28;
    requires valid_arg: \valid(arg);
    requires sep: \separated(arg, buf + (0 .. len - 1));
    terminates \true;
    assigns *arg;
    behavior ok:
      assumes off + scbor_ai_len(ai) <= len;
      ensures \result == QSCD_OK && *arg == scbor_arg(buf + off);
    behavior truncated:
      assumes off + scbor_ai_len(ai) > len;
      ensures \result == QSCD_ERR_CBOR_TRUNCATED;
    complete behaviors;
    disjoint behaviors;
*/
static int scbor_arg_read(const uint8_t *buf, size_t len, size_t off, uint32_t ai, uint64_t *arg)
{
    int rc = QSCD_OK;

    if (ai < 24u)
        *arg = ai;
    else if (ai == 24u) {
        if (off + 2u > len)
            rc = QSCD_ERR_CBOR_TRUNCATED;
        else
            *arg = buf[off + 1u];
    } else if (ai == 25u) {
        if (off + 3u > len)
            rc = QSCD_ERR_CBOR_TRUNCATED;
        else
            *arg = scbor_rd16(buf + off + 1u);
    } else if (ai == 26u) {
        if (off + 5u > len)
            rc = QSCD_ERR_CBOR_TRUNCATED;
        else
            *arg = scbor_rd32(buf + off + 1u);
    } else {
        if (off + 9u > len)
            rc = QSCD_ERR_CBOR_TRUNCATED;
        else
            *arg = scbor_rd64(buf + off + 1u);
    }
    return rc;
}

/* Shortest-form rule of RFC 8949 §4.2.1 for majors 0..6; for major 7 only simple(24) has a
 * rule (value >= 32, §3.3); floats have none. */
/*@ requires mt <= 7 && ai < 28;
    terminates \true;
    assigns \nothing;
    ensures \result == QSCD_OK || \result == QSCD_ERR_CBOR_NONMINIMAL || \result == QSCD_ERR_CBOR_MALFORMED;
    ensures ok: \result == QSCD_OK <==>
      (mt == 7 ? (ai == 24 ==> arg >= 32) :
       ((ai == 24 ==> arg >= 24) && (ai == 25 ==> arg >= 256) &&
        (ai == 26 ==> arg >= 65536) && (ai == 27 ==> arg >= 4294967296)));
*/
static int scbor_arg_minimal(uint32_t mt, uint32_t ai, uint64_t arg)
{
    int rc = QSCD_OK;

    if (mt == 7u) {
        if (ai == 24u && arg < 32u)
            rc = QSCD_ERR_CBOR_MALFORMED;
    } else if ((ai == 24u && arg < 24u) || (ai == 25u && arg < 256u) ||
               (ai == 26u && arg < 65536u) || (ai == 27u && arg < 4294967296u)) {
        rc = QSCD_ERR_CBOR_NONMINIMAL;
    }
    return rc;
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result == scbor_ai_len(ai);
*/
static size_t scbor_ai_size(uint32_t ai)
{
    size_t n = 1;

    if (ai == 24u)
        n = 2;
    else if (ai == 25u)
        n = 3;
    else if (ai == 26u)
        n = 5;
    else if (ai == 27u)
        n = 9;
    return n;
}

int scbor_head_decode(const uint8_t *buf, size_t len, size_t off, scbor_head *head)
{
    int rc = QSCD_OK;
    uint64_t arg = 0;
    uint32_t mt, ai;

    if (len > SCBOR_MAX_LEN) {
        rc = QSCD_ERR_CBOR_TOO_LARGE;
    } else if (off >= len) {
        rc = QSCD_ERR_CBOR_TRUNCATED;
    } else {
        mt = buf[off] / 32u;
        ai = buf[off] % 32u;
        if (ai >= 28u && ai <= 30u)
            rc = QSCD_ERR_CBOR_MALFORMED;
        else if (ai == 31u && (mt <= 1u || mt == 6u))
            rc = QSCD_ERR_CBOR_MALFORMED;
        else if (ai < 28u)
            rc = scbor_arg_read(buf, len, off, ai, &arg);
        if (rc == QSCD_OK && ai < 28u)
            rc = scbor_arg_minimal(mt, ai, arg);
        if (rc == QSCD_OK) {
            head->arg = arg;
            head->head_len = scbor_ai_size(ai);
            head->major = mt;
            head->ai = ai;
            head->indefinite = ai == 31u;
        }
    }
    return rc;
}

/* -------------------------------------------------------------------------------- UTF-8 */

/* A UTF-8 lead byte: how many continuation bytes follow it (-1: not a lead byte) and the range
 * of the first one, which is where overlong forms (E0, F0), surrogates (ED) and code points
 * above U+10FFFF (F4) are excluded (RFC 3629 §4). */
/*@ requires \valid(lo) && \valid(hi) && \separated(lo, hi);
    terminates \true;
    assigns *lo, *hi;
    ensures -1 <= \result <= 3;
*/
static int scbor_utf8_lead(uint8_t b, uint8_t *lo, uint8_t *hi)
{
    int need = -1;

    *lo = 0x80u;
    *hi = 0xBFu;
    if (b < 0x80u) {
        need = 0;
    } else if (b >= 0xC2u && b <= 0xDFu) {
        need = 1;
    } else if (b >= 0xE0u && b <= 0xEFu) {
        need = 2;
        if (b == 0xE0u)
            *lo = 0xA0u;
        else if (b == 0xEDu)
            *hi = 0x9Fu;
    } else if (b >= 0xF0u && b <= 0xF4u) {
        need = 3;
        if (b == 0xF0u)
            *lo = 0x90u;
        else if (b == 0xF4u)
            *hi = 0x8Fu;
    }
    return need;
}

/* The bytes of the code point whose lead byte is s[i]: its length, or 0 when it is not valid. */
/*@ requires \valid_read(s + (0 .. end - 1));
    requires i < end <= SCBOR_MAX_LEN;
    terminates \true;
    assigns \nothing;
    ensures \result <= 4;
    ensures \result > 0 ==> i + \result <= end;
*/
static size_t scbor_utf8_char(const uint8_t *s, size_t i, size_t end)
{
    uint8_t lo, hi;
    int need = scbor_utf8_lead(s[i], &lo, &hi);
    size_t n = 0;

    if (need == 0)
        n = 1;
    else if (need > 0 && i + 1u < end && s[i + 1u] >= lo && s[i + 1u] <= hi) {
        if (need == 1)
            n = 2;
        else if (i + 2u < end && s[i + 2u] >= 0x80u && s[i + 2u] <= 0xBFu) {
            if (need == 2)
                n = 3;
            else if (i + 3u < end && s[i + 3u] >= 0x80u && s[i + 3u] <= 0xBFu)
                n = 4;
        }
    }
    return n;
}

bool scbor_utf8_at(const uint8_t *s, size_t from, size_t end)
{
    size_t i = from;
    bool ok = true;

    /*@ loop invariant from <= i <= end;
        loop assigns i, ok;
        loop variant end - i;
    */
    while (i < end) {
        size_t n = scbor_utf8_char(s, i, end);
        if (n == 0) {
            ok = false;
            break;
        }
        i += n;
    }
    return ok;
}

bool scbor_utf8_valid(const uint8_t *s, size_t n)
{
    return n <= SCBOR_MAX_LEN && scbor_utf8_at(s, 0, n);
}

/* ---------------------------------------------------------------------- byte ranges */

int scbor_range_cmp(const uint8_t *pa, size_t a, size_t a_end, const uint8_t *pb, size_t b,
                    size_t b_end)
{
    size_t i = a, j = b;
    int c = 0;

    /*@ loop invariant a <= i <= a_end && b <= j <= b_end;
        loop invariant i - a == j - b;
        loop invariant same: \forall integer k; a <= k < i ==> pa[k] == pb[k - a + b];
        loop assigns i, j;
        loop variant a_end - i;
    */
    while (i < a_end && j < b_end && pa[i] == pb[j]) {
        i++;
        j++;
    }
    if (i < a_end && j < b_end)
        c = pa[i] < pb[j] ? -1 : 1;
    else if (i < a_end)
        c = 1;
    else if (j < b_end)
        c = -1;
    return c;
}

/* ------------------------------------------------------------------------------- walk */

#define SCBOR_F_ARRAY 0u
#define SCBOR_F_MAP   1u
#define SCBOR_F_STR   2u /* the chunks of an indefinite-length string */

/* An open container. Maps count keys and values as elements: a key is expected when `seen`
 * is even. */
typedef struct scbor_frame {
    uint64_t left;   /* definite: elements still to come (>= 1 while the frame is open) */
    uint64_t seen;   /* elements seen; for strings, bytes of the chunks so far */
    size_t first;    /* offset of the first element */
    size_t key;      /* maps: offset of the key being read */
    size_t prev;     /* maps: the previous key is buf[prev .. prev_end-1] */
    size_t prev_end;
    uint32_t kind;   /* SCBOR_F_* */
    uint32_t major;  /* strings: 2 or 3 */
    bool indef;
} scbor_frame;

typedef struct scbor_walk {
    scbor_frame st[SCBOR_MAX_DEPTH];
    size_t off;     /* next byte to read */
    uint32_t depth; /* frames open */
    bool tagged;    /* the previous head was a tag: this head continues the same item */
    bool done;      /* the item is complete */
} scbor_walk;

/*@ // The proved invariant of the walk is only what indexing the stack needs. The frames'
    // offsets are checked where they are used (scbor_key_done): a quantified invariant over
    // the stack, re-proved at every step, would cost more than it tells.
    predicate walk_ok{L}(scbor_walk *w, integer end, scbor_limits *lim) =
      \valid(w) && \valid_read(lim) && w->off <= end &&
      w->depth <= lim->max_depth && lim->max_depth <= SCBOR_MAX_DEPTH;
*/

/*@ // the context every step of the walk runs in
    predicate walk_ctx{L}(uint8_t *buf, integer end, scbor_limits *lim, scbor_walk *w) =
      \valid_read(buf + (0 .. end - 1)) && end <= SCBOR_MAX_LEN && walk_ok(w, end, lim) &&
      \separated(w, buf + (0 .. end - 1)) && \separated(w, lim);

    // a decoded head at w->off
    predicate head_at{L}(scbor_head *h, scbor_walk *w, integer end) =
      \valid_read(h) && \separated(h, w) && h->head_len >= 1 &&
      w->off + h->head_len <= end && h->major <= 7;
*/

/* The content of the string whose head h is at buf[off]: inside the input, within the limits,
 * valid UTF-8 for text. *stop is the offset after the content. */
/*@ requires valid_buf: \valid_read(buf + (0 .. end - 1));
    requires end <= SCBOR_MAX_LEN;
    requires \valid_read(lim) && \valid_read(h) && \valid(stop);
    requires \separated(stop, buf + (0 .. end - 1)) && \separated(stop, lim) && \separated(stop, h);
    requires head: off + h->head_len <= end && h->head_len >= 1;
    terminates \true;
    assigns *stop;
    ensures \result == QSCD_OK ==>
      *stop == off + h->head_len + h->arg && *stop <= end && h->arg <= lim->max_str;
*/
static int scbor_string_data(const uint8_t *buf, size_t end, const scbor_limits *lim, size_t off,
                             const scbor_head *h, size_t *stop)
{
    int rc = QSCD_OK;
    size_t start = off + h->head_len, last;

    if (h->arg > end) {
        rc = QSCD_ERR_CBOR_TRUNCATED;
    } else {
        last = start + (size_t)h->arg;
        if (last > end)
            rc = QSCD_ERR_CBOR_TRUNCATED;
        else if (h->arg > lim->max_str)
            rc = QSCD_ERR_CBOR_TOO_LARGE;
        else if (h->major == SCBOR_TSTR && !scbor_utf8_at(buf, start, last))
            rc = QSCD_ERR_CBOR_UTF8;
        else
            *stop = last;
    }
    return rc;
}

/* Open a frame whose first element is at w->off. */
/*@ requires walk_ok(w, end, lim) && \separated(w, lim);
    requires room: w->depth < lim->max_depth;
    requires kind <= 2;
    requires !indef ==> left >= 1;
    terminates \true;
    assigns w->depth, w->st[0 .. SCBOR_MAX_DEPTH - 1];
    ensures walk_ok(w, end, lim);
    ensures w->off == \old(w->off);
*/
static void scbor_push(scbor_walk *w, size_t end, const scbor_limits *lim, uint32_t kind,
                       uint32_t major, bool indef, uint64_t left)
{
    scbor_frame *f = &w->st[w->depth];

    (void)lim;
    (void)end;
    f->left = left;
    f->seen = 0;
    f->first = w->off;
    f->key = w->off;
    f->prev = w->off;
    f->prev_end = w->off;
    f->kind = kind;
    f->major = major;
    f->indef = indef;
    w->depth++;
}

/* A break (0xff) closes the innermost indefinite item; anywhere else it is malformed, as it is
 * after a tag or after a map key without its value. */
/*@ requires walk_ok(w, end, lim) && \separated(w, lim);
    requires w->off + 1 <= end;
    terminates \true;
    assigns w->off, w->depth;
    ensures walk_ok(w, end, lim);
    ensures \result == QSCD_OK ==> w->off == \old(w->off) + 1;
*/
static int scbor_on_break(scbor_walk *w, size_t end, const scbor_limits *lim, bool tagged)
{
    int rc = QSCD_ERR_CBOR_MALFORMED;

    (void)end;
    (void)lim;
    if (!tagged && w->depth > 0u) {
        const scbor_frame *f = &w->st[w->depth - 1u];
        if (f->indef && !(f->kind == SCBOR_F_MAP && f->seen % 2u != 0u)) {
            w->off++;
            w->depth--;
            rc = QSCD_OK;
        }
    }
    return rc;
}

/* A chunk of an indefinite string: a definite string of the same major type (RFC 8949
 * §3.2.3); the sum of the chunks is held to max_str as a definite string is. */
/*@ requires walk_ctx(buf, end, lim, w) && head_at(h, w, end);
    requires w->depth >= 1 && w->st[w->depth - 1].kind == SCBOR_F_STR;
    terminates \true;
    assigns w->off, w->st[w->depth - 1].seen;
    ensures walk_ok(w, end, lim);
    ensures \result == QSCD_OK ==> w->off > \old(w->off);
*/
static int scbor_on_chunk(const uint8_t *buf, size_t end, const scbor_limits *lim,
                          scbor_walk *w, const scbor_head *h)
{
    scbor_frame *f = &w->st[w->depth - 1u];
    size_t stop = 0;
    uint64_t total;
    int rc = QSCD_ERR_CBOR_MALFORMED;

    if (h->major == f->major && !h->indefinite) {
        rc = scbor_string_data(buf, end, lim, w->off, h, &stop);
        if (rc == QSCD_OK && (f->seen > SCBOR_MAX_LEN || h->arg > SCBOR_MAX_LEN)) {
            rc = QSCD_ERR_CBOR_TOO_LARGE; /* cannot happen: both are below end */
        } else if (rc == QSCD_OK) {
            total = f->seen + h->arg;
            if (total > lim->max_str || total > SCBOR_MAX_LEN) {
                rc = QSCD_ERR_CBOR_TOO_LARGE;
            } else {
                f->seen = total;
                w->off = stop;
            }
        }
    }
    return rc;
}

/* A string head (major 2 or 3) outside an indefinite string. */
/*@ requires walk_ctx(buf, end, lim, w) && head_at(h, w, end);
    requires \valid(complete) && \separated(complete, w) && \separated(complete, h) &&
             \separated(complete, lim) && \separated(complete, buf + (0 .. end - 1));
    terminates \true;
    assigns w->off, w->depth, w->st[0 .. SCBOR_MAX_DEPTH - 1], *complete;
    ensures walk_ok(w, end, lim);
    ensures \result == QSCD_OK ==> w->off > \old(w->off);
*/
static int scbor_on_string(const uint8_t *buf, size_t end, const scbor_limits *lim,
                           scbor_walk *w, const scbor_head *h, bool *complete)
{
    size_t stop = 0;
    int rc = QSCD_OK;

    if (h->indefinite) {
        if ((lim->flags & SCBOR_ALLOW_INDEFINITE) == 0u) {
            rc = QSCD_ERR_CBOR_INDEFINITE;
        } else if (w->depth >= lim->max_depth) {
            rc = QSCD_ERR_CBOR_DEPTH;
        } else {
            w->off += h->head_len;
            /*@ assert inside: w->off <= end; */
            scbor_push(w, end, lim, SCBOR_F_STR, h->major, true, 0);
        }
    } else {
        rc = scbor_string_data(buf, end, lim, w->off, h, &stop);
        if (rc == QSCD_OK) {
            w->off = stop;
            *complete = true;
        }
    }
    return rc;
}

/* An array or map head (major 4 or 5). Checks in the order: the count fits the input, the
 * depth, the item limit. */
/*@ requires walk_ctx(buf, end, lim, w) && head_at(h, w, end);
    requires h->major == 4 || h->major == 5;
    requires \valid(complete) && \separated(complete, w) && \separated(complete, h) &&
             \separated(complete, lim) && \separated(complete, buf + (0 .. end - 1));
    terminates \true;
    assigns w->off, w->depth, w->st[0 .. SCBOR_MAX_DEPTH - 1], *complete;
    ensures walk_ok(w, end, lim);
    ensures \result == QSCD_OK ==> w->off > \old(w->off);
*/
static int scbor_on_container(const uint8_t *buf, size_t end, const scbor_limits *lim,
                              scbor_walk *w, const scbor_head *h, bool *complete)
{
    uint32_t kind = h->major == SCBOR_MAP ? SCBOR_F_MAP : SCBOR_F_ARRAY;
    size_t start = w->off + h->head_len;
    int rc = QSCD_OK;

    (void)buf;
    if (h->indefinite && (lim->flags & SCBOR_ALLOW_INDEFINITE) == 0u)
        rc = QSCD_ERR_CBOR_INDEFINITE;
    else if (!h->indefinite && !scbor_count_fits(start, end, h->arg, kind == SCBOR_F_MAP))
        rc = QSCD_ERR_CBOR_TRUNCATED;
    else if (w->depth >= lim->max_depth)
        rc = QSCD_ERR_CBOR_DEPTH;
    else if (!h->indefinite && h->arg > lim->max_items)
        rc = QSCD_ERR_CBOR_TOO_LARGE;
    if (rc == QSCD_OK) {
        w->off = start;
        /*@ assert inside: w->off <= end; */
        if (h->indefinite)
            scbor_push(w, end, lim, kind, h->major, true, 0);
        else if (h->arg == 0u)
            *complete = true;
        else
            scbor_push(w, end, lim, kind, h->major, false, kind == SCBOR_F_MAP ? 2u * h->arg : h->arg);
    }
    return rc;
}

/* Any head but a break or a chunk: dispatch on the major type. */
/*@ requires walk_ctx(buf, end, lim, w) && head_at(h, w, end);
    requires \valid(complete) && \separated(complete, w) && \separated(complete, h) &&
             \separated(complete, lim) && \separated(complete, buf + (0 .. end - 1));
    terminates \true;
    assigns w->off, w->depth, w->st[0 .. SCBOR_MAX_DEPTH - 1], w->tagged, *complete;
    ensures walk_ok(w, end, lim);
    ensures \result == QSCD_OK ==> w->off > \old(w->off);
*/
static int scbor_on_head(const uint8_t *buf, size_t end, const scbor_limits *lim, scbor_walk *w,
                         const scbor_head *h, bool *complete)
{
    int rc = QSCD_OK;

    if (h->major == SCBOR_BSTR || h->major == SCBOR_TSTR) {
        rc = scbor_on_string(buf, end, lim, w, h, complete);
    } else if (h->major == SCBOR_ARRAY || h->major == SCBOR_MAP) {
        rc = scbor_on_container(buf, end, lim, w, h, complete);
    } else if (h->major == SCBOR_TAG) {
        if ((lim->flags & SCBOR_ALLOW_TAGS) == 0u) {
            rc = QSCD_ERR_CBOR_UNSUPPORTED;
        } else {
            w->off += h->head_len;
            w->tagged = true;
        }
    } else if (h->major <= SCBOR_NINT || (h->ai >= 20u && h->ai <= 22u)) {
        /* integers; false, true, null */
        w->off += h->head_len;
        *complete = true;
    } else {
        /* undefined, unassigned simple values, floats */
        rc = QSCD_ERR_CBOR_UNSUPPORTED;
    }
    return rc;
}

/* Is the key buf[key .. key_end-1] also among the npairs keys of the map whose first key is at
 * buf[first]? For maps whose keys need not be sorted: O(npairs), each earlier key skipped
 * to and compared. */
/*@ requires \valid_read(buf + (0 .. end - 1)) && end <= SCBOR_MAX_LEN;
    requires first <= end && key <= key_end <= end;
    terminates \true;
    assigns \nothing;
*/
static int scbor_dup_scan(const uint8_t *buf, size_t end, size_t first, uint64_t npairs,
                          size_t key, size_t key_end)
{
    size_t p = first, kend = first;
    uint64_t i;
    int rc = QSCD_OK;

    /*@ loop invariant 0 <= i <= npairs && p <= end;
        loop assigns i, p, kend, rc;
        loop variant npairs - i;
    */
    for (i = 0; i < npairs; i++) {
        rc = scbor_skip(buf, end, p, &kend);
        if (rc != QSCD_OK)
            break;
        if (scbor_range_cmp(buf, p, kend, buf, key, key_end) == 0) {
            rc = QSCD_ERR_CBOR_DUPLICATE_KEY;
            break;
        }
        rc = scbor_skip(buf, end, kend, &p);
        if (rc != QSCD_OK)
            break;
    }
    return rc;
}

/* A map key ended at w->off: it must differ from the earlier keys, and with
 * SCBOR_REQUIRE_SORTED sort after the previous one (RFC 8949 §4.2.1: bytewise order of the
 * encodings, so one comparison per key). */
/*@ requires walk_ctx(buf, end, lim, w);
    requires w->depth >= 1;
    terminates \true;
    assigns w->st[w->depth - 1].prev, w->st[w->depth - 1].prev_end;
    ensures walk_ok(w, end, lim);
*/
static int scbor_key_done(const uint8_t *buf, size_t end, const scbor_limits *lim,
                          scbor_walk *w)
{
    scbor_frame *f = &w->st[w->depth - 1u];
    int rc = QSCD_OK;
    int c;

    if (f->first > w->off || f->key > w->off || f->prev > f->prev_end || f->prev_end > w->off) {
        rc = QSCD_ERR_INTERNAL; /* cannot happen: these offsets were all taken from w->off */
    } else if (f->seen > 0u) {
        if ((lim->flags & SCBOR_REQUIRE_SORTED) != 0u) {
            c = scbor_range_cmp(buf, f->prev, f->prev_end, buf, f->key, w->off);
            if (c == 0)
                rc = QSCD_ERR_CBOR_DUPLICATE_KEY;
            else if (c > 0)
                rc = QSCD_ERR_CBOR_UNSORTED;
        } else {
            rc = scbor_dup_scan(buf, end, f->first, f->seen / 2u, f->key, w->off);
        }
    }
    if (rc == QSCD_OK) {
        f->prev = f->key;
        f->prev_end = w->off;
    }
    return rc;
}

/* An element of the innermost frame ended at w->off. *closed: it was the frame's last, so
 * the frame is closed and the container itself has ended. */
/*@ requires walk_ctx(buf, end, lim, w);
    requires w->depth >= 1;
    requires \valid(closed) && \separated(closed, w) && \separated(closed, lim) &&
             \separated(closed, buf + (0 .. end - 1));
    terminates \true;
    assigns w->st[w->depth - 1], w->depth, *closed;
    ensures walk_ok(w, end, lim);
    ensures w->off == \old(w->off);
    ensures \result == QSCD_OK && *closed ==> w->depth == \old(w->depth) - 1;
*/
static int scbor_item_done(const uint8_t *buf, size_t end, const scbor_limits *lim,
                           scbor_walk *w, bool *closed)
{
    uint32_t d = w->depth - 1u;
    int rc = QSCD_OK;

    *closed = false;
    if (w->st[d].kind == SCBOR_F_MAP && w->st[d].seen % 2u == 0u)
        rc = scbor_key_done(buf, end, lim, w);
    if (rc == QSCD_OK && w->st[d].seen >= SCBOR_MAX_LEN) /* cannot happen: items take bytes */
        rc = QSCD_ERR_CBOR_TOO_LARGE;
    if (rc == QSCD_OK) {
        w->st[d].seen++;
        if (w->st[d].indef) {
            if (w->st[d].seen > (w->st[d].kind == SCBOR_F_MAP ? 2u * (uint64_t)lim->max_items
                                                               : (uint64_t)lim->max_items))
                rc = QSCD_ERR_CBOR_TOO_LARGE;
        } else {
            if (w->st[d].left > 1u) {
                w->st[d].left--;
            } else {
                w->st[d].left = 0;
                w->depth = d;
                *closed = true;
            }
        }
    }
    return rc;
}

/* An item ended at w->off: account for it in the enclosing frames, closing each one it fills. */
/*@ requires walk_ctx(buf, end, lim, w);
    terminates \true;
    assigns w->st[0 .. SCBOR_MAX_DEPTH - 1], w->depth, w->done;
    ensures walk_ok(w, end, lim);
    ensures w->off == \old(w->off);
*/
static int scbor_complete(const uint8_t *buf, size_t end, const scbor_limits *lim,
                          scbor_walk *w)
{
    bool closed = false;
    int rc = QSCD_OK;

    /*@ loop invariant walk_ctx(buf, end, lim, w);
        loop invariant w->off == \at(w->off, Pre);
        loop assigns rc, closed, w->st[0 .. SCBOR_MAX_DEPTH - 1], w->depth, w->done;
        loop variant w->depth;
    */
    for (;;) {
        /*@ slevel merge; */
        if (w->depth == 0u) {
            w->done = true;
            break;
        }
        rc = scbor_item_done(buf, end, lim, w, &closed);
        if (rc != QSCD_OK || !closed)
            break;
    }
    return rc;
}

/* One head of the walk. */
/*@ requires walk_ctx(buf, end, lim, w);
    terminates \true;
    assigns *w;
    ensures walk_ok(w, end, lim);
    ensures progress: \result == QSCD_OK ==> w->off > \old(w->off);
*/
static int scbor_step(const uint8_t *buf, size_t end, const scbor_limits *lim, scbor_walk *w)
{
    scbor_head h = { 0, 0, 0, 0, false };
    bool tagged = w->tagged, complete = false;
    uint32_t d;
    int rc = scbor_head_decode(buf, end, w->off, &h);

    /*@ assert decoded: walk_ok(w, end, lim) && w->off == \at(w->off, Pre); */
    /*@ assert head: rc == QSCD_OK ==> head_at(&h, w, end); */
    w->tagged = false;
    /*@ assert untagged: walk_ctx(buf, end, lim, w) && w->off == \at(w->off, Pre); */
    if (rc == QSCD_OK) {
        /* a head where a map expects a key starts that key (a tagged key started at its tag) */
        d = w->depth;
        if (!tagged && d > 0u && d <= SCBOR_MAX_DEPTH && w->st[d - 1u].kind == SCBOR_F_MAP &&
            w->st[d - 1u].seen % 2u == 0u)
            w->st[d - 1u].key = w->off;
        /*@ assert marked: walk_ctx(buf, end, lim, w) && w->off == \at(w->off, Pre) &&
                           head_at(&h, w, end); */
        if (h.major == SCBOR_SIMPLE && h.indefinite) {
            rc = scbor_on_break(w, end, lim, tagged);
            complete = true;
        } else if (w->depth > 0u && w->st[w->depth - 1u].kind == SCBOR_F_STR) {
            rc = scbor_on_chunk(buf, end, lim, w, &h);
        } else {
            rc = scbor_on_head(buf, end, lim, w, &h, &complete);
        }
    }
    /*@ assert inside: w->off <= end; */
    /*@ slevel merge; */
    if (rc == QSCD_OK && complete)
        rc = scbor_complete(buf, end, lim, w);
    return rc;
}

/* An empty walk starting at off; the frames are cleared too, so that nothing is ever read
 * uninitialised. */
/*@ requires \valid(w);
    terminates \true;
    assigns *w;
    ensures w->off == off && w->depth == 0 && !w->tagged && !w->done;
*/
static void scbor_walk_init(scbor_walk *w, size_t off)
{
    static const scbor_frame empty = { 0, 0, 0, 0, 0, 0, 0, 0, false };
    uint32_t k;

    /*@ loop invariant 0 <= k <= SCBOR_MAX_DEPTH;
        loop assigns k, w->st[0 .. SCBOR_MAX_DEPTH - 1];
        loop variant SCBOR_MAX_DEPTH - k;
    */
    for (k = 0; k < SCBOR_MAX_DEPTH; k++)
        w->st[k] = empty;
    w->off = off;
    w->depth = 0;
    w->tagged = false;
    w->done = false;
}

int scbor_check_at(const uint8_t *buf, size_t len, size_t off, const scbor_limits *limits)
{
    scbor_walk w;
    int rc = QSCD_OK;

    if (len > SCBOR_MAX_LEN) {
        rc = QSCD_ERR_CBOR_TOO_LARGE;
    } else if (limits->max_depth > SCBOR_MAX_DEPTH || off > len) {
        rc = QSCD_ERR_ARG;
    } else {
        scbor_walk_init(&w, off);
        /*@ assert init_cap: limits->max_depth <= SCBOR_MAX_DEPTH; */
        /*@ assert init_walk: walk_ok(&w, len, limits); */
        /*@ assert init_sep: \separated(&w, buf + (0 .. len - 1)) && \separated(&w, limits); */
        /*@ loop invariant ctx: walk_ctx(buf, len, limits, &w);
            loop invariant start: w.off >= off;
            loop invariant !w.done;
            loop assigns w, rc;
            loop variant len - w.off;
        */
        for (;;) {
            rc = scbor_step(buf, len, limits, &w);
            if (rc != QSCD_OK || w.done)
                break;
        }
        if (rc == QSCD_OK && w.off != len)
            rc = QSCD_ERR_CBOR_TRAILING;
    }
    return rc;
}

int scbor_check(const uint8_t *buf, size_t len, const scbor_limits *limits, size_t *item_len)
{
    int rc = scbor_check_at(buf, len, 0, limits);

    if (rc == QSCD_OK)
        *item_len = len;
    return rc;
}
