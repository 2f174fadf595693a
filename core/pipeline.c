/* pipeline.c -- resolves the stages, runs documents through them, accounts for every one.
 *
 * Threads (-j N, N > 1): core/scheduler.c carries documents through the steps on
 * N workers; a serial step (dedup, any step flagged CV_FLAG_SERIAL) and the
 * writers see them in input order, so outputs are byte-identical for any N.
 * This file says what a step, a read and the end of a document are.
 */
#include "pipeline.h"

#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <xxhash.h>

#include "doc.h"
#include "handoff.h"
#include "host.h"
#include "scheduler.h"

static volatile sig_atomic_t stop_signal;

void cv_pipeline_request_stop(int signo) { stop_signal = signo ? signo : SIGTERM; }

typedef struct stage {
    const cv_entry *entry;
    const cv_node *node;
    cv_opts *opts;
    size_t ninst;
    void **inst;  /* NULL where create() failed or was not called */
    cv_ctx *ctx;  /* one per instance */
} stage;

typedef struct run {
    const cv_config *cfg;
    const cv_run_opts *ro;
    stage reader;
    stage *steps;
    size_t nsteps;
    stage *writers;
    size_t nwriters;
    size_t first;      /* steps run: [first, nsteps); a phased run's tasks each run a part */
    size_t phase_step; /* the step that runs in phases; nsteps when none */
    cv_phase_task task; /* what that step is told in a phased run */
    char *work;         /* task.work */
    int nworkers;
    cv_report *report;
    cv_outset *outs;
    cv_out *drops;
    cv_out *handoff;  /* sign phase: the survivors, for the apply phase */
    cv_handoff_in *handin; /* apply phase: the sign phase's survivors */
    size_t file;      /* the input file being read (index into ro->inputs) */
    uint64_t member;  /* documents the reader gave from it, every shard's */

    pthread_mutex_t mu; /* the failure */
    cv_sched *sched;    /* with threads: woken when the run fails */
    uint64_t nread;

    /* Where the time went: seconds inside each step, per worker and without a
     * lock, added up into the report at the end.  Worker w's row starts at
     * busy[w * busy_stride]: the steps by config index, then the writers
     * (BUSY_WRITE) and the reader's share the workers run (BUSY_READ). */
    double *busy;
    size_t busy_stride;
    double read_busy; /* the workers' read turns (or the serial loop's reads) */

    volatile int failed;
    cv_err fail;
    struct timespec t0;
    double last_progress;
} run;

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define BUSY_WRITE(r) ((r)->cfg->nsteps)
#define BUSY_READ(r) ((r)->cfg->nsteps + 1)
static double *busy_row(run *r, size_t worker) { return r->busy + worker * r->busy_stride; }

static double now_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void fail(run *r, const char *fmt, ...) CV_PRINTF(2, 3);
static void fail(run *r, const char *fmt, ...)
{
    pthread_mutex_lock(&r->mu);
    if (!r->failed) {
        va_list ap;
        va_start(ap, fmt);
        cv_err_setv(&r->fail, fmt, ap);
        va_end(ap);
        r->failed = 1;
    }
    cv_sched *s = r->sched; /* freed only after its threads, the callers here, are joined */
    pthread_mutex_unlock(&r->mu);
    if (s)
        cv_sched_wake(s);
}

static int stopping(run *r) { return r->failed || stop_signal; }

/* ---- resolving stages ---------------------------------------------------- */

static int resolve(run *r, const cv_registry *reg, const cv_stage *cs, cv_kind kind, stage *s, cv_err *err)
{
    const cv_config *c = r->cfg;
    s->node = cs->node;
    s->entry = cv_registry_find(reg, kind, cs->plugin);
    if (!s->entry) {
        cv_err_at(err, c->path, cs->node->line, cs->node->col, "no %s plugin named '%s' (see: convert --list-plugins)",
                  cv_kind_name(kind), cs->plugin);
        return -1;
    }
    /* -i gives the reader its path, so a config need not. */
    const char *given = kind == CV_READER && r->ro->input ? "path" : NULL;
    s->opts = cv_opts_parse_given(s->entry->desc->optmap, cs->node, cs->plugin, c->path, c->dir, given, err);
    return s->opts ? 0 : -1;
}

