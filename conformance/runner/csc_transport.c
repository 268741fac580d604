/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transport probes of a CSC service: the PINs, OTPs and SADs a client sends must travel only
 * over TLS of a current version. A probe offers one request the way a careless client would
 * (plain HTTP on the service's port, or a handshake pinned to TLS 1.0 or 1.1 with every
 * cipher suite allowed) and reports whether the service served it. Nothing secret is sent:
 * the probe's request is an empty JSON body, and the TLS probes stop after the handshake.
 * A TLS probe that this OpenSSL cannot even offer (the protocol version or its cipher suites
 * compiled out) is reported as "cannot be made here", never as a refusal.
 */
#include "csc.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>

/* host and port of https://HOST[:PORT][/...] */
static int host_port(const char *base, char *host, size_t hl, char *port, size_t pl)
{
    const char *h = strstr(base, "://");
    h = h ? h + 3 : base;
    size_t n = strcspn(h, ":/");
    if (n == 0 || n >= hl)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    if (h[n] == ':') {
        size_t m = strcspn(h + n + 1, "/");
        if (m == 0 || m >= pl)
            return -1;
        memcpy(port, h + n + 1, m);
        port[m] = '\0';
    } else {
        snprintf(port, pl, "443");
    }
    return 0;
}

static size_t discard(char *p, size_t sz, size_t n, void *u)
{
    (void)p;
    (void)u;
    return sz * n;
}

static int plain_http(csc_worker *w, const char *base, const char *method, char *seen,
                      size_t sl)
{
    char url[800];
    long status = 0;
    if (strncmp(base, "https://", 8) != 0) {
        snprintf(seen, sl, "the service URL is not https://");
        return -1;
    }
    snprintf(url, sizeof url, "http://%s/%s", base + 8, method);
    CURL *c = w->curl;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_reset(c);   /* the worker's next request sets its own options */
    if (rc != CURLE_OK) {
        snprintf(seen, sl, "plain HTTP %s: no answer (%s)", method, curl_easy_strerror(rc));
        return 1;
    }
    snprintf(seen, sl, "plain HTTP %s answered with HTTP %ld", method, status);
    return status >= 200 && status < 300 ? 0 : 1;
}

static int old_tls(const char *base, const char *mode, char *seen, size_t sl)
{
    char host[256], port[16], addr[300];
    int ver = strcmp(mode, "TLSv1") == 0 ? TLS1_VERSION
            : strcmp(mode, "TLSv1.1") == 0 ? TLS1_1_VERSION : 0;
    if (!ver || host_port(base, host, sizeof host, port, sizeof port) != 0) {
        snprintf(seen, sl, "unknown transport probe %s or service URL", mode);
        return -1;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || SSL_CTX_set_min_proto_version(ctx, ver) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, ver) != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") != 1) {
        SSL_CTX_free(ctx);
        snprintf(seen, sl, "this OpenSSL cannot offer %s", mode);
        return -1;
    }
    SSL_CTX_set_security_level(ctx, 0);
    /* Only whether the service completes the handshake matters; nothing is sent after it. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    snprintf(addr, sizeof addr, "%s:%s", host, port);
    BIO *b = BIO_new_connect(addr);
    SSL *s = SSL_new(ctx);
    int rc = -1;
    ERR_clear_error();
    if (!b || !s || BIO_do_connect(b) <= 0) {
        snprintf(seen, sl, "cannot connect to %s", addr);
        BIO_free_all(b);
    } else {
        SSL_set_bio(s, b, b);
        SSL_set_tlsext_host_name(s, host);
        if (SSL_connect(s) == 1) {
            snprintf(seen, sl, "%s handshake completed (%s, %s)", mode, SSL_get_version(s),
                     SSL_get_cipher_name(s));
            rc = 0;
        } else {
            unsigned long e = ERR_peek_error();
            int r = ERR_GET_REASON(e);
            if (ERR_GET_LIB(e) == ERR_LIB_SSL && (r == SSL_R_NO_PROTOCOLS_AVAILABLE ||
                                                 r == SSL_R_NO_CIPHERS_AVAILABLE ||
                                                 r == SSL_R_NO_CIPHERS_SPECIFIED)) {
                snprintf(seen, sl, "this OpenSSL cannot offer %s (%s)", mode,
                         ERR_reason_error_string(e));
            } else {
                snprintf(seen, sl, "%s handshake refused (%s)", mode,
                         e ? ERR_reason_error_string(e) : "connection closed");
                rc = 1;
            }
        }
        SSL_shutdown(s);
    }
    SSL_free(s);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

int csc_transport_probe(csc_worker *w, const char *base, const char *method, const char *mode,
                        char *seen, size_t seen_len)
{
    if (strcmp(mode, "plainHttp") == 0)
        return plain_http(w, base, method, seen, seen_len);
    return old_tls(base, mode, seen, seen_len);
}
