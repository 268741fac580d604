/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capability probe: what a module supports and, measured on temporary session keys,
 * whether it enforces CKA_ALWAYS_AUTHENTICATE and honours CKA_WRAP_WITH_TRUSTED. Module
 * quirks are reported, never papered over (NSS softokn stores ALWAYS_AUTHENTICATE but signs
 * without the context login; SoftHSMv2 enforces it).
 */
#include <stdio.h>
#include <string.h>

#include "p11a_int.h"
#include "qscd_mem.h"

static const uint8_t probe_id[] = "qscd-probe";

static void note(p11a_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(p11a_probe *p, const char *fmt, ...)
{
    size_t n = strlen(p->notes);
    va_list ap;

    if (n > 0 && n + 2 < sizeof p->notes) {
        memcpy(p->notes + n, "; ", 3);
        n += 2;
    }
    va_start(ap, fmt);
    vsnprintf(p->notes + n, sizeof p->notes - n, fmt, ap);
    va_end(ap);
}

static void probe_info(p11a *a, p11a_probe *p)
{
    CK_INFO info;
    CK_TOKEN_INFO ti;
    char manuf[33], desc[33];

    if (a->f->C_GetInfo(&info) == CKR_OK) {
        p11a_padded_copy(manuf, sizeof manuf, info.manufacturerID, 32);
        p11a_padded_copy(desc, sizeof desc, info.libraryDescription, 32);
        snprintf(p->library, sizeof p->library, "%s %s", manuf, desc);
        p->cryptoki_major = info.cryptokiVersion.major;
        p->cryptoki_minor = info.cryptokiVersion.minor;
    }
    if (a->f->C_GetTokenInfo(a->slot, &ti) == CKR_OK) {
        p11a_padded_copy(p->token_model, sizeof p->token_model, ti.model, 16);
        p11a_padded_copy(p->token_manufacturer, sizeof p->token_manufacturer,
                         ti.manufacturerID, 32);
        p11a_padded_copy(p->token_serial, sizeof p->token_serial, ti.serialNumber, 16);
    }
}

static void probe_mechanisms(p11a *a, p11a_probe *p)
{
    CK_MECHANISM_TYPE m[512];
    CK_ULONG n = 512;

    if (a->f->C_GetMechanismList(a->slot, m, &n) != CKR_OK) {
        note(p, "%s", "C_GetMechanismList failed");
        return;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        p->ecdsa |= m[i] == CKM_ECDSA;
        p->rsa_pkcs |= m[i] == CKM_RSA_PKCS;
        p->rsa_pss |= m[i] == CKM_RSA_PKCS_PSS;
        p->sha256_hmac |= m[i] == CKM_SHA256_HMAC;
        p->sha1_hmac |= m[i] == CKM_SHA_1_HMAC;
        p->aes_key_wrap_pad |= m[i] == CKM_AES_KEY_WRAP_PAD;
        p->aes_key_wrap |= m[i] == CKM_AES_KEY_WRAP;
    }
}

/* A temporary EC P-256 session key pair of the policy (flags: P11T_SESSION, and
 * P11T_BACKUP for the wrap test). */
static CK_RV probe_pair(p11a *a, CK_SESSION_HANDLE h, unsigned flags, CK_OBJECT_HANDLE *pub,
                        CK_OBJECT_HANDLE *priv)
{
    p11t_pair t;

    if (p11t_pair_build(&t, CKK_EC, P11T_EC_P256, flags, (const char *)probe_id,
                        sizeof probe_id - 1, "", 0) != QSCD_OK)
        return CKR_GENERAL_ERROR;
    return a->f->C_GenerateKeyPair(h, &t.mech, t.pub, t.npub, t.priv, t.npriv, pub, priv);
}

/* Does C_Sign without the context-specific login fail on an ALWAYS_AUTHENTICATE key? */
static void probe_always_auth(p11a *a, CK_SESSION_HANDLE h, p11a_probe *p)
{
    CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
    CK_OBJECT_HANDLE pub, priv;
    CK_BYTE digest[32] = { 1 }, sig[128];
    CK_ULONG sig_len = sizeof sig;
    CK_RV rv = probe_pair(a, h, P11T_SESSION, &pub, &priv);

    p->always_auth_enforced = -1;
    if (rv != CKR_OK) {
        note(p, "ALWAYS_AUTHENTICATE not tested: EC key generation failed (%s)",
             p11a_rv_name(rv));
        return;
    }
    rv = a->f->C_SignInit(h, &mech, priv);
    if (rv == CKR_OK)
        rv = a->f->C_Sign(h, digest, sizeof digest, sig, &sig_len);
    if (rv == CKR_OK)
        p->always_auth_enforced = 0;
    else if (rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_PIN_EXPIRED)
        p->always_auth_enforced = 1;
    else
        note(p, "ALWAYS_AUTHENTICATE not tested: C_Sign failed with %s", p11a_rv_name(rv));
    if (p->always_auth_enforced == 0)
        note(p, "%s", "the module signs with a CKA_ALWAYS_AUTHENTICATE key without the "
             "context-specific login");
    (void)a->f->C_DestroyObject(h, priv);
    (void)a->f->C_DestroyObject(h, pub);
}

/* Does the module refuse to wrap a CKA_WRAP_WITH_TRUSTED key under an untrusted key? */
static void probe_wrap_trusted(p11a *a, CK_SESSION_HANDLE h, p11a_probe *p)
{
    CK_MECHANISM wrap = { p->aes_key_wrap_pad ? CKM_AES_KEY_WRAP_PAD : CKM_AES_KEY_WRAP,
                          NULL, 0 };
    CK_OBJECT_HANDLE pub, priv, kek;
    uint8_t blob[512];
    CK_ULONG blob_len = sizeof blob;
    p11t_secret t;
    CK_RV rv;

    p->wrap_with_trusted = -1;
    if (!p->aes_key_wrap_pad && !p->aes_key_wrap) {
        note(p, "%s", "WRAP_WITH_TRUSTED not tested: no AES key-wrap mechanism");
        return;
    }
    if (p11t_kek_build(&t, P11T_SESSION, (const char *)probe_id, sizeof probe_id - 1, "",
                       0) != QSCD_OK ||
        (rv = a->f->C_GenerateKey(h, &t.mech, t.attr, t.nattr, &kek)) != CKR_OK) {
        note(p, "%s", "WRAP_WITH_TRUSTED not tested: no untrusted session KEK");
        return;
    }
    rv = probe_pair(a, h, P11T_SESSION | P11T_BACKUP, &pub, &priv);
    if (rv == CKR_OK) {
        rv = a->f->C_WrapKey(h, &wrap, kek, priv, blob, &blob_len);
        qscd_wipe(blob, sizeof blob);   /* a throw-away key, but a key all the same */
        if (rv == CKR_OK)
            p->wrap_with_trusted = 0;
        else if (rv == CKR_KEY_NOT_WRAPPABLE || rv == CKR_WRAPPING_KEY_HANDLE_INVALID ||
                 rv == CKR_KEY_FUNCTION_NOT_PERMITTED)
            p->wrap_with_trusted = 1;
        else
            note(p, "WRAP_WITH_TRUSTED not tested: C_WrapKey failed with %s",
                 p11a_rv_name(rv));
        (void)a->f->C_DestroyObject(h, priv);
        (void)a->f->C_DestroyObject(h, pub);
    } else {
        note(p, "WRAP_WITH_TRUSTED not tested: key generation failed (%s)", p11a_rv_name(rv));
    }
    if (p->wrap_with_trusted == 0)
        note(p, "%s", "the module wraps a CKA_WRAP_WITH_TRUSTED key under an untrusted key");
    (void)a->f->C_DestroyObject(h, kek);
}

static CK_RV probe_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    p11a_probe *p = vctx;

    (void)k;
    probe_info(a, p);
    probe_mechanisms(a, p);
    probe_always_auth(a, h, p);
    probe_wrap_trusted(a, h, p);
    /* A refused C_Sign may leave the operation active on some modules. */
    *state = P11A_SESS_CLOSE;
    return CKR_OK;
}

int p11a_probe_run(p11a *a, p11a_probe *out)
{
    p11a_probe p;
    int rc;

    if (a == NULL || out == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_probe_run: NULL argument");
    pthread_mutex_lock(&a->mu);
    if (a->probed) {
        *out = a->probe;
        pthread_mutex_unlock(&a->mu);
        return QSCD_OK;
    }
    pthread_mutex_unlock(&a->mu);
    memset(&p, 0, sizeof p);
    rc = p11a_run(a, NULL, "probe", probe_op, &p);
    if (rc != QSCD_OK)
        return rc;
    pthread_mutex_lock(&a->mu);
    if (!a->probed) {
        a->probe = p;
        a->probed = 1;
    }
    *out = a->probe;
    pthread_mutex_unlock(&a->mu);
    return QSCD_OK;
}
