/* dedup.c -- step (serial): exact and near-duplicate removal, streaming.
 *
 * Exact: a 128-bit XXH3 of the document's words (case-folded), so spacing
 * and case differences do not hide a copy.
 * Near: MinHash over word n-gram shingles, banded LSH to find candidates,
 * then the signatures estimate similarity: Jaccard, or containment (how
 * much of the smaller document lies inside the larger one, which catches a
 * short copy of a longer story).  The first document wins; a dropped one
 * names the id it duplicates.  Deterministic: no randomness but the seed.
 *
 * Memory per kept document: 16 bytes (exact) + 4 * bands * rows (signature)
 * + 8 * bands (LSH entries, lsh.h, at most 75% load) + the id; per dropped
 * one, its LSH entries.  A bucket holds the first max_bucket documents to reach
 * it, kept or dropped, and only kept ones among them are candidates: that
 * bounds the work per document on templated corpora where thousands of
 * pages share a band, and it is a rule a sharded run can apply without
 * knowing, while it sorts a bucket, which of its documents were kept.
 *
 * With convert --phase the same decisions are reached across shards: see
 * phased.c.
 *
 * The words, hashes and signature of a document need no other document:
 * prepare() computes them in parallel before the serial turn (ABI 1.1), and
 * the turn only looks them up in the index and keeps them. */
/* Inlined: most hashes here are of a word or a shingle, a few dozen bytes,
 * where a call into the library costs as much as the hash. */
#define XXH_INLINE_ALL
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <utf8proc.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <xxhash.h>

#include "convert/plugin.h"
#include "dedup.h"
#include "lsh.h"
#include "simd.h"
#include "util.h"

typedef struct dedup_opts {
    int exact, near;
    int64_t ngram, bands, rows, seed, max_bucket;
    double threshold;
    const char *measure;
} dedup_opts;

static const cv_optmap dedup_optmap[] = {
    {.key = "exact", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(dedup_opts, exact),
     .help = "drop exact duplicates (same words, any case or spacing)"},
    {.key = "near", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(dedup_opts, near),
     .help = "drop near duplicates (MinHash + LSH)"},
    {.key = "ngram", .type = CV_OPT_INT, .default_value = "5", .min = 1, .max = 64,
     .offset = offsetof(dedup_opts, ngram), .help = "words per shingle"},
    {.key = "bands", .type = CV_OPT_INT, .default_value = "64", .min = 1, .max = 4096,
     .offset = offsetof(dedup_opts, bands), .help = "LSH bands"},
    {.key = "rows", .type = CV_OPT_INT, .default_value = "2", .min = 1, .max = 4096,
     .offset = offsetof(dedup_opts, rows),
     .help = "signature rows per band (permutations = bands * rows, at most 4096)"},
    {.key = "threshold", .type = CV_OPT_FLOAT, .default_value = "0.6", .offset = offsetof(dedup_opts, threshold),
     .help = "estimated similarity at or above which a document is a duplicate, in (0, 1]"},
    {.key = "measure", .type = CV_OPT_STRING, .default_value = "containment", .choices = "jaccard|containment",
     .offset = offsetof(dedup_opts, measure),
     .help = "jaccard (|A∩B|/|A∪B|) or containment (|A∩B|/min(|A|,|B|): a short copy of a long story)"},
    {.key = "seed", .type = CV_OPT_INT, .default_value = "1", .offset = offsetof(dedup_opts, seed),
     .help = "seed of the hash permutations"},
    {.key = "max_bucket", .type = CV_OPT_INT, .default_value = "32", .offset = offsetof(dedup_opts, max_bucket),
     .help = "documents kept per LSH bucket: templated pages fill buckets, and an unbounded one makes dedup quadratic"},
    {0},
};

/* What each task of a phased run reads whole (the core checks it before the
 * task starts); the files are phased.c's. */
static const cv_phase_input dedup_phase_inputs[] = {
    {CV_PHASE_PAIRS, CV_PHASE_SIGN, 0, "*-{k}.bin"},     /* its partition of every sign task's records */
    {CV_PHASE_COLLECT, CV_PHASE_PAIRS, 0, "to-{k}.bin"}, /* its part of every pairs task's pairs */
    {CV_PHASE_DECIDE, CV_PHASE_COLLECT, 0, NULL},        /* every collect task's pairs */
    {CV_PHASE_DECIDE, CV_PHASE_SIGN, 0, "ids.bin"},      /* and every sign task's ids */
    {CV_PHASE_APPLY, CV_PHASE_SIGN, 1, NULL},            /* its own sign task */
    {CV_PHASE_APPLY, CV_PHASE_DECIDE, 0, "decisions-{k}.*"}, /* and its decisions */
    {CV_PHASE_NONE, CV_PHASE_NONE, 0, NULL},
};

#define DROPPED UINT32_MAX /* an LSH entry of a document that was not kept: it holds a place, nothing more */

