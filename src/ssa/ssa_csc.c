/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CSC methods that describe: info (11.1), credentials/list (11.4), credentials/info
 * (11.5) and credentials/getChallenge (v2.2 §11.10, for the SIC assertion), plus the SAM call
 * every handler makes as the token's signer.
 */
#include "ssa_int.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qscd_err.h"
#include "sam_types.h"
#include "scbor.h"

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Nothing to read on an idle connection: neither an end of stream nor stray bytes. */
static bool sam_idle_ok(samc *c)
{
    struct pollfd p = { samc_fd(c), POLLIN, 0 };

    return poll(&p, 1, 0) == 0;
}

/* A connection to the SAM: the most recently used idle one that is still fresh and open,
 * else a new one. Stale ones are closed on the way. */
static int sam_take(ssa *s, samc **out)
{
    int64_t now = mono_ms();
    samc *c = NULL;

    pthread_mutex_lock(&s->sam_mu);
    while (c == NULL && s->n_sam_idle > 0) {
        size_t i = --s->n_sam_idle;
        c = s->sam_idle[i];
        s->sam_idle[i] = NULL;
        if (now - s->sam_idle_at[i] >= SSA_SAM_IDLE_MS || !sam_idle_ok(c)) {
            samc_close(c);
            c = NULL;
        }
    }
    pthread_mutex_unlock(&s->sam_mu);
    if (c != NULL) {
        *out = c;
        return QSCD_OK;
    }
    return samc_connect(s->cfg.sam_socket, 30, out);
}

/* After a complete answer the connection is idle again: keep it if there is room. */
static void sam_give(ssa *s, samc *c)
{
    pthread_mutex_lock(&s->sam_mu);
    if (s->n_sam_idle < SSA_SAM_IDLE_MAX) {
        s->sam_idle_at[s->n_sam_idle] = mono_ms();
        s->sam_idle[s->n_sam_idle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&s->sam_mu);
    samc_close(c);
}

void ssa_sam_pool_close(ssa *s)
{
    pthread_mutex_lock(&s->sam_mu);
    while (s->n_sam_idle > 0) {
        samc_close(s->sam_idle[--s->n_sam_idle]);
        s->sam_idle[s->n_sam_idle] = NULL;
    }
    pthread_mutex_unlock(&s->sam_mu);
}

/* One request to the SAM on a pooled connection. A failed exchange closes the connection
 * and is never repeated: the SAM may have acted on it (a signature counts against its SAD). */
int ssa_sam_call(ssa_req *r, unsigned op, const uint8_t *params, size_t len, samc_resp *resp)
{
    samc_caller who = { 1, (const uint8_t *)r->tok->signer, strlen(r->tok->signer), NULL, 0 };
    samc *c = NULL;
    int rc = sam_take(r->s, &c);

    memset(resp, 0, sizeof *resp);
    if (rc == QSCD_OK)
        rc = samc_call(c, &who, op, params, len, resp);
    if (rc == QSCD_OK)
        sam_give(r->s, c);
    else
        samc_close(c);
    if (rc != QSCD_OK) {
        samc_resp_free(resp);
        ssa_fail(r, 503, "temporarily_unavailable", "The signing service is unavailable");
        return -1;
    }
    return resp->status;
}

static json_t *str_array(const char *const *v)
{
    json_t *a = json_array();

    for (size_t i = 0; v[i] != NULL; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The signature algorithms signHash accepts (spec/csc-api.md §5). */
static const char *const sign_algos[] = {
    "1.2.840.10045.2.1", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",
    "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10", "1.2.840.113549.1.1.11",
    "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", NULL,
};
static const char *const ec_algos[] = {
    "1.2.840.10045.2.1", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",
    NULL,
};
static const char *const rsa_algos[] = {
    "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10", "1.2.840.113549.1.1.11",
    "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", NULL,
};

int ssa_sam_cred_call(ssa_req *r, unsigned op, const char *cred, samc_resp *resp)
{
    uint8_t buf[SSA_ID_MAX + 8];
    scbor_enc e;

    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 1);
    scbor_put_uint(&e, 1);
    scbor_put_bstr(&e, (const uint8_t *)cred, strlen(cred));
    if (e.err != QSCD_OK)
        return ssa_fail(r, 500, "server_error", "Internal error");
    return ssa_sam_call(r, op, buf, e.len, resp);
}

int ssa_h_info(ssa_req *r)
{
    const char *lang;

    if (ssa_get_str(r, "lang", false, &lang) < 0)
        return -1;
    r->out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:o,s:{s:o}}",
                       "specs", "2.0.0.2",
                       "name", r->s->cfg.name != NULL ? r->s->cfg.name : "qscd",
                       "logo", "https://localhost/qscd.png",
                       "region", "EU",
                       "lang", "en",
                       "description", "qscd reference remote signing service: SCAL 2, every "
                                      "SAD checked by the Signature Activation Module",
                       "authType", "basic",
                       "methods", str_array(ssa_methods),
                       "signAlgorithms", "algos", str_array(sign_algos));
    return r->out != NULL ? 0 : ssa_fail(r, 500, "server_error", "Internal error");
}

