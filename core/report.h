/* report.h -- what a run read, wrote and dropped, and why. */
#ifndef CV_REPORT_H
#define CV_REPORT_H

#include <stdint.h>

#include "err.h"

typedef struct cv_report cv_report;

cv_report *cv_report_new(void);
void cv_report_free(cv_report *r);
void cv_report_read(cv_report *r, uint64_t bytes);
void cv_report_written(cv_report *r, uint64_t bytes);
void cv_report_dropped(cv_report *r, const char *reason);
/* A plugin's own counter, e.g. ("boilerplate", "rule:teaser", 3). */
void cv_report_count(cv_report *r, const char *plugin, const char *counter, uint64_t n);
void cv_report_finish(cv_report *r, double seconds, const char *status);

uint64_t cv_report_docs_read(const cv_report *r);
uint64_t cv_report_docs_written(const cv_report *r);
uint64_t cv_report_docs_dropped(const cv_report *r);
uint64_t cv_report_bytes_read(const cv_report *r);

/* Add a report.json (as written by a run) into r: counts, reasons, counters
 * and bytes add up, seconds take the longest.  -1 with err if it is not one. */
int cv_report_merge_json(cv_report *r, const char *json_text, const char *name, cv_err *err);

/* JSON text (caller frees) and a human summary on stderr. */
char *cv_report_json(const cv_report *r);
void cv_report_print(const cv_report *r);

#endif