/* The exact index: an open-addressing multimap from 64-bit keys to document numbers. */
typedef struct slot {
    uint64_t key; /* 0: empty (keys are forced non-zero) */
    uint32_t doc;
} slot;

typedef struct table {
    slot *s;
    size_t cap, n; /* cap is a power of two */
} table;

static void table_put(table *t, uint64_t key, uint32_t doc);

/* Room for a big array (zeroed if asked), past 2 MB in huge pages
 * (big_alloc).  Zeroed by writing, not calloc: a calloc'd page is first
 * mapped to the zero page by the probe's read, then copied at the write, a
 * second fault with a TLB flush. */
static void *dedup_alloc(size_t bytes, int zero)
{
    void *p = big_alloc(bytes, HUGE_PAGE + 1);
    if (zero)
        explicit_bzero(p, bytes); /* (memset after malloc is compiled as calloc) */
    return p;
}

static void table_grow(table *t)
{
    table old = *t;
    t->cap = old.cap ? old.cap * 2 : 1024;
    t->n = 0;
    t->s = dedup_alloc(t->cap * sizeof *t->s, 1);
    for (size_t i = 0; i < old.cap; i++)
        if (old.s[i].key)
            table_put(t, old.s[i].key, old.s[i].doc);
    free(old.s);
}

static void table_put(table *t, uint64_t key, uint32_t doc)
{
    if ((t->n + 1) * 4 > t->cap * 3)
        table_grow(t);
    size_t i = key & (t->cap - 1);
    while (t->s[i].key)
        i = (i + 1) & (t->cap - 1);
    t->s[i] = (slot){key, doc};
    t->n++;
}

/* Call fn for every doc stored under key; stop early when it returns non-zero. */
#define TABLE_FOREACH(t, k, d)                                                                                        \
    for (size_t i_ = (t)->cap ? ((k) & ((t)->cap - 1)) : 0, go_ = (t)->cap != 0; go_ && (t)->s[i_].key;              \
         i_ = (i_ + 1) & ((t)->cap - 1))                                                                              \
        if ((t)->s[i_].key == (k) && ((d) = (t)->s[i_].doc, 1))

typedef struct kept {
    char *id;
} kept;

/* Kept signatures, each followed by its count of distinct shingles (for
 * containment), in blocks of ~4 MB (two huge pages): no per-document
 * allocation, no copying as the index grows, and a candidate's signature is
 * found without reading anything else about it (the comparisons are bound
 * by cache misses). */
#define SIG_BLOCK_BYTES (HUGE_PAGE * 2)

/* Buffers for computing one document's part. */
typedef struct work {
    uint64_t *words; /* word hashes, then (in place) shingle hashes */
    size_t nwords, cwords;
    uint64_t *set; /* distinct shingles: open addressing, 0 empty */
    size_t cset;
    uint64_t *parts; /* a long document's shingles, grouped by their top bits */
    size_t cparts;
    XXH3_state_t *state; /* for words longer than 64 code points */
} work;

static void work_free(work *w)
{
    free(w->words);
    free(w->set);
    free(w->parts);
    XXH3_freeState(w->state);
}

/* prepare()'s buffers: one set per thread, found through a thread key.
 * Fresh ones for every document cost malloc's page faults and cold caches
 * (the -j 2 run spent ~10% more CPU than -j 1 on them); sets lent from a
 * shared stack under a lock went to whichever thread asked next, so each
 * was written on one core and then on the other, and the lock itself was
 * contended once a document. */
typedef struct workpool {
    pthread_key_t key;
    pthread_mutex_t mu; /* sets: when a thread makes its first */
    work **sets;
    size_t n, cap;
} workpool;

/* Every permutation over a run of shingles, into a signature (see
 * minhash_pick). */
typedef void minhash_fn(uint32_t *restrict sig, const uint64_t *restrict a, const uint64_t *restrict b, size_t n,
                        const uint64_t *restrict xs, size_t nx);

typedef struct dedup {
    const cv_host *host;
    cv_ctx *ctx;
    dd_params p; /* the rule, as phased.c needs it too */
    cv_phase mode; /* CV_PHASE_NONE: one run decides; else the task of a phased run */
    phased *ph;
    uint64_t *a, *b; /* permutation i: (a[i] * x + b[i]) >> 32, a[i] odd */
    minhash_fn *minhash;
    table exact_index;   /* low 64 bits of the text hash -> doc */
    XXH128_hash_t *exact_hash;
    lsh lsh;
    lsh_spot *spots; /* per band: where this document stands (lsh_find) */
    int collect;     /* lsh_find notes kept documents as candidates */
    kept *docs;
    size_t ndocs, cdocs;
    uint32_t **sigblocks;
    size_t nblocks, block_docs; /* kept signatures per block */
    uint32_t *seen; /* per kept doc: last candidate round that saw it */
    uint64_t *keys; /* band keys and signature of a document prepare() did not see */
    uint32_t *sig;
    uint32_t *cand; /* this document's candidates */
    size_t ncand, ccand;
    uint32_t round;
    work work; /* process()'s buffers when prepare() did not run */
    workpool *pool; /* prepare()'s (a pointer: prepare() sees d as const) */
} dedup;

