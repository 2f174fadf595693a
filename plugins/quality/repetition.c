/* repetition.c -- see repetition.h. */
#include "repetition.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "text.h"
#include "util.h"

#define BASE 0x100000001B3ULL /* odd: powers of it never become 0 mod 2^64 */

/* The polynomial and multiplicative hashes here are weak in their low bits,
 * which pick the slot: mix them first (MurmurHash3's finaliser). */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

static int is_punct(int cp)
{
    if (cp < 0x80)
        return (cp >= '!' && cp <= '/') || (cp >= ':' && cp <= '@') || (cp >= '[' && cp <= '`') ||
               (cp >= '{' && cp <= '~');
    if ((cp >= 0xC0 && cp <= 0x24F) || (cp >= 0x400 && cp <= 0x52F))
        return 0; /* Latin letters and Cyrillic: no marks there, and most text is in them */
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

size_t rep_py_lstrip(const char *s, size_t a, size_t b)
{
    while (a < b) {
        size_t j = a;
        if (!cp_py_space(utf8_next(s, &j)))
            break;
        a = j;
    }
    return a;
}

size_t rep_py_rstrip(const char *s, size_t a, size_t b)
{
    while (b > a) {
        size_t j = b - 1;
        while (j > a && ((unsigned char)s[j] & 0xC0) == 0x80)
            j--;
        size_t k = j;
        if (!cp_py_space(utf8_next(s, &k)))
            break;
        b = j;
    }
    return b;
}

/* A long text's arrays in huge pages, fewer TLB misses. */
static void *rep_alloc(size_t bytes) { return big_alloc(bytes, HUGE_PAGE * 2); }

size_t rep_lines_bound(const char *s, size_t len)
{
    if (len < 65536)
        return len + 1; /* a short text: not worth the count, and a little memory more */
    size_t n = 1;
    for (const char *p = s, *end = s + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    return n;
}

static void add_word(size_t from, size_t to, qword **w, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        *cap *= 2;
        *w = xrealloc(*w, *cap * sizeof **w);
    }
    (*w)[(*n)++] = (qword){(uint32_t)from, (uint32_t)(to - from)};
}

/* The polynomial hash of a word's bytes: equal bytes, equal hashes, and
 * that of a concatenation follows from its words' (concat_hash). */
static uint64_t word_hash(const char *s, qword w)
{
    uint64_t ph = 0;
    for (size_t i = w.off; i < (size_t)w.off + w.len; i++)
        ph = ph * BASE + (unsigned char)s[i];
    return ph;
}

size_t rep_words(const char *s, size_t len, qword **words, size_t *cap)
{
    size_t n = 0;
    if (len > UINT32_MAX)
        return 0;
    /* most texts have a word every 4 bytes or fewer: one allocation, not a
     * realloc chain that copies (and first-touches) a long text's words again */
    if (*cap < len / 4 + 256) {
        free(*words);
        *cap = len / 4 + 256;
        *words = rep_alloc(*cap * sizeof **words); /* huge pages: a fresh 4 kB page costs several times more */
    }
    for (size_t i = 0; i < len;) {
        size_t at = i;
        int cp = utf8_next(s, &i);
        if (cp_py_space(cp))
            continue;
        /* a chunk: [at, end) up to the next white space */
        size_t end = i;
        while (end < len) {
            size_t j = end;
            if (cp_py_space(utf8_next(s, &j)))
                break;
            end = j;
        }
        i = end;
        /* leading marks, one token each */
        size_t p = at;
        while (p < end) {
            size_t j = p;
            if (!is_punct(utf8_next(s, &j)))
                break;
            add_word(p, j, words, &n, cap);
            p = j;
        }
        if (p == end)
            continue;
        /* trailing marks: back from the end to the last character that is not one */
        size_t tail = end;
        while (tail > p) {
            size_t j = tail - 1;
            while (j > p && ((unsigned char)s[j] & 0xC0) == 0x80)
                j--;
            size_t k = j;
            if (!is_punct(utf8_next(s, &k)))
                break;
            tail = j;
        }
        add_word(p, tail, words, &n, cap);
        for (size_t k = tail; k < end;) {
            size_t j = k;
            utf8_next(s, &j);
            add_word(k, j, words, &n, cap);
            k = j;
        }
    }
    return n;
}

/* ---- a set of byte strings (or word sequences) with counts ---------------- */

struct rep_slot {
    uint64_t h;     /* the element's hash, mixed */
    uint32_t a;     /* the element: piece a, or the n-gram at word a; also its order of first insertion */
    uint32_t count; /* 0: empty */
};

#define AHEAD 16 /* elements hashed (and their slots fetched) before they are looked up */
#define RING 32  /* > AHEAD + the longest n-gram */


static struct rep_slot *slots_alloc(size_t n)
{
    return rep_alloc(n * sizeof(struct rep_slot));
}

/* An empty table for what is expected to be at most n elements, of which
 * it first makes room for `start` (a text of few distinct ones never leaves
 * the cache) and doubles as needed; the array only grows across documents,
 * and a short one clears little. */
static void reset(rep_scratch *sc, size_t n, size_t start)
{
    size_t size = 64;
    while (size < 2 * (n < start ? n : start) + 2)
        size *= 2;
    if (size > sc->cap) {
        free(sc->slots);
        sc->slots = slots_alloc(size);
        sc->cap = size;
    }
    memset(sc->slots, 0, size * sizeof *sc->slots);
    sc->size = size;
    sc->used = 0;
}

/* by_a: the slots are placed by their field a (else by h). */
static void grow(rep_scratch *sc, int by_a)
{
    size_t size = 2 * sc->size, mask = size - 1;
    if (size > sc->spare_cap) {
        free(sc->spare);
        sc->spare = slots_alloc(size);
        sc->spare_cap = size;
    }
    struct rep_slot *to = sc->spare;
    memset(to, 0, size * sizeof *to);
    for (size_t k = 0; k < sc->size; k++) {
        const struct rep_slot *x = &sc->slots[k];
        if (!x->count)
            continue;
        size_t i = (by_a ? x->a : (size_t)x->h) & mask;
        while (to[i].count)
            i = (i + 1) & mask;
        to[i] = *x;
    }
    sc->spare = sc->slots;
    sc->slots = to;
    size_t cap = sc->cap;
    sc->cap = sc->spare_cap;
    sc->spare_cap = cap;
    sc->size = size;
}

static inline void prefetch(const rep_scratch *sc, uint64_t h)
{
    __builtin_prefetch(&sc->slots[(size_t)h & (sc->size - 1)]);
}

typedef int (*same_fn)(const void *ctx, uint32_t x, size_t a);

/* Insert or find the element a of mixed hash h; returns its slot (count 0
 * when new: the caller counts it), valid until the next put.  No `same`:
 * h is the element itself. */
static struct rep_slot *put(rep_scratch *sc, uint64_t h, size_t a, same_fn same, const void *ctx)
{
    if (10 * (sc->used + 1) > 7 * sc->size)
        grow(sc, 0);
    size_t mask = sc->size - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct rep_slot *x = &sc->slots[i];
        if (!x->count) {
            *x = (struct rep_slot){h, (uint32_t)a, 0};
            sc->used++;
            return x;
        }
        if (x->h == h && (!same || same(ctx, x->a, a)))
            return x;
    }
}

