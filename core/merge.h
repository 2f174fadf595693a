/* merge.h -- reports of several runs added up. */
#ifndef CV_MERGE_H
#define CV_MERGE_H

#include "report.h"

/* Add the report at path to r, its files seen from outdir (the merged
 * folder; NULL: as listed).  -2 when the file cannot be read, -1 with err
 * when it is no report of a finished run. */
int cv_merge_report_file(cv_report *r, const char *path, const char *outdir, cv_err *err);
/* --merge-reports: each of paths a run's folder or its report.json; with
 * outdir, report.json, report.html and the card there, else the JSON on
 * stdout.  A CV_EXIT_* status. */
int cv_merge_reports(int n, char **paths, const char *outdir);

#endif
