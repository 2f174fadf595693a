/* hfdir.c -- see hfdir.h.  The card's `configs:` is the Hub's own way to
 * name a dataset's files; data/{split}-NNNNN-of-NNNNN.parquet its default
 * layout when there is none. */
#include "hfdir.h"

#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "yamlfile.h"

static void add(hf_files *f, const char *path, const char *split)
{
    XGROW(f->v, f->cap, f->n + 1);
    f->v[f->n].path = xstrdup(path);
    f->v[f->n].split = split ? xstrdup(split) : NULL;
    f->n++;
}

void hf_files_free(hf_files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].path);
        free(f->v[i].split);
    }
    free(f->v);
    *f = (hf_files){0};
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* {split}-NNNNN-of-NNNNN.parquet: the split, into out; 0 when the name is not so. */
static int hub_split(const char *path, char *out, size_t outlen)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *of = strstr(base, "-of-");
    if (!of || !ends_with(base, ".parquet"))
        return 0;
    const char *q = of + 4;
    while (isdigit((unsigned char)*q))
        q++;
    if (q == of + 4 || strcmp(q, ".parquet"))
        return 0;
    const char *p = of;
    while (p > base && isdigit((unsigned char)p[-1]))
        p--;
    if (p == of || p - 1 <= base || p[-1] != '-')
        return 0;
    size_t n = (size_t)(p - 1 - base);
    if (n >= outlen)
        return 0;
    memcpy(out, base, n);
    out[n] = '\0';
    return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every *.parquet under dir, sorted, into *list. */
static int walk(const char *dir, char ***list, size_t *n, size_t *cap, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 16) {
        if (d)
            closedir(d);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(len);
        if (!p)
            break;
        snprintf(p, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(p, list, n, cap, depth + 1);
            free(p);
        } else if (ends_with(e->d_name, ".parquet")) {
            XGROW(*list, *cap, *n + 1);
            (*list)[(*n)++] = p;
        } else {
            free(p);
        }
    }
    closedir(d);
    return 0;
}

static int add_glob(hf_files *f, const char *dir, const char *pattern, const char *split)
{
    char *full = malloc(strlen(dir) + strlen(pattern) + 2);
    if (!full)
        return -1;
    sprintf(full, "%s/%s", dir, pattern);
    glob_t g;
    int rc = glob(full, 0, NULL, &g);
    free(full);
    if (rc == GLOB_NOMATCH)
        return 0;
    if (rc)
        return -1;
    for (size_t i = 0; i < g.gl_pathc; i++)
        add(f, g.gl_pathv[i], split);
    globfree(&g);
    return 0;
}

/* data_files: "glob", ["glob"...], or [{split, path: glob | [globs]}...]. */
static int config_files(hf_files *f, const char *dir, const json_t *files)
{
    if (json_is_string(files))
        return add_glob(f, dir, json_string_value(files), "train");
    size_t i;
    json_t *e;
    json_array_foreach(files, i, e)
    {
        if (json_is_string(e)) {
            if (add_glob(f, dir, json_string_value(e), "train") < 0)
                return -1;
            continue;
        }
        const char *split = json_string_value(json_object_get(e, "split"));
        const json_t *path = json_object_get(e, "path");
        if (json_is_string(path) && add_glob(f, dir, json_string_value(path), split ? split : "train") < 0)
            return -1;
        size_t k;
        json_t *p;
        json_array_foreach(path, k, p) if (json_is_string(p) &&
                                           add_glob(f, dir, json_string_value(p), split ? split : "train") < 0) return -1;
    }
    return 0;
}

/* The card's front matter as JSON, or NULL when there is none. */
static json_t *card(const char *dir, char *why, size_t whylen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/README.md", dir);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *text = malloc(1 << 20);
    size_t n = text ? fread(text, 1, (1 << 20) - 1, fp) : 0;
    fclose(fp);
    if (!text)
        return NULL;
    text[n] = '\0';
    json_t *out = NULL;
    if (!strncmp(text, "---\n", 4)) {
        char *end = strstr(text + 3, "\n---");
        if (end) {
            char err[256];
            out = yaml_text_load(path, (const unsigned char *)text + 4, (size_t)(end + 1 - (text + 4)), err,
                                 sizeof err);
            if (!out)
                snprintf(why, whylen, "%s", err);
        }
    }
    free(text);
    return out;
}

