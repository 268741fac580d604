/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core's ports over the real world (acsl/ports/qscd_ports.h): the clock, the module
 * through the adapter (token MAC, seal MAC, TOTP HMAC, signatures, random), the store
 * (signers, credentials, registry, challenges, audit), Argon2id for PIN verifiers and
 * OpenSSL for device signatures and the audit chain's hash. Each function keeps its port's
 * contract, which the proof of the core assumes (spec/trusted-base.md, T-PORT-*).
 */
#include "samd_int.h"

#include <argon2.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static __thread const store_audit_meta *cur_meta;

void samd_meta_set(const store_audit_meta *meta)
{
    cur_meta = meta;
}

void samd_wipe(void *p, size_t n)
{
    if (p != NULL)
        qscd_wipe(p, n);
}

/* ---------------------------------------------------------------------- key cache */

static samd_key *key_lookup(samd *d, const uint8_t *id, size_t len)
{
    for (samd_key *k = d->keys; k != NULL; k = k->next)
        if (!k->dead && k->id_len == len && memcmp(k->id, id, len) == 0)
            return k;
    return NULL;
}

int samd_key_get(samd *d, const uint8_t *id, size_t len, p11a_key **out)
{
    samd_key *k;
    int rc = QSCD_OK;

    *out = NULL;
    if (len == 0 || len > P11T_ID_MAX)
        return QSCD_ERR_P11_KEY;
    pthread_mutex_lock(&d->keys_mu);
    k = key_lookup(d, id, len);
    if (k == NULL) {
        k = calloc(1, sizeof *k);
        rc = k == NULL ? QSCD_ERR_NOMEM : p11a_key_find(d->hsm, id, len, &k->key);
        if (rc == QSCD_OK) {
            memcpy(k->id, id, len);
            k->id_len = len;
            k->next = d->keys;
            d->keys = k;
        } else {
            free(k);
            k = NULL;
        }
    }
    pthread_mutex_unlock(&d->keys_mu);
    if (k != NULL)
        *out = &k->key;
    return rc == QSCD_ERR_NOT_FOUND ? QSCD_ERR_P11_KEY : rc;
}

void samd_key_forget(samd *d, const uint8_t *id, size_t len)
{
    pthread_mutex_lock(&d->keys_mu);
    for (samd_key *k = key_lookup(d, id, len); k != NULL; k = key_lookup(d, id, len))
        k->dead = 1; /* in-flight users keep a valid struct; the module refuses the handle */
    pthread_mutex_unlock(&d->keys_mu);
}

/* ------------------------------------------------------------------------ helpers */

int samd_verifier(const samd *d, const uint8_t *secret, size_t len, const uint8_t salt[16],
                  const store_kdf *kdf, uint8_t out[32])
{
    store_kdf cfg = { (uint32_t)d->cfg.argon2_t, (uint32_t)d->cfg.argon2_m,
                      (uint32_t)d->cfg.argon2_p };
    const store_kdf *k = kdf != NULL && kdf->t != 0 ? kdf : &cfg;
    int rc, gated = d->kdf_gate != NULL;

    /* One verification per core at a time: more would only share the cores and multiply
     * the memory (argon2_m KiB each) by the number of workers. */
    while (gated && sem_wait(d->kdf_gate) != 0)
        if (errno != EINTR)
            return QSCD_ERR_INTERNAL;
    rc = argon2id_hash_raw(k->t, k->m, k->p, len ? secret : (const uint8_t *)"", len, salt, 16,
                           out, 32);
    if (gated)
        sem_post(d->kdf_gate);
    return rc == ARGON2_OK ? QSCD_OK : QSCD_ERR_INTERNAL;
}

int samd_verifier_new(samd *d, const uint8_t *secret, size_t len, uint8_t salt[16],
                      store_kdf *kdf, uint8_t out[32])
{
    int rc = samd_random(d, salt, 16);

    kdf->t = (uint32_t)d->cfg.argon2_t;
    kdf->m = (uint32_t)d->cfg.argon2_m;
    kdf->p = (uint32_t)d->cfg.argon2_p;
    return rc == QSCD_OK ? samd_verifier(d, secret, len, salt, kdf, out) : rc;
}

static unsigned stripe_of(const qscd_id *id)
{
    uint32_t h = 2166136261u; /* FNV-1a: spreads ids over the stripes, no secret involved */

    for (size_t i = 0; i < id->len && i < QSCD_ID_MAX; i++)
        h = (h ^ id->b[i]) * 16777619u;
    return h % SAMD_STRIPES;
}

void samd_stripe_lock(samd *d, const qscd_id *id)
{
    pthread_mutex_lock(&d->stripes[stripe_of(id)]);
}

void samd_stripe_unlock(samd *d, const qscd_id *id)
{
    pthread_mutex_unlock(&d->stripes[stripe_of(id)]);
}

