/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PKCS#11 target: the runner's own minimal PKCS#11 client (dlopen, <p11-kit/pkcs11.h>),
 * independent of the project's adapter so that it can judge any module, the reference's
 * included. The target state is shared by the worker threads; each worker has its own
 * session. Every object the run creates carries a label unique to the run and is destroyed
 * at the end; nothing else on the token is touched unless --destructive is given.
 */
#ifndef CONFORM_P11_H
#define CONFORM_P11_H

#include "conform.h"

#include <p11-kit/pkcs11.h>
#include <pthread.h>

#define P11_POOL_MAX 64

typedef struct p11_key {
    CK_OBJECT_HANDLE pub;      /* CK_INVALID_HANDLE for a secret key */
    CK_OBJECT_HANDLE priv;     /* the private or secret key */
    CK_KEY_TYPE type;
    int bits;                  /* RSA modulus bits, EC field bits, AES key bits */
    char curve[16];            /* "P-256", ... for EC */
    char label[64];            /* the run label both halves carry */
} p11_key;

typedef struct p11_pool_entry {
    char *spec;                /* canonical JSON of the key spec */
    pthread_mutex_t mu;
    int done;
    CK_RV rv;
    p11_key key;
    char err[200];
} p11_pool_entry;

/* An object this run created: its handle and its label, because a handle to a private
 * object becomes invalid at C_Logout while the label still finds it. */
typedef struct p11_obj { CK_OBJECT_HANDLE h; char label[64]; } p11_obj;

typedef struct p11_target {
    const cf_options *opt;
    void *dl;
    CK_FUNCTION_LIST *f;
    CK_SLOT_ID slot;
    CK_SESSION_HANDLE main;
    CK_INFO info;
    CK_TOKEN_INFO tinfo;
    CK_MECHANISM_TYPE *mechs;
    CK_ULONG nmechs;
    char module[512];
    char tag[48];              /* run tag: every label this run makes starts with it */
    pthread_mutex_t mu;        /* guards the object registry, the counter and the pool list */
    p11_obj *objs;
    size_t nobjs, capobjs;
    unsigned long counter;
    size_t created, destroyed, lost;
    p11_pool_entry pool[P11_POOL_MAX];
    size_t npool;
    int token_reset;           /* a destructive vector re-initialised the token */
} p11_target;

typedef struct p11_worker {
    p11_target *t;
    CK_SESSION_HANDLE s;
} p11_worker;

/* p11_names.c */
const char *p11_rv_name(CK_RV rv);
const char *p11_mech_name(CK_MECHANISM_TYPE m);
const char *p11_attr_name(CK_ATTRIBUTE_TYPE a);
int p11_mech_value(const char *name, CK_MECHANISM_TYPE *m);
int p11_attr_value(const char *name, CK_ATTRIBUTE_TYPE *a);
int p11_rv_value(const char *name, CK_RV *rv);

/* p11_target.c: module facts, object bookkeeping */
int p11_mech_has(p11_target *t, CK_MECHANISM_TYPE m, CK_FLAGS need);
void p11_label(p11_target *t, char *buf, size_t len);
void p11_track(p11_target *t, CK_OBJECT_HANDLE h, const char *label);
void p11_untrack(p11_target *t, CK_OBJECT_HANDLE h);
void p11_destroy(p11_worker *w, CK_OBJECT_HANDLE h);
CK_RV p11_login_user(p11_target *t, CK_SESSION_HANDLE s, CK_USER_TYPE who);
/* Find the objects labelled `label` (at most cap); returns the count or -1. */
int p11_find_label(p11_worker *w, const char *label, CK_OBJECT_HANDLE *out, int cap);
/* Close every session of the run's worker and main sessions and open them again, logged in
 * as the user (after C_InitToken, which needs no session open). */
CK_RV p11_sessions_reopen(p11_worker *w);

/* p11_keys.c: key specs ({"type":"EC","curve":"P-256"}, ...) and templates */
typedef struct p11_tmpl {
    CK_ATTRIBUTE a[40];
    CK_ULONG n;
    CK_BBOOL b[40];
    CK_ULONG ul[40];
    unsigned char buf[1536];
    size_t used;
    int overflow;              /* an attribute did not fit: the template must not be used */
} p11_tmpl;
/* Put a fresh run label (and the same bytes as CKA_ID) into one or two templates; the label
 * is copied to `label` for p11_track. */
void p11_tmpl_names(p11_target *t, p11_tmpl *a, p11_tmpl *b, char *label, size_t len);
void p11_tmpl_bool(p11_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_BBOOL v);
/* The attributes of a session private key of type kt that signs and never leaves the module:
 * class, key type, not on the token, private, sensitive, not extractable, sign. */
