/* pipeline.c -- resolves the stages, runs documents through them, accounts for every one.
 *
 * Threads (-j N, N > 1): one reader thread fills a bounded queue; N workers
 * each take a document and carry it through every step and on to the
 * writers.  Order is kept by sequence points: a serial step (dedup, any step
 * flagged CV_FLAG_SERIAL) and the writers each admit documents strictly in
 * input order, one at a time, whichever worker holds them.  A document that
 * arrives early is parked and its worker takes other work, so no worker
 * idles while one document holds a turn.  Outputs are byte-identical for any
 * N, steps after a serial one still run in parallel, and memory is bounded
 * by a window of documents in flight (see run_parallel).
 */
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#endif
#include <xxhash.h>

#include "deadline.h"
#include "doc.h"
#include "handoff.h"
#include "host.h"

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
    int nworkers;
    cv_report *report;
    cv_outset *outs;
    cv_out *drops;
    cv_out *handoff;  /* sign phase: the survivors, for the apply phase */
    cv_handoff_in *handin; /* apply phase: the sign phase's survivors */
    size_t file;      /* the input file being read (index into ro->inputs) */
    uint64_t member;  /* documents the reader gave from it, every shard's */

    pthread_mutex_t mu;
    /* Wake-ups only for threads that wait, on their own condition: one
     * broadcast per event woke every thread, a context switch each. */
    pthread_cond_t room;  /* the reader waits for room in the queue */
    pthread_cond_t work;  /* workers wait for a document */
    int reader_waits, idle, window_waits; /* who waits: the reader, workers, workers held by the window */
    cv_doc **inq;
    size_t incap, inhead, inlen;
    size_t inbytes, inbytes_cap; /* text held by the queue, and its bound */
    int reader_done;
    uint64_t nread;
    /* Sequence points: one per step (used by serial ones) and one for the
     * writers, at index nsteps.  next: the seq admitted next; skip: a ring of
     * documents that will never arrive (dropped earlier). */
    uint64_t *next;
    unsigned char *skip; /* (nsteps + 1) rings of ring bytes */
    cv_doc **parked;     /* (nsteps + 1) rings: documents waiting for their turn */
    cv_doc **ready;      /* a ring: parked documents whose turn came */
    size_t readyhead, readylen;
    size_t ring;

    volatile int failed;
    cv_err fail;
    struct timespec t0;
    double last_progress;
} run;

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
    pthread_cond_broadcast(&r->room);
    pthread_cond_broadcast(&r->work);
    pthread_mutex_unlock(&r->mu);
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
    s->opts = cv_opts_parse(s->entry->desc->optmap, cs->node, cs->plugin, c->path, c->dir, err);
    return s->opts ? 0 : -1;
}

/* Parquet input (a .parquet file, or a folder holding them: a Hub dataset,
 * a run's output) goes to the parquet reader whatever reader the config
 * names, so that every config's steps and writers run on the Hub's data. */
static int parquet_in(const char *path, int depth)
{
    size_t n = strlen(path);
    if (n >= 8 && !strcmp(path + n - 8, ".parquet"))
        return 1;
    DIR *d = depth < 4 ? opendir(path) : NULL;
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        size_t k = strlen(e->d_name);
        if (k >= 8 && !strcmp(e->d_name + k - 8, ".parquet"))
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
        cv_status st = s->entry->desc->process(s->inst[k], d);
        cv_doc_set_scratch(d, NULL, NULL); /* what prepare() left is this step's alone */
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
static int finish_doc(run *r, cv_doc *d)
{
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
    }
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
    cv_report_read(r->report, d->bytes_in ? d->bytes_in : d->len, d->len);
    *out = d;
    return 1;
}

static void run_serial(run *r)
{
    cv_doc *d;
    int got;
    while (!stopping(r) && (got = read_doc(r, &d)) > 0) {
        cv_reader_settle(&r->reader.ctx[0], d);
        if (run_steps(r, d, d->at, r->nsteps, 0) == 0)
            finish_doc(r, d);
        cv_doc_free(d);
    }
}

/* ---- threads ------------------------------------------------------------- */

