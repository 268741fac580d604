/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a run leaves behind, in reports/conformance/<target>/: results.json (every vector
 * with its requirements, expected and observed outcome, verdict, reason and time; totals,
 * target, tool versions, date), junit.xml for CI systems, outcome.csv (the Mbed TLS outcome
 * format), index.html; and the comparison with the golden file (verdicts only, no timings,
 * so it is stable from run to run).
 */
#include "conform.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static const char *expect_name(cf_expect e)
{
    return e == CF_EXPECT_VALID ? "valid" : e == CF_EXPECT_INVALID ? "invalid" : "acceptable";
}

static json_t *vector_json(const cf_vector *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(v->id));
    json_object_set_new(o, "file", json_string(v->file));
    json_object_set_new(o, "tcId", json_integer(v->tcid));
    json_object_set_new(o, "comment", json_string(v->comment ? v->comment : ""));
    json_object_set(o, "requirements", json_object_get(v->test, "requirements"));
    json_object_set(o, "flags", json_object_get(v->test, "flags"));
    json_object_set_new(o, "expected", json_string(expect_name(v->expect)));
    if (v->expected_error)
        json_object_set_new(o, "expectedError", json_string(v->expected_error));
    if (v->profile_option)
        json_object_set_new(o, "profileOption", json_string(v->profile_option));
    json_object_set_new(o, "observed", json_string(v->observed));
    json_object_set_new(o, "verdict", json_string(cf_verdict_name(v->verdict)));
    json_object_set_new(o, "reason", json_string(v->reason));
    json_object_set_new(o, "ms", json_real((double)(long)(v->ms * 10) / 10));
    return o;
}

static json_t *totals(const cf_vectors *vs)
{
    static const cf_verdict all[] = {CF_PASS, CF_FAIL, CF_SKIP, CF_ACCEPTED, CF_NOT_RUN};
    json_t *o = json_object();
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        size_t n = 0;
        for (size_t i = 0; i < vs->n; i++)
            n += vs->v[i].verdict == all[k];
        json_object_set_new(o, cf_verdict_name(all[k]), json_integer((json_int_t)n));
    }
    json_object_set_new(o, "total", json_integer((json_int_t)vs->n));
    return o;
}

static json_t *run_json(const cf_run *r)
{
    const cf_options *o = r->opt;
    json_t *root = json_object(), *vec = json_array(), *opts = json_object();
    json_t *tool = json_object(), *target = json_deep_copy(r->description), *claims = json_array();
    json_object_set_new(tool, "name", json_string("qscd-conform"));
    json_object_set_new(tool, "version", json_string(CF_VERSION));
    json_object_set_new(tool, "openssl", json_string(OpenSSL_version(OPENSSL_VERSION)));
    json_object_set_new(tool, "jansson", json_string(JANSSON_VERSION));
    json_object_set_new(target, "name", json_string(r->target_name));
    json_object_set_new(target, "target", json_string(o->target));
    for (int i = 0; i < o->nclaims; i++)
        json_array_append_new(claims, json_string(o->claims[i]));
    json_object_set_new(opts, "jobs", json_integer(o->jobs));
    json_object_set_new(opts, "destructive", json_boolean(o->destructive));
    json_object_set_new(opts, "skipSlow", json_boolean(o->skip_slow));
    json_object_set_new(opts, "only", o->only ? json_string(o->only) : json_null());
    json_object_set_new(opts, "claims", claims);
    for (size_t i = 0; i < r->vs->n; i++)
        json_array_append_new(vec, vector_json(&r->vs->v[i]));
    json_object_set_new(root, "tool", tool);
    json_object_set_new(root, "target", target);
    json_object_set_new(root, "date", json_string(r->started));
    json_object_set_new(root, "seconds", json_real((double)(long)(r->seconds * 10) / 10));
    json_object_set_new(root, "options", opts);
    json_object_set_new(root, "totals", totals(r->vs));
    json_object_set_new(root, "vectors", vec);
    return root;
}

static void xml_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
    }
}

void cf_html_escape(FILE *f, const char *s)
{
    xml_escape(f, s);
}

