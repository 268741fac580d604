/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions, objects, login and the token (EN 419 221-5 DESTROY, ROLES, RNG; EN 419 241-1
 * SRG_KM.7.1, SRG_IA): random numbers that do not repeat, session objects that go with
 * their session, token objects that stay, destroyed keys that cannot be used, a wrong PIN
 * refused, private objects out of reach without a login and out of the security officer's
 * reach, and (with --destructive) token re-initialisation.
 */
#include "p11.h"

#include <stdlib.h>
#include <string.h>

/* random: {"length": n, "count": c, "check": "distinct" | "monobit" | "notConstant"} */
void p11_op_random(p11_worker *w, cf_vector *v)
{
    long len = cf_param_int(v, "length", 32), count = cf_param_int(v, "count", 2);
    const char *check = cf_param_str(v, "check", "distinct");
    if (len <= 0 || len > 4096 || count <= 0 || count > 256) {
        cf_fail(v, "length or count out of range in the vector");
        return;
    }
    unsigned char *buf = calloc((size_t)count, (size_t)len);
    CK_RV rv = CKR_OK;
    for (long i = 0; buf && i < count && rv == CKR_OK; i++)
        rv = w->t->f->C_GenerateRandom(w->s, buf + i * len, (CK_ULONG)len);
    if (!buf || rv != CKR_OK) {
        cf_observed(v, "%s", p11_rv_name(rv));
        cf_fail(v, "C_GenerateRandom: %s", p11_rv_name(rv));
        free(buf);
        return;
    }
    if (strcmp(check, "distinct") == 0) {
        long same = 0;
        for (long i = 0; i < count; i++)
            for (long j = i + 1; j < count; j++)
                same += memcmp(buf + i * len, buf + j * len, (size_t)len) == 0;
        cf_observed(v, "%ld outputs of %ld bytes, %ld repeated pair(s)", count, len, same);
        if (same)
            cf_fail(v, "outputs repeat");
        else
            cf_pass(v, "%s", "");
    } else if (strcmp(check, "monobit") == 0) {
        /* FIPS 140-1 monobit bounds on 20,000 bits: 9,725 < ones < 10,275. */
        long ones = 0, bits = len * count * 8;
        for (long i = 0; i < len * count; i++)
            ones += __builtin_popcount(buf[i]);
        cf_observed(v, "%ld ones in %ld bits", ones, bits);
        if (bits != 20000)
            cf_fail(v, "the monobit check needs exactly 20000 bits");
        else if (ones <= 9725 || ones >= 10275)
            cf_fail(v, "outside the FIPS 140-1 monobit bounds");
        else
            cf_pass(v, "%s", "");
    } else {
        long k = 1;
        while (k < len * count && buf[k] == buf[0])
            k++;
        cf_observed(v, "%ld bytes, %s", len * count, k == len * count ? "all equal" : "varied");
        if (k == len * count)
            cf_fail(v, "the output is one byte repeated");
        else
            cf_pass(v, "%s", "");
    }
    free(buf);
}

/* A secret key (or, without AES, a data object) in a second session of this worker. */
static CK_RV make_object(p11_worker *w, CK_SESSION_HANDLE s, CK_BBOOL token, char *label,
                         size_t llen, CK_OBJECT_HANDLE *h)
{
    p11_tmpl t = {0};
    CK_MECHANISM gen = {CKM_AES_KEY_GEN, NULL, 0};
    p11_tmpl_bool(&t, CKA_TOKEN, token);
    p11_tmpl_bool(&t, CKA_PRIVATE, CK_TRUE);
    p11_tmpl_bool(&t, CKA_SENSITIVE, CK_TRUE);
    p11_tmpl_bool(&t, CKA_ENCRYPT, CK_TRUE);
    p11_tmpl_ulong(&t, CKA_VALUE_LEN, 16);
    p11_tmpl_names(w->t, &t, NULL, label, llen);
    CK_RV rv = w->t->f->C_GenerateKey(s, &gen, t.a, t.n, h);
    if (rv == CKR_OK)
        p11_track(w->t, *h, label);
    return rv;
}