/* This thread's set, made on its first document. */
static work *work_take(workpool *p)
{
    work *w = pthread_getspecific(p->key);
    if (w)
        return w;
    w = xcalloc(1, sizeof *w);
    pthread_mutex_lock(&p->mu);
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->sets = xrealloc(p->sets, p->cap * sizeof *p->sets);
    }
    p->sets[p->n++] = w;
    pthread_mutex_unlock(&p->mu);
    if (pthread_setspecific(p->key, w) != 0)
        abort();
    return w;
}

/* A set grown for a very long document is not kept for the rest of the
 * run: each worker's would hold ~4x the longest text. */
#define KEEP_WORK_BYTES ((size_t)16 << 20)

static void work_trim(work *w)
{
    if ((w->cwords + w->cset + w->cparts) * sizeof(uint64_t) > KEEP_WORK_BYTES) {
        work_free(w);
        *w = (work){0};
    }
}


static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The hottest loop of the step: one multiply-shift hash per permutation and
 * shingle.  Written for AVX-512 and AVX2 as well and picked once at create
 * time by the CPU's features (not its model: GCC's target_clones("arch=...")
 * tests the model, and a newer one with the same instructions fell back to
 * AVX2), so one binary runs on any x86-64 and vectorises where it can.  The
 * vector forms are spelled out in intrinsics rather than left to the
 * compiler, which vectorised the loop at -O3 only: the default build
 * (RelWithDebInfo, -O2) ran it one permutation at a time.  AVX-512DQ has the
 * 64-bit multiply; AVX2 builds it from three 32-bit ones.  CONVERT_SIMD=avx2
 * or =plain caps the choice (to measure, and for test_dedup_paths). */
static void minhash_plain(uint32_t *restrict sig, const uint64_t *restrict a, const uint64_t *restrict b, size_t n,
                          const uint64_t *restrict xs, size_t nx)
{
    for (size_t p = 0; p < n; p++) {
        uint32_t m = sig[p];
        for (size_t k = 0; k < nx; k++) {
            uint32_t v = (uint32_t)((a[p] * xs[k] + b[p]) >> 32);
            m = v < m ? v : m;
        }
        sig[p] = m;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* Sixteen permutations at a time over every shingle: their multipliers,
 * offsets and minima stay in registers, and a shingle costs a broadcast. */
__attribute__((target("avx512f,avx512dq"))) static void minhash_avx512(uint32_t *restrict sig,
                                                                      const uint64_t *restrict a,
                                                                      const uint64_t *restrict b, size_t n,
                                                                      const uint64_t *restrict xs, size_t nx)
{
    /* the high halves of sixteen 64-bit lanes (two vectors), in order */
    const __m512i high = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    size_t p = 0;
    for (; p + 16 <= n; p += 16) {
        const __m512i a0 = _mm512_loadu_si512(a + p), a1 = _mm512_loadu_si512(a + p + 8);
        const __m512i b0 = _mm512_loadu_si512(b + p), b1 = _mm512_loadu_si512(b + p + 8);
        __m512i m = _mm512_loadu_si512(sig + p);
        for (size_t k = 0; k < nx; k++) {
            const __m512i vx = _mm512_set1_epi64((long long)xs[k]);
            __m512i h0 = _mm512_add_epi64(_mm512_mullo_epi64(a0, vx), b0);
            __m512i h1 = _mm512_add_epi64(_mm512_mullo_epi64(a1, vx), b1);
            m = _mm512_min_epu32(m, _mm512_permutex2var_epi32(h0, high, h1));
        }
        _mm512_storeu_si512(sig + p, m);
    }
    minhash_plain(sig + p, a + p, b + p, n - p, xs, nx);
}

/* a * x + b on four 64-bit lanes: al*xl + ((ah*xl + al*xh) << 32) + b. */
__attribute__((target("avx2"))) static inline __m256i mul_add_avx2(__m256i a, __m256i xl, __m256i xh, __m256i b)
{
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), xl), _mm256_mul_epu32(a, xh));
    return _mm256_add_epi64(_mm256_add_epi64(_mm256_mul_epu32(a, xl), _mm256_slli_epi64(cross, 32)), b);
}

/* The same with eight permutations at a time.  The shingles go in blocks
 * whose halves are broadcast once into memory: broadcasting them again for
 * each block of permutations fought the shuffles for their port, and this
 * loop ran slower than the one it replaced. */
