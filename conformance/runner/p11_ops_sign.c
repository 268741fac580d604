/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing (EN 419 221-5 ALGO, AUTH-PER-KEY; EN 419 241-1 SRG_KM.1.2, SRA_SKM.2.1): every
 * signature a module returns is verified with OpenSSL against the public key read back from
 * the module, and a tampered input must then fail, so a verifier that accepts everything
 * cannot pass a vector. Keys with CKA_ALWAYS_AUTHENTICATE must need a context-specific
 * login for every single signature.
 */
#include "p11.h"

#include <stdlib.h>
#include <string.h>

typedef struct sig_job {
    CK_MECHANISM mech;
    CK_RSA_PKCS_PSS_PARAMS pss;
    const char *hash;
    long salt;
    size_t hlen;               /* digest length of `hash` */
    unsigned char input[600];  /* what C_Sign gets: message, digest or DigestInfo */
    size_t inlen;
} sig_job;

static const struct { const char *name; CK_MECHANISM_TYPE mech; CK_RSA_PKCS_MGF_TYPE mgf;
                      long len; } HASHES[] = {
    {"SHA-1", CKM_SHA_1, CKG_MGF1_SHA1, 20},
    {"SHA-256", CKM_SHA256, CKG_MGF1_SHA256, 32},
    {"SHA-384", CKM_SHA384, CKG_MGF1_SHA384, 48},
    {"SHA-512", CKM_SHA512, CKG_MGF1_SHA512, 64},
};

static int hex_decode(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], 0};
        char *end;
        out[i] = (unsigned char)strtoul(byte, &end, 16);
        if (*end)
            return -1;
    }
    return (int)(n / 2);
}

static int job_setup(cf_vector *v, sig_job *j)
{
    unsigned char msg[256], dg[64];
    size_t dglen = sizeof dg;
    int mlen = hex_decode(cf_param_str(v, "message", "71736364"), msg, sizeof msg);
    size_t h;
    memset(j, 0, sizeof *j);
    j->hash = cf_param_str(v, "hash", "SHA-256");
    for (h = 0; h < sizeof HASHES / sizeof HASHES[0]; h++)
        if (strcmp(HASHES[h].name, j->hash) == 0)
            break;
    if (mlen < 0 || h == sizeof HASHES / sizeof HASHES[0] ||
        p11_mech_value(cf_param_str(v, "mechanism", NULL), &j->mech.mechanism) != 0) {
        cf_fail(v, "the vector's mechanism, hash or message is not usable");
        return -1;
    }
    CK_MECHANISM_TYPE m = j->mech.mechanism;
    j->salt = cf_param_int(v, "saltLength", HASHES[h].len);
    j->hlen = (size_t)HASHES[h].len;
    if (m == CKM_RSA_PKCS_PSS || m == CKM_SHA1_RSA_PKCS_PSS || m == CKM_SHA256_RSA_PKCS_PSS ||
        m == CKM_SHA384_RSA_PKCS_PSS || m == CKM_SHA512_RSA_PKCS_PSS) {
        j->pss = (CK_RSA_PKCS_PSS_PARAMS){HASHES[h].mech, HASHES[h].mgf, (CK_ULONG)j->salt};
        j->mech.pParameter = &j->pss;
        j->mech.ulParameterLen = sizeof j->pss;
    }
    if (m == CKM_ECDSA || m == CKM_RSA_PKCS || m == CKM_RSA_PKCS_PSS) {
        p11_ossl_digest(j->hash, msg, (size_t)mlen, dg, &dglen);
        if (m == CKM_RSA_PKCS)
            j->inlen = p11_ossl_digest_info(j->hash, dg, dglen, j->input, sizeof j->input);
        else {
            memcpy(j->input, dg, dglen);
            j->inlen = dglen;
        }
    } else {
        memcpy(j->input, msg, (size_t)mlen);
        j->inlen = (size_t)mlen;
    }
    return 0;
}

