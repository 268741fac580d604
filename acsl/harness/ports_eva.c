/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ports, for EVA only: C bodies that behave as the contracts of acsl/ports/qscd_ports.h
 * allow, with every output unknown within them (Frama_C_make_unknown, Frama_C_interval) and
 * every result code possible, and that move the ghost state as the contracts say. With only
 * the contracts EVA would not know the outputs initialised; with these bodies it explores
 * every value a port may give. WP never sees this file: it proves the core against the
 * contracts themselves.
 */
#include "harness.h"
#include "qscd_ports.h"

/* A result code: QSCD_OK or the error given. */
static int outcome(int err)
{
    return Frama_C_interval(0, 1) ? QSCD_OK : err;
}

static int64_t any_time(void)
{
    return (int64_t)Frama_C_long_interval(0, 0x7fffffff00L);
}

static void any_id(qscd_id *id)
{
    Frama_C_make_unknown((char *)id->b, sizeof id->b);
    id->len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
}

static void copy_id(qscd_id *dst, const qscd_id *src)
{
    *dst = *src;
}

int qscd_port_now(qscd_ports *p, int64_t *now)
{
    int rc = outcome(QSCD_ERR_CLOCK);

    (void)p;
    if (rc == QSCD_OK) {
        *now = any_time();
        /*@ ghost sam_g_now = *now; */
    }
    return rc;
}

int qscd_port_token_mac(qscd_ports *p, const uint8_t *data, size_t len, uint8_t *tag)
{
    (void)p; (void)data; (void)len;
    Frama_C_make_unknown((char *)tag, 32);
    return outcome(QSCD_ERR_INTERNAL);
}

int qscd_port_cred_get(qscd_ports *p, const qscd_id *id, sam_cred *out)
{
    (void)p;
    Frama_C_make_unknown((char *)out, sizeof *out);
    copy_id(&out->id, id);
    any_id(&out->owner);
    out->key_ref_len = (uint8_t)Frama_C_interval(0, SAM_KEY_REF_MAX);
    return outcome(QSCD_ERR_CRED_NOT_FOUND);
}

int qscd_port_registry_consume(qscd_ports *p, const uint8_t *token_id, uint32_t n, uint32_t max)
{
    int rc = outcome(QSCD_ERR_SAD_EXHAUSTED);

    (void)p; (void)token_id; (void)max;
    /*@ ghost if (rc == QSCD_OK) sam_g_consumed = sam_g_consumed + (int)n; */
    return rc;
}

int qscd_port_sign(qscd_ports *p, const sam_sign_req *req, const sad_claims *authz,
                   const sam_cred *cred, size_t i, uint8_t *sig, size_t cap, size_t *sig_len)
{
    (void)p; (void)req; (void)authz; (void)cred; (void)i;
    Frama_C_make_unknown((char *)sig, cap);
    *sig_len = harness_len(0, cap);
    /*@ ghost sam_g_signed = sam_g_signed + 1; */
    return outcome(QSCD_ERR_INTERNAL);
}

int qscd_port_signer_get(qscd_ports *p, const qscd_id *id, sam_signer *out)
{
    (void)p;
    Frama_C_make_unknown((char *)out, sizeof *out);
    copy_id(&out->id, id);
    out->locked = (uint8_t)Frama_C_interval(0, 1);
    /*@ ghost sam_g_failures_read = out->failures; sam_g_locked_read = out->locked; */
    return outcome(QSCD_ERR_SIGNER_NOT_FOUND);
}

int qscd_port_signer_update(qscd_ports *p, const qscd_id *id, uint32_t failures, int locked,
                            uint64_t otp_counter)
{
    (void)p; (void)id; (void)otp_counter;
    /*@ ghost sam_g_failures_written = failures; sam_g_locked_written = locked; */
    return outcome(QSCD_ERR_STORE);
}

int qscd_port_pin_derive(qscd_ports *p, const qscd_id *signer, const uint8_t *pin, size_t len,
                         uint8_t *out)
{
    (void)p; (void)signer; (void)pin; (void)len;
    Frama_C_make_unknown((char *)out, 32);
    return outcome(QSCD_ERR_INTERNAL);
}

int qscd_port_otp_mac(qscd_ports *p, const qscd_id *signer, uint64_t counter, uint8_t *mac)
{
    (void)p; (void)signer; (void)counter;
    Frama_C_make_unknown((char *)mac, 20);
    return outcome(QSCD_ERR_INTERNAL);
}

int qscd_port_random(qscd_ports *p, uint8_t *buf, size_t n)
{
    (void)p;
    Frama_C_make_unknown((char *)buf, n);
    return outcome(QSCD_ERR_RANDOM);
}

int qscd_port_registry_create(qscd_ports *p, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    (void)p; (void)token_id; (void)max; (void)exp;
    /*@ ghost sam_g_issued = 1; */
    return outcome(QSCD_ERR_STORE);
}

int qscd_port_registry_extend(qscd_ports *p, const uint8_t *token_id, uint32_t max, int64_t exp)
{
    int rc = outcome(QSCD_ERR_SAD_EXHAUSTED);

    (void)p; (void)token_id; (void)max; (void)exp;
    /*@ ghost if (rc == QSCD_OK) sam_g_extended = 1; */
    return rc;
}

int qscd_port_challenge_take(qscd_ports *p, const qscd_id *signer, const uint8_t *challenge,
                             int64_t *issued_at)
{
    (void)p; (void)signer; (void)challenge;
    *issued_at = any_time();
    return outcome(QSCD_ERR_NOT_FOUND);
}

int qscd_port_device_verify(qscd_ports *p, const qscd_id *signer, const uint8_t *tbs,
                            size_t tbs_len, const uint8_t *sig)
{
    int r = Frama_C_interval(0, 2);

    (void)p; (void)signer; (void)tbs; (void)tbs_len; (void)sig;
    /* Verified, not verified, or could not check (no key enrolled): the contract allows all. */
    return r == 0 ? QSCD_OK : r == 1 ? QSCD_ERR_COSE_BAD_SIGNATURE : QSCD_ERR_NOT_FOUND;
}

int qscd_port_sha256(qscd_ports *p, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                     uint8_t *out)
{
    (void)p; (void)a; (void)alen; (void)b; (void)blen;
    Frama_C_make_unknown((char *)out, 32);
    return outcome(QSCD_ERR_INTERNAL);
}

int qscd_port_seal_mac(qscd_ports *p, const uint8_t *data, size_t len, uint8_t *out)
{
    (void)p; (void)data; (void)len;
    Frama_C_make_unknown((char *)out, 32);
    return outcome(QSCD_ERR_INTERNAL);
}

int qscd_port_audit(qscd_ports *p, const sam_event *ev)
{
    (void)p; (void)ev;
    /*@ ghost sam_g_audits = sam_g_audits + 1; */
    return outcome(QSCD_ERR_AUDIT_WRITE);
}
