/* strset.c -- see strset.h. */
#include "strset.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static uint64_t hash(const char *key, size_t len) { return XXH3_64bits(key, len); }

static int entry_is(const strset *s, uint32_t off, const char *key, size_t len)
{
    const char *e = s->arena + off + 2; /* strncmp stops at its end; the key holds no NUL */
    return !strncmp(e, key, len) && e[len] == '\0';
}

static void place(uint64_t *slots, size_t cap, uint64_t h, uint32_t off)
{
    size_t i = h & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = (h >> 32) << 32 | off;
}

/* A table of cap slots (a power of two) holding the entries there are. */
static void rehash(strset *s, size_t cap)
{
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        abort();
    for (size_t i = 0; i < s->cap; i++) {
        uint32_t off = (uint32_t)s->slots[i];
        if (!off)
            continue;
        const char *e = s->arena + off + 2;
        place(slots, cap, hash(e, strlen(e)), off);
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
}

static int arena_room(strset *s, size_t bytes)
{
    if (s->alen == 0) /* offset 0 marks an empty slot: the arena starts with a pad */
        s->alen = 1;
    size_t need = s->alen + bytes;
    if (need > UINT32_MAX)
        return -1;
    if (need > s->acap) {
        size_t cap = s->acap ? s->acap : 1 << 16;
        while (cap < need)
            cap *= 2;
        if (cap > (size_t)UINT32_MAX + 1)
            cap = (size_t)UINT32_MAX + 1;
        char *a = realloc(s->arena, cap);
        if (!a)
            abort();
        s->arena = a;
        s->acap = cap;
    }
    return 0;
}

void strset_reserve(strset *s, size_t entries, size_t bytes)
{
    size_t cap = s->cap ? s->cap : 1024;
    while ((s->n + entries) * 10 > cap * 7)
        cap *= 2;
    if (cap != s->cap)
        rehash(s, cap);
    /* exactly what the file can need (each line's bytes, a value and a NUL), not a doubling past it */
    size_t need = (s->alen ? s->alen : 1) + bytes + 3 * entries;
    if (need > s->acap && need <= UINT32_MAX) {
        char *a = realloc(s->arena, need);
        if (!a)
            abort();
        s->arena = a;
        s->acap = need;
    }
}

void strset_trim(strset *s)
{
    if (s->acap > s->alen && s->alen) {
        char *a = realloc(s->arena, s->alen);
        if (a) {
            s->arena = a;
            s->acap = s->alen;
        }
    }
}

static int find_h(const strset *s, const char *key, size_t len, uint64_t h)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        uint64_t v = s->slots[i];
        if (!v)
            return -1;
        if ((uint32_t)(v >> 32) == tag && entry_is(s, (uint32_t)v, key, len)) {
            uint16_t value;
            memcpy(&value, s->arena + (uint32_t)v, 2);
            return value;
        }
    }
}

int strset_find(const strset *s, const char *key, size_t len)
{
    if (!s->n || memchr(key, 0, len))
        return -1;
    return find_h(s, key, len, hash(key, len));
}

int strset_add(strset *s, const char *key, size_t len, uint16_t value)
{
    if (memchr(key, 0, len))
        return 0;
    uint64_t h = hash(key, len);
    if (s->n && find_h(s, key, len, h) >= 0)
        return 0;
    if (arena_room(s, 2 + len + 1) < 0)
        return -1;
    uint32_t off = (uint32_t)s->alen;
    memcpy(s->arena + off, &value, 2);
    memcpy(s->arena + off + 2, key, len);
    s->arena[off + 2 + len] = '\0';
    s->alen = off + 2 + len + 1;
    if ((s->n + 1) * 10 > s->cap * 7) /* load factor at most 0.7 */
        rehash(s, s->cap ? 2 * s->cap : 1024);
    place(s->slots, s->cap, h, off);
    s->n++;
    return 1;
}

size_t strset_bytes(const strset *s) { return s->cap * sizeof *s->slots + s->acap; }

void strset_free(strset *s)
{
    free(s->slots);
    free(s->arena);
    *s = (strset){0};
}
