/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `qscd audit verify|export`: the auditor's view of the SAM's audit log, through the SAM
 * (which holds the seal key). verify walks the hash chain and the seals and names the first
 * record that does not verify (exit status 1); export writes the records as JSON lines or a
 * table: every one, or those the auditor searches for by event, actor and time (EN 419 241-1
 * SRG_AA.4), the search made by the SAM.
 */
#include "cli.h"
#include "cli_cmds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qscd_err.h"
#include "qscd_types.h"
#include "scbor.h"

#define PAGE 1000
#define EVENTS_MAX 16   /* event types one search may name (the SAM's limit) */

/* What `audit export` was asked for: where to start, the search (SRG_AA.4), the form. */
typedef struct export_opts {
    uint64_t from;
    int64_t ops[EVENTS_MAX];
    size_t nops;
    const char *actor;
    bool has_since, has_until;
    int64_t since, until;
    bool table;
} export_opts;

static void usage(FILE *f)
{
    fprintf(f, "usage: qscd audit [--socket PATH] [--as auditor:ID] [--password-file FILE]\n"
               "                  [--timeout SECONDS] [--wait SECONDS] verify | export [OPTIONS]\n\n"
               "verify: check the hash chain and the seals of the whole log; names the first\n"
               "        broken record and exits 1 when there is one.\n"
               "export: the records as one JSON line each, every record unless searched:\n"
               "  --from SEQ          start at sequence number SEQ (default 0)\n"
               "  --event NAME[,NAME] only these events (repeatable, at most %d in all; e.g.\n"
               "                      sign, authorize, cred.create, cert.revoke, audit.export)\n"
               "  --actor ID          only the records of this actor (a signer's or an\n"
               "                      administrator's id)\n"
               "  --since TIME        only records at or after TIME\n"
               "  --until TIME        only records at or before TIME\n"
               "                      TIME is RFC 3339 in UTC, to the second:\n"
               "                      YYYY-MM-DDTHH:MM:SSZ (e.g. 2026-11-27T10:00:00Z)\n"
               "  --format json|table JSON lines (default; every field) or a table for reading\n"
               "                      (sequence, time, event, role, actor, credential, outcome)\n"
               "The search is made by the SAM; the export is itself recorded (event\n"
               "audit.export). verify always checks the whole log, whatever export shows.\n"
               "The caller defaults to $QSCD_AS, else auditor:auditor; the password comes from\n"
               "--password-file, $QSCD_ADMIN_PASSWORD or a prompt.\n", EVENTS_MAX);
}

static int verify(const cli_conn *c)
{
    uint64_t records = 0, seals = 0, bad = 0, why = 0;
    samc_resp r;
    int rc = cli_call(c, "audit verify", SAMC_AUDIT_VERIFY, NULL, 0, &r);

    if (rc == CLI_OK) {
        samc_get_uint(&r, 1, &records);
        samc_get_uint(&r, 2, &seals);
        if (samc_get_uint(&r, 3, &bad) == QSCD_OK) {
            samc_get_uint(&r, 4, &why);
            printf("audit: BROKEN at record %llu: %s (%s); %llu records and %llu seals verified "
                   "before it\n", (unsigned long long)bad, qscd_err_name((int)why),
                   qscd_err_message((int)why), (unsigned long long)records,
                   (unsigned long long)seals);
            rc = CLI_FAILED;
        } else {
            printf("audit: intact: %llu records, %llu seals verified\n",
                   (unsigned long long)records, (unsigned long long)seals);
        }
    }
    samc_resp_free(&r);
    return rc;
}

/* ------------------------------------------------------------------- search */

static bool searching(const export_opts *o)
{
    return o->nops > 0 || o->actor != NULL || o->has_since || o->has_until;
}

