/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CSC API v2 target's internals (csc_target.c, csc_flow.c, csc_crypto.c, csc_sic.c,
 * ref_target.c).
 * A run talks to one service over HTTPS with libcurl. The vendor's configuration file (JSON,
 * see README "For a vendor") names the service, the CA to trust, one or more *identities*
 * (a signer as the service knows it: how to log in, the PIN, how the second factor is
 * produced) and the credential ids the vectors use. Vectors refer to them as ${config.x};
 * a step may act as another identity with "as": NAME.
 */
#ifndef CONFORM_CSC_H
#define CONFORM_CSC_H

#include "conform.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>

#define CSC_MAX_IDS 8

/* A signer as the suite uses it. Tokens are shared by the workers (a CSC access token is not
 * bound to a connection). The TOTP counter is the last one this run used: a service refuses
 * a code of a time step already used (RFC 6238 §5.2), so codes are handed out in increasing
 * order under the identity's lock, which is held until the authorize call has been answered. */
typedef struct csc_identity {
    char name[64];
    json_t *conf;              /* borrowed from the configuration */
    char *user, *secret;       /* Basic credentials of auth/login (secret wiped at close) */
    char *pin;                 /* wiped at close */
    uint8_t seed[64];          /* TOTP seed (wiped at close) */
    size_t seed_len;
    int digits, step;
    uint64_t last_counter;
    char token[512];
    char base[512];            /* another service's URL for this identity, or empty */
    char cafile[1024];         /* and the CA to trust for it, or empty */
    int ahead;                 /* time steps ahead of the clock a code may be (default 1) */
    EVP_PKEY *device;          /* SIC device key (P-256), or NULL; freed at close */
    pthread_mutex_t mu;        /* token and TOTP counter */
} csc_identity;

typedef struct csc_target {
    const cf_options *opt;
    json_t *conf;              /* owned */
    char base[512];            /* https://host:port/csc/v2 (no trailing slash) */
    char cafile[1024];
    csc_identity ids[CSC_MAX_IDS];
    int nids;
    char service[200];         /* from info: name, for describe() */
    json_t *methods;           /* from info: the methods the service offers (owned) */
    long sad_wait_max;         /* longest wait for a SAD to expire (seconds) */
    long challenge_life;       /* sicChallengeSeconds: a SIC challenge's lifetime, 0 unknown */
    /* the reference stack, when this target runs as `ref` */
    long ref_pid[4];           /* the servers it started (0: none) */
    char ref_dir[1024];
} csc_target;

typedef struct csc_worker {
    csc_target *t;
    CURL *curl;
} csc_worker;

/* One HTTP answer. */
typedef struct csc_resp {
    long status;
    json_t *body;              /* NULL when not JSON */
    char err[200];             /* transport error, empty when the request was answered */
} csc_resp;

/* csc_target.c */
csc_identity *csc_identity_get(csc_target *t, const char *name);
const char *csc_conf_str(csc_target *t, const csc_identity *id, const char *key);
int csc_login(csc_worker *w, csc_identity *id, char *err, size_t errlen);
/* POST one method as identity id (its access token, its service when it names another);
 * id NULL: no token. headers may override Authorization. 0, or -1 with r->err set. */
int csc_post(csc_worker *w, csc_identity *id, const char *method, json_t *body,
             json_t *headers, csc_resp *r);
void csc_resp_free(csc_resp *r);
/* POST with HTTP Basic user:secret (auth/login) and an empty JSON body, no token. */
int csc_post_basic(csc_worker *w, csc_identity *id, const char *method, const char *user,
                   const char *secret, csc_resp *r);
/* info once: the service's name and methods into t. */
int csc_info(csc_worker *w, char *err, size_t errlen);
/* the function table: cf_target_csc (conform.h) */
void csc_target_free(csc_target *t);   /* fills the function table; kind csc-protocol */
int csc_open_config(cf_target *ct, const cf_options *o, const char *config_path,
                    const char *url, char *err, size_t errlen);

/* csc_flow.c: run one vector's steps */
void csc_flow_run(csc_worker *w, cf_vector *v);

/* csc_crypto.c */
/* The TOTP code (RFC 6238, HMAC-SHA-1) for counter c; out gets digits + 1 bytes. */
int csc_totp(const uint8_t *seed, size_t seed_len, uint64_t c, int digits, char *out);
/* Parse a TOTP seed: an otpauth:// URI (secret=, digits=, period=) or bare Base32. */
int csc_totp_parse(const char *text, uint8_t *seed, size_t cap, size_t *len, int *digits,
                   int *step);
/* Verify one signature over a digest with the certificate (DER), as signAlgo says.
 * 1 verified, 0 not, -1 cannot judge (why in err). */
int csc_verify(const uint8_t *cert, size_t cert_len, const char *sign_algo,
               const char *hash_oid, const char *pss_params_b64, const uint8_t *digest,
               size_t dlen, const uint8_t *sig, size_t sig_len, char *err, size_t errlen);