/* Input whose format its name says goes to that format's reader whatever
 * reader the config names, so that every config's steps and writers run on
 * it: Parquet (a .parquet file, or a folder holding them: a Hub dataset, a
 * run's output) and JSON Lines (.jsonl, .ndjson, compressed or not), in
 * any case of letters. */
static int parquet_in(const char *path, int depth);
static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcasecmp(s + n - k, tail);
}

const char *cv_pipeline_input_reader(const cv_run_opts *ro)
{
    static const char *const jsonl[] = {".jsonl", ".ndjson"};
    static const char *const packed[] = {"", ".gz", ".zst", ".xz", ".bz2"}; /* what the jsonl reader reads */
    const char *first = ro->ninputs ? ro->inputs[0] : ro->input;
    if (!first)
        return NULL;
    for (size_t i = 0; i < sizeof jsonl / sizeof *jsonl; i++)
        for (size_t k = 0; k < sizeof packed / sizeof *packed; k++) {
            char tail[16];
            snprintf(tail, sizeof tail, "%s%s", jsonl[i], packed[k]);
            if (ends_with(first, tail))
                return "jsonl";
        }
    return parquet_in(first, 0) ? "parquet" : NULL;
}

static int parquet_in(const char *path, int depth)
{
    if (ends_with(path, ".parquet"))
        return 1;
    DIR *d = depth < 4 ? opendir(path) : NULL;
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (ends_with(e->d_name, ".parquet"))
            found = 1;
        else if (e->d_name[0] != '.' && (depth > 0 || !strcmp(e->d_name, "data"))) {
            char *sub = cv_xasprintf("%s/%s", path, e->d_name);
            found = parquet_in(sub, depth + 1);
            free(sub);
        }
    }
    closedir(d);
    return found;
}

/* writer: 1 + the writer's index in the config, 0 for readers and steps. */
static int create_stage(run *r, stage *s, size_t ninst, int writer, cv_err *err)
{
    const cv_plugin *d = s->entry->desc;
    s->ninst = ninst;
    s->inst = cv_xcalloc(ninst, sizeof *s->inst);
    s->ctx = cv_xcalloc(ninst, sizeof *s->ctx);
    for (size_t i = 0; i < ninst; i++) {
        s->ctx[i] = (cv_ctx){.entry = s->entry, .opts = s->opts, .report = r->report, .outs = r->outs, .writer = writer};
        if (r->ro->phase && s == &r->steps[r->phase_step])
            s->ctx[i].phase = &r->task;
        s->inst[i] = d->create(cv_host_table(), &s->ctx[i]);
        if (!s->inst[i]) {
            cv_err_at(err, r->cfg->path, s->node->line, s->node->col, "%s '%s': %s", cv_kind_name(d->kind), d->name,
                      cv_ctx_take_error(&s->ctx[i], "could not start"));
            return -1;
        }
    }
    return 0;
}

static void destroy_stage(stage *s)
{
    for (size_t i = 0; i < s->ninst; i++)
        if (s->inst[i]) /* never destroy() what create() did not make */
            s->entry->desc->destroy(s->inst[i]);
    free(s->inst);
    free(s->ctx);
    cv_opts_free(s->opts);
}

/* ---- one document -------------------------------------------------------- */

