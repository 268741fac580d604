/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Readers over validated CBOR (contracts in scbor.h): skip an item, read one typed item, look a
 * key up in a map. Each re-reads the heads it relies on with scbor_head_decode and checks every
 * length and count against the input before it believes it, so a reader stays inside the buffer
 * whatever the buffer holds; what it does not re-check (UTF-8, duplicate keys) scbor_check did.
 */
#include "scbor.h"

/* ---------------------------------------------------------------------------- counts */

bool scbor_count_fits(size_t start, size_t end, uint64_t n, bool is_map)
{
    bool fits = false;
    size_t stop;

    if (n <= end) {
        stop = start + (size_t)n;
        if (is_map && stop <= end)
            stop += (size_t)n;
        fits = stop <= end;
    }
    return fits;
}

/* ------------------------------------------------------------------------------- skip */

/* scbor_skip's state: the items still to read at the current level (need), and the counts
 * saved when an indefinite item opened, which its break restores. */
typedef struct scbor_skipper {
    uint64_t saved[SCBOR_MAX_DEPTH];
    uint64_t need;
    size_t p;
    uint32_t idepth;
} scbor_skipper;

/*@ // The counts are bounded where they are added to (scbor_skip_expect), not by the invariant.
    predicate skipper_ok{L}(scbor_skipper *s, integer len) =
      \valid(s) && s->p <= len && s->idepth <= SCBOR_MAX_DEPTH;
*/

/* k more items to read; false when the bytes left cannot hold them (one byte each). */
/*@ requires skipper_ok(s, len) && len <= SCBOR_MAX_LEN;
    terminates \true;
    assigns s->need;
    ensures skipper_ok(s, len);
*/
static bool scbor_skip_expect(scbor_skipper *s, size_t len, uint64_t k)
{
    uint64_t total;
    bool ok = false;

    if (s->need <= len && k <= len) {
        total = s->need + k;
        if (total <= len && s->p + total <= len) {
            s->need = total;
            ok = true;
        }
    }
    return ok;
}

/* One head h read at s->p. An item inside an indefinite level (need == 0) is not counted; an
 * indefinite item saves the count and starts a level of its own. */
/*@ requires skipper_ok(s, len) && len <= SCBOR_MAX_LEN;
    requires \valid_read(h) && \separated(h, s);
    requires head: h->head_len >= 1 && s->p + h->head_len <= len && h->major <= 7;
    terminates \true;
    assigns *s;
    ensures skipper_ok(s, len);
    ensures progress: \result == QSCD_OK ==> s->p > \old(s->p);
*/
static int scbor_skip_head(size_t len, const scbor_head *h, scbor_skipper *s)
{
    size_t start = s->p + h->head_len, stop;
    int rc = QSCD_OK;

    if (h->major == SCBOR_SIMPLE && h->indefinite) {
        if (s->idepth == 0u || s->need != 0u) {
            rc = QSCD_ERR_CBOR_MALFORMED;
        } else {
            s->idepth--;
            s->need = s->saved[s->idepth];
        }
    } else {
        if (s->need > 0u)
            s->need--;
        if (h->indefinite) {
            if (s->idepth >= SCBOR_MAX_DEPTH) {
                rc = QSCD_ERR_CBOR_DEPTH;
            } else {
                s->saved[s->idepth] = s->need;
                s->idepth++;
                s->need = 0;
            }
        } else if (h->major == SCBOR_BSTR || h->major == SCBOR_TSTR) {
            if (h->arg > len) {
                rc = QSCD_ERR_CBOR_TRUNCATED;
            } else {
                stop = start + (size_t)h->arg;
                if (stop > len)
                    rc = QSCD_ERR_CBOR_TRUNCATED;
                else
                    start = stop;
            }
        } else if (h->major == SCBOR_TAG) {
            s->p = start;
            if (!scbor_skip_expect(s, len, 1u)) /* the tagged item */
                rc = QSCD_ERR_CBOR_TRUNCATED;
        } else if (h->major == SCBOR_ARRAY || h->major == SCBOR_MAP) {
            s->p = start;
            if (h->arg > len ||
                !scbor_skip_expect(s, len, h->major == SCBOR_ARRAY ? h->arg : 2u * h->arg))
                rc = QSCD_ERR_CBOR_TRUNCATED;
        }
    }
    if (rc == QSCD_OK)
        s->p = start;
    return rc;
}

