/* SPDX-License-Identifier: Apache-2.0 */
/*
 * credentials/authorize (CSC 11.6, explicit mode: PIN and OTP, or PIN and the SIC assertion),
 * credentials/extendTransaction (CSC 11.9) and signatures/signHash (CSC 11.10, synchronous).
 * The SSA checks shapes only; every decision (factors, SAD, hashes, counts, key, certificate)
 * is the SAM's. The request's
 * secrets go into one CBOR buffer that is wiped once the SAM has answered.
 */
#include "ssa_int.h"

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "qscd_err.h"
#include "qscd_types.h"
#include "sam_types.h"
#include "scbor.h"

#define SSA_SECRET_MAX 64       /* PIN and OTP bytes (the SAM's bound) */
#define SSA_ASSERTION_MAX 2600  /* SIC assertion and SAD token bytes (the SAM's bound) */

static size_t digest_len(int alg)
{
    return alg == QSCD_HASH_SHA256 ? 32 : alg == QSCD_HASH_SHA384 ? 48 : alg == QSCD_HASH_SHA512 ? 64 : 0;
}

/* The hashes and their algorithm, as both methods take them. */
typedef struct hash_set {
    uint8_t buf[SSA_HASHES_MAX * 64];
    size_t n, dlen;
    int alg;
} hash_set;

static int put_hashes(scbor_enc *e, int key, const hash_set *h)
{
    scbor_put_uint(e, (uint64_t)key);
    scbor_put_array(e, h->n);
    for (size_t i = 0; i < h->n; i++)
        scbor_put_bstr(e, h->buf + i * h->dlen, h->dlen);
    return 0;
}

/* The auth objects of authData: PIN and OTP as text, SIC as Base64 of the assertion. */
typedef struct auth_data {
    const char *pin, *otp;
    uint8_t assertion[SSA_ASSERTION_MAX];
    long assertion_len;     /* -1: absent */
} auth_data;

static int read_auth_data(ssa_req *r, auth_data *a)
{
    json_t *arr = json_object_get(r->in, "authData"), *o;
    size_t i;

    a->pin = a->otp = NULL;
    a->assertion_len = -1;
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 4)
        return ssa_bad(r, "Missing (or invalid type) array parameter authData");
    json_array_foreach(arr, i, o) {
        json_t *idv = json_object_get(o, "id"), *vv = json_object_get(o, "value");
        const char *id = json_string_value(idv), *v = json_string_value(vv);
        if (id == NULL || v == NULL || strlen(v) != json_string_length(vv))
            return ssa_bad(r, "Invalid parameter authData");
        if (strcmp(id, "PIN") == 0 && a->pin == NULL && strlen(v) <= SSA_SECRET_MAX)
            a->pin = v;
        else if (strcmp(id, "OTP") == 0 && a->otp == NULL && strlen(v) <= 8)
            a->otp = v;
        else if (strcmp(id, "SIC") == 0 && a->assertion_len < 0 &&
                 (a->assertion_len = ssa_b64_decode(v, strlen(v), a->assertion,
                                                    sizeof a->assertion, false)) > 0)
            continue;
        else
            return ssa_bad(r, "Invalid parameter authData");
    }
    return 0;
}

static int read_hash_set(ssa_req *r, hash_set *h, bool alg_required)
{
    if (ssa_get_hashes(r, h->buf, sizeof h->buf, &h->n, &h->dlen) < 0 ||
        ssa_get_hash_alg(r, alg_required, &h->alg) < 0)
        return -1;
    if (h->alg != 0 && h->dlen != digest_len(h->alg))
        return ssa_bad(r, "Invalid digest value length");
    return 0;
}

/* Send the request encoded in e to the SAM and answer its token as {SAD, expiresIn}
 * (authorize and extendTransaction). The request buffer is wiped here: it holds secrets. */
