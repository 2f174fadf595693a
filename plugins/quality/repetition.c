/* repetition.c -- see repetition.h. */
#include "repetition.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <utf8proc.h>
#include <xxhash.h>

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

int rep_py_space(int cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
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
        if (!rep_py_space(utf8_next(s, &j)))
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
        if (!rep_py_space(utf8_next(s, &k)))
            break;
        b = j;
    }
    return b;
}

static void add_word(const char *s, size_t from, size_t to, qword **w, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 256;
        *w = xrealloc(*w, *cap * sizeof **w);
    }
    uint64_t ph = 0;
    for (size_t i = from; i < to; i++)
        ph = ph * BASE + (unsigned char)s[i];
    (*w)[(*n)++] = (qword){(uint32_t)from, (uint32_t)(to - from), ph};
}

size_t rep_words(const char *s, size_t len, qword **words, size_t *cap)
{
    size_t n = 0;
    if (len > UINT32_MAX)
        return 0;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        int cp = utf8_next(s, &i);
        if (rep_py_space(cp))
            continue;
        /* a chunk: [at, end) up to the next white space */
        size_t end = i;
        while (end < len) {
            size_t j = end;
            if (rep_py_space(utf8_next(s, &j)))
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
            add_word(s, p, j, words, &n, cap);
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
        add_word(s, p, tail, words, &n, cap);
        for (size_t k = tail; k < end;) {
            size_t j = k;
            utf8_next(s, &j);
            add_word(s, k, j, words, &n, cap);
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

#define HUGE_PAGE ((size_t)2 << 20)
#define AHEAD 16 /* elements hashed (and their slots fetched) before they are looked up */
#define RING 32  /* > AHEAD + the longest n-gram */

static struct rep_slot *slots_alloc(size_t n)
{
    size_t bytes = n * sizeof(struct rep_slot);
    struct rep_slot *p;
    if (bytes >= HUGE_PAGE * 2) { /* a long text's table: in huge pages, fewer TLB misses per probe */
        p = aligned_alloc(HUGE_PAGE, bytes);
        if (p)
            madvise(p, bytes, MADV_HUGEPAGE);
    } else {
        p = malloc(bytes);
    }
    if (!p)
        abort();
    return p;
}

/* An empty table for what is expected to be at most n elements: it starts
 * small (a text of few distinct ones never leaves the cache) and doubles as
 * needed; the array only grows across documents, and a short one clears little. */
static void reset(rep_scratch *sc, size_t n)
{
    size_t size = 64;
    while (size < 2 * (n < 4096 ? n : 4096) + 2)
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

static void grow(rep_scratch *sc)
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
        size_t i = (size_t)x->h & mask;
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
 * when new: the caller counts it), valid until the next put. */
static struct rep_slot *put(rep_scratch *sc, uint64_t h, size_t a, same_fn same, const void *ctx)
{
    if (10 * (sc->used + 1) > 7 * sc->size)
        grow(sc);
    size_t mask = sc->size - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct rep_slot *x = &sc->slots[i];
        if (!x->count) {
            *x = (struct rep_slot){h, (uint32_t)a, 0};
            sc->used++;
            return x;
        }
        if (x->h == h && same(ctx, x->a, a))
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
    reset(sc, n);
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

/* Code points of words [a, a+n), without separators. */
static size_t gram_chars(const char *s, const qword *w, size_t a, size_t n)
{
    size_t chars = 0;
    for (size_t k = a; k < a + n; k++)
        chars += utf8_chars(s + w[k].off, w[k].len);
    return chars;
}

/* The n-gram at word i, as a sequence of words. */
static uint64_t words_hash(const qword *w, size_t i, size_t n)
{
    uint64_t h = 0;
    for (size_t k = i; k < i + n; k++)
        h = (h ^ mix(w[k].ph ^ w[k].len)) * 0x9E3779B97F4A7C15ULL;
    return mix(h);
}

/* find_top_duplicate: length of the most common n-gram (" ".join) times its count;
 * among equally common ones, the first seen (what Counter.most_common(1) returns).
 * *distinct says whether every n-gram was seen once. */
static size_t top_gram(const char *s, const qword *w, size_t nw, size_t n, rep_scratch *sc, int *distinct)
{
    *distinct = 1;
    if (nw < n)
        return 0;
    size_t grams = nw - n + 1;
    reset(sc, grams);
    gram_ctx g = {s, w, n};
    uint32_t best_count = 0, best_a = 0;
    uint64_t ring[RING];
    size_t next = 0;
    for (size_t i = 0; i < grams; i++) {
        for (; next < grams && next < i + AHEAD; next++) {
            ring[next % RING] = words_hash(w, next, n);
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
    *distinct = best_count == 1;
    return (gram_chars(s, w, best_a, n) + n - 1) * best_count; /* n - 1: the spaces of " ".join */
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

/* find_all_duplicate: characters of n-grams ("".join) seen before, skipping
 * past each repeated one. */
static size_t dup_grams(const char *s, const qword *w, size_t nw, size_t n, rep_scratch *sc)
{
    if (nw < n)
        return 0;
    size_t grams = nw - n + 1, repeated = 0;
    reset(sc, grams);
    gram_ctx g = {s, w, n};
    uint64_t small[64], ring[RING];
    small[0] = 1;
    for (int k = 1; k < 64; k++)
        small[k] = small[k - 1] * BASE;
    size_t next = 0;
    for (size_t i = 0; i < grams;) {
        /* hashed ahead of i, though a repeated n-gram makes i skip some */
        for (; next < grams && next < i + AHEAD; next++) {
            uint64_t h = 0;
            for (size_t k = next; k < next + n; k++)
                h = h * pow_base(small, w[k].len) + w[k].ph;
            ring[next % RING] = mix(h);
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

/* Pieces of s[from, to) between runs of at least `min_run` newlines. */
static size_t pieces(const char *s, size_t from, size_t to, size_t min_run, size_t **starts, size_t **ends)
{
    size_t n = 0, cap = 16, at = from;
    *starts = malloc(cap * sizeof **starts);
    *ends = malloc(cap * sizeof **ends);
    if (!*starts || !*ends)
        abort();
    for (size_t i = from;; ) {
        size_t run = 0;
        while (i + run < to && s[i + run] == '\n')
            run++;
        int cut = run >= min_run || i == to;
        if (cut) {
            if (n == cap) {
                cap *= 2;
                *starts = realloc(*starts, cap * sizeof **starts);
                *ends = realloc(*ends, cap * sizeof **ends);
                if (!*starts || !*ends)
                    abort();
            }
            (*starts)[n] = at;
            (*ends)[n++] = i;
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
    size_t *st, *en, dups, dup_chars;
    size_t n = pieces(s, from, to, 2, &st, &en);
    rep_duplicates(s, st, en, n, sc, &dups, &dup_chars);
    out->dup_para_frac = (double)dups / (double)n;
    out->dup_para_char_frac = (double)dup_chars / t;
    free(st);
    free(en);
    /* lines: the whole text split on \n+ */
    n = pieces(s, 0, len, 1, &st, &en);
    rep_duplicates(s, st, en, n, sc, &dups, &dup_chars);
    out->dup_line_frac = (double)dups / (double)n;
    out->dup_line_char_frac = (double)dup_chars / t;
    free(st);
    free(en);
    /* Once every n-gram is distinct, so is every longer one: the most common
     * is then the first (count 1), and no n-gram repeats. */
    int distinct = 0;
    for (size_t k = REP_TOP_MIN; k <= REP_TOP_MAX; k++) {
        size_t top;
        if (distinct) {
            top = k - 1;
            for (size_t j = 0; j < k && nw >= k; j++)
                top += utf8_chars(s + w[j].off, w[j].len);
            top = nw >= k ? top : 0;
        } else {
            top = top_gram(s, w, nw, k, sc, &distinct);
        }
        out->top_gram[k - REP_TOP_MIN] = (double)top / t;
    }
    for (size_t k = REP_DUP_MIN; k <= REP_DUP_MAX && !distinct; k++) {
        size_t rep = dup_grams(s, w, nw, k, sc);
        out->dup_gram[k - REP_DUP_MIN] = (double)rep / t;
        distinct = rep == 0; /* nothing skipped: every k-gram was seen once */
    }
}

void rep_scratch_free(rep_scratch *sc)
{
    free(sc->slots);
    free(sc->spare);
    *sc = (rep_scratch){0};
}
