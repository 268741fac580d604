/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wrapping (EN 419 221-5 SENSITIVE, BACKUP-WRAP; EN 419 241-1 SRG_KM.1.3, SRG_KM.2.1): a
 * non-extractable key cannot be wrapped at all, and the Tookan-style attacks (Bortolozzo,
 * Centenaro, Focardi, Steel, CCS 2010) must not reveal a sensitive key: wrapping it under a
 * key that can also decrypt and decrypting the result, or wrapping it under a public key the
 * attacker imported (whose private half the attacker holds). A revealed key is confirmed by
 * encrypting one block with the module and with OpenSSL under the revealed bytes.
 */
#include "p11.h"

#include <string.h>

/* The first mechanism of the vector's list that the module offers with all `need` flags. */
static int pick_mech(p11_worker *w, cf_vector *v, CK_FLAGS need, CK_MECHANISM_TYPE *out)
{
    size_t i;
    json_t *m;
    json_array_foreach(cf_param(v, "mechanisms"), i, m) {
        CK_MECHANISM_TYPE t;
        if (p11_mech_value(json_string_value(m), &t) == 0 && p11_mech_has(w->t, t, need)) {
            *out = t;
            return 0;
        }
    }
    return -1;
}

static CK_RV wrap(p11_worker *w, CK_MECHANISM *mech, CK_OBJECT_HANDLE wrapping,
                  CK_OBJECT_HANDLE key, unsigned char *out, CK_ULONG *len)
{
    return w->t->f->C_WrapKey(w->s, mech, wrapping, key, out, len);
}

/* Does `revealed` hold the AES key `k`? Compare one ECB block made by the module (the key
 * needs CKA_ENCRYPT) with one made by OpenSSL. Returns 1, 0, or -1 when it cannot tell. */
static int confirm_aes(p11_worker *w, const p11_key *k, const unsigned char *revealed,
                       size_t len)
{
    static const unsigned char block[16] = "qscd-conform-16b";
    unsigned char a[16], b[16];
    CK_ULONG alen = sizeof a;
    CK_MECHANISM ecb = {CKM_AES_ECB, NULL, 0};
    size_t klen = (size_t)k->bits / 8;
    if (len < klen || !p11_mech_has(w->t, CKM_AES_ECB, CKF_ENCRYPT))
        return -1;
    if (w->t->f->C_EncryptInit(w->s, &ecb, k->priv) != CKR_OK ||
        w->t->f->C_Encrypt(w->s, (unsigned char *)block, 16, a, &alen) != CKR_OK)
        return -1;
    /* The plaintext of a padded wrap starts with the key bytes. */
    if (p11_ossl_aes_ecb(revealed, klen, block, b) != 0)
        return -1;
    return memcmp(a, b, 16) == 0;
}

static void judge_revealed(p11_worker *w, cf_vector *v, const p11_key *k,
                           unsigned char *plain, size_t len)
{
    int c = confirm_aes(w, k, plain, len);
    cf_wipe(plain, len);
    cf_observed(v, "wrapped and recovered %zu bytes in plaintext%s", len,
                c == 1 ? ": the sensitive key's value (confirmed with OpenSSL)" :
                c == 0 ? " (not the key's value)" : " (could not confirm)");
    if (c == 0)
        cf_judge(v, 1, "recovered bytes are not the key", w->t->opt);
    else
        cf_judge(v, 0, "key revealed", w->t->opt);
}

/* A key pair's private key that a module wrapped although it is not extractable: wrap it
 * again under a key that may also decrypt, decrypt, and compare the PKCS#8 with the public
 * key. Says whether the key really came out, for the record. */
