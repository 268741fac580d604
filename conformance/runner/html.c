/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-target page, reports/conformance/<target>/index.html: static HTML, no script.
 * Totals first, then every FAIL with its reason, then every vector by file. A FAIL is shown
 * as plainly as a PASS; a SKIP always carries its reason.
 */
#include "conform.h"

#include <stdlib.h>
#include <string.h>

static const char CSS[] =
    "body{font:14px/1.4 system-ui,sans-serif;max-width:80em;margin:1.5em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
    "padding:.15em .5em;text-align:left;vertical-align:top}.PASS{background:#dafbe1}"
    ".FAIL{background:#ffd7d5}.SKIP{background:#eee}.ACCEPTED-EITHER{background:#fff3c4}"
    ".NOT-RUN{color:#888}code{background:#f3f3f3}";

static void esc(FILE *f, const char *s)
{
    cf_html_escape(f, s ? s : "");
}

static void row(FILE *f, const cf_vector *v)
{
    const char *d = cf_verdict_name(v->verdict);
    char *reqs = json_dumps(json_object_get(v->test, "requirements"), JSON_COMPACT);
    fprintf(f, "<tr><td>%ld</td><td>", v->tcid);
    esc(f, v->comment);
    fprintf(f, "</td><td>");
    esc(f, reqs);
    fprintf(f, "</td><td>%s", v->expect == CF_EXPECT_VALID ? "valid"
                            : v->expect == CF_EXPECT_INVALID ? "invalid" : "acceptable");
    if (v->expected_error) {
        fprintf(f, " (");
        esc(f, v->expected_error);
        fprintf(f, ")");
    }
    fprintf(f, "</td><td>");
    esc(f, v->observed);
    fprintf(f, "</td><td class=\"%s\">%s</td><td>", d, d);
    esc(f, v->reason);
    fprintf(f, "</td><td>%.0f</td></tr>\n", v->ms);
    free(reqs);
}

static void head(FILE *f, const cf_run *r)
{
    const char *keys[] = {"library", "manufacturer", "libraryVersion", "cryptokiVersion",
                          "token", "tokenModel", "module"};
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<title>Conformance: ");
    esc(f, r->target_name);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>Conformance results: ", CSS);
    esc(f, r->target_name);
    fprintf(f, "</h1>\n<p>Run %s by qscd-conform %s in %.1f s; target <code>", r->started,
            CF_VERSION, r->seconds);
    esc(f, r->opt->target);
    fprintf(f, "</code>. Machine-readable: <a href=\"results.json\">results.json</a> · "
               "<a href=\"junit.xml\">junit.xml</a> · <a href=\"outcome.csv\">outcome.csv</a>."
               "</p>\n<table>");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *val = json_string_value(json_object_get(r->description, keys[i]));
        if (!val)
            continue;
        fprintf(f, "<tr><th>%s</th><td>", keys[i]);
        esc(f, val);
        fprintf(f, "</td></tr>");
    }
    fprintf(f, "</table>\n");
}

static void summary(FILE *f, const cf_run *r)
{
    static const cf_verdict all[] = {CF_PASS, CF_FAIL, CF_SKIP, CF_ACCEPTED, CF_NOT_RUN};
    fprintf(f, "<h2>Totals</h2><table><tr>");
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        fprintf(f, "<th class=\"%s\">%s</th>", cf_verdict_name(all[k]), cf_verdict_name(all[k]));
    fprintf(f, "<th>total</th></tr><tr>");
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        size_t n = 0;
        for (size_t i = 0; i < r->vs->n; i++)
            n += r->vs->v[i].verdict == all[k];
        fprintf(f, "<td>%zu</td>", n);
    }
    fprintf(f, "<td>%zu</td></tr></table>\n<p>PASS: the target behaved as the vector requires. "
               "FAIL: it did not (the reason says what happened). SKIP: the target does not "
               "offer what the vector needs, or the run did not allow it (reason given). "
               "ACCEPTED-EITHER: the standards allow both outcomes unless the vendor claims the "
               "named profile option. NOT-RUN: not selected for this run.</p>\n", r->vs->n);
}

int cf_html_write(const cf_run *r, const char *path)
{
    static const char TH[] = "<tr><th>tcId</th><th>comment</th><th>requirements</th>"
                             "<th>expected</th><th>observed</th><th>verdict</th><th>reason</th>"
                             "<th>ms</th></tr>\n";
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    head(f, r);
    summary(f, r);
    fprintf(f, "<h2>Failures</h2>\n");
    size_t nf = 0;
    for (size_t i = 0; i < r->vs->n; i++)
        if (r->vs->v[i].verdict == CF_FAIL) {
            nf++;
            fprintf(f, "<p><code>");
            esc(f, r->vs->v[i].id);
            fprintf(f, "</code> ");
            esc(f, r->vs->v[i].comment);
            fprintf(f, ": ");
            esc(f, r->vs->v[i].reason);
            fprintf(f, "</p>\n");
        }
    if (!nf)
        fprintf(f, "<p>None.</p>\n");
    for (size_t i = 0; i < r->vs->n;) {
        const char *file = r->vs->v[i].file;
        fprintf(f, "<h2>");
        esc(f, file);
        fprintf(f, "</h2>\n<table>%s", TH);
        for (; i < r->vs->n && r->vs->v[i].file == file; i++)
            row(f, &r->vs->v[i]);
        fprintf(f, "</table>\n");
    }
    fprintf(f, "</body></html>\n");
    return fclose(f);
}
