/* util.h -- pluginkit's small helpers for the built-in plugins (linked statically into each). */
#ifndef CV_PLUGIN_UTIL_H
#define CV_PLUGIN_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Allocation for the built-in plugins.  Out of memory is not recoverable in
 * a plugin (the core aborts too), so these abort in one place instead of an
 * `if (!p) abort();` at every call.  A size of 0 still gives a pointer. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Growable arrays: a pointer, a count and a capacity the caller keeps.
 * XGROW(v, cap, need) makes room for `need` items in v, doubling the
 * capacity (from 16) so n pushes cost O(n) copies; it aborts as xrealloc
 * does.  The usual push:  XGROW(l->v, l->cap, l->n + 1); l->v[l->n++] = x; */
#define XGROW(v, cap, need) ((void)((need) > (cap) && ((v) = xgrow((v), &(cap), (need), sizeof *(v)))))
void *xgrow(void *v, size_t *cap, size_t need, size_t size);

/* A growable byte buffer. */
typedef struct cv_buf {
    char *p;
    size_t len, cap;
} cv_buf;

/* Asks for transparent huge pages on a buffer of at least BIG_PAGES_FROM
 * bytes: a document's worth of buffer is then faulted in 2 MB at a time,
 * not 4 KB (one 67 MB document: 3 buffers, 50k faults, most of reading and
 * writing it on a virtual machine). */
#define BIG_PAGES_FROM ((size_t)8 << 20)
void big_pages(void *p, size_t bytes);
/* Room for a big array that is never grown: from huge_from bytes on, 2 MB
 * aligned and in transparent huge pages (512 times fewer page faults and TLB
 * misses; a fault costs dear in a virtual machine); below, plain malloc.
 * Aborts when there is no memory.  Free it with free(). */
#define HUGE_PAGE ((size_t)2 << 20)
void *big_alloc(size_t bytes, size_t huge_from);
void buf_reserve(cv_buf *b, size_t extra);
void buf_add(cv_buf *b, const void *data, size_t len);
void buf_addc(cv_buf *b, char c);
void buf_adds(cv_buf *b, const char *s);
void buf_free(cv_buf *b);
/* A JSON string literal of s: quotes, backslashes and control characters
 * escaped, the rest (valid UTF-8, as document text always is) as it is. */
void buf_add_json(cv_buf *b, const char *s, size_t len);
/* The same without the quotes: a long string escaped a part at a time.
 * Escapes are per byte, so the parts may split a character. */
void buf_add_json_chars(cv_buf *b, const char *s, size_t len);
/* How many bytes of s from its start need no escaping in a JSON string:
 * none is a quote, a backslash or a control character. */
size_t json_plain_run(const char *s, size_t len);
void buf_add_uint(cv_buf *b, uint64_t v);

/* Decode the code point at s[*i] and advance *i.  Only for text known to be
 * valid UTF-8 (document text always is): no checks, so it is fast. */
static inline int utf8_next(const char *s, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    if (u[0] < 0x80) {
        *i += 1;
        return u[0];
    }
    if (u[0] < 0xE0) {
        *i += 2;
        return ((u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    }
    if (u[0] < 0xF0) {
        *i += 3;
        return ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    }
    *i += 4;
    return ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) | ((u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}

/* Code points in valid UTF-8 text. */
static inline size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* For each byte offset 0..len of valid UTF-8 text, the number of code points
 * before it (what Python's str indexes count); len + 1 entries, free() it. */
uint32_t *utf8_char_offsets(const char *s, size_t len);

#endif
