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

int cv_mkdirs(const char *path, cv_err *err);

#endif