typedef struct piece_ctx {
    const char *s;
    const size_t *starts, *ends;
} piece_ctx;

static int same_bytes(const void *ctx, uint32_t x, size_t a)
{
    const piece_ctx *p = ctx;
    size_t n = p->ends[a] - p->starts[a];
    return p->ends[x] - p->starts[x] == n && !memcmp(p->s + p->starts[x], p->s + p->starts[a], n);
}

void rep_duplicates(const char *s, const size_t *starts, const size_t *ends, size_t n, rep_scratch *sc,
                       size_t *dups, size_t *dup_chars)
{
    reset(sc, n, 4096);
    *dups = *dup_chars = 0;
    piece_ctx p = {s, starts, ends};
    uint64_t ring[RING];
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        for (; next < n && next < i + AHEAD; next++) {
            ring[next % RING] = XXH3_64bits(s + starts[next], ends[next] - starts[next]);
            prefetch(sc, ring[next % RING]);
        }
        struct rep_slot *x = put(sc, ring[i % RING], i, same_bytes, &p);
        if (x->count++) {
            (*dups)++;
            *dup_chars += utf8_chars(s + starts[i], ends[i] - starts[i]);
        }
    }
}

typedef struct gram_ctx {
    const char *s;
    const qword *w;
    size_t n;
} gram_ctx;

