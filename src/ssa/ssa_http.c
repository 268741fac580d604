/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SSA's HTTP side: the libmicrohttpd daemon over TLS, the body collected up to
 * SSA_BODY_MAX, the Content-Type and JSON checks, routing to the CSC handlers, and one log
 * line per request (method, status, CSC error: never a body, a header or a token).
 */
#include "ssa_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qscd_err.h"

#define CSC_PREFIX "/csc/v2/"

typedef struct route {
    const char *method;
    int (*fn)(ssa_req *r);
    bool bearer;               /* needs Authorization: Bearer */
} route;

static const route routes[] = {
    { "info", ssa_h_info, false },
    { "auth/login", ssa_h_login, false },
    { "auth/revoke", ssa_h_revoke, true },
    { "credentials/list", ssa_h_list, true },
    { "credentials/info", ssa_h_cred_info, true },
    { "credentials/authorize", ssa_h_authorize, true },
    { "credentials/getChallenge", ssa_h_challenge, true },
    { "credentials/extendTransaction", ssa_h_extend, true },
    { "signatures/signHash", ssa_h_sign_hash, true },
    { NULL, NULL, false },
};

const char *const ssa_methods[] = {
    "info", "auth/login", "auth/revoke", "credentials/list", "credentials/info",
    "credentials/authorize", "credentials/getChallenge", "credentials/extendTransaction",
    "signatures/signHash", NULL,
};

/* The body being received: on the heap per connection, wiped when done (it may hold PINs). */
typedef struct conn_body {
    char *buf;
    size_t len;
    bool too_big;
} conn_body;

int ssa_fail(ssa_req *r, int http, const char *err, const char *desc)
{
    json_decref(r->out);
    r->http = http;
    r->error = err;
    r->out = json_pack("{s:s,s:s}", "error", err, "error_description", desc);
    return -1;
}

int ssa_bad(ssa_req *r, const char *desc)
{
    return ssa_fail(r, 400, "invalid_request", desc);
}

/* Content-Type must be application/json, parameters (charset=utf-8) allowed. */
static bool json_content_type(const char *ct)
{
    size_t n = strlen("application/json");

    if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
        return false;
    ct += n;
    while (*ct == ' ')
        ct++;
    return *ct == '\0' || *ct == ';';
}

static void parse_body(ssa_req *r, const char *ct, const char *body, size_t len, bool too_big)
{
    json_error_t je;

    if (too_big) {
        ssa_fail(r, 413, "invalid_request", "Request body too large");
        return;
    }
    if (len == 0) {               /* info and auth/login may come without a body */
        r->in = json_object();
        return;
    }
    if (!json_content_type(ct)) {
        ssa_bad(r, "Content-Type must be application/json");
        return;
    }
    r->in = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (r->in == NULL || !json_is_object(r->in)) {
        json_decref(r->in);
        r->in = NULL;
        ssa_bad(r, "Malformed JSON body: a JSON object is expected");
    }
}

/* Wipe every string value of the body before it is freed: PIN, OTP, SAD, assertion. */
static void wipe_json(json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;

    if (json_is_string(v))
        ssa_json_wipe_str(v);
    else if (json_is_object(v))
        json_object_foreach(v, k, x) wipe_json(x);
    else if (json_is_array(v))
        json_array_foreach(v, i, x) wipe_json(x);
}

static void dispatch(ssa_req *r, const char *url, const char *method)
{
    const route *rt = NULL;

    if (strncmp(url, CSC_PREFIX, strlen(CSC_PREFIX)) == 0)
        for (rt = routes; rt->method != NULL; rt++)
            if (strcmp(url + strlen(CSC_PREFIX), rt->method) == 0)
                break;
    if (rt == NULL || rt->method == NULL) {
        ssa_fail(r, 404, "invalid_request", "Unknown method");
        return;
    }
    if (strcmp(method, "POST") != 0) {
        ssa_fail(r, 405, "invalid_request", "Only POST is allowed");
        return;
    }
    if (rt->bearer && ssa_auth_bearer(r) != 0)
        return;
    r->http = 200;
    if (rt->fn(r) == 0 && r->out == NULL && r->http == 200)
        r->out = json_object();
}

void ssa_handle(ssa_req *r, const char *url, const char *method, const char *ct,
                const char *body, size_t len, bool too_big)
{
    parse_body(r, ct, body, len, too_big);
    if (r->in != NULL)
        dispatch(r, url, method);
}

void ssa_req_release(ssa_req *r)
{
    wipe_json(r->in);
    json_decref(r->in);
    json_decref(r->out);
    r->in = r->out = NULL;
    OPENSSL_cleanse(&r->tok_copy, sizeof r->tok_copy);
}

