/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `qscd sam --init`: everything the service needs, made once and kept afterwards. With no
 * module configured, a throw-away SoftHSMv2 token under the data directory (its own
 * softhsm2.conf, PINs from OpenSSL's generator in files of mode 0600, the token initialised
 * through PKCS#11 so that no PIN ever appears on a command line); the test CA when none is
 * configured; the SAM's keys in the module (samd_open with create); the database; the first
 * security officer, whose password is read from QSCD_ADMIN_PASSWORD or admin_password_file,
 * or generated and printed once.
 */
#include "samd_int.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samd_init.h"

#define PIN_CHARS "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

static int make_dir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "qscd sam --init: %s: %s\n", path, strerror(errno));
    return -1;
}

/* A random secret of n characters from an unambiguous alphabet. */
static int random_text(char *out, size_t n)
{
    unsigned char r[64];

    if (n >= sizeof r || RAND_bytes(r, (int)n) != 1)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = PIN_CHARS[r[i] % (sizeof PIN_CHARS - 1)];
    out[n] = '\0';
    samd_wipe(r, sizeof r);
    return 0;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t n = strlen(text);
    int ok = fd >= 0 && fchmod(fd, mode) == 0 && write(fd, text, n) == (ssize_t)n;

    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (!ok)
        fprintf(stderr, "qscd sam --init: %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------- the token */

static CK_SLOT_ID find_slot(CK_FUNCTION_LIST *f, const char *label, int want_free)
{
    CK_SLOT_ID slots[64];
    CK_ULONG n = 64;
    char padded[32];

    memset(padded, ' ', sizeof padded);
    memcpy(padded, label, strlen(label) < 32 ? strlen(label) : 32);
    if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return (CK_SLOT_ID)-1;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        int inited = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
        if (want_free ? !inited : inited && memcmp(ti.label, padded, 32) == 0)
            return slots[i];
    }
    return (CK_SLOT_ID)-1;
}

/* C_InitToken on the free slot, then the user PIN in an SO session. */
static CK_RV init_token(CK_FUNCTION_LIST *f, const char *label, const char *so, const char *user)
{
    CK_UTF8CHAR padded[32];
    CK_SESSION_HANDLE h = 0;
    CK_SLOT_ID slot = find_slot(f, label, 1);
    CK_RV rv;

    memset(padded, ' ', sizeof padded);
    memcpy(padded, label, strlen(label) < 32 ? strlen(label) : 32);
    if (slot == (CK_SLOT_ID)-1)
        return CKR_SLOT_ID_INVALID;
    rv = f->C_InitToken(slot, (CK_UTF8CHAR *)so, strlen(so), padded);
    slot = rv == CKR_OK ? find_slot(f, label, 0) : slot; /* SoftHSM moves it to a new slot */
    if (rv == CKR_OK)
        rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h);
    if (rv == CKR_OK)
        rv = f->C_Login(h, CKU_SO, (CK_UTF8CHAR *)so, strlen(so));
    if (rv == CKR_OK) {
        rv = f->C_InitPIN(h, (CK_UTF8CHAR *)user, strlen(user));
        f->C_Logout(h);
    }
    if (h != 0)
        f->C_CloseSession(h);
    return rv;
}

static int make_token(const samd_config *c, const char *so, const char *user)
{
    CK_C_INITIALIZE_ARGS args;
    CK_C_GetFunctionList gfl = NULL;
    CK_FUNCTION_LIST *f = NULL;
    void *lib = dlopen(c->module, RTLD_NOW | RTLD_LOCAL);
    CK_RV rv = CKR_GENERAL_ERROR;

    if (lib != NULL)
        *(void **)&gfl = dlsym(lib, "C_GetFunctionList");
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    if (gfl != NULL && gfl(&f) == CKR_OK && f->C_Initialize(&args) == CKR_OK) {
        rv = init_token(f, c->token_label, so, user);
        f->C_Finalize(NULL);
    }
    /* The library stays loaded: the adapter opens it again next, in this process. */
    if (rv != CKR_OK)
        fprintf(stderr, "qscd sam --init: cannot initialise a token with %s: %s\n", c->module,
                lib == NULL ? dlerror() : p11a_rv_name(rv));
    return rv == CKR_OK ? 0 : -1;
}