__attribute__((target("avx2"))) static void minhash_avx2(uint32_t *restrict sig, const uint64_t *restrict a,
                                                        const uint64_t *restrict b, size_t n,
                                                        const uint64_t *restrict xs, size_t nx)
{
    enum { BLOCK = 128 };
    __m256i xl[BLOCK], xh[BLOCK];
    size_t full = n / 8 * 8;
    for (size_t k0 = 0; k0 < nx; k0 += BLOCK) {
        size_t kn = nx - k0 < BLOCK ? nx - k0 : BLOCK;
        for (size_t k = 0; k < kn; k++) {
            xl[k] = _mm256_set1_epi64x((long long)(xs[k0 + k] & 0xFFFFFFFFu));
            xh[k] = _mm256_set1_epi64x((long long)(xs[k0 + k] >> 32));
        }
        for (size_t p = 0; p < full; p += 8) {
            const __m256i a0 = _mm256_loadu_si256((const __m256i *)(a + p)),
                          a1 = _mm256_loadu_si256((const __m256i *)(a + p + 4));
            const __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + p)),
                          b1 = _mm256_loadu_si256((const __m256i *)(b + p + 4));
            __m256i *out = (__m256i *)(sig + p), m = _mm256_loadu_si256(out);
            for (size_t k = 0; k < kn; k++) {
                __m256i h0 = mul_add_avx2(a0, xl[k], xh[k], b0), h1 = mul_add_avx2(a1, xl[k], xh[k], b1);
                /* high halves, per 128-bit lane: p0 p1 p4 p5 | p2 p3 p6 p7; then the middle qwords swap */
                __m256i v = _mm256_castps_si256(
                    _mm256_shuffle_ps(_mm256_castsi256_ps(h0), _mm256_castsi256_ps(h1), _MM_SHUFFLE(3, 1, 3, 1)));
                m = _mm256_min_epu32(m, _mm256_permute4x64_epi64(v, _MM_SHUFFLE(3, 1, 2, 0)));
            }
            _mm256_storeu_si256(out, m);
        }
    }
    minhash_plain(sig + full, a + full, b + full, n - full, xs, nx);
}
#endif

static minhash_fn *minhash_pick(void)
{
    const char *cap = getenv("CONVERT_SIMD");
    if (cap && !strcmp(cap, "plain"))
        return minhash_plain;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512dq") && !(cap && !strcmp(cap, "avx2")))
        return minhash_avx512;
    if (__builtin_cpu_supports("avx2"))
        return minhash_avx2;
#endif
    return minhash_plain;
}

static void dedup_destroy(void *p)
{
    dedup *d = p;
    for (size_t i = 0; i < d->ndocs; i++) {
        free(d->docs[i].id);
    }
    for (size_t i = 0; i < d->nblocks; i++)
        free(d->sigblocks[i]);
    free(d->sigblocks);
    free(d->docs);
    free(d->a);
    free(d->b);
    free(d->exact_index.s);
    free(d->exact_hash);
    lsh_free(&d->lsh);
    free(d->spots);
    free(d->seen);
    free(d->cand);
    free(d->keys);
    free(d->sig);
    work_free(&d->work);
    if (d->pool) {
        for (size_t i = 0; i < d->pool->n; i++) {
            work_free(d->pool->sets[i]);
            free(d->pool->sets[i]);
        }
        pthread_key_delete(d->pool->key);
        pthread_mutex_destroy(&d->pool->mu);
        free(d->pool->sets);
        free(d->pool);
    }
    phased_free(d->ph);
    free(d);
}

static void *dedup_create(const cv_host *h, cv_ctx *ctx)
{
    dedup *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->host = h;
    d->ctx = ctx;
    dedup_opts o;
    h->opt_load(ctx, &o);
    d->p.exact = o.exact;
    d->p.near = o.near;
    d->p.threshold = o.threshold;
    d->p.max_bucket = o.max_bucket > 0 ? (size_t)o.max_bucket : 0;
    if (o.bands * o.rows > 4096) {
        h->error(ctx, "bands * rows must be at most 4096, not %lld", (long long)(o.bands * o.rows));
        goto fail;
    }
    if (d->p.threshold <= 0 || d->p.threshold > 1) {
        h->error(ctx, "threshold must be in (0, 1]");
        goto fail;
    }
    d->p.containment = !strcmp(o.measure, "containment");
    cv_phase_task task;
    h->phase_task(ctx, &task, sizeof task); /* flagged CV_FLAG_PHASED: it cannot fail */
    d->mode = task.phase;
    d->p.ngram = (size_t)o.ngram;
    d->minhash = minhash_pick();
    workpool *pool = xcalloc(1, sizeof *pool);
    if (pthread_key_create(&pool->key, NULL) != 0) {
        free(pool);
        h->error(ctx, "cannot make a thread key");
        goto fail;
    }
    pthread_mutex_init(&pool->mu, NULL);
    d->pool = pool;
    d->p.bands = (size_t)o.bands;
    d->p.rows = (size_t)o.rows;
    d->p.perms = d->p.bands * d->p.rows;
    d->block_docs = SIG_BLOCK_BYTES / ((d->p.perms + 1) * sizeof(uint32_t));
    d->a = malloc(d->p.perms * sizeof *d->a);
    d->b = malloc(d->p.perms * sizeof *d->b);
    d->sig = malloc(d->p.perms * sizeof *d->sig);
    d->keys = malloc(d->p.bands * sizeof *d->keys);
    d->spots = xmalloc(d->p.bands * sizeof *d->spots);
    if (d->p.near) /* in every mode, though only a single run looks documents up */
        lsh_init(&d->lsh, d->p.bands);
    uint64_t state = (uint64_t)o.seed;
    for (size_t i = 0; i < d->p.perms; i++) {
        d->a[i] = splitmix(&state) | 1;
        d->b[i] = splitmix(&state);
    }
    if (d->mode != CV_PHASE_NONE && !(d->ph = phased_new(h, ctx, &d->p, &task)))
        goto fail;
    return d;
fail:
    dedup_destroy(d);
    return NULL;
}