static int token_call(ssa_req *r, unsigned op, const scbor_enc *e, uint8_t *buf, size_t cap,
                      const char *cred)
{
    const uint8_t *sad;
    uint64_t exp = 0;
    size_t n = 0;
    samc_resp resp;
    char *b;
    int st;

    st = e->err == QSCD_OK ? ssa_sam_call(r, op, buf, e->len, &resp)
                           : ssa_fail(r, 500, "server_error", "Internal error");
    OPENSSL_cleanse(buf, cap);
    if (st < 0)
        return -1;
    if (st != 0 || samc_get_bstr(&resp, 1, &sad, &n) != QSCD_OK) {
        samc_resp_free(&resp);
        return st != 0 ? ssa_sam_fail(r, st, cred) : ssa_fail(r, 500, "server_error", "Internal error");
    }
    samc_get_uint(&resp, 2, &exp);
    b = ssa_b64_encode(sad, n, true);
    r->out = json_pack("{s:s,s:I}", "SAD", b != NULL ? b : "", "expiresIn", (json_int_t)exp);
    if (b != NULL)
        OPENSSL_cleanse(b, strlen(b));
    free(b);
    OPENSSL_cleanse(resp.buf, resp.len);
    samc_resp_free(&resp);
    return 0;
}

static int authorize_call(ssa_req *r, const char *cred, json_int_t numsig, const hash_set *h,
                          const auth_data *a)
{
    uint8_t buf[SSA_HASHES_MAX * 70 + SSA_ASSERTION_MAX + 256];
    scbor_enc e;

    scbor_enc_init(&e, buf, sizeof buf);
    scbor_put_map(&e, 4 + (a->pin != NULL) + (a->otp != NULL) + (a->assertion_len > 0));
    scbor_put_uint(&e, 1);
    scbor_put_bstr(&e, (const uint8_t *)cred, strlen(cred));
    scbor_put_uint(&e, 2);
    scbor_put_uint(&e, (uint64_t)numsig);
    scbor_put_uint(&e, 3);
    scbor_put_uint(&e, (uint64_t)h->alg);
    put_hashes(&e, 4, h);
    if (a->pin != NULL) {
        scbor_put_uint(&e, 5);
        scbor_put_bstr(&e, (const uint8_t *)a->pin, strlen(a->pin));
    }
    if (a->otp != NULL) {
        scbor_put_uint(&e, 6);
        scbor_put_bstr(&e, (const uint8_t *)a->otp, strlen(a->otp));
    }
    if (a->assertion_len > 0) {
        scbor_put_uint(&e, 7);
        scbor_put_bstr(&e, a->assertion, (size_t)a->assertion_len);
    }
    return token_call(r, SAMC_AUTHORIZE, &e, buf, sizeof buf, cred);
}

int ssa_h_authorize(ssa_req *r)
{
    const char *cred, *desc, *cdata;
    json_int_t numsig = 0;
    hash_set *h = calloc(1, sizeof *h);
    auth_data *a = calloc(1, sizeof *a);
    int rc = -1;

    if (h == NULL || a == NULL)
        rc = ssa_fail(r, 500, "server_error", "Internal error");
    else if (ssa_get_id(r, "credentialID", &cred) < 0 ||
             ssa_get_int(r, "numSignatures", true, &numsig) < 0 ||
             ssa_get_str(r, "description", false, &desc) < 0 ||
             ssa_get_str(r, "clientData", false, &cdata) < 0)
        rc = -1;
    else if (numsig < 1)
        rc = ssa_bad(r, "Invalid value for parameter numSignatures");
    else if (numsig > 1000000)
        rc = ssa_bad(r, "Numbers of signatures is too high");
    else if (desc != NULL && strlen(desc) > 500)
        rc = ssa_bad(r, "Invalid parameter description");
    /* SCAL 2: the hashes and their algorithm are part of the authorisation (CSC 8.2). */
    else if (read_hash_set(r, h, true) == 0 && read_auth_data(r, a) == 0)
        rc = authorize_call(r, cred, numsig, h, a);
    if (a != NULL)
        OPENSSL_cleanse(a, sizeof *a);
    free(a);
    free(h);
    return rc;
}

