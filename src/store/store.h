/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM's durable state behind one interface (DESIGN §6): signers, administrators,
 * credentials, key backups, the SAD registry, SIC challenges, the audit log and its seals,
 * and the schema version. The embedded backend is SQLite (WAL, synchronous=FULL); the
 * interface is what a PostgreSQL backend for several SAM nodes would implement.
 *
 * Durability: every function that changes state returns only once the change is durable
 * (committed, fsync'd). Concurrent writers are batched: one commit makes a whole batch
 * durable (group commit), so durability does not serialise throughput. Reads see every
 * change acknowledged before them.
 *
 * Thread safety: a store may be used from any number of threads at once.
 *
 * Every function returns QSCD_OK or a QSCD_ERR_* code (QSCD_ERR_NOT_FOUND, QSCD_ERR_EXISTS,
 * QSCD_ERR_STORE for the backend's failures, with the backend's message available through
 * store_last_error() on the calling thread).
 */
#ifndef QSCD_STORE_H
#define QSCD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "qscd_err.h"
#include "qscd_types.h"
#include "sam_types.h"

typedef struct store store;

/* The current schema version; store_open migrates older databases forward and refuses
 * newer ones (QSCD_ERR_STORE_SCHEMA). */
#define STORE_SCHEMA_VERSION 3

/* Open (creating if needed) the database at path. The ports give the audit chain its hash
 * and seal functions (qscd_port_sha256, qscd_port_seal_mac); they must outlive the store. */
int store_open(const char *path, qscd_ports *ports, store **out);
void store_close(store *s);
const char *store_last_error(void);
/* Batches committed so far (each one fsync): with group commit, fewer than the writes. */
uint64_t store_commits(store *s);

/* ---------------------------------------------------------------------------- signers */

/* A signer's stored factors beside the sam_signer record the core decides on. */
/* The Argon2id cost a PIN or password verifier was made with (passes, memory in KiB, lanes),
 * so that a change of the configured cost applies to new verifiers and leaves the existing
 * ones usable. All 0 for a verifier recorded before schema 3: made with the configured cost
 * of the time. */
typedef struct store_kdf {
    uint32_t t, m, p;
} store_kdf;

typedef struct store_signer {
    sam_signer rec;
    char name[128];
    uint8_t pin_salt[16];
    store_kdf pin_kdf;
    uint8_t otp_key_ref[32];               /* CKA_ID of the TOTP seed in the HSM */
    uint8_t otp_key_ref_len;
    uint8_t device_spki[128];              /* enrolled SIC device key, SubjectPublicKeyInfo */
    size_t device_spki_len;
} store_signer;

int store_signer_add(store *s, const store_signer *in);
int store_signer_get(store *s, const qscd_id *id, store_signer *out);
/* Lockout and TOTP state after an authorisation attempt (the core computed it). */
int store_signer_auth(store *s, const qscd_id *id, uint32_t failures, int locked,
                      uint64_t otp_counter);
int store_signer_set_enabled(store *s, const qscd_id *id, int enabled);
int store_signer_unlock(store *s, const qscd_id *id);
int store_signer_set_pin(store *s, const qscd_id *id, const uint8_t salt[16],
                         const uint8_t verifier[32], const store_kdf *kdf);
int store_signer_set_otp(store *s, const qscd_id *id, const uint8_t *key_ref, size_t len);
int store_signer_set_device(store *s, const qscd_id *id, const uint8_t *spki, size_t len);
int store_signer_delete(store *s, const qscd_id *id);

/* ------------------------------------------------------------------------- credentials */

/* A credential's lifecycle (schema 2). The SAM writes the record in state CREATING before it
 * generates the key and in state DELETING before it destroys it, so that a crash in between
 * leaves a record that the next start finds and finishes (no key without a record). Only a
 * READY credential is usable; the SAM presents the others to the core as disabled. */
#define STORE_CRED_READY    0
#define STORE_CRED_CREATING 1
#define STORE_CRED_DELETING 2

typedef struct store_cred {
    sam_cred rec;
    uint8_t backup_capable;
    uint8_t state;                         /* STORE_CRED_* */
    uint8_t *cert;                         /* DER, owned by the caller of store_cred_get: */
    size_t cert_len;                       /* release with store_cred_free */
} store_cred;

int store_cred_add(store *s, const store_cred *in);
int store_cred_get(store *s, const qscd_id *id, store_cred *out);
void store_cred_free(store_cred *c);
/* The credential ids of one signer (owner), or of all when owner is NULL; *ids is an array
 * of *n ids to release with free(). */
int store_cred_list(store *s, const qscd_id *owner, qscd_id **ids, size_t *n);
int store_cred_set_enabled(store *s, const qscd_id *id, int enabled);
int store_cred_set_cert(store *s, const qscd_id *id, const uint8_t *der, size_t len,
                        int64_t not_before, int64_t not_after);
int store_cred_revoke(store *s, const qscd_id *id);
int store_cred_set_state(store *s, const qscd_id *id, int state);
/* The ids of every credential in a state (the ones a crash left CREATING or DELETING);
 * *ids to release with free(). */
int store_cred_list_state(store *s, int state, qscd_id **ids, size_t *n);
/* The ids of every ready credential whose certificate is revoked (a crash inside cert.revoke
 * can leave its key in the module); *ids to release with free(). */
int store_cred_list_revoked(store *s, qscd_id **ids, size_t *n);
int store_cred_delete(store *s, const qscd_id *id);

/* Backups known for a credential (the wrapped blobs themselves are handed to the operator,
 * not kept): recorded at backup, listed at deletion so the operator can purge them. */
int store_backup_add(store *s, const qscd_id *cred, const uint8_t *backup_id, size_t len);
int store_backup_list(store *s, const qscd_id *cred, uint8_t (**ids)[32], size_t *n);

/* --------------------------------------------------------------------- administrators */

typedef struct store_admin {
    qscd_id id;
    int32_t role;
    uint8_t pw_salt[16];
    uint8_t pw_verifier[32];
    store_kdf pw_kdf;
    uint32_t failures;
    uint8_t locked;
} store_admin;

int store_admin_add(store *s, const store_admin *in);
int store_admin_get(store *s, const qscd_id *id, store_admin *out);
int store_admin_auth(store *s, const qscd_id *id, uint32_t failures, int locked);
int store_admin_count(store *s, size_t *n);

/* ----------------------------------------------------------------------- SAD registry */

/* A new token: max signatures, none used. */
int store_registry_create(store *s, const uint8_t id[QSCD_TOKEN_ID_LEN], uint32_t max,
                          int64_t exp);
/* Atomically used += n if used + n <= max (QSCD_OK), else QSCD_ERR_SAD_EXHAUSTED (none
 * left) or QSCD_ERR_SAD_COUNT (fewer left than n); QSCD_ERR_SAD_UNKNOWN when absent. */
int store_registry_consume(store *s, const uint8_t id[QSCD_TOKEN_ID_LEN], uint32_t n,
                           uint32_t max);
/* Atomically, when the entry has max and a signature left, its expiry becomes at least exp
 * (QSCD_OK); else QSCD_ERR_SAD_EXHAUSTED (none left) or QSCD_ERR_SAD_UNKNOWN (absent). The
 * count is not touched. */
int store_registry_extend(store *s, const uint8_t id[QSCD_TOKEN_ID_LEN], uint32_t max,
                          int64_t exp);
/* Drop entries expired before `before` (they can no longer be used anyway). */
int store_registry_prune(store *s, int64_t before);

/* ------------------------------------------------------------------------- challenges */

int store_challenge_add(store *s, const qscd_id *signer, const uint8_t ch[SAM_CHALLENGE_LEN],
                        int64_t issued);
/* Remove and return the issue time; QSCD_ERR_NOT_FOUND if absent or another signer's. */
int store_challenge_take(store *s, const qscd_id *signer, const uint8_t ch[SAM_CHALLENGE_LEN],
                         int64_t *issued);

/* ---------------------------------------------------------------------------- audit */

/* The metadata the shell adds to the core's event: request id and peer. */
typedef struct store_audit_meta {
    uint8_t request_id[32];
    size_t request_id_len;
    char peer[64];
} store_audit_meta;

/* Append one event to the chain (audit_chain_append of the verified core) and make it durable
 * before returning. Appends are serialised; their commits are batched. */
int store_audit_append(store *s, const sam_event *ev, const store_audit_meta *meta);
/* Seal the current head with the seal port (called every N records and at shutdown). */
int store_audit_seal(store *s);
/* Walk the whole log with audit_walk_step and the seals with audit_seal_verify. On a break,
 * *first_bad is the sequence number of the first record (or seal) that does not verify and
 * the result is the core's error (QSCD_ERR_AUDIT_CHAIN, _MISSING, _SEAL, _RECORD). */
int store_audit_verify(store *s, uint64_t *records, uint64_t *seals, uint64_t *first_bad);

typedef struct store_audit_row {
    uint64_t seq;
    sam_event ev;
    store_audit_meta meta;
    uint8_t link[AUDIT_HASH_LEN];
} store_audit_row;

/* Records from sequence number `from`, at most `max`; *rows to release with free(). */
int store_audit_read(store *s, uint64_t from, size_t max, store_audit_row **rows, size_t *n);

#endif