/*@ requires \valid(s);
    terminates \true;
    assigns *s;
    ensures s->p == off && s->need == 1 && s->idepth == 0;
    ensures \forall integer k; 0 <= k < SCBOR_MAX_DEPTH ==> s->saved[k] == 0;
*/
static void scbor_skipper_init(scbor_skipper *s, size_t off)
{
    uint32_t k;

    /*@ loop invariant 0 <= k <= SCBOR_MAX_DEPTH;
        loop invariant \forall integer i; 0 <= i < k ==> s->saved[i] == 0;
        loop assigns k, s->saved[0 .. SCBOR_MAX_DEPTH - 1];
        loop variant SCBOR_MAX_DEPTH - k;
    */
    for (k = 0; k < SCBOR_MAX_DEPTH; k++)
        s->saved[k] = 0;
    s->p = off;
    s->need = 1;
    s->idepth = 0;
}

int scbor_skip(const uint8_t *buf, size_t len, size_t off, size_t *next)
{
    scbor_skipper s;
    scbor_head h = { 0, 0, 0, 0, false };
    int rc = QSCD_OK;

    if (len > SCBOR_MAX_LEN) {
        rc = QSCD_ERR_CBOR_TOO_LARGE;
    } else if (off >= len) {
        rc = QSCD_ERR_CBOR_TRUNCATED;
    } else {
        scbor_skipper_init(&s, off);
        /*@ loop invariant skipper_ok(&s, len) && s.p >= off;
            loop invariant first: s.p == off ==> s.need == 1;
            loop assigns s, h, rc;
            loop variant len - s.p;
        */
        while (s.need > 0u || s.idepth > 0u) {
            rc = scbor_head_decode(buf, len, s.p, &h);
            if (rc == QSCD_OK)
                rc = scbor_skip_head(len, &h, &s);
            if (rc != QSCD_OK)
                break;
        }
        if (rc == QSCD_OK)
            *next = s.p;
    }
    return rc;
}

/* ---------------------------------------------------------------------- typed items */

/* The head at buf[off], of major type `major` and definite length. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires \valid(h) && \separated(h, buf + (0 .. len - 1));
    terminates \true;
    assigns *h;
    ensures ok: \result == QSCD_OK ==>
      len <= SCBOR_MAX_LEN && off < len && off + h->head_len <= len && h->head_len >= 1 &&
      h->major == major && major == scbor_mt(buf[off]) && !h->indefinite &&
      h->arg == scbor_arg(buf + off);
*/
static int scbor_expect(const uint8_t *buf, size_t len, size_t off, uint32_t major, scbor_head *h)
{
    int rc = scbor_head_decode(buf, len, off, h);

    if (rc == QSCD_OK && h->major != major)
        rc = QSCD_ERR_CBOR_TYPE;
    else if (rc == QSCD_OK && h->indefinite)
        rc = QSCD_ERR_CBOR_INDEFINITE;
    return rc;
}

int scbor_get_uint(const uint8_t *buf, size_t len, size_t off, uint64_t *value)
{
    scbor_head h = { 0, 0, 0, 0, false };
    int rc = scbor_expect(buf, len, off, SCBOR_UINT, &h);

    if (rc == QSCD_OK)
        *value = h.arg;
    return rc;
}

int scbor_get_int(const uint8_t *buf, size_t len, size_t off, int64_t *value)
{
    scbor_head h = { 0, 0, 0, 0, false };
    int rc = scbor_head_decode(buf, len, off, &h);

    if (rc == QSCD_OK && h.major > SCBOR_NINT)
        rc = QSCD_ERR_CBOR_TYPE;
    else if (rc == QSCD_OK && h.arg > (uint64_t)INT64_MAX)
        rc = QSCD_ERR_CBOR_TOO_LARGE;
    else if (rc == QSCD_OK)
        *value = h.major == SCBOR_UINT ? (int64_t)h.arg : -1 - (int64_t)h.arg;
    return rc;
}

