/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sam-admin vectors (reference target only): the SAM's administration and audit
 * interface, which the CSC API does not expose. Each step runs one `qscd admin` or `qscd
 * audit` command on the reference's throw-away data directory as the role and identity the
 * step names (the way ref_start.sh enrols the suite's signers), and checks its exit status,
 * what its output must and must not hold, and, for an audit export, the records; or it is a
 * change the runner itself makes to the throw-away audit store with sqlite3 (the attacker
 * with file access the audit chain must reveal). Another vendor's administration interface
 * has no common protocol: on any other target these vectors are SKIPped.
 */
#include "sam_admin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SA_ARGS 48
#define SA_OUT_MAX (8u << 20)   /* an audit export of a long run stays well below this */

static const char *const SA_NA =
    "the SAM's administration interface is the reference's own; a vendor's has no common "
    "protocol";

/* Read a whole file (malloc'd, NUL-terminated); NULL when it cannot be read. */
static char *sa_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(SA_OUT_MAX + 1);
    size_t n = buf ? fread(buf, 1, SA_OUT_MAX, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* The first line of DIR/NAME, for ${file:NAME}; the name may not leave the directory. */
static int sa_file_line(const sa_ctx *c, const char *name, char *out, size_t cap)
{
    char path[1400];
    if (strchr(name, '/') || strstr(name, ".."))
        return -1;
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    char *s = sa_slurp(path);
    if (!s)
        return -1;
    s[strcspn(s, "\r\n")] = '\0';
    int rc = snprintf(out, cap, "%s", s) < (int)cap ? 0 : -1;
    cf_wipe(s, strlen(s));   /* a password file's content */
    free(s);
    return rc;
}

static const char *sa_capture_get(const sa_ctx *c, const char *name)
{
    for (int i = 0; i < c->ncap; i++)
        if (strcmp(c->cap_name[i], name) == 0)
            return c->cap_val[i];
    return NULL;
}

/* ${totp:NAME}: the code of the next time step after the clock, from the otpauth URI captured
 * as NAME. Waiting for a fresh step keeps a code from being presented twice (RFC 6238 §5.2). */
static int sa_totp(sa_ctx *c, const char *name, char *out, size_t cap)
{
    const char *uri = sa_capture_get(c, name);
    uint8_t seed[64];
    size_t len = 0;
    int digits = 6, step = 30, rc = -1;
    if (!uri || cap < 12 || csc_totp_parse(uri, seed, sizeof seed, &len, &digits, &step) != 0)
        return -1;
    uint64_t now = (uint64_t)time(NULL) / (uint64_t)step;
    while (now <= c->totp_last) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        now = (uint64_t)time(NULL) / (uint64_t)step;
    }
    c->totp_last = now;
    rc = csc_totp(seed, len, now, digits, out);
    cf_wipe(seed, sizeof seed);
    return rc;
}

/* One placeholder's value into out. */
static int sa_value(sa_ctx *c, const char *name, char *out, size_t cap)
{
    if (strcmp(name, "nonce") == 0)
        return snprintf(out, cap, "%s", c->nonce) < (int)cap ? 0 : -1;
    if (strcmp(name, "dir") == 0)
        return snprintf(out, cap, "%s", c->dir) < (int)cap ? 0 : -1;
    if (strcmp(name, "scratch") == 0)
        return snprintf(out, cap, "%s", c->scratch) < (int)cap ? 0 : -1;
    if (strncmp(name, "file:", 5) == 0)
        return sa_file_line(c, name + 5, out, cap);
    if (strncmp(name, "totp:", 5) == 0)
        return sa_totp(c, name + 5, out, cap);
    const char *v = sa_capture_get(c, name);
    return v && snprintf(out, cap, "%s", v) < (int)cap ? 0 : -1;
}

int sa_expand(sa_ctx *c, const char *in, char *out, size_t cap, char *why, size_t wl)
{
    size_t o = 0;
    while (*in) {
        const char *end = strncmp(in, "${", 2) == 0 ? strchr(in, '}') : NULL;
        if (!end) {
            if (o + 1 >= cap)
                goto toolong;
            out[o++] = *in++;
            continue;
        }
        char name[96], val[1200];
        size_t nl = (size_t)(end - in - 2);
        if (nl >= sizeof name)
            goto toolong;
        memcpy(name, in + 2, nl);
        name[nl] = '\0';
        if (sa_value(c, name, val, sizeof val) != 0) {
            snprintf(why, wl, "placeholder ${%s} has no value", name);
            return -1;
        }
        size_t vl = strlen(val);
        if (o + vl >= cap)
            goto toolong;
        memcpy(out + o, val, vl);
        cf_wipe(val, vl);
        o += vl;
        in = end + 1;
    }
    out[o] = '\0';
    return 0;
toolong:
    snprintf(why, wl, "an expanded argument is too long");
    return -1;
}

/* --------------------------------------------------------------------- running a command */

typedef struct sa_argv {
    char *v[SA_ARGS + 1];
    int n;
} sa_argv;

static void sa_argv_free(sa_argv *a)
{
    for (int i = 0; i < a->n; i++) {
        cf_wipe(a->v[i], strlen(a->v[i]));   /* may hold a one-time code */
        free(a->v[i]);
    }
    a->n = 0;
}

static int sa_argv_add(sa_argv *a, const char *s)
{
    if (a->n >= SA_ARGS || !(a->v[a->n] = strdup(s)))
        return -1;
    a->v[++a->n] = NULL;
    return 0;
}

/* qscd COMMAND --as ROLE:ID [--password-file DIR/FILE] REST... */
static int sa_argv_build(sa_ctx *c, json_t *step, sa_argv *a, char *why, size_t wl)
{
    json_t *run = json_object_get(step, "run"), *x;
    const char *pw = json_string_value(json_object_get(step, "password"));
    char buf[2048];
    size_t i;
    if (sa_argv_add(a, c->qscd) != 0)
        return -1;
    json_array_foreach(run, i, x) {
        if (sa_expand(c, json_string_value(x) ? json_string_value(x) : "", buf, sizeof buf,
                      why, wl) != 0 || sa_argv_add(a, buf) != 0)
            return -1;
        if (i > 0)
            continue;
        /* the connection options belong to the command, before its operation */
        if (sa_expand(c, json_string_value(json_object_get(step, "as")), buf, sizeof buf, why,
                      wl) != 0 || sa_argv_add(a, "--as") != 0 || sa_argv_add(a, buf) != 0)
            return -1;
        if (pw) {
            snprintf(buf, sizeof buf, "%s/%s", c->dir, pw);
            if (sa_argv_add(a, "--password-file") != 0 || sa_argv_add(a, buf) != 0)
                return -1;
        }
    }
    return 0;
}

/* In the child: the step's environment, the data directory's socket, and none of the
 * caller's own identity or secrets (a step gets exactly what it names). */
static void sa_child_env(sa_ctx *c, json_t *env)
{
    char sock[1200], val[1200], why[80];
    const char *k;
    json_t *x;
    unsetenv("QSCD_AS");
    unsetenv("QSCD_PIN");
    unsetenv("QSCD_NEW_PIN");
    unsetenv("QSCD_ADMIN_PASSWORD");
    unsetenv("QSCD_NEW_PASSWORD");
    snprintf(sock, sizeof sock, "%s/data/sam.sock", c->dir);
    setenv("QSCD_SAM_SOCKET", sock, 1);
    json_object_foreach(env, k, x) {
        if (sa_expand(c, json_string_value(x) ? json_string_value(x) : "", val, sizeof val,
                      why, sizeof why) == 0)
            setenv(k, val, 1);
    }
}

/* The child touches its environment between fork and exec: safe because sam-admin vectors
 * run in the exclusive phase, when no other thread of the runner can hold libc's locks. */
int sa_exec(sa_ctx *c, char *const argv[], json_t *env, sa_result *r)
{
    char out[1300], err[1300];
    snprintf(out, sizeof out, "%s/stdout", c->scratch);
    snprintf(err, sizeof err, "%s/stderr", c->scratch);
    memset(r, 0, sizeof *r);
    r->exit = -1;
    r->started = time(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fi = open("/dev/null", O_RDONLY);   /* never a prompt: a missing secret fails */
        if (fo < 0 || fe < 0 || fi < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0 || dup2(fi, 0) < 0)
            _exit(127);
        sa_child_env(c, env);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r->exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    r->out = sa_slurp(out);
    r->err = sa_slurp(err);
    unlink(out);
    unlink(err);
    return r->out && r->err ? 0 : -1;
}

void sa_result_free(sa_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* ------------------------------------------------------------------------- expectations */

/* Each pattern of list must (want 1) or must not (want 0) occur in text. A failure names the
 * pattern as the vector wrote it: an expanded ${file:...} is a secret. */
static int sa_check_text(sa_ctx *c, json_t *list, const char *text, int want, const char *what,
                         char *why, size_t wl)
{
    size_t i;
    json_t *x;
    char pat[1300];
    json_array_foreach(list, i, x) {
        const char *tpl = json_string_value(x);
        if (sa_expand(c, tpl, pat, sizeof pat, why, wl) != 0)
            return -1;
        int found = strstr(text, pat) != NULL;
        cf_wipe(pat, strlen(pat));
        if (found != want) {
            /* stderr is the SAM's code and message, never a secret: shown; stdout not */
            int err = strcmp(what, "stderr") == 0;
            snprintf(why, wl, "%s %s \"%s\"%s%.160s%s", what, want ? "lacks" : "holds", tpl,
                     err ? " (" : "", err ? text : "", err ? ")" : "");
            return -1;
        }
    }
    return 0;
}

/* NAME -> the rest of the first stdout line starting with its prefix. */
static int sa_capture(sa_ctx *c, json_t *spec, const char *out, char *why, size_t wl)
{
    const char *name;
    json_t *x;
    json_object_foreach(spec, name, x) {
        const char *pre = json_string_value(x);
        const char *p = out;
        size_t pl = strlen(pre);
        while (p && strncmp(p, pre, pl) != 0)
            p = (p = strchr(p, '\n')) ? p + 1 : NULL;
        if (!p || c->ncap >= SA_CAPS) {
            snprintf(why, wl, "no stdout line starts with \"%s\" to capture %s", pre, name);
            return -1;
        }
        size_t vl = strcspn(p + pl, "\r\n");
        if (vl >= sizeof c->cap_val[0] || strlen(name) >= sizeof c->cap_name[0]) {
            snprintf(why, wl, "capture %s is too long", name);
            return -1;
        }
        snprintf(c->cap_name[c->ncap], sizeof c->cap_name[0], "%s", name);
        memcpy(c->cap_val[c->ncap], p + pl, vl);
        c->cap_val[c->ncap++][vl] = '\0';
    }
    return 0;
}

static int sa_step_cmd(sa_ctx *c, json_t *step, char *why, size_t wl)
{
    sa_argv a = {{0}, 0};
    sa_result r;
    int rc = -1;
    if (sa_argv_build(c, step, &a, why, wl) != 0) {
        if (!*why)
            snprintf(why, wl, "too many arguments");
        sa_argv_free(&a);
        return -1;
    }
    if (sa_exec(c, a.v, json_object_get(step, "env"), &r) != 0) {
        snprintf(why, wl, "could not run %.300s", c->qscd);
        goto out;
    }
    long want = (long)json_integer_value(json_object_get(step, "exit"));
    if (r.exit != want) {
        /* stderr carries the SAM's symbolic code and message, never a secret */
        snprintf(why, wl, "exit %d, expected %ld (%.160s)", r.exit, want, r.err);
        goto out;
    }
    if (sa_check_text(c, json_object_get(step, "stdoutContains"), r.out, 1, "stdout", why, wl) ||
        sa_check_text(c, json_object_get(step, "stdoutAbsent"), r.out, 0, "stdout", why, wl) ||
        sa_check_text(c, json_object_get(step, "stderrContains"), r.err, 1, "stderr", why, wl) ||
        sa_check_text(c, json_object_get(step, "stderrAbsent"), r.err, 0, "stderr", why, wl) ||
        sa_capture(c, json_object_get(step, "capture"), r.out, why, wl))
        goto out;
    json_t *rec = json_object_get(step, "records");
    rc = rec ? sa_records_check(c, rec, r.out, r.started, why, wl) : 0;
out:
    sa_result_free(&r);
    sa_argv_free(&a);
    return rc;
}

/* The runner's own change to the throw-away store: sqlite3 on DIR/data/sam.db, waiting for
 * the SAM's lock rather than failing on it. */
static int sa_step_tamper(sa_ctx *c, json_t *step, char *why, size_t wl)
{
    char db[1300];
    sa_result r;
    snprintf(db, sizeof db, "%s/data/sam.db", c->dir);
    char *argv[] = {"/usr/bin/sqlite3", "-bail", "-cmd", ".timeout 10000", db,
                    (char *)json_string_value(json_object_get(step, "tamper")), NULL};
    if (access(argv[0], X_OK) != 0) {
        snprintf(why, wl, "no sqlite3 (Debian package sqlite3) to change the store with");
        return 1;
    }
    int rc = sa_exec(c, argv, NULL, &r);
    if (rc == 0 && r.exit != 0) {
        snprintf(why, wl, "the store change failed: %.200s", r.err);
        rc = -1;
    }
    sa_result_free(&r);
    return rc;
}

/* A fresh context for one vector: its nonce and its own scratch folder. */
static int sa_ctx_init(sa_ctx *c, const char *dir, const char *qscd, const cf_vector *v)
{
    static unsigned serial;   /* exclusive vectors run one at a time */
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    snprintf(c->qscd, sizeof c->qscd, "%s", qscd);
    snprintf(c->nonce, sizeof c->nonce, "sa%ld-%ld-%u", v->tcid, (long)getpid(), ++serial);
    snprintf(c->scratch, sizeof c->scratch, "%s/sam-admin/%s", dir, c->nonce);
    return cf_mkdirs(c->scratch);
}

void sam_admin_run(const char *dir, const char *qscd, cf_vector *v)
{
    sa_ctx c;
    char why[480] = "";
    size_t i;
    json_t *step;
    if (!dir || !*dir) {
        cf_skip(v, "%s", SA_NA);
        return;
    }
    if (sa_ctx_init(&c, dir, qscd, v) != 0) {
        cf_fail(v, "cannot make the scratch folder under %s", dir);
        return;
    }
    json_array_foreach(json_object_get(v->test, "steps"), i, step) {
        int rc = json_object_get(step, "tamper") ? sa_step_tamper(&c, step, why, sizeof why)
                                                 : sa_step_cmd(&c, step, why, sizeof why);
        if (rc > 0) {
            cf_skip(v, "step %zu: %s", i + 1, why);
            goto out;
        }
        if (rc < 0) {
            cf_fail(v, "step %zu: %s", i + 1, why);
            goto out;
        }
    }
    cf_pass(v, "%zu steps as expected", json_array_size(json_object_get(v->test, "steps")));
out:
    cf_wipe(&c, sizeof c);   /* captures hold otpauth seeds */
}