/* The parameters of one page: spec/sam-protocol.md op 50, keys 1-2, and 3-6 for a search. */
static size_t page_params(const export_opts *o, uint64_t from, uint8_t *buf, size_t cap)
{
    scbor_enc e;

    scbor_enc_init(&e, buf, cap);
    scbor_put_map(&e, 2 + (o->nops > 0) + (o->actor != NULL) + o->has_since + o->has_until);
    scbor_put_uint(&e, 1);
    scbor_put_uint(&e, from);
    scbor_put_uint(&e, 2);
    scbor_put_uint(&e, PAGE);
    if (o->nops > 0) {
        scbor_put_uint(&e, 3);
        scbor_put_array(&e, o->nops);
        for (size_t i = 0; i < o->nops; i++)
            scbor_put_uint(&e, (uint64_t)o->ops[i]);
    }
    if (o->actor != NULL) {
        scbor_put_uint(&e, 4);
        scbor_put_bstr(&e, (const uint8_t *)o->actor, strlen(o->actor));
    }
    if (o->has_since) {
        scbor_put_uint(&e, 5);
        scbor_put_uint(&e, (uint64_t)o->since);
    }
    if (o->has_until) {
        scbor_put_uint(&e, 6);
        scbor_put_uint(&e, (uint64_t)o->until);
    }
    return e.err == QSCD_OK ? e.len : 0;
}

/* Page by page from o->from. Unsearched, the SAM answers the page it read, and the next page
 * starts after its last record; searched, it answers the matching records of the page it
 * read, how many it read (key 2) and where the next page starts (key 3): a page may match
 * nothing without being the last. The parameters without a search are the protocol's first
 * form (keys 1 and 2). */
static int export_pages(const cli_conn *c, const export_opts *o)
{
    uint8_t params[512];
    uint64_t from = o->from, read = PAGE;
    int rc = CLI_OK;

    while (rc == CLI_OK && read == PAGE) {
        samc_resp r;
        size_t n = 0, len = page_params(o, from, params, sizeof params);
        int64_t last = -1;
        rc = len > 0 ? cli_call(c, "audit export", SAMC_AUDIT_EXPORT, params, len, &r)
                     : CLI_FAILED;
        if (rc != CLI_OK)
            break;
        if (cli_print_records(&r, o->table, &n, &last) != 0 ||
            (searching(o) && (samc_get_uint(&r, 2, &read) != QSCD_OK ||
                              (read > 0 && samc_get_uint(&r, 3, &from) != QSCD_OK)))) {
            if (searching(o))
                fprintf(stderr, "qscd audit export: the SAM's answer to a search is incomplete\n");
            rc = CLI_FAILED;
        } else if (!searching(o)) {
            read = n;
            from = n > 0 ? (uint64_t)last + 1 : from;
        }
        samc_resp_free(&r);
    }
    return rc;
}

/* ------------------------------------------------------------------ options */

static int bad(const char *opt, const char *val, const char *want)
{
    fprintf(stderr, "qscd audit export: %s '%s': %s (see qscd audit --help)\n", opt, val, want);
    return CLI_USAGE;
}

/* RFC 3339 in UTC to the second, YYYY-MM-DDTHH:MM:SSZ, a real date at or after 1970. */
static int parse_time(const char *s, int64_t *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    struct tm tm, back;
    time_t t;

    if (strlen(s) != sizeof shape - 1)
        return -1;
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return -1;
    memset(&tm, 0, sizeof tm);
    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
           &tm.tm_min, &tm.tm_sec);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    back = tm;
    t = timegm(&tm);
    /* timegm normalises 2026-02-30 into March: a date that changed was not a date */
    if (t < 0 || tm.tm_year != back.tm_year || tm.tm_mon != back.tm_mon ||
        tm.tm_mday != back.tm_mday || tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min ||
        tm.tm_sec != back.tm_sec)
        return -1;
    *out = (int64_t)t;
    return 0;
}

