/* dedup's fast paths against the plain ones they stand for: the MinHash loop
 * in AVX-512 and AVX2 against plain C, the lower-casing and word test
 * without tables against utf8proc, the words of ASCII runs sixteen bytes at
 * a time against byte by byte, and a long document's signature (its
 * shingles grouped into parts) against one set of all of them.  The step's
 * source is included whole to reach its static functions. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "dedup.c"

static void test_minhash_paths(void **s)
{
    (void)s;
    enum { P = 300 };
    uint64_t a[P], b[P], st = 7;
    for (size_t i = 0; i < P; i++) {
        a[i] = splitmix(&st) | 1;
        b[i] = splitmix(&st);
    }
    minhash_fn *fast[2] = {NULL, NULL};
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512dq"))
        fast[0] = minhash_avx512;
    if (__builtin_cpu_supports("avx2"))
        fast[1] = minhash_avx2;
#endif
    size_t ran = 0;
    for (size_t f = 0; f < 2; f++) {
        if (!fast[f])
            continue;
        ran++;
        for (size_t n = 1; n <= P; n += n < 40 ? 1 : 37) { /* every tail length, then some long ones */
            uint32_t want[P], got[P];
            for (size_t i = 0; i < n; i++)
                want[i] = got[i] = UINT32_MAX - (uint32_t)i;
            for (size_t k = 0; k < 22; k++) { /* runs of 0 to 9 shingles, then past a block of 128 */
                uint64_t xs[300];
                size_t nx = k < 20 ? k % 10 : k == 20 ? 129 : 300;
                for (size_t j = 0; j < nx; j++)
                    xs[j] = splitmix(&st) | 1;
                minhash_plain(want, a, b, n, xs, nx);
                fast[f](got, a, b, n, xs, nx);
            }
            assert_memory_equal(want, got, n * sizeof *want);
        }
    }
    if (!ran)
        print_message("no AVX2 here: only the plain path ran\n");
    setenv("CONVERT_SIMD", "plain", 1);
    assert_ptr_equal(minhash_pick(), minhash_plain);
    unsetenv("CONVERT_SIMD");
}

static void test_lower_and_word_chars(void **s)
{
    (void)s;
    for (int cp = 0; cp < 0x2000; cp++) {
        utf8proc_category_t c = utf8proc_category(cp);
        int word = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                   (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) || c == UTF8PROC_CATEGORY_ND;
        if (is_word_char(cp) != word)
            fail_msg("is_word_char(U+%04X) is %d, utf8proc says %d", cp, is_word_char(cp), word);
        if (word && lower(cp) != utf8proc_tolower(cp))
            fail_msg("lower(U+%04X) is U+%04X, utf8proc says U+%04X", cp, lower(cp), utf8proc_tolower(cp));
        if (cp < 0x80)
            assert_int_equal(ascii_word((unsigned char)cp), word ? (uint32_t)lower(cp) : 0);
    }
}

/* Words sixteen ASCII bytes at a time against byte by byte, on texts of
 * every mix: ASCII and Cyrillic letters, digits, punctuation, CJK, words
 * past 64 code points (hashed in a stream), runs ending at every offset. */
static void test_words_paths(void **s)
{
    (void)s;
    static const char *const pieces[] = {"a", "Z", "q", "7", " ", " ", ", ", ".", "-", "\n", "Ж", "ы", "É", "ß",
                                         "—", "日本", "\xF0\x9F\x98\x80", "word", "WORD", "x1y2"};
    enum { NP = sizeof pieces / sizeof *pieces };
    uint64_t r = 11;
    for (size_t t = 0; t < 400; t++) {
        char text[4096];
        size_t len = 0, target = splitmix(&r) % 3000;
        while (len < target) {
            const char *p = pieces[splitmix(&r) % NP];
            size_t reps = splitmix(&r) % 8 == 0 ? splitmix(&r) % 90 : 1; /* now and then a long run */
            for (size_t k = 0; k < reps && len + strlen(p) < sizeof text; k++) {
                memcpy(text + len, p, strlen(p));
                len += strlen(p);
            }
            if (len + 8 >= sizeof text)
                break;
        }
        work a = {0}, b = {0};
        words_of_impl(&a, text, len, 1);
        words_of_impl(&b, text, len, 0);
        assert_int_equal(a.nwords, b.nwords);
        assert_memory_equal(a.words, b.words, a.nwords * sizeof *a.words);
        work_free(&a);
        work_free(&b);
    }
}

/* One set of every shingle, as the step computed it before long documents
 * were split into parts. */
static uint32_t signature_one_set(const dedup *d, const uint64_t *words, size_t nwords, uint32_t *sig)
{
    for (size_t p = 0; p < d->p.perms; p++)
        sig[p] = UINT32_MAX;
    size_t n = nwords < d->p.ngram ? 1 : nwords - d->p.ngram + 1;
    size_t width = nwords < d->p.ngram ? nwords : d->p.ngram, cap = pow2_at_least(2 * n);
    uint64_t *sh = malloc(n * sizeof *sh), *set = calloc(cap, sizeof *set);
    for (size_t i = 0; i < n; i++)
        sh[i] = XXH3_64bits(words + i, width * sizeof *words) | 1;
    uint32_t distinct = sign_distinct(d, sig, sh, n, set, cap - 1);
    free(sh);
    free(set);
    return distinct;
}

static void test_long_signature(void **s)
{
    (void)s;
    dedup d = {.p = {.ngram = 5, .bands = 8, .rows = 2, .perms = 16}, .minhash = minhash_plain};
    uint64_t a[16], b[16], st = 3;
    for (size_t i = 0; i < 16; i++) {
        a[i] = splitmix(&st) | 1;
        b[i] = splitmix(&st);
    }
    d.a = a;
    d.b = b;
    /* short, at the split, past it, and far past it with many repeats */
    static const size_t sizes[] = {1, 3, 5, 6, 2 * PART_SHINGLES + 4, 2 * PART_SHINGLES + 5, 50000, 400000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        work w = {0};
        w.words = malloc(n * sizeof *w.words);
        w.cwords = w.nwords = n;
        uint64_t r = k;
        for (size_t i = 0; i < n; i++) /* random words of 50, and every thousand words 300 repeated */
            w.words[i] = i >= 1000 && i % 1000 < 300 ? w.words[i - 1000] : splitmix(&(uint64_t){splitmix(&r) % 50});
        uint64_t *copy = malloc(n * sizeof *copy);
        memcpy(copy, w.words, n * sizeof *copy);
        uint32_t want[16], got[16];
        uint32_t nw = signature_one_set(&d, copy, n, want), ng = signature(&d, &w, got);
        assert_int_equal(nw, ng);
        assert_memory_equal(want, got, sizeof want);
        if (n > 2000) /* repeats were there to be found, and most are not */
            assert_true(ng < n * 9 / 10 && ng > n / 2);
        free(copy);
        work_free(&w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minhash_paths),
        cmocka_unit_test(test_lower_and_word_chars),
        cmocka_unit_test(test_words_paths),
        cmocka_unit_test(test_long_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
