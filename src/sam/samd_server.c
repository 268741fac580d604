/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM's socket (spec/sam-protocol.md §1): a Unix stream socket of mode 0660, one poller
 * thread that reads frames from every connection without blocking, and a pool of workers
 * (sized to the cores) that answer complete frames. A worker never waits for a client's
 * bytes: slow or stalled clients cost a slot in the poller, never a worker, and are closed
 * after the read timeout. An oversized, empty or malformed frame gets its error answer and
 * the connection is closed; other connections do not notice. The workers outnumber the cores
 * (samd_config_workers): a signature waits for two durable commits, and requests waiting
 * together share one commit (the store's group commit). SIGTERM or SIGINT: stop
 * accepting, let the workers finish the requests in hand, then return (the caller seals the
 * audit log and closes).
 */
#define _GNU_SOURCE
#include "samd_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct conn {
    int fd;
    bool busy;                  /* a worker holds it (under srv.mu) */
    bool closing;               /* close once no worker holds it */
    uint8_t hdr[SAMP_HEADER_LEN];
    size_t hdr_got;
    uint8_t *buf;               /* the frame being read */
    size_t need, got;
    int64_t deadline;           /* ms: the frame must be complete by then */
    char peer[64];
    struct conn *next;          /* in the ready queue */
} conn;

typedef struct server {
    samd *d;
    int lfd;
    int wake[2];                /* workers -> poller */
    conn **conns;
    size_t nconns, max;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    conn *ready, *ready_tail;
    bool stopping;
    int64_t timeout_ms;
} server;

static int sig_fd = -1;

static void on_signal(int sig)
{
    char c = (char)sig;
    int saved = errno;

    if (sig_fd >= 0 && write(sig_fd, &c, 1) < 0) {
        /* nothing to do: the poller is already awake */
    }
    errno = saved;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --------------------------------------------------------------------- listening */

/* A socket file left by a previous run is replaced, unless a SAM still answers on it. */
static int listen_socket(const samd_config *c)
{
    struct sockaddr_un a;
    mode_t old;
    int fd;

    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(c->socket) >= sizeof a.sun_path) /* samd_config_finish checked it already */
        return -1;
    memcpy(a.sun_path, c->socket, strlen(c->socket) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        fprintf(stderr, "qscd sam: another SAM answers on %s\n", c->socket);
        close(fd);
        return -1;
    }
    unlink(c->socket);
    old = umask(0117); /* the socket is born 0660: only the SAM's user and group connect */
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "qscd sam: %s: %s\n", c->socket, strerror(errno));
        umask(old);
        close(fd);
        return -1;
    }
    umask(old);
    chmod(c->socket, 0660);
    if (c->socket_group[0] != '\0') {
        struct group *g = getgrnam(c->socket_group);
        if (g == NULL || chown(c->socket, (uid_t)-1, g->gr_gid) != 0)
            fprintf(stderr, "qscd sam: cannot give %s to group %s\n", c->socket, c->socket_group);
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* ------------------------------------------------------------------- connections */

static void conn_reset(conn *c, int64_t timeout_ms)
{
    if (c->buf != NULL) {
        samd_wipe(c->buf, c->need);
        free(c->buf);
    }
    c->buf = NULL;
    c->hdr_got = c->need = c->got = 0;
    c->deadline = now_ms() + timeout_ms;
}

static void conn_free(server *s, size_t i)
{
    conn *c = s->conns[i];

    close(c->fd);
    conn_reset(c, 0);
    free(c);
    s->conns[i] = s->conns[--s->nconns];
}

static void accept_one(server *s)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    conn *c;

    if (fd < 0)
        return;
    if (s->nconns == s->max || (c = calloc(1, sizeof *c)) == NULL) {
        close(fd); /* full: the client sees the connection closed and may retry */
        return;
    }
    c->fd = fd;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        snprintf(c->peer, sizeof c->peer, "uid=%u gid=%u pid=%d", (unsigned)cred.uid,
                 (unsigned)cred.gid, (int)cred.pid);
    else
        snprintf(c->peer, sizeof c->peer, "unknown");
    conn_reset(c, s->timeout_ms);
    s->conns[s->nconns++] = c;
}

/* Write all of buf within the timeout (the socket is non-blocking). */
static int write_all(int fd, const uint8_t *buf, size_t len, int64_t timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;

    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        struct pollfd p = { fd, POLLOUT, 0 };
        int64_t left = end - now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) < 0)
            return -1;
    }
    return 0;
}

