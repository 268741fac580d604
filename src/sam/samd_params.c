/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading an operation's parameters (spec/sam-protocol.md §3) from the request buffer the
 * verified decoder already checked (samp_request_parse): the strict readers of scbor.h, in
 * place. A missing parameter or one of another type is QSCD_ERR_PROTO_FRAME; a value out of
 * its bounds is QSCD_ERR_ARG.
 */
#include "samd_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Refuse with rc, saying in the answer which parameter and what it should be. rc. */
static int refuse(const samd_req *r, int rc, int key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(const samd_req *r, int rc, int key, const char *fmt, ...)
{
    samd_detail *d = r->detail;
    va_list ap;
    int n;

    if (d == NULL)
        return rc;
    d->rc = rc;
    n = snprintf(d->text, sizeof d->text, "parameter %d: ", key);
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof d->text)
        vsnprintf(d->text + n, sizeof d->text - (size_t)n, fmt, ap);
    va_end(ap);
    return rc;
}

static int find(const samd_req *r, int key, size_t *voff)
{
    return scbor_map_find_int(r->buf, r->len, r->env.params_off, key, voff) == QSCD_OK
               ? QSCD_OK : QSCD_ERR_PROTO_FRAME;
}

int samd_params_check(const samd_req *r, uint32_t required, uint32_t allowed)
{
    uint64_t n = 0, key = 0;
    size_t off = 0, next = 0;
    uint32_t seen = 0;
    int rc = scbor_get_map(r->buf, r->len, r->env.params_off, &n, &off);

    for (uint64_t i = 0; rc == QSCD_OK && i < n; i++) {
        rc = scbor_get_uint(r->buf, r->len, off, &key);
        if (rc == QSCD_OK && (key >= 32 || !(allowed & (1u << key))))
            rc = QSCD_ERR_PROTO_FRAME; /* a key the operation does not have */
        if (rc == QSCD_OK) {
            seen |= 1u << key;
            rc = scbor_skip(r->buf, r->len, off, &next);
        }
        if (rc == QSCD_OK)
            rc = scbor_skip(r->buf, r->len, next, &off);
    }
    if (rc == QSCD_OK && (seen & required) != required)
        rc = QSCD_ERR_PROTO_FRAME;
    return rc == QSCD_OK ? QSCD_OK : QSCD_ERR_PROTO_FRAME;
}

bool samd_param_has(const samd_req *r, int key)
{
    size_t v;

    return find(r, key, &v) == QSCD_OK;
}

/* A definite byte (major 2) or text (major 3) string of min..max bytes, in place. */
static int str_param(const samd_req *r, int key, bool text, size_t min, size_t max,
                     const uint8_t **p, size_t *n)
{
    size_t v = 0, doff = 0, dlen = 0;
    int rc = find(r, key, &v);

    if (rc != QSCD_OK)
        return refuse(r, rc, key, "missing");
    if ((text ? scbor_get_tstr(r->buf, r->len, v, &doff, &dlen)
              : scbor_get_bstr(r->buf, r->len, v, &doff, &dlen)) != QSCD_OK)
        return refuse(r, QSCD_ERR_PROTO_FRAME, key, "a %s string expected",
                      text ? "text" : "byte");
    if (dlen < min || dlen > max)
        rc = refuse(r, QSCD_ERR_ARG, key, "%zu to %zu bytes expected", min, max);
    if (rc == QSCD_OK) {
        *p = r->buf + doff;
        *n = dlen;
    }
    return rc;
}

int samd_param_bstr(const samd_req *r, int key, size_t min, size_t max, const uint8_t **p,
                    size_t *n)
{
    return str_param(r, key, false, min, max, p, n);
}

int samd_param_tstr(const samd_req *r, int key, size_t min, size_t max, const uint8_t **p,
                    size_t *n)
{
    return str_param(r, key, true, min, max, p, n);
}

