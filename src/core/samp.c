/* SPDX-License-Identifier: Apache-2.0 */
/* The SAM protocol envelope (contracts in samp.h). */
#include "samp.h"

#include "qscd_err.h"
#include "qscd_mem.h"
#include "scbor.h"

/* Depth 4: envelope map, parameters map, an array in it, and a map in that array. */
static const scbor_limits samp_limits = { 4u, 64u, SAMP_REQUEST_MAX, SCBOR_REQUIRE_SORTED };

int samp_frame_len(const uint8_t *hdr, uint32_t max, size_t *len)
{
    uint32_t n = (uint32_t)hdr[0] * 16777216u + (uint32_t)hdr[1] * 65536u +
                 (uint32_t)hdr[2] * 256u + (uint32_t)hdr[3];
    int rc = QSCD_OK;

    *len = 0;
    if (n == 0)
        rc = QSCD_ERR_PROTO_FRAME;
    else if (n > max)
        rc = QSCD_ERR_PROTO_TOO_LARGE;
    else
        *len = n;
    return rc;
}

void samp_frame_header(size_t len, uint8_t *hdr)
{
    hdr[0] = (uint8_t)(len / 16777216u);
    hdr[1] = (uint8_t)((len / 65536u) % 256u);
    hdr[2] = (uint8_t)((len / 256u) % 256u);
    hdr[3] = (uint8_t)(len % 256u);
}

/* The value of key k at off: the next key must be k. */
/*@ requires \valid_read(buf + (0 .. len - 1)) && \valid(voff);
    requires \separated(voff, buf + (0 .. len - 1));
    terminates \true;
    assigns *voff;
    ensures \result == QSCD_OK ==> *voff < len;
*/
static int key_is(const uint8_t *buf, size_t len, size_t off, uint64_t k, size_t *voff)
{
    uint64_t key = 0;
    size_t v = 0;
    int rc = scbor_get_uint(buf, len, off, &key);

    *voff = 0;
    if (rc == QSCD_OK && key != k)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK)
        rc = scbor_skip(buf, len, off, &v);
    if (rc == QSCD_OK && v >= len)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK)
        *voff = v;
    return rc;
}

/* The password after the id at v: key 3, a byte string of at most SAMP_PASSWORD_MAX. */
/*@ requires \valid_read(buf + (0 .. len - 1)) && \valid(off) && \valid(n);
    requires \separated(off, n, buf + (0 .. len - 1));
    terminates \true;
    assigns *off, *n;
    ensures \result == QSCD_OK ==> *off + *n <= len && *n <= SAMP_PASSWORD_MAX;
*/
static int password_parse(const uint8_t *buf, size_t len, size_t v, size_t *off, size_t *n)
{
    size_t next = 0, w = 0, doff = 0, dlen = 0;
    int rc = scbor_skip(buf, len, v, &next);

    *off = 0;
    *n = 0;
    if (rc == QSCD_OK)
        rc = key_is(buf, len, next, 3, &w);
    if (rc == QSCD_OK)
        rc = scbor_get_bstr(buf, len, w, &doff, &dlen);
    if (rc == QSCD_OK && dlen > SAMP_PASSWORD_MAX)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK) {
        *off = doff;
        *n = dlen;
    }
    return rc;
}

