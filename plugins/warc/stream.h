/* stream.h -- the bytes of a WARC file, plain or compressed, read forward.
 * gzip may be one member per record (the norm) or one for the whole file;
 * zstd frames may follow each other too.  The compression is told by the
 * file's first bytes, not by its name. */
#ifndef CV_WARC_STREAM_H
#define CV_WARC_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct stream stream;

/* NULL with a message in err. */
stream *stream_open(const char *path, char *err, size_t errlen);
void stream_close(stream *s);

/* Up to n bytes into buf: how many (0 at the end), -1 on a corrupt or
 * truncated compressed stream (stream_error() says which). */
long stream_read(stream *s, void *buf, size_t n);
/* One line, with its \n, into buf (NUL-terminated, at most cap - 1 bytes; a
 * longer line is cut there and the rest is left unread): its length, 0 at
 * the end, -1 on error. */
long stream_line(stream *s, char *buf, size_t cap);
/* Skip n bytes: 0, or -1 at the end or on error. */
int stream_skip(stream *s, uint64_t n);

uint64_t stream_offset(const stream *s);      /* uncompressed bytes consumed */
uint64_t stream_file_offset(const stream *s); /* file bytes read, for progress */
uint64_t stream_file_size(const stream *s);
const char *stream_error(const stream *s);
const char *stream_kind(const stream *s); /* "plain", "gzip" or "zstd" */

#endif
