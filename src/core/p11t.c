/* SPDX-License-Identifier: Apache-2.0 */
/* PKCS#11 key templates of the policy (contracts in p11t.h). */
#include "p11t.h"

/* One attribute, in one line: the arrays are filled by straight-line stores at constant
 * positions, which is what lets WP see every attribute of a template at once. */
#define P11T_SET(a, i, ty, p, len) \
    do { (a)[i].type = (ty); (a)[i].pValue = (p); (a)[i].ulValueLen = (len); } while (0)

/* The same attribute in the contracts. A macro, not an ACSL predicate: Frama-C expands it
 * before WP's simplifier (Qed) sees the goal, and Qed can then read each position of the
 * template through the stores; behind a predicate the provers would have to do it, and
 * they run out of memory on templates of this size. */
#define P11T_AT(a, i, ty, p, len) \
    ((a)[i].type == (ty) && (a)[i].pValue == (p) && (a)[i].ulValueLen == (len))

/* The private-key template, position by position. */
#define P11T_PRIV_LAYOUT(t, flags, id, id_len, label, label_len) \
    (P11T_AT((t)->priv, 0, CKA_CLASS, &(t)->priv_class.c[0], sizeof(CK_ULONG)) && \
     P11T_AT((t)->priv, 1, CKA_KEY_TYPE, &(t)->key_type.c[0], sizeof(CK_ULONG)) && \
     P11T_AT((t)->priv, 2, CKA_TOKEN, \
             ((flags) & P11T_SESSION) != 0 ? &(t)->no.c[0] : &(t)->yes.c[0], 1) && \
     P11T_AT((t)->priv, 3, CKA_PRIVATE, &(t)->yes.c[0], 1) && \
     P11T_AT((t)->priv, 4, CKA_SENSITIVE, &(t)->yes.c[0], 1) && \
     P11T_AT((t)->priv, 5, CKA_EXTRACTABLE, \
             ((flags) & P11T_BACKUP) != 0 ? &(t)->yes.c[0] : &(t)->no.c[0], 1) && \
     P11T_AT((t)->priv, 6, CKA_SIGN, &(t)->yes.c[0], 1) && \
     P11T_AT((t)->priv, 7, CKA_SIGN_RECOVER, &(t)->no.c[0], 1) && \
     P11T_AT((t)->priv, 8, CKA_DECRYPT, &(t)->no.c[0], 1) && \
     P11T_AT((t)->priv, 9, CKA_UNWRAP, &(t)->no.c[0], 1) && \
     P11T_AT((t)->priv, 10, CKA_DERIVE, &(t)->no.c[0], 1) && \
     P11T_AT((t)->priv, 11, CKA_ALWAYS_AUTHENTICATE, &(t)->yes.c[0], 1) && \
     P11T_AT((t)->priv, 12, CKA_WRAP_WITH_TRUSTED, &(t)->yes.c[0], 1) && \
     P11T_AT((t)->priv, 13, CKA_ID, id, id_len) && \
     P11T_AT((t)->priv, 14, CKA_LABEL, label, label_len) && \
     P11T_AT((t)->priv, 15, CKA_MODIFIABLE, &(t)->no.c[0], 1) && \
     (t)->npriv == P11T_PRIV_N)