static int parquet_config(const json_t *c)
{
    const json_t *files = json_object_get(c, "data_files");
    char *s = json_dumps(files, JSON_ENCODE_ANY | JSON_COMPACT);
    int yes = s && strstr(s, ".parquet") != NULL;
    free(s);
    return yes;
}

static int from_card(const char *dir, const char *config, hf_files *f, char *why, size_t whylen)
{
    json_t *meta = card(dir, why, whylen);
    if (!meta)
        return why[0] ? -1 : 0;
    const json_t *configs = json_object_get(meta, "configs"), *pick = NULL;
    size_t i;
    json_t *c;
    if (config) {
        json_array_foreach(configs, i, c) if (!pick && !strcmp(json_string_value(json_object_get(c, "config_name"))
                                                                   ? json_string_value(json_object_get(c, "config_name"))
                                                                   : "",
                                                               config)) pick = c;
        if (!pick) {
            snprintf(why, whylen, "'%s': its card has no config '%s'", dir, config);
            json_decref(meta);
            return -1;
        }
    } else {
        json_array_foreach(configs, i, c) if (!pick && parquet_config(c) &&
                                              (json_is_true(json_object_get(c, "default")) ||
                                               !strcmp(json_string_value(json_object_get(c, "default")) ? json_string_value(json_object_get(c, "default")) : "", "true"))) pick = c;
        json_array_foreach(configs, i, c) if (!pick && parquet_config(c)) pick = c;
    }
    int rc = pick ? config_files(f, dir, json_object_get(pick, "data_files")) : 0;
    json_decref(meta);
    if (rc < 0)
        snprintf(why, whylen, "'%s': cannot list the files its card names", dir);
    return rc < 0 ? -1 : pick ? 1 : 0;
}

int hf_files_find(const char *path, const char *config, hf_files *out, char *why, size_t whylen)
{
    *out = (hf_files){0};
    why[0] = '\0';
    struct stat st;
    if (!path || stat(path, &st) < 0) {
        snprintf(why, whylen, "cannot read '%s': no such file or folder", path ? path : "");
        return -1;
    }
    char split[256];
    if (!S_ISDIR(st.st_mode)) {
        add(out, path, hub_split(path, split, sizeof split) ? split : NULL);
        return 0;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dir[--dl] = '\0';
    int rc = from_card(dir, config, out, why, whylen);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        char sub[4200], **list = NULL;
        size_t n = 0, cap = 0;
        snprintf(sub, sizeof sub, "%s/data", dir);
        int in_data = stat(sub, &st) == 0 && S_ISDIR(st.st_mode);
        if (in_data)
            walk(sub, &list, &n, &cap, 0);
        else { /* the folder's own *.parquet: {split}.parquet, as the writer names them */
            DIR *d = opendir(dir);
            struct dirent *e;
            while (d && (e = readdir(d)))
                if (ends_with(e->d_name, ".parquet") && e->d_name[0] != '.') {
                    XGROW(list, cap, n + 1);
                    size_t len = dl + strlen(e->d_name) + 2;
                    list[n] = malloc(len);
                    if (!list[n])
                        break;
                    snprintf(list[n++], len, "%s/%s", dir, e->d_name);
                }
            if (d)
                closedir(d);
        }
        if (n)
            qsort(list, n, sizeof *list, cmp_str);
        for (size_t i = 0; i < n; i++) {
            const char *s = NULL;
            if (hub_split(list[i], split, sizeof split)) {
                s = split;
            } else if (!in_data) {
                const char *base = strrchr(list[i], '/') + 1;
                size_t k = strlen(base) - strlen(".parquet");
                if (k < sizeof split) {
                    memcpy(split, base, k);
                    split[k] = '\0';
                    s = split;
                }
            }
            add(out, list[i], s);
            free(list[i]);
        }
        free(list);
    }
    if (out->n == 0) {
        snprintf(why, whylen, "'%s': a folder with no Parquet files (no card config, data/ or *.parquet)", path);
        return -1;
    }
    return 0;
}
