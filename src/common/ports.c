/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Forward each port call of the core to the shell's function (src/common/ports.h). A port the
 * shell left NULL answers QSCD_ERR_UNSUPPORTED, never a crash. The clock port enforces its
 * own contract's range, so a misbehaving clock fails closed.
 */
#include "ports.h"

#include <stddef.h>
#include <string.h>

/* The id a record was asked for and the one it carries: lengths in range and equal bytes.
 * The store port's contract promises this; checking it here costs nothing. */
static int record_is(const qscd_id *want, const qscd_id *got)
{
    return got->len >= 1 && got->len <= QSCD_ID_MAX && got->len == want->len &&
           memcmp(got->b, want->b, got->len) == 0;
}

#define FORWARD(fn, ...) ((p != NULL && p->fn != NULL) ? p->fn(p->ctx, __VA_ARGS__) \
                                                       : QSCD_ERR_UNSUPPORTED)

int qscd_port_now(qscd_ports *p, int64_t *now)
{
    int rc = FORWARD(now, now);

    if (rc == QSCD_OK && (*now < 0 || *now > 0x7fffffff00))
        rc = QSCD_ERR_CLOCK;
    return rc == QSCD_OK ? QSCD_OK : QSCD_ERR_CLOCK;
}

int qscd_port_token_mac(qscd_ports *p, const uint8_t *data, size_t len, uint8_t *tag)
{
    return FORWARD(token_mac, data, len, tag);
}

int qscd_port_cred_get(qscd_ports *p, const qscd_id *id, sam_cred *out)
{
    int rc = FORWARD(cred_get, id, out);

    if (rc == QSCD_OK && (!record_is(id, &out->id) || out->owner.len < 1 ||
                          out->owner.len > QSCD_ID_MAX || out->key_ref_len > SAM_KEY_REF_MAX))
        rc = QSCD_ERR_STORE;
    return rc;
}

int qscd_port_registry_consume(qscd_ports *p, const uint8_t *token_id, uint32_t n, uint32_t max)
{
    return FORWARD(registry_consume, token_id, n, max);
}

int qscd_port_sign(qscd_ports *p, const sam_sign_req *req, const sad_claims *authz,
                   const sam_cred *cred, size_t i, uint8_t *sig, size_t cap, size_t *sig_len)
{
    return FORWARD(sign, req, authz, cred, i, sig, cap, sig_len);
}

int qscd_port_signer_get(qscd_ports *p, const qscd_id *id, sam_signer *out)
{
    int rc = FORWARD(signer_get, id, out);

    if (rc == QSCD_OK && !record_is(id, &out->id))
        rc = QSCD_ERR_STORE;
    return rc;
}

int qscd_port_signer_update(qscd_ports *p, const qscd_id *id, uint32_t failures, int locked,
                            uint64_t otp_counter)
{
    return FORWARD(signer_update, id, failures, locked, otp_counter);
}

int qscd_port_pin_derive(qscd_ports *p, const qscd_id *signer, const uint8_t *pin, size_t len,
                         uint8_t *out)
{
    return FORWARD(pin_derive, signer, pin, len, out);
}

int qscd_port_otp_mac(qscd_ports *p, const qscd_id *signer, uint64_t counter, uint8_t *mac)
{
    return FORWARD(otp_mac, signer, counter, mac);
}

int qscd_port_random(qscd_ports *p, uint8_t *buf, size_t n)
{
    return FORWARD(random, buf, n) == QSCD_OK ? QSCD_OK : QSCD_ERR_RANDOM;
}

int qscd_port_registry_create(qscd_ports *p, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    return FORWARD(registry_create, token_id, max, exp);
}

int qscd_port_registry_extend(qscd_ports *p, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    return FORWARD(registry_extend, token_id, max, exp);
}

int qscd_port_challenge_take(qscd_ports *p, const qscd_id *signer, const uint8_t *challenge,
                             int64_t *issued_at)
{
    return FORWARD(challenge_take, signer, challenge, issued_at);
}

int qscd_port_device_verify(qscd_ports *p, const qscd_id *signer, const uint8_t *tbs,
                            size_t tbs_len, const uint8_t *sig)
{
    return FORWARD(device_verify, signer, tbs, tbs_len, sig);
}

int qscd_port_sha256(qscd_ports *p, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                     uint8_t *out)
{
    return FORWARD(sha256, a, alen, b, blen, out);
}

int qscd_port_seal_mac(qscd_ports *p, const uint8_t *data, size_t len, uint8_t *out)
{
    return FORWARD(seal_mac, data, len, out);
}

int qscd_port_audit(qscd_ports *p, const sam_event *ev)
{
    return FORWARD(audit, ev) == QSCD_OK ? QSCD_OK : QSCD_ERR_AUDIT_WRITE;
}
