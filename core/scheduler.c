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

/* Documents a worker reads in one read turn, for itself: their text is then
 * in its own cache when it works on them. */
enum { BATCH = 4 };

struct cv_sched {
    cv_sched_ops ops;
    int nworkers;
    pthread_mutex_t mu;
    /* Wake-ups only for workers that wait: one broadcast per event woke
     * every thread, a context switch each. */
    pthread_cond_t work;
    int idle, window_waits; /* who waits: workers, and those of them held by the window */
    /* The read turn: one worker at a time calls read() for a few documents
     * into the queue (see take). */
    _Atomic int reading; /* read without the lock while waiting for the turn (see wait_for_reader) */
    uint64_t nread; /* documents read so far: the next one's seq */
    int reader_done;
    /* Each worker's documents read and not yet started, in input order:
     * nworkers rows of BATCH (head, length per worker). */
    cv_doc **own;
    size_t *ownhead, *ownlen;
    /* Ended documents go back to the worker that read them, which frees
     * them (see end_in_order): nworkers rows of done_row, and each row's swap. */
    uint32_t *reader_of; /* by seq % ring */
    cv_doc **done, **freeing;
    size_t *ndone;
    size_t done_row; /* a row's room in done and freeing (see cv_sched_new) */
    /* Sequence points: one per step (used by serial ones) and one for the
     * end, at index nsteps.  next: the seq admitted next; skip: a ring of
     * documents that will never arrive (dropped earlier). */
    uint64_t *next;
    unsigned char *skip; /* (nsteps + 1) rings of ring bytes */
    cv_doc **parked; /* (nsteps + 1) rings: documents waiting for their turn */
    /* Parked documents whose turn came, each on the ring of the worker that
     * read it (nworkers rings): its text and the rest of its memory are in
     * that worker's cache.  Carried on by whichever worker held the turn,
     * two thirds of a -j 2 MinHash run's documents were ended (the writer
     * reads the whole text) on the other core. */
    cv_doc **ready;
    size_t *readyhead, *readylen, nready;
    size_t ring;
};

static int stopping(cv_sched *s) { return s->ops.stopping(s->ops.arg); }
static int is_serial(const cv_sched *s, size_t step) { return s->ops.kinds[step] != CV_SCHED_PARALLEL; }

cv_sched *cv_sched_new(const cv_sched_ops *ops, int nworkers)
{
    cv_sched *s = cv_xcalloc(1, sizeof *s);
    s->ops = *ops;
    s->nworkers = nworkers;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    /* How far documents may run ahead of the end: each worker's batch, and
     * beyond them 260 per worker being worked on or parked at a serial step
     * or the end. */
    s->ring = (BATCH + 260) * (size_t)nworkers + 2;
    s->own = cv_xcalloc((size_t)nworkers * BATCH, sizeof *s->own);
    s->ownhead = cv_xcalloc((size_t)nworkers, sizeof *s->ownhead);
    s->ownlen = cv_xcalloc((size_t)nworkers, sizeof *s->ownlen);
    s->reader_of = cv_xcalloc(s->ring, sizeof *s->reader_of);
    /* A worker's ended documents wait for its next take(): those it read that
     * were in the window when it last freed (at most ring), and the batch it
     * read in that take (valgrind's slow threads overran a row of ring). */
    s->done_row = s->ring + BATCH;
    s->done = cv_xcalloc((size_t)nworkers * s->done_row, sizeof *s->done);
    s->freeing = cv_xcalloc((size_t)nworkers * s->done_row, sizeof *s->freeing);
    s->ndone = cv_xcalloc((size_t)nworkers, sizeof *s->ndone);
    size_t points = ops->nsteps + 1;
    s->next = cv_xcalloc(points, sizeof *s->next);
    s->skip = cv_xcalloc(points * s->ring, 1);
    s->parked = cv_xcalloc(points * s->ring, sizeof *s->parked);
    s->ready = cv_xcalloc((size_t)nworkers * s->ring, sizeof *s->ready);
    s->readyhead = cv_xcalloc((size_t)nworkers, sizeof *s->readyhead);
    s->readylen = cv_xcalloc((size_t)nworkers, sizeof *s->readylen);
    return s;
}

size_t cv_sched_window(const cv_sched *s) { return s->ring; }

