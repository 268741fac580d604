/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deterministic CBOR encoder (contracts in scbor.h): shortest heads (RFC 8949 §4.2.1), definite
 * lengths, a sticky error. A head is first built in a 9-byte scratch array, then copied; every
 * copy checks the room left before it writes, and its loop is bounded by the capacity as well
 * as by the source, so no write can land at or after e->cap.
 */
#include "scbor.h"

void scbor_enc_init(scbor_enc *e, uint8_t *buf, size_t cap)
{
    e->buf = buf;
    e->cap = cap <= SCBOR_MAX_LEN ? cap : SCBOR_MAX_LEN;
    e->len = 0;
    e->err = QSCD_OK;
}

/*@ requires \valid(p + (0 .. 1));
    terminates \true;
    assigns p[0 .. 1];
    ensures scbor_be2(p) == v;
*/
static void scbor_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v / 256u);
    p[1] = (uint8_t)(v % 256u);
}

/*@ requires \valid(p + (0 .. 3));
    terminates \true;
    assigns p[0 .. 3];
    ensures scbor_be4(p) == v;
*/
static void scbor_wr32(uint8_t *p, uint32_t v)
{
    scbor_wr16(p, (uint16_t)(v / 65536u));
    scbor_wr16(p + 2, (uint16_t)(v % 65536u));
}

