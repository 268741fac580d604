/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the SSA: the request being answered, its reply, the strict JSON field readers
 * (each failure is the CSC error of spec/csc-api.md), Base64, the bearer-token table and
 * the CSC method handlers.
 */
#ifndef QSCD_SSA_INT_H
#define QSCD_SSA_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samc.h"
#include "ssa.h"

#define SSA_ID_MAX 64

typedef struct ssa_client {
    char id[SSA_ID_MAX + 1];
    uint8_t secret_hash[32];   /* SHA-256 of the secret (high-entropy secrets only) */
    char signers[1024];        /* "*" or a comma-separated list */
} ssa_client;

typedef struct ssa_token {
    uint8_t hash[32];          /* SHA-256 of the bearer token; the token itself is not kept */
    int64_t expiry;
    char client[SSA_ID_MAX + 1];
    char signer[SSA_ID_MAX + 1];
} ssa_token;

#define SSA_SAM_IDLE_MAX 16
#define SSA_SAM_IDLE_MS 500

struct ssa {
    ssa_config cfg;
    struct MHD_Daemon *d;
    char *cert_pem, *key_pem;
    ssa_client clients[SSA_CLIENTS_MAX];
    size_t n_clients;
    pthread_mutex_t lock;      /* guards tokens */
    ssa_token *tokens;
    unsigned port;
    pthread_mutex_t sam_mu;    /* guards the idle SAM connections */
    samc *sam_idle[SSA_SAM_IDLE_MAX];
    int64_t sam_idle_at[SSA_SAM_IDLE_MAX];   /* ms (monotonic) each was last answered on */
    size_t n_sam_idle;
};

/* The SAM connections the SSA keeps between calls (ssa_csc.c): at most SSA_SAM_IDLE_MAX
 * idle ones, each reused only within SSA_SAM_IDLE_MS of its last answer (under the SAM's
 * smallest read_timeout, 1 s, after which the SAM closes an idle connection) and only when
 * the SAM has not closed it. */
void ssa_sam_pool_close(ssa *s);

/* A request's context: the parsed body, the token's identity, the reply being made. */
typedef struct ssa_req {
    ssa *s;
    const char *authz;         /* the Authorization header, NULL when absent */
    json_t *in;                /* the JSON object (never NULL in handlers) */
    const ssa_token *tok;      /* the caller's token (a copy), NULL before auth */
    ssa_token tok_copy;
    int http;                  /* the reply's status */
    json_t *out;               /* the reply's body (NULL for 204) */
    const char *error;         /* for the log: the CSC error, NULL on success */
} ssa_req;

/* A request without its HTTP exchange: the body (len bytes; too_big when more than
 * SSA_BODY_MAX came) read as a JSON object, then the method at url answered; the reply is
 * left in r->http and r->out. The caller sets r->s and r->authz, and frees what the request
 * made (wiping the body's strings) with ssa_req_release. ssa_http.c serves it over HTTP;
 * conformance/fuzz/fuzz_csc.c feeds it untrusted bodies directly. */
void ssa_handle(ssa_req *r, const char *url, const char *method, const char *ct,
                const char *body, size_t len, bool too_big);
void ssa_req_release(ssa_req *r);

/* Set a CSC error reply: {"error": err, "error_description": desc}. Returns -1. */
int ssa_fail(ssa_req *r, int http, const char *err, const char *desc);
int ssa_bad(ssa_req *r, const char *desc);   /* 400 invalid_request */
/* Map a SAM status to its CSC error (spec/csc-api.md §4); field names the request's
 * parameter the SAM judged. Returns -1. */
int ssa_sam_fail(ssa_req *r, int status, const char *cred);

/* Field readers: 1 present and well typed (value in *out), 0 absent and optional, -1 the
 * error reply is set (absent and required, or of another type). */
int ssa_get_str(ssa_req *r, const char *name, bool required, const char **out);
int ssa_get_int(ssa_req *r, const char *name, bool required, json_int_t *out);
int ssa_get_bool(ssa_req *r, const char *name, bool *out);
/* An identifier (credentialID): a string of 1..64 bytes. */
int ssa_get_id(ssa_req *r, const char *name, const char **out);
/* The hash algorithm OID (hashAlgorithmOID) as a qscd_hash; unknown or weak: the error. */
int ssa_get_hash_alg(ssa_req *r, bool required, int *alg);
int ssa_hash_alg_of_oid(const char *oid);
/* hashes: a non-empty array of at most SSA_HASHES_MAX Base64 strings, decoded into out
 * (cap bytes) back to back; all of one length, *dlen. The CSC error otherwise. */
int ssa_get_hashes(ssa_req *r, uint8_t *out, size_t cap, size_t *n, size_t *dlen);

/* Base64 (RFC 4648 §4, padded, strict) and base64url (§5, unpadded, strict). Decoders
 * return the length or -1; encoders a malloc'd NUL-terminated string. */
long ssa_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, bool url);
char *ssa_b64_encode(const uint8_t *p, size_t n, bool url);

/* Clients and tokens (ssa_auth.c). */
int ssa_clients_load(ssa *s, const char *path);
/* Check the Bearer header; sets r->tok or the error reply (-1). */
int ssa_auth_bearer(ssa_req *r);

/* The SAM as the token's signer: one request; the SAM's status, or -1 (reply set: the SAM
 * cannot be reached). */
int ssa_sam_call(ssa_req *r, unsigned op, const uint8_t *params, size_t len, samc_resp *resp);
/* The same for the operations whose one parameter is the credential id (key 1). */
int ssa_sam_cred_call(ssa_req *r, unsigned op, const char *cred, samc_resp *resp);

/* The method handlers (ssa_csc.c, ssa_sign.c, ssa_auth.c). 0 or -1 (reply set). */
int ssa_h_info(ssa_req *r);
int ssa_h_login(ssa_req *r);
int ssa_h_revoke(ssa_req *r);
int ssa_h_list(ssa_req *r);
int ssa_h_cred_info(ssa_req *r);
int ssa_h_authorize(ssa_req *r);
int ssa_h_challenge(ssa_req *r);
int ssa_h_sign_hash(ssa_req *r);
int ssa_h_extend(ssa_req *r);

/* The credential's description as credentials/info gives it, into obj (ssa_csc.c). */
int ssa_cred_describe(ssa_req *r, const char *cred, const char *certs, bool cert_info,
                      bool auth_info, json_t *obj, bool *valid);

/* The subject (RFC 2253) of the credential's certificate. 0 or -1 (no reply set). */
int ssa_cred_subject(ssa_req *r, const char *cred, char *out, size_t cap);

/* Wipe the value of a JSON string in place (secrets the body carried). */
void ssa_json_wipe_str(json_t *v);

#endif
