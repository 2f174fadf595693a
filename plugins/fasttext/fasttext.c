/* fasttext.c -- writer: fastText's supervised training format, the file
 * `fasttext supervised -input` reads to train the next classifier.
 *
 * One document per line: "__label__<value>" for the value (or each value of
 * a list) at a metadata path, or a fixed label_value, then the text with its
 * line breaks as spaces -- the line the classify step gives the model for
 * the same document, so training and filtering see the same tokens.  White
 * space inside a label value becomes '_' (fastText splits labels on it). */
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "convert/plugin.h"
#include "splitout.h"
#include "util.h"

typedef struct ftw_opts {
    const char *path, *label, *label_value, *missing;
} ftw_opts;

static const cv_optmap optmap[] = {
    {.key = "path", .type = CV_OPT_STRING, .default_value = "{split}.txt", .offset = offsetof(ftw_opts, path),
     .help = "file name under the output folder; {split} as in jsonl"},
    {.key = "label", .type = CV_OPT_STRING, .offset = offsetof(ftw_opts, label),
     .help = "metadata path of the label: a key, or a.b for nested; a list gives several labels"},
    {.key = "label_value", .type = CV_OPT_STRING, .offset = offsetof(ftw_opts, label_value),
     .help = "one fixed label for every document (instead of label)"},
    {.key = "missing", .type = CV_OPT_STRING, .default_value = "skip", .choices = "skip|error",
     .offset = offsetof(ftw_opts, missing),
     .help = "a document without a label: skip it (counted as skipped_no_label) or fail the run"},
    {0},
};

typedef struct ftw {
    const cv_host *h;
    cv_ctx *ctx;
    splitout outs;
    ftw_opts o;
    int must;
    cv_buf line;
} ftw;

static void fasttext_destroy(void *p)
{
    ftw *w = p;
    splitout_free(&w->outs);
    buf_free(&w->line);
    free(w);
}

static void *fasttext_create(const cv_host *h, cv_ctx *ctx)
{
    ftw *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->h = h;
    w->ctx = ctx;
    h->opt_load(ctx, &w->o);
    const ftw_opts *o = &w->o;
    if (!o->label == !o->label_value) {
        h->error(ctx, "set one of label (a metadata path) and label_value (a fixed label)");
        free(w);
        return NULL;
    }
    if (o->label_value && (!o->label_value[0] || strpbrk(o->label_value, " \t\n\r\v\f"))) {
        h->error(ctx, "label_value '%s' is empty or holds white space", o->label_value);
        free(w);
        return NULL;
    }
    w->outs = (splitout){.host = h, .ctx = ctx, .pattern = o->path};
    w->must = !strcmp(o->missing, "error");
    return w;
}

/* " __label__<value>" with white space as '_'; 0 when the value is empty. */
static int add_label(cv_buf *b, const char *v, size_t n)
{
    if (n == 0)
        return 0;
    buf_adds(b, b->len ? " __label__" : "__label__");
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        buf_addc(b, c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\0' ? '_' : c);
    }
    return 1;
}

static int add_value(cv_buf *b, json_t *v)
{
    if (json_is_string(v))
        return add_label(b, json_string_value(v), json_string_length(v));
    if (json_is_integer(v) || json_is_boolean(v) || json_is_real(v)) {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        int n = s ? add_label(b, s, strlen(s)) : 0;
        free(s);
        return n;
    }
    return 0;
}

/* The labels at the metadata path; how many. */
static int add_labels(ftw *w, const cv_doc *doc)
{
    const cv_host *h = w->h;
    if (w->o.label_value)
        return add_label(&w->line, w->o.label_value, strlen(w->o.label_value));
    if (!strchr(w->o.label, '.')) { /* the common case: a string at a top-level key */
        const char *s = h->meta_get_string(doc, w->o.label);
        if (s)
            return add_label(&w->line, s, strlen(s));
    }
    size_t first = strcspn(w->o.label, ".");
    char key[256];
    if (first >= sizeof key)
        return 0;
    memcpy(key, w->o.label, first);
    key[first] = '\0';
    char *js = h->meta_dump(doc, key);
    json_t *v = js ? json_loads(js, JSON_DECODE_ANY, NULL) : NULL;
    h->free(js);
    json_t *at = v;
    for (const char *p = w->o.label + first; at && *p == '.';) {
        size_t n = strcspn(p + 1, ".");
        char part[256];
        if (n >= sizeof part) {
            at = NULL;
            break;
        }
        memcpy(part, p + 1, n);
        part[n] = '\0';
        at = json_object_get(at, part);
        p += 1 + n;
    }
    int got = 0;
    if (json_is_array(at)) {
        size_t i;
        json_t *e;
        json_array_foreach(at, i, e) got += add_value(&w->line, e);
    } else if (at) {
        got = add_value(&w->line, at);
    }
    json_decref(v);
    return got;
}

static cv_status fasttext_write(void *p, const cv_doc *doc)
{
    ftw *w = p;
    const cv_host *h = w->h;
    w->line.len = 0;
    if (add_labels(w, doc) == 0) {
        if (w->must) {
            h->error(w->ctx, "no label at metadata path '%s'", w->o.label);
            return CV_ERROR;
        }
        h->count(w->ctx, "skipped_no_label", 1);
        return CV_OK;
    }
    size_t len;
    const char *text = h->doc_text(doc, &len);
    buf_addc(&w->line, ' ');
    size_t at = w->line.len;
    buf_add(&w->line, text, len);
    for (char *s = w->line.p + at, *end = w->line.p + w->line.len; (s = memchr(s, '\n', (size_t)(end - s))); s++)
        *s = ' ';
    buf_addc(&w->line, '\n');
    cv_out *out = splitout_get(&w->outs, doc, NULL);
    if (!out || h->out_write(out, w->line.p, w->line.len) < 0)
        return CV_ERROR;
    return CV_OK;
}

static const cv_plugin fasttext_writer = {
    CV_PLUGIN_HEADER,
    .name = "fasttext",
    .kind = CV_WRITER,
    .version = "1.0.0",
    .description = "fastText training file: __label__<metadata value> then the text on one line, per split",
    .create = fasttext_create,
    .destroy = fasttext_destroy,
    .write = fasttext_write,
    .optmap = optmap,
};

CONVERT_PLUGINS(&fasttext_writer)
