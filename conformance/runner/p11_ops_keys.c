/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key attributes and key policy (EN 419 221-5 SENSITIVE, KEY-USAGE, KEYGEN-INSIDE, ALGO;
 * EN 419 241-1 SRG_KM.1.2, SRG_KM.3.1): what a generated key says about itself, that its
 * secret parts cannot be read, that it cannot be made readable, that it serves its purpose
 * only, and which weak sizes the module refuses.
 */
#include "p11.h"

#include <string.h>

static CK_OBJECT_HANDLE object_of(const cf_vector *v, const p11_key *k)
{
    const char *which = cf_param_str(v, "object", "private");
    return strcmp(which, "public") == 0 ? k->pub : k->priv;
}

static int attr_param(cf_vector *v, CK_ATTRIBUTE_TYPE *a)
{
    const char *name = cf_param_str(v, "attribute", NULL);
    if (p11_attr_value(name, a) != 0) {
        cf_fail(v, "unknown attribute '%s' in the vector", name ? name : "(none)");
        return -1;
    }
    return 0;
}

/* The value a vector expects: true/false, an integer, or a mechanism name. */
static int expected_ulong(cf_vector *v, CK_ULONG *out, int *is_bool)
{
    json_t *e = cf_param(v, "expect");
    CK_MECHANISM_TYPE m;
    *is_bool = json_is_boolean(e);
    if (*is_bool)
        *out = json_is_true(e);
    else if (json_is_integer(e))
        *out = (CK_ULONG)json_integer_value(e);
    else if (json_is_string(e) && p11_mech_value(json_string_value(e), &m) == 0)
        *out = m;
    else {
        cf_fail(v, "the vector's 'expect' is not a boolean, integer or mechanism name");
        return -1;
    }
    return 0;
}

void p11_op_get_attribute(p11_worker *w, cf_vector *v)
{
    p11_key k;
    CK_ATTRIBUTE_TYPE a;
    CK_ULONG want, got = 0;
    CK_BBOOL b = CK_FALSE;
    int is_bool;
    if (attr_param(v, &a) || expected_ulong(v, &want, &is_bool) || p11_key_for(w, v, "key", 0, &k))
        return;
    CK_RV rv = is_bool ? p11_attr_bool(w, object_of(v, &k), a, &b)
                       : p11_attr_ulong(w, object_of(v, &k), a, &got);
    if (is_bool)
        got = b;
    if (rv != CKR_OK) {
        cf_observed(v, "%s", p11_rv_name(rv));
        cf_fail(v, "cannot read %s: %s", p11_attr_name(a), p11_rv_name(rv));
        return;
    }
    if (a == CKA_KEY_GEN_MECHANISM)
        cf_observed(v, "%s=%s", p11_attr_name(a), p11_mech_name(got));
    else if (is_bool)
        cf_observed(v, "%s=%s", p11_attr_name(a), got ? "TRUE" : "FALSE");
    else
        cf_observed(v, "%s=%lu", p11_attr_name(a), (unsigned long)got);
    if (got == want)
        cf_pass(v, "%s", "");
    else
        cf_fail(v, "%s differs from the expected value", v->observed);
}

/* The value of a secret attribute must never come back: neither its length (a length query
 * answers CK_UNAVAILABLE_INFORMATION) nor its bytes. */
void p11_op_attribute_hidden(p11_worker *w, cf_vector *v)
{
    p11_key k;
    CK_ATTRIBUTE_TYPE a;
    unsigned char buf[2048];
    if (attr_param(v, &a) || p11_key_for(w, v, "key", 0, &k))
        return;
    CK_ATTRIBUTE q = {a, NULL, 0};
    CK_RV rv1 = w->t->f->C_GetAttributeValue(w->s, k.priv, &q, 1);
    CK_ATTRIBUTE r = {a, buf, sizeof buf};
    CK_RV rv2 = w->t->f->C_GetAttributeValue(w->s, k.priv, &r, 1);
    int revealed = (rv2 == CKR_OK && r.ulValueLen != CK_UNAVAILABLE_INFORMATION) ||
                   (rv1 == CKR_OK && q.ulValueLen != CK_UNAVAILABLE_INFORMATION);
    cf_observed(v, "length query %s, read %s%s", p11_rv_name(rv1), p11_rv_name(rv2),
                revealed ? " with a value" : "");
    cf_wipe(buf, sizeof buf);
    p11_judge(w, v, !revealed, revealed ? CKR_OK : rv2);
}

