/* SPDX-License-Identifier: Apache-2.0 */
/* The SAM client (samc.h): socket, frames, envelope, strict answers. */
#define _GNU_SOURCE
#include "samc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "qscd_err.h"
#include "samp.h"
#include "scbor.h"

struct samc {
    int fd;
};

int samc_connect(const char *path, int timeout_s, samc **out)
{
    struct sockaddr_un a;
    struct timeval tv = { timeout_s, 0 };
    samc *c;
    int fd;

    *out = NULL;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path)
        return QSCD_ERR_ARG;
    memcpy(a.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return QSCD_ERR_IO;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || (c = malloc(sizeof *c)) == NULL) {
        close(fd);
        return QSCD_ERR_IO;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    c->fd = fd;
    *out = c;
    return QSCD_OK;
}

void samc_close(samc *c)
{
    if (c != NULL) {
        close(c->fd);
        free(c);
    }
}

int samc_fd(const samc *c)
{
    return c->fd;
}

/* ------------------------------------------------------------------------ frames */

static int io_err(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK ? QSCD_ERR_TIMEOUT : QSCD_ERR_IO;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return w < 0 ? io_err() : QSCD_ERR_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return QSCD_OK;
}

static int recv_all(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return r < 0 ? io_err() : QSCD_ERR_IO;
        }
        p += r;
        n -= (size_t)r;
    }
    return QSCD_OK;
}

int samc_send_frame(samc *c, const uint8_t *payload, size_t len)
{
    uint8_t hdr[SAMP_HEADER_LEN];
    int rc;

    if (len > SAMP_RESPONSE_MAX)
        return QSCD_ERR_LIMIT;
    samp_frame_header(len, hdr);
    rc = send_all(c->fd, hdr, sizeof hdr);
    return rc == QSCD_OK ? send_all(c->fd, payload, len) : rc;
}

