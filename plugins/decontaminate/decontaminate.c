/* decontaminate.c -- step: drops (or marks) documents that hold a passage of
 * an evaluation benchmark, so a model is not trained on its test.
 *
 * The benchmark files (JSON Lines, .gz too) are read once per process into
 * an n-gram index (ngram.h) that the step's instances share (shared.h). */
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "convert/plugin.h"
#include "ngram.h"
#include "shared.h"
#include "util.h"

typedef struct dc_opts {
    cv_strlist benchmarks, fields;
    const char *dir, *mode, *key, *malformed;
    int64_t ngram, min_words;
} dc_opts;

static const cv_optmap optmap[] = {
    {.key = "benchmarks", .type = CV_OPT_LIST, .required = 1,
     .help = "benchmark files, JSON Lines (.jsonl, .jsonl.gz), one item a line", .offset = offsetof(dc_opts, benchmarks)},
    {.key = "benchmarks_dir", .type = CV_OPT_PATH, .default_value = ".",
     .help = "folder that relative benchmark paths are in (default: the config's)", .offset = offsetof(dc_opts, dir)},
    {.key = "fields", .type = CV_OPT_LIST, .default_value = "[text]",
     .help = "the fields of an item that hold its text (strings or lists of strings)", .offset = offsetof(dc_opts, fields)},
    {.key = "ngram", .type = CV_OPT_INT, .default_value = "13", .help = "words per n-gram (GPT-3 and NeMo Curator use 13)",
     .offset = offsetof(dc_opts, ngram), .min = 1, .max = NG_MAX_N},
    {.key = "min_words", .type = CV_OPT_INT, .default_value = "8",
     .help = "items shorter than ngram are matched whole if they have this many words",
     .offset = offsetof(dc_opts, min_words), .min = 1, .max = 1000000},
    {.key = "mode", .type = CV_OPT_STRING, .default_value = "drop", .choices = "drop|annotate",
     .help = "drop: drop as decontaminate:<benchmark>; annotate: keep and set metadata", .offset = offsetof(dc_opts, mode)},
    {.key = "key", .type = CV_OPT_STRING, .default_value = "contamination", .help = "metadata key that annotate sets",
     .offset = offsetof(dc_opts, key)},
    {.key = "malformed", .type = CV_OPT_STRING, .default_value = "count", .choices = "count|error",
     .help = "a line that is not a JSON object: count (and skip) or error naming file and line",
     .offset = offsetof(dc_opts, malformed)},
    {0},
};

typedef struct dc_index {
    ng_index ng;
    char **bench; /* names: file names without .jsonl/.gz */
    char **file;  /* as given, for details */
    size_t nbench;
} dc_index;

typedef struct dc_conf {
    const cv_host *host;
    cv_ctx *ctx;
    const char *dir;
    const char *const *paths;
    size_t npaths;
    const char *const *fields;
    size_t nfields;
    int ngram, min_words, strict;
} dc_conf;

static void free_index(void *p)
{
    dc_index *x = p;
    ng_free(&x->ng);
    for (size_t i = 0; i < x->nbench; i++) {
        free(x->bench[i]);
        free(x->file[i]);
    }
    free(x->bench);
    free(x->file);
    free(x);
}

/* A field's text: a string, or the strings of a list joined by spaces. */
static void field_text(json_t *v, cv_buf *out)
{
    if (json_is_string(v)) {
        if (out->len)
            buf_addc(out, ' ');
        buf_add(out, json_string_value(v), json_string_length(v));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (json_is_string(e)) field_text(e, out);
    }
}

static char *snippet(const char *s, size_t len)
{
    size_t n = len < 100 ? len : 100;
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *r = malloc(n + 4);
    if (!r)
        abort();
    memcpy(r, s, n);
    strcpy(r + n, n < len ? "..." : "");
    for (size_t i = 0; i < n; i++)
        if (r[i] == '\n' || r[i] == '\t' || r[i] == '\r')
            r[i] = ' ';
    return r;
}

static char *bench_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *name = strdup(b);
    static const char *const ext[] = {".gz", ".jsonl", ".json", ".ndjson"};
    for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++) {
        size_t n = strlen(name), e = strlen(ext[k]);
        if (n > e && !strcmp(name + n - e, ext[k]))
            name[n - e] = '\0';
    }
    return name;
}