static void timed_wait(run *r, pthread_cond_t *cond)
{
    /* Signals cannot broadcast a condition, so waits wake up now and then. */
    struct timespec ts = cv_deadline_ms(100);
    pthread_cond_timedwait(cond, &r->mu, &ts);
}

static void *reader_thread(void *arg)
{
    run *r = arg;
    for (;;) {
        cv_doc *d = NULL;
        int got = stopping(r) ? 0 : read_doc(r, &d);
        pthread_mutex_lock(&r->mu);
        if (got <= 0) {
            r->reader_done = 1;
            pthread_cond_broadcast(&r->work);
            pthread_mutex_unlock(&r->mu);
            return NULL;
        }
        while ((r->inlen == r->incap || (r->inlen && r->inbytes >= r->inbytes_cap)) && !stopping(r)) {
            r->reader_waits = 1;
            timed_wait(r, &r->room);
            r->reader_waits = 0;
        }
        if (stopping(r)) {
            pthread_mutex_unlock(&r->mu);
            cv_doc_free(d);
            continue;
        }
        r->inq[(r->inhead + r->inlen++) % r->incap] = d;
        r->inbytes += d->len;
        if (r->idle)
            pthread_cond_signal(&r->work);
        pthread_mutex_unlock(&r->mu);
    }
}

static int is_serial(const run *r, size_t step) { return (r->steps[step].entry->desc->flags & CV_FLAG_SERIAL) != 0; }

/* Sequence points.  Point p < nsteps belongs to serial step p; point nsteps
 * to the writers.  A document that is not next at a point is parked there
 * and its worker goes on with other work: no worker ever waits for its turn.
 * Every document in flight has seq in [next[W], next[W] + ring), so seq %
 * ring indexes the rings without collisions.  The helpers below are called
 * with r->mu held. */

static void ready_push(run *r, cv_doc *d)
{
    r->ready[(r->readyhead + r->readylen++) % r->ring] = d;
    if (r->idle)
        pthread_cond_signal(&r->work);
}

/* Move point p past its current document and past every one that will
 * never arrive; the document parked for the new turn becomes ready. */
static void seq_advance(run *r, size_t p)
{
    unsigned char *skip = r->skip + p * r->ring;
    cv_doc **parked = r->parked + p * r->ring;
    r->next[p]++;
    while (skip[r->next[p] % r->ring]) {
        skip[r->next[p] % r->ring] = 0;
        r->next[p]++;
    }
    cv_doc *d = parked[r->next[p] % r->ring];
    if (d && d->seq == r->next[p]) {
        parked[r->next[p] % r->ring] = NULL;
        ready_push(r, d);
    }
}

/* Document seq will never reach point p. */
static void seq_skip(run *r, size_t p, uint64_t seq)
{
    if (r->next[p] == seq)
        seq_advance(r, p);
    else
        r->skip[p * r->ring + seq % r->ring] = 1;
}

typedef struct worker {
    run *r;
    size_t index;
} worker;

/* The writers' turn is ours: write d and every parked document that follows. */
static void write_in_order(run *r, cv_doc *d)
{
    const size_t W = r->nsteps;
    for (;;) {
        pthread_mutex_unlock(&r->mu);
        finish_doc(r, d);
        cv_doc_free(d);
        pthread_mutex_lock(&r->mu);
        r->next[W]++;
        if (r->window_waits)
            pthread_cond_broadcast(&r->work);
        d = r->parked[W * r->ring + r->next[W] % r->ring];
        if (!d || stopping(r))
            return;
        r->parked[W * r->ring + r->next[W] % r->ring] = NULL;
    }
}

/* Carry a document as far as it can go now: through parallel steps, through
 * serial ones when it is its turn, to the writers.  When it must wait it is
 * parked, and whoever makes its turn come puts it back on the ready queue. */