/* Changing a protective attribute: the module must refuse, and the attribute must keep its
 * value (checked by reading it back, not by trusting the return value). */
void p11_op_set_attribute(p11_worker *w, cf_vector *v)
{
    p11_key k;
    CK_ATTRIBUTE_TYPE a;
    json_t *val = cf_param(v, "value");
    if (attr_param(v, &a) || p11_key_for(w, v, "key", 1, &k))
        return;
    CK_BBOOL want = json_is_true(val) ? CK_TRUE : CK_FALSE, before = 2, after = 2;
    CK_OBJECT_HANDLE h = object_of(v, &k);
    p11_attr_bool(w, h, a, &before);
    if (v->expect != CF_EXPECT_VALID && before == want) {
        cf_skip(v, "%s is already %s on this module's generated key, so no change can be "
                   "refused", p11_attr_name(a), want ? "TRUE" : "FALSE");
        p11_destroy(w, k.priv);
        p11_destroy(w, k.pub);
        return;
    }
    CK_ATTRIBUTE at = {a, &want, sizeof want};
    CK_RV rv = w->t->f->C_SetAttributeValue(w->s, h, &at, 1);
    p11_attr_bool(w, h, a, &after);
    cf_observed(v, "%s; %s %s -> %s", p11_rv_name(rv), p11_attr_name(a),
                before == CK_TRUE ? "TRUE" : before == CK_FALSE ? "FALSE" : "?",
                after == CK_TRUE ? "TRUE" : after == CK_FALSE ? "FALSE" : "?");
    if (v->expect == CF_EXPECT_VALID && rv == CKR_OK && after != want)
        cf_fail(v, "C_SetAttributeValue returned CKR_OK but the attribute did not change");
    else if (v->expect != CF_EXPECT_VALID && rv == CKR_OK && after == before && after != want)
        cf_pass(v, "C_SetAttributeValue returned CKR_OK but the attribute kept its value");
    else
        p11_judge(w, v, rv != CKR_OK || after != want, rv);
    p11_destroy(w, k.priv);
    p11_destroy(w, k.pub);
}

/* C_CopyObject with a template that would weaken the copy: refused, or a copy that is
 * still sensitive and non-extractable. */
void p11_op_copy_object(p11_worker *w, cf_vector *v)
{
    p11_key k;
    p11_tmpl t = {0};
    char err[120];
    CK_OBJECT_HANDLE copy = CK_INVALID_HANDLE;
    if (p11_key_for(w, v, "key", 1, &k))
        return;
    if (p11_tmpl_apply(&t, cf_param(v, "template"), err, sizeof err) != 0) {
        cf_fail(v, "bad template in the vector: %s", err);
        return;
    }
    CK_RV rv = w->t->f->C_CopyObject(w->s, k.priv, t.a, t.n, &copy);
    int weakened = 0;
    if (rv == CKR_OK) {
        CK_BBOOL sens = CK_FALSE, extr = CK_TRUE;
        p11_track(w->t, copy, k.label);   /* a copy keeps the label */
        p11_attr_bool(w, copy, CKA_SENSITIVE, &sens);
        p11_attr_bool(w, copy, CKA_EXTRACTABLE, &extr);
        weakened = sens != CK_TRUE || extr != CK_FALSE;
        cf_observed(v, "CKR_OK; copy SENSITIVE=%s EXTRACTABLE=%s", sens ? "TRUE" : "FALSE",
                    extr ? "TRUE" : "FALSE");
        p11_destroy(w, copy);
    }
    p11_judge(w, v, !weakened, rv);
    p11_destroy(w, k.priv);
    p11_destroy(w, k.pub);
}