void cv_sched_wake(cv_sched *s)
{
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
}

void cv_sched_free(cv_sched *s)
{
    if (!s)
        return;
    /* After a stop, documents may remain in a batch, parked or ready. */
    for (size_t w = 0; w < (size_t)s->nworkers; w++)
        for (size_t i = 0; i < s->ownlen[w]; i++)
            cv_doc_free(s->own[w * BATCH + (s->ownhead[w] + i) % BATCH]);
    for (size_t i = 0; i < (s->ops.nsteps + 1) * s->ring; i++)
        cv_doc_free(s->parked[i]);
    for (size_t w = 0; w < (size_t)s->nworkers; w++)
        for (size_t i = 0; i < s->readylen[w]; i++)
            cv_doc_free(s->ready[w * s->ring + (s->readyhead[w] + i) % s->ring]);
    for (size_t w = 0; w < (size_t)s->nworkers; w++)
        for (size_t i = 0; i < s->ndone[w]; i++)
            cv_doc_free(s->done[w * s->done_row + i]);
    free(s->own);
    free(s->ownhead);
    free(s->ownlen);
    free(s->reader_of);
    free(s->done);
    free(s->freeing);
    free(s->ndone);
    free(s->next);
    free(s->skip);
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
 * to the end.  A document that is not next at a point is parked there and
 * its worker goes on with other work: no worker ever waits for its turn.
 * Every document in flight has seq in [next[E], next[E] + ring), so seq %
 * ring indexes the rings without collisions.  The helpers below are called
 * with s->mu held. */

static size_t reader_of(const cv_sched *s, const cv_doc *d) { return s->reader_of[d->seq % s->ring]; }

static void ready_push(cv_sched *s, cv_doc *d)
{
    size_t r = reader_of(s, d);
    s->ready[r * s->ring + (s->readyhead[r] + s->readylen[r]++) % s->ring] = d;
    s->nready++;
    if (s->idle) /* its reader may be the one asleep */
        pthread_cond_broadcast(&s->work);
}

/* The oldest document on worker r's ready ring. */
static cv_doc *ready_pop(cv_sched *s, size_t r)
{
    cv_doc *d = s->ready[r * s->ring + s->readyhead[r]];
    s->readyhead[r] = (s->readyhead[r] + 1) % s->ring;
    s->readylen[r]--;
    s->nready--;
    return d;
}

/* Move point p past its current document and past every one that will
 * never arrive; returns the document parked for the new turn, if any. */
static cv_doc *seq_advance(cv_sched *s, size_t p)
{
    unsigned char *skip = s->skip + p * s->ring;
    cv_doc **parked = s->parked + p * s->ring;
    s->next[p]++;
    while (skip[s->next[p] % s->ring]) {
        skip[s->next[p] % s->ring] = 0;
        s->next[p]++;
    }
    cv_doc *d = parked[s->next[p] % s->ring];
    if (!d || d->seq != s->next[p])
        return NULL;
    parked[s->next[p] % s->ring] = NULL;
    return d;
}

/* Document seq will never reach point p. */
static void seq_skip(cv_sched *s, size_t p, uint64_t seq)
{
    if (s->next[p] != seq) {
        s->skip[p * s->ring + seq % s->ring] = 1;
        return;
    }
    cv_doc *d = seq_advance(s, p);
    if (d)
        ready_push(s, d);
}

typedef struct worker {
    cv_sched *s;
    size_t index;
} worker;

/* The end's turn is ours: end d and every parked document that follows.
 * Called and returns with s->mu held. */
static void end_in_order(cv_sched *s, cv_doc *d, size_t w)
{
    const size_t E = s->ops.nsteps;
    for (;;) {
        pthread_mutex_unlock(&s->mu);
        s->ops.end(s->ops.arg, d, w);
        pthread_mutex_lock(&s->mu);
        /* Its reader frees it: most of a document's memory is from the
         * reader's malloc arena, and freeing it here, on another thread,
         * waited on that arena's lock while the reader allocated (a fifth
         * of a -j 2 MinHash run's sleeps). */
        size_t r = s->reader_of[d->seq % s->ring];
        if (s->ndone[r] < s->done_row)
            s->done[r * s->done_row + s->ndone[r]++] = d;
        else
            cv_doc_free(d); /* not reached (see cv_sched_new); freed here rather than past the row */
        s->next[E]++;
        if (s->window_waits)
            pthread_cond_broadcast(&s->work);
        d = s->parked[E * s->ring + s->next[E] % s->ring];
        if (!d || stopping(s))
            return;
        s->parked[E * s->ring + s->next[E] % s->ring] = NULL;
        if (reader_of(s, d) != w) { /* its reader ends it, where its memory is */
            ready_push(s, d);
            return;
        }
    }
}

/* Carry a document as far as it can go now: through parallel steps, through
 * serial ones when it is its turn, to the end.  When it must wait it is
 * parked, and whoever makes its turn come puts it back on the ready queue. */
static void carry(cv_sched *s, cv_doc *d, size_t w, int fresh)
{
    const size_t E = s->ops.nsteps;
    if (fresh && s->ops.settle)
        s->ops.settle(s->ops.arg, d, w);
    for (;;) {
        while (d->at < E && !d->drop_reason && !stopping(s) && !is_serial(s, d->at))
            s->ops.step(s->ops.arg, d, d->at, w), d->at++;
        if (d->at < E && !d->drop_reason && !stopping(s) && s->ops.kinds[d->at] == CV_SCHED_PREPARED &&
            d->prepared != d->at + 1) {
            /* Its share of the step that needs no turn, done here in parallel
             * (d is this worker's alone: no lock). */
            s->ops.prepare(s->ops.arg, d, d->at, w);
            d->prepared = d->at + 1;
        }
        pthread_mutex_lock(&s->mu);
        /* With the lock held: serial steps while it is d's turn, then the end. */
        while (!stopping(s) && d->at < E && !d->drop_reason && is_serial(s, d->at) &&
               (s->ops.kinds[d->at] != CV_SCHED_PREPARED || d->prepared == d->at + 1)) {
            size_t p = d->at;
            if (d->seq != s->next[p]) {
                s->parked[p * s->ring + d->seq % s->ring] = d;
                pthread_mutex_unlock(&s->mu);
                return;
            }
            pthread_mutex_unlock(&s->mu);
            s->ops.step(s->ops.arg, d, p, w);
            d->at++;
            pthread_mutex_lock(&s->mu);
            /* The turn stays with this worker while the next document waits
             * for it, if this worker read it: d goes on from the ready queue.
             * Passed on through the queue every time, each turn waited for
             * a worker to finish what it was doing, and the serial step ran
             * at that pace.  A document another worker read goes back to it
             * (see ready): carried on here, it was on the wrong core. */
            cv_doc *next = seq_advance(s, p);
            if (next && reader_of(s, next) == w) {
                ready_push(s, d);
                d = next;
            } else if (next) {
                ready_push(s, next);
            }
        }
        if (stopping(s)) {
            pthread_mutex_unlock(&s->mu);
            cv_doc_free(d);
            return;
        }
        if (d->at < E && !d->drop_reason) { /* a parallel step or a prepare() next: without the lock */
            pthread_mutex_unlock(&s->mu);
            continue;
        }
        for (; d->at < E; d->at++) /* serial steps a dropped document will not reach */
            if (is_serial(s, d->at))
                seq_skip(s, d->at, d->seq);
        if (d->seq != s->next[E])
            s->parked[E * s->ring + d->seq % s->ring] = d;
        else
            end_in_order(s, d, w);
        pthread_mutex_unlock(&s->mu);
        return;
    }
}

/* The read turn is ours: read up to BATCH documents into worker w's batch,
 * less where the window, the input or the run ends.  Called and returns
 * with s->mu held; read() itself runs without it. */
static void read_batch(cv_sched *s, size_t w)
{
    const size_t E = s->ops.nsteps;
    s->reading = 1;
    while (s->ownlen[w] < BATCH && s->nread < s->next[E] + s->ring && !stopping(s)) {
        cv_doc *d = NULL;
        pthread_mutex_unlock(&s->mu);
        int got = s->ops.read(s->ops.arg, &d);
        pthread_mutex_lock(&s->mu);
        if (got <= 0) {
            s->reader_done = 1;
            pthread_cond_broadcast(&s->work);
            break;
        }
        s->reader_of[s->nread++ % s->ring] = (uint32_t)w;
        s->own[w * BATCH + (s->ownhead[w] + s->ownlen[w]++) % BATCH] = d;
    }
    s->reading = 0;
    if (s->idle)
        pthread_cond_signal(&s->work); /* the read turn is free */
}

/* Free the documents worker w read that have ended, without the lock.
 * Called and returns with s->mu held. */
static void free_ended(cv_sched *s, size_t w)
{
    size_t n = s->ndone[w];
    if (!n)
        return;
    cv_doc **mine = s->freeing + w * s->done_row;
    memcpy(mine, s->done + w * s->done_row, n * sizeof *mine);
    s->ndone[w] = 0;
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < n; i++)
        cv_doc_free(mine[i]);
    pthread_mutex_lock(&s->mu);
}

