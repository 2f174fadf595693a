/* report.c -- counters behind one lock; the run's JSON report and stderr summary. */
#include "report.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "output.h"
#include "report_html.h"

/* Text lengths in bytes, bucketed by powers of two: [0, 64), [64, 128), ...
 * and the last bucket open-ended (64 MiB and more). */
#define HIST_BUCKETS 21
#define HIST_FIRST 6 /* log2 of the first bucket's upper bound */

struct cv_report {
    pthread_mutex_t lock;
    uint64_t read, written, dropped, bytes_read, bytes_written;
    uint64_t handed_in, handed_out; /* phased runs: documents from and to another phase */
    json_t *reasons; /* "plugin:reason" -> count */
    json_t *plugins; /* plugin -> {counter -> count} */
    json_t *splits;  /* split -> {"documents", "bytes"} */
    json_t *langs;   /* metadata.lang -> documents written */
    json_t *tokens_split, *tokens_lang; /* metadata.tokens added up; NULL until a document has it */
    uint64_t tokens;
    json_t *outputs; /* [{"path", "plugin", "split"?}] */
    json_t *pipeline;
    json_t *step_seconds; /* step name, "read", "write" -> seconds */
    uint64_t hist_read[HIST_BUCKETS], hist_written[HIST_BUCKETS];
    double seconds;
    char status[32];
};

static int bucket(size_t len)
{
    if (len < ((size_t)1 << HIST_FIRST))
        return 0;
    int b = 63 - __builtin_clzll((unsigned long long)len) - HIST_FIRST + 1;
    return b < HIST_BUCKETS ? b : HIST_BUCKETS - 1;
}

cv_report *cv_report_new(void)
{
    cv_report *r = cv_xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->reasons = json_object();
    r->plugins = json_object();
    r->splits = json_object();
    r->langs = json_object();
    r->outputs = json_array();
    r->pipeline = json_object();
    r->step_seconds = json_object();
    snprintf(r->status, sizeof r->status, "running");
    return r;
}

