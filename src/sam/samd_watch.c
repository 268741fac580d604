/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's counting rules (samd_watch.h). */
#include "samd_watch.h"

#include <string.h>

void samd_burst_init(samd_burst *b)
{
    memset(b, 0, sizeof *b);
    b->last_alert = -1;
}

/* An event at t is within the window ending at now. A time ahead of now (the clock went
 * back) counts as within: a clock step must not hide a burst. */
static int in_window(int64_t t, int64_t now, int64_t window)
{
    return now - t < window;
}

int samd_burst_note(samd_burst *b, int64_t now, uint32_t limit, int64_t window, uint32_t *count)
{
    uint32_t k = 0;

    *count = 0;
    if (limit == 0 || limit > SAMD_WATCH_RING_MAX || window <= 0)
        return 0;
    if (b->n > limit) /* the limit was lowered: keep the most recent ones */
        b->n = limit;
    b->t[b->next % limit] = now;
    b->next = (b->next + 1) % limit;
    if (b->n < limit)
        b->n++;
    for (uint32_t i = 0; i < b->n; i++)
        k += in_window(b->t[i], now, window) ? 1u : 0u;
    *count = k;
    if (k < limit)
        return 0;
    if (b->last_alert >= 0 && in_window(b->last_alert, now, window))
        return 0;
    b->last_alert = now;
    return 1;
}

void samd_rate_init(samd_rate *r)
{
    memset(r, 0, sizeof *r);
}

/* The subject's slot, else a free one, else the one whose window opened first. */
static samd_rate_slot *rate_slot(samd_rate *r, const uint8_t *id, size_t len)
{
    samd_rate_slot *free_slot = NULL, *oldest = &r->s[0];

    for (size_t i = 0; i < SAMD_WATCH_SUBJECTS; i++) {
        samd_rate_slot *s = &r->s[i];
        if (s->len == len && memcmp(s->id, id, len) == 0)
            return s;
        if (s->len == 0 && free_slot == NULL)
            free_slot = s;
        if (s->len != 0 && s->start < oldest->start)
            oldest = s;
    }
    return free_slot != NULL ? free_slot : oldest;
}

int samd_rate_note(samd_rate *r, const uint8_t *id, size_t len, int64_t now, uint32_t limit,
                   int64_t window, uint32_t *count)
{
    samd_rate_slot *s;

    *count = 0;
    if (limit == 0 || window <= 0 || len == 0 || len > SAMD_WATCH_ID_MAX)
        return 0;
    s = rate_slot(r, id, len);
    if (s->len != len || memcmp(s->id, id, len) != 0 || !in_window(s->start, now, window)) {
        memset(s, 0, sizeof *s);
        memcpy(s->id, id, len);
        s->len = len;
        s->start = now;
    }
    if (s->count < UINT32_MAX)
        s->count++;
    *count = s->count;
    if (s->count <= limit || s->alerted)
        return 0;
    s->alerted = 1;
    return 1;
}
