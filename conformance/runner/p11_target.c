/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PKCS#11 target: load the module (dlopen, C_GetFunctionList), initialise it with OS
 * locking (and the module's own init string, e.g. NSS softokn's configdir), find the token
 * by label, log in once as the user, and give each worker thread its own session. Vectors
 * name an operation ("op"); this file dispatches them. At the end every object the run
 * created is destroyed, and the count is printed.
 */
#define _GNU_SOURCE
#include "p11.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* op name -> function; `exclusive`: changes the login state or the token, so it runs
 * alone after the parallel phase. */
static const struct p11_op { const char *name; p11_op_fn fn; int exclusive; } OPS[] = {
    {"getAttribute", p11_op_get_attribute, 0},
    {"attributeHidden", p11_op_attribute_hidden, 0},
    {"setAttribute", p11_op_set_attribute, 0},
    {"copyObject", p11_op_copy_object, 0},
    {"generateKey", p11_op_generate_key, 0},
    {"mechanismMinKeySize", p11_op_mechanism_min_size, 0},
    {"usageRefused", p11_op_usage_refused, 0},
    {"createConflictingKey", p11_op_create_conflicting_key, 0},
    {"importedKeyProvenance", p11_op_imported_key_provenance, 0},
    {"sign", p11_op_sign, 0},
    {"verifyTampered", p11_op_verify_tampered, 0},
    {"signBufferTooSmall", p11_op_sign_buffer_too_small, 0},
    {"alwaysAuthenticate", p11_op_always_auth, 0},
    {"wrapKey", p11_op_wrap_key, 0},
    {"wrapDecryptAttack", p11_op_wrap_decrypt_attack, 0},
    {"wrapUntrustedPublicKey", p11_op_wrap_untrusted_public, 0},
    {"wrapRestore", p11_op_wrap_restore, 0},
    {"random", p11_op_random, 0},
    {"sessionObject", p11_op_session_object, 0},
    {"tokenObject", p11_op_token_object, 0},
    {"destroyObject", p11_op_destroy_object, 0},
    {"login", p11_op_login, 1},
    {"initToken", p11_op_init_token, 1},
};

static const struct p11_op *op_of(const cf_vector *v)
{
    const char *name = cf_param_str(v, "op", NULL);
    for (size_t i = 0; name && i < sizeof OPS / sizeof OPS[0]; i++)
        if (strcmp(OPS[i].name, name) == 0)
            return &OPS[i];
    return NULL;
}

int p11_mech_has(p11_target *t, CK_MECHANISM_TYPE m, CK_FLAGS need)
{
    /* Zeroed first: SoftHSM 2.6 ORs flags into the caller's structure for some mechanisms
     * (CKF_WRAP on CKM_AES_CBC) instead of setting them, so stack garbage would leak in. */
    CK_MECHANISM_INFO mi = {0, 0, 0};
    for (CK_ULONG i = 0; i < t->nmechs; i++)
        if (t->mechs[i] == m)
            return t->f->C_GetMechanismInfo(t->slot, m, &mi) == CKR_OK &&
                   (mi.flags & need) == need;
    return 0;
}

void p11_label(p11_target *t, char *buf, size_t len)
{
    pthread_mutex_lock(&t->mu);
    unsigned long n = ++t->counter;
    pthread_mutex_unlock(&t->mu);
    snprintf(buf, len, "%s-%lu", t->tag, n);
}

void p11_track(p11_target *t, CK_OBJECT_HANDLE h, const char *label)
{
    pthread_mutex_lock(&t->mu);
    if (t->nobjs == t->capobjs) {
        size_t cap = t->capobjs ? 2 * t->capobjs : 64;
        p11_obj *n = realloc(t->objs, cap * sizeof *n);
        if (n) {
            t->objs = n;
            t->capobjs = cap;
        }
    }
    if (t->nobjs < t->capobjs) {
        t->objs[t->nobjs].h = h;
        snprintf(t->objs[t->nobjs].label, sizeof t->objs[0].label, "%s", label);
        t->nobjs++;
    } else
        t->lost++;
    t->created++;
    pthread_mutex_unlock(&t->mu);
}