static int parse_events(char *list, export_opts *o)
{
    size_t before = o->nops;

    for (char *save = NULL, *name = strtok_r(list, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        if (o->nops == EVENTS_MAX)
            return bad("--event", name, "too many event types (at most 16)");
        if (samc_event_op(name, &o->ops[o->nops]) != QSCD_OK) {
            fprintf(stderr, "qscd audit export: --event '%s': no such event; the events are:",
                    name);
            for (size_t i = 0; samc_event_name_at(i) != NULL; i++)
                fprintf(stderr, " %s", samc_event_name_at(i));
            fprintf(stderr, "\n");
            return CLI_USAGE;
        }
        o->nops++;
    }
    return o->nops > before ? CLI_OK : bad("--event", list, "an event name expected");
}

static int parse_uint(const char *s, uint64_t *v)
{
    char *end = NULL;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0' && *v <= INT64_MAX ? 0 : -1;
}

/* One option and its value (argv[i + 1]). */
static int export_option(const char *opt, char *val, export_opts *o)
{
    if (strcmp(opt, "--from") == 0)
        return parse_uint(val, &o->from) == 0 ? CLI_OK : bad(opt, val, "a sequence number expected");
    if (strcmp(opt, "--event") == 0)
        return parse_events(val, o);
    if (strcmp(opt, "--actor") == 0) {
        o->actor = val;
        return strlen(val) >= 1 && strlen(val) <= QSCD_ID_MAX ? CLI_OK
                                                              : bad(opt, val, "1 to 64 bytes");
    }
    if (strcmp(opt, "--since") == 0 || strcmp(opt, "--until") == 0) {
        bool since = opt[2] == 's';
        *(since ? &o->has_since : &o->has_until) = true;
        return parse_time(val, since ? &o->since : &o->until) == 0
                   ? CLI_OK : bad(opt, val, "a time YYYY-MM-DDTHH:MM:SSZ (RFC 3339, UTC) expected");
    }
    if (strcmp(opt, "--format") == 0) {
        o->table = strcmp(val, "table") == 0;
        return o->table || strcmp(val, "json") == 0 ? CLI_OK : bad(opt, val, "json or table");
    }
    fprintf(stderr, "qscd audit export: unknown option '%s' (see qscd audit --help)\n", opt);
    return CLI_USAGE;
}

static int export_options(int argc, char **argv, export_opts *o)
{
    int rc = CLI_OK;

    memset(o, 0, sizeof *o);
    for (int i = 0; rc == CLI_OK && i < argc; i += 2) {
        if (i + 1 >= argc) {
            fprintf(stderr, "qscd audit export: %s needs a value (see qscd audit --help)\n",
                    argv[i]);
            rc = CLI_USAGE;
        } else {
            rc = export_option(argv[i], argv[i + 1], o);
        }
    }
    if (rc == CLI_OK && o->has_since && o->has_until && o->since > o->until) {
        fprintf(stderr, "qscd audit export: --since is after --until\n");
        rc = CLI_USAGE;
    }
    return rc;
}

static int export_run(const cli_conn *c, const export_opts *o)
{
    if (o->table)
        cli_print_records_header();
    return export_pages(c, o);
}

int cli_audit(int argc, char **argv)
{
    cli_conn c;
    export_opts o;
    int used = 0, rc = cli_conn_options(argc, argv, "auditor:auditor", &c, &used);
    bool verify_cmd = false;

    memset(&o, 0, sizeof o);
    if (rc == CLI_OK && (used >= argc || strcmp(argv[used], "--help") == 0)) {
        usage(used >= argc ? stderr : stdout);
        return used >= argc ? CLI_USAGE : CLI_OK;
    }
    if (rc == CLI_OK && strcmp(argv[used], "export") == 0)
        rc = export_options(argc - used - 1, argv + used + 1, &o);
    else if (rc == CLI_OK && strcmp(argv[used], "verify") == 0 && used + 1 == argc)
        verify_cmd = true;
    else if (rc == CLI_OK) {
        usage(stderr);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = cli_conn_password(&c);
    if (rc == CLI_OK)
        rc = verify_cmd ? verify(&c) : export_run(&c, &o);
    memset(&c, 0, sizeof c);
    return rc;
}
