/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict CBOR (RFC 8949) for the verified core: a validator that accepts one profile of CBOR
 * and nothing else, readers over validated items, and a deterministic encoder. Everything works
 * on caller-owned buffers with offsets and lengths (no copies, no allocation, no recursion);
 * every function is proved with Frama-C/WP (RTE included) and its contract is below.
 * spec/cbor-profile.md is the normative summary of what is accepted and rejected.
 *
 * The profile, as scbor_check() enforces it (RFC 8949 clauses in brackets):
 *  - exactly one well-formed item [§3, App. F], no bytes after it (QSCD_ERR_CBOR_TRAILING);
 *  - input ending inside an item: QSCD_ERR_CBOR_TRUNCATED; reserved additional information
 *    28..30, indefinite length on major types 0, 1, 6, a break outside an indefinite item,
 *    simple(24) with a value below 32 [§3.3], an indefinite string whose chunks are not definite
 *    strings of the same major type [§3.2.3], a tag followed by a break, an indefinite map with
 *    a key and no value: QSCD_ERR_CBOR_MALFORMED;
 *  - every argument in its shortest form [§4.2.1]: QSCD_ERR_CBOR_NONMINIMAL;
 *  - indefinite lengths only with SCBOR_ALLOW_INDEFINITE [§3.2]: QSCD_ERR_CBOR_INDEFINITE;
 *  - tags only with SCBOR_ALLOW_TAGS (any tag number, content not interpreted):
 *    QSCD_ERR_CBOR_UNSUPPORTED;
 *  - nesting of arrays, maps and indefinite strings at most max_depth levels (a top-level
 *    array is level 1; tags do not count): QSCD_ERR_CBOR_DEPTH;
 *  - a string length or an element count that the remaining input cannot hold is rejected
 *    when its head is read (QSCD_ERR_CBOR_TRUNCATED), before anything else: a 9-byte head
 *    claiming 2^64 elements costs one step;
 *  - more than max_items elements in an array, or pairs in a map, or a string (or the sum of
 *    an indefinite string's chunks) longer than max_str bytes: QSCD_ERR_CBOR_TOO_LARGE;
 *  - duplicate map keys (keys with the same encoding; since encodings are minimal, equal
 *    integers and equal strings always have equal encodings) [§5.6]:
 *    QSCD_ERR_CBOR_DUPLICATE_KEY; with SCBOR_REQUIRE_SORTED keys must moreover be in strictly
 *    increasing bytewise order of their encodings [§4.2.1], checked against the previous key
 *    only (O(n)), else QSCD_ERR_CBOR_UNSORTED; without it every key is compared with the
 *    previous keys of its map (O(n^2), n <= max_items);
 *  - text strings valid UTF-8 [§3.1, RFC 3629]: shortest forms, no surrogates, nothing above
 *    U+10FFFF, no sequence cut short; each chunk of an indefinite text string on its own:
 *    QSCD_ERR_CBOR_UTF8;
 *  - simple values: false, true and null only. undefined, the unassigned simple values
 *    (0..19, 32..255) and every float (half, single, double) are QSCD_ERR_CBOR_UNSUPPORTED: no
 *    message of this project uses them;
 *  - inputs longer than SCBOR_MAX_LEN bytes: QSCD_ERR_CBOR_TOO_LARGE; limits with max_depth
 *    above SCBOR_MAX_DEPTH: QSCD_ERR_ARG.
 * When several rules are broken the first one met in the byte stream wins; at one head,
 * well-formedness comes before limits (truncation before depth before size).
 *
 * Readers (scbor_skip, scbor_get_*, scbor_map_find_*) read one item at a given offset of a
 * buffer that scbor_check accepted. They stay inside the buffer whatever it holds (proved),
 * read definite-length items only (QSCD_ERR_CBOR_INDEFINITE otherwise; scbor_skip also walks
 * indefinite ones), return QSCD_ERR_CBOR_TYPE for an item of another type and re-check the
 * head they read, but they do not re-validate what scbor_check validated (UTF-8, duplicates).
 *
 * The encoder writes the shortest head for every argument (RFC 8949 §4.2.1); the caller emits
 * map keys in sorted order. An error is sticky: the first one is kept in e->err, later calls
 * do nothing, and nothing is ever written at or after e->cap.
 */
#ifndef QSCD_SCBOR_H
#define QSCD_SCBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qscd_err.h"

/* Largest input any function accepts (1 GiB): bounds every offset sum, so no size_t
 * arithmetic can wrap. */
#define SCBOR_MAX_LEN ((size_t)1 << 30)
/* Compile-time cap on the nesting depth (size of scbor_check's explicit stack). */
#define SCBOR_MAX_DEPTH 16u

/* scbor_limits.flags */
#define SCBOR_ALLOW_INDEFINITE 0x1u
#define SCBOR_REQUIRE_SORTED   0x2u
#define SCBOR_ALLOW_TAGS       0x4u

/* Major types (RFC 8949 §3.1). */
#define SCBOR_UINT   0u
#define SCBOR_NINT   1u
#define SCBOR_BSTR   2u
#define SCBOR_TSTR   3u
#define SCBOR_ARRAY  4u
#define SCBOR_MAP    5u
#define SCBOR_TAG    6u
#define SCBOR_SIMPLE 7u

/* One decoded head: major type, additional information, argument (value, length, count, tag
 * number, simple value or float bits; 0 when indefinite), its length in bytes (1, 2, 3, 5 or
 * 9) and whether it opens an indefinite-length item (major 2..5) or is a break (major 7). */
typedef struct scbor_head {
    uint64_t arg;
    size_t head_len;
    uint32_t major; /* not uint8_t: writing a head then leaves the byte memory, where the */
    uint32_t ai;    /* input lives, untouched (WP's typed memory model separates by type) */
    bool indefinite;
} scbor_head;

/* What scbor_check accepts beyond the fixed profile. */
typedef struct scbor_limits {
    uint32_t max_depth; /* <= SCBOR_MAX_DEPTH; 0 allows no array or map at all */
    uint32_t max_items; /* elements of an array, pairs of a map */
    uint32_t max_str;   /* bytes of a string */
    uint32_t flags;     /* SCBOR_ALLOW_INDEFINITE | SCBOR_REQUIRE_SORTED | SCBOR_ALLOW_TAGS */
} scbor_limits;

/* The limits of the project's own messages: deterministic encoding (sorted keys), definite
 * lengths, no tags, depth 8, 1024 items, 65536-byte strings. */
extern const scbor_limits scbor_limits_default;

/* ------------------------------------------------------------------------------- logic */

/*@ logic integer scbor_mt(integer b) = b / 32;
    logic integer scbor_ai(integer b) = b % 32;
    // bytes of a head with this additional information (1 for 28..31)
    logic integer scbor_ai_len(integer ai) =
      ai < 24 ? 1 : ai == 24 ? 2 : ai == 25 ? 3 : ai == 26 ? 5 : ai == 27 ? 9 : 1;
    // shortest head for an argument (RFC 8949 §4.2.1)
    logic integer scbor_arg_len(integer v) =
      v < 24 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v < 4294967296 ? 5 : 9;

    logic integer scbor_be2{L}(uint8_t *p) = p[0] * 256 + p[1];
    logic integer scbor_be4{L}(uint8_t *p) = scbor_be2(p) * 65536 + scbor_be2(p + 2);
    logic integer scbor_be8{L}(uint8_t *p) = scbor_be4(p) * 4294967296 + scbor_be4(p + 4);

    // the argument of the head whose initial byte is p[0]
    logic integer scbor_arg{L}(uint8_t *p) =
      scbor_ai(p[0]) < 24 ? scbor_ai(p[0]) :
      scbor_ai(p[0]) == 24 ? p[1] :
      scbor_ai(p[0]) == 25 ? scbor_be2(p + 1) :
      scbor_ai(p[0]) == 26 ? scbor_be4(p + 1) :
      scbor_ai(p[0]) == 27 ? scbor_be8(p + 1) : 0;

    // shortest form (RFC 8949 §4.2.1); for major 7, simple(24) carries a value >= 32 (§3.3)
    predicate scbor_minimal{L}(uint8_t *p) =
      scbor_mt(p[0]) == 7 ?
        (scbor_ai(p[0]) == 24 ==> p[1] >= 32) :
        ((scbor_ai(p[0]) == 24 ==> p[1] >= 24) &&
         (scbor_ai(p[0]) == 25 ==> scbor_be2(p + 1) >= 256) &&
         (scbor_ai(p[0]) == 26 ==> scbor_be4(p + 1) >= 65536) &&
         (scbor_ai(p[0]) == 27 ==> scbor_be8(p + 1) >= 4294967296));

    // a well-formed, minimal head at p with avail bytes of input left
    predicate scbor_head_wf{L}(uint8_t *p, integer avail) =
      avail >= 1 &&
      !(28 <= scbor_ai(p[0]) <= 30) &&
      (scbor_ai(p[0]) == 31 ==> (2 <= scbor_mt(p[0]) <= 5 || scbor_mt(p[0]) == 7)) &&
      scbor_ai_len(scbor_ai(p[0])) <= avail &&
      scbor_minimal(p);

    // the initial byte p[0] has major type m and additional information ai
    predicate scbor_ib{L}(uint8_t *p, integer m, integer ai) =
      scbor_mt(p[0]) == m && scbor_ai(p[0]) == ai;

    // the hl bytes at p are the shortest head of major type m and argument a
    predicate scbor_head_enc{L}(uint8_t *p, integer m, integer a, integer hl) =
      0 <= m <= 7 && hl == scbor_arg_len(a) &&
      ((0 <= a < 24 && scbor_ib(p, m, a)) ||
       (24 <= a < 256 && scbor_ib(p, m, 24) && p[1] == a) ||
       (256 <= a < 65536 && scbor_ib(p, m, 25) && scbor_be2(p + 1) == a) ||
       (65536 <= a < 4294967296 && scbor_ib(p, m, 26) && scbor_be4(p + 1) == a) ||
       (4294967296 <= a < 18446744073709551616 && scbor_ib(p, m, 27) && scbor_be8(p + 1) == a));

    lemma scbor_be_range{L}:
      \forall uint8_t *p;
        0 <= scbor_be2(p) < 65536 && 0 <= scbor_be4(p) < 4294967296 &&
        0 <= scbor_be8(p) < 18446744073709551616;

    // the initial byte m * 32 + x has major type m and additional information x
    lemma scbor_ib_byte:
      \forall integer m, x; 0 <= m <= 7 && 0 <= x < 32 ==>
        scbor_mt(m * 32 + x) == m && scbor_ai(m * 32 + x) == x;

    // A well-formed head of majors 0..6 is the shortest encoding of its argument.
    lemma scbor_head_decodes{L}:
      \forall uint8_t *p, integer avail;
        scbor_head_wf(p, avail) && scbor_mt(p[0]) != 7 && scbor_ai(p[0]) != 31 ==>
          scbor_head_enc(p, scbor_mt(p[0]), scbor_arg(p), scbor_ai_len(scbor_ai(p[0])));

    // Round trip of heads: what the encoder writes (scbor_head_enc), the decoder reads back as
    // the same major type and argument, in the same number of bytes.
    lemma scbor_head_roundtrip{L}:
      \forall uint8_t *p, integer m, a, hl;
        0 <= m <= 6 && scbor_head_enc(p, m, a, hl) ==>
          scbor_head_wf(p, hl) && scbor_mt(p[0]) == m && scbor_arg(p) == a &&
          scbor_ai_len(scbor_ai(p[0])) == hl;

    predicate scbor_limits_ok{L}(scbor_limits *l) =
      \valid_read(l) && l->max_depth <= SCBOR_MAX_DEPTH;
*/

/* ------------------------------------------------------------------------------- heads */

/* Decode the head at buf[off]. The argument bytes are read big-endian; nothing is trusted:
 *
 *   QSCD_OK                    *head filled; off + head_len <= len
 *   QSCD_ERR_CBOR_TRUNCATED    off >= len, or the argument bytes are not all there
 *   QSCD_ERR_CBOR_MALFORMED    ai 28..30; ai 31 on major 0, 1 or 6; simple(24) below 32
 *   QSCD_ERR_CBOR_NONMINIMAL   an argument that fits a shorter head (majors 0..6)
 *   QSCD_ERR_CBOR_TOO_LARGE    len > SCBOR_MAX_LEN
 * *head is written only on success.
 */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_head: \valid(head);
    requires sep: \separated(head, buf + (0 .. len - 1));
    terminates \true;
    assigns *head;
    ensures okay: \result == QSCD_OK ==>
      off < len <= SCBOR_MAX_LEN && 1 <= head->head_len <= 9 && off + head->head_len <= len &&
      head->major <= 7 && head->ai <= 31 && (head->indefinite <==> head->ai == 31);
    behavior ok:
      assumes len <= SCBOR_MAX_LEN && off < len && scbor_head_wf(buf + off, len - off);
      ensures result: \result == QSCD_OK;
      ensures major: head->major == scbor_mt(buf[off]);
      ensures ai: head->ai == scbor_ai(buf[off]);
      ensures head_len: head->head_len == scbor_ai_len(head->ai);
      ensures inside: off + head->head_len <= len;
      ensures indefinite: head->indefinite <==> head->ai == 31;
      ensures arg: head->arg == scbor_arg(buf + off);
      ensures encoding: head->major != 7 && !head->indefinite ==>
        scbor_head_enc(buf + off, head->major, head->arg, head->head_len);
    behavior err:
      assumes !(len <= SCBOR_MAX_LEN && off < len && scbor_head_wf(buf + off, len - off));
      assigns \nothing;
      ensures result: \result == QSCD_ERR_CBOR_TRUNCATED || \result == QSCD_ERR_CBOR_MALFORMED ||
                      \result == QSCD_ERR_CBOR_NONMINIMAL || \result == QSCD_ERR_CBOR_TOO_LARGE;
      ensures truncated: len <= SCBOR_MAX_LEN && off >= len ==>
                         \result == QSCD_ERR_CBOR_TRUNCATED;
    complete behaviors;
    disjoint behaviors;
*/
int scbor_head_decode(const uint8_t *buf, size_t len, size_t off, scbor_head *head);

/* ---------------------------------------------------------------------------- validator */

/* Validate that buf[0 .. len-1] is exactly one item of the profile above, under *limits.
 *
 *   QSCD_OK                      *item_len == len
 *   QSCD_ERR_CBOR_*              the first rule broken (see the list at the top of the file)
 *   QSCD_ERR_ARG                 limits->max_depth > SCBOR_MAX_DEPTH
 * *item_len is written only on success.
 */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_limits: \valid_read(limits);
    requires valid_out: \valid(item_len);
    requires sep: \separated(item_len, buf + (0 .. len - 1)) && \separated(item_len, limits);
    terminates \true;
    assigns *item_len;
    ensures whole: \result == QSCD_OK ==> *item_len == len && 0 < len <= SCBOR_MAX_LEN;
    ensures untouched: \result != QSCD_OK ==> *item_len == \old(*item_len);
*/
int scbor_check(const uint8_t *buf, size_t len, const scbor_limits *limits, size_t *item_len);

/* The same rules for the item at buf[off], which must end exactly at len: validates a part of a
 * buffer (e.g. the content of a byte string that wraps CBOR, as COSE headers do) in place.
 *   QSCD_OK; QSCD_ERR_CBOR_*; QSCD_ERR_ARG (off > len, or max_depth too large). */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_limits: \valid_read(limits);
    terminates \true;
    assigns \nothing;
    ensures ok: \result == QSCD_OK ==> off < len <= SCBOR_MAX_LEN;
*/
int scbor_check_at(const uint8_t *buf, size_t len, size_t off, const scbor_limits *limits);

/* Is s[0 .. n-1] valid UTF-8 (RFC 3629: shortest forms, no surrogates, at most U+10FFFF,
 * no truncated sequence)? The same rules scbor_check applies to text strings. */
/*@ requires valid_s: \valid_read(s + (0 .. n - 1));
    terminates \true;
    assigns \nothing;
*/
bool scbor_utf8_valid(const uint8_t *s, size_t n);

/* Is s[from .. end-1] valid UTF-8? scbor_utf8_valid on a part of a buffer, in place. */
/*@ requires valid_s: \valid_read(s + (0 .. end - 1));
    requires range: from <= end <= SCBOR_MAX_LEN;
    terminates \true;
    assigns \nothing;
*/
bool scbor_utf8_at(const uint8_t *s, size_t from, size_t end);

/* Can buf[start .. end-1] hold n elements (2n for a map), one byte each at least? How every
 * claimed count is checked before it is believed. */
/*@ requires range: start <= end <= SCBOR_MAX_LEN;
    terminates \true;
    assigns \nothing;
    ensures fits: \result <==> start + (is_map ? 2 * n : n) <= end;
*/
bool scbor_count_fits(size_t start, size_t end, uint64_t n, bool is_map);

/* ------------------------------------------------------------------------------ readers */

/* The offset just after the item that starts at buf[off] (definite or indefinite lengths;
 * nesting of indefinite items up to SCBOR_MAX_DEPTH). One loop with a count of the items
 * still to read; every count is checked against the bytes left before it is believed.
 *
 *   QSCD_OK                    off < *next <= len
 *   QSCD_ERR_CBOR_TRUNCATED    the item does not end inside the buffer
 *   QSCD_ERR_CBOR_MALFORMED / _NONMINIMAL / _TOO_LARGE   from the heads
 *   QSCD_ERR_CBOR_DEPTH        indefinite items nested deeper than SCBOR_MAX_DEPTH
 */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_next: \valid(next);
    requires sep: \separated(next, buf + (0 .. len - 1));
    terminates \true;
    assigns *next;
    ensures ok: \result == QSCD_OK ==> off < *next <= len && len <= SCBOR_MAX_LEN;
    ensures untouched: \result != QSCD_OK ==> *next == \old(*next);
*/
int scbor_skip(const uint8_t *buf, size_t len, size_t off, size_t *next);

/* An unsigned integer (major type 0).  QSCD_OK, QSCD_ERR_CBOR_TYPE, or a head error. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(value);
    requires sep: \separated(value, buf + (0 .. len - 1));
    terminates \true;
    assigns *value;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == 0 && *value == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *value == \old(*value);
*/
int scbor_get_uint(const uint8_t *buf, size_t len, size_t off, uint64_t *value);

/* An integer (major type 0 or 1) that fits int64_t.
 *   QSCD_OK; QSCD_ERR_CBOR_TYPE (another type); QSCD_ERR_CBOR_TOO_LARGE (outside int64_t). */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(value);
    requires sep: \separated(value, buf + (0 .. len - 1));
    terminates \true;
    assigns *value;
    ensures ok_uint: \result == QSCD_OK && scbor_mt(buf[off]) == 0 ==> *value == scbor_arg(buf + off);
    ensures ok_nint: \result == QSCD_OK && scbor_mt(buf[off]) == 1 ==> *value == -1 - scbor_arg(buf + off);
    ensures ok_type: \result == QSCD_OK ==> off < len && scbor_mt(buf[off]) <= 1;
    ensures untouched: \result != QSCD_OK ==> *value == \old(*value);
*/
int scbor_get_int(const uint8_t *buf, size_t len, size_t off, int64_t *value);

/* A definite byte string (major 2) or text string (major 3): where its content is.
 *   QSCD_OK; QSCD_ERR_CBOR_TYPE; QSCD_ERR_CBOR_INDEFINITE; QSCD_ERR_CBOR_TRUNCATED. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(data_off) && \valid(data_len);
    requires sep: \separated(data_off, data_len, buf + (0 .. len - 1));
    terminates \true;
    assigns *data_off, *data_len;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == 2 && off < *data_off && *data_off + *data_len <= len &&
      *data_len == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *data_off == \old(*data_off) && *data_len == \old(*data_len);
*/
int scbor_get_bstr(const uint8_t *buf, size_t len, size_t off, size_t *data_off, size_t *data_len);

/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(data_off) && \valid(data_len);
    requires sep: \separated(data_off, data_len, buf + (0 .. len - 1));
    terminates \true;
    assigns *data_off, *data_len;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == 3 && off < *data_off && *data_off + *data_len <= len &&
      *data_len == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *data_off == \old(*data_off) && *data_len == \old(*data_len);
*/
int scbor_get_tstr(const uint8_t *buf, size_t len, size_t off, size_t *data_off, size_t *data_len);

/* A definite array (major 4) or map (major 5): its element (pair) count and the offset of its
 * first element. The count is checked against the bytes left (each element takes one byte at
 * least), so a loop over the elements is bounded by the input.
 *   QSCD_OK; QSCD_ERR_CBOR_TYPE; QSCD_ERR_CBOR_INDEFINITE; QSCD_ERR_CBOR_TRUNCATED. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(count) && \valid(first);
    requires sep: \separated(count, first, buf + (0 .. len - 1));
    terminates \true;
    assigns *count, *first;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == 4 && off < *first <= len && *first + *count <= len &&
      *count == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *count == \old(*count) && *first == \old(*first);
*/
int scbor_get_array(const uint8_t *buf, size_t len, size_t off, uint64_t *count, size_t *first);

/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(count) && \valid(first);
    requires sep: \separated(count, first, buf + (0 .. len - 1));
    terminates \true;
    assigns *count, *first;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == 5 && off < *first <= len && *first + 2 * *count <= len &&
      *count == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *count == \old(*count) && *first == \old(*first);
*/
int scbor_get_map(const uint8_t *buf, size_t len, size_t off, uint64_t *count, size_t *first);

/* A tag (major 6): its number and the offset of the tagged item.
 *   QSCD_OK; QSCD_ERR_CBOR_TYPE; QSCD_ERR_CBOR_TRUNCATED (nothing after the tag). */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(tag) && \valid(content);
    requires sep: \separated(tag, content, buf + (0 .. len - 1));
    terminates \true;
    assigns *tag, *content;
    ensures ok: \result == QSCD_OK ==>
      off < len && scbor_mt(buf[off]) == 6 && off < *content < len && *tag == scbor_arg(buf + off);
    ensures untouched: \result != QSCD_OK ==> *tag == \old(*tag) && *content == \old(*content);
*/
int scbor_get_tag(const uint8_t *buf, size_t len, size_t off, uint64_t *tag, size_t *content);

/* false (0xf4) or true (0xf5).  QSCD_OK; QSCD_ERR_CBOR_TYPE; QSCD_ERR_CBOR_TRUNCATED. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(value);
    requires sep: \separated(value, buf + (0 .. len - 1));
    terminates \true;
    assigns *value;
    behavior ok:
      assumes off < len && (buf[off] == 0xf4 || buf[off] == 0xf5);
      ensures \result == QSCD_OK;
      ensures *value <==> buf[off] == 0xf5;
    behavior err:
      assumes !(off < len && (buf[off] == 0xf4 || buf[off] == 0xf5));
      assigns \nothing;
      ensures \result == QSCD_ERR_CBOR_TYPE || \result == QSCD_ERR_CBOR_TRUNCATED;
    complete behaviors;
    disjoint behaviors;
*/
int scbor_get_bool(const uint8_t *buf, size_t len, size_t off, bool *value);

/* Is the item at buf[off] null (0xf6)? */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    terminates \true;
    assigns \nothing;
    ensures \result <==> (off < len && buf[off] == 0xf6);
*/
bool scbor_is_null(const uint8_t *buf, size_t len, size_t off);

/* Look a key up in the definite map at buf[map_off]: the offset of the value of the first
 * pair whose key is the integer `key` (scbor_map_find_int) or the text string key[0 ..
 * key_len-1] (scbor_map_find_tstr). In a map scbor_check accepted, keys are unique.
 *   QSCD_OK; QSCD_ERR_NOT_FOUND; QSCD_ERR_CBOR_TYPE (not a map); errors of the walk. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_out: \valid(value_off);
    requires sep: \separated(value_off, buf + (0 .. len - 1));
    terminates \true;
    assigns *value_off;
    ensures ok: \result == QSCD_OK ==> map_off < *value_off < len;
    ensures untouched: \result != QSCD_OK ==> *value_off == \old(*value_off);
*/
int scbor_map_find_int(const uint8_t *buf, size_t len, size_t map_off, int64_t key,
                       size_t *value_off);

/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_key: \valid_read(key + (0 .. key_len - 1));
    requires valid_out: \valid(value_off);
    requires sep: \separated(value_off, buf + (0 .. len - 1)) &&
                  \separated(value_off, key + (0 .. key_len - 1));
    terminates \true;
    assigns *value_off;
    ensures ok: \result == QSCD_OK ==> map_off < *value_off < len;
    ensures untouched: \result != QSCD_OK ==> *value_off == \old(*value_off);
*/
int scbor_map_find_tstr(const uint8_t *buf, size_t len, size_t map_off, const uint8_t *key,
                        size_t key_len, size_t *value_off);

/* The same lookup with the key given by its encoding, key[key_off .. key_end-1] (which may lie
 * in buf itself): in a validated map, whose encodings are minimal, equal keys have equal
 * encodings, whatever their type. COSE uses it to find a header label of one bucket in the
 * other. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_key: key_off <= key_end && \valid_read(key + (key_off .. key_end - 1));
    requires valid_out: \valid(value_off);
    requires sep: \separated(value_off, buf + (0 .. len - 1)) &&
                  \separated(value_off, key + (key_off .. key_end - 1));
    terminates \true;
    assigns *value_off;
    ensures ok: \result == QSCD_OK ==> map_off < *value_off < len;
    ensures untouched: \result != QSCD_OK ==> *value_off == \old(*value_off);
*/
int scbor_map_find_enc(const uint8_t *buf, size_t len, size_t map_off, const uint8_t *key,
                       size_t key_off, size_t key_end, size_t *value_off);

/* Compare pa[a .. a_end-1] with pb[b .. b_end-1] in bytewise lexicographic order (a proper
 * prefix sorts first): < 0, 0 or > 0. Offsets rather than pointers, so that map keys are
 * compared where they lie in the input. */
/*@ requires valid_a: a <= a_end && \valid_read(pa + (a .. a_end - 1));
    requires valid_b: b <= b_end && \valid_read(pb + (b .. b_end - 1));
    terminates \true;
    assigns \nothing;
    ensures equal: \result == 0 <==>
      (a_end - a == b_end - b && \forall integer k; a <= k < a_end ==> pa[k] == pb[k - a + b]);
*/
int scbor_range_cmp(const uint8_t *pa, size_t a, size_t a_end, const uint8_t *pb, size_t b,
                    size_t b_end);

/* ------------------------------------------------------------------------------ encoder */

typedef struct scbor_enc {
    uint8_t *buf;
    size_t cap;
    size_t len; /* bytes written; always <= cap */
    int err;    /* QSCD_OK, or the first error (sticky) */
} scbor_enc;

/*@ predicate scbor_enc_ok{L}(scbor_enc *e) =
      \valid(e) && e->len <= e->cap && e->cap <= SCBOR_MAX_LEN &&
      \valid(e->buf + (0 .. e->cap - 1)) && \separated(e, e->buf + (0 .. e->cap - 1));
*/

/* Start encoding into buf[0 .. cap-1]. A cap above SCBOR_MAX_LEN is clamped to it. */
/*@ requires valid_e: \valid(e);
    requires valid_buf: \valid(buf + (0 .. cap - 1));
    requires sep: \separated(e, buf + (0 .. cap - 1));
    terminates \true;
    assigns *e;
    ensures ok: scbor_enc_ok(e) && e->len == 0 && e->err == QSCD_OK && e->buf == buf;
    ensures cap: e->cap == (cap <= SCBOR_MAX_LEN ? cap : SCBOR_MAX_LEN);
*/
void scbor_enc_init(scbor_enc *e, uint8_t *buf, size_t cap);

/* A head of major type `major` (0..7) and argument `arg`, in its shortest form. The building
 * block of the other put functions; for major 7 the caller passes a simple value < 24. */
/*@ requires valid: scbor_enc_ok(e);
    requires major: major <= 7;
    requires simple: major == 7 ==> arg < 24;
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    behavior failed:
      assumes e->err != QSCD_OK;
      assigns \nothing;
      ensures sticky: e->err == \old(e->err) && e->len == \old(e->len);
    behavior fits:
      assumes e->err == QSCD_OK && e->len + scbor_arg_len(arg) <= e->cap;
      ensures written: scbor_head_enc(e->buf + \old(e->len), major, arg, scbor_arg_len(arg));
      ensures len: e->len == \old(e->len) + scbor_arg_len(arg);
      ensures err: e->err == QSCD_OK;
    behavior overflow:
      assumes e->err == QSCD_OK && e->len + scbor_arg_len(arg) > e->cap;
      assigns e->err;
      ensures err: e->err == QSCD_ERR_BUFFER_TOO_SMALL && e->len == \old(e->len);
    complete behaviors;
    disjoint behaviors;
*/
void scbor_put_head(scbor_enc *e, uint8_t major, uint64_t arg);

/*@ requires valid: scbor_enc_ok(e);
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(v) <= e->cap ==>
      e->err == QSCD_OK && scbor_head_enc(e->buf + \old(e->len), 0, v, scbor_arg_len(v));
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + scbor_arg_len(v) &&
      scbor_head_enc(e->buf + \old(e->len), 0, v, scbor_arg_len(v));
*/
void scbor_put_uint(scbor_enc *e, uint64_t v);

/*@ requires valid: scbor_enc_ok(e);
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits_uint: v >= 0 && \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(v) <= e->cap ==>
      e->err == QSCD_OK && scbor_head_enc(e->buf + \old(e->len), 0, v, scbor_arg_len(v));
    ensures fits_nint: v < 0 && \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(-1 - v) <= e->cap ==>
      e->err == QSCD_OK && scbor_head_enc(e->buf + \old(e->len), 1, -1 - v, scbor_arg_len(-1 - v));
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + (v >= 0 ? scbor_arg_len(v) : scbor_arg_len(-1 - v));
*/
void scbor_put_int(scbor_enc *e, int64_t v);

/* A definite byte string holding data[0 .. n-1]; written whole or not at all. */
/*@ requires valid: scbor_enc_ok(e);
    requires valid_data: \valid_read(data + (0 .. n - 1));
    requires sep: \separated(data + (0 .. n - 1), e, e->buf + (0 .. e->cap - 1));
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(n) + n <= e->cap ==>
      e->err == QSCD_OK && e->len == \old(e->len) + scbor_arg_len(n) + n &&
      scbor_head_enc(e->buf + \old(e->len), 2, n, scbor_arg_len(n)) &&
      \forall integer k; \old(e->len) + scbor_arg_len(n) <= k < e->len ==>
        e->buf[k] == data[k - (\old(e->len) + scbor_arg_len(n))];
    ensures overflow: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(n) + n > e->cap ==>
      e->err == QSCD_ERR_BUFFER_TOO_SMALL && e->len == \old(e->len);
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + scbor_arg_len(n) + n;
*/
void scbor_put_bstr(scbor_enc *e, const uint8_t *data, size_t n);

/* A definite byte string holding src[off .. off+n-1], a part of src[0 .. src_len-1]
 * (QSCD_ERR_ARG when it is not inside, or off + n > SCBOR_MAX_LEN): copies a part of an input
 * without pointer arithmetic on the caller's side. Room is checked first. */
/*@ requires valid: scbor_enc_ok(e);
    requires valid_src: \valid_read(src + (0 .. src_len - 1));
    requires sep: \separated(src + (0 .. src_len - 1), e, e->buf + (0 .. e->cap - 1));
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && off + n <= src_len && off + n <= SCBOR_MAX_LEN &&
      \old(e->len) + scbor_arg_len(n) + n <= e->cap ==>
      e->err == QSCD_OK && e->len == \old(e->len) + scbor_arg_len(n) + n &&
      scbor_head_enc(e->buf + \old(e->len), 2, n, scbor_arg_len(n)) &&
      \forall integer k; \old(e->len) + scbor_arg_len(n) <= k < e->len ==>
        e->buf[k] == src[k - (\old(e->len) + scbor_arg_len(n)) + off];
    ensures overflow: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(n) + n > e->cap ==>
      e->err == QSCD_ERR_BUFFER_TOO_SMALL && e->len == \old(e->len);
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + scbor_arg_len(n) + n;
*/
void scbor_put_bstr_at(scbor_enc *e, const uint8_t *src, size_t src_len, size_t off, size_t n);

/* A definite text string holding text[0 .. n-1], which must be valid UTF-8
 * (QSCD_ERR_CBOR_UTF8 otherwise: the encoder never writes what the validator rejects). */
/*@ requires valid: scbor_enc_ok(e);
    requires valid_data: \valid_read(text + (0 .. n - 1));
    requires sep: \separated(text + (0 .. n - 1), e, e->buf + (0 .. e->cap - 1));
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures overflow: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(n) + n > e->cap ==>
      e->err != QSCD_OK && e->len == \old(e->len);
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + scbor_arg_len(n) + n;
*/
void scbor_put_tstr(scbor_enc *e, const uint8_t *text, size_t n);

/* Heads of a definite array of n elements and a map of n pairs; the caller then puts the
 * elements (map keys in the bytewise order of their encodings, RFC 8949 §4.2.1). */
/*@ requires valid: scbor_enc_ok(e);
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(n) <= e->cap ==>
      e->err == QSCD_OK && scbor_head_enc(e->buf + \old(e->len), 4, n, scbor_arg_len(n));
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + scbor_arg_len(n) &&
      scbor_head_enc(e->buf + \old(e->len), 4, n, scbor_arg_len(n));
*/
void scbor_put_array(scbor_enc *e, uint64_t n);

/*@ requires valid: scbor_enc_ok(e);
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(n) <= e->cap ==>
      e->err == QSCD_OK && scbor_head_enc(e->buf + \old(e->len), 5, n, scbor_arg_len(n));
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + scbor_arg_len(n) &&
      scbor_head_enc(e->buf + \old(e->len), 5, n, scbor_arg_len(n));
*/
void scbor_put_map(scbor_enc *e, uint64_t n);

/*@ requires valid: scbor_enc_ok(e);
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(tag) <= e->cap ==>
      e->err == QSCD_OK && scbor_head_enc(e->buf + \old(e->len), 6, tag, scbor_arg_len(tag));
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK &&
      e->len == \old(e->len) + scbor_arg_len(tag) &&
      scbor_head_enc(e->buf + \old(e->len), 6, tag, scbor_arg_len(tag));
*/
void scbor_put_tag(scbor_enc *e, uint64_t tag);

/*@ requires valid: scbor_enc_ok(e);
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) < e->cap ==>
      e->err == QSCD_OK && e->len == \old(e->len) + 1 &&
      e->buf[\old(e->len)] == (v ? 0xf5 : 0xf4);
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK && e->len == \old(e->len) + 1;
*/
void scbor_put_bool(scbor_enc *e, bool v);

/*@ requires valid: scbor_enc_ok(e);
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) < e->cap ==>
      e->err == QSCD_OK && e->len == \old(e->len) + 1 && e->buf[\old(e->len)] == 0xf6;
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK && e->len == \old(e->len) + 1;
*/
void scbor_put_null(scbor_enc *e);

/* Already-encoded bytes (e.g. a nested message), copied as they are. */
/*@ requires valid: scbor_enc_ok(e);
    requires valid_data: \valid_read(data + (0 .. n - 1));
    requires sep: \separated(data + (0 .. n - 1), e, e->buf + (0 .. e->cap - 1));
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures fits: \old(e->err) == QSCD_OK && \old(e->len) + n <= e->cap ==>
      e->err == QSCD_OK && e->len == \old(e->len) + n &&
      \forall integer k; \old(e->len) <= k < e->len ==> e->buf[k] == data[k - \old(e->len)];
    ensures overflow: \old(e->err) == QSCD_OK && \old(e->len) + n > e->cap ==>
      e->err == QSCD_ERR_BUFFER_TOO_SMALL && e->len == \old(e->len);
    ensures written: e->err == QSCD_OK ==> \old(e->err) == QSCD_OK && e->len == \old(e->len) + n;
*/
void scbor_put_raw(scbor_enc *e, const uint8_t *data, size_t n);

#endif
