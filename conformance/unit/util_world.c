/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory test world of util_world.h. */
#include "util_world.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cose.h"
#include "otp.h"
#include "scbor.h"

qscd_id world_id(const char *s)
{
    qscd_id id;

    memset(&id, 0, sizeof id);
    id.len = (uint8_t)strlen(s);
    memcpy(id.b, s, id.len);
    return id;
}

static int id_is(const qscd_id *a, const qscd_id *b)
{
    return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static world_signer *find_signer(world *w, const qscd_id *id)
{
    for (int i = 0; i < WORLD_MAX; i++)
        if (w->signers[i].present && id_is(&w->signers[i].s.id, id))
            return &w->signers[i];
    return NULL;
}

static world_cred *find_cred(world *w, const qscd_id *id)
{
    for (int i = 0; i < WORLD_MAX; i++)
        if (w->creds[i].present && id_is(&w->creds[i].c.id, id))
            return &w->creds[i];
    return NULL;
}

static void pin_verifier(const uint8_t *salt, const uint8_t *pin, size_t len, uint8_t *out)
{
    uint8_t buf[16 + SAM_PIN_MAX];

    memcpy(buf, salt, 16);
    memcpy(buf + 16, pin, len);
    SHA256(buf, 16 + len, out);
}

/* ------------------------------------------------------------------------------- ports */

static int p_now(void *ctx, int64_t *now)
{
    *now = ((world *)ctx)->now;
    return QSCD_OK;
}

static int p_token_mac(void *ctx, const uint8_t *data, size_t len, uint8_t *tag)
{
    world *w = ctx;
    unsigned n = 32;

    return HMAC(EVP_sha256(), w->token_key, 32, data, len, tag, &n) ? QSCD_OK : QSCD_ERR_INTERNAL;
}

static int p_cred_get(void *ctx, const qscd_id *id, sam_cred *out)
{
    world_cred *c = find_cred(ctx, id);

    if (c == NULL)
        return QSCD_ERR_CRED_NOT_FOUND;
    *out = c->c;
    return QSCD_OK;
}

static int p_registry_consume(void *ctx, const uint8_t *token_id, uint32_t n, uint32_t max)
{
    world *w = ctx;

    for (int i = 0; i < WORLD_REG; i++) {
        if (!w->reg[i].present || memcmp(w->reg[i].id, token_id, QSCD_TOKEN_ID_LEN) != 0)
            continue;
        if (max != w->reg[i].max)
            return QSCD_ERR_INTERNAL;
        if (w->reg[i].used >= max)
            return QSCD_ERR_SAD_EXHAUSTED;
        if (w->reg[i].used + n > max)
            return QSCD_ERR_SAD_COUNT;
        w->reg[i].used += n;
        return QSCD_OK;
    }
    return QSCD_ERR_SAD_UNKNOWN;
}

static int p_sign(void *ctx, const sam_sign_req *req, const sad_claims *authz,
                  const sam_cred *cred, size_t i, uint8_t *sig, size_t cap, size_t *sig_len)
{
    world *w = ctx;
    world_cred *c = find_cred(w, &cred->id);
    size_t dlen = qscd_hash_digest_len(req->hash_alg);
    EVP_PKEY_CTX *pc;
    int ok;

    (void)authz;
    w->sign_calls++;
    if (c == NULL || c->key == NULL)
        return QSCD_ERR_P11_KEY;
    pc = EVP_PKEY_CTX_new(c->key, NULL);
    *sig_len = cap;
    ok = pc != NULL && EVP_PKEY_sign_init(pc) == 1 &&
         EVP_PKEY_sign(pc, sig, sig_len, &req->hashes[i * QSCD_MAX_DIGEST], dlen) == 1;
    EVP_PKEY_CTX_free(pc);
    return ok ? QSCD_OK : QSCD_ERR_P11_FAILED;
}

static int p_signer_get(void *ctx, const qscd_id *id, sam_signer *out)
{
    world_signer *s = find_signer(ctx, id);

    if (s == NULL)
        return QSCD_ERR_SIGNER_NOT_FOUND;
    *out = s->s;
    return QSCD_OK;
}

static int p_signer_update(void *ctx, const qscd_id *id, uint32_t failures, int locked,
                           uint64_t otp_counter)
{
    world_signer *s = find_signer(ctx, id);

    if (s == NULL)
        return QSCD_ERR_SIGNER_NOT_FOUND;
    s->s.failures = failures;
    s->s.locked = (uint8_t)locked;
    s->s.otp_last_counter = otp_counter;
    return QSCD_OK;
}

static int p_pin_derive(void *ctx, const qscd_id *signer, const uint8_t *pin, size_t len,
                        uint8_t *out)
{
    world_signer *s = find_signer(ctx, signer);

    if (s == NULL)
        return QSCD_ERR_SIGNER_NOT_FOUND;
    pin_verifier(s->salt, pin, len, out);
    return QSCD_OK;
}

static int p_otp_mac(void *ctx, const qscd_id *signer, uint64_t counter, uint8_t *mac)
{
    world_signer *s = find_signer(ctx, signer);
    uint8_t msg[8];
    unsigned n = 20;

    if (s == NULL)
        return QSCD_ERR_SIGNER_NOT_FOUND;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)counter;
    return HMAC(EVP_sha1(), s->seed, 20, msg, 8, mac, &n) ? QSCD_OK : QSCD_ERR_INTERNAL;
}

