/* scheduler.c -- the thread scheduler (see scheduler.h): N workers that take
 * turns at reading, and sequence points that keep input order where a step or
 * the end needs it. */
#include "scheduler.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

#include "deadline.h"
#include "err.h"

/* Documents go through the workers in chunks: a read turn reads a chunk
 * of consecutive documents, and a chunk, not a document, takes a serial
 * turn and the end's.  Per document, a -j 2 run took the lock six times
 * and moved its line between the cores each time.  A chunk holds what the
 * workers get through in about CHUNK_NS (each chunk's time teaches the
 * next read turn), at most CHUNK_DOCS documents and up to the first past
 * CHUNK_BYTES of input: light documents go sixteen at a time, heavy ones
 * (a page through extraction, a text through a tagger) one at a time, so
 * the workers still share a run's last documents and a small input.  Until
 * a chunk has ended, and so been timed, chunks hold one document. */
enum { CHUNK_DOCS = 16, CHUNK_BYTES = 64 * 1024, CHUNK_NS = 200 * 1000 };
/* Chunks a worker holds read and not yet started: refilled while one is
 * left, so the batch is seldom empty when the read turn is taken. */
enum { QUEUE = 2 };
/* Documents in flight (read and not yet ended) per worker: queued, being
 * worked on, or parked at a serial step or the end. */
enum { WINDOW_DOCS = 512 };

typedef struct chunk {
    uint64_t seq;    /* chunks in input order: 0, 1, 2, ... */
    size_t at;       /* the next step of its documents (those at it and not dropped) */
    size_t prepared; /* 1 + the step whose prepare() ran on it, 0: none */
    size_t reader;   /* the worker that read it, which frees it */
    uint64_t ns;     /* time its documents took, settling, steps and end */
    size_t n;
    cv_doc *doc[CHUNK_DOCS];
} chunk;

struct cv_sched {
    cv_sched_ops ops;
    int nworkers;
    pthread_mutex_t mu;
    /* Wake-ups only for workers that wait: one broadcast per event woke
     * every thread, a context switch each. */
    pthread_cond_t work;
    int idle, window_waits; /* who waits: workers, and those of them held by the window */
    /* The read turn: one worker at a time calls read() for a chunk or two
     * into its queue (see take). */
    _Atomic int reading; /* read without the lock while waiting for the turn (see wait_for_reader) */
    uint64_t nread;      /* chunks read so far: the next one's seq */
    _Atomic uint64_t doc_ns; /* time a document takes, from the chunks ended (0: none yet) */
    int outlier;             /* the last chunk ended counted less than it took (the end's turn's) */
    int reader_done;
    /* Each worker's chunks read and not yet started, in input order:
     * nworkers rows of QUEUE (head, length per worker). */
    chunk **own;
    size_t *ownhead, *ownlen;
    /* Ended chunks go back to the worker that read them, which frees them
     * (see end_in_order): nworkers rows of done_row, and each row's swap. */
    chunk **done, **freeing;
    size_t *ndone;
    size_t done_row;
    /* Sequence points: one per step (used by serial ones) and one for the
     * end, at index nsteps.  next: the chunk admitted next.  Every chunk
     * passes every point, in order, whatever was dropped from it. */
    uint64_t *next;
    chunk **parked; /* (nsteps + 1) rings: chunks waiting for their turn */
    /* Parked chunks whose turn came, each on the ring of the worker that
     * read it (nworkers rings): its text and the rest of its memory are in
     * that worker's cache.  Carried on by whichever worker held the turn,
     * two thirds of a -j 2 MinHash run's documents were ended (the writer
     * reads the whole text) on the other core. */
    chunk **ready;
    size_t *readyhead, *readylen, nready;
    size_t window;                  /* documents in flight at most */
    uint64_t docs_read, docs_ended; /* for the window */
    size_t ring;                    /* chunks in flight at most: window + 1 (a chunk holds one or more) */
};

static int stopping(cv_sched *s) { return s->ops.stopping(s->ops.arg); }
static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int is_serial(const cv_sched *s, size_t step) { return s->ops.kinds[step] != CV_SCHED_PARALLEL; }

