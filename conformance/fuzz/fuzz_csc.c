/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the SSA's CSC request handling (src/ssa/): the body of a request
 * goes through ssa_handle, the body reader and method dispatch the HTTP server uses, without
 * a network. The first byte picks the method (its value modulo CSC_ROUTES; auth/login takes the
 * rest as its Authorization header instead, the one input it reads) and, in its quotient, now
 * and then another HTTP method, Content-Type or an oversized body; the second how the SAM answers: success with a
 * canned result, one of the project's error codes, or no connection. The SAM client's
 * connection and call are replaced at link time (-Wl,--wrap): the stand-in checks that every
 * request the SSA builds is a frame the SAM's verified decoder accepts, made for the token's
 * signer, and answers through the real client decoder. Each reply must be a known status
 * with a body that serialises, and an error reply must name its CSC error.
 */
#include <jansson.h>
#include <openssl/sha.h>
#include <string.h>
#include <time.h>

#include "fuzz_common.h"
#include "samp.h"
#include "ssa_int.h"

#define SIGNER "alice"
#define BEARER "fuzz-token"

/* ------------------------------------------------------------ the SAM, at link time */

int __wrap_samc_connect(const char *path, int timeout_s, samc **out);
void __wrap_samc_close(samc *c);
int __wrap_samc_fd(const samc *c);
int __wrap_samc_call(samc *c, const samc_caller *who, unsigned op, const uint8_t *params,
                     size_t params_len, samc_resp *r);

#define CODE(name, value, text) name,
static const int codes[] = { QSCD_ERRORS(CODE) };
#undef CODE

static int g_answer;       /* -1 no connection, 0 success, else the status of the first call */
static int g_calls;
static char g_conn;        /* what a connection handle points to */

int __wrap_samc_connect(const char *path, int timeout_s, samc **out)
{
    (void)path;
    (void)timeout_s;
    *out = g_answer < 0 ? NULL : (samc *)&g_conn;
    return g_answer < 0 ? QSCD_ERR_IO : QSCD_OK;
}

void __wrap_samc_close(samc *c)
{
    CHECK(c == NULL || c == (samc *)&g_conn);
}

int __wrap_samc_fd(const samc *c)
{
    (void)c;
    return -1;   /* poll ignores it: an idle connection looks open */
}

/* The request as samc_call frames it must pass the SAM's decoder, params where they were. */
static void request_check(const samc_caller *who, unsigned op, const uint8_t *params, size_t n)
{
    static uint8_t buf[SAMP_REQUEST_MAX];
    static const uint8_t rid[16];
    samp_request env;
    scbor_enc e;

    CHECK(who->role == 1 && who->id_len == strlen(SIGNER) && memcmp(who->id, SIGNER, who->id_len) == 0);
    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 5);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, SAMP_VERSION);
    scbor_put_uint(&e, 2);
    scbor_put_uint(&e, op);
    scbor_put_uint(&e, 3);
    scbor_put_bstr(&e, rid, sizeof rid);
    scbor_put_uint(&e, 4);
    scbor_put_map(&e, 2);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, (uint64_t)who->role);
    scbor_put_uint(&e, 2);
    scbor_put_bstr(&e, who->id, who->id_len);
    scbor_put_uint(&e, 5);
    if (params != NULL)
        scbor_put_raw(&e, params, n);
    else
        scbor_put_map(&e, 0);
    CHECK(e.err == QSCD_OK);
    CHECK(samp_request_parse(buf, e.len, &env) == QSCD_OK && env.op == op);
    CHECK(params == NULL || memcmp(buf + env.params_off, params, n) == 0);
}

/* How many digests the request carries (signHash key 5), to sign each. */
static uint64_t digests_asked(const uint8_t *params, size_t n)
{
    uint64_t count = 0;
    size_t v = 0, first = 0;

    if (params == NULL || scbor_map_find_int(params, n, 0, 5, &v) != QSCD_OK ||
        scbor_get_array(params, n, v, &count, &first) != QSCD_OK)
        return 0;
    return count;
}

