/* scheduler.c -- the thread scheduler (see scheduler.h): a reader thread, a bounded
 * queue, N workers, and sequence points that keep input order where a step or
 * the end needs it. */
#include "scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#endif

#include "deadline.h"
#include "err.h"

struct cv_sched {
    cv_sched_ops ops;
    int nworkers;
    pthread_mutex_t mu;
    /* Wake-ups only for threads that wait, on their own condition: one
     * broadcast per event woke every thread, a context switch each. */
    pthread_cond_t room; /* the reader waits for room in the queue */
    pthread_cond_t work; /* workers wait for a document */
    int reader_waits, idle, window_waits; /* who waits: the reader, workers, workers held by the window */
    cv_doc **inq;
    size_t incap, inhead, inlen;
    size_t inlim;  /* documents the queue holds now, at most incap (see cv_sched_new) */
    int starved;   /* a worker found the queue empty while the reader slept: inlim grew */
    size_t inbytes, inbytes_cap; /* text held by the queue, and its bound */
    int reader_done;
    /* Sequence points: one per step (used by serial ones) and one for the
     * end, at index nsteps.  next: the seq admitted next; skip: a ring of
     * documents that will never arrive (dropped earlier). */
    uint64_t *next;
    unsigned char *skip; /* (nsteps + 1) rings of ring bytes */
    cv_doc **parked;     /* (nsteps + 1) rings: documents waiting for their turn */
    cv_doc **ready;      /* a ring: parked documents whose turn came */
    size_t readyhead, readylen;
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
    pthread_cond_init(&s->room, NULL);
    pthread_cond_init(&s->work, NULL);
    /* A deep queue lets the reader run in long stretches: with 8 documents
     * per worker it woke and slept every few documents, and the futex calls
     * and context switches cost 8% of the CPU time at -j 2.  What bounds it
     * is its text, 4 MiB per worker (~5 ms of a worker's input): with 64
     * documents per worker (~0.6 MB) the queue ran dry whenever the reader,
     * woken with half of it left, waited a scheduler tick for a CPU, and the
     * workers idled 0.3-0.45 s of a 2.5 s run (1 GB at -j 2); with 512,
     * 0.0-0.1 s. */
    s->incap = (size_t)nworkers * 512;
    s->inbytes_cap = (size_t)nworkers * (4u << 20);
    /* The queue starts shallow and deepens only when it ran dry while the
     * reader slept: a worker-bound run then keeps few documents between the
     * reader and the workers (each one's text still in a cache, no fresh
     * pages for a thousand of them in flight), and a reader that cannot wake
     * in time gets the deep queue above after a few misses. */
    s->inlim = (size_t)nworkers * 32;
    /* How far documents may run ahead of the end: the queue, and beyond
     * it 260 per worker being worked on or parked at a serial step or the
     * end, all within this window. */
    s->ring = s->incap + 260 * (size_t)nworkers + 2;
    size_t points = ops->nsteps + 1;
    s->inq = cv_xcalloc(s->incap, sizeof *s->inq);
    s->next = cv_xcalloc(points, sizeof *s->next);
    s->skip = cv_xcalloc(points * s->ring, 1);
    s->parked = cv_xcalloc(points * s->ring, sizeof *s->parked);
    s->ready = cv_xcalloc(s->ring, sizeof *s->ready);
    return s;
}

size_t cv_sched_window(const cv_sched *s) { return s->ring; }

void cv_sched_wake(cv_sched *s)
{
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->room);
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
}

void cv_sched_free(cv_sched *s)
{
    if (!s)
        return;
    /* After a stop, documents may remain queued, parked or ready. */
    for (size_t i = 0; i < s->inlen; i++)
        cv_doc_free(s->inq[(s->inhead + i) % s->incap]);
    for (size_t i = 0; i < (s->ops.nsteps + 1) * s->ring; i++)
        cv_doc_free(s->parked[i]);
    for (size_t i = 0; i < s->readylen; i++)
        cv_doc_free(s->ready[(s->readyhead + i) % s->ring]);
    free(s->inq);
    free(s->next);
    free(s->skip);
    free(s->parked);
    free(s->ready);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->room);
    pthread_cond_destroy(&s->work);
    free(s);
}

static void timed_wait(cv_sched *s, pthread_cond_t *cond)
{
    /* Signals cannot broadcast a condition, so waits wake up now and then. */
    struct timespec ts = cv_deadline_ms(100);
    pthread_cond_timedwait(cond, &s->mu, &ts);
}

static void *reader_thread(void *arg)
{
    cv_sched *s = arg;
    for (;;) {
        cv_doc *d = NULL;
        int got = stopping(s) ? 0 : s->ops.read(s->ops.arg, &d);
        pthread_mutex_lock(&s->mu);
        if (got <= 0) {
            s->reader_done = 1;
            pthread_cond_broadcast(&s->work);
            pthread_mutex_unlock(&s->mu);
            return NULL;
        }
        while ((s->inlen >= s->inlim || (s->inlen && s->inbytes >= s->inbytes_cap)) && !stopping(s)) {
            s->reader_waits = 1;
            timed_wait(s, &s->room);
            s->reader_waits = 0;
            s->starved = 0;
        }
        if (stopping(s)) {
            pthread_mutex_unlock(&s->mu);
            cv_doc_free(d);
            continue;
        }
        s->inq[(s->inhead + s->inlen++) % s->incap] = d;
        s->inbytes += d->len;
        if (s->idle)
            pthread_cond_signal(&s->work);
        pthread_mutex_unlock(&s->mu);
    }
}

