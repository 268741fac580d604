/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `qscd ssa` (the CSC API over HTTPS in front of a running SAM) and `qscd serve` (a SAM and
 * an SSA with the embedded defaults: throw-away SoftHSMv2 token, SQLite and test CA under a
 * data directory, a TLS certificate for localhost from the test CA, one client application).
 * Both run until SIGINT or SIGTERM and stop cleanly.
 */
#include "ssa.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"
#include "samc.h"

static void ssa_usage(FILE *f)
{
    fprintf(f, "usage: qscd ssa --sam SOCKET --cert PEM --key PEM --clients FILE\n"
               "                [--listen ADDR] [--port N] [--name NAME] [--quiet]\n\n"
               "Serves the CSC API v2 (https://ADDR:PORT/csc/v2/...) in front of the SAM at\n"
               "SOCKET until SIGTERM or SIGINT. ADDR defaults to 127.0.0.1, PORT to 8443 (0: any\n"
               "free port, printed). The clients file has one line per client application:\n"
               "ID SHA256-HEX-OF-SECRET SIGNERS (SIGNERS: * or a comma list); a client logs in\n"
               "with HTTP Basic as SIGNER@ID (spec/csc-api.md).\n");
}

/* Block SIGINT and SIGTERM, then wait for one of them. */
static void wait_for_stop(void)
{
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
}

static void block_stop_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int ssa_cli(int argc, char **argv)
{
    ssa_config c = { 0 };
    ssa *s = NULL;
    int rc;

    c.port = 8443;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = strcmp(o, "--sam") == 0 ? &c.sam_socket
                          : strcmp(o, "--cert") == 0 ? &c.tls_cert
                          : strcmp(o, "--key") == 0 ? &c.tls_key
                          : strcmp(o, "--clients") == 0 ? &c.clients
                          : strcmp(o, "--listen") == 0 ? &c.listen_addr
                          : strcmp(o, "--name") == 0 ? &c.name : NULL;
        if (strcmp(o, "--help") == 0) {
            ssa_usage(stdout);
            return 0;
        } else if (strcmp(o, "--quiet") == 0) {
            c.quiet = 1;
        } else if (slot != NULL && v != NULL) {
            *slot = v;
            i++;
        } else if (strcmp(o, "--port") == 0 && v != NULL) {
            c.port = (unsigned)strtoul(v, NULL, 10);
            i++;
        } else {
            fprintf(stderr, "qscd ssa: unexpected '%s'\n", o);
            ssa_usage(stderr);
            return 2;
        }
    }
    if (c.sam_socket == NULL || c.tls_cert == NULL || c.tls_key == NULL || c.clients == NULL ||
        c.port > 65535) {
        ssa_usage(stderr);
        return 2;
    }
    block_stop_signals();
    if ((rc = ssa_start(&c, &s)) != QSCD_OK) {
        fprintf(stderr, "qscd ssa: cannot start: %s\n", qscd_err_name(rc));
        return 1;
    }
    printf("qscd ssa: CSC API v2 at https://%s:%u/csc/v2/ (SAM %s)\n",
           c.listen_addr != NULL ? c.listen_addr : "127.0.0.1", ssa_port(s), c.sam_socket);
    fflush(stdout);
    wait_for_stop();
    ssa_stop(s);
    fprintf(stderr, "qscd ssa: stopped\n");
    return 0;
}

/* ------------------------------------------------------------------------ qscd serve */

static pid_t spawn_self(const char *log, char *const *args)
{
    pid_t pid = fork();

    if (pid == 0) {
        sigset_t none;
        int fd = log != NULL ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0600) : -1;
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);
        execv("/proc/self/exe", args);
        _exit(127);
    }
    return pid;
}