static int run_steps(run *r, cv_doc *d, size_t from, size_t to, size_t worker)
{
    for (size_t i = from; i < to && !d->drop_reason; i++) {
        stage *s = &r->steps[i];
        size_t k = s->ninst == 1 ? 0 : worker;
        const char *name = s->entry->desc->name;
        d->stage = name;
        double t = mono();
        cv_status st = s->entry->desc->process(s->inst[k], d);
        busy_row(r, worker)[i] += mono() - t;
        cv_doc_retire_scratch(d); /* what prepare() left is this step's alone */
        if (st == CV_OK)
            continue;
        if (st == CV_DROP) {
            if (!d->drop_reason)
                cv_doc_drop(d, "dropped", NULL);
            continue;
        }
        const char *why = cv_ctx_take_error(&s->ctx[k], st == CV_ERROR ? "failed" : "returned an unknown status");
        if (r->cfg->on_error_abort) {
            fail(r, "step '%s' failed on document '%s': %s", name, cv_doc_id(d), why);
            return -1;
        }
        cv_log(CV_LOG_WARN, "step '%s' failed on document '%s': %s (dropped; on_error: abort stops the run)", name,
               cv_doc_id(d), why);
        d->stage = "error";
        cv_doc_drop(d, name, why);
    }
    return 0;
}

static void progress(run *r, int final)
{
    if (!r->ro->progress)
        return;
    double t = now_since(&r->t0);
    if (!final && t - r->last_progress < 0.25)
        return;
    r->last_progress = t;
    double mb = (double)cv_report_bytes_read(r->report) / 1e6;
    char eta[64] = "";
    const cv_ctx *rc = r->reader.ctx;
    uint64_t done = rc ? rc->progress_done : 0, total = rc ? rc->progress_total : 0;
    if (total && done && done <= total && !final) {
        double left = t * (double)(total - done) / (double)done;
        snprintf(eta, sizeof eta, "  %.0f%%  ETA %.0f:%02.0f", 100.0 * (double)done / (double)total, left / 60,
                 left - 60 * (int)(left / 60));
    }
    fprintf(stderr, "\r\033[K%llu docs  %.1f MB  %.1f MB/s  written %llu  dropped %llu  %.0f s%s%s",
            (unsigned long long)cv_report_docs_read(r->report), mb, t > 0 ? mb / t : 0.0,
            (unsigned long long)cv_report_docs_written(r->report),
            (unsigned long long)cv_report_docs_dropped(r->report), t, eta, final ? "\n" : "");
}

/* The ordered end of the pipeline: the writers, or the drop log. */
static int finish_doc(run *r, cv_doc *d, size_t worker)
{
    double t0 = mono();
    if (d->drop_reason) {
        cv_report_dropped(r->report, d->drop_reason);
        json_t *j = json_pack("{s:s, s:s}", "id", cv_doc_id(d), "reason", d->drop_reason);
        if (d->drop_detail)
            json_object_set_new(j, "detail", json_string(d->drop_detail));
        char *line = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        int bad = !line || cv_out_write(r->drops, line, strlen(line)) < 0 || cv_out_write(r->drops, "\n", 1) < 0;
        free(line);
        if (bad) {
            fail(r, "cannot write the drop log");
            return -1;
        }
    } else if (r->handoff) {
        if (cv_handoff_write(r->handoff, d) < 0) {
            fail(r, "cannot write the hand-off of document '%s'", cv_doc_id(d));
            return -1;
        }
        cv_report_handed(r->report, 0);
    } else {
        for (size_t i = 0; i < r->nwriters; i++) {
            stage *w = &r->writers[i];
            d->stage = w->entry->desc->name;
            w->ctx[0].writing = d; /* a file opened now belongs to this document's split */
            cv_status st = w->entry->desc->write(w->inst[0], d);
            w->ctx[0].writing = NULL;
            if (st != CV_OK) {
                fail(r, "writer '%s' failed on document '%s': %s", w->entry->desc->name, cv_doc_id(d),
                     cv_ctx_take_error(&w->ctx[0], "write failed"));
                return -1;
            }
        }
        cv_report_written(r->report, d->len, cv_meta_get_string(d, "split"), cv_meta_get_string(d, "lang"));
        json_t *tokens = json_object_get(d->meta, "tokens"); /* the tokenize step's count */
        if (json_is_integer(tokens) && json_integer_value(tokens) >= 0)
            cv_report_tokens(r->report, (uint64_t)json_integer_value(tokens), cv_meta_get_string(d, "split"),
                             cv_meta_get_string(d, "lang"));
    }
    busy_row(r, worker)[BUSY_WRITE(r)] += mono() - t0;
    progress(r, 0);
    return 0;
}