void p11_untrack(p11_target *t, CK_OBJECT_HANDLE h)
{
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->nobjs; i++)
        if (t->objs[i].h == h) {
            t->objs[i] = t->objs[--t->nobjs];
            t->destroyed++;
            break;
        }
    pthread_mutex_unlock(&t->mu);
}

void p11_destroy(p11_worker *w, CK_OBJECT_HANDLE h)
{
    if (h != CK_INVALID_HANDLE && w->t->f->C_DestroyObject(w->s, h) == CKR_OK)
        p11_untrack(w->t, h);
}

CK_RV p11_login_user(p11_target *t, CK_SESSION_HANDLE s, CK_USER_TYPE who)
{
    const char *pin = who == CKU_SO ? t->opt->so_pin : t->opt->pin;
    if (!pin)
        return CKR_PIN_INCORRECT;
    return t->f->C_Login(s, who, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
}

int p11_find_label(p11_worker *w, const char *label, CK_OBJECT_HANDLE *out, int cap)
{
    CK_ATTRIBUTE a = {CKA_LABEL, (void *)label, (CK_ULONG)strlen(label)};
    CK_ULONG n = 0;
    CK_FUNCTION_LIST *f = w->t->f;
    if (f->C_FindObjectsInit(w->s, &a, 1) != CKR_OK)
        return -1;
    CK_RV rv = f->C_FindObjects(w->s, out, (CK_ULONG)cap, &n);
    f->C_FindObjectsFinal(w->s);
    return rv == CKR_OK ? (int)n : -1;
}

CK_RV p11_sessions_reopen(p11_worker *w)
{
    p11_target *t = w->t;
    CK_RV rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                   &t->main);
    if (rv == CKR_OK)
        rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                 &w->s);
    if (rv == CKR_OK)
        rv = p11_login_user(t, t->main, CKU_USER);
    return rv == CKR_USER_ALREADY_LOGGED_IN ? CKR_OK : rv;
}

void p11_judge(p11_worker *w, cf_vector *v, int refused, CK_RV rv)
{
    cf_judge(v, refused, p11_rv_name(rv), w->t->opt);
}

static int find_slot(p11_target *t, const char *label, char *err, size_t errlen)
{
    CK_ULONG n = 0;
    CK_SLOT_ID slots[64];
    char padded[32];
    size_t len = strlen(label);
    if (len > sizeof padded) {
        snprintf(err, errlen, "token label longer than 32 bytes");
        return -1;
    }
    memset(padded, ' ', sizeof padded);
    memcpy(padded, label, len);
    n = sizeof slots / sizeof slots[0];
    CK_RV rv = t->f->C_GetSlotList(CK_TRUE, slots, &n);
    if (rv != CKR_OK) {
        snprintf(err, errlen, "C_GetSlotList: %s", p11_rv_name(rv));
        return -1;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (t->f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
            memcmp(ti.label, padded, sizeof padded) == 0) {
            t->slot = slots[i];
            t->tinfo = ti;
            return 0;
        }
    }
    snprintf(err, errlen, "no token labelled '%s' (%lu slot(s) with a token)", label,
             (unsigned long)n);
    return -1;
}

