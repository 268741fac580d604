/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sweeping the key objects a crash inside key generation leaves behind. SoftHSMv2 2.6.1
 * makes a new key object in several file rewrites: its default attributes (class, key type,
 * usage defaults, no CKA_ID), then the caller's template, then the key itself. A SIGKILL
 * after the first leaves a token object that looks like a private, public or secret key with
 * no CKA_ID and no key material (found by the SAM's SIGKILL test). Every key the adapter makes
 * has a CKA_ID (the core's templates require one), so such an object is never one of its.
 */
#include <string.h>

#include "p11a_int.h"

#define SWEEP_BATCH 64

struct sweep_ctx { size_t destroyed; };

/* The objects of class cls whose CKA_ID is absent or empty, up to cap of them. */
static CK_RV anonymous(p11a *a, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out,
                       size_t cap, size_t *n)
{
    /* By class only: a shell on the token holds SoftHSM's default CKA_TOKEN (false), not the
     * template's, so CKA_TOKEN cannot select it. The caller has no session objects. */
    CK_ATTRIBUTE q[1] = { { CKA_CLASS, &cls, sizeof cls } };
    CK_OBJECT_HANDLE found[SWEEP_BATCH];
    CK_ULONG count = 0;
    CK_RV rv = a->f->C_FindObjectsInit(h, q, 1);

    *n = 0;
    if (rv != CKR_OK)
        return rv;
    while (*n < cap && (rv = a->f->C_FindObjects(h, found, SWEEP_BATCH, &count)) == CKR_OK &&
           count > 0) {
        for (CK_ULONG i = 0; i < count && *n < cap; i++) {
            uint8_t id[P11T_ID_MAX];
            size_t len = 0;
            CK_RV arv = p11a_attr(a, h, found[i], CKA_ID, id, sizeof id, &len);
            /* CKR_ATTRIBUTE_TYPE_INVALID: no CKA_ID at all; a longer one than the adapter
             * makes (CKR_BUFFER_TOO_SMALL) is someone's, and kept. */
            if (arv == CKR_ATTRIBUTE_TYPE_INVALID || (arv == CKR_OK && len == 0))
                out[(*n)++] = found[i];
        }
    }
    (void)a->f->C_FindObjectsFinal(h);
    return rv;
}

static CK_RV sweep_op(p11a *a, CK_SESSION_HANDLE h, p11a_key *k, void *vctx, int *state)
{
    static const CK_OBJECT_CLASS classes[3] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY,
                                                CKO_SECRET_KEY };
    struct sweep_ctx *c = vctx;
    CK_OBJECT_HANDLE objs[SWEEP_BATCH];
    CK_RV rv = CKR_OK;

    (void)k;
    (void)state;
    for (int i = 0; rv == CKR_OK && i < 3; i++) {
        size_t n = 0;
        rv = anonymous(a, h, classes[i], objs, SWEEP_BATCH, &n);
        for (size_t j = 0; rv == CKR_OK && j < n; j++) {
            rv = a->f->C_DestroyObject(h, objs[j]);
            c->destroyed += rv == CKR_OK;
        }
    }
    return rv;
}

int p11a_sweep_anonymous(p11a *a, size_t *destroyed)
{
    struct sweep_ctx c = { 0 };
    int rc;

    if (a == NULL || destroyed == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_sweep_anonymous: bad argument");
    rc = p11a_run(a, NULL, "sweeping key objects without CKA_ID", sweep_op, &c);
    *destroyed = c.destroyed;
    return rc;
}
