/* yamlfile.c -- YAML data files for plugins: libyaml's document loader to jansson. */
#include "yamlfile.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

static json_t *convert(yaml_document_t *doc, yaml_node_t *n, int depth)
{
    if (!n || depth > 64)
        return NULL;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return json_stringn((const char *)n->data.scalar.value, n->data.scalar.length);
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            json_t *v = convert(doc, yaml_document_get_node(doc, *it), depth + 1);
            if (!v)
                return json_decref(a), NULL;
            json_array_append_new(a, v);
        }
        return a;
    }
    case YAML_MAPPING_NODE: {
        json_t *o = json_object();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            json_t *v = convert(doc, yaml_document_get_node(doc, p->value), depth + 1);
            if (!k || k->type != YAML_SCALAR_NODE || !v)
                return json_decref(v), json_decref(o), NULL;
            json_object_set_new(o, (const char *)k->data.scalar.value, v);
        }
        return o;
    }
    default:
        return NULL;
    }
}

/* Aliases would let a small file expand into a huge one: refuse them up front. */
static int has_alias(const unsigned char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int found = 0, done = 0;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, text, len);
    while (!done && !found && yaml_parser_parse(&p, &ev)) {
        found = ev.type == YAML_ALIAS_EVENT;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return found;
}

json_t *yaml_text_load(const char *name, const unsigned char *text, size_t len, char *err, size_t errlen)
{
    if (has_alias(text, len)) {
        snprintf(err, errlen, "%s: YAML anchors and aliases are not supported", name);
        return NULL;
    }
    yaml_parser_t p;
    yaml_document_t doc;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, text, len);
    json_t *out = NULL;
    if (!yaml_parser_load(&p, &doc)) {
        snprintf(err, errlen, "%s:%zu:%zu: YAML syntax error: %s", name, p.problem_mark.line + 1,
                 p.problem_mark.column + 1, p.problem ? p.problem : "?");
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        out = root ? convert(&doc, root, 0) : json_object();
        if (!out)
            snprintf(err, errlen, "%s: unsupported YAML (complex keys or nesting deeper than 64)", name);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&p);
    return out;
}

json_t *yaml_file_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 0 || size > (64L << 20)) {
        fclose(f);
        snprintf(err, errlen, "%s: not a readable file under 64 MiB", path);
        return NULL;
    }
    unsigned char *text = malloc((size_t)size + 1);
    size_t got = text ? fread(text, 1, (size_t)size, f) : 0;
    fclose(f);
    if (!text || got != (size_t)size) {
        free(text);
        snprintf(err, errlen, "%s: cannot read", path);
        return NULL;
    }
    json_t *out = yaml_text_load(path, text, got, err, errlen);
    free(text);
    return out;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_yaml(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

int yaml_paths(const char *path, char ***out)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    char **v = calloc(2, sizeof *v);
    size_t n = 0;
    if (!v)
        return -1;
    if (S_ISREG(st.st_mode)) {
        v[n++] = strdup(path);
    } else if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            free(v);
            return -1;
        }
        for (struct dirent *e; (e = readdir(d));) {
            if (!is_yaml(e->d_name) || e->d_name[0] == '.')
                continue;
            char **nv = xrealloc(v, (n + 2) * sizeof *v);
            v = nv;
            size_t len = strlen(path) + strlen(e->d_name) + 2;
            v[n] = malloc(len);
            snprintf(v[n++], len, "%s/%s", path, e->d_name);
        }
        closedir(d);
        qsort(v, n, sizeof *v, cmp);
    } else {
        free(v);
        return -1;
    }
    v[n] = NULL;
    *out = v;
    return (int)n;
}

void paths_free(char **paths)
{
    for (size_t i = 0; paths && paths[i]; i++)
        free(paths[i]);
    free(paths);
}
