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
};

const cv_host *cv_host_table(void);
/* The plugin's last error, or `fallback` when it gave none; clears it. */
const char *cv_ctx_take_error(cv_ctx *ctx, const char *fallback);

#endif