long csc_b64_decode(const char *in, uint8_t *out, size_t cap);
char *csc_b64_encode(const uint8_t *in, size_t len);
size_t csc_hash_len(const char *oid);          /* 0 when unknown */
const char *csc_implied_hash(const char *sign_algo);  /* NULL when none */

/* csc_sic.c: the SIC assertion (spec/sap.md §3) */
#define CSC_SIC_MAX 2600                   /* the largest assertion a service must take */
#define CSC_COSE_ES256 (-7)
#define CSC_COSE_ES384 (-35)

/* The claims: the challenge and the authorize request's own values. */
typedef struct csc_sic_claims {
    uint8_t challenge[32];
    const char *cred;
    uint64_t numsig;
    int hash_alg;              /* csc_sic_hash_code */
    const uint8_t *hashes;     /* nhashes digests of dlen bytes, one after the other */
    size_t dlen, nhashes;
} csc_sic_claims;

/* The assertion's code of a hash OID: 1 SHA-256, 2 SHA-384, 3 SHA-512, 0 none. */
int csc_sic_hash_code(const char *oid);
/* The tagged COSE_Sign1 over the claims, signed with key (ES256, r||s) under a protected
 * header {1: cose_alg}; its length, or 0 when out is too small or signing failed. */
size_t csc_sic_assertion(EVP_PKEY *key, int cose_alg, const csc_sic_claims *c, uint8_t *out,
                         size_t cap);
/* A P-256 private key from PEM text; NULL with the reason in err (never the key). */
EVP_PKEY *csc_sic_key_parse(const char *pem, char *err, size_t errlen);
/* Is variant one csc_sic_for_request makes? "" the honest assertion; "otherchallenge",
 * "otherkey", "otherhashes", "badsig" (one signature byte changed), "es384" (alg -35 in the
 * protected header): each changes one thing a service must notice. */
int csc_sic_variant_known(const char *variant);
/* The Base64 assertion (malloc'd) for an authorize request: claims from its credentialID,
 * numSignatures, hashAlgorithmOID and hashes, over the Base64 challenge given, as the
 * variant says. NULL with why. */
char *csc_sic_for_request(EVP_PKEY *key, const char *variant, json_t *req,
                          const char *challenge_b64, char *why, size_t wl);

/* csc_cades.c: the CAdES signatures signatures/signDoc returns (CMS, OpenSSL) */
#define CSC_CADES_CHAIN      0x01u  /* every certificate of the credential's chain inside */
#define CSC_CADES_POLICY     0x02u  /* a signature-policy-identifier signed attribute */
#define CSC_CADES_COMMITMENT 0x04u  /* a commitment-type-indication, or a policy identifier */
#define CSC_CADES_ATTACHED   0x08u  /* the document encapsulated byte for byte */

typedef struct csc_cades_want {
    const uint8_t *cert;           /* the credential's certificate (DER) */
    size_t cert_len;
    const uint8_t *const *chain;   /* credentials/info's chain, DER, for CSC_CADES_CHAIN */
    const size_t *chain_len;
    size_t nchain;
    const uint8_t *digest;         /* the document's digest; NULL: hash doc instead */
    size_t dlen;
    const uint8_t *doc;            /* the document (with CSC_CADES_ATTACHED, or no digest) */
    size_t doc_len;
    const char *hash_oid;          /* the digest algorithm the request named, or NULL */
    const char *subject;           /* text a subject attribute must contain, or NULL */
    const char *organization;      /* the organizationName the subject must carry, or NULL */
    unsigned checks;               /* CSC_CADES_* beyond the ones always made */
} csc_cades_want;

/* One signature (DER CMS) against w. Always: SignedData with one signer, whose certificate
 * is inside and is the credential's; content-type, messageDigest (= the digest) and
 * signing-certificate-v2 (naming that certificate) signed; the requested digest algorithm;
 * the signature value verifies. 1 all met, 0 not (why). */
int csc_cades_check(const uint8_t *sig, size_t len, const csc_cades_want *w, char *why,
                    size_t wl);
/* A signDoc step's "cades" expectation ex (chain, policy, commitment, attached: true;
 * subject, organization: text): each document or digest of req against its signature in
 * ans (DocumentWithSignature / SignatureObject, in order); chain: the Base64 certificates
 * of credentials/info, the credential's first. 1 all met, 0 not (why). */
int csc_cades_judge(json_t *ex, json_t *req, json_t *ans, json_t *chain, char *why,
                    size_t wl);

/* csc_transport.c: offer `method` over plain HTTP ("plainHttp") or TLS pinned to "TLSv1" or
 * "TLSv1.1" at base's host and port. 1: refused (no handshake, or no 2xx answer); 0: served;
 * -1: the probe cannot be made here. What happened goes to seen. */
int csc_transport_probe(csc_worker *w, const char *base, const char *method, const char *mode,
                        char *seen, size_t seen_len);


#endif