/* A frame that never became a request: answer it, record it, close. */
static void reject(server *s, conn *c, int status)
{
    uint8_t resp[256];
    size_t n = samd_error_frame(status, resp, sizeof resp);

    write_all(c->fd, resp, n, 1000);
    samd_audit_protocol(s->d, status, c->peer);
    c->closing = true;
}

static void enqueue(server *s, conn *c)
{
    pthread_mutex_lock(&s->mu);
    c->busy = true;
    c->next = NULL;
    if (s->ready_tail != NULL)
        s->ready_tail->next = c;
    else
        s->ready = c;
    s->ready_tail = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Read what is there: the header, then the payload; a complete frame goes to a worker. */
static void read_some(server *s, conn *c)
{
    ssize_t n;

    if (c->hdr_got < SAMP_HEADER_LEN) {
        n = recv(c->fd, c->hdr + c->hdr_got, SAMP_HEADER_LEN - c->hdr_got, 0);
        if (n <= 0) {
            c->closing = n == 0 || (errno != EAGAIN && errno != EINTR);
            return;
        }
        c->hdr_got += (size_t)n;
        if (c->hdr_got < SAMP_HEADER_LEN)
            return;
        int rc = samp_frame_len(c->hdr, SAMP_REQUEST_MAX, &c->need);
        if (rc == QSCD_OK)
            c->buf = malloc(c->need);
        if (rc != QSCD_OK || c->buf == NULL) {
            reject(s, c, rc != QSCD_OK ? rc : QSCD_ERR_NOMEM);
            return;
        }
    }
    n = recv(c->fd, c->buf + c->got, c->need - c->got, 0);
    if (n <= 0) {
        c->closing = n == 0 || (errno != EAGAIN && errno != EINTR);
        return;
    }
    c->got += (size_t)n;
    if (c->got == c->need)
        enqueue(s, c);
}

/* A connection past its deadline: a partial frame is answered and recorded, an idle
 * connection simply closed. */
static void expire(server *s, conn *c)
{
    if (c->hdr_got > 0)
        reject(s, c, QSCD_ERR_TIMEOUT);
    c->closing = true;
}

/* ------------------------------------------------------------------------ workers */

typedef struct worker_buf {
    uint8_t *resp, *scratch;
} worker_buf;

static void serve_one(server *s, conn *c, worker_buf *w)
{
    bool close_after = false;
    size_t n = samd_dispatch(s->d, c->buf, c->need, c->peer, w->resp,
                             SAMP_HEADER_LEN + SAMP_RESPONSE_MAX, w->scratch, SAMP_RESPONSE_MAX,
                             &close_after);

    if (n == 0 || write_all(c->fd, w->resp, n, s->timeout_ms) != 0)
        close_after = true;
    samd_wipe(w->resp, n);
    pthread_mutex_lock(&s->mu);
    conn_reset(c, s->timeout_ms); /* the request, secrets and all, is wiped here */
    c->closing = c->closing || close_after || s->stopping;
    c->busy = false;
    pthread_mutex_unlock(&s->mu);
    if (write(s->wake[1], "w", 1) < 0) {
        /* the pipe is full: the poller is awake anyway */
    }
}

static void *worker(void *arg)
{
    server *s = arg;
    worker_buf w = { malloc(SAMP_HEADER_LEN + SAMP_RESPONSE_MAX), malloc(SAMP_RESPONSE_MAX) };

    for (;;) {
        conn *c;
        pthread_mutex_lock(&s->mu);
        while (s->ready == NULL && !s->stopping)
            pthread_cond_wait(&s->cv, &s->mu);
        c = s->ready;
        if (c == NULL) {
            pthread_mutex_unlock(&s->mu);
            break; /* stopping, and nothing left in hand */
        }
        s->ready = c->next;
        if (s->ready == NULL)
            s->ready_tail = NULL;
        pthread_mutex_unlock(&s->mu);
        if (w.resp == NULL || w.scratch == NULL) {
            pthread_mutex_lock(&s->mu);
            c->busy = false;
            c->closing = true;
            pthread_mutex_unlock(&s->mu);
            continue;
        }
        serve_one(s, c, &w);
    }
    free(w.resp);
    free(w.scratch);
    return NULL;
}

/* ------------------------------------------------------------------------- poller */

/* Close what is marked and free of workers. */
static void sweep(server *s)
{
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nconns;) {
        conn *c = s->conns[i];
        if (c->closing && !c->busy)
            conn_free(s, i);
        else
            i++;
    }
    pthread_mutex_unlock(&s->mu);
}

