/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The counting rules of the SAM's monitor (EN 419 241-1 SRG_AA.6.1, samd_monitor.c), kept
 * apart from the service so the unit tests reach them: how many events of a kind fell within
 * a window, and whether that calls for an alert now. No lock, no clock, no allocation: the
 * caller passes the time and holds the monitor's mutex.
 */
#ifndef QSCD_SAMD_WATCH_H
#define QSCD_SAMD_WATCH_H

#include <stddef.h>
#include <stdint.h>

/* The largest burst limit (config key alert_auth_failures): the ring holds this many times. */
#define SAMD_WATCH_RING_MAX 1000
/* Signers whose authorisation rate is followed at once; the least recent is forgotten. */
#define SAMD_WATCH_SUBJECTS 256
#define SAMD_WATCH_ID_MAX 64

/* Service-wide events in a sliding window: the times of the last ones, a ring. */
typedef struct samd_burst {
    int64_t t[SAMD_WATCH_RING_MAX];
    uint32_t n;             /* times held, at most the limit */
    uint32_t next;          /* where the next time goes */
    int64_t last_alert;     /* when the last alert of this kind was raised; -1: never */
} samd_burst;

void samd_burst_init(samd_burst *b);

/* One event at `now`, against `limit` events within `window` seconds (the events at
 * now - window + 1 .. now). *count gets the events in the window, this one included.
 *
 *   returns 1   the limit is reached and no alert of this kind was raised in the last
 *               `window` seconds: raise one (the burst records it as raised at now)
 *   returns 0   no alert: under the limit, or one was raised within the window (no storm)
 * A limit of 0 or above SAMD_WATCH_RING_MAX never alerts (the event is not counted). */
int samd_burst_note(samd_burst *b, int64_t now, uint32_t limit, int64_t window, uint32_t *count);

/* Per-subject events in a fixed window that opens at the subject's first event. */
typedef struct samd_rate_slot {
    uint8_t id[SAMD_WATCH_ID_MAX];
    size_t len;             /* 0: a free slot */
    int64_t start;          /* the window's first second */
    uint32_t count;
    int alerted;            /* an alert was raised in this window */
} samd_rate_slot;

typedef struct samd_rate {
    samd_rate_slot s[SAMD_WATCH_SUBJECTS];
} samd_rate;

void samd_rate_init(samd_rate *r);

/* One event of subject id (len bytes, at most SAMD_WATCH_ID_MAX) at now, against `limit`
 * events per `window` seconds. *count gets the subject's events in its window.
 *
 *   returns 1   the subject went over the limit (limit + 1 events) in its window for the first
 *               time: raise one alert; the next one comes in a later window at the earliest
 *   returns 0   otherwise; also for a limit of 0 (off) or an id too long (not counted)
 * When every slot is taken, the slot whose window opened first is given to the new subject. */
int samd_rate_note(samd_rate *r, const uint8_t *id, size_t len, int64_t now, uint32_t limit,
                   int64_t window, uint32_t *count);

#endif
