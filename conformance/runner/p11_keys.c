/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys for the vectors. A vector names its key declaratively:
 *   {"type": "EC", "curve": "P-256"}   {"type": "RSA", "bits": 3072}   {"type": "AES", "bytes": 32}
 * with optional "profile" ("signing", the default for key pairs: the attributes a SAM gives a
 * signing key; or "plain"), "token" (default true for key pairs, false for secret keys), and
 * "private"/"public" objects of attribute overrides ({"CKA_ALWAYS_AUTHENTICATE": true}).
 * Keys that vectors only read are generated once per run and shared (a pool keyed by the
 * canonical spec); vectors that try to change a key get their own.
 */
#include "p11.h"

#include <stdlib.h>
#include <string.h>

void p11_tmpl_bool(p11_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_BBOOL v)
{
    for (CK_ULONG i = 0; i < t->n; i++)
        if (t->a[i].type == type) {   /* an override replaces the default */
            t->b[i] = v;
            t->a[i].pValue = &t->b[i];
            t->a[i].ulValueLen = sizeof(CK_BBOOL);
            return;
        }
    if (t->n >= sizeof t->a / sizeof t->a[0]) {
        t->overflow = 1;
        return;
    }
    t->b[t->n] = v;
    t->a[t->n] = (CK_ATTRIBUTE){type, &t->b[t->n], sizeof(CK_BBOOL)};
    t->n++;
}

void p11_tmpl_ulong(p11_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
    for (CK_ULONG i = 0; i < t->n; i++)
        if (t->a[i].type == type) {
            t->ul[i] = v;
            t->a[i].pValue = &t->ul[i];
            t->a[i].ulValueLen = sizeof(CK_ULONG);
            return;
        }
    if (t->n >= sizeof t->a / sizeof t->a[0]) {
        t->overflow = 1;
        return;
    }
    t->ul[t->n] = v;
    t->a[t->n] = (CK_ATTRIBUTE){type, &t->ul[t->n], sizeof(CK_ULONG)};
    t->n++;
}

void p11_tmpl_bytes(p11_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *p, size_t len)
{
    if (t->n >= sizeof t->a / sizeof t->a[0] || len > sizeof t->buf - t->used) {
        t->overflow = 1;
        return;
    }
    unsigned char *dst = t->buf + t->used;
    memcpy(dst, p, len);
    t->used += len;
    t->a[t->n] = (CK_ATTRIBUTE){type, dst, (CK_ULONG)len};
    t->n++;
}

int p11_tmpl_apply(p11_tmpl *t, json_t *overrides, char *err, size_t errlen)
{
    const char *name;
    json_t *val;
    json_object_foreach(overrides, name, val) {
        CK_ATTRIBUTE_TYPE a;
        if (p11_attr_value(name, &a) != 0) {
            snprintf(err, errlen, "unknown attribute %s", name);
            return -1;
        }
        if (json_is_boolean(val))
            p11_tmpl_bool(t, a, json_is_true(val) ? CK_TRUE : CK_FALSE);
        else if (json_is_integer(val))
            p11_tmpl_ulong(t, a, (CK_ULONG)json_integer_value(val));
        else {
            snprintf(err, errlen, "attribute %s: only booleans and integers", name);
            return -1;
        }
    }
    return 0;
}

static const struct { const char *name; unsigned char der[12]; size_t len; int bits; } CURVES[] = {
    {"P-256", {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}, 10, 256},
    {"P-384", {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22}, 7, 384},
    {"P-521", {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23}, 7, 521},
    {"P-224", {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21}, 7, 224},
    {"P-192", {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01}, 10, 192},
};

int p11_curve_der(const char *curve, const unsigned char **der, size_t *len)
{
    for (size_t i = 0; curve && i < sizeof CURVES / sizeof CURVES[0]; i++)
        if (strcmp(CURVES[i].name, curve) == 0) {
            *der = CURVES[i].der;
            *len = CURVES[i].len;
            return CURVES[i].bits;
        }
    return -1;
}

/* What every signing private key the suite makes has: private, sensitive, never
 * extractable, for signing. */
static void signing_priv_protected(p11_tmpl *t)
{
    p11_tmpl_bool(t, CKA_PRIVATE, CK_TRUE);
    p11_tmpl_bool(t, CKA_SENSITIVE, CK_TRUE);
    p11_tmpl_bool(t, CKA_EXTRACTABLE, CK_FALSE);
    p11_tmpl_bool(t, CKA_SIGN, CK_TRUE);
}

void p11_tmpl_signing_priv(p11_tmpl *t, CK_KEY_TYPE kt)
{
    p11_tmpl_ulong(t, CKA_CLASS, CKO_PRIVATE_KEY);
    p11_tmpl_ulong(t, CKA_KEY_TYPE, kt);
    p11_tmpl_bool(t, CKA_TOKEN, CK_FALSE);
    signing_priv_protected(t);
}