static void carry(run *r, cv_doc *d, size_t w)
{
    const size_t W = r->nsteps;
    cv_reader_settle(&r->reader.ctx[0], d); /* the reader's share that runs in parallel */
    for (;;) {
        while (d->at < r->nsteps && !d->drop_reason && !stopping(r) && !is_serial(r, d->at))
            run_steps(r, d, d->at, d->at + 1, w), d->at++;
        pthread_mutex_lock(&r->mu);
        if (stopping(r)) {
            pthread_mutex_unlock(&r->mu);
            cv_doc_free(d);
            return;
        }
        if (d->at < r->nsteps && !d->drop_reason) { /* a serial step */
            size_t p = d->at;
            const cv_plugin *desc = r->steps[p].entry->desc;
            if (desc->prepare && d->prepared != p + 1) {
                /* Its share of the step that needs no turn, done here in parallel. */
                pthread_mutex_unlock(&r->mu);
                d->stage = desc->name;
                desc->prepare(r->steps[p].inst[0], d);
                d->prepared = p + 1;
                continue;
            }
            if (d->seq != r->next[p]) {
                r->parked[p * r->ring + d->seq % r->ring] = d;
                pthread_mutex_unlock(&r->mu);
                return;
            }
            pthread_mutex_unlock(&r->mu);
            run_steps(r, d, p, p + 1, w);
            d->at++;
            pthread_mutex_lock(&r->mu);
            seq_advance(r, p);
            pthread_mutex_unlock(&r->mu);
            continue;
        }
        for (; d->at < r->nsteps; d->at++) /* serial steps a dropped document will not reach */
            if (is_serial(r, d->at))
                seq_skip(r, d->at, d->seq);
        if (d->seq != r->next[W])
            r->parked[W * r->ring + d->seq % r->ring] = d;
        else
            write_in_order(r, d);
        pthread_mutex_unlock(&r->mu);
        return;
    }
}

/* The next document to work on, NULL when there is none left.  Documents
 * whose turn came go first; a new one is taken only inside the window. */
static cv_doc *take(run *r)
{
    const size_t W = r->nsteps;
    pthread_mutex_lock(&r->mu);
    cv_doc *d = NULL;
    while (!stopping(r)) {
        if (r->readylen) {
            d = r->ready[r->readyhead];
            r->readyhead = (r->readyhead + 1) % r->ring;
            r->readylen--;
            break;
        }
        if (r->inlen && r->inq[r->inhead]->seq < r->next[W] + r->ring) {
            d = r->inq[r->inhead];
            r->inhead = (r->inhead + 1) % r->incap;
            r->inlen--;
            r->inbytes -= d->len;
            /* The reader refills in a batch, not one by one. */
            if (r->reader_waits && r->inlen <= r->incap / 2 && r->inbytes < r->inbytes_cap / 2)
                pthread_cond_signal(&r->room);
            break;
        }
        if (r->inlen == 0 && r->reader_done)
            break; /* what is still parked, the workers holding turns release */
        int held = r->inlen > 0; /* by the window, not for want of input */
        r->idle++;
        r->window_waits += held;
        timed_wait(r, &r->work);
        r->idle--;
        r->window_waits -= held;
    }
    pthread_mutex_unlock(&r->mu);
    return d;
}

/* Workers yield to the reader.  It feeds them all from one compressed
 * stream; at equal priority, N workers and the reader share N cores, the
 * reader gets N/(N+1) of one, falls behind, and the queue runs dry while
 * cores idle (1 GB at -j 2: 3.3-3.8 s; with workers 5 nice steps below the
 * reader, 2.9-3.0 s).  The nice value is per thread on Linux only;
 * elsewhere setpriority() would renice the whole process, so it is left. */
static void yield_to_reader(void)
{
#if defined(__linux__) && defined(SYS_gettid)
    id_t tid = (id_t)syscall(SYS_gettid);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, tid);
    if (errno == 0)
        setpriority(PRIO_PROCESS, tid, nice + 5 > 19 ? 19 : nice + 5); /* may fail: only slower */
#endif
}

static void *worker_thread(void *arg)
{
    worker *w = arg;
    yield_to_reader();
    cv_doc *d;
    while ((d = take(w->r)))
        carry(w->r, d, w->index);
    return NULL;
}