/* ------------------------------------------------------------------- credentials/list */

static int cred_list(ssa_req *r, samc_resp *resp)
{
    int st = ssa_sam_call(r, SAMC_CRED_LIST, NULL, 0, resp);

    if (st > 0) {
        samc_resp_free(resp);
        return ssa_sam_fail(r, st, NULL);
    }
    return st;
}

static int certs_param(ssa_req *r, const char **certs)
{
    if (ssa_get_str(r, "certificates", false, certs) < 0)
        return -1;
    if (*certs == NULL)
        *certs = "single";
    if (strcmp(*certs, "none") != 0 && strcmp(*certs, "single") != 0 &&
        strcmp(*certs, "chain") != 0)
        return ssa_bad(r, "Invalid parameter certificates");
    return 0;
}

int ssa_h_list(ssa_req *r)
{
    bool want_info = false, cert_info = false, auth_info = false, only_valid = false;
    json_t *ids = json_array(), *infos = json_array();
    const char *user, *certs, *lang, *cdata;
    uint64_t count = 0;
    size_t off = 0;
    samc_resp resp;
    bool have = false;
    int rc = 0;

    if (ssa_get_str(r, "userID", false, &user) < 0 || ssa_get_bool(r, "credentialInfo", &want_info) < 0 ||
        ssa_get_bool(r, "certInfo", &cert_info) < 0 || ssa_get_bool(r, "authInfo", &auth_info) < 0 ||
        ssa_get_bool(r, "onlyValid", &only_valid) < 0 || certs_param(r, &certs) < 0 ||
        ssa_get_str(r, "lang", false, &lang) < 0 || ssa_get_str(r, "clientData", false, &cdata) < 0)
        rc = -1;
    /* The token is the signer's (user-specific authentication): CSC 11.4 wants no userID. */
    else if (user != NULL)
        rc = ssa_bad(r, "userID parameter MUST be null");
    else if (cred_list(r, &resp) != 0)
        rc = -1;
    else
        have = true;
    if (have && samc_get_array(&resp, 1, &count, &off) != QSCD_OK)
        rc = ssa_fail(r, 500, "server_error", "Internal error");
    for (uint64_t i = 0; rc == 0 && i < count; i++) {
        const uint8_t *p;
        size_t n;
        char id[SSA_ID_MAX + 1];
        json_t *o = json_object();
        bool valid = true;
        if (samc_next_bstr(&resp, &off, &p, &n) != QSCD_OK || n == 0 || n > SSA_ID_MAX) {
            json_decref(o);
            rc = ssa_fail(r, 500, "server_error", "Internal error");
            break;
        }
        snprintf(id, sizeof id, "%.*s", (int)n, (const char *)p);
        if ((want_info || only_valid) &&
            ssa_cred_describe(r, id, certs, cert_info, auth_info, o, &valid) != 0) {
            json_decref(o);
            rc = -1;
            break;
        }
        if (only_valid && !valid) {
            json_decref(o);
            continue;
        }
        json_array_append_new(ids, json_string(id));
        json_object_set_new(o, "credentialID", json_string(id));
        if (want_info)
            json_array_append_new(infos, o);
        else
            json_decref(o);
    }
    if (rc == 0) {
        r->out = json_pack("{s:o}", "credentialIDs", ids);
        ids = NULL;
        if (want_info) {
            json_object_set_new(r->out, "credentialInfos", infos);
            infos = NULL;
        }
        if (only_valid)
            json_object_set_new(r->out, "onlyValid", json_true());
    }
    if (have)
        samc_resp_free(&resp);
    json_decref(ids);
    json_decref(infos);
    return rc;
}

/* ------------------------------------------------------------------- credentials/info */