static int need_aes(p11_worker *w, cf_vector *v)
{
    if (p11_mech_has(w->t, CKM_AES_KEY_GEN, CKF_GENERATE))
        return 1;
    cf_skip(v, "the module does not offer CKM_AES_KEY_GEN to make the test object");
    return 0;
}

/* Make a key (token or session object) in a second session of this worker; on failure the
 * vector's verdict is set and -1 returned. */
static int object_in_new_session(p11_worker *w, cf_vector *v, CK_BBOOL token, char *label,
                                 size_t llen, CK_OBJECT_HANDLE *h, CK_SESSION_HANDLE *s2)
{
    CK_FUNCTION_LIST *f = w->t->f;
    if (!need_aes(w, v))
        return -1;
    CK_RV rv = f->C_OpenSession(w->t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, s2);
    if (rv == CKR_OK && (rv = make_object(w, *s2, token, label, llen, h)) != CKR_OK)
        f->C_CloseSession(*s2);
    if (rv != CKR_OK) {
        cf_fail(v, "cannot make the %s object: %s", token ? "token" : "session", p11_rv_name(rv));
        return -1;
    }
    return 0;
}

/* A session object (CKA_TOKEN=FALSE) is visible to the application's other sessions and
 * gone once the session that made it is closed. */
void p11_op_session_object(p11_worker *w, cf_vector *v)
{
    CK_SESSION_HANDLE s2;
    CK_OBJECT_HANDLE h, found[4];
    char label[64];
    if (object_in_new_session(w, v, CK_FALSE, label, sizeof label, &h, &s2) != 0)
        return;
    int before = p11_find_label(w, label, found, 4);
    w->t->f->C_CloseSession(s2);
    int after = p11_find_label(w, label, found, 4);
    CK_BBOOL b;
    CK_RV hrv = p11_attr_bool(w, h, CKA_TOKEN, &b);
    cf_observed(v, "found %d before closing, %d after; old handle %s", before, after,
                p11_rv_name(hrv));
    if (before != 1)
        cf_fail(v, "the session object is not visible to another session of the application");
    else if (after != 0 || hrv == CKR_OK)
        cf_fail(v, "the session object outlived its session");
    else {
        p11_untrack(w->t, h);
        cf_pass(v, "%s", "");
    }
}

/* A token object (CKA_TOKEN=TRUE) stays after the session that made it is closed. */
void p11_op_token_object(p11_worker *w, cf_vector *v)
{
    CK_SESSION_HANDLE s2;
    CK_OBJECT_HANDLE h, found[4];
    char label[64];
    if (object_in_new_session(w, v, CK_TRUE, label, sizeof label, &h, &s2) != 0)
        return;
    w->t->f->C_CloseSession(s2);
    int after = p11_find_label(w, label, found, 4);
    cf_observed(v, "found %d after closing the session that made it", after);
    if (after != 1)
        cf_fail(v, "the token object did not outlive its session");
    else {
        cf_pass(v, "%s", "");
        p11_destroy(w, found[0]);
    }
}

/* A destroyed key can be neither found nor used (221-5/DESTROY, SRG_KM.7.1). */
void p11_op_destroy_object(p11_worker *w, cf_vector *v)
{
    p11_key k;
    CK_OBJECT_HANDLE found[4];
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    unsigned char dg[32] = {1}, sig[256];
    CK_ULONG siglen = sizeof sig;
    if (p11_key_for(w, v, "key", 1, &k))
        return;
    CK_RV drv = w->t->f->C_DestroyObject(w->s, k.priv);
    if (drv != CKR_OK) {
        cf_fail(v, "C_DestroyObject: %s", p11_rv_name(drv));
        return;
    }
    p11_untrack(w->t, k.priv);
    if (k.type == CKK_RSA)
        mech.mechanism = CKM_RSA_PKCS;
    CK_RV rv = w->t->f->C_SignInit(w->s, &mech, k.priv);
    if (rv == CKR_OK)
        w->t->f->C_Sign(w->s, dg, sizeof dg, sig, &siglen);
    int n = 0;
    CK_OBJECT_HANDLE *p = found;
    int total = p11_find_label(w, k.label, p, 4);
    for (int i = 0; i < total; i++) {
        CK_ULONG cls = 0;
        n += p11_attr_ulong(w, found[i], CKA_CLASS, &cls) == CKR_OK && cls == CKO_PRIVATE_KEY;
    }
    cf_observed(v, "C_SignInit with the old handle %s; %d private key(s) still labelled so",
                p11_rv_name(rv), n);
    p11_judge(w, v, rv != CKR_OK && n == 0, rv);
    p11_destroy(w, k.pub);
}

