/* arena.c -- see arena.h.  One address range is reserved for all arenas
 * (PROT_NONE: no memory until a slot's pages are made writable as it
 * grows), so "is this pointer an arena's?" is two compares. */
#include "arena.h"

#include <libxml/xmlmemory.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN /* what was reset or never handed out stays unaddressable */
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define SLOTS 32                        /* arenas at once: workers with an html step */
#ifndef SLOT_BYTES
#define SLOT_BYTES ((size_t)1 << 30) /* a page's tree larger than this spills to malloc */
#endif
#define GROW_BYTES ((size_t)4 << 20)    /* pages made writable at a time */
#define KEEP_BYTES ((size_t)32 << 20)   /* kept resident across pages; beyond, given back */
#define HEAD 16                         /* a block's size, before it; keeps 16-byte alignment */

struct arena {
    char *base, *top, *end; /* the slot; the next free byte; the writable end */
    char *last;             /* the last block handed out (realloc grows it in place) */
    size_t slot;
    int spilled;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *region;   /* SLOTS * SLOT_BYTES, reserved once, never unmapped */
static unsigned char used[SLOTS];
static size_t live;    /* arenas: the hooks are installed while there are any */
static xmlFreeFunc sys_free;
static xmlMallocFunc sys_malloc;
static xmlReallocFunc sys_realloc;
static xmlStrdupFunc sys_strdup;
static _Thread_local arena *cur;

static int ours(const void *p)
{
    return region && (const char *)p >= region && (const char *)p < region + SLOTS * SLOT_BYTES;
}

/* Pages up to upto made writable (in steps of GROW_BYTES); 0 when they cannot be. */
static int reach(arena *a, const char *upto)
{
    if (upto <= a->end)
        return 1;
    size_t room = (size_t)(a->base + SLOT_BYTES - a->end);
    size_t grow = ((size_t)(upto - a->end) + GROW_BYTES - 1) / GROW_BYTES * GROW_BYTES;
    if (grow > room)
        grow = room;
    if (upto > a->end + grow || mprotect(a->end, grow, PROT_READ | PROT_WRITE) < 0)
        return 0;
    POISON(a->end, grow);
    a->end += grow;
    return 1;
}

static size_t rounded(size_t n) { return (n + 15) & ~(size_t)15; }

/* The block at p (its head before it) holds n bytes and the arena's top follows it. */
static void *place(arena *a, char *p, size_t n)
{
    UNPOISON(p - HEAD, HEAD);
    *(size_t *)(p - HEAD) = n;
    POISON(p - HEAD, HEAD);
    UNPOISON(p, n);
    a->top = p + rounded(n);
    a->last = p;
    return p;
}

static void *take(arena *a, size_t n)
{
    if (n > SLOT_BYTES || (size_t)(a->base + SLOT_BYTES - a->top) < HEAD + rounded(n) ||
        !reach(a, a->top + HEAD + rounded(n)))
        return NULL;
    return place(a, a->top + HEAD, n);
}

static size_t size_of(const char *p)
{
    UNPOISON(p - HEAD, HEAD);
    size_t n = *(const size_t *)(p - HEAD);
    POISON(p - HEAD, HEAD);
    return n;
}

static void *a_malloc(size_t n)
{
    arena *a = cur;
    if (a) {
        void *p = take(a, n);
        if (p)
            return p;
        a->spilled = 1;
    }
    return sys_malloc(n);
}

static void a_free(void *p)
{
    if (!ours(p))
        sys_free(p);
}

static void *a_realloc(void *p, size_t n)
{
    if (!p)
        return a_malloc(n);
    if (!ours(p))
        return sys_realloc(p, n);
    char *q = p;
    size_t old = size_of(q);
    if (n <= old)
        return p; /* the block keeps its size: what it holds past n is the caller's no more */
    arena *a = cur;
    /* the newest block (a growing buffer, mostly) grows where it is */
    if (a && q == a->last && n <= SLOT_BYTES && (size_t)(a->base + SLOT_BYTES - q) >= rounded(n) &&
        reach(a, q + rounded(n)))
        return place(a, q, n);
    void *r = a_malloc(n);
    if (r)
        memcpy(r, q, old);
    return r;
}

static char *a_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = a_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

arena *arena_new(void)
{
    pthread_mutex_lock(&lock);
    if (!region) {
        void *r = mmap(NULL, SLOTS * SLOT_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        region = r == MAP_FAILED ? NULL : r;
        /* A large page's tree is hundreds of MB first touched page by page;
         * in 2 MB pages the faults are 512 times fewer (a hint: nothing to do
         * when it is refused). */
        if (region)
            madvise(region, SLOTS * SLOT_BYTES, MADV_HUGEPAGE);
    }
    size_t slot = 0;
    while (region && slot < SLOTS && used[slot])
        slot++;
    arena *a = region && slot < SLOTS ? calloc(1, sizeof *a) : NULL;
    if (a) {
        used[slot] = 1;
        a->slot = slot;
        a->base = a->top = a->end = region + slot * SLOT_BYTES;
        if (!live++) {
            xmlMemGet(&sys_free, &sys_malloc, &sys_realloc, &sys_strdup);
            xmlMemSetup(a_free, a_malloc, a_realloc, a_strdup);
        }
    }
    pthread_mutex_unlock(&lock);
    return a;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    arena_reset(a);
    UNPOISON(a->base, (size_t)(a->end - a->base));
    mmap(a->base, SLOT_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    pthread_mutex_lock(&lock);
    used[a->slot] = 0;
    if (!--live)
        xmlMemSetup(sys_free, sys_malloc, sys_realloc, sys_strdup);
    pthread_mutex_unlock(&lock);
    free(a);
}

void arena_begin(arena *a)
{
    if (!a)
        return;
    a->spilled = 0;
    cur = a;
}

int arena_end(arena *a)
{
    if (!a)
        return 1;
    cur = NULL;
    return a->spilled;
}

void arena_reset(arena *a)
{
    if (!a)
        return;
    POISON(a->base, (size_t)(a->top - a->base));
    if ((size_t)(a->end - a->base) > KEEP_BYTES) /* a large page's memory goes back */
        madvise(a->base + KEEP_BYTES, (size_t)(a->end - a->base) - KEEP_BYTES, MADV_DONTNEED);
    a->top = a->base;
    a->last = NULL;
}
