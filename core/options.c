/* options.c -- typed option values from config nodes, checked against declarations. */
#include "options.h"

#include <errno.h>
#include <math.h>
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

/* Fill `v` from node `n`; on error return a short description of what was expected. */
static const char *value_from_node(cv_optval *v, const cv_node *n, const char *dir)
{
    const cv_option *d = v->decl;
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

/* Defaults are text as it would be written in YAML; only lists need the parser. */
static int default_into(cv_optval *v, const char *plugin, cv_err *err)
{
    const cv_option *d = v->decl;
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
    const char *want = value_from_node(v, n, NULL);
    if (n != &scalar)
        cv_node_free(n);
    if (want) {
        cv_err_set(err, "plugin '%s': default '%s' of option '%s' is not %s", plugin, d->default_value, d->key, want);
        return -1;
    }
    v->has_value = 1;
    return 0;
}

static cv_opts *opts_new(const cv_option *table)
{
    cv_opts *o = cv_xcalloc(1, sizeof *o);
    while (table && table[o->n].key)
        o->n++;
    o->v = cv_xcalloc(o->n, sizeof *o->v);
    for (size_t i = 0; i < o->n; i++)
        o->v[i].decl = &table[i];
    return o;
}

int cv_opts_check_table(const cv_option *table, const char *plugin, cv_err *err)
{
    cv_opts *o = opts_new(table);
    int rc = 0;
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        if (o->v[i].decl->type < CV_OPT_STRING || o->v[i].decl->type > CV_OPT_PATH) {
            cv_err_set(err, "plugin '%s': option '%s' has unknown type %d", plugin, o->v[i].decl->key,
                       (int)o->v[i].decl->type);
            rc = -1;
        } else if (!strcmp(o->v[i].decl->key, "plugin")) {
            cv_err_set(err, "plugin '%s': an option may not be called 'plugin'", plugin);
            rc = -1;
        } else {
            rc = default_into(&o->v[i], plugin, err);
        }
    }
    cv_opts_free(o);
    return rc;
}

cv_opts *cv_opts_parse(const cv_option *table, const cv_node *stage, const char *plugin, const char *file,
                       const char *dir, cv_err *err)
{
    cv_opts *o = opts_new(table);
    for (size_t i = 0; i < o->n; i++)
        if (default_into(&o->v[i], plugin, err) < 0)
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
        if (o->v[i].decl->required && !o->v[i].set) {
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