static int p_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    return RAND_bytes(buf, (int)n) == 1 ? QSCD_OK : QSCD_ERR_RANDOM;
}

static int p_registry_extend(void *ctx, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    world *w = ctx;

    (void)exp;
    for (int i = 0; i < WORLD_REG; i++) {
        if (!w->reg[i].present || memcmp(w->reg[i].id, token_id, QSCD_TOKEN_ID_LEN) != 0)
            continue;
        if (max != w->reg[i].max)
            return QSCD_ERR_SAD_UNKNOWN;
        return w->reg[i].used >= max ? QSCD_ERR_SAD_EXHAUSTED : QSCD_OK;
    }
    return QSCD_ERR_SAD_UNKNOWN;
}

static int p_registry_create(void *ctx, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    world *w = ctx;

    (void)exp;
    for (int i = 0; i < WORLD_REG; i++) {
        if (w->reg[i].present)
            continue;
        w->reg[i].present = 1;
        memcpy(w->reg[i].id, token_id, QSCD_TOKEN_ID_LEN);
        w->reg[i].used = 0;
        w->reg[i].max = max;
        return QSCD_OK;
    }
    return QSCD_ERR_STORE;
}

static int p_challenge_take(void *ctx, const qscd_id *signer, const uint8_t *challenge,
                            int64_t *issued_at)
{
    world *w = ctx;

    for (int i = 0; i < 8; i++) {
        if (w->chal[i].present && id_is(&w->chal[i].signer, signer) &&
            memcmp(w->chal[i].ch, challenge, SAM_CHALLENGE_LEN) == 0) {
            w->chal[i].present = 0;
            *issued_at = w->chal[i].issued;
            return QSCD_OK;
        }
    }
    return QSCD_ERR_NOT_FOUND;
}

/* ES256 raw r || s to DER, then EVP verify. */
static int es256_verify(EVP_PKEY *key, const uint8_t *tbs, size_t tbs_len, const uint8_t *rs)
{
    uint8_t dgst[32], der[80], *q = der;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    EVP_PKEY_CTX *pc = NULL;
    int len, ok = 0;

    SHA256(tbs, tbs_len, dgst);
    if (sig != NULL && ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL))) {
        len = i2d_ECDSA_SIG(sig, &q);
        pc = EVP_PKEY_CTX_new(key, NULL);
        ok = len > 0 && pc != NULL && EVP_PKEY_verify_init(pc) == 1 &&
             EVP_PKEY_verify(pc, der, (size_t)len, dgst, sizeof dgst) == 1;
    }
    ECDSA_SIG_free(sig);
    EVP_PKEY_CTX_free(pc);
    return ok;
}

