/* host.h -- the cv_host table and the per-instance context behind it. */
#ifndef CV_HOST_H
#define CV_HOST_H

#include "options.h"
#include "output.h"
#include "registry.h"
#include "report.h"

struct cv_ctx {
    const cv_entry *entry; /* the plugin */
    cv_opts *opts;         /* borrowed: owned by the stage */
    cv_report *report;
    cv_outset *outs;
    char err[1024]; /* last host->error() message */
    volatile uint64_t progress_done, progress_total; /* readers, via host->progress */
    const cv_doc *writing; /* writers: the document in write(), if any */
    int writer;            /* writers: 1 + their index in the config; 0 for other stages */
    const cv_phase_task *phase; /* a phased run's CV_FLAG_PHASED step: its task (host->phase_task); else NULL */
};

const cv_host *cv_host_table(void);
/* The plugin's last error, or `fallback` when it gave none; clears it. */
const char *cv_ctx_take_error(cv_ctx *ctx, const char *fallback);

/* A reader's next(), with doc_text_room() allowed while it runs.  The
 * pipeline and the tests' harnesses read through it. */
cv_status cv_reader_next(cv_ctx *reader, void *inst, cv_doc *d);
/* What a reader leaves to the workers: its prepare() (ABI 1.6), then the
 * UTF-8 check of a text it read with doc_text_room(), repairs counted under
 * the reader's name.  inst: the instance whose next() read d. */
void cv_reader_settle(cv_ctx *reader, const void *inst, cv_doc *d);

#endif