void cv_report_free(cv_report *r)
{
    if (!r)
        return;
    json_decref(r->reasons);
    json_decref(r->plugins);
    json_decref(r->splits);
    json_decref(r->langs);
    json_decref(r->tokens_split);
    json_decref(r->tokens_lang);
    json_decref(r->outputs);
    json_decref(r->pipeline);
    json_decref(r->step_seconds);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* Counters are bumped per removed line by some steps: add in place, no
 * allocation once a counter exists. */
static void bump(json_t *obj, const char *key, uint64_t n)
{
    json_t *v = json_object_get(obj, key);
    if (v)
        json_integer_set(v, (json_int_t)((uint64_t)json_integer_value(v) + n));
    else
        json_object_set_new(obj, key, json_integer((json_int_t)n));
}

void cv_report_read(cv_report *r, uint64_t bytes, size_t len)
{
    pthread_mutex_lock(&r->lock);
    r->read++;
    r->bytes_read += bytes;
    r->hist_read[bucket(len)]++;
    pthread_mutex_unlock(&r->lock);
}

static void add_split(cv_report *r, const char *split, uint64_t docs, uint64_t bytes)
{
    json_t *s = json_object_get(r->splits, split);
    if (!s)
        json_object_set_new(r->splits, split, s = json_object());
    bump(s, "documents", docs);
    bump(s, "bytes", bytes);
}

void cv_report_written(cv_report *r, uint64_t bytes, const char *split, const char *lang)
{
    pthread_mutex_lock(&r->lock);
    r->written++;
    r->bytes_written += bytes;
    r->hist_written[bucket((size_t)bytes)]++;
    add_split(r, split && split[0] ? split : "train", 1, bytes); /* as the writers file them */
    if (lang && lang[0])
        bump(r->langs, lang, 1);
    pthread_mutex_unlock(&r->lock);
}

static void tokens_tables(cv_report *r)
{
    if (!r->tokens_split) {
        r->tokens_split = json_object();
        r->tokens_lang = json_object();
    }
}

static void add_tokens(cv_report *r, uint64_t n, const char *split, const char *lang)
{
    tokens_tables(r);
    r->tokens += n;
    bump(r->tokens_split, split && split[0] ? split : "train", n);
    if (lang && lang[0])
        bump(r->tokens_lang, lang, n);
}

void cv_report_tokens(cv_report *r, uint64_t n, const char *split, const char *lang)
{
    pthread_mutex_lock(&r->lock);
    add_tokens(r, n, split, lang);
    pthread_mutex_unlock(&r->lock);
}

void cv_report_output(cv_report *r, const char *path, const char *plugin, int writer, const char *split)
{
    json_t *o = json_pack("{s:s, s:s, s:i}", "path", path, "plugin", plugin, "writer", writer);
    if (split)
        json_object_set_new(o, "split", json_string(split));
    pthread_mutex_lock(&r->lock);
    json_array_append_new(r->outputs, o);
    pthread_mutex_unlock(&r->lock);
}

void cv_report_handed(cv_report *r, int in)
{
    pthread_mutex_lock(&r->lock);
    if (in)
        r->handed_in++;
    else
        r->handed_out++;
    pthread_mutex_unlock(&r->lock);
}

uint64_t cv_report_docs_handed(const cv_report *r, int in) { return in ? r->handed_in : r->handed_out; }

int cv_report_settle_handoffs(cv_report *r, cv_err *err)
{
    if (r->handed_in != r->handed_out) {
        cv_err_set(err, "the phases do not add up: %llu documents were handed on, %llu taken up (a phase's report is "
                        "missing or from another run)",
                   (unsigned long long)r->handed_out, (unsigned long long)r->handed_in);
        return -1;
    }
    r->handed_in = r->handed_out = 0;
    return 0;
}

void cv_report_set_pipeline(cv_report *r, json_t *pipeline)
{
    json_decref(r->pipeline);
    r->pipeline = pipeline;
}

void cv_report_dropped(cv_report *r, const char *reason)
{
    pthread_mutex_lock(&r->lock);
    r->dropped++;
    bump(r->reasons, reason, 1);
    pthread_mutex_unlock(&r->lock);
}

void cv_report_count(cv_report *r, const char *plugin, const char *counter, uint64_t n)
{
    pthread_mutex_lock(&r->lock);
    json_t *p = json_object_get(r->plugins, plugin);
    if (!p)
        json_object_set_new(r->plugins, plugin, p = json_object());
    bump(p, counter, n);
    pthread_mutex_unlock(&r->lock);
}

void cv_report_finish(cv_report *r, double seconds, const char *status)
{
    r->seconds = seconds;
    snprintf(r->status, sizeof r->status, "%s", status);
}

void cv_report_step_seconds(cv_report *r, const char *name, double seconds)
{
    pthread_mutex_lock(&r->lock);
    json_t *v = json_object_get(r->step_seconds, name);
    if (v)
        json_real_set(v, json_real_value(v) + seconds);
    else
        json_object_set_new(r->step_seconds, name, json_real(seconds));
    pthread_mutex_unlock(&r->lock);
}

uint64_t cv_report_docs_read(const cv_report *r) { return r->read; }
uint64_t cv_report_docs_written(const cv_report *r) { return r->written; }
uint64_t cv_report_docs_dropped(const cv_report *r) { return r->dropped; }
uint64_t cv_report_bytes_read(const cv_report *r) { return r->bytes_read; }

static void merge_hist(uint64_t *h, const json_t *arr)
{
    for (size_t i = 0; i < HIST_BUCKETS && i < json_array_size(arr); i++)
        h[i] += (uint64_t)json_integer_value(json_array_get(arr, i));
}

int cv_report_merge_json(cv_report *r, const char *text, const char *name, const char *prefix, cv_err *err)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    json_t *reasons = json_object_get(j, "dropped_by_reason"), *counters = json_object_get(j, "counters");
    if (!j || !json_is_integer(json_object_get(j, "read")) || !json_is_object(reasons) || !json_is_object(counters)) {
        cv_err_set(err, "%s: not a convert report%s%s", name, j ? "" : ": ", j ? "" : je.text);
        json_decref(j);
        return -1;
    }
    const char *st = json_string_value(json_object_get(j, "status"));
    if (!st || strcmp(st, "ok")) {
        cv_err_set(err, "%s: that run did not succeed (status %s)", name, st ? st : "unknown");
        json_decref(j);
        return -1;
    }
    r->read += (uint64_t)json_integer_value(json_object_get(j, "read"));
    r->written += (uint64_t)json_integer_value(json_object_get(j, "written"));
    r->dropped += (uint64_t)json_integer_value(json_object_get(j, "dropped"));
    r->bytes_read += (uint64_t)json_integer_value(json_object_get(j, "bytes_read"));
    r->bytes_written += (uint64_t)json_integer_value(json_object_get(j, "bytes_written"));
    r->handed_in += (uint64_t)json_integer_value(json_object_get(j, "handed_in"));
    r->handed_out += (uint64_t)json_integer_value(json_object_get(j, "handed_out"));
    double secs = json_number_value(json_object_get(j, "seconds"));
    if (secs > r->seconds)
        r->seconds = secs;
    const char *key, *k2;
    json_t *v, *p;
    json_object_foreach(reasons, key, v) bump(r->reasons, key, (uint64_t)json_integer_value(v));
    json_object_foreach(counters, key, p) {
        json_t *mine = json_object_get(r->plugins, key);
        if (!mine)
            json_object_set_new(r->plugins, key, mine = json_object());
        json_object_foreach(p, k2, v) bump(mine, k2, (uint64_t)json_integer_value(v));
    }
    json_object_foreach(json_object_get(j, "written_by_split"), key, v)
        add_split(r, key, (uint64_t)json_integer_value(json_object_get(v, "documents")),
                  (uint64_t)json_integer_value(json_object_get(v, "bytes")));
    json_object_foreach(json_object_get(j, "written_by_lang"), key, v) bump(r->langs, key, (uint64_t)json_integer_value(v));
    json_object_foreach(json_object_get(j, "step_seconds"), key, v) cv_report_step_seconds(r, key, json_number_value(v));
    json_object_foreach(json_object_get(j, "tokens_by_split"), key, v) add_tokens(r, (uint64_t)json_integer_value(v), key, NULL);
    json_object_foreach(json_object_get(j, "tokens_by_lang"), key, v) {
        tokens_tables(r); /* the total came with the splits */
        bump(r->tokens_lang, key, (uint64_t)json_integer_value(v));
    }
    json_t *hist = json_object_get(j, "length_histogram");
    merge_hist(r->hist_read, json_object_get(hist, "read"));
    merge_hist(r->hist_written, json_object_get(hist, "written"));
    size_t i;
    /* A phase that handed its documents on wrote work files, not the dataset. */
    json_t *outputs = json_object_get(j, "handed_out") ? NULL : json_object_get(j, "outputs");
    json_array_foreach(outputs, i, v) {
        const char *path = json_string_value(json_object_get(v, "path"));
        if (!path)
            continue;
        char *full = prefix ? cv_xasprintf("%s/%s", prefix, path) : cv_xstrdup(path);
        json_t *o = json_deep_copy(v);
        json_object_set_new(o, "path", json_string(full));
        json_array_append_new(r->outputs, o);
        free(full);
    }
    json_t *pipe = json_object_get(j, "pipeline");
    if (json_is_object(pipe) && json_object_size(r->pipeline) == 0) {
        json_object_update(r->pipeline, pipe);
        json_object_del(r->pipeline, "shard"); /* the merge is all of them */
    }
    json_decref(j);
    snprintf(r->status, sizeof r->status, "ok");
    return 0;
}