/* One line of a file at a time, any length. */
static char *read_line(gzFile f, cv_buf *line)
{
    line->len = 0;
    buf_reserve(line, 4096);
    for (;;) {
        if (!gzgets(f, line->p + line->len, (int)(line->cap - line->len)))
            return line->len ? line->p : NULL;
        line->len += strlen(line->p + line->len);
        if (line->len && line->p[line->len - 1] == '\n')
            return line->p;
        buf_reserve(line, line->cap); /* no newline yet: a longer line */
    }
}

static int load_file(dc_index *x, const dc_conf *c, const char *path, uint32_t b, uint64_t *stats, char *err,
                     size_t cap)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "benchmark %s: %s", path, strerror(errno ? errno : ENOENT));
        return -1;
    }
    gzbuffer(f, 1 << 16);
    cv_buf line = {0}, text = {0};
    uint64_t *words = NULL;
    size_t wcap = 0;
    char *wbuf = NULL;
    size_t wbcap = 0;
    int rc = 0;
    uint32_t lineno = 0;
    while (read_line(f, &line)) {
        lineno++;
        size_t l = line.len;
        while (l && (line.p[l - 1] == '\n' || line.p[l - 1] == '\r' || line.p[l - 1] == ' '))
            l--;
        if (!l)
            continue;
        json_error_t je;
        json_t *o = json_loadb(line.p, l, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            if (c->strict) {
                snprintf(err, cap, "%s:%u: not a JSON object%s%s (malformed: error)", path, lineno,
                         o ? "" : ": ", o ? "" : je.text);
                rc = -1;
                break;
            }
            stats[0]++; /* malformed */
            continue;
        }
        text.len = 0;
        for (size_t i = 0; i < c->nfields; i++)
            field_text(json_object_get(o, c->fields[i]), &text);
        json_decref(o);
        if (!text.len) {
            stats[1]++; /* no text in the named fields */
            continue;
        }
        size_t nw = 0, pos = 0;
        uint64_t w;
        while ((w = ng_next_word(text.p, text.len, &pos, &wbuf, &wbcap))) {
            XGROW(words, wcap, nw + 1);
            words[nw++] = w;
        }
        if (nw < (size_t)c->ngram && nw < (size_t)c->min_words) {
            stats[2]++; /* too short to tell */
            continue;
        }
        if (x->ng.nrows == UINT32_MAX) {
            snprintf(err, cap, "%s:%u: more than 4 billion benchmark rows", path, lineno);
            rc = -1;
            break;
        }
        XGROW(x->ng.row, x->ng.rowcap, x->ng.nrows + 1);
        x->ng.row[x->ng.nrows] = (ng_row){b, lineno, snippet(text.p, text.len)};
        ng_add_item(&x->ng, words, nw, (uint32_t)x->ng.nrows);
        x->ng.nrows++;
        stats[3]++; /* items */
    }
    int zerr;
    const char *zmsg = gzerror(f, &zerr);
    if (!rc && zerr != Z_OK && zerr != Z_STREAM_END) {
        snprintf(err, cap, "benchmark %s: %s", path, zerr == Z_ERRNO ? strerror(errno) : zmsg);
        rc = -1;
    }
    gzclose(f);
    buf_free(&line);
    buf_free(&text);
    free(words);
    free(wbuf);
    return rc;
}