static int load_module(p11_target *t, const char *path, const char *init_args, char *err,
                       size_t errlen)
{
    CK_C_GetFunctionList gfl;
    snprintf(t->module, sizeof t->module, "%s", path);
    t->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!t->dl) {
        snprintf(err, errlen, "cannot load %s: %s", path, dlerror());
        return -1;
    }
    *(void **)&gfl = dlsym(t->dl, "C_GetFunctionList");
    if (!gfl || gfl(&t->f) != CKR_OK || !t->f) {
        snprintf(err, errlen, "%s has no usable C_GetFunctionList", path);
        return -1;
    }
    CK_C_INITIALIZE_ARGS ia;
    memset(&ia, 0, sizeof ia);
    ia.flags = CKF_OS_LOCKING_OK;
    ia.pReserved = (void *)init_args;   /* NSS softokn reads its configuration here */
    CK_RV rv = t->f->C_Initialize(&ia);
    if (rv != CKR_OK) {
        snprintf(err, errlen, "C_Initialize: %s", p11_rv_name(rv));
        t->f = NULL;
        return -1;
    }
    t->f->C_GetInfo(&t->info);
    return 0;
}

static int list_mechanisms(p11_target *t, char *err, size_t errlen)
{
    CK_ULONG n = 0;
    CK_RV rv = t->f->C_GetMechanismList(t->slot, NULL, &n);
    if (rv == CKR_OK && n > 0) {
        t->mechs = calloc(n, sizeof *t->mechs);
        rv = t->mechs ? t->f->C_GetMechanismList(t->slot, t->mechs, &n) : CKR_HOST_MEMORY;
    }
    if (rv != CKR_OK) {
        snprintf(err, errlen, "C_GetMechanismList: %s", p11_rv_name(rv));
        return -1;
    }
    t->nmechs = n;
    return 0;
}

static int p11t_open(cf_target *ct, const cf_options *o, char *err, size_t errlen)
{
    p11_target *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    ct->state = t;
    t->opt = o;
    pthread_mutex_init(&t->mu, NULL);
    snprintf(t->tag, sizeof t->tag, "qscd-conform-%ld-%ld", (long)getpid(), (long)time(NULL));
    if (!o->token || !o->pin) {
        snprintf(err, errlen, "the pkcs11 target needs --token LABEL and --pin PIN");
        return -1;
    }
    if (load_module(t, o->target + strlen("pkcs11:"), o->init_args, err, errlen) != 0 ||
        find_slot(t, o->token, err, errlen) != 0 || list_mechanisms(t, err, errlen) != 0)
        return -1;
    CK_RV rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                   &t->main);
    if (rv == CKR_OK)
        rv = p11_login_user(t, t->main, CKU_USER);
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        snprintf(err, errlen, "cannot open a session and log in: %s", p11_rv_name(rv));
        return -1;
    }
    return 0;
}

static void *p11t_worker_open(cf_target *ct, char *err, size_t errlen)
{
    p11_target *t = ct->state;
    p11_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->t = t;
    CK_RV rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                   &w->s);
    if (rv != CKR_OK) {
        snprintf(err, errlen, "C_OpenSession: %s", p11_rv_name(rv));
        free(w);
        return NULL;
    }
    return w;
}

static void p11t_worker_close(cf_target *ct, void *wp)
{
    p11_worker *w = wp;
    (void)ct;
    if (w) {
        w->t->f->C_CloseSession(w->s);
        free(w);
    }
}

static int p11t_exclusive(const cf_vector *v)
{
    const struct p11_op *op = op_of(v);
    return op && op->exclusive;
}

static void p11t_run(cf_target *ct, void *wp, cf_vector *v)
{
    p11_worker *w = wp;
    const struct p11_op *op = op_of(v);
    (void)ct;
    if (!op) {
        cf_fail(v, "unknown op '%s'", cf_param_str(v, "op", "(none)"));
        return;
    }
    op->fn(w, v);
}

static void trimmed(json_t *o, const char *key, const unsigned char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\0'))
        n--;
    json_object_set_new(o, key, json_stringn((const char *)s, n));
}