cv_sched *cv_sched_new(const cv_sched_ops *ops, int nworkers)
{
    cv_sched *s = cv_xcalloc(1, sizeof *s);
    s->ops = *ops;
    s->nworkers = nworkers;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    s->window = WINDOW_DOCS * (size_t)nworkers;
    s->ring = s->window + 1;
    s->own = cv_xcalloc((size_t)nworkers * QUEUE, sizeof *s->own);
    s->ownhead = cv_xcalloc((size_t)nworkers, sizeof *s->ownhead);
    s->ownlen = cv_xcalloc((size_t)nworkers, sizeof *s->ownlen);
    /* A worker's ended chunks wait for its next take(): those it read that
     * were in the window when it last freed (at most ring), and what it
     * read in that take (valgrind's slow threads overran a row of ring). */
    s->done_row = s->ring + QUEUE;
    s->done = cv_xcalloc((size_t)nworkers * s->done_row, sizeof *s->done);
    s->freeing = cv_xcalloc((size_t)nworkers * s->done_row, sizeof *s->freeing);
    s->ndone = cv_xcalloc((size_t)nworkers, sizeof *s->ndone);
    size_t points = ops->nsteps + 1;
    s->next = cv_xcalloc(points, sizeof *s->next);
    s->parked = cv_xcalloc(points * s->ring, sizeof *s->parked);
    s->ready = cv_xcalloc((size_t)nworkers * s->ring, sizeof *s->ready);
    s->readyhead = cv_xcalloc((size_t)nworkers, sizeof *s->readyhead);
    s->readylen = cv_xcalloc((size_t)nworkers, sizeof *s->readylen);
    return s;
}

size_t cv_sched_window(const cv_sched *s) { return s->window; }
uint64_t cv_sched_chunks(const cv_sched *s) { return s->nread; }

/* Documents the window lets in now. */
static size_t room_for(const cv_sched *s) { return s->window - (size_t)(s->docs_read - s->docs_ended); }

void cv_sched_wake(cv_sched *s)
{
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
}

static void chunk_free(chunk *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        cv_doc_free(c->doc[i]);
    free(c);
}

void cv_sched_free(cv_sched *s)
{
    if (!s)
        return;
    /* After a stop, chunks may remain queued, parked or ready. */
    for (size_t w = 0; w < (size_t)s->nworkers; w++)
        for (size_t i = 0; i < s->ownlen[w]; i++)
            chunk_free(s->own[w * QUEUE + (s->ownhead[w] + i) % QUEUE]);
    for (size_t i = 0; i < (s->ops.nsteps + 1) * s->ring; i++)
        chunk_free(s->parked[i]);
    for (size_t w = 0; w < (size_t)s->nworkers; w++)
        for (size_t i = 0; i < s->readylen[w]; i++)
            chunk_free(s->ready[w * s->ring + (s->readyhead[w] + i) % s->ring]);
    for (size_t w = 0; w < (size_t)s->nworkers; w++)
        for (size_t i = 0; i < s->ndone[w]; i++)
            chunk_free(s->done[w * s->done_row + i]);
    free(s->own);
    free(s->ownhead);
    free(s->ownlen);
    free(s->done);
    free(s->freeing);
    free(s->ndone);
    free(s->next);
    free(s->parked);
    free(s->ready);
    free(s->readyhead);
    free(s->readylen);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->work);
    free(s);
}

static void timed_wait(cv_sched *s, pthread_cond_t *cond)
{
    /* Signals cannot broadcast a condition, so waits wake up now and then. */
    struct timespec ts = cv_deadline_ms(100);
    pthread_cond_timedwait(cond, &s->mu, &ts);
}

/* Sequence points.  Point p < nsteps belongs to serial step p; point nsteps
 * to the end.  A chunk that is not next at a point is parked there and its
 * worker goes on with other work: no worker ever waits for its turn.  A
 * chunk holds a document or more and at most window documents are in
 * flight, so every chunk in flight has seq in [next[E], next[E] + ring) and
 * seq % ring indexes the rings without collisions.  The helpers below are
 * called with s->mu held. */

static void ready_push(cv_sched *s, chunk *c)
{
    size_t r = c->reader;
    s->ready[r * s->ring + (s->readyhead[r] + s->readylen[r]++) % s->ring] = c;
    s->nready++;
    if (s->idle) /* its reader may be the one asleep */
        pthread_cond_broadcast(&s->work);
}

/* The oldest chunk on worker r's ready ring. */
static chunk *ready_pop(cv_sched *s, size_t r)
{
    chunk *c = s->ready[r * s->ring + s->readyhead[r]];
    s->readyhead[r] = (s->readyhead[r] + 1) % s->ring;
    s->readylen[r]--;
    s->nready--;
    return c;
}

/* Move point p past its current chunk; returns the chunk parked for the
 * new turn, if any. */
static chunk *seq_advance(cv_sched *s, size_t p)
{
    chunk **slot = &s->parked[p * s->ring + ++s->next[p] % s->ring];
    chunk *c = *slot;
    if (!c || c->seq != s->next[p])
        return NULL;
    *slot = NULL;
    return c;
}