static int mech_supported(p11_worker *w, cf_vector *v, CK_MECHANISM_TYPE m)
{
    if (p11_mech_has(w->t, m, CKF_SIGN))
        return 1;
    cf_skip(v, "the module does not offer %s for signing", p11_mech_name(m));
    return 0;
}

/* C_SignInit + C_Sign with a size query. `ctx_login` adds the context-specific login. */
static CK_RV sign_once(p11_worker *w, const p11_key *k, sig_job *j, int ctx_login,
                       unsigned char *sig, CK_ULONG *siglen, CK_RV *login_rv)
{
    CK_FUNCTION_LIST *f = w->t->f;
    CK_ULONG cap = *siglen;
    CK_RV rv = f->C_SignInit(w->s, &j->mech, k->priv);
    if (rv != CKR_OK)
        return rv;
    if (ctx_login) {
        *login_rv = p11_login_user(w->t, w->s, CKU_CONTEXT_SPECIFIC);
    }
    rv = f->C_Sign(w->s, j->input, (CK_ULONG)j->inlen, NULL, siglen);
    if (rv != CKR_OK)
        return rv;   /* a failed C_Sign ends the operation */
    if (*siglen > cap) {
        unsigned char big[1024];
        CK_ULONG n = sizeof big;
        f->C_Sign(w->s, j->input, (CK_ULONG)j->inlen, big, &n);   /* ends the operation */
        return CKR_BUFFER_TOO_SMALL;
    }
    return f->C_Sign(w->s, j->input, (CK_ULONG)j->inlen, sig, siglen);
}

/* The common start of every signing vector: its mechanism and input, the mechanism offered
 * by the module, and its key. 0, or -1 with the verdict set. */
static int prologue(p11_worker *w, cf_vector *v, sig_job *j, p11_key *k)
{
    if (job_setup(v, j) || !mech_supported(w, v, j->mech.mechanism) ||
        p11_key_for(w, v, "key", 0, k))
        return -1;
    return 0;
}

/* 1: verified and a tampered input rejected; 0: verdict set (FAIL). */
static int verify_ossl(p11_worker *w, cf_vector *v, const p11_key *k, sig_job *j,
                       const unsigned char *sig, CK_ULONG siglen)
{
    char err[160] = "";
    EVP_PKEY *pk = p11_ossl_public(w, k, err, sizeof err);
    if (!pk) {
        cf_fail(v, "%s", err);
        return 0;
    }
    int ok = p11_ossl_verify(pk, j->mech.mechanism, j->hash, j->input, j->inlen, sig, siglen,
                             j->salt, err, sizeof err);
    /* Tamper with the first byte of the digest (or of a short message): ECDSA keeps only the
     * leftmost bits of a digest longer than the curve, so a change at the end may not count,
     * and CKM_RSA_PKCS's DigestInfo header is rebuilt by OpenSSL. */
    size_t at = j->inlen >= j->hlen ? j->inlen - j->hlen : 0;
    j->input[at] ^= 0x01;
    int tampered = p11_ossl_verify(pk, j->mech.mechanism, j->hash, j->input, j->inlen, sig,
                                   siglen, j->salt, err, sizeof err);
    j->input[at] ^= 0x01;
    p11_ossl_free(pk);
    if (ok < 0 || tampered < 0)
        cf_fail(v, "%s", err);
    else if (!ok)
        cf_fail(v, "the %lu-byte signature does not verify with OpenSSL", (unsigned long)siglen);
    else if (tampered)
        cf_fail(v, "OpenSSL accepted the signature over a tampered input (runner fault)");
    return ok == 1 && tampered == 0;
}