/* The result map of a successful answer, as the SAM gives it for op. */
static void result(scbor_enc *e, unsigned op, const uint8_t *params, size_t n)
{
    static const uint8_t blob[64] = { 0x30, 0x03, 0x02, 0x01, 0x00 };

    if (op == SAMC_CRED_LIST) {
        scbor_put_map(e, 1);
        scbor_put_uint(e, 1);
        scbor_put_array(e, 2);
        scbor_put_bstr(e, (const uint8_t *)"cred-1", 6);
        scbor_put_bstr(e, (const uint8_t *)"cred-2", 6);
    } else if (op == SAMC_CRED_INFO) {
        scbor_put_map(e, 7);
        scbor_put_uint(e, 1);
        scbor_put_uint(e, (uint64_t)(g_calls % 4));
        scbor_put_uint(e, 2);
        scbor_put_uint(e, 256);
        scbor_put_uint(e, 3);
        scbor_put_uint(e, (uint64_t)(g_calls % 3));
        scbor_put_uint(e, 4);
        scbor_put_uint(e, 1);
        scbor_put_uint(e, 5);
        scbor_put_bool(e, g_calls % 2 == 0);
        scbor_put_uint(e, 6);
        scbor_put_array(e, 1);
        scbor_put_bstr(e, blob, 5);
        scbor_put_uint(e, 7);
        scbor_put_tstr(e, (const uint8_t *)"valid", 5);
    } else if (op == SAMC_CHALLENGE || op == SAMC_AUTHORIZE || op == SAMC_EXTEND) {
        scbor_put_map(e, 2);
        scbor_put_uint(e, 1);
        scbor_put_bstr(e, blob, 32);
        scbor_put_uint(e, 2);
        scbor_put_uint(e, 300);
    } else if (op == SAMC_SIGN) {
        uint64_t k = digests_asked(params, n);
        scbor_put_map(e, 1);
        scbor_put_uint(e, 1);
        scbor_put_array(e, k);
        for (uint64_t i = 0; i < k; i++)
            scbor_put_bstr(e, blob, sizeof blob);
    } else {
        scbor_put_map(e, 0);
    }
}

int __wrap_samc_call(samc *c, const samc_caller *who, unsigned op, const uint8_t *params,
                     size_t params_len, samc_resp *r)
{
    static const uint8_t rid[16];
    int status = g_calls++ == 0 ? g_answer : 0;
    uint8_t *buf;
    scbor_enc e;

    CHECK(c == (samc *)&g_conn);
    request_check(who, op, params, params_len);
    if (g_answer < 0)
        return QSCD_ERR_IO;   /* a pooled connection the SAM has closed meanwhile */
    CHECK((buf = malloc(8192)) != NULL);
    scbor_enc_init(&e, buf, 8192);
    scbor_put_map(&e, 4);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, SAMP_VERSION);
    scbor_put_uint(&e, 2);
    scbor_put_uint(&e, (uint64_t)status);
    scbor_put_uint(&e, 3);
    scbor_put_bstr(&e, rid, sizeof rid);   /* the client is not asked to match it here */
    if (status == 0) {
        scbor_put_uint(&e, 5);
        result(&e, op, params, params_len);
    } else {
        scbor_put_uint(&e, 4);
        scbor_put_tstr(&e, (const uint8_t *)"refused", 7);
    }
    CHECK(e.err == QSCD_OK);
    CHECK(samc_resp_parse(buf, e.len, NULL, 0, r) == QSCD_OK && r->status == status);
    return QSCD_OK;
}

/* ------------------------------------------------------------------------ the SSA */

/* In the order of ROUTES in seeds.py, which writes the seeds' first bytes. */
#define CSC_ROUTES 9
static const char *const urls[CSC_ROUTES] = {
    "/csc/v2/info", "/csc/v2/auth/login", "/csc/v2/auth/revoke", "/csc/v2/credentials/list",
    "/csc/v2/credentials/info", "/csc/v2/credentials/authorize",
    "/csc/v2/credentials/getChallenge", "/csc/v2/signatures/signHash",
    "/csc/v2/credentials/extendTransaction",
};
/* The quotient of the first byte by CSC_ROUTES (0 to 28): 23 to 26 an odd Content-Type,
 * 27 GET, 28 an oversized body, the rest a plain POST. */
