/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS#11 key templates with a policy that cannot be forgotten. Every key the adapter asks
 * the crypto module to create (signing key pairs, the SAD-token MAC key, TOTP seeds, the
 * backup KEK) is described by a template built here, in the verified core, and the contract
 * on each builder states the attributes it sets: what the key may do, that it stays
 * sensitive, that it never leaves the module except wrapped under a trusted key. The
 * adapter (src/p11/) passes the arrays to C_GenerateKeyPair, C_GenerateKey, C_CreateObject
 * and C_UnwrapKey unchanged.
 *
 * A template is a caller-owned struct: the CK_BBOOL, CK_ULONG and byte values live in it
 * and the CK_ATTRIBUTE arrays point into it; CKA_ID, CKA_LABEL and an imported seed's
 * CKA_VALUE point to the caller's buffers, which must outlive the template's use (nothing is
 * copied, so a seed exists once, in the caller's buffer, which the caller wipes). Do not copy
 * a built template by value: its attributes would still point into the original.
 *
 * Policy (EN 419 241-1 SRG_KM, ETSI TS 119 312):
 * - signing keys: ECDSA P-256 / P-384, RSA 2048 / 3072 / 4096 bits, nothing else;
 *   private key CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_SIGN, CKA_ALWAYS_AUTHENTICATE,
 *   not CKA_MODIFIABLE; CKA_DECRYPT, CKA_UNWRAP, CKA_DERIVE, CKA_SIGN_RECOVER false;
 *   CKA_EXTRACTABLE false, except in the backup-capable variant, where it is true only
 *   together with CKA_WRAP_WITH_TRUSTED (the key leaves the module only wrapped under a
 *   CKA_TRUSTED key); the public key verifies only.
 * - MAC keys and TOTP seeds: generic secrets, sensitive, not extractable, CKA_SIGN and
 *   CKA_VERIFY only.
 * - the backup KEK: AES-256, sensitive, not extractable, CKA_WRAP and CKA_UNWRAP only
 *   (never encrypt or decrypt, so wrapped blobs cannot be decrypted to plaintext through
 *   it), and CKA_TRUSTED when asked.
 */
#ifndef QSCD_P11T_H
#define QSCD_P11T_H

#include <stddef.h>
#include <stdint.h>
#include <p11-kit/pkcs11.h>

#include "qscd_err.h"

/* Largest CKA_ID and CKA_LABEL a template carries, in bytes. */
#define P11T_ID_MAX     64
#define P11T_LABEL_MAX  64
/* Sizes of the attribute arrays: every template of a kind has exactly this many. */
#define P11T_PRIV_N     16
#define P11T_PUB_N      12
#define P11T_SECRET_N   18
/* Longest CKA_EC_PARAMS (the DER OID of P-256 is 10 bytes, of P-384 7). */
#define P11T_EC_PARAMS_MAX 10

/* Flags. P11T_BACKUP: the backup-capable signing key (extractable only wrapped under a
 * trusted key). P11T_SESSION: a session object (CKA_TOKEN false), only for the adapter's
 * capability probe, whose keys are destroyed at once. P11T_TRUSTED: a KEK marked CKA_TRUSTED;
 * PKCS#11 lets only the security officer set it, and an SO session sees only public
 * objects, so a trusted KEK is CKA_PRIVATE false (it stays sensitive and unextractable). */
#define P11T_BACKUP   1u
#define P11T_SESSION  2u
#define P11T_TRUSTED  4u

/* Key sizes of the policy, in bits: EC keys are named by their curve size (P-256, P-384). */
#define P11T_EC_P256   256u
#define P11T_EC_P384   384u
/* Secret-key lengths, in bytes: MAC keys 32..64 (at least the HMAC-SHA-256 output), TOTP
 * seeds 16..64 (RFC 4226 R6: at least 128 bits), KEK 32 (AES-256). */
#define P11T_MAC_MIN   32u
#define P11T_SEED_MIN  16u
#define P11T_SECRET_MAX_LEN 64u
#define P11T_KEK_LEN   32u

/* Every value an attribute points to is a union of its typed view (v, written by the
 * builders and stated by the contracts) and a char view (c, what pValue points to). The
 * char view is there for the proof: WP's typed memory model cannot relate a CK_ULONG* or
 * CK_BYTE* converted to void* with the original pointer, but it can a char*; C11 6.7.2.1
 * makes &u.c[0] and &u.v the same address, so the module reads exactly v
 * (spec/trusted-base.md, T-P11T-1). */
typedef union p11t_bool  { CK_BBOOL v; char c[1]; } p11t_bool;
typedef union p11t_ulong { CK_ULONG v; char c[sizeof(CK_ULONG)]; } p11t_ulong;
typedef union p11t_oid   { CK_BYTE v[P11T_EC_PARAMS_MAX]; char c[P11T_EC_PARAMS_MAX]; } p11t_oid;
typedef union p11t_exp   { CK_BYTE v[3]; char c[3]; } p11t_exp;

/* A key-pair template: the private key's (also the C_UnwrapKey template of a restore, so a
 * restored key has exactly the policy of a generated one) and the public key's. */
typedef struct p11t_pair {
    p11t_bool yes;               /* CK_TRUE, pointed to by every true attribute */
    p11t_bool no;                /* CK_FALSE, pointed to by every false attribute */
    p11t_ulong priv_class;       /* CKO_PRIVATE_KEY */
    p11t_ulong pub_class;        /* CKO_PUBLIC_KEY */
    p11t_ulong key_type;         /* CKK_EC or CKK_RSA */
    p11t_ulong modulus_bits;     /* RSA only */
    p11t_exp exponent;           /* RSA only: 65537 */
    p11t_oid ec_params;          /* EC only: DER OID of the named curve */
    CK_MECHANISM mech;           /* the key-pair generation mechanism */
    CK_ATTRIBUTE priv[P11T_PRIV_N];
    CK_ULONG npriv;
    CK_ATTRIBUTE pub[P11T_PUB_N];
    CK_ULONG npub;
} p11t_pair;

/* A secret-key template (C_GenerateKey, or C_CreateObject for a seed import, in which case
 * its CKA_VALUE points to the caller's seed). */
typedef struct p11t_secret {
    p11t_bool yes;
    p11t_bool no;
    p11t_ulong key_class;        /* CKO_SECRET_KEY */
    p11t_ulong key_type;         /* CKK_GENERIC_SECRET or CKK_AES */
    p11t_ulong value_len;        /* generated length in bytes (not for an import) */
    CK_MECHANISM mech;           /* the generation mechanism (unused by an import) */
    CK_ATTRIBUTE attr[P11T_SECRET_N];
    CK_ULONG nattr;
} p11t_secret;

/* The contracts below say what each template holds with P11T_HAS(a, n, ty, p, len): the
 * attribute ty is in a[0 .. n-1], and every occurrence of it points to p with length len, so
 * a duplicate cannot override the policy value, whichever occurrence a module honours. That
 * is "(\exists k < n, a[k].type == ty) && (\forall k < n, a[k].type == ty ==> a[k].pValue
 * == p && a[k].ulValueLen == len)", written out over the positions 0 .. 19 (more than the
 * largest template, P11T_SECRET_N). These are C macros, expanded inside the annotations, not
 * ACSL predicates: WP's simplifier then reads every position of the template itself, where
 * behind a predicate (or a quantifier) the provers have to, and run out of time and memory
 * on templates of this size. */
#define P11T_AT_OK(a, n, i, ty, p, len) \
    ((i) < (n) && (a)[i].type == (ty) ==> (a)[i].pValue == (p) && (a)[i].ulValueLen == (len))
#define P11T_AT_IS(a, n, i, ty) ((i) < (n) && (a)[i].type == (ty))
#define P11T_HAS(a, n, ty, p, len) \
    ((P11T_AT_IS(a, n, 0, ty) || P11T_AT_IS(a, n, 1, ty) || P11T_AT_IS(a, n, 2, ty) || \
      P11T_AT_IS(a, n, 3, ty) || P11T_AT_IS(a, n, 4, ty) || P11T_AT_IS(a, n, 5, ty) || \
      P11T_AT_IS(a, n, 6, ty) || P11T_AT_IS(a, n, 7, ty) || P11T_AT_IS(a, n, 8, ty) || \
      P11T_AT_IS(a, n, 9, ty) || P11T_AT_IS(a, n, 10, ty) || P11T_AT_IS(a, n, 11, ty) || \
      P11T_AT_IS(a, n, 12, ty) || P11T_AT_IS(a, n, 13, ty) || P11T_AT_IS(a, n, 14, ty) || \
      P11T_AT_IS(a, n, 15, ty) || P11T_AT_IS(a, n, 16, ty) || P11T_AT_IS(a, n, 17, ty) || \
      P11T_AT_IS(a, n, 18, ty) || P11T_AT_IS(a, n, 19, ty)) && \
     P11T_AT_OK(a, n, 0, ty, p, len) && P11T_AT_OK(a, n, 1, ty, p, len) && \
     P11T_AT_OK(a, n, 2, ty, p, len) && P11T_AT_OK(a, n, 3, ty, p, len) && \
     P11T_AT_OK(a, n, 4, ty, p, len) && P11T_AT_OK(a, n, 5, ty, p, len) && \
     P11T_AT_OK(a, n, 6, ty, p, len) && P11T_AT_OK(a, n, 7, ty, p, len) && \
     P11T_AT_OK(a, n, 8, ty, p, len) && P11T_AT_OK(a, n, 9, ty, p, len) && \
     P11T_AT_OK(a, n, 10, ty, p, len) && P11T_AT_OK(a, n, 11, ty, p, len) && \
     P11T_AT_OK(a, n, 12, ty, p, len) && P11T_AT_OK(a, n, 13, ty, p, len) && \
     P11T_AT_OK(a, n, 14, ty, p, len) && P11T_AT_OK(a, n, 15, ty, p, len) && \
     P11T_AT_OK(a, n, 16, ty, p, len) && P11T_AT_OK(a, n, 17, ty, p, len) && \
     P11T_AT_OK(a, n, 18, ty, p, len) && P11T_AT_OK(a, n, 19, ty, p, len))

/* The same for the private and public halves of a key-pair template and for a secret-key
 * template: _IS with an explicit value, _TRUE and _FALSE for the template's CK_TRUE and
 * CK_FALSE. */
#define P11T_PRIV_IS(t, ty, p, len)  P11T_HAS((t)->priv, P11T_PRIV_N, ty, p, len)
#define P11T_PRIV_TRUE(t, ty)        P11T_PRIV_IS(t, ty, &(t)->yes.c[0], 1)
#define P11T_PRIV_FALSE(t, ty)       P11T_PRIV_IS(t, ty, &(t)->no.c[0], 1)
#define P11T_PUB_IS(t, ty, p, len)   P11T_HAS((t)->pub, P11T_PUB_N, ty, p, len)
#define P11T_PUB_TRUE(t, ty)         P11T_PUB_IS(t, ty, &(t)->yes.c[0], 1)
#define P11T_PUB_FALSE(t, ty)        P11T_PUB_IS(t, ty, &(t)->no.c[0], 1)
#define P11T_SEC_IS(t, ty, p, len)   P11T_HAS((t)->attr, P11T_SECRET_N, ty, p, len)
#define P11T_SEC_TRUE(t, ty)         P11T_SEC_IS(t, ty, &(t)->yes.c[0], 1)
#define P11T_SEC_FALSE(t, ty)        P11T_SEC_IS(t, ty, &(t)->no.c[0], 1)

/*@
    predicate p11t_args_ok(integer id_len, integer label_len) =
      1 <= id_len <= P11T_ID_MAX && 0 <= label_len <= P11T_LABEL_MAX;

    // The caller's id and label: readable (the template points to them).
    predicate p11t_names_readable{L}(char *id, integer id_len, char *label, integer label_len) =
      \valid_read(id + (0 .. id_len - 1)) && \valid_read(label + (0 .. label_len - 1));

    // SRG_KM.1.2: the signing algorithms and key sizes of the policy (TS 119 312).
    predicate p11t_sign_alg_ok(integer type, integer bits) =
      (type == CKK_EC && (bits == P11T_EC_P256 || bits == P11T_EC_P384)) ||
      (type == CKK_RSA && (bits == 2048 || bits == 3072 || bits == 4096));

    predicate p11t_oid_p256{L}(uint8_t *p) =
      p[0] == 0x06 && p[1] == 0x08 && p[2] == 0x2a && p[3] == 0x86 && p[4] == 0x48 &&
      p[5] == 0xce && p[6] == 0x3d && p[7] == 0x03 && p[8] == 0x01 && p[9] == 0x07;
    predicate p11t_oid_p384{L}(uint8_t *p) =
      p[0] == 0x06 && p[1] == 0x05 && p[2] == 0x2b && p[3] == 0x81 && p[4] == 0x04 &&
      p[5] == 0x00 && p[6] == 0x22;

    predicate p11t_kek_flags_ok(integer flags) =
      flags == 0 || flags == P11T_SESSION || flags == P11T_TRUSTED ||
      flags == (P11T_SESSION | P11T_TRUSTED);
*/

/* Arguments of the MAC-key and seed builders: sizes, and no flag but P11T_SESSION. (A macro,
 * so that the simplifier sees the flags it decides on, as above.) */
#define P11T_SECRET_ARGS_OK(id_len, label_len, flags) \
    (p11t_args_ok(id_len, label_len) && ((flags) == 0 || (flags) == P11T_SESSION))

/* What every secret key of the policy has (SRG_KM.1.1, SRG_KM.1.3): class, sensitive, never
 * extractable, not modifiable, no derivation, no encryption or decryption, on the token
 * unless a probe's. */
#define P11T_SECRET_COMMON(t, flags) \
    ((t)->nattr == P11T_SECRET_N && (t)->yes.v == CK_TRUE && (t)->no.v == CK_FALSE && \
     P11T_SEC_IS(t, CKA_CLASS, &(t)->key_class.c[0], sizeof(CK_ULONG)) && \
     (t)->key_class.v == CKO_SECRET_KEY && \
     P11T_SEC_IS(t, CKA_KEY_TYPE, &(t)->key_type.c[0], sizeof(CK_ULONG)) && \
     P11T_SEC_IS(t, CKA_TOKEN, \
                 ((flags) & P11T_SESSION) != 0 ? &(t)->no.c[0] : &(t)->yes.c[0], 1) && \
     P11T_SEC_TRUE(t, CKA_SENSITIVE) && P11T_SEC_FALSE(t, CKA_EXTRACTABLE) && \
     P11T_SEC_FALSE(t, CKA_MODIFIABLE) && P11T_SEC_FALSE(t, CKA_DERIVE) && \
     P11T_SEC_FALSE(t, CKA_ENCRYPT) && P11T_SEC_FALSE(t, CKA_DECRYPT))

/* A MAC key or TOTP seed (SRG_KM.3.1): a private generic secret, CKA_SIGN and CKA_VERIFY,
 * nothing else (no wrapping, and never trusted). */
#define P11T_MAC_USAGE(t) \
    ((t)->key_type.v == CKK_GENERIC_SECRET && P11T_SEC_TRUE(t, CKA_PRIVATE) && \
     P11T_SEC_TRUE(t, CKA_SIGN) && P11T_SEC_TRUE(t, CKA_VERIFY) && \
     P11T_SEC_FALSE(t, CKA_WRAP) && P11T_SEC_FALSE(t, CKA_UNWRAP) && \
     P11T_SEC_FALSE(t, CKA_TRUSTED))

/* Build the template of a signing key pair: type CKK_EC with bits 256 (P-256) or 384
 * (P-384), or CKK_RSA with bits 2048, 3072 or 4096; flags P11T_BACKUP and/or P11T_SESSION;
 * id (1..P11T_ID_MAX bytes, unique on the token: the adapter checks that) and label
 * (0..P11T_LABEL_MAX bytes) are copied into the template. On error the template is left
 * empty (no attributes), so it cannot be used by mistake.
 *
 *   QSCD_OK                the template is built
 *   QSCD_ERR_KEY_POLICY    the algorithm or key size is not in the policy
 *   QSCD_ERR_ARG           id or label length out of range, or an unknown flag
 */
/*@ requires valid_t: \valid(t);
    requires names: p11t_names_readable(id, id_len, label, label_len);
    requires separated: \separated(t, id + (0 .. id_len - 1), label + (0 .. label_len - 1));
    terminates \true;
    assigns *t;

    behavior bad_arg:
      assumes !p11t_args_ok(id_len, label_len) || flags > (P11T_BACKUP | P11T_SESSION);
      ensures error: \result == QSCD_ERR_ARG;
      ensures empty: t->npriv == 0 && t->npub == 0;
    behavior refused:
      assumes p11t_args_ok(id_len, label_len) && flags <= (P11T_BACKUP | P11T_SESSION);
      assumes !p11t_sign_alg_ok(type, bits);
      ensures SRG_KM_1_2_refused: \result == QSCD_ERR_KEY_POLICY;
      ensures empty: t->npriv == 0 && t->npub == 0;
    behavior ok:
      assumes p11t_args_ok(id_len, label_len) && flags <= (P11T_BACKUP | P11T_SESSION);
      assumes p11t_sign_alg_ok(type, bits);
      ensures result: \result == QSCD_OK;
      ensures sizes: t->npriv == P11T_PRIV_N && t->npub == P11T_PUB_N;
      ensures values: t->yes.v == CK_TRUE && t->no.v == CK_FALSE;
      ensures class: P11T_PRIV_IS(t, CKA_CLASS, &t->priv_class.c[0], sizeof(CK_ULONG))
                  && t->priv_class.v == CKO_PRIVATE_KEY
                  && P11T_PUB_IS(t, CKA_CLASS, &t->pub_class.c[0], sizeof(CK_ULONG))
                  && t->pub_class.v == CKO_PUBLIC_KEY;
      ensures SRG_KM_1_2_type: P11T_PRIV_IS(t, CKA_KEY_TYPE, &t->key_type.c[0], sizeof(CK_ULONG))
                  && P11T_PUB_IS(t, CKA_KEY_TYPE, &t->key_type.c[0], sizeof(CK_ULONG))
                  && t->key_type.v == type;
      ensures SRG_KM_1_2_mechanism: t->mech.pParameter == \null && t->mech.ulParameterLen == 0
                  && (type == CKK_EC ==> t->mech.mechanism == CKM_EC_KEY_PAIR_GEN)
                  && (type == CKK_RSA ==> t->mech.mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN);
      ensures SRG_KM_1_2_p256: type == CKK_EC && bits == P11T_EC_P256 ==>
                  P11T_PUB_IS(t, CKA_EC_PARAMS, &t->ec_params.c[0], 10)
                  && p11t_oid_p256(&t->ec_params.v[0]);
      ensures SRG_KM_1_2_p384: type == CKK_EC && bits == P11T_EC_P384 ==>
                  P11T_PUB_IS(t, CKA_EC_PARAMS, &t->ec_params.c[0], 7)
                  && p11t_oid_p384(&t->ec_params.v[0]);
      ensures SRG_KM_1_2_rsa: type == CKK_RSA ==>
                  P11T_PUB_IS(t, CKA_MODULUS_BITS, &t->modulus_bits.c[0], sizeof(CK_ULONG))
                  && t->modulus_bits.v == bits
                  && P11T_PUB_IS(t, CKA_PUBLIC_EXPONENT, &t->exponent.c[0], 3)
                  && t->exponent.v[0] == 1 && t->exponent.v[1] == 0 && t->exponent.v[2] == 1;
      ensures SRG_KM_1_1_token: (flags & P11T_SESSION) == 0 ==>
                  P11T_PRIV_TRUE(t, CKA_TOKEN) && P11T_PUB_TRUE(t, CKA_TOKEN);
      ensures session_probe: (flags & P11T_SESSION) != 0 ==>
                  P11T_PRIV_FALSE(t, CKA_TOKEN) && P11T_PUB_FALSE(t, CKA_TOKEN);
      ensures SRG_KM_1_3_private: P11T_PRIV_TRUE(t, CKA_PRIVATE);
      ensures SRG_KM_1_3_sensitive: P11T_PRIV_TRUE(t, CKA_SENSITIVE);
      ensures SRG_KM_1_3_not_modifiable: P11T_PRIV_FALSE(t, CKA_MODIFIABLE);
      ensures SRG_KM_1_1_not_extractable: (flags & P11T_BACKUP) == 0 ==>
                  P11T_PRIV_FALSE(t, CKA_EXTRACTABLE);
      ensures SRG_KM_2_2_backup: (flags & P11T_BACKUP) != 0 ==> P11T_PRIV_TRUE(t, CKA_EXTRACTABLE);
      ensures SRG_KM_2_2_wrapped_only: P11T_PRIV_TRUE(t, CKA_WRAP_WITH_TRUSTED);
      ensures SRG_KM_3_1_sign: P11T_PRIV_TRUE(t, CKA_SIGN);
      ensures SRG_KM_3_1_no_sign_recover: P11T_PRIV_FALSE(t, CKA_SIGN_RECOVER);
      ensures SRG_KM_3_1_no_decrypt: P11T_PRIV_FALSE(t, CKA_DECRYPT);
      ensures SRG_KM_3_1_no_unwrap: P11T_PRIV_FALSE(t, CKA_UNWRAP);
      ensures SRG_KM_3_1_no_derive: P11T_PRIV_FALSE(t, CKA_DERIVE);
      ensures SRG_KM_3_1_always_authenticate: P11T_PRIV_TRUE(t, CKA_ALWAYS_AUTHENTICATE);
      ensures SRG_KM_3_1_public_verify_only: P11T_PUB_TRUE(t, CKA_VERIFY)
                  && P11T_PUB_FALSE(t, CKA_ENCRYPT) && P11T_PUB_FALSE(t, CKA_WRAP)
                  && P11T_PUB_FALSE(t, CKA_VERIFY_RECOVER) && P11T_PUB_FALSE(t, CKA_PRIVATE);
      ensures id: P11T_PRIV_IS(t, CKA_ID, (char *)id, id_len)
                  && P11T_PUB_IS(t, CKA_ID, (char *)id, id_len);
      ensures label: P11T_PRIV_IS(t, CKA_LABEL, (char *)label, label_len)
                  && P11T_PUB_IS(t, CKA_LABEL, (char *)label, label_len);

    complete behaviors;
    disjoint behaviors;
*/
int p11t_pair_build(p11t_pair *t, CK_KEY_TYPE type, CK_ULONG bits, unsigned flags,
                    const char *id, size_t id_len, const char *label, size_t label_len);

/* Build the generation template of an HMAC key (the SAD-token MAC key): a generic secret of
 * key_len bytes (P11T_MAC_MIN .. P11T_SECRET_MAX_LEN), CKM_GENERIC_SECRET_KEY_GEN; flags 0 or
 * P11T_SESSION; id and label as for p11t_pair_build.
 *
 *   QSCD_OK                the template is built
 *   QSCD_ERR_KEY_POLICY    key_len out of range
 *   QSCD_ERR_ARG           id or label length out of range, or an unknown flag
 */
/*@ requires valid_t: \valid(t);
    requires names: p11t_names_readable(id, id_len, label, label_len);
    requires separated: \separated(t, id + (0 .. id_len - 1), label + (0 .. label_len - 1));
    terminates \true;
    assigns *t;

    behavior bad_arg:
      assumes !P11T_SECRET_ARGS_OK(id_len, label_len, flags);
      ensures error: \result == QSCD_ERR_ARG;
      ensures empty: t->nattr == 0;
    behavior refused:
      assumes P11T_SECRET_ARGS_OK(id_len, label_len, flags);
      assumes key_len < P11T_MAC_MIN || key_len > P11T_SECRET_MAX_LEN;
      ensures SRG_KM_1_2_refused: \result == QSCD_ERR_KEY_POLICY;
      ensures empty: t->nattr == 0;
    behavior ok:
      assumes P11T_SECRET_ARGS_OK(id_len, label_len, flags);
      assumes P11T_MAC_MIN <= key_len <= P11T_SECRET_MAX_LEN;
      ensures result: \result == QSCD_OK;
      ensures SRG_KM_1_3_protected: P11T_SECRET_COMMON(t, flags);
      ensures SRG_KM_3_1_mac_only: P11T_MAC_USAGE(t);
      ensures SRG_KM_1_2_length: P11T_SEC_IS(t, CKA_VALUE_LEN, &t->value_len.c[0], sizeof(CK_ULONG))
                  && t->value_len.v == key_len
                  && t->mech.mechanism == CKM_GENERIC_SECRET_KEY_GEN
                  && t->mech.pParameter == \null && t->mech.ulParameterLen == 0;
      ensures id: P11T_SEC_IS(t, CKA_ID, (char *)id, id_len);
      ensures label: P11T_SEC_IS(t, CKA_LABEL, (char *)label, label_len);

    complete behaviors;
    disjoint behaviors;
*/
int p11t_mac_build(p11t_secret *t, CK_ULONG key_len, unsigned flags,
                   const char *id, size_t id_len, const char *label, size_t label_len);

/* Build the C_CreateObject template that imports a TOTP seed (RFC 4226/6238) once, at
 * enrolment: a generic secret whose CKA_VALUE points to seed[0 .. seed_len-1]
 * (P11T_SEED_MIN .. P11T_SECRET_MAX_LEN bytes). The module copies the value into the key
 * object; the caller wipes its seed buffer right after C_CreateObject. Sensitive and never
 * extractable, so the seed cannot be read back. Flags, id and label as for p11t_mac_build.
 *
 *   QSCD_OK                the template is built
 *   QSCD_ERR_KEY_POLICY    seed_len out of range
 *   QSCD_ERR_ARG           id or label length out of range, or an unknown flag
 */
/*@ requires valid_t: \valid(t);
    requires valid_seed: \valid_read(seed + (0 .. seed_len - 1));
    requires names: p11t_names_readable(id, id_len, label, label_len);
    requires separated: \separated(t, seed + (0 .. seed_len - 1), id + (0 .. id_len - 1),
                                    label + (0 .. label_len - 1));
    terminates \true;
    assigns *t;

    behavior bad_arg:
      assumes !P11T_SECRET_ARGS_OK(id_len, label_len, flags);
      ensures error: \result == QSCD_ERR_ARG;
      ensures empty: t->nattr == 0;
    behavior refused:
      assumes P11T_SECRET_ARGS_OK(id_len, label_len, flags);
      assumes seed_len < P11T_SEED_MIN || seed_len > P11T_SECRET_MAX_LEN;
      ensures SRG_KM_1_2_refused: \result == QSCD_ERR_KEY_POLICY;
      ensures empty: t->nattr == 0;
    behavior ok:
      assumes P11T_SECRET_ARGS_OK(id_len, label_len, flags);
      assumes P11T_SEED_MIN <= seed_len <= P11T_SECRET_MAX_LEN;
      ensures result: \result == QSCD_OK;
      ensures SRG_KM_1_3_protected: P11T_SECRET_COMMON(t, flags);
      ensures SRG_KM_3_1_mac_only: P11T_MAC_USAGE(t);
      ensures value: P11T_SEC_IS(t, CKA_VALUE, (char *)seed, seed_len);
      ensures id: P11T_SEC_IS(t, CKA_ID, (char *)id, id_len);
      ensures label: P11T_SEC_IS(t, CKA_LABEL, (char *)label, label_len);

    complete behaviors;
    disjoint behaviors;
*/
int p11t_seed_build(p11t_secret *t, const char *seed, size_t seed_len, unsigned flags,
                    const char *id, size_t id_len, const char *label, size_t label_len);

/* Build the generation template of the backup KEK: AES-256 (P11T_KEK_LEN bytes),
 * CKM_AES_KEY_GEN, CKA_WRAP and CKA_UNWRAP only; flags P11T_TRUSTED (CKA_TRUSTED true,
 * generated in a security-officer session, and therefore CKA_PRIVATE false) and/or
 * P11T_SESSION; id and label as for p11t_pair_build.
 *
 *   QSCD_OK                the template is built
 *   QSCD_ERR_ARG           id or label length out of range, or an unknown flag
 */
/*@ requires valid_t: \valid(t);
    requires names: p11t_names_readable(id, id_len, label, label_len);
    requires separated: \separated(t, id + (0 .. id_len - 1), label + (0 .. label_len - 1));
    terminates \true;
    assigns *t;

    behavior bad_arg:
      assumes !p11t_args_ok(id_len, label_len) || !p11t_kek_flags_ok(flags);
      ensures error: \result == QSCD_ERR_ARG;
      ensures empty: t->nattr == 0;
    behavior ok:
      assumes p11t_args_ok(id_len, label_len) && p11t_kek_flags_ok(flags);
      ensures result: \result == QSCD_OK;
      ensures SRG_KM_2_2_kek_protected: P11T_SECRET_COMMON(t, flags);
      ensures SRG_KM_2_2_kek_aes256: t->key_type.v == CKK_AES
                  && P11T_SEC_IS(t, CKA_VALUE_LEN, &t->value_len.c[0], sizeof(CK_ULONG))
                  && t->value_len.v == P11T_KEK_LEN
                  && t->mech.mechanism == CKM_AES_KEY_GEN
                  && t->mech.pParameter == \null && t->mech.ulParameterLen == 0;
      ensures SRG_KM_3_1_kek_wrap_only: P11T_SEC_TRUE(t, CKA_WRAP) && P11T_SEC_TRUE(t, CKA_UNWRAP)
                  && P11T_SEC_FALSE(t, CKA_SIGN) && P11T_SEC_FALSE(t, CKA_VERIFY);
      ensures SRG_KM_2_2_kek_trusted: (flags & P11T_TRUSTED) != 0 ==>
                  P11T_SEC_TRUE(t, CKA_TRUSTED) && P11T_SEC_FALSE(t, CKA_PRIVATE);
      ensures untrusted: (flags & P11T_TRUSTED) == 0 ==>
                  P11T_SEC_FALSE(t, CKA_TRUSTED) && P11T_SEC_TRUE(t, CKA_PRIVATE);
      ensures id: P11T_SEC_IS(t, CKA_ID, (char *)id, id_len);
      ensures label: P11T_SEC_IS(t, CKA_LABEL, (char *)label, label_len);

    complete behaviors;
    disjoint behaviors;
*/
int p11t_kek_build(p11t_secret *t, unsigned flags,
                   const char *id, size_t id_len, const char *label, size_t label_len);

#endif
