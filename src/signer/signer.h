/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signer's client (SIC side of the CSC API, `qscd sign` and `qscd verify`): HTTPS with
 * libcurl (keep-alive on one handle, the service's CA pinned by file), the CSC calls, the SAP
 * factors (PIN, TOTP code from the enrolled seed, or a SIC assertion by the device key), and
 * a detached CMS signature with CAdES-B-B signed attributes built around a signature the
 * service made (OpenSSL CMS). Every signature obtained is verified with OpenSSL before use.
 *
 * Functions return 0 on success and -1 on failure with a message on stderr, unless stated.
 */
#ifndef QSCD_SIGNER_H
#define QSCD_SIGNER_H

#include <jansson.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct signer_conn {
    void *curl;               /* CURL *, one handle: the connection is kept alive */
    char base[512];           /* https://host:port/csc/v2/ (with the trailing slash) */
    char cacert[1024];        /* the CA file the service's certificate must chain to */
    char token[256];          /* the bearer token after signer_login */
    int verbose;              /* print each call and its status on stderr */
} signer_conn;

int signer_open(signer_conn *c, const char *base_url, const char *cacert);
void signer_close(signer_conn *c);

/* POST body (a JSON object, not consumed; NULL sends no body) to base + method with the
 * bearer token when there is one. The HTTP status (*out: the JSON answer, or NULL), or -1
 * when the exchange failed. */
long signer_call(signer_conn *c, const char *method, json_t *body, json_t **out);
/* The same with raw bytes, a Content-Type and an Authorization header of the caller's
 * (NULL: the bearer token, "" none); the answer's bytes into *resp (free()). */
long signer_call_raw(signer_conn *c, const char *method, const char *ctype, const void *body,
                     size_t len, const char *authz, char **resp, size_t *resp_len);
/* auth/login with HTTP Basic user:secret; keeps the token. */
int signer_login(signer_conn *c, const char *user, const char *secret);

/* RFC 4648 Base32 (upper case, '=' padding ends it) of s[0 .. n-1] into out: the number of
 * bytes, or -1 on a bad character or when cap is too small. */
long signer_base32_decode(const char *s, size_t n, uint8_t *out, size_t cap);

/* The RFC 6238 code (SHA-1, period, digits) of a seed at now + offset steps. A seed file
 * holds an otpauth:// URI or a Base32 secret; *period and *digits from the URI or 30 and 6. */
int signer_totp_seed(const char *path, uint8_t *seed, size_t cap, size_t *len, int *period,
                     int *digits);
void signer_totp_code(const uint8_t *seed, size_t len, int period, int digits, int offset,
                      char code[9]);

/* The SIC assertion (spec/sap.md §3): a COSE_Sign1 (ES256) by the device key over the
 * challenge, the credential, numSignatures, the hash algorithm (qscd_hash) and the hashes.
 * Its length, 0 on failure. */
size_t signer_assertion(EVP_PKEY *key, const uint8_t ch[32], const char *cred, uint32_t numsig,
                        int hash_alg, const uint8_t *h, size_t dlen, size_t n, uint8_t *out,
                        size_t cap);

/* The OpenSSL digest of a qscd_hash (1 SHA-256, 2 SHA-384, 3 SHA-512), NULL for others. */
const EVP_MD *signer_md(int hash_alg);
/* Does sig verify over the digest with cert's key (sign_alg: sam_sign_alg)? */
bool signer_verify_digest(X509 *cert, int sign_alg, int hash_alg, const uint8_t *dgst,
                          size_t dlen, const uint8_t *sig, size_t sig_len);

/* Detached CMS around an external signature: prepare the SignerInfo (content-type,
 * signing-time, message-digest = content_digest, signing-certificate-v2) for cert with
 * hash_alg and give the digest of the signed attributes to be signed; then put the
 * signature in and write DER to path. */
int signer_cms_prepare(X509 *cert, STACK_OF(X509) *chain, int hash_alg,
                       const uint8_t *content_digest, size_t dlen, CMS_ContentInfo **cms,
                       uint8_t *tbs, size_t *tbs_len);
int signer_cms_finish(CMS_ContentInfo *cms, const uint8_t *sig, size_t sig_len, const char *path);
/* Verify a detached CMS signature file (DER) over file with the CA file; the signer's
 * subject into who. 0 verified, -1 not. */
int signer_cms_verify(const char *file, const char *p7s, const char *cafile, char *who,
                      size_t cap);

/* `qscd sign` and `qscd verify`: the command's exit status. */
int signer_sign_cli(int argc, char **argv);
int signer_verify_cli(int argc, char **argv);

#endif
