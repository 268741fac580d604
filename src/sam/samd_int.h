/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the SAM service (src/sam/), shared by its files and not part of its interface
 * (samd.h). The service is a shell around the verified core: it owns the cryptographic module
 * (p11a), the store, the clock, the socket and the certificates, fills the core's ports with
 * them (samd_ports.c), and answers the SAM protocol (spec/sam-protocol.md) one request at a
 * time per worker (samd_dispatch.c), each operation in its own file (samd_op_*.c).
 */
#ifndef QSCD_SAMD_INT_H
#define QSCD_SAMD_INT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p11a.h"
#include "qscd_mem.h"
#include "ports.h"
#include "sam.h"
#include "sam_event.h"
#include "samd.h"
#include "samd_config.h"
#include "samd_watch.h"
#include "samp.h"
#include "scbor.h"
#include "store.h"

/* The SAM's own keys in the module, found by these CKA_IDs (made by `qscd sam --init`). */
#define SAMD_SAD_KEY_ID  "qscd-sad-mac-key"
#define SAMD_SEAL_KEY_ID "qscd-audit-seal-key"
#define SAMD_KEK_ID      "qscd-backup-kek"
/* Key references (CKA_ID) of signing keys and TOTP seeds: random bytes from the module. */
#define SAMD_KEY_REF_LEN 16
/* Per-signer (and per-administrator) locks: authorisations of one signer are serialised,
 * as the signer ports' contract requires, while different signers proceed in parallel. */
#define SAMD_STRIPES 64

#define SAMD_VERSION "0.1.0"

/* Audit event operations the role table has no entry for (sam_op numbers stay below 100). */
#define SAMD_EV_PROTOCOL   0      /* a frame that could not be read as a request */
#define SAMD_EV_INFO       101
#define SAMD_EV_CSR        102    /* cred.csr without a SAD: the digest to authorise */
#define SAMD_EV_ADMIN_NEW  160    /* admin.create */
#define SAMD_EV_START      900    /* first_hash: SHA-256 of the effective configuration */
#define SAMD_EV_STOP       901
#define SAMD_EV_RECOVER    902    /* what a crash left half-done, finished (SAMD_RECOVER_*) */
/* Alerts of the monitor (samd_monitor.c, SRG_AA.6.1): one event per kind, the kind its reason. */
#define SAMD_EV_ALERT_AUTH_BURST 910  /* alert_auth_failures failed authentications in the window */
#define SAMD_EV_ALERT_LOCKED     911  /* an account locked by failed authentications */
#define SAMD_EV_ALERT_AUTHZ_RATE 912  /* a signer over alert_authz_limit authorisations */

/* A cached key of the module: signing keys and TOTP seeds, by CKA_ID. Entries live until the
 * service stops; a destroyed key's entry is marked dead and never handed out again. */
typedef struct samd_key {
    uint8_t id[P11T_ID_MAX];
    size_t id_len;
    int dead;
    p11a_key key;
    struct samd_key *next;
} samd_key;

/* What the monitor counts (samd_monitor.c), under its own mutex. */
typedef struct samd_monitor {
    pthread_mutex_t mu;
    samd_burst auth_failures;        /* failed authentications, service-wide */
    samd_rate authz;                 /* authorisations, per signer */
} samd_monitor;

typedef struct samd {
    samd_config cfg;
    sam_config core;                 /* what the core reads, from cfg */
    p11a *hsm;
    store *db;
    qscd_ports ports;
    p11a_key sad_key, seal_key;
    int have_kek;
    pthread_mutex_t keys_mu;
    samd_key *keys;
    pthread_mutex_t stripes[SAMD_STRIPES];
    sem_t *kdf_gate;                 /* Argon2id runs at once: samd_config_kdf_slots */
    void *ca_key;                    /* EVP_PKEY * (the test CA's key), or NULL */
    void *ca_cert;                   /* X509 * */
    void *trust;                     /* X509_STORE * for cert.import */
    uint8_t config_digest[32];
    int token_repaired;              /* the embedded token's file was restored at start */
    samd_monitor mon;
} samd;