int samd_param_id(const samd_req *r, int key, qscd_id *out)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    int rc = samd_param_bstr(r, key, 1, QSCD_ID_MAX, &p, &n);

    memset(out, 0, sizeof *out);
    if (rc == QSCD_OK) {
        out->len = (uint8_t)n;
        memcpy(out->b, p, n);
    }
    return rc;
}

int samd_param_uint(const samd_req *r, int key, uint64_t min, uint64_t max, uint64_t *v)
{
    size_t off = 0;
    int rc = find(r, key, &off);

    if (rc != QSCD_OK)
        return refuse(r, rc, key, "missing");
    if (scbor_get_uint(r->buf, r->len, off, v) != QSCD_OK)
        return refuse(r, QSCD_ERR_PROTO_FRAME, key, "an unsigned integer expected");
    if (*v < min || *v > max)
        rc = refuse(r, QSCD_ERR_ARG, key, "%llu to %llu expected", (unsigned long long)min,
                    (unsigned long long)max);
    return rc;
}

int samd_param_bool(const samd_req *r, int key, bool *v)
{
    size_t off = 0;
    int rc = find(r, key, &off);

    if (rc == QSCD_OK && scbor_get_bool(r->buf, r->len, off, v) != QSCD_OK)
        rc = refuse(r, QSCD_ERR_PROTO_FRAME, key, "true or false expected");
    return rc;
}

int samd_param_uints(const samd_req *r, int key, uint64_t min, uint64_t max, uint64_t *dst,
                     size_t cap, size_t *n)
{
    size_t off = 0, first = 0;
    uint64_t count = 0;
    int rc = find(r, key, &off);

    *n = 0;
    if (rc != QSCD_OK)
        return refuse(r, rc, key, "missing");
    if (scbor_get_array(r->buf, r->len, off, &count, &first) != QSCD_OK)
        return refuse(r, QSCD_ERR_PROTO_FRAME, key, "an array expected");
    if (count < 1 || count > cap)
        return refuse(r, QSCD_ERR_ARG, key, "1 to %zu values expected", cap);
    for (uint64_t i = 0; rc == QSCD_OK && i < count; i++) {
        if (scbor_get_uint(r->buf, r->len, first, &dst[i]) != QSCD_OK)
            rc = refuse(r, QSCD_ERR_PROTO_FRAME, key, "unsigned integers expected");
        else if (dst[i] < min || dst[i] > max)
            rc = refuse(r, QSCD_ERR_ARG, key, "values of %llu to %llu expected",
                        (unsigned long long)min, (unsigned long long)max);
        else
            rc = scbor_skip(r->buf, r->len, first, &first);
    }
    if (rc == QSCD_OK)
        *n = (size_t)count;
    return rc;
}

int samd_param_hashes(const samd_req *r, int key, int hash_alg, uint8_t *dst, size_t *n)
{
    size_t dlen = qscd_hash_digest_len(hash_alg), off = 0, first = 0, doff = 0, blen = 0;
    uint64_t count = 0;
    int rc = find(r, key, &off);

    *n = 0;
    if (rc == QSCD_OK && scbor_get_array(r->buf, r->len, off, &count, &first) != QSCD_OK)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK && (count < 1 || count > QSCD_MAX_HASHES))
        rc = refuse(r, QSCD_ERR_HASH_COUNT, key, "1 to %d digests expected", QSCD_MAX_HASHES);
    for (uint64_t i = 0; rc == QSCD_OK && i < count; i++) {
        if (scbor_get_bstr(r->buf, r->len, first, &doff, &blen) != QSCD_OK)
            rc = QSCD_ERR_PROTO_FRAME;
        else if (dlen != 0 && blen != dlen)
            rc = refuse(r, QSCD_ERR_DIGEST_LENGTH, key, "digests of %zu bytes expected", dlen);
        else if (blen > QSCD_MAX_DIGEST)
            rc = QSCD_ERR_DIGEST_LENGTH;
        else {
            memcpy(dst + i * QSCD_MAX_DIGEST, r->buf + doff, blen);
            first = doff + blen;
        }
    }
    if (rc == QSCD_OK)
        *n = (size_t)count;
    return rc;
}
