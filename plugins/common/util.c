/* util.c -- buffers, UTF-8 checks and file reading for the built-in plugins. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

void buf_reserve(cv_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        abort(); /* as the core does: out of memory is not recoverable here */
    b->p = p;
    b->cap = cap;
}

void buf_add(cv_buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void buf_addc(cv_buf *b, char c) { buf_add(b, &c, 1); }
void buf_adds(cv_buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_free(cv_buf *b)
{
    free(b->p);
    *b = (cv_buf){0};
}

/* Length of the valid sequence at s, or -1. */
static utf8proc_ssize_t seq_len(const char *s, size_t left)
{
    if ((unsigned char)*s < 0x80)
        return 1;
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)left, &cp);
    return n > 0 && cp >= 0 ? n : -1;
}

size_t utf8_repair(const char *s, size_t len, cv_buf *out)
{
    size_t bad = 0;
    buf_reserve(out, len);
    for (size_t i = 0; i < len;) {
        utf8proc_ssize_t n = seq_len(s + i, len - i);
        if (n < 0) {
            buf_add(out, "\xEF\xBF\xBD", 3);
            bad++;
            i++;
        } else {
            buf_add(out, s + i, (size_t)n);
            i += (size_t)n;
        }
    }
    return bad;
}

char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    cv_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        buf_free(&b);
        errno = EIO;
        return NULL;
    }
    buf_reserve(&b, 0);
    b.p[b.len] = '\0';
    if (len)
        *len = b.len;
    return b.p;
}
