/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading a PKCS#11 module (path or RFC 7512 URI), initialising it once per process,
 * finding the token by label, opening and closing the adapter.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/uri.h>

#include "p11a_int.h"
#include "qscd_mem.h"

/* A loaded module, shared by every adapter open on it in this process: PKCS#11 allows one
 * C_Initialize per process, so the first adapter initialises and the last one finalises. */
struct p11a_module {
    char path[P11A_PATH_MAX];
    char *init_args;              /* as given to C_Initialize (NULL for none) */
    void *dl;
    CK_FUNCTION_LIST *f;
    unsigned refs;
    int initialised;              /* C_Initialize done by us and not yet finalised */
    int owned;                    /* ... and succeeded (not ALREADY_INITIALIZED) */
    struct p11a_module *next;
};

static pthread_mutex_t modules_mu = PTHREAD_MUTEX_INITIALIZER;
static struct p11a_module *modules;

const uint8_t p11a_oid_p256[10] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
const uint8_t p11a_oid_p384[7] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };

void p11a_padded_copy(char *dst, size_t cap, const CK_UTF8CHAR *src, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;

    memcpy(dst, src, n);
    while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\0'))
        n--;
    dst[n] = '\0';
}

/* ---------------------------------------------------------------------------- URI */

static int uri_string(char *dst, size_t cap, const char *src, const char *what)
{
    size_t n = src != NULL ? strlen(src) : 0;

    if (n >= cap)
        return p11a_fail(QSCD_ERR_P11_URI, "PKCS#11 URI: %s longer than %zu bytes", what,
                         cap - 1);
    memcpy(dst, src != NULL ? src : "", n + 1);
    return QSCD_OK;
}

static int uri_extract(P11KitUri *u, p11a_uri *out)
{
    CK_TOKEN_INFO *ti = p11_kit_uri_get_token_info(u);
    CK_ATTRIBUTE *obj = p11_kit_uri_get_attribute(u, CKA_LABEL);
    CK_ATTRIBUTE *id = p11_kit_uri_get_attribute(u, CKA_ID);
    int rc;

    if (p11_kit_uri_get_pin_value(u) != NULL || p11_kit_uri_get_pin_source(u) != NULL)
        return p11a_fail(QSCD_ERR_P11_URI, "PKCS#11 URI: a PIN in the URI is refused "
                         "(give it in the configuration)");
    if (p11_kit_uri_any_unrecognized(u))
        return p11a_fail(QSCD_ERR_P11_URI, "PKCS#11 URI: unrecognised attribute");
    p11a_padded_copy(out->token, sizeof out->token, ti->label, sizeof ti->label);
    if (out->token[0] == '\0')
        return p11a_fail(QSCD_ERR_P11_URI, "PKCS#11 URI: no token= (the token is found by "
                         "its label)");
    rc = uri_string(out->module_path, sizeof out->module_path,
                    p11_kit_uri_get_module_path(u), "module-path");
    if (rc != QSCD_OK)
        return rc;
    if (obj != NULL) {
        if (obj->ulValueLen > P11T_LABEL_MAX)
            return p11a_fail(QSCD_ERR_P11_URI, "PKCS#11 URI: object= too long");
        memcpy(out->object, obj->pValue, obj->ulValueLen);
        out->object[obj->ulValueLen] = '\0';
    }
    if (id != NULL) {
        if (id->ulValueLen == 0 || id->ulValueLen > P11T_ID_MAX)
            return p11a_fail(QSCD_ERR_P11_URI, "PKCS#11 URI: id= empty or too long");
        memcpy(out->id, id->pValue, id->ulValueLen);
        out->id_len = id->ulValueLen;
    }
    return QSCD_OK;
}

int p11a_uri_parse(const char *uri, p11a_uri *out)
{
    P11KitUri *u;
    p11a_uri tmp;
    int r, rc;

    if (uri == NULL || out == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_uri_parse: NULL argument");
    u = p11_kit_uri_new();
    if (u == NULL)
        return p11a_fail(QSCD_ERR_NOMEM, "p11a_uri_parse: out of memory");
    memset(&tmp, 0, sizeof tmp);
    r = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, u);
    if (r != P11_KIT_URI_OK)
        rc = p11a_fail(QSCD_ERR_P11_URI, "PKCS#11 URI: %s", p11_kit_uri_message(r));
    else
        rc = uri_extract(u, &tmp);
    p11_kit_uri_free(u);
    if (rc == QSCD_OK)
        *out = tmp;
    return rc;
}

