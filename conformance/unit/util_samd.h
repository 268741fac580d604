/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integration tests of the SAM service (conformance/unit/test_samd*.c): a real `qscd sam`
 * process per suite, on its own throw-away SoftHSMv2 token made by `qscd sam --init` under
 * $QSCD_IT_DIR, reached over its socket with the client library (src/samc/) or the `qscd`
 * command ($QSCD_BIN). Helpers to build parameters, run the SAP factors (TOTP from the
 * otpauth URI's secret, SIC assertions by a device key), and verify every signature with
 * OpenSSL against the credential's certificate.
 */
#ifndef QSCD_UNIT_SAMD_H
#define QSCD_UNIT_SAMD_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "samc.h"
#include "scbor.h"

#define IT_SO_PASSWORD "so-password-for-tests"

typedef struct it_sam {
    char dir[512];           /* data directory */
    char conf[600];          /* configuration file */
    char sock[256];          /* socket (under $TMPDIR: paths under build/ may be too long) */
    char log[600];           /* the service's stderr */
    pid_t pid;
} it_sam;

/* Why the integration tests cannot run here (NULL when they can). */
const char *it_unavailable(void);
/* A fresh data directory for suite `name` with extra configuration lines, initialised with
 * `qscd sam --init` (the first officer is so:so with IT_SO_PASSWORD). 0 or -1. */
int it_init(it_sam *t, const char *name, const char *extra_conf);
/* Start the service (faketime: NULL, or a libfaketime offset such as "+2h") and wait until it
 * answers. 0 or -1. */
int it_start(it_sam *t, const char *faketime);
/* SIGTERM and wait: the exit status, or -1. */
int it_stop(it_sam *t);
/* SIGKILL and wait. */
void it_kill(it_sam *t);
/* Run `qscd ARGS...` (NULL-terminated) with QSCD_ADMIN_PASSWORD = IT_SO_PASSWORD and the
 * extra environment `env` ("NAME=value", may be NULL); its stdout and stderr into out (may
 * be NULL). The exit status. */
int it_cli(char *out, size_t cap, const char *env, ...) __attribute__((sentinel));

/* ------------------------------------------------------------------- parameters */

typedef struct it_p {
    scbor_enc e;
    uint8_t buf[16384];
} it_p;

void itp_map(it_p *p, size_t n);
void itp_id(it_p *p, int key, const char *s);
void itp_text(it_p *p, int key, const char *s);
void itp_uint(it_p *p, int key, uint64_t v);
void itp_bytes(it_p *p, int key, const uint8_t *b, size_t n);
void itp_bool(it_p *p, int key, bool v);
void itp_hashes(it_p *p, int key, const uint8_t *h, size_t dlen, size_t n);

/* ------------------------------------------------------------------------ calls */

/* One request as role:id (password for administrators, NULL for a signer); params may be
 * NULL. The SAM's status, or -1 when the exchange itself failed. r may be NULL. */
int it_call(it_sam *t, int role, const char *id, const char *pw, unsigned op, it_p *params,
            samc_resp *r);
int it_so(it_sam *t, unsigned op, it_p *params, samc_resp *r);
int it_signer(it_sam *t, const char *signer, unsigned op, it_p *params, samc_resp *r);

/* Enrol a signer with a display name and a PIN. 0 or the failing status. */
int it_enrol(it_sam *t, const char *signer, const char *pin);
/* Provision TOTP; the seed decoded from the otpauth URI's secret into seed[20]. */
int it_totp_provision(it_sam *t, const char *signer, uint8_t seed[20]);
/* The RFC 6238 code of a seed at now + offset steps (30 s, 6 digits). */
void it_totp_code(const uint8_t seed[20], int offset, char code[9]);
/* A device key for a signer: generated, its SPKI enrolled. Free with EVP_PKEY_free. */
EVP_PKEY *it_device_enrol(it_sam *t, const char *signer);
/* Create a credential (key algorithm, SAP, multisign, backup-capable). 0 or status. */
int it_cred(it_sam *t, const char *signer, const char *cred, int alg, int sap, int multisign,
            bool backup);
/* The credential's certificate (cred.info chain[0] as the owner sees it); free() it. */
uint8_t *it_cert(it_sam *t, const char *signer, const char *cred, size_t *len);

/* authorize with PIN + TOTP code (otp NULL: none) for n SHA-256 digests; the token into
 * tok (cap 4096). The status. */
int it_authz_totp(it_sam *t, const char *signer, const char *cred, const char *pin,
                  const char *otp, uint32_t numsig, const uint8_t *h, size_t n, uint8_t *tok,
                  size_t *tok_len);
/* authorize with PIN + a SIC assertion by key over a fresh challenge (key NULL: none). */
int it_authz_sic(it_sam *t, const char *signer, const char *cred, const char *pin,
                 EVP_PKEY *key, uint32_t numsig, const uint8_t *h, size_t n, uint8_t *tok,
                 size_t *tok_len);
/* sign n SHA-256 digests under tok with sign_alg; the signatures' bytes into sigs[i]
 * (512 each) and lengths. The status. */
int it_sign(it_sam *t, const char *signer, const char *cred, const uint8_t *tok, size_t tok_len,
            int sign_alg, const uint8_t *h, size_t n, uint8_t (*sigs)[512], size_t *sig_lens);
/* OpenSSL: does sig verify over the SHA-256 digest h with the certificate's key? */
bool it_verify(const uint8_t *cert, size_t cert_len, int sign_alg, const uint8_t *h,
               const uint8_t *sig, size_t sig_len);
/* The token id (claims key 2) and the expiry (key 10) of a SAD token. */
bool it_token_id(const uint8_t *tok, size_t len, uint8_t id[16]);
bool it_token_exp(const uint8_t *tok, size_t len, int64_t *exp);
/* extend a token for n SHA-256 digests; the new token into out (cap 4096), its lifetime into
 * *expires_in. The status. */
int it_extend(it_sam *t, const char *signer, const char *cred, const uint8_t *tok,
              size_t tok_len, const uint8_t *h, size_t n, uint8_t *out, size_t *out_len,
              uint64_t *expires_in);

/* A SIC assertion (spec/sap.md §3) by key over the request's fields and a challenge. */
size_t it_assertion(EVP_PKEY *key, const uint8_t ch[32], const char *cred, uint32_t numsig,
                    int hash_alg, const uint8_t *h, size_t dlen, size_t n, uint8_t *out,
                    size_t cap);

/* A certificate by the test CA of t (its files under the data directory) for key and
 * subject, valid from nb to na seconds from now; DER into *out (OPENSSL_free). Its length,
 * 0 on failure. */
size_t it_ca_issue(it_sam *t, EVP_PKEY *key, X509_NAME *subject, long nb, long na,
                   uint8_t **out);

/* SHA-256 of a text. */
void it_sha256(const char *text, uint8_t out[32]);
/* An administrator account of a privileged role (SAM_ROLE_*), made by the officer; the
 * answer's status (QSCD_ERR_EXISTS for an id already taken). */
int it_admin_create(it_sam *t, const char *id, int role, const char *password);
/* Number of audit records (as the auditor `aud` with password `aud` sees them, created on
 * first use). */
uint64_t it_audit_count(it_sam *t);

/* Every record of a successful signature in the audit log (audit.export page by page, as the
 * auditor `aud` of it_audit_count): fn gets its token id (16 bytes), the first hash it signed
 * (first_len 0 when absent) and the number of signatures it counts. 0 or -1. */
typedef void it_sign_record_fn(void *ctx, const uint8_t id[16], const uint8_t *first,
                               size_t first_len, int count);
int it_audit_signs(it_sam *t, it_sign_record_fn *fn, void *ctx);
/* `qscd audit verify` as the auditor `aud`: its exit status; its output into out. */
int it_audit_verify_cmd(it_sam *t, char *out, size_t cap);

/* With the SAM stopped (SoftHSMv2's file store is not shared safely with a running SAM): the
 * private keys in the embedded token (pkcs11-tool; the PIN from its 0600 file, on the test
 * token only), and the credential records in the database (sqlite3). -1 on failure. */
long it_privkeys(it_sam *t);
/* The pkcs11-tool command line, logged in to the embedded token, into cmd (options follow). */
void it_p11tool(it_sam *t, char *cmd, size_t cap);
long it_cred_records(it_sam *t);
/* The integer a query of the SAM's database answers (sqlite3), or -1. */
long it_sql_long(it_sam *t, const char *query);
/* Both listings on stderr, to explain a mismatch. */
void it_dump_keys_and_creds(it_sam *t);

#endif
