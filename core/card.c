/* card.c -- the dataset card: README.md with Hugging Face front matter.
 *
 * Everything comes from the report (report.c), so a run and a merge of
 * shard runs write the card the same way.  The Hub loads a folder by the
 * `configs:` of its card: one config per writer whose files it can read
 * (by extension: Parquet, JSON Lines, CSV), each split a list of files. */
#include "card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define put cv_sb_printf
#define MAX_FILES 60 /* rows of the file table; a merge of many shards lists the rest in the configs */

/* A YAML double-quoted scalar. */
static void yaml_str(cv_sb *b, const char *s)
{
    put(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            put(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            put(b, "\\x%02x", (unsigned char)*s);
        else
            put(b, "%c", *s);
    }
    put(b, "\"");
}

/* Markdown table cell: pipes and line breaks would end the cell. */
static void md_cell(cv_sb *b, const char *s)
{
    for (; *s; s++)
        if (*s == '|')
            put(b, "\\|");
        else
            put(b, "%c", *s == '\n' ? ' ' : *s);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && !strcmp(s + n - m, tail);
}

/* The Hub's name for the format of a file, NULL when it cannot load it. */
static const char *hub_format(const char *path)
{
    static const char *const exts[][2] = {{".parquet", "parquet"}, {".jsonl", "jsonl"},     {".jsonl.gz", "jsonl"},
                                          {".jsonl.zst", "jsonl"}, {".json", "jsonl"},      {".csv", "csv"},
                                          {".csv.gz", "csv"},      {".csv.zst", "csv"}};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_with(path, exts[i][0]))
            return exts[i][1];
    return NULL;
}

/* Splits in the order people read them: train, validation, test, then the rest by name. */
static int split_rank(const char *s)
{
    return !strcmp(s, "train") ? 0 : !strcmp(s, "validation") ? 1 : !strcmp(s, "test") ? 2 : 3;
}

static int by_split(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int d = split_rank(x) - split_rank(y);
    return d ? d : strcmp(x, y);
}

/* The keys of obj, splits first as by_split orders them; free() the array. */
static const char **split_keys(const json_t *obj, size_t *n)
{
    *n = json_object_size(obj);
    const char **keys = cv_xcalloc(*n + 1, sizeof *keys);
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) keys[i++] = key;
    qsort(keys, *n, sizeof *keys, by_split);
    return keys;
}

static const char *size_category(json_int_t n)
{
    static const struct { json_int_t below; const char *name; } cats[] = {
        {1000LL, "n<1K"},          {10000LL, "1K<n<10K"},          {100000LL, "10K<n<100K"},
        {1000000LL, "100K<n<1M"},  {10000000LL, "1M<n<10M"},       {100000000LL, "10M<n<100M"},
        {1000000000LL, "100M<n<1B"}, {10000000000LL, "1B<n<10B"},  {100000000000LL, "10B<n<100B"},
        {1000000000000LL, "100B<n<1T"},
    };
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        if (n < cats[i].below)
            return cats[i].name;
    return "n>1T";
}

static const char *str_or(const json_t *v, const char *fallback)
{
    return json_is_string(v) ? json_string_value(v) : fallback;
}

/* The writers' loadable files as Hub configs: [{name, writer, splits: {split: [paths]}}]. */
static json_t *hub_configs(const json_t *outputs)
{
    json_t *configs = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(outputs, i, o) {
        const char *path = str_or(json_object_get(o, "path"), NULL), *fmt = path ? hub_format(path) : NULL;
        json_int_t writer = json_integer_value(json_object_get(o, "writer"));
        if (!fmt || writer <= 0)
            continue;
        json_t *c = NULL;
        size_t k, same_format = 0;
        json_t *e;
        json_array_foreach(configs, k, e) {
            if (json_integer_value(json_object_get(e, "writer")) == writer)
                c = e;
            else if (!strcmp(json_string_value(json_object_get(e, "format")), fmt))
                same_format++;
        }
        if (!c) {
            char name[64];
            snprintf(name, sizeof name, same_format ? "%s_%zu" : "%s", fmt, same_format + 1);
            c = json_pack("{s:s, s:s, s:I, s:o}", "name", name, "format", fmt, "writer", writer, "splits",
                          json_object());
            json_array_append_new(configs, c);
        }
        const char *split = str_or(json_object_get(o, "split"), "train");
        json_t *splits = json_object_get(c, "splits"), *list = json_object_get(splits, split);
        if (!list)
            json_object_set_new(splits, split, list = json_array());
        json_array_append_new(list, json_string(path));
    }
    return configs;
}

static int by_count_desc(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t d = json_integer_value(json_array_get(y, 1)) - json_integer_value(json_array_get(x, 1));
    return d > 0 ? 1 : d < 0 ? -1 : strcmp(json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(y, 0)));
}

