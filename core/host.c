/* host.c -- what plugins may call: the core's side of the ABI. */
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

static void *h_alloc(size_t n) { return malloc(n ? n : 1); }
static void h_free(void *p) { free(p); }

static void h_log(cv_ctx *ctx, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cv_logv(level, ctx ? ctx->entry->desc->name : NULL, fmt, ap);
    va_end(ap);
}

static void h_error(cv_ctx *ctx, const char *fmt, ...)
{
    if (!ctx)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
    va_end(ap);
}

const char *cv_ctx_take_error(cv_ctx *ctx, const char *fallback)
{
    static _Thread_local char buf[1024];
    snprintf(buf, sizeof buf, "%s", ctx->err[0] ? ctx->err : fallback);
    ctx->err[0] = '\0';
    return buf;
}

static const cv_optval *opt(cv_ctx *ctx, const char *key, int type_a, int type_b)
{
    const cv_optval *v = ctx && key ? cv_opts_find(ctx->opts, key) : NULL;
    if (!v) {
        /* A plugin asking for an option it never declared is a plugin bug. */
        if (ctx)
            cv_log(CV_LOG_WARN, "plugin '%s' asked for undeclared option '%s'", ctx->entry->desc->name,
                   key ? key : "(null)");
        return NULL;
    }
    if ((int)v->decl->type != type_a && (int)v->decl->type != type_b) {
        cv_log(CV_LOG_WARN, "plugin '%s' read option '%s' (%s) with the wrong getter", ctx->entry->desc->name, key,
               cv_opt_type_name(v->decl->type));
        return NULL;
    }
    return v->has_value ? v : NULL;
}

static const char *h_opt_string(cv_ctx *c, const char *k)
{
    const cv_optval *v = opt(c, k, CV_OPT_STRING, CV_OPT_PATH);
    return v ? v->str : NULL;
}
static int64_t h_opt_int(cv_ctx *c, const char *k)
{
    const cv_optval *v = opt(c, k, CV_OPT_INT, CV_OPT_SIZE);
    return v ? v->i : 0;
}
static double h_opt_float(cv_ctx *c, const char *k)
{
    const cv_optval *v = opt(c, k, CV_OPT_FLOAT, CV_OPT_INT);
    return v ? (v->decl->type == CV_OPT_INT ? (double)v->i : v->f) : 0.0;
}
static int h_opt_bool(cv_ctx *c, const char *k)
{
    const cv_optval *v = opt(c, k, CV_OPT_BOOL, CV_OPT_BOOL);
    return v ? v->b : 0;
}
static size_t h_opt_list_len(cv_ctx *c, const char *k)
{
    const cv_optval *v = opt(c, k, CV_OPT_LIST, CV_OPT_LIST);
    return v ? v->nlist : 0;
}
static const char *h_opt_list_item(cv_ctx *c, const char *k, size_t i)
{
    const cv_optval *v = opt(c, k, CV_OPT_LIST, CV_OPT_LIST);
    return v && i < v->nlist ? v->list[i] : NULL;
}
static int h_opt_is_set(cv_ctx *c, const char *k)
{
    const cv_optval *v = c && k ? cv_opts_find(c->opts, k) : NULL;
    return v && v->set;
}

static void h_count(cv_ctx *c, const char *counter, uint64_t n)
{
    if (c && c->report && counter)
        cv_report_count(c->report, c->entry->desc->name, counter, n);
}

static cv_out *h_out_open(cv_ctx *c, const char *rel)
{
    if (!c || !c->outs) {
        cv_log(CV_LOG_ERROR, "plugin '%s' opened an output outside a run", c ? c->entry->desc->name : "?");
        return NULL;
    }
    cv_err e;
    cv_out *o = cv_outset_open(c->outs, rel, &e);
    if (!o)
        h_error(c, "%s", e.msg);
    else if (c->report)
        cv_report_output(c->report, rel, c->entry->desc->name, c->writer,
                         c->writing ? cv_meta_get_string(c->writing, "split") : NULL);
    return o;
}