static int write_junit(const cf_run *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"qscd-conform ");
    xml_escape(f, r->target_name);
    fprintf(f, "\" time=\"%.1f\">\n", r->seconds);
    for (size_t i = 0; i < r->vs->n;) {
        size_t j = i, fails = 0, skips = 0;
        while (j < r->vs->n && r->vs->v[j].file == r->vs->v[i].file) {
            fails += r->vs->v[j].verdict == CF_FAIL;
            skips += r->vs->v[j].verdict == CF_SKIP || r->vs->v[j].verdict == CF_NOT_RUN;
            j++;
        }
        fprintf(f, " <testsuite name=\"");
        xml_escape(f, r->vs->v[i].file);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\">\n", j - i,
                fails, skips);
        for (; i < j; i++) {
            const cf_vector *v = &r->vs->v[i];
            fprintf(f, "  <testcase classname=\"");
            xml_escape(f, v->file);
            fprintf(f, "\" name=\"%ld: ", v->tcid);
            xml_escape(f, v->comment);
            fprintf(f, "\" time=\"%.3f\">", v->ms / 1e3);
            const char *tag = v->verdict == CF_FAIL ? "failure"
                            : v->verdict == CF_SKIP || v->verdict == CF_NOT_RUN ? "skipped" : NULL;
            if (tag) {
                fprintf(f, "<%s message=\"", tag);
                xml_escape(f, v->reason);
                fprintf(f, "\"/>");
            } else if (v->verdict == CF_ACCEPTED) {
                fprintf(f, "<system-out>ACCEPTED-EITHER: ");
                xml_escape(f, v->reason);
                fprintf(f, "</system-out>");
            }
            fprintf(f, "</testcase>\n");
        }
        fprintf(f, " </testsuite>\n");
    }
    fprintf(f, "</testsuites>\n");
    return fclose(f);
}

/* suite;case;PASS|FAIL|SKIP;cause, with ';' and newlines kept out of the fields. */
static void outcome_field(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == ';' ? ',' : *s == '\n' ? ' ' : *s, f);
}

static void outcome_line(FILE *f, const char *suite, const cf_vector *v, const char *verdict,
                         const char *prefix, const char *cause)
{
    outcome_field(f, suite);
    fputc(';', f);
    outcome_field(f, v->id);
    fprintf(f, ";%s;", verdict);
    outcome_field(f, prefix);
    outcome_field(f, cause);
    fputc('\n', f);
}

static int write_outcome(const cf_run *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (size_t i = 0; i < r->vs->n; i++) {
        const cf_vector *v = &r->vs->v[i];
        if (v->verdict == CF_NOT_RUN)
            continue;
        const char *d = v->verdict == CF_ACCEPTED ? "PASS" : cf_verdict_name(v->verdict);
        outcome_line(f, r->target_name, v, d, v->verdict == CF_ACCEPTED ? "ACCEPTED-EITHER: " : "",
                     v->reason);
    }
    return fclose(f);
}

int cf_results_write(const cf_run *r, char *err, size_t errlen)
{
    char dir[900], path[1000];
    if (r->opt->out_dir)
        snprintf(dir, sizeof dir, "%s", r->opt->out_dir);
    else
        snprintf(dir, sizeof dir, "reports/conformance/%s", r->target_name);
    if (cf_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot make %s", dir);
        return -1;
    }
    json_t *root = run_json(r);
    snprintf(path, sizeof path, "%s/results.json", dir);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    snprintf(path, sizeof path, "%s/junit.xml", dir);
    rc |= write_junit(r, path);
    snprintf(path, sizeof path, "%s/outcome.csv", dir);
    rc |= write_outcome(r, path);
    snprintf(path, sizeof path, "%s/index.html", dir);
    rc |= cf_html_write(r, path);
    if (rc)
        snprintf(err, errlen, "writing into %s failed", dir);
    else
        printf("qscd-conform: results in %s (results.json, junit.xml, outcome.csv, index.html)\n",
               dir);
    return rc ? -1 : 0;
}

/* ------------------------------------------------------------------------ golden file */