typedef struct worker {
    cv_sched *s;
    size_t index;
} worker;

/* Step c->at on each of c's documents that is at it and not dropped, then
 * move the chunk on.  Without the lock. */
static void chunk_step(cv_sched *s, chunk *c, size_t w)
{
    const size_t p = c->at;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < c->n && !stopping(s); i++) {
        cv_doc *d = c->doc[i];
        if (d->at == p && !d->drop_reason) {
            s->ops.step(s->ops.arg, d, p, w);
            d->at = p + 1;
        }
    }
    c->at = p + 1;
    c->ns += now_ns() - t0;
}

/* The end's turn is ours: end c and every parked chunk that follows.
 * Called and returns with s->mu held. */
static void end_in_order(cv_sched *s, chunk *c, size_t w)
{
    const size_t E = s->ops.nsteps;
    for (;;) {
        pthread_mutex_unlock(&s->mu);
        uint64_t t0 = now_ns();
        for (size_t i = 0; i < c->n && !stopping(s); i++) {
            c->doc[i]->at = E; /* (a dropped one skipped the rest) */
            s->ops.end(s->ops.arg, c->doc[i], w);
        }
        c->ns += now_ns() - t0;
        uint64_t per = c->ns / c->n, was = atomic_load_explicit(&s->doc_ns, memory_order_relaxed);
        /* One chunk far slower than the estimate was preempted or stalled:
         * taken as it was, the next dozen chunks held one or two documents.
         * Two in a row are documents that got heavier: believed. */
        int outlier = was && per > 2 * was && !s->outlier;
        s->outlier = outlier;
        if (outlier)
            per = 2 * was;
        atomic_store_explicit(&s->doc_ns, was ? (3 * was + per) / 4 : per | 1, memory_order_relaxed);
        pthread_mutex_lock(&s->mu);
        /* Its reader frees it: most of a document's memory is from the
         * reader's malloc arena, and freeing it here, on another thread,
         * waited on that arena's lock while the reader allocated (a fifth
         * of a -j 2 MinHash run's sleeps). */
        size_t r = c->reader, n = c->n;
        if (s->ndone[r] < s->done_row)
            s->done[r * s->done_row + s->ndone[r]++] = c;
        else
            chunk_free(c); /* not reached (see cv_sched_new); freed here rather than past the row */
        s->next[E]++;
        s->docs_ended += n;
        if (s->window_waits)
            pthread_cond_broadcast(&s->work);
        chunk **slot = &s->parked[E * s->ring + s->next[E] % s->ring];
        c = *slot;
        if (!c || stopping(s))
            return;
        *slot = NULL;
        if (c->reader != w) { /* its reader ends it, where its memory is */
            ready_push(s, c);
            return;
        }
    }
}

/* Carry a chunk as far as it can go now: through parallel steps, through
 * serial ones when it is its turn, to the end.  When it must wait it is
 * parked, and whoever makes its turn come puts it back on the ready queue. */
static void carry(cv_sched *s, chunk *c, size_t w, int fresh)
{
    const size_t E = s->ops.nsteps;
    if (fresh && s->ops.settle) {
        uint64_t t0 = now_ns();
        for (size_t i = 0; i < c->n; i++)
            s->ops.settle(s->ops.arg, c->doc[i], w);
        c->ns += now_ns() - t0;
    }
    for (;;) {
        while (c->at < E && !stopping(s) && !is_serial(s, c->at))
            chunk_step(s, c, w);
        if (c->at < E && !stopping(s) && s->ops.kinds[c->at] == CV_SCHED_PREPARED && c->prepared != c->at + 1) {
            /* Its share of the step that needs no turn, done here in parallel
             * (c is this worker's alone: no lock). */
            uint64_t t0 = now_ns();
            for (size_t i = 0; i < c->n; i++) {
                cv_doc *d = c->doc[i];
                if (d->at == c->at && !d->drop_reason) {
                    s->ops.prepare(s->ops.arg, d, c->at, w);
                    d->prepared = c->at + 1;
                }
            }
            c->prepared = c->at + 1;
            c->ns += now_ns() - t0;
        }
        pthread_mutex_lock(&s->mu);
        /* With the lock held: serial steps while it is c's turn, then the end. */
        while (!stopping(s) && c->at < E && is_serial(s, c->at) &&
               (s->ops.kinds[c->at] != CV_SCHED_PREPARED || c->prepared == c->at + 1)) {
            size_t p = c->at;
            if (c->seq != s->next[p]) {
                s->parked[p * s->ring + c->seq % s->ring] = c;
                pthread_mutex_unlock(&s->mu);
                return;
            }
            pthread_mutex_unlock(&s->mu);
            chunk_step(s, c, w);
            pthread_mutex_lock(&s->mu);
            /* The turn stays with this worker while the next chunk waits
             * for it, if this worker read it: c goes on from the ready queue.
             * Passed on through the queue every time, each turn waited for
             * a worker to finish what it was doing, and the serial step ran
             * at that pace.  A chunk another worker read goes back to it
             * (see ready): carried on here, it was on the wrong core. */
            chunk *next = seq_advance(s, p);
            if (next && next->reader == w) {
                ready_push(s, c);
                c = next;
            } else if (next) {
                ready_push(s, next);
            }
        }
        if (stopping(s)) {
            pthread_mutex_unlock(&s->mu);
            chunk_free(c);
            return;
        }
        if (c->at < E) { /* a parallel step or a prepare() next: without the lock */
            pthread_mutex_unlock(&s->mu);
            continue;
        }
        if (c->seq != s->next[E])
            s->parked[E * s->ring + c->seq % s->ring] = c;
        else
            end_in_order(s, c, w);
        pthread_mutex_unlock(&s->mu);
        return;
    }
}