/* Key generation as such (weak sizes, curves): refused or done; the key is removed at once. */
void p11_op_generate_key(p11_worker *w, cf_vector *v)
{
    p11_key k;
    char err[200];
    json_t *spec = cf_param(v, "key");
    CK_RV rv = p11_key_generate(w, spec, &k, err, sizeof err);
    if (rv == CKR_FUNCTION_NOT_SUPPORTED && err[0]) {
        cf_skip(v, "%s", err);
        return;
    }
    if (rv == CKR_ARGUMENTS_BAD && err[0]) {
        cf_fail(v, "bad key spec in the vector: %s", err);
        return;
    }
    p11_judge(w, v, rv != CKR_OK, rv);
    if (rv == CKR_OK) {
        p11_destroy(w, k.priv);
        p11_destroy(w, k.pub);
    }
}

/* What the module announces as the smallest key for a mechanism. */
void p11_op_mechanism_min_size(p11_worker *w, cf_vector *v)
{
    CK_MECHANISM_TYPE m;
    CK_MECHANISM_INFO mi = {0, 0, 0};
    long min = cf_param_int(v, "minimum", 0);
    if (p11_mech_value(cf_param_str(v, "mechanism", NULL), &m) != 0) {
        cf_fail(v, "unknown mechanism in the vector");
        return;
    }
    if (!p11_mech_has(w->t, m, 0) || w->t->f->C_GetMechanismInfo(w->t->slot, m, &mi) != CKR_OK) {
        cf_skip(v, "the module does not offer %s", p11_mech_name(m));
        return;
    }
    char code[64];
    snprintf(code, sizeof code, "ulMinKeySize=%lu", (unsigned long)mi.ulMinKeySize);
    cf_judge(v, (long)mi.ulMinKeySize >= min, code, w->t->opt);
}

static CK_RV finish_decrypt(p11_worker *w)
{
    unsigned char in[512] = {0}, out[512];
    CK_ULONG outlen = sizeof out;
    return w->t->f->C_Decrypt(w->s, in, 256, out, &outlen);
}