json_t *cv_report_object(const cv_report *r)
{
    double mb = (double)r->bytes_read / 1e6;
    json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:O, s:I, s:I, s:f, s:f, s:O}", "status", r->status, "read",
                          (json_int_t)r->read, "written", (json_int_t)r->written, "dropped", (json_int_t)r->dropped,
                          "dropped_by_reason", r->reasons, "bytes_read", (json_int_t)r->bytes_read, "bytes_written",
                          (json_int_t)r->bytes_written, "seconds", r->seconds, "mb_per_second",
                          r->seconds > 0 ? mb / r->seconds : 0.0, "counters", r->plugins);
    json_t *bounds = json_array(), *hr = json_array(), *hw = json_array();
    for (int i = 0; i < HIST_BUCKETS; i++) {
        json_array_append_new(bounds, json_integer(i ? (json_int_t)1 << (HIST_FIRST + i - 1) : 0));
        json_array_append_new(hr, json_integer((json_int_t)r->hist_read[i]));
        json_array_append_new(hw, json_integer((json_int_t)r->hist_written[i]));
    }
    json_object_set_new(j, "length_histogram", json_pack("{s:s, s:o, s:o, s:o}", "unit", "bytes", "lower_bounds",
                                                         bounds, "read", hr, "written", hw));
    if (r->handed_in)
        json_object_set_new(j, "handed_in", json_integer((json_int_t)r->handed_in));
    if (r->handed_out)
        json_object_set_new(j, "handed_out", json_integer((json_int_t)r->handed_out));
    json_object_set(j, "written_by_split", r->splits);
    json_object_set(j, "written_by_lang", r->langs);
    if (r->tokens_split) {
        json_object_set_new(j, "tokens", json_integer((json_int_t)r->tokens));
        json_object_set(j, "tokens_by_split", r->tokens_split);
        json_object_set(j, "tokens_by_lang", r->tokens_lang);
    }
    json_object_set(j, "outputs", r->outputs);
    json_object_set(j, "pipeline", r->pipeline);
    json_object_set(j, "step_seconds", r->step_seconds);
    return j;
}