static CK_RV relogin(p11_target *t)
{
    CK_RV rv = p11_login_user(t, t->main, CKU_USER);
    return rv == CKR_USER_ALREADY_LOGGED_IN ? CKR_OK : rv;
}

/* login scenarios (run alone: they change the application's login state):
 *   wrongPin, emptyPin     C_Login(CKU_USER) with a wrong / empty PIN -> CKR_PIN_INCORRECT
 *   alreadyLoggedIn        a second C_Login                          -> CKR_USER_ALREADY_LOGGED_IN
 *   signLoggedOut          after C_Logout, C_SignInit with a private key -> refused
 *   privateHiddenLoggedOut after C_Logout, the private key cannot be found
 *   soCannotUseKey         logged in as security officer: the signer's key is out of reach */
/* Without the user's login the signer's private key must be neither found (by its label)
 * nor usable (through the handle the run had, or any handle the search returns). */
static CK_RV try_private(p11_worker *w, cf_vector *v, const p11_key *k, const char *who,
                         int *refused)
{
    CK_FUNCTION_LIST *f = w->t->f;
    CK_OBJECT_HANDLE found[4];
    CK_MECHANISM mech = {k->type == CKK_RSA ? CKM_RSA_PKCS : CKM_ECDSA, NULL, 0};
    unsigned char dg[32] = {1}, sig[600];
    CK_ULONG siglen = sizeof sig;
    int n = p11_find_label(w, k->label, found, 4), priv = 0;
    CK_RV rv = f->C_SignInit(w->s, &mech, k->priv);
    if (rv == CKR_OK)
        rv = f->C_Sign(w->s, dg, sizeof dg, sig, &siglen);
    for (int i = 0; i < n; i++) {
        CK_ULONG cls = 0;
        if (p11_attr_ulong(w, found[i], CKA_CLASS, &cls) == CKR_OK && cls == CKO_PRIVATE_KEY)
            priv++;
    }
    cf_observed(v, "%s: %d private key(s) found by label, signing with the old handle %s", who,
                priv, p11_rv_name(rv));
    *refused = rv != CKR_OK && priv == 0;
    return rv;
}

