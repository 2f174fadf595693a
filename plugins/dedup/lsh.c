/* lsh.c -- dedup's LSH index (see lsh.h). */
#include "lsh.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"

#define HELD 0x80000000u /* an entry's bit 31: a held place, its low key bits beside */

static uint32_t tag_of(uint64_t key) { return (uint32_t)(key >> 32); }
/* A dropped document's entry: bits 1-31 of the key (bit 0 is always 1). */
static uint32_t held_of(uint64_t key) { return HELD | (uint32_t)key >> 1; }

static size_t page_bytes(size_t n) { return (n * sizeof(uint64_t) + 4095) & ~(size_t)4095; }

/* n zeroed slots.  From 2 MB: pages of their own, which the kernel zeroes,
 * in huge pages and faulted in writable at once (a lookup's read of an
 * untouched page would map the zero page, and the write after it fault
 * again).  Zeroing them again by writing, as malloc's memory below needs,
 * was a second pass over the table inside the turn. */
static uint64_t *zeroed_slots(size_t n)
{
    size_t bytes = page_bytes(n);
    if (bytes < HUGE_PAGE) {
        uint64_t *s = xmalloc(bytes);
        explicit_bzero(s, bytes); /* (memset after malloc is compiled as calloc: see dedup_alloc) */
        return s;
    }
    char *m = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        abort();
    char *s = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1)); /* aligned for huge pages */
    if (s > m)
        munmap(m, (size_t)(s - m));
    munmap(s + bytes, (size_t)(m + HUGE_PAGE - s));
    madvise(s, bytes, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
    madvise(s, bytes, MADV_POPULATE_WRITE); /* a hint: without it the pages come at first touch */
#endif
    return (uint64_t *)s;
}

static void free_slots(uint64_t *s, size_t n)
{
    if (page_bytes(n) < HUGE_PAGE)
        free(s);
    else
        munmap(s, page_bytes(n));
}

void lsh_init(lsh *l, size_t bands)
{
    *l = (lsh){.bands = bands, .cap = 64};
    l->slot = zeroed_slots(bands * l->cap);
}

void lsh_free(lsh *l)
{
    free_slots(l->slot, l->bands * l->cap);
    *l = (lsh){0};
}

/* Doubles every band: a slot's place comes from its tag, so it moves without its key. */
static void grow(lsh *l)
{
    size_t old = l->cap, cap = old * 2;
    uint64_t *from = l->slot, *to = zeroed_slots(l->bands * cap);
    for (size_t b = 0; b < l->bands; b++) {
        const uint64_t *src = from + b * old;
        uint64_t *dst = to + b * cap;
        for (size_t i = 0; i < old; i++) {
            if (!src[i])
                continue;
            size_t at = (src[i] >> 32) & (cap - 1);
            while (dst[at])
                at = (at + 1) & (cap - 1);
            dst[at] = src[i];
        }
    }
    free_slots(from, l->bands * old);
    l->slot = to;
    l->cap = cap;
}

void lsh_reserve(lsh *l)
{
    if ((l->docs + 1) * 4 > l->cap * 3) /* at most 75% full */
        grow(l);
    l->docs++;
}

const void *lsh_home(const lsh *l, size_t band, uint64_t key)
{
    return &l->slot[band * l->cap + (tag_of(key) & (l->cap - 1))];
}

void lsh_find(const lsh *l, size_t band, uint64_t key, lsh_member_fn *member, void *arg, lsh_spot *spot)
{
    const uint64_t *s = l->slot + band * l->cap;
    const uint32_t tag = tag_of(key), held = held_of(key);
    size_t i = tag & (l->cap - 1), same = 0;
    for (; s[i]; i = (i + 1) & (l->cap - 1)) {
        if ((uint32_t)(s[i] >> 32) != tag)
            continue;
        uint32_t e = (uint32_t)s[i];
        same += e & HELD ? e == held : member(arg, band, e - 1, key);
    }
    *spot = (lsh_spot){.at = i, .same = same};
}

void lsh_enter(lsh *l, size_t band, uint64_t key, uint32_t doc, const lsh_spot *spot, size_t cap)
{
    if (cap && spot->same >= cap)
        return;
    uint32_t e = doc == UINT32_MAX ? held_of(key) : doc + 1; /* + 1: no entry is 0 */
    l->slot[band * l->cap + spot->at] = (uint64_t)tag_of(key) << 32 | e;
}