/* Another worker holds the read turn: wait for it without sleeping, for a
 * while.  A turn reads a few documents, some microseconds; asleep, the
 * worker paid two context switches and a wake-up for each wait, and on a
 * shared machine the core went to another process meanwhile (a third of
 * the waits of a -j 2 MinHash run).  Called and returns with s->mu held;
 * 1 when the turn came free. */
static int wait_for_reader(cv_sched *s)
{
    pthread_mutex_unlock(&s->mu);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int freed = 0;
    for (unsigned i = 1; !freed; i++) {
        CPU_RELAX();
        freed = !atomic_load_explicit(&s->reading, memory_order_relaxed);
        if (!freed && i % 64 == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > 100000)
                break; /* 100 us: a slow read (a compressed stream, a disk); sleep instead */
        }
    }
    pthread_mutex_lock(&s->mu);
    return freed;
}

/* The next document for worker w, NULL when there is none left.  Documents
 * whose turn came go first, then w's batch; a worker whose batch is empty
 * takes the read turn and reads the next.  There is no reader thread: with
 * one, -j 2 ran three threads on two cores, the kernel often kept both
 * workers on one core while the reader slept on the other, each document's
 * text was written in one core's cache and read from another's, and its
 * memory came from the reader's malloc arena and went back to it from a
 * worker (whose frees waited on the reader's arena lock). */