static const char *confirm_pair(p11_worker *w, cf_vector *v, const p11_key *k)
{
    p11_key wk;
    char err[200];
    unsigned char iv[16] = {0}, blob[4096], plain[4096];
    CK_ULONG blen = sizeof blob, plen = sizeof plain;
    CK_MECHANISM mech = {CKM_AES_CBC_PAD, iv, sizeof iv};
    const char *said = "not confirmed";
    json_t *spec = json_pack("{s:s, s:i, s:{s:b, s:b, s:b}}", "type", "AES", "bytes", 32,
                             "private", "CKA_WRAP", 1, "CKA_DECRYPT", 1, "CKA_ENCRYPT", 1);
    (void)v;
    if (!p11_mech_has(w->t, CKM_AES_CBC_PAD, CKF_WRAP | CKF_DECRYPT) || k->pub == CK_INVALID_HANDLE ||
        p11_key_generate(w, spec, &wk, err, sizeof err) != CKR_OK) {
        json_decref(spec);
        return said;
    }
    json_decref(spec);
    if (wrap(w, &mech, wk.priv, k->priv, blob, &blen) == CKR_OK &&
        w->t->f->C_DecryptInit(w->s, &mech, wk.priv) == CKR_OK &&
        w->t->f->C_Decrypt(w->s, blob, blen, plain, &plen) == CKR_OK) {
        EVP_PKEY *pub = p11_ossl_public(w, k, err, sizeof err);
        int m = pub ? p11_ossl_pkcs8_matches(plain, plen, pub) : -1;
        said = m == 1 ? "confirmed: decrypted under a second key, it is the private key"
                      : "not confirmed";
        p11_ossl_free(pub);
    }
    cf_wipe(plain, sizeof plain);
    p11_destroy(w, wk.priv);
    return said;
}

/* C_WrapKey of the vector's key under an AES wrapping key: refused for a non-extractable
 * key (CKR_KEY_UNEXTRACTABLE), done for an extractable one. */
void p11_op_wrap_key(p11_worker *w, cf_vector *v)
{
    p11_key k, wk;
    CK_MECHANISM mech = {0, NULL, 0};
    unsigned char iv[16] = {0}, out[4096];
    CK_ULONG len = sizeof out;
    if (pick_mech(w, v, CKF_WRAP, &mech.mechanism) != 0) {
        cf_skip(v, "the module offers none of the vector's wrapping mechanisms");
        return;
    }
    if (mech.mechanism == CKM_AES_CBC || mech.mechanism == CKM_AES_CBC_PAD) {
        mech.pParameter = iv;
        mech.ulParameterLen = sizeof iv;
    }
    if (p11_key_for(w, v, "key", 0, &k) || p11_key_for(w, v, "wrappingKey", 0, &wk))
        return;
    CK_RV rv = wrap(w, &mech, wk.priv, k.priv, out, &len);
    cf_wipe(out, sizeof out);
    if (rv == CKR_OK && v->expect == CF_EXPECT_INVALID)
        cf_observed(v, "CKR_OK with %s: a %lu-byte blob (%s)", p11_mech_name(mech.mechanism),
                    (unsigned long)len, confirm_pair(w, v, &k));
    else
        cf_observed(v, "%s with %s", p11_rv_name(rv), p11_mech_name(mech.mechanism));
    p11_judge(w, v, rv != CKR_OK, rv);
}

/* Tookan wrap/decrypt: wrap the sensitive key under a key that may also decrypt, then
 * decrypt the blob with that key. Any refusal on the way defeats the attack. */
void p11_op_wrap_decrypt_attack(p11_worker *w, cf_vector *v)
{
    p11_key k, wk;
    CK_MECHANISM mech = {0, NULL, 0};
    unsigned char iv[16] = {0}, blob[512], plain[512];
    CK_ULONG blen = sizeof blob, plen = sizeof plain;
    if (pick_mech(w, v, CKF_WRAP | CKF_DECRYPT, &mech.mechanism) != 0) {
        cf_skip(v, "the module offers no mechanism of the vector's list that both wraps and "
                   "decrypts, so this attack has no path");
        return;
    }
    if (mech.mechanism == CKM_AES_CBC || mech.mechanism == CKM_AES_CBC_PAD) {
        mech.pParameter = iv;
        mech.ulParameterLen = sizeof iv;
    }
    if (p11_key_for(w, v, "key", 0, &k))
        return;
    char err[200];
    CK_RV rv = p11_key_generate(w, cf_param(v, "wrappingKey"), &wk, err, sizeof err);
    if (rv != CKR_OK) {
        cf_observed(v, "a key that both wraps and decrypts is refused: %s", p11_rv_name(rv));
        p11_judge(w, v, 1, rv);
        return;
    }
    rv = wrap(w, &mech, wk.priv, k.priv, blob, &blen);
    if (rv == CKR_OK && (rv = w->t->f->C_DecryptInit(w->s, &mech, wk.priv)) == CKR_OK)
        rv = w->t->f->C_Decrypt(w->s, blob, blen, plain, &plen);
    if (rv != CKR_OK) {
        cf_observed(v, "attack stopped: %s (%s)", p11_rv_name(rv), p11_mech_name(mech.mechanism));
        p11_judge(w, v, 1, rv);
    } else {
        judge_revealed(w, v, &k, plain, plen);
    }
    p11_destroy(w, wk.priv);
}

