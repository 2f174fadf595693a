/* scan.h -- one JSON object, scanned in place: members as (key, raw value). */
#ifndef JSONL_SCAN_H
#define JSONL_SCAN_H

#include <stddef.h>
#include <sys/types.h>

/* Called for each member of the object: key decoded (NUL-terminated, valid
 * UTF-8), value as its raw JSON text, checked.  Non-zero stops the scan. */
typedef int (*jscan_member)(void *ctx, const char *key, const char *val, size_t vlen);

/* Scan s[0..n) as one JSON object (white space around it allowed).  0 when
 * it is one and every callback returned 0; -1 with *why when it is not
 * JSON (or an object); a callback's non-zero value as it is. */
int jscan_object(const char *s, size_t n, jscan_member fn, void *ctx, const char **why);

/* Decode the JSON string val[0..vlen) (quotes included, as jscan_object
 * checked it) into out, which has room for vlen bytes; out may also be val
 * or lie before it in the same buffer (decoding in place).  The decoded
 * length, or -1 for an escape that makes no character (a lone surrogate). */
ssize_t jscan_string(const char *val, size_t vlen, char *out);

/* Non-zero when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int jscan_utf8_valid(const char *s, size_t n);

#endif