/* Label and id: the run tag makes every object this run creates recognisable. */
void p11_tmpl_names(p11_target *t, p11_tmpl *a, p11_tmpl *b, char *label, size_t len)
{
    p11_label(t, label, len);
    p11_tmpl_bytes(a, CKA_LABEL, label, strlen(label));
    p11_tmpl_bytes(a, CKA_ID, label, strlen(label));
    if (b) {
        p11_tmpl_bytes(b, CKA_LABEL, label, strlen(label));
        p11_tmpl_bytes(b, CKA_ID, label, strlen(label));
    }
}

static void signing_profile(p11_tmpl *pub, p11_tmpl *priv)
{
    p11_tmpl_bool(pub, CKA_VERIFY, CK_TRUE);
    p11_tmpl_bool(pub, CKA_ENCRYPT, CK_FALSE);
    p11_tmpl_bool(pub, CKA_WRAP, CK_FALSE);
    signing_priv_protected(priv);
    p11_tmpl_bool(priv, CKA_DECRYPT, CK_FALSE);
    p11_tmpl_bool(priv, CKA_UNWRAP, CK_FALSE);
    p11_tmpl_bool(priv, CKA_DERIVE, CK_FALSE);
}

static CK_RV gen_pair(p11_worker *w, json_t *spec, p11_key *k, char *err, size_t errlen)
{
    p11_target *t = w->t;
    const char *type = json_string_value(json_object_get(spec, "type"));
    const char *profile = json_string_value(json_object_get(spec, "profile"));
    json_t *tok = json_object_get(spec, "token");
    CK_BBOOL token = tok ? (json_is_true(tok) ? CK_TRUE : CK_FALSE) : CK_TRUE;
    p11_tmpl pub = {0}, priv = {0};
    CK_MECHANISM mech = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    static const unsigned char e65537[] = {1, 0, 1};

    p11_tmpl_bool(&pub, CKA_TOKEN, token);
    p11_tmpl_bool(&priv, CKA_TOKEN, token);
    if (strcmp(type, "EC") == 0) {
        const unsigned char *der;
        size_t len;
        const char *curve = json_string_value(json_object_get(spec, "curve"));
        k->bits = p11_curve_der(curve, &der, &len);
        if (k->bits < 0) {
            snprintf(err, errlen, "unknown curve %s", curve ? curve : "(none)");
            return CKR_ARGUMENTS_BAD;
        }
        snprintf(k->curve, sizeof k->curve, "%s", curve);
        mech.mechanism = CKM_EC_KEY_PAIR_GEN;
        k->type = CKK_EC;
        p11_tmpl_bytes(&pub, CKA_EC_PARAMS, der, len);
    } else {
        k->bits = (int)json_integer_value(json_object_get(spec, "bits"));
        k->type = CKK_RSA;
        p11_tmpl_ulong(&pub, CKA_MODULUS_BITS, (CK_ULONG)k->bits);
        p11_tmpl_bytes(&pub, CKA_PUBLIC_EXPONENT, e65537, sizeof e65537);
    }
    if (!p11_mech_has(t, mech.mechanism, CKF_GENERATE_KEY_PAIR)) {
        snprintf(err, errlen, "the module does not offer %s for key-pair generation",
                 p11_mech_name(mech.mechanism));
        return CKR_FUNCTION_NOT_SUPPORTED;
    }
    if (!profile || strcmp(profile, "signing") == 0)
        signing_profile(&pub, &priv);
    else {
        p11_tmpl_bool(&pub, CKA_VERIFY, CK_TRUE);
        p11_tmpl_bool(&priv, CKA_SIGN, CK_TRUE);
        p11_tmpl_bool(&priv, CKA_PRIVATE, CK_TRUE);
    }
    char *label = k->label;
    p11_tmpl_names(t, &pub, &priv, label, sizeof k->label);
    if (p11_tmpl_apply(&pub, json_object_get(spec, "public"), err, errlen) != 0 ||
        p11_tmpl_apply(&priv, json_object_get(spec, "private"), err, errlen) != 0)
        return CKR_ARGUMENTS_BAD;
    if (pub.overflow || priv.overflow) {
        snprintf(err, errlen, "key template too large (runner fault)");
        return CKR_ARGUMENTS_BAD;
    }
    CK_RV rv = t->f->C_GenerateKeyPair(w->s, &mech, pub.a, pub.n, priv.a, priv.n, &k->pub,
                                       &k->priv);
    if (rv == CKR_OK) {
        p11_track(t, k->pub, label);
        p11_track(t, k->priv, label);
    }
    return rv;
}