static int is_word_char(int cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    if ((cp >= 0xC0 && cp < 0x250 && cp != 0xD7 && cp != 0xF7) || (cp >= 0x400 && cp < 0x482))
        return 1; /* Latin and Cyrillic letters without a table lookup */
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) || c == UTF8PROC_CATEGORY_ND;
}

/* Lower-cased words as 64-bit hashes into w->words.  Lower-casing code point
 * by code point (utf8proc's tables) is enough here: the text is NFC already
 * when normalize ran, and a rare miss only weakens a duplicate match. */
static int lower(int cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp | 0x20 : cp;
    /* Cyrillic and Latin-1 without a table lookup (test_dedup_paths holds
     * these ranges against utf8proc) */
    if (cp >= 0x430 && cp < 0x460)
        return cp;
    if (cp >= 0x410 && cp < 0x430)
        return cp + 0x20;
    if (cp >= 0x400 && cp < 0x410)
        return cp + 0x50;
    if (cp >= 0xC0 && cp < 0xDF && cp != 0xD7)
        return cp + 0x20;
    if (cp >= 0xDF && cp < 0x100)
        return cp;
    return utf8proc_tolower(cp);
}

/* An ASCII byte lower-cased when it is a word character, else 0. */
static inline uint32_t ascii_word(unsigned char c)
{
    unsigned l = c | 0x20u;
    return l - 'a' < 26u ? l : (unsigned)c - '0' < 10u ? c : 0;
}

/* One word's hash: of its lower-cased code points as 32-bit numbers. */
static uint64_t word_hash(XXH3_state_t *st, const uint32_t *cps, size_t ncp, int streaming)
{
    if (!streaming)
        return XXH3_64bits(cps, ncp * sizeof *cps);
    XXH3_64bits_update(st, cps, ncp * sizeof *cps);
    return XXH3_64bits_digest(st);
}

#ifdef __SSE2__
/* Of the 16 bytes at p, those that are ASCII letters or digits (a bit each)
 * and, in *lowered, each lower-cased (0 elsewhere): ascii_word sixteen at a
 * time.  Bytes of 0x80 and up compare as negative: none is in a range. */
static inline unsigned ascii_words16(const unsigned char *p, __m128i *lowered)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p), l = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i letter = sse_in(l, 'a', 'z'), digit = sse_in(v, '0', '9');
    *lowered = _mm_or_si128(_mm_and_si128(letter, l), _mm_and_si128(digit, v));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
}

/* Sixteen bytes as sixteen 32-bit code points at out. */
static inline void widen16(__m128i v, uint32_t *out)
{
    const __m128i z = _mm_setzero_si128();
    __m128i lo = _mm_unpacklo_epi8(v, z), hi = _mm_unpackhi_epi8(v, z);
    _mm_storeu_si128((__m128i *)out, _mm_unpacklo_epi16(lo, z));
    _mm_storeu_si128((__m128i *)(out + 4), _mm_unpackhi_epi16(lo, z));
    _mm_storeu_si128((__m128i *)(out + 8), _mm_unpacklo_epi16(hi, z));
    _mm_storeu_si128((__m128i *)(out + 12), _mm_unpackhi_epi16(hi, z));
}
#endif

/* fast: runs of ASCII letters and digits sixteen bytes at a time (SSE2);
 * the same words as byte by byte (test_dedup_paths holds the two). */
static inline void words_of_impl(work *w, const char *s, size_t n, int fast)
{
    /* A text of n bytes has at most (n + 1) / 2 words. */
    if (w->cwords < n / 2 + 1) {
        free(w->words);
        w->cwords = n / 2 + 1 > 1024 ? n / 2 + 1 : 1024;
        w->words = dedup_alloc(w->cwords * sizeof *w->words, 0); /* a long document's: in huge pages */
    }
    const unsigned char *u = (const unsigned char *)s;
    uint64_t *out = w->words;
    uint32_t cps[64]; /* a word's lower-cased code points; longer words stream */
    size_t ncp = 0, i = 0;
    int streaming = 0;
    while (i < n) {
        uint32_t cp;
        if (u[i] < 0x80) {
#ifdef __SSE2__
            if (fast && i + 16 <= n && ncp + 16 <= 64) {
                __m128i lowered;
                unsigned run = (unsigned)__builtin_ctz(~ascii_words16(u + i, &lowered));
                if (run) { /* all sixteen stored, run of them kept */
                    widen16(lowered, cps + ncp);
                    ncp += run;
                    i += run;
                    continue;
                }
            }
#endif
            (void)fast;
            cp = ascii_word(u[i++]);
        } else {
            int c = utf8_next(s, &i);
            cp = is_word_char(c) ? (uint32_t)lower(c) : 0;
        }
        if (cp) {
            if (ncp == 64) {
                if (!w->state && !(w->state = XXH3_createState()))
                    abort();
                if (!streaming)
                    XXH3_64bits_reset(w->state);
                XXH3_64bits_update(w->state, cps, sizeof cps);
                streaming = 1;
                ncp = 0;
            }
            cps[ncp++] = cp;
        } else if (ncp || streaming) {
            *out++ = word_hash(w->state, cps, ncp, streaming);
            ncp = 0;
            streaming = 0;
        }
    }
    if (ncp || streaming)
        *out++ = word_hash(w->state, cps, ncp, streaming);
    w->nwords = (size_t)(out - w->words);
}

