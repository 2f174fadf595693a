/* lsh.c -- dedup's LSH index (see lsh.h). */
#include "lsh.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HELD 0x80000000u /* an entry's bit 31: a held place, its low key bits beside */

static uint32_t tag_of(uint64_t key) { return (uint32_t)(key >> 32); }
/* A dropped document's entry: bits 1-31 of the key (bit 0 is always 1). */
static uint32_t held_of(uint64_t key) { return HELD | (uint32_t)key >> 1; }

/* Zeroed by writing, in huge pages past 2 MB: see dedup_alloc in dedup.c. */
static uint64_t *zeroed_slots(size_t n)
{
    uint64_t *s = big_alloc(n * sizeof *s, HUGE_PAGE + 1);
    explicit_bzero(s, n * sizeof *s);
    return s;
}

void lsh_init(lsh *l, size_t bands)
{
    *l = (lsh){.bands = bands, .cap = 64};
    l->slot = zeroed_slots(bands * l->cap);
}

void lsh_free(lsh *l)
{
    free(l->slot);
    l->slot = NULL;
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
    free(from);
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