/* ------------------------------------------------------------------ signatures/signHash */

static const struct { const char *oid; int sign_alg; int hash_alg; } sign_oids[] = {
    { "1.2.840.10045.2.1", SAM_SIGN_ECDSA, 0 },
    { "1.2.840.10045.4.3.2", SAM_SIGN_ECDSA, QSCD_HASH_SHA256 },
    { "1.2.840.10045.4.3.3", SAM_SIGN_ECDSA, QSCD_HASH_SHA384 },
    { "1.2.840.10045.4.3.4", SAM_SIGN_ECDSA, QSCD_HASH_SHA512 },
    { "1.2.840.113549.1.1.1", SAM_SIGN_RSA_PKCS1, 0 },
    { "1.2.840.113549.1.1.11", SAM_SIGN_RSA_PKCS1, QSCD_HASH_SHA256 },
    { "1.2.840.113549.1.1.12", SAM_SIGN_RSA_PKCS1, QSCD_HASH_SHA384 },
    { "1.2.840.113549.1.1.13", SAM_SIGN_RSA_PKCS1, QSCD_HASH_SHA512 },
    { "1.2.840.113549.1.1.10", SAM_SIGN_RSA_PSS, 0 },
};

static int hash_of_algor(const X509_ALGOR *a)
{
    const ASN1_OBJECT *o;
    char txt[64];

    if (a == NULL)
        return 0;     /* absent means SHA-1: refused */
    X509_ALGOR_get0(&o, NULL, NULL, a);
    return OBJ_obj2txt(txt, sizeof txt, o, 1) > 0 ? ssa_hash_alg_of_oid(txt) : 0;
}

/* RSASSA-PSS-params (RFC 4055) in DER: the hash, MGF1 with the same hash, a salt as long
 * as the digest (the SAM's PSS), trailer 1. The hash algorithm, or 0 when not acceptable. */
