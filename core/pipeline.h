/* pipeline.h -- one run: reader -> steps -> writers, with the report. */
#ifndef CV_PIPELINE_H
#define CV_PIPELINE_H

#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "phase.h"
#include "registry.h"

typedef struct cv_run_opts {
    const char *input;  /* -i: overrides the reader's `path` option (the first of inputs) */
    const char **inputs; /* every -i, globs expanded: read one after another, in order */
    size_t ninputs;
    const char *output; /* -o: overrides the config's output folder */
    int threads;        /* -j: 0 means the config's threads, else 1 */
    int check_only;     /* --check: resolve and validate, do not run */
    int progress;       /* draw a live progress line on stderr */
    int quiet;          /* no summary on stderr */
    unsigned shard, shards; /* --shard K/N: only documents whose id hashes to K of N (N = 0: all) */
    int phase;              /* CV_PHASE_*: which task of a phased run this is */
    uint64_t memory;        /* --memory: the task's budget in bytes for what spills (0: the default) */
} cv_run_opts;

/* Exit statuses, as main() returns them. */
enum { CV_EXIT_OK = 0, CV_EXIT_FAILED = 1, CV_EXIT_USAGE = 2 };

/* Run (or check) a pipeline.  Returns a CV_EXIT_* value; on failure `err`
 * says why, with the config location where there is one. */
int cv_pipeline_run(const cv_config *cfg, const cv_registry *reg, const cv_run_opts *ro, cv_err *err);
/* The reader the run's (first) input goes to whatever the config's reader,
 * by its name: "parquet" (a .parquet file, or a folder holding them),
 * "jsonl" (.jsonl, .ndjson, compressed or not), NULL for anything else. */
const char *cv_pipeline_input_reader(const cv_run_opts *ro);

/* Ask a running pipeline to stop (safe to call from a signal handler). */
void cv_pipeline_request_stop(int signo);

#endif