/* ------------------------------------------------------------------- samd_core.c */

/* Open everything the service needs: the module and the SAM's keys (created when `create`),
 * the store, the CA. Returns QSCD_OK, or an error with a message on stderr. */
int samd_open(samd *d, const samd_config *cfg, int create);
void samd_close(samd *d);
/* Finish what a crash left half-done (credentials CREATING or DELETING, a repaired token
 * file, key objects left without CKA_ID in the embedded token, the key of a ready credential
 * whose certificate is revoked); audited as cred.recover, the kind in hash_alg (the store
 * state for CREATING and DELETING; spec/sam-protocol.md §4). */
#define SAMD_RECOVER_TOKEN_FILE 3
#define SAMD_RECOVER_KEY_SHELLS 4
#define SAMD_RECOVER_REVOKED    5
int samd_recover(samd *d);

/* ---------------------------------------------------------------- samd_monitor.c */

/* System monitoring (EN 419 241-1 SRG_AA.6.1, TS 119 431-1 OVR-6.5.3-02): after a request's
 * own audit record, count what may affect security and raise alerts, each one an audit
 * record of its own (SAMD_EV_ALERT_*, spec/sam-protocol.md §4) and a line on stderr, at most
 * one per window per kind (for locks: per account, which locks once until it is unlocked).
 * Never a secret: ids, counts and codes only. */
void samd_monitor_init(samd *d);
void samd_monitor_close(samd *d);
/* An account was just locked by a failed authentication in this thread's request (the
 * signer port, pin.change, an administrator's password): noted for samd_monitor_request. */
void samd_monitor_lock_noted(void);
/* The request ev (its actor, role, credential) ended with rc; `authorize` says it was a
 * signer's authorisation. Alerts failing to be written are reported on stderr. */
void samd_monitor_request(samd *d, const sam_event *ev, int rc, bool authorize);

/* ------------------------------------------------------------------ samd_token.c */

/* The embedded SoftHSMv2 token's file against a SIGKILL inside SoftHSM's rewrite of it:
 * restore the copy kept at the last start when the live file is empty (before the module is
 * loaded), and keep a fresh copy once it opened. No-ops for a configured module. 0 or -1. */
int samd_token_repair(const samd_config *c, int *repaired);
int samd_token_keep(const samd_config *c);

/* Serve the socket until SIGTERM or SIGINT; the requests in hand are finished first.
 * Returns 0, or -1 when the socket could not be set up (message on stderr). */
int samd_serve(samd *d);

/* ------------------------------------------------------------------ samd_ports.c */

void samd_ports_init(samd *d);
/* The request metadata (request id, peer) the audit port attaches, per thread. */
void samd_meta_set(const store_audit_meta *meta);
/* Write one audit event through the audit port with the current time. */
int samd_audit(samd *d, sam_event *ev);
/* The cached module key with CKA_ID id (found on first use). */
int samd_key_get(samd *d, const uint8_t *id, size_t len, p11a_key **out);
/* Forget a key about to be destroyed (its entry is marked dead). */
void samd_key_forget(samd *d, const uint8_t *id, size_t len);
/* Argon2id(secret, salt): the 32-byte verifier of a PIN or password, with the cost it was
 * made with (kdf), or the configured cost when kdf is NULL or all zero (verifiers recorded
 * before the store kept their cost, and new ones). */
int samd_verifier(const samd *d, const uint8_t *secret, size_t len, const uint8_t salt[16],
                  const store_kdf *kdf, uint8_t out[32]);
/* A fresh salt and the verifier of secret with the configured cost, which *kdf records. */
int samd_verifier_new(samd *d, const uint8_t *secret, size_t len, uint8_t salt[16],
                      store_kdf *kdf, uint8_t out[32]);
void samd_stripe_lock(samd *d, const qscd_id *id);
void samd_stripe_unlock(samd *d, const qscd_id *id);
/* n bytes from the module's random generator. */
int samd_random(samd *d, uint8_t *buf, size_t n);
/* Wipe memory the compiler may not skip. */
void samd_wipe(void *p, size_t n);