static void *build(void *p, char *err, size_t cap)
{
    dc_conf *c = p;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dc_index *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    ng_init(&x->ng, c->ngram);
    x->bench = calloc(c->npaths, sizeof *x->bench);
    x->file = calloc(c->npaths, sizeof *x->file);
    uint64_t stats[4] = {0};
    for (size_t i = 0; i < c->npaths; i++) {
        const char *given = c->paths[i];
        char *path = given[0] == '/' ? strdup(given) : NULL;
        if (!path && asprintf(&path, "%s/%s", c->dir, given) < 0)
            abort();
        x->bench[i] = bench_name(given);
        x->file[i] = strdup(given);
        x->nbench++;
        int rc = load_file(x, c, path, (uint32_t)i, stats, err, cap);
        free(path);
        if (rc < 0) {
            free_index(x);
            return NULL;
        }
    }
    ng_finish(&x->ng);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const cv_host *h = c->host;
    h->log(c->ctx, CV_LOG_INFO, "%llu items of %zu benchmarks: %zu n-grams, %.2f s, %.1f MB",
           (unsigned long long)stats[3], c->npaths, x->ng.n,
           (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, (double)ng_bytes(&x->ng) / (1 << 20));
    if (stats[0]) {
        h->log(c->ctx, CV_LOG_WARN, "%llu benchmark lines are not JSON objects: skipped (malformed: error to stop)",
               (unsigned long long)stats[0]);
        h->count(c->ctx, "malformed_benchmark_lines", stats[0]);
    }
    if (stats[1])
        h->count(c->ctx, "benchmark_rows_without_fields", stats[1]);
    if (stats[2])
        h->count(c->ctx, "benchmark_rows_too_short", stats[2]);
    if (!stats[3])
        h->log(c->ctx, CV_LOG_WARN, "no benchmark item has text in the fields named: nothing will match");
    return x;
}

typedef struct decon {
    const cv_host *host;
    cv_ctx *ctx;
    dc_index *index;
    int annotate;
    const char *key;
    char *buf;
    size_t cap;
} decon;

static void *decontaminate_create(const cv_host *h, cv_ctx *ctx)
{
    decon *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->host = h;
    d->ctx = ctx;
    dc_opts o;
    h->opt_load(ctx, &o);
    dc_conf c = {.host = h, .ctx = ctx, .dir = o.dir, .paths = o.benchmarks.items, .npaths = o.benchmarks.n,
                 .fields = o.fields.items, .nfields = o.fields.n, .ngram = (int)o.ngram, .min_words = (int)o.min_words,
                 .strict = !strcmp(o.malformed, "error")};
    d->key = o.key;
    d->annotate = !strcmp(o.mode, "annotate");
    cv_buf key = {0};
    buf_adds(&key, c.dir);
    for (size_t i = 0; i < c.npaths; i++) {
        buf_addc(&key, '\x1f');
        buf_adds(&key, c.paths[i]);
    }
    buf_addc(&key, '\x1e');
    for (size_t i = 0; i < c.nfields; i++) {
        buf_addc(&key, '\x1f');
        buf_adds(&key, c.fields[i]);
    }
    char err[1024] = "";
    if (!c.npaths)
        snprintf(err, sizeof err, "benchmarks: name at least one file");
    else if (!c.nfields)
        snprintf(err, sizeof err, "fields: name at least one field");
    if (!err[0]) {
        buf_addc(&key, '\x1e');
        buf_add_uint(&key, (uint64_t)c.ngram);
        buf_addc(&key, ',');
        buf_add_uint(&key, (uint64_t)c.min_words);
        buf_adds(&key, o.malformed);
        d->index = shared_get(key.p, build, &c, free_index, err, sizeof err);
    }
    buf_free(&key);
    if (!d->index) {
        h->error(ctx, "%s", err);
        free(d);
        return NULL;
    }
    return d;
}

static void decontaminate_destroy(void *p)
{
    decon *d = p;
    shared_put(d->index);
    free(d->buf);
    free(d);
}

static cv_status decontaminate_process(void *p, cv_doc *doc)
{
    decon *d = p;
    const cv_host *h = d->host;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    int64_t r = ng_find(&d->index->ng, text, len, &d->buf, &d->cap);
    if (r < 0)
        return CV_OK;
    const ng_row *row = &d->index->ng.row[r];
    const char *bench = d->index->bench[row->bench];
    char reason[300];
    snprintf(reason, sizeof reason, "%s", bench);
    cv_buf detail = {0};
    buf_adds(&detail, d->index->file[row->bench]);
    buf_addc(&detail, ':');
    buf_add_uint(&detail, row->line);
    buf_adds(&detail, ": ");
    buf_adds(&detail, row->snippet);
    if (d->annotate) {
        cv_buf json = {0};
        buf_adds(&json, "{\"benchmark\":");
        buf_add_json(&json, bench, strlen(bench));
        buf_adds(&json, ",\"file\":");
        buf_add_json(&json, d->index->file[row->bench], strlen(d->index->file[row->bench]));
        buf_adds(&json, ",\"line\":");
        buf_add_uint(&json, row->line);
        buf_addc(&json, '}');
        h->meta_set_json(doc, d->key, json.p);
        buf_free(&json);
        buf_free(&detail);
        char counter[320];
        snprintf(counter, sizeof counter, "annotated:%s", bench);
        h->count(d->ctx, counter, 1);
        return CV_OK;
    }
    h->doc_drop(doc, reason, detail.p);
    buf_free(&detail);
    return CV_DROP;
}

static const cv_plugin decontaminate_step = {
    CV_PLUGIN_HEADER,
    .name = "decontaminate",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Drops documents that hold word n-grams of evaluation benchmarks",
    .optmap = optmap,
    .create = decontaminate_create,
    .destroy = decontaminate_destroy,
    .process = decontaminate_process,
};

CONVERT_PLUGINS(&decontaminate_step)