int ssa_pss_params_hash(const uint8_t *der, size_t len);
int ssa_pss_params_hash(const uint8_t *der, size_t len)
{
    const uint8_t *q = der;
    RSA_PSS_PARAMS *p = d2i_RSA_PSS_PARAMS(NULL, &q, (long)len);
    X509_ALGOR *mgf_hash = NULL;
    const ASN1_OBJECT *mgf_oid = NULL;
    const void *pv = NULL;
    int ptype = 0, alg = 0;

    if (p == NULL || q != der + len || p->maskGenAlgorithm == NULL)
        goto out;
    X509_ALGOR_get0(&mgf_oid, &ptype, &pv, p->maskGenAlgorithm);
    if (OBJ_obj2nid(mgf_oid) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
        goto out;
    q = ASN1_STRING_get0_data(pv);
    mgf_hash = d2i_X509_ALGOR(NULL, &q, ASN1_STRING_length(pv));
    alg = hash_of_algor(p->hashAlgorithm);
    if (alg == 0 || hash_of_algor(mgf_hash) != alg || p->saltLength == NULL ||
        ASN1_INTEGER_get(p->saltLength) != (long)digest_len(alg) ||
        (p->trailerField != NULL && ASN1_INTEGER_get(p->trailerField) != 1))
        alg = 0;
out:
    X509_ALGOR_free(mgf_hash);
    RSA_PSS_PARAMS_free(p);
    return alg;
}

/* signAlgo, signAlgoParams and hashAlgorithmOID together: the SAM's signature algorithm
 * and the hash algorithm, or the CSC error. */
static int sign_algorithm(ssa_req *r, hash_set *h, int *sign_alg)
{
    const char *algo, *params;
    uint8_t der[256];
    int implied = 0;
    size_t i, n = sizeof sign_oids / sizeof sign_oids[0];

    if (ssa_get_str(r, "signAlgo", true, &algo) < 0 ||
        ssa_get_str(r, "signAlgoParams", false, &params) < 0)
        return -1;
    for (i = 0; i < n && strcmp(algo, sign_oids[i].oid) != 0; i++)
        ;
    if (i == n)
        return ssa_bad(r, "Invalid parameter signAlgo");
    *sign_alg = sign_oids[i].sign_alg;
    implied = sign_oids[i].hash_alg;
    if (*sign_alg == SAM_SIGN_RSA_PSS) {
        long dl;
        if (params == NULL)
            return ssa_bad(r, "Missing (or invalid type) string parameter signAlgoParams");
        dl = ssa_b64_decode(params, strlen(params), der, sizeof der, false);
        if (dl <= 0 || (implied = ssa_pss_params_hash(der, (size_t)dl)) == 0)
            return ssa_bad(r, "Invalid parameter signAlgoParams");
    }
    if (implied == 0 && h->alg == 0)
        return ssa_bad(r, "Missing (or invalid type) string parameter hashAlgorithmOID");
    if (implied != 0 && h->alg != 0 && implied != h->alg)
        return ssa_bad(r, "Invalid parameter hashAlgorithmOID");
    if (h->alg == 0)
        h->alg = implied;
    if (h->dlen != digest_len(h->alg))
        return ssa_bad(r, "Invalid digest value length");
    return 0;
}

static int other_sign_fields(ssa_req *r)
{
    const char *mode, *uri, *cdata;
    json_int_t vp = 0;
    int has_vp;

    if (ssa_get_str(r, "operationMode", false, &mode) < 0 ||
        (has_vp = ssa_get_int(r, "validity_period", false, &vp)) < 0 ||
        ssa_get_str(r, "response_uri", false, &uri) < 0 ||
        ssa_get_str(r, "clientData", false, &cdata) < 0)
        return -1;
    /* Synchronous only: "A" (asynchronous) is not offered, anything else is invalid. */
    if (mode != NULL && strcmp(mode, "S") != 0)
        return ssa_bad(r, "Invalid parameter operationMode");
    if (has_vp == 1 && (vp < 1 || vp > 86400))
        return ssa_bad(r, "Invalid parameter validity_period");
    return 0;
}

/* The start of a SAM request about a token (sign, extend): a map of n keys, 1 the credential,
 * 2 the token, 3 the hash algorithm. */
static void put_token_head(scbor_enc *e, size_t n, const char *cred, const uint8_t *sad,
                           size_t sad_len, int alg)
{
    scbor_put_map(e, n);
    scbor_put_uint(e, 1);
    scbor_put_bstr(e, (const uint8_t *)cred, strlen(cred));
    scbor_put_uint(e, 2);
    scbor_put_bstr(e, sad, sad_len);
    scbor_put_uint(e, 3);
    scbor_put_uint(e, (uint64_t)alg);
}

/* credentialID and SAD, as signHash and extendTransaction take them: the SAD decoded into
 * sad (SSA_ASSERTION_MAX + 1 bytes). 0, or -1 with the error reply set. */
static int read_cred_sad(ssa_req *r, const char **cred, uint8_t *sad, long *sad_len)
{
    const char *text;

    if (ssa_get_id(r, "credentialID", cred) < 0 || ssa_get_str(r, "SAD", true, &text) < 0)
        return -1;
    *sad_len = ssa_b64_decode(text, strlen(text), sad, SSA_ASSERTION_MAX + 1, true);
    return *sad_len > 0 ? 0 : ssa_bad(r, "Invalid parameter SAD");
}

static int sign_call(ssa_req *r, const char *cred, const uint8_t *sad, size_t sad_len,
                     const hash_set *h, int sign_alg)
{
    uint8_t buf[SSA_HASHES_MAX * 70 + SSA_ASSERTION_MAX + 256];
    json_t *sigs = json_array();
    uint64_t count = 0;
    size_t off = 0;
    samc_resp resp;
    scbor_enc e;
    int st;

    scbor_enc_init(&e, buf, sizeof buf);
    put_token_head(&e, 5, cred, sad, sad_len, h->alg);
    scbor_put_uint(&e, 4);
    scbor_put_uint(&e, (uint64_t)sign_alg);
    put_hashes(&e, 5, h);
    st = e.err == QSCD_OK ? ssa_sam_call(r, SAMC_SIGN, buf, e.len, &resp)
                          : ssa_fail(r, 500, "server_error", "Internal error");
    OPENSSL_cleanse(buf, sizeof buf);
    if (st != 0) {
        json_decref(sigs);
        if (st > 0)
            samc_resp_free(&resp);
        return st > 0 ? ssa_sam_fail(r, st, cred) : -1;
    }
    if (samc_get_array(&resp, 1, &count, &off) != QSCD_OK || count != h->n)
        st = -1;
    for (uint64_t i = 0; st == 0 && i < count; i++) {
        const uint8_t *p;
        size_t n;
        char *b = samc_next_bstr(&resp, &off, &p, &n) == QSCD_OK ? ssa_b64_encode(p, n, false) : NULL;
        if (b == NULL)
            st = -1;
        else
            json_array_append_new(sigs, json_string(b));
        free(b);
    }
    samc_resp_free(&resp);
    if (st != 0) {
        json_decref(sigs);
        return ssa_fail(r, 500, "server_error", "Internal error");
    }
    r->out = json_pack("{s:o}", "signatures", sigs);
    return 0;
}

int ssa_h_sign_hash(ssa_req *r)
{
    const char *cred;
    uint8_t sad[SSA_ASSERTION_MAX + 1];
    hash_set *h = calloc(1, sizeof *h);
    int sign_alg = 0, rc = -1;
    long sad_len = 0;

    if (h == NULL)
        rc = ssa_fail(r, 500, "server_error", "Internal error");
    else if (read_cred_sad(r, &cred, sad, &sad_len) < 0)
        rc = -1;
    else if (ssa_get_hashes(r, h->buf, sizeof h->buf, &h->n, &h->dlen) < 0 ||
             ssa_get_hash_alg(r, false, &h->alg) < 0 || sign_algorithm(r, h, &sign_alg) < 0 ||
             other_sign_fields(r) < 0)
        rc = -1;
    else
        rc = sign_call(r, cred, sad, (size_t)sad_len, h, sign_alg);
    OPENSSL_cleanse(sad, sizeof sad);
    free(h);
    return rc;
}

/* ------------------------------------------------------- credentials/extendTransaction */

static int extend_call(ssa_req *r, const char *cred, const uint8_t *sad, size_t sad_len,
                       const hash_set *h)
{
    uint8_t buf[SSA_HASHES_MAX * 70 + SSA_ASSERTION_MAX + 256];
    scbor_enc e;

    scbor_enc_init(&e, buf, sizeof buf);
    put_token_head(&e, 4, cred, sad, sad_len, h->alg);
    put_hashes(&e, 4, h);
    return token_call(r, SAMC_EXTEND, &e, buf, sizeof buf, cred);
}

/* A new SAD for the same grant (the SAM keeps its count: no signature more), valid from now.
 * SCAL 2: the hashes and their algorithm are required, and each must be one the SAD lists. */
int ssa_h_extend(ssa_req *r)
{
    const char *cred, *cdata;
    uint8_t sad[SSA_ASSERTION_MAX + 1];
    hash_set *h = calloc(1, sizeof *h);
    long sad_len = 0;
    int rc = -1;

    if (h == NULL)
        rc = ssa_fail(r, 500, "server_error", "Internal error");
    else if (read_cred_sad(r, &cred, sad, &sad_len) < 0 ||
             ssa_get_str(r, "clientData", false, &cdata) < 0)
        rc = -1;
    else if (read_hash_set(r, h, true) == 0)
        rc = extend_call(r, cred, sad, (size_t)sad_len, h);
    OPENSSL_cleanse(sad, sizeof sad);
    free(h);
    return rc;
}
