/* SPDX-License-Identifier: Apache-2.0 */
/* The SSA end-to-end helpers of util_ssa.h. */
#include "util_ssa.h"

#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qscd_err.h"

static int write_clients(const char *path)
{
    char a[300], b[300];
    FILE *f;

    if (ssa_client_line("demo", TS_SECRET, "*", a, sizeof a) != 0 ||
        ssa_client_line("acme", TS_ACME_SECRET, "carol,zed", b, sizeof b) != 0 ||
        (f = fopen(path, "w")) == NULL)
        return -1;
    fprintf(f, "# test clients\n%s%s", a, b);
    return fclose(f);
}

const char *ts_start(ts_world *w, const char *name, const char *extra_conf)
{
    char cert[700], key[700], cakey[700], clients[700];
    const char *why = it_unavailable();
    ssa_config cfg = { 0 };
    FILE *f;

    memset(w, 0, sizeof *w);
    if (why != NULL)
        return why;
    if (it_init(&w->sam, name, extra_conf) != 0 || it_start(&w->sam, NULL) != 0)
        return "the SAM did not start (see build/it-*/<suite>.log)";
    snprintf(w->cacert, sizeof w->cacert, "%s/ca/ca.pem", w->sam.dir);
    snprintf(cakey, sizeof cakey, "%s/ca/ca-key.pem", w->sam.dir);
    snprintf(cert, sizeof cert, "%s/tls.pem", w->sam.dir);
    snprintf(key, sizeof key, "%s/tls-key.pem", w->sam.dir);
    snprintf(clients, sizeof clients, "%s/clients", w->sam.dir);
    snprintf(w->secret_file, sizeof w->secret_file, "%s/client.secret", w->sam.dir);
    if (ssa_tls_issue(w->cacert, cakey, cert, key, 2) != 0 || write_clients(clients) != 0 ||
        (f = fopen(w->secret_file, "w")) == NULL)
        return "the SSA's TLS certificate or clients file could not be made";
    fprintf(f, "%s\n", TS_SECRET);
    fclose(f);
    cfg.sam_socket = w->sam.sock;
    cfg.tls_cert = cert;
    cfg.tls_key = key;
    cfg.clients = clients;
    cfg.port = 0;
    cfg.quiet = 1;
    cfg.name = name;
    if (ssa_start(&cfg, &w->ssa) != QSCD_OK)
        return "the SSA did not start";
    snprintf(w->base, sizeof w->base, "https://localhost:%u/csc/v2", ssa_port(w->ssa));
    return NULL;
}

void ts_stop(ts_world *w)
{
    ssa_stop(w->ssa);
    w->ssa = NULL;
    if (w->sam.pid > 0)
        it_stop(&w->sam);
}

int ts_login_as(ts_world *w, signer_conn *c, const char *signer, const char *client,
                const char *secret)
{
    char user[200];

    snprintf(user, sizeof user, "%s@%s", signer, client);
    if (signer_open(c, w->base, w->cacert) != 0)
        return -1;
    return signer_login(c, user, secret);
}

int ts_login(ts_world *w, signer_conn *c, const char *signer)
{
    return ts_login_as(w, c, signer, "demo", TS_SECRET);
}

long ts_post(signer_conn *c, const char *method, json_t **out, const char *fmt, ...)
{
    json_t *body = NULL;
    va_list ap;
    long st;

    if (fmt != NULL) {
        va_start(ap, fmt);
        body = json_vpack_ex(NULL, 0, fmt, ap);
        va_end(ap);
        if (body == NULL)
            return -2;
    }
    *out = NULL;
    st = signer_call(c, method, body, out);
    json_decref(body);
    return st;
}

bool ts_is_error(json_t *out, const char *error, const char *desc)
{
    const char *e = json_string_value(json_object_get(out, "error"));
    const char *d = json_string_value(json_object_get(out, "error_description"));

    if (e == NULL || d == NULL || strcmp(e, error) != 0 || (desc != NULL && strcmp(d, desc) != 0)) {
        char *t = out != NULL ? json_dumps(out, JSON_COMPACT) : NULL;
        fprintf(stderr, "\n    expected %s '%s', got %s\n", error, desc != NULL ? desc : "*",
                t != NULL ? t : "(no JSON)");
        free(t);
        return false;
    }
    /* No signature comes with an error. */
    return json_object_get(out, "signatures") == NULL && json_object_get(out, "SAD") == NULL;
}

json_t *ts_hashes(const uint8_t *h, size_t dlen, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++) {
        char *b = ssa_b64_encode(h + i * dlen, dlen, false);
        json_array_append_new(a, json_string(b));
        free(b);
    }
    return a;
}

static const char *oid_of(int hash_alg)
{
    return hash_alg == 1 ? "2.16.840.1.101.3.4.2.1" : hash_alg == 2 ? "2.16.840.1.101.3.4.2.2"
                                                                    : "2.16.840.1.101.3.4.2.3";
}

static long authorize(signer_conn *c, json_t *req, char *sad, size_t cap, json_t **out)
{
    json_t *local = NULL, **o = out != NULL ? out : &local;
    long st = signer_call(c, "credentials/authorize", req, o);
    const char *s = json_string_value(json_object_get(*o, "SAD"));

    json_decref(req);
    if (sad != NULL && cap > 0)
        snprintf(sad, cap, "%s", st == 200 && s != NULL ? s : "");
    json_decref(local);
    return st;
}

