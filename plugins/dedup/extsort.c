/* extsort.c -- external merge sort of fixed-size records.
 *
 * Records gather in one buffer of half the budget's size (the radix sort
 * needs as much again while it runs); a full buffer is
 * sorted and written as a run.  At the end the buffer's rest is one more
 * run, kept in memory, and a binary heap merges all of them.  Each run on
 * disk is read through a 64 KiB buffer, so the merge of R runs needs
 * R * 64 KiB beside the buffer: the buffer is freed before the merge
 * starts whenever anything spilled, so the peak stays near the budget. */
#include "extsort.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUN_BUFFER (64u << 10)
#define MAX_RUNS 900 /* open files while merging; past it, runs are merged in advance */

/* Records begin with two uint64_t that cmp compares first, in that order:
 * they sort by LSD radix (11 bits a pass, the second key's passes first,
 * every pass's counts taken in one read beforehand, a pass skipped when
 * every record has the same digit, the second key's when the records come
 * in its order already), stable, and cmp only orders what ties on both.
 * glibc's qsort (a merge sort calling cmp) was two thirds of a pairs task,
 * and sorting the ties of big buckets by cmp was a tenth after that. */
#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)
#define PASSES 6 /* per key: 6 * 11 >= 64 */

static void sort_records(unsigned char *buf, size_t n, size_t size, extsort_cmp cmp)
{
    if (n < 256) {
        qsort(buf, n, size, cmp);
        return;
    }
    unsigned char *tmp = xmalloc(n * size), *src = buf, *dst = tmp;
    size_t(*count)[DIGITS] = xcalloc(2 * PASSES, sizeof *count);
    uint64_t last = 0;
    int ordered = 1; /* by the second key already: its passes would move nothing */
    for (size_t i = 0; i < n; i++) {
        uint64_t k[2];
        memcpy(k, buf + i * size, 16);
        for (int p = 0; p < PASSES; p++) {
            count[p][(k[1] >> (p * DIGIT_BITS)) & (DIGITS - 1)]++;
            count[PASSES + p][(k[0] >> (p * DIGIT_BITS)) & (DIGITS - 1)]++;
        }
        ordered &= k[1] >= last;
        last = k[1];
    }
    for (int pass = ordered ? PASSES : 0; pass < 2 * PASSES; pass++) {
        size_t off = pass < PASSES ? 8 : 0; /* the second key, then the first */
        int shift = (pass % PASSES) * DIGIT_BITS;
        size_t *c = count[pass];
        uint64_t k0;
        memcpy(&k0, src + off, 8);
        if (c[(k0 >> shift) & (DIGITS - 1)] == n)
            continue; /* one digit: nothing moves */
        size_t at = 0;
        for (size_t d = 0; d < DIGITS; d++) {
            size_t m = c[d];
            c[d] = at;
            at += m;
        }
        /* The records' sizes here are few and known: a memcpy of a constant
         * size is a few moves, of a variable one a call per record. */
#define SCATTER(SIZE)                                                                                                 \
    for (size_t i = 0; i < n; i++) {                                                                                  \
        uint64_t k;                                                                                                   \
        memcpy(&k, src + i * (SIZE) + off, 8);                                                                        \
        memcpy(dst + c[(k >> shift) & (DIGITS - 1)]++ * (SIZE), src + i * (SIZE), (SIZE));                            \
    }
        switch (size) {
        case 24: SCATTER(24); break;
        case 32: SCATTER(32); break;
        case 40: SCATTER(40); break;
        default: SCATTER(size); break;
        }
#undef SCATTER
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != buf)
        memcpy(buf, src, n * size);
    free(tmp);
    free(count);
    for (size_t i = 0; i < n;) { /* ties on both keys: the rest of cmp */
        size_t j = i + 1;
        while (j < n && !memcmp(buf + j * size, buf + i * size, 16))
            j++;
        if (j - i > 1)
            qsort(buf + i * size, j - i, size, cmp);
        i = j;
    }
}

typedef struct run {
    FILE *f;
    char *path;  /* NULL: the in-memory run */
    int owned;   /* ours to remove */
    unsigned char *blk; /* records read from f, a block at a time: fread per record was a third of a pairs task */
    size_t blk_n, blk_at;
    size_t mem_at; /* the in-memory run: next record's index */
} run;

struct extsort {
    size_t size, cap, n;
    extsort_cmp cmp;
    unsigned char *buf; /* cap records */
    char *tmpdir;
    int made_dir;
    run *runs;
    size_t nruns, crun;
    size_t *heap, nheap;
    const unsigned char **cur; /* each run's current record, where it lies (no copies) */
    size_t popped;             /* the run whose record extsort_next() returned, + 1; advanced on the next call */
    uint64_t spills, count, seq;
    char err[4200];
    int done;
};

extsort *extsort_new(size_t size, extsort_cmp cmp, size_t budget, const char *tmpdir)
{
    extsort *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->size = size;
    s->cmp = cmp;
    s->cap = budget / 2 / size;
    if (s->cap < 1024)
        s->cap = 1024;
    s->tmpdir = strdup(tmpdir);
    return s;
}

static int fail(extsort *s, const char *what, const char *path)
{
    if (!s->err[0])
        snprintf(s->err, sizeof s->err, "%s '%s': %s", what, path ? path : "", strerror(errno));
    return -1;
}