/* The concatenations of words [x, x+n) and [a, a+n) ("".join equality). */
static int same_concat(const void *ctx, uint32_t x, size_t a)
{
    const gram_ctx *g = ctx;
    size_t i = x, j = a, pi = 0, pj = 0; /* word index and offset in it */
    size_t ei = x + g->n, ej = a + g->n;
    for (;;) {
        while (i < ei && pi == g->w[i].len)
            i++, pi = 0;
        while (j < ej && pj == g->w[j].len)
            j++, pj = 0;
        if (i == ei || j == ej)
            return i == ei && j == ej;
        size_t k = g->w[i].len - pi < g->w[j].len - pj ? g->w[i].len - pi : g->w[j].len - pj;
        if (memcmp(g->s + g->w[i].off + pi, g->s + g->w[j].off + pj, k))
            return 0;
        pi += k;
        pj += k;
    }
}

/* Words x and a: the same bytes. */
static int same_word(const void *ctx, uint32_t x, size_t a)
{
    const gram_ctx *g = ctx;
    return g->w[x].len == g->w[a].len && !memcmp(g->s + g->w[x].off, g->s + g->w[a].off, g->w[x].len);
}

/* Code points of words [a, a+n), without separators. */
static size_t gram_chars(const char *s, const qword *w, size_t a, size_t n)
{
    size_t chars = 0;
    for (size_t k = a; k < a + n; k++)
        chars += utf8_chars(s + w[k].off, w[k].len);
    return chars;
}

/* BASE^len: what a word's hash is multiplied by when a word follows it. */
static uint64_t pow_base(const uint64_t *small, uint32_t len)
{
    if (len < 64)
        return small[len];
    uint64_t r = 1, b = BASE;
    for (; len; len >>= 1, b *= b)
        if (len & 1)
            r *= b;
    return r;
}

/* The hash of the concatenation of words [i, i+n), from the hashes wph of
 * the words' numbers wid: equal bytes, equal hashes. */
static uint64_t concat_hash(const qword *w, const uint32_t *wid, const uint64_t *wph, size_t i, size_t n,
                            const uint64_t *small)
{
    uint64_t h = 0;
    for (size_t k = i; k < i + n; k++)
        h = h * pow_base(small, w[k].len) + wph[wid[k]];
    return mix(h);
}

/* ---- n-grams as classes ----------------------------------------------------
 * Every n-gram gets a class, a number: the same n-gram, the same class.
 * Words are numbered first (a table of the distinct words); the n-gram at
 * word i is then the pair (class of the (n-1)-gram at i, number of word
 * i+n-1), a 64-bit key compared as such: no probe reads the text.  A long
 * text has millions of distinct pairs, a table of them all in DRAM and one
 * miss a probe: its keys are first split by the top bits of their hash into
 * parts of about PART (written out in order, one stream a part), each part
 * is counted in a table that stays in cache, and the classes are read back
 * in the text's order.  Every pass is sequential but the tables'. */
#define PART ((size_t)16384)
#define PARTS_LG_MAX 16

/* A scratch buffer of at least `bytes`: buffers only grow, so a long text faults their pages in once. */
static void *buf_at_least(void *p, size_t *cap, size_t bytes)
{
    if (bytes > *cap) {
        free(p);
        p = rep_alloc(bytes);
        *cap = bytes;
    }
    return p;
}
#define BUF(sc, name, n) ((sc)->name = buf_at_least((sc)->name, &(sc)->name##_cap, (n) * sizeof *(sc)->name))

