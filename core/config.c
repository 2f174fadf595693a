/* config.c -- YAML to a node tree with line and column, then the config's top-level shape. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64
#define MAX_CONFIG_BYTES (16u << 20)

void cv_node_free(cv_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        cv_node_free(n->items[i]);
        if (n->keys)
            cv_node_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->value);
    free(n);
}

static cv_node *node_new(cv_node_kind kind, const yaml_mark_t *m)
{
    cv_node *n = cv_xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

static void node_push(cv_node *parent, cv_node *key, cv_node *item)
{
    parent->items = cv_xrealloc(parent->items, (parent->n + 1) * sizeof *parent->items);
    if (parent->kind == CV_NODE_MAP)
        parent->keys = cv_xrealloc(parent->keys, (parent->n + 1) * sizeof *parent->keys);
    parent->items[parent->n] = item;
    if (parent->kind == CV_NODE_MAP)
        parent->keys[parent->n] = key;
    parent->n++;
}

/* A recursive-descent builder over libyaml's event stream. */
typedef struct builder {
    yaml_parser_t p;
    const char *name;
    cv_err *err;
} builder;

static int next_event(builder *b, yaml_event_t *ev)
{
    if (yaml_parser_parse(&b->p, ev))
        return 0;
    cv_err_at(b->err, b->name, (int)b->p.problem_mark.line + 1, (int)b->p.problem_mark.column + 1,
              "YAML syntax error: %s%s%s", b->p.problem ? b->p.problem : "unknown problem",
              b->p.context ? " " : "", b->p.context ? b->p.context : "");
    return -1;
}

static cv_node *build(builder *b, yaml_event_t *ev, int depth);

static cv_node *build_children(builder *b, cv_node *n, yaml_event_type_t end, int depth)
{
    for (;;) {
        yaml_event_t ev;
        if (next_event(b, &ev) < 0)
            goto fail;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return n;
        }
        cv_node *key = NULL;
        if (n->kind == CV_NODE_MAP) {
            key = build(b, &ev, depth + 1);
            yaml_event_delete(&ev);
            if (!key)
                goto fail;
            if (key->kind != CV_NODE_SCALAR) {
                cv_err_at(b->err, b->name, key->line, key->col, "mapping keys must be plain words");
                cv_node_free(key);
                goto fail;
            }
            for (size_t i = 0; i < n->n; i++)
                if (!strcmp(n->keys[i]->value, key->value)) {
                    cv_err_at(b->err, b->name, key->line, key->col, "duplicate key '%s' (first at line %d)",
                              key->value, n->keys[i]->line);
                    cv_node_free(key);
                    goto fail;
                }
            if (next_event(b, &ev) < 0) {
                cv_node_free(key);
                goto fail;
            }
        }
        cv_node *item = build(b, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!item) {
            cv_node_free(key);
            goto fail;
        }
        node_push(n, key, item);
    }
fail:
    cv_node_free(n);
    return NULL;
}

static cv_node *build(builder *b, yaml_event_t *ev, int depth)
{
    const yaml_mark_t *m = &ev->start_mark;
    if (depth > MAX_DEPTH) {
        cv_err_at(b->err, b->name, (int)m->line + 1, (int)m->column + 1, "nesting deeper than %d levels", MAX_DEPTH);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        if (ev->data.scalar.anchor)
            break;
        cv_node *n = node_new(CV_NODE_SCALAR, m);
        n->value = cv_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return n;
    }
    case YAML_SEQUENCE_START_EVENT:
        if (ev->data.sequence_start.anchor)
            break;
        return build_children(b, node_new(CV_NODE_SEQ, m), YAML_SEQUENCE_END_EVENT, depth);
    case YAML_MAPPING_START_EVENT:
        if (ev->data.mapping_start.anchor)
            break;
        return build_children(b, node_new(CV_NODE_MAP, m), YAML_MAPPING_END_EVENT, depth);
    case YAML_ALIAS_EVENT:
        break;
    default:
        cv_err_at(b->err, b->name, (int)m->line + 1, (int)m->column + 1, "unexpected YAML event");
        return NULL;
    }
    cv_err_at(b->err, b->name, (int)m->line + 1, (int)m->column + 1,
              "YAML anchors and aliases (&, *) are not supported in configs");
    return NULL;
}