static int p_device_verify(void *ctx, const qscd_id *signer, const uint8_t *tbs, size_t tbs_len,
                           const uint8_t *sig)
{
    world_signer *s = find_signer(ctx, signer);

    if (s == NULL || s->device == NULL)
        return QSCD_ERR_NOT_FOUND;
    return es256_verify(s->device, tbs, tbs_len, sig) ? QSCD_OK : QSCD_ERR_COSE_BAD_SIGNATURE;
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

static int p_seal_mac(void *ctx, const uint8_t *data, size_t len, uint8_t *out)
{
    world *w = ctx;
    unsigned n = 32;

    return HMAC(EVP_sha256(), w->seal_key, 32, data, len, out, &n) ? QSCD_OK : QSCD_ERR_INTERNAL;
}

static int p_audit(void *ctx, const sam_event *ev)
{
    world *w = ctx;

    if (w->nevents < WORLD_EVENTS)
        w->events[w->nevents] = *ev;
    w->nevents++;
    return w->fail_audit ? QSCD_ERR_AUDIT_WRITE : QSCD_OK;
}

/* ------------------------------------------------------------------------------- world */

void world_init(world *w)
{
    memset(w, 0, sizeof *w);
    w->ports = (qscd_ports){
        .ctx = w, .now = p_now, .token_mac = p_token_mac, .cred_get = p_cred_get,
        .registry_consume = p_registry_consume, .sign = p_sign, .signer_get = p_signer_get,
        .signer_update = p_signer_update, .pin_derive = p_pin_derive, .otp_mac = p_otp_mac,
        .random = p_random, .registry_create = p_registry_create,
        .registry_extend = p_registry_extend, .challenge_take = p_challenge_take, .device_verify = p_device_verify,
        .sha256 = p_sha256, .seal_mac = p_seal_mac, .audit = p_audit,
    };
    w->now = 1800000000; /* 2027-01-15 */
    RAND_bytes(w->token_key, sizeof w->token_key);
    RAND_bytes(w->seal_key, sizeof w->seal_key);
    w->cfg.audience_len = 14;
    memcpy(w->cfg.audience, "qscd-unit-test", 14);
    w->cfg.token_ttl = 600;
    w->cfg.token_max_life = 86400;
    w->cfg.clock_skew = 30;
    w->cfg.lockout_limit = 5;
    w->cfg.challenge_ttl = 300;
    w->cfg.otp_step = 30;
    w->cfg.otp_digits = 6;
}

void world_free(world *w)
{
    for (int i = 0; i < WORLD_MAX; i++) {
        EVP_PKEY_free(w->signers[i].device);
        EVP_PKEY_free(w->creds[i].key);
    }
    memset(w, 0, sizeof *w);
}

void world_reset_pair(world *w)
{
    world_free(w);
    world_init(w);
    world_add_signer(w, "alice", "246810");
    world_add_signer(w, "bob", "135790");
    world_add_cred(w, "a-totp", "alice", SAM_SAP_TOTP, 5);
    world_add_cred(w, "b-totp", "bob", SAM_SAP_TOTP, 5);
}

world_signer *world_add_signer(world *w, const char *id, const char *pin)
{
    for (int i = 0; i < WORLD_MAX; i++) {
        world_signer *s = &w->signers[i];
        if (s->present)
            continue;
        s->present = 1;
        s->s.id = world_id(id);
        s->s.enabled = 1;
        s->s.has_pin = 1;
        RAND_bytes(s->salt, sizeof s->salt);
        RAND_bytes(s->seed, sizeof s->seed);
        pin_verifier(s->salt, (const uint8_t *)pin, strlen(pin), s->s.pin_verifier);
        s->device = EVP_EC_gen("P-256");
        return s;
    }
    return NULL;
}

world_cred *world_add_cred(world *w, const char *id, const char *owner, int sap, uint32_t multisign)
{
    for (int i = 0; i < WORLD_MAX; i++) {
        world_cred *c = &w->creds[i];
        if (c->present)
            continue;
        c->present = 1;
        c->c.id = world_id(id);
        c->c.owner = world_id(owner);
        c->c.enabled = 1;
        c->c.key_alg = SAM_KEY_EC_P256;
        c->c.sap = sap;
        c->c.multisign = multisign;
        c->c.has_cert = 1;
        c->c.cert_not_before = w->now - 86400;
        c->c.cert_not_after = w->now + 365 * 86400;
        c->key = EVP_EC_gen("P-256");
        return c;
    }
    return NULL;
}

void world_totp(world *w, const char *signer, int step_offset, char *code)
{
    qscd_id id = world_id(signer);
    uint8_t mac[20];
    uint64_t counter = (uint64_t)(w->now / w->cfg.otp_step + step_offset);

    p_otp_mac(w, &id, counter, mac);
    otp_format(otp_truncate(mac, w->cfg.otp_digits), w->cfg.otp_digits, (uint8_t *)code);
    code[w->cfg.otp_digits] = '\0';
}

void world_challenge(world *w, const char *signer, uint8_t *ch)
{
    for (int i = 0; i < 8; i++) {
        if (w->chal[i].present)
            continue;
        w->chal[i].present = 1;
        w->chal[i].signer = world_id(signer);
        RAND_bytes(w->chal[i].ch, SAM_CHALLENGE_LEN);
        w->chal[i].issued = w->now;
        memcpy(ch, w->chal[i].ch, SAM_CHALLENGE_LEN);
        return;
    }
}

size_t world_sic_assertion(EVP_PKEY *key, const uint8_t *ch, const uint8_t *cred,
                           size_t cred_len, uint32_t numsig, int hash_alg, const uint8_t *h,
                           size_t stride, size_t n, uint8_t *out, size_t cap)
{
    uint8_t payload[2600], prot[16], tbs[2700], dgst[32], der[80], rs[64];
    size_t dlen = qscd_hash_digest_len(hash_alg), plen, prot_len = 0, sl = sizeof der;
    scbor_enc e;
    EVP_PKEY_CTX *pc;
    const unsigned char *q = der;
    ECDSA_SIG *sig;

    scbor_enc_init(&e, payload, sizeof payload);
    scbor_put_map(&e, 6);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, 2);
    scbor_put_bstr(&e, ch, SAM_CHALLENGE_LEN);
    scbor_put_uint(&e, 3);
    scbor_put_bstr(&e, cred, cred_len);
    scbor_put_uint(&e, 4);
    scbor_put_uint(&e, numsig);
    scbor_put_uint(&e, 5);
    scbor_put_uint(&e, (uint64_t)hash_alg);
    scbor_put_uint(&e, 6);
    scbor_put_array(&e, n);
    for (size_t j = 0; j < n; j++)
        scbor_put_bstr(&e, &h[j * stride], dlen);
    plen = e.len;
    /* Sig_structure = ["Signature1", protected, h'', payload] */
    if (cose_protected_header(COSE_ALG_ES256, prot, sizeof prot, &prot_len) != QSCD_OK)
        return 0;
    scbor_enc_init(&e, tbs, sizeof tbs);
    scbor_put_array(&e, 4);
    scbor_put_tstr(&e, (const uint8_t *)"Signature1", 10);
    scbor_put_bstr(&e, prot, prot_len);
    scbor_put_bstr(&e, (const uint8_t *)"", 0);
    scbor_put_bstr(&e, payload, plen);
    SHA256(tbs, e.len, dgst);
    pc = EVP_PKEY_CTX_new(key, NULL);
    if (pc == NULL || EVP_PKEY_sign_init(pc) != 1 || EVP_PKEY_sign(pc, der, &sl, dgst, 32) != 1) {
        EVP_PKEY_CTX_free(pc);
        return 0;
    }
    EVP_PKEY_CTX_free(pc);
    sig = d2i_ECDSA_SIG(NULL, &q, (long)sl);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32);
    ECDSA_SIG_free(sig);
    /* COSE_Sign1: 18([protected, {}, payload, signature]) */
    scbor_enc_init(&e, out, cap);
    scbor_put_tag(&e, COSE_TAG_SIGN1);
    scbor_put_array(&e, 4);
    scbor_put_bstr(&e, prot, prot_len);
    scbor_put_map(&e, 0);
    scbor_put_bstr(&e, payload, plen);
    scbor_put_bstr(&e, rs, 64);
    return e.err == QSCD_OK ? e.len : 0;
}