static int hmac_with(samd *d, p11a_key *k, p11a_mac alg, const uint8_t *data, size_t len,
                     uint8_t *out, size_t want)
{
    uint8_t mac[32];
    size_t n = sizeof mac;
    int rc = p11a_hmac(d->hsm, k, alg, data, len, mac, &n);

    if (rc == QSCD_OK && n != want)
        rc = QSCD_ERR_P11_FAILED;
    if (rc == QSCD_OK)
        memcpy(out, mac, want);
    samd_wipe(mac, sizeof mac);
    return rc;
}

/* -------------------------------------------------------------------------- ports */

static int p_now(void *ctx, int64_t *now)
{
    struct timespec ts;

    (void)ctx;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return QSCD_ERR_CLOCK;
    *now = (int64_t)ts.tv_sec;
    return QSCD_OK;
}

static int p_token_mac(void *ctx, const uint8_t *data, size_t len, uint8_t *tag)
{
    samd *d = ctx;

    return hmac_with(d, &d->sad_key, P11A_HMAC_SHA256, data, len, tag, 32);
}

static int p_seal_mac(void *ctx, const uint8_t *data, size_t len, uint8_t *out)
{
    samd *d = ctx;

    return hmac_with(d, &d->seal_key, P11A_HMAC_SHA256, data, len, out, 32);
}

/* A credential that is being created or deleted is shown to the core as disabled: only a
 * READY credential can authorise or sign. */
static int p_cred_get(void *ctx, const qscd_id *id, sam_cred *out)
{
    store_cred c;
    int rc = store_cred_get(((samd *)ctx)->db, id, &c);

    if (rc == QSCD_ERR_NOT_FOUND)
        return QSCD_ERR_CRED_NOT_FOUND;
    if (rc != QSCD_OK)
        return rc;
    *out = c.rec;
    if (c.state != STORE_CRED_READY)
        out->enabled = 0;
    store_cred_free(&c);
    return QSCD_OK;
}

static int p_registry_consume(void *ctx, const uint8_t *token_id, uint32_t n, uint32_t max)
{
    return store_registry_consume(((samd *)ctx)->db, token_id, n, max);
}

static int p_registry_extend(void *ctx, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    return store_registry_extend(((samd *)ctx)->db, token_id, max, exp);
}

static int p_registry_create(void *ctx, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    return store_registry_create(((samd *)ctx)->db, token_id, max, exp);
}

static int sign_params(const sam_sign_req *req, const p11a_key *k, p11a_sigalg *alg,
                       p11a_hash *hash)
{
    *hash = req->hash_alg == QSCD_HASH_SHA256   ? P11A_SHA256
            : req->hash_alg == QSCD_HASH_SHA384 ? P11A_SHA384
            : req->hash_alg == QSCD_HASH_SHA512 ? P11A_SHA512 : 0;
    *alg = req->sign_alg == SAM_SIGN_ECDSA       ? P11A_ECDSA_DER
           : req->sign_alg == SAM_SIGN_RSA_PKCS1 ? P11A_RSA_PKCS1
           : req->sign_alg == SAM_SIGN_RSA_PSS   ? P11A_RSA_PSS : 0;
    (void)k;
    return *hash != 0 && *alg != 0 ? QSCD_OK : QSCD_ERR_SIGN_ALG;
}

/* The key is the credential's (its CKA_ID), signed in the module with a context-specific
 * login for this one signature (p11a_sign), and verified with OpenSSL before it is returned. */
static int p_sign(void *ctx, const sam_sign_req *req, const sad_claims *authz,
                  const sam_cred *cred, size_t i, uint8_t *sig, size_t cap, size_t *sig_len)
{
    samd *d = ctx;
    p11a_key *k = NULL;
    p11a_sigalg alg;
    p11a_hash hash;
    size_t n = cap;
    int rc = sign_params(req, NULL, &alg, &hash);

    (void)authz;
    *sig_len = 0;
    if (rc == QSCD_OK)
        rc = samd_key_get(d, cred->key_ref, cred->key_ref_len, &k);
    if (rc == QSCD_OK)
        rc = p11a_sign(d->hsm, k, alg, hash, &req->hashes[i * QSCD_MAX_DIGEST],
                       qscd_hash_digest_len(req->hash_alg), sig, &n);
    if (rc == QSCD_OK)
        *sig_len = n;
    return rc;
}

static int p_signer_get(void *ctx, const qscd_id *id, sam_signer *out)
{
    store_signer s;
    int rc = store_signer_get(((samd *)ctx)->db, id, &s);

    if (rc == QSCD_ERR_NOT_FOUND)
        return QSCD_ERR_SIGNER_NOT_FOUND;
    if (rc == QSCD_OK)
        *out = s.rec;
    samd_wipe(&s, sizeof s);
    return rc;
}

static int p_signer_update(void *ctx, const qscd_id *id, uint32_t failures, int locked,
                           uint64_t otp_counter)
{
    int rc = store_signer_auth(((samd *)ctx)->db, id, failures, locked, otp_counter);

    /* The core refuses a locked signer before it counts: locked here is a new lock. */
    if (rc == QSCD_OK && locked)
        samd_monitor_lock_noted();
    return rc;
}