static CK_RV import_attacker_key(p11_worker *w, const unsigned char *n, size_t nlen,
                                 const unsigned char *e, size_t elen, CK_OBJECT_HANDLE *h)
{
    p11_tmpl t = {0};
    char label[64];
    p11_tmpl_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
    p11_tmpl_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
    p11_tmpl_bool(&t, CKA_TOKEN, CK_FALSE);
    p11_tmpl_bool(&t, CKA_WRAP, CK_TRUE);
    p11_tmpl_bool(&t, CKA_ENCRYPT, CK_TRUE);
    p11_tmpl_bytes(&t, CKA_MODULUS, n, nlen);
    p11_tmpl_bytes(&t, CKA_PUBLIC_EXPONENT, e, elen);
    p11_tmpl_names(w->t, &t, NULL, label, sizeof label);
    CK_RV rv = w->t->f->C_CreateObject(w->s, t.a, t.n, h);
    if (rv == CKR_OK)
        p11_track(w->t, *h, label);
    return rv;
}

/* Tookan wrap-with-own-key: the attacker imports an RSA public key with CKA_WRAP, wraps the
 * sensitive key under it and decrypts the blob off the module. CKA_WRAP_WITH_TRUSTED on the
 * key must stop it (the imported key is not CKA_TRUSTED). */
void p11_op_wrap_untrusted_public(p11_worker *w, cf_vector *v)
{
    p11_key k;
    unsigned char n[512], e[16], blob[512], plain[512];
    size_t nlen = sizeof n, elen = sizeof e, plen = sizeof plain;
    CK_ULONG blen = sizeof blob;
    CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
    CK_RSA_PKCS_OAEP_PARAMS oaep = {CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0};
    CK_MECHANISM mech = {0, NULL, 0};
    if (pick_mech(w, v, CKF_WRAP, &mech.mechanism) != 0) {
        cf_skip(v, "the module offers none of the vector's RSA wrapping mechanisms");
        return;
    }
    if (mech.mechanism == CKM_RSA_PKCS_OAEP) {
        mech.pParameter = &oaep;
        mech.ulParameterLen = sizeof oaep;
    }
    if (p11_key_for(w, v, "key", 0, &k))
        return;
    EVP_PKEY *attacker = p11_ossl_rsa_attacker(n, &nlen, e, &elen);
    if (!attacker) {
        cf_fail(v, "OpenSSL could not make the attacker's RSA key");
        return;
    }
    CK_RV rv = import_attacker_key(w, n, nlen, e, elen, &pub);
    if (rv == CKR_OK)
        rv = wrap(w, &mech, pub, k.priv, blob, &blen);
    if (rv != CKR_OK) {
        cf_observed(v, "attack stopped: %s", p11_rv_name(rv));
        p11_judge(w, v, 1, rv);
    } else if (p11_ossl_rsa_decrypt(attacker, mech.mechanism == CKM_RSA_PKCS_OAEP, blob, blen,
                                    plain, &plen) != 0) {
        cf_observed(v, "wrapped, but the attacker's key cannot open the blob");
        cf_judge(v, 1, "blob not decryptable", w->t->opt);
    } else {
        judge_revealed(w, v, &k, plain, plen);
    }
    p11_ossl_free(attacker);
    p11_destroy(w, pub);
}

/* Unwrap a private key blob of key type `kt` under kek as a sensitive, non-extractable
 * signing key. */
static CK_RV unwrap_priv(p11_worker *w, CK_MECHANISM *mech, CK_OBJECT_HANDLE kek,
                         CK_KEY_TYPE kt, unsigned char *blob, CK_ULONG blen,
                         CK_OBJECT_HANDLE *out)
{
    p11_tmpl t = {0};
    char label[64];
    p11_tmpl_signing_priv(&t, kt);
    p11_tmpl_names(w->t, &t, NULL, label, sizeof label);
    CK_RV rv = w->t->f->C_UnwrapKey(w->s, mech, kek, blob, blen, t.a, t.n, out);
    if (rv == CKR_OK)
        p11_track(w->t, *out, label);
    return rv;
}

/* Does the restored key sign as the original: an ECDSA or RSASSA-PKCS1-v1_5 (SHA-256)
 * signature by `h`, verified with the original's public key. 1, 0, or -1 (why in err). */