cv_node *cv_yaml_parse(const char *text, size_t len, const char *name, cv_err *err)
{
    builder b = {.name = name, .err = err};
    if (!yaml_parser_initialize(&b.p)) {
        cv_err_set(err, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&b.p, (const unsigned char *)text, len);
    cv_node *root = NULL;
    yaml_event_t ev;
    int docs = 0;
    for (;;) {
        if (next_event(&b, &ev) < 0)
            goto fail;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            cv_err_at(err, name, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                      "only one YAML document is allowed");
            yaml_event_delete(&ev);
            goto fail;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT ||
            t == YAML_ALIAS_EVENT) {
            root = build(&b, &ev, 0);
            yaml_event_delete(&ev);
            if (!root)
                goto fail;
            continue;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&b.p);
    if (!root)
        cv_err_at(err, name, 1, 1, "the file is empty");
    return root;
fail:
    cv_node_free(root);
    yaml_parser_delete(&b.p);
    return NULL;
}

cv_node *cv_node_get(const cv_node *map, const char *key)
{
    if (!map || map->kind != CV_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i]->value, key))
            return map->items[i];
    return NULL;
}

char *cv_path_join(const char *dir, const char *p)
{
    if (p[0] == '/' || !dir || !dir[0] || !strcmp(dir, "."))
        return cv_xstrdup(p);
    return cv_xasprintf("%s/%s", dir, p);
}