static void put_time(json_t *o, const char *k, const ASN1_TIME *t)
{
    ASN1_GENERALIZEDTIME *g = ASN1_TIME_to_generalizedtime(t, NULL);

    if (g != NULL)
        json_object_set_new(o, k, json_stringn((const char *)ASN1_STRING_get0_data(g),
                                               (size_t)ASN1_STRING_length(g)));
    ASN1_GENERALIZEDTIME_free(g);
}

static void put_name(json_t *o, const char *k, const X509_NAME *nm)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL;
    long n;

    if (b != NULL && X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253) >= 0 &&
        (n = BIO_get_mem_data(b, &p)) >= 0)
        json_object_set_new(o, k, json_stringn(p, (size_t)n));
    BIO_free(b);
}

static void put_cert_info(json_t *cert, const uint8_t *der, size_t len)
{
    const uint8_t *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    BIGNUM *bn;
    char *hex;

    if (x == NULL)
        return;
    put_name(cert, "issuerDN", X509_get_issuer_name(x));
    put_name(cert, "subjectDN", X509_get_subject_name(x));
    if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) != NULL &&
        (hex = BN_bn2hex(bn)) != NULL) {
        json_object_set_new(cert, "serialNumber", json_string(hex));
        OPENSSL_free(hex);
    }
    BN_free(bn);
    put_time(cert, "validFrom", X509_get0_notBefore(x));
    put_time(cert, "validTo", X509_get0_notAfter(x));
    X509_free(x);
}

static json_t *auth_object(uint64_t sap, bool full)
{
    json_t *a = json_pack("{s:s}", "mode", "explicit");

    if (!full)
        return a;
    if (sap == SAM_SAP_SIC) {
        json_object_set_new(a, "expression", json_string("PIN AND SIC"));
        json_object_set_new(a, "objects", json_pack(
            "[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s}]",
            "type", "Password", "id", "PIN", "format", "A", "label", "PIN",
            "type", "Assertion", "id", "SIC", "format", "A", "label", "SIC assertion",
            "description", "Base64 COSE_Sign1 by the enrolled device key over the request "
                           "and a challenge from credentials/getChallenge"));
    } else {
        json_object_set_new(a, "expression", json_string("PIN AND OTP"));
        json_object_set_new(a, "objects", json_pack(
            "[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s}]",
            "type", "Password", "id", "PIN", "format", "A", "label", "PIN",
            "type", "Password", "id", "OTP", "format", "N", "generator", "totp",
            "label", "One-time password"));
    }
    return a;
}

static json_t *key_object(uint64_t alg, uint64_t bits, bool enabled)
{
    bool ec = alg == SAM_KEY_EC_P256 || alg == SAM_KEY_EC_P384;
    json_t *k = json_pack("{s:s,s:o,s:I}", "status", enabled ? "enabled" : "disabled",
                          "algo", str_array(ec ? ec_algos : rsa_algos), "len", (json_int_t)bits);

    if (ec)
        json_object_set_new(k, "curve", json_string(alg == SAM_KEY_EC_P256
                                                        ? "1.2.840.10045.3.1.7" : "1.3.132.0.34"));
    return k;
}

/* The cert object: status, the certificates asked for, and their details if asked. */
static json_t *cert_object(const samc_resp *resp, const char *certs, bool cert_info, bool *valid)
{
    const uint8_t *st = NULL, *der;
    size_t stn = 0, off = 0, n;
    uint64_t count = 0;
    json_t *c = json_object(), *list = json_array();
    char status[32];

    samc_get_tstr(resp, 7, &st, &stn);
    snprintf(status, sizeof status, "%.*s", (int)stn, st != NULL ? (const char *)st : "");
    *valid = strcmp(status, "valid") == 0;
    /* CSC knows valid, expired, revoked, suspended; the rest is "not valid" for a client. */
    json_object_set_new(c, "status", json_string(*valid || strcmp(status, "expired") == 0 ||
                                                 strcmp(status, "revoked") == 0 ? status
                                                                                : "suspended"));
    if (samc_get_array(resp, 6, &count, &off) != QSCD_OK)
        count = 0;
    for (uint64_t i = 0; i < count && samc_next_bstr(resp, &off, &der, &n) == QSCD_OK; i++) {
        char *b = ssa_b64_encode(der, n, false);
        if (i == 0 && cert_info)
            put_cert_info(c, der, n);
        if (b != NULL && (strcmp(certs, "chain") == 0 || (i == 0 && strcmp(certs, "single") == 0)))
            json_array_append_new(list, json_string(b));
        free(b);
    }
    if (strcmp(certs, "none") != 0)
        json_object_set_new(c, "certificates", list);
    else
        json_decref(list);
    return c;
}

