/* options.c -- typed option values from config nodes, checked against declarations. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *cv_opt_type_name(cv_opt_type t)
{
    switch (t) {
    case CV_OPT_STRING: return "string";
    case CV_OPT_INT: return "int";
    case CV_OPT_FLOAT: return "float";
    case CV_OPT_BOOL: return "bool";
    case CV_OPT_LIST: return "list";
    case CV_OPT_SIZE: return "size";
    case CV_OPT_PATH: return "path";
    }
    return "?";
}

int64_t cv_parse_size(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 0 || isnan(v))
        return -1;
    double mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
    }
    if (mul > 1 && *end == 'i')
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v * mul > 9.0e18)
        return -1;
    return (int64_t)(v * mul);
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i]))
            return *out = 1, 0;
        if (!strcasecmp(s, no[i]))
            return *out = 0, 0;
    }
    return -1;
}

static void value_clear(cv_optval *v)
{
    free(v->str);
    for (size_t i = 0; i < v->nlist; i++)
        free(v->list[i]);
    free(v->list);
    v->str = NULL;
    v->list = NULL;
    v->nlist = 0;
}

/* Is `s` one of the "a|b|c" choices? */
static int is_choice(const char *choices, const char *s)
{
    size_t len = strlen(s);
    for (const char *c = choices; c;) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if (n == len && !memcmp(c, s, n))
            return 1;
        c = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* The declared constraints on a parsed value; NULL when it meets them, else
 * what was expected (in a thread-local buffer). */
static const char *constraint_violated(const cv_optval *v)
{
    static _Thread_local char want[512];
    const cv_optmap *d = v->decl;
    if (d->type == CV_OPT_STRING && d->choices && !is_choice(d->choices, v->str)) {
        snprintf(want, sizeof want, "one of %s", d->choices);
        return want;
    }
    if (d->min < d->max && (d->type == CV_OPT_INT || d->type == CV_OPT_SIZE || d->type == CV_OPT_FLOAT)) {
        double x = d->type == CV_OPT_FLOAT ? v->f : (double)v->i;
        if (x < d->min || x > d->max) {
            snprintf(want, sizeof want, "from %.17g to %.17g", d->min, d->max);
            return want;
        }
    }
    return NULL;
}

static const char *value_parse(cv_optval *v, const cv_node *n, const char *dir);

/* Fill `v` from node `n`; on error return a short description of what was expected. */
static const char *value_from_node(cv_optval *v, const cv_node *n, const char *dir)
{
    const char *want = value_parse(v, n, dir);
    return want ? want : constraint_violated(v);
}

static const char *value_parse(cv_optval *v, const cv_node *n, const char *dir)
{
    const cv_optmap *d = v->decl;
    value_clear(v);
    if (d->type == CV_OPT_LIST) {
        if (n->kind == CV_NODE_SCALAR) {
            v->list = cv_xmalloc(sizeof *v->list);
            v->list[0] = cv_xstrdup(n->value);
            v->nlist = 1;
            return NULL;
        }
        if (n->kind != CV_NODE_SEQ)
            return "a list of strings";
        v->list = cv_xcalloc(n->n, sizeof *v->list);
        for (size_t i = 0; i < n->n; i++) {
            if (n->items[i]->kind != CV_NODE_SCALAR)
                return "a list of strings";
            v->list[v->nlist++] = cv_xstrdup(n->items[i]->value);
        }
        return NULL;
    }
    if (n->kind != CV_NODE_SCALAR)
        return d->type == CV_OPT_STRING || d->type == CV_OPT_PATH ? "a string" : "a single value";
    const char *s = n->value;
    char *end;
    switch (d->type) {
    case CV_OPT_STRING:
        v->str = cv_xstrdup(s);
        return NULL;
    case CV_OPT_PATH:
        if (!s[0])
            return "a file path";
        v->str = cv_path_join(dir, s);
        return NULL;
    case CV_OPT_INT:
        errno = 0;
        v->i = strtoll(s, &end, 10);
        return !s[0] || *end || errno ? "a whole number" : NULL;
    case CV_OPT_FLOAT:
        errno = 0;
        v->f = strtod(s, &end);
        return !s[0] || *end || errno || !isfinite(v->f) ? "a number" : NULL;
    case CV_OPT_BOOL:
        return parse_bool(s, &v->b) < 0 ? "true or false" : NULL;
    case CV_OPT_SIZE:
        v->i = cv_parse_size(s);
        return v->i < 0 ? "a size such as 4096, 64K, 16M or 2G" : NULL;
    case CV_OPT_LIST:
        break;
    }
    return "a value of a known type";
}

/* Defaults are text as it would be written in YAML; only lists need the
 * parser.  A path default resolves against dir, the config's folder, as a
 * path written in the config does (NULL: checking the table, no config). */
/* A path default (a data file the plugin ships, such as pii/cues.yaml) that
 * the config's folder lacks is the one in convert's own config folder: a
 * user's config elsewhere gets the shipped file unless it names another.
 * That folder is <bin>/../share/convert/config when installed, and the
 * source tree's config/ for a build in <repo>/build. */
static void shipped_default(cv_optval *v)
{
    if (!v->str || access(v->str, F_OK) == 0)
        return;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    static const char *const beside[] = {"../share/convert/config", "../../config"};
    for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
        char *dir = cv_xasprintf("%s/%s", exe, beside[i]);
        char *path = cv_path_join(dir, v->decl->default_value);
        free(dir);
        if (access(path, F_OK) == 0) {
            free(v->str);
            v->str = path;
            return;
        }
        free(path);
    }
}