/*@ requires \valid(p + (0 .. 7));
    terminates \true;
    assigns p[0 .. 7];
    ensures scbor_be8(p) == v;
*/
static void scbor_wr64(uint8_t *p, uint64_t v)
{
    scbor_wr32(p, (uint32_t)(v / 4294967296u));
    scbor_wr32(p + 4, (uint32_t)(v % 4294967296u));
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result == scbor_arg_len(arg);
*/
static size_t scbor_arg_size(uint64_t arg)
{
    size_t n = 9;

    if (arg < 24u)
        n = 1;
    else if (arg < 256u)
        n = 2;
    else if (arg < 65536u)
        n = 3;
    else if (arg < 4294967296u)
        n = 5;
    return n;
}

/* The shortest head of (major, arg), n bytes long, at p. Branches on n rather than on arg, so
 * that EVA, splitting its states on n, sees each write inside the room checked for n; the
 * remainders (no-ops, since n fits arg) tell EVA the ranges it cannot relate to n. */
/*@ requires n == scbor_arg_len(arg);
    requires \valid(p + (0 .. n - 1));
    requires major <= 7;
    terminates \true;
    assigns p[0 .. n - 1];
    ensures scbor_head_enc(p, major, arg, n);
*/
static void scbor_head_bytes(uint8_t *p, uint8_t major, uint64_t arg, size_t n)
{
    uint8_t ib = (uint8_t)(major * 32u);

    if (n == 1u) {
        p[0] = (uint8_t)(ib + arg % 32u);
        /*@ assert ib1: scbor_ib(p, major, arg); */
    } else if (n == 2u) {
        p[0] = (uint8_t)(ib + 24u);
        p[1] = (uint8_t)(arg % 256u);
        /*@ assert ib2: scbor_ib(p, major, 24); */
    } else if (n == 3u) {
        p[0] = (uint8_t)(ib + 25u);
        scbor_wr16(p + 1, (uint16_t)(arg % 65536u));
        /*@ assert ib3: scbor_ib(p, major, 25); */
    } else if (n == 5u) {
        p[0] = (uint8_t)(ib + 26u);
        scbor_wr32(p + 1, (uint32_t)(arg % 4294967296u));
        /*@ assert ib5: scbor_ib(p, major, 26); */
    } else {
        p[0] = (uint8_t)(ib + 27u);
        scbor_wr64(p + 1, arg);
        /*@ assert ib9: scbor_ib(p, major, 27); */
    }
}

/* Append src[from .. to-1]; the caller checked that it fits. */
/*@ requires scbor_enc_ok(e);
    requires from <= to && \valid_read(src + (from .. to - 1));
    requires \separated(src + (from .. to - 1), e, e->buf + (0 .. e->cap - 1));
    requires fits: e->len + (to - from) <= e->cap;
    terminates \true;
    assigns e->len, e->buf[e->len .. e->cap - 1];
    ensures scbor_enc_ok(e);
    ensures e->len == \old(e->len) + (to - from);
    ensures copied: \forall integer k; \old(e->len) <= k < e->len ==>
      e->buf[k] == src[k - \old(e->len) + from];
*/
static void scbor_emit(scbor_enc *e, const uint8_t *src, size_t from, size_t to)
{
    size_t i = from, j = e->len;

    /*@ loop invariant from <= i <= to && j == e->len + (i - from) && j <= e->cap;
        loop invariant copied: \forall integer k; e->len <= k < j ==> e->buf[k] == src[k - e->len + from];
        loop assigns i, j, e->buf[e->len .. e->cap - 1];
        loop variant to - i;
    */
    while (i < to && j < e->cap) {
        e->buf[j] = src[i];
        i++;
        j++;
    }
    e->len = j;
}

void scbor_put_head(scbor_enc *e, uint8_t major, uint64_t arg)
{
    size_t n = scbor_arg_size(arg);

    if (e->err == QSCD_OK) {
        /*@ split n; */
        if (e->len + n > e->cap) {
            e->err = QSCD_ERR_BUFFER_TOO_SMALL;
        } else {
            scbor_head_bytes(e->buf + e->len, major, arg, n);
            e->len += n;
        }
    }
}

void scbor_put_uint(scbor_enc *e, uint64_t v)
{
    scbor_put_head(e, SCBOR_UINT, v);
}

void scbor_put_int(scbor_enc *e, int64_t v)
{
    if (v >= 0)
        scbor_put_head(e, SCBOR_UINT, (uint64_t)v);
    else
        scbor_put_head(e, SCBOR_NINT, (uint64_t)(-(v + 1)));
}

/* The head and content of a string that was checked to fit: the content is copied first,
 * after the room its head takes, then the head is written in front of it. */
/*@ requires valid: scbor_enc_ok(e) && e->err == QSCD_OK;
    requires major == 2 || major == 3;
    requires src: stop == off + n && stop <= SCBOR_MAX_LEN && \valid_read(src + (off .. stop - 1));
    requires sep: \separated(src + (off .. off + n - 1), e, e->buf + (0 .. e->cap - 1));
    requires fits: e->len + scbor_arg_len(n) + n <= e->cap;
    terminates \true;
    assigns e->len, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures len: e->len == \old(e->len) + scbor_arg_len(n) + n;
    ensures head: scbor_head_enc(e->buf + \old(e->len), major, n, scbor_arg_len(n));
    ensures data: \forall integer k; \old(e->len) + scbor_arg_len(n) <= k < e->len ==>
      e->buf[k] == src[k - (\old(e->len) + scbor_arg_len(n)) + off];
*/
static void scbor_string_write(scbor_enc *e, uint8_t major, const uint8_t *src, size_t off,
                               size_t stop, size_t n)
{
    size_t hl = scbor_arg_size(n), at = e->len;

    /*@ split hl; */
    e->len = at + hl;
    scbor_emit(e, src, off, stop);
    /*@ assert data: \forall integer k; at + hl <= k < e->len ==>
          e->buf[k] == src[k - (at + hl) + off]; */
    scbor_head_bytes(e->buf + at, major, n, hl);
    /*@ assert kept: \forall integer k; at + hl <= k < e->len ==>
          e->buf[k] == src[k - (at + hl) + off]; */
}

/* Does a string of n bytes, src[off .. off+n-1], fit the room left and lie inside src[0 ..
 * src_len-1]? Room first: a string that cannot fit is QSCD_ERR_BUFFER_TOO_SMALL. */
/*@ requires valid: \valid_read(e) && e->len <= e->cap && e->cap <= SCBOR_MAX_LEN;
    terminates \true;
    assigns \nothing;
    ensures room: e->len + scbor_arg_len(n) + n > e->cap ==> \result == QSCD_ERR_BUFFER_TOO_SMALL;
    ensures ok: \result == QSCD_OK <==>
      (e->len + scbor_arg_len(n) + n <= e->cap && off + n <= src_len && off + n <= SCBOR_MAX_LEN);
*/
static int scbor_string_fits(const scbor_enc *e, size_t src_len, size_t off, size_t n)
{
    size_t hl = scbor_arg_size(n);
    int rc = QSCD_OK;

    if (n > e->cap || e->len + hl + n > e->cap)
        rc = QSCD_ERR_BUFFER_TOO_SMALL;
    else if (off > SCBOR_MAX_LEN - n || off + n > src_len)
        rc = QSCD_ERR_ARG;
    return rc;
}

/* A definite string of major type `major` holding src[off .. off+n-1], checked to lie inside
 * src[0 .. src_len-1] (QSCD_ERR_ARG otherwise, or when off + n > SCBOR_MAX_LEN) and, for text,
 * to be UTF-8. Room is checked first: a string that cannot fit is QSCD_ERR_BUFFER_TOO_SMALL. */
/*@ requires valid: scbor_enc_ok(e);
    requires major == 2 || major == 3;
    requires valid_src: \valid_read(src + (0 .. src_len - 1));
    requires sep: \separated(src + (0 .. src_len - 1), e, e->buf + (0 .. e->cap - 1));
    terminates \true;
    assigns e->len, e->err, e->buf[e->len .. e->cap - 1];
    ensures valid: scbor_enc_ok(e);
    ensures result: \result == e->err;
    ensures fits_len: \old(e->err) == QSCD_OK && \result == QSCD_OK ==>
      e->len == \old(e->len) + scbor_arg_len(n) + n;
    ensures fits_head: \old(e->err) == QSCD_OK && \result == QSCD_OK ==>
      scbor_head_enc(e->buf + \old(e->len), major, n, scbor_arg_len(n));
    ensures fits_data: \old(e->err) == QSCD_OK && \result == QSCD_OK ==>
      \forall integer k; \old(e->len) + scbor_arg_len(n) <= k < e->len ==>
        e->buf[k] == src[k - (\old(e->len) + scbor_arg_len(n)) + off];
    ensures overflow: \old(e->err) == QSCD_OK && \old(e->len) + scbor_arg_len(n) + n > e->cap ==>
      e->len == \old(e->len) && e->err == QSCD_ERR_BUFFER_TOO_SMALL;
    ensures bstr: \old(e->err) == QSCD_OK && off + n <= src_len && off + n <= SCBOR_MAX_LEN &&
      major == 2 && \old(e->len) + scbor_arg_len(n) + n <= e->cap ==> \result == QSCD_OK;
    ensures failed: \old(e->err) != QSCD_OK ==> e->err == \old(e->err) && e->len == \old(e->len);
*/
static int scbor_put_string(scbor_enc *e, uint8_t major, const uint8_t *src, size_t src_len,
                            size_t off, size_t n)
{
    int rc = e->err;
    size_t stop = 0;

    if (rc == QSCD_OK)
        rc = scbor_string_fits(e, src_len, off, n);
    if (rc == QSCD_OK) {
        /*@ assert bounded: off <= SCBOR_MAX_LEN && n <= SCBOR_MAX_LEN; */
        stop = off + n;
        /*@ assert in_src: stop <= src_len && stop <= SCBOR_MAX_LEN; */
        if (major == SCBOR_TSTR && !scbor_utf8_at(src, off, stop))
            rc = QSCD_ERR_CBOR_UTF8;
    }
    if (rc == QSCD_OK)
        scbor_string_write(e, major, src, off, stop, n);
    e->err = rc;
    return rc;
}

void scbor_put_bstr(scbor_enc *e, const uint8_t *data, size_t n)
{
    (void)scbor_put_string(e, SCBOR_BSTR, data, n, 0, n);
}

void scbor_put_bstr_at(scbor_enc *e, const uint8_t *src, size_t src_len, size_t off, size_t n)
{
    (void)scbor_put_string(e, SCBOR_BSTR, src, src_len, off, n);
}

void scbor_put_tstr(scbor_enc *e, const uint8_t *text, size_t n)
{
    (void)scbor_put_string(e, SCBOR_TSTR, text, n, 0, n);
}

void scbor_put_array(scbor_enc *e, uint64_t n)
{
    scbor_put_head(e, SCBOR_ARRAY, n);
}

void scbor_put_map(scbor_enc *e, uint64_t n)
{
    scbor_put_head(e, SCBOR_MAP, n);
}

void scbor_put_tag(scbor_enc *e, uint64_t tag)
{
    scbor_put_head(e, SCBOR_TAG, tag);
}

void scbor_put_bool(scbor_enc *e, bool v)
{
    scbor_put_head(e, SCBOR_SIMPLE, v ? 21u : 20u);
}

void scbor_put_null(scbor_enc *e)
{
    scbor_put_head(e, SCBOR_SIMPLE, 22u);
}

void scbor_put_raw(scbor_enc *e, const uint8_t *data, size_t n)
{
    if (e->err == QSCD_OK) {
        if (n > e->cap || e->len + n > e->cap)
            e->err = QSCD_ERR_BUFFER_TOO_SMALL;
        else
            scbor_emit(e, data, 0, n);
    }
}