/* Words' numbers: wid[i] for word i; wph[c], the hash of the bytes of the words numbered c. */
static void number_words(const char *s, const qword *w, size_t nw, rep_scratch *sc, uint32_t *wid, uint64_t *wph)
{
    reset(sc, nw, 4096);
    gram_ctx g = {s, w, 1};
    uint64_t ring[RING], ph[RING];
    uint32_t n = 0;
    for (size_t i = 0, next = 0; i < nw; i++) {
        for (; next < nw && next < i + AHEAD; next++) {
            ph[next % RING] = word_hash(s, w[next]);
            ring[next % RING] = mix(ph[next % RING] ^ (uint64_t)w[next].len << 40);
            prefetch(sc, ring[next % RING]);
        }
        struct rep_slot *x = put(sc, ring[i % RING], i, same_word, &g);
        if (!x->count) {
            wph[n] = ph[i % RING];
            x->count = ++n;
        }
        wid[i] = x->count - 1;
    }
}

/* One level: the n-grams [0, grams) from the classes of the (n-1)-grams. */
typedef struct level {
    const char *s;
    const qword *w;
    size_t n, grams;
    const uint32_t *prev, *wid;
    const uint64_t *wph; /* the hash of each word number's bytes */
    int concat; /* classes of "".join (else of " ".join: word sequences) */
    const uint64_t *small;
} level;

static inline uint64_t pair_key(const level *L, size_t i)
{
    return mix((uint64_t)L->prev[i] << 32 | L->wid[i + L->n - 1]); /* mix is a bijection: still exact */
}

/* What splits the n-grams into parts: the pair for " ".join; for "".join,
 * the bytes' hash, so that equal bytes meet in one part whatever their words. */
static inline uint64_t part_hash(const level *L, size_t i)
{
    return L->concat ? concat_hash(L->w, L->wid, L->wph, i, L->n, L->small) : pair_key(L, i);
}

/* A "".join class: the pair (keys, exact) in h, the low bits of the bytes'
 * hash in a (which places it in the table), class + 1 in count.  A pair not
 * seen yet may still be the same bytes as another (other word boundaries):
 * compared with the first n-gram (reppos) of each class of equal hash bits. */
static uint32_t concat_class(rep_scratch *sc, uint64_t key, uint32_t h32, uint32_t pos, const level *L,
                             uint32_t *reppos, uint32_t *nclass)
{
    if (10 * (sc->used + 1) > 7 * sc->size)
        grow(sc, 1);
    size_t mask = sc->size - 1, i;
    for (i = h32 & mask; sc->slots[i].count; i = (i + 1) & mask)
        if (sc->slots[i].h == key)
            return sc->slots[i].count - 1;
    gram_ctx g = {L->s, L->w, L->n};
    uint32_t c = UINT32_MAX;
    for (size_t k = h32 & mask; k != i && c == UINT32_MAX; k = (k + 1) & mask)
        if (sc->slots[k].a == h32 && same_concat(&g, reppos[sc->slots[k].count - 1], pos))
            c = sc->slots[k].count - 1;
    if (c == UINT32_MAX) {
        c = (*nclass)++;
        reppos[c] = pos;
    }
    sc->slots[i] = (struct rep_slot){key, h32, c + 1};
    sc->used++;
    return c;
}

/* One part's classes, each written over its key; " ".join also counts each
 * class in cnt.  *likely: how many distinct the part before had, what this
 * one is likely to have too (the table is made that large, not doubled). */
static void count_part(rep_scratch *sc, const level *L, uint64_t *keys, const uint64_t *hp, size_t m, uint32_t *cnt,
                       uint32_t *nclass, size_t *likely)
{
    reset(sc, m, *likely + *likely / 4 + 64);
    for (size_t j = 0; j < m; j++) {
        if (j + AHEAD < m)
            __builtin_prefetch(&sc->slots[(L->concat ? (uint32_t)(hp[j + AHEAD] >> 32) : keys[j + AHEAD]) &
                                          (sc->size - 1)]);
        if (L->concat) {
            keys[j] = concat_class(sc, keys[j], (uint32_t)(hp[j] >> 32), (uint32_t)hp[j], L, cnt, nclass);
        } else {
            struct rep_slot *x = put(sc, keys[j], *nclass, NULL, NULL);
            if (!x->count++)
                ++*nclass;
            keys[j] = x->a;
        }
    }
    *likely = sc->used;
    if (!L->concat)
        for (size_t k = 0; k < sc->size; k++)
            if (sc->slots[k].count)
                cnt[sc->slots[k].a] = sc->slots[k].count;
}