static CK_RV try_function(p11_worker *w, cf_vector *v, const p11_key *k, CK_MECHANISM *mech)
{
    const char *fn = cf_param_str(v, "function", "");
    CK_FUNCTION_LIST *f = w->t->f;
    CK_OBJECT_HANDLE h = object_of(v, k);
    unsigned char buf[512], out[512];
    CK_ULONG outlen = sizeof out;
    CK_RV rv;
    memset(buf, 0x5a, sizeof buf);
    if (strcmp(fn, "sign") == 0) {
        if ((rv = f->C_SignInit(w->s, mech, h)) == CKR_OK)
            rv = f->C_Sign(w->s, buf, 32, out, &outlen);
    } else if (strcmp(fn, "decrypt") == 0) {
        if ((rv = f->C_DecryptInit(w->s, mech, h)) == CKR_OK)
            finish_decrypt(w);   /* the init alone was the permission check */
    } else if (strcmp(fn, "encrypt") == 0) {
        if ((rv = f->C_EncryptInit(w->s, mech, h)) == CKR_OK)
            rv = f->C_Encrypt(w->s, buf, 16, out, &outlen);
    } else if (strcmp(fn, "derive") == 0) {
        unsigned char pt[200];
        CK_ULONG ptlen = sizeof pt;
        CK_OBJECT_HANDLE dk = CK_INVALID_HANDLE;
        p11_tmpl t = {0};
        char label[64];
        p11_attr_bytes(w, k->pub, CKA_EC_POINT, pt, &ptlen);
        CK_ECDH1_DERIVE_PARAMS p = {CKD_NULL, 0, NULL, ptlen, pt};
        mech->pParameter = &p;
        mech->ulParameterLen = sizeof p;
        p11_tmpl_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
        p11_tmpl_ulong(&t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
        p11_tmpl_ulong(&t, CKA_VALUE_LEN, 32);
        p11_tmpl_bool(&t, CKA_TOKEN, CK_FALSE);
        p11_tmpl_names(w->t, &t, NULL, label, sizeof label);
        rv = f->C_DeriveKey(w->s, mech, h, t.a, t.n, &dk);
        if (rv == CKR_OK) {
            p11_track(w->t, dk, label);
            p11_destroy(w, dk);
        }
    } else {
        rv = CKR_ARGUMENTS_BAD;
    }
    return rv;
}

/* A key used for what it was not made for: refused (PKCS#11 names
 * CKR_KEY_FUNCTION_NOT_PERMITTED, or CKR_KEY_TYPE_INCONSISTENT for a wrong key type). */
void p11_op_usage_refused(p11_worker *w, cf_vector *v)
{
    p11_key k;
    CK_MECHANISM mech = {0, NULL, 0};
    if (p11_mech_value(cf_param_str(v, "mechanism", NULL), &mech.mechanism) != 0) {
        cf_fail(v, "unknown mechanism in the vector");
        return;
    }
    if (!p11_mech_has(w->t, mech.mechanism, 0)) {
        cf_skip(v, "the module does not offer %s", p11_mech_name(mech.mechanism));
        return;
    }
    if (p11_key_for(w, v, "key", 0, &k))
        return;
    CK_RV rv = try_function(w, v, &k, &mech);
    if (rv == CKR_ARGUMENTS_BAD)
        cf_fail(v, "unknown function '%s' in the vector", cf_param_str(v, "function", ""));
    else
        p11_judge(w, v, rv != CKR_OK, rv);
}

/* One key that can both wrap and decrypt is what the wrap/decrypt attack needs. */
void p11_op_create_conflicting_key(p11_worker *w, cf_vector *v)
{
    p11_key k;
    char err[200];
    CK_RV rv = p11_key_generate(w, cf_param(v, "key"), &k, err, sizeof err);
    if (rv == CKR_FUNCTION_NOT_SUPPORTED && err[0]) {
        cf_skip(v, "%s", err);
        return;
    }
    p11_judge(w, v, rv != CKR_OK, rv);
    if (rv == CKR_OK)
        p11_destroy(w, k.priv);
}

/* A private key imported in plaintext must not pass for one generated inside: CKA_LOCAL,
 * CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE stay FALSE on it. */
void p11_op_imported_key_provenance(p11_worker *w, cf_vector *v)
{
    static const unsigned char scalar[32] = {
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11};
    const unsigned char *der;
    size_t derlen;
    CK_ATTRIBUTE_TYPE a;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    p11_tmpl t = {0};
    char label[64];
    if (attr_param(v, &a))
        return;
    p11_curve_der("P-256", &der, &derlen);
    p11_tmpl_signing_priv(&t, CKK_EC);
    p11_tmpl_bytes(&t, CKA_EC_PARAMS, der, derlen);
    p11_tmpl_bytes(&t, CKA_VALUE, scalar, sizeof scalar);
    p11_tmpl_names(w->t, &t, NULL, label, sizeof label);
    CK_RV rv = w->t->f->C_CreateObject(w->s, t.a, t.n, &h);
    if (rv != CKR_OK) {
        cf_observed(v, "import refused: %s", p11_rv_name(rv));
        cf_pass(v, "the module refuses to import private keys, so no imported key can pass "
                   "for a generated one");
        return;
    }
    p11_track(w->t, h, label);
    CK_BBOOL b = CK_TRUE;
    rv = p11_attr_bool(w, h, a, &b);
    cf_observed(v, "imported; %s=%s", p11_attr_name(a),
                rv != CKR_OK ? p11_rv_name(rv) : b ? "TRUE" : "FALSE");
    if (rv != CKR_OK)
        cf_fail(v, "cannot read %s of the imported key", p11_attr_name(a));
    else if (b != CK_FALSE)
        cf_fail(v, "an imported key reports %s=TRUE", p11_attr_name(a));
    else
        cf_pass(v, "%s", "");
    p11_destroy(w, h);
}
