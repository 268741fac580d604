/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signer's HTTPS client: libcurl on one handle (keep-alive), TLS verified against the
 * given CA file only, JSON in and out, the bearer token kept after auth/login.
 */
#include "signer.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *data, size_t size, size_t nmemb, void *user)
{
    buf *b = user;
    size_t k = size * nmemb;
    char *np;

    if (b->n + k > (8u << 20) || (np = realloc(b->p, b->n + k + 1)) == NULL)
        return 0;
    memcpy(np + b->n, data, k);
    b->p = np;
    b->n += k;
    b->p[b->n] = '\0';
    return k;
}

int signer_open(signer_conn *c, const char *base_url, const char *cacert)
{
    size_t n = strlen(base_url);

    memset(c, 0, sizeof *c);
    if (n == 0 || n + 2 > sizeof c->base || strlen(cacert) >= sizeof c->cacert)
        return -1;
    snprintf(c->base, sizeof c->base, "%s%s", base_url, base_url[n - 1] == '/' ? "" : "/");
    snprintf(c->cacert, sizeof c->cacert, "%s", cacert);
    c->curl = curl_easy_init();
    return c->curl != NULL ? 0 : -1;
}

void signer_close(signer_conn *c)
{
    if (c->curl != NULL)
        curl_easy_cleanup(c->curl);
    OPENSSL_cleanse(c->token, sizeof c->token);
    c->curl = NULL;
}

long signer_call_raw(signer_conn *c, const char *method, const char *ctype, const void *body,
                     size_t len, const char *authz, char **resp, size_t *resp_len)
{
    CURL *h = c->curl;
    struct curl_slist *hd = NULL;
    char url[1024], line[400];
    buf b = { NULL, 0 };
    long status = -1;
    CURLcode rc;

    snprintf(url, sizeof url, "%s%s", c->base, method);
    if (ctype != NULL) {
        snprintf(line, sizeof line, "Content-Type: %s", ctype);
        hd = curl_slist_append(hd, line);
    }
    if (authz == NULL && c->token[0] != '\0') {
        snprintf(line, sizeof line, "Authorization: Bearer %s", c->token);
        hd = curl_slist_append(hd, line);
    } else if (authz != NULL && authz[0] != '\0') {
        snprintf(line, sizeof line, "Authorization: %s", authz);
        hd = curl_slist_append(hd, line);
    }
    hd = curl_slist_append(hd, "Expect:");
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body != NULL ? len : 0));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(h);
    OPENSSL_cleanse(line, sizeof line);
    curl_slist_free_all(hd);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr, "qscd: %s: %s\n", url, curl_easy_strerror(rc));
    if (c->verbose)
        fprintf(stderr, "qscd: POST %s -> %ld\n", method, status);
    *resp = b.p;
    *resp_len = b.n;
    return rc == CURLE_OK ? status : -1;
}

long signer_call(signer_conn *c, const char *method, json_t *body, json_t **out)
{
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL, *resp = NULL;
    size_t n = 0;
    long st = signer_call_raw(c, method, text != NULL ? "application/json" : NULL, text,
                              text != NULL ? strlen(text) : 0, NULL, &resp, &n);

    if (text != NULL)   /* the body may carry the PIN */
        OPENSSL_cleanse(text, strlen(text));
    free(text);
    *out = st > 0 && n > 0 ? json_loadb(resp, n, 0, NULL) : NULL;
    if (resp != NULL)
        OPENSSL_cleanse(resp, n);
    free(resp);
    return st;
}

int signer_login(signer_conn *c, const char *user, const char *secret)
{
    char cred[400], hdr[600], *resp = NULL;
    unsigned char b64[560];
    size_t n = 0;
    long st;
    json_t *j = NULL;
    const char *tok;
    int rc = -1;

    if (snprintf(cred, sizeof cred, "%s:%s", user, secret) >= (int)sizeof cred)
        return -1;
    EVP_EncodeBlock(b64, (const unsigned char *)cred, (int)strlen(cred));
    snprintf(hdr, sizeof hdr, "Basic %s", (char *)b64);
    st = signer_call_raw(c, "auth/login", NULL, NULL, 0, hdr, &resp, &n);
    OPENSSL_cleanse(cred, sizeof cred);
    OPENSSL_cleanse(hdr, sizeof hdr);
    OPENSSL_cleanse(b64, sizeof b64);
    if (st == 200 && (j = json_loadb(resp, n, 0, NULL)) != NULL &&
        (tok = json_string_value(json_object_get(j, "access_token"))) != NULL &&
        strlen(tok) < sizeof c->token) {
        snprintf(c->token, sizeof c->token, "%s", tok);
        rc = 0;
    } else {
        fprintf(stderr, "qscd: auth/login refused (HTTP %ld): %s\n", st, resp != NULL ? resp : "");
    }
    json_decref(j);
    free(resp);
    return rc;
}
