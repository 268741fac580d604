/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM's records and requests, as the core sees them: configuration, the authenticated
 * actor, signers, credentials, the audit event, and the inputs and outputs of authorize and
 * signHash. The shells fill them from the store and the wire; the core decides on them.
 */
#ifndef SAM_TYPES_H
#define SAM_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "qscd_types.h"
#include "sad.h"

/* Largest signature: RSA-4096. */
#define SAM_SIG_MAX 512
/* Key reference in the crypto module (CKA_ID). */
#define SAM_KEY_REF_MAX 32
/* Largest PIN and OTP accepted on the wire, in bytes. */
#define SAM_PIN_MAX 64
#define SAM_OTP_MAX 8
/* Largest SIC assertion (COSE_Sign1) and challenge. */
#define SAM_ASSERTION_MAX 2600
#define SAM_CHALLENGE_LEN 32

typedef enum sam_key_alg {
    SAM_KEY_NONE = 0,
    SAM_KEY_EC_P256 = 1,
    SAM_KEY_EC_P384 = 2,
    SAM_KEY_RSA_2048 = 3,
    SAM_KEY_RSA_3072 = 4,
    SAM_KEY_RSA_4096 = 5,
} sam_key_alg;

typedef enum sam_sign_alg {
    SAM_SIGN_NONE = 0,
    SAM_SIGN_ECDSA = 1,       /* over the digest; DER output */
    SAM_SIGN_RSA_PKCS1 = 2,   /* PKCS#1 v1.5 with the DigestInfo of the hash algorithm */
    SAM_SIGN_RSA_PSS = 3,     /* MGF1 with the same hash, salt length = digest length */
} sam_sign_alg;

/* The SAP mechanism a credential is bound to: exactly one (EN 419 241-1 SRA_SKM.1.7). Both
 * add a possession factor to the signer's PIN. */
typedef enum sam_sap {
    SAM_SAP_NONE = 0,
    SAM_SAP_TOTP = 1,         /* PIN + RFC 6238 code computed with a seed inside the HSM */
    SAM_SAP_SIC = 2,          /* PIN + COSE_Sign1 assertion by the signer's enrolled device key */
} sam_sap;

/*@ predicate sam_alg_fits(integer ka, integer sa) =
        ((ka == SAM_KEY_EC_P256 || ka == SAM_KEY_EC_P384) && sa == SAM_SIGN_ECDSA) ||
        ((ka == SAM_KEY_RSA_2048 || ka == SAM_KEY_RSA_3072 || ka == SAM_KEY_RSA_4096) &&
         (sa == SAM_SIGN_RSA_PKCS1 || sa == SAM_SIGN_RSA_PSS));
*/

/* Bound on sam_config.token_max_life: a week. */
#define SAM_MAX_TOKEN_LIFE 604800

/* SAM configuration the core reads (the shell loads it from the config file). */
typedef struct sam_config {
    uint8_t  audience_len;                 /* this service's identity, put in every token */
    uint8_t  audience[QSCD_AUDIENCE_MAX];
    int64_t  token_ttl;                    /* seconds a SAD token lives (CSC expiresIn) */
    int64_t  token_max_life;               /* seconds from a token's issue that extensions
                                              (CSC extendTransaction) may never pass */
    int64_t  clock_skew;                   /* seconds a token's iat may lie in the future */
    uint32_t lockout_limit;                /* failed authorisations before the signer locks */
    int64_t  challenge_ttl;                /* seconds a SIC challenge stays usable */
    int64_t  otp_step;                     /* RFC 6238 time step, seconds */
    uint32_t otp_digits;                   /* 6..8 */
} sam_config;

/*@ predicate sam_config_ok(sam_config *c) =
        \valid_read(c) &&
        1 <= c->audience_len <= QSCD_AUDIENCE_MAX &&
        1 <= c->token_ttl <= 86400 && 0 <= c->clock_skew <= 300 &&
        1 <= c->token_max_life <= SAM_MAX_TOKEN_LIFE &&
        1 <= c->lockout_limit <= 100 &&
        1 <= c->challenge_ttl <= 3600 &&
        1 <= c->otp_step <= 300 && 6 <= c->otp_digits <= 8;
*/

/* Who asks: the role of the authenticated session, and for a signer session the signer it
 * speaks for. The signer's identity at authorize is what the SSA claims; the factors prove
 * it. At signHash the SAD proves it. */
typedef struct sam_actor {
    int32_t role;                          /* sam_role */
    qscd_id id;                            /* signer or administrator id */
} sam_actor;

