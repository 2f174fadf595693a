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

static void grow(strset *s)
{
    size_t cap = s->cap ? 2 * s->cap : 1024;
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

int strset_find(const strset *s, const char *key, size_t len)
{
    if (!s->n || memchr(key, 0, len))
        return -1;
    uint64_t h = hash(key, len);
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

int strset_add(strset *s, const char *key, size_t len, uint16_t value)
{
    if (strset_find(s, key, len) >= 0 || memchr(key, 0, len))
        return 0;
    if (s->alen == 0) /* offset 0 marks an empty slot: the arena starts with a pad */
        s->alen = 1;
    size_t need = s->alen + 2 + len + 1;
    if (need > UINT32_MAX)
        return -1;
    if (need > s->acap) {
        size_t cap = s->acap ? s->acap : 1 << 16;
        while (cap < need)
            cap *= 2;
        char *a = realloc(s->arena, cap);
        if (!a)
            abort();
        s->arena = a;
        s->acap = cap;
    }
    uint32_t off = (uint32_t)s->alen;
    memcpy(s->arena + off, &value, 2);
    memcpy(s->arena + off + 2, key, len);
    s->arena[off + 2 + len] = '\0';
    s->alen = off + 2 + len + 1;
    if ((s->n + 1) * 10 > s->cap * 7) /* load factor at most 0.7 */
        grow(s);
    place(s->slots, s->cap, hash(key, len), off);
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