static int restored_signs(p11_worker *w, const p11_key *orig, CK_OBJECT_HANDLE h, char *err,
                          size_t el)
{
    unsigned char dg[32], sig[256];
    CK_ULONG sl = sizeof sig;
    CK_MECHANISM m = {orig->type == CKK_RSA ? CKM_SHA256_RSA_PKCS : CKM_ECDSA, NULL, 0};
    memset(dg, 0x5a, sizeof dg);   /* the digest for ECDSA, the message for RSA */
    if (w->t->f->C_SignInit(w->s, &m, h) != CKR_OK ||
        w->t->f->C_Sign(w->s, dg, sizeof dg, sig, &sl) != CKR_OK) {
        snprintf(err, el, "the restored key does not sign");
        return 0;
    }
    EVP_PKEY *pub = p11_ossl_public(w, orig, err, el);
    int ok = pub ? p11_ossl_verify(pub, m.mechanism, "SHA-256", dg, sizeof dg, sig, sl, 0, err,
                                   el) : -1;
    p11_ossl_free(pub);
    return ok;
}

/* A backup and its restore (EN 419 221-5 FDP_ITC.2 as the catalogue reads it): a sensitive
 * signing key (EC or RSA) wrapped under a key-encryption key with an integrity-checking mechanism
 * (AES key wrap with padding, RFC 5649), then unwrapped. "roundTrip": under the same KEK it
 * comes back sensitive and signs as the original; "tampered": one bit of the blob changed
 * and the module refuses it; "otherKek": another KEK of the same kind cannot open it. */
void p11_op_wrap_restore(p11_worker *w, cf_vector *v)
{
    p11_key k, kek, other;
    CK_MECHANISM mech = {0, NULL, 0};
    unsigned char blob[4096];
    CK_ULONG blen = sizeof blob;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    const char *sc = cf_param_str(v, "scenario", "roundTrip");
    char err[200] = "";
    if (pick_mech(w, v, CKF_WRAP | CKF_UNWRAP, &mech.mechanism) != 0) {
        cf_skip(v, "the module offers no integrity-checking key wrap of the vector's list "
                   "for both wrapping and unwrapping");
        return;
    }
    if (p11_key_for(w, v, "key", 1, &k) || p11_key_for(w, v, "wrappingKey", 1, &kek))
        return;
    CK_RV rv = wrap(w, &mech, kek.priv, k.priv, blob, &blen);
    if (rv != CKR_OK) {
        if (v->expect == CF_EXPECT_VALID) {
            cf_observed(v, "C_WrapKey: %s with %s", p11_rv_name(rv), p11_mech_name(mech.mechanism));
            p11_judge(w, v, 1, rv);
        } else {
            cf_skip(v, "the module does not wrap the extractable key (%s with %s), so there "
                       "is no backup to restore", p11_rv_name(rv), p11_mech_name(mech.mechanism));
        }
        return;
    }
    CK_OBJECT_HANDLE into = kek.priv;
    if (strcmp(sc, "tampered") == 0) {
        blob[blen / 2] ^= 0x01;
    } else if (strcmp(sc, "otherKek") == 0) {
        if (p11_key_for(w, v, "wrappingKey", 1, &other))
            return;
        into = other.priv;
    }
    rv = unwrap_priv(w, &mech, into, k.type, blob, blen, &h);
    cf_wipe(blob, sizeof blob);
    if (rv != CKR_OK) {
        cf_observed(v, "C_UnwrapKey: %s (%s)", p11_rv_name(rv), p11_mech_name(mech.mechanism));
        p11_judge(w, v, 1, rv);
        return;
    }
    CK_BBOOL sens = CK_FALSE;
    int signs = restored_signs(w, &k, h, err, sizeof err);
    p11_attr_bool(w, h, CKA_SENSITIVE, &sens);
    cf_observed(v, "restored (%s): %s, %s", p11_mech_name(mech.mechanism),
                sens ? "sensitive" : "NOT sensitive",
                signs == 1 ? "signs as the original" : err[0] ? err : "does not sign as the original");
    if (v->expect == CF_EXPECT_VALID && (!sens || signs != 1))
        cf_fail(v, "the restored key is %s", !sens ? "not sensitive" : "not the original key");
    else
        cf_judge(v, 0, "CKR_OK", w->t->opt);
    p11_destroy(w, h);
}