int cf_golden_compare(const cf_run *r, const char *path, FILE *out)
{
    json_error_t je;
    json_t *g = json_load_file(path, 0, &je);
    json_t *gv = json_object_get(g, "vectors");
    if (!json_is_object(gv)) {
        fprintf(out, "qscd-conform: no golden file %s: nothing to compare with\n", path);
        json_decref(g);
        return -1;
    }
    int diffs = 0, compared = 0;
    for (size_t i = 0; i < r->vs->n; i++) {
        const cf_vector *v = &r->vs->v[i];
        if (v->verdict == CF_NOT_RUN)
            continue;
        const char *want = json_string_value(json_object_get(gv, v->id));
        const char *got = cf_verdict_name(v->verdict);
        compared++;
        if (!want || strcmp(want, got) != 0) {
            fprintf(out, "golden diff: %s: %s -> %s: %s\n", v->id, want ? want : "(new vector)",
                    got, v->reason);
            diffs++;
        }
    }
    const char *id;
    json_t *val;
    json_object_foreach(gv, id, val) {
        int known = 0;
        for (size_t i = 0; i < r->vs->n && !known; i++)
            known = strcmp(r->vs->v[i].id, id) == 0;
        if (!known) {
            fprintf(out, "golden diff: %s: %s -> (no such vector any more)\n", id,
                    json_string_value(val));
            diffs++;
        }
    }
    fprintf(out, "qscd-conform: %d of %d verdicts differ from %s%s\n", diffs, compared, path,
            diffs ? " (an unexplained change: look at each line above)" : "");
    json_decref(g);
    return diffs;
}

int cf_golden_write(const cf_run *r, const char *path)
{
    json_t *root = json_object(), *vec = json_object();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        cf_mkdirs(dir);
    }
    for (size_t i = 0; i < r->vs->n; i++)
        if (r->vs->v[i].verdict != CF_NOT_RUN)
            json_object_set_new(vec, r->vs->v[i].id,
                                json_string(cf_verdict_name(r->vs->v[i].verdict)));
    json_object_set_new(root, "target", json_string(r->target_name));
    json_object_set_new(root, "note", json_string("Verdicts of qscd-conform per vector "
        "(make conformance). A run prints its difference from this file; rewrite it with "
        "--update-golden only after reading every difference."));
    json_object_set_new(root, "vectors", vec);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(root);
    return rc;
}

/* For make check: a vector passes when its verdict is the golden one (a FAIL recorded there
 * is a known finding, listed as such), fails when it differs; without a golden file the
 * verdict itself decides. */
int cf_outcomes_append(const cf_run *r, const char *path, const char *suite, const char *golden)
{
    json_t *g = golden ? json_load_file(golden, 0, NULL) : NULL;
    json_t *gv = json_object_get(g, "vectors");
    FILE *f = fopen(path, "a");
    if (!f) {
        json_decref(g);
        return -1;
    }
    for (size_t i = 0; i < r->vs->n; i++) {
        const cf_vector *v = &r->vs->v[i];
        const char *got = cf_verdict_name(v->verdict);
        if (v->verdict == CF_NOT_RUN)
            continue;
        if (gv) {
            const char *want = json_string_value(json_object_get(gv, v->id));
            char pre[120];
            if (!want || strcmp(want, got) != 0) {
                snprintf(pre, sizeof pre, "golden %s, now %s: ", want ? want : "(none)", got);
                outcome_line(f, suite, v, "FAIL", pre, v->reason);
            } else if (v->verdict == CF_SKIP) {
                outcome_line(f, suite, v, "SKIP", "", v->reason);
            } else if (v->verdict == CF_PASS) {
                outcome_line(f, suite, v, "PASS", "", "");
            } else {
                snprintf(pre, sizeof pre, "%s as in the golden file%s", got,
                         v->verdict == CF_FAIL ? " (a known finding of this module): " : "");
                outcome_line(f, suite, v, "PASS", pre, v->verdict == CF_FAIL ? v->reason : "");
            }
        } else {
            const char *d = v->verdict == CF_ACCEPTED ? "PASS" : got;
            outcome_line(f, suite, v, d, "", v->reason);
        }
    }
    json_decref(g);
    return fclose(f);
}
