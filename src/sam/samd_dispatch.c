/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One request, from its bytes to its answer (spec/sam-protocol.md): the envelope through the
 * verified decoder (samp_request_parse), the operation table, the role table of the core
 * (sam_role_allows) before anything else, the administrator's password, the parameters'
 * keys, the operation, exactly one audit event (written here, or by the core for authorize
 * and sign), then the deterministic CBOR answer.
 */
#include "samd_int.h"

#include <stdio.h>
#include <string.h>

#define B(k) (1u << (k))
#define ANY_ROLE (-1)  /* info: every role may ask */
#define SO_ONLY  (-2)  /* admin.create: the role table has no entry (see spec/sam-protocol.md) */
#define CORE     (-3)  /* authorize, sign, extend: the core asks the role table itself and audits */

typedef struct samd_op {
    unsigned op;
    const char *name;
    int as_signer;              /* role-table operation for a signer caller (0: refused) */
    int as_admin;               /* for an administrator caller (0: refused) */
    uint32_t required, allowed; /* parameter keys */
    samd_op_fn fn;
} samd_op;

static const samd_op ops[] = {
    { 1, "info", ANY_ROLE, ANY_ROLE, 0, 0, samd_op_info },
    { 10, "signer.enrol", 0, SAM_OP_SIGNER_ENROL, B(1) | B(2), B(1) | B(2), samd_op_signer_enrol },
    { 11, "signer.disable", 0, SAM_OP_SIGNER_DISABLE, B(1), B(1), samd_op_signer_disable },
    { 12, "signer.enable", 0, SAM_OP_SIGNER_ENABLE, B(1), B(1), samd_op_signer_enable },
    { 13, "signer.unlock", 0, SAM_OP_SIGNER_UNLOCK, B(1), B(1), samd_op_signer_unlock },
    { 14, "signer.delete", 0, SAM_OP_SIGNER_DELETE, B(1), B(1), samd_op_signer_delete },
    { 15, "pin.set", 0, SAM_OP_PIN_SET, B(1) | B(2), B(1) | B(2), samd_op_pin_set },
    { 16, "pin.change", SAM_OP_PIN_CHANGE, 0, B(1) | B(2), B(1) | B(2), samd_op_pin_change },
    { 17, "totp.provision", 0, SAM_OP_FACTOR_PROVISION, B(1), B(1), samd_op_totp_provision },
    { 18, "device.enrol", 0, SAM_OP_FACTOR_PROVISION, B(1) | B(2), B(1) | B(2),
      samd_op_device_enrol },
    { 20, "cred.create", 0, SAM_OP_CRED_CREATE, B(1) | B(2) | B(3) | B(4) | B(5),
      B(1) | B(2) | B(3) | B(4) | B(5) | B(6), samd_op_cred_create },
    { 21, "cred.list", SAM_OP_CRED_LIST_OWN, SAM_OP_CRED_LIST_ALL, 0, B(1), samd_op_cred_list },
    { 22, "cred.info", SAM_OP_CRED_INFO_OWN, SAM_OP_CRED_INFO_ALL, B(1), B(1), samd_op_cred_info },
    { 23, "cred.disable", 0, SAM_OP_CRED_DISABLE, B(1), B(1), samd_op_cred_disable },
    { 24, "cred.enable", 0, SAM_OP_CRED_ENABLE, B(1), B(1), samd_op_cred_enable },
    { 25, "cred.delete", 0, SAM_OP_CRED_DELETE, B(1), B(1), samd_op_cred_delete },
    { 26, "cert.import", 0, SAM_OP_CERT_IMPORT, B(1) | B(2), B(1) | B(2), samd_op_cert_import },
    { 27, "cert.revoke", 0, SAM_OP_CERT_REVOKE, B(1), B(1), samd_op_cert_revoke },
    { 28, "cred.csr", SAM_OP_SIGN, 0, B(1), B(1) | B(2), samd_op_cred_csr },
    { 30, "challenge", SAM_OP_CHALLENGE, 0, B(1), B(1), samd_op_challenge },
    { 31, "authorize", CORE, CORE, B(1) | B(2) | B(3) | B(4) | B(5),
      B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7), samd_op_authorize },
    { 32, "sign", CORE, CORE, B(1) | B(2) | B(3) | B(4) | B(5),
      B(1) | B(2) | B(3) | B(4) | B(5), samd_op_sign },
    { 33, "extend", CORE, CORE, B(1) | B(2) | B(3) | B(4), B(1) | B(2) | B(3) | B(4),
      samd_op_extend },
    { 40, "key.backup", 0, SAM_OP_KEY_BACKUP, B(1), B(1), samd_op_key_backup },
    { 41, "key.restore", 0, SAM_OP_KEY_RESTORE, B(1) | B(2), B(1) | B(2), samd_op_key_restore },
    { 50, "audit.export", 0, SAM_OP_AUDIT_EXPORT, B(1) | B(2),
      B(1) | B(2) | B(3) | B(4) | B(5) | B(6),
      samd_op_audit_export },
    { 51, "audit.verify", 0, SAM_OP_AUDIT_VERIFY, 0, 0, samd_op_audit_verify },
    { 60, "admin.create", 0, SO_ONLY, B(1) | B(2) | B(3), B(1) | B(2) | B(3),
      samd_op_admin_create },
};

