/* handoff.h -- documents written by one phase of a phased run and read by the next. */
#ifndef CV_HANDOFF_H
#define CV_HANDOFF_H

#include "err.h"
#include "output.h"

/* One document as one record.  0, or -1 when the output failed. */
int cv_handoff_write(cv_out *o, const cv_doc *d);
/* Reading a sign task's docs.bin, one document at a time. */
typedef struct cv_handoff_in cv_handoff_in;
cv_handoff_in *cv_handoff_open(const char *path, cv_err *err); /* NULL with err */
/* The next document into d (a new one).  1: read, 0: end, -1: err says which
 * record of the file is bad. */
int cv_handoff_next(cv_handoff_in *h, cv_doc *d, cv_err *err);
void cv_handoff_close(cv_handoff_in *h);

#endif