/* ---------------------------------------------------------------- samd_dispatch.c */

/* One request being answered. */
typedef struct samd_req {
    samd *d;
    const uint8_t *buf;              /* the request payload */
    size_t len;
    samp_request env;
    sam_actor actor;
    store_audit_meta meta;
    sam_event ev;                    /* the one audit event, unless the core writes it */
    bool audited;                    /* the core wrote the event */
    scbor_enc *res;                  /* the result map, written by the operation */
    struct samd_detail *detail;      /* which parameter a refusal is about */
} samd_req;

/* What a parameter refusal was about: its code, and "parameter K: what was expected" (never
 * the value). The answer carries the text when its status is that code. */
typedef struct samd_detail {
    int rc;
    char text[96];
} samd_detail;

typedef int (*samd_op_fn)(samd_req *r);

/* Answer one request frame into resp (capacity cap, at least SAMP_RESPONSE_MAX); *close is
 * set when the connection must be closed after the answer. Returns the response length. */
size_t samd_dispatch(samd *d, const uint8_t *req, size_t len, const char *peer, uint8_t *resp,
                     size_t cap, uint8_t *scratch, size_t scratch_cap, bool *close);
/* The answer to a frame that never became a request (too large, empty, timed out). */
size_t samd_error_frame(int status, uint8_t *resp, size_t cap);
/* Audit a protocol error of a connection (peer as in the metadata). */
void samd_audit_protocol(samd *d, int status, const char *peer);

/* ------------------------------------------------------------------ samd_params.c */

/* The operation's parameters map: every key present must be in allowed (bit k for key k),
 * every key in required must be present. QSCD_OK or QSCD_ERR_PROTO_FRAME. */
int samd_params_check(const samd_req *r, uint32_t required, uint32_t allowed);
bool samd_param_has(const samd_req *r, int key);
/* Typed readers: QSCD_ERR_PROTO_FRAME when absent or of another type, QSCD_ERR_ARG when out
 * of the stated bounds. */
int samd_param_id(const samd_req *r, int key, qscd_id *out);
int samd_param_bstr(const samd_req *r, int key, size_t min, size_t max, const uint8_t **p,
                    size_t *n);
int samd_param_tstr(const samd_req *r, int key, size_t min, size_t max, const uint8_t **p,
                    size_t *n);
int samd_param_uint(const samd_req *r, int key, uint64_t min, uint64_t max, uint64_t *v);
int samd_param_bool(const samd_req *r, int key, bool *v);
/* An array of 1..cap unsigned integers, each min..max, into dst; *n their number. */
int samd_param_uints(const samd_req *r, int key, uint64_t min, uint64_t max, uint64_t *dst,
                     size_t cap, size_t *n);
/* An array of digests of hash_alg's length into dst (stride QSCD_MAX_DIGEST):
 * QSCD_ERR_HASH_COUNT (0 or more than QSCD_MAX_HASHES), QSCD_ERR_DIGEST_LENGTH. When hash_alg
 * is not an allowed algorithm the lengths are left to the core to refuse (*n is set). */
int samd_param_hashes(const samd_req *r, int key, int hash_alg, uint8_t *dst, size_t *n);

/* ----------------------------------------------------------------- operations */

int samd_op_info(samd_req *r);
int samd_op_signer_enrol(samd_req *r);
int samd_op_signer_disable(samd_req *r);
int samd_op_signer_enable(samd_req *r);
int samd_op_signer_unlock(samd_req *r);
int samd_op_signer_delete(samd_req *r);
int samd_op_pin_set(samd_req *r);
int samd_op_pin_change(samd_req *r);
int samd_op_totp_provision(samd_req *r);
int samd_op_device_enrol(samd_req *r);
int samd_op_admin_create(samd_req *r);
int samd_op_cred_create(samd_req *r);
int samd_op_cred_list(samd_req *r);
int samd_op_cred_info(samd_req *r);
int samd_op_cred_disable(samd_req *r);
int samd_op_cred_enable(samd_req *r);
int samd_op_cred_delete(samd_req *r);
int samd_op_cert_import(samd_req *r);
int samd_op_cert_revoke(samd_req *r);
int samd_op_cred_csr(samd_req *r);
int samd_op_challenge(samd_req *r);
int samd_op_authorize(samd_req *r);
int samd_op_sign(samd_req *r);
int samd_op_extend(samd_req *r);
int samd_op_key_backup(samd_req *r);
int samd_op_key_restore(samd_req *r);
int samd_op_audit_export(samd_req *r);
int samd_op_audit_verify(samd_req *r);