/* A definite string of major type `major`: offset and length of its content. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(data_off) && \valid(data_len);
    requires sep: \separated(data_off, data_len, buf + (0 .. len - 1));
    terminates \true;
    assigns *data_off, *data_len;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == major && off < *data_off && *data_off + *data_len <= len &&
      *data_len == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *data_off == \old(*data_off) && *data_len == \old(*data_len);
*/
static int scbor_get_string(const uint8_t *buf, size_t len, size_t off, uint32_t major,
                            size_t *data_off, size_t *data_len)
{
    scbor_head h = { 0, 0, 0, 0, false };
    size_t start, stop;
    int rc = scbor_expect(buf, len, off, major, &h);

    if (rc == QSCD_OK && h.arg > len) {
        rc = QSCD_ERR_CBOR_TRUNCATED;
    } else if (rc == QSCD_OK) {
        start = off + h.head_len;
        stop = start + (size_t)h.arg;
        if (stop > len) {
            rc = QSCD_ERR_CBOR_TRUNCATED;
        } else {
            *data_off = start;
            *data_len = (size_t)h.arg;
        }
    }
    return rc;
}

int scbor_get_bstr(const uint8_t *buf, size_t len, size_t off, size_t *data_off, size_t *data_len)
{
    return scbor_get_string(buf, len, off, SCBOR_BSTR, data_off, data_len);
}

int scbor_get_tstr(const uint8_t *buf, size_t len, size_t off, size_t *data_off, size_t *data_len)
{
    return scbor_get_string(buf, len, off, SCBOR_TSTR, data_off, data_len);
}

/* A definite array or map: count and offset of the first element, the count checked against
 * the bytes left. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(count) && \valid(first);
    requires sep: \separated(count, first, buf + (0 .. len - 1));
    requires major == 4 || major == 5;
    terminates \true;
    assigns *count, *first;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == major && off < *first <= len &&
      *first + (major == 5 ? 2 * *count : *count) <= len && *count == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *count == \old(*count) && *first == \old(*first);
*/
static int scbor_get_container(const uint8_t *buf, size_t len, size_t off, uint32_t major,
                               uint64_t *count, size_t *first)
{
    scbor_head h = { 0, 0, 0, 0, false };
    int rc = scbor_expect(buf, len, off, major, &h);

    if (rc == QSCD_OK && !scbor_count_fits(off + h.head_len, len, h.arg, major == SCBOR_MAP)) {
        rc = QSCD_ERR_CBOR_TRUNCATED;
    } else if (rc == QSCD_OK) {
        *count = h.arg;
        *first = off + h.head_len;
    }
    return rc;
}

int scbor_get_array(const uint8_t *buf, size_t len, size_t off, uint64_t *count, size_t *first)
{
    return scbor_get_container(buf, len, off, SCBOR_ARRAY, count, first);
}

int scbor_get_map(const uint8_t *buf, size_t len, size_t off, uint64_t *count, size_t *first)
{
    return scbor_get_container(buf, len, off, SCBOR_MAP, count, first);
}

int scbor_get_tag(const uint8_t *buf, size_t len, size_t off, uint64_t *tag, size_t *content)
{
    scbor_head h = { 0, 0, 0, 0, false };
    int rc = scbor_expect(buf, len, off, SCBOR_TAG, &h);

    if (rc == QSCD_OK && off + h.head_len >= len) {
        rc = QSCD_ERR_CBOR_TRUNCATED;
    } else if (rc == QSCD_OK) {
        *tag = h.arg;
        *content = off + h.head_len;
    }
    return rc;
}

int scbor_get_bool(const uint8_t *buf, size_t len, size_t off, bool *value)
{
    int rc = QSCD_ERR_CBOR_TYPE;

    if (off >= len) {
        rc = QSCD_ERR_CBOR_TRUNCATED;
    } else if (buf[off] == 0xf4u || buf[off] == 0xf5u) {
        *value = buf[off] == 0xf5u;
        rc = QSCD_OK;
    }
    return rc;
}

bool scbor_is_null(const uint8_t *buf, size_t len, size_t off)
{
    return off < len && buf[off] == 0xf6u;
}

/* ------------------------------------------------------------------------- map lookup */

#define SCBOR_KEY_INT  0u /* an integer: ival */
#define SCBOR_KEY_TEXT 1u /* a text string whose bytes are src[from .. to-1] */
#define SCBOR_KEY_ENC  2u /* the key whose encoding is src[from .. to-1] */

typedef struct scbor_key {
    const uint8_t *src;
    size_t from, to;
    int64_t ival;
    uint32_t kind;
} scbor_key;