static enum MHD_Result respond(struct MHD_Connection *c, ssa_req *r)
{
    char *text = r->out != NULL ? json_dumps(r->out, JSON_COMPACT) : NULL;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (r->out != NULL && text == NULL) {
        r->http = 500;
        text = strdup("{\"error\":\"server_error\",\"error_description\":\"Internal error\"}");
    }
    resp = MHD_create_response_from_buffer(text != NULL ? strlen(text) : 0, text,
                                           MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    if (text != NULL)
        MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    ret = MHD_queue_response(c, (unsigned)r->http, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void log_line(const ssa_req *r, const char *url)
{
    if (r->s->cfg.quiet)
        return;
    /* The URL path only (the query is not used), the status, the CSC error: no secret. */
    fprintf(stderr, "qscd ssa: %.80s %d %s\n", url, r->http, r->error != NULL ? r->error : "ok");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    conn_body *b = *con_cls;
    ssa_req r;
    enum MHD_Result ret;

    (void)version;
    if (b == NULL) {
        if ((b = calloc(1, sizeof *b)) == NULL)
            return MHD_NO;
        *con_cls = b;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (b->too_big || b->len + *upload_size > SSA_BODY_MAX) {
            b->too_big = true;          /* keep reading, drop the bytes, answer at the end */
        } else {
            char *nb = realloc(b->buf, b->len + *upload_size);
            if (nb == NULL)
                return MHD_NO;
            b->buf = nb;
            memcpy(b->buf + b->len, upload, *upload_size);
            b->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    memset(&r, 0, sizeof r);
    r.s = cls;
    r.authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    ssa_handle(&r, url, method, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"),
               b->buf, b->len, b->too_big);
    ret = respond(c, &r);
    log_line(&r, url);
    ssa_req_release(&r);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn_body *b = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (b != NULL) {
        if (b->buf != NULL)
            OPENSSL_cleanse(b->buf, b->len);
        free(b->buf);
        free(b);
        *con_cls = NULL;
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < 1 << 20 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) != NULL &&
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int start_daemon(ssa *s)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *di;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)s->cfg.port);
    if (inet_pton(AF_INET, s->cfg.listen_addr != NULL ? s->cfg.listen_addr : "127.0.0.1",
                  &sa.sin_addr) != 1)
        return QSCD_ERR_CONFIG;
    /* A thread per connection: a handler blocks on the SAM, keep-alive clients keep theirs. */
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                MHD_USE_TLS | MHD_USE_ERROR_LOG,
                            0, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem,
                            MHD_OPTION_HTTPS_MEM_KEY, s->key_pem,
                            MHD_OPTION_HTTPS_PRIORITIES, "SECURE256:+SECURE128:-VERS-ALL:"
                                                         "+VERS-TLS1.3:+VERS-TLS1.2",
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_END);
    if (s->d == NULL)
        return QSCD_ERR_IO;
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di != NULL ? di->port : s->cfg.port;
    return QSCD_OK;
}

int ssa_start(const ssa_config *cfg, ssa **out)
{
    ssa *s = calloc(1, sizeof *s);
    int rc = QSCD_ERR_CONFIG;

    *out = NULL;
    if (s == NULL)
        return QSCD_ERR_NOMEM;
    s->cfg = *cfg;
    if (s->cfg.token_ttl == 0)
        s->cfg.token_ttl = SSA_TOKEN_TTL;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->sam_mu, NULL);
    s->tokens = calloc(SSA_TOKENS_MAX, sizeof *s->tokens);
    if (s->tokens != NULL && cfg->sam_socket != NULL && cfg->tls_cert != NULL &&
        cfg->tls_key != NULL && (s->cert_pem = slurp(cfg->tls_cert)) != NULL &&
        (s->key_pem = slurp(cfg->tls_key)) != NULL && cfg->clients != NULL &&
        ssa_clients_load(s, cfg->clients) == 0)
        rc = start_daemon(s);
    if (rc != QSCD_OK) {
        ssa_stop(s);
        return rc;
    }
    *out = s;
    return QSCD_OK;
}

unsigned ssa_port(const ssa *s)
{
    return s->port;
}

void ssa_stop(ssa *s)
{
    if (s == NULL)
        return;
    if (s->d != NULL)
        MHD_stop_daemon(s->d);
    ssa_sam_pool_close(s);
    pthread_mutex_destroy(&s->sam_mu);
    if (s->key_pem != NULL) {
        OPENSSL_cleanse(s->key_pem, strlen(s->key_pem));
        free(s->key_pem);
    }
    free(s->cert_pem);
    if (s->tokens != NULL)
        OPENSSL_cleanse(s->tokens, SSA_TOKENS_MAX * sizeof *s->tokens);
    free(s->tokens);
    OPENSSL_cleanse(s->clients, sizeof s->clients);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