/* Read one document.  1: got one, 0: end of input, -1: failed. */
/* The apply phase reads what the sign phase handed on. */
static int read_handoff(run *r, cv_doc **out)
{
    cv_doc *d = cv_doc_new();
    cv_err e;
    int got = cv_handoff_next(r->handin, d, &e);
    d->stage = "handoff";
    if (got <= 0) {
        if (got < 0)
            fail(r, "%s", e.msg);
        cv_doc_free(d);
        return got;
    }
    d->seq = r->nread++;
    d->at = r->first;
    cv_report_handed(r->report, 1);
    *out = d;
    return 1;
}

/* With several input files: the next file this task owns (with --shard,
 * whole files: file i belongs to shard i mod N).  1: the reader is on it. */
static int next_file(run *r)
{
    stage *s = &r->reader;
    const cv_run_opts *ro = r->ro;
    while (++r->file < ro->ninputs) {
        if (ro->shards && r->file % ro->shards != ro->shard)
            continue;
        s->entry->desc->destroy(s->inst[0]);
        s->inst[0] = NULL;
        cv_err e;
        if (cv_opts_override(s->opts, "path", ro->inputs[r->file], &e) < 0 ||
            !(s->inst[0] = s->entry->desc->create(cv_host_table(), &s->ctx[0]))) {
            fail(r, "reader '%s' on '%s': %s", s->entry->desc->name, ro->inputs[r->file],
                 cv_ctx_take_error(&s->ctx[0], e.msg));
            return -1;
        }
        r->member = 0;
        return 1;
    }
    return 0;
}

/* Several files and --shard: whole files per shard, none per document. */
static int shard_by_file(const run *r) { return r->ro->shards && r->ro->ninputs > 1; }

/* The reader's share of a document that needs no turn (cv_reader_settle), once. */
static void settle_reader(run *r, cv_doc *d)
{
    if (!d->settled)
        cv_reader_settle(&r->reader.ctx[0], r->reader.inst[0], d);
    d->settled = 1;
}

/* A document's settling, unless the read turn did it, then its count in the
 * report, which needs the text it settled.  Once per document read
 * (hand-offs are settled). */
static void settle_doc(run *r, cv_doc *d)
{
    if (r->handin)
        return;
    settle_reader(r, d);
    cv_report_read(r->report, d->bytes_in ? d->bytes_in : d->len, d->len);
}

/* Whether documents are settled in the read turn rather than by the
 * workers: where the shard is chosen by a document's id, which settling
 * may give it, and where a reader instance is replaced (several input
 * files) while the workers may still settle documents of the one before. */
static int settle_in_turn(const run *r) { return r->ro->ninputs > 1 || (r->ro->shards && !shard_by_file(r)); }

