/* strset.h -- a set of strings, each with a small number, for lists of
 * millions of domains.
 *
 * Open addressing over 8-byte slots (32 bits of the hash, 32 bits of offset
 * into one arena of the strings), so a lookup costs one hash, one slot probe
 * or two and one compare, the same for 10 entries as for 10 million. */
#ifndef URL_STRSET_H
#define URL_STRSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct strset {
    uint64_t *slots; /* tag << 32 | arena offset; 0 is empty */
    size_t cap, n;   /* cap: a power of two */
    char *arena;     /* entries: uint16 value, the bytes, NUL */
    size_t alen, acap;
} strset;

/* 1 added, 0 there already (the first value stays), -1 full (4 GB of strings). */
int strset_add(strset *s, const char *key, size_t len, uint16_t value);
/* Room for entries more entries of bytes bytes in all, so that a list of
 * millions is placed once instead of rehashed at every doubling. */
void strset_reserve(strset *s, size_t entries, size_t bytes);
/* Give back the arena's unused tail once the lists are read. */
void strset_trim(strset *s);
/* The value of key, or -1. */
int strset_find(const strset *s, const char *key, size_t len);
/* Bytes held, for the log. */
size_t strset_bytes(const strset *s);
void strset_free(strset *s);

#endif