static void words_of(work *w, const char *s, size_t n) { words_of_impl(w, s, n, 1); }

/* A room of at least n 64-bit values in *buf (of *cap), its old content dropped. */
static uint64_t *room(uint64_t **buf, size_t *cap, size_t n)
{
    if (*cap < n) {
        free(*buf);
        *cap = n;
        *buf = dedup_alloc(n * sizeof **buf, 0);
    }
    return *buf;
}

/* The MinHash of every shingle of sh[0..n) not seen before in the set
 * (open addressing over the low bits, 0 empty, at most half full: the
 * caller sized it); returns how many were new.  The new ones are gathered
 * at the front of sh (overwriting it) and go through the permutations in
 * one call. */
static uint32_t sign_distinct(const dedup *d, uint32_t *sig, uint64_t *sh, size_t n, uint64_t *set, size_t mask)
{
    uint32_t distinct = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t x = sh[k];
        size_t i = x & mask;
        while (set[i] && set[i] != x)
            i = (i + 1) & mask;
        if (set[i])
            continue;
        set[i] = x;
        sh[distinct++] = x;
    }
    d->minhash(sig, d->a, d->b, d->p.perms, sh, distinct);
    return distinct;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n)
        c *= 2;
    return c;
}

/* Shingles per part of a long document: its set (twice as many slots, 8
 * bytes each) stays within the L1 and L2 caches. */
#define PART_SHINGLES 2048

/* MinHash signature of w's shingles into sig; returns distinct shingles.
 * The shingle hashes replace the word hashes in place (shingle i reads
 * words i .. i + ngram - 1, none before i).  A document of a few thousand
 * shingles goes through one set; a longer one is first grouped by the top
 * bits of the hashes into parts of ~PART_SHINGLES, each with a set that
 * fits in the cache (a set of the whole document misses the caches and the
 * TLB on every probe: the cost per byte grew with the document).  The
 * minimum and the count are those of the distinct shingles either way. */
static uint32_t signature(const dedup *d, work *w, uint32_t *sig)
{
    for (size_t p = 0; p < d->p.perms; p++)
        sig[p] = UINT32_MAX;
    size_t n = w->nwords < d->p.ngram ? 1 : w->nwords - d->p.ngram + 1;
    size_t width = w->nwords < d->p.ngram ? w->nwords : d->p.ngram;
    uint64_t *sh = w->words;
    for (size_t i = 0; i < n; i++)
        sh[i] = XXH3_64bits(sh + i, width * sizeof *sh) | 1;
    if (n <= 2 * PART_SHINGLES) {
        size_t cap = pow2_at_least(2 * n);
        uint64_t *set = room(&w->set, &w->cset, cap);
        memset(set, 0, cap * sizeof *set);
        return sign_distinct(d, sig, sh, n, set, cap - 1);
    }
    unsigned bits = 1;
    while (bits < 12 && (n >> bits) > PART_SHINGLES)
        bits++;
    size_t nparts = (size_t)1 << bits, start[(1 << 12) + 1] = {0};
    for (size_t i = 0; i < n; i++)
        start[(sh[i] >> (64 - bits)) + 1]++;
    size_t largest = 0;
    for (size_t k = 0; k < nparts; k++) {
        largest = start[k + 1] > largest ? start[k + 1] : largest;
        start[k + 1] += start[k];
    }
    uint64_t *grouped = room(&w->parts, &w->cparts, n);
    size_t at[1 << 12];
    memcpy(at, start, nparts * sizeof *at);
    for (size_t i = 0; i < n; i++)
        grouped[at[sh[i] >> (64 - bits)]++] = sh[i];
    uint64_t *set = room(&w->set, &w->cset, pow2_at_least(2 * largest));
    uint32_t distinct = 0;
    for (size_t k = 0; k < nparts; k++) {
        size_t m = start[k + 1] - start[k], cap = pow2_at_least(2 * m);
        memset(set, 0, cap * sizeof *set);
        distinct += sign_distinct(d, sig, grouped + start[k], m, set, cap - 1);
    }
    return distinct;
}