/* The public-key template, position by position (ec_len: length of CKA_EC_PARAMS). */
#define P11T_PUB_LAYOUT(t, type, flags, id, id_len, label, label_len, ec_len) \
    (P11T_AT((t)->pub, 0, CKA_CLASS, &(t)->pub_class.c[0], sizeof(CK_ULONG)) && \
     P11T_AT((t)->pub, 1, CKA_KEY_TYPE, &(t)->key_type.c[0], sizeof(CK_ULONG)) && \
     P11T_AT((t)->pub, 2, CKA_TOKEN, \
             ((flags) & P11T_SESSION) != 0 ? &(t)->no.c[0] : &(t)->yes.c[0], 1) && \
     P11T_AT((t)->pub, 3, CKA_PRIVATE, &(t)->no.c[0], 1) && \
     P11T_AT((t)->pub, 4, CKA_VERIFY, &(t)->yes.c[0], 1) && \
     P11T_AT((t)->pub, 5, CKA_ENCRYPT, &(t)->no.c[0], 1) && \
     P11T_AT((t)->pub, 6, CKA_WRAP, &(t)->no.c[0], 1) && \
     P11T_AT((t)->pub, 7, CKA_VERIFY_RECOVER, &(t)->no.c[0], 1) && \
     P11T_AT((t)->pub, 8, CKA_ID, id, id_len) && \
     P11T_AT((t)->pub, 9, CKA_LABEL, label, label_len) && \
     ((type) == CKK_EC ? \
        P11T_AT((t)->pub, 10, CKA_EC_PARAMS, &(t)->ec_params.c[0], ec_len) && \
        P11T_AT((t)->pub, 11, CKA_DERIVE, &(t)->no.c[0], 1) : \
        P11T_AT((t)->pub, 10, CKA_MODULUS_BITS, &(t)->modulus_bits.c[0], sizeof(CK_ULONG)) && \
        P11T_AT((t)->pub, 11, CKA_PUBLIC_EXPONENT, &(t)->exponent.c[0], 3)) && \
     (t)->npub == P11T_PUB_N)

/* The private-key template, position by position; the values it points to are set after. */
/*@ requires valid_t: \valid(t);
    requires lengths: p11t_args_ok(id_len, label_len);
    terminates \true;
    assigns t->priv[0 .. P11T_PRIV_N - 1], t->npriv;
    ensures layout: P11T_PRIV_LAYOUT(t, flags, id, id_len, label, label_len);
*/
static void p11t_priv_fill(p11t_pair *t, unsigned flags, char *id, size_t id_len,
                           char *label, size_t label_len)
{
    CK_ATTRIBUTE *a = t->priv;
    char *token = t->yes.c, *extractable = t->no.c;

    if ((flags & P11T_SESSION) != 0u)
        token = t->no.c;
    if ((flags & P11T_BACKUP) != 0u)
        extractable = t->yes.c;
    P11T_SET(a, 0, CKA_CLASS, t->priv_class.c, sizeof(CK_ULONG));
    P11T_SET(a, 1, CKA_KEY_TYPE, t->key_type.c, sizeof(CK_ULONG));
    P11T_SET(a, 2, CKA_TOKEN, token, 1);
    P11T_SET(a, 3, CKA_PRIVATE, t->yes.c, 1);
    P11T_SET(a, 4, CKA_SENSITIVE, t->yes.c, 1);
    P11T_SET(a, 5, CKA_EXTRACTABLE, extractable, 1);
    P11T_SET(a, 6, CKA_SIGN, t->yes.c, 1);
    P11T_SET(a, 7, CKA_SIGN_RECOVER, t->no.c, 1);
    P11T_SET(a, 8, CKA_DECRYPT, t->no.c, 1);
    P11T_SET(a, 9, CKA_UNWRAP, t->no.c, 1);
    P11T_SET(a, 10, CKA_DERIVE, t->no.c, 1);
    P11T_SET(a, 11, CKA_ALWAYS_AUTHENTICATE, t->yes.c, 1);
    /* In every variant: were the key ever made extractable, it could still leave the
     * module only wrapped under a CKA_TRUSTED key. */
    P11T_SET(a, 12, CKA_WRAP_WITH_TRUSTED, t->yes.c, 1);
    P11T_SET(a, 13, CKA_ID, id, id_len);
    P11T_SET(a, 14, CKA_LABEL, label, label_len);
    /* Not modifiable: C_SetAttributeValue can then neither add a usage (CKA_DECRYPT) nor
     * drop CKA_ALWAYS_AUTHENTICATE later; SoftHSMv2 and NSS softokn both honour it. Last:
     * SoftHSMv2 applies an unwrap template in order and refuses every attribute after it. */
    P11T_SET(a, 15, CKA_MODIFIABLE, t->no.c, 1);
    t->npriv = P11T_PRIV_N;
}