static int default_into(cv_optval *v, const char *plugin, const char *dir, cv_err *err)
{
    const cv_optmap *d = v->decl;
    if (!d->default_value)
        return 0;
    cv_node scalar = {.kind = CV_NODE_SCALAR, .value = (char *)d->default_value}, *n = &scalar;
    if (d->type == CV_OPT_LIST) {
        cv_err tmp;
        if (!(n = cv_yaml_parse(d->default_value, strlen(d->default_value), "default", &tmp))) {
            cv_err_set(err, "plugin '%s': default of option '%s' is not a YAML list", plugin, d->key);
            return -1;
        }
    }
    const char *want = value_from_node(v, n, dir);
    if (n != &scalar)
        cv_node_free(n);
    if (want) {
        cv_err_set(err, "plugin '%s': default '%s' of option '%s' is not %s", plugin, d->default_value, d->key, want);
        return -1;
    }
    if (d->type == CV_OPT_PATH && dir)
        shipped_default(v);
    v->has_value = 1;
    return 0;
}

static cv_opts *opts_new(const cv_optmap *table)
{
    cv_opts *o = cv_xcalloc(1, sizeof *o);
    while (table && table[o->n].key)
        o->n++;
    o->v = cv_xcalloc(o->n, sizeof *o->v);
    for (size_t i = 0; i < o->n; i++)
        o->v[i].decl = &table[i];
    return o;
}

int cv_opts_check_table(const cv_optmap *table, const char *plugin, cv_err *err)
{
    cv_opts *o = opts_new(table);
    int rc = 0;
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        const cv_optmap *d = o->v[i].decl;
        int numeric = d->type == CV_OPT_INT || d->type == CV_OPT_SIZE || d->type == CV_OPT_FLOAT;
        if (d->type < CV_OPT_STRING || d->type > CV_OPT_PATH) {
            cv_err_set(err, "plugin '%s': option '%s' has unknown type %d", plugin, d->key, (int)d->type);
            rc = -1;
        } else if (!strcmp(d->key, "plugin")) {
            cv_err_set(err, "plugin '%s': an option may not be called 'plugin'", plugin);
            rc = -1;
        } else if (d->choices && (d->type != CV_OPT_STRING || !d->choices[0])) {
            cv_err_set(err, "plugin '%s': option '%s' has choices but is not a string", plugin, d->key);
            rc = -1;
        } else if ((d->min != 0 || d->max != 0) && (!numeric || !(d->min < d->max))) {
            cv_err_set(err, "plugin '%s': option '%s' has a range that is not min < max of a number", plugin, d->key);
            rc = -1;
        } else {
            rc = default_into(&o->v[i], plugin, NULL, err);
        }
    }
    cv_opts_free(o);
    return rc;
}

cv_opts *cv_opts_parse(const cv_optmap *table, const cv_node *stage, const char *plugin, const char *file,
                       const char *dir, cv_err *err)
{
    return cv_opts_parse_given(table, stage, plugin, file, dir, NULL, err);
}

