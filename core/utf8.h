/* utf8.h -- UTF-8 validation for the core's one promise about text. */
#ifndef CV_UTF8_H
#define CV_UTF8_H

#include <stddef.h>

/* Length of the longest valid UTF-8 prefix of s[0..len): len when all of it
 * is valid.  Rejects overlong forms, surrogates and code points past U+10FFFF. */
size_t cv_utf8_valid_prefix(const char *s, size_t len);

#endif