static int embedded_token(const samd_config *c)
{
    char tmp[SAMD_PATH_MAX], dir[SAMD_PATH_MAX], tokens[SAMD_PATH_MAX + 8];
    char conf[2 * SAMD_PATH_MAX];
    char so[17], user[17];
    int rc;

    if (access(c->pin_file, F_OK) == 0 && access(c->softhsm_conf, F_OK) == 0) {
        printf("qscd sam --init: SoftHSMv2 token present (%s)\n", c->softhsm_conf);
        return 0;
    }
    snprintf(tmp, sizeof tmp, "%s", c->softhsm_conf);
    snprintf(dir, sizeof dir, "%s", dirname(tmp));
    snprintf(tokens, sizeof tokens, "%s/tokens", dir);
    snprintf(conf, sizeof conf, "# The SAM's own SoftHSMv2 token (made by qscd sam --init)\n"
             "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n"
             "slots.removable = false\nslots.mechanisms = ALL\nlibrary.reset_on_fork = false\n",
             tokens);
    rc = make_dir(dir, 0700) | make_dir(tokens, 0700) | random_text(so, 16) |
         random_text(user, 16);
    if (rc == 0)
        rc = write_file(c->softhsm_conf, conf, 0600) | write_file(c->so_pin_file, so, 0600) |
             write_file(c->pin_file, user, 0600);
    if (rc == 0) {
        setenv("SOFTHSM2_CONF", c->softhsm_conf, 1);
        rc = make_token(c, so, user);
    }
    /* The first copy of token.object, before any user login can cut it (samd_token.c). */
    if (rc == 0 && samd_token_keep(c) != 0)
        fprintf(stderr, "qscd sam --init: could not keep a copy of the token's file\n");
    samd_wipe(so, sizeof so);
    samd_wipe(user, sizeof user);
    if (rc == 0)
        printf("qscd sam --init: created the SoftHSMv2 token \"%s\" in %s (PINs in %s, %s)\n",
               c->token_label, dir, c->pin_file, c->so_pin_file);
    return rc;
}

/* ------------------------------------------------------- the first security officer */

static int officer_password(const samd_config *c, char *pw, size_t cap, int *generated)
{
    const char *env = getenv("QSCD_ADMIN_PASSWORD");
    char err[1100];

    *generated = 0;
    if (env != NULL && *env != '\0') {
        snprintf(pw, cap, "%s", env);
    } else if (c->admin_password_file[0] != '\0') {
        if (samd_secret_read(c->admin_password_file, pw, cap, err, sizeof err) != 0) {
            fprintf(stderr, "qscd sam --init: %s\n", err);
            return -1;
        }
    } else {
        *generated = 1;
        return random_text(pw, 24);
    }
    if (strlen(pw) < 8 || strlen(pw) > SAMP_PASSWORD_MAX) {
        fprintf(stderr, "qscd sam --init: the officer's password must have 8 to %u bytes\n",
                SAMP_PASSWORD_MAX);
        return -1;
    }
    return 0;
}

static int first_officer(samd *d)
{
    char pw[SAMP_PASSWORD_MAX + 1];
    store_admin a;
    sam_event ev;
    size_t n = 0;
    int generated = 0;
    int rc = store_admin_count(d->db, &n);

    if (rc == QSCD_OK && n > 0) {
        printf("qscd sam --init: %zu administrator(s) present: none added\n", n);
        return 0;
    }
    memset(&a, 0, sizeof a);
    a.id.len = (uint8_t)strlen(d->cfg.admin_id);
    memcpy(a.id.b, d->cfg.admin_id, a.id.len);
    a.role = SAM_ROLE_SECURITY_OFFICER;
    if (rc != QSCD_OK || officer_password(&d->cfg, pw, sizeof pw, &generated) != 0)
        return -1;
    rc = samd_verifier_new(d, (const uint8_t *)pw, strlen(pw), a.pw_salt, &a.pw_kdf,
                           a.pw_verifier);
    if (rc == QSCD_OK)
        rc = store_admin_add(d->db, &a);
    memset(&ev, 0, sizeof ev);
    ev.op = SAMD_EV_ADMIN_NEW;
    ev.actor.len = 4;
    memcpy(ev.actor.b, "init", 4);
    ev.cred = a.id;
    ev.count = SAM_ROLE_SECURITY_OFFICER;
    ev.outcome = rc;
    if (samd_audit(d, &ev) != QSCD_OK && rc == QSCD_OK)
        rc = QSCD_ERR_AUDIT_WRITE;
    if (rc == QSCD_OK && generated)
        printf("qscd sam --init: created the security officer \"%s\"; its password, shown "
               "once: %s\n", d->cfg.admin_id, pw);
    else if (rc == QSCD_OK)
        printf("qscd sam --init: created the security officer \"%s\"\n", d->cfg.admin_id);
    samd_wipe(pw, sizeof pw);
    samd_wipe(&a, sizeof a);
    return rc == QSCD_OK ? 0 : -1;
}

int samd_init(const samd_config *c)
{
    char ca_dir[SAMD_PATH_MAX], name[128];
    samd *d;
    int rc = make_dir(c->data_dir, 0750);

    if (rc == 0)
        chmod(c->data_dir, 0750); /* the socket's group must reach the socket in it */

    if (rc == 0 && c->embedded)
        rc = embedded_token(c);
    if (rc == 0 && access(c->ca_cert, F_OK) != 0) {
        snprintf(ca_dir, sizeof ca_dir, "%s", c->ca_cert);
        snprintf(name, sizeof name, "qscd test CA (%s)", c->service_name);
        rc = samd_ca_create(dirname(ca_dir), name, 3650, 0);
    }
    if (rc != 0)
        return 1;
    d = calloc(1, sizeof *d);
    if (d == NULL || samd_open(d, c, 1) != QSCD_OK) {
        free(d);
        return 1;
    }
    rc = first_officer(d);
    samd_close(d);
    free(d);
    if (rc == 0)
        printf("qscd sam --init: ready in %s; start the service with `qscd sam` and the same "
               "--config or --data\n", c->data_dir);
    return rc == 0 ? 0 : 1;
}