static run *new_run(extsort *s)
{
    if (s->nruns == s->crun) {
        s->crun = s->crun ? s->crun * 2 : 16;
        run *r = xrealloc(s->runs, s->crun * sizeof *s->runs);
        s->runs = r;
    }
    run *r = &s->runs[s->nruns++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Sort the buffer and write it to a new run file. */
static int spill(extsort *s)
{
    if (!s->made_dir) {
        if (mkdir(s->tmpdir, 0777) < 0 && errno != EEXIST)
            return fail(s, "cannot create", s->tmpdir);
        s->made_dir = 1;
    }
    sort_records(s->buf, s->n, s->size, s->cmp);
    char path[4096];
    snprintf(path, sizeof path, "%s/run-%llu.bin", s->tmpdir, (unsigned long long)s->seq++);
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail(s, "cannot create", path);
    int ok = fwrite(s->buf, s->size, s->n, f) == s->n;
    ok = fclose(f) == 0 && ok;
    run *r = new_run(s);
    r->path = strdup(path);
    r->owned = 1;
    s->n = 0;
    s->spills++;
    return ok ? 0 : fail(s, "cannot write", path);
}

int extsort_add(extsort *s, const void *rec) { return extsort_add_many(s, rec, 1); }

int extsort_add_many(extsort *s, const void *recs, size_t n)
{
    const unsigned char *p = recs;
    if (!s->buf)
        s->buf = xmalloc(s->cap * s->size);
    while (n) {
        if (s->n == s->cap && spill(s) < 0)
            return -1;
        size_t take = s->cap - s->n < n ? s->cap - s->n : n;
        memcpy(s->buf + s->n * s->size, p, take * s->size);
        s->n += take;
        s->count += take;
        p += take * s->size;
        n -= take;
    }
    return 0;
}

int extsort_add_sorted(extsort *s, const char *path)
{
    run *r = new_run(s);
    r->path = strdup(path);
    return 0;
}

static int less(const extsort *s, size_t a, size_t b)
{
    int c = s->cmp(s->cur[a], s->cur[b]);
    return c < 0 || (c == 0 && a < b); /* equal records: earlier run first, so the merge is stable */
}

static void sift_down(extsort *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < s->nheap && less(s, s->heap[l], s->heap[m]))
            m = l;
        if (l + 1 < s->nheap && less(s, s->heap[l + 1], s->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* Point run i at its next record; 0 when it has none left. */
static int advance(extsort *s, size_t i)
{
    run *r = &s->runs[i];
    if (!r->path) {
        if (r->mem_at == s->n)
            return 0;
        s->cur[i] = s->buf + r->mem_at++ * s->size;
        return 1;
    }
    if (r->blk_at == r->blk_n) {
        r->blk_n = fread(r->blk, s->size, RUN_BUFFER / s->size, r->f);
        r->blk_at = 0;
        if (r->blk_n == 0) {
            if (ferror(r->f))
                fail(s, "cannot read", r->path);
            return 0;
        }
    }
    s->cur[i] = r->blk + r->blk_at++ * s->size;
    return 1;
}

int extsort_done(extsort *s)
{
    if (s->err[0])
        return -1;
    if (s->n && s->nruns) { /* something spilled: so does the rest, and the buffer goes */
        if (spill(s) < 0)
            return -1;
    }
    if (s->nruns >= MAX_RUNS) {
        snprintf(s->err, sizeof s->err, "%zu sorted runs: raise the memory budget", s->nruns);
        return -1;
    }
    if (s->nruns) {
        free(s->buf);
        s->buf = NULL;
        s->n = 0;
    } else {
        sort_records(s->buf, s->n, s->size, s->cmp);
    }
    if (s->n || !s->nruns)
        new_run(s); /* the in-memory one */
    s->cur = xmalloc(s->nruns * sizeof *s->cur + 1);
    s->heap = xmalloc(s->nruns * sizeof *s->heap + 1);
    for (size_t i = 0; i < s->nruns; i++) {
        run *r = &s->runs[i];
        if (r->path) {
            if (!(r->f = fopen(r->path, "rb")))
                return fail(s, "cannot open", r->path);
            r->blk = xmalloc(RUN_BUFFER);
        }
        if (advance(s, i))
            s->heap[s->nheap++] = i;
    }
    for (size_t i = s->nheap; i-- > 0;)
        sift_down(s, i);
    s->done = 1;
    return s->err[0] ? -1 : 0;
}

const void *extsort_next(extsort *s)
{
    if (!s->done || s->err[0])
        return NULL;
    if (s->popped) { /* the record returned last is no longer needed: its run moves on */
        size_t i = s->popped - 1;
        s->popped = 0;
        if (!advance(s, i))
            s->heap[0] = s->heap[--s->nheap];
        sift_down(s, 0);
        if (s->err[0])
            return NULL;
    }
    if (!s->nheap)
        return NULL;
    s->popped = s->heap[0] + 1;
    return s->cur[s->heap[0]];
}

const char *extsort_error(const extsort *s) { return s->err[0] ? s->err : NULL; }
uint64_t extsort_spills(const extsort *s) { return s->spills; }
uint64_t extsort_count(const extsort *s) { return s->count; }

void extsort_free(extsort *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nruns; i++) {
        if (s->runs[i].f)
            fclose(s->runs[i].f);
        free(s->runs[i].blk);
        if (s->runs[i].owned)
            unlink(s->runs[i].path);
        free(s->runs[i].path);
    }
    if (s->made_dir)
        rmdir(s->tmpdir);
    free(s->runs);
    free(s->buf);
    free(s->cur);
    free(s->heap);
    free(s->tmpdir);
    free(s);
}