static int read_doc(run *r, cv_doc **out)
{
    if (r->handin)
        return read_handoff(r, out);
    cv_doc *d;
    stage *s = &r->reader;
    cv_status st;
    for (;;) {
        d = cv_doc_new();
        st = cv_reader_next(&s->ctx[0], s->inst[0], d);
        if (st == CV_END && r->ro->ninputs > 1) {
            cv_doc_free(d);
            int more = next_file(r);
            if (more < 0)
                return -1;
            if (more)
                continue;
            return 0;
        }
        if (st != CV_END)
            d->ord = ((uint64_t)r->file << 40) | r->member++;
        if ((st == CV_OK || st == CV_DROP) && settle_in_turn(r))
            settle_reader(r, d);
        /* --shard K/N: another run owns documents whose id hashes elsewhere.
         * They are not this run's input, so they are not counted either. */
        if (r->ro->shards && !shard_by_file(r) && st != CV_END && st != CV_ERROR && d->id &&
            XXH3_64bits(d->id, strlen(d->id)) % r->ro->shards != r->ro->shard) {
            cv_doc_free(d);
            continue;
        }
        break;
    }
    if (st == CV_END) {
        cv_doc_free(d);
        return 0;
    }
    if (st != CV_OK && st != CV_DROP) {
        fail(r, "reader '%s': %s", s->entry->desc->name, cv_ctx_take_error(&s->ctx[0], "read failed"));
        cv_doc_free(d);
        return -1;
    }
    if (st == CV_DROP && !d->drop_reason)
        cv_doc_drop(d, "dropped", NULL);
    if (!d->id) {
        char id[32];
        snprintf(id, sizeof id, "%llu", (unsigned long long)r->nread);
        cv_doc_set_id(d, id);
    }
    d->seq = r->nread++;
    d->at = r->first;
    *out = d;
    return 1;
}

static void run_serial(run *r)
{
    cv_doc *d;
    int got;
    for (;;) {
        double t = mono();
        got = stopping(r) ? 0 : read_doc(r, &d);
        if (got > 0)
            settle_doc(r, d);
        r->read_busy += mono() - t;
        if (got <= 0)
            break;
        if (run_steps(r, d, d->at, r->nsteps, 0) == 0)
            finish_doc(r, d, 0);
        cv_doc_free(d);
    }
}

/* ---- threads: what the scheduler calls ------------------------------------ */

static int is_serial(const run *r, size_t step) { return (r->steps[step].entry->desc->flags & CV_FLAG_SERIAL) != 0; }

static int sched_read(void *arg, cv_doc **out)
{
    run *r = arg;
    double t = mono();
    int got = read_doc(r, out);
    r->read_busy += mono() - t;
    return got;
}

static void sched_settle(void *arg, cv_doc *d, size_t w)
{
    run *r = arg;
    double t = mono();
    settle_doc(r, d); /* the reader's share that runs in parallel */
    busy_row(r, w)[BUSY_READ(r)] += mono() - t;
}

static void sched_prepare(void *arg, cv_doc *d, size_t p, size_t w)
{
    run *r = arg;
    const cv_plugin *desc = r->steps[p].entry->desc;
    d->stage = desc->name;
    double t = mono();
    desc->prepare(r->steps[p].inst[0], d);
    busy_row(r, w)[p] += mono() - t;
}

static void sched_step(void *arg, cv_doc *d, size_t p, size_t w) { run_steps(arg, d, p, p + 1, w); }
static void sched_end(void *arg, cv_doc *d, size_t w) { finish_doc(arg, d, w); }
static int sched_stopping(void *arg) { return stopping(arg); }

static void run_parallel(run *r)
{
    unsigned char *kinds = cv_xcalloc(r->nsteps + 1, 1);
    for (size_t i = 0; i < r->nsteps; i++)
        kinds[i] = !is_serial(r, i)                    ? CV_SCHED_PARALLEL
                   : r->steps[i].entry->desc->prepare ? CV_SCHED_PREPARED
                                                      : CV_SCHED_SERIAL;
    cv_sched_ops ops = {.arg = r, .nsteps = r->nsteps, .kinds = kinds, .read = sched_read, .settle = sched_settle,
                        .prepare = sched_prepare, .step = sched_step, .end = sched_end, .stopping = sched_stopping};
    cv_sched *s = cv_sched_new(&ops, r->nworkers);
    pthread_mutex_lock(&r->mu);
    r->sched = s;
    pthread_mutex_unlock(&r->mu);
    cv_sched_run(s);
    pthread_mutex_lock(&r->mu);
    r->sched = NULL;
    pthread_mutex_unlock(&r->mu);
    cv_sched_free(s);
    free(kinds);
}

/* ---- the run ------------------------------------------------------------- */

