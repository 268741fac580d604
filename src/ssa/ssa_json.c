/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict reading of CSC request fields (types checked, unknown fields ignored as CSC allows),
 * strict Base64, and the one mapping of the SAM's QSCD_ERR_* verdicts to CSC errors
 * (CSC v2.0.0.2 §10; the table in spec/csc-api.md §4).
 */
#include "ssa_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qscd_err.h"
#include "qscd_types.h"

static int missing(ssa_req *r, const char *type, const char *name)
{
    char d[160];

    snprintf(d, sizeof d, "Missing (or invalid type) %s parameter %s", type, name);
    return ssa_fail(r, 400, "invalid_request", d);
}

static int invalid(ssa_req *r, const char *name)
{
    char d[160];

    snprintf(d, sizeof d, "Invalid parameter %s", name);
    return ssa_fail(r, 400, "invalid_request", d);
}

int ssa_get_str(ssa_req *r, const char *name, bool required, const char **out)
{
    json_t *v = json_object_get(r->in, name);

    *out = NULL;
    if (v == NULL && !required)
        return 0;
    /* A string with an embedded NUL is not the string C code would see: refused. */
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return missing(r, "string", name);
    *out = json_string_value(v);
    return 1;
}

int ssa_get_int(ssa_req *r, const char *name, bool required, json_int_t *out)
{
    json_t *v = json_object_get(r->in, name);

    if (v == NULL && !required)
        return 0;
    if (!json_is_integer(v))
        return missing(r, "integer", name);
    *out = json_integer_value(v);
    return 1;
}

int ssa_get_bool(ssa_req *r, const char *name, bool *out)
{
    json_t *v = json_object_get(r->in, name);

    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return missing(r, "boolean", name);
    *out = json_is_true(v);
    return 1;
}

int ssa_get_id(ssa_req *r, const char *name, const char **out)
{
    int rc = ssa_get_str(r, name, true, out);

    if (rc == 1 && (**out == '\0' || strlen(*out) > SSA_ID_MAX))
        return invalid(r, name);
    return rc;
}

static const struct { const char *oid; int alg; } hash_oids[] = {
    { "2.16.840.1.101.3.4.2.1", QSCD_HASH_SHA256 },
    { "2.16.840.1.101.3.4.2.2", QSCD_HASH_SHA384 },
    { "2.16.840.1.101.3.4.2.3", QSCD_HASH_SHA512 },
};

int ssa_hash_alg_of_oid(const char *oid)
{
    for (size_t i = 0; i < sizeof hash_oids / sizeof hash_oids[0]; i++)
        if (strcmp(oid, hash_oids[i].oid) == 0)
            return hash_oids[i].alg;
    return 0;
}

int ssa_get_hash_alg(ssa_req *r, bool required, int *alg)
{
    const char *oid;
    int rc = ssa_get_str(r, "hashAlgorithmOID", required, &oid);

    *alg = 0;
    if (rc != 1)
        return rc;
    /* SHA-1 and anything else below SHA-256 is refused here (CSC: at least SHA-256). */
    if ((*alg = ssa_hash_alg_of_oid(oid)) == 0)
        return invalid(r, "hashAlgorithmOID");
    return 1;
}

int ssa_get_hashes(ssa_req *r, uint8_t *out, size_t cap, size_t *n, size_t *dlen)
{
    json_t *a = json_object_get(r->in, "hashes"), *v;
    size_t i;

    *n = 0;
    *dlen = 0;
    if (!json_is_array(a))
        return missing(r, "array", "hashes");
    if (json_array_size(a) == 0)
        return ssa_bad(r, "Empty hash array");
    if (json_array_size(a) > SSA_HASHES_MAX)
        return invalid(r, "hashes");
    json_array_foreach(a, i, v) {
        const char *s = json_string_value(v);
        long got;

        if ((i + 1) * 64 > cap)
            return invalid(r, "hashes");
        got = s != NULL ? ssa_b64_decode(s, json_string_length(v), out + i * 64, 64, false) : -1;
        if (got <= 0)
            return ssa_bad(r, "Invalid Base64 hash string parameter");
        if (i > 0 && (size_t)got != *dlen)
            return ssa_bad(r, "Invalid digest value length");
        *dlen = (size_t)got;
    }
    *n = json_array_size(a);
    /* Pack the digests back to back (decoded into 64-byte slots above). */
    for (i = 1; i < *n; i++)
        memmove(out + i * *dlen, out + i * 64, *dlen);
    return 1;
}

void ssa_json_wipe_str(json_t *v)
{
    /* jansson owns the bytes; they are ours to clear before json_decref frees them. */
    if (json_is_string(v))
        OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
}

/* ------------------------------------------------------------------------------ Base64 */

