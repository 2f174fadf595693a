/* handoff.h -- documents written by one phase of a phased run and read by the next. */
#ifndef CV_HANDOFF_H
#define CV_HANDOFF_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "output.h"

/* One document as one record.  0, or -1 when the output failed. */
int cv_handoff_write(cv_out *o, const cv_doc *d);
/* The next document of f into d (a new one).  1: read, 0: end, -1: err says
 * which record of `name` is bad.  buf/cap: a buffer it grows; count: records
 * read so far. */
int cv_handoff_read(FILE *f, const char *name, cv_doc *d, char **buf, size_t *cap, uint64_t *count, cv_err *err);

#endif
