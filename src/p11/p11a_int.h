/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the PKCS#11 adapter: the adapter object, the session pool and the helpers the
 * adapter's files share. Not for use outside src/p11/.
 */
#ifndef QSCD_P11A_INT_H
#define QSCD_P11A_INT_H

#include <pthread.h>
#include <stdarg.h>

#include "p11a.h"

struct p11a_module;  /* one loaded module, shared by the adapters open on it */

struct p11a {
    struct p11a_module *mod;
    CK_FUNCTION_LIST *f;          /* the module's functions (mod->f) */
    CK_SLOT_ID slot;              /* found by token label, never assumed */
    uint8_t pin[P11A_PIN_MAX];    /* the user PIN: this adapter is its only holder */
    size_t pin_len;
    unsigned flags;               /* P11A_NO_VERIFY */

    /* The session pool: idle sessions, how many are open and lent, and a generation that
     * retires every idle session at once when the module is seen to have closed them. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    CK_SESSION_HANDLE idle[P11A_MAX_SESSIONS];
    unsigned idle_gen[P11A_MAX_SESSIONS];
    unsigned nidle, nopen, nbusy, max, gen;
    int exclusive;                /* a ceremony (KEK creation) holds the token alone */

    int probed;                   /* probe done: result below */
    p11a_probe probe;
};

/* A session lent by the pool to one caller. */
typedef struct p11a_sess {
    CK_SESSION_HANDLE h;
    unsigned gen;
} p11a_sess;

/* ------------------------------------------------------------ errors (p11a_rv.c) */

/* Record the calling thread's error message (printf-style) and return code. */
int p11a_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record "<what>: <CKR name>" and return the code mapped from rv (QSCD_OK for CKR_OK). */
int p11a_fail_rv(const char *what, CK_RV rv);

/* ----------------------------------------------------------- pool (p11a_pool.c) */

int p11a_pool_init(p11a *a, unsigned max);
void p11a_pool_destroy(p11a *a);
/* Lend a session (opened and logged in if the pool has no idle one). */
int p11a_sess_get(p11a *a, p11a_sess *s);
/* Give it back; broken: the session is closed (an operation may still be active on it) or
 * the module already closed it (gone). */
#define P11A_SESS_OK     0
#define P11A_SESS_CLOSE  1
#define P11A_SESS_GONE   2
void p11a_sess_put(p11a *a, p11a_sess *s, int state);
/* Log the user in on session h (CKR_USER_ALREADY_LOGGED_IN is success). */
CK_RV p11a_login_user(p11a *a, CK_SESSION_HANDLE h);
/* Wait for every lent session to come back and keep the token to the caller until
 * p11a_pool_share; the idle sessions stay open. */
void p11a_pool_exclusive(p11a *a);
void p11a_pool_share(p11a *a);

/* An operation run on a lent session: returns the module's CK_RV; sets *state to
 * P11A_SESS_CLOSE when it leaves an operation active on the session (then the session is
 * closed rather than reused). */
typedef CK_RV (*p11a_op)(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *ctx, int *state);

/* Run op on a lent session. A closed session, a lost login or an invalidated handle of k
 * (k may be NULL) is recovered once: new session, login, k found again by CKA_ID, op run
 * again. Returns QSCD_OK or the mapped error, with "what: CKR_..." as the message. */
int p11a_run(p11a *a, p11a_key *k, const char *what, p11a_op op, void *ctx);

/* ----------------------------------------------------------- keys (p11a_key.c) */

/* Find the object of class cls with CKA_ID id on session h: CKR_OK with *obj set, or
 * CKR_OK with *n = 0 (none) or 2 (more than one). */
CK_RV p11a_find_id(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, const uint8_t *id,
                   size_t id_len, CK_OBJECT_HANDLE *obj, int *n);
/* Find k's object again by CKA_ID (its handle was invalidated) and store the new handle. */
CK_RV p11a_key_refresh(p11a *a, CK_SESSION_HANDLE h, p11a_key *k);
/* The key's current handle (keys may be shared between threads). */
CK_OBJECT_HANDLE p11a_key_handle(const p11a_key *k);
/* Fail with QSCD_ERR_EXISTS if an object of any key class has CKA_ID id. */
int p11a_id_unused(p11a *a, const uint8_t *id, size_t id_len);
/* Describe the key with handle obj (class cls) into *out, public key included. */
int p11a_key_describe(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj,
                      CK_OBJECT_CLASS cls, p11a_key *out);
/* Read one attribute of obj into buf (capacity cap): *len its length. */
CK_RV p11a_attr(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
                void *buf, size_t cap, size_t *len);
/* Read a CK_BBOOL attribute: 1 true, 0 false, -1 absent or unreadable. */
int p11a_attr_bool(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type);

/* ------------------------------------------------------------- signing (p11a_sign.c) */

/* One C_SignInit + C_Sign on session h with key k (a signature or an HMAC), with the
 * context-specific login first when k has CKA_ALWAYS_AUTHENTICATE; *state as for p11a_op. */
CK_RV p11a_sign_once(p11a *a, CK_SESSION_HANDLE h, CK_MECHANISM *mech, const p11a_key *k,
                     const uint8_t *in, CK_ULONG in_len, uint8_t *out, CK_ULONG *out_len,
                     int *state);


/* The EVP_PKEY of a SubjectPublicKeyInfo, or NULL. */
void *p11a_pkey_from_spki(const uint8_t *spki, size_t len);
void p11a_pkey_free(void *pkey);
/* Verify with an EVP_PKEY (see p11a_verify). */
int p11a_verify_pkey(void *pkey, p11a_sigalg alg, p11a_hash hash, const uint8_t *digest,
                     size_t digest_len, const uint8_t *sig, size_t sig_len);
/* Build the EVP_PKEY of an EC (curve bits 256/384, point = uncompressed point) or RSA
 * (modulus, exponent, big-endian) public key; NULL on failure. */
void *p11a_pkey_ec(CK_ULONG bits, const uint8_t *point, size_t point_len);
void *p11a_pkey_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len);

/* ------------------------------------------------------------------ small helpers */

/* Copy a blank-padded PKCS#11 string field into a C string (trailing blanks dropped). */
void p11a_padded_copy(char *dst, size_t cap, const CK_UTF8CHAR *src, size_t len);
/* The DER OIDs of the two curves of the policy, as CKA_EC_PARAMS. */
extern const uint8_t p11a_oid_p256[10];
extern const uint8_t p11a_oid_p384[7];

#endif