/* The public-key template: verify only. */
/*@ requires valid_t: \valid(t);
    requires lengths: p11t_args_ok(id_len, label_len) && 0 < ec_len <= P11T_EC_PARAMS_MAX;
    terminates \true;
    assigns t->pub[0 .. P11T_PUB_N - 1], t->npub;
    ensures layout: P11T_PUB_LAYOUT(t, type, flags, id, id_len, label, label_len, ec_len);
*/
static void p11t_pub_fill(p11t_pair *t, CK_KEY_TYPE type, unsigned flags, char *id,
                          size_t id_len, char *label, size_t label_len, size_t ec_len)
{
    CK_ATTRIBUTE *b = t->pub;
    char *token = t->yes.c;
    /* The algorithm's last two attributes: RSA by default, EC below. Only these locals
     * depend on the branches, so the stores below are one straight line. */
    CK_ATTRIBUTE_TYPE ty10 = CKA_MODULUS_BITS, ty11 = CKA_PUBLIC_EXPONENT;
    char *p10 = t->modulus_bits.c, *p11 = t->exponent.c;
    CK_ULONG len10 = sizeof(CK_ULONG), len11 = 3;

    if ((flags & P11T_SESSION) != 0u)
        token = t->no.c;
    if (type == CKK_EC) {
        /* CKA_DERIVE false keeps every public template the same size. */
        ty10 = CKA_EC_PARAMS;
        p10 = t->ec_params.c;
        len10 = ec_len;
        ty11 = CKA_DERIVE;
        p11 = t->no.c;
        len11 = 1;
    }
    P11T_SET(b, 0, CKA_CLASS, t->pub_class.c, sizeof(CK_ULONG));
    P11T_SET(b, 1, CKA_KEY_TYPE, t->key_type.c, sizeof(CK_ULONG));
    P11T_SET(b, 2, CKA_TOKEN, token, 1);
    P11T_SET(b, 3, CKA_PRIVATE, t->no.c, 1);
    P11T_SET(b, 4, CKA_VERIFY, t->yes.c, 1);
    P11T_SET(b, 5, CKA_ENCRYPT, t->no.c, 1);
    P11T_SET(b, 6, CKA_WRAP, t->no.c, 1);
    P11T_SET(b, 7, CKA_VERIFY_RECOVER, t->no.c, 1);
    P11T_SET(b, 8, CKA_ID, id, id_len);
    P11T_SET(b, 9, CKA_LABEL, label, label_len);
    P11T_SET(b, 10, ty10, p10, len10);
    P11T_SET(b, 11, ty11, p11, len11);
    t->npub = P11T_PUB_N;
}

/* The algorithm-specific values: curve OID or modulus size and exponent, and the generation
 * mechanism. Returns the length of the curve OID (0 for RSA). */
/*@ requires valid_t: \valid(t);
    requires alg: p11t_sign_alg_ok(type, bits);
    terminates \true;
    assigns t->ec_params, t->modulus_bits, t->exponent, t->mech;
    ensures mechanism: t->mech.pParameter == \null && t->mech.ulParameterLen == 0
              && (type == CKK_EC ==> t->mech.mechanism == CKM_EC_KEY_PAIR_GEN)
              && (type == CKK_RSA ==> t->mech.mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN);
    ensures p256: type == CKK_EC && bits == P11T_EC_P256 ==>
              \result == 10 && p11t_oid_p256(&t->ec_params.v[0]);
    ensures p384: type == CKK_EC && bits == P11T_EC_P384 ==>
              \result == 7 && p11t_oid_p384(&t->ec_params.v[0]);
    ensures rsa: type == CKK_RSA ==> \result == 0 && t->modulus_bits.v == bits
              && t->exponent.v[0] == 1 && t->exponent.v[1] == 0 && t->exponent.v[2] == 1;
*/
static size_t p11t_alg_values(p11t_pair *t, CK_KEY_TYPE type, CK_ULONG bits)
{
    CK_BYTE *o = t->ec_params.v;
    size_t len = 0;

    t->mech.pParameter = NULL;
    t->mech.ulParameterLen = 0;
    t->mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
    t->modulus_bits.v = bits;
    t->exponent.v[0] = 1;
    t->exponent.v[1] = 0;
    t->exponent.v[2] = 1;
    if (type == CKK_EC) {
        t->mech.mechanism = CKM_EC_KEY_PAIR_GEN;
        /* namedCurve OIDs: 1.2.840.10045.3.1.7 (P-256), 1.3.132.0.34 (P-384). */
        if (bits == P11T_EC_P256) {
            o[0] = 0x06; o[1] = 0x08; o[2] = 0x2a; o[3] = 0x86; o[4] = 0x48;
            o[5] = 0xce; o[6] = 0x3d; o[7] = 0x03; o[8] = 0x01; o[9] = 0x07;
            len = 10;
        } else {
            o[0] = 0x06; o[1] = 0x05; o[2] = 0x2b; o[3] = 0x81; o[4] = 0x04;
            o[5] = 0x00; o[6] = 0x22;
            len = 7;
        }
    }
    return len;
}

