/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the `qscd` command (cli.h): connection options, secrets, files, hex. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"

int cli_role(const char *name)
{
    static const struct { const char *name; int role; } roles[] = {
        { "signer", 1 }, { "so", 2 }, { "security-officer", 2 }, { "operator", 3 },
        { "auditor", 4 }, { "1", 1 }, { "2", 2 }, { "3", 3 }, { "4", 4 },
    };

    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].role;
    return 0;
}

static int set_as(cli_conn *c, const char *as)
{
    const char *colon = strchr(as, ':');
    size_t rl = colon != NULL ? (size_t)(colon - as) : 0;

    if (colon == NULL || rl == 0 || rl >= sizeof c->role_name || strlen(colon + 1) == 0 ||
        strlen(colon + 1) >= sizeof c->id) {
        fprintf(stderr, "qscd: --as takes ROLE:ID (e.g. so:so, signer:alice, auditor:audit)\n");
        return CLI_USAGE;
    }
    memcpy(c->role_name, as, rl);
    c->role_name[rl] = '\0';
    snprintf(c->id, sizeof c->id, "%s", colon + 1);
    c->role = cli_role(c->role_name);
    if (c->role == 0) {
        fprintf(stderr, "qscd: unknown role '%s' (signer, so, operator, auditor)\n", c->role_name);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_conn_options(int argc, char **argv, const char *dflt_as, cli_conn *c, int *used)
{
    const char *as = getenv("QSCD_AS");
    int i = 0;

    memset(c, 0, sizeof *c);
    c->socket = getenv("QSCD_SAM_SOCKET") ? getenv("QSCD_SAM_SOCKET") : "/var/lib/qscd/sam.sock";
    c->timeout = 60;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *o = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(o, "--json") == 0)
            c->json = true;
        else if (strcmp(o, "--socket") == 0 && has)
            c->socket = argv[++i];
        else if (strcmp(o, "--as") == 0 && has)
            as = argv[++i];
        else if (strcmp(o, "--password-file") == 0 && has)
            c->password_file = argv[++i];
        else if (strcmp(o, "--timeout") == 0 && has)
            c->timeout = atoi(argv[++i]);
        else if (strcmp(o, "--wait") == 0 && has)
            c->wait = atoi(argv[++i]);
        else
            break; /* the command's own options, or --help */
    }
    *used = i;
    if (c->timeout < 1 || c->timeout > 3600 || c->wait < 0 || c->wait > 3600) {
        fprintf(stderr, "qscd: --timeout takes 1..3600 seconds, --wait 0..3600\n");
        return CLI_USAGE;
    }
    return set_as(c, as != NULL ? as : dflt_as);
}

/* Connect; with --wait, try again while the socket is not there yet or not listening (a SAM
 * still starting), every 100 ms until the time is up. errno tells the last failure. */
static int connect_waiting(const cli_conn *c, samc **s)
{
    struct timespec pause = { 0, 100000000 };
    long tries = (long)c->wait * 10;
    int rc = samc_connect(c->socket, c->timeout, s);

    while (rc != QSCD_OK && tries-- > 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
        nanosleep(&pause, NULL);
        rc = samc_connect(c->socket, c->timeout, s);
    }
    return rc;
}

int cli_conn_password(cli_conn *c)
{
    if (c->role == 1)
        return CLI_OK; /* signers are asserted, never authenticated by password */
    return cli_secret("password", c->password_file, "QSCD_ADMIN_PASSWORD", c->password,
                      sizeof c->password) == 0 ? CLI_OK : CLI_FAILED;
}

