/* strbuf.h -- a growing string, for the card and report.html. */
#ifndef CV_STRBUF_H
#define CV_STRBUF_H

#include <stddef.h>

#include "err.h"

typedef struct cv_sb {
    char *p; /* NUL-terminated once anything was added; the caller frees it */
    size_t len, cap;
} cv_sb;

void cv_sb_printf(cv_sb *b, const char *fmt, ...) CV_PRINTF(2, 3);

#endif
