/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One CSC vector: its steps in order. Each step's request is the vector's template with the
 * placeholders filled in:
 *   ${config.KEY}   the step identity's KEY, else the configuration's (SKIP when absent);
 *                   ${config.pin} the identity's PIN, ${config.otp} a fresh TOTP code,
 *                   ${config.otpReused} the code of the last time step this run already
 *                   presented for the identity (an authenticator replayed)
 *   ${sic}          a fresh SIC assertion by the identity's device key over the challenge
 *                   captured as "challenge" and the request's own claims (spec/sap.md §3);
 *                   ${sic:VARIANT} one with a single fault (csc_sic_variant_known)
 *   ${hash:N}       the N-th random digest of this vector, as long as the step's hash
 *                   algorithm needs (hashAlgorithmOID, or the one signAlgo implies)
 *   ${NAME}         a value captured by an earlier step ("capture": {"NAME": "$.path"});
 *                   ${NAME:tampered} the same with one bit of its text changed
 * and its answer is held against "expect": status, error, fields present, body values,
 * values excluded from a list, numbers at least a bound ("atLeast"), and every returned
 * signature checked with OpenSSL against the credential's certificate (credentials/info);
 * with "cades", each signature a signDoc answer carries judged as a CAdES signature of the
 * credential (csc_cades.c).
 * A step with "transport" (plainHttp, TLSv1, TLSv1.1) is not a CSC call but a probe of the
 * service's transport (csc_transport.c), expected to be refused. A step that expects success
 * and does not get it fails the vector; a step that expects a refusal and is answered with
 * success is the "not refused" verdict; a refusal with another error code passes with a note
 * (cf_judge).
 */
#include "csc.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_HASHES 16

typedef struct flow {
    csc_worker *w;
    cf_vector *v;
    csc_identity *id;          /* the identity of the current step */
    json_t *captures;
    uint8_t hashes[MAX_HASHES][64];
    size_t hlen;               /* digest length of the current step */
    int needs_otp, needs_sic;
    int otp_reused;            /* the step presents the last code already used */
    char missing[300];         /* the configuration key a placeholder needed */
    long expires_in;           /* from the last authorize answer */
    long token_expires_in;     /* from the last auth/login answer */
    char code[120];            /* the last refusal observed (error code) */
    char desc[120];            /* and its error_description */
    char note[200];            /* the first refusal whose code differs from its step's */
    char fault[200];           /* a vector that cannot be run as written */
    json_t *cades;             /* the step's "cades" expectation, placeholders filled in */
    int refusals;
} flow;

/* ------------------------------------------------------------------------ placeholders */

