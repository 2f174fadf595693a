/* err.c -- errors with locations, a levelled log, allocation that never returns NULL. */
#include "err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cv_err_setv(cv_err *e, const char *fmt, va_list ap)
{
    if (!e)
        return;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->file[0] = '\0';
    e->line = e->col = 0;
}

void cv_err_set(cv_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cv_err_setv(e, fmt, ap);
    va_end(ap);
}

void cv_err_at(cv_err *e, const char *file, int line, int col, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    cv_err_setv(e, fmt, ap);
    va_end(ap);
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    e->col = col;
}

void cv_err_format(const cv_err *e, char *buf, size_t size)
{
    if (e->file[0] && e->line > 0)
        snprintf(buf, size, "%s:%d:%d: %s", e->file, e->line, e->col, e->msg);
    else if (e->file[0])
        snprintf(buf, size, "%s: %s", e->file, e->msg);
    else
        snprintf(buf, size, "%s", e->msg);
}

static int log_level = CV_LOG_INFO;
/* One lock so that lines from worker threads never interleave mid-line. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void cv_log_set_level(int level) { log_level = level; }
int cv_log_level(void) { return log_level; }

void cv_logv(int level, const char *prefix, const char *fmt, va_list ap)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > log_level)
        return;
    if (level < CV_LOG_ERROR)
        level = CV_LOG_ERROR;
    if (level > CV_LOG_DEBUG)
        level = CV_LOG_DEBUG;
    char line[2048];
    vsnprintf(line, sizeof line, fmt, ap);
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "convert: %s%s%s: %s\n", names[level], prefix ? ": " : "", prefix ? prefix : "", line);
    pthread_mutex_unlock(&log_lock);
}

void cv_log(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cv_logv(level, NULL, fmt, ap);
    va_end(ap);
}

static void *oom(void)
{
    fputs("convert: out of memory\n", stderr);
    abort();
}

void *cv_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    return p ? p : oom();
}

void *cv_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : oom();
}

void *cv_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    return q ? q : oom();
}

char *cv_xstrndup(const char *s, size_t n)
{
    char *p = cv_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cv_xstrdup(const char *s) { return cv_xstrndup(s, strlen(s)); }

char *cv_xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = cv_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}
