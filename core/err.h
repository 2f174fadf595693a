/* err.h -- the one error type of the core, and the log. */
#ifndef CV_ERR_H
#define CV_ERR_H

#include <stdarg.h>
#include <stddef.h>

#include "convert/plugin.h"

/* An error: a message with the place it comes from, when it has one. */
typedef struct cv_err {
    char msg[1024];
    char file[512]; /* empty: no location */
    int line, col;  /* 1-based; 0: unknown */
} cv_err;

void cv_err_set(cv_err *e, const char *fmt, ...) CV_PRINTF(2, 3);
void cv_err_setv(cv_err *e, const char *fmt, va_list ap);
void cv_err_at(cv_err *e, const char *file, int line, int col, const char *fmt, ...) CV_PRINTF(5, 6);
/* "FILE:LINE:COL: msg" or just "msg". */
void cv_err_format(const cv_err *e, char *buf, size_t size);

/* Log to stderr.  Level: CV_LOG_ERROR .. CV_LOG_DEBUG; messages above the
 * current level are dropped (-q sets ERROR, -v DEBUG, default WARN... INFO). */
void cv_log_set_level(int level);
int cv_log_level(void);
void cv_log(int level, const char *fmt, ...) CV_PRINTF(2, 3);
void cv_logv(int level, const char *prefix, const char *fmt, va_list ap);

/* Small helpers every module wants. */
void *cv_xmalloc(size_t n);
void *cv_xcalloc(size_t n, size_t size);
void *cv_xrealloc(void *p, size_t n);
char *cv_xstrdup(const char *s);
char *cv_xstrndup(const char *s, size_t n);
char *cv_xasprintf(const char *fmt, ...) CV_PRINTF(1, 2);

#endif
