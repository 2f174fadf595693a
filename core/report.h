/* report.h -- what a run read, wrote and dropped, and why. */
#ifndef CV_REPORT_H
#define CV_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

typedef struct cv_report cv_report;

cv_report *cv_report_new(void);
void cv_report_free(cv_report *r);
/* A document read: its size as read and its text's length (for the histogram). */
void cv_report_read(cv_report *r, uint64_t bytes, size_t len);
/* A document written, with its split and language (metadata.split and
 * metadata.lang; NULL when it has none). */
void cv_report_written(cv_report *r, uint64_t bytes, const char *split, const char *lang);
/* The tokens of a document written (its metadata.tokens, set by the
 * tokenize step): report.json's tokens, tokens_by_split, tokens_by_lang. */
void cv_report_tokens(cv_report *r, uint64_t n, const char *split, const char *lang);
/* A file a plugin opened under the output folder: which writer opened it (1 +
 * its index in the config; 0: a step) and the split of the document being
 * written when it did (NULL: none). */
void cv_report_output(cv_report *r, const char *path, const char *plugin, int writer, const char *split);
/* What ran, as the report's "pipeline": the config's path, stages (scalars as
 * strings) and card, the input (the first -i, else the reader's path), every
 * -i when several, and the shard (shards = 0: none).  Caller decrefs. */
json_t *cv_report_pipeline_json(const cv_config *c, const char *input, const char *const *inputs, size_t ninputs,
                                unsigned shard, unsigned shards);
/* What ran: config, input and stages, for the dataset card.  Takes the reference. */
void cv_report_set_pipeline(cv_report *r, json_t *pipeline);
/* Phased runs: a document handed on to the next phase (in = 0) or taken up
 * from the previous one (in = 1): neither read nor written by this task. */
void cv_report_handed(cv_report *r, int in);
uint64_t cv_report_docs_handed(const cv_report *r, int in);
/* After merging every phase's report: what was handed on must all have been
 * taken up; then the hand-offs cancel out.  -1 with err when they do not. */
int cv_report_settle_handoffs(cv_report *r, cv_err *err);
void cv_report_dropped(cv_report *r, const char *reason);
/* A plugin's own counter, e.g. ("boilerplate", "rule:teaser", 3). */
void cv_report_count(cv_report *r, const char *plugin, const char *counter, uint64_t n);
void cv_report_finish(cv_report *r, double seconds, const char *status);
/* Where the time went: seconds spent in a step (summed over the workers), or
 * in reading ("read") or writing ("write").  Adds to what the name has. */
void cv_report_step_seconds(cv_report *r, const char *name, double seconds);

uint64_t cv_report_docs_read(const cv_report *r);
uint64_t cv_report_docs_written(const cv_report *r);
uint64_t cv_report_docs_dropped(const cv_report *r);
uint64_t cv_report_bytes_read(const cv_report *r);

/* Add a report.json (as written by a run) into r: counts, reasons, counters,
 * bytes, splits, languages and histograms add up, seconds take the longest,
 * the pipeline is the first one's.  The files it lists are taken to be under
 * folder `prefix` (NULL: as they are).  -1 with err if it is not a report. */
int cv_report_merge_json(cv_report *r, const char *json_text, const char *name, const char *prefix, cv_err *err);

/* The report as a JSON object (caller decrefs), as JSON text (caller frees),
 * and a human summary on stderr. */
json_t *cv_report_object(const cv_report *r);
char *cv_report_json(const cv_report *r);
/* Into the output folder: report.json, report.html and, when plugins wrote
 * files, the dataset card README.md.  -1 with err on failure. */
struct cv_outset;
int cv_report_save(const cv_report *r, struct cv_outset *outs, cv_err *err);
void cv_report_print(const cv_report *r);
/* A warning on stderr when a whole run read nothing or kept nothing. */
void cv_report_warn_empty(const cv_report *r);

#endif