/* The n-gram at i as the part counts it: its key, and for "".join its bytes' hash's low bits and position. */
static inline void entry(const level *L, size_t i, uint64_t h, uint64_t *key, uint64_t *hp)
{
    if (L->concat) {
        *key = pair_key(L, i);
        *hp = (uint64_t)(uint32_t)h << 32 | i;
    } else {
        *key = h;
    }
}

/* The classes of the level's n-grams in cls[0, grams); their number.  For
 * " ".join, cnt[c] is how often class c occurs; for "".join, the first
 * n-gram of class c.  cls may be L->prev: each class is written once its
 * n-gram's key is made. */
static size_t classify(rep_scratch *sc, const level *L, uint32_t *cls, uint32_t *cnt)
{
    size_t grams = L->grams;
    unsigned lg = 0;
    while ((PART << lg) < grams && lg < PARTS_LG_MAX)
        lg++;
    size_t parts = (size_t)1 << lg;
    uint64_t *keys = BUF(sc, keys, grams), *hp = L->concat ? BUF(sc, hp, grams) : NULL, dummy;
    uint32_t nclass = 0;
    size_t likely = 4096;
    if (parts == 1) { /* a short text: one part, in the text's order */
        for (size_t i = 0; i < grams; i++)
            entry(L, i, part_hash(L, i), &keys[i], hp ? &hp[i] : &dummy);
        count_part(sc, L, keys, hp, grams, cnt, &nclass, &likely);
        for (size_t i = 0; i < grams; i++)
            cls[i] = (uint32_t)keys[i];
        return nclass;
    }
    uint16_t *pt = BUF(sc, pt, grams); /* each n-gram's part */
    size_t *at = BUF(sc, at, parts + 1), *cur = BUF(sc, cur, parts);
    memset(at, 0, (parts + 1) * sizeof *at);
    for (size_t i = 0; i < grams; i++) {
        uint64_t h = part_hash(L, i);
        pt[i] = (uint16_t)(h >> (64 - lg));
        at[pt[i] + 1]++;
        if (hp)
            cnt[i] = (uint32_t)h; /* cnt is free until the parts are counted: the bytes' hash is not made twice */
    }
    for (size_t b = 0; b < parts; b++)
        at[b + 1] += at[b];
    memcpy(cur, at, parts * sizeof *cur);
    for (size_t i = 0; i < grams; i++) {
        if (i + AHEAD < grams) /* one stream a part: fetch the line each part writes next */
            __builtin_prefetch(&keys[cur[pt[i + AHEAD]]], 1);
        size_t j = cur[pt[i]]++;
        entry(L, i, hp ? cnt[i] : pair_key(L, i), &keys[j], hp ? &hp[j] : &dummy);
    }
    for (size_t b = 0; b < parts; b++)
        count_part(sc, L, keys + at[b], hp ? hp + at[b] : NULL, at[b + 1] - at[b], cnt, &nclass, &likely);
    memcpy(cur, at, parts * sizeof *cur);
    for (size_t i = 0; i < grams; i++) {
        if (i + AHEAD < grams)
            __builtin_prefetch(&keys[cur[pt[i + AHEAD]]]);
        cls[i] = (uint32_t)keys[cur[pt[i]]++];
    }
    return nclass;
}

/* find_top_duplicate: length of the most common n-gram (" ".join) times its count;
 * among equally common ones, the first seen (what Counter.most_common(1) returns).
 * *distinct says whether every n-gram was seen once. */
