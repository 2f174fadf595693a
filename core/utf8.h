/* utf8.h -- UTF-8 validation and repair for the core's one promise about text. */
#ifndef CV_UTF8_H
#define CV_UTF8_H

#include <stddef.h>

/* Length of the longest valid UTF-8 prefix of s[0..len): len when all of it
 * is valid.  Rejects overlong forms, surrogates and code points past U+10FFFF. */
size_t cv_utf8_valid_prefix(const char *s, size_t len);

/* s with each byte that starts no valid character replaced by U+FFFD, into
 * out (NULL: only measure); returns the length, and in *bad the bytes replaced. */
size_t cv_utf8_repair(const char *s, size_t len, char *out, size_t *bad);

#endif