static uint64_t band_key(const dedup *d, size_t band, const uint32_t *sig)
{
    return XXH3_64bits_withSeed(sig + band * d->p.rows, d->p.rows * sizeof *sig, band) | 1;
}

static uint32_t *kept_sig(const dedup *d, size_t doc)
{
    return d->sigblocks[doc / d->block_docs] + (doc % d->block_docs) * (d->p.perms + 1);
}

/* The words and exact hash of one text into pt (the words stay in w)... */
static void compute_words(work *w, const char *text, size_t len, part *pt)
{
    words_of(w, text, len);
    pt->hash = XXH3_128bits(w->words, w->nwords * sizeof *w->words);
    pt->nwords = w->nwords;
    pt->shingles = 0;
}

/* ...then the signature and band keys, into the room pt's keys and sig point to. */
static void compute_sig(const dedup *d, work *w, part *pt)
{
    if (!d->p.near)
        return;
    if (!w->nwords) { /* kept without a signature: it joins no LSH bucket */
        for (size_t p = 0; p < d->p.perms; p++)
            pt->sig[p] = UINT32_MAX;
        return;
    }
    pt->shingles = signature(d, w, pt->sig);
    for (size_t b = 0; b < d->p.bands; b++)
        pt->keys[b] = band_key(d, b, pt->sig);
}

/* Called on any worker, several at once: d is only read. */
static void dedup_prepare(const void *p, cv_doc *doc)
{
    const dedup *d = p;
    if (d->mode == CV_PHASE_APPLY)
        return; /* decided already */
    part *pt = malloc(sizeof *pt + d->p.bands * sizeof *pt->keys + d->p.perms * sizeof *pt->sig);
    if (!pt)
        return; /* process() computes it */
    pt->keys = (uint64_t *)(pt + 1);
    pt->sig = (uint32_t *)(pt->keys + d->p.bands);
    size_t len;
    const char *text = d->host->doc_text(doc, &len);
    work *w = work_take(d->pool);
    compute_words(w, text, len, pt);
    compute_sig(d, w, pt);
    work_trim(w);
    d->host->doc_set_scratch(doc, pt, free);
}

static double similarity(const dedup *d, size_t doc, const part *pt)
{
    const uint32_t *ks = kept_sig(d, doc);
    return dd_similarity(&d->p, pt->sig, pt->shingles, ks, ks[d->p.perms]);
}

/* Whether a document has a place in the LSH buckets: one with words, when near duplicates are looked for. */
static int indexed(const dedup *d, const part *pt) { return d->p.near && pt->nwords > 0; }

/* lsh_find's question: is kept document doc under key in band?  Its
 * signature says.  While collecting, one that is becomes a candidate. */
static int lsh_member(void *arg, size_t band, uint32_t doc, uint64_t key)
{
    dedup *d = arg;
    if (band_key(d, band, kept_sig(d, doc)) != key)
        return 0; /* another key with the same high bits */
    if (d->collect && d->seen[doc] != d->round) {
        d->seen[doc] = d->round;
        if (d->ncand == d->ccand) {
            d->ccand = d->ccand ? d->ccand * 2 : 256;
            d->cand = xrealloc(d->cand, d->ccand * sizeof *d->cand);
        }
        d->cand[d->ncand++] = doc;
    }
    return 1;
}

/* Look the document up in every band: where it would go, and (collect) the
 * kept documents that share a band with it, into d->cand. */
static void lsh_lookup(dedup *d, const part *pt, int collect)
{
    lsh_reserve(&d->lsh);
    d->collect = collect;
    d->ncand = 0;
    /* The chains are spread over the table: fetching them all first hides most of the misses. */
    for (size_t b = 0; b < d->p.bands; b++)
        __builtin_prefetch(lsh_home(&d->lsh, b, pt->keys[b]));
    for (size_t b = 0; b < d->p.bands; b++)
        lsh_find(&d->lsh, b, pt->keys[b], lsh_member, d, &d->spots[b]);
}

/* Enter the looked-up document in every band, as kept document doc or as DROPPED. */
static void lsh_enter_all(dedup *d, const part *pt, uint32_t doc)
{
    for (size_t b = 0; b < d->p.bands; b++)
        lsh_enter(&d->lsh, b, pt->keys[b], doc, &d->spots[b], d->p.max_bucket);
}

/* A dropped document still takes its place in its buckets (see the top). */
static void hold_place(dedup *d, const part *pt)
{
    if (indexed(d, pt))
        lsh_enter_all(d, pt, DROPPED);
}