void p11_op_sign(p11_worker *w, cf_vector *v)
{
    p11_key k;
    sig_job j;
    unsigned char sig[1024];
    CK_ULONG siglen = sizeof sig;
    CK_RV lrv = CKR_OK;
    if (prologue(w, v, &j, &k))
        return;
    CK_RV rv = sign_once(w, &k, &j, 0, sig, &siglen, &lrv);
    if (rv != CKR_OK) {
        p11_judge(w, v, 1, rv);
        return;
    }
    cf_observed(v, "CKR_OK; %lu-byte signature verified by OpenSSL", (unsigned long)siglen);
    if (verify_ossl(w, v, &k, &j, sig, siglen))
        p11_judge(w, v, 0, CKR_OK);
}

/* The module's own C_Verify must reject a signature with one bit changed (and accept the
 * unchanged one, or the rejection means nothing). */
void p11_op_verify_tampered(p11_worker *w, cf_vector *v)
{
    p11_key k;
    sig_job j;
    unsigned char sig[1024];
    CK_ULONG siglen = sizeof sig;
    CK_RV lrv = CKR_OK;
    CK_FUNCTION_LIST *f = w->t->f;
    if (prologue(w, v, &j, &k))
        return;
    if (!p11_mech_has(w->t, j.mech.mechanism, CKF_VERIFY)) {
        cf_skip(v, "the module does not offer %s for verification",
                p11_mech_name(j.mech.mechanism));
        return;
    }
    CK_RV rv = sign_once(w, &k, &j, 0, sig, &siglen, &lrv);
    if (rv != CKR_OK || !verify_ossl(w, v, &k, &j, sig, siglen)) {
        if (rv != CKR_OK)
            cf_fail(v, "cannot make the signature to tamper with: %s", p11_rv_name(rv));
        return;
    }
    CK_RV good = f->C_VerifyInit(w->s, &j.mech, k.pub);
    if (good == CKR_OK)
        good = f->C_Verify(w->s, j.input, (CK_ULONG)j.inlen, sig, siglen);
    sig[siglen / 2] ^= 0x10;
    rv = f->C_VerifyInit(w->s, &j.mech, k.pub);
    if (rv == CKR_OK)
        rv = f->C_Verify(w->s, j.input, (CK_ULONG)j.inlen, sig, siglen);
    cf_observed(v, "genuine %s, tampered %s", p11_rv_name(good), p11_rv_name(rv));
    if (good != CKR_OK)
        cf_fail(v, "C_Verify rejects the module's own genuine signature (%s)", p11_rv_name(good));
    else
        p11_judge(w, v, rv != CKR_OK, rv);
}

/* PKCS#11 5.2 (2.40 §5.2): a call with a short buffer returns CKR_BUFFER_TOO_SMALL with the
 * length needed and leaves the operation active, so the next call completes it. */
void p11_op_sign_buffer_too_small(p11_worker *w, cf_vector *v)
{
    p11_key k;
    sig_job j;
    unsigned char sig[1024];
    CK_FUNCTION_LIST *f = w->t->f;
    if (prologue(w, v, &j, &k))
        return;
    CK_RV rv = f->C_SignInit(w->s, &j.mech, k.priv);
    CK_ULONG small = 8, full = sizeof sig;
    CK_RV r1 = rv == CKR_OK ? f->C_Sign(w->s, j.input, (CK_ULONG)j.inlen, sig, &small) : rv;
    CK_RV r2 = rv == CKR_OK ? f->C_Sign(w->s, j.input, (CK_ULONG)j.inlen, sig, &full) : rv;
    cf_observed(v, "short buffer %s (needs %lu), then %s", p11_rv_name(r1),
                (unsigned long)small, p11_rv_name(r2));
    if (rv != CKR_OK)
        cf_fail(v, "C_SignInit: %s", p11_rv_name(rv));
    else if (r1 != CKR_BUFFER_TOO_SMALL)
        cf_fail(v, "a short buffer gave %s, not CKR_BUFFER_TOO_SMALL", p11_rv_name(r1));
    else if (r2 != CKR_OK)
        cf_fail(v, "the operation did not stay active after CKR_BUFFER_TOO_SMALL (%s)",
                p11_rv_name(r2));
    else if (small != full)
        cf_fail(v, "announced %lu bytes, produced %lu", (unsigned long)small,
                (unsigned long)full);
    else if (verify_ossl(w, v, &k, &j, sig, full))
        cf_pass(v, "%s", "");
}

