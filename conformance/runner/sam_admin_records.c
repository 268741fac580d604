/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Judging an audit export (`qscd audit export`: one JSON object a line) for the sam-admin
 * vectors: the records a step selects, how many, which fields they carry and with what
 * values, how far their time is from the runner's own clock, and whether the sequence numbers
 * run without a gap. Kept apart from the command runner so the self-test can feed it text.
 */
#include "sam_admin.h"

#include <stdlib.h>
#include <string.h>

long long sa_utc_parse(const char *s)
{
    struct tm tm;
    char z = 0;
    memset(&tm, 0, sizeof tm);
    if (!s || strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 || z != 'Z')
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

/* The vector's value for a field, placeholders expanded; a new reference, or NULL. */
static json_t *sa_want(sa_ctx *c, json_t *x, char *why, size_t wl)
{
    char buf[1300];
    if (!json_is_string(x))
        return json_incref(x);
    if (sa_expand(c, json_string_value(x), buf, sizeof buf, why, wl) != 0)
        return NULL;
    return json_string(buf);
}

/* Does rec hold every field of obj with the vector's value? 1 yes, 0 no (the first field
 * that differs into `field`), -1 a placeholder without value. */
static int sa_fields_equal(sa_ctx *c, json_t *obj, json_t *rec, const char **field, char *why,
                           size_t wl)
{
    const char *k;
    json_t *x;
    json_object_foreach(obj, k, x) {
        json_t *w = sa_want(c, x, why, wl);
        if (!w)
            return -1;
        int eq = json_equal(w, json_object_get(rec, k));
        json_decref(w);
        if (!eq) {
            *field = k;
            return 0;
        }
    }
    return 1;
}

/* A field is present when it is a number or a non-empty string. */
static int sa_present(json_t *rec, json_t *list, const char **missing)
{
    size_t i;
    json_t *f;
    json_array_foreach(list, i, f) {
        json_t *v = json_object_get(rec, json_string_value(f));
        if (!(json_is_number(v) || (json_is_string(v) && json_string_length(v) > 0))) {
            *missing = json_string_value(f);
            return 0;
        }
    }
    return 1;
}

/* One selected record against present, equal and timeWithinSeconds. */
static int sa_record_judge(sa_ctx *c, json_t *spec, json_t *rec, time_t now, char *why,
                           size_t wl)
{
    const char *f = NULL;
    long long seq = (long long)json_integer_value(json_object_get(rec, "seq"));
    if (!sa_present(rec, json_object_get(spec, "present"), &f)) {
        snprintf(why, wl, "record %lld has no %s", seq, f);
        return -1;
    }
    const char *ts = json_string_value(json_object_get(rec, "time"));
    if (ts && sa_utc_parse(ts) < 0) {
        snprintf(why, wl, "record %lld: time \"%.40s\" is not UTC ISO 8601", seq, ts);
        return -1;
    }
    int eq = sa_fields_equal(c, json_object_get(spec, "equal"), rec, &f, why, wl);
    if (eq <= 0) {
        if (eq == 0)
            snprintf(why, wl, "record %lld: %s is not the expected value", seq, f);
        return -1;
    }
    json_t *tw = json_object_get(spec, "timeWithinSeconds");
    if (!tw)
        return 0;
    long long t = sa_utc_parse(json_string_value(json_object_get(rec, "time")));
    long long d = t - (long long)now;
    if (t < 0) {
        snprintf(why, wl, "record %lld has no time", seq);
        return -1;
    }
    if (d > json_integer_value(tw) || -d > json_integer_value(tw)) {
        snprintf(why, wl, "record %lld: time %s is %llds from the runner's clock (at most %lld)",
                 seq, ts, d < 0 ? -d : d, (long long)json_integer_value(tw));
        return -1;
    }
    return 0;
}

/* Parse line i of the export; NULL with why when it is not a JSON object. */
static json_t *sa_line(const char *p, size_t len, long n, char *why, size_t wl)
{
    json_error_t je;
    json_t *rec = json_loadb(p, len, 0, &je);
    if (!json_is_object(rec)) {
        json_decref(rec);
        snprintf(why, wl, "export line %ld is not a JSON object", n);
        return NULL;
    }
    return rec;
}

int sa_records_check(sa_ctx *c, json_t *spec, const char *out, time_t now, char *why,
                     size_t wl)
{
    json_t *where = json_object_get(spec, "where"), *sel = json_array();
    int contiguous = json_is_true(json_object_get(spec, "contiguous")), rc = -1;
    int every = json_is_true(json_object_get(spec, "every"));
    long long prev = -1;
    long n = 0;
    for (const char *p = out; sel && *p; n++) {
        size_t len = strcspn(p, "\n");
        json_t *rec = len ? sa_line(p, len, n + 1, why, wl) : NULL;
        p += len + (p[len] == '\n');
        if (!len)
            continue;
        if (!rec)
            goto out;
        long long seq = (long long)json_integer_value(json_object_get(rec, "seq"));
        if (contiguous && prev >= 0 && seq != prev + 1) {
            snprintf(why, wl, "record %lld follows record %lld: a gap", seq, prev);
            json_decref(rec);
            goto out;
        }
        prev = seq;
        const char *f;
        int m = sa_fields_equal(c, where, rec, &f, why, wl);
        if (m < 0) {
            json_decref(rec);
            goto out;
        }
        if (m)
            json_array_append(sel, rec);
        json_decref(rec);
    }
    json_t *cnt = json_object_get(spec, "count");
    size_t k = json_array_size(sel);
    if (cnt ? (json_int_t)k != json_integer_value(cnt) : k == 0) {
        snprintf(why, wl, "%zu records match, expected %s%lld", k, cnt ? "" : "at least ",
                 cnt ? (long long)json_integer_value(cnt) : 1LL);
        goto out;
    }
    size_t i;
    json_t *rec;
    rc = 0;
    json_array_foreach(sel, i, rec) {
        /* without a count or "every" only the last one (the step's own) is judged */
        if ((cnt || every || i + 1 == k) && sa_record_judge(c, spec, rec, now, why, wl) != 0)
            rc = -1;
        if (rc)
            break;
    }
out:
    json_decref(sel);
    return rc;
}