/* The caller map {1: role, 2: id, [3: password]}. */
/*@ requires \valid_read(buf + (0 .. len - 1)) && \valid(r);
    requires \separated(r, buf + (0 .. len - 1));
    terminates \true;
    assigns r->role, r->caller, r->has_password, r->pw_off, r->pw_len;
    ensures \result == QSCD_OK ==> qscd_id_ok(&r->caller);
    ensures \result == QSCD_OK ==> (r->has_password ==> r->pw_off + r->pw_len <= len &&
                                                      r->pw_len <= SAMP_PASSWORD_MAX);
*/
static int caller_parse(const uint8_t *buf, size_t len, size_t off, samp_request *r)
{
    uint64_t n = 0, role = 0;
    size_t first = 0, v = 0, id_off = 0, id_len = 0, pw_off = 0, pw_len = 0, next = 0;
    int rc = scbor_get_map(buf, len, off, &n, &first);

    if (rc == QSCD_OK && n != 2 && n != 3)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK)
        rc = key_is(buf, len, first, 1, &v);
    if (rc == QSCD_OK)
        rc = scbor_get_uint(buf, len, v, &role);
    if (rc == QSCD_OK && role > 255)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK)
        rc = scbor_skip(buf, len, v, &next);
    if (rc == QSCD_OK)
        rc = key_is(buf, len, next, 2, &v);
    if (rc == QSCD_OK)
        rc = scbor_get_bstr(buf, len, v, &id_off, &id_len);
    if (rc == QSCD_OK && (id_len < 1 || id_len > QSCD_ID_MAX))
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK && n == 3)
        rc = password_parse(buf, len, v, &pw_off, &pw_len);
    /* Everything read: now the writes, the id last. */
    r->role = rc == QSCD_OK ? (int32_t)role : 0;
    r->has_password = rc == QSCD_OK && n == 3;
    r->pw_off = rc == QSCD_OK ? pw_off : 0;
    r->pw_len = rc == QSCD_OK ? pw_len : 0;
    qscd_id_clear(&r->caller);
    if (rc == QSCD_OK) {
        qscd_copy_at(r->caller.b, buf, len, id_off, id_len);
        r->caller.len = (uint8_t)id_len;
    }
    return rc;
}

int samp_request_parse(const uint8_t *buf, size_t len, samp_request *r)
{
    uint64_t n = 0, ver = 0, pn = 0;
    size_t item = 0, off = 0, v = 0, doff = 0, dlen = 0, pfirst = 0;
    int rc = scbor_check(buf, len, &samp_limits, &item);

    r->op = 0;
    r->req_id_off = 0;
    r->req_id_len = 0;
    r->params_off = 0;
    if (rc == QSCD_OK)
        rc = scbor_get_map(buf, len, 0, &n, &off);
    if (rc == QSCD_OK && n != 5)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK)
        rc = key_is(buf, len, off, 1, &v);
    if (rc == QSCD_OK)
        rc = scbor_get_uint(buf, len, v, &ver);
    if (rc == QSCD_OK && ver != SAMP_VERSION)
        rc = QSCD_ERR_PROTO_VERSION;
    if (rc == QSCD_OK)
        rc = scbor_skip(buf, len, v, &off);
    if (rc == QSCD_OK)
        rc = key_is(buf, len, off, 2, &v);
    if (rc == QSCD_OK)
        rc = scbor_get_uint(buf, len, v, &r->op);
    if (rc == QSCD_OK)
        rc = scbor_skip(buf, len, v, &off);
    if (rc == QSCD_OK)
        rc = key_is(buf, len, off, 3, &v);
    if (rc == QSCD_OK)
        rc = scbor_get_bstr(buf, len, v, &doff, &dlen);
    if (rc == QSCD_OK && (dlen < 1 || dlen > SAMP_REQUEST_ID_MAX))
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK) {
        r->req_id_off = doff;
        r->req_id_len = dlen;
        rc = scbor_skip(buf, len, v, &off);
    }
    if (rc == QSCD_OK)
        rc = key_is(buf, len, off, 4, &v);
    if (rc == QSCD_OK)
        rc = caller_parse(buf, len, v, r);
    if (rc == QSCD_OK)
        rc = scbor_skip(buf, len, v, &off);
    if (rc == QSCD_OK)
        rc = key_is(buf, len, off, 5, &v);
    if (rc == QSCD_OK)
        rc = scbor_get_map(buf, len, v, &pn, &pfirst);
    if (rc == QSCD_OK)
        r->params_off = v;
    if (rc != QSCD_OK && rc != QSCD_ERR_PROTO_VERSION)
        rc = QSCD_ERR_PROTO_FRAME;
    return rc;
}