/* A signer, as stored. */
typedef struct sam_signer {
    qscd_id  id;
    uint8_t  enabled;
    uint8_t  locked;                       /* set by the lockout, cleared by a security officer */
    uint32_t failures;                     /* consecutive failed authorisations */
    uint8_t  has_pin;
    uint8_t  pin_verifier[32];             /* Argon2id(PIN, salt): compared in constant time */
    uint64_t otp_last_counter;             /* RFC 6238 counter last accepted: each code once */
} sam_signer;

/* A credential, as stored: one key in the HSM, one owner, one SAP mechanism, one certificate. */
typedef struct sam_cred {
    qscd_id  id;
    qscd_id  owner;                        /* the one signer it belongs to (SRG_KM.3.4) */
    uint8_t  enabled;
    int32_t  key_alg;                      /* sam_key_alg */
    int32_t  sap;                          /* sam_sap */
    uint32_t multisign;                    /* most signatures one authorisation may allow */
    uint8_t  has_cert;
    uint8_t  cert_revoked;
    int64_t  cert_not_before;
    int64_t  cert_not_after;
    uint8_t  key_ref_len;
    uint8_t  key_ref[SAM_KEY_REF_MAX];     /* CKA_ID in the module */
} sam_cred;

/*@ predicate sam_cred_ok(sam_cred *c) =
        \valid_read(c) && qscd_id_ok(&c->id) && qscd_id_ok(&c->owner) &&
        c->key_ref_len <= SAM_KEY_REF_MAX;
    predicate sam_signer_ok(sam_signer *s) = \valid_read(s) && qscd_id_ok(&s->id);
*/

/* One audit event: the core fills it on every path of every entry point, the shell chains
 * and stores it (DESIGN §5). It holds digests, never documents, PINs, OTPs or SADs. */
typedef struct sam_event {
    int32_t  op;                           /* sam_op */
    int32_t  role;                         /* the actor's role */
    qscd_id  actor;
    qscd_id  cred;                         /* len 0 when the operation has none */
    int32_t  outcome;                      /* QSCD_OK or the QSCD_ERR_* returned */
    int64_t  time;                         /* trusted clock; 0 when it could not be read */
    uint8_t  has_token;
    uint8_t  token_id[QSCD_TOKEN_ID_LEN];  /* the SAD token concerned */
    int32_t  hash_alg;
    uint32_t count;                        /* signatures made or authorised */
    uint8_t  first_hash_len;
    uint8_t  first_hash[QSCD_MAX_DIGEST];  /* the first DTBS/R digest, for correlation */
} sam_event;

/* signHash input. Digest i is hashes[i * QSCD_MAX_DIGEST ..], of hash_alg's length: the
 * same fixed stride as in the SAD claims, so the proofs index both the same way. */
typedef struct sam_sign_req {
    sam_actor      actor;
    const uint8_t *token;
    size_t         token_len;
    qscd_id        cred;
    int32_t        hash_alg;
    int32_t        sign_alg;
    size_t         nhashes;
    uint8_t        hashes[QSCD_MAX_HASHES * QSCD_MAX_DIGEST];
} sam_sign_req;

/* signHash output: one signature per hash, in the request's order; signature i is
 * sig[i * SAM_SIG_MAX .. + sig_len[i]]. */
typedef struct sam_sign_out {
    size_t  nsigs;
    size_t  sig_len[QSCD_MAX_HASHES];
    uint8_t sig[QSCD_MAX_HASHES * SAM_SIG_MAX];
} sam_sign_out;

/* credentials/authorize input. The PIN, the OTP and the assertion are secrets of the
 * request: the core reads them in place and never copies them; the shell wipes the struct
 * after the call. Digest i is hashes[i * QSCD_MAX_DIGEST ..], as in sam_sign_req. */
typedef struct sam_authz_req {
    sam_actor actor;
    qscd_id   cred;
    uint32_t  num_signatures;             /* CSC numSignatures */
    int32_t   hash_alg;
    size_t    nhashes;
    uint8_t   hashes[QSCD_MAX_HASHES * QSCD_MAX_DIGEST];
    size_t    pin_len;
    uint8_t   pin[SAM_PIN_MAX];
    size_t    otp_len;                    /* TOTP credentials */
    uint8_t   otp[SAM_OTP_MAX];
    size_t    assertion_len;              /* SIC credentials: COSE_Sign1 */
    uint8_t   assertion[SAM_ASSERTION_MAX];
} sam_authz_req;

/*@ predicate sam_authz_req_ok(sam_authz_req *r) =
        \valid_read(r) && qscd_id_ok(&r->actor.id) && qscd_id_ok(&r->cred);
*/

/* credentials/authorize output: the SAD token and its lifetime (CSC expiresIn). */
typedef struct sam_authz_out {
    size_t  token_len;
    uint8_t token[SAD_TOKEN_MAX];
    int64_t expires_in;
} sam_authz_out;

#endif