/* finish() counts as time in the step: a phased task's work is all there. */
static int finish_stages(run *r)
{
    for (size_t i = r->first; i < r->nsteps; i++)
        for (size_t k = 0; k < r->steps[i].ninst; k++) {
            double t = mono();
            cv_status st = r->steps[i].entry->desc->finish ? r->steps[i].entry->desc->finish(r->steps[i].inst[k]) : CV_OK;
            busy_row(r, 0)[i] += mono() - t;
            if (st != CV_OK) {
                fail(r, "step '%s' failed to finish: %s", r->steps[i].entry->desc->name,
                     cv_ctx_take_error(&r->steps[i].ctx[k], "finish failed"));
                return -1;
            }
        }
    for (size_t i = 0; i < r->nwriters; i++) {
        double t = mono();
        cv_status st = r->writers[i].entry->desc->finish ? r->writers[i].entry->desc->finish(r->writers[i].inst[0]) : CV_OK;
        busy_row(r, 0)[BUSY_WRITE(r)] += mono() - t;
        if (st != CV_OK) {
            fail(r, "writer '%s' failed to finish: %s", r->writers[i].entry->desc->name,
                 cv_ctx_take_error(&r->writers[i].ctx[0], "finish failed"));
            return -1;
        }
    }
    return 0;
}

/* The workers' rows added up, into the report by step name: the steps this
 * task ran, `read` when it read documents, `write` when it wrote them. */
static void report_busy(run *r, int reads, int writes)
{
    double rd = r->read_busy, wr = 0;
    for (int w = 0; w < r->nworkers; w++) {
        rd += busy_row(r, (size_t)w)[BUSY_READ(r)];
        wr += busy_row(r, (size_t)w)[BUSY_WRITE(r)];
    }
    if (reads)
        cv_report_step_seconds(r->report, "read", rd);
    for (size_t i = r->first; i < r->nsteps; i++) {
        double t = 0;
        for (int w = 0; w < r->nworkers; w++)
            t += busy_row(r, (size_t)w)[i];
        cv_report_step_seconds(r->report, r->steps[i].entry->desc->name, t);
    }
    if (writes)
        cv_report_step_seconds(r->report, "write", wr);
}

static int write_report(run *r)
{
    cv_err e;
    if (cv_report_save(r->report, r->outs, &e) == 0)
        return 0;
    fail(r, "%s", e.msg);
    return -1;
}

/* ---- phased runs --------------------------------------------------------- */

/* Which steps this task runs, and what the phase step is told (its task,
 * through host->phase_task). */
static int phase_setup(run *r, cv_err *err)
{
    const cv_run_opts *ro = r->ro;
    const cv_config *c = r->cfg;
    if (r->phase_step == c->nsteps) {
        cv_err_set(err, "--phase %s: no step of %s runs in phases (one flagged CV_FLAG_PHASED, such as dedup); "
                        "shard it with --shard K/N alone",
                   cv_phase_name(ro->phase), c->path);
        return -1;
    }
    const char *outdir = ro->output ? ro->output : c->output ? c->output : "out";
    r->work = cv_xasprintf("%s/work", outdir);
    r->task.work = r->work;
    return cv_phase_setup(ro->phase, ro->shard, ro->shards, ro->memory, r->phase_step, &r->first, &r->nsteps, &r->task,
                          err);
}

static int open_handin(run *r, const char *outdir, cv_err *err)
{
    char *dir = cv_phase_dir(outdir, CV_PHASE_SIGN, r->ro->shard);
    char *path = cv_xasprintf("%s/docs.bin", dir);
    r->handin = cv_handoff_open(path, err);
    free(path);
    free(dir);
    return r->handin ? 0 : -1;
}