static CK_RV scenario(p11_worker *w, cf_vector *v, const char *sc, const p11_key *k,
                      int *refused)
{
    p11_target *t = w->t;
    CK_FUNCTION_LIST *f = t->f;
    CK_RV rv;
    if (strcmp(sc, "alreadyLoggedIn") == 0) {
        rv = p11_login_user(t, w->s, CKU_USER);
        *refused = rv != CKR_OK;
        return rv;
    }
    f->C_Logout(t->main);
    if (strcmp(sc, "wrongPin") == 0 || strcmp(sc, "emptyPin") == 0) {
        const char *pin = strcmp(sc, "wrongPin") == 0 ? "qscd-conform-wrong-PIN" : "";
        rv = f->C_Login(w->s, CKU_USER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
        *refused = rv != CKR_OK;
    } else if (strcmp(sc, "soCannotUseKey") == 0) {
        rv = p11_login_user(t, w->s, CKU_SO);
        if (rv != CKR_OK) {
            cf_skip(v, "cannot log in as security officer: %s", p11_rv_name(rv));
            *refused = -1;
            return rv;
        }
        rv = try_private(w, v, k, "as security officer", refused);
    } else {
        rv = try_private(w, v, k, "logged out", refused);
    }
    f->C_Logout(w->s);
    return rv;
}

void p11_op_login(p11_worker *w, cf_vector *v)
{
    const char *sc = cf_param_str(v, "scenario", "");
    p11_key k = {0};
    int refused = 0;
    if (strcmp(sc, "emptyPin") == 0 && w->t->opt->pin[0] == '\0') {
        cf_skip(v, "the token's own PIN is empty");
        return;
    }
    if (!(w->t->tinfo.flags & CKF_LOGIN_REQUIRED) &&
        (strcmp(sc, "alreadyLoggedIn") == 0 || strcmp(sc, "signLoggedOut") == 0 ||
         strcmp(sc, "privateHiddenLoggedOut") == 0)) {
        cf_skip(v, "the token does not require a login (CKF_LOGIN_REQUIRED is clear, e.g. an "
                   "NSS database without a password), so nothing is out of reach without one");
        return;
    }
    if (strcmp(sc, "soCannotUseKey") == 0 && !w->t->opt->so_pin) {
        cf_skip(v, "needs --so-pin (the security officer's PIN)");
        return;
    }
    if (cf_param(v, "key") && p11_key_for(w, v, "key", 1, &k))
        return;
    CK_RV rv = scenario(w, v, sc, &k, &refused);
    CK_RV back = relogin(w->t);
    if (refused >= 0) {
        if (back != CKR_OK)
            cf_fail(v, "could not log back in as the user: %s", p11_rv_name(back));
        else
            p11_judge(w, v, refused, rv);
    }
    /* Handles to private objects died at C_Logout: find the key again to destroy it. */
    CK_OBJECT_HANDLE found[4];
    int n = k.label[0] ? p11_find_label(w, k.label, found, 4) : 0;
    for (int i = 0; i < n; i++)
        p11_destroy(w, found[i]);
}

/* Re-initialising the token (--destructive, --so-pin): a wrong SO PIN is refused; with the
 * right one every object is gone and the user PIN must be set again. */
void p11_op_init_token(p11_worker *w, cf_vector *v)
{
    p11_target *t = w->t;
    CK_FUNCTION_LIST *f = t->f;
    const char *sc = cf_param_str(v, "scenario", "");
    unsigned char label[32];
    if (!t->opt->destructive) {
        cf_skip(v, "destructive: runs only with --destructive");
        return;
    }
    if (!t->opt->so_pin) {
        cf_skip(v, "needs --so-pin (the security officer's PIN)");
        return;
    }
    memcpy(label, t->tinfo.label, sizeof label);
    char keep[64] = "";
    CK_OBJECT_HANDLE h, found[4];
    if (strcmp(sc, "erasesObjects") == 0 && need_aes(w, v) &&
        make_object(w, w->s, CK_TRUE, keep, sizeof keep, &h) != CKR_OK) {
        cf_fail(v, "cannot make the token object that re-initialisation should erase");
        return;
    }
    if (v->verdict == CF_SKIP)
        return;
    f->C_CloseAllSessions(t->slot);
    const char *so = strcmp(sc, "wrongSoPin") == 0 ? "qscd-conform-wrong-SO" : t->opt->so_pin;
    CK_RV rv = f->C_InitToken(t->slot, (CK_UTF8CHAR_PTR)so, (CK_ULONG)strlen(so), label);
    if (rv == CKR_OK) {
        /* Set the user PIN again, as the security officer, so the run can go on. */
        t->token_reset = 1;
        CK_SESSION_HANDLE s;
        f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
        p11_login_user(t, s, CKU_SO);
        f->C_InitPIN(s, (CK_UTF8CHAR_PTR)t->opt->pin, (CK_ULONG)strlen(t->opt->pin));
        f->C_Logout(s);
        f->C_CloseSession(s);
    }
    CK_RV back = p11_sessions_reopen(w);
    int left = keep[0] ? p11_find_label(w, keep, found, 4) : 0;
    cf_observed(v, "C_InitToken %s; %d test object(s) left; user login again %s",
                p11_rv_name(rv), left, p11_rv_name(back));
    if (back != CKR_OK)
        cf_fail(v, "the token is not usable again after the test: %s", p11_rv_name(back));
    else if (strcmp(sc, "wrongSoPin") == 0)
        p11_judge(w, v, rv != CKR_OK, rv);
    else if (rv == CKR_OK && left != 0)
        cf_fail(v, "an object survived re-initialisation");
    else
        p11_judge(w, v, rv != CKR_OK, rv);
}
