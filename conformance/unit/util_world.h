/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small world for white-box tests of the verified core's SAM policy: the core's ports
 * implemented in memory with OpenSSL (HMAC, SHA-256, ECDSA), a settable clock, signers,
 * credentials, the SAD registry, challenges and the audit events written. The running SAM
 * uses its own ports (SoftHSMv2, SQLite); these exist so every decision of the core can be
 * driven and observed directly.
 */
#ifndef QSCD_UNIT_WORLD_H
#define QSCD_UNIT_WORLD_H

#include <openssl/evp.h>

#include "ports.h"
#include "sam.h"

#define WORLD_MAX 4
#define WORLD_REG 64
#define WORLD_EVENTS 128

typedef struct world_signer {
    int present;
    sam_signer s;
    uint8_t salt[16];
    uint8_t seed[20];          /* TOTP seed */
    EVP_PKEY *device;          /* SIC device key */
} world_signer;

typedef struct world_cred {
    int present;
    sam_cred c;
    EVP_PKEY *key;             /* the signing key (software, for these tests only) */
} world_cred;

typedef struct world {
    qscd_ports ports;
    sam_config cfg;
    int64_t now;
    uint8_t token_key[32];
    uint8_t seal_key[32];
    world_signer signers[WORLD_MAX];
    world_cred creds[WORLD_MAX];
    struct { int present; uint8_t id[QSCD_TOKEN_ID_LEN]; uint32_t used, max; } reg[WORLD_REG];
    struct { int present; qscd_id signer; uint8_t ch[SAM_CHALLENGE_LEN]; int64_t issued; } chal[8];
    sam_event events[WORLD_EVENTS];
    int nevents;
    int fail_audit;            /* make the audit port fail */
    int sign_calls;            /* calls of the sign port */
} world;

void world_init(world *w);
void world_free(world *w);
qscd_id world_id(const char *s);
world_signer *world_add_signer(world *w, const char *id, const char *pin);
world_cred *world_add_cred(world *w, const char *id, const char *owner, int sap, uint32_t multisign);
/* w freed and made afresh with the two signers most suites use: alice (PIN 246810, TOTP
 * credential "a-totp") and bob (PIN 135790, "b-totp"), multisign 5 each. */
void world_reset_pair(world *w);
/* The TOTP code (digits as text) of a signer at the world's current time + offset steps. */
void world_totp(world *w, const char *signer, int step_offset, char *code);
/* A challenge issued to a signer now; its bytes into ch. */
void world_challenge(world *w, const char *signer, uint8_t *ch);
/* A SIC assertion for req by the signer's device key (or by `wrong_key` when not NULL). */
size_t world_assertion(world *w, const char *signer, const uint8_t *ch, const sam_authz_req *req,
                       EVP_PKEY *wrong_key, uint8_t *out, size_t cap);
/* A SIC assertion (spec/sap.md §3) by key: digest j at h + j * stride, of hash_alg's length. */
size_t world_sic_assertion(EVP_PKEY *key, const uint8_t *ch, const uint8_t *cred,
                           size_t cred_len, uint32_t numsig, int hash_alg, const uint8_t *h,
                           size_t stride, size_t n, uint8_t *out, size_t cap);
/* Verify a DER ECDSA signature over digest with the credential's key. */
int world_verify(world *w, const char *cred, int hash_alg, const uint8_t *digest,
                 const uint8_t *sig, size_t sig_len);

/* Request builders. */
void world_authz_req(sam_authz_req *r, const char *signer, const char *cred, const char *pin,
                     const char *otp, uint32_t numsig, int hash_alg, size_t nhashes,
                     const uint8_t *hashes);
void world_sign_req(sam_sign_req *r, const char *signer, const char *cred,
                    const uint8_t *token, size_t token_len, int hash_alg, size_t nhashes,
                    const uint8_t *hashes);

#endif