/* An object of counts as [[key, count]...], largest first. */
static json_t **sorted_counts(const json_t *obj, size_t *n)
{
    *n = json_object_size(obj);
    json_t **v = cv_xcalloc(*n + 1, sizeof *v);
    size_t i = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) v[i++] = json_pack("[s, I]", key, json_integer_value(val));
    qsort(v, *n, sizeof *v, by_count_desc);
    return v;
}

static void free_counts(json_t **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(v[i]);
    free(v);
}

static void stage_line(cv_sb *b, const json_t *stage)
{
    put(b, "`%s`", str_or(json_object_get(stage, "plugin"), "?"));
    const char *key;
    json_t *v;
    int first = 1;
    json_object_foreach((json_t *)stage, key, v) {
        if (!strcmp(key, "plugin"))
            continue;
        char *text = json_is_string(v) ? cv_xstrdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT);
        put(b, "%s%s: `%s`", first ? " (" : ", ", key, text ? text : "");
        free(text);
        first = 0;
    }
    put(b, "%s", first ? "" : ")");
}

static void front_matter(cv_sb *b, const json_t *rep, const json_t *configs, const char *title)
{
    const json_t *pipe = json_object_get(rep, "pipeline"), *card = json_object_get(pipe, "card");
    put(b, "---\npretty_name: ");
    yaml_str(b, title);
    put(b, "\n");
    if (json_is_string(json_object_get(card, "license")))
        put(b, "license: %s\n", json_string_value(json_object_get(card, "license")));
    size_t n;
    json_t **langs = sorted_counts(json_object_get(rep, "written_by_lang"), &n);
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code = json_string_value(json_array_get(langs[i], 0));
        if (!strcmp(code, "und")) /* undetermined: no language to declare */
            continue;
        put(b, "%s- ", any ? "" : "language:\n");
        yaml_str(b, code);
        put(b, "\n");
        any = 1;
    }
    free_counts(langs, n);
    put(b, "task_categories:\n");
    const json_t *tasks = json_object_get(card, "task_categories");
    if (json_array_size(tasks)) {
        size_t i;
        json_t *t;
        json_array_foreach((json_t *)tasks, i, t) put(b, "- %s\n", json_string_value(t));
    } else {
        /* a corpus of text; token-level files make it a tagging set as well */
        int tokens = 0;
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(pipe, "writers"), i, w) tokens |=
            !strcmp(str_or(json_object_get(w, "plugin"), ""), "conll");
        put(b, "- text-generation\n%s", tokens ? "- token-classification\n" : "");
    }
    put(b, "size_categories:\n- %s\n", size_category(json_integer_value(json_object_get(rep, "written"))));
    if (json_array_size(configs)) {
        put(b, "configs:\n");
        size_t i, dflt = 0;
        json_t *c;
        json_array_foreach((json_t *)configs, i, c) if (!strcmp(json_string_value(json_object_get(c, "format")),
                                                                 "parquet")) { dflt = i; break; }
        json_array_foreach((json_t *)configs, i, c) {
            put(b, "- config_name: %s\n", json_string_value(json_object_get(c, "name")));
            if (i == dflt)
                put(b, "  default: true\n");
            put(b, "  data_files:\n");
            const json_t *splits = json_object_get(c, "splits");
            size_t nsplits;
            const char **names = split_keys(splits, &nsplits);
            for (size_t s = 0; s < nsplits; s++) {
                json_t *paths = json_object_get(splits, names[s]);
                put(b, "  - split: %s\n    path:\n", names[s]);
                size_t k;
                json_t *p;
                json_array_foreach(paths, k, p) {
                    put(b, "    - ");
                    yaml_str(b, json_string_value(p));
                    put(b, "\n");
                }
            }
            free(names);
        }
    }
    put(b, "---\n\n");
}