long ts_authorize_sic(signer_conn *c, EVP_PKEY *key, const char *cred, const char *pin,
                      uint32_t numsig, int hash_alg, const uint8_t *h, size_t dlen, size_t n,
                      char *sad, size_t cap, json_t **out)
{
    json_t *resp = NULL;
    uint8_t ch[32], as[3000];
    long st = ts_post(c, "credentials/getChallenge", &resp, "{s:s,s:s}", "credentialID", cred,
                      "authObjectID", "SIC");
    const char *chs = json_string_value(json_object_get(resp, "challenge"));
    size_t alen = 0;
    char *v;

    if (st != 200 || chs == NULL || ssa_b64_decode(chs, strlen(chs), ch, 32, false) != 32) {
        if (st != 200 && out != NULL)
            *out = resp;                  /* the refusal of getChallenge is the answer */
        else
            json_decref(resp);
        return st != 200 ? st : -3;
    }
    json_decref(resp);
    alen = signer_assertion(key, ch, cred, numsig, hash_alg, h, dlen, n, as, sizeof as);
    v = ssa_b64_encode(as, alen, false);
    st = authorize(c, json_pack("{s:s,s:i,s:o,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "credentialID", cred,
                                "numSignatures", (int)numsig, "hashes", ts_hashes(h, dlen, n),
                                "hashAlgorithmOID", oid_of(hash_alg), "authData", "id", "PIN",
                                "value", pin, "id", "SIC", "value", v), sad, cap, out);
    free(v);
    return st;
}

long ts_authorize_otp(signer_conn *c, const char *cred, const char *pin, const char *otp,
                      uint32_t numsig, const uint8_t *h, size_t n, char *sad, size_t cap,
                      json_t **out)
{
    return authorize(c, json_pack("{s:s,s:i,s:o,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "credentialID",
                                  cred, "numSignatures", (int)numsig, "hashes",
                                  ts_hashes(h, 32, n), "hashAlgorithmOID", oid_of(1), "authData",
                                  "id", "PIN", "value", pin, "id", "OTP", "value", otp),
                     sad, cap, out);
}

long ts_sign(signer_conn *c, const char *cred, const char *sad, const char *sign_algo,
             const char *hash_oid, const char *params, const uint8_t *h, size_t dlen, size_t n,
             json_t **out)
{
    json_t *req = json_pack("{s:s,s:s,s:o,s:s}", "credentialID", cred, "SAD", sad, "hashes",
                            ts_hashes(h, dlen, n), "signAlgo", sign_algo);
    long st;

    if (hash_oid != NULL)
        json_object_set_new(req, "hashAlgorithmOID", json_string(hash_oid));
    if (params != NULL)
        json_object_set_new(req, "signAlgoParams", json_string(params));
    *out = NULL;
    st = signer_call(c, "signatures/signHash", req, out);
    json_decref(req);
    return st;
}

long ts_extend(signer_conn *c, const char *cred, const char *sad, const uint8_t *h, size_t n,
               char *sad2, size_t cap, json_t **out)
{
    json_t *req = json_pack("{s:s,s:s,s:o,s:s}", "credentialID", cred, "SAD", sad, "hashes",
                            ts_hashes(h, 32, n), "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1");
    const char *s;
    long st;

    *out = NULL;
    st = signer_call(c, "credentials/extendTransaction", req, out);
    json_decref(req);
    s = json_string_value(json_object_get(*out, "SAD"));
    if (sad2 != NULL && st == 200 && s != NULL && strlen(s) < cap)
        memcpy(sad2, s, strlen(s) + 1);
    else if (sad2 != NULL && st == 200)
        st = -2;
    return st;
}

X509 *ts_cert(signer_conn *c, const char *cred)
{
    json_t *info = NULL;
    const char *cb;
    uint8_t der[4096];
    const uint8_t *q = der;
    X509 *x = NULL;
    long dl;

    if (ts_post(c, "credentials/info", &info, "{s:s}", "credentialID", cred) == 200 &&
        (cb = json_string_value(json_array_get(json_object_get(json_object_get(info, "cert"),
                                                               "certificates"), 0))) != NULL &&
        (dl = ssa_b64_decode(cb, strlen(cb), der, sizeof der, false)) > 0)
        x = d2i_X509(NULL, &q, dl);
    json_decref(info);
    return x;
}

bool ts_sigs_verify(X509 *x, json_t *out, int sign_alg, int hash_alg, const uint8_t *h,
                    size_t dlen, size_t n)
{
    json_t *sigs = json_object_get(out, "signatures");
    uint8_t sig[1024];
    bool ok = x != NULL && json_array_size(sigs) == n;
    long sl;

    for (size_t i = 0; ok && i < n; i++) {
        const char *s = json_string_value(json_array_get(sigs, i));
        sl = s != NULL ? ssa_b64_decode(s, strlen(s), sig, sizeof sig, false) : -1;
        ok = sl > 0 && signer_verify_digest(x, sign_alg, hash_alg, h + i * dlen, dlen, sig,
                                            (size_t)sl);
    }
    return ok;
}

bool ts_verified(signer_conn *c, const char *cred, json_t *out, int sign_alg, int hash_alg,
                 const uint8_t *h, size_t dlen, size_t n)
{
    X509 *x = ts_cert(c, cred);
    bool ok = ts_sigs_verify(x, out, sign_alg, hash_alg, h, dlen, n);

    X509_free(x);
    return ok;
}

int ts_write_key(EVP_PKEY *k, const char *path)
{
    FILE *f = fopen(path, "w");
    int ok = f != NULL && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;

    if (f != NULL)
        ok = fclose(f) == 0 && ok;
    return ok ? 0 : -1;
}
