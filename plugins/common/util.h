/* util.h -- small helpers shared by the built-in plugins (linked statically into each). */
#ifndef CV_PLUGIN_UTIL_H
#define CV_PLUGIN_UTIL_H

#include <stddef.h>

/* A growable byte buffer. */
typedef struct cv_buf {
    char *p;
    size_t len, cap;
} cv_buf;

void buf_reserve(cv_buf *b, size_t extra);
void buf_add(cv_buf *b, const void *data, size_t len);
void buf_addc(cv_buf *b, char c);
void buf_adds(cv_buf *b, const char *s);
void buf_free(cv_buf *b);

/* Non-zero when s[0..len) is valid UTF-8 (utf8proc decides). */
int utf8_valid(const char *s, size_t len);
/* Copy s into out replacing every invalid sequence by U+FFFD; returns how many were replaced. */
size_t utf8_repair(const char *s, size_t len, cv_buf *out);

/* Read a whole file into a NUL-terminated buffer; NULL with errno on failure. */
char *read_whole_file(const char *path, size_t *len);

#endif
