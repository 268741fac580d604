/* SPDX-License-Identifier: Apache-2.0 */
/* The SAM's configuration file (samd_config.h, spec/sam-config.md). One table lists every
 * key with its type, place and bounds: the parser, the canonical text and the documentation
 * follow it. */
#include "samd_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { K_STR, K_PATH, K_INT };

typedef struct key_def {
    const char *name;
    int type;
    size_t off;
    size_t size;       /* K_STR, K_PATH: buffer size */
    long min, max;     /* K_INT */
} key_def;

#define S(f) K_STR, offsetof(samd_config, f), sizeof(((samd_config *)0)->f), 0, 0
#define P(f) K_PATH, offsetof(samd_config, f), sizeof(((samd_config *)0)->f), 0, 0
#define I(f, lo, hi) K_INT, offsetof(samd_config, f), 0, lo, hi

static const key_def keys[] = {
    { "data_dir", P(data_dir) },
    { "socket", P(socket) },
    { "socket_group", S(socket_group) },
    { "database", P(database) },
    { "module", P(module) },
    { "uri", S(uri) },
    { "token_label", S(token_label) },
    { "pin_file", P(pin_file) },
    { "so_pin_file", P(so_pin_file) },
    { "init_args", S(init_args) },
    { "softhsm_conf", P(softhsm_conf) },
    { "service_name", S(service_name) },
    { "token_ttl", I(token_ttl, 1, 86400) },
    { "token_max_life", I(token_max_life, 1, 604800) },
    { "clock_skew", I(clock_skew, 0, 300) },
    { "lockout_limit", I(lockout_limit, 1, 100) },
    { "challenge_ttl", I(challenge_ttl, 1, 3600) },
    { "otp_digits", I(otp_digits, 6, 8) },
    { "otp_step", I(otp_step, 1, 300) },
    { "argon2_t", I(argon2_t, 1, 64) },
    { "argon2_m", I(argon2_m, 8, 4194304) },
    { "argon2_p", I(argon2_p, 1, 16) },
    { "workers", I(workers, 0, 256) },
    { "max_connections", I(max_connections, 1, 4096) },
    { "read_timeout", I(read_timeout, 1, 3600) },
    { "seal_interval", I(seal_interval, 1, 86400) },
    { "alert_auth_failures", I(alert_auth_failures, 0, 1000) },
    { "alert_auth_window", I(alert_auth_window, 1, 86400) },
    { "alert_authz_limit", I(alert_authz_limit, 0, 1000000) },
    { "alert_authz_window", I(alert_authz_window, 1, 86400) },
    { "ca_cert", P(ca_cert) },
    { "ca_key", P(ca_key) },
    { "ca_files", S(ca_files) },
    { "cert_days", I(cert_days, 1, 3650) },
    { "admin_id", S(admin_id) },
    { "admin_password_file", P(admin_password_file) },
};

#define NKEYS (sizeof keys / sizeof keys[0])

void samd_config_defaults(samd_config *c, const char *data_dir)
{
    memset(c, 0, sizeof *c);
    snprintf(c->data_dir, sizeof c->data_dir, "%s", data_dir ? data_dir : "/var/lib/qscd");
    snprintf(c->service_name, sizeof c->service_name, "qscd-sam");
    snprintf(c->admin_id, sizeof c->admin_id, "so");
    c->token_ttl = 3600;
    c->token_max_life = 86400;
    c->clock_skew = 30;
    c->lockout_limit = 5;
    c->challenge_ttl = 300;
    c->otp_digits = 6;
    c->otp_step = 30;
    c->argon2_t = 3;
    c->argon2_m = 65536;
    c->argon2_p = 1;
    c->workers = 0;
    c->max_connections = 64;
    c->read_timeout = 30;
    c->seal_interval = 60;
    c->alert_auth_failures = 10;
    c->alert_auth_window = 60;
    c->alert_authz_limit = 30;
    c->alert_authz_window = 300;
    c->cert_days = 730;
}

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static const key_def *find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

/* Set one key from its text; returns NULL or what is wrong. */
static const char *set_key(samd_config *c, const key_def *k, const char *val)
{
    char *base = (char *)c + k->off, *end = NULL;
    long v;

    if (k->type != K_INT) {
        if (strlen(val) >= k->size)
            return "value too long";
        snprintf(base, k->size, "%s", val);
        return NULL;
    }
    errno = 0;
    v = strtol(val, &end, 10);
    if (errno != 0 || end == val || *end != '\0')
        return "not an integer";
    if (v < k->min || v > k->max)
        return "out of range";
    *(long *)(void *)base = v;
    return NULL;
}

/* One line: blank, comment, or `key = value`. */
static int parse_line(samd_config *c, char *line, unsigned char *seen, const char **why)
{
    char *eq, *name, *val;
    const key_def *k;

    line = trim(line);
    if (*line == '\0' || *line == '#')
        return 0;
    eq = strchr(line, '=');
    if (eq == NULL) {
        *why = "expected `key = value`";
        return -1;
    }
    *eq = '\0';
    name = trim(line);
    val = trim(eq + 1);
    k = find_key(name);
    if (k == NULL) {
        *why = "unknown key";
        return -1;
    }
    if (seen[k - keys]) {
        *why = "key given twice";
        return -1;
    }
    seen[k - keys] = 1;
    *why = set_key(c, k, val);
    return *why == NULL ? 0 : -1;
}