static json_t *at_path(json_t *o, const char *path)
{
    char key[128];
    if (strncmp(path, "$.", 2) != 0)
        return NULL;
    path += 2;
    while (o && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        o = json_object_get(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

/* The next TOTP code of the identity, in increasing counters; waits when the clock must
 * catch up. Called with id->mu held. */
static int next_otp(csc_identity *id, char *out)
{
    for (;;) {
        uint64_t now = (uint64_t)time(NULL) / (uint64_t)id->step;
        uint64_t c = now > id->last_counter ? now : id->last_counter + 1;
        if (c <= now + (uint64_t)id->ahead) {
            id->last_counter = c;
            return csc_totp(id->seed, id->seed_len, c, id->digits, out);
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static char *hash_b64(flow *f, long n)
{
    if (n < 1 || n > MAX_HASHES)
        return NULL;
    return csc_b64_encode(f->hashes[n - 1], f->hlen);
}

/* ${sic} or ${sic:VARIANT}: kept as written, filled in once the rest of the request is
 * known (the assertion repeats its claims). NULL when the identity has no device key. */
static char *sic_marker(flow *f, const char *name)
{
    const char *variant = name[3] == ':' ? name + 4 : "";
    char marker[80];
    if (!csc_sic_variant_known(variant)) {
        snprintf(f->fault, sizeof f->fault, "${%s} is not an assertion the runner makes", name);
        return NULL;
    }
    if (!f->id->device) {
        snprintf(f->missing, sizeof f->missing, "%s (identity) sicDeviceKey", f->id->name);
        return NULL;
    }
    f->needs_sic = 1;
    snprintf(marker, sizeof marker, "${%s}", name);
    return strdup(marker);
}

/* The value of one placeholder (malloc'd), or NULL with f->missing set. */
static char *placeholder(flow *f, const char *name)
{
    csc_target *t = f->w->t;
    if (strcmp(name, "sic") == 0 || strncmp(name, "sic:", 4) == 0)
        return sic_marker(f, name);
    if (strncmp(name, "config.", 7) == 0) {
        const char *k = name + 7, *s;
        if (strcmp(k, "pin") == 0 && f->id->pin)
            return strdup(f->id->pin);
        if (strcmp(k, "otp") == 0 && f->id->seed_len) {
            f->needs_otp = 1;
            return strdup("${otp}");   /* filled in just before sending, under the lock */
        }
        if (strcmp(k, "otpReused") == 0 && f->id->seed_len) {
            f->needs_otp = 1;
            f->otp_reused = 1;
            return strdup("${otp}");
        }
        if (strcmp(k, "wrongPin") == 0 && !csc_conf_str(t, f->id, k) && f->id->pin) {
            char wrong[300];
            snprintf(wrong, sizeof wrong, "%sx-not-the-pin", f->id->pin);
            return strdup(wrong);
        }
        s = csc_conf_str(t, f->id, k);
        if (s)
            return strdup(s);
        snprintf(f->missing, sizeof f->missing, "%s%s%s", f->id->name,
                 strcmp(k, "pin") == 0 || strcmp(k, "otp") == 0 ? " (identity) " : ": ", k);
        return NULL;
    }
    if (strncmp(name, "hash:", 5) == 0)
        return hash_b64(f, strtol(name + 5, NULL, 10));
    char key[100];
    const char *colon = strchr(name, ':');
    snprintf(key, sizeof key, "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
    const char *val = json_string_value(json_object_get(f->captures, key));
    if (!val) {
        snprintf(f->missing, sizeof f->missing, "capture %s", key);
        return NULL;
    }
    char *s = strdup(val);
    if (s && colon && strcmp(colon, ":tampered") == 0 && strlen(s) > 8) {
        char *c = &s[strlen(s) / 2];
        *c = *c == 'A' ? 'B' : 'A';   /* one character: a few bits of the token changed */
    }
    return s;
}

static json_t *subst_string(flow *f, const char *s)
{
    char out[8192];
    size_t o = 0;
    while (*s) {
        const char *p = strstr(s, "${"), *e = p ? strchr(p, '}') : NULL;
        size_t lit = p && e ? (size_t)(p - s) : strlen(s);
        if (o + lit >= sizeof out)
            return NULL;
        memcpy(out + o, s, lit);
        o += lit;
        s += lit;
        if (!p || !e)
            break;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(e - p - 2), p + 2);
        char *val = placeholder(f, name);
        if (!val || o + strlen(val) >= sizeof out) {
            free(val);
            return NULL;
        }
        memcpy(out + o, val, strlen(val));
        o += strlen(val);
        cf_wipe(val, strlen(val));
        free(val);
        s = e + 1;
    }
    out[o] = '\0';
    json_t *j = json_string(out);
    cf_wipe(out, o);
    return j;
}

static json_t *subst(flow *f, json_t *x)
{
    if (json_is_string(x))
        return subst_string(f, json_string_value(x));
    if (json_is_array(x)) {
        json_t *a = json_array(), *e;
        size_t i;
        json_array_foreach(x, i, e) {
            json_t *n = subst(f, e);
            if (!n) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, n);
        }
        return a;
    }
    if (json_is_object(x)) {
        json_t *o = json_object(), *e;
        const char *k;
        json_object_foreach(x, k, e) {
            json_t *n = subst(f, e);
            if (!n) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, k, n);
        }
        return o;
    }
    return json_deep_copy(x);
}

/* Put the fresh OTP code where the request says ${otp}. */
static void fill_otp(json_t *x, const char *code)
{
    json_t *e;
    size_t i;
    const char *k;
    if (json_is_string(x) && strcmp(json_string_value(x), "${otp}") == 0)
        json_string_set(x, code);
    json_array_foreach(json_is_array(x) ? x : NULL, i, e) fill_otp(e, code);
    json_object_foreach(json_is_object(x) ? x : NULL, k, e) fill_otp(e, code);
}

/* Replace each ${sic...} marker in x by its assertion over req's claims. 0; -1 with
 * f->missing (no challenge captured) or f->fault (the request cannot be asserted). */
static int fill_sic(flow *f, json_t *x, json_t *req)
{
    json_t *e;
    size_t i;
    const char *k, *s = json_string_value(x);
    int rc = 0;
    if (s && strncmp(s, "${sic", 5) == 0 && s[strlen(s) - 1] == '}') {
        char variant[40], why[200];
        const char *ch = json_string_value(json_object_get(f->captures, "challenge"));
        snprintf(variant, sizeof variant, "%.*s", s[5] == ':' ? (int)strlen(s) - 7 : 0, s + 6);
        if (!ch) {
            snprintf(f->missing, sizeof f->missing, "capture challenge");
            return -1;
        }
        char *a = csc_sic_for_request(f->id->device, variant, req, ch, why, sizeof why);
        if (!a) {
            snprintf(f->fault, sizeof f->fault, "%s", why);
            return -1;
        }
        json_string_set(x, a);
        cf_wipe(a, strlen(a));
        free(a);
        return 0;
    }
    json_array_foreach(json_is_array(x) ? x : NULL, i, e) rc |= fill_sic(f, e, req);
    json_object_foreach(json_is_object(x) ? x : NULL, k, e) rc |= fill_sic(f, e, req);
    return rc;
}

/* ------------------------------------------------------------------------ expectations */

/* Check every signature of a signHash answer against the credential's certificate. */
static int signatures_verify(flow *f, json_t *req, json_t *ans, char *why, size_t wl)
{
    json_t *sigs = json_object_get(ans, "signatures"), *hs = json_object_get(req, "hashes");
    const char *cred = json_string_value(json_object_get(req, "credentialID"));
    const char *algo = json_string_value(json_object_get(req, "signAlgo"));
    const char *hoid = json_string_value(json_object_get(req, "hashAlgorithmOID"));
    const char *params = json_string_value(json_object_get(req, "signAlgoParams"));
    csc_resp r;
    uint8_t cert[8192], dg[64], sig[2048];
    if (json_array_size(sigs) != json_array_size(hs)) {
        snprintf(why, wl, "%zu signature(s) for %zu hash(es)", json_array_size(sigs),
                 json_array_size(hs));
        return 0;
    }
    json_t *q = json_pack("{s:s,s:s}", "credentialID", cred ? cred : "", "certificates",
                          "single");
    int rc = csc_post(f->w, f->id, "credentials/info", q, NULL, &r);
    json_decref(q);
    const char *cb = rc ? NULL : json_string_value(json_array_get(
        json_object_get(json_object_get(r.body, "cert"), "certificates"), 0));
    long cl = cb ? csc_b64_decode(cb, cert, sizeof cert) : -1;
    csc_resp_free(&r);
    if (cl <= 0) {
        snprintf(why, wl, "credentials/info gave no certificate to verify against");
        return 0;
    }
    for (size_t i = 0; i < json_array_size(sigs); i++) {
        const char *s = json_string_value(json_array_get(sigs, i));
        const char *h = json_string_value(json_array_get(hs, i));
        long sl = s ? csc_b64_decode(s, sig, sizeof sig) : -1;
        long dl = h ? csc_b64_decode(h, dg, sizeof dg) : -1;
        int ok = sl > 0 && dl > 0 ? csc_verify(cert, (size_t)cl, algo, hoid, params, dg,
                                               (size_t)dl, sig, (size_t)sl, why, wl) : 0;
        if (ok != 1) {
            if (ok == 0)
                snprintf(why, wl, "signature %zu does not verify with the certificate", i + 1);
            return 0;
        }
    }
    return 1;
}

/* Check every signature of a signDoc answer as a CAdES signature of the credential
 * (csc_cades.c), against the chain credentials/info gives. */
static int cades_verify(flow *f, json_t *req, json_t *ans, char *why, size_t wl)
{
    const char *cred = json_string_value(json_object_get(req, "credentialID"));
    csc_resp r;
    json_t *q = json_pack("{s:s,s:s}", "credentialID", cred ? cred : "", "certificates",
                          "chain");
    int rc = csc_post(f->w, f->id, "credentials/info", q, NULL, &r);
    json_decref(q);
    json_t *chain = rc ? NULL : json_object_get(json_object_get(r.body, "cert"),
                                                "certificates");
    int ok = chain ? csc_cades_judge(f->cades, req, ans, chain, why, wl) : 0;
    if (!chain)
        snprintf(why, wl, "credentials/info gave no certificates to verify against");
    csc_resp_free(&r);
    return ok;
}

/* Does the answer meet the step's expectations (other than status and error)? */
static int expect_fields(flow *f, json_t *ex, json_t *req, json_t *ans, char *why, size_t wl)
{
    json_t *e, *want;
    size_t i;
    const char *k;
    json_array_foreach(json_object_get(ex, "present"), i, e) {
        if (!at_path(ans, json_string_value(e))) {
            snprintf(why, wl, "%s absent from the answer", json_string_value(e));
            return 0;
        }
    }
    json_object_foreach(json_object_get(ex, "body"), k, want) {
        json_t *got = json_object_get(ans, k), *w = subst(f, want);
        int eq = w && got && json_equal(got, w);
        json_decref(w);
        if (!eq) {
            snprintf(why, wl, "%s is not the expected value", k);
            return 0;
        }
    }
    json_object_foreach(json_object_get(ex, "atLeast"), k, want) {
        json_t *got = at_path(ans, k);
        if (!json_is_number(got) || json_number_value(got) < json_number_value(want)) {
            snprintf(why, wl, "%s is %s%g, below %g", k, json_is_number(got) ? "" : "absent or "
                     "not a number: ", json_is_number(got) ? json_number_value(got) : 0.0,
                     json_number_value(want));
            return 0;
        }
    }
    json_object_foreach(json_object_get(ex, "excludes"), k, want) {
        json_t *list = at_path(ans, k), *w = subst(f, want), *x;
        json_array_foreach(list, i, x) {
            if (w && json_equal(x, w)) {
                json_decref(w);
                snprintf(why, wl, "%s lists %s", k, json_string_value(x));
                return 0;
            }
        }
        json_decref(w);
    }
    if (f->cades && !cades_verify(f, req, ans, why, wl))
        return 0;
    if (json_is_true(json_object_get(ex, "signaturesVerify")))
        return signatures_verify(f, req, ans, why, wl);
    return 1;
}

/* ---------------------------------------------------------------------------- steps */

static size_t digest_len_of(json_t *req)
{
    const char *h = json_string_value(json_object_get(req, "hashAlgorithmOID"));
    const char *a = json_string_value(json_object_get(req, "signAlgo"));
    size_t n = csc_hash_len(h ? h : csc_implied_hash(a));
    return n ? n : 32;
}

/* A transport probe instead of a CSC call: the service must not serve `method` over plain
 * HTTP or an outdated TLS version. 1: refused (the vector goes on); 0: served (verdict
 * given); -1: this probe cannot be made here (skip, reason given). */
static int transport_step(flow *f, const char *method, const char *mode, int idx)
{
    char seen[300] = "";
    const char *base = f->id->base[0] ? f->id->base : f->w->t->base;
    int rc = csc_transport_probe(f->w, base, method, mode, seen, sizeof seen);
    if (rc < 0) {
        cf_skip(f->v, "step %d: %s", idx, seen);
        return -1;
    }
    if (rc == 0) {
        cf_observed(f->v, "step %d: %s", idx, seen);
        cf_judge(f->v, 0, seen, f->w->t->opt);
        return 0;
    }
    f->refusals++;
    snprintf(f->code, sizeof f->code, "%s", strcmp(mode, "plainHttp") == 0
             ? "plain_http_refused" : "tls_version_refused");
    snprintf(f->desc, sizeof f->desc, "%s", seen);
    return 1;
}

/* Send one step once. 1: met; 0: the vector has its verdict; -1: skip (f->missing). */
static int send_step(flow *f, json_t *step, int idx)
{
    json_t *ex = json_object_get(step, "expect"), *tmpl = json_object_get(step, "request");
    long want = (long)json_integer_value(json_object_get(ex, "status"));
    const char *werr = json_string_value(json_object_get(ex, "error"));
    const char *method = json_string_value(json_object_get(step, "call"));
    char why[300] = "";
    csc_resp r;
    const char *transport = json_string_value(json_object_get(step, "transport"));
    if (transport)
        return transport_step(f, method, transport, idx);
    f->needs_otp = f->needs_sic = 0;
    f->otp_reused = 0;
    f->hlen = digest_len_of(tmpl);
    json_decref(f->cades);
    f->cades = subst(f, json_object_get(ex, "cades"));
    json_t *req = subst(f, tmpl), *hdr = subst(f, json_object_get(step, "headers"));
    if (!req || (json_object_get(step, "headers") && !hdr) ||
        (json_object_get(ex, "cades") && !f->cades) ||
        (f->needs_sic && fill_sic(f, req, req) != 0)) {
        json_decref(req);
        json_decref(hdr);
        if (!f->fault[0])
            return -1;
        cf_fail(f->v, "step %d (%s): vector fault: %s", idx, method, f->fault);
        return 0;
    }
    if (f->needs_otp) {
        char code[16];
        pthread_mutex_lock(&f->id->mu);
        if (f->otp_reused && f->id->last_counter == 0) {
            pthread_mutex_unlock(&f->id->mu);
            snprintf(f->missing, sizeof f->missing, "%s: a TOTP code used earlier in the run",
                     f->id->name);
            json_decref(req);
            json_decref(hdr);
            return -1;
        }
        if (f->otp_reused)
            csc_totp(f->id->seed, f->id->seed_len, f->id->last_counter, f->id->digits, code);
        else
            next_otp(f->id, code);
        fill_otp(req, code);
        cf_wipe(code, sizeof code);
    }
    const char *auth = json_string_value(json_object_get(step, "auth"));
    int rc;
    if (auth && strcmp(auth, "none") == 0) {
        rc = csc_post(f->w, NULL, method, req, hdr, &r);
    } else if (auth) {
        char wrong[600];
        snprintf(wrong, sizeof wrong, "%s-wrong", f->id->secret);
        rc = csc_post_basic(f->w, f->id, method, f->id->user,
                            strcmp(auth, "basicWrongSecret") == 0 ? wrong : f->id->secret, &r);
        cf_wipe(wrong, sizeof wrong);
    } else {
        rc = csc_post(f->w, f->id, method, req, hdr, &r);
    }
    if (f->needs_otp)
        pthread_mutex_unlock(&f->id->mu);
    json_decref(hdr);
    if (rc != 0) {
        cf_fail(f->v, "step %d (%s): %s", idx, method, r.err);
        json_decref(req);
        return 0;
    }
    const char *gerr = json_string_value(json_object_get(r.body, "error"));
    const char *gdesc = json_string_value(json_object_get(r.body, "error_description"));
    int met = 1;
    if (want >= 200 && want < 300) {
        if (r.status != want || !expect_fields(f, ex, req, r.body, why, sizeof why)) {
            cf_observed(f->v, "step %d: HTTP %ld %s", idx, r.status, gerr ? gerr : "");
            cf_fail(f->v, "step %d (%s): expected HTTP %ld, got %ld %s%s%s%s%s", idx, method,
                    want, r.status, gerr ? gerr : "", gdesc ? " \"" : "", gdesc ? gdesc : "",
                    gdesc ? "\"" : "", why[0] ? why : "");
            met = 0;
        }
    } else if (r.status >= 200 && r.status < 300) {
        cf_observed(f->v, "step %d: HTTP %ld", idx, r.status);
        cf_judge(f->v, 0, "HTTP 200 (accepted)", f->w->t->opt);
        met = 0;
    } else {
        f->refusals++;
        snprintf(f->code, sizeof f->code, "%s", gerr ? gerr : "(no error member)");
        snprintf(f->desc, sizeof f->desc, "%s", gdesc ? gdesc : "");
        if (werr && (!gerr || strcmp(werr, gerr) != 0) && !f->note[0])
            snprintf(f->note, sizeof f->note, "; step %d refused with %s where it expects %s",
                     idx, f->code, werr);
        if (json_object_get(r.body, "signatures") || json_object_get(r.body, "SAD")) {
            cf_fail(f->v, "step %d (%s): a refusal that carries signatures or a SAD", idx,
                    method);
            met = 0;
        } else if (!json_object_get(r.body, "error_description") &&
                   json_array_size(json_object_get(ex, "present"))) {
            cf_fail(f->v, "step %d (%s): the error body has no error_description", idx, method);
            met = 0;
        } else if (r.status != want && want) {
            cf_observed(f->v, "step %d: HTTP %ld %s (expected %ld)", idx, r.status,
                        gerr ? gerr : "", want);
        }
    }
    if (met && r.status >= 200 && r.status < 300) {
        const char *k;
        json_t *p;
        json_object_foreach(json_object_get(step, "capture"), k, p) {
            json_t *val = at_path(r.body, json_string_value(p));
            if (val)
                json_object_set(f->captures, k, val);
        }
        json_t *ei = json_object_get(r.body, "expiresIn");
        if (json_is_integer(ei))
            f->expires_in = (long)json_integer_value(ei);
        ei = json_object_get(r.body, "expires_in");
        if (json_is_integer(ei))
            f->token_expires_in = (long)json_integer_value(ei);
    }
    json_decref(req);
    csc_resp_free(&r);
    return met;
}

/* How long to wait for something that lives `lifetime` seconds to expire; SKIP (-1) when
 * that is unknown or longer than the configuration allows. */
static int expiry_wait(flow *f, const char *what, long lifetime, long *delay)
{
    if (lifetime <= 0 || lifetime + 2 > f->w->t->sad_wait_max) {
        cf_skip(f->v, "%s lives %ld s, longer than sadWaitMaxSeconds (%ld)", what, lifetime,
                f->w->t->sad_wait_max);
        return -1;
    }
    *delay = lifetime + 2;
    return 0;
}

/* A SIC challenge's lifetime is not in the getChallenge answer: the configuration gives it
 * (sicChallengeSeconds); SKIP when it does not. */
static int challenge_wait(flow *f, long *delay)
{
    if (f->w->t->challenge_life <= 0) {
        cf_skip(f->v, "the configuration does not give sicChallengeSeconds (the lifetime of "
                "a SIC challenge)");
        return -1;
    }
    return expiry_wait(f, "a SIC challenge", f->w->t->challenge_life, delay);
}

static int run_step(flow *f, json_t *step, int idx)
{
    char err[300];
    const char *as = json_string_value(json_object_get(step, "as"));
    f->id = csc_identity_get(f->w->t, as ? as : "signer");
    if (!f->id) {
        cf_skip(f->v, "the configuration names no identity '%s' (identities.%s): %s", as, as,
                strcmp(as, "otherService") == 0 ? "a signer of a second service of the same "
                "kind, whose SADs this service must refuse" : strcmp(as, "sicSigner") == 0 ?
                "a signer whose second factor is a SIC assertion by an enrolled device key" :
                "a second test signer");
        return -1;
    }
    if (csc_login(f->w, f->id, err, sizeof err) != 0) {
        cf_fail(f->v, "step %d: %s", idx, err);
        return 0;
    }
    long delay = json_is_integer(json_object_get(step, "delaySeconds"))
            ? (long)json_integer_value(json_object_get(step, "delaySeconds")) : 0;
    if (json_is_true(json_object_get(step, "waitSadExpiry")) &&
        expiry_wait(f, "the SAD", f->expires_in, &delay) != 0)
        return -1;
    if (json_is_true(json_object_get(step, "waitTokenExpiry")) &&
        expiry_wait(f, "the access token", f->token_expires_in, &delay) != 0)
        return -1;
    if (json_is_true(json_object_get(step, "waitChallengeExpiry")) &&
        challenge_wait(f, &delay) != 0)
        return -1;
    if (delay > 0)
        sleep((unsigned)delay);
    long repeat = json_is_integer(json_object_get(step, "repeat"))
                  ? (long)json_integer_value(json_object_get(step, "repeat")) : 1;
    int met = 1;
    for (long i = 0; i < repeat && met == 1; i++)
        met = send_step(f, step, idx);
    if (met == -1 && f->missing[0])   /* else the step gave its own reason */
        cf_skip(f->v, "the configuration does not give %s", f->missing);
    return met;
}

/* The vector's "needs": "method:NAME" must be in info's methods; any other name is an
 * optional feature the configuration ("features") or --claim must claim. NULL or the skip
 * reason. */
static int needs_met(csc_worker *w, cf_vector *v)
{
    json_t *n, *m;
    size_t i, j;
    json_array_foreach(json_object_get(v->test, "needs"), i, n) {
        const char *need = json_string_value(n);
        int ok = 0;
        if (!need)
            continue;
        if (strncmp(need, "method:", 7) == 0) {
            json_array_foreach(w->t->methods, j, m) {
                if (json_is_string(m) && strcmp(json_string_value(m), need + 7) == 0)
                    ok = 1;
            }
            if (!ok) {
                cf_skip(v, "the service does not offer %s (not in info's methods)", need + 7);
                return 0;
            }
            continue;
        }
        json_array_foreach(json_object_get(w->t->conf, "features"), j, m) {
            if (json_is_string(m) && strcmp(json_string_value(m), need) == 0)
                ok = 1;
        }
        if (!ok && !cf_claimed(w->t->opt, need)) {
            cf_skip(v, "the optional feature %s is not claimed (configuration \"features\" "
                    "or --claim %s)", need, need);
            return 0;
        }
    }
    return 1;
}

void csc_flow_run(csc_worker *w, cf_vector *v)
{
    if (!needs_met(w, v))
        return;
    flow f;
    memset(&f, 0, sizeof f);
    f.w = w;
    f.v = v;
    f.captures = json_object();
    if (RAND_bytes(&f.hashes[0][0], sizeof f.hashes) != 1) {
        cf_fail(v, "no random digests (RAND_bytes)");
        json_decref(f.captures);
        return;
    }
    json_t *steps = cf_param(v, "steps"), *s;
    size_t i;
    int met = 1;
    json_array_foreach(steps, i, s) {
        met = run_step(&f, s, (int)i + 1);
        if (met != 1)
            break;
    }
    if (met == 1) {
        if (v->expect == CF_EXPECT_VALID) {
            cf_observed(v, "%zu step(s) answered as expected", json_array_size(steps));
            cf_judge(v, 0, "HTTP 200", w->t->opt);
        } else if (f.refusals) {
            cf_observed(v, "refused: %s%s%s%s", f.code, f.desc[0] ? " \"" : "", f.desc,
                        f.desc[0] ? "\"" : "");
            cf_judge(v, 1, f.code, w->t->opt);
            if (f.note[0] && v->verdict == CF_PASS)
                strncat(v->reason, f.note, sizeof v->reason - strlen(v->reason) - 1);
        } else {
            cf_fail(v, "the vector has no step that expects a refusal (vector fault)");
        }
    }
    cf_wipe(f.hashes, sizeof f.hashes);
    json_decref(f.captures);
    json_decref(f.cades);
}