static int b64_val(char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

long ssa_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, bool url)
{
    uint32_t acc = 0;
    size_t o = 0, pad = 0, i;
    int bits = 0;

    if (!url) {   /* padded: a multiple of 4, at most two '=' at the end */
        if (len % 4 != 0)
            return -1;
        while (pad < 2 && len > pad && s[len - 1 - pad] == '=')
            pad++;
    } else if (len % 4 == 1) {
        return -1;
    }
    for (i = 0; i < len - pad; i++) {
        int v = b64_val(s[i], url);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            if (o == cap)
                return -1;
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    /* The unused low bits must be zero: one encoding per value. */
    if ((acc & ((1u << bits) - 1u)) != 0)
        return -1;
    return (long)o;
}

char *ssa_b64_encode(const uint8_t *p, size_t n, bool url)
{
    const char *a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s = malloc(4 * ((n + 2) / 3) + 1), *o = s;

    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = a[v >> 18];
        *o++ = a[(v >> 12) & 63];
        if (i + 1 < n)
            *o++ = a[(v >> 6) & 63];
        else if (!url)
            *o++ = '=';
        if (i + 2 < n)
            *o++ = a[v & 63];
        else if (!url)
            *o++ = '=';
    }
    *o = '\0';
    return s;
}

/* ------------------------------------------------------------------ SAM verdicts → CSC */

/* "Signing certificate 'SUBJECT' is STATE." as CSC 11.10 words it. */
static int cert_fail(ssa_req *r, const char *cred, const char *state)
{
    char subject[256], d[400];

    if (cred == NULL || ssa_cred_subject(r, cred, subject, sizeof subject) != 0)
        snprintf(subject, sizeof subject, "?");
    snprintf(d, sizeof d, "Signing certificate '%s' is %s.", subject, state);
    return ssa_bad(r, d);
}

int ssa_sam_fail(ssa_req *r, int st, const char *cred)
{
    switch (st) {
    case QSCD_ERR_SAD_MALFORMED: case QSCD_ERR_SAD_VERSION: case QSCD_ERR_SAD_MAC:
    case QSCD_ERR_SAD_AUDIENCE: case QSCD_ERR_SAD_CREDENTIAL: case QSCD_ERR_SAD_SIGNER:
    case QSCD_ERR_SAD_EXHAUSTED: case QSCD_ERR_SAD_COUNT: case QSCD_ERR_SAD_UNKNOWN:
    case QSCD_ERR_SAD_NOT_YET_VALID:
        return invalid(r, "SAD");
    case QSCD_ERR_SAD_EXPIRED:
        return ssa_bad(r, "SAD expired");
    case QSCD_ERR_SAD_HASH: case QSCD_ERR_SAD_HASH_ALG:
        return ssa_bad(r, "Hash is not authorized by the SAD.");
    case QSCD_ERR_DIGEST_LENGTH:
        return ssa_bad(r, "Invalid digest value length");
    case QSCD_ERR_HASH_ALG:
        return invalid(r, "hashAlgorithmOID");
    case QSCD_ERR_HASH_COUNT:
        return invalid(r, "hashes");
    case QSCD_ERR_SIGN_ALG:
        return invalid(r, "signAlgo");
    case QSCD_ERR_AUTH_FAILED: case QSCD_ERR_ASSERTION: case QSCD_ERR_CHALLENGE:
        return ssa_fail(r, 400, "invalid_authentication_data", "The authentication data is invalid");
    case QSCD_ERR_AUTH_LOCKED:
        return ssa_bad(r, "Credential locked");
    case QSCD_ERR_NUMSIG_INVALID:
        return ssa_bad(r, "Invalid value for parameter numSignatures");
    case QSCD_ERR_NUMSIG_TOO_HIGH:
        return ssa_bad(r, "Numbers of signatures is too high");
    case QSCD_ERR_CRED_NOT_FOUND: case QSCD_ERR_NOT_OWNER:
        return invalid(r, "credentialID");
    case QSCD_ERR_CRED_DISABLED:
        return ssa_bad(r, "The credential identified by credentialID is disabled");
    case QSCD_ERR_CERT_EXPIRED:
        return cert_fail(r, cred, "expired");
    case QSCD_ERR_CERT_NOT_YET_VALID:
        return cert_fail(r, cred, "not yet valid");
    case QSCD_ERR_CERT_REVOKED:
        return cert_fail(r, cred, "revoked");
    case QSCD_ERR_CERT_MISSING:
        return ssa_bad(r, "Signing certificate is missing.");
    case QSCD_ERR_SIGNER_NOT_FOUND: case QSCD_ERR_SIGNER_DISABLED: case QSCD_ERR_ROLE_DENIED:
        return ssa_fail(r, 400, "access_denied", "The signer is not allowed to use this service");
    case QSCD_ERR_LIMIT: case QSCD_ERR_ARG:
        return ssa_bad(r, "Invalid request parameters");
    case QSCD_ERR_IO: case QSCD_ERR_TIMEOUT:
        return ssa_fail(r, 503, "temporarily_unavailable", "The signing service is unavailable");
    default:
        return ssa_fail(r, 500, "server_error", "Internal error");
    }
}