static const samd_op *find_op(uint64_t op)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].op == op)
            return &ops[i];
    return NULL;
}

static bool is_admin(int role)
{
    return role == SAM_ROLE_SECURITY_OFFICER || role == SAM_ROLE_OPERATOR ||
           role == SAM_ROLE_AUDITOR;
}

/* The role-table operation this caller asks for (what the audit event records). */
static int table_op(const samd_op *o, int role)
{
    int t = role == SAM_ROLE_SIGNER ? o->as_signer : o->as_admin;

    if (t == ANY_ROLE)
        return SAMD_EV_INFO;
    if (t == SO_ONLY)
        return SAMD_EV_ADMIN_NEW;
    if (t == CORE)
        return o->op == 31 ? SAM_OP_AUTHORIZE : o->op == 33 ? SAM_OP_EXTEND : SAM_OP_SIGN;
    if (t == 0) /* refused below; recorded as the operation the other role would ask */
        return o->as_admin > 0 ? o->as_admin : o->as_signer;
    return t;
}

/* Is this caller allowed to try the operation? The role table decides for every operation it
 * has; info is open to every role, admin.create to security officers. */
static int role_check(const samd_op *o, int role)
{
    int t = role == SAM_ROLE_SIGNER ? o->as_signer : o->as_admin;

    if (t == CORE)
        return QSCD_OK;
    if (role < SAM_ROLE_SIGNER || role > SAM_ROLE_AUDITOR)
        return QSCD_ERR_ROLE_DENIED;
    if (t == ANY_ROLE)
        return QSCD_OK;
    if (t == SO_ONLY)
        return role == SAM_ROLE_SECURITY_OFFICER ? QSCD_OK : QSCD_ERR_ROLE_DENIED;
    return t > 0 && sam_role_allows(role, t) == 1 ? QSCD_OK : QSCD_ERR_ROLE_DENIED;
}

/* Everything before the operation itself: role, parameters, caller authentication. */
static int dispatch_allowed(samd_req *r, const samd_op *o)
{
    int role = r->actor.role;
    int t = role == SAM_ROLE_SIGNER ? o->as_signer : o->as_admin;
    int rc = role_check(o, role);

    if (rc == QSCD_OK)
        rc = samd_params_check(r, o->required, o->allowed);
    /* A signer never presents a password: the SSA asserts the signer, the SAP proves it. */
    if (rc == QSCD_OK && role == SAM_ROLE_SIGNER && r->env.has_password)
        rc = QSCD_ERR_PROTO_FRAME;
    if (rc == QSCD_OK && is_admin(role) && t != CORE && t != ANY_ROLE)
        rc = samd_admin_auth(r);
    return rc;
}

/* ------------------------------------------------------------------------ answers */

static size_t answer(int status, const uint8_t *req_id, size_t req_id_len, const scbor_enc *res,
                     const char *detail, uint8_t *resp, size_t cap)
{
    char msg[256];
    scbor_enc e;

    /* The code's message, and which parameter it is about when the SAM said so. */
    snprintf(msg, sizeof msg, "%s%s%s%s", qscd_err_message(status),
             detail != NULL && detail[0] != '\0' ? " (" : "", detail != NULL ? detail : "",
             detail != NULL && detail[0] != '\0' ? ")" : "");

    scbor_enc_init(&e, resp + SAMP_HEADER_LEN, cap - SAMP_HEADER_LEN);
    scbor_put_map(&e, 4);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, SAMP_VERSION);
    scbor_put_uint(&e, 2);
    scbor_put_uint(&e, (uint64_t)status);
    scbor_put_uint(&e, 3);
    scbor_put_bstr(&e, req_id, req_id_len);
    if (status != QSCD_OK || res == NULL) {
        scbor_put_uint(&e, 4);
        scbor_put_tstr(&e, (const uint8_t *)msg, strlen(msg));
    } else {
        scbor_put_uint(&e, 5);
        scbor_put_raw(&e, res->buf, res->len);
    }
    if (e.err != QSCD_OK || e.len > SAMP_RESPONSE_MAX)
        return status == QSCD_ERR_LIMIT ? 0 : answer(QSCD_ERR_LIMIT, req_id, req_id_len, NULL,
                                                      NULL, resp, cap);
    samp_frame_header(e.len, resp);
    return SAMP_HEADER_LEN + e.len;
}

size_t samd_error_frame(int status, uint8_t *resp, size_t cap)
{
    return answer(status, (const uint8_t *)"", 0, NULL, NULL, resp, cap);
}

void samd_audit_protocol(samd *d, int status, const char *peer)
{
    store_audit_meta meta;
    sam_event ev;

    memset(&meta, 0, sizeof meta);
    snprintf(meta.peer, sizeof meta.peer, "%s", peer);
    memset(&ev, 0, sizeof ev);
    ev.op = SAMD_EV_PROTOCOL;
    ev.outcome = status;
    samd_meta_set(&meta);
    samd_audit(d, &ev);
    samd_meta_set(NULL);
}