/* The policy's signing algorithms and sizes (SRG_KM.1.2); one call, so the caller has one
 * branch to prove, not one per accepted combination. */
/*@ terminates \true;
    assigns \nothing;
    ensures policy: \result != 0 <==> p11t_sign_alg_ok(type, bits);
*/
static int p11t_sign_alg_accepted(CK_KEY_TYPE type, CK_ULONG bits)
{
    if (type == CKK_EC)
        return bits == P11T_EC_P256 || bits == P11T_EC_P384;
    if (type == CKK_RSA)
        return bits == 2048 || bits == 3072 || bits == 4096;
    return 0;
}

/*@ terminates \true;
    assigns \nothing;
    ensures args: \result != 0 <==> p11t_args_ok(id_len, label_len);
*/
static int p11t_args_accepted(size_t id_len, size_t label_len)
{
    return id_len >= 1 && id_len <= P11T_ID_MAX && label_len <= P11T_LABEL_MAX;
}

int p11t_pair_build(p11t_pair *t, CK_KEY_TYPE type, CK_ULONG bits, unsigned flags,
                    const char *id, size_t id_len, const char *label, size_t label_len)
{
    size_t ec_len;

    t->npriv = 0;
    t->npub = 0;
    if (!p11t_args_accepted(id_len, label_len) || flags > (P11T_BACKUP | P11T_SESSION))
        return QSCD_ERR_ARG;
    if (!p11t_sign_alg_accepted(type, bits))
        return QSCD_ERR_KEY_POLICY;
    ec_len = p11t_alg_values(t, type, bits);
    /* RSA has no curve: its public template has no CKA_EC_PARAMS, and 1 keeps the fill's
     * precondition simple. The id and label are the caller's: the module only reads them
     * (C_GenerateKeyPair takes the templates as input). */
    /* The values the attributes point to, before the fills: the fills' assigns clauses (the
     * attribute arrays and counts only) carry them across, and the curve bytes cross no store
     * (with the stores after the fills, z3 ran out of memory relating them to the curve). */
    t->yes.v = CK_TRUE;
    t->no.v = CK_FALSE;
    t->priv_class.v = CKO_PRIVATE_KEY;
    t->pub_class.v = CKO_PUBLIC_KEY;
    t->key_type.v = type;
    p11t_priv_fill(t, flags, (char *)id, id_len, (char *)label, label_len);
    p11t_pub_fill(t, type, flags, (char *)id, id_len, (char *)label, label_len,
                  ec_len > 0 ? ec_len : 1);
    return QSCD_OK;
}

/* ------------------------------------------------------------------ secret keys */

/* The secret-key template, position by position: kek selects the usage (wrap and unwrap
 * for the KEK, sign and verify for a MAC key or seed); position 16 is CKA_VALUE_LEN for a
 * generation or CKA_VALUE for an import (vty, vp, vlen). */
