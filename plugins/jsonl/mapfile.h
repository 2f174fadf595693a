/* mapfile.h -- a plain input file read in place (mmap), its pages let go
 * behind the reader.  A line is then a slice of the mapping: no copy of it
 * into a buffer that a one-line document would have to grow to its size. */
#ifndef JSONL_MAPFILE_H
#define JSONL_MAPFILE_H

#include <stddef.h>

typedef struct mapfile {
    const char *p;
    size_t len;
    size_t released; /* pages before this offset are unmapped from us (still cached by the kernel) */
} mapfile;

/* Map the regular file at path: 0, or -1 when it cannot be (the caller reads it otherwise). */
int mapfile_open(mapfile *m, const char *path);
/* The bytes before offset `upto` will not be looked at again. */
void mapfile_release(mapfile *m, size_t upto);
void mapfile_close(mapfile *m);

#endif
