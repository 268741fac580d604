/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading the vector files: every *.json under the vectors folder whose "kind" is the one
 * the target runs, flattened into one list of vectors in file and tcId order. The JSON stays
 * alive (vectors borrow from it); the linter (src/tools/vectors_lint.py) has checked the
 * shape, so this only reads what it needs and reports what it cannot use.
 */
#include "conform.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct name_list { char **v; size_t n, cap; } name_list;

static int names_add(name_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n] = strdup(s);
    if (!l->v[l->n])
        return -1;
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Relative paths of every *.json below dir/rel, skipping schemas/ and external/. */
static int scan(const char *dir, const char *rel, name_list *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024], full[2100];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", dir, sub);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(sub, "schemas") != 0 && strcmp(sub, "external") != 0)
                rc = scan(dir, sub, out);
        } else {
            size_t len = strlen(sub);
            if (len > 5 && strcmp(sub + len - 5, ".json") == 0)
                rc = names_add(out, sub);
        }
    }
    closedir(d);
    return rc;
}

static cf_expect expect_of(const char *r)
{
    if (r && strcmp(r, "valid") == 0)
        return CF_EXPECT_VALID;
    if (r && strcmp(r, "acceptable") == 0)
        return CF_EXPECT_ACCEPTABLE;
    return CF_EXPECT_INVALID;
}

static int add_vector(cf_vectors *vs, size_t *cap, const char *file, const char *kind,
                      json_t *group, json_t *test)
{
    if (vs->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 128;
        cf_vector *nv = realloc(vs->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        vs->v = nv;
        *cap = nc;
    }
    cf_vector *v = &vs->v[vs->n++];
    memset(v, 0, sizeof *v);
    v->file = file;
    v->kind = kind;
    v->group = group;
    v->test = test;
    v->tcid = (long)json_integer_value(json_object_get(test, "tcId"));
    v->comment = json_string_value(json_object_get(test, "comment"));
    v->expect = expect_of(json_string_value(json_object_get(test, "result")));
    v->expected_error = json_string_value(json_object_get(test, "expectedError"));
    v->profile_option = json_string_value(json_object_get(test, "profileOption"));
    v->slow = cf_has_flag(v, "Slow");
    v->destructive = cf_has_flag(v, "Destructive");
    snprintf(v->id, sizeof v->id, "%s#%ld", file, v->tcid);
    return 0;
}

/* Is k one of the comma-separated kinds (NULL: every kind)? */
static int kind_listed(const char *kinds, const char *k)
{
    size_t kl = strlen(k);
    for (const char *p = kinds; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, k, kl) == 0 && (p[kl] == ',' || p[kl] == '\0'))
            return 1;
    return kinds == NULL;
}

static int load_file(const char *dir, const char *rel, const char *kind, cf_vectors *vs,
                     size_t *cap, char *err, size_t errlen)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    const char *k = json_string_value(json_object_get(root, "kind"));
    if (!k || !kind_listed(kind, k)) {
        json_decref(root);
        return 0;
    }
    json_t **nf = realloc(vs->files, (vs->nfiles + 1) * sizeof *nf);
    if (!nf) {
        json_decref(root);
        return -1;
    }
    vs->files = nf;
    vs->files[vs->nfiles++] = root;
    /* The file name lives in the JSON so it is freed with it. */
    json_object_set_new(root, "_path", json_string(rel));
    const char *file = json_string_value(json_object_get(root, "_path"));
    size_t gi, ti;
    json_t *g, *t;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g) {
        json_array_foreach(json_object_get(g, "tests"), ti, t) {
            if (add_vector(vs, cap, file, k, g, t) != 0)
                return -1;
        }
    }
    return 0;
}

int cf_vectors_load(const char *dir, const char *kind, cf_vectors *out, char *err,
                    size_t errlen)
{
    name_list names = {0};
    memset(out, 0, sizeof *out);
    if (scan(dir, "", &names) != 0) {
        snprintf(err, errlen, "cannot read the vectors folder %s", dir);
        return -1;
    }
    qsort(names.v, names.n, sizeof *names.v, cmp_str);
    size_t cap = 0;
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++)
        rc = load_file(dir, names.v[i], kind, out, &cap, err, errlen);
    for (size_t i = 0; i < names.n; i++)
        free(names.v[i]);
    free(names.v);
    if (rc == 0 && out->n == 0) {
        snprintf(err, errlen, "no vector of kind '%s' under %s", kind ? kind : "any", dir);
        rc = -1;
    }
    return rc;
}

void cf_vectors_free(cf_vectors *vs)
{
    for (size_t i = 0; i < vs->nfiles; i++)
        json_decref(vs->files[i]);
    free(vs->files);
    free(vs->v);
    memset(vs, 0, sizeof *vs);
}

json_t *cf_param(const cf_vector *v, const char *name)
{
    json_t *x = json_object_get(v->test, name);
    return x ? x : json_object_get(v->group, name);
}

const char *cf_param_str(const cf_vector *v, const char *name, const char *dflt)
{
    const char *s = json_string_value(cf_param(v, name));
    return s ? s : dflt;
}

long cf_param_int(const cf_vector *v, const char *name, long dflt)
{
    json_t *x = cf_param(v, name);
    return json_is_integer(x) ? (long)json_integer_value(x) : dflt;
}

int cf_has_flag(const cf_vector *v, const char *flag)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(v->test, "flags"), i, f) {
        if (json_is_string(f) && strcmp(json_string_value(f), flag) == 0)
            return 1;
    }
    return 0;
}