/* The credential named by parameter 1 (recorded in the event), read from the store; a signer
 * caller sees only their own (another's is "not found", never "not yours"). Release with
 * store_cred_free, whatever the result. */
int samd_cred_param(samd_req *r, store_cred *c);
/* Authenticate an administrator caller (role, id, password) with the lockout rule. */
int samd_admin_auth(samd_req *r);
/* Backup ids a deletion reports for the operator to purge. */
typedef struct samd_purge {
    uint8_t (*ids)[32];
    size_t n, cap;
} samd_purge;

/* Destroy a credential's key objects in the module (private and public key), adding its
 * backups to purge (may be NULL); the record is left as it is. Destroying a key already gone
 * succeeds, so a caller can repeat it after a failure. Used by samd_cred_destroy and
 * cert.revoke. */
int samd_cred_key_destroy(samd *d, const store_cred *c, samd_purge *purge);
/* Destroy a credential's key and record (state DELETING first), adding its backups to purge
 * (may be NULL). Used by cred.delete, signer.delete and the recovery. */
int samd_cred_destroy(samd *d, const qscd_id *cred, samd_purge *purge);
/* Destroy the module key with this CKA_ID, if it exists (found afresh, not the cached one,
 * which a concurrent signature may be using: the cache entry is only marked dead). */
int samd_key_destroy(samd *d, const uint8_t *id, size_t len);
/* Encode the backups to purge as result key 1 and free them. */
void samd_purge_put(scbor_enc *e, samd_purge *purge);

/* ------------------------------------------------------------------- samd_cert.c */

/* Load the CA (certificate and test key) and the trust anchors; a missing CA is not an
 * error (cred.create then answers QSCD_ERR_CONFIG). */
int samd_ca_load(samd *d);
void samd_ca_free(samd *d);
/* Issue the certificate of a credential: subject = the signer's name, key = spki. */
int samd_cert_issue(samd *d, const char *name, const qscd_id *signer, const uint8_t *spki,
                    size_t spki_len, uint8_t **der, size_t *der_len, int64_t *nb, int64_t *na);
/* Check an imported certificate: its key is spki, it chains to a trust anchor (dates are the
 * core's to check at use). Gives its validity period. */
int samd_cert_check(samd *d, const uint8_t *der, size_t len, const uint8_t *spki,
                    size_t spki_len, int64_t *nb, int64_t *na);
/* Does the certificate der carry the public key spki? */
int samd_cert_key_is(const uint8_t *der, size_t len, const uint8_t *spki, size_t spki_len);
/* The CA certificate's DER when it issued der (for the chain), else *ca_len = 0. */
int samd_cert_issuer(samd *d, const uint8_t *der, size_t len, uint8_t **ca, size_t *ca_len);
/* The certification request info (PKCS#10) of a credential and its SHA-256. */
int samd_csr_tbs(const char *name, const qscd_id *signer, const uint8_t *spki, size_t spki_len,
                 uint8_t digest[32]);
/* The whole CSR with the signature the core made over that digest; verified with OpenSSL. */
int samd_csr_finish(const char *name, const qscd_id *signer, const uint8_t *spki,
                    size_t spki_len, int sign_alg, int hash_alg, const uint8_t *sig,
                    size_t sig_len, uint8_t **der, size_t *der_len);
/* Is spki a P-256 public key, DER exactly? (device keys) */
int samd_spki_p256(const uint8_t *spki, size_t len);

#endif