static CK_RV gen_secret(p11_worker *w, json_t *spec, p11_key *k, char *err, size_t errlen)
{
    p11_target *t = w->t;
    CK_MECHANISM mech = {CKM_AES_KEY_GEN, NULL, 0};
    json_t *tok = json_object_get(spec, "token");
    p11_tmpl s = {0};
    if (!p11_mech_has(t, CKM_AES_KEY_GEN, CKF_GENERATE)) {
        snprintf(err, errlen, "the module does not offer CKM_AES_KEY_GEN");
        return CKR_FUNCTION_NOT_SUPPORTED;
    }
    k->type = CKK_AES;
    k->bits = 8 * (int)json_integer_value(json_object_get(spec, "bytes"));
    k->pub = CK_INVALID_HANDLE;
    p11_tmpl_bool(&s, CKA_TOKEN, json_is_true(tok) ? CK_TRUE : CK_FALSE);
    p11_tmpl_bool(&s, CKA_PRIVATE, CK_TRUE);
    p11_tmpl_ulong(&s, CKA_VALUE_LEN, (CK_ULONG)(k->bits / 8));
    char *label = k->label;
    p11_tmpl_names(t, &s, NULL, label, sizeof k->label);
    if (p11_tmpl_apply(&s, json_object_get(spec, "private"), err, errlen) != 0)
        return CKR_ARGUMENTS_BAD;
    if (s.overflow) {
        snprintf(err, errlen, "key template too large (runner fault)");
        return CKR_ARGUMENTS_BAD;
    }
    CK_RV rv = t->f->C_GenerateKey(w->s, &mech, s.a, s.n, &k->priv);
    if (rv == CKR_OK)
        p11_track(t, k->priv, label);
    return rv;
}

CK_RV p11_key_generate(p11_worker *w, json_t *spec, p11_key *k, char *err, size_t errlen)
{
    const char *type = json_string_value(json_object_get(spec, "type"));
    memset(k, 0, sizeof *k);
    err[0] = '\0';
    if (type && (strcmp(type, "EC") == 0 || strcmp(type, "RSA") == 0))
        return gen_pair(w, spec, k, err, errlen);
    if (type && strcmp(type, "AES") == 0)
        return gen_secret(w, spec, k, err, errlen);
    snprintf(err, errlen, "unknown key type %s", type ? type : "(none)");
    return CKR_ARGUMENTS_BAD;
}

static p11_pool_entry *pool_entry(p11_target *t, const char *canon)
{
    p11_pool_entry *e = NULL;
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->npool && !e; i++)
        if (strcmp(t->pool[i].spec, canon) == 0)
            e = &t->pool[i];
    if (!e && t->npool < P11_POOL_MAX) {
        e = &t->pool[t->npool++];
        e->spec = strdup(canon);
        pthread_mutex_init(&e->mu, NULL);
    }
    pthread_mutex_unlock(&t->mu);
    return e;
}

static CK_RV pooled(p11_worker *w, json_t *spec, p11_key *k, char *err, size_t errlen)
{
    /* Serialised under the lock: older jansson marks objects while dumping them. */
    pthread_mutex_lock(&w->t->mu);
    char *canon = json_dumps(spec, JSON_SORT_KEYS | JSON_COMPACT);
    pthread_mutex_unlock(&w->t->mu);
    p11_pool_entry *e = canon ? pool_entry(w->t, canon) : NULL;
    free(canon);
    if (!e || !e->spec)
        return p11_key_generate(w, spec, k, err, errlen);
    /* One generation per spec; the others wait for it rather than make their own. */
    pthread_mutex_lock(&e->mu);
    if (!e->done) {
        e->rv = p11_key_generate(w, spec, &e->key, e->err, sizeof e->err);
        e->done = 1;
    }
    snprintf(err, errlen, "%s", e->err);
    CK_RV rv = e->rv;
    *k = e->key;
    pthread_mutex_unlock(&e->mu);
    return rv;
}

int p11_key_for(p11_worker *w, cf_vector *v, const char *param, int fresh, p11_key *k)
{
    json_t *spec = cf_param(v, param);
    char err[200] = "";
    if (!json_is_object(spec)) {
        cf_fail(v, "the vector names no '%s'", param);
        return -1;
    }
    CK_RV rv = fresh ? p11_key_generate(w, spec, k, err, sizeof err)
                     : pooled(w, spec, k, err, sizeof err);
    if (rv == CKR_OK)
        return 0;
    if (rv == CKR_FUNCTION_NOT_SUPPORTED && err[0])
        cf_skip(v, "%s", err);
    else if (rv == CKR_CURVE_NOT_SUPPORTED || rv == CKR_DOMAIN_PARAMS_INVALID)
        cf_skip(v, "the module does not support this curve (%s)", p11_rv_name(rv));
    else if (rv == CKR_ARGUMENTS_BAD && err[0])
        cf_fail(v, "bad key spec in the vector: %s", err);
    else
        cf_fail(v, "could not generate the %s: %s", param, p11_rv_name(rv));
    return -1;
}

CK_RV p11_attr_bool(p11_worker *w, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE a, CK_BBOOL *out)
{
    CK_ATTRIBUTE at = {a, out, sizeof *out};
    return w->t->f->C_GetAttributeValue(w->s, h, &at, 1);
}

CK_RV p11_attr_ulong(p11_worker *w, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE a, CK_ULONG *out)
{
    CK_ATTRIBUTE at = {a, out, sizeof *out};
    return w->t->f->C_GetAttributeValue(w->s, h, &at, 1);
}

CK_RV p11_attr_bytes(p11_worker *w, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE a, void *buf,
                     CK_ULONG *len)
{
    CK_ATTRIBUTE at = {a, buf, *len};
    CK_RV rv = w->t->f->C_GetAttributeValue(w->s, h, &at, 1);
    *len = at.ulValueLen;
    return rv;
}
