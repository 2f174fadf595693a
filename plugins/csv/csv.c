/* csv.c -- writer: RFC 4180 CSV, one file per split, columns chosen in YAML.
 *
 * A column is "id", "text", or a metadata key; "a.b" walks into nested
 * objects.  Strings are written as they are, other JSON values as JSON text,
 * missing values as empty fields.  Fields holding the delimiter, a quote,
 * CR or LF are quoted, quotes doubled; records end with CRLF. */
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "convert/plugin.h"
#include "splitout.h"
#include "util.h"

typedef struct csv_opts {
    const char *path, *delimiter;
    cv_strlist columns;
    int header;
} csv_opts;

static const cv_optmap csv_optmap[] = {
    {.key = "path", .type = CV_OPT_STRING, .default_value = "{split}.csv", .offset = offsetof(csv_opts, path),
     .help = "file name under the output folder; {split} as in jsonl"},
    {.key = "columns", .type = CV_OPT_LIST, .default_value = "[id, text]", .offset = offsetof(csv_opts, columns),
     .help = "id, text, or metadata keys (dotted paths for nested values)"},
    {.key = "header", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(csv_opts, header),
     .help = "write the column names first"},
    {.key = "delimiter", .type = CV_OPT_STRING, .default_value = ",", .offset = offsetof(csv_opts, delimiter),
     .help = "one ASCII character"},
    {0},
};

typedef struct csvw {
    const cv_host *host;
    cv_ctx *ctx;
    splitout outs;
    csv_opts o;
    char delim;
    cv_buf rec;
} csvw;

static void csv_destroy(void *p)
{
    csvw *w = p;
    splitout_free(&w->outs);
    buf_free(&w->rec);
    free(w);
}

static void *csv_create(const cv_host *h, cv_ctx *ctx)
{
    csvw *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->host = h;
    w->ctx = ctx;
    h->opt_load(ctx, &w->o);
    const char *d = w->o.delimiter;
    if (strlen(d) != 1 || d[0] == '"' || d[0] == '\r' || d[0] == '\n' || (unsigned char)d[0] >= 0x80) {
        h->error(ctx, "delimiter must be one ASCII character other than a quote or line break");
        free(w);
        return NULL;
    }
    if (w->o.columns.n == 0) {
        h->error(ctx, "columns is empty");
        free(w);
        return NULL;
    }
    w->outs = (splitout){.host = h, .ctx = ctx, .pattern = w->o.path};
    w->delim = d[0];
    return w;
}

static void field(csvw *w, const char *s, size_t len)
{
    int quote = 0;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == w->delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        buf_add(&w->rec, s, len);
        return;
    }
    buf_addc(&w->rec, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            buf_addc(&w->rec, '"');
        buf_addc(&w->rec, s[i]);
    }
    buf_addc(&w->rec, '"');
}

static json_t *walk(json_t *meta, const char *path)
{
    char *copy = strdup(path), *save = NULL;
    json_t *v = meta;
    for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_object_get(v, k);
    free(copy);
    return v;
}

static cv_status csv_write(void *p, const cv_doc *doc)
{
    csvw *w = p;
    const cv_host *h = w->host;
    int opened;
    cv_out *out = splitout_get(&w->outs, doc, &opened);
    if (!out)
        return CV_ERROR;
    size_t ncol = w->o.columns.n;
    w->rec.len = 0;
    if (opened && w->o.header) {
        for (size_t c = 0; c < ncol; c++) {
            if (c)
                buf_addc(&w->rec, w->delim);
            const char *name = w->o.columns.items[c];
            field(w, name, strlen(name));
        }
        buf_add(&w->rec, "\r\n", 2);
    }
    json_t *meta = NULL; /* parsed only for dotted paths: most columns are top-level strings */
    for (size_t c = 0; c < ncol; c++) {
        if (c)
            buf_addc(&w->rec, w->delim);
        const char *col = w->o.columns.items[c];
        if (!strcmp(col, "id")) {
            const char *id = h->doc_id(doc);
            field(w, id, strlen(id));
        } else if (!strcmp(col, "text")) {
            size_t len;
            const char *text = h->doc_text(doc, &len);
            field(w, text, len);
        } else if (!strchr(col, '.')) {
            const char *sv = h->meta_get_string(doc, col);
            if (sv) {
                field(w, sv, strlen(sv));
                continue;
            }
            char *js = h->meta_dump(doc, col); /* a number, list or object: its JSON text */
            if (js && strcmp(js, "null"))
                field(w, js, strlen(js));
            h->free(js);
        } else {
            if (!meta) {
                char *ms = h->meta_dump(doc, NULL);
                meta = ms ? json_loads(ms, 0, NULL) : json_object();
                h->free(ms);
            }
            json_t *v = walk(meta, col);
            if (json_is_string(v)) {
                field(w, json_string_value(v), json_string_length(v));
            } else if (v && !json_is_null(v)) {
                char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                field(w, s, strlen(s));
                free(s);
            }
        }
    }
    json_decref(meta);
    buf_add(&w->rec, "\r\n", 2);
    if (h->out_write(out, w->rec.p, w->rec.len) < 0) {
        h->error(w->ctx, "write failed");
        return CV_ERROR;
    }
    return CV_OK;
}

static const cv_plugin csv_writer = {
    CV_PLUGIN_HEADER,
    .name = "csv",
    .kind = CV_WRITER,
    .version = "1.0.0",
    .description = "Writes RFC 4180 CSV with chosen columns (id, text, metadata paths), one file per split",
    .optmap = csv_optmap,
    .create = csv_create,
    .destroy = csv_destroy,
    .write = csv_write,
};

CONVERT_PLUGINS(&csv_writer)