#define P11T_SECRET_LAYOUT(t, kek, flags, id, id_len, label, label_len, vty, vp, vlen) \
    (P11T_AT((t)->attr, 0, CKA_CLASS, &(t)->key_class.c[0], sizeof(CK_ULONG)) && \
     P11T_AT((t)->attr, 1, CKA_KEY_TYPE, &(t)->key_type.c[0], sizeof(CK_ULONG)) && \
     P11T_AT((t)->attr, 2, CKA_TOKEN, \
             ((flags) & P11T_SESSION) != 0 ? &(t)->no.c[0] : &(t)->yes.c[0], 1) && \
     P11T_AT((t)->attr, 3, CKA_PRIVATE, \
             (kek) != 0 && ((flags) & P11T_TRUSTED) != 0 ? &(t)->no.c[0] : &(t)->yes.c[0], 1) && \
     P11T_AT((t)->attr, 4, CKA_SENSITIVE, &(t)->yes.c[0], 1) && \
     P11T_AT((t)->attr, 5, CKA_EXTRACTABLE, &(t)->no.c[0], 1) && \
     P11T_AT((t)->attr, 6, CKA_TRUSTED, \
             (kek) != 0 && ((flags) & P11T_TRUSTED) != 0 ? &(t)->yes.c[0] : &(t)->no.c[0], 1) && \
     P11T_AT((t)->attr, 7, CKA_DERIVE, &(t)->no.c[0], 1) && \
     P11T_AT((t)->attr, 8, CKA_SIGN, (kek) != 0 ? &(t)->no.c[0] : &(t)->yes.c[0], 1) && \
     P11T_AT((t)->attr, 9, CKA_VERIFY, (kek) != 0 ? &(t)->no.c[0] : &(t)->yes.c[0], 1) && \
     P11T_AT((t)->attr, 10, CKA_ENCRYPT, &(t)->no.c[0], 1) && \
     P11T_AT((t)->attr, 11, CKA_DECRYPT, &(t)->no.c[0], 1) && \
     P11T_AT((t)->attr, 12, CKA_WRAP, (kek) != 0 ? &(t)->yes.c[0] : &(t)->no.c[0], 1) && \
     P11T_AT((t)->attr, 13, CKA_UNWRAP, (kek) != 0 ? &(t)->yes.c[0] : &(t)->no.c[0], 1) && \
     P11T_AT((t)->attr, 14, CKA_ID, id, id_len) && \
     P11T_AT((t)->attr, 15, CKA_LABEL, label, label_len) && \
     P11T_AT((t)->attr, 16, vty, vp, vlen) && \
     P11T_AT((t)->attr, 17, CKA_MODIFIABLE, &(t)->no.c[0], 1) && \
     (t)->nattr == P11T_SECRET_N)

/*@ requires valid_t: \valid(t);
    requires lengths: p11t_args_ok(id_len, label_len);
    terminates \true;
    assigns t->attr[0 .. P11T_SECRET_N - 1], t->nattr;
    ensures layout: P11T_SECRET_LAYOUT(t, kek, flags, id, id_len, label, label_len, vty, vp, vlen);
*/
static void p11t_secret_fill(p11t_secret *t, int kek, unsigned flags, char *id, size_t id_len,
                             char *label, size_t label_len, CK_ATTRIBUTE_TYPE vty, char *vp,
                             CK_ULONG vlen)
{
    CK_ATTRIBUTE *a = t->attr;
    char *token = t->yes.c, *priv = t->yes.c, *trusted = t->no.c;
    char *mac = t->yes.c, *wrap = t->no.c;

    if ((flags & P11T_SESSION) != 0u)
        token = t->no.c;
    if (kek != 0) {
        mac = t->no.c;
        wrap = t->yes.c;
        /* Only the security officer may set CKA_TRUSTED, and an SO session sees only
         * public objects: a trusted KEK is public (still sensitive, never extractable). */
        if ((flags & P11T_TRUSTED) != 0u) {
            trusted = t->yes.c;
            priv = t->no.c;
        }
    }
    P11T_SET(a, 0, CKA_CLASS, t->key_class.c, sizeof(CK_ULONG));
    P11T_SET(a, 1, CKA_KEY_TYPE, t->key_type.c, sizeof(CK_ULONG));
    P11T_SET(a, 2, CKA_TOKEN, token, 1);
    P11T_SET(a, 3, CKA_PRIVATE, priv, 1);
    P11T_SET(a, 4, CKA_SENSITIVE, t->yes.c, 1);
    P11T_SET(a, 5, CKA_EXTRACTABLE, t->no.c, 1);
    P11T_SET(a, 6, CKA_TRUSTED, trusted, 1);
    P11T_SET(a, 7, CKA_DERIVE, t->no.c, 1);
    P11T_SET(a, 8, CKA_SIGN, mac, 1);
    P11T_SET(a, 9, CKA_VERIFY, mac, 1);
    /* Never encrypt or decrypt: a KEK that could decrypt would turn a wrapped key into
     * plaintext outside the module. */
    P11T_SET(a, 10, CKA_ENCRYPT, t->no.c, 1);
    P11T_SET(a, 11, CKA_DECRYPT, t->no.c, 1);
    P11T_SET(a, 12, CKA_WRAP, wrap, 1);
    P11T_SET(a, 13, CKA_UNWRAP, wrap, 1);
    P11T_SET(a, 14, CKA_ID, id, id_len);
    P11T_SET(a, 15, CKA_LABEL, label, label_len);
    P11T_SET(a, 16, vty, vp, vlen);
    /* Last, as in the key-pair template (SoftHSMv2 applies templates in order). */
    P11T_SET(a, 17, CKA_MODIFIABLE, t->no.c, 1);
    t->nattr = P11T_SECRET_N;
}