#define CSC_ODD_TYPE 23
#define CSC_GET 27
#define CSC_OVERSIZED 28

static ssa *g_ssa;

/* One client that may act for anyone, and the bearer token every request presents. */
static void ssa_once(void)
{
    g_ssa = calloc(1, sizeof *g_ssa);
    CHECK(g_ssa != NULL);
    g_ssa->tokens = calloc(SSA_TOKENS_MAX, sizeof *g_ssa->tokens);
    CHECK(g_ssa->tokens != NULL);
    pthread_mutex_init(&g_ssa->lock, NULL);
    pthread_mutex_init(&g_ssa->sam_mu, NULL);
    g_ssa->cfg.name = "qscd";
    g_ssa->cfg.quiet = true;
    g_ssa->cfg.sam_socket = "/nonexistent";
    g_ssa->cfg.token_ttl = 3600;
    snprintf(g_ssa->clients[0].id, sizeof g_ssa->clients[0].id, "app");
    SHA256((const uint8_t *)"secret", 6, g_ssa->clients[0].secret_hash);
    snprintf(g_ssa->clients[0].signers, sizeof g_ssa->clients[0].signers, "*");
    g_ssa->n_clients = 1;
}

/* Every run starts from the same table: the bearer token live, login's slot free. */
static void tokens_reset(void)
{
    ssa_token *t = &g_ssa->tokens[0];

    memset(t, 0, 2 * sizeof *t);
    SHA256((const uint8_t *)BEARER, strlen(BEARER), t->hash);
    t->expiry = (int64_t)time(NULL) + 3600;
    snprintf(t->client, sizeof t->client, "app");
    snprintf(t->signer, sizeof t->signer, SIGNER);
}

static void reply_check(const ssa_req *r)
{
    static const int known[] = { 200, 204, 400, 401, 404, 405, 413, 500, 503 };
    bool ok = false;
    char *text;

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok = ok || r->http == known[i];
    CHECK(ok);
    CHECK((r->http == 204) == (r->out == NULL));
    if (r->http >= 400)
        CHECK(r->error != NULL && json_is_string(json_object_get(r->out, "error")));
    if (r->out != NULL) {
        CHECK((text = json_dumps(r->out, JSON_COMPACT)) != NULL);
        free(text);
    }
}

/* The Content-Type header: JSON as clients send it, and now and then something else. */
static const char *content_type(unsigned variant)
{
    static const char *const odd[] = { "Application/JSON ;charset=utf-8", "application/jsonx",
                                       "text/plain", NULL };

    return variant >= CSC_ODD_TYPE && variant < CSC_GET ? odd[variant - CSC_ODD_TYPE]
                                                         : "application/json";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char header[512];
    const char *body = (const char *)data + 2;
    size_t len = size - 2;
    ssa_req r;

    if (size < 2 || size - 2 > SSA_BODY_MAX)
        return 0;
    if (g_ssa == NULL)
        ssa_once();
    tokens_reset();
    g_calls = 0;
    g_answer = data[1] == 0 ? 0 : data[1] == 255 ? -1
                                                 : codes[data[1] % (sizeof codes / sizeof codes[0])];
    memset(&r, 0, sizeof r);
    r.s = g_ssa;
    r.authz = "Bearer " BEARER;
    if (data[0] % CSC_ROUTES == 1) {   /* auth/login: the header is the input */
        snprintf(header, sizeof header, "%.*s", (int)(len < sizeof header ? len : sizeof header - 1), body);
        r.authz = header;
        len = 0;
    }
    ssa_handle(&r, urls[data[0] % CSC_ROUTES], data[0] / CSC_ROUTES == CSC_GET ? "GET" : "POST",
               content_type(data[0] / CSC_ROUTES), body, len, data[0] / CSC_ROUTES == CSC_OVERSIZED);
    reply_check(&r);
    ssa_req_release(&r);
    return 0;
}