void p11_tmpl_signing_priv(p11_tmpl *t, CK_KEY_TYPE kt);
void p11_tmpl_ulong(p11_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_ULONG v);
void p11_tmpl_bytes(p11_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *p, size_t len);
int p11_tmpl_apply(p11_tmpl *t, json_t *overrides, char *err, size_t errlen);
/* Generate the key a spec describes in the worker's session. Returns CKR_OK, the module's
 * return value, or CKR_FUNCTION_NOT_SUPPORTED with `err` set when the spec asks for a
 * mechanism the module does not list (the caller records a SKIP). */
CK_RV p11_key_generate(p11_worker *w, json_t *spec, p11_key *k, char *err, size_t errlen);
/* The vector's key ("key" in the test, else in the group): shared between vectors unless
 * `fresh`. Returns 0, or -1 with the vector's verdict set (SKIP or FAIL). */
int p11_key_for(p11_worker *w, cf_vector *v, const char *param, int fresh, p11_key *k);
CK_RV p11_attr_bool(p11_worker *w, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE a, CK_BBOOL *out);
CK_RV p11_attr_ulong(p11_worker *w, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE a, CK_ULONG *out);
/* Read a byte attribute into buf; *len in: capacity, out: length. */
CK_RV p11_attr_bytes(p11_worker *w, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE a, void *buf,
                     CK_ULONG *len);
int p11_curve_der(const char *curve, const unsigned char **der, size_t *len);

/* p11_ossl.c: OpenSSL, the independent verifier */
typedef struct evp_pkey_st EVP_PKEY;
EVP_PKEY *p11_ossl_public(p11_worker *w, const p11_key *k, char *err, size_t errlen);
int p11_ossl_digest(const char *hash, const unsigned char *msg, size_t len,
                    unsigned char *out, size_t *outlen);
/* Verify what a mechanism produced: 1 valid, 0 invalid, -1 error (err set). `input` is
 * what was passed to C_Sign (message, digest or DigestInfo). */
int p11_ossl_verify(EVP_PKEY *pk, CK_MECHANISM_TYPE mech, const char *hash,
                    const unsigned char *input, size_t inlen, const unsigned char *sig,
                    size_t siglen, long pss_salt, char *err, size_t errlen);
size_t p11_ossl_digest_info(const char *hash, const unsigned char *dg, size_t dglen,
                            unsigned char *out, size_t cap);
EVP_PKEY *p11_ossl_rsa_attacker(unsigned char *n, size_t *nlen, unsigned char *e, size_t *elen);
int p11_ossl_rsa_decrypt(EVP_PKEY *pk, int oaep, const unsigned char *in, size_t inlen,
                         unsigned char *out, size_t *outlen);
void p11_ossl_free(EVP_PKEY *pk);
int p11_ossl_pkcs8_matches(const unsigned char *der, size_t len, EVP_PKEY *pub);
int p11_ossl_aes_ecb(const unsigned char *key, size_t keylen, const unsigned char in[16],
                     unsigned char out[16]);

/* The operations vectors name in "op" (p11_ops_*.c). */
typedef void (*p11_op_fn)(p11_worker *w, cf_vector *v);
void p11_op_get_attribute(p11_worker *w, cf_vector *v);
void p11_op_attribute_hidden(p11_worker *w, cf_vector *v);
void p11_op_set_attribute(p11_worker *w, cf_vector *v);
void p11_op_copy_object(p11_worker *w, cf_vector *v);
void p11_op_generate_key(p11_worker *w, cf_vector *v);
void p11_op_mechanism_min_size(p11_worker *w, cf_vector *v);
void p11_op_usage_refused(p11_worker *w, cf_vector *v);
void p11_op_create_conflicting_key(p11_worker *w, cf_vector *v);
void p11_op_imported_key_provenance(p11_worker *w, cf_vector *v);
void p11_op_sign(p11_worker *w, cf_vector *v);
void p11_op_verify_tampered(p11_worker *w, cf_vector *v);
void p11_op_sign_buffer_too_small(p11_worker *w, cf_vector *v);
void p11_op_always_auth(p11_worker *w, cf_vector *v);
void p11_op_wrap_key(p11_worker *w, cf_vector *v);
void p11_op_wrap_decrypt_attack(p11_worker *w, cf_vector *v);
void p11_op_wrap_untrusted_public(p11_worker *w, cf_vector *v);
void p11_op_wrap_restore(p11_worker *w, cf_vector *v);
void p11_op_random(p11_worker *w, cf_vector *v);
void p11_op_session_object(p11_worker *w, cf_vector *v);
void p11_op_token_object(p11_worker *w, cf_vector *v);
void p11_op_destroy_object(p11_worker *w, cf_vector *v);
void p11_op_login(p11_worker *w, cf_vector *v);
void p11_op_init_token(p11_worker *w, cf_vector *v);

/* Record a PKCS#11 outcome and judge it (cf_judge) with the symbolic name of rv. */
void p11_judge(p11_worker *w, cf_vector *v, int refused, CK_RV rv);

#endif
