/* scheduler.h -- the thread scheduler: documents through steps on N workers, in input order where it matters.
 *
 * N workers (the calling thread and N - 1 more) take turns at reading a
 * chunk of documents (a few consecutive ones), and each carries what it read
 * through every step and on to the end; the memory of a document goes back
 * to its reader, which frees it.  Order is kept by sequence points: a serial
 * step and the end (the writers) each admit chunks strictly in input order,
 * one at a time, whichever worker holds them, and a chunk's documents in
 * order.  A chunk that arrives early is parked and its worker takes other
 * work, so no worker idles while one chunk holds a turn.  Memory is bounded
 * by a window of documents in flight (cv_sched_window).
 *
 * The scheduler knows documents only by d->seq (their input order: read()
 * gives 0, 1, 2, ...), d->at (the next step: the same for every document a
 * run reads, since a chunk passes the serial steps from its first
 * document's), d->prepared, d->drop_reason and d->bytes_in (how large a
 * chunk is); what a step or the end does is the caller's, through
 * cv_sched_ops. */
#ifndef CV_SCHEDULER_H
#define CV_SCHEDULER_H

#include <stddef.h>

#include "doc.h"

/* What a step is to the scheduler. */
enum {
    CV_SCHED_PARALLEL, /* any worker, any order */
    CV_SCHED_SERIAL,   /* in input order, one document at a time */
    CV_SCHED_PREPARED  /* serial, with a share (prepare) that runs in parallel before its turn */
};

typedef struct cv_sched_ops {
    void *arg;
    size_t nsteps;              /* steps are 0 .. nsteps-1; a document starts at its d->at */
    const unsigned char *kinds; /* nsteps CV_SCHED_* values */
    /* One worker at a time, in turns: 1 with the next document, 0 at the end
     * of input, -1 when reading failed (the caller's stopping() then says so). */
    int (*read)(void *arg, cv_doc **out);
    /* Workers, each with its index (0 .. nworkers-1): */
    void (*settle)(void *arg, cv_doc *d, size_t worker); /* first, the reader's share (may be NULL) */
    void (*prepare)(void *arg, cv_doc *d, size_t step, size_t worker); /* CV_SCHED_PREPARED steps */
    void (*step)(void *arg, cv_doc *d, size_t step, size_t worker); /* may set d->drop_reason */
    /* In input order, one at a time: every document read, dropped or not. */
    void (*end)(void *arg, cv_doc *d, size_t worker);
    /* Nonzero: stop taking documents (a failure, a signal). */
    int (*stopping)(void *arg);
} cv_sched_ops;

typedef struct cv_sched cv_sched;

cv_sched *cv_sched_new(const cv_sched_ops *ops, int nworkers);
/* Run until the input ends or stopping() says so; documents that end() did
 * not take are freed. */
void cv_sched_run(cv_sched *s);
/* The run is stopping: wake every waiting thread now, not at its next
 * timeout.  Safe from any thread while cv_sched_run runs. */
void cv_sched_wake(cv_sched *s);
/* How far documents may run ahead of end(): a document is taken for work
 * only while its seq < (documents ended) + window. */
size_t cv_sched_window(const cv_sched *s);
/* Chunks read so far: documents go through the workers in chunks. */
uint64_t cv_sched_chunks(const cv_sched *s);
void cv_sched_free(cv_sched *s);

/* Without -j or threads:, one worker per CPU this process may run on (so
 * taskset, cgroups and batch schedulers are respected), at most 16: past
 * that the ordered writers, not the workers, set the pace. */
int cv_sched_default_workers(void);

#endif