char *cv_card_markdown(const json_t *rep)
{
    cv_sb b = {0};
    const json_t *pipe = json_object_get(rep, "pipeline"), *card = json_object_get(pipe, "card");
    const char *config = str_or(json_object_get(pipe, "config"), "the config");
    /* pretty_name: as set, else the config's file name without folder and extension */
    const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
    char *stem = cv_xstrdup(base);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    const char *title = str_or(json_object_get(card, "pretty_name"), stem);
    json_t *configs = hub_configs(json_object_get(rep, "outputs"));
    front_matter(&b, rep, configs, title);

    put(&b, "# %s\n\n", title);
    if (json_is_string(json_object_get(card, "description")))
        put(&b, "%s\n\n", json_string_value(json_object_get(card, "description")));
    const json_t *reader = json_object_get(pipe, "reader");
    put(&b, "Made by convert from `%s` (reader `%s`) with `%s`",
        str_or(json_object_get(pipe, "input"), "its input"), str_or(json_object_get(reader, "plugin"), "?"), config);
    const json_t *shard = json_object_get(pipe, "shard");
    if (shard)
        put(&b, ", shard %lld of %lld", (long long)json_integer_value(json_object_get(shard, "k")),
            (long long)json_integer_value(json_object_get(shard, "n")));
    put(&b, ". Of %lld documents read, %lld were written and %lld dropped, each with its reason.\n\n",
        (long long)json_integer_value(json_object_get(rep, "read")),
        (long long)json_integer_value(json_object_get(rep, "written")),
        (long long)json_integer_value(json_object_get(rep, "dropped")));

    put(&b, "## Splits\n\n| split | documents | bytes of text |\n|---|---:|---:|\n");
    const json_t *splits = json_object_get(rep, "written_by_split");
    size_t nsplits;
    const char **names = split_keys(splits, &nsplits);
    for (size_t k = 0; k < nsplits; k++) {
        const json_t *v = json_object_get(splits, names[k]);
        put(&b, "| %s | %lld | %lld |\n", names[k], (long long)json_integer_value(json_object_get(v, "documents")),
            (long long)json_integer_value(json_object_get(v, "bytes")));
    }
    free(names);
    if (json_object_get(rep, "tokens")) { /* the tokenize step's counts */
        put(&b, "\nTokens (metadata.tokens): **%lld** in all", (long long)json_integer_value(json_object_get(rep, "tokens")));
        const json_t *ts = json_object_get(rep, "tokens_by_split"), *tl = json_object_get(rep, "tokens_by_lang");
        const char **tn = split_keys(ts, &nsplits);
        for (size_t k = 0; k < nsplits; k++)
            put(&b, "%s %s %lld", k ? "," : ";", tn[k], (long long)json_integer_value(json_object_get(ts, tn[k])));
        free(tn);
        size_t nl;
        json_t **langs = sorted_counts(tl, &nl);
        for (size_t k = 0; k < nl; k++)
            put(&b, "%s %s %lld", k ? "," : "; by language:", json_string_value(json_array_get(langs[k], 0)),
                (long long)json_integer_value(json_array_get(langs[k], 1)));
        free_counts(langs, nl);
        put(&b, ".\n");
    }
    if (json_array_size(configs)) {
        size_t k, dflt = 0;
        json_t *c;
        json_array_foreach(configs, k, c) if (!strcmp(json_string_value(json_object_get(c, "format")), "parquet")) {
            dflt = k;
            break;
        }
        put(&b, "\nLoad it with `datasets.load_dataset(\"<this folder>\", \"%s\")`; the configs above list each "
                "split's files.\n",
            json_string_value(json_object_get(json_array_get(configs, dflt), "name")));
    }

    put(&b, "\n## Pipeline\n\n");
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(pipe, "steps"), i, st) {
        put(&b, "%zu. ", i + 1);
        stage_line(&b, st);
        put(&b, "\n");
    }
    if (!json_array_size(json_object_get(pipe, "steps")))
        put(&b, "No steps: the documents as read.\n");
    put(&b, "\nWriters: ");
    json_array_foreach(json_object_get(pipe, "writers"), i, st) {
        put(&b, "%s", i ? "; " : "");
        stage_line(&b, st);
    }
    put(&b, ".\n\n## What was dropped\n\n");
    size_t n;
    json_t **drops = sorted_counts(json_object_get(rep, "dropped_by_reason"), &n);
    if (!n)
        put(&b, "Nothing: every document read was written.\n");
    else
        put(&b, "| reason | documents |\n|---|---:|\n");
    for (size_t k = 0; k < n; k++) {
        put(&b, "| `");
        md_cell(&b, json_string_value(json_array_get(drops[k], 0)));
        put(&b, "` | %lld |\n", (long long)json_integer_value(json_array_get(drops[k], 1)));
    }
    free_counts(drops, n);
    put(&b, "\n`dropped.jsonl` names every dropped document and why; `report.json` has every count.\n");

    json_t **langs = sorted_counts(json_object_get(rep, "written_by_lang"), &n);
    if (n) {
        json_int_t written = json_integer_value(json_object_get(rep, "written"));
        put(&b, "\n## Languages\n\n| language | documents | share |\n|---|---:|---:|\n");
        for (size_t k = 0; k < n; k++) {
            json_int_t c = json_integer_value(json_array_get(langs[k], 1));
            put(&b, "| %s | %lld | %.1f%% |\n", json_string_value(json_array_get(langs[k], 0)), (long long)c,
                written ? 100.0 * (double)c / (double)written : 0.0);
        }
    }
    free_counts(langs, n);

    put(&b, "\n## Files\n\n| file | written by | split |\n|---|---|---|\n");
    json_t *v;
    json_array_foreach(json_object_get(rep, "outputs"), i, v) {
        if (i == MAX_FILES) {
            put(&b, "| and %zu more | | |\n", json_array_size(json_object_get(rep, "outputs")) - MAX_FILES);
            break;
        }
        put(&b, "| `");
        md_cell(&b, str_or(json_object_get(v, "path"), "?"));
        put(&b, "` | %s | %s |\n", str_or(json_object_get(v, "plugin"), "?"), str_or(json_object_get(v, "split"), "-"));
    }
    put(&b, "| `report.json`, `report.html` | convert | - |\n| `dropped.jsonl` | convert | - |\n");
    json_decref(configs);
    free(stem);
    return b.p;
}