/* The values every secret template points to, and its generation mechanism. */
/*@ requires valid_t: \valid(t);
    terminates \true;
    assigns t->yes, t->no, t->key_class, t->key_type, t->value_len, t->mech;
    ensures values: t->yes.v == CK_TRUE && t->no.v == CK_FALSE && t->key_class.v == CKO_SECRET_KEY
              && t->key_type.v == type && t->value_len.v == len && t->mech.mechanism == mech
              && t->mech.pParameter == \null && t->mech.ulParameterLen == 0;
*/
static void p11t_secret_values(p11t_secret *t, CK_KEY_TYPE type, CK_ULONG len,
                               CK_MECHANISM_TYPE mech)
{
    t->yes.v = CK_TRUE;
    t->no.v = CK_FALSE;
    t->key_class.v = CKO_SECRET_KEY;
    t->key_type.v = type;
    t->value_len.v = len;
    t->mech.mechanism = mech;
    t->mech.pParameter = NULL;
    t->mech.ulParameterLen = 0;
}

int p11t_mac_build(p11t_secret *t, CK_ULONG key_len, unsigned flags,
                   const char *id, size_t id_len, const char *label, size_t label_len)
{
    t->nattr = 0;
    if (!p11t_args_accepted(id_len, label_len) || (flags != 0u && flags != P11T_SESSION))
        return QSCD_ERR_ARG;
    if (key_len < P11T_MAC_MIN || key_len > P11T_SECRET_MAX_LEN)
        return QSCD_ERR_KEY_POLICY;
    p11t_secret_fill(t, 0, flags, (char *)id, id_len, (char *)label, label_len,
                     CKA_VALUE_LEN, t->value_len.c, sizeof(CK_ULONG));
    p11t_secret_values(t, CKK_GENERIC_SECRET, key_len, CKM_GENERIC_SECRET_KEY_GEN);
    return QSCD_OK;
}

int p11t_seed_build(p11t_secret *t, const char *seed, size_t seed_len, unsigned flags,
                    const char *id, size_t id_len, const char *label, size_t label_len)
{
    t->nattr = 0;
    if (!p11t_args_accepted(id_len, label_len) || (flags != 0u && flags != P11T_SESSION))
        return QSCD_ERR_ARG;
    if (seed_len < P11T_SEED_MIN || seed_len > P11T_SECRET_MAX_LEN)
        return QSCD_ERR_KEY_POLICY;
    /* The module only reads the value (C_CreateObject takes the template as input). */
    p11t_secret_fill(t, 0, flags, (char *)id, id_len, (char *)label, label_len,
                     CKA_VALUE, (char *)seed, seed_len);
    /* No generation: the mechanism is recorded for completeness only. */
    p11t_secret_values(t, CKK_GENERIC_SECRET, seed_len, CKM_GENERIC_SECRET_KEY_GEN);
    return QSCD_OK;
}

int p11t_kek_build(p11t_secret *t, unsigned flags,
                   const char *id, size_t id_len, const char *label, size_t label_len)
{
    t->nattr = 0;
    if (!p11t_args_accepted(id_len, label_len) ||
        (flags != 0u && flags != P11T_SESSION && flags != P11T_TRUSTED &&
         flags != (P11T_SESSION | P11T_TRUSTED)))
        return QSCD_ERR_ARG;
    p11t_secret_fill(t, 1, flags, (char *)id, id_len, (char *)label, label_len,
                     CKA_VALUE_LEN, t->value_len.c, sizeof(CK_ULONG));
    p11t_secret_values(t, CKK_AES, P11T_KEK_LEN, CKM_AES_KEY_GEN);
    return QSCD_OK;
}