cv_opts *cv_opts_parse_given(const cv_optmap *table, const cv_node *stage, const char *plugin, const char *file,
                             const char *dir, const char *given, cv_err *err)
{
    cv_opts *o = opts_new(table);
    for (size_t i = 0; i < o->n; i++)
        if (default_into(&o->v[i], plugin, dir, err) < 0)
            goto fail;
    if (stage && stage->kind == CV_NODE_MAP) {
        for (size_t k = 0; k < stage->n; k++) {
            const cv_node *key = stage->keys[k], *val = stage->items[k];
            if (!strcmp(key->value, "plugin"))
                continue;
            cv_optval *v = cv_opts_find(o, key->value);
            if (!v) {
                cv_err_at(err, file, key->line, key->col,
                          "plugin '%s' has no option '%s' (see: convert --describe %s)", plugin, key->value, plugin);
                goto fail;
            }
            const char *want = value_from_node(v, val, dir);
            if (want) {
                cv_err_at(err, file, val->line, val->col, "plugin '%s': option '%s' must be %s (%s)", plugin,
                          key->value, want, cv_opt_type_name(v->decl->type));
                goto fail;
            }
            v->set = v->has_value = 1;
        }
    }
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i].decl->required && !o->v[i].set && !(given && !strcmp(given, o->v[i].decl->key))) {
            int line = stage ? stage->line : 0, col = stage ? stage->col : 0;
            cv_err_at(err, file, line, col, "plugin '%s': required option '%s' is missing", plugin, o->v[i].decl->key);
            goto fail;
        }
    return o;
fail:
    cv_opts_free(o);
    return NULL;
}

int cv_opts_override(cv_opts *o, const char *key, const char *value, cv_err *err)
{
    cv_optval *v = cv_opts_find(o, key);
    if (!v) {
        cv_err_set(err, "option '%s' does not exist", key);
        return -1;
    }
    cv_node n = {.kind = CV_NODE_SCALAR, .value = (char *)value, .plain = 0};
    const char *want = value_from_node(v, &n, NULL);
    if (want) {
        cv_err_set(err, "option '%s' must be %s", key, want);
        return -1;
    }
    v->set = v->has_value = 1;
    return 0;
}

cv_optval *cv_opts_find(const cv_opts *o, const char *key)
{
    for (size_t i = 0; o && i < o->n; i++)
        if (!strcmp(o->v[i].decl->key, key))
            return &o->v[i];
    return NULL;
}

void cv_opts_free(cv_opts *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        value_clear(&o->v[i]);
    free(o->v);
    free(o);
}

cv_optmap *cv_optmap_from_options(const cv_option *table)
{
    size_t n = 0;
    while (table && table[n].key)
        n++;
    cv_optmap *m = cv_xcalloc(n + 1, sizeof *m);
    for (size_t i = 0; i < n; i++)
        m[i] = (cv_optmap){.key = table[i].key,
                           .type = table[i].type,
                           .default_value = table[i].default_value,
                           .required = table[i].required,
                           .help = table[i].help};
    return m;
}

cv_option *cv_options_from_optmap(const cv_optmap *map)
{
    size_t n = 0;
    while (map && map[n].key)
        n++;
    cv_option *t = cv_xcalloc(n + 1, sizeof *t);
    for (size_t i = 0; i < n; i++)
        t[i] = (cv_option){map[i].key, map[i].type, map[i].default_value, map[i].required, map[i].help};
    return t;
}

void cv_opts_load(const cv_opts *o, void *conf)
{
    char *base = conf;
    for (size_t i = 0; o && i < o->n; i++) {
        const cv_optval *v = &o->v[i];
        void *at = base + v->decl->offset;
        switch (v->decl->type) {
        case CV_OPT_STRING:
        case CV_OPT_PATH: {
            const char *s = v->has_value ? v->str : NULL;
            memcpy(at, &s, sizeof s);
            break;
        }
        case CV_OPT_INT:
        case CV_OPT_SIZE: {
            int64_t x = v->has_value ? v->i : 0;
            memcpy(at, &x, sizeof x);
            break;
        }
        case CV_OPT_FLOAT: {
            double x = v->has_value ? v->f : 0.0;
            memcpy(at, &x, sizeof x);
            break;
        }
        case CV_OPT_BOOL: {
            int x = v->has_value ? v->b : 0;
            memcpy(at, &x, sizeof x);
            break;
        }
        case CV_OPT_LIST: {
            cv_strlist l = {v->has_value ? v->nlist : 0, v->has_value ? (const char *const *)v->list : NULL};
            memcpy(at, &l, sizeof l);
            break;
        }
        }
    }
}