char *cv_report_json(const cv_report *r)
{
    json_t *j = cv_report_object(r);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

typedef struct step_time {
    const char *name;
    double seconds;
} step_time;

static int slowest_first(const void *a, const void *b)
{
    const step_time *x = a, *y = b;
    return x->seconds < y->seconds ? 1 : x->seconds > y->seconds ? -1 : strcmp(x->name, y->name);
}

/* -v: where the time went, slowest first, with each one's share. */
static void print_step_seconds(const cv_report *r)
{
    size_t n = json_object_size(r->step_seconds), i = 0;
    if (!n)
        return;
    step_time *t = cv_xcalloc(n, sizeof *t);
    double sum = 0;
    const char *key;
    json_t *v;
    json_object_foreach(r->step_seconds, key, v) {
        t[i++] = (step_time){key, json_real_value(v)};
        sum += json_real_value(v);
    }
    qsort(t, n, sizeof *t, slowest_first);
    fprintf(stderr, "  where the time went (seconds in each step, summed over threads):\n");
    for (i = 0; i < n; i++)
        fprintf(stderr, "    %-20s %10.3f s %5.1f%%\n", t[i].name, t[i].seconds,
                sum > 0 ? 100.0 * t[i].seconds / sum : 0.0);
    free(t);
}

void cv_report_print(const cv_report *r)
{
    double mb = (double)r->bytes_read / 1e6;
    fprintf(stderr, "convert: %s: read %llu, written %llu, dropped %llu; %.2f MB in %.2f s (%.1f MB/s)\n", r->status,
            (unsigned long long)r->read, (unsigned long long)r->written, (unsigned long long)r->dropped, mb,
            r->seconds, r->seconds > 0 ? mb / r->seconds : 0.0);
    const char *key;
    json_t *v;
    json_object_foreach(r->reasons, key, v)
        fprintf(stderr, "  dropped %-32s %lld\n", key, (long long)json_integer_value(v));
    json_t *p;
    json_object_foreach(r->plugins, key, p) {
        const char *k2;
        json_object_foreach(p, k2, v)
            fprintf(stderr, "  %-12s %-30s %lld\n", key, k2, (long long)json_integer_value(v));
    }
    if (cv_log_level() >= CV_LOG_DEBUG)
        print_step_seconds(r);
}

void cv_report_warn_empty(const cv_report *r)
{
    if (r->read == 0)
        fprintf(stderr, "convert: warning: no documents were read: check the input (-i, the reader's path and "
                        "include patterns)\n");
    else if (r->written == 0 && r->handed_out == 0)
        fprintf(stderr, "convert: warning: all %llu documents were dropped: the reasons are above, each document's "
                        "in dropped.jsonl\n",
                (unsigned long long)r->read);
}

/* A config node as JSON: scalars as strings, for the report's "pipeline". */
static json_t *node_json(const cv_node *n)
{
    json_t *j;
    switch (n->kind) {
    case CV_NODE_SCALAR: return json_string(n->value);
    case CV_NODE_SEQ:
        j = json_array();
        for (size_t i = 0; i < n->n; i++)
            json_array_append_new(j, node_json(n->items[i]));
        return j;
    default:
        j = json_object();
        for (size_t i = 0; i < n->n; i++)
            json_object_set_new(j, n->keys[i]->value, node_json(n->items[i]));
        return j;
    }
}

static json_t *stage_json(const cv_stage *s)
{
    if (s->node->kind == CV_NODE_MAP)
        return node_json(s->node);
    return json_pack("{s:s}", "plugin", s->plugin);
}

json_t *cv_report_pipeline_json(const cv_config *c, const char *input, const char *const *inputs, size_t ninputs,
                                unsigned shard, unsigned shards)
{
    json_t *steps = json_array(), *writers = json_array();
    for (size_t i = 0; i < c->nsteps; i++)
        json_array_append_new(steps, stage_json(&c->steps[i]));
    for (size_t i = 0; i < c->nwriters; i++)
        json_array_append_new(writers, stage_json(&c->writers[i]));
    json_t *j = json_pack("{s:s, s:o, s:o, s:o}", "config", c->path, "reader", stage_json(&c->reader), "steps", steps,
                          "writers", writers);
    const cv_node *path = cv_node_get(c->reader.node, "path");
    input = input ? input : path && path->kind == CV_NODE_SCALAR ? path->value : NULL;
    if (input)
        json_object_set_new(j, "input", json_string(input));
    if (ninputs > 1) {
        json_t *all = json_array();
        for (size_t i = 0; i < ninputs; i++)
            json_array_append_new(all, json_string(inputs[i]));
        json_object_set_new(j, "inputs", all);
    }
    if (c->card)
        json_object_set_new(j, "card", node_json(c->card));
    if (shards)
        json_object_set_new(j, "shard", json_pack("{s:i, s:i}", "k", (int)shard, "n", (int)shards));
    return j;
}

static int save(cv_outset *outs, const char *name, char *text, cv_err *err)
{
    cv_out *o = text ? cv_outset_open(outs, name, err) : NULL;
    int rc = o && cv_out_write(o, text, strlen(text)) == 0 ? 0 : -1;
    if (rc < 0 && o)
        cv_err_set(err, "cannot write %s", name);
    else if (rc < 0 && !text)
        cv_err_set(err, "cannot make %s", name);
    free(text);
    return rc;
}

int cv_report_save(const cv_report *r, cv_outset *outs, cv_err *err)
{
    json_t *j = cv_report_object(r);
    char *json = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *withnl = json ? cv_xasprintf("%s\n", json) : NULL;
    free(json);
    int rc = save(outs, "report.json", withnl, err);
    if (rc == 0)
        rc = save(outs, "report.html", cv_report_html(j), err);
    if (rc == 0 && json_array_size(r->outputs))
        rc = save(outs, "README.md", cv_card_markdown(j), err);
    json_decref(j);
    return rc;
}