/* Sequence points.  Point p < nsteps belongs to serial step p; point nsteps
 * to the end.  A document that is not next at a point is parked there and
 * its worker goes on with other work: no worker ever waits for its turn.
 * Every document in flight has seq in [next[E], next[E] + ring), so seq %
 * ring indexes the rings without collisions.  The helpers below are called
 * with s->mu held. */

static void ready_push(cv_sched *s, cv_doc *d)
{
    s->ready[(s->readyhead + s->readylen++) % s->ring] = d;
    if (s->idle)
        pthread_cond_signal(&s->work);
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

/* The end's turn is ours: end d and every parked document that follows. */
static void end_in_order(cv_sched *s, cv_doc *d, size_t w)
{
    const size_t E = s->ops.nsteps;
    for (;;) {
        pthread_mutex_unlock(&s->mu);
        s->ops.end(s->ops.arg, d, w);
        cv_doc_free(d);
        pthread_mutex_lock(&s->mu);
        s->next[E]++;
        if (s->window_waits)
            pthread_cond_broadcast(&s->work);
        d = s->parked[E * s->ring + s->next[E] % s->ring];
        if (!d || stopping(s))
            return;
        s->parked[E * s->ring + s->next[E] % s->ring] = NULL;
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
        pthread_mutex_lock(&s->mu);
        if (stopping(s)) {
            pthread_mutex_unlock(&s->mu);
            cv_doc_free(d);
            return;
        }
        if (d->at < E && !d->drop_reason) { /* a serial step */
            size_t p = d->at;
            if (s->ops.kinds[p] == CV_SCHED_PREPARED && d->prepared != p + 1) {
                /* Its share of the step that needs no turn, done here in parallel. */
                pthread_mutex_unlock(&s->mu);
                s->ops.prepare(s->ops.arg, d, p, w);
                d->prepared = p + 1;
                continue;
            }
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
             * for it: d goes on from the ready queue.  Passed on through the
             * queue instead, each turn waited for a worker to finish what it
             * was doing, and the serial step ran at that pace. */
            cv_doc *next = seq_advance(s, p);
            if (next) {
                ready_push(s, d);
                d = next;
            }
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

/* The next document to work on, NULL when there is none left.  Documents
 * whose turn came go first; a new one is taken only inside the window. */
static cv_doc *take(cv_sched *s, int *fresh)
{
    const size_t E = s->ops.nsteps;
    pthread_mutex_lock(&s->mu);
    cv_doc *d = NULL;
    while (!stopping(s)) {
        if (s->readylen) {
            d = s->ready[s->readyhead];
            s->readyhead = (s->readyhead + 1) % s->ring;
            s->readylen--;
            *fresh = 0;
            break;
        }
        if (s->inlen && s->inq[s->inhead]->seq < s->next[E] + s->ring) {
            d = s->inq[s->inhead];
            s->inhead = (s->inhead + 1) % s->incap;
            s->inlen--;
            s->inbytes -= d->len;
            *fresh = 1;
            /* The reader refills in a batch, not one by one. */
            if (s->reader_waits && s->inlen <= s->inlim / 2 && s->inbytes < s->inbytes_cap / 2)
                pthread_cond_signal(&s->room);
            break;
        }
        if (s->inlen == 0 && s->reader_done)
            break; /* what is still parked, the workers holding turns release */
        int held = s->inlen > 0; /* by the window, not for want of input */
        if (!held && s->reader_waits && !s->starved && s->inlim < s->incap) {
            s->inlim *= 2; /* once per wait of the reader: it did not wake in time */
            s->starved = 1;
        }
        s->idle++;
        s->window_waits += held;
        timed_wait(s, &s->work);
        s->idle--;
        s->window_waits -= held;
    }
    pthread_mutex_unlock(&s->mu);
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
    int fresh;
    while ((d = take(w->s, &fresh)))
        carry(w->s, d, w->index, fresh);
    return NULL;
}

void cv_sched_run(cv_sched *s)
{
    pthread_t rt, *wt = cv_xcalloc((size_t)s->nworkers, sizeof *wt);
    worker *ws = cv_xcalloc((size_t)s->nworkers, sizeof *ws);
    pthread_create(&rt, NULL, reader_thread, s);
    for (int i = 0; i < s->nworkers; i++) {
        ws[i] = (worker){s, (size_t)i};
        pthread_create(&wt[i], NULL, worker_thread, &ws[i]);
    }
    pthread_join(rt, NULL);
    for (int i = 0; i < s->nworkers; i++)
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
