/* extsort.h -- sorting fixed-size records in bounded memory: sorted runs
 * spill to disk when the budget is full, then one k-way merge reads them back. */
#ifndef DEDUP_EXTSORT_H
#define DEDUP_EXTSORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct extsort extsort;
typedef int (*extsort_cmp)(const void *a, const void *b);

/* Records of `size` bytes (at least 16) beginning with two uint64_t that
 * cmp compares first, in that order, as numbers; at most `budget` bytes of memory for them (records and
 * the sort's room); runs written to files under `tmpdir` (created on the
 * first spill). */
extsort *extsort_new(size_t size, extsort_cmp cmp, size_t budget, const char *tmpdir);
/* 0, or -1 when a run could not be written (extsort_error() says why). */
int extsort_add(extsort *s, const void *rec);
int extsort_add_many(extsort *s, const void *recs, size_t n);
/* A file of records already sorted by cmp, merged with the rest (it is read, never removed). */
int extsort_add_sorted(extsort *s, const char *path);
/* No more records: sort what is in memory and open every run. */
int extsort_done(extsort *s);
/* The records in order, one at a time; NULL at the end or on a read error.
 * The record is valid until the next call. */
const void *extsort_next(extsort *s);
const char *extsort_error(const extsort *s); /* NULL: no error */
uint64_t extsort_spills(const extsort *s);   /* runs written to disk */
uint64_t extsort_count(const extsort *s);    /* records added */
void extsort_free(extsort *s);               /* removes the runs it wrote */

#endif