int samc_recv_frame(samc *c, uint8_t **payload, size_t *len)
{
    uint8_t hdr[SAMP_HEADER_LEN];
    int rc = recv_all(c->fd, hdr, sizeof hdr);

    *payload = NULL;
    *len = 0;
    if (rc == QSCD_OK)
        rc = samp_frame_len(hdr, SAMP_RESPONSE_MAX, len);
    if (rc == QSCD_OK && (*payload = malloc(*len)) == NULL)
        rc = QSCD_ERR_NOMEM;
    if (rc == QSCD_OK)
        rc = recv_all(c->fd, *payload, *len);
    if (rc != QSCD_OK) {
        free(*payload);
        *payload = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------------- requests */

static int envelope(scbor_enc *e, const samc_caller *who, unsigned op, const uint8_t *rid,
                    const uint8_t *params, size_t params_len)
{
    scbor_put_map(e, 5);
    scbor_put_uint(e, 1);
    scbor_put_uint(e, SAMP_VERSION);
    scbor_put_uint(e, 2);
    scbor_put_uint(e, op);
    scbor_put_uint(e, 3);
    scbor_put_bstr(e, rid, 16);
    scbor_put_uint(e, 4);
    scbor_put_map(e, who->password != NULL ? 3 : 2);
    scbor_put_uint(e, 1);
    scbor_put_uint(e, (uint64_t)who->role);
    scbor_put_uint(e, 2);
    scbor_put_bstr(e, who->id, who->id_len);
    if (who->password != NULL) {
        scbor_put_uint(e, 3);
        scbor_put_bstr(e, who->password, who->password_len);
    }
    scbor_put_uint(e, 5);
    if (params != NULL)
        scbor_put_raw(e, params, params_len);
    else
        scbor_put_map(e, 0);
    return e->err;
}

int samc_call(samc *c, const samc_caller *who, unsigned op, const uint8_t *params,
              size_t params_len, samc_resp *r)
{
    uint8_t *req = malloc(SAMP_REQUEST_MAX), rid[16], *buf = NULL;
    size_t len = 0;
    scbor_enc e;
    int rc = req == NULL ? QSCD_ERR_NOMEM : QSCD_OK;

    memset(r, 0, sizeof *r);
    if (rc == QSCD_OK && getrandom(rid, sizeof rid, 0) != (ssize_t)sizeof rid)
        rc = QSCD_ERR_RANDOM;
    if (rc == QSCD_OK) {
        scbor_enc_init(&e, req, SAMP_REQUEST_MAX);
        rc = envelope(&e, who, op, rid, params, params_len) == QSCD_OK ? QSCD_OK : QSCD_ERR_LIMIT;
    }
    if (rc == QSCD_OK)
        rc = samc_send_frame(c, req, e.len);
    if (req != NULL) {
        memset(req, 0, SAMP_REQUEST_MAX); /* the password and PINs it held */
        free(req);
    }
    if (rc == QSCD_OK)
        rc = samc_recv_frame(c, &buf, &len);
    if (rc == QSCD_OK)
        rc = samc_resp_parse(buf, len, rid, sizeof rid, r);
    else
        free(buf);
    return rc;
}

void samc_resp_free(samc_resp *r)
{
    if (r->buf != NULL) {
        memset(r->buf, 0, r->len); /* results may hold a TOTP URI or a SAD */
        free(r->buf);
    }
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------------ answers */

static const scbor_limits resp_limits = { 6u, 4096u, SAMP_RESPONSE_MAX, SCBOR_REQUIRE_SORTED };

static int find(const uint8_t *buf, size_t len, size_t map, int key, size_t *v)
{
    return scbor_map_find_int(buf, len, map, key, v);
}

static int resp_fields(const uint8_t *buf, size_t len, const uint8_t *rid, size_t rid_len,
                       samc_resp *r)
{
    uint64_t ver = 0, st = 0, n = 0;
    size_t v = 0, off = 0, dlen = 0, first = 0;
    int rc = scbor_get_map(buf, len, 0, &n, &first);

    if (rc == QSCD_OK && (find(buf, len, 0, 1, &v) != QSCD_OK ||
                          scbor_get_uint(buf, len, v, &ver) != QSCD_OK || ver != SAMP_VERSION))
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK && (find(buf, len, 0, 2, &v) != QSCD_OK ||
                          scbor_get_uint(buf, len, v, &st) != QSCD_OK || st > 0x7fffffff))
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK && (find(buf, len, 0, 3, &v) != QSCD_OK ||
                          scbor_get_bstr(buf, len, v, &off, &dlen) != QSCD_OK ||
                          (rid != NULL && (dlen != rid_len || memcmp(buf + off, rid, dlen) != 0))))
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK && find(buf, len, 0, 4, &v) == QSCD_OK &&
        scbor_get_tstr(buf, len, v, &off, &dlen) == QSCD_OK)
        snprintf(r->message, sizeof r->message, "%.*s", (int)dlen, (const char *)buf + off);
    if (rc == QSCD_OK && find(buf, len, 0, 5, &v) == QSCD_OK) {
        uint64_t cnt;
        rc = scbor_get_map(buf, len, v, &cnt, &first) == QSCD_OK ? QSCD_OK : QSCD_ERR_PROTO_FRAME;
        r->has_result = rc == QSCD_OK;
        r->result_off = v;
    }
    r->status = (int)st;
    return rc;
}

int samc_resp_parse(uint8_t *buf, size_t len, const uint8_t *req_id, size_t req_id_len,
                    samc_resp *r)
{
    size_t item = 0;
    int rc = scbor_check(buf, len, &resp_limits, &item);

    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    if (rc == QSCD_OK)
        rc = resp_fields(buf, len, req_id, req_id_len, r);
    else
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK && r->status == 0 && !r->has_result)
        rc = QSCD_ERR_PROTO_FRAME; /* a success always carries its result map */
    return rc;
}

/* --------------------------------------------------------------------- readers */

static int result(const samc_resp *r, int key, size_t *v)
{
    if (!r->has_result)
        return QSCD_ERR_NOT_FOUND;
    return find(r->buf, r->len, r->result_off, key, v);
}

int samc_get_uint(const samc_resp *r, int key, uint64_t *v)
{
    size_t off = 0;
    int rc = result(r, key, &off);

    return rc == QSCD_OK ? scbor_get_uint(r->buf, r->len, off, v) : rc;
}

int samc_get_int(const samc_resp *r, int key, int64_t *v)
{
    size_t off = 0;
    int rc = result(r, key, &off);

    return rc == QSCD_OK ? scbor_get_int(r->buf, r->len, off, v) : rc;
}

int samc_get_bool(const samc_resp *r, int key, bool *v)
{
    size_t off = 0;
    int rc = result(r, key, &off);

    return rc == QSCD_OK ? scbor_get_bool(r->buf, r->len, off, v) : rc;
}