char *cv_read_file(const char *path, const char *what, size_t max, size_t *len, cv_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cv_err_set(err, "cannot open %s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = cv_xmalloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (max && n > max) {
            cv_err_set(err, "%s '%s' is larger than %zu bytes", what, path, max);
            fclose(f);
            free(buf);
            return NULL;
        }
        if (cap - n < 2)
            buf = cv_xrealloc(buf, cap *= 2);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        cv_err_set(err, "cannot read %s '%s'", what, path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int stage(cv_config *c, cv_node *n, cv_stage *out, const char *what, cv_err *err)
{
    if (n->kind == CV_NODE_SCALAR) {
        /* `- normalize` is shorthand for `- plugin: normalize` */
        out->plugin = n->value;
        out->node = n;
        return 0;
    }
    if (n->kind != CV_NODE_MAP) {
        cv_err_at(err, c->path, n->line, n->col, "a %s must be a mapping with a 'plugin:' key", what);
        return -1;
    }
    cv_node *p = cv_node_get(n, "plugin");
    if (!p || p->kind != CV_NODE_SCALAR || !p->value[0]) {
        cv_err_at(err, c->path, n->line, n->col, "this %s has no 'plugin: NAME'", what);
        return -1;
    }
    out->plugin = p->value;
    out->node = n;
    return 0;
}

static int stage_list(cv_config *c, cv_node *n, cv_stage **out, size_t *count, const char *what, cv_err *err)
{
    if (n->kind != CV_NODE_SEQ) {
        cv_err_at(err, c->path, n->line, n->col, "'%ss' must be a list", what);
        return -1;
    }
    *out = cv_xcalloc(n->n, sizeof **out);
    *count = n->n;
    for (size_t i = 0; i < n->n; i++)
        if (stage(c, n->items[i], &(*out)[i], what, err) < 0)
            return -1;
    return 0;
}

cv_config *cv_config_load(const char *path, cv_err *err)
{
    size_t len;
    char *text = cv_read_file(path, "config", MAX_CONFIG_BYTES, &len, err);
    if (!text)
        return NULL;
    cv_config *c = cv_config_parse(text, len, path, err);
    free(text);
    return c;
}

/* card: {pretty_name, license, description: strings; task_categories: a list}. */
static int card_check(const cv_node *n, const char *path, cv_err *err)
{
    static const char *const keys[] = {"pretty_name", "license", "description", "task_categories", NULL};
    if (n->kind != CV_NODE_MAP) {
        cv_err_at(err, path, n->line, n->col, "'card' must be a mapping (pretty_name, license, description, "
                                              "task_categories)");
        return -1;
    }
    for (size_t i = 0; i < n->n; i++) {
        const cv_node *k = n->keys[i], *v = n->items[i];
        size_t j = 0;
        while (keys[j] && strcmp(keys[j], k->value))
            j++;
        int list = keys[j] && !strcmp(keys[j], "task_categories");
        int ok = keys[j] && (list ? v->kind == CV_NODE_SEQ : v->kind == CV_NODE_SCALAR);
        for (size_t m = 0; ok && list && m < v->n; m++)
            ok = v->items[m]->kind == CV_NODE_SCALAR;
        if (!ok) {
            cv_err_at(err, path, k->line, k->col,
                      keys[j] ? "card: '%s' must be %s" : "card: unknown key '%s'%s (expected pretty_name, license, "
                                                          "description, task_categories)",
                      k->value, keys[j] ? (list ? "a list of strings" : "a string") : "");
            return -1;
        }
    }
    return 0;
}

int cv_parse_threads(const char *s)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    return *s && !*end && !errno && n >= 1 && n <= CV_THREADS_MAX ? (int)n : -1;
}

cv_config *cv_config_parse(const char *text, size_t len, const char *path, cv_err *err)
{
    cv_config *c = cv_xcalloc(1, sizeof *c);
    c->path = cv_xstrdup(path);
    const char *slash = strrchr(path, '/');
    c->dir = slash ? cv_xstrndup(path, (size_t)(slash - path) + (slash == path)) : cv_xstrdup(".");
    c->root = cv_yaml_parse(text, len, path, err);
    if (!c->root)
        goto fail;
    if (c->root->kind != CV_NODE_MAP) {
        cv_err_at(err, path, c->root->line, c->root->col, "the config must be a mapping (reader:, steps:, writers:)");
        goto fail;
    }
    static const char *const known[] = {"reader", "steps", "writers", "output", "threads", "on_error", "card", NULL};
    for (size_t i = 0; i < c->root->n; i++) {
        const cv_node *k = c->root->keys[i];
        size_t j = 0;
        while (known[j] && strcmp(known[j], k->value))
            j++;
        if (!known[j]) {
            cv_err_at(err, path, k->line, k->col,
                      "unknown top-level key '%s' (expected reader, steps, writers, output, threads, on_error, card)",
                      k->value);
            goto fail;
        }
    }
    cv_node *n = cv_node_get(c->root, "reader");
    if (!n) {
        cv_err_at(err, path, 1, 1, "the config has no 'reader:'");
        goto fail;
    }
    if (stage(c, n, &c->reader, "reader", err) < 0)
        goto fail;
    if ((n = cv_node_get(c->root, "steps")) && !(n->kind == CV_NODE_SCALAR && !n->value[0]) &&
        stage_list(c, n, &c->steps, &c->nsteps, "step", err) < 0)
        goto fail;
    n = cv_node_get(c->root, "writers");
    if (!n) {
        cv_err_at(err, path, 1, 1, "the config has no 'writers:'");
        goto fail;
    }
    if (stage_list(c, n, &c->writers, &c->nwriters, "writer", err) < 0)
        goto fail;
    if (c->nwriters == 0) {
        cv_err_at(err, path, n->line, n->col, "'writers' is empty: nothing would be written");
        goto fail;
    }
    if ((n = cv_node_get(c->root, "output"))) {
        if (n->kind != CV_NODE_SCALAR || !n->value[0]) {
            cv_err_at(err, path, n->line, n->col, "'output' must be a folder name");
            goto fail;
        }
        c->output = cv_path_join(c->dir, n->value);
    }
    if ((n = cv_node_get(c->root, "threads"))) {
        int t = n->kind == CV_NODE_SCALAR ? cv_parse_threads(n->value) : -1;
        if (t < 0) {
            cv_err_at(err, path, n->line, n->col, "'threads' must be a whole number from 1 to %d", CV_THREADS_MAX);
            goto fail;
        }
        c->threads = t;
    }
    if ((n = cv_node_get(c->root, "on_error"))) {
        if (n->kind != CV_NODE_SCALAR || (strcmp(n->value, "skip") && strcmp(n->value, "abort"))) {
            cv_err_at(err, path, n->line, n->col, "'on_error' must be 'skip' or 'abort'");
            goto fail;
        }
        c->on_error_abort = !strcmp(n->value, "abort");
    }
    if ((n = cv_node_get(c->root, "card")) && card_check(n, path, err) < 0)
        goto fail;
    c->card = n;
    return c;
fail:
    cv_config_free(c);
    return NULL;
}

void cv_config_free(cv_config *c)
{
    if (!c)
        return;
    cv_node_free(c->root);
    free(c->steps);
    free(c->writers);
    free(c->output);
    free(c->path);
    free(c->dir);
    free(c);
}