int cv_pipeline_run(const cv_config *cfg, const cv_registry *reg, const cv_run_opts *ro, cv_err *err)
{
    run R = {.cfg = cfg, .ro = ro}, *r = &R;
    int status = CV_EXIT_USAGE;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    pthread_mutex_init(&r->mu, NULL);
    r->steps = cv_xcalloc(cfg->nsteps, sizeof *r->steps);
    r->writers = cv_xcalloc(cfg->nwriters, sizeof *r->writers);
    r->nworkers = ro->threads > 0 ? ro->threads : cfg->threads > 0 ? cfg->threads : cv_sched_default_workers();
    /* rows 64 bytes apart at least: workers never share a cache line */
    r->busy_stride = (cfg->nsteps + 2 + 7) / 8 * 8 + 8;
    r->busy = cv_xcalloc((size_t)r->nworkers * r->busy_stride, sizeof *r->busy);

    static cv_node no_options; /* the stage keeps a pointer to it */
    no_options = (cv_node){.kind = CV_NODE_MAP, .line = cfg->reader.node->line, .col = cfg->reader.node->col};
    const char *by_name = cv_pipeline_input_reader(ro);
    cv_stage swapped = {by_name, &no_options};
    int swap = by_name && strcmp(cfg->reader.plugin, by_name);
    if (swap)
        cv_log(CV_LOG_INFO, "-i %s: %s, read by the %s reader (not the config's '%s')",
               ro->ninputs ? ro->inputs[0] : ro->input, strcmp(by_name, "parquet") ? "JSON Lines" : "Parquet",
               by_name, cfg->reader.plugin);
    if (resolve(r, reg, swap ? &swapped : &cfg->reader, CV_READER, &r->reader, err) < 0)
        goto out;
    size_t first_input = 0; /* with whole-file shards, the first file this task owns */
    while (shard_by_file(r) && first_input < ro->ninputs && first_input % ro->shards != ro->shard)
        first_input++;
    if (ro->input && cv_opts_override(r->reader.opts, "path",
                                      ro->ninputs ? ro->inputs[first_input < ro->ninputs ? first_input : 0] : ro->input,
                                      err) < 0) {
        cv_err_set(err, "-i: reader '%s' takes no input path (%s)", cfg->reader.plugin, err->msg);
        goto out;
    }
    r->file = first_input;
    r->phase_step = cfg->nsteps;
    for (; r->nsteps < cfg->nsteps; r->nsteps++) {
        if (resolve(r, reg, &cfg->steps[r->nsteps], CV_STEP, &r->steps[r->nsteps], err) < 0)
            goto out;
        if (r->phase_step == cfg->nsteps && (r->steps[r->nsteps].entry->desc->flags & CV_FLAG_PHASED))
            r->phase_step = r->nsteps;
    }
    for (; r->nwriters < cfg->nwriters; r->nwriters++)
        if (resolve(r, reg, &cfg->writers[r->nwriters], CV_WRITER, &r->writers[r->nwriters], err) < 0)
            goto out;
    if (ro->phase && phase_setup(r, err) < 0)
        goto out;
    if (ro->check_only) {
        status = CV_EXIT_OK;
        goto out;
    }

    const char *outdir = ro->output ? ro->output : cfg->output ? cfg->output : "out";
    char *taskdir = ro->phase ? cv_phase_dir(outdir, ro->phase, ro->shard) : NULL;
    if (ro->phase && cv_phase_check_inputs(outdir, ro->phase, ro->shard, ro->shards,
                                           r->steps[r->phase_step].entry->desc->phase_inputs, err) < 0) {
        free(taskdir);
        status = CV_EXIT_FAILED;
        goto out;
    }
    r->report = cv_report_new();
    cv_report_set_pipeline(r->report, cv_report_pipeline_json(cfg, ro->input, ro->inputs, ro->ninputs, ro->shard,
                                                              ro->shards));
    r->outs = cv_outset_new(taskdir ? taskdir : outdir, err);
    free(taskdir);
    if (!r->outs)
        goto out;
    if (ro->phase)
        cv_outset_mark(r->outs);
    int reads = !ro->phase || ro->phase == CV_PHASE_SIGN;
    if (reads && create_stage(r, &r->reader, 1, 0, err) < 0)
        goto out;
    if (reads && shard_by_file(r) && first_input >= ro->ninputs)
        cv_log(CV_LOG_WARN, "shard %u of %u gets none of the %zu input files", ro->shard, ro->shards, ro->ninputs);
    for (size_t i = r->first; i < r->nsteps; i++)
        if (create_stage(r, &r->steps[i], is_serial(r, i) ? 1 : (size_t)r->nworkers, 0, err) < 0)
            goto out;
    int writes = !ro->phase || ro->phase == CV_PHASE_APPLY;
    for (size_t i = 0; writes && i < r->nwriters; i++)
        if (create_stage(r, &r->writers[i], 1, (int)i + 1, err) < 0)
            goto out;
    if (!(r->drops = cv_outset_open(r->outs, "dropped.jsonl", err)))
        goto out;
    if (ro->phase == CV_PHASE_SIGN && !(r->handoff = cv_outset_open(r->outs, "docs.bin", err)))
        goto out;
    if (ro->phase == CV_PHASE_APPLY && open_handin(r, outdir, err) < 0)
        goto out;
    if (!writes)
        r->nwriters = 0;

    status = CV_EXIT_FAILED;
    cv_log(CV_LOG_DEBUG, "%d worker thread%s", r->nworkers, r->nworkers > 1 ? "s" : "");
    if (ro->phase == CV_PHASE_PAIRS || ro->phase == CV_PHASE_COLLECT || ro->phase == CV_PHASE_DECIDE)
        ; /* no documents: the phase step does its part in finish() */
    else if (reads && shard_by_file(r) && first_input >= ro->ninputs)
        ;
    else if (r->nworkers > 1)
        run_parallel(r);
    else
        run_serial(r);
    if (!stopping(r) && finish_stages(r) == 0) {
        report_busy(r, reads || r->handin, writes);
        cv_report_finish(r->report, now_since(&r->t0), "ok");
        if (write_report(r) == 0 && cv_outset_commit(r->outs, err) == 0)
            status = CV_EXIT_OK;
    }
    if (status != CV_EXIT_OK && r->failed)
        *err = r->fail;
    else if (status != CV_EXIT_OK && stop_signal)
        cv_err_set(err, "interrupted by signal %d: no output was written", (int)stop_signal);
    progress(r, 1);
    cv_report_finish(r->report, now_since(&r->t0), status == CV_EXIT_OK ? "ok" : "failed");
    if (!ro->quiet || status != CV_EXIT_OK)
        cv_report_print(r->report);
    if (!ro->quiet && status == CV_EXIT_OK && ro->phase == CV_PHASE_NONE)
        cv_report_warn_empty(r->report); /* a phase task does its part only */
    if (status == CV_EXIT_OK && cv_report_docs_read(r->report) + cv_report_docs_handed(r->report, 1) !=
                                    cv_report_docs_written(r->report) + cv_report_docs_dropped(r->report) +
                                        cv_report_docs_handed(r->report, 0)) {
        /* The invariant is the product's promise: break loudly, never quietly. */
        cv_err_set(err, "internal error: read != written + dropped");
        status = CV_EXIT_FAILED;
    }
out:
    if (r->outs && status != CV_EXIT_OK)
        cv_outset_abort(r->outs);
    /* Stages are zeroed until resolved, so tearing down all of them is safe. */
    destroy_stage(&r->reader);
    for (size_t i = 0; i < cfg->nsteps; i++)
        destroy_stage(&r->steps[i]);
    for (size_t i = 0; i < cfg->nwriters; i++)
        destroy_stage(&r->writers[i]);
    cv_handoff_close(r->handin);
    free(r->steps);
    free(r->writers);
    free(r->busy);
    free(r->work);
    cv_outset_free(r->outs);
    cv_report_free(r->report);
    pthread_mutex_destroy(&r->mu);
    return status;
}