static void run_parallel(run *r)
{
    /* A deep queue lets the reader run in long stretches: with 8 documents
     * per worker it woke and slept every few documents, and the futex calls
     * and context switches cost 8% of the CPU time at -j 2.  What bounds it
     * is its text, 4 MiB per worker (~5 ms of a worker's input): with 64
     * documents per worker (~0.6 MB) the queue ran dry whenever the reader,
     * woken with half of it left, waited a scheduler tick for a CPU, and the
     * workers idled 0.3-0.45 s of a 2.5 s run (1 GB at -j 2); with 512,
     * 0.0-0.1 s. */
    r->incap = (size_t)r->nworkers * 512;
    r->inbytes_cap = (size_t)r->nworkers * (4u << 20);
    /* How far documents may run ahead of the writers: the queue, and beyond
     * it 260 per worker being worked on or parked at a serial step or the
     * writers, all within this window. */
    r->ring = r->incap + 260 * (size_t)r->nworkers + 2;
    r->inq = cv_xcalloc(r->incap, sizeof *r->inq);
    r->next = cv_xcalloc(r->nsteps + 1, sizeof *r->next);
    r->skip = cv_xcalloc((r->nsteps + 1) * r->ring, 1);
    r->parked = cv_xcalloc((r->nsteps + 1) * r->ring, sizeof *r->parked);
    r->ready = cv_xcalloc(r->ring, sizeof *r->ready);
    pthread_t rt, *wt = cv_xcalloc((size_t)r->nworkers, sizeof *wt);
    worker *ws = cv_xcalloc((size_t)r->nworkers, sizeof *ws);
    pthread_create(&rt, NULL, reader_thread, r);
    for (int i = 0; i < r->nworkers; i++) {
        ws[i] = (worker){r, (size_t)i};
        pthread_create(&wt[i], NULL, worker_thread, &ws[i]);
    }
    pthread_join(rt, NULL);
    for (int i = 0; i < r->nworkers; i++)
        pthread_join(wt[i], NULL);
    /* After a stop, documents may remain queued: free them. */
    for (size_t i = 0; i < r->inlen; i++)
        cv_doc_free(r->inq[(r->inhead + i) % r->incap]);
    for (size_t i = 0; i < (r->nsteps + 1) * r->ring; i++) /* left behind by a stop */
        cv_doc_free(r->parked[i]);
    for (size_t i = 0; i < r->readylen; i++)
        cv_doc_free(r->ready[(r->readyhead + i) % r->ring]);
    free(r->inq);
    free(r->next);
    free(r->skip);
    free(r->parked);
    free(r->ready);
    free(wt);
    free(ws);
}

/* ---- the run ------------------------------------------------------------- */

/* Without -j or threads:, one worker per CPU this process may run on (so
 * taskset, cgroups and batch schedulers are respected), at most 16: past
 * that the ordered writers, not the workers, set the pace. */
static int default_threads(void)
{
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : n;
}

static int finish_stages(run *r)
{
    for (size_t i = 0; i < r->nsteps; i++)
        for (size_t k = 0; k < r->steps[i].ninst; k++)
            if (r->steps[i].entry->desc->finish && r->steps[i].entry->desc->finish(r->steps[i].inst[k]) != CV_OK) {
                fail(r, "step '%s' failed to finish: %s", r->steps[i].entry->desc->name,
                     cv_ctx_take_error(&r->steps[i].ctx[k], "finish failed"));
                return -1;
            }
    for (size_t i = 0; i < r->nwriters; i++)
        if (r->writers[i].entry->desc->finish && r->writers[i].entry->desc->finish(r->writers[i].inst[0]) != CV_OK) {
            fail(r, "writer '%s' failed to finish: %s", r->writers[i].entry->desc->name,
                 cv_ctx_take_error(&r->writers[i].ctx[0], "finish failed"));
            return -1;
        }
    return 0;
}