static int p_pin_derive(void *ctx, const qscd_id *signer, const uint8_t *pin, size_t len,
                        uint8_t *out)
{
    samd *d = ctx;
    store_signer s;
    int rc = store_signer_get(d->db, signer, &s);

    /* An unknown signer costs the same derivation (with a zero salt): no timing difference. */
    if (rc == QSCD_ERR_NOT_FOUND) {
        memset(s.pin_salt, 0, sizeof s.pin_salt);
        memset(&s.pin_kdf, 0, sizeof s.pin_kdf); /* the configured cost */
        rc = QSCD_OK;
    }
    if (rc == QSCD_OK)
        rc = samd_verifier(d, pin, len, s.pin_salt, &s.pin_kdf, out);
    samd_wipe(&s, sizeof s);
    return rc;
}

static int p_otp_mac(void *ctx, const qscd_id *signer, uint64_t counter, uint8_t *mac)
{
    samd *d = ctx;
    store_signer s;
    p11a_key *k = NULL;
    uint8_t msg[8];
    int rc = store_signer_get(d->db, signer, &s);

    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)counter;
    if (rc == QSCD_OK && s.otp_key_ref_len == 0)
        rc = QSCD_ERR_NOT_FOUND; /* no TOTP factor provisioned */
    if (rc == QSCD_OK)
        rc = samd_key_get(d, s.otp_key_ref, s.otp_key_ref_len, &k);
    if (rc == QSCD_OK)
        rc = hmac_with(d, k, P11A_HMAC_SHA1, msg, sizeof msg, mac, 20);
    samd_wipe(&s, sizeof s);
    return rc;
}

static int p_random(void *ctx, uint8_t *buf, size_t n)
{
    return p11a_random(((samd *)ctx)->hsm, buf, n);
}

static int p_challenge_take(void *ctx, const qscd_id *signer, const uint8_t *challenge,
                            int64_t *issued_at)
{
    return store_challenge_take(((samd *)ctx)->db, signer, challenge, issued_at);
}

/* ES256 over tbs with the signer's enrolled device key (raw r || s), checked by OpenSSL. */
static int p_device_verify(void *ctx, const qscd_id *signer, const uint8_t *tbs,
                           size_t tbs_len, const uint8_t *sig)
{
    samd *d = ctx;
    store_signer s;
    uint8_t dgst[32];
    int rc = store_signer_get(d->db, signer, &s);

    if (rc == QSCD_OK && s.device_spki_len == 0)
        rc = QSCD_ERR_NOT_FOUND; /* no device enrolled */
    if (rc == QSCD_OK) {
        SHA256(tbs, tbs_len, dgst);
        rc = p11a_verify(s.device_spki, s.device_spki_len, P11A_ECDSA, P11A_SHA256, dgst,
                         sizeof dgst, sig, 64);
        if (rc == QSCD_ERR_P11_SIGNATURE)
            rc = QSCD_ERR_COSE_BAD_SIGNATURE;
    }
    samd_wipe(&s, sizeof s);
    return rc;
}

static int p_sha256(void *ctx, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                    uint8_t *out)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n = 32;
    int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(c, a, alen) == 1 && EVP_DigestUpdate(c, b, blen) == 1 &&
             EVP_DigestFinal_ex(c, out, &n) == 1;

    (void)ctx;
    EVP_MD_CTX_free(c);
    return ok ? QSCD_OK : QSCD_ERR_INTERNAL;
}

/* Durable before it returns: store_audit_append acknowledges after the commit. */
/* The core reads the trusted clock only once a request has passed the role table and its
 * checks, so an event it refused before that carries time 0 (1970): such a record gets the
 * time it is written, within the request's own handling of when the refusal happened. */
static int p_audit(void *ctx, const sam_event *ev)
{
    sam_event stamped;
    int64_t now = 0;

    if (ev->time != 0 || p_now(ctx, &now) != QSCD_OK)
        return store_audit_append(((samd *)ctx)->db, ev, cur_meta);
    stamped = *ev;
    stamped.time = now;
    return store_audit_append(((samd *)ctx)->db, &stamped, cur_meta);
}

void samd_ports_init(samd *d)
{
    d->ports = (qscd_ports){
        .ctx = d, .now = p_now, .token_mac = p_token_mac, .cred_get = p_cred_get,
        .registry_consume = p_registry_consume, .sign = p_sign, .signer_get = p_signer_get,
        .signer_update = p_signer_update, .pin_derive = p_pin_derive, .otp_mac = p_otp_mac,
        .random = p_random, .registry_create = p_registry_create,
        .registry_extend = p_registry_extend, .challenge_take = p_challenge_take, .device_verify = p_device_verify,
        .sha256 = p_sha256, .seal_mac = p_seal_mac, .audit = p_audit,
    };
}

int samd_random(samd *d, uint8_t *buf, size_t n)
{
    return qscd_port_random(&d->ports, buf, n);
}

int samd_audit(samd *d, sam_event *ev)
{
    int64_t now = 0;

    if (qscd_port_now(&d->ports, &now) == QSCD_OK)
        ev->time = now;
    return qscd_port_audit(&d->ports, ev);
}