static int wait_status(pid_t pid)
{
    int st = 0;

    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int wait_socket(const char *path, pid_t sam)
{
    for (int i = 0; i < 1500; i++) {
        samc *c = NULL;
        int st;
        struct timespec ts = { 0, 20 * 1000000 };
        if (waitpid(sam, &st, WNOHANG) == sam)
            return -1;
        if (samc_connect(path, 5, &c) == QSCD_OK) {
            samc_close(c);
            return 0;
        }
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* The client application `qscd serve` registers: id "demo", a random secret kept in
 * DIR/ssa/client.secret (0600), allowed to act for every signer. */
static int demo_client(const char *dir, char *clients, size_t cap)
{
    char path[PATH_MAX + 32], secret[65], line[300];
    uint8_t raw[24];
    FILE *f;
    int fd;

    snprintf(path, sizeof path, "%s/ssa/client.secret", dir);
    if ((f = fopen(path, "r")) == NULL || fscanf(f, "%64s", secret) != 1) {
        if (f != NULL)
            fclose(f);
        if (RAND_bytes(raw, sizeof raw) != 1)
            return -1;
        for (size_t i = 0; i < sizeof raw; i++)
            snprintf(secret + 2 * i, 3, "%02x", raw[i]);
        unlink(path);
        if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
            (f = fdopen(fd, "w")) == NULL || fprintf(f, "%s\n", secret) < 0)
            return -1;
    }
    fclose(f);
    snprintf(clients, cap, "%s/ssa/clients", dir);
    if (ssa_client_line("demo", secret, "*", line, sizeof line) != 0 ||
        (f = fopen(clients, "w")) == NULL)
        return -1;
    fprintf(f, "# client applications of qscd serve: ID SHA256-HEX-OF-SECRET SIGNERS\n%s", line);
    return fclose(f);
}

static void serve_usage(FILE *f)
{
    fprintf(f, "usage: qscd serve [--data DIR] [--port N] [--listen ADDR]\n\n"
               "Starts a SAM and an SSA with the embedded defaults under DIR (default ./qscd-data):\n"
               "`qscd sam --init` on first use (throw-away SoftHSMv2 token, SQLite, TEST CA, the\n"
               "first security officer), then the SAM (log in DIR/sam.log) and the CSC API on\n"
               "https://ADDR:PORT/csc/v2/ (default 127.0.0.1:8443) with a TLS certificate for\n"
               "localhost from the test CA. SIGINT or SIGTERM stops both.\n");
}

static int serve_run(const char *dir, const char *listen_addr, unsigned port)
{
    char sock[PATH_MAX + 32], ca[PATH_MAX + 32], cakey[PATH_MAX + 32], cert[PATH_MAX + 32],
        key[PATH_MAX + 32], clients[PATH_MAX + 32], log[PATH_MAX + 32], sub[PATH_MAX + 32];
    char *init_args[] = { "qscd", "sam", "--data", (char *)dir, "--init", NULL };
    char *sam_args[] = { "qscd", "sam", "--data", (char *)dir, NULL };
    ssa_config c = { 0 };
    ssa *s = NULL;
    pid_t sam;
    int rc;

    snprintf(sock, sizeof sock, "%s/sam.sock", dir);
    snprintf(ca, sizeof ca, "%s/ca/ca.pem", dir);
    snprintf(cakey, sizeof cakey, "%s/ca/ca-key.pem", dir);
    snprintf(cert, sizeof cert, "%s/ssa/tls.pem", dir);
    snprintf(key, sizeof key, "%s/ssa/tls-key.pem", dir);
    snprintf(log, sizeof log, "%s/sam.log", dir);
    snprintf(sub, sizeof sub, "%s/ssa", dir);
    printf("qscd serve: setting up %s (qscd sam --init)\n", dir);
    fflush(stdout);
    if (wait_status(spawn_self(NULL, init_args)) != 0)
        return 1;
    if ((mkdir(sub, 0700) != 0 && errno != EEXIST) ||
        ssa_tls_issue(ca, cakey, cert, key, 30) != 0 || demo_client(dir, clients, sizeof clients) != 0) {
        fprintf(stderr, "qscd serve: cannot prepare %s (TLS certificate, clients)\n", sub);
        return 1;
    }
    sam = spawn_self(log, sam_args);
    if (sam < 0 || wait_socket(sock, sam) != 0) {
        fprintf(stderr, "qscd serve: the SAM did not start (see %s)\n", log);
        return 1;
    }
    c.sam_socket = sock;
    c.tls_cert = cert;
    c.tls_key = key;
    c.clients = clients;
    c.listen_addr = listen_addr;
    c.port = port;
    c.quiet = 1;
    if ((rc = ssa_start(&c, &s)) != QSCD_OK) {
        fprintf(stderr, "qscd serve: the SSA cannot start: %s\n", qscd_err_name(rc));
        kill(sam, SIGTERM);
        wait_status(sam);
        return 1;
    }
    printf("qscd serve: SAM on %s (export QSCD_SAM_SOCKET=%s)\n"
           "qscd serve: CSC API v2 at https://localhost:%u/csc/v2/\n"
           "qscd serve: trust the CA file %s\n"
           "qscd serve: client application 'demo', its secret in %s/ssa/client.secret\n"
           "qscd serve: running; SIGINT (Ctrl-C) or SIGTERM stops it\n",
           sock, sock, ssa_port(s), ca, dir);
    fflush(stdout);
    wait_for_stop();
    ssa_stop(s);
    kill(sam, SIGTERM);
    rc = wait_status(sam);
    printf("qscd serve: stopped (SAM exit status %d)\n", rc);
    return rc == 0 ? 0 : 1;
}

int ssa_serve_cli(int argc, char **argv)
{
    const char *dir = "qscd-data", *listen_addr = "127.0.0.1";
    char abs[PATH_MAX];
    unsigned port = 8443;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            serve_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen_addr = argv[++i];
        } else {
            fprintf(stderr, "qscd serve: unexpected '%s'\n", argv[i]);
            serve_usage(stderr);
            return 2;
        }
    }
    if (port > 65535 || (mkdir(dir, 0750) != 0 && errno != EEXIST) || realpath(dir, abs) == NULL) {
        fprintf(stderr, "qscd serve: cannot use the data directory %s\n", dir);
        return 2;
    }
    block_stop_signals();
    return serve_run(abs, listen_addr, port);
}