static int write_report(run *r)
{
    cv_err e;
    if (cv_report_save(r->report, r->outs, &e) == 0)
        return 0;
    fail(r, "%s", e.msg);
    return -1;
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

static json_t *pipeline_json(const run *r)
{
    const cv_config *c = r->cfg;
    json_t *steps = json_array(), *writers = json_array();
    for (size_t i = 0; i < c->nsteps; i++)
        json_array_append_new(steps, stage_json(&c->steps[i]));
    for (size_t i = 0; i < c->nwriters; i++)
        json_array_append_new(writers, stage_json(&c->writers[i]));
    json_t *j = json_pack("{s:s, s:o, s:o, s:o}", "config", c->path, "reader", stage_json(&c->reader), "steps", steps,
                          "writers", writers);
    const cv_node *path = cv_node_get(c->reader.node, "path");
    const char *input = r->ro->input ? r->ro->input : path && path->kind == CV_NODE_SCALAR ? path->value : NULL;
    if (input)
        json_object_set_new(j, "input", json_string(input));
    if (r->ro->ninputs > 1) {
        json_t *all = json_array();
        for (size_t i = 0; i < r->ro->ninputs; i++)
            json_array_append_new(all, json_string(r->ro->inputs[i]));
        json_object_set_new(j, "inputs", all);
    }
    if (c->card)
        json_object_set_new(j, "card", node_json(c->card));
    if (r->ro->shards)
        json_object_set_new(j, "shard", json_pack("{s:i, s:i}", "k", (int)r->ro->shard, "n", (int)r->ro->shards));
    return j;
}

/* ---- phased runs --------------------------------------------------------- */

static const char *const phase_names[] = {"", "sign", "pairs", "collect", "decide", "apply", "merge"};

int cv_phase_parse(const char *name)
{
    for (int i = CV_PHASE_SIGN; i <= CV_PHASE_MERGE; i++)
        if (!strcmp(name, phase_names[i]))
            return i;
    return -1;
}

char *cv_phase_dir(const char *out, int phase, unsigned k)
{
    switch (phase) {
    case CV_PHASE_SIGN: return cv_xasprintf("%s/work/sign-%u", out, k);
    case CV_PHASE_PAIRS: return cv_xasprintf("%s/work/pairs-%u", out, k);
    case CV_PHASE_COLLECT: return cv_xasprintf("%s/work/collect-%u", out, k);
    case CV_PHASE_DECIDE: return cv_xasprintf("%s/work/decide", out);
    case CV_PHASE_APPLY: return cv_xasprintf("%s/shard-%u", out, k);
    default: return cv_xstrdup(out);
    }
}

/* Which steps this task runs, and what the phase step is told: its phase,
 * the work folder, the shard and the budget (options it declares). */
static int phase_setup(run *r, cv_err *err)
{
    const cv_run_opts *ro = r->ro;
    const cv_config *c = r->cfg;
    if (r->phase_step == c->nsteps) {
        cv_err_set(err, "--phase %s: no step of %s runs in phases (one that declares a 'phase' option, such as dedup); "
                        "shard it with --shard K/N alone",
                   phase_names[ro->phase], c->path);
        return -1;
    }
    if (!ro->shards) {
        cv_err_set(err, "--phase %s needs --shard K/N", phase_names[ro->phase]);
        return -1;
    }
    size_t p = r->phase_step;
    if (ro->phase == CV_PHASE_SIGN)
        r->nsteps = p + 1;
    else if (ro->phase == CV_PHASE_APPLY)
        r->first = p;
    else
        r->first = p, r->nsteps = p + 1;
    const char *outdir = ro->output ? ro->output : c->output ? c->output : "out";
    char *work = cv_xasprintf("%s/work", outdir), k[24], n[24], mem[24];
    snprintf(k, sizeof k, "%u", ro->shard);
    snprintf(n, sizeof n, "%u", ro->shards);
    snprintf(mem, sizeof mem, "%llu", (unsigned long long)(ro->memory ? ro->memory : (uint64_t)1 << 30));
    const char *keys[] = {"phase", "work", "shard", "shards", "memory"};
    const char *vals[] = {phase_names[ro->phase], work, k, n, mem};
    int rc = 0;
    for (size_t i = 0; i < 5 && rc == 0; i++)
        if ((rc = cv_opts_override(r->steps[p].opts, keys[i], vals[i], err)) < 0)
            cv_err_set(err, "--phase: step '%s' cannot run in phases: %s", c->steps[p].plugin, err->msg);
    free(work);
    return rc;
}

/* The marker of task k of phase under out, with checksums of the files
 * matching sum (NULL: all). */
static int check_task(const char *out, int phase, unsigned k, const char *sum, cv_err *err)
{
    char *dir = cv_phase_dir(out, phase, k);
    int rc = cv_marker_check(dir, sum, err);
    free(dir);
    return rc;
}

/* A task trusts the work of earlier tasks only when their markers vouch
 * for it: sizes always, checksums of the files it reads whole. */
static int check_inputs(run *r, const char *outdir, cv_err *err)
{
    const cv_run_opts *ro = r->ro;
    unsigned n = ro->shards, parts = n < CV_PHASE_MAX_PARTS ? n : CV_PHASE_MAX_PARTS, k = ro->shard;
    char pat[64];
    int rc = 0;
    switch (ro->phase) {
    case CV_PHASE_PAIRS: /* its partition of every sign task */
        snprintf(pat, sizeof pat, "*-%u.bin", k);
        for (unsigned j = 0; j < n && rc == 0; j++)
            rc = check_task(outdir, CV_PHASE_SIGN, j, pat, err);
        break;
    case CV_PHASE_COLLECT: /* its part of every pairs task */
        snprintf(pat, sizeof pat, "to-%u.bin", k);
        for (unsigned j = 0; j < parts && rc == 0; j++)
            rc = check_task(outdir, CV_PHASE_PAIRS, j, pat, err);
        break;
    case CV_PHASE_DECIDE: /* every collect task, and the ids of every sign task */
        for (unsigned j = 0; j < parts && rc == 0; j++)
            rc = check_task(outdir, CV_PHASE_COLLECT, j, NULL, err);
        for (unsigned j = 0; j < n && rc == 0; j++)
            rc = check_task(outdir, CV_PHASE_SIGN, j, "ids.bin", err);
        break;
    case CV_PHASE_APPLY: /* its sign task, and its decisions */
        snprintf(pat, sizeof pat, "decisions-%u.*", k);
        rc = check_task(outdir, CV_PHASE_SIGN, k, NULL, err);
        if (rc == 0)
            rc = check_task(outdir, CV_PHASE_DECIDE, 0, pat, err);
        break;
    default: break;
    }
    if (rc == 0)
        return 0;
    char why[1024];
    snprintf(why, sizeof why, "%s", err->msg);
    cv_err_set(err, "--phase %s: the earlier phases' work is not complete: %s", phase_names[ro->phase], why);
    return -1;
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
    pthread_cond_init(&r->room, NULL);
    pthread_cond_init(&r->work, NULL);
    r->steps = cv_xcalloc(cfg->nsteps, sizeof *r->steps);
    r->writers = cv_xcalloc(cfg->nwriters, sizeof *r->writers);
    r->nworkers = ro->threads > 0 ? ro->threads : cfg->threads > 0 ? cfg->threads : default_threads();

    const char *first = ro->ninputs ? ro->inputs[0] : ro->input;
    static cv_node no_options; /* the stage keeps a pointer to it */
    no_options = (cv_node){.kind = CV_NODE_MAP, .line = cfg->reader.node->line, .col = cfg->reader.node->col};
    cv_stage pq = {"parquet", &no_options};
    int to_parquet = first && strcmp(cfg->reader.plugin, "parquet") && parquet_in(first, 0);
    if (to_parquet)
        cv_log(CV_LOG_INFO, "-i %s: Parquet, read by the parquet reader (not the config's '%s')", first,
               cfg->reader.plugin);
    if (resolve(r, reg, to_parquet ? &pq : &cfg->reader, CV_READER, &r->reader, err) < 0)
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
        if (r->phase_step == cfg->nsteps && cv_opts_find(r->steps[r->nsteps].opts, "phase"))
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
    if (ro->phase && check_inputs(r, outdir, err) < 0) {
        free(taskdir);
        status = CV_EXIT_FAILED;
        goto out;
    }
    r->report = cv_report_new();
    cv_report_set_pipeline(r->report, pipeline_json(r));
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
    cv_outset_free(r->outs);
    cv_report_free(r->report);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->room);
    pthread_cond_destroy(&r->work);
    return status;
}
