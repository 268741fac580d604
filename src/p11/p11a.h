/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PKCS#11 adapter: the only code of the SAM that talks to the cryptographic module. It
 * loads any PKCS#11 module (a file path or an RFC 7512 URI), finds its token by label, keeps
 * a pool of sessions for concurrent callers, logs the user in once and survives the module
 * closing sessions; it generates keys only through the templates of the verified core
 * (src/core/p11t.h), signs pre-hashed digests (ECDSA, RSA PKCS#1 v1.5, RSA-PSS) with a
 * per-signature context login for CKA_ALWAYS_AUTHENTICATE keys, verifies every signature the
 * module returns with OpenSSL (unless configured not to), computes HMACs in the module,
 * backs keys up only wrapped under a trusted, non-extractable KEK, and maps every CK_RV to
 * one QSCD_ERR_* code. A capability probe reports what a module does and does not enforce.
 *
 * Keys are referred to by CKA_ID across calls (struct p11a_key); object handles are a
 * cache, found again by CKA_ID when the module invalidates them.
 *
 * Every function returns QSCD_OK (0) or a QSCD_ERR_* code (src/core/qscd_err.h); the tables
 * below list the codes a function returns. On any error, p11a_last_error() gives a one-line
 * message for the calling thread (the PKCS#11 function and its CKR_ name where the module
 * refused); it never contains a PIN, a key or a seed. Outputs are left unchanged on error
 * unless a table says otherwise.
 *
 * Thread safety: one p11a object serves any number of threads; each call takes a session of
 * the pool for its duration, so no session is ever used by two threads at once.
 */
#ifndef QSCD_P11A_H
#define QSCD_P11A_H

#include <stddef.h>
#include <stdint.h>
#include <p11-kit/pkcs11.h>

#include "p11t.h"
#include "qscd_err.h"

typedef struct p11a p11a;

/* ------------------------------------------------------------------------ opening */

#define P11A_PIN_MAX          128   /* longest PIN accepted, in bytes */
#define P11A_PATH_MAX         1024  /* longest module path */
#define P11A_DEFAULT_SESSIONS 4     /* session pool size when the configuration says 0 */
#define P11A_MAX_SESSIONS     64

/* Configuration flags. */
#define P11A_NO_VERIFY  1u  /* do not verify the module's signatures with OpenSSL */

typedef struct p11a_config {
    const char *module;       /* module file path; NULL when the URI has module-path */
    const char *uri;          /* RFC 7512 URI (token=, module-path=); NULL for none */
    const char *token_label;  /* token label; overrides the URI's token= */
    const char *init_args;    /* C_Initialize pReserved string, e.g. NSS softokn's
                                 "configdir='sql:DIR' certPrefix='' keyPrefix=''
                                 secmod='secmod.db' flags="; NULL for none */
    const char *user_pin;     /* the user PIN (may be "", e.g. an NSS database without
                                 password); copied into the adapter, wiped on close */
    unsigned max_sessions;    /* session pool size; 0 gives P11A_DEFAULT_SESSIONS */
    unsigned flags;           /* P11A_NO_VERIFY */
} p11a_config;

/* Load the module, initialise it (CKF_OS_LOCKING_OK; CKR_CRYPTOKI_ALREADY_INITIALIZED is
 * accepted, and the module is then not finalised on close), find the token by label, open
 * one session and log the user in (CKR_USER_ALREADY_LOGGED_IN is success). The module path
 * and token come from cfg->module / cfg->token_label, or from cfg->uri.
 *
 *   QSCD_OK                *out is the adapter, to be released with p11a_close
 *   QSCD_ERR_ARG           cfg or out NULL, no module or token given, PIN too long
 *   QSCD_ERR_P11_URI       cfg->uri is not a usable PKCS#11 URI (see p11a_uri_parse)
 *   QSCD_ERR_P11_MODULE    the module cannot be loaded or has no C_GetFunctionList
 *   QSCD_ERR_P11_TOKEN     no initialised token has the label, or more than one has
 *   QSCD_ERR_P11_PIN       the user PIN is wrong; QSCD_ERR_P11_PIN_LOCKED: it is locked
 *   QSCD_ERR_NOMEM         out of memory
 *   other QSCD_ERR_P11_*   the module failed (p11a_last_error says which call, which CKR_)
 */
int p11a_open(const p11a_config *cfg, p11a **out);

/* Log out, close the sessions, finalise the module (if this adapter initialised it and it
 * is the last one open on it), unload it, wipe the PIN and free the adapter. NULL is a
 * no-op. Keys (struct p11a_key) found through the adapter must not be used afterwards. */
void p11a_close(p11a *a);

/* The parts of an RFC 7512 PKCS#11 URI the adapter uses, parsed with p11-kit's URI API. */
typedef struct p11a_uri {
    char module_path[P11A_PATH_MAX];  /* module-path=, "" when absent */
    char token[33];                   /* token=, trailing blanks removed; required */
    char object[P11T_LABEL_MAX + 1];  /* object= (a key label), "" when absent */
    uint8_t id[P11T_ID_MAX];          /* id= */
    size_t id_len;                    /* 0 when absent */
} p11a_uri;

/* Parse uri into *out. The URI must name a token; a PIN in the URI (pin-value=,
 * pin-source=) and attributes p11-kit does not recognise are refused: the PIN comes only
 * from the configuration.
 *
 *   QSCD_OK                *out holds the URI's parts
 *   QSCD_ERR_ARG           uri or out NULL
 *   QSCD_ERR_P11_URI       not a pkcs11: URI, bad percent-escape or syntax, no token=,
 *                          a PIN in the URI, an unrecognised attribute, a part too long
 */
int p11a_uri_parse(const char *uri, p11a_uri *out);

/* -------------------------------------------------------------------------- keys */

/* A key, as the adapter refers to it across calls. Filled by p11a_key_generate,
 * p11a_key_find, p11a_mac_generate, p11a_seed_import and p11a_key_restore; released with
 * p11a_key_clear. Do not copy it by value (it owns the public key used to verify
 * signatures). Several threads may sign with one key at once. */
typedef struct p11a_key {
    uint8_t id[P11T_ID_MAX];      /* CKA_ID */
    size_t id_len;
    char label[P11T_LABEL_MAX + 1];
    CK_OBJECT_CLASS cls;          /* CKO_PRIVATE_KEY or CKO_SECRET_KEY */
    CK_KEY_TYPE type;             /* CKK_EC, CKK_RSA, CKK_GENERIC_SECRET, CKK_AES */
    CK_ULONG bits;                /* EC curve size (256, 384), RSA modulus size; secret
                                     key length in bits */
    int always_auth;              /* CKA_ALWAYS_AUTHENTICATE as the key says */
    int backup_capable;           /* CKA_EXTRACTABLE (under CKA_WRAP_WITH_TRUSTED) */
    CK_OBJECT_HANDLE handle;      /* cache; refreshed through CKA_ID when invalid */
    void *pub;                    /* the public key (OpenSSL EVP_PKEY), signing keys */
} p11a_key;

/* Flags of p11a_key_generate. */
#define P11A_KEY_BACKUP 1u  /* backup-capable: extractable only wrapped under a trusted KEK */

/* Generate a signing key pair in the module with the policy template of
 * p11t_pair_build: type CKK_EC with bits 256 or 384, or CKK_RSA with 2048, 3072 or 4096;
 * id must not be used by any other key on the token; label is a C string (may be NULL).
 *
 *   QSCD_OK                *out refers to the new key
 *   QSCD_ERR_KEY_POLICY    algorithm or size outside the policy (nothing reaches the module)
 *   QSCD_ERR_ARG           bad id or label length, unknown flag, NULL argument
 *   QSCD_ERR_EXISTS        a key with this CKA_ID is already on the token
 *   QSCD_ERR_P11_MECHANISM the module cannot generate this kind of key
 *   QSCD_ERR_P11_TEMPLATE  the module refused the policy template
 *   other QSCD_ERR_P11_*   the module failed
 */
int p11a_key_generate(p11a *a, CK_KEY_TYPE type, CK_ULONG bits, unsigned flags,
                      const uint8_t *id, size_t id_len, const char *label, p11a_key *out);

/* Find the private or secret key with CKA_ID id and describe it in *out (for a signing key,
 * with its public key).
 *
 *   QSCD_OK                *out refers to the key
 *   QSCD_ERR_NOT_FOUND     no private or secret key has this CKA_ID
 *   QSCD_ERR_EXISTS        more than one has (the token breaks the uniqueness of CKA_ID)
 *   QSCD_ERR_ARG           bad id length or NULL argument
 *   other QSCD_ERR_P11_*   the module failed
 */
int p11a_key_find(p11a *a, const uint8_t *id, size_t id_len, p11a_key *out);

/* Release what *k owns and zero it. NULL is a no-op. */
void p11a_key_clear(p11a_key *k);

/* The key's public key as DER SubjectPublicKeyInfo (built with OpenSSL from CKA_EC_POINT
 * and CKA_EC_PARAMS, or CKA_MODULUS and CKA_PUBLIC_EXPONENT), into spki[0 .. *len-1]; *len
 * is the capacity on entry and the length on return.
 *
 *   QSCD_OK                the SPKI is written
 *   QSCD_ERR_BUFFER_TOO_SMALL  *len is set to the length needed
 *   QSCD_ERR_ARG           not a signing key, or NULL argument
 */
int p11a_key_spki(const p11a_key *k, uint8_t *spki, size_t *len);

/* --------------------------------------------------------------------- signing */

typedef enum p11a_hash {
    P11A_SHA1 = 1,   /* known only to be refused (ETSI TS 119 312) */
    P11A_SHA256,
    P11A_SHA384,
    P11A_SHA512
} p11a_hash;

typedef enum p11a_sigalg {
    P11A_ECDSA = 1,     /* CKM_ECDSA; signature as raw r || s (IEEE P1363) */
    P11A_ECDSA_DER,     /* CKM_ECDSA; signature as DER Ecdsa-Sig-Value */
    P11A_RSA_PKCS1,     /* CKM_RSA_PKCS over the DigestInfo the adapter builds */
    P11A_RSA_PSS        /* CKM_RSA_PKCS_PSS, MGF1 with the same hash, salt = hash length */
} p11a_sigalg;

/* Digest length of a hash (0 for an unknown one). */
size_t p11a_hash_len(p11a_hash hash);

/* Sign the pre-hashed digest[0 .. digest_len-1] with key k into sig (capacity *sig_len on
 * entry, length on return). The digest length is checked against the hash before the module
 * is called. For a CKA_ALWAYS_AUTHENTICATE key, every signature is C_SignInit, then
 * C_Login(CKU_CONTEXT_SPECIFIC), then C_Sign. Unless the configuration says P11A_NO_VERIFY,
 * the signature is verified with OpenSSL against the key's public key before it is
 * returned. A closed session, a lost login or an invalidated handle is recovered once
 * (new session, login, key found again by CKA_ID).
 *
 *   QSCD_OK                sig holds the signature
 *   QSCD_ERR_HASH_ALG      SHA-1 or an unknown hash
 *   QSCD_ERR_DIGEST_LENGTH digest_len is not the hash's length
 *   QSCD_ERR_SIGN_ALG      the algorithm does not fit the key (ECDSA on RSA, ...)
 *   QSCD_ERR_BUFFER_TOO_SMALL  *sig_len is set to the length needed
 *   QSCD_ERR_P11_SIGNATURE the module's signature does not verify (*sig_len set to 0)
 *   QSCD_ERR_P11_PIN       the context-specific login was refused
 *   other QSCD_ERR_P11_*   the module failed
 */
int p11a_sign(p11a *a, p11a_key *k, p11a_sigalg alg, p11a_hash hash, const uint8_t *digest,
              size_t digest_len, uint8_t *sig, size_t *sig_len);

/* Verify sig over the pre-hashed digest with the public key spki (DER
 * SubjectPublicKeyInfo), with OpenSSL; the check p11a_sign applies to every signature, also
 * usable on its own. P11A_ECDSA takes raw r || s (its length must be twice the curve's
 * field size), P11A_ECDSA_DER takes DER (strict: no trailing bytes, minimal encoding).
 *
 *   QSCD_OK                the signature is valid
 *   QSCD_ERR_P11_SIGNATURE it is not (or is malformed)
 *   QSCD_ERR_HASH_ALG      SHA-1 or an unknown hash
 *   QSCD_ERR_DIGEST_LENGTH digest_len is not the hash's length
 *   QSCD_ERR_SIGN_ALG      the algorithm does not fit the key
 *   QSCD_ERR_ARG           spki is not a valid public key, or NULL argument
 */
int p11a_verify(const uint8_t *spki, size_t spki_len, p11a_sigalg alg, p11a_hash hash,
                const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len);

/* Convert a raw ECDSA signature r || s (raw_len even, at most 132) into DER.
 *
 *   QSCD_OK                der[0 .. *der_len-1] holds it
 *   QSCD_ERR_BUFFER_TOO_SMALL  *der_len is set to the length needed
 *   QSCD_ERR_ARG           raw_len odd, zero or too long, or NULL argument
 */
int p11a_ecdsa_to_der(const uint8_t *raw, size_t raw_len, uint8_t *der, size_t *der_len);

/* ------------------------------------------------------------------ secret keys */

typedef enum p11a_mac { P11A_HMAC_SHA1 = 1, P11A_HMAC_SHA256 } p11a_mac;

/* Generate an HMAC key (the SAD-token MAC key) of key_len bytes (32..64) in the module:
 * sensitive, never extractable, sign and verify only (p11t_mac_build).
 *
 *   QSCD_OK, QSCD_ERR_KEY_POLICY (length), QSCD_ERR_ARG, QSCD_ERR_EXISTS (CKA_ID in use),
 *   QSCD_ERR_P11_*         as for p11a_key_generate
 */
int p11a_mac_generate(p11a *a, size_t key_len, const uint8_t *id, size_t id_len,
                      const char *label, p11a_key *out);

/* Import a TOTP/HOTP seed (16..64 bytes) once, at enrolment, as a sensitive, never
 * extractable secret-key object (p11t_seed_build); it cannot be read back. The adapter
 * keeps no copy; the caller wipes seed[] right after this call, whatever it returns.
 *
 *   QSCD_OK, QSCD_ERR_KEY_POLICY (length), QSCD_ERR_ARG, QSCD_ERR_EXISTS (CKA_ID in use),
 *   QSCD_ERR_P11_*         as for p11a_key_generate
 */
int p11a_seed_import(p11a *a, const uint8_t *seed, size_t seed_len, const uint8_t *id,
                     size_t id_len, const char *label, p11a_key *out);

/* Compute HMAC-SHA-1 or HMAC-SHA-256 of msg with secret key k in the module (CKM_SHA_1_HMAC,
 * CKM_SHA256_HMAC) into mac (capacity *mac_len, length on return: 20 or 32). RFC 4226
 * truncation is the caller's.
 *
 *   QSCD_OK                mac holds the MAC
 *   QSCD_ERR_ARG           not a secret key, unknown algorithm, NULL argument
 *   QSCD_ERR_BUFFER_TOO_SMALL  *mac_len is set to the length needed
 *   QSCD_ERR_P11_*         the module failed
 */
int p11a_hmac(p11a *a, p11a_key *k, p11a_mac alg, const uint8_t *msg, size_t msg_len,
              uint8_t *mac, size_t *mac_len);

/* Fill buf[0 .. len-1] from the module's generator (C_GenerateRandom).
 *
 *   QSCD_OK, QSCD_ERR_ARG, QSCD_ERR_RANDOM (the module failed)
 */
int p11a_random(p11a *a, uint8_t *buf, size_t len);

/* ----------------------------------------------------------------------- backup */

#define P11A_WRAPPED_MAX 4096  /* a wrapped RSA-4096 key is about 2.4 kB */
#define P11A_SPKI_MAX    1024  /* an RSA-4096 SubjectPublicKeyInfo is 550 bytes */

/* A backup of one signing key: what the caller stores to restore it and to purge it. */
typedef struct p11a_backup {
    uint8_t key_id[P11T_ID_MAX];
    size_t key_id_len;
    char label[P11T_LABEL_MAX + 1];
    CK_KEY_TYPE type;
    CK_ULONG bits;
    uint8_t kek_id[P11T_ID_MAX];
    size_t kek_id_len;
    CK_MECHANISM_TYPE mech;            /* the wrap mechanism used */
    uint8_t wrapped[P11A_WRAPPED_MAX]; /* the key wrapped under the KEK (never plaintext) */
    size_t wrapped_len;
    uint8_t spki[P11A_SPKI_MAX];       /* the public key, to recreate its object on restore */
    size_t spki_len;
    uint8_t backup_id[32];             /* SHA-256 of all the fields above */
} p11a_backup;

/* Create the backup KEK in a security-officer session: AES-256, wrap and unwrap only,
 * sensitive, never extractable, CKA_TRUSTED (p11t_kek_build with P11T_TRUSTED; PKCS#11 lets
 * only the SO set CKA_TRUSTED, and an SO session creates only public objects, so the KEK is
 * CKA_PRIVATE false). The pool is drained, the user logged out, the SO logged in with
 * so_pin (not kept: the caller wipes it), then the user logged in again; other callers wait
 * meanwhile, and key handles found before are found again by CKA_ID.
 *
 *   QSCD_OK, QSCD_ERR_ARG, QSCD_ERR_EXISTS (CKA_ID in use), QSCD_ERR_P11_PIN (SO PIN wrong),
 *   QSCD_ERR_P11_*         the module failed
 */
int p11a_kek_create(p11a *a, const char *so_pin, const uint8_t *kek_id, size_t kek_id_len,
                    const char *label);

/* Back up signing key k, wrapped under the KEK with CKA_ID kek_id, into *out. The KEK must
 * be an AES key with CKA_WRAP, CKA_TRUSTED, not extractable, never encrypt or decrypt; the
 * key must be backup-capable. Uses CKM_AES_KEY_WRAP_PAD, or CKM_AES_KEY_WRAP when the module
 * lacks it (out->mech says which); never exports plaintext.
 *
 *   QSCD_OK                *out holds the backup
 *   QSCD_ERR_UNSUPPORTED   the module does not honour CKA_WRAP_WITH_TRUSTED (probe) or has
 *                          no AES key-wrap mechanism (p11a_last_error says which)
 *   QSCD_ERR_KEY_POLICY    k is not backup-capable
 *   QSCD_ERR_P11_KEK       the KEK is missing a required property (named in the message)
 *   QSCD_ERR_NOT_FOUND     no KEK with this CKA_ID
 *   other QSCD_ERR_P11_*   the module failed
 */
int p11a_key_backup(p11a *a, p11a_key *k, const uint8_t *kek_id, size_t kek_id_len,
                    p11a_backup *out);

/* Restore a backup: C_UnwrapKey under its KEK with the same policy template as generation
 * (p11t_pair_build's private template, backup-capable), then recreate the public key
 * object from the restored key. The backup's integrity (backup_id) is checked first.
 *
 *   QSCD_OK                *out refers to the restored key
 *   QSCD_ERR_EXISTS        a key with the backup's CKA_ID is on the token
 *   QSCD_ERR_P11_WRAPPED   backup_id does not match, or the module rejects the blob
 *   QSCD_ERR_UNSUPPORTED, QSCD_ERR_P11_KEK, QSCD_ERR_NOT_FOUND, QSCD_ERR_P11_*  as above
 */
int p11a_key_restore(p11a *a, const p11a_backup *b, p11a_key *out);

/* Destroy key k (private, public or secret objects with its CKA_ID) and tell which of the
 * caller's backups held it: the adapter keeps no store, so the caller passes the backups it
 * has (n of them, may be 0) and purges those listed in purge[0 .. *npurge-1] (indexes into
 * backups; purge needs room for n). k is cleared.
 *
 *   QSCD_OK                the key is gone; purge lists the backups to delete
 *   QSCD_ERR_ARG           NULL argument
 *   other QSCD_ERR_P11_*   the module failed (the key may still exist)
 */
int p11a_key_destroy(p11a *a, p11a_key *k, const p11a_backup *backups, size_t n,
                     size_t *purge, size_t *npurge);

/* Destroy the token's key objects (private, public, secret) that have no CKA_ID (or an
 * empty one): the shells SoftHSMv2 leaves when a process dies inside C_GenerateKeyPair or
 * C_CreateObject (default attributes written, template and key not yet), which hold no
 * key. No key the adapter makes lacks a CKA_ID, so none of them is touched; but another
 * application's objects on a shared token might: call it only on a token whose objects all
 * come through the adapter (the SAM's embedded token), and before the process makes session
 * objects of its own (they are not told apart: a shell carries SoftHSM's default CKA_TOKEN,
 * false). At most 64 objects of each class per call; *destroyed says how many went.
 *
 *   QSCD_OK                done (*destroyed may be 0)
 *   QSCD_ERR_ARG           NULL argument
 *   other QSCD_ERR_P11_*   the module failed (*destroyed counts those already gone)
 */
int p11a_sweep_anonymous(p11a *a, size_t *destroyed);

/* ------------------------------------------------------------------------ probe */

/* What a module does, as measured (not as claimed). Tristate fields: 1 yes, 0 no, -1 could
 * not be tested (the reason is in notes). */
typedef struct p11a_probe {
    char library[80];            /* CK_INFO manufacturer and description */
    char token_model[17];
    char token_manufacturer[33];
    char token_serial[17];
    unsigned cryptoki_major, cryptoki_minor;
    int ecdsa, rsa_pkcs, rsa_pss;            /* CKM_ECDSA, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS */
    int sha256_hmac, sha1_hmac;              /* CKM_SHA256_HMAC, CKM_SHA_1_HMAC */
    int aes_key_wrap_pad, aes_key_wrap;      /* CKM_AES_KEY_WRAP_PAD, CKM_AES_KEY_WRAP */
    int always_auth_enforced;   /* a CKA_ALWAYS_AUTHENTICATE key refused C_Sign without a
                                   context-specific login (tested on a session key) */
    int wrap_with_trusted;      /* a CKA_WRAP_WITH_TRUSTED key refused to be wrapped under
                                   an untrusted key (tested on session keys) */
    char notes[256];
} p11a_probe;

/* Probe the module once (later calls return the first result): mechanism list, module and
 * token information, and the two enforcement tests on temporary session keys, destroyed at
 * once.
 *
 *   QSCD_OK                *out holds the result
 *   QSCD_ERR_ARG           NULL argument
 *   other QSCD_ERR_P11_*   the module failed before anything could be measured
 */
int p11a_probe_run(p11a *a, p11a_probe *out);

/* ------------------------------------------------------------------------ errors */

/* The QSCD_ERR_* code of a CK_RV (one table, src/p11/p11a_rv.c): CKR_OK gives QSCD_OK, an
 * unknown or vendor code QSCD_ERR_P11_FAILED. */
int p11a_rv_err(CK_RV rv);

/* The CKR_ name of a CK_RV ("CKR_PIN_INCORRECT"), "CKR_VENDOR_DEFINED" for vendor codes,
 * "CKR_UNKNOWN" otherwise. Never NULL. */
const char *p11a_rv_name(CK_RV rv);

/* Every CK_RV the table knows, for tests: *n is set to their number. */
const CK_RV *p11a_rv_all(size_t *n);

/* The calling thread's message about its last failed adapter call ("" if none). */
const char *p11a_last_error(void);

#endif