int samd_config_load(samd_config *c, const char *path, char *err, size_t errlen)
{
    unsigned char seen[NKEYS] = { 0 };
    char line[4096];
    unsigned lineno = 0;
    const char *why = NULL;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f))
            why = "line too long";
        else if (parse_line(c, line, seen, &why) == 0)
            continue;
        snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

/* A path relative to the data directory made absolute; default when empty. */
static int resolve(const samd_config *c, char *field, size_t size, const char *dflt)
{
    char tmp[SAMD_PATH_MAX];
    int n;

    if (field[0] == '\0' && dflt == NULL)
        return 0;
    snprintf(tmp, sizeof tmp, "%s", field[0] != '\0' ? field : dflt);
    if (tmp[0] == '/')
        n = snprintf(field, size, "%s", tmp);
    else
        n = snprintf(field, size, "%s/%s", c->data_dir, tmp);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int resolve_paths(samd_config *c)
{
    int bad = 0;

    c->embedded = c->module[0] == '\0' && c->uri[0] == '\0';
    if (c->embedded) {
        snprintf(c->module, sizeof c->module, "%s", SAMD_SOFTHSM_MODULE);
        bad |= resolve(c, c->softhsm_conf, sizeof c->softhsm_conf, "hsm/softhsm2.conf");
        bad |= resolve(c, c->pin_file, sizeof c->pin_file, "hsm/user.pin");
        bad |= resolve(c, c->so_pin_file, sizeof c->so_pin_file, "hsm/so.pin");
        if (c->token_label[0] == '\0')
            snprintf(c->token_label, sizeof c->token_label, "qscd-sam");
    } else {
        bad |= resolve(c, c->module, sizeof c->module, NULL);
        bad |= resolve(c, c->softhsm_conf, sizeof c->softhsm_conf, NULL);
        bad |= resolve(c, c->pin_file, sizeof c->pin_file, NULL);
        bad |= resolve(c, c->so_pin_file, sizeof c->so_pin_file, NULL);
    }
    bad |= resolve(c, c->socket, sizeof c->socket, "sam.sock");
    bad |= resolve(c, c->database, sizeof c->database, "sam.db");
    bad |= resolve(c, c->ca_cert, sizeof c->ca_cert, "ca/ca.pem");
    bad |= resolve(c, c->ca_key, sizeof c->ca_key, "ca/ca-key.pem");
    bad |= resolve(c, c->admin_password_file, sizeof c->admin_password_file, NULL);
    return bad;
}

int samd_config_finish(samd_config *c, char *err, size_t errlen)
{
    if (c->data_dir[0] != '/') {
        snprintf(err, errlen, "data_dir must be an absolute path (%s)", c->data_dir);
        return -1;
    }
    if (resolve_paths(c) != 0) {
        snprintf(err, errlen, "a path under data_dir %s is too long", c->data_dir);
        return -1;
    }
    if (strlen(c->socket) > SAMD_SOCKET_MAX) {
        snprintf(err, errlen, "socket path longer than %d bytes: %s", SAMD_SOCKET_MAX, c->socket);
        return -1;
    }
    if (c->service_name[0] == '\0' || c->pin_file[0] == '\0') {
        snprintf(err, errlen, "%s must be set",
                 c->service_name[0] == '\0' ? "service_name" : "pin_file");
        return -1;
    }
    if (c->admin_id[0] == '\0') {
        snprintf(err, errlen, "admin_id must not be empty");
        return -1;
    }
    return 0;
}

size_t samd_config_text(const samd_config *c, char *buf, size_t cap)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < NKEYS && len < cap; i++) {
        const char *base = (const char *)c + keys[i].off;
        int n = keys[i].type == K_INT
                    ? snprintf(buf + len, cap - len, "%s = %ld\n", keys[i].name,
                               *(const long *)(const void *)base)
                    : snprintf(buf + len, cap - len, "%s = %s\n", keys[i].name, base);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return len < cap ? len : cap - 1;
}

int samd_secret_read(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    out[0] = '\0';
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        snprintf(err, errlen, "%s: must be a regular file of mode 0600 (it holds a secret)",
                 path);
        close(fd);
        return -1;
    }
    n = read(fd, out, cap - 1);
    close(fd);
    if (n <= 0) {
        snprintf(err, errlen, "%s: empty or unreadable", path);
        return -1;
    }
    out[n] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (out[0] == '\0') {
        snprintf(err, errlen, "%s: the first line is empty", path);
        return -1;
    }
    return 0;
}

static long online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n;
}

long samd_config_workers(const samd_config *c)
{
    long n = c->workers > 0 ? c->workers : 4 * online_cores();

    n = c->workers > 0 || n >= 8 ? n : 8;
    return n > 64 ? 64 : n;
}

long samd_config_kdf_slots(const samd_config *c)
{
    long n = online_cores(), w = samd_config_workers(c);

    return n < w ? n : w;
}