int ssa_cred_describe(ssa_req *r, const char *cred, const char *certs, bool cert_info,
                      bool auth_info, json_t *obj, bool *valid)
{
    uint64_t alg = 0, bits = 0, sap = 0, multi = 1;
    bool enabled = false;
    samc_resp resp;
    int st;

    if ((st = ssa_sam_cred_call(r, SAMC_CRED_INFO, cred, &resp)) < 0)
        return -1;
    if (st != 0) {
        samc_resp_free(&resp);
        return ssa_sam_fail(r, st, cred);
    }
    samc_get_uint(&resp, 1, &alg);
    samc_get_uint(&resp, 2, &bits);
    samc_get_uint(&resp, 3, &sap);
    samc_get_uint(&resp, 4, &multi);
    samc_get_bool(&resp, 5, &enabled);
    json_object_set_new(obj, "description", json_string("qscd credential"));
    json_object_set_new(obj, "signatureQualifier", json_string("eu_eidas_qes"));
    json_object_set_new(obj, "key", key_object(alg, bits, enabled));
    json_object_set_new(obj, "cert", cert_object(&resp, certs, cert_info, valid));
    json_object_set_new(obj, "auth", auth_object(sap, auth_info));
    json_object_set_new(obj, "SCAL", json_string("2"));
    json_object_set_new(obj, "multisign", json_integer((json_int_t)multi));
    json_object_set_new(obj, "lang", json_string("en"));
    *valid = *valid && enabled;
    samc_resp_free(&resp);
    return 0;
}

int ssa_cred_subject(ssa_req *r, const char *cred, char *out, size_t cap)
{
    const uint8_t *der = NULL;
    uint64_t count = 0;
    size_t off = 0, n = 0;
    json_t *o = json_object();
    samc_resp resp;
    int rc;

    if ((rc = ssa_sam_cred_call(r, SAMC_CRED_INFO, cred, &resp)) >= 0) {
        rc = -1;
        if (samc_get_array(&resp, 6, &count, &off) == QSCD_OK && count > 0 &&
            samc_next_bstr(&resp, &off, &der, &n) == QSCD_OK) {
            put_cert_info(o, der, n);
            if (json_string_value(json_object_get(o, "subjectDN")) != NULL) {
                snprintf(out, cap, "%s", json_string_value(json_object_get(o, "subjectDN")));
                rc = 0;
            }
        }
        samc_resp_free(&resp);
    }
    json_decref(o);
    return rc;
}

int ssa_h_cred_info(ssa_req *r)
{
    bool cert_info = false, auth_info = false, valid;
    const char *cred, *certs, *lang, *cdata;

    if (ssa_get_id(r, "credentialID", &cred) < 0 || certs_param(r, &certs) < 0 ||
        ssa_get_bool(r, "certInfo", &cert_info) < 0 || ssa_get_bool(r, "authInfo", &auth_info) < 0 ||
        ssa_get_str(r, "lang", false, &lang) < 0 || ssa_get_str(r, "clientData", false, &cdata) < 0)
        return -1;
    r->out = json_object();
    return ssa_cred_describe(r, cred, certs, cert_info, auth_info, r->out, &valid);
}

/* --------------------------------------------------------- credentials/getChallenge */

int ssa_h_challenge(ssa_req *r)
{
    const char *cred, *obj, *cdata;
    const uint8_t *ch;
    size_t n = 0;
    samc_resp resp;
    char *b;
    int st;

    if (ssa_get_id(r, "credentialID", &cred) < 0 || ssa_get_str(r, "authObjectID", true, &obj) < 0 ||
        ssa_get_str(r, "clientData", false, &cdata) < 0)
        return -1;
    if (strcmp(obj, "SIC") != 0)
        return ssa_bad(r, "Invalid parameter authObjectID");
    if ((st = ssa_sam_cred_call(r, SAMC_CHALLENGE, cred, &resp)) < 0)
        return -1;
    if (st != 0 || samc_get_bstr(&resp, 1, &ch, &n) != QSCD_OK || n != 32) {
        samc_resp_free(&resp);
        return st != 0 ? ssa_sam_fail(r, st, cred) : ssa_fail(r, 500, "server_error", "Internal error");
    }
    b = ssa_b64_encode(ch, n, false);
    r->out = json_pack("{s:s}", "challenge", b != NULL ? b : "");
    free(b);
    samc_resp_free(&resp);
    return 0;
}