/*@ predicate key_ok{L}(scbor_key *k) =
      \valid_read(k) && k->kind <= 2 &&
      (k->kind != 0 ==> k->from <= k->to && \valid_read(k->src + (k->from .. k->to - 1)));
*/

/* Is the item at buf[p] the key k? *kend: the offset after it. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires key_ok(k);
    requires \valid(match) && \valid(kend);
    requires \separated(match, kend, buf + (0 .. len - 1), k);
    terminates \true;
    assigns *match, *kend;
    ensures \result == QSCD_OK ==> p < *kend <= len && len <= SCBOR_MAX_LEN;
*/
static int scbor_key_match(const uint8_t *buf, size_t len, size_t p, const scbor_key *k,
                           bool *match, size_t *kend)
{
    size_t doff = 0, dlen = 0, dend;
    int64_t v = 0;
    int rc = scbor_skip(buf, len, p, kend);

    *match = false;
    if (rc == QSCD_OK && k->kind == SCBOR_KEY_ENC) {
        *match = scbor_range_cmp(k->src, k->from, k->to, buf, p, *kend) == 0;
    } else if (rc == QSCD_OK && k->kind == SCBOR_KEY_TEXT) {
        if (scbor_get_tstr(buf, len, p, &doff, &dlen) == QSCD_OK) {
            dend = doff + dlen;
            /*@ assert dend <= len; */
            *match = scbor_range_cmp(k->src, k->from, k->to, buf, doff, dend) == 0;
        }
    } else if (rc == QSCD_OK) {
        if (scbor_get_int(buf, len, p, &v) == QSCD_OK)
            *match = v == k->ival;
    }
    return rc;
}

/* The value of key k in the map at buf[map_off]. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires key_ok(k);
    requires valid_out: \valid(value_off);
    requires sep: \separated(value_off, buf + (0 .. len - 1), k);
    terminates \true;
    assigns *value_off;
    ensures ok: \result == QSCD_OK ==> map_off < *value_off < len;
    ensures untouched: \result != QSCD_OK ==> *value_off == \old(*value_off);
*/
static int scbor_map_find(const uint8_t *buf, size_t len, size_t map_off, const scbor_key *k,
                          size_t *value_off)
{
    uint64_t n = 0, i;
    size_t p = 0, kend = 0;
    bool match = false;
    int rc = scbor_get_map(buf, len, map_off, &n, &p);

    if (rc == QSCD_OK) {
        rc = QSCD_ERR_NOT_FOUND;
        /*@ loop invariant 0 <= i <= n && map_off < p <= len;
            loop invariant rc == QSCD_ERR_NOT_FOUND;
            loop assigns i, p, kend, match, rc;
            loop variant n - i;
        */
        for (i = 0; i < n; i++) {
            rc = scbor_key_match(buf, len, p, k, &match, &kend);
            if (rc == QSCD_OK && match && kend >= len)
                rc = QSCD_ERR_CBOR_TRUNCATED;
            else if (rc == QSCD_OK && match)
                *value_off = kend;
            else if (rc == QSCD_OK)
                rc = scbor_skip(buf, len, kend, &p);
            if (rc != QSCD_OK || match)
                break;
            rc = QSCD_ERR_NOT_FOUND;
        }
    }
    return rc;
}

int scbor_map_find_int(const uint8_t *buf, size_t len, size_t map_off, int64_t key,
                       size_t *value_off)
{
    scbor_key k = { NULL, 0, 0, key, SCBOR_KEY_INT };

    return scbor_map_find(buf, len, map_off, &k, value_off);
}

int scbor_map_find_tstr(const uint8_t *buf, size_t len, size_t map_off, const uint8_t *key,
                        size_t key_len, size_t *value_off)
{
    scbor_key k = { key, 0, key_len, 0, SCBOR_KEY_TEXT };

    return scbor_map_find(buf, len, map_off, &k, value_off);
}

int scbor_map_find_enc(const uint8_t *buf, size_t len, size_t map_off, const uint8_t *key,
                       size_t key_off, size_t key_end, size_t *value_off)
{
    scbor_key k = { key, key_off, key_end, 0, SCBOR_KEY_ENC };

    return scbor_map_find(buf, len, map_off, &k, value_off);
}
