/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end test helpers for the SSA (conformance/unit/test_ssa*.c): a real `qscd sam` on a
 * throw-away SoftHSMv2 token (util_samd.h), the SSA started in the test runner on a free
 * loopback port with a TLS certificate from the SAM's test CA, and CSC calls over real HTTPS
 * with the signer's client (src/signer/). Every signature obtained is verified with OpenSSL
 * against the certificate credentials/info returns.
 */
#ifndef QSCD_UNIT_SSA_H
#define QSCD_UNIT_SSA_H

#include <jansson.h>
#include <stdbool.h>

#include "signer.h"
#include "ssa_int.h"   /* white-box: Base64 helpers */
#include "util_samd.h"

typedef struct ts_world {
    it_sam sam;
    ssa *ssa;
    char base[128];            /* https://localhost:PORT/csc/v2 */
    char cacert[700];          /* the SAM's test CA (it issued the TLS certificate) */
    char secret_file[700];     /* the secret of the client "demo" */
} ts_world;

#define TS_SECRET "demo-client-secret-for-the-tests"
#define TS_ACME_SECRET "acme-secret-for-the-tests"   /* client "acme": carol only */

/* Initialise and start a SAM named name (extra configuration lines) and an SSA in front of
 * it. NULL, or why the tests cannot run. */
const char *ts_start(ts_world *w, const char *name, const char *extra_conf);
void ts_stop(ts_world *w);

/* Open a connection and log in as signer@client with secret. 0 or -1. */
int ts_login_as(ts_world *w, signer_conn *c, const char *signer, const char *client,
                const char *secret);
int ts_login(ts_world *w, signer_conn *c, const char *signer);

/* POST a body made with json_pack(fmt, ...) (fmt NULL: no body); the status, *out the JSON. */
long ts_post(signer_conn *c, const char *method, json_t **out, const char *fmt, ...);
/* Is out a CSC error with this code and description (desc NULL: any, but present)? */
bool ts_is_error(json_t *out, const char *error, const char *desc);

/* n digests of dlen bytes as a JSON array of Base64 strings. */
json_t *ts_hashes(const uint8_t *h, size_t dlen, size_t n);
/* credentials/authorize with PIN + a SIC assertion by key over a fresh challenge; the SAD
 * into sad (cap). The HTTP status; *out (may be NULL) the answer. When getChallenge itself
 * is refused, its status and its answer; -3 when it answers 200 without a challenge. */
long ts_authorize_sic(signer_conn *c, EVP_PKEY *key, const char *cred, const char *pin,
                      uint32_t numsig, int hash_alg, const uint8_t *h, size_t dlen, size_t n,
                      char *sad, size_t cap, json_t **out);
/* credentials/authorize with PIN + OTP code. */
long ts_authorize_otp(signer_conn *c, const char *cred, const char *pin, const char *otp,
                      uint32_t numsig, const uint8_t *h, size_t n, char *sad, size_t cap,
                      json_t **out);
/* signatures/signHash; hash_oid may be NULL (implied by sign_algo), params NULL. */
long ts_sign(signer_conn *c, const char *cred, const char *sad, const char *sign_algo,
             const char *hash_oid, const char *params, const uint8_t *h, size_t dlen, size_t n,
             json_t **out);
/* credentials/extendTransaction for n SHA-256 digests; the new SAD into sad2 (cap; may be
 * NULL). The HTTP status; *out the answer. */
long ts_extend(signer_conn *c, const char *cred, const char *sad, const uint8_t *h, size_t n,
               char *sad2, size_t cap, json_t **out);
/* The credential's certificate as credentials/info gives it (X509_free), NULL on failure. */
X509 *ts_cert(signer_conn *c, const char *cred);
/* Do the signatures of a signHash answer verify over the n digests with cert? Exactly n, in
 * order. */
bool ts_sigs_verify(X509 *cert, json_t *out, int sign_alg, int hash_alg, const uint8_t *h,
                    size_t dlen, size_t n);
/* The same with the credential's certificate fetched with credentials/info. */
bool ts_verified(signer_conn *c, const char *cred, json_t *out, int sign_alg, int hash_alg,
                 const uint8_t *h, size_t dlen, size_t n);
/* A device key enrolled for a signer at the SAM (it_device_enrol) and a key written as PEM. */
int ts_write_key(EVP_PKEY *k, const char *path);

#endif