static int str_at(const samc_resp *r, size_t off, int tstr, const uint8_t **p, size_t *n)
{
    size_t doff = 0;
    int rc = tstr ? scbor_get_tstr(r->buf, r->len, off, &doff, n)
                  : scbor_get_bstr(r->buf, r->len, off, &doff, n);

    if (rc == QSCD_OK)
        *p = r->buf + doff;
    return rc;
}

int samc_get_bstr(const samc_resp *r, int key, const uint8_t **p, size_t *n)
{
    size_t off = 0;
    int rc = result(r, key, &off);

    return rc == QSCD_OK ? str_at(r, off, 0, p, n) : rc;
}

int samc_get_tstr(const samc_resp *r, int key, const uint8_t **p, size_t *n)
{
    size_t off = 0;
    int rc = result(r, key, &off);

    return rc == QSCD_OK ? str_at(r, off, 1, p, n) : rc;
}

int samc_get_array(const samc_resp *r, int key, uint64_t *count, size_t *first)
{
    size_t off = 0;
    int rc = result(r, key, &off);

    return rc == QSCD_OK ? scbor_get_array(r->buf, r->len, off, count, first) : rc;
}

int samc_next_bstr(const samc_resp *r, size_t *off, const uint8_t **p, size_t *n)
{
    int rc = str_at(r, *off, 0, p, n);

    return rc == QSCD_OK ? scbor_skip(r->buf, r->len, *off, off) : rc;
}

int samc_next_map(const samc_resp *r, size_t *off, size_t *map)
{
    uint64_t n = 0;
    size_t first = 0;
    int rc = scbor_get_map(r->buf, r->len, *off, &n, &first);

    if (rc == QSCD_OK) {
        *map = *off;
        rc = scbor_skip(r->buf, r->len, *off, off);
    }
    return rc;
}

int samc_map_int(const samc_resp *r, size_t map, int key, int64_t *v)
{
    size_t off = 0;
    int rc = find(r->buf, r->len, map, key, &off);

    return rc == QSCD_OK ? scbor_get_int(r->buf, r->len, off, v) : rc;
}

int samc_map_bstr(const samc_resp *r, size_t map, int key, const uint8_t **p, size_t *n)
{
    size_t off = 0;
    int rc = find(r->buf, r->len, map, key, &off);

    return rc == QSCD_OK ? str_at(r, off, 0, p, n) : rc;
}

int samc_map_tstr(const samc_resp *r, size_t map, int key, const uint8_t **p, size_t *n)
{
    size_t off = 0;
    int rc = find(r->buf, r->len, map, key, &off);

    return rc == QSCD_OK ? str_at(r, off, 1, p, n) : rc;
}

/* ------------------------------------------------------------------ event names */

static const struct { int op; const char *name; } events[] = {
    { 0, "protocol-error" }, { 1, "authorize" },      { 2, "sign" },
    { 3, "challenge" },      { 4, "cred.list" },      { 5, "cred.info" },
    { 6, "pin.change" },     { 7, "extend" },         { 10, "signer.enrol" },
    { 11, "signer.disable" }, { 12, "signer.enable" }, { 13, "signer.unlock" },
    { 14, "signer.delete" }, { 15, "pin.set" },       { 16, "factor.provision" },
    { 17, "cred.create" },   { 18, "cred.disable" },  { 19, "cred.enable" },
    { 20, "cred.delete" },   { 21, "cred.list-all" }, { 22, "cred.info-all" },
    { 23, "cert.import" },   { 24, "cert.revoke" },   { 30, "key.backup" },
    { 31, "key.restore" },   { 40, "audit.export" },  { 41, "audit.verify" },
    { 101, "info" },         { 102, "cred.csr" },     { 160, "admin.create" },
    { 900, "service.start" }, { 901, "service.stop" }, { 902, "cred.recover" },
    { 910, "alert.auth-burst" }, { 911, "alert.locked" }, { 912, "alert.authz-rate" },
};

const char *samc_event_name(int64_t op)
{
    static __thread char buf[32];

    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (events[i].op == op)
            return events[i].name;
    snprintf(buf, sizeof buf, "op-%lld", (long long)op);
    return buf;
}

int samc_event_op(const char *name, int64_t *op)
{
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strcmp(events[i].name, name) == 0) {
            *op = events[i].op;
            return QSCD_OK;
        }
    return QSCD_ERR_NOT_FOUND;
}

const char *samc_event_name_at(size_t i)
{
    return i < sizeof events / sizeof events[0] ? events[i].name : NULL;
}