static cv_doc *take(cv_sched *s, size_t w, int *fresh)
{
    const size_t E = s->ops.nsteps;
    pthread_mutex_lock(&s->mu);
    free_ended(s, w);
    cv_doc *d = NULL;
    while (!stopping(s)) {
        if (s->readylen[w]) {
            d = ready_pop(s, w);
            *fresh = 0;
            break;
        }
        int room = s->nread < s->next[E] + s->ring; /* the window lets one more in */
        /* Refilled while one is left, the batch is seldom empty when the
         * turn is taken: waits for it fell from ~3% of a -j 2 run's CPU. */
        if (s->ownlen[w] <= 1 && !s->reading && !s->reader_done && room)
            read_batch(s, w);
        /* Our batch first; empty, the oldest of another's that holds two or
         * more (its reader has one to go on with), rather than wait. */
        size_t from = w;
        for (size_t v = 0; !s->ownlen[from] && v < (size_t)s->nworkers; v++)
            if (s->ownlen[v] >= 2)
                from = v;
        if (s->ownlen[from]) {
            d = s->own[from * BATCH + s->ownhead[from]];
            s->ownhead[from] = (s->ownhead[from] + 1) % BATCH;
            s->ownlen[from]--;
            *fresh = 1;
            break;
        }
        /* Nothing of our own: another's ready document rather than wait
         * (its reader may be busy for long, or gone). */
        size_t other = 0;
        while (s->nready && !s->readylen[other])
            other++;
        if (s->nready) {
            d = ready_pop(s, other);
            *fresh = 0;
            break;
        }
        if (s->reader_done)
            break; /* what is still parked, the workers holding turns release */
        if (s->reading && wait_for_reader(s))
            continue;
        int held = !room && !s->reading; /* by the window, not for want of input */
        s->idle++;
        s->window_waits += held;
        timed_wait(s, &s->work);
        s->idle--;
        s->window_waits -= held;
    }
    pthread_mutex_unlock(&s->mu);
    return d;
}

static void *worker_thread(void *arg)
{
    worker *w = arg;
    cv_doc *d;
    int fresh;
    while ((d = take(w->s, w->index, &fresh)))
        carry(w->s, d, w->index, fresh);
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