/* How many documents the next chunk may hold (see CHUNK_NS), the window
 * aside.  With the lock held. */
static size_t chunk_docs(const cv_sched *s)
{
    uint64_t per = atomic_load_explicit(&s->doc_ns, memory_order_relaxed);
    if (!per || per >= CHUNK_NS)
        return 1;
    return CHUNK_NS / per < CHUNK_DOCS ? (size_t)(CHUNK_NS / per) : CHUNK_DOCS;
}

/* One chunk from read(): max documents, or up to the first past
 * CHUNK_BYTES, fewer where the input or the run ends.  *more: 0 when
 * read() said there is no more.  Without the lock, in the read turn. */
static chunk *read_chunk(cv_sched *s, size_t max, int *more)
{
    chunk *c = cv_xcalloc(1, sizeof *c);
    uint64_t bytes = 0;
    *more = 1;
    c->at = s->ops.nsteps;
    while (c->n < max && bytes < CHUNK_BYTES && !stopping(s)) {
        cv_doc *d = NULL;
        if (s->ops.read(s->ops.arg, &d) <= 0) {
            *more = 0;
            break;
        }
        c->doc[c->n++] = d;
        bytes += d->bytes_in ? d->bytes_in : d->len;
        if (d->at < c->at)
            c->at = d->at;
    }
    return c;
}

/* The read turn is ours: read chunks into worker w's queue until it holds
 * two, less where the window, the input or the run ends.  Called and
 * returns with s->mu held; read() itself runs without it. */
static void read_turn(cv_sched *s, size_t w)
{
    s->reading = 1;
    while (s->ownlen[w] < QUEUE && room_for(s) && !stopping(s)) {
        int more;
        size_t max = chunk_docs(s);
        if (max > room_for(s))
            max = room_for(s);
        pthread_mutex_unlock(&s->mu);
        chunk *c = read_chunk(s, max, &more);
        pthread_mutex_lock(&s->mu);
        if (c->n) {
            s->docs_read += c->n;
            c->seq = s->nread++;
            c->reader = w;
            s->own[w * QUEUE + (s->ownhead[w] + s->ownlen[w]++) % QUEUE] = c;
        } else {
            free(c);
        }
        if (!more) {
            s->reader_done = 1;
            pthread_cond_broadcast(&s->work);
            break;
        }
    }
    s->reading = 0;
    if (s->idle)
        pthread_cond_signal(&s->work); /* the read turn is free */
}

/* Free the chunks worker w read that have ended, without the lock.
 * Called and returns with s->mu held. */
static void free_ended(cv_sched *s, size_t w)
{
    size_t n = s->ndone[w];
    if (!n)
        return;
    chunk **mine = s->freeing + w * s->done_row;
    memcpy(mine, s->done + w * s->done_row, n * sizeof *mine);
    s->ndone[w] = 0;
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < n; i++)
        chunk_free(mine[i]);
    pthread_mutex_lock(&s->mu);
}

/* Another worker holds the read turn: wait for it without sleeping, for a
 * while.  A turn reads a chunk or two, some microseconds; asleep, the
 * worker paid two context switches and a wake-up for each wait, and on a
 * shared machine the core went to another process meanwhile (a third of
 * the waits of a -j 2 MinHash run).  Called and returns with s->mu held. */
