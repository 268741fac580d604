/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The session pool: one session per concurrent caller, never shared between threads;
 * sessions are opened on demand up to the configured number, logged in once (the login
 * belongs to the token, for the whole process), and retired when the module is seen to have
 * closed them. p11a_run wraps one operation with the single recovery the adapter allows.
 */
#include <string.h>

#include "p11a_int.h"

int p11a_pool_init(p11a *a, unsigned max)
{
    if (pthread_mutex_init(&a->mu, NULL) != 0)
        return p11a_fail(QSCD_ERR_INTERNAL, "pthread_mutex_init failed");
    if (pthread_cond_init(&a->cv, NULL) != 0) {
        pthread_mutex_destroy(&a->mu);
        return p11a_fail(QSCD_ERR_INTERNAL, "pthread_cond_init failed");
    }
    a->max = max;
    return QSCD_OK;
}

void p11a_pool_destroy(p11a *a)
{
    /* Closing the application's last session also logs the user out (PKCS#11 5.6). */
    for (unsigned i = 0; i < a->nidle; i++)
        (void)a->f->C_CloseSession(a->idle[i]);
    a->nidle = 0;
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    a->max = 0;
}

CK_RV p11a_login_user(p11a *a, CK_SESSION_HANDLE h)
{
    CK_RV rv = a->f->C_Login(h, CKU_USER, a->pin, a->pin_len);

    /* The login belongs to the token for the whole process: a second one is a success. */
    return rv == CKR_USER_ALREADY_LOGGED_IN ? CKR_OK : rv;
}

static int session_open(p11a *a, CK_SESSION_HANDLE *h)
{
    CK_RV rv = a->f->C_OpenSession(a->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, h);

    if (rv != CKR_OK)
        return p11a_fail_rv("C_OpenSession", rv);
    rv = p11a_login_user(a, *h);
    if (rv != CKR_OK) {
        (void)a->f->C_CloseSession(*h);
        return p11a_fail_rv("C_Login(CKU_USER)", rv);
    }
    return QSCD_OK;
}

int p11a_sess_get(p11a *a, p11a_sess *s)
{
    unsigned gen;
    int rc;

    pthread_mutex_lock(&a->mu);
    while (a->exclusive || (a->nidle == 0 && a->nopen >= a->max))
        pthread_cond_wait(&a->cv, &a->mu);
    a->nbusy++;
    if (a->nidle > 0) {
        a->nidle--;
        s->h = a->idle[a->nidle];
        s->gen = a->idle_gen[a->nidle];
        pthread_mutex_unlock(&a->mu);
        return QSCD_OK;
    }
    a->nopen++;
    gen = a->gen;
    pthread_mutex_unlock(&a->mu);
    /* Opened outside the lock: C_OpenSession and C_Login may take long on a real HSM. */
    rc = session_open(a, &s->h);
    s->gen = gen;
    if (rc != QSCD_OK) {
        pthread_mutex_lock(&a->mu);
        a->nopen--;
        a->nbusy--;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
    return rc;
}

void p11a_sess_put(p11a *a, p11a_sess *s, int state)
{
    int close_it = state == P11A_SESS_CLOSE;

    pthread_mutex_lock(&a->mu);
    a->nbusy--;
    if (state == P11A_SESS_GONE) {
        /* The module closed this session, and most likely all of them (C_CloseAllSessions,
         * a token reset): retire every idle one. Their handles are dropped, not closed: a
         * handle the module has freed may already name someone else's new session. */
        a->nopen -= 1 + a->nidle;
        a->nidle = 0;
        a->gen++;
    } else if (!close_it && s->gen == a->gen && a->nidle < P11A_MAX_SESSIONS) {
        a->idle[a->nidle] = s->h;
        a->idle_gen[a->nidle] = s->gen;
        a->nidle++;
    } else {
        /* An operation may still be active on it (PKCS#11 2.40 has no way to cancel one
         * but closing the session), or it is of a retired generation but still ours. */
        close_it = 1;
        a->nopen--;
    }
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    if (close_it)
        (void)a->f->C_CloseSession(s->h);
}

void p11a_pool_exclusive(p11a *a)
{
    pthread_mutex_lock(&a->mu);
    while (a->exclusive)
        pthread_cond_wait(&a->cv, &a->mu);
    a->exclusive = 1;
    while (a->nbusy > 0)
        pthread_cond_wait(&a->cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
}

void p11a_pool_share(p11a *a)
{
    pthread_mutex_lock(&a->mu);
    a->exclusive = 0;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

/* ---------------------------------------------------------------------- recovery */

static int session_gone(CK_RV rv)
{
    return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED;
}

static int recoverable(CK_RV rv)
{
    return session_gone(rv) || rv == CKR_USER_NOT_LOGGED_IN ||
           rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_KEY_HANDLE_INVALID;
}

/* Make s usable again after op failed with rv: a new session when the module closed it
 * or an operation is left on it, a new login when the login was lost, and k's handle found
 * again by CKA_ID (a logout invalidates the handles of private objects). */
static CK_RV recover(p11a *a, p11a_sess *s, p11a_key *k, CK_RV rv, int *state)
{
    if (session_gone(rv) || *state == P11A_SESS_CLOSE) {
        p11a_sess_put(a, s, session_gone(rv) ? P11A_SESS_GONE : P11A_SESS_CLOSE);
        *state = P11A_SESS_OK;
        if (p11a_sess_get(a, s) != QSCD_OK) {
            s->h = CK_INVALID_HANDLE;
            return CKR_SESSION_HANDLE_INVALID;
        }
    } else {
        /* A lost login shows as CKR_USER_NOT_LOGGED_IN, or as an invalid handle: a logout
         * invalidates the handles of private objects, which a search then cannot see. */
        rv = p11a_login_user(a, s->h);
        if (rv != CKR_OK)
            return rv;
    }
    return k != NULL ? p11a_key_refresh(a, s->h, k) : CKR_OK;
}

int p11a_run(p11a *a, p11a_key *k, const char *what, p11a_op op, void *ctx)
{
    p11a_sess s;
    int state = P11A_SESS_OK, rc;
    CK_RV rv;

    if ((rc = p11a_sess_get(a, &s)) != QSCD_OK)
        return rc;
    rv = op(a, s.h, k, ctx, &state);
    if (recoverable(rv)) {
        CK_RV r2 = recover(a, &s, k, rv, &state);
        if (s.h == CK_INVALID_HANDLE)
            return p11a_fail(QSCD_ERR_P11_SESSION, "%s: %s, and no new session could be "
                             "opened", what, p11a_rv_name(rv));
        if (r2 == CKR_OK)
            rv = op(a, s.h, k, ctx, &state);
        else
            rv = r2;
    }
    p11a_sess_put(a, &s, session_gone(rv) ? P11A_SESS_GONE : state);
    return p11a_fail_rv(what, rv);
}