/* Run the operation for an admitted request; the result map goes to scratch. */
static int run(samd_req *r, const samd_op *o, uint8_t *scratch, size_t scap, scbor_enc *res)
{
    int rc = dispatch_allowed(r, o);

    scbor_enc_init(res, scratch, scap);
    r->res = res;
    if (rc == QSCD_OK)
        rc = o->fn(r);
    if (rc == QSCD_OK && res->len == 0)
        scbor_put_map(res, 0); /* an operation without results answers an empty map */
    if (rc == QSCD_OK && res->err != QSCD_OK)
        rc = QSCD_ERR_LIMIT;
    return rc;
}

size_t samd_dispatch(samd *d, const uint8_t *req, size_t len, const char *peer, uint8_t *resp,
                     size_t cap, uint8_t *scratch, size_t scap, bool *close)
{
    samd_detail detail = { QSCD_OK, "" };
    samd_req r;
    scbor_enc res;
    const samd_op *o;
    size_t n;
    int rc, arc;

    memset(&r, 0, sizeof r);
    r.d = d;
    r.detail = &detail;
    r.buf = req;
    r.len = len;
    snprintf(r.meta.peer, sizeof r.meta.peer, "%s", peer);
    rc = samp_request_parse(req, len, &r.env);
    if (rc != QSCD_OK) {
        /* Not a request of this protocol: answer, close, and keep a trace of it. */
        *close = true;
        samd_audit_protocol(d, rc, peer);
        return samd_error_frame(rc, resp, cap);
    }
    memcpy(r.meta.request_id, req + r.env.req_id_off, r.env.req_id_len);
    r.meta.request_id_len = r.env.req_id_len;
    samd_meta_set(&r.meta);
    r.actor.role = r.env.role;
    r.actor.id = r.env.caller;
    o = find_op(r.env.op);
    sam_event_begin(&r.ev, o != NULL ? table_op(o, r.actor.role) : SAMD_EV_PROTOCOL, &r.actor,
                    NULL);
    rc = o == NULL ? QSCD_ERR_PROTO_OP : run(&r, o, scratch, scap, &res);
    if (!r.audited) {
        r.ev.outcome = rc;
        arc = samd_audit(d, &r.ev);
        if (rc == QSCD_OK && arc != QSCD_OK)
            rc = arc; /* no answer without its audit record */
    }
    /* After the request's own record, so an alert follows what raised it. */
    samd_monitor_request(d, &r.ev, rc, o != NULL && o->fn == samd_op_authorize);
    n = answer(rc, r.meta.request_id, r.meta.request_id_len, rc == QSCD_OK ? &res : NULL,
               rc != QSCD_OK && detail.rc == rc ? detail.text : NULL, resp, cap);
    samd_wipe(scratch, o != NULL ? res.len : 0); /* results may hold a TOTP seed */
    samd_meta_set(NULL);
    return n;
}

/* ------------------------------------------------------------- administrators */

/* An administrator's password against its Argon2id verifier, with the lockout rule of the
 * core (sam_lockout_next). An unknown id costs the same derivation and gives the same answer
 * as a wrong password; so does a role other than the account's. */
static int admin_check(samd_req *r, const uint8_t *pw, size_t pwlen)
{
    samd *d = r->d;
    store_admin a;
    uint8_t v[32];
    uint32_t next = 0;
    int locked = 0, ok = 0;
    int rc = store_admin_get(d->db, &r->actor.id, &a);

    if (rc == QSCD_ERR_NOT_FOUND)
        memset(&a, 0, sizeof a);
    if (rc == QSCD_OK || rc == QSCD_ERR_NOT_FOUND) {
        int found = rc == QSCD_OK;
        rc = samd_verifier(d, pw, pwlen, a.pw_salt, &a.pw_kdf, v);
        ok = rc == QSCD_OK && found && qscd_ct_equal(v, a.pw_verifier, 32) == 1 &&
             a.role == r->actor.role;
        if (rc == QSCD_OK && !found)
            rc = QSCD_ERR_AUTH_FAILED;
    }
    if (rc == QSCD_OK && a.locked)
        rc = QSCD_ERR_AUTH_LOCKED;
    if (rc == QSCD_OK) {
        sam_lockout_next(a.failures, d->core.lockout_limit, ok, &next, &locked);
        if (next != a.failures || locked != a.locked)
            rc = store_admin_auth(d->db, &a.id, next, locked);
        if (rc == QSCD_OK && locked && !a.locked)
            samd_monitor_lock_noted();
        if (rc == QSCD_OK && !ok)
            rc = QSCD_ERR_AUTH_FAILED;
    }
    samd_wipe(v, sizeof v);
    samd_wipe(&a, sizeof a);
    return rc;
}

int samd_admin_auth(samd_req *r)
{
    int rc;

    if (!r->env.has_password)
        return QSCD_ERR_AUTH_FAILED;
    samd_stripe_lock(r->d, &r->actor.id);
    rc = admin_check(r, r->buf + r->env.pw_off, r->env.pw_len);
    samd_stripe_unlock(r->d, &r->actor.id);
    return rc;
}