static void wait_for_reader(cv_sched *s)
{
    pthread_mutex_unlock(&s->mu);
    uint64_t t0 = now_ns();
    int freed = 0;
    for (unsigned i = 1; !freed; i++) {
        CPU_RELAX();
        freed = !atomic_load_explicit(&s->reading, memory_order_relaxed);
        if (!freed && i % 64 == 0 && now_ns() - t0 > 100000)
            break; /* 100 us: a slow read (a compressed stream, a disk); sleep instead */
    }
    pthread_mutex_lock(&s->mu);
}

/* The next chunk for worker w, NULL when there is none left.  Chunks whose
 * turn came go first, then w's queue; a worker whose queue runs low takes
 * the read turn and reads the next.  There is no reader thread: with one,
 * -j 2 ran three threads on two cores, the kernel often kept both workers
 * on one core while the reader slept on the other, each document's text
 * was written in one core's cache and read from another's, and its memory
 * came from the reader's malloc arena and went back to it from a worker
 * (whose frees waited on the reader's arena lock). */
static chunk *take(cv_sched *s, size_t w, int *fresh)
{
    pthread_mutex_lock(&s->mu);
    free_ended(s, w);
    chunk *c = NULL;
    while (!stopping(s)) {
        if (s->readylen[w]) {
            c = ready_pop(s, w);
            *fresh = 0;
            break;
        }
        int room = room_for(s) > 0; /* the window lets one more in */
        if (s->ownlen[w] <= 1 && !s->reading && !s->reader_done && room)
            read_turn(s, w);
        /* Our queue first; empty, the oldest of another's that holds two
         * (its reader has one to go on with), rather than wait. */
        size_t from = w;
        for (size_t v = 0; !s->ownlen[from] && v < (size_t)s->nworkers; v++)
            if (s->ownlen[v] >= 2)
                from = v;
        /* Nothing else to do, now or until the end moves on: another's
         * last one rather than leave it to its reader (busy for long, or
         * gone), as a run's last chunks would be. */
        if (!s->ownlen[from] && !s->nready && (s->reader_done || !room))
            for (size_t v = 0; !s->ownlen[from] && v < (size_t)s->nworkers; v++)
                if (s->ownlen[v])
                    from = v;
        if (s->ownlen[from]) {
            c = s->own[from * QUEUE + s->ownhead[from]];
            s->ownhead[from] = (s->ownhead[from] + 1) % QUEUE;
            s->ownlen[from]--;
            *fresh = 1;
            break;
        }
        /* Nothing of our own: another's ready chunk rather than wait (its
         * reader may be busy for long, or gone). */
        size_t other = 0;
        while (s->nready && !s->readylen[other])
            other++;
        if (s->nready) {
            c = ready_pop(s, other);
            *fresh = 0;
            break;
        }
        if (s->reader_done)
            break; /* what is still parked, the workers holding turns release */
        if (s->reading) {
            wait_for_reader(s);
            /* Freed while it spun or while it took the lock back, or a
             * chunk came ready meanwhile (a spinning worker is not idle,
             * so no one woke it): look again.  (Asleep after a turn that
             * ended in between, nothing woke it but the next event or the
             * timeout.) */
            if (!s->reading || s->readylen[w] || s->nready)
                continue;
        }
        int held = !room && !s->reading; /* by the window, not for want of input */
        s->idle++;
        s->window_waits += held;
        timed_wait(s, &s->work);
        s->idle--;
        s->window_waits -= held;
    }
    pthread_mutex_unlock(&s->mu);
    return c;
}

static void *worker_thread(void *arg)
{
    worker *w = arg;
    chunk *c;
    int fresh;
    while ((c = take(w->s, w->index, &fresh)))
        carry(w->s, c, w->index, fresh);
    return NULL;
}

/* The calling thread is worker 0: -j N runs N threads. */
void cv_sched_run(cv_sched *s)
{
    pthread_t *wt = cv_xcalloc((size_t)s->nworkers, sizeof *wt);
    worker *ws = cv_xcalloc((size_t)s->nworkers, sizeof *ws);
    for (int i = 0; i < s->nworkers; i++)
        ws[i] = (worker){s, (size_t)i};
    for (int i = 1; i < s->nworkers; i++)
        pthread_create(&wt[i], NULL, worker_thread, &ws[i]);
    worker_thread(&ws[0]);
    for (int i = 1; i < s->nworkers; i++)
        pthread_join(wt[i], NULL);
    free(wt);
    free(ws);
}

int cv_sched_default_workers(void)
{
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : n;
}