static void h_progress(cv_ctx *c, uint64_t done, uint64_t total)
{
    if (c) {
        c->progress_done = done;
        c->progress_total = total;
    }
}

cv_status cv_reader_next(cv_ctx *reader, void *inst, cv_doc *d)
{
    const cv_plugin *desc = reader->entry->desc;
    d->stage = desc->name;
    d->reading = 1;
    cv_status st = desc->next(inst, d);
    d->reading = 0;
    return st;
}

void cv_reader_settle(cv_ctx *reader, const void *inst, cv_doc *d)
{
    const cv_plugin *desc = reader->entry->desc;
    d->stage = desc->name;
    if (desc->prepare && desc->abi_minor >= 6 && !d->drop_reason) { /* before 1.6 prepare was only for steps */
        d->reading = 1;
        desc->prepare(inst, d);
        d->reading = 0;
    }
    if (!d->unchecked)
        return;
    size_t bad = cv_doc_check_text(d);
    if (bad)
        h_count(reader, "repaired:invalid_utf8_bytes", bad);
}

static int h_opt_load(cv_ctx *c, void *conf)
{
    /* Offsets mean something only in a map the plugin wrote itself. */
    if (!c || !conf || c->entry->made_table == (void *)c->entry->desc->optmap) {
        if (c)
            cv_log(CV_LOG_WARN, "plugin '%s' called opt_load without declaring an optmap", c->entry->desc->name);
        return -1;
    }
    cv_opts_load(c->opts, conf);
    return 0;
}

static int h_phase_task(cv_ctx *c, cv_phase_task *task, size_t size)
{
    if (!(c->entry->desc->flags & CV_FLAG_PHASED))
        return -1;
    cv_phase_task none = {.phase = CV_PHASE_NONE};
    const cv_phase_task *t = c->phase ? c->phase : &none;
    memcpy(task, t, size < sizeof *t ? size : sizeof *t);
    return 0;
}

static const cv_host host = {
    .abi_major = CONVERT_ABI_MAJOR,
    .abi_minor = CONVERT_ABI_MINOR,
    .struct_size = sizeof(cv_host),
    .alloc = h_alloc,
    .free = h_free,
    .log = h_log,
    .error = h_error,
    .opt_string = h_opt_string,
    .opt_int = h_opt_int,
    .opt_float = h_opt_float,
    .opt_bool = h_opt_bool,
    .opt_list_len = h_opt_list_len,
    .opt_list_item = h_opt_list_item,
    .opt_is_set = h_opt_is_set,
    .count = h_count,
    .out_open = h_out_open,
    .out_write = cv_out_write,
    .doc_id = cv_doc_id,
    .doc_set_id = cv_doc_set_id,
    .doc_text = cv_doc_text,
    .doc_set_text = cv_doc_set_text,
    .doc_drop = cv_doc_drop,
    .meta_set_string = cv_meta_set_string,
    .meta_set_int = cv_meta_set_int,
    .meta_set_float = cv_meta_set_float,
    .meta_set_bool = cv_meta_set_bool,
    .meta_set_json = cv_meta_set_json,
    .meta_get_string = cv_meta_get_string,
    .meta_dump = cv_meta_dump,
    .span_add = cv_span_add,
    .span_count = cv_span_count,
    .span_get = cv_span_get,
    .progress = h_progress,
    .doc_set_scratch = cv_doc_set_scratch,
    .doc_scratch = cv_doc_scratch,
    .doc_set_text_unchecked = cv_doc_set_text_unchecked,
    .doc_text_room = cv_doc_text_room,
    .doc_order = cv_doc_order,
    .opt_load = h_opt_load,
    .phase_task = h_phase_task,
};

const cv_host *cv_host_table(void) { return &host; }