/* ------------------------------------------------------------------------ modules */

static int same_args(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int module_load(struct p11a_module *m)
{
    CK_C_GetFunctionList get;

    /* RTLD_LOCAL: two modules may export the same symbols. */
    m->dl = dlopen(m->path, RTLD_NOW | RTLD_LOCAL);
    if (m->dl == NULL)
        return p11a_fail(QSCD_ERR_P11_MODULE, "cannot load PKCS#11 module %s: %s", m->path,
                         dlerror());
    /* ISO C forbids converting void * to a function pointer; POSIX guarantees this works. */
    *(void **)&get = dlsym(m->dl, "C_GetFunctionList");
    if (get == NULL || get(&m->f) != CKR_OK || m->f == NULL)
        return p11a_fail(QSCD_ERR_P11_MODULE, "%s is not a PKCS#11 module (no "
                         "C_GetFunctionList)", m->path);
    return QSCD_OK;
}

static int module_initialise(struct p11a_module *m)
{
    CK_C_INITIALIZE_ARGS args;
    CK_RV rv;

    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    args.pReserved = m->init_args;
    rv = m->f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        return p11a_fail_rv("C_Initialize", rv);
    /* Already initialised by someone else in this process (another library): use it, but
     * never finalise it under them. */
    m->initialised = 1;
    m->owned = rv == CKR_OK;
    return QSCD_OK;
}

/* A new registry entry for the module at path (real path), loaded; NULL on failure. */
static struct p11a_module *module_new(const char *real, const char *init_args, int *rc)
{
    struct p11a_module *m = calloc(1, sizeof *m);

    if (m == NULL || (init_args != NULL && (m->init_args = strdup(init_args)) == NULL)) {
        free(m);
        *rc = p11a_fail(QSCD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    strcpy(m->path, real);
    *rc = module_load(m);
    if (*rc != QSCD_OK) {
        /* A failed load is not kept: the path may be fixed and tried again. */
        if (m->dl != NULL)
            dlclose(m->dl);
        free(m->init_args);
        free(m);
        return NULL;
    }
    m->next = modules;
    modules = m;
    return m;
}

/* The C_Initialize arguments of a module no adapter holds may change; not while one does. */
static int module_args(struct p11a_module *m, const char *init_args)
{
    if (same_args(m->init_args, init_args))
        return QSCD_OK;
    if (m->refs > 0)
        return p11a_fail(QSCD_ERR_CONFIG, "PKCS#11 module %s is already initialised with "
                         "other C_Initialize arguments", m->path);
    free(m->init_args);
    m->init_args = init_args != NULL ? strdup(init_args) : NULL;
    return init_args != NULL && m->init_args == NULL ? p11a_fail(QSCD_ERR_NOMEM,
                                                                 "out of memory") : QSCD_OK;
}

/* Find or load the module at path and take a reference on it. */
static int module_get(const char *path, const char *init_args, struct p11a_module **out)
{
    char real[PATH_MAX];
    struct p11a_module *m;
    int rc = QSCD_OK;

    if (realpath(path, real) == NULL || strlen(real) >= P11A_PATH_MAX)
        return p11a_fail(QSCD_ERR_P11_MODULE, "PKCS#11 module %s not found", path);
    pthread_mutex_lock(&modules_mu);
    for (m = modules; m != NULL && strcmp(m->path, real) != 0; m = m->next)
        ;
    if (m == NULL)
        m = module_new(real, init_args, &rc);
    else
        rc = module_args(m, init_args);
    if (rc == QSCD_OK && !m->initialised)
        rc = module_initialise(m);
    if (rc == QSCD_OK) {
        m->refs++;
        *out = m;
    }
    pthread_mutex_unlock(&modules_mu);
    return rc;
}

/* Drop a reference; the last one finalises the module if we initialised it. The library
 * stays loaded: unloading a module that links OpenSSL can leave its exit handlers pointing
 * into unmapped code, and a later open reinitialises it. */
static void module_put(struct p11a_module *m)
{
    pthread_mutex_lock(&modules_mu);
    if (--m->refs == 0 && m->initialised) {
        if (m->owned)
            (void)m->f->C_Finalize(NULL);
        m->initialised = 0;
        m->owned = 0;
    }
    pthread_mutex_unlock(&modules_mu);
}

/* ------------------------------------------------------------------------- tokens */

static int token_find(p11a *a, const char *label)
{
    CK_UTF8CHAR padded[32];
    CK_SLOT_ID slots[64];
    CK_ULONG n = 64;
    CK_RV rv;
    int found = 0;

    if (strlen(label) > sizeof padded)
        return p11a_fail(QSCD_ERR_ARG, "token label longer than 32 bytes");
    /* Token labels are 32 bytes, blank padded, not NUL terminated. */
    memset(padded, ' ', sizeof padded);
    memcpy(padded, label, strlen(label));
    rv = a->f->C_GetSlotList(CK_TRUE, slots, &n);
    if (rv != CKR_OK)
        return p11a_fail_rv("C_GetSlotList", rv);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (a->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
            (ti.flags & CKF_TOKEN_INITIALIZED) == 0 ||
            memcmp(ti.label, padded, sizeof padded) != 0)
            continue;
        a->slot = slots[i];
        found++;
    }
    if (found == 0)
        return p11a_fail(QSCD_ERR_P11_TOKEN, "no initialised token labelled '%s'", label);
    if (found > 1)
        return p11a_fail(QSCD_ERR_P11_TOKEN, "%d tokens labelled '%s': the label must be "
                         "unique", found, label);
    return QSCD_OK;
}

/* -------------------------------------------------------------------- open, close */

/* The module path and token label: the configuration's, else the URI's. */
static int config_resolve(const p11a_config *cfg, p11a_uri *uri, const char **module,
                          const char **label)
{
    int rc;

    memset(uri, 0, sizeof *uri);
    if (cfg->uri != NULL && (rc = p11a_uri_parse(cfg->uri, uri)) != QSCD_OK)
        return rc;
    *module = cfg->module != NULL ? cfg->module : uri->module_path;
    *label = cfg->token_label != NULL ? cfg->token_label : uri->token;
    if (**module == '\0')
        return p11a_fail(QSCD_ERR_ARG, "no PKCS#11 module given (path or URI module-path=)");
    if (**label == '\0')
        return p11a_fail(QSCD_ERR_ARG, "no token label given (label or URI token=)");
    if (cfg->user_pin == NULL || strlen(cfg->user_pin) > P11A_PIN_MAX)
        return p11a_fail(QSCD_ERR_ARG, "user PIN missing or longer than %d bytes",
                         P11A_PIN_MAX);
    if (cfg->max_sessions > P11A_MAX_SESSIONS || (cfg->flags & ~P11A_NO_VERIFY) != 0)
        return p11a_fail(QSCD_ERR_ARG, "max_sessions above %d or unknown flag",
                         P11A_MAX_SESSIONS);
    return QSCD_OK;
}

int p11a_open(const p11a_config *cfg, p11a **out)
{
    p11a_uri uri;
    const char *module, *label;
    p11a_sess s;
    p11a *a;
    int rc;

    if (cfg == NULL || out == NULL)
        return p11a_fail(QSCD_ERR_ARG, "p11a_open: NULL argument");
    if ((rc = config_resolve(cfg, &uri, &module, &label)) != QSCD_OK)
        return rc;
    a = calloc(1, sizeof *a);
    if (a == NULL)
        return p11a_fail(QSCD_ERR_NOMEM, "out of memory");
    a->pin_len = strlen(cfg->user_pin);
    memcpy(a->pin, cfg->user_pin, a->pin_len);
    a->flags = cfg->flags;
    rc = module_get(module, cfg->init_args, &a->mod);
    if (rc != QSCD_OK) {
        qscd_wipe(a->pin, sizeof a->pin);
        free(a);
        return rc;
    }
    a->f = a->mod->f;
    rc = token_find(a, label);
    if (rc == QSCD_OK)
        rc = p11a_pool_init(a, cfg->max_sessions ? cfg->max_sessions : P11A_DEFAULT_SESSIONS);
    /* One session now: it checks the PIN before the adapter is handed out. */
    if (rc == QSCD_OK && (rc = p11a_sess_get(a, &s)) == QSCD_OK)
        p11a_sess_put(a, &s, P11A_SESS_OK);
    if (rc != QSCD_OK) {
        char msg[256];
        strncpy(msg, p11a_last_error(), sizeof msg - 1);
        msg[sizeof msg - 1] = '\0';
        p11a_close(a);
        return p11a_fail(rc, "%s", msg);
    }
    *out = a;
    return QSCD_OK;
}

void p11a_close(p11a *a)
{
    if (a == NULL)
        return;
    if (a->max > 0)
        p11a_pool_destroy(a);
    if (a->mod != NULL)
        module_put(a->mod);
    qscd_wipe(a->pin, sizeof a->pin);
    a->pin_len = 0;
    free(a);
}
