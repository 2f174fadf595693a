/* gunzip.h -- a gzip file read as a stream, with ISA-L's inflate. */
#ifndef JSONL_GUNZIP_H
#define JSONL_GUNZIP_H

#include <stddef.h>
#include <sys/types.h>

typedef struct gunzip gunzip;

/* The gzip file at path, or NULL: *why is then NULL when the file is not
 * gzip (or this build has no ISA-L), else why it cannot be read. */
gunzip *gunzip_open(const char *path, const char **why);
/* Up to n bytes of the text: their count, 0 at the end, -1 on damaged or
 * truncated data (gunzip_error() says what and where). */
ssize_t gunzip_read(gunzip *g, void *out, size_t n);
const char *gunzip_error(const gunzip *g);
void gunzip_close(gunzip *g);

#endif