static void keep(dedup *d, const char *id, const part *pt)
{
    XXH128_hash_t h = pt->hash;
    if (d->ndocs == d->cdocs) {
        d->cdocs = d->cdocs ? d->cdocs * 2 : 1024;
        d->docs = xrealloc(d->docs, d->cdocs * sizeof *d->docs);
        d->seen = xrealloc(d->seen, d->cdocs * sizeof *d->seen);
        d->exact_hash = xrealloc(d->exact_hash, d->cdocs * sizeof *d->exact_hash);
    }
    uint32_t n = (uint32_t)d->ndocs++;
    kept *k = &d->docs[n];
    k->id = strdup(id);
    d->seen[n] = 0;
    d->exact_hash[n] = h;
    if (d->p.exact)
        table_put(&d->exact_index, h.low64 | 1, n);
    if (d->p.near) {
        if (n / d->block_docs == d->nblocks) {
            d->sigblocks = xrealloc(d->sigblocks, (d->nblocks + 1) * sizeof *d->sigblocks);
            d->sigblocks[d->nblocks] = dedup_alloc(d->block_docs * (d->p.perms + 1) * sizeof(uint32_t), 0);
            d->nblocks++;
        }
        uint32_t *ks = kept_sig(d, n);
        memcpy(ks, pt->sig, d->p.perms * sizeof *ks);
        ks[d->p.perms] = pt->shingles;
        if (pt->nwords)
            lsh_enter_all(d, pt, n);
    }
}

static cv_status dedup_process(void *p, cv_doc *doc)
{
    dedup *d = p;
    const cv_host *h = d->host;
    if (d->mode == CV_PHASE_APPLY)
        return phased_process(d->ph, doc, NULL);
    const part *pt = h->doc_scratch(doc);
    part mine = {.keys = d->keys, .sig = d->sig};
    if (!pt) { /* prepare() did not run */
        size_t len;
        const char *text = h->doc_text(doc, &len);
        compute_words(&d->work, text, len, &mine);
        compute_sig(d, &d->work, &mine);
        pt = &mine;
    }
    if (d->mode == CV_PHASE_SIGN)
        return phased_process(d->ph, doc, pt);
    const char *copy_of = NULL; /* the kept document this one is an exact copy of */
    uint32_t other;
    if (d->p.exact)
        TABLE_FOREACH(&d->exact_index, pt->hash.low64 | 1, other) {
            if (XXH128_isEqual(d->exact_hash[other], pt->hash)) {
                copy_of = d->docs[other].id;
                break;
            }
        }
    if (indexed(d, pt)) {
        if (!copy_of && ++d->round == 0) { /* wrapped: forget old marks */
            memset(d->seen, 0, d->ndocs * sizeof *d->seen);
            d->round = 1;
        }
        lsh_lookup(d, pt, !copy_of);
    }
    if (copy_of) {
        h->doc_drop(doc, "exact_duplicate", copy_of);
        hold_place(d, pt);
        return CV_DROP;
    }
    if (indexed(d, pt)) {
        /* The candidates' similarity: their signatures are spread over the
         * heap, so fetching a few ahead hides most of the misses. */
        size_t best_doc = SIZE_MAX;
        double best = 0;
        for (size_t c = 0; c < d->ncand; c++) {
            if (c + 4 < d->ncand) {
                const char *ahead = (const char *)kept_sig(d, d->cand[c + 4]);
                for (size_t off = 0; off < (d->p.perms + 1) * sizeof *d->sig; off += 64)
                    __builtin_prefetch(ahead + off);
            }
            other = d->cand[c];
            double s = similarity(d, other, pt);
            /* Ties go to the earliest document, so the result never depends on table order. */
            if (s > best || (s == best && other < best_doc)) {
                best = s;
                best_doc = other;
            }
        }
        if (best_doc != SIZE_MAX && best >= d->p.threshold) {
            char detail[64];
            snprintf(detail, sizeof detail, "%.2f", best);
            size_t n = strlen(d->docs[best_doc].id) + strlen(detail) + 16;
            char *msg = malloc(n);
            snprintf(msg, n, "%s (similarity %s)", d->docs[best_doc].id, detail);
            h->doc_drop(doc, "near_duplicate", msg);
            free(msg);
            hold_place(d, pt);
            return CV_DROP;
        }
    }
    if (d->ndocs == LSH_MAX_DOCS) { /* (their signatures alone would be a terabyte) */
        h->error(d->ctx, "more than %u documents kept: run dedup in phases (convert --phase)", LSH_MAX_DOCS);
        return CV_ERROR;
    }
    keep(d, h->doc_id(doc), pt);
    return CV_OK;
}

static cv_status dedup_finish(void *p)
{
    dedup *d = p;
    return d->ph ? phased_finish(d->ph) : CV_OK;
}

static const cv_plugin dedup_step = {
    CV_PLUGIN_HEADER,
    .name = "dedup",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Drops exact duplicates (XXH3) and near duplicates (MinHash + LSH); first one wins",
    .optmap = dedup_optmap,
    .flags = CV_FLAG_SERIAL | CV_FLAG_PHASED,
    .phase_inputs = dedup_phase_inputs,
    .create = dedup_create,
    .destroy = dedup_destroy,
    .process = dedup_process,
    .finish = dedup_finish,
    .prepare = dedup_prepare,
};

CONVERT_PLUGINS(&dedup_step)