static bool any_busy(server *s)
{
    bool busy = false;

    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nconns; i++)
        busy = busy || s->conns[i]->busy;
    pthread_mutex_unlock(&s->mu);
    return busy;
}

static void begin_stop(server *s)
{
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    for (size_t i = 0; i < s->nconns; i++)
        s->conns[i]->closing = true; /* idle ones now, busy ones after their answer */
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    close(s->lfd);
    s->lfd = -1;
    unlink(s->d->cfg.socket);
    fprintf(stderr, "qscd sam: stopping: finishing the requests in hand\n");
}

/* The descriptors to watch: signals, wake-ups, the listener, every idle connection. */
static size_t watch(server *s, int sigr, struct pollfd *pfd, conn **who, int64_t *next)
{
    size_t n = 0;

    pfd[n++] = (struct pollfd){ sigr, POLLIN, 0 };
    pfd[n++] = (struct pollfd){ s->wake[0], POLLIN, 0 };
    if (s->lfd >= 0)
        pfd[n++] = (struct pollfd){ s->lfd, POLLIN, 0 };
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nconns; i++) {
        conn *c = s->conns[i];
        if (c->busy || c->closing)
            continue;
        who[n] = c;
        pfd[n++] = (struct pollfd){ c->fd, POLLIN, 0 };
        if (c->deadline < *next)
            *next = c->deadline;
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void drain(int fd)
{
    char buf[64];

    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void poll_loop(server *s, int sigr)
{
    struct pollfd *pfd = calloc(s->max + 3, sizeof *pfd);
    conn **who = calloc(s->max + 3, sizeof *who);
    int64_t last_seal = now_ms();

    while (pfd != NULL && who != NULL && !(s->stopping && !any_busy(s))) {
        int64_t next = now_ms() + 1000;
        size_t n = watch(s, sigr, pfd, who, &next);
        int64_t wait = next - now_ms();

        if (poll(pfd, n, wait > 0 ? (int)wait : 0) < 0 && errno != EINTR)
            break;
        if (pfd[0].revents & POLLIN) {
            drain(sigr);
            if (!s->stopping)
                begin_stop(s);
        }
        if (pfd[1].revents & POLLIN)
            drain(s->wake[0]);
        for (size_t i = 2; i < n; i++) {
            if (who[i] == NULL) {
                if (pfd[i].revents & POLLIN)
                    accept_one(s);
            } else if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                read_some(s, who[i]);
            } else if (who[i]->deadline <= now_ms()) {
                expire(s, who[i]);
            }
            who[i] = NULL;
        }
        sweep(s);
        /* Seal the chain's head every seal_interval (a no-op when nothing was added): the
         * poller wakes at least once a second. */
        if (now_ms() - last_seal >= s->d->cfg.seal_interval * 1000) {
            if (store_audit_seal(s->d->db) != QSCD_OK)
                fprintf(stderr, "qscd sam: could not seal the audit log: %s\n",
                        store_last_error());
            last_seal = now_ms();
        }
    }
    free(pfd);
    free(who);
}

static void on_signals(int fd)
{
    struct sigaction sa;

    sig_fd = fd;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int samd_serve(samd *d)
{
    server s;
    int sig[2] = { -1, -1 };
    long nw = samd_config_workers(&d->cfg), started = 0;
    pthread_t *tids = calloc((size_t)nw, sizeof *tids);

    memset(&s, 0, sizeof s);
    s.d = d;
    s.max = (size_t)d->cfg.max_connections;
    s.timeout_ms = d->cfg.read_timeout * 1000;
    s.conns = calloc(s.max, sizeof *s.conns);
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    if (tids == NULL || s.conns == NULL || pipe2(sig, O_CLOEXEC | O_NONBLOCK) != 0 ||
        pipe2(s.wake, O_CLOEXEC | O_NONBLOCK) != 0 || (s.lfd = listen_socket(&d->cfg)) < 0) {
        free(tids);
        free(s.conns);
        return -1;
    }
    on_signals(sig[1]);
    for (; started < nw; started++)
        if (pthread_create(&tids[started], NULL, worker, &s) != 0)
            break;
    fprintf(stderr, "qscd sam: serving %s with %ld worker(s)\n", d->cfg.socket, started);
    poll_loop(&s, sig[0]);
    if (!s.stopping)
        begin_stop(&s);
    for (long i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    while (s.nconns > 0)
        conn_free(&s, 0);
    sig_fd = -1;
    close(sig[0]);
    close(sig[1]);
    close(s.wake[0]);
    close(s.wake[1]);
    free(tids);
    free(s.conns);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    return started > 0 ? 0 : -1;
}
