/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Showing answers: `name: value` lines (or one JSON object with --json), certificates and
 * requests as PEM, binary values in hex, audit records as JSON lines or as a table.
 */
#include "cli_cmds.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qscd_err.h"
#include "qscd_types.h"
#include "scbor.h"

const char *cli_keyalg_name(uint64_t v)
{
    static const char *names[] = { "none", "p256", "p384", "rsa2048", "rsa3072", "rsa4096" };

    return v < sizeof names / sizeof names[0] ? names[v] : "unknown";
}

const char *cli_sap_name(uint64_t v)
{
    return v == 1 ? "totp" : v == 2 ? "sic" : "unknown";
}

static const char *role_name(int64_t v)
{
    static const char *names[] = { "none", "signer", "so", "operator", "auditor" };

    return v >= 0 && v < 5 ? names[v] : "unknown";
}

/* A JSON string: printable ASCII as is (escaped), anything else as \u00XX. */
static void json_str(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\')
            fprintf(f, "\\%c", p[i]);
        else if (p[i] >= 0x20 && p[i] < 0x7f)
            fputc(p[i], f);
        else
            fprintf(f, "\\u%04x", p[i]);
    }
    fputc('"', f);
}

static void hex_out(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

/* An id as text when printable, else as hex. */
static void id_out(FILE *f, const uint8_t *p, size_t n, bool json)
{
    bool printable = n > 0;

    for (size_t i = 0; i < n; i++)
        printable = printable && p[i] > 0x20 && p[i] < 0x7f;
    if (json) {
        json_str(f, p, n);
    } else if (printable) {
        fwrite(p, 1, n, f);
    } else {
        fputs("hex:", f);
        hex_out(f, p, n);
    }
}

static void pem_out(FILE *f, const char *label, const uint8_t *der, size_t n)
{
    PEM_write(f, label, "", der, (long)n);
}

/* ------------------------------------------------------------------- one result */

/* Say where a result went: "(written to FILE)", a JSON string in JSON. 0. */
static int written(const char *path, bool json)
{
    char msg[4200];
    int n = snprintf(msg, sizeof msg, "(written to %s)", path);

    if (json)
        json_str(stdout, (const uint8_t *)msg, n > 0 ? (size_t)n : 0);
    else
        fputs(msg, stdout);
    return 0;
}

/* Signature i of count into out (count 1) or out.i, DER, mode 0600. */
static int sig_file(const char *out, uint64_t i, uint64_t count, const uint8_t *p, size_t n,
                    bool json)
{
    char path[4096];

    if (count == 1)
        snprintf(path, sizeof path, "%s", out);
    else
        snprintf(path, sizeof path, "%s.%llu", out, (unsigned long long)i);
    if (cli_write_file(path, p, n, 0600) != 0)
        return -1;
    printf(i > 0 ? (json ? "," : " ") : "");
    return written(path, json);
}

static int list_out(const samc_resp *r, int key, rtype t, bool json, const char *out)
{
    const uint8_t *p;
    uint64_t count = 0;
    size_t off = 0, n = 0;
    int rc = samc_get_array(r, key, &count, &off);
    FILE *f = stdout;

    if (t == R_DERLIST && out != NULL && !json) {
        f = fopen(out, "w");
        if (f == NULL)
            return -1;
        printf("(written to %s)", out);
    } else if (t == R_DERLIST && !json) {
        printf("\n");
    }
    printf(json ? "[" : "");
    for (uint64_t i = 0; rc == 0 && i < count; i++) {
        rc = samc_next_bstr(r, &off, &p, &n);
        if (rc != 0)
            break;
        if (t == R_SIGLIST && out != NULL) {
            rc = sig_file(out, i, count, p, n, json);
            continue;
        }
        if (json && i > 0)
            printf(",");
        if (t == R_DERLIST && !json)
            pem_out(f, "CERTIFICATE", p, n);
        else if (t == R_IDLIST)
            id_out(stdout, p, n, json);
        else {
            printf(json ? "\"" : i > 0 ? " " : "");
            hex_out(stdout, p, n);
            printf(json ? "\"" : "");
        }
    }
    printf(json ? "]" : "");
    if (f != stdout && fclose(f) != 0)
        rc = -1;
    return rc;
}

static int blob_out(const rdef *d, const uint8_t *p, size_t n, bool json, const char *out)
{
    const char *label = d->type == R_CSR ? "CERTIFICATE REQUEST" : "CERTIFICATE";
    FILE *f;

    if (out != NULL && d->type == R_BLOB)
        return cli_write_file(out, p, n, 0600) == 0 ? written(out, json) : -1;
    if (out != NULL) {
        f = fopen(out, "w");
        if (f == NULL)
            return -1;
        pem_out(f, label, p, n);
        return fclose(f) == 0 ? written(out, json) : -1;
    }
    if (d->type == R_BLOB || json) {
        printf(json ? "\"" : "");
        hex_out(stdout, p, n);
        printf(json ? "\"" : "");
    } else {
        printf("\n");
        pem_out(stdout, label, p, n);
    }
    return 0;
}

static int value_out(const samc_resp *r, const rdef *d, bool json, const char *out)
{
    const uint8_t *p = NULL;
    uint64_t u = 0;
    size_t n = 0;
    bool b = false;
    int rc;

    switch (d->type) {
    case R_UINT: case R_KEYALG: case R_SAP: case R_ERR:
        rc = samc_get_uint(r, d->key, &u);
        if (rc == 0 && d->type == R_UINT)
            printf("%llu", (unsigned long long)u);
        else if (rc == 0)
            printf(json ? "\"%s\"" : "%s", d->type == R_KEYALG ? cli_keyalg_name(u)
                                           : d->type == R_SAP ? cli_sap_name(u)
                                                              : qscd_err_name((int)u));
        return rc;
    case R_BOOL:
        rc = samc_get_bool(r, d->key, &b);
        if (rc == 0)
            printf("%s", b ? "true" : "false");
        return rc;
    case R_TEXT:
        rc = samc_get_tstr(r, d->key, &p, &n);
        if (rc == 0 && json)
            json_str(stdout, p, n);
        else if (rc == 0)
            fwrite(p, 1, n, stdout);
        return rc;
    case R_ID: case R_HEX:
        rc = samc_get_bstr(r, d->key, &p, &n);
        if (rc == 0 && d->type == R_ID)
            id_out(stdout, p, n, json);
        else if (rc == 0) {
            printf(json ? "\"" : "");
            hex_out(stdout, p, n);
            printf(json ? "\"" : "");
        }
        return rc;
    case R_DER: case R_BLOB: case R_CSR:
        rc = samc_get_bstr(r, d->key, &p, &n);
        if (rc == 0 && d->type == R_CSR && n == 32) { /* the digest to authorise */
            printf(json ? "\"" : "");
            hex_out(stdout, p, n);
            printf(json ? "\"" : "");
            return 0;
        }
        return rc == 0 ? blob_out(d, p, n, json, out) : rc;
    default:
        return list_out(r, d->key, d->type, json, out);
    }
}

int cli_print(const cli_cmd *cmd, const samc_resp *r, bool json, const char *out)
{
    bool first = true;

    if (cmd->r[0].type == R_RECORDS) {
        size_t n = 0;
        int64_t last = -1;
        return cli_print_records(r, false, &n, &last) == 0 ? CLI_OK : CLI_FAILED;
    }
    if (json)
        printf("{");
    for (int i = 0; i < 10 && cmd->r[i].type != R_END; i++) {
        const rdef *d = &cmd->r[i];
        size_t v;
        if (scbor_map_find_int(r->buf, r->len, r->result_off, d->key, &v) != 0)
            continue; /* absent: e.g. no broken record */
        if (json)
            printf("%s\"%s\":", first ? "" : ",", d->name);
        else
            printf("%s: ", d->name);
        if (value_out(r, d, json, out) != 0) {
            fprintf(stderr, "qscd admin %s: cannot show %s\n", cmd->name, d->name);
            return CLI_FAILED;
        }
        printf(json ? "" : "\n");
        first = false;
    }
    if (json)
        printf("}\n");
    return CLI_OK;
}

/* --------------------------------------------------------------------- records */

/* The numeric fields of a record and its time in UTC ISO 8601, for both forms. */
typedef struct record_head {
    int64_t seq, t, op, role, outcome, alg, count;
    char when[32];
} record_head;

static void record_head_read(const samc_resp *r, size_t map, record_head *h)
{
    time_t tt;
    struct tm tm;

    memset(h, 0, sizeof *h);
    samc_map_int(r, map, 1, &h->seq);
    samc_map_int(r, map, 2, &h->t);
    samc_map_int(r, map, 3, &h->op);
    samc_map_int(r, map, 4, &h->role);
    samc_map_int(r, map, 7, &h->outcome);
    samc_map_int(r, map, 9, &h->alg);
    samc_map_int(r, map, 10, &h->count);
    tt = (time_t)h->t;
    if (gmtime_r(&tt, &tm) != NULL)
        strftime(h->when, sizeof h->when, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void record_out(const samc_resp *r, size_t map)
{
    static const struct { int key; const char *name; int kind; } fields[] = {
        { 5, "actor", 1 }, { 6, "cred", 1 }, { 8, "token_id", 2 }, { 11, "first_hash", 2 },
        { 12, "request_id", 2 }, { 14, "link", 2 },
    };
    const uint8_t *p;
    size_t n;
    record_head h;

    record_head_read(r, map, &h);
    printf("{\"seq\":%lld,\"time\":\"%s\",\"event\":\"%s\",\"op\":%lld,\"role\":\"%s\","
           "\"outcome\":\"%s\",\"hash_alg\":%lld,\"count\":%lld", (long long)h.seq, h.when,
           samc_event_name(h.op), (long long)h.op, role_name(h.role),
           qscd_err_name((int)h.outcome), (long long)h.alg, (long long)h.count);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (samc_map_bstr(r, map, fields[i].key, &p, &n) != 0)
            continue;
        printf(",\"%s\":", fields[i].name);
        if (fields[i].kind == 1) {
            json_str(stdout, p, n);
        } else {
            printf("\"");
            hex_out(stdout, p, n);
            printf("\"");
        }
    }
    if (samc_map_tstr(r, map, 13, &p, &n) == 0) {
        printf(",\"peer\":");
        json_str(stdout, p, n);
    }
    printf("}\n");
}

/* An id for the table: as text when printable, "-" when empty, else hex:... */
static void id_text(const uint8_t *p, size_t n, char *out, size_t cap)
{
    bool printable = true;

    for (size_t i = 0; i < n; i++)
        printable = printable && p[i] > 0x20 && p[i] < 0x7f;
    if (n == 0)
        snprintf(out, cap, "-");
    else if (printable)
        snprintf(out, cap, "%.*s", (int)n, (const char *)p);
    else {
        size_t o = (size_t)snprintf(out, cap, "hex:");
        for (size_t i = 0; i < n && o + 3 <= cap; i++, o += 2)
            snprintf(out + o, cap - o, "%02x", p[i]);
    }
}

void cli_print_records_header(void)
{
    printf("%-8s %-20s %-16s %-8s %-16s %-16s %s\n", "SEQ", "TIME (UTC)", "EVENT", "ROLE",
           "ACTOR", "CREDENTIAL", "OUTCOME");
}

/* One record as a table row: who did what, to what, when, with what outcome (SRG_AA.4:
 * readable by the auditor; the full record, hashes and link included, is the JSON form). */
static void record_row(const samc_resp *r, size_t map)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    char actor[2 * QSCD_ID_MAX + 8] = "-", cred[2 * QSCD_ID_MAX + 8] = "-";
    record_head h;

    record_head_read(r, map, &h);
    if (samc_map_bstr(r, map, 5, &p, &n) == 0)
        id_text(p, n, actor, sizeof actor);
    if (samc_map_bstr(r, map, 6, &p, &n) == 0)
        id_text(p, n, cred, sizeof cred);
    printf("%-8lld %-20s %-16s %-8s %-16s %-16s %s\n", (long long)h.seq, h.when,
           samc_event_name(h.op), role_name(h.role), actor, cred, qscd_err_name((int)h.outcome));
}

int cli_print_records(const samc_resp *r, bool table, size_t *n, int64_t *last_seq)
{
    uint64_t count = 0;
    size_t off = 0, map = 0;
    int rc = samc_get_array(r, 1, &count, &off);

    *n = 0;
    for (uint64_t i = 0; rc == 0 && i < count; i++) {
        rc = samc_next_map(r, &off, &map);
        if (rc == 0) {
            if (table)
                record_row(r, map);
            else
                record_out(r, map);
            samc_map_int(r, map, 1, last_seq);
            (*n)++;
        }
    }
    return rc;
}