static size_t top_gram(const level *L, rep_scratch *sc, uint32_t *cls, int *distinct)
{
    uint32_t *cnt = BUF(sc, cnt, L->grams);
    size_t nclass = classify(sc, L, cls, cnt);
    *distinct = nclass == L->grams;
    uint32_t best = 1;
    for (size_t c = 0; c < nclass; c++)
        best = cnt[c] > best ? cnt[c] : best;
    /* the earliest n-gram of a most common class: those marked a bit each,
     * which stays in cache where the counts would not */
    uint64_t *top = BUF(sc, seen, nclass / 64 + 1);
    memset(top, 0, (nclass / 64 + 1) * sizeof *top);
    for (size_t c = 0; c < nclass && best > 1; c++)
        top[c / 64] |= (uint64_t)(cnt[c] == best) << (c % 64);
    size_t at = 0;
    while (best > 1 && !(top[cls[at] / 64] >> (cls[at] % 64) & 1))
        at++;
    return (gram_chars(L->s, L->w, at, L->n) + L->n - 1) * best; /* n - 1: the spaces of " ".join */
}

/* find_all_duplicate: characters of n-grams ("".join) seen before, skipping
 * past each repeated one; the classes make it one pass with a bit a class. */
static size_t dup_grams(const level *L, rep_scratch *sc, uint32_t *cls)
{
    uint32_t *reppos = BUF(sc, cnt, L->grams);
    size_t nclass = classify(sc, L, cls, reppos), repeated = 0;
    if (nclass == L->grams)
        return 0; /* every n-gram once */
    uint64_t *seen = BUF(sc, seen, nclass / 64 + 1);
    memset(seen, 0, (nclass / 64 + 1) * sizeof *seen);
    for (size_t i = 0; i < L->grams;) {
        uint32_t c = cls[i];
        if (seen[c / 64] >> (c % 64) & 1) {
            repeated += gram_chars(L->s, L->w, i, L->n);
            i += L->n;
        } else {
            seen[c / 64] |= (uint64_t)1 << (c % 64);
            i++;
        }
    }
    return repeated;
}

/* ---- a short text's n-grams: one table, probed in the text's order ------
 * Below one part, the classes' passes (numbering the words, writing keys,
 * reading classes back, a table cleared and scanned per n) cost more than
 * they save: the table fits in cache anyway.  The n-grams are hashed and
 * put in the table directly, each match checked against the text. */
#define SHORT_WORDS PART

/* Word sequences [x, x+n) and [a, a+n): equal word by word (" ".join equality). */
static int same_words(const void *ctx, uint32_t x, size_t a)
{
    const gram_ctx *g = ctx;
    for (size_t k = 0; k < g->n; k++) {
        const qword *p = &g->w[x + k], *q = &g->w[a + k];
        if (p->len != q->len || memcmp(g->s + p->off, g->s + q->off, p->len))
            return 0;
    }
    return 1;
}

/* The n-gram at word i as a sequence of words, from the words' mixed hashes wh. */
static inline uint64_t words_hash(const uint64_t *wh, size_t i, size_t n)
{
    uint64_t h = 0;
    for (size_t k = i; k < i + n; k++)
        h = (h ^ wh[k]) * 0x9E3779B97F4A7C15ULL;
    return mix(h);
}

/* top_gram's value for a short text. */
static size_t short_top(const char *s, const qword *w, size_t nw, size_t n, const uint64_t *wh, rep_scratch *sc,
                        int *distinct)
{
    size_t grams = nw - n + 1;
    reset(sc, grams, 4096);
    gram_ctx g = {s, w, n};
    uint32_t best_count = 0, best_a = 0;
    uint64_t ring[RING];
    for (size_t i = 0, next = 0; i < grams; i++) {
        for (; next < grams && next < i + AHEAD; next++) {
            ring[next % RING] = words_hash(wh, next, n);
            prefetch(sc, ring[next % RING]);
        }
        struct rep_slot *x = put(sc, ring[i % RING], i, same_words, &g);
        x->count++;
        /* counts only grow, so the best so far, ordered by (count, then first seen), is the final best */
        if (x->count > best_count || (x->count == best_count && x->a < best_a)) {
            best_count = x->count;
            best_a = x->a;
        }
    }
    if (best_count <= 1) /* every n-gram once: the most common is the first */
        best_count = 1, best_a = 0;
    *distinct = best_count == 1;
    return (gram_chars(s, w, best_a, n) + n - 1) * best_count;
}

