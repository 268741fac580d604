/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CSC API v2 target (--target csc:URL --config FILE): any CSC v2 service over HTTPS,
 * with libcurl. The configuration file (JSON) says what the vendor supplies: the CA to trust,
 * the identities (how each test signer logs in, its PIN, its TOTP seed or SIC device key)
 * and the credential ids; vectors that need what is not there SKIP and say which key is
 * missing. Each worker has its own curl handle (one keep-alive connection); access tokens
 * are shared.
 */
#include "csc.h"
#include "sam_admin.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------- configuration */

static char *read_text(const char *path, size_t max)
{
    FILE *f = fopen(path, "r");
    char *buf = f ? calloc(1, max + 1) : NULL;
    if (buf) {
        size_t n = fread(buf, 1, max, f);
        buf[n] = '\0';
    }
    if (f)
        fclose(f);
    return buf;
}

static void trim_nl(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* A secret from "KEY" (inline) or "KEYFile" (a file, first line); NULL when neither. */
static char *conf_secret(json_t *o, const char *key)
{
    char fk[80];
    const char *v = json_string_value(json_object_get(o, key));
    if (v)
        return strdup(v);
    snprintf(fk, sizeof fk, "%sFile", key);
    const char *path = json_string_value(json_object_get(o, fk));
    char *s = path ? read_text(path, 4096) : NULL;
    if (s)
        trim_nl(s);
    return s;
}

const char *csc_conf_str(csc_target *t, const csc_identity *id, const char *key)
{
    json_t *v = id ? json_object_get(id->conf, key) : NULL;
    if (!v)
        v = json_object_get(t->conf, key);
    return json_string_value(v);
}

/* The identity's SIC device key: "sicDeviceKey" (PEM inline) or "sicDeviceKeyFile". The
 * PEM text is wiped once parsed; an error names the identity, never the key. */
static int device_load(csc_identity *id, json_t *o, char *err, size_t errlen)
{
    char why[120];
    char *pem = conf_secret(o, "sicDeviceKey");
    if (!pem && json_object_get(o, "sicDeviceKeyFile")) {
        snprintf(err, errlen, "identity %s: sicDeviceKeyFile %s cannot be read", id->name,
                 json_string_value(json_object_get(o, "sicDeviceKeyFile")) ?
                 json_string_value(json_object_get(o, "sicDeviceKeyFile")) : "(not a string)");
        return -1;
    }
    if (!pem)
        return 0;
    id->device = csc_sic_key_parse(pem, why, sizeof why);
    cf_wipe(pem, strlen(pem));
    free(pem);
    if (!id->device) {
        snprintf(err, errlen, "identity %s: the SIC device key is %s", id->name, why);
        return -1;
    }
    return 0;
}

static int identity_load(csc_target *t, const char *name, json_t *o, char *err, size_t errlen)
{
    if (t->nids == CSC_MAX_IDS) {
        snprintf(err, errlen, "at most %d identities", CSC_MAX_IDS);
        return -1;
    }
    csc_identity *id = &t->ids[t->nids];
    memset(id, 0, sizeof *id);
    snprintf(id->name, sizeof id->name, "%s", name);
    id->conf = o;
    id->digits = 6;
    id->step = 30;
    pthread_mutex_init(&id->mu, NULL);
    t->nids++;
    const char *user = json_string_value(json_object_get(o, "user"));
    id->user = user ? strdup(user) : NULL;
    id->secret = conf_secret(o, "secret");
    id->pin = conf_secret(o, "pin");
    char *seed = conf_secret(o, "totpSeed");
    if (seed) {
        int bad = csc_totp_parse(seed, id->seed, sizeof id->seed, &id->seed_len, &id->digits,
                                 &id->step);
        cf_wipe(seed, strlen(seed));
        free(seed);
        if (bad || id->step < 1) {
            snprintf(err, errlen, "identity %s: the TOTP seed is neither an otpauth:// URI "
                     "(HMAC-SHA-1) nor Base32", name);
            return -1;
        }
    }
    if (device_load(id, o, err, errlen) != 0)
        return -1;
    const char *url = json_string_value(json_object_get(o, "url"));
    snprintf(id->base, sizeof id->base, "%s", url ? url : "");
    const char *ca = json_string_value(json_object_get(o, "caFile"));
    snprintf(id->cafile, sizeof id->cafile, "%s", ca ? ca : "");
    json_t *ah = json_object_get(o, "totpAhead");
    id->ahead = json_is_integer(ah) ? (int)json_integer_value(ah) : 1;
    json_t *d = json_object_get(o, "totpDigits"), *s = json_object_get(o, "totpStep");
    if (json_is_integer(d))
        id->digits = (int)json_integer_value(d);
    if (json_is_integer(s))
        id->step = (int)json_integer_value(s);
    if (!id->user || !id->secret) {
        snprintf(err, errlen, "identity %s needs \"user\" and \"secret\" or \"secretFile\" "
                 "(the Basic credentials of auth/login)", name);
        return -1;
    }
    return 0;
}

csc_identity *csc_identity_get(csc_target *t, const char *name)
{
    for (int i = 0; i < t->nids; i++)
        if (strcmp(t->ids[i].name, name ? name : "signer") == 0)
            return &t->ids[i];
    return NULL;
}

int csc_open_config(cf_target *ct, const cf_options *o, const char *config_path,
                    const char *url, char *err, size_t errlen)
{
    csc_target *t = ct->state;
    json_error_t je;
    t->opt = o;
    if (!config_path) {
        snprintf(err, errlen, "the csc target needs --config FILE (see README, \"For a vendor\")");
        return -1;
    }
    t->conf = json_load_file(config_path, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(t->conf)) {
        snprintf(err, errlen, "%s:%d: %s", config_path, je.line,
                 t->conf ? "not a JSON object" : je.text);
        return -1;
    }
    const char *u = url && *url ? url : json_string_value(json_object_get(t->conf, "url"));
    const char *ca = json_string_value(json_object_get(t->conf, "caFile"));
    if (!u || strncmp(u, "https://", 8) != 0) {
        snprintf(err, errlen, "the service URL must be https://HOST[:PORT]/PATH (the CSC base "
                 "URI, e.g. https://localhost:8443/csc/v2)");
        return -1;
    }
    snprintf(t->base, sizeof t->base, "%s", u);
    size_t n = strlen(t->base);
    while (n && t->base[n - 1] == '/')
        t->base[--n] = '\0';
    snprintf(t->cafile, sizeof t->cafile, "%s", ca ? ca : "");
    json_t *v = json_object_get(t->conf, "sadWaitMaxSeconds");
    t->sad_wait_max = json_is_integer(v) ? (long)json_integer_value(v) : 120;
    v = json_object_get(t->conf, "sicChallengeSeconds");
    t->challenge_life = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    const char *name;
    json_t *idc;
    json_object_foreach(json_object_get(t->conf, "identities"), name, idc) {
        if (identity_load(t, name, idc, err, errlen) != 0)
            return -1;
    }
    if (!csc_identity_get(t, "signer")) {
        snprintf(err, errlen, "the configuration needs identities.signer (the test signer)");
        return -1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

/* ---------------------------------------------------------------------------- HTTP */

typedef struct buf { char *p; size_t n; } buf;

static size_t on_data(char *d, size_t sz, size_t nm, void *arg)
{
    buf *b = arg;
    size_t add = sz * nm;
    if (b->n + add > (1u << 22))
        return 0;   /* 4 MiB: no CSC answer is that large */
    char *np = realloc(b->p, b->n + add + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, d, add);
    b->p = np;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

static int perform(csc_worker *w, const csc_identity *id, const char *url,
                   struct curl_slist *hdrs, const char *data,
                   const char *basic_user, const char *basic_pw, csc_resp *r)
{
    CURL *c = w->curl;
    buf b = {NULL, 0};
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, data ? data : "");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    const char *ca = id && id->cafile[0] ? id->cafile : w->t->cafile;
    if (ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    if (basic_user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, basic_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, basic_pw);
    }
    CURLcode rc = curl_easy_perform(c);
    memset(r, 0, sizeof *r);
    if (rc != CURLE_OK) {
        snprintf(r->err, sizeof r->err, "%s: %s", url, curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        r->body = b.p ? json_loads(b.p, 0, NULL) : NULL;
    }
    if (basic_user)
        curl_easy_setopt(c, CURLOPT_PASSWORD, "");
    if (b.p)
        cf_wipe(b.p, b.n);   /* answers carry SADs and tokens */
    free(b.p);
    return rc == CURLE_OK ? 0 : -1;
}

int csc_post(csc_worker *w, csc_identity *id, const char *method, json_t *body,
             json_t *headers, csc_resp *r)
{
    const char *bearer = id && id->token[0] ? id->token : NULL;
    char url[800], line[1200];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    int own_auth = json_object_get(headers, "Authorization") != NULL;
    const char *k;
    json_t *v;
    snprintf(url, sizeof url, "%s/%s", id && id->base[0] ? id->base : w->t->base, method);
    if (bearer && !own_auth) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", bearer);
        h = curl_slist_append(h, line);
    }
    json_object_foreach(headers, k, v) {
        snprintf(line, sizeof line, "%s: %s", k, json_string_value(v) ? json_string_value(v) : "");
        h = curl_slist_append(h, line);
    }
    char *data = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int rc = perform(w, id, url, h, data, NULL, NULL, r);
    if (data) {
        cf_wipe(data, strlen(data));   /* PINs and OTPs */
        free(data);
    }
    cf_wipe(line, sizeof line);
    curl_slist_free_all(h);
    return rc;
}

void csc_resp_free(csc_resp *r)
{
    json_decref(r->body);
    r->body = NULL;
}

int csc_post_basic(csc_worker *w, csc_identity *id, const char *method, const char *user,
                   const char *secret, csc_resp *r)
{
    char url[800];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(url, sizeof url, "%s/%s", id && id->base[0] ? id->base : w->t->base, method);
    int rc = perform(w, id, url, h, "{}", user, secret, r);
    curl_slist_free_all(h);
    return rc;
}

int csc_info(csc_worker *w, char *err, size_t errlen)
{
    csc_target *t = w->t;
    csc_resp r;
    if (csc_post(w, NULL, "info", NULL, NULL, &r) != 0) {
        snprintf(err, errlen, "info: %s", r.err);
        return -1;
    }
    const char *name = json_string_value(json_object_get(r.body, "name"));
    snprintf(t->service, sizeof t->service, "%s", name ? name : "(no name in info)");
    json_decref(t->methods);
    t->methods = json_incref(json_object_get(r.body, "methods"));
    csc_resp_free(&r);
    return 0;
}

int csc_login(csc_worker *w, csc_identity *id, char *err, size_t errlen)
{
    char url[800];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    csc_resp r;
    int ok = 0;
    snprintf(url, sizeof url, "%s/auth/login", id->base[0] ? id->base : w->t->base);
    pthread_mutex_lock(&id->mu);
    if (id->token[0]) {
        pthread_mutex_unlock(&id->mu);
        curl_slist_free_all(h);
        return 0;
    }
    if (perform(w, id, url, h, "{}", id->user, id->secret, &r) != 0) {
        snprintf(err, errlen, "auth/login as %s: %s", id->user, r.err);
    } else {
        const char *tok = json_string_value(json_object_get(r.body, "access_token"));
        if (r.status == 200 && tok && strlen(tok) < sizeof id->token) {
            snprintf(id->token, sizeof id->token, "%s", tok);
            ok = 1;
        } else {
            snprintf(err, errlen, "auth/login as %s: HTTP %ld %s", id->user, r.status,
                     json_string_value(json_object_get(r.body, "error")) ?
                     json_string_value(json_object_get(r.body, "error")) : "(no access_token)");
        }
        csc_resp_free(&r);
    }
    pthread_mutex_unlock(&id->mu);
    curl_slist_free_all(h);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------- target functions */

static int csct_open(cf_target *ct, const cf_options *o, char *err, size_t errlen)
{
    csc_target *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    ct->state = t;
    if (csc_open_config(ct, o, o->config, o->target + strlen("csc:"), err, errlen) != 0)
        return -1;
    /* Reach the service once: info, then the main signer's login. */
    csc_worker w = {t, curl_easy_init()};
    int rc = -1;
    if (!w.curl)
        snprintf(err, errlen, "curl_easy_init failed");
    else if (csc_info(&w, err, errlen) == 0)
        rc = csc_login(&w, csc_identity_get(t, "signer"), err, errlen);
    if (w.curl)
        curl_easy_cleanup(w.curl);
    return rc;
}

static void *csct_worker_open(cf_target *ct, char *err, size_t errlen)
{
    csc_worker *w = calloc(1, sizeof *w);
    if (w) {
        w->t = ct->state;
        w->curl = curl_easy_init();
    }
    if (!w || !w->curl) {
        snprintf(err, errlen, "curl_easy_init failed");
        free(w);
        return NULL;
    }
    return w;
}

static void csct_worker_close(cf_target *ct, void *wp)
{
    csc_worker *w = wp;
    (void)ct;
    if (w) {
        curl_easy_cleanup(w->curl);
        free(w);
    }
}

/* CSC vectors run in parallel: identities serialise what must be serial (TOTP counters).
 * sam-admin vectors run alone: one of them breaks the audit chain on purpose for a while. */
static int csct_exclusive(const cf_vector *v)
{
    return strcmp(v->kind, "sam-admin") == 0;
}

static void csct_run(cf_target *ct, void *wp, cf_vector *v)
{
    csc_target *t = ct->state;
    if (strcmp(v->kind, "sam-admin") == 0) {
        /* only the reference target has a data directory to drive */
        const char *qscd = t->opt && t->opt->qscd ? t->opt->qscd : "build/rel/bin/qscd";
        sam_admin_run(t->ref_pid[0] ? t->ref_dir : NULL, qscd, v);
        return;
    }
    csc_flow_run(wp, v);
}

static void csct_describe(cf_target *ct, json_t *d)
{
    csc_target *t = ct->state;
    json_object_set_new(d, "kind", json_string(t && t->ref_pid[0] ? "ref" : "csc"));
    if (!t)
        return;
    json_object_set_new(d, "url", json_string(t->base));
    json_object_set_new(d, "service", json_string(t->service));
    json_object_set_new(d, "library", json_string(t->service));   /* the report's column */
    json_object_set_new(d, "libraryVersion", json_string("CSC API v2"));
    json_object_set_new(d, "identities", json_integer(t->nids));
    json_object_set_new(d, "curl", json_string(curl_version()));
}

static void free_secret(char **s)
{
    if (*s) {
        cf_wipe(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void csc_target_free(csc_target *t)
{
    for (int i = 0; i < t->nids; i++) {
        csc_identity *id = &t->ids[i];
        free(id->user);
        free_secret(&id->secret);
        free_secret(&id->pin);
        cf_wipe(id->seed, sizeof id->seed);
        cf_wipe(id->token, sizeof id->token);
        EVP_PKEY_free(id->device);   /* OpenSSL clears the private scalar when freeing */
        pthread_mutex_destroy(&id->mu);
    }
    json_decref(t->conf);
    json_decref(t->methods);
    free(t);
}

static void csct_close(cf_target *ct)
{
    if (ct->state)
        csc_target_free(ct->state);
    ct->state = NULL;
}

int cf_target_csc(cf_target *t)
{
    memset(t, 0, sizeof *t);
    t->kind = "csc-protocol,sam-admin";   /* sam-admin: SKIP unless the target is ref */
    t->open = csct_open;
    t->worker_open = csct_worker_open;
    t->worker_close = csct_worker_close;
    t->exclusive = csct_exclusive;
    t->run = csct_run;
    t->describe = csct_describe;
    t->close = csct_close;
    return 0;
}