/* CKA_ALWAYS_AUTHENTICATE (PKCS#11 2.40 §4.9, EN 419 221-5 AUTH-PER-KEY): each C_Sign
 * needs its own C_Login(CKU_CONTEXT_SPECIFIC) after C_SignInit. Scenarios:
 *   noContextLogin      C_Sign without the login               -> refused
 *   contextLogin        with the login                         -> signs, verifies
 *   secondSignNeedsLogin one login, a second C_Sign            -> the second refused
 *   contextLoginWrongPin the login with a wrong PIN, then C_Sign -> both refused */
void p11_op_always_auth(p11_worker *w, cf_vector *v)
{
    p11_key k;
    sig_job j;
    unsigned char sig[1024];
    CK_ULONG siglen = sizeof sig;
    CK_BBOOL aa = CK_FALSE;
    CK_RV lrv = CKR_OK, rv;
    const char *sc = cf_param_str(v, "scenario", "");
    if (prologue(w, v, &j, &k))
        return;
    if (p11_attr_bool(w, k.priv, CKA_ALWAYS_AUTHENTICATE, &aa) != CKR_OK || aa != CK_TRUE) {
        cf_skip(v, "the key does not carry CKA_ALWAYS_AUTHENTICATE=TRUE on this module");
        return;
    }
    if (strcmp(sc, "noContextLogin") == 0) {
        rv = sign_once(w, &k, &j, 0, sig, &siglen, &lrv);
        cf_observed(v, "C_Sign without context login: %s", p11_rv_name(rv));
        p11_judge(w, v, rv != CKR_OK, rv);
    } else if (strcmp(sc, "contextLogin") == 0) {
        rv = sign_once(w, &k, &j, 1, sig, &siglen, &lrv);
        cf_observed(v, "context login %s, C_Sign %s", p11_rv_name(lrv), p11_rv_name(rv));
        if (rv != CKR_OK)
            p11_judge(w, v, 1, rv);
        else if (verify_ossl(w, v, &k, &j, sig, siglen))
            p11_judge(w, v, 0, CKR_OK);
    } else if (strcmp(sc, "secondSignNeedsLogin") == 0) {
        CK_RV first = sign_once(w, &k, &j, 1, sig, &siglen, &lrv);
        siglen = sizeof sig;
        rv = sign_once(w, &k, &j, 0, sig, &siglen, &lrv);
        cf_observed(v, "first C_Sign %s, second without login %s", p11_rv_name(first),
                    p11_rv_name(rv));
        if (first != CKR_OK)
            cf_fail(v, "the first, authenticated signature failed: %s", p11_rv_name(first));
        else
            p11_judge(w, v, rv != CKR_OK, rv);
    } else if (strcmp(sc, "contextLoginWrongPin") == 0) {
        CK_FUNCTION_LIST *f = w->t->f;
        static const char wrong[] = "qscd-conform-wrong-PIN";
        rv = f->C_SignInit(w->s, &j.mech, k.priv);
        lrv = f->C_Login(w->s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)wrong, sizeof wrong - 1);
        CK_RV srv = rv == CKR_OK ? f->C_Sign(w->s, j.input, (CK_ULONG)j.inlen, sig, &siglen) : rv;
        cf_observed(v, "context login with a wrong PIN %s, C_Sign %s", p11_rv_name(lrv),
                    p11_rv_name(srv));
        p11_judge(w, v, lrv != CKR_OK && srv != CKR_OK, srv != CKR_OK ? lrv : srv);
    } else {
        cf_fail(v, "unknown scenario '%s'", sc);
    }
}