/* Prefix hashes of the concatenated words, so that an n-gram's concat_hash
 * costs O(1), not n words: ph[i] is the hash of words [0, i), pp[i] the power
 * of BASE their bytes shift by, ipp[i] its inverse (odd: one exists mod 2^64).
 * The hash of [i, i+n) is ph[i+n] - ph[i] * pp[i+n] * ipp[i], the very value
 * concat_hash computes (ring identities). */
typedef struct prefix {
    uint64_t *ph, *pp, *ipp;
} prefix;

static uint64_t inverse(uint64_t a) /* a odd; Newton's iteration doubles the correct low bits */
{
    uint64_t x = a; /* right in 3 bits */
    for (int k = 0; k < 5; k++)
        x *= 2 - a * x;
    return x;
}

/* wph: each word's hash (word_hash). */
static void prefix_make(const qword *w, const uint64_t *wph, size_t nw, const uint64_t *small, rep_scratch *sc,
                        prefix *p)
{
    uint64_t *b = BUF(sc, keys, 3 * (nw + 1));
    p->ph = b, p->pp = b + nw + 1, p->ipp = b + 2 * (nw + 1);
    p->ph[0] = 0, p->pp[0] = p->ipp[0] = 1;
    for (size_t i = 0; i < nw; i++) {
        uint64_t m = pow_base(small, w[i].len);
        p->ph[i + 1] = p->ph[i] * m + wph[i];
        p->pp[i + 1] = p->pp[i] * m;
        p->ipp[i + 1] = p->ipp[i] * inverse(m);
    }
}

static inline uint64_t prefix_hash(const prefix *p, size_t i, size_t n)
{
    return mix(p->ph[i + n] - p->ph[i] * (p->pp[i + n] * p->ipp[i]));
}

/* dup_grams's value for a short text: the first n-gram seen stands for its class. */
static size_t short_dup(const char *s, const qword *w, size_t nw, size_t n, const prefix *pf, rep_scratch *sc)
{
    size_t grams = nw - n + 1, repeated = 0;
    reset(sc, grams, 4096);
    gram_ctx g = {s, w, n};
    uint64_t ring[RING];
    for (size_t i = 0, next = 0; i < grams;) {
        /* hashed ahead of i, though a repeated n-gram makes i skip some */
        for (; next < grams && next < i + AHEAD; next++) {
            ring[next % RING] = prefix_hash(pf, next, n);
            prefetch(sc, ring[next % RING]);
        }
        struct rep_slot *x = put(sc, ring[i % RING], i, same_concat, &g);
        if (x->count) {
            repeated += gram_chars(s, w, i, n);
            i += n;
        } else {
            x->count = 1;
            i++;
        }
    }
    return repeated;
}

/* Pieces of s[from, to) between runs of at least `min_run` newlines, in
 * sc's piece buffers (kept across documents, as the tables are). */
static size_t pieces(const char *s, size_t from, size_t to, size_t min_run, rep_scratch *sc)
{
    size_t n = 0, at = from;
    size_t most = rep_lines_bound(s + from, to - from); /* a piece a line at most */
    BUF(sc, pst, most);
    BUF(sc, pen, most);
    for (size_t i = from;; ) {
        size_t run = 0;
        while (i + run < to && s[i + run] == '\n')
            run++;
        int cut = run >= min_run || i == to;
        if (cut) {
            sc->pst[n] = at;
            sc->pen[n++] = i;
            if (i == to)
                return n;
            i += run;
            at = i;
        } else if (run) {
            i += run;
        } else {
            const char *nl = memchr(s + i, '\n', to - i);
            i = nl ? (size_t)(nl - s) : to;
        }
    }
}

