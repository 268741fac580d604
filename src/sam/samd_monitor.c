/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System monitoring (EN 419 241-1 SRG_AA.6.1, TS 119 431-1 OVR-6.5.3-02): anomalies that may
 * affect security raise an alert at once, as an audit record of its own (chained and sealed
 * like every record, so the auditor finds it in `qscd audit export`) and as a line on
 * stderr for whoever watches the service. Three kinds (spec/sam-protocol.md §4):
 *   alert.auth-burst   alert_auth_failures failed authentications (any account, any role)
 *                      within alert_auth_window seconds, service-wide;
 *   alert.locked       an account locked by failed authentications;
 *   alert.authz-rate   a signer over alert_authz_limit authorisations in alert_authz_window.
 * An alert names the account and the credential of the request that raised it, with a count,
 * never a factor. Kinds are rate-limited: one burst alert per window, one rate alert per
 * signer per window, one lock alert per lock (an account locks once until an officer unlocks
 * it, and a campaign locking many accounts is itself a burst).
 */
#include "samd_int.h"

#include <stdio.h>
#include <string.h>

/* Set by the code that locks an account, read and cleared by samd_monitor_request: both run
 * on the worker thread answering the request. */
static __thread int lock_noted;

void samd_monitor_init(samd *d)
{
    pthread_mutex_init(&d->mon.mu, NULL);
    samd_burst_init(&d->mon.auth_failures);
    samd_rate_init(&d->mon.authz);
}

void samd_monitor_close(samd *d)
{
    pthread_mutex_destroy(&d->mon.mu);
}

void samd_monitor_lock_noted(void)
{
    lock_noted = 1;
}

/* An id for the log line: printable ASCII as it is, anything else as '?'. */
static void id_text(const qscd_id *id, char out[QSCD_ID_MAX + 1])
{
    size_t n = id->len <= QSCD_ID_MAX ? id->len : QSCD_ID_MAX;

    for (size_t i = 0; i < n; i++)
        out[i] = id->b[i] > 0x20 && id->b[i] < 0x7f ? (char)id->b[i] : '?';
    out[n] = '\0';
}

static const char *alert_name(int op)
{
    return op == SAMD_EV_ALERT_AUTH_BURST ? "auth-burst"
           : op == SAMD_EV_ALERT_LOCKED   ? "locked"
                                          : "authz-rate";
}

/* Write one alert: the record first (the tamper-evident copy), then the log line. */
static void alert(samd *d, int op, const sam_event *ev, int reason, uint32_t count,
                  long window)
{
    sam_event a;
    char actor[QSCD_ID_MAX + 1], cred[QSCD_ID_MAX + 1];
    int rc;

    memset(&a, 0, sizeof a);
    a.op = op;
    a.role = ev->role;
    a.actor = ev->actor;
    a.cred = ev->cred;
    a.outcome = reason;
    a.count = count;
    rc = samd_audit(d, &a);
    id_text(&ev->actor, actor);
    id_text(&ev->cred, cred);
    if (op == SAMD_EV_ALERT_LOCKED)
        fprintf(stderr, "qscd sam: ALERT %s: account %s locked after failed authentications "
                "(credential %s)", alert_name(op), actor, cred[0] ? cred : "-");
    else
        fprintf(stderr, "qscd sam: ALERT %s: %u %s in %ld s (last: %s, credential %s)",
                alert_name(op), count,
                op == SAMD_EV_ALERT_AUTH_BURST ? "failed authentications" : "authorisations",
                window, actor, cred[0] ? cred : "-");
    if (rc == QSCD_OK)
        fprintf(stderr, "\n");
    else
        fprintf(stderr, "; the audit log refused the alert record: %s\n", qscd_err_name(rc));
}

void samd_monitor_request(samd *d, const sam_event *ev, int rc, bool authorize)
{
    const samd_config *c = &d->cfg;
    int locked = lock_noted, burst = 0, rate = 0;
    uint32_t fails = 0, authz = 0;
    int64_t now = 0;

    lock_noted = 0;
    if (rc != QSCD_ERR_AUTH_FAILED && rc != QSCD_ERR_AUTH_LOCKED && !locked &&
        !(authorize && rc == QSCD_OK))
        return;
    if (qscd_port_now(&d->ports, &now) != QSCD_OK) {
        fprintf(stderr, "qscd sam: monitor: the clock cannot be read; request not counted\n");
        return;
    }
    pthread_mutex_lock(&d->mon.mu);
    if (rc == QSCD_ERR_AUTH_FAILED || rc == QSCD_ERR_AUTH_LOCKED)
        burst = samd_burst_note(&d->mon.auth_failures, now, (uint32_t)c->alert_auth_failures,
                                c->alert_auth_window, &fails);
    if (authorize && rc == QSCD_OK)
        rate = samd_rate_note(&d->mon.authz, ev->actor.b, ev->actor.len, now,
                              (uint32_t)c->alert_authz_limit, c->alert_authz_window, &authz);
    pthread_mutex_unlock(&d->mon.mu);
    if (locked)
        alert(d, SAMD_EV_ALERT_LOCKED, ev, QSCD_ERR_AUTH_LOCKED, 1, 0);
    if (burst)
        alert(d, SAMD_EV_ALERT_AUTH_BURST, ev, QSCD_ERR_AUTH_FAILED, fails,
              c->alert_auth_window);
    if (rate)
        alert(d, SAMD_EV_ALERT_AUTHZ_RATE, ev, QSCD_OK, authz, c->alert_authz_window);
}