static void p11t_describe(cf_target *ct, json_t *d)
{
    p11_target *t = ct->state;
    char ver[32];
    json_object_set_new(d, "kind", json_string("pkcs11"));
    json_object_set_new(d, "module", json_string(t->module));
    if (!t->f)
        return;
    trimmed(d, "manufacturer", t->info.manufacturerID, sizeof t->info.manufacturerID);
    trimmed(d, "library", t->info.libraryDescription, sizeof t->info.libraryDescription);
    snprintf(ver, sizeof ver, "%u.%u", t->info.libraryVersion.major,
             t->info.libraryVersion.minor);
    json_object_set_new(d, "libraryVersion", json_string(ver));
    snprintf(ver, sizeof ver, "%u.%u", t->info.cryptokiVersion.major,
             t->info.cryptokiVersion.minor);
    json_object_set_new(d, "cryptokiVersion", json_string(ver));
    trimmed(d, "token", t->tinfo.label, sizeof t->tinfo.label);
    trimmed(d, "tokenModel", t->tinfo.model, sizeof t->tinfo.model);
    trimmed(d, "tokenManufacturer", t->tinfo.manufacturerID, sizeof t->tinfo.manufacturerID);
    json_object_set_new(d, "mechanisms", json_integer((json_int_t)t->nmechs));
    json_object_set_new(d, "objectsCreated", json_integer((json_int_t)t->created));
    json_object_set_new(d, "objectsDestroyed", json_integer((json_int_t)t->destroyed));
}

/* Destroy what the run created and is still there. A handle is trusted only while its
 * label is still the one this run gave it (handles to private objects die at C_Logout, and
 * a module may reuse numbers); otherwise the label finds the object. Nothing without the
 * run's label is ever destroyed. */
static void cleanup(p11_target *t)
{
    p11_worker w = {t, t->main};
    for (size_t i = 0; i < t->nobjs; i++) {
        char label[64];
        CK_ULONG len = sizeof label - 1;
        CK_OBJECT_HANDLE found[8];
        p11_obj *o = &t->objs[i];
        if (p11_attr_bytes(&w, o->h, CKA_LABEL, label, &len) == CKR_OK &&
            len == strlen(o->label) && memcmp(label, o->label, len) == 0 &&
            t->f->C_DestroyObject(t->main, o->h) == CKR_OK) {
            t->destroyed++;
            continue;
        }
        if (strncmp(o->label, t->tag, strlen(t->tag)) != 0)
            continue;   /* never search by a label that is not this run's */
        int n = p11_find_label(&w, o->label, found, 8);
        for (int j = 0; j < n; j++)
            if (t->f->C_DestroyObject(t->main, found[j]) == CKR_OK)
                t->destroyed++;
    }
    t->nobjs = 0;
}

static void p11t_close(cf_target *ct)
{
    p11_target *t = ct->state;
    if (!t)
        return;
    if (t->f) {
        cleanup(t);
        if (t->created)
            fprintf(stderr, "qscd-conform: cleanup: this run created %zu object(s) labelled %s-*, "
                    "destroyed %zu; session objects go with their sessions%s\n", t->created,
                    t->tag, t->destroyed,
                    t->token_reset ? "; a destructive vector re-initialised the token" : "");
        t->f->C_Logout(t->main);
        t->f->C_CloseSession(t->main);
        t->f->C_Finalize(NULL);
    }
    for (size_t i = 0; i < t->npool; i++) {
        free(t->pool[i].spec);
        pthread_mutex_destroy(&t->pool[i].mu);
    }
    free(t->objs);
    free(t->mechs);
    /* dlclose is skipped on purpose: some modules keep threads or atexit handlers. */
    pthread_mutex_destroy(&t->mu);
    free(t);
    ct->state = NULL;
}

int cf_target_pkcs11(cf_target *t)
{
    memset(t, 0, sizeof *t);
    t->kind = "pkcs11-module";
    t->open = p11t_open;
    t->worker_open = p11t_worker_open;
    t->worker_close = p11t_worker_close;
    t->exclusive = p11t_exclusive;
    t->run = p11t_run;
    t->describe = p11t_describe;
    t->close = p11t_close;
    return 0;
}