void rep_measure(const char *s, size_t len, size_t total, const qword *w, size_t nw, rep_scratch *sc,
                 repetition *out)
{
    memset(out, 0, sizeof *out);
    if (total == 0 || len > UINT32_MAX) /* slots hold 32-bit offsets; max_doc_bytes is far below */
        return;
    double t = (double)total;
    /* paragraphs: the text stripped (Python's str.strip()), split on \n{2,} */
    size_t from = rep_py_lstrip(s, 0, len), to = rep_py_rstrip(s, from, len);
    size_t dups, dup_chars;
    size_t n = pieces(s, from, to, 2, sc);
    rep_duplicates(s, sc->pst, sc->pen, n, sc, &dups, &dup_chars);
    out->dup_para_frac = (double)dups / (double)n;
    out->dup_para_char_frac = (double)dup_chars / t;
    /* lines: the whole text split on \n+ */
    n = pieces(s, 0, len, 1, sc);
    rep_duplicates(s, sc->pst, sc->pen, n, sc, &dups, &dup_chars);
    out->dup_line_frac = (double)dups / (double)n;
    out->dup_line_char_frac = (double)dup_chars / t;
    /* Once every n-gram is distinct, so is every longer one: the most common
     * is then the first (count 1), and no n-gram repeats. */
    int distinct = 0;
    uint64_t small[64];
    small[0] = 1;
    for (int k = 1; k < 64; k++)
        small[k] = small[k - 1] * BASE;
    int short_text = nw <= SHORT_WORDS;
    uint64_t *wh = NULL;
    level L = {s, w, 0, 0, NULL, NULL, NULL, 0, small};
    if (short_text) { /* each word's hash (wph), and mixed with its length (wh) */
        wh = BUF(sc, hp, nw + 1);
        BUF(sc, wph, nw + 1);
        for (size_t i = 0; i < nw; i++) {
            sc->wph[i] = word_hash(s, w[i]);
            wh[i] = mix(sc->wph[i] ^ w[i].len);
        }
    } else if (nw >= REP_TOP_MIN) {
        L.wid = L.prev = BUF(sc, wid, nw);
        L.wph = BUF(sc, wph, nw);
        number_words(s, w, nw, sc, sc->wid, sc->wph);
    }
    for (size_t k = REP_TOP_MIN; k <= REP_TOP_MAX; k++) {
        size_t top = 0;
        if (nw < k) {
            distinct = 1;
        } else if (distinct) {
            top = k - 1;
            for (size_t j = 0; j < k; j++)
                top += utf8_chars(s + w[j].off, w[j].len);
        } else if (short_text) {
            top = short_top(s, w, nw, k, wh, sc, &distinct);
        } else {
            L.n = k, L.grams = nw - k + 1;
            top = top_gram(&L, sc, BUF(sc, cls, nw), &distinct);
            L.prev = sc->cls;
        }
        out->top_gram[k - REP_TOP_MIN] = (double)top / t;
    }
    prefix pf = {0};
    if (short_text && !distinct && nw >= REP_DUP_MIN)
        prefix_make(w, sc->wph, nw, small, sc, &pf);
    for (size_t k = REP_DUP_MIN; k <= REP_DUP_MAX && !distinct; k++) {
        size_t rep = 0;
        if (nw >= k && short_text) {
            rep = short_dup(s, w, nw, k, &pf, sc);
        } else if (nw >= k) {
            L.n = k, L.grams = nw - k + 1, L.concat = 1;
            rep = dup_grams(&L, sc, BUF(sc, cls, nw));
            L.prev = sc->cls;
        }
        out->dup_gram[k - REP_DUP_MIN] = (double)rep / t;
        distinct = rep == 0; /* nothing skipped: every k-gram was seen once */
    }
}

void rep_scratch_free(rep_scratch *sc)
{
    free(sc->slots);
    free(sc->spare);
    free(sc->wid);
    free(sc->wph);
    free(sc->cls);
    free(sc->keys);
    free(sc->hp);
    free(sc->pt);
    free(sc->cnt);
    free(sc->seen);
    free(sc->at);
    free(sc->cur);
    free(sc->pst);
    free(sc->pen);
    *sc = (rep_scratch){0};
}