size_t world_assertion(world *w, const char *signer, const uint8_t *ch, const sam_authz_req *req,
                       EVP_PKEY *wrong_key, uint8_t *out, size_t cap)
{
    qscd_id sid = world_id(signer);
    world_signer *s = find_signer(w, &sid);

    if (s == NULL)
        return 0;
    return world_sic_assertion(wrong_key != NULL ? wrong_key : s->device, ch, req->cred.b,
                               req->cred.len, req->num_signatures, req->hash_alg, req->hashes,
                               QSCD_MAX_DIGEST, req->nhashes, out, cap);
}

int world_verify(world *w, const char *cred, int hash_alg, const uint8_t *digest,
                 const uint8_t *sig, size_t sig_len)
{
    qscd_id id = world_id(cred);
    world_cred *c = find_cred(w, &id);
    EVP_PKEY_CTX *pc;
    int ok;

    if (c == NULL)
        return 0;
    pc = EVP_PKEY_CTX_new(c->key, NULL);
    ok = pc != NULL && EVP_PKEY_verify_init(pc) == 1 &&
         EVP_PKEY_verify(pc, sig, sig_len, digest, qscd_hash_digest_len(hash_alg)) == 1;
    EVP_PKEY_CTX_free(pc);
    return ok;
}

void world_authz_req(sam_authz_req *r, const char *signer, const char *cred, const char *pin,
                     const char *otp, uint32_t numsig, int hash_alg, size_t nhashes,
                     const uint8_t *hashes)
{
    size_t dlen = qscd_hash_digest_len(hash_alg);

    memset(r, 0, sizeof *r);
    r->actor.role = SAM_ROLE_SIGNER;
    r->actor.id = world_id(signer);
    r->cred = world_id(cred);
    r->num_signatures = numsig;
    r->hash_alg = hash_alg;
    r->nhashes = nhashes;
    for (size_t j = 0; j < nhashes && j < QSCD_MAX_HASHES; j++)
        memcpy(&r->hashes[j * QSCD_MAX_DIGEST], hashes + j * dlen, dlen);
    r->pin_len = strlen(pin);
    memcpy(r->pin, pin, r->pin_len);
    if (otp != NULL) {
        r->otp_len = strlen(otp);
        memcpy(r->otp, otp, r->otp_len);
    }
}

void world_sign_req(sam_sign_req *r, const char *signer, const char *cred,
                    const uint8_t *token, size_t token_len, int hash_alg, size_t nhashes,
                    const uint8_t *hashes)
{
    size_t dlen = qscd_hash_digest_len(hash_alg);

    memset(r, 0, sizeof *r);
    r->actor.role = SAM_ROLE_SIGNER;
    r->actor.id = world_id(signer);
    r->cred = world_id(cred);
    r->token = token;
    r->token_len = token_len;
    r->hash_alg = hash_alg;
    r->sign_alg = SAM_SIGN_ECDSA;
    r->nhashes = nhashes;
    for (size_t j = 0; j < nhashes && j < QSCD_MAX_HASHES; j++)
        memcpy(&r->hashes[j * QSCD_MAX_DIGEST], hashes + j * (dlen ? dlen : 32), dlen ? dlen : 32);
}
