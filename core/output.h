/* output.h -- output files that appear only when the whole run succeeds. */
#ifndef CV_OUTPUT_H
#define CV_OUTPUT_H

#include "err.h"

typedef struct cv_outset cv_outset;

/* Every file of a run lives under `dir` (created if missing). */
cv_outset *cv_outset_new(const char *dir, cv_err *err);
/* Open `relpath` (no absolute paths, no ".."): a temp file beside the final
 * name; compressed when the name ends in .gz or .zst. */
cv_out *cv_outset_open(cv_outset *s, const char *relpath, cv_err *err);
int cv_out_write(cv_out *o, const void *data, size_t len);
/* Flush, close and rename every file into place.  On failure nothing more is renamed. */
int cv_outset_commit(cv_outset *s, cv_err *err);
/* Close and remove every temp file: the folder is left as it was. */
void cv_outset_abort(cv_outset *s);
void cv_outset_free(cv_outset *s); /* aborts what was not committed */
const char *cv_outset_dir(const cv_outset *s);
/* Bytes already on disk (fdatasync'd) by the writeback thread: as an output
 * grows, the commit is left less to flush. */
size_t cv_outset_durable(cv_outset *s);

int cv_mkdirs(const char *path, cv_err *err);

/* Completion markers, for the tasks of a phased run.  After cv_outset_mark(),
 * the commit writes CV_MARKER last: every file's name, size and XXH64.  A
 * task killed at any point leaves either no marker or one whose files are
 * whole.  cv_outset_mark() also withdraws an old marker and removes temp files
 * a killed run left behind. */
#define CV_MARKER ".convert-done"
void cv_outset_mark(cv_outset *s);
/* 0 when dir's marker exists and each file it lists has its size; files whose
 * names match the fnmatch() pattern sum_pattern (NULL: every file) must also
 * have their checksum.  -1 with err naming the first file that does not. */
int cv_marker_check(const char *dir, const char *sum_pattern, cv_err *err);

#endif