int cli_call(const cli_conn *c, const char *what, unsigned op, const uint8_t *params,
             size_t params_len, samc_resp *r)
{
    samc_caller who = { c->role, (const uint8_t *)c->id, strlen(c->id), NULL, 0 };
    samc *s = NULL;
    int rc = connect_waiting(c, &s);
    int err = errno;

    memset(r, 0, sizeof *r);
    if (c->role != 1) {
        who.password = (const uint8_t *)c->password;
        who.password_len = strlen(c->password);
    }
    if (rc != QSCD_OK) {
        fprintf(stderr, "qscd %s: cannot connect to the SAM at %s: %s%s\n", what, c->socket,
                strerror(err), err == ENOENT || err == ECONNREFUSED ?
                " (is `qscd sam` running? --wait SECONDS waits for it to start)" : "");
        return CLI_FAILED;
    }
    rc = samc_call(s, &who, op, params, params_len, r);
    samc_close(s);
    if (rc != QSCD_OK) {
        fprintf(stderr, "qscd %s: %s: %s\n", what, qscd_err_name(rc), qscd_err_message(rc));
        return CLI_FAILED;
    }
    if (r->status != 0) {
        fprintf(stderr, "qscd %s: %s: %s\n", what, qscd_err_name(r->status), r->message);
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* ------------------------------------------------------------------------ secrets */

static int prompt(const char *what, char *out, size_t cap)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    int ok;

    if (tty == NULL)
        return -1;
    fprintf(tty, "%s: ", what);
    fflush(tty);
    ok = tcgetattr(fileno(tty), &old) == 0;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    if (ok)
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    ok = fgets(out, (int)cap, tty) != NULL;
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fprintf(tty, "\n");
    fclose(tty);
    out[strcspn(out, "\r\n")] = '\0';
    return ok && out[0] != '\0' ? 0 : -1;
}

int cli_secret(const char *what, const char *file, const char *env, char *out, size_t cap)
{
    const char *v = env != NULL ? getenv(env) : NULL;
    uint8_t *buf = NULL;
    size_t n = 0;

    out[0] = '\0';
    if (file != NULL) {
        if (cli_read_file(file, false, &buf, &n) != 0)
            return -1;
        snprintf(out, cap, "%.*s", (int)n, (const char *)buf);
        memset(buf, 0, n);
        free(buf);
        out[strcspn(out, "\r\n")] = '\0';
    } else if (v != NULL && *v != '\0') {
        snprintf(out, cap, "%s", v);
    } else if (prompt(what, out, cap) != 0) {
        fprintf(stderr, "qscd: no %s: set %s, give a file, or run on a terminal\n", what,
                env != NULL ? env : "it");
        return -1;
    }
    return 0;
}

/* --------------------------------------------------------------------------- files */

static int pem_to_der(uint8_t **buf, size_t *len)
{
    BIO *b = BIO_new_mem_buf(*buf, (int)*len);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long n = 0;
    int ok = b != NULL && PEM_read_bio(b, &name, &header, &data, &n) == 1;

    BIO_free(b);
    if (ok) {
        free(*buf);
        *buf = malloc((size_t)n);
        ok = *buf != NULL;
        if (ok) {
            memcpy(*buf, data, (size_t)n);
            *len = (size_t)n;
        }
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    return ok ? 0 : -1;
}

int cli_read_file(const char *path, bool der, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);

    *buf = NULL;
    *len = 0;
    if (f == NULL || b == NULL) {
        fprintf(stderr, "qscd: %s: %s\n", path, strerror(errno));
        free(b);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    for (size_t r; (r = fread(b + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap && cap < (16u << 20)) {
            uint8_t *q = realloc(b, cap *= 2);
            if (q == NULL)
                break;
            b = q;
        }
    }
    fclose(f);
    *buf = b;
    *len = n;
    if (der && n > 10 && memcmp(b, "-----BEGIN", 10) == 0 && pem_to_der(buf, len) != 0) {
        fprintf(stderr, "qscd: %s: not a PEM file\n", path);
        return -1;
    }
    return 0;
}

int cli_write_file(const char *path, const uint8_t *buf, size_t len, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    int ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;

    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (!ok)
        fprintf(stderr, "qscd: %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

long cli_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);

    if (n % 2 != 0 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return (long)(n / 2);
}

void cli_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    out[2 * n] = '\0';
}
